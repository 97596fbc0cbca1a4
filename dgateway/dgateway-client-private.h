/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "dgateway-client.h"
#include "dgateway-shard-config-private.h"

G_BEGIN_DECLS

/* What the commands (dgateway-commands.c) need: the shard of a guild. */
guint          dgateway_client_get_total_shards (DGatewayClient *self);
DGatewayShard *dgateway_client_find_shard       (DGatewayClient *self,
                                                 guint           shard_id);

/* The tunables behind the properties, and the protocol's own timings
 * (HELLO, wake-up and invalid-session waits, the outbound limit), which
 * tests shorten before connecting. They apply from the next connection. */
DGatewayShardSettings *dgateway_client_get_settings (DGatewayClient *self);

/* The most decoded bytes that ever waited for the application on the
 * client's I/O thread, or 0 without one (tests/test-io-thread.c). */
gsize                  dgateway_client_get_peak_queued (DGatewayClient *self);

G_END_DECLS
