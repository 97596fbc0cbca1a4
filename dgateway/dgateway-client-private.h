/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <libsoup/soup.h>

#include "dgateway-client.h"
#include "dgateway-payload-private.h"

G_BEGIN_DECLS

/* What a shard reads from the client that owns it. */
const char   *dgateway_client_get_token_internal       (DGatewayClient  *self);
const char   *dgateway_client_get_resolved_gateway_url (DGatewayClient  *self);
SoupSession  *dgateway_client_get_soup_session         (DGatewayClient  *self);
GMainContext *dgateway_client_get_context              (DGatewayClient  *self);
GSource      *dgateway_client_add_timeout              (DGatewayClient  *self,
                                                        guint            interval_ms,
                                                        GSourceFunc      func,
                                                        gpointer         data);
guint         dgateway_client_get_hello_timeout        (DGatewayClient  *self);
void          dgateway_client_get_invalid_session_delay (DGatewayClient *self,
                                                        guint           *min_ms,
                                                        guint           *max_ms);

guint          dgateway_client_get_wake_timeout         (DGatewayClient  *self);
void           dgateway_client_set_test_wake_timeout    (DGatewayClient  *self,
                                                        guint            timeout_ms);
guint          dgateway_client_get_total_shards         (DGatewayClient  *self);
DGatewayShard *dgateway_client_find_shard               (DGatewayClient  *self,
                                                        guint            shard_id);
void          dgateway_client_request_identify         (DGatewayClient      *self,
                                                        DGatewayShard       *shard,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean      dgateway_client_request_identify_finish  (DGatewayClient  *self,
                                                        GAsyncResult    *result,
                                                        GError         **error);

/* What a shard tells the client. dgateway_client_shard_dispatch() is the
 * one hand-off of events from a shard to the client. */
void          dgateway_client_shard_dispatch           (DGatewayClient  *self,
                                                        DGatewayShard   *shard,
                                                        DGatewayPayload *payload);
void          dgateway_client_shard_state_changed      (DGatewayClient  *self,
                                                        DGatewayShard   *shard);
void          dgateway_client_shard_connection_lost    (DGatewayClient  *self,
                                                        DGatewayShard   *shard,
                                                        const GError    *error);
void          dgateway_client_shard_reconnected        (DGatewayClient  *self,
                                                        DGatewayShard   *shard,
                                                        gboolean         resumed);

/* Test-only tunables: the protocol's own timings make tests slow. */
void          dgateway_client_set_test_timings         (DGatewayClient  *self,
                                                        guint            hello_timeout_ms,
                                                        guint            invalid_session_min_ms,
                                                        guint            invalid_session_max_ms);

void          dgateway_client_get_rate_limit           (DGatewayClient  *self,
                                                        guint           *limit,
                                                        guint           *window_ms);
void          dgateway_client_set_test_rate_limit      (DGatewayClient  *self,
                                                        guint            limit,
                                                        guint            window_ms);

void          dgateway_source_clear                    (GSource        **source);

G_END_DECLS
