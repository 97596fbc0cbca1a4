/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-thread-private.h"
#include "dgateway-worker-private.h"

struct _DGatewayWorker
{
  int ref_count;
  GThread *thread;
  GMainContext *context;

  GMutex lock;
  GCond cond;
  gsize queued;          /* decoded bytes the application has not handled */
  gsize peak_queued;
  gsize max_queued;
  gboolean stopping;

  /* The worker's thread only */
  GHashTable *tracked;   /* data → abort function */
};

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
worker_main (gpointer data)
{
  DGatewayWorker *self = data;

  g_main_context_push_thread_default (self->context);
  while (!stopping (self))
    g_main_context_iteration (self->context, TRUE);

  /* Every socket still open or being opened ends now, and what their ends
   * schedule (the answers of cancelled handshakes) runs before the thread
   * ends. */
  for (;;)
    {
      g_autofree gpointer *keys = NULL;
      guint n_keys;

      keys = g_hash_table_get_keys_as_array (self->tracked, &n_keys);
      for (guint i = 0; i < n_keys; i++)
        {
          GFunc abort = g_hash_table_lookup (self->tracked, keys[i]);

          if (abort != NULL)
            abort (keys[i], NULL);
        }

      if (g_hash_table_size (self->tracked) == 0 && !g_main_context_pending (self->context))
        break;
      /* Waits only for what it must: a handshake's answer. */
      g_main_context_iteration (self->context, g_hash_table_size (self->tracked) > 0);
    }
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

DGatewayWorker *
dgateway_worker_new (gsize max_queued)
{
  DGatewayWorker *self = g_new0 (DGatewayWorker, 1);

  self->ref_count = 1;
  self->context = g_main_context_new ();
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->max_queued = max_queued;
  self->tracked = g_hash_table_new (NULL, NULL);
  self->thread = g_thread_new ("dgateway-io", worker_main, self);
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
  if (!g_atomic_int_dec_and_test (&self->ref_count))
    return;

  g_return_if_fail (g_thread_self () != self->thread);

  dgateway_mutex_lock (&self->lock);
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  dgateway_mutex_unlock (&self->lock);
  g_main_context_wakeup (self->context);
  g_thread_join (self->thread);

  g_hash_table_unref (self->tracked);
  g_main_context_unref (self->context);
  g_cond_clear (&self->cond);
  g_mutex_clear (&self->lock);
  g_free (self);
}

GMainContext *
dgateway_worker_get_context (DGatewayWorker *self)
{
  return self->context;
}

GMutex *
dgateway_worker_get_lock (DGatewayWorker *self)
{
  return &self->lock;
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
dgateway_worker_track (DGatewayWorker *self,
                       gpointer        data,
                       GFunc           abort)
{
  g_hash_table_insert (self->tracked, data, abort);
}

void
dgateway_worker_forget (DGatewayWorker *self,
                        gpointer        data)
{
  g_hash_table_remove (self->tracked, data);
}
