/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(DGATEWAY_INSIDE) && !defined(DGATEWAY_COMPILATION)
# error "Only <dgateway/dgateway.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include <dgateway/dgateway-version-macros.h>
#include <dgateway/dgateway-types.h>
#include <dgateway/dgateway-identify-queue.h>
#include <dgateway/dgateway-presence.h>
#include <dgateway/dgateway-shard.h>

G_BEGIN_DECLS

#define DGATEWAY_TYPE_CLIENT (dgateway_client_get_type ())

DGATEWAY_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DGatewayClient, dgateway_client, DGATEWAY, CLIENT, GObject)

DGATEWAY_AVAILABLE_IN_ALL
DGatewayClient      *dgateway_client_new                     (const char          *token,
                                                              DGatewayIntents      intents) G_GNUC_WARN_UNUSED_RESULT;

DGATEWAY_AVAILABLE_IN_ALL
void                 dgateway_client_connect_async           (DGatewayClient      *self,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
DGATEWAY_AVAILABLE_IN_ALL
gboolean             dgateway_client_connect_finish          (DGatewayClient      *self,
                                                              GAsyncResult        *result,
                                                              GError             **error);
DGATEWAY_AVAILABLE_IN_ALL
void                 dgateway_client_close                   (DGatewayClient      *self);

DGATEWAY_AVAILABLE_IN_ALL
GListModel          *dgateway_client_get_shards              (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
GVariant            *dgateway_client_dup_session             (DGatewayClient      *self) G_GNUC_WARN_UNUSED_RESULT;
DGATEWAY_AVAILABLE_IN_ALL
gboolean             dgateway_client_restore_session         (DGatewayClient      *self,
                                                              GVariant            *session,
                                                              GError             **error);
DGATEWAY_AVAILABLE_IN_ALL
gboolean             dgateway_client_get_network_available   (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
GVariant            *dgateway_client_get_metrics             (DGatewayClient      *self) G_GNUC_WARN_UNUSED_RESULT;

DGATEWAY_AVAILABLE_IN_ALL
gboolean             dgateway_client_send                    (DGatewayClient      *self,
                                                              guint                shard_id,
                                                              int                  opcode,
                                                              JsonNode            *data,
                                                              GError             **error);
DGATEWAY_AVAILABLE_IN_ALL
gboolean             dgateway_client_update_presence         (DGatewayClient      *self,
                                                              DGatewayPresence    *presence,
                                                              GError             **error);
DGATEWAY_AVAILABLE_IN_ALL
gboolean             dgateway_client_request_guild_members   (DGatewayClient      *self,
                                                              const char          *guild_id,
                                                              const char          *query,
                                                              const char * const  *user_ids,
                                                              guint                limit,
                                                              gboolean             presences,
                                                              const char          *nonce,
                                                              GError             **error);
DGATEWAY_AVAILABLE_IN_ALL
void                 dgateway_client_request_guild_members_async (DGatewayClient      *self,
                                                                  const char          *guild_id,
                                                                  const char          *query,
                                                                  const char * const  *user_ids,
                                                                  guint                limit,
                                                                  guint                timeout_ms,
                                                                  GCancellable        *cancellable,
                                                                  GAsyncReadyCallback  callback,
                                                                  gpointer             user_data);
DGATEWAY_AVAILABLE_IN_ALL
GListModel          *dgateway_client_request_guild_members_finish (DGatewayClient     *self,
                                                                   GAsyncResult       *result,
                                                                   char             ***not_found,
                                                                   GError            **error);
DGATEWAY_AVAILABLE_IN_ALL
gboolean             dgateway_client_update_voice_state      (DGatewayClient      *self,
                                                              const char          *guild_id,
                                                              const char          *channel_id,
                                                              gboolean             self_mute,
                                                              gboolean             self_deaf,
                                                              GError             **error);
DGATEWAY_AVAILABLE_IN_ALL
gboolean             dgateway_client_request_channel_info    (DGatewayClient      *self,
                                                              const char          *guild_id,
                                                              DGatewayChannelInfoFields fields,
                                                              GError             **error);
DGATEWAY_AVAILABLE_IN_ALL
gboolean             dgateway_client_request_soundboard_sounds (DGatewayClient    *self,
                                                              const char * const  *guild_ids,
                                                              GError             **error);

DGATEWAY_AVAILABLE_IN_ALL
DGatewayIntents      dgateway_client_get_intents             (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
void                 dgateway_client_set_intents             (DGatewayClient      *self,
                                                              DGatewayIntents      intents);
DGATEWAY_AVAILABLE_IN_ALL
const char          *dgateway_client_get_gateway_url         (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
void                 dgateway_client_set_gateway_url         (DGatewayClient      *self,
                                                              const char          *gateway_url);
DGATEWAY_AVAILABLE_IN_ALL
const char          *dgateway_client_get_api_url             (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
void                 dgateway_client_set_api_url             (DGatewayClient      *self,
                                                              const char          *api_url);
DGATEWAY_AVAILABLE_IN_ALL
DGatewayCompression  dgateway_client_get_compression         (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
void                 dgateway_client_set_compression         (DGatewayClient      *self,
                                                              DGatewayCompression  compression);
DGATEWAY_AVAILABLE_IN_ALL
DGatewayEncoding     dgateway_client_get_encoding            (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
void                 dgateway_client_set_encoding            (DGatewayClient      *self,
                                                              DGatewayEncoding     encoding);
DGATEWAY_AVAILABLE_IN_ALL
gboolean             dgateway_client_get_io_thread           (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
void                 dgateway_client_set_io_thread           (DGatewayClient      *self,
                                                              gboolean             io_thread);
DGATEWAY_AVAILABLE_IN_ALL
guint                dgateway_client_get_shard_count         (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
void                 dgateway_client_set_shard_count         (DGatewayClient      *self,
                                                              guint                shard_count);
DGATEWAY_AVAILABLE_IN_ALL
void                 dgateway_client_set_shard_range         (DGatewayClient      *self,
                                                              guint                first,
                                                              int                  last);
DGATEWAY_AVAILABLE_IN_ALL
DGatewayIdentifyQueue *dgateway_client_get_identify_queue    (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
void                 dgateway_client_set_identify_queue      (DGatewayClient      *self,
                                                              DGatewayIdentifyQueue *queue);
DGATEWAY_AVAILABLE_IN_ALL
guint                dgateway_client_get_reconnect_delay_min (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
void                 dgateway_client_set_reconnect_delay_min (DGatewayClient      *self,
                                                              guint                delay_ms);
DGATEWAY_AVAILABLE_IN_ALL
guint                dgateway_client_get_reconnect_delay_max (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
void                 dgateway_client_set_reconnect_delay_max (DGatewayClient      *self,
                                                              guint                delay_ms);
DGATEWAY_AVAILABLE_IN_ALL
gsize                dgateway_client_get_max_payload_size    (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
void                 dgateway_client_set_max_payload_size    (DGatewayClient      *self,
                                                              gsize                max_payload_size);
DGATEWAY_AVAILABLE_IN_ALL
guint                dgateway_client_get_large_threshold     (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
void                 dgateway_client_set_large_threshold     (DGatewayClient      *self,
                                                              guint                large_threshold);
DGATEWAY_AVAILABLE_IN_ALL
DGatewayPresence    *dgateway_client_get_presence            (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
void                 dgateway_client_set_presence            (DGatewayClient      *self,
                                                              DGatewayPresence    *presence);

DGATEWAY_AVAILABLE_IN_ALL
DGatewayState        dgateway_client_get_state               (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
gint64               dgateway_client_get_latency             (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
gint64               dgateway_client_get_uptime              (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
guint64              dgateway_client_get_events_received     (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
guint64              dgateway_client_get_bytes_received      (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
guint64              dgateway_client_get_bytes_decompressed  (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
double               dgateway_client_get_compression_ratio   (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
guint                dgateway_client_get_reconnect_count     (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
guint                dgateway_client_get_missed_heartbeats   (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
guint64              dgateway_client_get_events_lost         (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
double               dgateway_client_get_events_per_second   (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
const char          *dgateway_client_get_session_id          (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
gint64               dgateway_client_get_sequence            (DGatewayClient      *self);
DGATEWAY_AVAILABLE_IN_ALL
const GError        *dgateway_client_get_last_error          (DGatewayClient      *self);

G_END_DECLS
