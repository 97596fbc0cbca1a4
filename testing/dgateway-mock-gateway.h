/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(DGATEWAY_TESTING_INSIDE) && !defined(DGATEWAY_TESTING_COMPILATION)
# error "Only <dgateway-testing.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include <dgateway-testing-version-macros.h>
#include <dgateway-mock-frame.h>
#include <dgateway-mock-recording.h>

G_BEGIN_DECLS

/**
 * DGATEWAY_MOCK_GATEWAY_BOT_ID:
 *
 * The user id of the bot in every `READY`.
 */
#define DGATEWAY_MOCK_GATEWAY_BOT_ID         "1100000000000000001"

/**
 * DGATEWAY_MOCK_GATEWAY_APPLICATION_ID:
 *
 * The application id in every `READY`.
 */
#define DGATEWAY_MOCK_GATEWAY_APPLICATION_ID "1100000000000000001"

/**
 * DGATEWAY_MOCK_GATEWAY_GUILD_ID:
 *
 * The guild of the generated events, listed as unavailable in `READY` when
 * the gateway holds no guild of its own (see [method@MockGateway.add_guild]).
 */
#define DGATEWAY_MOCK_GATEWAY_GUILD_ID       "1100000000000000100"

/**
 * DGATEWAY_MOCK_GATEWAY_CHANNEL_ID:
 *
 * The channel of the generated `MESSAGE_CREATE` events.
 */
#define DGATEWAY_MOCK_GATEWAY_CHANNEL_ID     "1100000000000000200"

/**
 * DGATEWAY_MOCK_GATEWAY_EVENTS_FOREVER:
 *
 * Pass to [method@MockGateway.set_auto_events] to stream without end.
 */
#define DGATEWAY_MOCK_GATEWAY_EVENTS_FOREVER 4294967295U

/**
 * DGATEWAY_MOCK_GATEWAY_ANY_OP:
 *
 * Pass as the opcode to [method@MockGateway.count_frames] or
 * [method@MockGateway.get_last_frame] to match any frame.
 */
#define DGATEWAY_MOCK_GATEWAY_ANY_OP         (-2)

#define DGATEWAY_TYPE_MOCK_GATEWAY (dgateway_mock_gateway_get_type ())

DGATEWAY_TESTING_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DGatewayMockGateway, dgateway_mock_gateway, DGATEWAY, MOCK_GATEWAY, GObject)

DGATEWAY_TESTING_AVAILABLE_IN_ALL
DGatewayMockGateway  *dgateway_mock_gateway_new                       (GError                **error) G_GNUC_WARN_UNUSED_RESULT;
DGATEWAY_TESTING_AVAILABLE_IN_ALL
DGatewayMockGateway  *dgateway_mock_gateway_new_with_port             (guint                   port,
                                                                       GError                **error) G_GNUC_WARN_UNUSED_RESULT;
DGATEWAY_TESTING_AVAILABLE_IN_ALL
guint                 dgateway_mock_gateway_get_port                  (DGatewayMockGateway    *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
const char           *dgateway_mock_gateway_get_url                   (DGatewayMockGateway    *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
const char           *dgateway_mock_gateway_get_resume_url            (DGatewayMockGateway    *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
const char           *dgateway_mock_gateway_get_api_url               (DGatewayMockGateway    *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                  dgateway_mock_gateway_set_token                 (DGatewayMockGateway    *self,
                                                                       const char             *token);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                  dgateway_mock_gateway_set_heartbeat_interval    (DGatewayMockGateway    *self,
                                                                       guint                   interval_ms);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
guint                 dgateway_mock_gateway_get_heartbeat_interval    (DGatewayMockGateway    *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                  dgateway_mock_gateway_set_ack_heartbeats        (DGatewayMockGateway    *self,
                                                                       gboolean                ack);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
gboolean              dgateway_mock_gateway_get_ack_heartbeats        (DGatewayMockGateway    *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                  dgateway_mock_gateway_set_accept_resume         (DGatewayMockGateway    *self,
                                                                       gboolean                accept);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
gboolean              dgateway_mock_gateway_get_accept_resume         (DGatewayMockGateway    *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                  dgateway_mock_gateway_set_ignore_frames         (DGatewayMockGateway    *self,
                                                                       gboolean                ignore);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                  dgateway_mock_gateway_set_send_hello            (DGatewayMockGateway    *self,
                                                                       gboolean                send_hello);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                  dgateway_mock_gateway_set_split_messages        (DGatewayMockGateway    *self,
                                                                       guint                   n);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                  dgateway_mock_gateway_set_auto_events           (DGatewayMockGateway    *self,
                                                                       guint                   n);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
guint                 dgateway_mock_gateway_get_auto_events           (DGatewayMockGateway    *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                  dgateway_mock_gateway_set_auto_event_rate       (DGatewayMockGateway    *self,
                                                                       guint                   per_second);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
guint                 dgateway_mock_gateway_get_auto_event_rate       (DGatewayMockGateway    *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                  dgateway_mock_gateway_set_close_after           (DGatewayMockGateway    *self,
                                                                       guint                   n_events,
                                                                       gushort                 code);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                  dgateway_mock_gateway_set_rate_limit            (DGatewayMockGateway    *self,
                                                                       guint                   max_per_minute);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                  dgateway_mock_gateway_set_recommended_shards    (DGatewayMockGateway    *self,
                                                                       guint                   n);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                  dgateway_mock_gateway_set_gateway_bot_response  (DGatewayMockGateway    *self,
                                                                       guint                   status,
                                                                       const char             *body);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                  dgateway_mock_gateway_set_recording             (DGatewayMockGateway    *self,
                                                                       DGatewayMockRecording  *recording);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                  dgateway_mock_gateway_invalidate_sessions       (DGatewayMockGateway    *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
gboolean              dgateway_mock_gateway_add_guild                 (DGatewayMockGateway    *self,
                                                                       const char             *guild_json,
                                                                       GError                **error);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
guint                 dgateway_mock_gateway_get_n_guilds              (DGatewayMockGateway    *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
gint64                dgateway_mock_gateway_send_dispatch             (DGatewayMockGateway    *self,
                                                                       const char             *event_name,
                                                                       const char             *d_json);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
gint64                dgateway_mock_gateway_send_dispatch_to          (DGatewayMockGateway    *self,
                                                                       guint                   index,
                                                                       const char             *event_name,
                                                                       const char             *d_json);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                  dgateway_mock_gateway_send_messages             (DGatewayMockGateway    *self,
                                                                       guint                   n);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
const char           *dgateway_mock_gateway_get_session_id            (DGatewayMockGateway    *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
gint64                dgateway_mock_gateway_get_sequence              (DGatewayMockGateway    *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                  dgateway_mock_gateway_send_op                   (DGatewayMockGateway    *self,
                                                                       int                     op,
                                                                       const char             *d_json);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                  dgateway_mock_gateway_send_heartbeat_request    (DGatewayMockGateway    *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                  dgateway_mock_gateway_send_reconnect            (DGatewayMockGateway    *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                  dgateway_mock_gateway_send_invalid_session      (DGatewayMockGateway    *self,
                                                                       gboolean                resumable);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                  dgateway_mock_gateway_send_raw                  (DGatewayMockGateway    *self,
                                                                       const char             *text);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                  dgateway_mock_gateway_send_corrupt              (DGatewayMockGateway    *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                  dgateway_mock_gateway_close                     (DGatewayMockGateway    *self,
                                                                       gushort                 code,
                                                                       const char             *reason);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                  dgateway_mock_gateway_drop                      (DGatewayMockGateway    *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                  dgateway_mock_gateway_send_op_to                (DGatewayMockGateway    *self,
                                                                       guint                   index,
                                                                       int                     op,
                                                                       const char             *d_json);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                  dgateway_mock_gateway_close_connection          (DGatewayMockGateway    *self,
                                                                       guint                   index,
                                                                       gushort                 code,
                                                                       const char             *reason);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                  dgateway_mock_gateway_drop_connection           (DGatewayMockGateway    *self,
                                                                       guint                   index);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
GPtrArray            *dgateway_mock_gateway_get_frames                (DGatewayMockGateway    *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
guint                 dgateway_mock_gateway_count_frames              (DGatewayMockGateway    *self,
                                                                       int                     op);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
DGatewayMockFrame    *dgateway_mock_gateway_get_last_frame            (DGatewayMockGateway    *self,
                                                                       int                     op);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
guint                 dgateway_mock_gateway_get_n_connections         (DGatewayMockGateway    *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
guint                 dgateway_mock_gateway_get_n_open_connections    (DGatewayMockGateway    *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
gboolean              dgateway_mock_gateway_is_connected              (DGatewayMockGateway    *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
gint64                dgateway_mock_gateway_get_connection_opened     (DGatewayMockGateway    *self,
                                                                       guint                   index);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
gint64                dgateway_mock_gateway_get_connection_closed     (DGatewayMockGateway    *self,
                                                                       guint                   index);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
gboolean              dgateway_mock_gateway_connection_on_resume_path (DGatewayMockGateway    *self,
                                                                       guint                   index);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
const char           *dgateway_mock_gateway_get_connection_query      (DGatewayMockGateway    *self,
                                                                       guint                   index);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
int                   dgateway_mock_gateway_get_connection_close_code (DGatewayMockGateway    *self,
                                                                       guint                   index);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
guint                 dgateway_mock_gateway_get_n_gateway_bot_requests (DGatewayMockGateway    *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
const char           *dgateway_mock_gateway_get_last_user_agent       (DGatewayMockGateway    *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
char                 *dgateway_mock_gateway_build_message_create      (guint                   index) G_GNUC_WARN_UNUSED_RESULT;
DGATEWAY_TESTING_AVAILABLE_IN_ALL
char                 *dgateway_mock_gateway_build_presence_update     (guint                   index) G_GNUC_WARN_UNUSED_RESULT;
DGATEWAY_TESTING_AVAILABLE_IN_ALL
char                 *dgateway_mock_gateway_build_typing_start        (guint                   index) G_GNUC_WARN_UNUSED_RESULT;
DGATEWAY_TESTING_AVAILABLE_IN_ALL
char                 *dgateway_mock_gateway_build_message_reaction_add (guint                   index) G_GNUC_WARN_UNUSED_RESULT;
DGATEWAY_TESTING_AVAILABLE_IN_ALL
char                 *dgateway_mock_gateway_build_guild_create        (guint                   index,
                                                                       guint                   n_members,
                                                                       guint                   n_channels) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
