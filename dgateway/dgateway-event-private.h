/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "dgateway-event.h"
#include "dgateway-payload-private.h"

G_BEGIN_DECLS

DGatewayEvent *dgateway_event_new (DGatewayPayload *payload,
                                   guint            shard_id);

G_END_DECLS
