/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "dgateway-event.h"
#include "dgateway-payload-private.h"

G_BEGIN_DECLS

DGatewayEvent *dgateway_event_new (DGatewayPayload *payload,
                                   guint            shard_id);
DGatewayPayload *dgateway_event_get_payload (DGatewayEvent *self);

G_END_DECLS
