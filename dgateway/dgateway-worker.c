/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-thread-private.h"
#include "dgateway-worker-private.h"

/* The owner's source handles links for this long per dispatch of its main
 * loop before it lets other sources run: a bot's startup burst is
 * thousands of payloads, and handling them at once would stall a GTK
 * application's frames and input for as long. One payload per dispatch
 * would cost a main loop iteration (and a poll()) per event, 10 % more
 * CPU per event on a busy bot; a payload that alone takes longer than the
 * budget is handled alone. */
#define OWNER_BUDGET_US 1000

struct _DGatewayIoThread
{
  DGatewayWorker *worker;  /* borrowed: the worker joins the thread first */
  GThread *thread;
  GMainContext *context;
  GSource *source;         /* serves @ready */

  /* Under the worker's lock */
  GQueue ready;            /* links with a request for their socket side */
  GQueue turns;            /* links whose turn to connect came */
  guint n_links;

  /* The thread's own */
  GHashTable *tracked;     /* data → abort function */
};

typedef struct {
  DGatewayIoThread *thread;
  gpointer link;           /* a reference */
} Waiting;

/* The handshakes to one host, as libsoup counts them. */
typedef struct {
  GQueue waiting;          /* Waiting: links waiting for their turn */
  guint connecting;        /* handshakes under way */
  guint limit;
} Gate;

struct _DGatewayWorker
{
  int ref_count;
  DGatewayWorkerFuncs funcs;
  gboolean threaded;
  GMainContext *owner_context;
  GSource *owner_source;   /* serves @owner_ready */
  GPtrArray *threads;      /* DGatewayIoThread; grows on the owner's thread only */

  GMutex lock;
  GCond cond;
  GQueue owner_ready;      /* links with something for their owner */
  GHashTable *gates;       /* host → Gate */
  gsize queued;            /* decoded bytes the application has not handled */
  gsize peak_queued;
  gsize max_queued;
  gboolean stopping;
};

/* Sources that call a function of the worker or of one of its threads,
 * with no reference: the worker destroys them before it goes. */

typedef void (*ReadySourceFunc) (gpointer data);

typedef struct {
  GSource source;
  ReadySourceFunc func;
  gpointer data;
} ReadySource;

static gboolean
ready_source_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  ReadySource *ready = (ReadySource *) source;

  dgateway_tsan_acquire (source);
  ready->func (ready->data);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs ready_source_funcs = {
  .dispatch = ready_source_dispatch,
};

static GSource *
ready_source_new (GMainContext    *context,
                  const char      *name,
                  ReadySourceFunc  func,
                  gpointer         data)
{
  GSource *source = g_source_new (&ready_source_funcs, sizeof (ReadySource));
  ReadySource *ready = (ReadySource *) source;

  ready->func = func;
  ready->data = data;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_static_name (source, name);
  g_source_set_ready_time (source, -1);
  dgateway_tsan_release (source);
  g_source_attach (source, context);
  return source;
}

/* With the lock held: g_source_set_ready_time() may be called from any
 * thread. */
static void
make_ready (GSource *source)
{
  dgateway_tsan_release (source);
  g_source_set_ready_time (source, 0);
}

/* The owner's side: every link with something for its owner, in turn. A
 * link that still has some when its turn ends goes to the back. */
static void
owner_dispatch (gpointer data)
{
  g_autoptr(DGatewayWorker) self = dgateway_worker_ref (data);
  gint64 deadline = g_get_monotonic_time () + OWNER_BUDGET_US;

  do
    {
      gpointer link;
      gboolean more;

      dgateway_mutex_lock (&self->lock);
      link = g_queue_pop_head (&self->owner_ready);
      if (link == NULL)
        g_source_set_ready_time (self->owner_source, -1);
      dgateway_mutex_unlock (&self->lock);
      if (link == NULL)
        break;

      more = self->funcs.owner_dispatch (link, deadline);

      if (more)
        {
          /* Its flag stays set: it is still in the queue. */
          dgateway_mutex_lock (&self->lock);
          g_queue_push_tail (&self->owner_ready, link);
          dgateway_mutex_unlock (&self->lock);
        }
      else
        self->funcs.unref (link);
    }
  while (g_get_monotonic_time () < deadline);
}

/* An I/O thread's side: every request of its links, and the handshakes
 * whose turn came. */
static void
socket_dispatch (gpointer data)
{
  DGatewayIoThread *thread = data;
  DGatewayWorker *self = thread->worker;
  GQueue ready;
  GQueue turns;
  gpointer link;

  dgateway_mutex_lock (&self->lock);
  ready = thread->ready;
  g_queue_init (&thread->ready);
  turns = thread->turns;
  g_queue_init (&thread->turns);
  g_source_set_ready_time (thread->source, -1);
  dgateway_mutex_unlock (&self->lock);

  while ((link = g_queue_pop_head (&ready)) != NULL)
    {
      self->funcs.socket_dispatch (link);
      self->funcs.unref (link);
    }
  while ((link = g_queue_pop_head (&turns)) != NULL)
    {
      self->funcs.start_connect (link);
      self->funcs.unref (link);
    }
}

/* With the lock held. */
static void
make_thread_ready (DGatewayIoThread *thread)
{
  if (g_queue_is_empty (&thread->ready) && g_queue_is_empty (&thread->turns))
    make_ready (thread->source);
}

static gboolean
stopping (DGatewayWorker *self)
{
  gboolean stop;

  dgateway_mutex_lock (&self->lock);
  stop = self->stopping;
  dgateway_mutex_unlock (&self->lock);
  return stop;
}

static gpointer
io_thread_main (gpointer data)
{
  DGatewayIoThread *thread = data;

  g_main_context_push_thread_default (thread->context);
  while (!stopping (thread->worker))
    g_main_context_iteration (thread->context, TRUE);

  /* Every socket still open or being opened ends now, and what their ends
   * schedule (the answers of cancelled handshakes) runs before the thread
   * ends. */
  for (;;)
    {
      g_autofree gpointer *keys = NULL;
      guint n_keys;

      keys = g_hash_table_get_keys_as_array (thread->tracked, &n_keys);
      for (guint i = 0; i < n_keys; i++)
        {
          GFunc abort = g_hash_table_lookup (thread->tracked, keys[i]);

          if (abort != NULL)
            abort (keys[i], NULL);
        }

      if (g_hash_table_size (thread->tracked) == 0 && !g_main_context_pending (thread->context))
        break;
      /* Waits only for what it must: a handshake's answer. */
      g_main_context_iteration (thread->context, g_hash_table_size (thread->tracked) > 0);
    }
  g_main_context_pop_thread_default (thread->context);
  return NULL;
}

static DGatewayIoThread *
io_thread_new (DGatewayWorker *self)
{
  DGatewayIoThread *thread = g_new0 (DGatewayIoThread, 1);

  thread->worker = self;
  thread->context = g_main_context_new ();
  g_queue_init (&thread->ready);
  thread->tracked = g_hash_table_new (NULL, NULL);
  thread->source = ready_source_new (thread->context, "[dgateway] shard sockets",
                                     socket_dispatch, thread);
  thread->thread = g_thread_new ("dgateway-io", io_thread_main, thread);
  return thread;
}

/* After the thread ended. */
static void
io_thread_free (DGatewayIoThread *thread)
{
  DGatewayWorker *self = thread->worker;
  gpointer link;

  while ((link = g_queue_pop_head (&thread->ready)) != NULL)
    self->funcs.unref (link);
  while ((link = g_queue_pop_head (&thread->turns)) != NULL)
    self->funcs.unref (link);
  g_source_destroy (thread->source);
  g_source_unref (thread->source);
  g_hash_table_unref (thread->tracked);
  g_main_context_unref (thread->context);
  g_free (thread);
}

static void
gate_free (gpointer data)
{
  Gate *gate = data;

  /* A gate goes when nothing waits at it, or with the worker, once its
   * threads ended every link. */
  g_warn_if_fail (g_queue_is_empty (&gate->waiting));
  g_free (gate);
}

DGatewayWorker *
dgateway_worker_new (GMainContext              *owner_context,
                     gboolean                   threaded,
                     gsize                      max_queued,
                     const DGatewayWorkerFuncs *funcs)
{
  DGatewayWorker *self = g_new0 (DGatewayWorker, 1);

  self->ref_count = 1;
  self->funcs = *funcs;
  self->threaded = threaded;
  self->owner_context = g_main_context_ref (owner_context);
  self->threads = g_ptr_array_new ();
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  g_queue_init (&self->owner_ready);
  self->gates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, gate_free);
  self->max_queued = max_queued;
  self->owner_source = ready_source_new (owner_context, "[dgateway] shard payloads",
                                         owner_dispatch, self);
  return self;
}

DGatewayWorker *
dgateway_worker_ref (DGatewayWorker *self)
{
  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
dgateway_worker_unref (DGatewayWorker *self)
{
  gpointer link;

  if (!g_atomic_int_dec_and_test (&self->ref_count))
    return;

  dgateway_mutex_lock (&self->lock);
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  dgateway_mutex_unlock (&self->lock);

  for (guint i = 0; i < self->threads->len; i++)
    {
      DGatewayIoThread *thread = self->threads->pdata[i];

      g_return_if_fail (g_thread_self () != thread->thread);
      g_main_context_wakeup (thread->context);
    }
  /* Every thread ends before any is freed: a thread that ends its
   * handshakes hands the turns of waiting ones to the others. */
  for (guint i = 0; i < self->threads->len; i++)
    g_thread_join (((DGatewayIoThread *) self->threads->pdata[i])->thread);
  for (guint i = 0; i < self->threads->len; i++)
    io_thread_free (self->threads->pdata[i]);
  g_ptr_array_unref (self->threads);
  g_hash_table_unref (self->gates);

  /* It may be in its own dispatch: GLib allows that. */
  g_source_destroy (self->owner_source);
  g_source_unref (self->owner_source);
  while ((link = g_queue_pop_head (&self->owner_ready)) != NULL)
    self->funcs.unref (link);
  g_main_context_unref (self->owner_context);
  g_cond_clear (&self->cond);
  g_mutex_clear (&self->lock);
  g_free (self);
}

gboolean
dgateway_worker_is_threaded (DGatewayWorker *self)
{
  return self->threaded;
}

GMainContext *
dgateway_worker_get_owner_context (DGatewayWorker *self)
{
  return self->owner_context;
}

GMutex *
dgateway_worker_get_lock (DGatewayWorker *self)
{
  return &self->lock;
}

DGatewayIoThread *
dgateway_worker_attach (DGatewayWorker *self)
{
  DGatewayIoThread *least = NULL;

  if (!self->threaded)
    return NULL;

  dgateway_mutex_lock (&self->lock);
  for (guint i = 0; i < self->threads->len; i++)
    {
      DGatewayIoThread *thread = self->threads->pdata[i];

      if (least == NULL || thread->n_links < least->n_links)
        least = thread;
    }
  if (least != NULL && least->n_links < DGATEWAY_WORKER_LINKS_PER_THREAD)
    least->n_links++;
  else
    least = NULL;
  dgateway_mutex_unlock (&self->lock);

  if (least == NULL)
    {
      /* Every thread is full. The array only grows here, on the owner's
       * thread, and the threads never read it. */
      least = io_thread_new (self);
      least->n_links = 1;
      g_ptr_array_add (self->threads, least);
    }
  return least;
}

void
dgateway_worker_release (DGatewayWorker   *self,
                         DGatewayIoThread *thread)
{
  g_assert (thread->n_links > 0);
  thread->n_links--;
}



void
dgateway_worker_ready_for_owner (DGatewayWorker *self,
                                 gpointer        link)
{
  /* The source is ready already unless it found the queue empty. */
  if (g_queue_is_empty (&self->owner_ready))
    make_ready (self->owner_source);
  g_queue_push_tail (&self->owner_ready, self->funcs.ref (link));
}

gboolean
dgateway_worker_unready_for_owner (DGatewayWorker *self,
                                   gpointer        link)
{
  return g_queue_remove (&self->owner_ready, link);
}

void
dgateway_worker_ready_for_socket (DGatewayWorker   *self,
                                  DGatewayIoThread *thread,
                                  gpointer          link)
{
  make_thread_ready (thread);
  g_queue_push_tail (&thread->ready, self->funcs.ref (link));
}

void
dgateway_worker_wait_for_room (DGatewayWorker *self,
                               const gboolean *cancelled)
{
  while (self->queued > self->max_queued && !self->stopping && !*cancelled)
    dgateway_cond_wait (&self->cond, &self->lock);
}

void
dgateway_worker_count_queued (DGatewayWorker *self,
                              gssize          bytes)
{
  gboolean was_over = self->queued > self->max_queued;

  self->queued += bytes;
  self->peak_queued = MAX (self->peak_queued, self->queued);
  if (was_over && self->queued <= self->max_queued)
    g_cond_broadcast (&self->cond);
}

gsize
dgateway_worker_get_peak_queued (DGatewayWorker *self)
{
  return self->peak_queued;
}

gboolean
dgateway_worker_is_stopping (DGatewayWorker *self)
{
  return self->stopping;
}

void
dgateway_worker_wake (DGatewayWorker *self)
{
  g_cond_broadcast (&self->cond);
}

void
dgateway_io_thread_track (DGatewayIoThread *thread,
                          gpointer          data,
                          GFunc             abort)
{
  g_hash_table_insert (thread->tracked, data, abort);
}

void
dgateway_io_thread_forget (DGatewayIoThread *thread,
                           gpointer          data)
{
  g_hash_table_remove (thread->tracked, data);
}

void
dgateway_worker_connect (DGatewayWorker   *self,
                         DGatewayIoThread *thread,
                         gpointer          link,
                         const char       *host,
                         guint             limit)
{
  Gate *gate;
  gboolean now;

  dgateway_mutex_lock (&self->lock);
  gate = g_hash_table_lookup (self->gates, host);
  if (gate == NULL)
    {
      gate = g_new0 (Gate, 1);
      g_queue_init (&gate->waiting);
      g_hash_table_insert (self->gates, g_strdup (host), gate);
    }
  gate->limit = MAX (limit, 1);
  now = gate->connecting < gate->limit;
  if (now)
    gate->connecting++;
  else
    {
      Waiting *waiting = g_new (Waiting, 1);

      waiting->thread = thread;
      waiting->link = self->funcs.ref (link);
      g_queue_push_tail (&gate->waiting, waiting);
    }
  dgateway_mutex_unlock (&self->lock);

  if (now)
    self->funcs.start_connect (link);
}

void
dgateway_worker_connect_done (DGatewayWorker *self,
                              const char     *host)
{
  GQueue inline_turns = G_QUEUE_INIT;
  gpointer link;
  Gate *gate;

  dgateway_mutex_lock (&self->lock);
  gate = g_hash_table_lookup (self->gates, host);
  g_assert (gate != NULL && gate->connecting > 0);
  gate->connecting--;
  while (gate->connecting < gate->limit && !g_queue_is_empty (&gate->waiting))
    {
      Waiting *waiting = g_queue_pop_head (&gate->waiting);

      /* Its own thread starts it; without threads, this one. */
      gate->connecting++;
      if (waiting->thread != NULL)
        {
          make_thread_ready (waiting->thread);
          g_queue_push_tail (&waiting->thread->turns, waiting->link);
        }
      else
        g_queue_push_tail (&inline_turns, waiting->link);
      g_free (waiting);
    }
  /* A host no handshake waits for is forgotten. */
  if (gate->connecting == 0)
    g_hash_table_remove (self->gates, host);
  dgateway_mutex_unlock (&self->lock);

  while ((link = g_queue_pop_head (&inline_turns)) != NULL)
    {
      self->funcs.start_connect (link);
      self->funcs.unref (link);
    }
}

gboolean
dgateway_worker_connect_cancel (DGatewayWorker *self,
                                gpointer        link,
                                const char     *host)
{
  gpointer found = NULL;
  Gate *gate;

  dgateway_mutex_lock (&self->lock);
  gate = g_hash_table_lookup (self->gates, host);
  for (GList *l = gate != NULL ? gate->waiting.head : NULL; l != NULL; l = l->next)
    {
      Waiting *waiting = l->data;

      if (waiting->link == link)
        {
          found = waiting->link;
          g_queue_delete_link (&gate->waiting, l);
          g_free (waiting);
          break;
        }
    }
  dgateway_mutex_unlock (&self->lock);

  if (found == NULL)
    return FALSE;
  self->funcs.unref (found);
  return TRUE;
}
