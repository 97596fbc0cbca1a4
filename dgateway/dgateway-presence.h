/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(DGATEWAY_INSIDE) && !defined(DGATEWAY_COMPILATION)
# error "Only <dgateway/dgateway.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include <dgateway/dgateway-version-macros.h>
#include <dgateway/dgateway-types.h>

G_BEGIN_DECLS

#define DGATEWAY_TYPE_PRESENCE (dgateway_presence_get_type ())

DGATEWAY_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DGatewayPresence, dgateway_presence, DGATEWAY, PRESENCE, GObject)

DGATEWAY_AVAILABLE_IN_ALL
DGatewayPresence *dgateway_presence_new          (DGatewayStatus        status) G_GNUC_WARN_UNUSED_RESULT;
DGATEWAY_AVAILABLE_IN_ALL
DGatewayStatus    dgateway_presence_get_status   (DGatewayPresence     *self);
DGATEWAY_AVAILABLE_IN_ALL
void              dgateway_presence_set_status   (DGatewayPresence     *self,
                                                  DGatewayStatus        status);
DGATEWAY_AVAILABLE_IN_ALL
gboolean          dgateway_presence_get_afk      (DGatewayPresence     *self);
DGATEWAY_AVAILABLE_IN_ALL
void              dgateway_presence_set_afk      (DGatewayPresence     *self,
                                                  gboolean              afk);
DGATEWAY_AVAILABLE_IN_ALL
gint64            dgateway_presence_get_since    (DGatewayPresence     *self);
DGATEWAY_AVAILABLE_IN_ALL
void              dgateway_presence_set_since    (DGatewayPresence     *self,
                                                  gint64                since);
DGATEWAY_AVAILABLE_IN_ALL
void              dgateway_presence_add_activity (DGatewayPresence     *self,
                                                  DGatewayActivityType  type,
                                                  const char           *name,
                                                  const char           *state,
                                                  const char           *url);
DGATEWAY_AVAILABLE_IN_ALL
void              dgateway_presence_clear_activities (DGatewayPresence *self);
DGATEWAY_AVAILABLE_IN_ALL
GListModel       *dgateway_presence_get_activities (DGatewayPresence *self);
DGATEWAY_AVAILABLE_IN_ALL
JsonNode         *dgateway_presence_to_json      (DGatewayPresence     *self) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
