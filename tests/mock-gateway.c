/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "mock-gateway.h"

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
  MockGateway             *gateway;
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
  z_stream                 zlib;
  ZSTD_CStream            *zstd;
  gint64                   window_start;
  guint                    window_count;
} Connection;

struct _Session {
  MockGateway *gateway;
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
  MockRecording *recording;     /* streamed after READY, or NULL */
  guint        recording_pos;   /* next event of it to send */
  gboolean     recording_done;  /* MOCK_GATEWAY_RECORDING_DONE was sent */
  GSource     *recording_source;
};

struct _MockGateway {
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

  MockRecording *recording;

  GPtrArray    *frames;
  GPtrArray    *connections;
  GHashTable   *sessions;
  Session      *current_session;
  guint         n_gateway_bot_requests;
  char         *last_user_agent;
  GByteArray   *scratch;
};

static void mock_gateway_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MockGateway, mock_gateway, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      mock_gateway_initable_iface_init))

enum {
  PROP_0,
  PROP_PORT,
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

/* Recorded frames */

static void
frame_free (gpointer data)
{
  MockFrame *frame = data;

  g_free (frame->text);
  g_clear_pointer (&frame->d, json_node_unref);
  g_free (frame);
}

static void
frame_parse (MockFrame  *frame,
             const char *data,
             gsize       size,
             gboolean   *is_object)
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

static MockFrame *
frame_new (Connection *c,
           GBytes     *message,
           gboolean    binary,
           gboolean   *is_object)
{
  MockFrame *frame = g_new0 (MockFrame, 1);
  gsize size;
  const char *data = g_bytes_get_data (message, &size);

  frame->time = g_get_monotonic_time ();
  frame->connection = c->index;
  frame->on_resume_path = c->on_resume_path;
  frame->op = -1;
  frame->text = g_strndup (data, size);
  *is_object = FALSE;
  if (!binary)
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

static void
connection_send (Connection *c,
                 const char *text)
{
  GByteArray *scratch = c->gateway->scratch;

  if (!connection_can_send (c))
    return;

  g_byte_array_set_size (scratch, 0);
  switch (c->compression)
    {
    case COMPRESSION_NONE:
      soup_websocket_connection_send_text (c->ws, text);
      break;
    case COMPRESSION_ZLIB:
      zlib_compress (c, text, strlen (text), scratch);
      send_split (c->ws, scratch->data, scratch->len, c->gateway->split_messages);
      break;
    case COMPRESSION_ZSTD:
      if (zstd_compress (c, text, strlen (text), scratch))
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
  MockGateway *self = s->gateway;

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
  g_clear_pointer (&s->recording, mock_recording_unref);
  g_free (s->id);
  g_free (s);
}

static Session *
session_new (MockGateway *self,
             int          shard_id,
             int          shard_count)
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
    s->recording = mock_recording_ref (self->recording);
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

  if (s->connection != NULL && s->connection->ready)
    connection_send (s->connection, frame);
  return s->seq;
}

static void
session_dispatch_messages (Session *s,
                           guint    n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *d = mock_gateway_build_message_create (s->message_index++);

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
      if (s->stream_remaining != MOCK_GATEWAY_EVENTS_FOREVER)
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
  const guint8 *payload = (const guint8 *) text;
  gsize len = strlen (text);
  guint8 header[10];
  gsize header_len;

  g_byte_array_set_size (scratch, 0);
  if (c->compression == COMPRESSION_ZLIB)
    zlib_compress (c, text, len, scratch);
  else if (c->compression == COMPRESSION_ZSTD && !zstd_compress (c, text, len, scratch))
    return;
  if (c->compression != COMPRESSION_NONE)
    {
      payload = scratch->data;
      len = scratch->len;
    }

  header[0] = 0x80 | (c->compression == COMPRESSION_NONE ? 0x1 : 0x2);
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
  guint n = mock_recording_get_n_events (s->recording);
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
      const char *name = mock_recording_get_event_name (s->recording, s->recording_pos);
      const char *data = mock_recording_get_event_data (s->recording, s->recording_pos);

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
  session_dispatch (s, MOCK_GATEWAY_RECORDING_DONE, done);
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
  MockGateway *self = s->gateway;
  gboolean forever = s->stream_remaining == MOCK_GATEWAY_EVENTS_FOREVER;

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

static char *
build_ready (MockGateway *self,
             Session     *s)
{
  g_autofree char *shard = NULL;
  gboolean has_guild = TRUE;

  /* Discord routes a guild to shard (guild_id >> 22) % num_shards (gateway.md section 7). */
  if (s->shard_id >= 0)
    {
      guint64 guild = g_ascii_strtoull (MOCK_GATEWAY_GUILD_ID, NULL, 10);

      has_guild = (int) ((guild >> 22) % (guint64) s->shard_count) == s->shard_id;
      shard = g_strdup_printf (",\"shard\":[%d,%d]", s->shard_id, s->shard_count);
    }

  return g_strdup_printf ("{\"v\":10,\"user\":{\"id\":\"" MOCK_GATEWAY_BOT_ID "\","
                          "\"username\":\"mockbot\",\"discriminator\":\"0\","
                          "\"global_name\":null,\"avatar\":null,\"bot\":true},"
                          "\"guilds\":[%s],\"session_id\":\"%s\","
                          "\"resume_gateway_url\":\"%s\","
                          "\"application\":{\"id\":\"" MOCK_GATEWAY_APPLICATION_ID "\","
                          "\"flags\":0}%s}",
                          has_guild ? "{\"id\":\"" MOCK_GATEWAY_GUILD_ID "\",\"unavailable\":true}" : "",
                          s->id, self->resume_url, shard != NULL ? shard : "");
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
check_identify (MockGateway *self,
                Connection  *c,
                JsonObject  *d,
                int         *shard_id,
                int         *shard_count)
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
  MockGateway *self = c->gateway;
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
  s->stream_remaining = self->auto_events;
  session_start_stream (s);
}

static int
check_resume (MockGateway  *self,
              Connection   *c,
              JsonObject   *d,
              const char  **session_id,
              gint64       *seq)
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
  MockGateway *self = c->gateway;
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

static void
handle_op (Connection *c,
           MockFrame  *frame)
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
    case 3: /* Presence Update */
    case 4: /* Voice State Update */
    case 8: /* Request Guild Members */
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
handle_frame (Connection *c,
              MockFrame  *frame,
              gsize       size,
              gboolean    is_object)
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
  g_autoptr(MockGateway) self = g_object_ref (c->gateway);
  gboolean is_object;
  MockFrame *frame;

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
  g_autoptr(MockGateway) self = g_object_ref (c->gateway);
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
record_user_agent (MockGateway       *self,
                   SoupServerMessage *msg)
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

/* Returns the close code the query deserves, or 0.  The mock speaks
 * JSON only, and API versions 9 and 10 (gateway.md section 1). */
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
  if (encoding != NULL && g_strcmp0 (encoding, "json") != 0)
    return 4002;
  compression_init (c, g_hash_table_lookup (params, "compress"));
  return 0;
}

static Connection *
connection_new (MockGateway             *self,
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
  MockGateway *self = user_data;
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
respond_gateway_bot (MockGateway       *self,
                     SoupServerMessage *msg)
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
  MockGateway *self = user_data;
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
 * mock_gateway_build_message_create:
 * @index: which message
 *
 * Builds a realistic MESSAGE_CREATE payload of about 1 KB, the same for the
 * same @index; its id and timestamp agree as real snowflakes do.
 *
 * Returns: (transfer full): the "d" JSON text
 */
char *
mock_gateway_build_message_create (guint index)
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
    "\"channel_id\":\"" MOCK_GATEWAY_CHANNEL_ID "\",\"author\":{\"username\":\"user%u\","
    "\"public_flags\":0,\"id\":\"11000000000000010%02u\",\"global_name\":\"User %u\","
    "\"discriminator\":\"0\",\"bot\":false,\"avatar_decoration_data\":null,"
    "\"avatar\":\"%s\"},\"attachments\":[],\"guild_id\":\"" MOCK_GATEWAY_GUILD_ID "\"}",
    date, (int) (ms % 1000), id + 1, author, id, index, description, index,
    (index * 2654435761u) & 0xffffff, 30 + index % 90, index, content, author, author,
    author, avatar);
}

/**
 * mock_gateway_new_with_port:
 * @port: the TCP port, or 0 for a free one
 * @error: return location for an error
 *
 * Starts a mock gateway listening on 127.0.0.1:@port.
 *
 * Returns: (transfer full) (nullable): the gateway, or `NULL` if binding failed
 */
MockGateway *
mock_gateway_new_with_port (guint    port,
                            GError **error)
{
  return g_initable_new (MOCK_TYPE_GATEWAY, NULL, error, "port", port, NULL);
}

/**
 * mock_gateway_new:
 *
 * Starts a mock gateway on 127.0.0.1 and a free port.
 *
 * Returns: (transfer full): the gateway
 */
MockGateway *
mock_gateway_new (void)
{
  g_autoptr(GError) error = NULL;
  MockGateway *self = mock_gateway_new_with_port (0, &error);

  if (self == NULL)
    g_critical ("mock gateway: cannot listen: %s", error->message);
  return self;
}

guint
mock_gateway_get_port (MockGateway *self)
{
  g_return_val_if_fail (MOCK_IS_GATEWAY (self), 0);

  return self->port;
}

const char *
mock_gateway_get_url (MockGateway *self)
{
  g_return_val_if_fail (MOCK_IS_GATEWAY (self), NULL);

  return self->url;
}

const char *
mock_gateway_get_resume_url (MockGateway *self)
{
  g_return_val_if_fail (MOCK_IS_GATEWAY (self), NULL);

  return self->resume_url;
}

const char *
mock_gateway_get_api_url (MockGateway *self)
{
  g_return_val_if_fail (MOCK_IS_GATEWAY (self), NULL);

  return self->api_url;
}

void
mock_gateway_set_token (MockGateway *self,
                        const char  *token)
{
  g_return_if_fail (MOCK_IS_GATEWAY (self));
  g_return_if_fail (token != NULL);

  g_free (self->token);
  self->token = g_strdup (token);
}

void
mock_gateway_set_heartbeat_interval (MockGateway *self,
                                     guint        interval_ms)
{
  g_return_if_fail (MOCK_IS_GATEWAY (self));

  self->heartbeat_interval = interval_ms;
}

void
mock_gateway_set_ack_heartbeats (MockGateway *self,
                                 gboolean     ack)
{
  g_return_if_fail (MOCK_IS_GATEWAY (self));

  self->ack_heartbeats = !!ack;
}

void
mock_gateway_set_accept_resume (MockGateway *self,
                                gboolean     accept)
{
  g_return_if_fail (MOCK_IS_GATEWAY (self));

  self->accept_resume = !!accept;
}

void
mock_gateway_set_ignore_frames (MockGateway *self,
                                gboolean     ignore)
{
  g_return_if_fail (MOCK_IS_GATEWAY (self));

  self->ignore_frames = !!ignore;
}

void
mock_gateway_set_send_hello (MockGateway *self,
                             gboolean     send_hello)
{
  g_return_if_fail (MOCK_IS_GATEWAY (self));

  self->send_hello = !!send_hello;
}

void
mock_gateway_set_split_messages (MockGateway *self,
                                 guint        n)
{
  g_return_if_fail (MOCK_IS_GATEWAY (self));

  self->split_messages = MAX (n, 1);
}

void
mock_gateway_set_auto_events (MockGateway *self,
                              guint        n)
{
  g_return_if_fail (MOCK_IS_GATEWAY (self));

  self->auto_events = n;
}

void
mock_gateway_set_auto_event_rate (MockGateway *self,
                                  guint        per_second)
{
  g_return_if_fail (MOCK_IS_GATEWAY (self));

  self->auto_event_rate = per_second;
}

void
mock_gateway_set_rate_limit (MockGateway *self,
                             guint        max_per_minute)
{
  g_return_if_fail (MOCK_IS_GATEWAY (self));

  self->rate_limit = max_per_minute;
}

void
mock_gateway_set_recommended_shards (MockGateway *self,
                                     guint        n)
{
  g_return_if_fail (MOCK_IS_GATEWAY (self));

  self->recommended_shards = n;
}

void
mock_gateway_set_gateway_bot_response (MockGateway *self,
                                       guint        status,
                                       const char  *body)
{
  g_return_if_fail (MOCK_IS_GATEWAY (self));

  self->gateway_bot_status = status;
  g_free (self->gateway_bot_body);
  self->gateway_bot_body = g_strdup (body);
}

void
mock_gateway_set_recording (MockGateway   *self,
                            MockRecording *recording)
{
  g_return_if_fail (MOCK_IS_GATEWAY (self));

  if (recording != NULL)
    mock_recording_ref (recording);
  g_clear_pointer (&self->recording, mock_recording_unref);
  self->recording = recording;
}

void
mock_gateway_invalidate_sessions (MockGateway *self)
{
  g_return_if_fail (MOCK_IS_GATEWAY (self));

  g_hash_table_remove_all (self->sessions);
}

static Connection *
get_connection (MockGateway *self,
                guint        index)
{
  g_return_val_if_fail (index >= 1 && index <= self->connections->len, NULL);

  return g_ptr_array_index (self->connections, index - 1);
}

static Connection *
current_connection (MockGateway *self)
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
require_current_connection (MockGateway *self)
{
  Connection *c = current_connection (self);

  if (c == NULL)
    g_warning ("mock gateway: no open connection to script");
  return c;
}

gint64
mock_gateway_dispatch (MockGateway *self,
                       const char  *event_name,
                       const char  *d_json)
{
  g_return_val_if_fail (MOCK_IS_GATEWAY (self), 0);
  g_return_val_if_fail (event_name != NULL, 0);

  if (self->current_session == NULL)
    return 0;
  return session_dispatch (self->current_session, event_name, d_json);
}

gint64
mock_gateway_dispatch_on (MockGateway *self,
                          guint        index,
                          const char  *event_name,
                          const char  *d_json)
{
  Connection *c;

  g_return_val_if_fail (MOCK_IS_GATEWAY (self), 0);
  g_return_val_if_fail (event_name != NULL, 0);

  c = get_connection (self, index);
  if (c == NULL || c->session == NULL)
    return 0;
  return session_dispatch (c->session, event_name, d_json);
}

void
mock_gateway_dispatch_messages (MockGateway *self,
                                guint        n)
{
  g_return_if_fail (MOCK_IS_GATEWAY (self));

  if (self->current_session != NULL)
    session_dispatch_messages (self->current_session, n);
}

const char *
mock_gateway_get_session_id (MockGateway *self)
{
  g_return_val_if_fail (MOCK_IS_GATEWAY (self), NULL);

  return self->current_session != NULL ? self->current_session->id : NULL;
}

gint64
mock_gateway_get_sequence (MockGateway *self)
{
  g_return_val_if_fail (MOCK_IS_GATEWAY (self), 0);

  return self->current_session != NULL ? self->current_session->seq : 0;
}

void
mock_gateway_send_op (MockGateway *self,
                      int          op,
                      const char  *d_json)
{
  Connection *c;

  g_return_if_fail (MOCK_IS_GATEWAY (self));

  c = require_current_connection (self);
  if (c != NULL)
    connection_send_op (c, op, d_json);
}

void
mock_gateway_send_raw (MockGateway *self,
                       const char  *text)
{
  Connection *c;

  g_return_if_fail (MOCK_IS_GATEWAY (self));
  g_return_if_fail (text != NULL);

  c = require_current_connection (self);
  if (c != NULL)
    connection_send (c, text);
}

void
mock_gateway_send_corrupt (MockGateway *self)
{
  Connection *c;

  g_return_if_fail (MOCK_IS_GATEWAY (self));

  c = require_current_connection (self);
  if (c != NULL)
    connection_send_corrupt (c);
}

void
mock_gateway_close (MockGateway *self,
                    gushort      code,
                    const char  *reason)
{
  Connection *c;

  g_return_if_fail (MOCK_IS_GATEWAY (self));

  c = require_current_connection (self);
  if (c != NULL)
    connection_close (c, code, reason);
}

void
mock_gateway_drop (MockGateway *self)
{
  Connection *c;

  g_return_if_fail (MOCK_IS_GATEWAY (self));

  c = require_current_connection (self);
  if (c != NULL)
    connection_drop (c);
}

void
mock_gateway_send_op_to (MockGateway *self,
                         guint        index,
                         int          op,
                         const char  *d_json)
{
  Connection *c;

  g_return_if_fail (MOCK_IS_GATEWAY (self));

  c = get_connection (self, index);
  if (c != NULL)
    connection_send_op (c, op, d_json);
}

void
mock_gateway_close_connection (MockGateway *self,
                               guint        index,
                               gushort      code,
                               const char  *reason)
{
  Connection *c;

  g_return_if_fail (MOCK_IS_GATEWAY (self));

  c = get_connection (self, index);
  if (c != NULL)
    connection_close (c, code, reason);
}

void
mock_gateway_drop_connection (MockGateway *self,
                              guint        index)
{
  Connection *c;

  g_return_if_fail (MOCK_IS_GATEWAY (self));

  c = get_connection (self, index);
  if (c != NULL)
    connection_drop (c);
}

GPtrArray *
mock_gateway_get_frames (MockGateway *self)
{
  g_return_val_if_fail (MOCK_IS_GATEWAY (self), NULL);

  return self->frames;
}

guint
mock_gateway_count_frames (MockGateway *self,
                           int          op)
{
  guint n = 0;

  g_return_val_if_fail (MOCK_IS_GATEWAY (self), 0);

  for (guint i = 0; i < self->frames->len; i++)
    {
      MockFrame *frame = g_ptr_array_index (self->frames, i);

      if (op == MOCK_GATEWAY_ANY_OP || frame->op == op)
        n++;
    }
  return n;
}

MockFrame *
mock_gateway_get_last_frame (MockGateway *self,
                             int          op)
{
  g_return_val_if_fail (MOCK_IS_GATEWAY (self), NULL);

  for (guint i = self->frames->len; i > 0; i--)
    {
      MockFrame *frame = g_ptr_array_index (self->frames, i - 1);

      if (op == MOCK_GATEWAY_ANY_OP || frame->op == op)
        return frame;
    }
  return NULL;
}

guint
mock_gateway_get_n_connections (MockGateway *self)
{
  g_return_val_if_fail (MOCK_IS_GATEWAY (self), 0);

  return self->connections->len;
}

guint
mock_gateway_get_n_open_connections (MockGateway *self)
{
  guint n = 0;

  g_return_val_if_fail (MOCK_IS_GATEWAY (self), 0);

  for (guint i = 0; i < self->connections->len; i++)
    {
      Connection *c = g_ptr_array_index (self->connections, i);

      if (c->closed == 0)
        n++;
    }
  return n;
}

gboolean
mock_gateway_is_connected (MockGateway *self)
{
  g_return_val_if_fail (MOCK_IS_GATEWAY (self), FALSE);

  return current_connection (self) != NULL;
}

gint64
mock_gateway_get_connection_opened (MockGateway *self,
                                    guint        index)
{
  Connection *c;

  g_return_val_if_fail (MOCK_IS_GATEWAY (self), 0);

  c = get_connection (self, index);
  return c != NULL ? c->opened : 0;
}

gint64
mock_gateway_get_connection_closed (MockGateway *self,
                                    guint        index)
{
  Connection *c;

  g_return_val_if_fail (MOCK_IS_GATEWAY (self), 0);

  c = get_connection (self, index);
  return c != NULL ? c->closed : 0;
}

gboolean
mock_gateway_connection_on_resume_path (MockGateway *self,
                                        guint        index)
{
  Connection *c;

  g_return_val_if_fail (MOCK_IS_GATEWAY (self), FALSE);

  c = get_connection (self, index);
  return c != NULL && c->on_resume_path;
}

const char *
mock_gateway_get_connection_query (MockGateway *self,
                                   guint        index)
{
  Connection *c;

  g_return_val_if_fail (MOCK_IS_GATEWAY (self), NULL);

  c = get_connection (self, index);
  return c != NULL ? c->query : NULL;
}

int
mock_gateway_get_connection_close_code (MockGateway *self,
                                        guint        index)
{
  Connection *c;

  g_return_val_if_fail (MOCK_IS_GATEWAY (self), -1);

  c = get_connection (self, index);
  return c != NULL ? c->close_code : -1;
}

guint
mock_gateway_get_n_gateway_bot_requests (MockGateway *self)
{
  g_return_val_if_fail (MOCK_IS_GATEWAY (self), 0);

  return self->n_gateway_bot_requests;
}

const char *
mock_gateway_get_last_user_agent (MockGateway *self)
{
  g_return_val_if_fail (MOCK_IS_GATEWAY (self), NULL);

  return self->last_user_agent;
}

/* GObject */

static gboolean
mock_gateway_initable_init (GInitable     *initable,
                            GCancellable  *cancellable,
                            GError       **error)
{
  MockGateway *self = MOCK_GATEWAY (initable);
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
mock_gateway_initable_iface_init (GInitableIface *iface)
{
  iface->init = mock_gateway_initable_init;
}

/* Closes what is still open with 1001, as a gateway going away would. */
static void
close_connections (MockGateway *self)
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
mock_gateway_dispose (GObject *object)
{
  MockGateway *self = MOCK_GATEWAY (object);

  g_hash_table_remove_all (self->sessions);
  close_connections (self);
  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);

  G_OBJECT_CLASS (mock_gateway_parent_class)->dispose (object);
}

static void
mock_gateway_finalize (GObject *object)
{
  MockGateway *self = MOCK_GATEWAY (object);

  g_hash_table_unref (self->sessions);
  g_ptr_array_unref (self->connections);
  g_ptr_array_unref (self->frames);
  g_byte_array_unref (self->scratch);
  g_clear_pointer (&self->recording, mock_recording_unref);
  g_free (self->url);
  g_free (self->resume_url);
  g_free (self->api_url);
  g_free (self->token);
  g_free (self->gateway_bot_body);
  g_free (self->last_user_agent);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (mock_gateway_parent_class)->finalize (object);
}

static void
mock_gateway_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  MockGateway *self = MOCK_GATEWAY (object);

  switch (prop_id)
    {
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mock_gateway_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  MockGateway *self = MOCK_GATEWAY (object);

  switch (prop_id)
    {
    case PROP_PORT:
      self->port = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mock_gateway_class_init (MockGatewayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mock_gateway_dispose;
  object_class->finalize = mock_gateway_finalize;
  object_class->get_property = mock_gateway_get_property;
  object_class->set_property = mock_gateway_set_property;

  /* The TCP port to listen on; 0 picks a free one, read back afterwards. */
  props[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0,
                                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY
                                        | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /* Emitted after a client frame was recorded and answered (MockFrame *). */
  signals[SIGNAL_FRAME_RECEIVED] =
    g_signal_new ("frame-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /* Emitted when a WebSocket opens, before HELLO is sent (its index). */
  signals[SIGNAL_CONNECTION_OPENED] =
    g_signal_new ("connection-opened", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  /* Emitted when a WebSocket has closed (its index). */
  signals[SIGNAL_CONNECTION_CLOSED] =
    g_signal_new ("connection-closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
mock_gateway_init (MockGateway *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->token = g_strdup (DEFAULT_TOKEN);
  self->heartbeat_interval = DEFAULT_HEARTBEAT_INTERVAL;
  self->ack_heartbeats = TRUE;
  self->accept_resume = TRUE;
  self->send_hello = TRUE;
  self->split_messages = 1;
  self->recommended_shards = 1;
  self->frames = g_ptr_array_new_with_free_func (frame_free);
  self->connections = g_ptr_array_new_with_free_func (connection_free);
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, session_free);
  self->scratch = g_byte_array_new ();

  self->server = soup_server_new (NULL, NULL);
  /* Discord offers no permessage-deflate: transport compression is its own. */
  soup_server_remove_websocket_extension (self->server, SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);
  soup_server_add_websocket_handler (self->server, "/gateway", NULL, NULL,
                                     websocket_cb, self, NULL);
  soup_server_add_websocket_handler (self->server, "/resume", NULL, NULL,
                                     websocket_cb, self, NULL);
  soup_server_add_handler (self->server, "/api", api_cb, self, NULL);
}
