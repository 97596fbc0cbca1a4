/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <dgateway-testing.h>

/* The library's own codec, built into this library with hidden symbols. */
#include "dgateway-etf-private.h"

#include <string.h>

#include <libsoup/soup.h>
#include <zlib.h>
#include <zstd.h>

/* Discord refuses sent payloads over 4096 bytes with 4002 (gateway.md section 8). */
#define MAX_CLIENT_PAYLOAD 4096
#define RATE_LIMIT_WINDOW  (60 * G_USEC_PER_SEC)

/* Sessions keep their dispatches for RESUME; a stream that runs forever
 * must not grow without bound, so the oldest are dropped past this, and
 * resuming from before them gets op 9 as an expired session would. */
#define MAX_HISTORY 100000

/* A recording is streamed in batches of about this much JSON text, each
 * when the socket is writable and libsoup's own queue is empty. */
#define RECORDING_BATCH_BYTES (256 * 1024)

#define DEFAULT_TOKEN              "test-token"
#define DEFAULT_HEARTBEAT_INTERVAL 41250
#define DEFAULT_FOREVER_RATE       10

/* Snowflakes count milliseconds from Discord's epoch (gateway.md section 1).
 * Generated messages start on 2024-01-01T00:00:00Z. */
#define DISCORD_EPOCH_MS G_GINT64_CONSTANT (1420070400000)
#define MESSAGE_BASE_MS  G_GINT64_CONSTANT (1704067200000)

/* Intents occupy bits 0-25 (intents.json, with its undocumented bits). */
#define VALID_INTENTS ((G_GINT64_CONSTANT (1) << 26) - 1)

typedef enum {
  COMPRESSION_NONE,
  COMPRESSION_ZLIB,
  COMPRESSION_ZSTD,
} Compression;

typedef struct _Session Session;

typedef struct {
  DGatewayMockGateway             *gateway;
  guint                    index;
  SoupWebsocketConnection *ws;
  GSocket                 *socket;
  gboolean                 on_resume_path;
  char                    *query;
  gint64                   opened;
  gint64                   closed;
  int                      close_code;
  gboolean                 closing;   /* the mock sent a close frame */
  gboolean                 dropped;   /* the mock shut the socket down */
  gboolean                 ready;     /* IDENTIFY or RESUME succeeded */
  Session                 *session;
  Compression              compression;
  gboolean                 etf;       /* encoding=etf, both ways */
  z_stream                 zlib;
  ZSTD_CStream            *zstd;
  gint64                   window_start;
  guint                    window_count;
  guint                    n_dispatched; /* dispatches sent, for close-after */
} Connection;

struct _Session {
  DGatewayMockGateway *gateway;
  char        *id;
  gint64       seq;        /* last sequence number assigned */
  gint64       first_seq;  /* sequence number of the head of history */
  GQueue       history;    /* full dispatch frames, as text */
  Connection  *connection; /* attached connection, or NULL */
  int          shard_id;   /* -1 if IDENTIFY had no shard */
  int          shard_count;
  guint        message_index;
  guint        stream_remaining;
  guint        stream_rate;
  gint64       stream_started;
  guint64      stream_sent;
  GSource     *stream_source;
  DGatewayMockRecording *recording;     /* streamed after READY, or NULL */
  guint        recording_pos;   /* next event of it to send */
  gboolean     recording_done;  /* DGATEWAY_MOCK_GATEWAY_RECORDING_DONE was sent */
  GSource     *recording_source;
};

/**
 * DGatewayMockGateway:
 *
 * A local Discord Gateway, for testing bots and apps without Discord.
 *
 * A mock gateway is a [class@Soup.Server] on 127.0.0.1 and a free port
 * that speaks the real protocol (API v10, JSON) with real frames,
 * compressed with `zlib-stream` or `zstd-stream` as the client asks.  It
 * serves:
 *
 * - `ws://127.0.0.1:PORT/gateway`, the gateway ([method@MockGateway.get_url]);
 * - `ws://127.0.0.1:PORT/resume`, the `resume_gateway_url` of every `READY`;
 * - `http://127.0.0.1:PORT/api/v10/gateway/bot` ([method@MockGateway.get_api_url]).
 *
 * It answers HELLO, heartbeats, IDENTIFY with `READY` (and a `GUILD_CREATE`
 * per guild it holds, see [method@MockGateway.add_guild]), RESUME with the
 * replay of the missed events and `RESUMED`, and Request Guild Members with
 * `GUILD_MEMBERS_CHUNK`.  It records every frame a client sends
 * ([signal@MockGateway::frame-received], [method@MockGateway.get_frames]),
 * so a test can check what a bot did, and it can be scripted to send any
 * dispatch or opcode, close with any code, or drop the TCP connection.
 *
 * It speaks both encodings.  A connection with `encoding=etf` gets every
 * payload in the Erlang External Term Format as Discord writes it
 * (snowflakes as integers, member names as atoms), and its client's binary
 * frames are recorded in their JSON form, so [struct@MockFrame] reads the
 * same in both.
 *
 * It enforces Discord's rules as Discord does: close 4001 for an unknown
 * op, 4002 for a frame that is not an object in the connection's encoding
 * (JSON text, or one external term in a binary message) or is over 4096
 * bytes, 4003 for a command before IDENTIFY or RESUME, 4004 for a
 * wrong token, 4005 for a second IDENTIFY or RESUME, 4007 for a RESUME
 * sequence past the session's last, 4010 for a bad shard, 4012 for an API
 * version other than 9 or 10, 4013 for unknown intent bits.  A client
 * closing with 1000 or 1001 ends its session.
 *
 * Everything runs on the thread-default [struct@GLib.MainContext] of its
 * construction; nothing blocks or sleeps.  "The current connection" is the
 * most recently opened one still open, "the current session" the one most
 * recently created or resumed; connections are numbered from 1, in order
 * of opening.
 *
 * ## A test in Python
 *
 * ```python
 * mock = DGatewayTesting.MockGateway.new()
 * client = DGateway.Client.new('test-token', DGateway.Intents.GUILD_MESSAGES)
 * client.set_gateway_url(mock.get_url())
 * # ... connect, then:
 * mock.send_dispatch('MESSAGE_CREATE', json.dumps(message))
 * # ... run the main loop until the bot answers, then:
 * frame = mock.get_last_frame(3)   # the bot's presence update
 * ```
 */
struct _DGatewayMockGateway
{
  GObject       parent_instance;

  GMainContext *context;
  SoupServer   *server;
  guint         port;
  char         *url;
  char         *resume_url;
  char         *api_url;

  char         *token;
  guint         heartbeat_interval;
  gboolean      ack_heartbeats;
  gboolean      accept_resume;
  gboolean      ignore_frames;
  gboolean      send_hello;
  guint         split_messages;
  guint         auto_events;
  guint         auto_event_rate;
  guint         rate_limit;
  guint         recommended_shards;
  guint         gateway_bot_status;
  char         *gateway_bot_body;
  guint         close_after_events;
  gushort       close_after_code;

  GPtrArray    *guilds;     /* JsonNode objects, GUILD_CREATE payloads */
  DGatewayMockRecording *recording;

  GPtrArray    *frames;
  GPtrArray    *connections;
  GHashTable   *sessions;
  Session      *current_session;
  guint         n_gateway_bot_requests;
  char         *last_user_agent;
  GByteArray   *scratch;
  GByteArray   *etf_scratch;
};

static void dgateway_mock_gateway_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DGatewayMockGateway, dgateway_mock_gateway, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      dgateway_mock_gateway_initable_iface_init))

enum {
  PROP_0,
  PROP_PORT,
  PROP_URL,
  PROP_API_URL,
  PROP_HEARTBEAT_INTERVAL,
  PROP_ACK_HEARTBEATS,
  PROP_ACCEPT_RESUME,
  PROP_AUTO_EVENTS,
  PROP_AUTO_EVENT_RATE,
  PROP_N_CONNECTIONS,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum {
  SIGNAL_FRAME_RECEIVED,
  SIGNAL_CONNECTION_OPENED,
  SIGNAL_CONNECTION_CLOSED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

static void session_dispatch_messages (Session *s,
                                       guint    n);

/* JSON helpers */

static const char *
member_string (JsonObject *obj,
               const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
node_is_int (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
         && json_node_get_value_type (node) == G_TYPE_INT64;
}

static gboolean
member_int (JsonObject *obj,
            const char *name,
            gint64     *out)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (!node_is_int (node))
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

static JsonObject *
node_object (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* Discord's reason texts (gateway.md section 3). */
static const char *
close_reason (gushort code)
{
  switch (code)
    {
    case 4000: return "Unknown error";
    case 4001: return "Unknown opcode";
    case 4002: return "Decode error";
    case 4003: return "Not authenticated";
    case 4004: return "Authentication failed";
    case 4005: return "Already authenticated";
    case 4007: return "Invalid seq";
    case 4008: return "Rate limited";
    case 4009: return "Session timed out";
    case 4010: return "Invalid shard";
    case 4011: return "Sharding required";
    case 4012: return "Invalid API version";
    case 4013: return "Invalid intent(s)";
    case 4014: return "Disallowed intent(s)";
    default: return NULL;
    }
}

/* ETF (gateway.md section 9) */

/* The JSON form of a client's ETF frame, so that frames read the same in
 * both encodings, or NULL if it is not one external term. */
static char *
json_from_etf (const guint8 *data,
               gsize         size)
{
  g_autofree char *strings = g_malloc (size + 1);
  g_autofree char *spill = NULL;
  g_autofree DGatewayValue *tape = NULL;
  GString *json;

  tape = dgateway_etf_parse (data, size, strings, size + 1, &spill, NULL);
  if (tape == NULL)
    return NULL;

  json = g_string_sized_new (size + 16);
  dgateway_json_write (tape, json);
  return g_string_free (json, FALSE);
}

/* Writes the ETF of a payload the mock made as JSON to out, as Discord
 * writes its own: snowflakes as integers, member names as atoms. Text that
 * is not JSON (a test's garbage) goes out as it is. */
static void
etf_from_json (const char *text,
               GByteArray *out)
{
  gsize len = strlen (text);
  g_autofree char *copy = g_strndup (text, len);
  g_autofree DGatewayValue *tape = dgateway_json_parse (copy, len, NULL);

  g_byte_array_set_size (out, 0);
  if (tape == NULL
      || !dgateway_etf_write_value (tape, DGATEWAY_ETF_WRITE_SNOWFLAKES_AS_INTEGERS
                                          | DGATEWAY_ETF_WRITE_ATOM_KEYS, out, NULL))
    {
      g_byte_array_set_size (out, 0);
      g_byte_array_append (out, (const guint8 *) text, len);
    }
}

/* Recorded frames */

static void
frame_parse (DGatewayMockFrame *frame,
             const char        *data,
             gsize              size,
             gboolean          *is_object)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *root;
  JsonNode *d;
  gint64 op;

  *is_object = FALSE;
  if (!json_parser_load_from_data (parser, data, size, NULL))
    return;
  root = node_object (json_parser_get_root (parser));
  if (root == NULL)
    return;
  *is_object = TRUE;
  if (member_int (root, "op", &op) && op >= 0 && op <= G_MAXINT)
    frame->op = op;
  d = json_object_get_member (root, "d");
  if (d != NULL)
    frame->d = json_node_ref (d);
}

static DGatewayMockFrame *
frame_new (Connection *c,
           GBytes     *message,
           gboolean    binary,
           gboolean   *is_object)
{
  DGatewayMockFrame *frame = g_new0 (DGatewayMockFrame, 1);
  gsize size;
  const char *data = g_bytes_get_data (message, &size);

  frame->time = g_get_monotonic_time ();
  frame->connection = c->index;
  frame->on_resume_path = c->on_resume_path;
  frame->op = -1;
  *is_object = FALSE;
  /* Each encoding has its own kind of message: anything else is a
   * decode error (4002). */
  if (binary != c->etf)
    {
      frame->text = g_strndup (data, size);
      return frame;
    }

  if (c->etf)
    frame->text = json_from_etf ((const guint8 *) data, size);
  if (frame->text == NULL)
    frame->text = g_strndup (data, size);
  else
    {
      data = frame->text;
      size = strlen (frame->text);
    }
  frame_parse (frame, data, size, is_object);
  return frame;
}

/* Transport compression (gateway.md section 9) */

static void
compression_init (Connection *c,
                  const char *compress)
{
  if (g_strcmp0 (compress, "zlib-stream") == 0)
    {
      /* One zlib-format (not raw) deflate stream per connection. */
      if (deflateInit (&c->zlib, Z_DEFAULT_COMPRESSION) == Z_OK)
        c->compression = COMPRESSION_ZLIB;
    }
  else if (g_strcmp0 (compress, "zstd-stream") == 0)
    {
      c->zstd = ZSTD_createCStream ();
      ZSTD_CCtx_setParameter (c->zstd, ZSTD_c_compressionLevel, ZSTD_CLEVEL_DEFAULT);
      c->compression = COMPRESSION_ZSTD;
    }
}

static void
compression_clear (Connection *c)
{
  if (c->compression == COMPRESSION_ZLIB)
    deflateEnd (&c->zlib);
  g_clear_pointer (&c->zstd, ZSTD_freeCStream);
}

/* Z_SYNC_FLUSH ends every payload on a byte boundary with the empty
 * stored block 00 00 ff ff that clients look for. */
static void
zlib_compress (Connection *c,
               const char *text,
               gsize       len,
               GByteArray *out)
{
  gsize chunk = MAX (len + 64, 1024);

  c->zlib.next_in = (Bytef *) text;
  c->zlib.avail_in = len;
  do
    {
      gsize used = out->len;

      g_byte_array_set_size (out, used + chunk);
      c->zlib.next_out = out->data + used;
      c->zlib.avail_out = chunk;
      deflate (&c->zlib, Z_SYNC_FLUSH);
      g_byte_array_set_size (out, used + chunk - c->zlib.avail_out);
    }
  while (c->zlib.avail_out == 0);
}

/* ZSTD_e_flush makes the payload decodable at once without ending the
 * frame, so the stream goes on across payloads as Discord's does. */
static gboolean
zstd_compress (Connection *c,
               const char *text,
               gsize       len,
               GByteArray *out)
{
  ZSTD_inBuffer in = { text, len, 0 };
  gsize chunk = MAX (ZSTD_compressBound (len) + 32, ZSTD_CStreamOutSize ());
  size_t remaining;

  do
    {
      gsize used = out->len;
      ZSTD_outBuffer buffer;

      g_byte_array_set_size (out, used + chunk);
      buffer = (ZSTD_outBuffer) { out->data + used, chunk, 0 };
      remaining = ZSTD_compressStream2 (c->zstd, &buffer, &in, ZSTD_e_flush);
      g_byte_array_set_size (out, used + buffer.pos);
      if (ZSTD_isError (remaining))
        {
          g_warning ("mock gateway: zstd: %s", ZSTD_getErrorName (remaining));
          return FALSE;
        }
    }
  while (remaining != 0);
  return TRUE;
}

/* Cuts only before the 4-byte suffix, so the whole suffix arrives in the
 * last message and the client inflates once, as with Discord's splits. */
static void
send_split (SoupWebsocketConnection *ws,
            const guint8            *data,
            gsize                    len,
            guint                    n)
{
  gsize body = len >= 4 ? len - 4 : 0;
  gsize parts = MIN (MAX (n, 1), MAX (body, 1));
  gsize offset = 0;

  for (gsize i = 1; i < parts; i++)
    {
      gsize cut = body * i / parts;

      soup_websocket_connection_send_binary (ws, data + offset, cut - offset);
      offset = cut;
    }
  soup_websocket_connection_send_binary (ws, data + offset, len - offset);
}

/* Connections */

static gboolean
connection_can_send (Connection *c)
{
  return c->ws != NULL && !c->dropped
         && soup_websocket_connection_get_state (c->ws) == SOUP_WEBSOCKET_STATE_OPEN;
}

/* Everything the mock sends starts as JSON text; an ETF connection gets
 * it encoded, in binary messages. */
static void
connection_send (Connection *c,
                 const char *text)
{
  GByteArray *scratch = c->gateway->scratch;
  GByteArray *etf = c->gateway->etf_scratch;
  const char *payload = text;
  gsize len;

  if (!connection_can_send (c))
    return;

  if (c->etf)
    {
      etf_from_json (text, etf);
      payload = (const char *) etf->data;
      len = etf->len;
    }
  else
    len = strlen (text);

  g_byte_array_set_size (scratch, 0);
  switch (c->compression)
    {
    case COMPRESSION_NONE:
      if (c->etf)
        soup_websocket_connection_send_binary (c->ws, payload, len);
      else
        soup_websocket_connection_send_text (c->ws, text);
      break;
    case COMPRESSION_ZLIB:
      zlib_compress (c, payload, len, scratch);
      send_split (c->ws, scratch->data, scratch->len, c->gateway->split_messages);
      break;
    case COMPRESSION_ZSTD:
      if (zstd_compress (c, payload, len, scratch))
        soup_websocket_connection_send_binary (c->ws, scratch->data, scratch->len);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
connection_send_op (Connection *c,
                    int         op,
                    const char *d_json)
{
  g_autofree char *text = NULL;

  text = g_strdup_printf ("{\"op\":%d,\"d\":%s,\"s\":null,\"t\":null}",
                          op, d_json != NULL ? d_json : "null");
  connection_send (c, text);
}

/* A first byte of 0xff opens a deflate block of the reserved type 3 and a
 * zstd block of the reserved type 3: both decoders must fail there. */
static void
connection_send_corrupt (Connection *c)
{
  guint8 bytes[32];

  if (!connection_can_send (c))
    return;

  for (gsize i = 0; i < sizeof bytes; i++)
    bytes[i] = g_random_int_range (0, 256);
  bytes[0] = 0xff;
  if (c->compression == COMPRESSION_ZLIB)
    memcpy (bytes + sizeof bytes - 4, "\x00\x00\xff\xff", 4);
  soup_websocket_connection_send_binary (c->ws, bytes, sizeof bytes);
}

static void
connection_close (Connection *c,
                  gushort     code,
                  const char *reason)
{
  if (!connection_can_send (c))
    return;

  c->closing = TRUE;
  soup_websocket_connection_close (c->ws, code, reason != NULL ? reason : close_reason (code));
}

static GSocket *
connection_get_socket (Connection *c)
{
  GIOStream *stream;
  g_autoptr(GIOStream) base = NULL;

  if (c->socket != NULL)
    return c->socket;

  /* The server may hand libsoup's own wrapper stream to the WebSocket. */
  stream = soup_websocket_connection_get_io_stream (c->ws);
  if (G_IS_SOCKET_CONNECTION (stream))
    return g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream));
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (stream), "base-iostream") != NULL)
    g_object_get (stream, "base-iostream", &base, NULL);
  if (G_IS_SOCKET_CONNECTION (base))
    return g_socket_connection_get_socket (G_SOCKET_CONNECTION (base));
  return NULL;
}

/* Shutting the socket down both ways sends a FIN and nothing else: the
 * WebSocket then reads EOF and closes without ever writing a close frame.
 * Closing the fd here instead would pull it from under libsoup's sources. */
static void
connection_drop (Connection *c)
{
  GSocket *socket;
  g_autoptr(GError) error = NULL;

  if (c->ws == NULL || c->dropped)
    return;

  socket = connection_get_socket (c);
  if (socket == NULL)
    {
      g_warning ("mock gateway: cannot find the socket of connection %u", c->index);
      return;
    }
  c->dropped = TRUE;
  if (!g_socket_shutdown (socket, TRUE, TRUE, &error))
    g_debug ("mock gateway: shutdown: %s", error->message);
}

static void
connection_release (Connection *c)
{
  if (c->ws != NULL)
    g_signal_handlers_disconnect_by_data (c->ws, c);
  g_clear_object (&c->ws);
  g_clear_object (&c->socket);
  compression_clear (c);
  c->compression = COMPRESSION_NONE;
}

static void
connection_free (gpointer data)
{
  Connection *c = data;

  connection_release (c);
  g_free (c->query);
  g_free (c);
}

/* Sessions */

static void
session_stop_stream (Session *s)
{
  if (s->stream_source != NULL)
    g_source_destroy (s->stream_source);
  g_clear_pointer (&s->stream_source, g_source_unref);
  if (s->recording_source != NULL)
    g_source_destroy (s->recording_source);
  g_clear_pointer (&s->recording_source, g_source_unref);
}

static void
session_free (gpointer data)
{
  Session *s = data;
  DGatewayMockGateway *self = s->gateway;

  session_stop_stream (s);
  for (guint i = 0; i < self->connections->len; i++)
    {
      Connection *c = g_ptr_array_index (self->connections, i);

      if (c->session == s)
        c->session = NULL;
    }
  if (self->current_session == s)
    self->current_session = NULL;
  g_queue_clear_full (&s->history, g_free);
  g_clear_pointer (&s->recording, dgateway_mock_recording_unref);
  g_free (s->id);
  g_free (s);
}

static Session *
session_new (DGatewayMockGateway *self,
             int                  shard_id,
             int                  shard_count)
{
  Session *s = g_new0 (Session, 1);

  s->gateway = self;
  s->id = g_strdup_printf ("%08x%08x%08x%08x", g_random_int (), g_random_int (),
                           g_random_int (), g_random_int ());
  s->first_seq = 1;
  g_queue_init (&s->history);
  s->shard_id = shard_id;
  s->shard_count = shard_count;
  if (self->recording != NULL)
    s->recording = dgateway_mock_recording_ref (self->recording);
  g_hash_table_insert (self->sessions, s->id, s);
  return s;
}

static void
session_attach (Session    *s,
                Connection *c)
{
  if (s->connection != NULL && s->connection != c)
    s->connection->ready = FALSE;
  /* A recording paces itself on the socket it streams to. */
  if (s->connection != c && s->recording_source != NULL)
    {
      g_source_destroy (s->recording_source);
      g_clear_pointer (&s->recording_source, g_source_unref);
    }
  s->connection = c;
  c->session = s;
  c->ready = TRUE;
  s->gateway->current_session = s;
}

/* Numbers a dispatch and keeps it for RESUME; returns its frame (owned by the history). */
static const char *
session_append (Session    *s,
                const char *event_name,
                const char *d_json)
{
  char *frame;

  s->seq++;
  frame = g_strdup_printf ("{\"op\":0,\"s\":%" G_GINT64_FORMAT ",\"t\":\"%s\",\"d\":%s}",
                           s->seq, event_name, d_json != NULL ? d_json : "null");
  g_queue_push_tail (&s->history, frame);
  if (s->history.length > MAX_HISTORY)
    {
      g_free (g_queue_pop_head (&s->history));
      s->first_seq++;
    }
  return frame;
}

static gint64
session_dispatch (Session    *s,
                  const char *event_name,
                  const char *d_json)
{
  const char *frame = session_append (s, event_name, d_json);
  Connection *c = s->connection;
  DGatewayMockGateway *self = s->gateway;

  if (c == NULL || !c->ready)
    return s->seq;
  connection_send (c, frame);
  /* The events not sent after the close stay in the history for RESUME. */
  if (self->close_after_events > 0 && ++c->n_dispatched == self->close_after_events)
    connection_close (c, self->close_after_code, NULL);
  return s->seq;
}

static void
session_dispatch_messages (Session *s,
                           guint    n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *d = dgateway_mock_gateway_build_message_create (s->message_index++);

      session_dispatch (s, "MESSAGE_CREATE", d);
    }
}

/* Sends whatever the rate says is due by now, so the stream keeps its
 * average rate whatever the timer's granularity. */
static gboolean
stream_tick_cb (gpointer user_data)
{
  Session *s = user_data;
  gint64 elapsed = g_get_monotonic_time () - s->stream_started;
  guint64 due = (guint64) elapsed * s->stream_rate / G_USEC_PER_SEC + 1;

  while (s->stream_sent < due && s->stream_remaining > 0)
    {
      session_dispatch_messages (s, 1);
      s->stream_sent++;
      if (s->stream_remaining != DGATEWAY_MOCK_GATEWAY_EVENTS_FOREVER)
        s->stream_remaining--;
    }
  if (s->stream_remaining > 0)
    return G_SOURCE_CONTINUE;

  g_clear_pointer (&s->stream_source, g_source_unref);
  return G_SOURCE_REMOVE;
}

/* Appends one unmasked server frame (RFC 6455 section 5.2) holding the
 * payload, compressed as the connection is, to batch. */
static void
append_websocket_frame (Connection *c,
                        const char *text,
                        GByteArray *batch)
{
  GByteArray *scratch = c->gateway->scratch;
  GByteArray *etf = c->gateway->etf_scratch;
  const guint8 *payload = (const guint8 *) text;
  gsize len = strlen (text);
  guint8 header[10];
  gsize header_len;

  if (c->etf)
    {
      etf_from_json (text, etf);
      payload = etf->data;
      len = etf->len;
    }

  g_byte_array_set_size (scratch, 0);
  if (c->compression == COMPRESSION_ZLIB)
    zlib_compress (c, (const char *) payload, len, scratch);
  else if (c->compression == COMPRESSION_ZSTD
           && !zstd_compress (c, (const char *) payload, len, scratch))
    return;
  if (c->compression != COMPRESSION_NONE)
    {
      payload = scratch->data;
      len = scratch->len;
    }

  /* Text only for uncompressed JSON; ETF and compressed streams are binary. */
  header[0] = 0x80 | (c->compression == COMPRESSION_NONE && !c->etf ? 0x1 : 0x2);
  if (len < 126)
    {
      header[1] = len;
      header_len = 2;
    }
  else if (len <= G_MAXUINT16)
    {
      header[1] = 126;
      header[2] = len >> 8;
      header[3] = len & 0xff;
      header_len = 4;
    }
  else
    {
      header[1] = 127;
      for (int i = 0; i < 8; i++)
        header[2 + i] = ((guint64) len >> (56 - 8 * i)) & 0xff;
      header_len = 10;
    }
  g_byte_array_append (batch, header, header_len);
  g_byte_array_append (batch, payload, len);
}

/* Writes all of batch, waiting for the socket as needed: nothing else may
 * write to it in between, or frames would interleave. */
static gboolean
write_batch (GSocket    *socket,
             GByteArray *batch)
{
  gsize written = 0;

  while (written < batch->len)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_send_with_blocking (socket, (const char *) batch->data + written,
                                              batch->len - written, TRUE, NULL, &error);

      if (n < 0)
        {
          g_debug ("mock gateway: streaming a recording: %s", error->message);
          return FALSE;
        }
      written += n;
    }
  return TRUE;
}

/* Runs at G_PRIORITY_LOW when the socket is writable.  libsoup writes a
 * queued frame at once if its queue is empty, else one frame per main loop
 * iteration from an output source of default priority, which then wins
 * over this one; so when this runs, libsoup has no frame half-written and
 * a batch of whole frames can go straight to the socket.  Framing them
 * here instead of sending each through libsoup saves a system call and a
 * main loop iteration per event, which would otherwise make the mock, not
 * the client, the bottleneck.  Split messages go through libsoup. */
static gboolean
recording_writable_cb (GSocket      *socket,
                       GIOCondition  condition,
                       gpointer      user_data)
{
  Session *s = user_data;
  Connection *c = s->connection;
  guint n = dgateway_mock_recording_get_n_events (s->recording);
  gboolean direct = s->gateway->split_messages <= 1;
  g_autoptr(GByteArray) batch = g_byte_array_sized_new (RECORDING_BATCH_BYTES + 4096);
  gsize text_bytes = 0;
  g_autofree char *done = NULL;

  /* A connection that is going away stops the stream; RESUME restarts it. */
  if (c == NULL || !c->ready || !connection_can_send (c))
    {
      g_clear_pointer (&s->recording_source, g_source_unref);
      return G_SOURCE_REMOVE;
    }

  while (text_bytes < RECORDING_BATCH_BYTES && s->recording_pos < n)
    {
      const char *name = dgateway_mock_recording_get_event_name (s->recording, s->recording_pos);
      const char *data = dgateway_mock_recording_get_event_data (s->recording, s->recording_pos);

      if (direct)
        append_websocket_frame (c, session_append (s, name, data), batch);
      else
        session_dispatch (s, name, data);
      text_bytes += strlen (data);
      s->recording_pos++;
    }
  if (batch->len > 0 && !write_batch (socket, batch))
    {
      g_clear_pointer (&s->recording_source, g_source_unref);
      return G_SOURCE_REMOVE;
    }
  if (s->recording_pos < n)
    return G_SOURCE_CONTINUE;

  done = g_strdup_printf ("{\"events\":%u}", n);
  session_dispatch (s, DGATEWAY_MOCK_GATEWAY_RECORDING_DONE, done);
  s->recording_done = TRUE;
  g_clear_pointer (&s->recording_source, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
session_start_recording (Session *s)
{
  GSocket *socket;

  if (s->recording == NULL || s->recording_done || s->recording_source != NULL
      || s->connection == NULL)
    return;

  socket = connection_get_socket (s->connection);
  if (socket == NULL)
    {
      g_warning ("mock gateway: cannot find the socket to stream a recording on");
      return;
    }
  s->recording_source = g_socket_create_source (socket, G_IO_OUT, NULL);
  g_source_set_priority (s->recording_source, G_PRIORITY_LOW);
  g_source_set_callback (s->recording_source, (GSourceFunc) G_CALLBACK (recording_writable_cb),
                         s, NULL);
  g_source_attach (s->recording_source, s->gateway->context);
}

static void
session_start_stream (Session *s)
{
  DGatewayMockGateway *self = s->gateway;
  gboolean forever = s->stream_remaining == DGATEWAY_MOCK_GATEWAY_EVENTS_FOREVER;

  session_start_recording (s);
  if (s->stream_remaining == 0 || s->stream_source != NULL)
    return;

  s->stream_rate = self->auto_event_rate;
  if (s->stream_rate == 0 && forever)
    s->stream_rate = DEFAULT_FOREVER_RATE;
  if (s->stream_rate == 0)
    {
      session_dispatch_messages (s, s->stream_remaining);
      s->stream_remaining = 0;
      return;
    }

  s->stream_started = g_get_monotonic_time ();
  s->stream_sent = 0;
  s->stream_source = g_timeout_source_new (CLAMP (1000 / s->stream_rate, 1, 50));
  g_source_set_callback (s->stream_source, stream_tick_cb, s, NULL);
  g_source_attach (s->stream_source, self->context);
}

/* The stream pauses while nobody is attached and goes on after RESUME. */
static void
connection_detach (Connection *c)
{
  Session *s = c->session;

  c->ready = FALSE;
  if (s == NULL || s->connection != c)
    return;
  s->connection = NULL;
  session_stop_stream (s);
}

/* Opcodes */

/* Discord routes a guild to shard (guild_id >> 22) % num_shards (gateway.md section 7). */
static gboolean
guild_on_shard (const char *guild_id,
                Session    *s)
{
  guint64 guild = g_ascii_strtoull (guild_id, NULL, 10);

  return s->shard_id < 0 || (int) ((guild >> 22) % (guint64) s->shard_count) == s->shard_id;
}

static const char *
guild_id (JsonNode *guild)
{
  return member_string (json_node_get_object (guild), "id");
}

/* The READY "guilds" array: the guilds held, as unavailable ones that a
 * GUILD_CREATE fills in, or the generated events' guild if none is held. */
static char *
build_ready_guilds (DGatewayMockGateway *self,
                    Session             *s)
{
  GString *out = g_string_new (NULL);

  if (self->guilds->len == 0)
    {
      if (guild_on_shard (DGATEWAY_MOCK_GATEWAY_GUILD_ID, s))
        g_string_append (out, "{\"id\":\"" DGATEWAY_MOCK_GATEWAY_GUILD_ID "\",\"unavailable\":true}");
      return g_string_free (out, FALSE);
    }

  for (guint i = 0; i < self->guilds->len; i++)
    {
      const char *id = guild_id (g_ptr_array_index (self->guilds, i));

      if (!guild_on_shard (id, s))
        continue;
      if (out->len > 0)
        g_string_append_c (out, ',');
      g_string_append_printf (out, "{\"id\":\"%s\",\"unavailable\":true}", id);
    }
  return g_string_free (out, FALSE);
}

static char *
build_ready (DGatewayMockGateway *self,
             Session             *s)
{
  g_autofree char *shard = NULL;
  g_autofree char *guilds = build_ready_guilds (self, s);

  if (s->shard_id >= 0)
    shard = g_strdup_printf (",\"shard\":[%d,%d]", s->shard_id, s->shard_count);

  return g_strdup_printf ("{\"v\":10,\"user\":{\"id\":\"" DGATEWAY_MOCK_GATEWAY_BOT_ID "\","
                          "\"username\":\"mockbot\",\"discriminator\":\"0\","
                          "\"global_name\":null,\"avatar\":null,\"bot\":true},"
                          "\"guilds\":[%s],\"session_id\":\"%s\","
                          "\"resume_gateway_url\":\"%s\","
                          "\"application\":{\"id\":\"" DGATEWAY_MOCK_GATEWAY_APPLICATION_ID "\","
                          "\"flags\":0}%s}",
                          guilds, s->id, self->resume_url, shard != NULL ? shard : "");
}

/* After READY, Discord sends a GUILD_CREATE for each guild of the shard. */
static void
session_dispatch_guilds (Session *s)
{
  DGatewayMockGateway *self = s->gateway;

  for (guint i = 0; i < self->guilds->len; i++)
    {
      JsonNode *guild = g_ptr_array_index (self->guilds, i);
      g_autofree char *json = NULL;

      if (!guild_on_shard (guild_id (guild), s))
        continue;
      json = json_to_string (guild, FALSE);
      session_dispatch (s, "GUILD_CREATE", json);
    }
}

static gboolean
valid_properties (JsonObject *d)
{
  JsonNode *node = json_object_get_member (d, "properties");
  JsonObject *properties = node_object (node);
  const char *names[] = { "os", "browser", "device" };

  if (properties == NULL)
    return FALSE;

  /* The old "$os" spellings still work (gateway.md section 5). */
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *old = g_strconcat ("$", names[i], NULL);

      if (member_string (properties, names[i]) == NULL
          && member_string (properties, old) == NULL)
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_shard (JsonObject *d,
             int        *shard_id,
             int        *shard_count)
{
  JsonNode *node = json_object_get_member (d, "shard");
  JsonArray *array;
  gint64 id, count;

  *shard_id = -1;
  *shard_count = 0;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  array = json_node_get_array (node);
  if (json_array_get_length (array) != 2
      || !node_is_int (json_array_get_element (array, 0))
      || !node_is_int (json_array_get_element (array, 1)))
    return FALSE;
  id = json_array_get_int_element (array, 0);
  count = json_array_get_int_element (array, 1);
  if (count < 1 || count > G_MAXINT || id < 0 || id >= count)
    return FALSE;
  *shard_id = id;
  *shard_count = count;
  return TRUE;
}

/* Returns the close code IDENTIFY deserves, or 0 if it is good. */
static int
check_identify (DGatewayMockGateway *self,
                Connection          *c,
                JsonObject          *d,
                int                 *shard_id,
                int                 *shard_count)
{
  gint64 intents;

  if (d == NULL)
    return 4002;
  if (c->ready)
    return 4005;
  if (g_strcmp0 (member_string (d, "token"), self->token) != 0)
    return 4004;
  if (!valid_properties (d) || !member_int (d, "intents", &intents))
    return 4002;
  if (intents < 0 || (intents & ~VALID_INTENTS) != 0)
    return 4013;
  if (!parse_shard (d, shard_id, shard_count))
    return 4010;
  return 0;
}

static void
handle_identify (Connection *c,
                 JsonNode   *d)
{
  DGatewayMockGateway *self = c->gateway;
  g_autofree char *ready = NULL;
  int shard_id, shard_count, code;
  Session *s;

  code = check_identify (self, c, node_object (d), &shard_id, &shard_count);
  if (code != 0)
    {
      connection_close (c, code, NULL);
      return;
    }

  s = session_new (self, shard_id, shard_count);
  session_attach (s, c);
  ready = build_ready (self, s);
  session_dispatch (s, "READY", ready);
  session_dispatch_guilds (s);
  s->stream_remaining = self->auto_events;
  session_start_stream (s);
}

static int
check_resume (DGatewayMockGateway  *self,
              Connection           *c,
              JsonObject           *d,
              const char          **session_id,
              gint64               *seq)
{
  if (d == NULL)
    return 4002;
  if (c->ready)
    return 4005;
  if (g_strcmp0 (member_string (d, "token"), self->token) != 0)
    return 4004;
  *session_id = member_string (d, "session_id");
  if (*session_id == NULL || !member_int (d, "seq", seq) || *seq < 0)
    return 4002;
  return 0;
}

/* Replays what the client missed with the original sequence numbers,
 * then RESUMED, which takes the next one (gateway.md section 6). */
static void
resume_session (Session    *s,
                Connection *c,
                gint64      seq)
{
  GList *l = g_queue_peek_nth_link (&s->history, seq + 1 - s->first_seq);

  for (; l != NULL; l = l->next)
    connection_send (c, l->data);
  session_attach (s, c);
  session_dispatch (s, "RESUMED", "{}");
  session_start_stream (s);
}

static void
handle_resume (Connection *c,
               JsonNode   *d)
{
  DGatewayMockGateway *self = c->gateway;
  const char *session_id = NULL;
  gint64 seq = 0;
  Session *s;
  int code;

  code = check_resume (self, c, node_object (d), &session_id, &seq);
  if (code != 0)
    {
      connection_close (c, code, NULL);
      return;
    }

  s = g_hash_table_lookup (self->sessions, session_id);
  if (s == NULL || !self->accept_resume || seq + 1 < s->first_seq)
    {
      /* The client is expected to close the socket itself. */
      connection_send_op (c, 9, "false");
      return;
    }
  if (seq > s->seq)
    {
      connection_close (c, 4007, NULL);
      return;
    }
  resume_session (s, c, seq);
}

/* Discord's window is 120 payloads per 60 s (gateway.md section 8). */
static gboolean
rate_limited (Connection *c)
{
  guint limit = c->gateway->rate_limit;
  gint64 now = g_get_monotonic_time ();

  if (limit == 0)
    return FALSE;
  if (c->window_count == 0 || now - c->window_start >= RATE_LIMIT_WINDOW)
    {
      c->window_start = now;
      c->window_count = 0;
    }
  return ++c->window_count > limit;
}

/* Request Guild Members (op 8) and its answer, GUILD_MEMBERS_CHUNK (gateway.md section 7). */

/* Discord sends at most 1000 members a chunk. */
#define MEMBERS_PER_CHUNK 1000

static JsonNode *
find_guild (DGatewayMockGateway *self,
            const char          *id)
{
  for (guint i = 0; id != NULL && i < self->guilds->len; i++)
    {
      JsonNode *guild = g_ptr_array_index (self->guilds, i);

      if (g_strcmp0 (guild_id (guild), id) == 0)
        return guild;
    }
  return NULL;
}

static JsonArray *
guild_array (JsonNode   *guild,
             const char *name)
{
  JsonNode *node = json_object_get_member (json_node_get_object (guild), name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static const char *
member_user_id (JsonNode *member)
{
  JsonObject *user = node_object (json_object_get_member (node_object (member), "user"));

  return user != NULL ? member_string (user, "id") : NULL;
}

/* user_ids is one snowflake or an array of them. */
static GHashTable *
requested_user_ids (JsonObject *d)
{
  JsonNode *node = json_object_get_member (d, "user_ids");
  GHashTable *ids;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  ids = g_hash_table_new (g_str_hash, g_str_equal);
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    g_hash_table_add (ids, (gpointer) json_node_get_string (node));
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
            g_hash_table_add (ids, (gpointer) json_node_get_string (element));
        }
    }
  return ids;
}

/* A query matches the start of the username or the nickname, ignoring case. */
static gboolean
member_matches_query (JsonNode   *member,
                      const char *query)
{
  JsonObject *object = node_object (member);
  JsonObject *user = node_object (json_object_get_member (object, "user"));
  const char *names[] = { user != NULL ? member_string (user, "username") : NULL,
                          member_string (object, "nick") };
  g_autofree char *folded_query = g_utf8_casefold (query, -1);

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *folded = names[i] != NULL ? g_utf8_casefold (names[i], -1) : NULL;

      if (folded != NULL && g_str_has_prefix (folded, folded_query))
        return TRUE;
    }
  return FALSE;
}

/* The members the request asks for, borrowed from the guild. */
static GPtrArray *
select_members (JsonNode   *guild,
                JsonObject *d,
                GHashTable *user_ids)
{
  JsonArray *members = guild_array (guild, "members");
  const char *query = member_string (d, "query");
  gint64 limit = 0;
  GPtrArray *selected = g_ptr_array_new ();

  member_int (d, "limit", &limit);
  for (guint i = 0; members != NULL && i < json_array_get_length (members); i++)
    {
      JsonNode *member = json_array_get_element (members, i);
      const char *id = member_user_id (member);

      if (limit > 0 && selected->len >= limit)
        break;
      if (user_ids != NULL ? id != NULL && g_hash_table_contains (user_ids, id)
                           : query == NULL || member_matches_query (member, query))
        g_ptr_array_add (selected, member);
    }
  return selected;
}

static void
add_chunk_presences (JsonBuilder *builder,
                     JsonNode    *guild,
                     GPtrArray   *members,
                     guint        start,
                     guint        end)
{
  JsonArray *presences = guild_array (guild, "presences");
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = start; i < end; i++)
    {
      const char *id = member_user_id (g_ptr_array_index (members, i));

      if (id != NULL)
        g_hash_table_add (ids, (gpointer) id);
    }
  json_builder_set_member_name (builder, "presences");
  json_builder_begin_array (builder);
  for (guint i = 0; presences != NULL && i < json_array_get_length (presences); i++)
    {
      JsonNode *presence = json_array_get_element (presences, i);

      if (member_user_id (presence) != NULL
          && g_hash_table_contains (ids, member_user_id (presence)))
        json_builder_add_value (builder, json_node_copy (presence));
    }
  json_builder_end_array (builder);
}

static void
add_not_found (JsonBuilder *builder,
               GHashTable  *user_ids,
               GPtrArray   *members)
{
  g_autoptr(GHashTable) missing = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer id;

  g_hash_table_iter_init (&iter, user_ids);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    g_hash_table_add (missing, id);
  for (guint i = 0; i < members->len; i++)
    g_hash_table_remove (missing, member_user_id (g_ptr_array_index (members, i)));
  json_builder_set_member_name (builder, "not_found");
  json_builder_begin_array (builder);
  g_hash_table_iter_init (&iter, missing);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    json_builder_add_string_value (builder, id);
  json_builder_end_array (builder);
}

static char *
build_members_chunk (JsonNode   *guild,
                     JsonObject *d,
                     GPtrArray  *members,
                     GHashTable *user_ids,
                     guint       index,
                     guint       count)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  guint start = index * MEMBERS_PER_CHUNK;
  guint end = MIN (start + MEMBERS_PER_CHUNK, members->len);
  JsonNode *presences = json_object_get_member (d, "presences");
  const char *nonce = member_string (d, "nonce");

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "guild_id");
  json_builder_add_string_value (builder, guild_id (guild));
  json_builder_set_member_name (builder, "members");
  json_builder_begin_array (builder);
  for (guint i = start; i < end; i++)
    json_builder_add_value (builder, json_node_copy (g_ptr_array_index (members, i)));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "chunk_index");
  json_builder_add_int_value (builder, index);
  json_builder_set_member_name (builder, "chunk_count");
  json_builder_add_int_value (builder, count);
  if (presences != NULL && JSON_NODE_HOLDS_VALUE (presences) && json_node_get_boolean (presences))
    add_chunk_presences (builder, guild, members, start, end);
  if (user_ids != NULL && index == count - 1)
    add_not_found (builder, user_ids, members);
  if (nonce != NULL)
    {
      json_builder_set_member_name (builder, "nonce");
      json_builder_add_string_value (builder, nonce);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* Answers only for the guilds held, so that without any the mock stays
 * silent as it always was. */
static void
handle_request_guild_members (Connection *c,
                              JsonNode   *d)
{
  JsonObject *object = node_object (d);
  g_autoptr(GHashTable) user_ids = NULL;
  g_autoptr(GPtrArray) members = NULL;
  JsonNode *guild;
  guint count;

  guild = object != NULL ? find_guild (c->gateway, member_string (object, "guild_id")) : NULL;
  if (guild == NULL || c->session == NULL)
    return;

  user_ids = requested_user_ids (object);
  members = select_members (guild, object, user_ids);
  count = MAX (1, (members->len + MEMBERS_PER_CHUNK - 1) / MEMBERS_PER_CHUNK);
  for (guint i = 0; i < count; i++)
    {
      g_autofree char *chunk = build_members_chunk (guild, object, members, user_ids, i, count);

      session_dispatch (c->session, "GUILD_MEMBERS_CHUNK", chunk);
    }
}

static void
handle_op (Connection        *c,
           DGatewayMockFrame *frame)
{
  switch (frame->op)
    {
    case 1:
      if (c->gateway->ack_heartbeats)
        connection_send (c, "{\"op\":11}");
      break;
    case 2:
      handle_identify (c, frame->d);
      break;
    case 6:
      handle_resume (c, frame->d);
      break;
    case 8:
      if (!c->ready)
        connection_close (c, 4003, NULL);
      else
        handle_request_guild_members (c, frame->d);
      break;
    case 3: /* Presence Update */
    case 4: /* Voice State Update */
    case 31: /* Request Soundboard Sounds */
    case 43: /* Request Channel Info */
      if (!c->ready)
        connection_close (c, 4003, NULL);
      break;
    default:
      connection_close (c, 4001, NULL);
      break;
    }
}

static void
handle_frame (Connection        *c,
              DGatewayMockFrame *frame,
              gsize              size,
              gboolean           is_object)
{
  if (rate_limited (c))
    connection_close (c, 4008, NULL);
  else if (!is_object || size > MAX_CLIENT_PAYLOAD)
    connection_close (c, 4002, NULL);
  else
    handle_op (c, frame);
}

/* WebSocket and HTTP handlers */

static void
message_cb (SoupWebsocketConnection *ws,
            int                      type,
            GBytes                  *message,
            gpointer                 user_data)
{
  Connection *c = user_data;
  g_autoptr(DGatewayMockGateway) self = g_object_ref (c->gateway);
  gboolean is_object;
  DGatewayMockFrame *frame;

  frame = frame_new (c, message, type == SOUP_WEBSOCKET_DATA_BINARY, &is_object);
  g_ptr_array_add (self->frames, frame);

  /* Frames that cross the mock's own close frame get no answer. */
  if (!self->ignore_frames && !c->closing && !c->dropped)
    handle_frame (c, frame, g_bytes_get_size (message), is_object);

  g_signal_emit (self, signals[SIGNAL_FRAME_RECEIVED], 0, frame);
}

static void
closed_cb (SoupWebsocketConnection *ws,
           gpointer                 user_data)
{
  Connection *c = user_data;
  g_autoptr(DGatewayMockGateway) self = g_object_ref (c->gateway);
  Session *s = c->session;

  c->closed = g_get_monotonic_time ();
  c->close_code = c->dropped ? 0 : soup_websocket_connection_get_close_code (ws);
  connection_detach (c);

  /* A client closing with 1000 or 1001 ends its session (gateway.md section 3). */
  if (s != NULL && !c->closing && (c->close_code == 1000 || c->close_code == 1001))
    g_hash_table_remove (self->sessions, s->id);

  connection_release (c);
  g_signal_emit (self, signals[SIGNAL_CONNECTION_CLOSED], 0, c->index);
}

static void
error_cb (SoupWebsocketConnection *ws,
          GError                  *error,
          gpointer                 user_data)
{
  Connection *c = user_data;

  g_debug ("mock gateway: connection %u: %s", c->index, error->message);
}

static void
record_user_agent (DGatewayMockGateway *self,
                   SoupServerMessage   *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  g_free (self->last_user_agent);
  self->last_user_agent = g_strdup (soup_message_headers_get_one (headers, "User-Agent"));
}

static void
send_hello (Connection *c)
{
  g_autofree char *hello = NULL;

  hello = g_strdup_printf ("{\"op\":10,\"d\":{\"heartbeat_interval\":%u},\"s\":null,\"t\":null}",
                           c->gateway->heartbeat_interval);
  connection_send (c, hello);
}

/* Returns the close code the query deserves, or 0.  The mock speaks JSON
 * and ETF, and API versions 9 and 10 (gateway.md section 1). */
static int
apply_query (Connection *c)
{
  g_autoptr(GHashTable) params = NULL;
  const char *v, *encoding;

  if (c->query == NULL)
    return 0;
  params = g_uri_parse_params (c->query, -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params == NULL)
    return 4002;

  v = g_hash_table_lookup (params, "v");
  encoding = g_hash_table_lookup (params, "encoding");
  if (v != NULL && g_strcmp0 (v, "10") != 0 && g_strcmp0 (v, "9") != 0)
    return 4012;
  c->etf = g_strcmp0 (encoding, "etf") == 0;
  if (encoding != NULL && !c->etf && g_strcmp0 (encoding, "json") != 0)
    return 4002;
  compression_init (c, g_hash_table_lookup (params, "compress"));
  return 0;
}

static Connection *
connection_new (DGatewayMockGateway     *self,
                SoupServerMessage       *msg,
                const char              *path,
                SoupWebsocketConnection *ws)
{
  Connection *c = g_new0 (Connection, 1);
  GSocket *socket = soup_server_message_get_socket (msg);

  c->gateway = self;
  c->index = self->connections->len + 1;
  c->ws = g_object_ref (ws);
  c->socket = socket != NULL ? g_object_ref (socket) : NULL;
  c->on_resume_path = g_str_has_prefix (path, "/resume");
  c->query = g_strdup (g_uri_get_query (soup_server_message_get_uri (msg)));
  c->opened = g_get_monotonic_time ();
  c->close_code = -1;
  g_ptr_array_add (self->connections, c);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_N_CONNECTIONS]);

  g_signal_connect (ws, "message", G_CALLBACK (message_cb), c);
  g_signal_connect (ws, "closed", G_CALLBACK (closed_cb), c);
  g_signal_connect (ws, "error", G_CALLBACK (error_cb), c);
  return c;
}

static void
websocket_cb (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  /* Handlers of the notification and the signal may drop the gateway. */
  g_autoptr(DGatewayMockGateway) self = g_object_ref (user_data);
  Connection *c;
  int code;

  record_user_agent (self, msg);
  c = connection_new (self, msg, path, ws);
  code = apply_query (c);
  g_signal_emit (self, signals[SIGNAL_CONNECTION_OPENED], 0, c->index);

  if (code != 0)
    connection_close (c, code, NULL);
  else if (self->send_hello)
    send_hello (c);
}

static void
respond (SoupServerMessage *msg,
         guint              status,
         const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    body, strlen (body));
}

static void
respond_error (SoupServerMessage *msg,
               guint              status)
{
  g_autofree char *body = NULL;

  body = g_strdup_printf ("{\"message\": \"%u: %s\", \"code\": 0}",
                          status, soup_status_get_phrase (status));
  respond (msg, status, body);
}

static void
respond_gateway_bot (DGatewayMockGateway *self,
                     SoupServerMessage   *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");
  g_autofree char *expected = g_strconcat ("Bot ", self->token, NULL);
  g_autofree char *body = NULL;
  guint status = self->gateway_bot_status != 0 ? self->gateway_bot_status : 200;

  self->n_gateway_bot_requests++;
  if (g_strcmp0 (authorization, expected) != 0)
    {
      respond (msg, 401, "{\"message\": \"401: Unauthorized\", \"code\": 0}");
      return;
    }
  if (self->gateway_bot_body != NULL)
    respond (msg, status, self->gateway_bot_body);
  else if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    respond_error (msg, status);
  else
    {
      body = g_strdup_printf ("{\"url\":\"%s\",\"shards\":%u,\"session_start_limit\":"
                              "{\"total\":1000,\"remaining\":999,\"reset_after\":14400000,"
                              "\"max_concurrency\":1}}",
                              self->url, self->recommended_shards);
      respond (msg, status, body);
    }
}

static void
api_cb (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  DGatewayMockGateway *self = user_data;
  g_autofree char *url_body = NULL;
  g_autofree char *trimmed = g_strdup (path);
  gsize len = strlen (trimmed);

  record_user_agent (self, msg);
  if (len > 1 && trimmed[len - 1] == '/')
    trimmed[len - 1] = '\0';

  if (g_strcmp0 (soup_server_message_get_method (msg), SOUP_METHOD_GET) != 0)
    respond_error (msg, 405);
  else if (g_str_equal (trimmed, "/api/v10/gateway/bot"))
    respond_gateway_bot (self, msg);
  else if (g_str_equal (trimmed, "/api/v10/gateway"))
    {
      url_body = g_strdup_printf ("{\"url\":\"%s\"}", self->url);
      respond (msg, 200, url_body);
    }
  else
    respond_error (msg, 404);
}

/* Public API */

static const char *const words[] = {
  "the", "build", "server", "deploy", "is", "green", "again", "after", "we", "fixed",
  "flaky", "test", "in", "gateway", "shard", "resume", "heartbeat", "latency", "looks",
  "fine", "today", "can", "someone", "review", "my", "pull", "request", "please", "thanks",
  "lunch", "meeting", "moved", "to", "three", "o'clock", "docs", "need", "update", "for",
  "release", "notes", "ship", "it", "tomorrow", "morning", "bug", "crash", "on", "startup",
  "with", "zstd", "zlib", "compression", "enabled", "works", "here", "ok", "nice", "lol",
  "caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac", "\xf0\x9f\x8e\x89", "na\xc3\xafve",
};

/* Deterministic words, so that consecutive messages differ about as much
 * as real chat does and stream compression is not flattered. */
static char *
pseudo_sentence (guint32 seed,
                 guint   n_words)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < n_words; i++)
    {
      /* xorshift32; the seed must not be 0. */
      seed ^= seed << 13;
      seed ^= seed >> 17;
      seed ^= seed << 5;
      if (i > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, words[seed % G_N_ELEMENTS (words)]);
    }
  return g_string_free (text, FALSE);
}

/**
 * dgateway_mock_gateway_build_message_create:
 * @index: which message
 *
 * Builds a realistic `MESSAGE_CREATE` payload of about 1 KB, the same for
 * the same @index; its id and timestamp agree as real snowflakes do.
 *
 * Returns: (transfer full): the `d` JSON text
 */
char *
dgateway_mock_gateway_build_message_create (guint index)
{
  gint64 ms = MESSAGE_BASE_MS + (gint64) index * 1500;
  guint64 id = ((guint64) (ms - DISCORD_EPOCH_MS) << 22) | (index & 0xfff);
  guint author = (index * 7919u) % 50;
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (ms / 1000);
  g_autofree char *date = g_date_time_format (time, "%Y-%m-%dT%H:%M:%S");
  g_autofree char *content = pseudo_sentence (index * 2654435761u + 1, 12 + index % 25);
  g_autofree char *description = pseudo_sentence (index * 40503u + 7, 10 + index % 15);
  g_autofree char *avatar = g_strdup_printf ("%08x%08x%08x%08x", author * 2654435761u,
                                             author + 0x5eed, ~author, author * 40503u);

  return g_strdup_printf (
    "{\"type\":0,\"tts\":false,\"timestamp\":\"%s.%03d000+00:00\",\"pinned\":false,"
    "\"nonce\":\"%" G_GUINT64_FORMAT "\",\"mentions\":[],\"mention_roles\":[],"
    "\"mention_everyone\":false,\"member\":{\"roles\":[\"1100000000000000301\","
    "\"11000000000000003%02u\"],\"premium_since\":null,\"pending\":false,\"nick\":null,"
    "\"mute\":false,\"joined_at\":\"2023-03-14T15:09:26.535000+00:00\",\"flags\":0,"
    "\"deaf\":false,\"communication_disabled_until\":null,\"avatar\":null},"
    "\"id\":\"%" G_GUINT64_FORMAT "\",\"flags\":0,\"embeds\":[{\"type\":\"rich\","
    "\"title\":\"Build #%u passed\",\"description\":\"%s.\","
    "\"url\":\"https://ci.example.org/builds/%u\",\"color\":%u,"
    "\"fields\":[{\"name\":\"Branch\",\"value\":\"main\",\"inline\":true},"
    "{\"name\":\"Duration\",\"value\":\"%u s\",\"inline\":true}]}],"
    "\"edited_timestamp\":null,\"content\":\"Message %u from the mock gateway: "
    "%s. \\\"Quoted\\\"\\nsecond line.\",\"components\":[],\"channel_type\":0,"
    "\"channel_id\":\"" DGATEWAY_MOCK_GATEWAY_CHANNEL_ID "\",\"author\":{\"username\":\"user%u\","
    "\"public_flags\":0,\"id\":\"11000000000000010%02u\",\"global_name\":\"User %u\","
    "\"discriminator\":\"0\",\"bot\":false,\"avatar_decoration_data\":null,"
    "\"avatar\":\"%s\"},\"attachments\":[],\"guild_id\":\"" DGATEWAY_MOCK_GATEWAY_GUILD_ID "\"}",
    date, (int) (ms % 1000), id + 1, author, id, index, description, index,
    (index * 2654435761u) & 0xffffff, 30 + index % 90, index, content, author, author,
    author, avatar);
}

/**
 * dgateway_mock_gateway_new_with_port:
 * @port: the TCP port, or 0 for a free one
 * @error: return location for an error
 *
 * Starts a mock gateway listening on 127.0.0.1:@port.
 *
 * Returns: (transfer full) (nullable): the gateway, or `NULL` if binding failed
 */
DGatewayMockGateway *
dgateway_mock_gateway_new_with_port (guint    port,
                                     GError **error)
{
  return g_initable_new (DGATEWAY_TYPE_MOCK_GATEWAY, NULL, error, "port", port, NULL);
}

/**
 * dgateway_mock_gateway_new:
 * @error: return location for an error
 *
 * Starts a mock gateway listening on 127.0.0.1 and a free port.
 *
 * It serves on the thread-default [struct@GLib.MainContext], so the test's
 * main loop (or [method@GLib.MainContext.iteration]) must run for it to answer.
 *
 * Returns: (transfer full) (nullable): the gateway, or `NULL` if it could
 *   not listen
 */
DGatewayMockGateway *
dgateway_mock_gateway_new (GError **error)
{
  return dgateway_mock_gateway_new_with_port (0, error);
}

/**
 * dgateway_mock_gateway_get_port:
 * @self: a mock gateway
 *
 * Gets the TCP port the gateway listens on.
 *
 * Returns: the port
 */
guint
dgateway_mock_gateway_get_port (DGatewayMockGateway *self)
{
  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), 0);

  return self->port;
}

/**
 * dgateway_mock_gateway_get_url:
 * @self: a mock gateway
 *
 * Gets the URL of the gateway, `ws://127.0.0.1:PORT/gateway`: set it as
 * the client's [property@DGateway.Client:gateway-url].
 *
 * Returns: (transfer none): the URL
 */
const char *
dgateway_mock_gateway_get_url (DGatewayMockGateway *self)
{
  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), NULL);

  return self->url;
}

/**
 * dgateway_mock_gateway_get_resume_url:
 * @self: a mock gateway
 *
 * Gets the `resume_gateway_url` that every `READY` hands out,
 * `ws://127.0.0.1:PORT/resume`.
 *
 * Returns: (transfer none): the URL
 */
const char *
dgateway_mock_gateway_get_resume_url (DGatewayMockGateway *self)
{
  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), NULL);

  return self->resume_url;
}

/**
 * dgateway_mock_gateway_get_api_url:
 * @self: a mock gateway
 *
 * Gets the REST base URL, `http://127.0.0.1:PORT/api/v10`, which serves
 * `GET /gateway/bot` and `GET /gateway`: set it as the client's
 * [property@DGateway.Client:api-url] to test discovery.
 *
 * Returns: (transfer none): the URL
 */
const char *
dgateway_mock_gateway_get_api_url (DGatewayMockGateway *self)
{
  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), NULL);

  return self->api_url;
}

/**
 * dgateway_mock_gateway_set_token:
 * @self: a mock gateway
 * @token: the bot token
 *
 * Sets the token expected in IDENTIFY, RESUME and in the
 * `Authorization: Bot TOKEN` header; any other closes with 4004 or answers
 * 401.  The default is `test-token`.
 */
void
dgateway_mock_gateway_set_token (DGatewayMockGateway *self,
                                 const char          *token)
{
  g_return_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self));
  g_return_if_fail (token != NULL);

  g_free (self->token);
  self->token = g_strdup (token);
}

/**
 * dgateway_mock_gateway_set_heartbeat_interval:
 * @self: a mock gateway
 * @interval_ms: the interval, in milliseconds
 *
 * Sets the `heartbeat_interval` sent in HELLO to connections opened from
 * now on.  The default is Discord's 41250.
 */
void
dgateway_mock_gateway_set_heartbeat_interval (DGatewayMockGateway *self,
                                              guint                interval_ms)
{
  g_return_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self));

  if (self->heartbeat_interval == interval_ms)
    return;
  self->heartbeat_interval = interval_ms;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_HEARTBEAT_INTERVAL]);
}

/**
 * dgateway_mock_gateway_get_heartbeat_interval:
 * @self: a mock gateway
 *
 * Gets the `heartbeat_interval` sent in HELLO.
 *
 * Returns: the interval, in milliseconds
 */
guint
dgateway_mock_gateway_get_heartbeat_interval (DGatewayMockGateway *self)
{
  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), 0);

  return self->heartbeat_interval;
}

/**
 * dgateway_mock_gateway_set_ack_heartbeats:
 * @self: a mock gateway
 * @ack: whether to answer heartbeats
 *
 * Sets whether a heartbeat (op 1) from a client is answered with a
 * heartbeat ACK (op 11), as Discord does.  `FALSE` makes a zombie
 * connection that the client has to notice.  The default is `TRUE`.
 */
void
dgateway_mock_gateway_set_ack_heartbeats (DGatewayMockGateway *self,
                                          gboolean             ack)
{
  g_return_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self));

  if (self->ack_heartbeats == !!ack)
    return;
  self->ack_heartbeats = !!ack;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ACK_HEARTBEATS]);
}

/**
 * dgateway_mock_gateway_get_ack_heartbeats:
 * @self: a mock gateway
 *
 * Gets whether heartbeats are acknowledged.
 *
 * Returns: `TRUE` if they are
 */
gboolean
dgateway_mock_gateway_get_ack_heartbeats (DGatewayMockGateway *self)
{
  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), FALSE);

  return self->ack_heartbeats;
}

/**
 * dgateway_mock_gateway_set_accept_resume:
 * @self: a mock gateway
 * @accept: whether to resume known sessions
 *
 * Sets whether a RESUME of a known session succeeds, replaying what the
 * client missed, or gets an invalid session (op 9, `d` false).  The
 * default is `TRUE`.
 */
void
dgateway_mock_gateway_set_accept_resume (DGatewayMockGateway *self,
                                         gboolean             accept)
{
  g_return_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self));

  if (self->accept_resume == !!accept)
    return;
  self->accept_resume = !!accept;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ACCEPT_RESUME]);
}

/**
 * dgateway_mock_gateway_get_accept_resume:
 * @self: a mock gateway
 *
 * Gets whether a RESUME of a known session succeeds.
 *
 * Returns: `TRUE` if it does
 */
gboolean
dgateway_mock_gateway_get_accept_resume (DGatewayMockGateway *self)
{
  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), FALSE);

  return self->accept_resume;
}

/**
 * dgateway_mock_gateway_set_ignore_frames:
 * @self: a mock gateway
 * @ignore: whether to ignore client frames
 *
 * Sets whether client frames are only recorded, never answered nor
 * checked.  The default is `FALSE`.
 */
void
dgateway_mock_gateway_set_ignore_frames (DGatewayMockGateway *self,
                                         gboolean             ignore)
{
  g_return_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self));

  self->ignore_frames = !!ignore;
}

/**
 * dgateway_mock_gateway_set_send_hello:
 * @self: a mock gateway
 * @send_hello: whether to greet new connections
 *
 * Sets whether new connections get HELLO (op 10) when they open.  The
 * default is `TRUE`.
 */
void
dgateway_mock_gateway_set_send_hello (DGatewayMockGateway *self,
                                      gboolean             send_hello)
{
  g_return_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self));

  self->send_hello = !!send_hello;
}

/**
 * dgateway_mock_gateway_set_split_messages:
 * @self: a mock gateway
 * @n: how many WebSocket messages a payload takes
 *
 * Splits each zlib-stream payload into @n WebSocket messages, as Discord
 * does with big ones.  The default is 1.
 */
void
dgateway_mock_gateway_set_split_messages (DGatewayMockGateway *self,
                                          guint                n)
{
  g_return_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self));

  self->split_messages = MAX (n, 1);
}

/**
 * dgateway_mock_gateway_set_auto_events:
 * @self: a mock gateway
 * @n: how many events, or [const@MOCK_GATEWAY_EVENTS_FOREVER]
 *
 * Sets how many generated `MESSAGE_CREATE` events each session gets after
 * `READY` (see [func@MockGateway.build_message_create]).  The default is 0.
 */
void
dgateway_mock_gateway_set_auto_events (DGatewayMockGateway *self,
                                       guint                n)
{
  g_return_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self));

  if (self->auto_events == n)
    return;
  self->auto_events = n;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_AUTO_EVENTS]);
}

/**
 * dgateway_mock_gateway_get_auto_events:
 * @self: a mock gateway
 *
 * Gets how many generated events each session gets after `READY`.
 *
 * Returns: the number of events, or [const@MOCK_GATEWAY_EVENTS_FOREVER]
 */
guint
dgateway_mock_gateway_get_auto_events (DGatewayMockGateway *self)
{
  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), 0);

  return self->auto_events;
}

/**
 * dgateway_mock_gateway_set_auto_event_rate:
 * @self: a mock gateway
 * @per_second: events per second, or 0 for all at once
 *
 * Sets the pace of the automatic events.  The default, 0, sends them all
 * at once, except a stream without end, which goes at 10 a second.
 */
void
dgateway_mock_gateway_set_auto_event_rate (DGatewayMockGateway *self,
                                           guint                per_second)
{
  g_return_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self));

  if (self->auto_event_rate == per_second)
    return;
  self->auto_event_rate = per_second;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_AUTO_EVENT_RATE]);
}

/**
 * dgateway_mock_gateway_get_auto_event_rate:
 * @self: a mock gateway
 *
 * Gets the pace of the automatic events.
 *
 * Returns: events per second, or 0 for all at once
 */
guint
dgateway_mock_gateway_get_auto_event_rate (DGatewayMockGateway *self)
{
  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), 0);

  return self->auto_event_rate;
}

/**
 * dgateway_mock_gateway_set_rate_limit:
 * @self: a mock gateway
 * @max_per_minute: frames a connection may send in 60 s, or 0 for no limit
 *
 * Closes with 4008 a connection sending more than @max_per_minute frames
 * in a minute.  Discord allows 120; the default is 0.
 */
void
dgateway_mock_gateway_set_rate_limit (DGatewayMockGateway *self,
                                      guint                max_per_minute)
{
  g_return_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self));

  self->rate_limit = max_per_minute;
}

/**
 * dgateway_mock_gateway_set_recommended_shards:
 * @self: a mock gateway
 * @n: the shard count
 *
 * Sets `shards` in the `GET /gateway/bot` answer.  The default is 1.
 */
void
dgateway_mock_gateway_set_recommended_shards (DGatewayMockGateway *self,
                                              guint                n)
{
  g_return_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self));

  self->recommended_shards = n;
}

/**
 * dgateway_mock_gateway_set_gateway_bot_response:
 * @self: a mock gateway
 * @status: an HTTP status, or 0 for 200
 * @body: (nullable): the JSON body, or `NULL` for the usual one
 *
 * Overrides the `GET /gateway/bot` answer, after the token check.
 */
void
dgateway_mock_gateway_set_gateway_bot_response (DGatewayMockGateway *self,
                                                guint                status,
                                                const char          *body)
{
  g_return_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self));

  self->gateway_bot_status = status;
  g_free (self->gateway_bot_body);
  self->gateway_bot_body = g_strdup (body);
}

/**
 * dgateway_mock_gateway_set_recording:
 * @self: a mock gateway
 * @recording: (nullable): a recording, or `NULL` to stop using one
 *
 * Streams @recording into every session created from now on after its
 * `READY`, as fast as the socket takes it, then dispatches
 * [const@MOCK_GATEWAY_RECORDING_DONE]; a RESUME goes on where the stream
 * stopped.  Automatic events, if any, are sent as well.
 */
void
dgateway_mock_gateway_set_recording (DGatewayMockGateway   *self,
                                     DGatewayMockRecording *recording)
{
  g_return_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self));

  if (recording != NULL)
    dgateway_mock_recording_ref (recording);
  g_clear_pointer (&self->recording, dgateway_mock_recording_unref);
  self->recording = recording;
}

/**
 * dgateway_mock_gateway_invalidate_sessions:
 * @self: a mock gateway
 *
 * Forgets every session, so that any later RESUME gets an invalid session
 * (op 9).
 */
void
dgateway_mock_gateway_invalidate_sessions (DGatewayMockGateway *self)
{
  g_return_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self));

  g_hash_table_remove_all (self->sessions);
}

/**
 * dgateway_mock_gateway_set_close_after:
 * @self: a mock gateway
 * @n_events: how many dispatches a connection gets, or 0 for no limit
 * @code: the close code to close it with then
 *
 * Closes every connection with @code once it has been sent @n_events
 * dispatches (`READY` and `RESUMED` included).  The events generated
 * meanwhile stay in the session, so a client that resumes gets them.
 * The default is 0.
 */
void
dgateway_mock_gateway_set_close_after (DGatewayMockGateway *self,
                                       guint                n_events,
                                       gushort              code)
{
  g_return_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self));

  self->close_after_events = n_events;
  self->close_after_code = code;
}

/**
 * dgateway_mock_gateway_add_guild:
 * @self: a mock gateway
 * @guild_json: a `GUILD_CREATE` payload, as JSON text
 * @error: return location for an error
 *
 * Adds a guild to those the gateway holds.
 *
 * From then on, each new session lists the guilds of its shard in `READY`
 * as unavailable and sends a `GUILD_CREATE` with @guild_json for each
 * right after `READY`, and a Request Guild Members (op 8) for one of them
 * is answered with `GUILD_MEMBERS_CHUNK`s from its `members` (and
 * `presences`, if asked), selected by `query`, `limit` or `user_ids`.
 *
 * Without any guild, `READY` lists [const@MOCK_GATEWAY_GUILD_ID] and op 8
 * gets no answer.  [func@MockGateway.build_guild_create] makes guilds.
 *
 * Returns: `TRUE` if the guild was added; `FALSE` if @guild_json is not an
 *   object with a string `id`, or that guild is already there
 */
gboolean
dgateway_mock_gateway_add_guild (DGatewayMockGateway  *self,
                                 const char           *guild_json,
                                 GError              **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *guild;

  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), FALSE);
  g_return_val_if_fail (guild_json != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!json_parser_load_from_data (parser, guild_json, -1, error))
    return FALSE;
  guild = node_object (json_parser_get_root (parser));
  if (guild == NULL || member_string (guild, "id") == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "A guild is a JSON object with a string \"id\"");
      return FALSE;
    }
  if (find_guild (self, member_string (guild, "id")) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "Guild %s is already there", member_string (guild, "id"));
      return FALSE;
    }
  g_ptr_array_add (self->guilds, json_node_ref (json_parser_get_root (parser)));
  return TRUE;
}

/**
 * dgateway_mock_gateway_get_n_guilds:
 * @self: a mock gateway
 *
 * Gets how many guilds [method@MockGateway.add_guild] added.
 *
 * Returns: the number of guilds
 */
guint
dgateway_mock_gateway_get_n_guilds (DGatewayMockGateway *self)
{
  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), 0);

  return self->guilds->len;
}

static Connection *
get_connection (DGatewayMockGateway *self,
                guint                index)
{
  g_return_val_if_fail (index >= 1 && index <= self->connections->len, NULL);

  return g_ptr_array_index (self->connections, index - 1);
}

static Connection *
current_connection (DGatewayMockGateway *self)
{
  for (guint i = self->connections->len; i > 0; i--)
    {
      Connection *c = g_ptr_array_index (self->connections, i - 1);

      if (c->closed == 0)
        return c;
    }
  return NULL;
}

/* Scripting with nothing connected is a bug in the test, so say so. */
static Connection *
require_current_connection (DGatewayMockGateway *self)
{
  Connection *c = current_connection (self);

  if (c == NULL)
    g_warning ("mock gateway: no open connection to script");
  return c;
}

/**
 * dgateway_mock_gateway_send_dispatch:
 * @self: a mock gateway
 * @event_name: the event, such as `MESSAGE_CREATE`
 * @d_json: (nullable): its payload as JSON text, or `NULL` for `null`
 *
 * Dispatches an event (op 0) into the current session: it takes the next
 * sequence number and is kept for RESUME, and is sent at once if a
 * connection is attached.
 *
 * Returns: its sequence number, or 0 if there is no session
 */
gint64
dgateway_mock_gateway_send_dispatch (DGatewayMockGateway *self,
                                     const char          *event_name,
                                     const char          *d_json)
{
  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), 0);
  g_return_val_if_fail (event_name != NULL, 0);

  if (self->current_session == NULL)
    return 0;
  return session_dispatch (self->current_session, event_name, d_json);
}

/**
 * dgateway_mock_gateway_send_dispatch_to:
 * @self: a mock gateway
 * @index: a connection index, from 1
 * @event_name: the event, such as `MESSAGE_CREATE`
 * @d_json: (nullable): its payload as JSON text, or `NULL` for `null`
 *
 * Like [method@MockGateway.send_dispatch], into the session that
 * connection @index was last attached to.
 *
 * Returns: its sequence number, or 0 if there is no such session
 */
gint64
dgateway_mock_gateway_send_dispatch_to (DGatewayMockGateway *self,
                                        guint                index,
                                        const char          *event_name,
                                        const char          *d_json)
{
  Connection *c;

  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), 0);
  g_return_val_if_fail (event_name != NULL, 0);

  c = get_connection (self, index);
  if (c == NULL || c->session == NULL)
    return 0;
  return session_dispatch (c->session, event_name, d_json);
}

/**
 * dgateway_mock_gateway_send_messages:
 * @self: a mock gateway
 * @n: how many
 *
 * Dispatches @n generated `MESSAGE_CREATE` events of about 1 KB into the
 * current session.
 */
void
dgateway_mock_gateway_send_messages (DGatewayMockGateway *self,
                                     guint                n)
{
  g_return_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self));

  if (self->current_session != NULL)
    session_dispatch_messages (self->current_session, n);
}

/**
 * dgateway_mock_gateway_get_session_id:
 * @self: a mock gateway
 *
 * Gets the id of the current session: the one most recently created or
 * resumed.
 *
 * Returns: (transfer none) (nullable): the session id, or `NULL` if none
 */
const char *
dgateway_mock_gateway_get_session_id (DGatewayMockGateway *self)
{
  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), NULL);

  return self->current_session != NULL ? self->current_session->id : NULL;
}

/**
 * dgateway_mock_gateway_get_sequence:
 * @self: a mock gateway
 *
 * Gets the last sequence number of the current session.
 *
 * Returns: the sequence number, or 0 if there is no session
 */
gint64
dgateway_mock_gateway_get_sequence (DGatewayMockGateway *self)
{
  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), 0);

  return self->current_session != NULL ? self->current_session->seq : 0;
}

/**
 * dgateway_mock_gateway_send_op:
 * @self: a mock gateway
 * @op: the opcode
 * @d_json: (nullable): the payload as JSON text, or `NULL` for `null`
 *
 * Sends `{"op": OP, "d": D, "s": null, "t": null}` on the current
 * connection: the most recently opened one still open.  Scripting with
 * nothing connected is a bug in the test and warns.
 */
void
dgateway_mock_gateway_send_op (DGatewayMockGateway *self,
                               int                  op,
                               const char          *d_json)
{
  Connection *c;

  g_return_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self));

  c = require_current_connection (self);
  if (c != NULL)
    connection_send_op (c, op, d_json);
}

/**
 * dgateway_mock_gateway_send_heartbeat_request:
 * @self: a mock gateway
 *
 * Asks the client for a heartbeat at once (op 1), on the current
 * connection.
 */
void
dgateway_mock_gateway_send_heartbeat_request (DGatewayMockGateway *self)
{
  dgateway_mock_gateway_send_op (self, 1, NULL);
}

/**
 * dgateway_mock_gateway_send_reconnect:
 * @self: a mock gateway
 *
 * Tells the client to reconnect and resume (op 7), on the current
 * connection.
 */
void
dgateway_mock_gateway_send_reconnect (DGatewayMockGateway *self)
{
  dgateway_mock_gateway_send_op (self, 7, NULL);
}

/**
 * dgateway_mock_gateway_send_invalid_session:
 * @self: a mock gateway
 * @resumable: whether the client may resume
 *
 * Sends an invalid session (op 9) on the current connection: with `TRUE`
 * the client may resume, with `FALSE` it has to identify again.
 */
void
dgateway_mock_gateway_send_invalid_session (DGatewayMockGateway *self,
                                            gboolean             resumable)
{
  dgateway_mock_gateway_send_op (self, 9, resumable ? "true" : "false");
}

/**
 * dgateway_mock_gateway_send_raw:
 * @self: a mock gateway
 * @text: the payload
 *
 * Sends @text as one payload on the current connection, compressed if the
 * connection is.
 */
void
dgateway_mock_gateway_send_raw (DGatewayMockGateway *self,
                                const char          *text)
{
  Connection *c;

  g_return_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self));
  g_return_if_fail (text != NULL);

  c = require_current_connection (self);
  if (c != NULL)
    connection_send (c, text);
}

/**
 * dgateway_mock_gateway_send_corrupt:
 * @self: a mock gateway
 *
 * Sends a binary message that breaks the current connection's compressed
 * stream, or garbage if it is not compressed.
 */
void
dgateway_mock_gateway_send_corrupt (DGatewayMockGateway *self)
{
  Connection *c;

  g_return_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self));

  c = require_current_connection (self);
  if (c != NULL)
    connection_send_corrupt (c);
}

/**
 * dgateway_mock_gateway_close:
 * @self: a mock gateway
 * @code: the close code, such as 4000 or 4004
 * @reason: (nullable): the reason, or `NULL` for Discord's text for @code
 *
 * Closes the current connection with a WebSocket close frame.
 */
void
dgateway_mock_gateway_close (DGatewayMockGateway *self,
                             gushort              code,
                             const char          *reason)
{
  Connection *c;

  g_return_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self));

  c = require_current_connection (self);
  if (c != NULL)
    connection_close (c, code, reason);
}

/**
 * dgateway_mock_gateway_drop:
 * @self: a mock gateway
 *
 * Ends the current connection's TCP connection at once, without a close
 * frame, as a network failure would.
 */
void
dgateway_mock_gateway_drop (DGatewayMockGateway *self)
{
  Connection *c;

  g_return_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self));

  c = require_current_connection (self);
  if (c != NULL)
    connection_drop (c);
}

/**
 * dgateway_mock_gateway_send_op_to:
 * @self: a mock gateway
 * @index: a connection index, from 1
 * @op: the opcode
 * @d_json: (nullable): the payload as JSON text, or `NULL` for `null`
 *
 * Like [method@MockGateway.send_op], on connection @index.
 */
void
dgateway_mock_gateway_send_op_to (DGatewayMockGateway *self,
                                  guint                index,
                                  int                  op,
                                  const char          *d_json)
{
  Connection *c;

  g_return_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self));

  c = get_connection (self, index);
  if (c != NULL)
    connection_send_op (c, op, d_json);
}

/**
 * dgateway_mock_gateway_close_connection:
 * @self: a mock gateway
 * @index: a connection index, from 1
 * @code: the close code
 * @reason: (nullable): the reason, or `NULL` for Discord's text for @code
 *
 * Like [method@MockGateway.close], on connection @index.
 */
void
dgateway_mock_gateway_close_connection (DGatewayMockGateway *self,
                                        guint                index,
                                        gushort              code,
                                        const char          *reason)
{
  Connection *c;

  g_return_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self));

  c = get_connection (self, index);
  if (c != NULL)
    connection_close (c, code, reason);
}

/**
 * dgateway_mock_gateway_drop_connection:
 * @self: a mock gateway
 * @index: a connection index, from 1
 *
 * Like [method@MockGateway.drop], on connection @index.
 */
void
dgateway_mock_gateway_drop_connection (DGatewayMockGateway *self,
                                       guint                index)
{
  Connection *c;

  g_return_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self));

  c = get_connection (self, index);
  if (c != NULL)
    connection_drop (c);
}

/**
 * dgateway_mock_gateway_get_frames:
 * @self: a mock gateway
 *
 * Gets every frame clients sent, in order.
 *
 * Returns: (transfer none) (element-type DGatewayMockFrame): the frames
 */
GPtrArray *
dgateway_mock_gateway_get_frames (DGatewayMockGateway *self)
{
  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), NULL);

  return self->frames;
}

/**
 * dgateway_mock_gateway_count_frames:
 * @self: a mock gateway
 * @op: an opcode, or [const@MOCK_GATEWAY_ANY_OP]
 *
 * Counts the frames clients sent with opcode @op.
 *
 * Returns: the number of frames
 */
guint
dgateway_mock_gateway_count_frames (DGatewayMockGateway *self,
                                    int                  op)
{
  guint n = 0;

  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), 0);

  for (guint i = 0; i < self->frames->len; i++)
    {
      DGatewayMockFrame *frame = g_ptr_array_index (self->frames, i);

      if (op == DGATEWAY_MOCK_GATEWAY_ANY_OP || frame->op == op)
        n++;
    }
  return n;
}

/**
 * dgateway_mock_gateway_get_last_frame:
 * @self: a mock gateway
 * @op: an opcode, or [const@MOCK_GATEWAY_ANY_OP]
 *
 * Gets the last frame clients sent with opcode @op.
 *
 * Returns: (transfer none) (nullable): the frame, or `NULL` if none
 */
DGatewayMockFrame *
dgateway_mock_gateway_get_last_frame (DGatewayMockGateway *self,
                                      int                  op)
{
  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), NULL);

  for (guint i = self->frames->len; i > 0; i--)
    {
      DGatewayMockFrame *frame = g_ptr_array_index (self->frames, i - 1);

      if (op == DGATEWAY_MOCK_GATEWAY_ANY_OP || frame->op == op)
        return frame;
    }
  return NULL;
}

/**
 * dgateway_mock_gateway_get_n_connections:
 * @self: a mock gateway
 *
 * Gets how many WebSocket connections have opened so far.
 *
 * Returns: the number of connections; indices go from 1 to it
 */
guint
dgateway_mock_gateway_get_n_connections (DGatewayMockGateway *self)
{
  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), 0);

  return self->connections->len;
}

/**
 * dgateway_mock_gateway_get_n_open_connections:
 * @self: a mock gateway
 *
 * Gets how many WebSocket connections are still open.
 *
 * Returns: the number of open connections
 */
guint
dgateway_mock_gateway_get_n_open_connections (DGatewayMockGateway *self)
{
  guint n = 0;

  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), 0);

  for (guint i = 0; i < self->connections->len; i++)
    {
      Connection *c = g_ptr_array_index (self->connections, i);

      if (c->closed == 0)
        n++;
    }
  return n;
}

/**
 * dgateway_mock_gateway_is_connected:
 * @self: a mock gateway
 *
 * Gets whether some connection is open.
 *
 * Returns: `TRUE` if there is a current connection
 */
gboolean
dgateway_mock_gateway_is_connected (DGatewayMockGateway *self)
{
  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), FALSE);

  return current_connection (self) != NULL;
}

/**
 * dgateway_mock_gateway_get_connection_opened:
 * @self: a mock gateway
 * @index: a connection index, from 1
 *
 * Gets when connection @index opened.
 *
 * Returns: the monotonic time, in µs
 */
gint64
dgateway_mock_gateway_get_connection_opened (DGatewayMockGateway *self,
                                             guint                index)
{
  Connection *c;

  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), 0);

  c = get_connection (self, index);
  return c != NULL ? c->opened : 0;
}

/**
 * dgateway_mock_gateway_get_connection_closed:
 * @self: a mock gateway
 * @index: a connection index, from 1
 *
 * Gets when connection @index closed.
 *
 * Returns: the monotonic time, in µs, or 0 while it is open
 */
gint64
dgateway_mock_gateway_get_connection_closed (DGatewayMockGateway *self,
                                             guint                index)
{
  Connection *c;

  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), 0);

  c = get_connection (self, index);
  return c != NULL ? c->closed : 0;
}

/**
 * dgateway_mock_gateway_connection_on_resume_path:
 * @self: a mock gateway
 * @index: a connection index, from 1
 *
 * Gets whether connection @index was opened on the resume URL.
 *
 * Returns: `TRUE` for [method@MockGateway.get_resume_url]
 */
gboolean
dgateway_mock_gateway_connection_on_resume_path (DGatewayMockGateway *self,
                                                 guint                index)
{
  Connection *c;

  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), FALSE);

  c = get_connection (self, index);
  return c != NULL && c->on_resume_path;
}

/**
 * dgateway_mock_gateway_get_connection_query:
 * @self: a mock gateway
 * @index: a connection index, from 1
 *
 * Gets the query string of connection @index, such as
 * `v=10&encoding=json&compress=zstd-stream`.
 *
 * Returns: (transfer none) (nullable): the query, or `NULL` if it had none
 */
const char *
dgateway_mock_gateway_get_connection_query (DGatewayMockGateway *self,
                                            guint                index)
{
  Connection *c;

  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), NULL);

  c = get_connection (self, index);
  return c != NULL ? c->query : NULL;
}

/**
 * dgateway_mock_gateway_get_connection_close_code:
 * @self: a mock gateway
 * @index: a connection index, from 1
 *
 * Gets the close code of the client's close frame on connection @index
 * (an echo if the gateway closed first).
 *
 * Returns: the code, 0 if it closed without one, or -1 while it is open
 */
int
dgateway_mock_gateway_get_connection_close_code (DGatewayMockGateway *self,
                                                 guint                index)
{
  Connection *c;

  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), -1);

  c = get_connection (self, index);
  return c != NULL ? c->close_code : -1;
}

/**
 * dgateway_mock_gateway_get_n_gateway_bot_requests:
 * @self: a mock gateway
 *
 * Gets how many `GET /api/v10/gateway/bot` requests came.
 *
 * Returns: the number of requests
 */
guint
dgateway_mock_gateway_get_n_gateway_bot_requests (DGatewayMockGateway *self)
{
  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), 0);

  return self->n_gateway_bot_requests;
}

/**
 * dgateway_mock_gateway_get_last_user_agent:
 * @self: a mock gateway
 *
 * Gets the `User-Agent` of the last HTTP request or WebSocket upgrade.
 *
 * Returns: (transfer none) (nullable): the user agent, or `NULL` if none
 */
const char *
dgateway_mock_gateway_get_last_user_agent (DGatewayMockGateway *self)
{
  g_return_val_if_fail (DGATEWAY_IS_MOCK_GATEWAY (self), NULL);

  return self->last_user_agent;
}

/* GObject */

static gboolean
dgateway_mock_gateway_initable_init (GInitable     *initable,
                                     GCancellable  *cancellable,
                                     GError       **error)
{
  DGatewayMockGateway *self = DGATEWAY_MOCK_GATEWAY (initable);
  GSList *uris;

  if (!soup_server_listen_local (self->server, self->port,
                                 SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    return FALSE;

  uris = soup_server_get_uris (self->server);
  g_assert (uris != NULL);
  self->port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  self->url = g_strdup_printf ("ws://127.0.0.1:%u/gateway", self->port);
  self->resume_url = g_strdup_printf ("ws://127.0.0.1:%u/resume", self->port);
  self->api_url = g_strdup_printf ("http://127.0.0.1:%u/api/v10", self->port);
  return TRUE;
}

static void
dgateway_mock_gateway_initable_iface_init (GInitableIface *iface)
{
  iface->init = dgateway_mock_gateway_initable_init;
}

/* Closes what is still open with 1001, as a gateway going away would. */
static void
close_connections (DGatewayMockGateway *self)
{
  for (guint i = 0; i < self->connections->len; i++)
    {
      Connection *c = g_ptr_array_index (self->connections, i);

      if (c->ws == NULL)
        continue;
      c->ready = FALSE;
      connection_close (c, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
      if (c->closed == 0)
        c->closed = g_get_monotonic_time ();
      connection_release (c);
    }
}

static void
dgateway_mock_gateway_dispose (GObject *object)
{
  DGatewayMockGateway *self = DGATEWAY_MOCK_GATEWAY (object);

  g_hash_table_remove_all (self->sessions);
  close_connections (self);
  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);

  G_OBJECT_CLASS (dgateway_mock_gateway_parent_class)->dispose (object);
}

static void
dgateway_mock_gateway_finalize (GObject *object)
{
  DGatewayMockGateway *self = DGATEWAY_MOCK_GATEWAY (object);

  g_hash_table_unref (self->sessions);
  g_ptr_array_unref (self->connections);
  g_ptr_array_unref (self->frames);
  g_byte_array_unref (self->scratch);
  g_byte_array_unref (self->etf_scratch);
  g_clear_pointer (&self->recording, dgateway_mock_recording_unref);
  g_free (self->url);
  g_free (self->resume_url);
  g_free (self->api_url);
  g_free (self->token);
  g_free (self->gateway_bot_body);
  g_free (self->last_user_agent);
  g_ptr_array_unref (self->guilds);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (dgateway_mock_gateway_parent_class)->finalize (object);
}

static void
dgateway_mock_gateway_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  DGatewayMockGateway *self = DGATEWAY_MOCK_GATEWAY (object);

  switch (prop_id)
    {
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_API_URL:
      g_value_set_string (value, self->api_url);
      break;
    case PROP_HEARTBEAT_INTERVAL:
      g_value_set_uint (value, self->heartbeat_interval);
      break;
    case PROP_ACK_HEARTBEATS:
      g_value_set_boolean (value, self->ack_heartbeats);
      break;
    case PROP_ACCEPT_RESUME:
      g_value_set_boolean (value, self->accept_resume);
      break;
    case PROP_AUTO_EVENTS:
      g_value_set_uint (value, self->auto_events);
      break;
    case PROP_AUTO_EVENT_RATE:
      g_value_set_uint (value, self->auto_event_rate);
      break;
    case PROP_N_CONNECTIONS:
      g_value_set_uint (value, self->connections->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dgateway_mock_gateway_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  DGatewayMockGateway *self = DGATEWAY_MOCK_GATEWAY (object);

  switch (prop_id)
    {
    case PROP_PORT:
      self->port = g_value_get_uint (value);
      break;
    case PROP_HEARTBEAT_INTERVAL:
      dgateway_mock_gateway_set_heartbeat_interval (self, g_value_get_uint (value));
      break;
    case PROP_ACK_HEARTBEATS:
      dgateway_mock_gateway_set_ack_heartbeats (self, g_value_get_boolean (value));
      break;
    case PROP_ACCEPT_RESUME:
      dgateway_mock_gateway_set_accept_resume (self, g_value_get_boolean (value));
      break;
    case PROP_AUTO_EVENTS:
      dgateway_mock_gateway_set_auto_events (self, g_value_get_uint (value));
      break;
    case PROP_AUTO_EVENT_RATE:
      dgateway_mock_gateway_set_auto_event_rate (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dgateway_mock_gateway_class_init (DGatewayMockGatewayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dgateway_mock_gateway_dispose;
  object_class->finalize = dgateway_mock_gateway_finalize;
  object_class->get_property = dgateway_mock_gateway_get_property;
  object_class->set_property = dgateway_mock_gateway_set_property;

  /**
   * DGatewayMockGateway:port:
   *
   * The TCP port to listen on; 0, the default, picks a free one, and the
   * property then reads the one picked.
   */
  props[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0,
                                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY
                                        | G_PARAM_STATIC_STRINGS);
  /**
   * DGatewayMockGateway:url:
   *
   * The URL of the gateway, `ws://127.0.0.1:PORT/gateway`.
   */
  props[PROP_URL] = g_param_spec_string ("url", NULL, NULL, NULL,
                                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * DGatewayMockGateway:api-url:
   *
   * The REST base URL, `http://127.0.0.1:PORT/api/v10`.
   */
  props[PROP_API_URL] = g_param_spec_string ("api-url", NULL, NULL, NULL,
                                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * DGatewayMockGateway:heartbeat-interval:
   *
   * The `heartbeat_interval` sent in HELLO, in milliseconds.
   */
  props[PROP_HEARTBEAT_INTERVAL] =
    g_param_spec_uint ("heartbeat-interval", NULL, NULL, 0, G_MAXUINT, DEFAULT_HEARTBEAT_INTERVAL,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DGatewayMockGateway:ack-heartbeats:
   *
   * Whether heartbeats are acknowledged.
   */
  props[PROP_ACK_HEARTBEATS] =
    g_param_spec_boolean ("ack-heartbeats", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DGatewayMockGateway:accept-resume:
   *
   * Whether a RESUME of a known session succeeds.
   */
  props[PROP_ACCEPT_RESUME] =
    g_param_spec_boolean ("accept-resume", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DGatewayMockGateway:auto-events:
   *
   * How many generated `MESSAGE_CREATE` events each session gets after
   * `READY`.
   */
  props[PROP_AUTO_EVENTS] =
    g_param_spec_uint ("auto-events", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DGatewayMockGateway:auto-event-rate:
   *
   * The pace of the automatic events, per second; 0 sends them at once.
   */
  props[PROP_AUTO_EVENT_RATE] =
    g_param_spec_uint ("auto-event-rate", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DGatewayMockGateway:n-connections:
   *
   * How many WebSocket connections have opened so far.
   */
  props[PROP_N_CONNECTIONS] =
    g_param_spec_uint ("n-connections", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * DGatewayMockGateway::frame-received:
   * @self: the mock gateway
   * @frame: the frame, as recorded
   *
   * Emitted for every frame a client sends, after the gateway recorded and
   * answered it.  The frame belongs to the gateway; copy it to keep it
   * past the handler.
   */
  signals[SIGNAL_FRAME_RECEIVED] =
    g_signal_new ("frame-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  DGATEWAY_TYPE_MOCK_FRAME | G_SIGNAL_TYPE_STATIC_SCOPE);
  /**
   * DGatewayMockGateway::connection-opened:
   * @self: the mock gateway
   * @index: the index of the connection, from 1
   *
   * Emitted when a WebSocket connection opens, before HELLO is sent.
   */
  signals[SIGNAL_CONNECTION_OPENED] =
    g_signal_new ("connection-opened", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  /**
   * DGatewayMockGateway::connection-closed:
   * @self: the mock gateway
   * @index: the index of the connection, from 1
   *
   * Emitted when a WebSocket connection has closed.
   */
  signals[SIGNAL_CONNECTION_CLOSED] =
    g_signal_new ("connection-closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
dgateway_mock_gateway_init (DGatewayMockGateway *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->token = g_strdup (DEFAULT_TOKEN);
  self->heartbeat_interval = DEFAULT_HEARTBEAT_INTERVAL;
  self->ack_heartbeats = TRUE;
  self->accept_resume = TRUE;
  self->send_hello = TRUE;
  self->split_messages = 1;
  self->recommended_shards = 1;
  self->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) dgateway_mock_frame_free);
  self->connections = g_ptr_array_new_with_free_func (connection_free);
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, session_free);
  self->scratch = g_byte_array_new ();
  self->etf_scratch = g_byte_array_new ();
  self->guilds = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  self->server = soup_server_new (NULL, NULL);
  /* Discord offers no permessage-deflate: transport compression is its own. */
  soup_server_remove_websocket_extension (self->server, SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);
  soup_server_add_websocket_handler (self->server, "/gateway", NULL, NULL,
                                     websocket_cb, self, NULL);
  soup_server_add_websocket_handler (self->server, "/resume", NULL, NULL,
                                     websocket_cb, self, NULL);
  soup_server_add_handler (self->server, "/api", api_cb, self, NULL);
}
