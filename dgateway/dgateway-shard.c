/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-enum-types.h"
#include "dgateway-error.h"
#include "dgateway-etf-private.h"
#include "dgateway-link-private.h"
#include "dgateway-payload-private.h"
#include "dgateway-policy-private.h"
#include "dgateway-rate-limiter-private.h"
#include "dgateway-shard-private.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

/**
 * DGatewayShard:
 *
 * One Gateway connection of a [class@Client].
 *
 * A shard owns exactly one WebSocket session at a time and runs the
 * protocol on it: HELLO, heartbeats and zombie detection, IDENTIFY or
 * RESUME, the opcodes 1, 7, 9 and 11, close codes, and reconnection with
 * capped exponential backoff. Its properties are the metrics of its own
 * connection; the client's properties aggregate those of all its shards.
 *
 * Shards are made by the client; get them with
 * [method@Client.get_shards].
 */

/*
 * How the shard is built
 *
 * A shard gets everything it needs from its client when it is made, as an
 * immutable DGatewayShardConfig, and never calls its client: it reports
 * through its signals and property notifications, which the client
 * connects to. Each connection keeps the config it started with.
 *
 * Every way in from outside (WebSocket callbacks, timers, the identify
 * queue's answer) holds a reference on the shard until it returns, and
 * every emission may run application code that stops, restarts or drops
 * the shard or its client: the code after an emission goes on only if the
 * connection it worked for is still the current one (still_current()).
 */

/* Gateway opcodes, as Discord numbers them. */
enum {
  OP_DISPATCH = 0,
  OP_HEARTBEAT = 1,
  OP_IDENTIFY = 2,
  OP_RESUME = 6,
  OP_RECONNECT = 7,
  OP_INVALID_SESSION = 9,
  OP_HELLO = 10,
  OP_HEARTBEAT_ACK = 11,
};

/* Close codes this client sends. Any code but 1000 and 1001 keeps the
 * session alive on Discord's side, so it can be resumed. */
#define CLOSE_SESSION_ENDS   SOUP_WEBSOCKET_CLOSE_NORMAL
#define CLOSE_SESSION_KEPT   4000

#define EPS_WINDOW_SECONDS   10
#define MAX_COMMAND_SIZE     4096
#define MAX_HEARTBEAT_MS     (10 * 60 * 1000)
/* RESUMEs in a row that the gateway ended without RESUMED or a replayed
 * event before the session is given up: a resume must not loop. */
#define MAX_FAILED_RESUMES   3
/* Tries to read the event after the last one delivered before it is given
 * up as lost: a payload that can never be read must not loop either. */
#define MAX_READ_TRIES       3

typedef enum {
  NEXT_RESUME,
  NEXT_IDENTIFY,
  NEXT_FATAL,
} NextStep;

struct _DGatewayShard
{
  GObject parent_instance;

  guint shard_id;
  guint shard_count;             /* 0: not sharded, no shard in IDENTIFY */
  DGatewayShardConfig *config;   /* the newest, for the next connection */
  DGatewayShardConfig *conn;     /* the current connection's, or NULL */
  guint generation;              /* changes whenever a connection ends or starts */

  DGatewayState state;
  DGatewayLink *link;            /* the current connection's WebSocket */
  GPtrArray *closing;            /* Closing: links we closed, until they end */

  DGatewayTimer *heartbeat_timer;
  DGatewayTimer *hello_timer;
  DGatewayTimer *reconnect_timer;
  DGatewayTimer *command_timer;
  DGatewayTimer *alive_timer;    /* the ACK deadline after a wake-up */
  GCancellable *identify_cancellable;  /* waiting for the identify queue */
  gboolean network_available;
  gboolean waiting_for_network;
  DGatewayRateLimiter *limiter;  /* every frame sent on this connection */
  GQueue commands;               /* Command: encoded, waiting for budget */
  guint heartbeat_interval;      /* ms, from HELLO */
  gint64 heartbeat_sent_at;      /* monotonic µs of the unacked beat, or 0 */

  char *session_id;
  char *resume_url;
  gint64 sequence;               /* last sequence seen, -1 for none */
  gboolean resuming;             /* the current connection sent RESUME */
  gboolean connected_once;       /* reached CONNECTED since start () */
  guint backoff_attempt;
  guint failed_resumes;          /* resumes in a row the gateway ended fruitlessly */
  guint replayed;                /* events delivered while this connection resumed */
  gint64 unread_at;              /* the sequence an unreadable payload followed */
  guint unread_tries;

  /* Metrics */
  gint64 connected_since;        /* monotonic µs, 0 when not connected */
  gint64 latency;
  guint64 events_received;
  guint64 bytes_received;
  guint64 bytes_decompressed;
  guint reconnect_count;
  guint missed_heartbeats;
  guint64 events_lost;
  guint64 eps_buckets[EPS_WINDOW_SECONDS];
  gint64 eps_bucket_second[EPS_WINDOW_SECONDS];

  /* The values last notified, so the metrics flush notifies only changes. */
  guint64 notified_events;
  guint64 notified_bytes;
  gint64 notified_sequence;
  double notified_eps;
  gint64 notified_second;
};

enum {
  PROP_0,
  PROP_SHARD_ID,
  PROP_SHARD_COUNT,
  PROP_STATE,
  PROP_LATENCY,
  PROP_UPTIME,
  PROP_EVENTS_RECEIVED,
  PROP_BYTES_RECEIVED,
  PROP_BYTES_DECOMPRESSED,
  PROP_COMPRESSION_RATIO,
  PROP_RECONNECT_COUNT,
  PROP_MISSED_HEARTBEATS,
  PROP_EVENTS_LOST,
  PROP_EVENTS_PER_SECOND,
  PROP_SESSION_ID,
  PROP_SEQUENCE,
  PROP_RESUME_URL,
  N_PROPS
};

enum {
  SIGNAL_PAYLOAD,
  SIGNAL_CONNECTION_LOST,
  SIGNAL_RECONNECTED,
  N_SIGNALS
};

static GParamSpec *props[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DGatewayShard, dgateway_shard, G_TYPE_OBJECT)

static void open_connection (DGatewayShard *self);
static void end_connection  (DGatewayShard *self,
                             const GError  *error,
                             NextStep       next,
                             gboolean       by_gateway);

/* Small helpers */

/* Whether the connection that was current at @generation still is: an
 * emission in between may have stopped or restarted the shard. */
static inline gboolean
still_current (DGatewayShard *self,
               guint          generation)
{
  return self->generation == generation;
}

static const char *
state_nick (DGatewayState state)
{
  return g_enum_get_value (g_type_class_peek (DGATEWAY_TYPE_STATE), state)->value_nick;
}

/* Returns whether the current connection is still current after the
 * notification, whose handlers may stop or restart the shard. */
static gboolean
set_state (DGatewayShard *self,
           DGatewayState  state)
{
  guint generation = self->generation;

  if (self->state == state)
    return TRUE;

  self->state = state;
  g_debug ("Shard %u: state %s", self->shard_id, state_nick (state));
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE]);
  return still_current (self, generation);
}

static void
set_session (DGatewayShard *self,
             const char    *session_id,
             const char    *resume_url)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (self->session_id, session_id) != 0)
    {
      g_free (self->session_id);
      self->session_id = g_strdup (session_id);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SESSION_ID]);
    }
  if (g_strcmp0 (self->resume_url, resume_url) != 0)
    {
      g_free (self->resume_url);
      self->resume_url = g_strdup (resume_url);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RESUME_URL]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
drop_session (DGatewayShard *self)
{
  set_session (self, NULL, NULL);
  self->sequence = -1;
  self->failed_resumes = 0;
  self->unread_tries = 0;
}

static NextStep
classify_close_code (int code)
{
  switch (code)
    {
    case DGATEWAY_ERROR_AUTHENTICATION_FAILED:
    case DGATEWAY_ERROR_INVALID_SHARD:
    case DGATEWAY_ERROR_SHARDING_REQUIRED:
    case DGATEWAY_ERROR_INVALID_API_VERSION:
    case DGATEWAY_ERROR_INVALID_INTENTS:
    case DGATEWAY_ERROR_DISALLOWED_INTENTS:
      return NEXT_FATAL;

    /* The session is gone on Discord's side: start a new one. */
    case DGATEWAY_ERROR_NOT_AUTHENTICATED:
    case DGATEWAY_ERROR_INVALID_SEQ:
    case DGATEWAY_ERROR_SESSION_TIMED_OUT:
      return NEXT_IDENTIFY;

    /* Everything else, including an end without a close code, may leave
     * the session alive: resume. */
    default:
      return NEXT_RESUME;
    }
}

static const char *
close_code_description (int code)
{
  switch (code)
    {
    case 4000: return _("unknown error");
    case 4001: return _("unknown opcode");
    case 4002: return _("decode error");
    case 4003: return _("not authenticated");
    case 4004: return _("authentication failed");
    case 4005: return _("already authenticated");
    case 4007: return _("invalid sequence");
    case 4008: return _("rate limited");
    case 4009: return _("session timed out");
    case 4010: return _("invalid shard");
    case 4011: return _("sharding required");
    case 4012: return _("invalid API version");
    case 4013: return _("invalid intents");
    case 4014: return _("disallowed intents");
    default: return NULL;
    }
}

static GError *
close_code_error (int code)
{
  const char *description = close_code_description (code);

  if (description != NULL)
    return g_error_new (DGATEWAY_ERROR, code,
                        _("The gateway closed the connection: %s (%d)"),
                        description, code);

  if (code == 0 || code == SOUP_WEBSOCKET_CLOSE_ABNORMAL)
    return g_error_new_literal (DGATEWAY_ERROR, DGATEWAY_ERROR_CONNECTION,
                                _("The connection to the gateway was lost"));

  return g_error_new (DGATEWAY_ERROR, DGATEWAY_ERROR_CLOSED,
                      _("The gateway closed the connection with code %d"), code);
}

static DGatewayTimer *
add_timeout (DGatewayShard *self,
             guint          interval_ms,
             GSourceFunc    func)
{
  return dgateway_timers_add (self->config->timers, interval_ms, func, self);
}

/* A deadline that may pass a little late: grouped with the other shards'
 * timers when it is long enough for a second not to matter (see
 * dgateway_policy_deadline_seconds()), so that idle shards do not each
 * wake the shared context. */
static DGatewayTimer *
add_deadline (DGatewayShard *self,
              guint          timeout_ms,
              GSourceFunc    func)
{
  guint seconds = dgateway_policy_deadline_seconds (timeout_ms);

  if (seconds == 0)
    return add_timeout (self, timeout_ms, func);
  return dgateway_timers_add_seconds (self->config->timers, seconds, func, self);
}

/* Sending */

/* Whether the current connection's WebSocket is open, as far as what it
 * reported so far goes. */
static gboolean
socket_open (DGatewayShard *self)
{
  return self->link != NULL && dgateway_link_is_open (self->link);
}

/* Sends one encoded payload: JSON in a text message, ETF in a binary one
 * (Discord never takes compressed messages). */
static void
send_frame (DGatewayShard    *self,
            DGatewayEncoding  encoding,
            GBytes           *frame)
{
  dgateway_rate_limiter_record (self->limiter, g_get_monotonic_time ());
  dgateway_link_send (self->link, frame, encoding == DGATEWAY_ENCODING_ETF);
}

static char *
serialize_payload (int       op,
                   JsonNode *data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "op");
  json_builder_add_int_value (builder, op);
  json_builder_set_member_name (builder, "d");
  json_builder_add_value (builder, data ? json_node_ref (data) : json_node_new (JSON_NODE_NULL));
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* {"op": @op, "d": @data} in @encoding. JSON text keeps its NUL past the
 * end of the bytes, for send_frame(). */
static GBytes *
encode_frame (DGatewayEncoding   encoding,
              int                op,
              JsonNode          *data,
              GError           **error)
{
  char *text;

  if (encoding == DGATEWAY_ENCODING_ETF)
    return dgateway_etf_serialize_command (op, data, error);

  text = serialize_payload (op, data);
  return g_bytes_new_take (text, strlen (text));
}

static void
send_payload (DGatewayShard *self,
              int            op,
              JsonNode      *data)
{
  DGatewayEncoding encoding;
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(GError) error = NULL;

  if (!socket_open (self))
    return;

  encoding = self->conn->settings.encoding;
  frame = encode_frame (encoding, op, data, &error);
  /* Only the application's presence could hold what ETF cannot say (text
   * that is not UTF-8): the gateway would not have read it. */
  if (frame == NULL)
    g_warning ("Shard %u: could not encode op %d: %s", self->shard_id, op, error->message);
  else
    send_frame (self, encoding, frame);
}

static JsonNode *
sequence_node (DGatewayShard *self)
{
  JsonNode *node = json_node_new (JSON_NODE_NULL);

  if (self->sequence >= 0)
    json_node_init_int (node, self->sequence);
  return node;
}

static void
send_heartbeat (DGatewayShard *self)
{
  g_autoptr(JsonNode) seq = sequence_node (self);

  /* Only the oldest unacknowledged beat counts for zombie detection. */
  if (self->heartbeat_sent_at == 0)
    self->heartbeat_sent_at = g_get_monotonic_time ();
  send_payload (self, OP_HEARTBEAT, seq);
}

static JsonNode *
identify_properties (void)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "os");
  json_builder_add_string_value (builder, "linux");
  json_builder_set_member_name (builder, "browser");
  json_builder_add_string_value (builder, "libdgateway");
  json_builder_set_member_name (builder, "device");
  json_builder_add_string_value (builder, "libdgateway");
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
add_shard_member (DGatewayShard *self,
                  JsonBuilder   *builder)
{
  if (self->shard_count == 0)
    return;

  json_builder_set_member_name (builder, "shard");
  json_builder_begin_array (builder);
  json_builder_add_int_value (builder, self->shard_id);
  json_builder_add_int_value (builder, self->shard_count);
  json_builder_end_array (builder);
}

/* IDENTIFY carries the settings of the connection's own snapshot. */
static void
send_identify (DGatewayShard *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonNode) data = NULL;
  DGatewayShardConfig *conn = self->conn;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, conn->token);
  json_builder_set_member_name (builder, "intents");
  json_builder_add_int_value (builder, conn->settings.intents);
  json_builder_set_member_name (builder, "properties");
  json_builder_add_value (builder, identify_properties ());
  json_builder_set_member_name (builder, "compress");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_set_member_name (builder, "large_threshold");
  json_builder_add_int_value (builder, conn->settings.large_threshold);
  add_shard_member (self, builder);
  if (conn->presence != NULL)
    {
      json_builder_set_member_name (builder, "presence");
      json_builder_add_value (builder, json_node_ref (conn->presence));
    }
  json_builder_end_object (builder);

  data = json_builder_get_root (builder);
  send_payload (self, OP_IDENTIFY, data);
}

static void
send_resume (DGatewayShard *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonNode) data = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, self->conn->token);
  json_builder_set_member_name (builder, "session_id");
  json_builder_add_string_value (builder, self->session_id);
  json_builder_set_member_name (builder, "seq");
  json_builder_add_value (builder, sequence_node (self));
  json_builder_end_object (builder);

  data = json_builder_get_root (builder);
  send_payload (self, OP_RESUME, data);
}

/* Heartbeats */

static gboolean heartbeat_cb (gpointer data);

/* With Discord's interval of about 41 s, beats go on a grouped timer
 * that may fire up to two seconds early but never late (see
 * dgateway_policy_beat_seconds()): at 1,024 shards, one wake-up a second
 * instead of one per shard and beat. */
static void
schedule_heartbeat (DGatewayShard *self,
                    guint          delay_ms)
{
  guint seconds = dgateway_policy_beat_seconds (delay_ms, self->heartbeat_interval);

  dgateway_timer_clear (&self->heartbeat_timer);
  if (seconds == 0)
    self->heartbeat_timer = add_timeout (self, delay_ms, heartbeat_cb);
  else
    self->heartbeat_timer = dgateway_timers_add_seconds (self->config->timers, seconds,
                                                         heartbeat_cb, self);
}

static void
count_missed_heartbeat (DGatewayShard *self)
{
  self->missed_heartbeats++;
  self->config->totals->missed_heartbeats++;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MISSED_HEARTBEATS]);
}

static gboolean
heartbeat_cb (gpointer data)
{
  g_autoptr(DGatewayShard) self = g_object_ref (data);
  guint generation = self->generation;

  dgateway_timer_clear (&self->heartbeat_timer);

  /* A beat still unacknowledged when the next is due marks a zombie. */
  if (dgateway_policy_heartbeat_missed (self->heartbeat_sent_at, g_get_monotonic_time (),
                                        self->heartbeat_interval))
    {
      g_autoptr(GError) error = NULL;

      count_missed_heartbeat (self);
      if (!still_current (self, generation))
        return G_SOURCE_REMOVE;
      error = g_error_new (DGATEWAY_ERROR, DGATEWAY_ERROR_HEARTBEAT_TIMEOUT,
                           _("No heartbeat acknowledgement within %u ms"),
                           self->heartbeat_interval);
      end_connection (self, error, NEXT_RESUME, FALSE);
      return G_SOURCE_REMOVE;
    }

  send_heartbeat (self);
  schedule_heartbeat (self, self->heartbeat_interval);
  return G_SOURCE_REMOVE;
}

/* Commands, within Discord's outbound limit */

/* A queued command, encoded for the connection it was queued under. It
 * keeps its data to be encoded again should the next connection use the
 * other encoding. */
typedef struct {
  int op;
  JsonNode *data;
  DGatewayEncoding encoding;
  GBytes *frame;                 /* JSON text (NUL-terminated) or ETF */
} Command;

static void
command_free (gpointer data)
{
  Command *command = data;

  g_clear_pointer (&command->data, json_node_unref);
  g_bytes_unref (command->frame);
  g_free (command);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Command, command_free)

/* Encodes `{"op": op, "d": data}` within Discord's 4096 bytes, which
 * count the encoded payload, whichever the encoding. */
static GBytes *
encode_command (DGatewayEncoding   encoding,
                int                op,
                JsonNode          *data,
                GError           **error)
{
  g_autoptr(GBytes) frame = encode_frame (encoding, op, data, error);

  if (frame == NULL)
    return NULL;
  if (g_bytes_get_size (frame) > MAX_COMMAND_SIZE)
    {
      g_set_error (error, DGATEWAY_ERROR, DGATEWAY_ERROR_PAYLOAD_TOO_LARGE,
                   _("The command is %lu bytes; the gateway accepts at most %d"),
                   (gulong) g_bytes_get_size (frame), MAX_COMMAND_SIZE);
      return NULL;
    }

  return g_steal_pointer (&frame);
}

/* Sends a command on the current connection, in its encoding. */
static void
send_command_frame (DGatewayShard *self,
                    Command       *command)
{
  DGatewayEncoding encoding = self->conn->settings.encoding;

  if (command->encoding != encoding)
    {
      g_autoptr(GError) error = NULL;
      GBytes *frame = encode_command (encoding, command->op, command->data, &error);

      if (frame == NULL)
        {
          g_warning ("Shard %u: dropping a command the new encoding cannot carry: %s",
                     self->shard_id, error->message);
          return;
        }
      g_bytes_unref (command->frame);
      command->frame = frame;
      command->encoding = encoding;
    }

  send_frame (self, encoding, command->frame);
}

static gboolean command_cb (gpointer data);

static void
pump_commands (DGatewayShard *self)
{
  gint64 now = g_get_monotonic_time ();

  if (self->state != DGATEWAY_STATE_CONNECTED || self->command_timer != NULL)
    return;

  while (!g_queue_is_empty (&self->commands))
    {
      guint budget = dgateway_policy_command_budget (dgateway_rate_limiter_get_limit (self->limiter),
                                                     (guint) (dgateway_rate_limiter_get_window (self->limiter) / 1000),
                                                     self->heartbeat_interval);
      gint64 wait = dgateway_rate_limiter_wait (self->limiter, now, budget);
      g_autoptr(Command) command = NULL;

      if (wait > 0)
        {
          self->command_timer = add_timeout (self, (guint) ((wait + 999) / 1000), command_cb);
          return;
        }

      command = g_queue_pop_head (&self->commands);
      send_command_frame (self, command);
    }
}

static gboolean
command_cb (gpointer data)
{
  g_autoptr(DGatewayShard) self = g_object_ref (data);

  dgateway_timer_clear (&self->command_timer);
  pump_commands (self);
  return G_SOURCE_REMOVE;
}

static void
drop_commands (DGatewayShard *self)
{
  if (g_queue_is_empty (&self->commands))
    return;

  g_warning ("Shard %u: dropping %u commands that were never sent",
             self->shard_id, g_queue_get_length (&self->commands));
  g_queue_clear_full (&self->commands, command_free);
}

/*
 * dgateway_shard_send_command:
 *
 * Queues one command for the connection. Commands go out in order, as
 * fast as the outbound limit allows, once the shard is CONNECTED; while it
 * reconnects they wait. A shard that is not connecting fails the command
 * with NOT_CONNECTED, since no connection is coming to carry it.
 *
 * The command is encoded now, for the connection under way or else the
 * next one, so that a command over the limit fails at once.
 */
gboolean
dgateway_shard_send_command (DGatewayShard  *self,
                             int             op,
                             JsonNode       *data,
                             GError        **error)
{
  DGatewayShardConfig *config = self->conn != NULL ? self->conn : self->config;
  g_autoptr(Command) command = g_new0 (Command, 1);

  command->op = op;
  command->data = data != NULL ? json_node_ref (data) : NULL;
  command->encoding = config->settings.encoding;
  command->frame = encode_command (command->encoding, op, data, error);
  if (command->frame == NULL)
    return FALSE;

  if (self->state == DGATEWAY_STATE_DISCONNECTED || self->state == DGATEWAY_STATE_FAILED)
    {
      g_set_error_literal (error, DGATEWAY_ERROR, DGATEWAY_ERROR_NOT_CONNECTED,
                           _("The client is not connected"));
      return FALSE;
    }

  g_queue_push_tail (&self->commands, g_steal_pointer (&command));
  pump_commands (self);
  return TRUE;
}

guint
dgateway_shard_get_queued_commands (DGatewayShard *self)
{
  return g_queue_get_length (&self->commands);
}

/* Received opcodes */

static void
identify_granted_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data)
{
  g_autoptr(DGatewayShard) self = data;
  g_autoptr(GError) error = NULL;

  if (!dgateway_identify_queue_request_finish (DGATEWAY_IDENTIFY_QUEUE (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* A shared queue that failed: this session cannot start now. */
      g_clear_object (&self->identify_cancellable);
      end_connection (self, error, NEXT_IDENTIFY, FALSE);
      return;
    }

  g_clear_object (&self->identify_cancellable);
  send_identify (self);
}

/* Every IDENTIFY waits for its turn in the identify queue, on an open
 * socket that keeps heartbeating meanwhile, so that Discord receives them
 * as far apart as the queue spaced them. RESUMEs never wait. */
static void
request_identify (DGatewayShard *self)
{
  GMainContext *context = self->conn->context;

  self->identify_cancellable = g_cancellable_new ();
  g_main_context_push_thread_default (context);
  dgateway_identify_queue_request_async (self->conn->identify_queue, self->shard_id,
                                         self->identify_cancellable,
                                         identify_granted_cb, g_object_ref (self));
  g_main_context_pop_thread_default (context);
}

static void
handle_hello (DGatewayShard   *self,
              DGatewayPayload *payload)
{
  gint64 interval = dgateway_value_get_member_int (dgateway_payload_get_data (payload),
                                                   "heartbeat_interval", -1);

  if (interval <= 0 || interval > MAX_HEARTBEAT_MS)
    {
      g_autoptr(GError) error = g_error_new (DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL,
                                             _("The gateway sent HELLO with an invalid heartbeat interval"));
      end_connection (self, error, NEXT_RESUME, FALSE);
      return;
    }

  /* One HELLO per connection: a second one must not start a second
   * IDENTIFY (4005) or RESUME. */
  if (self->state != DGATEWAY_STATE_CONNECTING)
    {
      g_warning ("Shard %u: ignoring a second HELLO", self->shard_id);
      return;
    }

  dgateway_timer_clear (&self->hello_timer);
  self->heartbeat_interval = (guint) interval;
  self->heartbeat_sent_at = 0;

  /* The first beat waits interval × jitter, jitter in [0, 1), so that many
   * clients reconnecting at once do not beat in step. */
  schedule_heartbeat (self, dgateway_policy_first_heartbeat ((guint) interval, g_random_double ()));

  if (self->session_id != NULL && self->resuming)
    {
      if (!set_state (self, DGATEWAY_STATE_RESUMING))
        return;
      send_resume (self);
    }
  else
    {
      if (!set_state (self, DGATEWAY_STATE_IDENTIFYING))
        return;
      request_identify (self);
    }
}

static void
handle_heartbeat_ack (DGatewayShard *self)
{
  if (self->heartbeat_sent_at == 0)
    return;

  self->latency = g_get_monotonic_time () - self->heartbeat_sent_at;
  self->heartbeat_sent_at = 0;
  dgateway_timer_clear (&self->alive_timer);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LATENCY]);
}

static void
handle_invalid_session (DGatewayShard   *self,
                        DGatewayPayload *payload)
{
  g_autoptr(GError) error = NULL;
  gboolean resumable = dgateway_value_get_bool (dgateway_payload_get_data (payload), FALSE);

  error = g_error_new (DGATEWAY_ERROR, DGATEWAY_ERROR_INVALID_SESSION,
                       resumable ? _("The gateway invalidated the session; it may be resumed")
                                 : _("The gateway invalidated the session"));
  end_connection (self, error, resumable ? NEXT_RESUME : NEXT_IDENTIFY, TRUE);
}

/* Returns whether the connection is still current afterwards. */
static gboolean
reached_connected (DGatewayShard *self,
                   gboolean       resumed)
{
  guint generation = self->generation;
  gboolean was_reconnect = self->connected_once;

  dgateway_timer_clear (&self->hello_timer);
  self->connected_once = TRUE;
  self->backoff_attempt = 0;
  self->failed_resumes = 0;
  self->connected_since = g_get_monotonic_time ();
  if (!set_state (self, DGATEWAY_STATE_CONNECTED))
    return FALSE;
  pump_commands (self);

  if (was_reconnect)
    g_signal_emit (self, signals[SIGNAL_RECONNECTED], 0, resumed);
  return still_current (self, generation);
}

static void
count_event (DGatewayShard *self)
{
  gint64 second = g_get_monotonic_time () / G_USEC_PER_SEC;
  guint slot = second % EPS_WINDOW_SECONDS;

  if (self->eps_bucket_second[slot] != second)
    {
      self->eps_bucket_second[slot] = second;
      self->eps_buckets[slot] = 0;
    }
  self->eps_buckets[slot]++;
  self->events_received++;
  self->config->totals->events_received++;
}

/* A payload that could not be read (undecodable, oversized, a broken
 * stream) may have been the event after the last one delivered. The first
 * tries resume, so that the gateway sends it again; after
 * MAX_READ_TRIES at the same place it is given up as lost: counted, logged,
 * and skipped, so that a payload that can never be read does not loop.
 * Returns whether it was given up. */
static gboolean
give_up_unread (DGatewayShard *self,
                const GError  *error)
{
  if (self->unread_tries == 0 || self->unread_at != self->sequence)
    {
      self->unread_at = self->sequence;
      self->unread_tries = 0;
    }

  if (++self->unread_tries < MAX_READ_TRIES || self->sequence < 0)
    return FALSE;

  self->unread_tries = 0;
  self->sequence++;
  self->events_lost++;
  g_warning ("Shard %u: event %" G_GINT64_FORMAT " could not be read %u times and is lost: %s",
             self->shard_id, self->sequence, MAX_READ_TRIES, error->message);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_EVENTS_LOST]);
  return TRUE;
}

/* The protocol broke on this connection: resume from the last event
 * delivered, so that the gateway replays whatever is missing. */
static void
end_with_protocol_error (DGatewayShard *self,
                         GError        *error)
{
  g_autoptr(GError) owned = error;

  /* connection-lost tells the application why. */
  g_debug ("Shard %u: %s; resuming", self->shard_id, owned->message);
  end_connection (self, owned, NEXT_RESUME, FALSE);
}

static void
handle_dispatch (DGatewayShard   *self,
                 DGatewayPayload *payload)
{
  gint64 seq = dgateway_payload_get_seq (payload);
  const char *name = dgateway_payload_get_name (payload);
  guint generation = self->generation;

  /* Every dispatch has a name and a sequence number; one without either
   * (a string, a float, a negative number) is never delivered. */
  if (seq < 0 || name == NULL)
    {
      end_with_protocol_error (self, g_error_new (DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL,
                                                  _("The gateway sent a dispatch without a valid name or sequence number")));
      return;
    }

  /* RESUMED answers a RESUME. Before READY on a connection that sent
   * IDENTIFY, there is no session it could have resumed; once connected, a
   * stray one changes nothing. */
  if (g_strcmp0 (name, "RESUMED") == 0 &&
      self->state != DGATEWAY_STATE_RESUMING && self->state != DGATEWAY_STATE_CONNECTED)
    {
      end_with_protocol_error (self, g_error_new_literal (DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL,
                                                          _("The gateway sent RESUMED to a connection that did not resume")));
      return;
    }

  if (self->sequence < 0)
    {
      /* A new session numbers its events from 1 (0 is accepted). */
      if (seq > 1)
        {
          end_with_protocol_error (self, g_error_new (DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL,
                                                      _("The gateway began a session with event %lld"),
                                                      (long long) seq));
          return;
        }
    }
  else if (seq > self->sequence + 1)
    {
      /* Events were missed: the gateway replays them on a resume. */
      end_with_protocol_error (self, g_error_new (DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL,
                                                  _("Events %lld to %lld did not arrive"),
                                                  (long long) self->sequence + 1, (long long) seq - 1));
      return;
    }
  else if (seq <= self->sequence)
    {
      /* A replay that overlaps what was delivered must not deliver an
       * event twice; outside a replay the gateway is trusted, and an
       * event that comes late is delivered late rather than lost. */
      if (self->state == DGATEWAY_STATE_RESUMING)
        {
          g_debug ("Shard %u: skipping replayed event %" G_GINT64_FORMAT ", delivered before",
                   self->shard_id, seq);
          return;
        }
      g_warning ("Shard %u: event %" G_GINT64_FORMAT " came after event %" G_GINT64_FORMAT,
                 self->shard_id, seq, self->sequence);
    }

  if (seq > self->sequence)
    self->sequence = seq;
  if (self->state == DGATEWAY_STATE_RESUMING)
    {
      /* The resume makes progress. */
      self->replayed++;
      self->failed_resumes = 0;
    }

  count_event (self);

  if (g_strcmp0 (name, "READY") == 0)
    {
      const DGatewayValue *data = dgateway_payload_get_data (payload);

      set_session (self, dgateway_value_get_member_string (data, "session_id"),
                   dgateway_value_get_member_string (data, "resume_gateway_url"));
      if (!still_current (self, generation) || !reached_connected (self, FALSE))
        return;
    }
  else if (g_strcmp0 (name, "RESUMED") == 0)
    {
      if (self->state == DGATEWAY_STATE_RESUMING && !reached_connected (self, TRUE))
        return;
    }

  g_signal_emit (self, signals[SIGNAL_PAYLOAD], 0, payload);
}

/* A payload that could not be read: resume, or give it up. */
static void
handle_unreadable (DGatewayShard *self,
                   const GError  *error)
{
  g_autoptr(GError) resume_error = NULL;

  if (give_up_unread (self, error))
    return;

  resume_error = g_error_new (DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL,
                              _("The gateway sent a payload that could not be read: %s"),
                              error->message);
  g_debug ("Shard %u: %s; resuming", self->shard_id, resume_error->message);
  end_connection (self, resume_error, NEXT_RESUME, FALSE);
}

static void
handle_payload (DGatewayShard   *self,
                DGatewayPayload *payload)
{
  g_autoptr(GError) reconnect_error = NULL;

  switch (dgateway_payload_get_op (payload))
    {
    case OP_DISPATCH:
      handle_dispatch (self, payload);
      break;
    case OP_HEARTBEAT:
      send_heartbeat (self);
      break;
    case OP_RECONNECT:
      reconnect_error = g_error_new (DGATEWAY_ERROR, DGATEWAY_ERROR_RECONNECT_REQUESTED,
                                     _("The gateway asked for a reconnection"));
      end_connection (self, reconnect_error, NEXT_RESUME, TRUE);
      break;
    case OP_INVALID_SESSION:
      handle_invalid_session (self, payload);
      break;
    case OP_HELLO:
      handle_hello (self, payload);
      break;
    case OP_HEARTBEAT_ACK:
      handle_heartbeat_ack (self);
      break;
    default:
      g_debug ("Shard %u: ignoring unknown opcode %d", self->shard_id,
               dgateway_payload_get_op (payload));
    }
}

/* The WebSocket */

/* The end of the connection, once every message received before it was
 * handled. */
static void
handle_close (DGatewayShard *self,
              int            code,
              const GError  *ws_error)
{
  g_autoptr(GError) error = close_code_error (code);

  /* libsoup ends a connection whose message is over the payload cap with
   * 1009, after its "error" signal: the same error as the compressed modes
   * give. */
  if (g_error_matches (ws_error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_CLOSE_TOO_BIG))
    {
      g_clear_error (&error);
      error = g_error_new (DGATEWAY_ERROR, DGATEWAY_ERROR_PAYLOAD_TOO_LARGE,
                           _("A payload is larger than the limit of %lu bytes"),
                           (gulong) self->conn->settings.max_payload_size);
      give_up_unread (self, error);
      end_connection (self, error, NEXT_RESUME, FALSE);
      return;
    }

  g_debug ("Shard %u: the gateway closed the connection (%d)", self->shard_id, code);
  /* Without a close frame (0, 1006) the transport failed; with one, the
   * gateway ended the connection. */
  end_connection (self, error, classify_close_code (code),
                  code != 0 && code != SOUP_WEBSOCKET_CLOSE_ABNORMAL);
}

static gboolean hello_timeout_cb (gpointer data);

/* What the current connection's link reports, in order, on the shard's
 * context (dgateway-link-private.h). */
static void
link_event_cb (const DGatewayLinkEvent *event,
               gpointer                 data)
{
  g_autoptr(DGatewayShard) self = g_object_ref (data);
  g_autoptr(GError) error = NULL;

  self->bytes_received += event->wire_bytes;
  self->bytes_decompressed += event->bytes;
  self->config->totals->bytes_received += event->wire_bytes;
  self->config->totals->bytes_decompressed += event->bytes;

  switch (event->type)
    {
    case DGATEWAY_LINK_OPENED:
      self->hello_timer = add_deadline (self, self->conn->settings.hello_timeout,
                                        hello_timeout_cb);
      break;
    case DGATEWAY_LINK_FAILED:
      error = g_error_new (DGATEWAY_ERROR, DGATEWAY_ERROR_CONNECTION,
                           _("Could not connect to the gateway: %s"), event->error->message);
      /* However long the outage, the session is the gateway's to end. */
      end_connection (self, error, NEXT_RESUME, FALSE);
      break;
    case DGATEWAY_LINK_PAYLOAD:
      handle_payload (self, event->payload);
      break;
    case DGATEWAY_LINK_UNREADABLE:
      handle_unreadable (self, event->error);
      break;
    case DGATEWAY_LINK_BROKEN:
      /* The stream is broken: this connection cannot go on either way. */
      give_up_unread (self, event->error);
      end_connection (self, event->error, NEXT_RESUME, FALSE);
      break;
    case DGATEWAY_LINK_CLOSED:
      handle_close (self, event->close_code, event->error);
      break;
    }
}

/* A link we closed, with the config that keeps its worker alive. */
typedef struct {
  DGatewayLink *link;
  DGatewayShardConfig *config;
} Closing;

static void
closing_free (gpointer data)
{
  Closing *closing = data;

  dgateway_link_unref (closing->link);
  dgateway_shard_config_unref (closing->config);
  g_free (closing);
}

/* Forgets the links whose close handshake ended. */
static void
prune_closing (DGatewayShard *self)
{
  for (guint i = self->closing->len; i > 0; i--)
    {
      Closing *closing = self->closing->pdata[i - 1];

      if (dgateway_link_is_finished (closing->link))
        g_ptr_array_remove_index_fast (self->closing, i - 1);
    }
}

/* Stops everything tied to the current connection and closes it with
 * @close_code, or drops it if the socket already ended. Whatever runs for
 * the old connection afterwards sees that it is no longer current. */
static void
teardown_connection (DGatewayShard *self,
                     gushort        close_code)
{
  g_autoptr(DGatewayLink) link = g_steal_pointer (&self->link);

  self->generation++;
  g_cancellable_cancel (self->identify_cancellable);
  g_clear_object (&self->identify_cancellable);
  dgateway_timer_clear (&self->heartbeat_timer);
  dgateway_timer_clear (&self->hello_timer);
  dgateway_timer_clear (&self->command_timer);
  dgateway_timer_clear (&self->alive_timer);
  /* Discord counts the limit per connection. */
  dgateway_rate_limiter_reset (self->limiter);
  self->heartbeat_sent_at = 0;
  self->connected_since = 0;

  if (link != NULL)
    {
      Closing *closing = g_new (Closing, 1);

      /* Nothing it received is handled any more; its close handshake runs
       * on its own, and the next connection does not wait for a peer that
       * may never answer. */
      dgateway_link_close (link, close_code);
      prune_closing (self);
      closing->link = g_steal_pointer (&link);
      closing->config = dgateway_shard_config_ref (self->conn);
      g_ptr_array_add (self->closing, closing);
    }
  g_clear_pointer (&self->conn, dgateway_shard_config_unref);
}

static gboolean
reconnect_cb (gpointer data)
{
  g_autoptr(DGatewayShard) self = g_object_ref (data);
  guint generation = self->generation;

  dgateway_timer_clear (&self->reconnect_timer);
  self->waiting_for_network = FALSE;
  self->reconnect_count++;
  self->config->totals->reconnect_count++;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RECONNECT_COUNT]);
  if (still_current (self, generation) && self->state == DGATEWAY_STATE_RECONNECTING)
    open_connection (self);
  return G_SOURCE_REMOVE;
}

static guint
invalid_session_delay (DGatewayShard *self)
{
  const DGatewayShardSettings *settings = &self->config->settings;

  return (guint) g_random_int_range (settings->invalid_session_min,
                                     MAX (settings->invalid_session_min,
                                          settings->invalid_session_max) + 1);
}

/* Arms the timer of the next attempt, or, without a network, waits for it
 * (see dgateway_shard_set_network_available()): attempts would only fail
 * and grow the backoff. The delays are the newest settings': they are
 * part of the next connection. */
static void
arm_reconnect (DGatewayShard *self,
               gboolean       invalid_session)
{
  const DGatewayShardSettings *settings = &self->config->settings;
  guint delay_ms;

  dgateway_timer_clear (&self->reconnect_timer);
  if (!self->network_available)
    {
      g_debug ("Shard %u: waiting for the network", self->shard_id);
      self->waiting_for_network = TRUE;
      return;
    }

  if (invalid_session)
    delay_ms = invalid_session_delay (self);
  else
    delay_ms = dgateway_policy_backoff_delay (settings->reconnect_delay_min,
                                              settings->reconnect_delay_max,
                                              self->backoff_attempt++, g_random_double ());
  g_debug ("Shard %u: reconnecting in %u ms", self->shard_id, delay_ms);
  self->reconnect_timer = add_timeout (self, delay_ms, reconnect_cb);
}

/*
 * end_connection:
 *
 * The one way out of a connection that the application did not end
 * itself: settles what comes next (resume, a new session, or FAILED),
 * shows it in the state, and then tells the application why. Handlers of
 * either may stop or restart the shard, or drop the client: nothing runs
 * for this connection after them.
 */
static void
end_connection (DGatewayShard *self,
                const GError  *error,
                NextStep       next,
                gboolean       by_gateway)
{
  g_autoptr(DGatewayShard) hold = g_object_ref (self);
  gboolean was_resuming = self->state == DGATEWAY_STATE_RESUMING;
  gboolean invalid_session = g_error_matches (error, DGATEWAY_ERROR,
                                              DGATEWAY_ERROR_INVALID_SESSION);
  guint generation;

  teardown_connection (self, CLOSE_SESSION_KEPT);
  generation = self->generation;

  /* Only the gateway ends a session. A resume it ended, several times in
   * a row, without RESUMED and without replaying anything, would loop:
   * then start a new session. A failure of the transport is no answer. */
  if (next == NEXT_RESUME && was_resuming && by_gateway && self->replayed == 0 &&
      ++self->failed_resumes >= MAX_FAILED_RESUMES)
    {
      g_debug ("Shard %u: %u resumes failed, starting a new session",
               self->shard_id, self->failed_resumes);
      next = NEXT_IDENTIFY;
    }

  if (next == NEXT_FATAL)
    {
      drop_session (self);
      drop_commands (self);
      if (!set_state (self, DGATEWAY_STATE_FAILED))
        return;
    }
  else
    {
      if (next == NEXT_IDENTIFY)
        drop_session (self);
      arm_reconnect (self, invalid_session && next == NEXT_IDENTIFY);
      if (!set_state (self, DGATEWAY_STATE_RECONNECTING))
        return;
    }

  if (still_current (self, generation))
    g_signal_emit (self, signals[SIGNAL_CONNECTION_LOST], 0, error);
}

static gboolean
hello_timeout_cb (gpointer data)
{
  g_autoptr(DGatewayShard) self = g_object_ref (data);
  g_autoptr(GError) error = NULL;

  dgateway_timer_clear (&self->hello_timer);
  error = g_error_new (DGATEWAY_ERROR, DGATEWAY_ERROR_HEARTBEAT_TIMEOUT,
                       _("The gateway sent no HELLO in time"));
  end_connection (self, error, NEXT_RESUME, FALSE);
  return G_SOURCE_REMOVE;
}

/* Builds `URL?v=10&encoding=json|etf[&compress=…]` from a gateway or resume
 * URL, keeping its scheme, host and path and replacing any query. */
static char *
build_connection_url (DGatewayCompression  compression,
                      DGatewayEncoding     encoding,
                      const char          *base)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *query = NULL;
  const char *compress;
  const char *path;

  if (base == NULL || (uri = g_uri_parse (base, G_URI_FLAGS_ENCODED, NULL)) == NULL)
    return NULL;

  switch (compression)
    {
    case DGATEWAY_COMPRESSION_ZLIB_STREAM:
      compress = "&compress=zlib-stream";
      break;
    case DGATEWAY_COMPRESSION_ZSTD_STREAM:
      compress = "&compress=zstd-stream";
      break;
    default:
      compress = "";
    }
  query = g_strconcat ("v=10&encoding=", encoding == DGATEWAY_ENCODING_ETF ? "etf" : "json",
                       compress, NULL);

  path = g_uri_get_path (uri);
  return g_uri_join (G_URI_FLAGS_ENCODED, g_uri_get_scheme (uri), NULL,
                     g_uri_get_host (uri), g_uri_get_port (uri),
                     (path && *path) ? path : "/", query, NULL);
}

static void
connect_socket (DGatewayShard *self)
{
  const DGatewayShardSettings *settings = &self->conn->settings;
  DGatewayLinkOptions options = { NULL, };
  g_autoptr(SoupMessage) message = NULL;
  g_autofree char *url = NULL;

  url = build_connection_url (settings->compression, settings->encoding,
                              self->resuming ? self->resume_url : self->conn->gateway_url);

  if (url == NULL || (message = soup_message_new (SOUP_METHOD_GET, url)) == NULL)
    {
      g_autoptr(GError) error = g_error_new (DGATEWAY_ERROR, DGATEWAY_ERROR_CONNECTION,
                                             _("The gateway URL is not valid"));
      end_connection (self, error, NEXT_FATAL, FALSE);
      return;
    }

  options.message = message;
  options.compression = settings->compression;
  options.encoding = settings->encoding;
  options.max_payload_size = settings->max_payload_size;
  options.soup_session = self->conn->soup_session;
  self->link = dgateway_link_open (&options, self->conn->context, self->conn->worker,
                                   link_event_cb, self);
}

/* A new connection takes the newest config as its snapshot. */
static void
open_connection (DGatewayShard *self)
{
  self->generation++;
  g_clear_pointer (&self->conn, dgateway_shard_config_unref);
  self->conn = dgateway_shard_config_ref (self->config);
  self->resuming = self->session_id != NULL && self->resume_url != NULL;
  self->replayed = 0;
  if (!set_state (self, DGATEWAY_STATE_CONNECTING))
    return;
  connect_socket (self);
}

/* Private API for the client */

DGatewayShard *
dgateway_shard_new (guint                shard_id,
                    guint                shard_count,
                    DGatewayShardConfig *config,
                    gboolean             network_available)
{
  DGatewayShard *self = g_object_new (DGATEWAY_TYPE_SHARD, NULL);

  self->shard_id = shard_id;
  self->shard_count = shard_count;
  self->config = dgateway_shard_config_ref (config);
  self->network_available = network_available;
  self->limiter = dgateway_rate_limiter_new (config->settings.rate_limit,
                                             (gint64) config->settings.rate_window * 1000);
  return self;
}

void
dgateway_shard_set_config (DGatewayShard       *self,
                           DGatewayShardConfig *config)
{
  g_return_if_fail (DGATEWAY_IS_SHARD (self));

  dgateway_shard_config_ref (config);
  g_clear_pointer (&self->config, dgateway_shard_config_unref);
  self->config = config;
}

void
dgateway_shard_start (DGatewayShard *self)
{
  g_autoptr(DGatewayShard) hold = NULL;

  g_return_if_fail (DGATEWAY_IS_SHARD (self));

  if (self->state != DGATEWAY_STATE_DISCONNECTED && self->state != DGATEWAY_STATE_FAILED)
    return;

  hold = g_object_ref (self);
  self->backoff_attempt = 0;
  self->connected_once = FALSE;
  open_connection (self);
}

/*
 * dgateway_shard_stop:
 * @end_session: close with 1000, which ends the session on Discord's side;
 *   otherwise close with a code that leaves it resumable for a while, so a
 *   restarted application can resume it (dgateway_client_dup_session())
 */
void
dgateway_shard_stop (DGatewayShard *self,
                     gboolean       end_session)
{
  g_autoptr(DGatewayShard) hold = NULL;

  g_return_if_fail (DGATEWAY_IS_SHARD (self));

  hold = g_object_ref (self);
  dgateway_timer_clear (&self->reconnect_timer);
  self->waiting_for_network = FALSE;
  teardown_connection (self, end_session ? CLOSE_SESSION_ENDS : CLOSE_SESSION_KEPT);
  if (end_session)
    drop_session (self);
  drop_commands (self);
  set_state (self, DGATEWAY_STATE_DISCONNECTED);
}

/* The network came back (or went): a shard waiting for it, or waiting out
 * a backoff meant for a network that was down, reconnects at once. */
void
dgateway_shard_set_network_available (DGatewayShard *self,
                                      gboolean       available)
{
  g_autoptr(DGatewayShard) hold = g_object_ref (self);

  self->network_available = available;
  if (!available || self->state != DGATEWAY_STATE_RECONNECTING)
    return;

  dgateway_timer_clear (&self->reconnect_timer);
  self->backoff_attempt = 0;
  self->waiting_for_network = FALSE;
  self->reconnect_count++;
  self->config->totals->reconnect_count++;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RECONNECT_COUNT]);
  if (self->state == DGATEWAY_STATE_RECONNECTING)
    open_connection (self);
}

static gboolean
alive_timeout_cb (gpointer data)
{
  g_autoptr(DGatewayShard) self = g_object_ref (data);
  guint generation = self->generation;
  g_autoptr(GError) error = NULL;

  dgateway_timer_clear (&self->alive_timer);
  count_missed_heartbeat (self);
  if (!still_current (self, generation))
    return G_SOURCE_REMOVE;
  error = g_error_new (DGATEWAY_ERROR, DGATEWAY_ERROR_HEARTBEAT_TIMEOUT,
                       _("No heartbeat acknowledgement within %u ms of waking up"),
                       self->conn->settings.wake_timeout);
  end_connection (self, error, NEXT_RESUME, FALSE);
  return G_SOURCE_REMOVE;
}

/* After a suspend the socket may be dead without either side knowing:
 * beat now, and treat a missing ACK within the wake timeout as a zombie. */
void
dgateway_shard_check_alive (DGatewayShard *self)
{
  if (!socket_open (self) || self->heartbeat_interval == 0 || self->alive_timer != NULL)
    return;

  send_heartbeat (self);
  self->alive_timer = add_deadline (self, self->conn->settings.wake_timeout, alive_timeout_cb);
}

/* A session handed over from an earlier run: the next start resumes it. */
void
dgateway_shard_restore_session (DGatewayShard *self,
                                const char    *session_id,
                                gint64         sequence,
                                const char    *resume_url)
{
  g_return_if_fail (self->state == DGATEWAY_STATE_DISCONNECTED);

  set_session (self, session_id, resume_url);
  self->sequence = sequence;
  self->notified_sequence = -2;
}

static double
compute_events_per_second (DGatewayShard *self)
{
  gint64 second = g_get_monotonic_time () / G_USEC_PER_SEC;
  guint64 total = 0;

  /* The complete seconds of the window; the current one is still filling. */
  for (guint i = 0; i < EPS_WINDOW_SECONDS; i++)
    if (self->eps_bucket_second[i] < second &&
        self->eps_bucket_second[i] >= second - EPS_WINDOW_SECONDS)
      total += self->eps_buckets[i];

  return (double) total / EPS_WINDOW_SECONDS;
}

/*
 * dgateway_shard_flush_metrics:
 *
 * Notifies the counters that changed since the last call. The client calls
 * it four times a second; an idle shard costs a few comparisons, and the
 * values that move with the clock (uptime, events per second) are notified
 * at most once a second.
 */
void
dgateway_shard_flush_metrics (DGatewayShard *self)
{
  GObject *object = G_OBJECT (self);
  gint64 second = g_get_monotonic_time () / G_USEC_PER_SEC;
  gboolean new_second = second != self->notified_second;
  gboolean events = self->notified_events != self->events_received;
  gboolean bytes = self->notified_bytes != self->bytes_received;
  gboolean sequence = self->notified_sequence != self->sequence;
  double eps = new_second ? compute_events_per_second (self) : self->notified_eps;

  if (!events && !bytes && !sequence && !new_second)
    return;

  self->notified_second = second;
  g_object_freeze_notify (object);
  if (events)
    g_object_notify_by_pspec (object, props[PROP_EVENTS_RECEIVED]);
  if (bytes)
    {
      g_object_notify_by_pspec (object, props[PROP_BYTES_RECEIVED]);
      g_object_notify_by_pspec (object, props[PROP_BYTES_DECOMPRESSED]);
      g_object_notify_by_pspec (object, props[PROP_COMPRESSION_RATIO]);
    }
  if (sequence)
    g_object_notify_by_pspec (object, props[PROP_SEQUENCE]);
  if (self->notified_eps != eps)
    g_object_notify_by_pspec (object, props[PROP_EVENTS_PER_SECOND]);
  if (new_second && self->connected_since != 0)
    g_object_notify_by_pspec (object, props[PROP_UPTIME]);
  self->notified_events = self->events_received;
  self->notified_bytes = self->bytes_received;
  self->notified_sequence = self->sequence;
  self->notified_eps = eps;
  g_object_thaw_notify (object);
}

/* GObject */

static void
dgateway_shard_dispose (GObject *object)
{
  DGatewayShard *self = DGATEWAY_SHARD (object);

  dgateway_timer_clear (&self->reconnect_timer);
  teardown_connection (self, CLOSE_SESSION_KEPT);
  /* Close handshakes still under way end with the shard. */
  for (guint i = 0; i < self->closing->len; i++)
    dgateway_link_abort (((Closing *) self->closing->pdata[i])->link);
  g_ptr_array_set_size (self->closing, 0);

  G_OBJECT_CLASS (dgateway_shard_parent_class)->dispose (object);
}

static void
dgateway_shard_finalize (GObject *object)
{
  DGatewayShard *self = DGATEWAY_SHARD (object);

  g_ptr_array_unref (self->closing);
  g_queue_clear_full (&self->commands, command_free);
  dgateway_rate_limiter_free (self->limiter);
  g_clear_pointer (&self->config, dgateway_shard_config_unref);
  g_free (self->session_id);
  g_free (self->resume_url);

  G_OBJECT_CLASS (dgateway_shard_parent_class)->finalize (object);
}

static void
dgateway_shard_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  DGatewayShard *self = DGATEWAY_SHARD (object);

  switch (prop_id)
    {
    case PROP_SHARD_ID:
      g_value_set_uint (value, self->shard_id);
      break;
    case PROP_SHARD_COUNT:
      g_value_set_uint (value, dgateway_shard_get_shard_count (self));
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_LATENCY:
      g_value_set_int64 (value, self->latency);
      break;
    case PROP_UPTIME:
      g_value_set_int64 (value, dgateway_shard_get_uptime (self));
      break;
    case PROP_EVENTS_RECEIVED:
      g_value_set_uint64 (value, self->events_received);
      break;
    case PROP_BYTES_RECEIVED:
      g_value_set_uint64 (value, self->bytes_received);
      break;
    case PROP_BYTES_DECOMPRESSED:
      g_value_set_uint64 (value, self->bytes_decompressed);
      break;
    case PROP_COMPRESSION_RATIO:
      g_value_set_double (value, dgateway_shard_get_compression_ratio (self));
      break;
    case PROP_RECONNECT_COUNT:
      g_value_set_uint (value, self->reconnect_count);
      break;
    case PROP_MISSED_HEARTBEATS:
      g_value_set_uint (value, self->missed_heartbeats);
      break;
    case PROP_EVENTS_LOST:
      g_value_set_uint64 (value, self->events_lost);
      break;
    case PROP_EVENTS_PER_SECOND:
      g_value_set_double (value, compute_events_per_second (self));
      break;
    case PROP_SESSION_ID:
      g_value_set_string (value, self->session_id);
      break;
    case PROP_SEQUENCE:
      g_value_set_int64 (value, self->sequence);
      break;
    case PROP_RESUME_URL:
      g_value_set_string (value, self->resume_url);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dgateway_shard_class_init (DGatewayShardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = dgateway_shard_dispose;
  object_class->finalize = dgateway_shard_finalize;
  object_class->get_property = dgateway_shard_get_property;

  /**
   * DGatewayShard:shard-id: (getter get_shard_id)
   *
   * The zero-based id of the shard.
   */
  props[PROP_SHARD_ID] =
    g_param_spec_uint ("shard-id", NULL, NULL, 0, G_MAXUINT, 0, flags);

  /**
   * DGatewayShard:shard-count: (getter get_shard_count)
   *
   * The number of shards of the bot this shard is one of.
   */
  props[PROP_SHARD_COUNT] =
    g_param_spec_uint ("shard-count", NULL, NULL, 1, G_MAXUINT, 1, flags);

  /**
   * DGatewayShard:state: (getter get_state)
   *
   * The state of the shard's connection.
   */
  props[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, DGATEWAY_TYPE_STATE,
                       DGATEWAY_STATE_DISCONNECTED, flags);

  /**
   * DGatewayShard:latency: (getter get_latency)
   *
   * The time between the last acknowledged heartbeat and its ACK, in
   * microseconds, or -1 before the first ACK.
   */
  props[PROP_LATENCY] =
    g_param_spec_int64 ("latency", NULL, NULL, -1, G_MAXINT64, -1, flags);

  /**
   * DGatewayShard:uptime: (getter get_uptime)
   *
   * How long the current connection has been CONNECTED, in microseconds;
   * 0 when it is not. Notified at most a few times a second.
   */
  props[PROP_UPTIME] =
    g_param_spec_int64 ("uptime", NULL, NULL, 0, G_MAXINT64, 0, flags);

  /**
   * DGatewayShard:events-received: (getter get_events_received)
   *
   * The number of dispatch events received, over all connections.
   * Notified at most a few times a second.
   */
  props[PROP_EVENTS_RECEIVED] =
    g_param_spec_uint64 ("events-received", NULL, NULL, 0, G_MAXUINT64, 0, flags);

  /**
   * DGatewayShard:bytes-received: (getter get_bytes_received)
   *
   * The number of payload bytes received on the wire, compressed if the
   * transport is. Notified at most a few times a second.
   */
  props[PROP_BYTES_RECEIVED] =
    g_param_spec_uint64 ("bytes-received", NULL, NULL, 0, G_MAXUINT64, 0, flags);

  /**
   * DGatewayShard:bytes-decompressed: (getter get_bytes_decompressed)
   *
   * The number of payload bytes after decompression.
   */
  props[PROP_BYTES_DECOMPRESSED] =
    g_param_spec_uint64 ("bytes-decompressed", NULL, NULL, 0, G_MAXUINT64, 0, flags);

  /**
   * DGatewayShard:compression-ratio: (getter get_compression_ratio)
   *
   * Decompressed bytes per byte on the wire; 1 without compression.
   */
  props[PROP_COMPRESSION_RATIO] =
    g_param_spec_double ("compression-ratio", NULL, NULL, 0, G_MAXDOUBLE, 1, flags);

  /**
   * DGatewayShard:reconnect-count: (getter get_reconnect_count)
   *
   * The number of times the shard opened a new connection after losing one.
   */
  props[PROP_RECONNECT_COUNT] =
    g_param_spec_uint ("reconnect-count", NULL, NULL, 0, G_MAXUINT, 0, flags);

  /**
   * DGatewayShard:missed-heartbeats: (getter get_missed_heartbeats)
   *
   * The number of heartbeats that were not acknowledged before the next was
   * due; each one ended a zombie connection.
   */
  props[PROP_MISSED_HEARTBEATS] =
    g_param_spec_uint ("missed-heartbeats", NULL, NULL, 0, G_MAXUINT, 0, flags);

  /**
   * DGatewayShard:events-lost: (getter get_events_lost)
   *
   * The number of events given up as lost: payloads that could not be read
   * (not valid JSON, over [property@Client:max-payload-size], a broken
   * compressed stream) at the same place, three times in a row, although
   * each time the session was resumed so that the gateway sent them again.
   * Each one is logged.
   */
  props[PROP_EVENTS_LOST] =
    g_param_spec_uint64 ("events-lost", NULL, NULL, 0, G_MAXUINT64, 0, flags);

  /**
   * DGatewayShard:events-per-second: (getter get_events_per_second)
   *
   * Dispatch events per second, averaged over the last ten complete seconds.
   */
  props[PROP_EVENTS_PER_SECOND] =
    g_param_spec_double ("events-per-second", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);

  /**
   * DGatewayShard:session-id: (getter get_session_id)
   *
   * The id of the Gateway session, from READY, or `NULL` without one.
   */
  props[PROP_SESSION_ID] =
    g_param_spec_string ("session-id", NULL, NULL, NULL, flags);

  /**
   * DGatewayShard:sequence: (getter get_sequence)
   *
   * The last sequence number received in the session, or -1.
   */
  props[PROP_SEQUENCE] =
    g_param_spec_int64 ("sequence", NULL, NULL, -1, G_MAXINT64, -1, flags);

  /**
   * DGatewayShard:resume-url: (getter get_resume_url)
   *
   * The URL to resume the session on, from READY, or `NULL`.
   */
  props[PROP_RESUME_URL] =
    g_param_spec_string ("resume-url", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * DGatewayShard::payload: (skip)
   * @self: the shard
   * @payload: the payload, of a private type
   *
   * How a shard hands each dispatch it accepted to its client, which
   * turns it into the client's signals. Not for applications.
   */
  signals[SIGNAL_PAYLOAD] =
    g_signal_new (g_intern_static_string ("payload"),
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL,
                  g_cclosure_marshal_VOID__POINTER,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
  g_signal_set_va_marshaller (signals[SIGNAL_PAYLOAD], G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__POINTERv);

  /**
   * DGatewayShard::connection-lost:
   * @self: the shard
   * @error: why: a heartbeat timeout, a close code, a network error
   *
   * Emitted when the shard's connection ends without the application
   * asking, once [property@Shard:state] shows what comes next:
   * [enum@DGateway.State.reconnecting], or [enum@DGateway.State.failed]
   * after a fatal error. [signal@Client::connection-lost] follows it.
   */
  signals[SIGNAL_CONNECTION_LOST] =
    g_signal_new (g_intern_static_string ("connection-lost"),
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);

  /**
   * DGatewayShard::reconnected:
   * @self: the shard
   * @resumed: `TRUE` if the session was resumed, `FALSE` if a new one
   *   started
   *
   * Emitted when the shard is CONNECTED again after a lost connection.
   */
  signals[SIGNAL_RECONNECTED] =
    g_signal_new (g_intern_static_string ("reconnected"),
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
}

static void
dgateway_shard_init (DGatewayShard *self)
{
  self->latency = -1;
  self->sequence = -1;
  self->notified_sequence = -1;
  self->closing = g_ptr_array_new_with_free_func (closing_free);
}

/* Public getters */

/**
 * dgateway_shard_get_shard_id:
 * @self: a shard
 *
 * Gets the zero-based id of the shard.
 *
 * Returns: the shard id
 */
guint
dgateway_shard_get_shard_id (DGatewayShard *self)
{
  g_return_val_if_fail (DGATEWAY_IS_SHARD (self), 0);

  return self->shard_id;
}

/**
 * dgateway_shard_get_shard_count:
 * @self: a shard
 *
 * Gets the number of shards of the bot.
 *
 * Returns: the shard count, 1 for an unsharded bot
 */
guint
dgateway_shard_get_shard_count (DGatewayShard *self)
{
  g_return_val_if_fail (DGATEWAY_IS_SHARD (self), 1);

  return MAX (self->shard_count, 1);
}

/**
 * dgateway_shard_get_state:
 * @self: a shard
 *
 * Gets the state of the shard's connection.
 *
 * Returns: the state
 */
DGatewayState
dgateway_shard_get_state (DGatewayShard *self)
{
  g_return_val_if_fail (DGATEWAY_IS_SHARD (self), DGATEWAY_STATE_DISCONNECTED);

  return self->state;
}

/**
 * dgateway_shard_get_latency:
 * @self: a shard
 *
 * Gets the heartbeat round trip time of the last acknowledged heartbeat.
 *
 * Returns: the latency in microseconds, or -1 before the first ACK
 */
gint64
dgateway_shard_get_latency (DGatewayShard *self)
{
  g_return_val_if_fail (DGATEWAY_IS_SHARD (self), -1);

  return self->latency;
}

/**
 * dgateway_shard_get_uptime:
 * @self: a shard
 *
 * Gets how long the current connection has been CONNECTED.
 *
 * Returns: the uptime in microseconds, 0 when not connected
 */
gint64
dgateway_shard_get_uptime (DGatewayShard *self)
{
  g_return_val_if_fail (DGATEWAY_IS_SHARD (self), 0);

  if (self->connected_since == 0 || self->state != DGATEWAY_STATE_CONNECTED)
    return 0;
  return g_get_monotonic_time () - self->connected_since;
}

/**
 * dgateway_shard_get_events_received:
 * @self: a shard
 *
 * Gets the number of dispatch events received.
 *
 * Returns: the event count
 */
guint64
dgateway_shard_get_events_received (DGatewayShard *self)
{
  g_return_val_if_fail (DGATEWAY_IS_SHARD (self), 0);

  return self->events_received;
}

/**
 * dgateway_shard_get_bytes_received:
 * @self: a shard
 *
 * Gets the number of payload bytes received on the wire.
 *
 * Returns: the byte count
 */
guint64
dgateway_shard_get_bytes_received (DGatewayShard *self)
{
  g_return_val_if_fail (DGATEWAY_IS_SHARD (self), 0);

  return self->bytes_received;
}

/**
 * dgateway_shard_get_bytes_decompressed:
 * @self: a shard
 *
 * Gets the number of payload bytes after decompression.
 *
 * Returns: the byte count
 */
guint64
dgateway_shard_get_bytes_decompressed (DGatewayShard *self)
{
  g_return_val_if_fail (DGATEWAY_IS_SHARD (self), 0);

  return self->bytes_decompressed;
}

/**
 * dgateway_shard_get_compression_ratio:
 * @self: a shard
 *
 * Gets how many decompressed bytes each byte on the wire carried.
 *
 * Returns: the ratio, 1 before anything was received
 */
double
dgateway_shard_get_compression_ratio (DGatewayShard *self)
{
  g_return_val_if_fail (DGATEWAY_IS_SHARD (self), 1.0);

  if (self->bytes_received == 0)
    return 1.0;
  return (double) self->bytes_decompressed / (double) self->bytes_received;
}

/**
 * dgateway_shard_get_reconnect_count:
 * @self: a shard
 *
 * Gets the number of reconnections.
 *
 * Returns: the reconnection count
 */
guint
dgateway_shard_get_reconnect_count (DGatewayShard *self)
{
  g_return_val_if_fail (DGATEWAY_IS_SHARD (self), 0);

  return self->reconnect_count;
}

/**
 * dgateway_shard_get_missed_heartbeats:
 * @self: a shard
 *
 * Gets the number of heartbeats that went unacknowledged.
 *
 * Returns: the missed heartbeat count
 */
guint
dgateway_shard_get_missed_heartbeats (DGatewayShard *self)
{
  g_return_val_if_fail (DGATEWAY_IS_SHARD (self), 0);

  return self->missed_heartbeats;
}

/**
 * dgateway_shard_get_events_per_second:
 * @self: a shard
 *
 * Gets the dispatch event rate over the last ten complete seconds.
 *
 * Returns: events per second
 */
double
dgateway_shard_get_events_per_second (DGatewayShard *self)
{
  g_return_val_if_fail (DGATEWAY_IS_SHARD (self), 0.0);

  return compute_events_per_second (self);
}

/**
 * dgateway_shard_get_session_id:
 * @self: a shard
 *
 * Gets the id of the Gateway session.
 *
 * Returns: (nullable): the session id, or `NULL` without a session
 */
const char *
dgateway_shard_get_session_id (DGatewayShard *self)
{
  g_return_val_if_fail (DGATEWAY_IS_SHARD (self), NULL);

  return self->session_id;
}

/**
 * dgateway_shard_get_sequence:
 * @self: a shard
 *
 * Gets the last sequence number received in the session.
 *
 * Returns: the sequence number, or -1 without one
 */
gint64
dgateway_shard_get_sequence (DGatewayShard *self)
{
  g_return_val_if_fail (DGATEWAY_IS_SHARD (self), -1);

  return self->sequence;
}

/**
 * dgateway_shard_get_resume_url:
 * @self: a shard
 *
 * Gets the URL the session is resumed on.
 *
 * Returns: (nullable): the resume URL, or `NULL` without a session
 */
const char *
dgateway_shard_get_resume_url (DGatewayShard *self)
{
  g_return_val_if_fail (DGATEWAY_IS_SHARD (self), NULL);

  return self->resume_url;
}

/**
 * dgateway_shard_get_events_lost:
 * @self: a shard
 *
 * Gets the number of events given up as lost; see
 * [property@Shard:events-lost].
 *
 * Returns: the number of lost events
 */
guint64
dgateway_shard_get_events_lost (DGatewayShard *self)
{
  g_return_val_if_fail (DGATEWAY_IS_SHARD (self), 0);

  return self->events_lost;
}
