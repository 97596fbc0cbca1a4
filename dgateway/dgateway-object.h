/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(DGATEWAY_INSIDE) && !defined(DGATEWAY_COMPILATION)
# error "Only <dgateway/dgateway.h> can be included directly."
#endif

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include <dgateway/dgateway-version-macros.h>

G_BEGIN_DECLS

#define DGATEWAY_TYPE_OBJECT (dgateway_object_get_type ())

DGATEWAY_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (DGatewayObject, dgateway_object, DGATEWAY, OBJECT, GObject)

/**
 * DGatewayObjectClass:
 * @parent_class: the parent class
 *
 * The class structure of [class@Object].
 */
struct _DGatewayObjectClass
{
  GObjectClass parent_class;

  /*< private >*/
  gpointer padding[8];
};

DGATEWAY_AVAILABLE_IN_ALL
JsonNode *dgateway_object_get_json   (DGatewayObject *self);
DGATEWAY_AVAILABLE_IN_ALL
gboolean  dgateway_object_has_member (DGatewayObject *self,
                                      const char     *member);
DGATEWAY_AVAILABLE_IN_ALL
gpointer  dgateway_object_keep       (gpointer        self) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
