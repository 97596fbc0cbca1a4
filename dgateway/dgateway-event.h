/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(DGATEWAY_INSIDE) && !defined(DGATEWAY_COMPILATION)
# error "Only <dgateway/dgateway.h> can be included directly."
#endif

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include <dgateway/dgateway-object.h>
#include <dgateway/dgateway-version-macros.h>

G_BEGIN_DECLS

#define DGATEWAY_TYPE_EVENT (dgateway_event_get_type ())

DGATEWAY_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DGatewayEvent, dgateway_event, DGATEWAY, EVENT, GObject)

DGATEWAY_AVAILABLE_IN_ALL
const char *dgateway_event_get_name     (DGatewayEvent *self);
DGATEWAY_AVAILABLE_IN_ALL
gint64      dgateway_event_get_sequence (DGatewayEvent *self);
DGATEWAY_AVAILABLE_IN_ALL
guint       dgateway_event_get_shard_id (DGatewayEvent *self);
DGATEWAY_AVAILABLE_IN_ALL
JsonNode   *dgateway_event_get_json     (DGatewayEvent *self);
DGATEWAY_AVAILABLE_IN_ALL
JsonNode   *dgateway_event_get_data     (DGatewayEvent *self);
DGATEWAY_AVAILABLE_IN_ALL
char       *dgateway_event_dup_data_json (DGatewayEvent *self) G_GNUC_WARN_UNUSED_RESULT;
DGATEWAY_AVAILABLE_IN_ALL
DGatewayObject *dgateway_event_get_object (DGatewayEvent *self);
DGATEWAY_AVAILABLE_IN_ALL
DGatewayEvent *dgateway_event_keep (DGatewayEvent *self) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
