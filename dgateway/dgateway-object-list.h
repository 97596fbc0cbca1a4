/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(DGATEWAY_INSIDE) && !defined(DGATEWAY_COMPILATION)
# error "Only <dgateway/dgateway.h> can be included directly."
#endif

#include <gio/gio.h>

#include <dgateway/dgateway-version-macros.h>

G_BEGIN_DECLS

#define DGATEWAY_TYPE_OBJECT_LIST (dgateway_object_list_get_type ())

DGATEWAY_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DGatewayObjectList, dgateway_object_list, DGATEWAY, OBJECT_LIST, GObject)

G_END_DECLS
