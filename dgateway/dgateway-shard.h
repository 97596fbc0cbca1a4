/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(DGATEWAY_INSIDE) && !defined(DGATEWAY_COMPILATION)
# error "Only <dgateway/dgateway.h> can be included directly."
#endif

#include <glib-object.h>

#include <dgateway/dgateway-version-macros.h>
#include <dgateway/dgateway-types.h>

G_BEGIN_DECLS

#define DGATEWAY_TYPE_SHARD (dgateway_shard_get_type ())

DGATEWAY_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DGatewayShard, dgateway_shard, DGATEWAY, SHARD, GObject)

DGATEWAY_AVAILABLE_IN_ALL
guint          dgateway_shard_get_shard_id          (DGatewayShard *self);
DGATEWAY_AVAILABLE_IN_ALL
guint          dgateway_shard_get_shard_count       (DGatewayShard *self);
DGATEWAY_AVAILABLE_IN_ALL
DGatewayState  dgateway_shard_get_state             (DGatewayShard *self);
DGATEWAY_AVAILABLE_IN_ALL
gint64         dgateway_shard_get_latency           (DGatewayShard *self);
DGATEWAY_AVAILABLE_IN_ALL
gint64         dgateway_shard_get_uptime            (DGatewayShard *self);
DGATEWAY_AVAILABLE_IN_ALL
guint64        dgateway_shard_get_events_received   (DGatewayShard *self);
DGATEWAY_AVAILABLE_IN_ALL
guint64        dgateway_shard_get_bytes_received    (DGatewayShard *self);
DGATEWAY_AVAILABLE_IN_ALL
guint64        dgateway_shard_get_bytes_decompressed (DGatewayShard *self);
DGATEWAY_AVAILABLE_IN_ALL
double         dgateway_shard_get_compression_ratio (DGatewayShard *self);
DGATEWAY_AVAILABLE_IN_ALL
guint          dgateway_shard_get_reconnect_count   (DGatewayShard *self);
DGATEWAY_AVAILABLE_IN_ALL
guint          dgateway_shard_get_missed_heartbeats (DGatewayShard *self);
DGATEWAY_AVAILABLE_IN_ALL
guint64        dgateway_shard_get_events_lost       (DGatewayShard *self);
DGATEWAY_AVAILABLE_IN_ALL
double         dgateway_shard_get_events_per_second (DGatewayShard *self);
DGATEWAY_AVAILABLE_IN_ALL
const char    *dgateway_shard_get_session_id        (DGatewayShard *self);
DGATEWAY_AVAILABLE_IN_ALL
gint64         dgateway_shard_get_sequence          (DGatewayShard *self);
DGATEWAY_AVAILABLE_IN_ALL
const char    *dgateway_shard_get_resume_url        (DGatewayShard *self);

G_END_DECLS
