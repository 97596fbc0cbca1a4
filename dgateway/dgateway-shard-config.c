/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-shard-config-private.h"

#include <string.h>

typedef struct {
  DGatewayShardConfig config;
  gatomicrefcount ref_count;
} RealConfig;

DGatewayShardConfig *
dgateway_shard_config_new (const DGatewayShardSettings *settings,
                           const char                  *token,
                           JsonNode                    *presence,
                           const char                  *gateway_url,
                           SoupSession                 *soup_session,
                           GMainContext                *context,
                           DGatewayIdentifyQueue       *identify_queue,
                           DGatewayWorker              *worker,
                           DGatewayTimers              *timers,
                           DGatewayShardTotals         *totals)
{
  RealConfig *real = g_new0 (RealConfig, 1);
  DGatewayShardConfig *self = &real->config;

  g_atomic_ref_count_init (&real->ref_count);
  self->settings = *settings;
  self->token = g_strdup (token);
  if (presence != NULL)
    {
      self->presence = json_node_copy (presence);
      json_node_seal (self->presence);
    }
  self->gateway_url = g_strdup (gateway_url);
  self->soup_session = soup_session ? g_object_ref (soup_session) : NULL;
  self->context = context ? g_main_context_ref (context) : g_main_context_ref_thread_default ();
  self->identify_queue = identify_queue ? g_object_ref (identify_queue) : NULL;
  self->worker = worker ? dgateway_worker_ref (worker) : NULL;
  self->totals = totals ? dgateway_shard_totals_ref (totals) : dgateway_shard_totals_new ();
  /* The client hands every config the same timers, so that all its
   * shards' timers share one source however often the config changes. */
  if (timers != NULL)
    {
      g_warn_if_fail (dgateway_timers_get_context (timers) == self->context);
      self->timers = dgateway_timers_ref (timers);
    }
  else
    self->timers = dgateway_timers_new (self->context);
  return self;
}

DGatewayShardTotals *
dgateway_shard_totals_new (void)
{
  DGatewayShardTotals *self = g_new0 (DGatewayShardTotals, 1);

  g_atomic_ref_count_init (&self->ref_count);
  return self;
}

DGatewayShardTotals *
dgateway_shard_totals_ref (DGatewayShardTotals *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
dgateway_shard_totals_unref (DGatewayShardTotals *self)
{
  if (g_atomic_ref_count_dec (&self->ref_count))
    g_free (self);
}

DGatewayShardConfig *
dgateway_shard_config_ref (DGatewayShardConfig *self)
{
  RealConfig *real = (RealConfig *) self;

  g_atomic_ref_count_inc (&real->ref_count);
  return self;
}

void
dgateway_shard_config_unref (DGatewayShardConfig *self)
{
  RealConfig *real = (RealConfig *) self;

  if (!g_atomic_ref_count_dec (&real->ref_count))
    return;

  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  g_clear_pointer (&self->presence, json_node_unref);
  g_free (self->gateway_url);
  /* The worker first: its thread ends what it still does with the
   * session before the session can go. */
  g_clear_pointer (&self->worker, dgateway_worker_unref);
  g_clear_object (&self->soup_session);
  g_main_context_unref (self->context);
  g_clear_object (&self->identify_queue);
  dgateway_timers_unref (self->timers);
  dgateway_shard_totals_unref (self->totals);
  g_free (real);
}

void
dgateway_source_clear (GSource **source)
{
  if (*source == NULL)
    return;

  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}
