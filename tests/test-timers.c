/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The shards' timers behind one GSource (dgateway-timers.c), on a main
 * context of each test's own: the order and time they fire at, what
 * callbacks may do to them, and that however many there are, the context
 * has one source. Under valgrind these also show that nothing a callback
 * frees is touched afterwards. */

#include "config.h"

#include "dgateway-timers-private.h"
#include "test-utils.h"

#define MS 1000
#define SECOND G_USEC_PER_SEC

/* How late a timer may fire, on a loaded machine: the times it is due at
 * are checked exactly, this only bounds the wake-up. */
#define LATE_US (TEST_SLACK_MS (500, 3000) * MS)

typedef struct {
  GMainContext *context;
  DGatewayTimers *timers;
} TimersFixture;

static void
timers_setup (TimersFixture *f,
              gconstpointer  data)
{
  f->context = g_main_context_new ();
  g_main_context_push_thread_default (f->context);
  f->timers = dgateway_timers_new (f->context);
}

/* Every source attached to @context: GLib numbers them from 1 in each
 * context and does not list them, so this looks each number up. */
static guint
count_sources (GMainContext *context,
               const char   *name)
{
  guint count = 0;

  for (guint id = 1; id < 256; id++)
    {
      GSource *source = g_main_context_find_source_by_id (context, id);

      if (source != NULL && (name == NULL || g_strcmp0 (g_source_get_name (source), name) == 0))
        count++;
    }
  return count;
}

static void
timers_teardown (TimersFixture *f,
                 gconstpointer  data)
{
  g_clear_pointer (&f->timers, dgateway_timers_unref);
  /* Every timer was cleared: the source went with the last reference. */
  g_assert_cmpuint (count_sources (f->context, NULL), ==, 0);
  g_main_context_pop_thread_default (f->context);
  g_main_context_unref (f->context);
}

static gboolean
flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
count_cb (gpointer data)
{
  guint *runs = data;

  (*runs)++;
  return G_SOURCE_REMOVE;
}

/* Iterates @context until *@counter reaches @target, failing the test
 * after @timeout_ms. The guard is a source of its own, gone on return. */
static void
run_until (GMainContext *context,
           const guint  *counter,
           guint         target,
           guint         timeout_ms)
{
  gboolean timed_out = FALSE;
  GSource *guard = g_timeout_source_new (timeout_ms * TEST_SLACK_MS (1, 5));

  g_source_set_callback (guard, flag_cb, &timed_out, NULL);
  g_source_attach (guard, context);
  while (*counter < target && !timed_out)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (guard);
  g_source_unref (guard);
  g_assert_cmpuint (*counter, ==, target);
}

/* Iterates @context for @ms, to see that nothing more fires. */
static void
run_for (GMainContext *context,
         guint         ms)
{
  gboolean done = FALSE;
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, flag_cb, &done, NULL);
  g_source_attach (source, context);
  while (!done)
    g_main_context_iteration (context, TRUE);
  g_source_unref (source);
}

static gint64
dispatch_time (void)
{
  return g_source_get_time (g_main_current_source ());
}

/* Order and times */

typedef struct {
  GPtrArray *fired;          /* Probe, in the order they fired */
  guint count;
} Log;

typedef struct {
  Log *log;
  const char *name;
  DGatewayTimer *timer;
  gint64 added_at;           /* monotonic µs, just before it was added */
  gint64 added_after;        /* and just after */
  gint64 deadline;
  gint64 fired_at;           /* the dispatch's time */
  guint runs;
  guint continues;           /* G_SOURCE_CONTINUE this many times */
} Probe;

static gboolean
probe_cb (gpointer data)
{
  Probe *probe = data;

  probe->fired_at = dispatch_time ();
  probe->runs++;
  probe->log->count++;
  g_ptr_array_add (probe->log->fired, probe);
  if (probe->runs <= probe->continues)
    return G_SOURCE_CONTINUE;
  return G_SOURCE_REMOVE;
}

static void
probe_add (Probe          *probe,
           Log            *log,
           const char     *name,
           DGatewayTimers *timers,
           guint           interval_ms)
{
  probe->log = log;
  probe->name = name;
  probe->added_at = g_get_monotonic_time ();
  probe->timer = dgateway_timers_add (timers, interval_ms, probe_cb, probe);
  probe->deadline = dgateway_timer_get_deadline (probe->timer);
}

static void
test_order (TimersFixture *f,
            gconstpointer  data)
{
  Log log = { g_ptr_array_new (), 0 };
  Probe probes[5] = { 0 };
  const char *names[] = { "a", "b", "c", "d", "e" };
  const guint intervals[] = { 90, 30, 60, 30, 0 };

  for (guint i = 0; i < G_N_ELEMENTS (probes); i++)
    {
      probe_add (&probes[i], &log, names[i], f->timers, intervals[i]);
      /* Due exactly an interval after it was added, as GLib's timeouts. */
      g_assert_cmpint (probes[i].deadline, >=, probes[i].added_at + intervals[i] * MS);
      g_assert_cmpint (probes[i].deadline, <=, g_get_monotonic_time () + intervals[i] * MS);
    }

  run_until (f->context, &log.count, 5, 5000);

  /* By deadline; b and d share an interval, and b was added first. */
  g_assert_cmpstr (((Probe *) log.fired->pdata[0])->name, ==, "e");
  g_assert_cmpstr (((Probe *) log.fired->pdata[1])->name, ==, "b");
  g_assert_cmpstr (((Probe *) log.fired->pdata[2])->name, ==, "d");
  g_assert_cmpstr (((Probe *) log.fired->pdata[3])->name, ==, "c");
  g_assert_cmpstr (((Probe *) log.fired->pdata[4])->name, ==, "a");
  for (guint i = 0; i < G_N_ELEMENTS (probes); i++)
    {
      /* Never early, not much late. */
      g_assert_cmpint (probes[i].fired_at, >=, probes[i].deadline);
      g_assert_cmpint (probes[i].fired_at, <=, probes[i].deadline + LATE_US);
      g_assert_cmpuint (probes[i].runs, ==, 1);
      /* Stopped by G_SOURCE_REMOVE, the handle still the caller's. */
      g_assert_cmpint (dgateway_timer_get_deadline (probes[i].timer), ==, -1);
    }

  /* Stopped timers stay stopped. */
  run_for (f->context, 50);
  g_assert_cmpuint (log.count, ==, 5);
  for (guint i = 0; i < G_N_ELEMENTS (probes); i++)
    dgateway_timer_clear (&probes[i].timer);
  g_assert_null (probes[0].timer);
  g_ptr_array_unref (log.fired);
}

static void
test_continue (TimersFixture *f,
               gconstpointer  data)
{
  Log log = { g_ptr_array_new (), 0 };
  Probe probe = { .continues = 2 };
  gint64 previous;

  probe_add (&probe, &log, "p", f->timers, 20);
  run_until (f->context, &log.count, 1, 5000);
  /* Armed again from the dispatch's time, as GLib does. */
  g_assert_cmpint (dgateway_timer_get_deadline (probe.timer), ==, probe.fired_at + 20 * MS);
  previous = probe.fired_at;
  run_until (f->context, &log.count, 2, 5000);
  g_assert_cmpint (probe.fired_at, >=, previous + 20 * MS);
  g_assert_cmpint (probe.fired_at, <=, previous + 20 * MS + LATE_US);
  run_until (f->context, &log.count, 3, 5000);
  /* The third run returned G_SOURCE_REMOVE. */
  g_assert_cmpint (dgateway_timer_get_deadline (probe.timer), ==, -1);
  run_for (f->context, 60);
  g_assert_cmpuint (probe.runs, ==, 3);

  dgateway_timer_clear (&probe.timer);
  /* Cleared twice is cleared once. */
  dgateway_timer_clear (&probe.timer);
  g_ptr_array_unref (log.fired);
}

/* Clearing a timer before it fires */
static void
test_clear_armed (TimersFixture *f,
                  gconstpointer  data)
{
  Log log = { g_ptr_array_new (), 0 };
  Probe early = { 0 }, cleared = { 0 }, late = { 0 };

  probe_add (&early, &log, "early", f->timers, 10);
  probe_add (&cleared, &log, "cleared", f->timers, 20);
  probe_add (&late, &log, "late", f->timers, 40);
  dgateway_timer_clear (&cleared.timer);
  run_until (f->context, &log.count, 2, 5000);
  g_assert_true (log.fired->pdata[0] == &early);
  g_assert_true (log.fired->pdata[1] == &late);
  g_assert_cmpuint (cleared.runs, ==, 0);
  dgateway_timer_clear (&early.timer);
  dgateway_timer_clear (&late.timer);
  g_ptr_array_unref (log.fired);
}

/* Callbacks that clear timers */

typedef struct {
  DGatewayTimer *own;
  DGatewayTimer *other;
  guint runs;
  guint other_runs;
  gboolean other_was_due;
} Clearer;

static gboolean
clear_own_cb (gpointer data)
{
  Clearer *c = data;

  c->runs++;
  dgateway_timer_clear (&c->own);
  /* As a shard's callbacks do: clear, then carry on. Cleared, the timer
   * is not armed again. */
  return G_SOURCE_CONTINUE;
}

static void
test_clear_own (TimersFixture *f,
                gconstpointer  data)
{
  Clearer c = { 0 };

  c.own = dgateway_timers_add (f->timers, 0, clear_own_cb, &c);
  run_until (f->context, &c.runs, 1, 5000);
  g_assert_null (c.own);
  run_for (f->context, 30);
  g_assert_cmpuint (c.runs, ==, 1);
}

static gboolean
clear_other_cb (gpointer data)
{
  Clearer *c = data;

  c->runs++;
  c->other_was_due = dgateway_timer_get_deadline (c->other) <= dispatch_time ();
  dgateway_timer_clear (&c->other);
  dgateway_timer_clear (&c->own);
  return G_SOURCE_REMOVE;
}

static void
test_clear_other (TimersFixture *f,
                  gconstpointer  data)
{
  Clearer c = { 0 };

  c.own = dgateway_timers_add (f->timers, 1, clear_other_cb, &c);
  c.other = dgateway_timers_add (f->timers, 1, count_cb, &c.other_runs);
  /* Both due before the context is first iterated: one dispatch. */
  g_usleep (20 * MS);
  run_until (f->context, &c.runs, 1, 5000);
  g_assert_true (c.other_was_due);
  g_assert_null (c.other);
  run_for (f->context, 30);
  g_assert_cmpuint (c.other_runs, ==, 0);
}

/* Callbacks that add timers */

typedef struct {
  DGatewayTimers *timers;
  DGatewayTimer *first;
  DGatewayTimer *added;
  guint first_runs;
  guint added_runs;
  guint dispatch_runs;       /* runs of the added one within a dispatch */
  gint64 dispatch;
} Adder;

static gboolean
added_cb (gpointer data)
{
  Adder *a = data;

  a->added_runs++;
  /* A timer run again with no delay runs once per dispatch. */
  if (a->dispatch != dispatch_time ())
    a->dispatch_runs = 0;
  a->dispatch = dispatch_time ();
  g_assert_cmpuint (++a->dispatch_runs, ==, 1);
  return G_SOURCE_CONTINUE;
}

static gboolean
add_cb (gpointer data)
{
  Adder *a = data;

  a->first_runs++;
  a->added = dgateway_timers_add (a->timers, 0, added_cb, a);
  return G_SOURCE_REMOVE;
}

static void
test_add_in_callback (TimersFixture *f,
                      gconstpointer  data)
{
  Adder a = { .timers = f->timers };

  a.first = dgateway_timers_add (f->timers, 0, add_cb, &a);
  run_until (f->context, &a.first_runs, 1, 5000);
  /* Due already, but it waits for the next dispatch... */
  g_assert_cmpuint (a.added_runs, ==, 0);
  g_assert_nonnull (a.added);
  g_assert_cmpint (dgateway_timer_get_deadline (a.added), <=, g_get_monotonic_time ());
  /* ...which the context runs at once, and again for each time it
   * returns G_SOURCE_CONTINUE: one run an iteration, never a loop. */
  for (guint i = 1; i <= 5; i++)
    {
      g_main_context_iteration (f->context, TRUE);
      g_assert_cmpuint (a.added_runs, ==, i);
    }
  dgateway_timer_clear (&a.first);
  dgateway_timer_clear (&a.added);
  g_assert_false (g_main_context_pending (f->context));
}

/* A callback that runs a nested main loop, as a signal handler may: the
 * other timers fire meanwhile, as they did with a GSource each, and the
 * loop waits for them rather than spinning. */

typedef struct {
  DGatewayTimers *timers;
  DGatewayTimer *outer;
  Probe inner;
  Log log;
  guint iterations;          /* of the nested loop */
  guint outer_runs;
} Nester;

static gboolean
nest_cb (gpointer data)
{
  Nester *n = data;
  gboolean timed_out = FALSE;
  GSource *guard = g_timeout_source_new (5000 * TEST_SLACK_MS (1, 5));

  n->outer_runs++;
  probe_add (&n->inner, &n->log, "inner", n->timers, 30);
  g_source_set_callback (guard, flag_cb, &timed_out, NULL);
  g_source_attach (guard, g_main_context_get_thread_default ());
  while (n->inner.runs == 0 && !timed_out)
    {
      g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
      n->iterations++;
    }
  g_source_destroy (guard);
  g_source_unref (guard);
  dgateway_timer_clear (&n->outer);
  return G_SOURCE_REMOVE;
}

static void
test_nested_loop (TimersFixture *f,
                  gconstpointer  data)
{
  Nester n = { .timers = f->timers, .log = { g_ptr_array_new (), 0 } };

  n.outer = dgateway_timers_add (f->timers, 1, nest_cb, &n);
  run_until (f->context, &n.outer_runs, 1, 5000);
  g_assert_cmpuint (n.inner.runs, ==, 1);
  g_assert_cmpint (n.inner.fired_at, >=, n.inner.deadline);
  g_assert_cmpint (n.inner.fired_at, <=, n.inner.deadline + LATE_US);
  /* A wake-up to learn of the new deadline, one for it: not a busy loop
   * on a ready time already passed. */
  g_assert_cmpuint (n.iterations, <=, 4);
  dgateway_timer_clear (&n.inner.timer);
  g_ptr_array_unref (n.log.fired);
}

/* Callbacks that drop everything */

typedef struct {
  DGatewayTimers *timers;
  DGatewayTimer *handles[3];
  guint runs[3];
} Dropper;

static gboolean
drop_all_cb (gpointer data)
{
  Dropper *d = data;

  d->runs[0]++;
  /* What finalizing the client and its shards does: the timers due after
   * this one in the same dispatch go, and with them the last reference
   * the dispatch does not hold. */
  dgateway_timers_unref (g_steal_pointer (&d->timers));
  for (guint i = G_N_ELEMENTS (d->handles); i > 0; i--)
    dgateway_timer_clear (&d->handles[i - 1]);
  return G_SOURCE_CONTINUE;
}

static void
test_drop_last_ref (TimersFixture *f,
                    gconstpointer  data)
{
  Dropper d = { .timers = g_steal_pointer (&f->timers) };

  d.handles[0] = dgateway_timers_add (d.timers, 1, drop_all_cb, &d);
  d.handles[1] = dgateway_timers_add (d.timers, 1, count_cb, &d.runs[1]);
  d.handles[2] = dgateway_timers_add (d.timers, 1, count_cb, &d.runs[2]);
  g_assert_cmpint (dgateway_timer_get_deadline (d.handles[2]), >,
                   dgateway_timer_get_deadline (d.handles[0]));
  g_usleep (20 * MS);
  g_assert_cmpuint (count_sources (f->context, "[dgateway] shard timers"), ==, 1);
  run_until (f->context, &d.runs[0], 1, 5000);
  g_assert_null (d.timers);
  g_assert_cmpuint (d.runs[1], ==, 0);
  g_assert_cmpuint (d.runs[2], ==, 0);
  /* The source went with the dispatch that held the last reference. */
  g_assert_cmpuint (count_sources (f->context, NULL), ==, 0);
}

/* A handle holds its DGatewayTimers: a timer whose client let go of the
 * timers still fires, and is cleared safely afterwards. */
static void
test_handle_keeps_timers (TimersFixture *f,
                          gconstpointer  data)
{
  guint runs = 0;
  DGatewayTimer *timer = dgateway_timers_add (f->timers, 1, count_cb, &runs);

  g_clear_pointer (&f->timers, dgateway_timers_unref);
  g_assert_cmpuint (count_sources (f->context, NULL), ==, 1);
  run_until (f->context, &runs, 1, 5000);
  dgateway_timer_clear (&timer);
  g_assert_cmpuint (count_sources (f->context, NULL), ==, 0);
}

/* Whole seconds */

#define N_SECONDS_PROBES 12

typedef struct {
  DGatewayTimers *timers;
  DGatewayTimer *adder;
  Log log;
  Probe probes[N_SECONDS_PROBES];
  guint added;
} Seconds;

static gboolean
add_seconds_cb (gpointer data)
{
  Seconds *s = data;
  Probe *probe = &s->probes[s->added++];

  probe->log = &s->log;
  probe->name = "s";
  probe->added_at = g_get_monotonic_time ();
  probe->timer = dgateway_timers_add_seconds (s->timers, 1, probe_cb, probe);
  probe->added_after = g_get_monotonic_time ();
  probe->deadline = dgateway_timer_get_deadline (probe->timer);
  return s->added < N_SECONDS_PROBES ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
test_seconds (TimersFixture *f,
              gconstpointer  data)
{
  Seconds s = { .timers = f->timers, .log = { g_ptr_array_new (), 0 } };
  guint groups = 0;
  guint largest = 0;

  /* A timer of one second added every 100 ms for 1.1 s: between them
   * they cover more than a second, so they land on two or three instants
   * and at least one holds four timers added at different times. */
  s.adder = dgateway_timers_add (f->timers, 100, add_seconds_cb, &s);
  run_until (f->context, &s.log.count, N_SECONDS_PROBES, 10000);

  for (guint i = 0; i < N_SECONDS_PROBES; i++)
    {
      Probe *probe = &s.probes[i];
      guint group = 1;

      /* GLib's rounding: from 1/4 s early to 3/4 s late... */
      g_assert_cmpint (probe->deadline - probe->added_at, >=, SECOND - SECOND / 4);
      g_assert_cmpint (probe->deadline - probe->added_after, <, SECOND + 3 * SECOND / 4);
      /* ...on the same instant of a second for every timer... */
      g_assert_cmpint (probe->deadline % SECOND, ==, s.probes[0].deadline % SECOND);
      /* ...and fired then. */
      g_assert_cmpint (probe->fired_at, >=, probe->deadline);
      g_assert_cmpint (probe->fired_at, <=, probe->deadline + LATE_US);
      g_assert_cmpuint (probe->runs, ==, 1);

      if (i > 0 && probe->deadline == s.probes[i - 1].deadline)
        continue;
      /* A group: the timers due at one instant, all in one dispatch, in
       * the order they were added. */
      groups++;
      for (guint j = i + 1; j < N_SECONDS_PROBES && s.probes[j].deadline == probe->deadline; j++)
        {
          g_assert_cmpint (s.probes[j].fired_at, ==, probe->fired_at);
          g_assert_true (s.log.fired->pdata[j] == &s.probes[j]);
          group++;
        }
      largest = MAX (largest, group);
    }
  g_assert_cmpuint (groups, <=, 3);
  g_assert_cmpuint (largest, >=, 4);

  dgateway_timer_clear (&s.adder);
  for (guint i = 0; i < N_SECONDS_PROBES; i++)
    dgateway_timer_clear (&s.probes[i].timer);
  g_ptr_array_unref (s.log.fired);
}

/* What the timers are for: many of them, one source on the context. */
static void
test_one_source (TimersFixture *f,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) timers = g_ptr_array_new ();
  guint runs = 0;

  g_assert_cmpuint (count_sources (f->context, NULL), ==, 1);
  for (guint i = 0; i < 2000; i++)
    g_ptr_array_add (timers, i % 2 ? dgateway_timers_add (f->timers, 60000 + i, count_cb, &runs)
                                   : dgateway_timers_add_seconds (f->timers, 60 + i, count_cb, &runs));
  g_ptr_array_add (timers, dgateway_timers_add (f->timers, 0, count_cb, &runs));
  g_assert_cmpuint (count_sources (f->context, NULL), ==, 1);
  g_assert_cmpuint (count_sources (f->context, "[dgateway] shard timers"), ==, 1);

  run_until (f->context, &runs, 1, 5000);
  g_assert_cmpuint (count_sources (f->context, NULL), ==, 1);
  for (guint i = 0; i < timers->len; i++)
    dgateway_timer_clear ((DGatewayTimer **) &timers->pdata[i]);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/dgateway/timers/" path, TimersFixture, NULL, timers_setup, func, timers_teardown)

  ADD ("order", test_order);
  ADD ("continue", test_continue);
  ADD ("clear-armed", test_clear_armed);
  ADD ("clear-own", test_clear_own);
  ADD ("clear-other", test_clear_other);
  ADD ("add-in-callback", test_add_in_callback);
  ADD ("nested-loop", test_nested_loop);
  ADD ("drop-last-ref", test_drop_last_ref);
  ADD ("handle-keeps-timers", test_handle_keeps_timers);
  ADD ("seconds", test_seconds);
  ADD ("one-source", test_one_source);

#undef ADD

  return g_test_run ();
}
