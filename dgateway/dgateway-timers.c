/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-timers-private.h"

struct _DGatewayTimers
{
  gatomicrefcount ref_count;
  GMainContext *context;
  GSource *source;
  GSequence *queue;          /* DGatewayTimer, armed, by (deadline, serial) */
  guint64 next_serial;
  gint64 ready_time;         /* what the source was last given */
  guint dispatching;         /* dispatches under way, nested ones included */
};

struct _DGatewayTimer
{
  guint ref_count;           /* the caller's handle, and a dispatch's */
  DGatewayTimers *timers;    /* owned */
  GSequenceIter *iter;       /* in timers->queue, or NULL when not armed */
  gint64 deadline;           /* monotonic µs, -1 when not armed */
  guint64 serial;            /* the order it was armed in, for ties */
  guint interval;            /* ms, or s with seconds */
  gboolean seconds;
  gboolean cleared;          /* the caller let go: never armed again */
  GSourceFunc func;
  gpointer data;
};

typedef struct {
  GSource source;
  DGatewayTimers *timers;    /* unowned: the timers own the source */
} TimersSource;

/* The instant of a second (µs after it) every whole-second timer of the
 * process lands on. GLib draws its own from the session bus address, the
 * same for every process of a session; this one is random, so that the
 * processes of a bot farm do not all wake at once, while the timers of
 * one process still do. */
static gint64
get_perturbation (void)
{
  static gsize perturbation = 0;

  /* Stored plus one: g_once_init_enter() waits for a value that is not 0. */
  if (g_once_init_enter (&perturbation))
    g_once_init_leave (&perturbation, (gsize) g_random_int_range (0, G_USEC_PER_SEC) + 1);
  return (gint64) perturbation - 1;
}

/* As g_timeout_set_expiration() does for seconds: @expiration moves to
 * the process's instant of the second, back when that is less than a
 * quarter of a second away, else forward. */
static gint64
round_to_second (gint64 expiration)
{
  gint64 perturbation = get_perturbation ();
  gint64 remainder;

  expiration -= perturbation;
  remainder = expiration % G_USEC_PER_SEC;
  if (remainder < 0)
    remainder += G_USEC_PER_SEC;
  if (remainder >= G_USEC_PER_SEC / 4)
    expiration += G_USEC_PER_SEC;
  expiration -= remainder;
  return expiration + perturbation;
}

static int
compare_timers (gconstpointer a,
                gconstpointer b,
                gpointer      data)
{
  const DGatewayTimer *ta = a;
  const DGatewayTimer *tb = b;

  if (ta->deadline != tb->deadline)
    return ta->deadline < tb->deadline ? -1 : 1;
  if (ta->serial != tb->serial)
    return ta->serial < tb->serial ? -1 : 1;
  return 0;
}

/* The source wakes the context at the earliest deadline. Within a
 * dispatch a ready time already passed stands unless @exact, as long as
 * it is no later than the earliest deadline: the dispatch sets the exact
 * one as it ends, and a dispatch that fires a thousand timers and re-arms
 * them would otherwise move the ready time, and signal the context's
 * wake-up, a thousand times. An earlier deadline always moves it: a
 * nested main loop in a callback must see it. */
static void
update_ready_time (DGatewayTimers *self,
                   gboolean        exact)
{
  GSequenceIter *first = g_sequence_get_begin_iter (self->queue);
  gint64 ready_time = -1;

  if (!g_sequence_iter_is_end (first))
    ready_time = ((DGatewayTimer *) g_sequence_get (first))->deadline;
  if (ready_time == self->ready_time)
    return;
  if (!exact && self->dispatching > 0 && self->ready_time != -1 &&
      (ready_time == -1 || self->ready_time < ready_time))
    return;
  self->ready_time = ready_time;
  g_source_set_ready_time (self->source, ready_time);
}

static void
arm (DGatewayTimer *timer,
     gint64         now)
{
  DGatewayTimers *self = timer->timers;

  if (timer->seconds)
    timer->deadline = round_to_second (now + (gint64) timer->interval * G_USEC_PER_SEC);
  else
    timer->deadline = now + (gint64) timer->interval * 1000;
  timer->serial = self->next_serial++;
  timer->iter = g_sequence_insert_sorted (self->queue, timer, compare_timers, NULL);
  update_ready_time (self, FALSE);
}

static void
disarm (DGatewayTimer *timer)
{
  if (timer->iter == NULL)
    return;

  g_sequence_remove (timer->iter);
  timer->iter = NULL;
  timer->deadline = -1;
  update_ready_time (timer->timers, FALSE);
}

static void
timer_unref (DGatewayTimer *timer)
{
  DGatewayTimers *timers;

  if (--timer->ref_count > 0)
    return;

  g_assert (timer->iter == NULL);
  timers = timer->timers;
  g_free (timer);
  dgateway_timers_unref (timers);
}

static gboolean
timers_source_dispatch (GSource     *source,
                        GSourceFunc  callback,
                        gpointer     user_data)
{
  DGatewayTimers *self = ((TimersSource *) source)->timers;
  gint64 now = g_source_get_time (source);
  guint64 limit;

  if (self == NULL)
    return G_SOURCE_REMOVE;

  /* A callback may drop the last reference to everything, these timers
   * included: they, and so the source, last until the loop is done. */
  dgateway_timers_ref (self);
  self->dispatching++;
  /* Timers armed from here on wait for the next dispatch even when they
   * are due already: one added with no delay, or run again with none,
   * must not keep this dispatch going for ever. Their serials are all
   * from @limit on, and their deadlines from @now on, so they sort after
   * every timer this dispatch fires. */
  limit = self->next_serial;

  for (;;)
    {
      GSequenceIter *first = g_sequence_get_begin_iter (self->queue);
      DGatewayTimer *timer;
      gboolean again;

      if (g_sequence_iter_is_end (first))
        break;
      timer = g_sequence_get (first);
      if (timer->deadline > now || timer->serial >= limit)
        break;

      /* Out of the queue before its callback, which may clear it, clear
       * the timer due next (which then is out of the queue before this
       * loop can reach it) or add others. */
      disarm (timer);
      timer->ref_count++;
      again = timer->func (timer->data);
      /* From the dispatch's time, as GLib's timeouts do. */
      if (again && !timer->cleared)
        arm (timer, now);
      timer_unref (timer);
    }

  self->dispatching--;
  update_ready_time (self, TRUE);
  dgateway_timers_unref (self);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs timers_source_funcs = {
  .dispatch = timers_source_dispatch,
};

DGatewayTimers *
dgateway_timers_new (GMainContext *context)
{
  DGatewayTimers *self = g_new0 (DGatewayTimers, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->context = context ? g_main_context_ref (context) : g_main_context_ref_thread_default ();
  self->queue = g_sequence_new (NULL);
  self->ready_time = -1;
  self->source = g_source_new (&timers_source_funcs, sizeof (TimersSource));
  ((TimersSource *) self->source)->timers = self;
  g_source_set_priority (self->source, G_PRIORITY_DEFAULT);
  /* With a GSource a timer, a callback that iterated the context (a
   * nested main loop in a signal handler) let the other timers fire; so
   * it does here. The timer running is out of the queue meanwhile. */
  g_source_set_can_recurse (self->source, TRUE);
  g_source_set_static_name (self->source, "[dgateway] shard timers");
  g_source_set_ready_time (self->source, -1);
  g_source_attach (self->source, self->context);
  return self;
}

DGatewayTimers *
dgateway_timers_ref (DGatewayTimers *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
dgateway_timers_unref (DGatewayTimers *self)
{
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  /* Every timer holds a reference: none is left. This may run inside the
   * source's own dispatch, which GLib allows. */
  g_assert (g_sequence_is_empty (self->queue));
  ((TimersSource *) self->source)->timers = NULL;
  g_source_destroy (self->source);
  g_source_unref (self->source);
  g_sequence_free (self->queue);
  g_main_context_unref (self->context);
  g_free (self);
}

GMainContext *
dgateway_timers_get_context (DGatewayTimers *self)
{
  return self->context;
}

static DGatewayTimer *
add_timer (DGatewayTimers *self,
           guint           interval,
           gboolean        seconds,
           GSourceFunc     func,
           gpointer        data)
{
  DGatewayTimer *timer;

  g_return_val_if_fail (func != NULL, NULL);

  timer = g_new0 (DGatewayTimer, 1);
  timer->ref_count = 1;
  timer->timers = dgateway_timers_ref (self);
  timer->interval = interval;
  timer->seconds = seconds;
  timer->func = func;
  timer->data = data;
  arm (timer, g_get_monotonic_time ());
  return timer;
}

DGatewayTimer *
dgateway_timers_add (DGatewayTimers *self,
                     guint           interval_ms,
                     GSourceFunc     func,
                     gpointer        data)
{
  return add_timer (self, interval_ms, FALSE, func, data);
}

DGatewayTimer *
dgateway_timers_add_seconds (DGatewayTimers *self,
                             guint           seconds,
                             GSourceFunc     func,
                             gpointer        data)
{
  return add_timer (self, seconds, TRUE, func, data);
}

gint64
dgateway_timer_get_deadline (DGatewayTimer *self)
{
  return self->deadline;
}

void
dgateway_timer_clear (DGatewayTimer **timer)
{
  DGatewayTimer *self = g_steal_pointer (timer);

  if (self == NULL)
    return;

  self->cleared = TRUE;
  disarm (self);
  timer_unref (self);
}
