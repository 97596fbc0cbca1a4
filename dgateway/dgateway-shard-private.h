/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <json-glib/json-glib.h>

#include "dgateway-client.h"
#include "dgateway-shard.h"

G_BEGIN_DECLS

DGatewayShard *dgateway_shard_new           (DGatewayClient *client,
                                             guint           shard_id,
                                             guint           shard_count);
void           dgateway_shard_start         (DGatewayShard  *self);
void           dgateway_shard_stop          (DGatewayShard  *self,
                                             gboolean        end_session);
void           dgateway_shard_set_network_available (DGatewayShard *self,
                                                     gboolean       available);
void           dgateway_shard_check_alive   (DGatewayShard  *self,
                                             guint           timeout_ms);
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
