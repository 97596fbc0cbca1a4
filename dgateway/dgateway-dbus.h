/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(DGATEWAY_INSIDE) && !defined(DGATEWAY_COMPILATION)
# error "Only <dgateway/dgateway.h> can be included directly."
#endif

#include <gio/gio.h>

#include <dgateway/dgateway-version-macros.h>
#include <dgateway/dgateway-client.h>

G_BEGIN_DECLS

DGATEWAY_AVAILABLE_IN_ALL
gboolean dgateway_client_export   (DGatewayClient   *self,
                                   GDBusConnection  *connection,
                                   const char       *object_path,
                                   GError          **error);
DGATEWAY_AVAILABLE_IN_ALL
void     dgateway_client_unexport (DGatewayClient   *self);

G_END_DECLS
