/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <json-glib/json-glib.h>

#include "dgateway-shard.h"
#include "dgateway-shard-config-private.h"

G_BEGIN_DECLS

/*
 * What the client asks of its shards. A shard reports back only through
 * its signals ("payload", "connection-lost", "reconnected") and property
 * notifications ("state", "latency", "session-id"): it never calls the
 * client, and knows it only through the config it was given.
 */
DGatewayShard *dgateway_shard_new           (guint                shard_id,
                                             guint                shard_count,
                                             DGatewayShardConfig *config,
                                             gboolean             network_available);
void           dgateway_shard_set_config    (DGatewayShard       *self,
                                             DGatewayShardConfig *config);
void           dgateway_shard_start         (DGatewayShard  *self);
void           dgateway_shard_stop          (DGatewayShard  *self,
                                             gboolean        end_session);
void           dgateway_shard_set_network_available (DGatewayShard *self,
                                                     gboolean       available);
void           dgateway_shard_check_alive   (DGatewayShard  *self);
void           dgateway_shard_restore_session (DGatewayShard *self,
                                               const char    *session_id,
                                               gint64         sequence,
                                               const char    *resume_url);
void           dgateway_shard_flush_metrics (DGatewayShard  *self);
gboolean       dgateway_shard_send_command  (DGatewayShard  *self,
                                             int             op,
                                             JsonNode       *data,
                                             GError        **error);
guint          dgateway_shard_get_queued_commands (DGatewayShard *self);

G_END_DECLS
