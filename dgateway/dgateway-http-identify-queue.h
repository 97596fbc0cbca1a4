/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(DGATEWAY_INSIDE) && !defined(DGATEWAY_COMPILATION)
# error "Only <dgateway/dgateway.h> can be included directly."
#endif

#include <gio/gio.h>
#include <libsoup/soup.h>

#include <dgateway/dgateway-version-macros.h>
#include <dgateway/dgateway-identify-queue.h>

G_BEGIN_DECLS

#define DGATEWAY_TYPE_HTTP_IDENTIFY_QUEUE (dgateway_http_identify_queue_get_type ())

DGATEWAY_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DGatewayHttpIdentifyQueue, dgateway_http_identify_queue, DGATEWAY, HTTP_IDENTIFY_QUEUE, GObject)

DGATEWAY_AVAILABLE_IN_ALL
DGatewayHttpIdentifyQueue *dgateway_http_identify_queue_new         (const char                *url) G_GNUC_WARN_UNUSED_RESULT;

DGATEWAY_AVAILABLE_IN_ALL
const char                *dgateway_http_identify_queue_get_url     (DGatewayHttpIdentifyQueue *self);
DGATEWAY_AVAILABLE_IN_ALL
SoupSession               *dgateway_http_identify_queue_get_soup_session (DGatewayHttpIdentifyQueue *self);

DGATEWAY_AVAILABLE_IN_ALL
guint                      dgateway_http_identify_queue_get_timeout (DGatewayHttpIdentifyQueue *self);
DGATEWAY_AVAILABLE_IN_ALL
void                       dgateway_http_identify_queue_set_timeout (DGatewayHttpIdentifyQueue *self,
                                                                     guint                      timeout);

DGATEWAY_AVAILABLE_IN_ALL
guint                      dgateway_http_identify_queue_get_retry_delay_min (DGatewayHttpIdentifyQueue *self);
DGATEWAY_AVAILABLE_IN_ALL
void                       dgateway_http_identify_queue_set_retry_delay_min (DGatewayHttpIdentifyQueue *self,
                                                                             guint                      delay_ms);
DGATEWAY_AVAILABLE_IN_ALL
guint                      dgateway_http_identify_queue_get_retry_delay_max (DGatewayHttpIdentifyQueue *self);
DGATEWAY_AVAILABLE_IN_ALL
void                       dgateway_http_identify_queue_set_retry_delay_max (DGatewayHttpIdentifyQueue *self,
                                                                             guint                      delay_ms);

G_END_DECLS
