/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <glib.h>

#include "dgateway-types.h"

G_BEGIN_DECLS

/*
 * DGatewayInflater:
 *
 * Turns the binary WebSocket messages of one transport-compressed
 * connection into whole Gateway payloads. One lives exactly as long as one
 * connection: Discord starts a new compression stream on each.
 */
typedef struct _DGatewayInflater DGatewayInflater;

DGatewayInflater *dgateway_inflater_new  (DGatewayCompression   compression,
                                          gsize                 max_payload_size);
void              dgateway_inflater_free (DGatewayInflater     *self);
gboolean          dgateway_inflater_feed (DGatewayInflater     *self,
                                          const guint8         *data,
                                          gsize                 length,
                                          const char          **payload,
                                          gsize                *payload_length,
                                          GError              **error);

gsize             dgateway_inflater_get_kept_size (DGatewayInflater *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DGatewayInflater, dgateway_inflater_free)

G_END_DECLS
