/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(DGATEWAY_INSIDE) && !defined(DGATEWAY_COMPILATION)
# error "Only <dgateway/dgateway.h> can be included directly."
#endif

#include <gio/gio.h>

#include <dgateway/dgateway-version-macros.h>

G_BEGIN_DECLS

#define DGATEWAY_TYPE_IDENTIFY_QUEUE (dgateway_identify_queue_get_type ())

DGATEWAY_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (DGatewayIdentifyQueue, dgateway_identify_queue, DGATEWAY, IDENTIFY_QUEUE, GObject)

/**
 * DGatewayIdentifyQueueInterface:
 * @request_async: waits until the shard may send IDENTIFY
 * @request_finish: finishes @request_async
 *
 * The virtual functions of [iface@IdentifyQueue].
 */
struct _DGatewayIdentifyQueueInterface
{
  GTypeInterface parent_iface;

  void     (*request_async)  (DGatewayIdentifyQueue  *self,
                              guint                   shard_id,
                              GCancellable           *cancellable,
                              GAsyncReadyCallback     callback,
                              gpointer                user_data);
  gboolean (*request_finish) (DGatewayIdentifyQueue  *self,
                              GAsyncResult           *result,
                              GError                **error);

  /*< private >*/
  gpointer padding[8];
};

DGATEWAY_AVAILABLE_IN_ALL
void     dgateway_identify_queue_request_async  (DGatewayIdentifyQueue  *self,
                                                 guint                   shard_id,
                                                 GCancellable           *cancellable,
                                                 GAsyncReadyCallback     callback,
                                                 gpointer                user_data);
DGATEWAY_AVAILABLE_IN_ALL
gboolean dgateway_identify_queue_request_finish (DGatewayIdentifyQueue  *self,
                                                 GAsyncResult           *result,
                                                 GError                **error);

#define DGATEWAY_TYPE_LOCAL_IDENTIFY_QUEUE (dgateway_local_identify_queue_get_type ())

DGATEWAY_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DGatewayLocalIdentifyQueue, dgateway_local_identify_queue, DGATEWAY, LOCAL_IDENTIFY_QUEUE, GObject)

DGATEWAY_AVAILABLE_IN_ALL
DGatewayLocalIdentifyQueue *dgateway_local_identify_queue_new (guint max_concurrency) G_GNUC_WARN_UNUSED_RESULT;
DGATEWAY_AVAILABLE_IN_ALL
guint dgateway_local_identify_queue_get_max_concurrency (DGatewayLocalIdentifyQueue *self);
DGATEWAY_AVAILABLE_IN_ALL
guint dgateway_local_identify_queue_get_interval        (DGatewayLocalIdentifyQueue *self);
DGATEWAY_AVAILABLE_IN_ALL
void  dgateway_local_identify_queue_set_interval        (DGatewayLocalIdentifyQueue *self,
                                                         guint                       interval_ms);
DGATEWAY_AVAILABLE_IN_ALL
void  dgateway_local_identify_queue_set_session_start_limit (DGatewayLocalIdentifyQueue *self,
                                                             guint                       remaining,
                                                             guint                       reset_after_ms);

G_END_DECLS
