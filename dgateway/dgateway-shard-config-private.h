/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "dgateway-identify-queue.h"
#include "dgateway-timers-private.h"
#include "dgateway-types.h"
#include "dgateway-worker-private.h"

G_BEGIN_DECLS

/*
 * DGatewayShardSettings:
 *
 * The tunables of a connection, as plain values. The client keeps one,
 * changed by its property setters (and by tests, which shorten the
 * protocol's own timings through dgateway_client_get_settings()).
 */
typedef struct {
  DGatewayIntents intents;
  guint large_threshold;
  DGatewayCompression compression;
  DGatewayEncoding encoding;
  gsize max_payload_size;
  guint reconnect_delay_min;     /* ms */
  guint reconnect_delay_max;     /* ms */
  guint hello_timeout;           /* ms without HELLO before giving up */
  guint wake_timeout;            /* ms for an ACK after a wake-up */
  guint invalid_session_min;     /* ms before identifying after op 9 */
  guint invalid_session_max;
  guint rate_limit;              /* frames per window, per connection */
  guint rate_window;             /* ms */
  gsize max_queued;              /* decoded bytes waiting for the application
                                  * before the I/O worker stops reading */
} DGatewayShardSettings;

/*
 * DGatewayShardTotals:
 *
 * What the shards of one connect() received and went through, summed as
 * it happens: each shard adds to it what it adds to its own counters, so
 * the client's totals cost nothing to read however many shards there are.
 * The client makes one for each set of shards it starts and hands it to
 * them in their config; shards it let go of keep adding to theirs, which
 * nobody reads any more. Used on the shards' context only.
 */
typedef struct {
  gatomicrefcount ref_count;
  guint64 events_received;
  guint64 bytes_received;
  guint64 bytes_decompressed;
  guint64 reconnect_count;
  guint64 missed_heartbeats;
} DGatewayShardTotals;

DGatewayShardTotals *dgateway_shard_totals_new   (void);
DGatewayShardTotals *dgateway_shard_totals_ref   (DGatewayShardTotals *self);
void                 dgateway_shard_totals_unref (DGatewayShardTotals *self);

/*
 * DGatewayShardConfig:
 *
 * Everything a shard needs from its client, made once and never changed:
 * the client builds a new one when a setting changes and hands it down
 * with dgateway_shard_set_config(). Each connection keeps the one it
 * started with, so a setting changed while a connection is being made
 * applies from the next connection, never halfway through one.
 *
 * The shard never reads its client: this is all it knows of it.
 */
typedef struct {
  DGatewayShardSettings settings;
  char *token;                           /* owned; wiped when freed */
  JsonNode *presence;                    /* sealed, or NULL */
  char *gateway_url;                     /* where new sessions connect */
  SoupSession *soup_session;
  GMainContext *context;                 /* where the shard runs */
  DGatewayIdentifyQueue *identify_queue; /* paces IDENTIFY */
  DGatewayWorker *worker;                /* where the links run */
  DGatewayTimers *timers;                /* on context, shared by the client's shards */
  DGatewayShardTotals *totals;           /* what the shards add up to */
} DGatewayShardConfig;

DGatewayShardConfig *dgateway_shard_config_new   (const DGatewayShardSettings *settings,
                                                  const char                  *token,
                                                  JsonNode                    *presence,
                                                  const char                  *gateway_url,
                                                  SoupSession                 *soup_session,
                                                  GMainContext                *context,
                                                  DGatewayIdentifyQueue       *identify_queue,
                                                  DGatewayWorker              *worker,
                                                  DGatewayTimers              *timers,
                                                  DGatewayShardTotals         *totals);
DGatewayShardConfig *dgateway_shard_config_ref   (DGatewayShardConfig         *self);
void                 dgateway_shard_config_unref (DGatewayShardConfig         *self);

void                 dgateway_source_clear        (GSource                   **source);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DGatewayShardConfig, dgateway_shard_config_unref)

G_END_DECLS
