/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A local Discord Gateway for tests, demos and benchmarks.
 *
 * MockGateway serves, on 127.0.0.1 and a free port:
 *   ws://127.0.0.1:PORT/gateway          the gateway WebSocket
 *   ws://127.0.0.1:PORT/resume           the resume_gateway_url handed out in READY
 *   http://127.0.0.1:PORT/api/v10/gateway/bot  (and /api/v10/gateway)
 * It speaks API v10 with JSON encoding and zlib-stream or zstd-stream
 * transport compression, records every frame clients send, and can be
 * scripted to misbehave.  Everything runs on the thread-default
 * GMainContext at construction time; nothing blocks or sleeps.
 *
 * "Current connection" means the most recently opened connection that has
 * not closed yet; "current session" the most recently created or resumed
 * session.  Connection indices are 1-based, in order of opening.
 *
 * Beyond what the tests script, the mock enforces Discord's rules: close
 * 4001 for an unknown op, 4002 for a frame that is not a JSON object, is
 * binary or is over 4096 bytes, 4003 for a command before IDENTIFY/RESUME,
 * 4004 for a wrong token, 4005 for a second IDENTIFY/RESUME, 4007 for a
 * RESUME seq past the session's last, 4010 for a bad shard, 4012 for a v
 * other than 9 or 10, 4013 for unknown intent bits.  A client closing with
 * 1000 or 1001 ends its session, so it can no longer be resumed.
 *
 * Signals:
 *   "frame-received"    (MockFrame *frame): a client frame was recorded and handled
 *   "connection-opened" (guint index): a WebSocket opened, before HELLO is sent
 *   "connection-closed" (guint index): a WebSocket has closed
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Fixed snowflakes used in READY and in generated MESSAGE_CREATE events.
 * READY lists the guild only on the shard it routes to, (id >> 22) % n. */
#define MOCK_GATEWAY_BOT_ID         "1100000000000000001"
#define MOCK_GATEWAY_APPLICATION_ID "1100000000000000001"
#define MOCK_GATEWAY_GUILD_ID       "1100000000000000100"
#define MOCK_GATEWAY_CHANNEL_ID     "1100000000000000200"

/* Pass to mock_gateway_set_auto_events() to stream without end. */
#define MOCK_GATEWAY_EVENTS_FOREVER G_MAXUINT

/* Pass as op to mock_gateway_count_frames() or _get_last_frame() to match any frame. */
#define MOCK_GATEWAY_ANY_OP (-2)

typedef struct {
  gint64    time;           /* g_get_monotonic_time () at reception */
  guint     connection;     /* 1-based index of the WebSocket connection it came on */
  gboolean  on_resume_path; /* that connection was opened on /resume */
  int       op;             /* -1 if it was not a JSON object with an integer op */
  char     *text;           /* the frame as received */
  JsonNode *d;              /* the "d" member (NULL if absent) */
} MockFrame;

#define MOCK_TYPE_GATEWAY (mock_gateway_get_type ())
G_DECLARE_FINAL_TYPE (MockGateway, mock_gateway, MOCK, GATEWAY, GObject)

/* Lifetime and addresses. */
/* Starts listening on 127.0.0.1 and a free port; NULL (with a critical) if that fails. */
MockGateway *mock_gateway_new                       (void) G_GNUC_WARN_UNUSED_RESULT;
/* Starts listening on 127.0.0.1:port (0 = free port); NULL and error if binding fails. */
MockGateway *mock_gateway_new_with_port             (guint         port,
                                                     GError      **error) G_GNUC_WARN_UNUSED_RESULT;
/* The port listened on. */
guint        mock_gateway_get_port                  (MockGateway  *self);
/* "ws://127.0.0.1:PORT/gateway". */
const char  *mock_gateway_get_url                   (MockGateway  *self);
/* "ws://127.0.0.1:PORT/resume", the resume_gateway_url of every READY. */
const char  *mock_gateway_get_resume_url            (MockGateway  *self);
/* "http://127.0.0.1:PORT/api/v10", for the client's api-url. */
const char  *mock_gateway_get_api_url               (MockGateway  *self);

/* Behaviour (each takes effect for frames handled after the call). */
/* Token expected in IDENTIFY, RESUME and "Authorization: Bot <token>" (default "test-token"). */
void         mock_gateway_set_token                 (MockGateway  *self,
                                                     const char   *token);
/* heartbeat_interval sent in HELLO, in ms (default 41250). */
void         mock_gateway_set_heartbeat_interval    (MockGateway  *self,
                                                     guint         interval_ms);
/* Whether op 1 from a client is answered with op 11 (default TRUE). */
void         mock_gateway_set_ack_heartbeats        (MockGateway  *self,
                                                     gboolean      ack);
/* Whether a RESUME of a known session succeeds (default TRUE); FALSE answers op 9. */
void         mock_gateway_set_accept_resume         (MockGateway  *self,
                                                     gboolean      accept);
/* When TRUE, client frames are recorded but never answered nor checked (default FALSE). */
void         mock_gateway_set_ignore_frames         (MockGateway  *self,
                                                     gboolean      ignore);
/* Whether new connections get HELLO when they open (default TRUE). */
void         mock_gateway_set_send_hello            (MockGateway  *self,
                                                     gboolean      send_hello);
/* Splits each zlib-stream payload into n WebSocket messages, as Discord does with big ones (default 1). */
void         mock_gateway_set_split_messages        (MockGateway  *self,
                                                     guint         n);
/* MESSAGE_CREATE events to dispatch after each READY (default 0; MOCK_GATEWAY_EVENTS_FOREVER). */
void         mock_gateway_set_auto_events           (MockGateway  *self,
                                                     guint         n);
/* Events per second for the auto events (default 0 = all at once; forever streams default to 10/s). */
void         mock_gateway_set_auto_event_rate       (MockGateway  *self,
                                                     guint         per_second);
/* Closes with 4008 a connection sending more than max frames per 60 s (default 0 = off; Discord: 120). */
void         mock_gateway_set_rate_limit            (MockGateway  *self,
                                                     guint         max_per_minute);
/* "shards" in the GET /gateway/bot answer (default 1). */
void         mock_gateway_set_recommended_shards    (MockGateway  *self,
                                                     guint         n);
/* Overrides the GET /gateway/bot answer after the token check (status 0 = default; body NULL = default). */
void         mock_gateway_set_gateway_bot_response  (MockGateway  *self,
                                                     guint         status,
                                                     const char   *body);
/* Forgets every session, so any later RESUME gets op 9. */
void         mock_gateway_invalidate_sessions       (MockGateway  *self);

/* Dispatching into the current session. */
/* Appends a dispatch (d_json NULL = null) and sends it if the session is live; returns its seq, 0 if no session. */
gint64       mock_gateway_dispatch                  (MockGateway  *self,
                                                     const char   *event_name,
                                                     const char   *d_json);
/* Like mock_gateway_dispatch() into the session that connection index was last attached to. */
gint64       mock_gateway_dispatch_on               (MockGateway  *self,
                                                     guint         index,
                                                     const char   *event_name,
                                                     const char   *d_json);
/* Dispatches n realistic MESSAGE_CREATE events of about 1 KB. */
void         mock_gateway_dispatch_messages         (MockGateway  *self,
                                                     guint         n);
/* The "d" JSON of the index-th generated MESSAGE_CREATE (deterministic, about 1 KB). */
char        *mock_gateway_build_message_create      (guint         index) G_GNUC_WARN_UNUSED_RESULT;
/* More generated "d" JSON (mock-events.c), deterministic too: PRESENCE_UPDATE (~300 B),
 * guild TYPING_START with the member (~600 B), MESSAGE_REACTION_ADD with the member
 * (~700 B), GUILD_CREATE with roles, channels, members and their presences. */
char        *mock_gateway_build_presence_update     (guint         index) G_GNUC_WARN_UNUSED_RESULT;
char        *mock_gateway_build_typing_start        (guint         index) G_GNUC_WARN_UNUSED_RESULT;
char        *mock_gateway_build_message_reaction_add (guint        index) G_GNUC_WARN_UNUSED_RESULT;
char        *mock_gateway_build_guild_create        (guint         index,
                                                     guint         n_members,
                                                     guint         n_channels) G_GNUC_WARN_UNUSED_RESULT;
/* Id of the current session (NULL if none). */
const char  *mock_gateway_get_session_id            (MockGateway  *self);
/* Last sequence number of the current session (0 if none). */
gint64       mock_gateway_get_sequence              (MockGateway  *self);

/* Scripting the current connection (a warning if there is none). */
/* Sends {"op":op,"d":<d_json or null>,"s":null,"t":null}. */
void         mock_gateway_send_op                   (MockGateway  *self,
                                                     int           op,
                                                     const char   *d_json);
/* Sends text as one payload, compressed if the connection is. */
void         mock_gateway_send_raw                  (MockGateway  *self,
                                                     const char   *text);
/* Sends a binary message that breaks the connection's compressed stream (garbage if uncompressed). */
void         mock_gateway_send_corrupt              (MockGateway  *self);
/* Starts a WebSocket close with code (reason NULL = Discord's text for that code). */
void         mock_gateway_close                     (MockGateway  *self,
                                                     gushort       code,
                                                     const char   *reason);
/* Ends the TCP connection at once, without a close frame. */
void         mock_gateway_drop                      (MockGateway  *self);
/* mock_gateway_send_op() on connection index. */
void         mock_gateway_send_op_to                (MockGateway  *self,
                                                     guint         index,
                                                     int           op,
                                                     const char   *d_json);
/* mock_gateway_close() on connection index. */
void         mock_gateway_close_connection          (MockGateway  *self,
                                                     guint         index,
                                                     gushort       code,
                                                     const char   *reason);
/* mock_gateway_drop() on connection index. */
void         mock_gateway_drop_connection           (MockGateway  *self,
                                                     guint         index);

/* Recorded frames. */
/* Every frame received from clients, in order (element-type MockFrame, transfer none). */
GPtrArray   *mock_gateway_get_frames                (MockGateway  *self);
/* Number of recorded frames with that op (MOCK_GATEWAY_ANY_OP = all). */
guint        mock_gateway_count_frames              (MockGateway  *self,
                                                     int           op);
/* The last recorded frame with that op (MOCK_GATEWAY_ANY_OP = any), or NULL. */
MockFrame   *mock_gateway_get_last_frame            (MockGateway  *self,
                                                     int           op);

/* Recorded connections. */
/* Number of WebSocket connections opened so far. */
guint        mock_gateway_get_n_connections         (MockGateway  *self);
/* Number of WebSocket connections not closed yet. */
guint        mock_gateway_get_n_open_connections    (MockGateway  *self);
/* Whether the current connection exists, i.e. some connection is still open. */
gboolean     mock_gateway_is_connected              (MockGateway  *self);
/* Monotonic time connection index opened. */
gint64       mock_gateway_get_connection_opened     (MockGateway  *self,
                                                     guint         index);
/* Monotonic time connection index closed (0 while open). */
gint64       mock_gateway_get_connection_closed     (MockGateway  *self,
                                                     guint         index);
/* Whether connection index was opened on /resume. */
gboolean     mock_gateway_connection_on_resume_path (MockGateway  *self,
                                                     guint         index);
/* Query string of connection index (NULL if it had none). */
const char  *mock_gateway_get_connection_query      (MockGateway  *self,
                                                     guint         index);
/* Close code in the client's close frame (an echo if the mock closed first), 0 if none, -1 while open. */
int          mock_gateway_get_connection_close_code (MockGateway  *self,
                                                     guint         index);

/* REST. */
/* Number of GET /api/v10/gateway/bot requests. */
guint        mock_gateway_get_n_gateway_bot_requests (MockGateway *self);
/* User-Agent of the last HTTP request or WebSocket upgrade (NULL if none had one). */
const char  *mock_gateway_get_last_user_agent       (MockGateway  *self);

/* Recordings, for the benchmark (mock-events.c).
 *
 * A MockRecording is the JSON text of a sequence of dispatches, generated
 * up front.  Mixes:
 *   "messages"  ~1.3 KB MESSAGE_CREATEs only (mock_gateway_build_message_create()).
 *   "mixed"     per 1000 events: 1 GUILD_CREATE (400 members, 200 channels,
 *               ~250 KB) at index 500 mod 1000, and of the other 999, drawn by a
 *               fixed-seed generator, about 30% MESSAGE_CREATE, 40% PRESENCE_UPDATE,
 *               20% TYPING_START, 10% MESSAGE_REACTION_ADD. */
typedef struct _MockRecording MockRecording;

/* Dispatched with {"events":N} after the last event of a recording. */
#define MOCK_GATEWAY_RECORDING_DONE "BENCHMARK_DONE"

/* The mixes mock_recording_new() knows, NULL-terminated. */
const char *const *mock_recording_list_mixes      (void);
/* Generates n_events dispatches of mix; NULL and error if the mix is unknown. */
MockRecording     *mock_recording_new             (const char    *mix,
                                                   guint          n_events,
                                                   GError       **error) G_GNUC_WARN_UNUSED_RESULT;
MockRecording     *mock_recording_ref             (MockRecording *self);
void               mock_recording_unref           (MockRecording *self);
const char        *mock_recording_get_mix         (MockRecording *self);
guint              mock_recording_get_n_events    (MockRecording *self);
/* Total length of the "d" texts, in bytes. */
guint64            mock_recording_get_data_bytes  (MockRecording *self);
const char        *mock_recording_get_event_name  (MockRecording *self,
                                                   guint          index);
const char        *mock_recording_get_event_data  (MockRecording *self,
                                                   guint          index);

/* Streams recording into every session after its READY, as fast as the
 * socket takes it (compressed per connection as usual), then dispatches
 * MOCK_GATEWAY_RECORDING_DONE; a RESUME goes on where the stream stopped.
 * Sessions created afterwards use it; NULL stops using one.  This replaces
 * nothing: auto events, if any, are sent as well. */
void         mock_gateway_set_recording             (MockGateway   *self,
                                                     MockRecording *recording);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MockRecording, mock_recording_unref)

G_END_DECLS
