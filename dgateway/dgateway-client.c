/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-client-private.h"
#include "dgateway-thread-private.h"
#include "dgateway-discovery-private.h"
#include "dgateway-link-private.h"
#include "dgateway-enum-types.h"
#include "dgateway-error.h"
#include "dgateway-event-private.h"
#include "dgateway-metrics-private.h"
#include "dgateway-object-private.h"
#include "dgateway-session-private.h"
#include "dgateway-shard-private.h"
#include "dgateway-sleep-monitor-private.h"
#include "dgateway-timers-private.h"
#include "dgateway-typed-private.h"

#include <glib/gi18n-lib.h>

/**
 * DGatewayClient:
 *
 * A connection to the Discord Gateway that keeps itself alive.
 *
 * A client connects with a bot token and a set of [flags@DGateway.Intents],
 * and from then on runs the whole Gateway lifecycle on the
 * [struct@GLib.MainContext] that was the thread default when
 * [method@Client.connect_async] was called: heartbeats, IDENTIFY, RESUME
 * after a lost connection, the Gateway's reconnection requests, and
 * reconnection with exponential backoff. Every dispatch event reaches the
 * application as the detailed [signal@Client::dispatch] signal.
 *
 * ```c
 * g_autoptr(DGatewayClient) client = dgateway_client_new (token,
 *     DGATEWAY_INTENTS_GUILD_MESSAGES | DGATEWAY_INTENTS_MESSAGE_CONTENT);
 *
 * g_signal_connect (client, "dispatch::MESSAGE_CREATE",
 *                   G_CALLBACK (on_message_create), NULL);
 * dgateway_client_connect_async (client, NULL, on_connected, NULL);
 * ```
 *
 * ## Metrics
 *
 * The state and the metrics of the connection are properties, so
 * `notify::` handlers and [method@GObject.Object.bind_property] work on
 * them. Counters that change with every event (`events-received`,
 * `bytes-received`, `sequence`, `events-per-second`, `uptime`) are notified
 * at most four times a second, never once per event.
 *
 * ## Secrets
 *
 * The token goes only into IDENTIFY, RESUME and the `Authorization` header
 * of REST requests. It never appears in a log line, a debug message or a
 * [struct@GLib.Error].
 */

#define DEFAULT_API_URL            "https://discord.com/api/v10"
#define DEFAULT_GATEWAY_URL        "wss://gateway.discord.gg"
#define DEFAULT_MAX_PAYLOAD_SIZE   (64 * 1024 * 1024)
#define DEFAULT_DELAY_MIN_MS       1000
#define DEFAULT_DELAY_MAX_MS       60000
#define DEFAULT_HELLO_TIMEOUT_MS   20000
#define DEFAULT_MAX_QUEUED         (8 * 1024 * 1024)
#define METRICS_INTERVAL_MS        250
#define USER_AGENT                 "DiscordBot (" PACKAGE_URL ", " PACKAGE_VERSION ")"

enum {
  PROP_0,
  PROP_TOKEN,
  PROP_INTENTS,
  PROP_GATEWAY_URL,
  PROP_API_URL,
  PROP_COMPRESSION,
  PROP_ENCODING,
  PROP_IO_THREAD,
  PROP_SHARD_COUNT,
  PROP_RECONNECT_DELAY_MIN,
  PROP_RECONNECT_DELAY_MAX,
  PROP_MAX_PAYLOAD_SIZE,
  PROP_LARGE_THRESHOLD,
  PROP_PRESENCE,
  PROP_IDENTIFY_QUEUE,
  PROP_NETWORK_MONITOR,
  PROP_NETWORK_AVAILABLE,
  PROP_FIRST_SHARD_ID,
  PROP_LAST_SHARD_ID,
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
  PROP_LAST_ERROR,
  N_PROPS
};

struct _DGatewayClient
{
  GObject parent_instance;

  char *token;
  DGatewayShardSettings settings;
  char *gateway_url;
  char *api_url;
  char *resolved_gateway_url;
  guint shard_count;
  DGatewayPresence *presence;
  JsonNode *presence_json;  /* what IDENTIFY carries: presence as it was set */

  GMainContext *context;
  SoupSession *soup_session;
  gboolean io_thread;
  DGatewayWorker *worker;   /* with io_thread: where the shards' sockets run */
  DGatewayTimers *timers;   /* every shard's timers, on context */
  GListStore *shards;       /* the public list */
  GPtrArray *shard_array;   /* the same shards, for the hot paths */
  GTask *connect_task;
  GCancellable *discovery_cancellable;
  DGatewayIdentifyQueue *identify_queue;   /* set by the application, or NULL */
  DGatewayIdentifyQueue *local_queue;      /* the default, made at connect time */
  guint first_shard;
  int last_shard;                          /* -1: up to the last */
  guint total_shards;                      /* the bot's shard count in use */
  GSource *reshard_source;
  GNetworkMonitor *network_monitor;
  gboolean network_available;
  DGatewaySleepMonitor *sleep_monitor;
  GVariant *restored_session;
  gulong cancelled_id;
  GSource *metrics_source;
  gboolean metrics_busy;
  DGatewayState state;
  guint generation;         /* changes with every connect_async() and close() */
  guint closing;            /* close() is stopping the shards */
  double notified[N_PROPS]; /* by property id: the metric values last notified */
  char *notified_session_id;
  GError *last_error;       /* why the client last failed or lost a connection */

  /* Aggregates kept as the shards change, so that a heartbeat ACK or a
   * state change costs O(1) and not a pass over thousands of shards. */
  GHashTable *tallies;      /* DGatewayShard * → ShardTally, of the watched shards */
  guint state_counts[DGATEWAY_STATE_FAILED + 1];
  gint64 latency_sum;       /* over the shards with a latency */
  DGatewayShardTotals *totals; /* the shards' counters, summed as they count */
  guint latency_known;
  guint64 events_lost;
};

/* What the client last saw of a shard: its part in the aggregates. */
typedef struct {
  DGatewayState state;
  gint64 latency;
  guint64 events_lost;
} ShardTally;

enum {
  SIGNAL_DISPATCH,
  SIGNAL_CONNECTION_LOST,
  SIGNAL_RECONNECTED,
  N_SIGNALS,
};

static GParamSpec *props[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DGatewayClient, dgateway_client, G_TYPE_OBJECT)

static void     watch_shard (DGatewayClient *self,
                             DGatewayShard  *shard);
static gboolean reshard_cb  (gpointer        data);

static void
ensure_i18n (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      /* Set by `meson devenv` to the build tree's po/, so that an
       * uninstalled library finds its translations. */
      const char *dir = g_getenv ("DGATEWAY_LOCALEDIR");

      bindtextdomain (GETTEXT_PACKAGE, dir != NULL && *dir != '\0' ? dir : LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&initialized, 1);
    }
}

/* Aggregates over the shards */

static DGatewayShard *
shard_at (DGatewayClient *self,
          guint           position)
{
  /* The plain array mirrors the list store: reading it costs no
   * reference counting on every metrics tick. */
  return g_ptr_array_index (self->shard_array, position);
}

static guint
n_shards (DGatewayClient *self)
{
  return self->shard_array->len;
}

/* Stops listening to the shards and lets go of them; the caller stopped
 * them (or leaves them running down in their dispose). */
static void
clear_shards (DGatewayClient *self)
{
  for (guint i = 0; i < n_shards (self); i++)
    g_signal_handlers_disconnect_by_data (shard_at (self, i), self);
  g_ptr_array_set_size (self->shard_array, 0);
  g_list_store_remove_all (self->shards);

  g_hash_table_remove_all (self->tallies);
  /* The next shards count from zero; these ones keep theirs. */
  g_clear_pointer (&self->totals, dgateway_shard_totals_unref);
  memset (self->state_counts, 0, sizeof self->state_counts);
  self->latency_sum = 0;
  self->latency_known = 0;
  self->events_lost = 0;
}

/* Moves @shard's part in the aggregates from what the client last saw to
 * what it is now. Each of these changes notifies, so the client hears of
 * every one (see watch_shard()). */
static void
tally_shard (DGatewayClient *self,
             DGatewayShard  *shard)
{
  ShardTally *tally = g_hash_table_lookup (self->tallies, shard);
  DGatewayState state = dgateway_shard_get_state (shard);
  gint64 latency = dgateway_shard_get_latency (shard);
  guint64 events_lost = dgateway_shard_get_events_lost (shard);

  g_assert (tally != NULL && state < G_N_ELEMENTS (self->state_counts));

  self->state_counts[tally->state]--;
  self->state_counts[state]++;
  if (tally->latency >= 0)
    self->latency_sum -= tally->latency, self->latency_known--;
  if (latency >= 0)
    self->latency_sum += latency, self->latency_known++;
  self->events_lost += events_lost - tally->events_lost;

  tally->state = state;
  tally->latency = latency;
  tally->events_lost = events_lost;
}

/* Starts counting @shard in the aggregates as if it had been
 * DISCONNECTED, with no latency and nothing lost, then tallies it. */
static void
add_tally (DGatewayClient *self,
           DGatewayShard  *shard)
{
  ShardTally *tally = g_new0 (ShardTally, 1);

  tally->state = DGATEWAY_STATE_DISCONNECTED;
  tally->latency = -1;
  self->state_counts[DGATEWAY_STATE_DISCONNECTED]++;
  g_hash_table_insert (self->tallies, shard, tally);
  tally_shard (self, shard);
}

/* The shards, as a new array of new references: a loop over it is safe
 * from handlers that change the client's shards meanwhile. */
static GPtrArray *
copy_shards (DGatewayClient *self)
{
  return g_ptr_array_copy (self->shard_array, (GCopyFunc) (void (*) (void)) g_object_ref, NULL);
}

/* The client is CONNECTED only when every shard is; otherwise it shows the
 * state of the shard furthest from it, FAILED first. */
static DGatewayState
aggregate_state (DGatewayClient *self)
{
  static const DGatewayState order[] = {
    DGATEWAY_STATE_FAILED, DGATEWAY_STATE_RECONNECTING, DGATEWAY_STATE_CONNECTING,
    DGATEWAY_STATE_IDENTIFYING, DGATEWAY_STATE_RESUMING, DGATEWAY_STATE_CONNECTED,
  };

  if (n_shards (self) == 0)
    return self->state == DGATEWAY_STATE_CONNECTING ? self->state : DGATEWAY_STATE_DISCONNECTED;

  for (guint o = 0; o < G_N_ELEMENTS (order); o++)
    if (self->state_counts[order[o]] > 0)
      return order[o];

  return DGATEWAY_STATE_DISCONNECTED;
}

/* Remembers why the client failed or lost a connection (a copy of
 * @error), or forgets it with NULL. */
static void
set_last_error (DGatewayClient *self,
                const GError   *error)
{
  if (self->last_error == NULL && error == NULL)
    return;

  g_clear_error (&self->last_error);
  self->last_error = error != NULL ? g_error_copy (error) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LAST_ERROR]);
}

static void
set_state (DGatewayClient *self,
           DGatewayState   state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE]);
  /* Every shard is connected: whatever went wrong before is over. */
  if (state == DGATEWAY_STATE_CONNECTED)
    set_last_error (self, NULL);
  g_object_thaw_notify (G_OBJECT (self));
}

/* Connecting */

static gboolean
return_task_cb (gpointer data)
{
  GTask *task = data;
  GError *error = g_task_get_task_data (task);

  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

/* Takes the pending connect_async() task away from the client. */
static GTask *
steal_connect_task (DGatewayClient *self)
{
  GTask *task = g_steal_pointer (&self->connect_task);

  if (task != NULL && self->cancelled_id != 0)
    g_cancellable_disconnect (g_task_get_cancellable (task), self->cancelled_id);
  self->cancelled_id = 0;
  return task;
}

/* Completes @task with @error (taken), or with success, from an idle of
 * the client's context: never from deep inside the library, where the
 * callback could free what the stack still uses. */
static void
return_task_later (GTask  *task,
                   GError *error)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  if (error != NULL)
    g_task_set_task_data (task, error, (GDestroyNotify) g_error_free);
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_static_name (source, "[dgateway] connect_async completion");
  g_task_attach_source (task, source, return_task_cb);
}

static void
complete_connect (DGatewayClient *self,
                  GError         *error)
{
  g_autoptr(GTask) task = NULL;

  if (self->connect_task == NULL)
    {
      g_clear_error (&error);
      return;
    }

  /* Connected after the application cancelled, before the cancellation
   * reached us: cancelling means closing, whatever came first. */
  if (error == NULL && g_cancellable_is_cancelled (g_task_get_cancellable (self->connect_task)))
    {
      dgateway_client_close (self);
      return;
    }

  task = steal_connect_task (self);
  return_task_later (task, error);
}

/* Notifies @prop_id if @value differs from what was last notified. */
static void
notify_if_changed (DGatewayClient *self,
                   guint           prop_id,
                   double          value)
{
  if (self->notified[prop_id] == value)
    return;

  self->notified[prop_id] = value;
  g_object_notify_by_pspec (G_OBJECT (self), props[prop_id]);
}

/* notify_if_changed() for a metric of the table, by name: the table's
 * metrics are the client's properties. */
static void
notify_metric_if_changed (DGatewayClient       *self,
                          const DGatewayMetric *metric)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (self), metric->name);
  g_autoptr(GVariant) value = NULL;
  double number;

  if (pspec == NULL)
    return;
  value = dgateway_metric_read (metric, G_OBJECT (self));
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
    number = (double) g_variant_get_uint64 (value);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    number = (double) g_variant_get_int64 (value);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    number = g_variant_get_uint32 (value);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
    number = g_variant_get_double (value);
  else
    return;
  notify_if_changed (self, pspec->param_id, number);
}

static gboolean metrics_cb (gpointer data);

/* Four ticks a second while events flow, one while idle: with many shards
 * every wake-up of the main loop polls every socket, so an idle client
 * should wake up as little as it can. */
static void
schedule_metrics (DGatewayClient *self,
                  gboolean        busy)
{
  GSource *source;

  if (self->metrics_source != NULL && self->metrics_busy == busy)
    return;

  dgateway_source_clear (&self->metrics_source);
  self->metrics_busy = busy;
  source = busy ? g_timeout_source_new (METRICS_INTERVAL_MS) : g_timeout_source_new_seconds (1);
  g_source_set_callback (source, metrics_cb, self, NULL);
  g_source_attach (source, self->context);
  self->metrics_source = source;
}

static gboolean
metrics_cb (gpointer data)
{
  g_autoptr(DGatewayClient) self = g_object_ref (DGATEWAY_CLIENT (data));
  GObject *object = G_OBJECT (self);
  double events = (double) dgateway_client_get_events_received (self);
  g_autoptr(GPtrArray) shards = copy_shards (self);
  guint n_metrics;
  const DGatewayMetric *metrics = dgateway_metrics_get_table (&n_metrics);

  schedule_metrics (self, self->notified[PROP_EVENTS_RECEIVED] != events);

  g_object_freeze_notify (object);
  for (guint i = 0; i < shards->len; i++)
    dgateway_shard_flush_metrics (shards->pdata[i]);

  for (guint i = 0; i < n_metrics; i++)
    if ((metrics[i].flags & DGATEWAY_METRIC_TICK) != 0)
      notify_metric_if_changed (self, &metrics[i]);
  /* The uptime moves with the clock: once a second is enough. */
  notify_if_changed (self, PROP_UPTIME, dgateway_client_get_uptime (self) / G_USEC_PER_SEC);
  g_object_thaw_notify (object);
  return G_SOURCE_CONTINUE;
}

static void
fail_connect (DGatewayClient *self,
              GError         *error)
{
  set_last_error (self, error);
  complete_connect (self, error);
  set_state (self, DGATEWAY_STATE_FAILED);
}

/* What the shards get of the client, as it is now. */
static DGatewayShardConfig *
build_config (DGatewayClient *self)
{
  /* One worker serves every shard, and its I/O threads each serve up to
   * DGATEWAY_WORKER_LINKS_PER_THREAD: a socket's reads and decoding are
   * short, and a thread per shard would cost a stack and a wake-up each
   * (docs/performance.md has the measurements). */
  if (self->worker == NULL)
    self->worker = dgateway_link_worker_new (self->context, self->io_thread,
                                             self->settings.max_queued);
  /* One GSource for all the shards' timers: GLib checks every source of
   * the context on each of its wake-ups. New timers for a new context
   * (connect_async() takes the thread-default one); shards still on the
   * old one keep theirs through their config. */
  if (self->timers != NULL && dgateway_timers_get_context (self->timers) != self->context)
    g_clear_pointer (&self->timers, dgateway_timers_unref);
  if (self->timers == NULL)
    self->timers = dgateway_timers_new (self->context);
  if (self->totals == NULL)
    self->totals = dgateway_shard_totals_new ();

  return dgateway_shard_config_new (&self->settings, self->token, self->presence_json,
                                    self->resolved_gateway_url ? self->resolved_gateway_url
                                                               : DEFAULT_GATEWAY_URL,
                                    self->soup_session, self->context,
                                    self->identify_queue ? self->identify_queue : self->local_queue,
                                    self->worker, self->timers, self->totals);
}

/* A setting changed: the shards get it for their next connection. */
static void
push_config (DGatewayClient *self)
{
  g_autoptr(DGatewayShardConfig) config = NULL;

  if (n_shards (self) == 0)
    return;

  config = build_config (self);
  for (guint i = 0; i < n_shards (self); i++)
    dgateway_shard_set_config (shard_at (self, i), config);
}

/* Sessions handed over with dgateway_client_restore_session() go to the
 * shards with the same id and count; the rest identify afresh. */
static void
apply_restored_session (DGatewayClient *self,
                        guint           count)
{
  g_autoptr(GVariant) session = g_steal_pointer (&self->restored_session);

  if (session != NULL)
    dgateway_session_restore (session, self->shard_array, count);
}

/* Runs this process's part of a bot of @total shards: ids first-shard-id
 * to last-shard-id. @sharded says whether IDENTIFY carries `shard`. */
static void
start_shards (DGatewayClient *self,
              guint           total,
              gboolean        sharded)
{
  guint last = self->last_shard < 0 ? total - 1 : (guint) self->last_shard;
  guint generation = self->generation;
  g_autoptr(DGatewayShardConfig) config = NULL;
  g_autoptr(GPtrArray) old = NULL;
  g_autoptr(GPtrArray) shards = NULL;

  if (self->first_shard > last || last >= total)
    {
      fail_connect (self, g_error_new (DGATEWAY_ERROR, DGATEWAY_ERROR_INVALID_SHARD,
                                       _("Shards %u to %d are not within the %u shards of the bot"),
                                       self->first_shard, self->last_shard, total));
      return;
    }

  self->total_shards = total;

  /* Shards of an earlier connection (one that failed) end here. */
  old = copy_shards (self);
  clear_shards (self);
  for (guint i = 0; i < old->len; i++)
    dgateway_shard_stop (old->pdata[i], TRUE);

  config = build_config (self);
  for (guint id = self->first_shard; id <= last; id++)
    {
      DGatewayShard *shard = dgateway_shard_new (id, sharded ? total : 0, config,
                                                 self->network_available);

      watch_shard (self, shard);
      g_ptr_array_add (self->shard_array, shard);
    }
  apply_restored_session (self, sharded ? total : 0);

  dgateway_source_clear (&self->metrics_source);
  schedule_metrics (self, TRUE);

  /* items-changed runs application code. */
  g_list_store_splice (self->shards, 0, 0, self->shard_array->pdata, self->shard_array->len);

  shards = copy_shards (self);
  for (guint i = 0; i < shards->len && generation == self->generation; i++)
    dgateway_shard_start (shards->pdata[i]);
}

static void
set_local_queue (DGatewayClient *self,
                 guint           max_concurrency)
{
  g_clear_object (&self->local_queue);
  self->local_queue = DGATEWAY_IDENTIFY_QUEUE (dgateway_local_identify_queue_new (max_concurrency));
}

static void
discovered_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  g_autoptr(DGatewayClient) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DGatewayGatewayBot) info = dgateway_discover_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->discovery_cancellable);

  if (info == NULL)
    {
      fail_connect (self, g_steal_pointer (&error));
      return;
    }

  g_free (self->resolved_gateway_url);
  self->resolved_gateway_url = g_strdup (info->url);
  set_local_queue (self, info->max_concurrency);
  dgateway_local_identify_queue_set_session_start_limit (DGATEWAY_LOCAL_IDENTIFY_QUEUE (self->local_queue),
                                                         info->remaining, info->reset_after);

  /* shard-count 0: as many shards as Discord recommends. */
  if (self->shard_count == 0)
    start_shards (self, info->shards, info->shards > 1);
  else
    start_shards (self, self->shard_count, TRUE);
}

/* GET /gateway/bot gives the URL, the shard count and the limits. */
static void
discover_gateway (DGatewayClient *self)
{
  self->discovery_cancellable = g_cancellable_new ();
  dgateway_discover_async (self->soup_session, self->api_url, self->token, self->context,
                           self->discovery_cancellable, discovered_cb, g_object_ref (self));
}

static gboolean
reshard_cb (gpointer data)
{
  g_autoptr(DGatewayClient) self = g_object_ref (DGATEWAY_CLIENT (data));
  g_autoptr(GPtrArray) shards = copy_shards (self);

  g_clear_pointer (&self->reshard_source, g_source_unref);
  clear_shards (self);
  for (guint i = 0; i < shards->len; i++)
    dgateway_shard_stop (shards->pdata[i], TRUE);
  discover_gateway (self);
  return G_SOURCE_REMOVE;
}

static gboolean
cancel_connect_idle_cb (gpointer data)
{
  GTask *task = data;
  DGatewayClient *self = g_task_get_source_object (task);

  /* Only the connection this cancellable was given to. */
  if (self->connect_task == task)
    dgateway_client_close (self);
  return G_SOURCE_REMOVE;
}

static void
connect_cancelled_cb (GCancellable *cancellable,
                      GTask        *task)
{
  /* "cancelled" may run in another thread; stop on the client's own. */
  g_autoptr(GSource) source = g_idle_source_new ();
  DGatewayClient *self = g_task_get_source_object (task);

  g_source_set_callback (source, cancel_connect_idle_cb, g_object_ref (task), g_object_unref);
  g_source_attach (source, self->context);
}

/* Suspend and resume: after a wake-up every socket may be dead without
 * either side knowing. */
static void
woke_up_cb (gpointer data)
{
  g_autoptr(DGatewayClient) self = g_object_ref (DGATEWAY_CLIENT (data));
  g_autoptr(GPtrArray) shards = copy_shards (self);

  g_debug ("The system woke up: checking every connection");
  for (guint i = 0; i < shards->len; i++)
    dgateway_shard_check_alive (shards->pdata[i]);
}

/* A token of printable ASCII, no longer than any Discord issues (about 72
 * characters; bot tokens have three dot-separated parts), and intents that
 * Discord knows: what the gateway would refuse with 4002, 4004 or 4013 is
 * refused before connecting. Messages never show the token. */
#define MAX_TOKEN_LENGTH 256

static gboolean
check_configuration (DGatewayClient  *self,
                     GError         **error)
{
  GFlagsClass *intents = g_type_class_ref (DGATEWAY_TYPE_INTENTS);
  guint known = intents->mask;
  gsize length = self->token ? strlen (self->token) : 0;

  /* The class of a static type lives as long as the process. */
  g_type_class_unref (intents);

  if (length == 0 || length > MAX_TOKEN_LENGTH)
    {
      g_set_error (error, DGATEWAY_ERROR, DGATEWAY_ERROR_AUTHENTICATION_FAILED,
                   _("The token is not a Discord token: it is empty or longer than %d bytes"),
                   MAX_TOKEN_LENGTH);
      return FALSE;
    }
  for (gsize i = 0; i < length; i++)
    if (self->token[i] <= ' ' || self->token[i] > '~')
      {
        g_set_error_literal (error, DGATEWAY_ERROR, DGATEWAY_ERROR_AUTHENTICATION_FAILED,
                             _("The token is not a Discord token: it has characters that are not printable ASCII"));
        return FALSE;
      }

  if ((self->settings.intents & ~known) != 0)
    {
      g_set_error (error, DGATEWAY_ERROR, DGATEWAY_ERROR_INVALID_INTENTS,
                   _("The intents have bits Discord does not know: 0x%x"),
                   (guint) (self->settings.intents & ~known));
      return FALSE;
    }
  return TRUE;
}

/* Public API */

/**
 * dgateway_client_new:
 * @token: the bot token, without the `Bot ` prefix
 * @intents: the groups of events to receive
 *
 * Creates a client for the bot with @token.
 *
 * Returns: (transfer full): a new client
 */
DGatewayClient *
dgateway_client_new (const char      *token,
                     DGatewayIntents  intents)
{
  DGatewayClient *self;

  g_return_val_if_fail (token != NULL, NULL);

  self = g_object_new (DGATEWAY_TYPE_CLIENT, "token", token, NULL);

  /* Not through the property, which would drop bits it does not know with
   * a warning: connect_async() reports them as an error instead. */
  dgateway_client_set_intents (self, intents);
  return self;
}

/**
 * dgateway_client_connect_async:
 * @self: a client
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called when the client is connected, or failed
 * @user_data: data for @callback
 *
 * Connects to the Gateway.
 *
 * The operation completes when every shard is CONNECTED (READY was
 * received), or with the first fatal error: a fatal close code such as
 * `DGATEWAY_ERROR_AUTHENTICATION_FAILED`, or a token the REST API
 * refuses. Lost connections and refused connection attempts are not fatal:
 * the client keeps trying with backoff, and each one is reported by
 * [signal@Client::connection-lost].
 *
 * Cancelling @cancellable, or calling [method@Client.close], stops
 * connecting and completes the operation with `G_IO_ERROR_CANCELLED`.
 *
 * What the Gateway would refuse is refused before anything is sent: a
 * token that is empty, longer than any Discord token or not printable
 * ASCII fails with `DGATEWAY_ERROR_AUTHENTICATION_FAILED`, and
 * [property@Client:intents] with bits Discord does not know with
 * `DGATEWAY_ERROR_INVALID_INTENTS`.
 *
 * The callback always runs from the main loop, never from inside a call
 * into the client, so it may do anything: close or drop the client, or
 * connect it again.
 *
 * After the operation completed the client goes on by itself: it stays
 * connected until [method@Client.close], or until a fatal error,
 * which sets [property@Client:state] to
 * [enum@DGateway.State.failed].
 */
void
dgateway_client_connect_async (DGatewayClient      *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(DGatewayClient) hold = NULL;
  g_autoptr(GError) error = NULL;
  guint generation;

  g_return_if_fail (DGATEWAY_IS_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  hold = g_object_ref (self);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, dgateway_client_connect_async);

  if (self->connect_task != NULL || (self->state != DGATEWAY_STATE_DISCONNECTED &&
                                     self->state != DGATEWAY_STATE_FAILED))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("The client is already connected or connecting"));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  if (!check_configuration (self, &error))
    {
      /* Nothing was sent: what the gateway would refuse is refused here. */
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  /* The worker's source for the links is on the context of the previous
   * connect: the next links get a worker on this one. The same context
   * keeps its worker: its I/O threads hold libsoup's connections, which
   * a stopped thread would leave counted against the host for good. */
  if (self->worker != NULL && dgateway_worker_get_owner_context (self->worker) != self->context)
    g_clear_pointer (&self->worker, dgateway_worker_unref);
  if (self->soup_session == NULL)
    self->soup_session = soup_session_new_with_options ("user-agent", USER_AGENT, NULL);

  self->generation++;
  generation = self->generation;
  dgateway_source_clear (&self->reshard_source);
  self->connect_task = g_object_ref (task);
  if (self->sleep_monitor == NULL)
    self->sleep_monitor = dgateway_sleep_monitor_new (G_CALLBACK (woke_up_cb), self);
  if (cancellable != NULL)
    self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (connect_cancelled_cb),
                                                task, NULL);
  set_state (self, DGATEWAY_STATE_CONNECTING);
  /* A notify::state handler closed the client, or let go of it. */
  if (generation != self->generation)
    return;

  if (self->gateway_url != NULL && *self->gateway_url != '\0')
    {
      /* A gateway proxy or a test gateway: no REST discovery. */
      g_free (self->resolved_gateway_url);
      self->resolved_gateway_url = g_strdup (self->gateway_url);
      set_local_queue (self, 1);
      start_shards (self, MAX (self->shard_count, 1), self->shard_count > 0);
    }
  else
    discover_gateway (self);
}

/**
 * dgateway_client_connect_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@Client.connect_async].
 *
 * Returns: `TRUE` if every shard is connected, `FALSE` with @error set
 *   otherwise
 */
gboolean
dgateway_client_connect_finish (DGatewayClient  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dgateway_client_connect_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * dgateway_client_close:
 * @self: a client
 *
 * Closes every connection with close code 1000, which ends the Gateway
 * session: the bot goes offline and the session cannot be resumed.
 *
 * A pending [method@Client.connect_async] completes with
 * `G_IO_ERROR_CANCELLED`. The client can connect again afterwards.
 */
void
dgateway_client_close (DGatewayClient *self)
{
  g_autoptr(DGatewayClient) hold = NULL;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) shards = NULL;

  g_return_if_fail (DGATEWAY_IS_CLIENT (self));

  /* Everything under way belongs to the connection being closed: a
   * handler below that connects again starts afresh. */
  hold = g_object_ref (self);
  self->generation++;
  task = steal_connect_task (self);
  g_cancellable_cancel (self->discovery_cancellable);
  g_clear_object (&self->discovery_cancellable);
  dgateway_source_clear (&self->metrics_source);
  dgateway_source_clear (&self->reshard_source);

  /* The shards' own notifications are not the client's state while it
   * closes them: it becomes DISCONNECTED once, at the end. */
  self->closing++;
  shards = copy_shards (self);
  for (guint i = 0; i < shards->len; i++)
    dgateway_shard_stop (shards->pdata[i], TRUE);
  self->closing--;

  if (task != NULL)
    return_task_later (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                  _("The connection was cancelled")));
  set_state (self, DGATEWAY_STATE_DISCONNECTED);
}

/**
 * dgateway_client_dup_session:
 * @self: a client
 *
 * Takes what a restarted application needs to resume the client's
 * sessions: for each shard with a session, its id, the shard count, the
 * session id, the last sequence number and the resume URL, as a
 * `a(uusxs)` variant. It never holds the token.
 *
 * Save it when the application quits (without calling
 * [method@Client.close], which ends the sessions) and give it to
 * [method@Client.restore_session] in the next run: the client then
 * RESUMEs and Discord replays the events missed in between.
 *
 * Returns: (transfer full): the sessions
 */
GVariant *
dgateway_client_dup_session (DGatewayClient *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), NULL);

  return dgateway_session_save (self->shard_array,
                                self->shard_count == 0 && self->total_shards <= 1 ? 0 : self->total_shards);
}

/**
 * dgateway_client_restore_session:
 * @self: a client that is not connected
 * @session: sessions from [method@Client.dup_session]
 * @error: return location for an error
 *
 * Makes the next [method@Client.connect_async] RESUME the sessions of an
 * earlier run instead of starting new ones. A session the Gateway no
 * longer knows is answered with an invalid session, and that shard
 * identifies afresh.
 *
 * A @session that could not be resumed (another type, an entry without a
 * session id, a negative sequence, a resume URL that is not a `ws://` or
 * `wss://` URL) is refused with `G_IO_ERROR_INVALID_ARGUMENT`, and the
 * client then starts new sessions.
 *
 * Returns: `TRUE` if @session was usable
 */
gboolean
dgateway_client_restore_session (DGatewayClient  *self,
                                 GVariant        *session,
                                 GError         **error)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (session != NULL, FALSE);

  if (!dgateway_session_check (session, error))
    return FALSE;
  if (self->state != DGATEWAY_STATE_DISCONNECTED && self->state != DGATEWAY_STATE_FAILED)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                           _("Sessions can only be restored before connecting"));
      return FALSE;
    }

  g_clear_pointer (&self->restored_session, g_variant_unref);
  self->restored_session = g_variant_ref_sink (session);
  return TRUE;
}

/**
 * dgateway_client_get_network_available:
 * @self: a client
 *
 * Gets whether the network monitor says the network is up.
 *
 * Returns: `TRUE` if the network is available
 */
gboolean
dgateway_client_get_network_available (DGatewayClient *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), FALSE);

  return self->network_available;
}

/**
 * dgateway_client_get_shards:
 * @self: a client
 *
 * Gets the shards of the client, as a list of [class@Shard].
 *
 * The list is filled when the client connects.
 *
 * Returns: (transfer none): the shards
 */
GListModel *
dgateway_client_get_shards (DGatewayClient *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), NULL);

  return G_LIST_MODEL (self->shards);
}

static GVariant *
shard_metrics (DGatewayShard *shard)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  dgateway_metrics_add_to_dict (&dict, G_OBJECT (shard), DGATEWAY_METRIC_SHARD);
  g_variant_dict_insert (&dict, "queued-commands", "u", dgateway_shard_get_queued_commands (shard));
  return g_variant_dict_end (&dict);
}

/**
 * dgateway_client_get_metrics:
 * @self: a client
 *
 * Takes a snapshot of the client's state and metrics, for logging or to
 * publish on D-Bus.
 *
 * The dictionary (`a{sv}`) holds `state` (the state's nick), `latency`,
 * `uptime` (µs, `x`), `events-received`, `bytes-received`,
 * `bytes-decompressed` (`t`), `compression-ratio`, `events-per-second`
 * (`d`), `reconnect-count`, `missed-heartbeats` (`u`), and `shards`, an
 * `aa{sv}` with the same metrics per shard plus `shard-id`, `sequence` and
 * `queued-commands`. It never holds the token or the session id.
 *
 * Returns: (transfer full): a floating-free `a{sv}` variant
 */
GVariant *
dgateway_client_get_metrics (DGatewayClient *self)
{
  GVariantDict dict;
  GVariantBuilder shards;

  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), NULL);

  g_variant_builder_init (&shards, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < n_shards (self); i++)
    g_variant_builder_add_value (&shards, shard_metrics (shard_at (self, i)));

  g_variant_dict_init (&dict, NULL);
  dgateway_metrics_add_to_dict (&dict, G_OBJECT (self), DGATEWAY_METRIC_CLIENT);
  g_variant_dict_insert_value (&dict, "shards", g_variant_builder_end (&shards));
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

/* Private API for the commands and the tests */

guint
dgateway_client_get_total_shards (DGatewayClient *self)
{
  return MAX (self->total_shards, 1);
}

DGatewayShard *
dgateway_client_find_shard (DGatewayClient *self,
                            guint           shard_id)
{
  for (guint i = 0; i < n_shards (self); i++)
    if (dgateway_shard_get_shard_id (shard_at (self, i)) == shard_id)
      return shard_at (self, i);
  return NULL;
}

DGatewayShardSettings *
dgateway_client_get_settings (DGatewayClient *self)
{
  return &self->settings;
}

gsize
dgateway_client_get_peak_queued (DGatewayClient *self)
{
  gsize peak;

  if (self->worker == NULL || !dgateway_worker_is_threaded (self->worker))
    return 0;

  dgateway_mutex_lock (dgateway_worker_get_lock (self->worker));
  peak = dgateway_worker_get_peak_queued (self->worker);
  dgateway_mutex_unlock (dgateway_worker_get_lock (self->worker));
  return peak;
}

/* What the shards report */

/* Emits dispatch::NAME and the typed signal of one payload, whose typed
 * event, if it has one, is @typed; @self is held by the caller. */
static void
emit_payload (DGatewayClient           *self,
              DGatewayShard            *shard,
              DGatewayPayload          *payload,
              const DGatewayTypedEvent *typed)
{
  const char *name = dgateway_payload_get_name (payload);
  GQuark detail = name ? g_quark_try_string (name) : 0;
  guint typed_signal = typed ? dgateway_typed_event_get_signal (typed) : 0;
  g_autoptr(DGatewayEvent) event = NULL;
  g_autoptr(DGatewayObject) object = NULL;
  gboolean handled = FALSE;
  gboolean dispatch_pending;
  guint generation = self->generation;

  /* Nobody listens: build nothing. A detailed lookup matches only handlers
   * of that very detail, so handlers without one are looked up too. */
  dispatch_pending =
    g_signal_has_handler_pending (self, signals[SIGNAL_DISPATCH], 0, FALSE) ||
    (detail != 0 && g_signal_has_handler_pending (self, signals[SIGNAL_DISPATCH], detail, FALSE));

  /* dispatch first: a handler that returns TRUE stops the event, typed
   * signal included, so dispatch handlers can act as middleware. */
  if (dispatch_pending)
    {
      event = dgateway_event_new (payload, dgateway_shard_get_shard_id (shard));
      g_signal_emit (self, signals[SIGNAL_DISPATCH], detail, event, &handled);
      /* Stopped, closed or let go of by a handler: the event ends here. */
      if (handled || generation != self->generation || G_OBJECT (self)->ref_count == 1)
        return;
    }

  if (typed_signal == 0 || !g_signal_has_handler_pending (self, typed_signal, 0, FALSE))
    return;

  /* The typed object is the event's own, so that dispatch handlers that
   * called dgateway_event_get_object() see the same one; with no event,
   * the view alone. */
  if (event != NULL)
    object = g_object_ref (dgateway_event_get_object (event));
  else
    object = dgateway_object_new_view (typed->get_type (), payload,
                                       dgateway_payload_get_data (payload));
  g_signal_emit (self, typed_signal, 0, object);
}

static void
shard_payload_cb (DGatewayShard   *shard,
                  DGatewayPayload *payload,
                  gpointer         data)
{
  /* A handler may drop the application's last reference: the client lives
   * until the emission is over. */
  g_autoptr(DGatewayClient) self = g_object_ref (DGATEWAY_CLIENT (data));
  const char *name = dgateway_payload_get_name (payload);
  const DGatewayTypedEvent *typed = name ? dgateway_typed_event_lookup (name) : NULL;

  emit_payload (self, shard, payload, typed);

  /* Every handler of the payload has returned, the cache's and the
   * member requests' among them: unless one kept it, the document goes
   * now, not when the last event or view of it is finalized, which in GJS
   * waits for a garbage collection (see DGatewayEvent, "Lifetime"). */
  dgateway_payload_end_emission (payload, typed ? typed->name : NULL);
}

static void
update_aggregates (DGatewayClient *self)
{
  DGatewayState state = aggregate_state (self);

  g_object_freeze_notify (G_OBJECT (self));
  set_state (self, state);
  notify_if_changed (self, PROP_LATENCY, dgateway_client_get_latency (self));
  notify_if_changed (self, PROP_EVENTS_LOST, dgateway_client_get_events_lost (self));
  if (g_strcmp0 (self->notified_session_id, dgateway_client_get_session_id (self)) != 0)
    {
      g_free (self->notified_session_id);
      self->notified_session_id = g_strdup (dgateway_client_get_session_id (self));
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SESSION_ID]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
shard_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    data)
{
  g_autoptr(DGatewayClient) self = g_object_ref (DGATEWAY_CLIENT (data));
  guint generation = self->generation;

  /* Even while closing: the tallies must follow every change. */
  tally_shard (self, DGATEWAY_SHARD (object));
  if (self->closing)
    return;

  update_aggregates (self);
  if (generation == self->generation && self->state == DGATEWAY_STATE_CONNECTED)
    complete_connect (self, NULL);
}

static void
shard_connection_lost_cb (DGatewayShard *shard,
                          const GError  *error,
                          gpointer       data)
{
  g_autoptr(DGatewayClient) self = g_object_ref (DGATEWAY_CLIENT (data));
  g_autoptr(DGatewayShard) hold = g_object_ref (shard);

  set_last_error (self, error);

  /* A fatal error settles connect_async() before the application hears
   * of it, so a connection-lost handler may connect again. */
  if (dgateway_shard_get_state (shard) == DGATEWAY_STATE_FAILED)
    {
      /* With automatic sharding, 4011 means the bot outgrew its shard
       * count: ask Discord again and start over instead of failing. */
      if (g_error_matches (error, DGATEWAY_ERROR, DGATEWAY_ERROR_SHARDING_REQUIRED) &&
          self->shard_count == 0 && (self->gateway_url == NULL || *self->gateway_url == '\0'))
        {
          if (self->reshard_source == NULL)
            {
              self->reshard_source = g_idle_source_new ();
              g_source_set_callback (self->reshard_source, reshard_cb, self, NULL);
              g_source_attach (self->reshard_source, self->context);
            }
        }
      else
        complete_connect (self, g_error_copy (error));
    }

  notify_if_changed (self, PROP_RECONNECT_COUNT, dgateway_client_get_reconnect_count (self));
  notify_if_changed (self, PROP_MISSED_HEARTBEATS, dgateway_client_get_missed_heartbeats (self));
  g_signal_emit (self, signals[SIGNAL_CONNECTION_LOST], 0, shard, error);
}

static void
shard_reconnected_cb (DGatewayShard *shard,
                      gboolean       resumed,
                      gpointer       data)
{
  g_autoptr(DGatewayClient) self = g_object_ref (DGATEWAY_CLIENT (data));

  notify_if_changed (self, PROP_RECONNECT_COUNT, dgateway_client_get_reconnect_count (self));
  g_signal_emit (self, signals[SIGNAL_RECONNECTED], 0, shard, resumed);
}

static void
watch_shard (DGatewayClient *self,
             DGatewayShard  *shard)
{
  add_tally (self, shard);
  g_signal_connect (shard, "payload", G_CALLBACK (shard_payload_cb), self);
  g_signal_connect (shard, "connection-lost", G_CALLBACK (shard_connection_lost_cb), self);
  g_signal_connect (shard, "reconnected", G_CALLBACK (shard_reconnected_cb), self);
  g_signal_connect (shard, "notify::state", G_CALLBACK (shard_notify_cb), self);
  g_signal_connect (shard, "notify::latency", G_CALLBACK (shard_notify_cb), self);
  g_signal_connect (shard, "notify::session-id", G_CALLBACK (shard_notify_cb), self);
  g_signal_connect (shard, "notify::events-lost", G_CALLBACK (shard_notify_cb), self);
}

/* Properties: configuration */

/**
 * dgateway_client_get_intents:
 * @self: a client
 *
 * Gets the intents sent in IDENTIFY.
 *
 * Returns: the intents
 */
DGatewayIntents
dgateway_client_get_intents (DGatewayClient *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), DGATEWAY_INTENTS_NONE);

  return self->settings.intents;
}

/**
 * dgateway_client_set_intents:
 * @self: a client
 * @intents: the groups of events to receive
 *
 * Sets the intents sent in IDENTIFY. They apply from the next new session.
 */
void
dgateway_client_set_intents (DGatewayClient  *self,
                             DGatewayIntents  intents)
{
  g_return_if_fail (DGATEWAY_IS_CLIENT (self));

  if (self->settings.intents == intents)
    return;

  self->settings.intents = intents;
  push_config (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_INTENTS]);
}

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

/**
 * dgateway_client_get_gateway_url:
 * @self: a client
 *
 * Gets the Gateway URL set on the client.
 *
 * Returns: (nullable): the URL, or `NULL` if the client asks the REST API
 */
const char *
dgateway_client_get_gateway_url (DGatewayClient *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), NULL);

  return self->gateway_url;
}

/**
 * dgateway_client_set_gateway_url:
 * @self: a client
 * @gateway_url: (nullable): a `wss://` or `ws://` URL, or `NULL`
 *
 * Sets the URL of the Gateway to connect to, such as a Gateway proxy or a
 * mock gateway in tests. With `NULL` or an empty string the client asks
 * `GET /gateway/bot` of [property@Client:api-url] when it connects.
 */
void
dgateway_client_set_gateway_url (DGatewayClient *self,
                                 const char     *gateway_url)
{
  g_return_if_fail (DGATEWAY_IS_CLIENT (self));

  if (!set_string (&self->gateway_url, gateway_url))
    return;
  /* A client already running takes it for its next connections. */
  if (gateway_url != NULL && *gateway_url != '\0' && n_shards (self) > 0)
    {
      set_string (&self->resolved_gateway_url, gateway_url);
      push_config (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_GATEWAY_URL]);
}

/**
 * dgateway_client_get_api_url:
 * @self: a client
 *
 * Gets the base URL of the Discord REST API.
 *
 * Returns: the URL
 */
const char *
dgateway_client_get_api_url (DGatewayClient *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), NULL);

  return self->api_url;
}

/**
 * dgateway_client_set_api_url:
 * @self: a client
 * @api_url: (nullable): the base URL, or `NULL` for Discord's
 *
 * Sets the base URL of the Discord REST API, used to discover the Gateway.
 */
void
dgateway_client_set_api_url (DGatewayClient *self,
                             const char     *api_url)
{
  g_return_if_fail (DGATEWAY_IS_CLIENT (self));

  if (set_string (&self->api_url, api_url ? api_url : DEFAULT_API_URL))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_API_URL]);
}

/**
 * dgateway_client_get_compression:
 * @self: a client
 *
 * Gets the transport compression asked of the Gateway.
 *
 * Returns: the compression
 */
DGatewayCompression
dgateway_client_get_compression (DGatewayClient *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), DGATEWAY_COMPRESSION_NONE);

  return self->settings.compression;
}

/**
 * dgateway_client_set_compression:
 * @self: a client
 * @compression: the transport compression
 *
 * Sets the transport compression. It applies from the next connection.
 */
void
dgateway_client_set_compression (DGatewayClient      *self,
                                 DGatewayCompression  compression)
{
  g_return_if_fail (DGATEWAY_IS_CLIENT (self));

  if (self->settings.compression == compression)
    return;

  self->settings.compression = compression;
  push_config (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_COMPRESSION]);
}

/**
 * dgateway_client_get_encoding:
 * @self: a client
 *
 * Gets the wire format of the payloads.
 *
 * Returns: the encoding
 */
DGatewayEncoding
dgateway_client_get_encoding (DGatewayClient *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), DGATEWAY_ENCODING_JSON);

  return self->settings.encoding;
}

/**
 * dgateway_client_set_encoding:
 * @self: a client
 * @encoding: the wire format
 *
 * Sets the wire format of the payloads. It applies from the next
 * connection.
 */
void
dgateway_client_set_encoding (DGatewayClient   *self,
                              DGatewayEncoding  encoding)
{
  g_return_if_fail (DGATEWAY_IS_CLIENT (self));

  if (self->settings.encoding == encoding)
    return;

  self->settings.encoding = encoding;
  push_config (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ENCODING]);
}

/**
 * dgateway_client_get_io_thread:
 * @self: a client
 *
 * Gets whether the shards' WebSockets run on a thread of the client's own.
 *
 * Returns: whether they do
 */
gboolean
dgateway_client_get_io_thread (DGatewayClient *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), FALSE);

  return self->io_thread;
}

/**
 * dgateway_client_set_io_thread:
 * @self: a client
 * @io_thread: whether the WebSockets run on a thread of their own
 *
 * Sets whether the shards' WebSockets, decompression and parsing run on a
 * thread of the client's own, or on the client's main context. It applies
 * from the next connection.
 */
void
dgateway_client_set_io_thread (DGatewayClient *self,
                               gboolean        io_thread)
{
  g_return_if_fail (DGATEWAY_IS_CLIENT (self));

  io_thread = !!io_thread;
  if (self->io_thread == io_thread)
    return;

  self->io_thread = io_thread;
  /* Connections made before keep their worker until they end. */
  g_clear_pointer (&self->worker, dgateway_worker_unref);
  push_config (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_IO_THREAD]);
}

/**
 * dgateway_client_get_shard_count:
 * @self: a client
 *
 * Gets the number of shards set on the client.
 *
 * Returns: the shard count, 0 for an unsharded bot
 */
guint
dgateway_client_get_shard_count (DGatewayClient *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), 0);

  return self->shard_count;
}

/**
 * dgateway_client_set_shard_count:
 * @self: a client
 * @shard_count: the number of shards, or 0
 *
 * Sets the number of shards of the bot. With 0 the client runs one
 * connection and sends no `shard` in IDENTIFY; otherwise it runs one
 * connection per shard, each identifying as `[id, shard_count]`.
 * It applies when the client next connects.
 */
void
dgateway_client_set_shard_count (DGatewayClient *self,
                                 guint           shard_count)
{
  g_return_if_fail (DGATEWAY_IS_CLIENT (self));

  if (self->shard_count == shard_count)
    return;

  self->shard_count = shard_count;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SHARD_COUNT]);
}

/**
 * dgateway_client_set_shard_range:
 * @self: a client
 * @first: the first shard id this client runs
 * @last: the last shard id this client runs, or -1 for the bot's last
 *
 * Runs only shards @first to @last of the bot, so a bot can split its
 * shards between processes or machines: each runs its own range, with the
 * same [property@Client:shard-count], and shares an
 * [iface@IdentifyQueue]. It applies when the client next connects.
 */
void
dgateway_client_set_shard_range (DGatewayClient *self,
                                 guint           first,
                                 int             last)
{
  g_return_if_fail (DGATEWAY_IS_CLIENT (self));
  g_return_if_fail (last >= -1);

  g_object_freeze_notify (G_OBJECT (self));
  if (self->first_shard != first)
    {
      self->first_shard = first;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_FIRST_SHARD_ID]);
    }
  if (self->last_shard != last)
    {
      self->last_shard = last;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LAST_SHARD_ID]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * dgateway_client_get_identify_queue:
 * @self: a client
 *
 * Gets the queue set with [method@Client.set_identify_queue].
 *
 * Returns: (transfer none) (nullable): the queue, or `NULL` for the local one
 */
DGatewayIdentifyQueue *
dgateway_client_get_identify_queue (DGatewayClient *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), NULL);

  return self->identify_queue;
}

/**
 * dgateway_client_set_identify_queue:
 * @self: a client
 * @queue: (nullable): a queue shared by every process of the bot, or
 *   `NULL` for a local one
 *
 * Sets the queue that paces IDENTIFY.
 */
void
dgateway_client_set_identify_queue (DGatewayClient        *self,
                                    DGatewayIdentifyQueue *queue)
{
  g_return_if_fail (DGATEWAY_IS_CLIENT (self));
  g_return_if_fail (queue == NULL || DGATEWAY_IS_IDENTIFY_QUEUE (queue));

  if (!g_set_object (&self->identify_queue, queue))
    return;
  push_config (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_IDENTIFY_QUEUE]);
}

/**
 * dgateway_client_get_reconnect_delay_min:
 * @self: a client
 *
 * Gets the shortest wait before a reconnection.
 *
 * Returns: the delay in milliseconds
 */
guint
dgateway_client_get_reconnect_delay_min (DGatewayClient *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), 0);

  return self->settings.reconnect_delay_min;
}

/**
 * dgateway_client_set_reconnect_delay_min:
 * @self: a client
 * @delay_ms: the delay in milliseconds
 *
 * Sets the shortest wait before a reconnection. Successive failures double
 * the wait, with jitter, up to [property@Client:reconnect-delay-max].
 */
void
dgateway_client_set_reconnect_delay_min (DGatewayClient *self,
                                         guint           delay_ms)
{
  g_return_if_fail (DGATEWAY_IS_CLIENT (self));

  if (self->settings.reconnect_delay_min == delay_ms)
    return;

  self->settings.reconnect_delay_min = delay_ms;
  push_config (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RECONNECT_DELAY_MIN]);
}

/**
 * dgateway_client_get_reconnect_delay_max:
 * @self: a client
 *
 * Gets the longest wait before a reconnection.
 *
 * Returns: the delay in milliseconds
 */
guint
dgateway_client_get_reconnect_delay_max (DGatewayClient *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), 0);

  return self->settings.reconnect_delay_max;
}

/**
 * dgateway_client_set_reconnect_delay_max:
 * @self: a client
 * @delay_ms: the delay in milliseconds
 *
 * Sets the longest wait before a reconnection.
 */
void
dgateway_client_set_reconnect_delay_max (DGatewayClient *self,
                                         guint           delay_ms)
{
  g_return_if_fail (DGATEWAY_IS_CLIENT (self));

  if (self->settings.reconnect_delay_max == delay_ms)
    return;

  self->settings.reconnect_delay_max = delay_ms;
  push_config (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RECONNECT_DELAY_MAX]);
}

/**
 * dgateway_client_get_max_payload_size:
 * @self: a client
 *
 * Gets the largest payload the client accepts.
 *
 * Returns: the size in bytes
 */
gsize
dgateway_client_get_max_payload_size (DGatewayClient *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), 0);

  return self->settings.max_payload_size;
}

/**
 * dgateway_client_set_max_payload_size:
 * @self: a client
 * @max_payload_size: the size in bytes
 *
 * Sets the largest payload the client accepts, compressed on the wire and
 * decompressed. READY and GUILD_CREATE of large bots reach many megabytes;
 * the default is 64 MiB. A larger payload ends the connection with
 * `DGATEWAY_ERROR_PROTOCOL`, and the client resumes.
 */
void
dgateway_client_set_max_payload_size (DGatewayClient *self,
                                      gsize           max_payload_size)
{
  g_return_if_fail (DGATEWAY_IS_CLIENT (self));

  if (self->settings.max_payload_size == max_payload_size)
    return;

  self->settings.max_payload_size = max_payload_size;
  push_config (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MAX_PAYLOAD_SIZE]);
}

/**
 * dgateway_client_get_large_threshold:
 * @self: a client
 *
 * Gets the `large_threshold` sent in IDENTIFY.
 *
 * Returns: the member count
 */
guint
dgateway_client_get_large_threshold (DGatewayClient *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), 50);

  return self->settings.large_threshold;
}

/**
 * dgateway_client_set_large_threshold:
 * @self: a client
 * @large_threshold: a member count from 50 to 250
 *
 * Sets the member count above which guilds list only online members.
 */
void
dgateway_client_set_large_threshold (DGatewayClient *self,
                                     guint           large_threshold)
{
  g_return_if_fail (DGATEWAY_IS_CLIENT (self));
  g_return_if_fail (large_threshold >= 50 && large_threshold <= 250);

  if (self->settings.large_threshold == large_threshold)
    return;

  self->settings.large_threshold = large_threshold;
  push_config (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LARGE_THRESHOLD]);
}

/**
 * dgateway_client_get_presence:
 * @self: a client
 *
 * Gets the presence sent in IDENTIFY.
 *
 * Returns: (transfer none) (nullable): the presence, or `NULL`
 */
DGatewayPresence *
dgateway_client_get_presence (DGatewayClient *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), NULL);

  return self->presence;
}

/**
 * dgateway_client_set_presence:
 * @self: a client
 * @presence: (nullable): a presence, or `NULL` for Discord's default
 *
 * Sets the presence sent in IDENTIFY.
 *
 * The client takes the presence as it is now: a later change to
 * @presence applies once it is set again, or sent with
 * [method@Client.update_presence], which also sets it. Like every
 * setting, it applies from the next connection.
 */
void
dgateway_client_set_presence (DGatewayClient   *self,
                              DGatewayPresence *presence)
{
  gboolean changed;

  g_return_if_fail (DGATEWAY_IS_CLIENT (self));
  g_return_if_fail (presence == NULL || DGATEWAY_IS_PRESENCE (presence));

  /* The same object again still takes its changes. */
  changed = g_set_object (&self->presence, presence);
  g_clear_pointer (&self->presence_json, json_node_unref);
  if (presence != NULL)
    self->presence_json = dgateway_presence_to_json (presence);
  push_config (self);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PRESENCE]);
}

/* Properties: state and metrics */

/**
 * dgateway_client_get_state:
 * @self: a client
 *
 * Gets the state of the client: CONNECTED only when every shard is.
 *
 * Returns: the state
 */
DGatewayState
dgateway_client_get_state (DGatewayClient *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), DGATEWAY_STATE_DISCONNECTED);

  return self->state;
}

/**
 * dgateway_client_get_latency:
 * @self: a client
 *
 * Gets the mean heartbeat latency of the shards that have one.
 *
 * Returns: the latency in microseconds, or -1 if unknown
 */
gint64
dgateway_client_get_latency (DGatewayClient *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), -1);

  return self->latency_known ? self->latency_sum / self->latency_known : -1;
}

/**
 * dgateway_client_get_uptime:
 * @self: a client
 *
 * Gets how long every shard has been CONNECTED.
 *
 * Returns: the shortest uptime of the shards in microseconds, 0 if one is
 *   not connected
 */
gint64
dgateway_client_get_uptime (DGatewayClient *self)
{
  gint64 uptime = G_MAXINT64;

  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), 0);

  for (guint i = 0; i < n_shards (self); i++)
    uptime = MIN (uptime, dgateway_shard_get_uptime (shard_at (self, i)));

  return n_shards (self) ? uptime : 0;
}

/**
 * dgateway_client_get_events_received:
 * @self: a client
 *
 * Gets the number of dispatch events received by all shards.
 *
 * Returns: the event count
 */
guint64
dgateway_client_get_events_received (DGatewayClient *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), 0);

  return self->totals != NULL ? self->totals->events_received : 0;
}

/**
 * dgateway_client_get_bytes_received:
 * @self: a client
 *
 * Gets the number of payload bytes all shards received on the wire.
 *
 * Returns: the byte count
 */
guint64
dgateway_client_get_bytes_received (DGatewayClient *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), 0);

  return self->totals != NULL ? self->totals->bytes_received : 0;
}

/**
 * dgateway_client_get_bytes_decompressed:
 * @self: a client
 *
 * Gets the number of payload bytes after decompression, over all shards.
 *
 * Returns: the byte count
 */
guint64
dgateway_client_get_bytes_decompressed (DGatewayClient *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), 0);

  return self->totals != NULL ? self->totals->bytes_decompressed : 0;
}

/**
 * dgateway_client_get_compression_ratio:
 * @self: a client
 *
 * Gets how many decompressed bytes each byte on the wire carried.
 *
 * Returns: the ratio, 1 before anything was received
 */
double
dgateway_client_get_compression_ratio (DGatewayClient *self)
{
  guint64 wire;

  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), 1.0);

  wire = dgateway_client_get_bytes_received (self);
  return wire ? (double) dgateway_client_get_bytes_decompressed (self) / wire : 1.0;
}

/**
 * dgateway_client_get_reconnect_count:
 * @self: a client
 *
 * Gets the number of reconnections of all shards.
 *
 * Returns: the reconnection count
 */
guint
dgateway_client_get_reconnect_count (DGatewayClient *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), 0);

  return self->totals != NULL ? (guint) self->totals->reconnect_count : 0;
}

/**
 * dgateway_client_get_missed_heartbeats:
 * @self: a client
 *
 * Gets the number of unacknowledged heartbeats of all shards.
 *
 * Returns: the missed heartbeat count
 */
guint
dgateway_client_get_missed_heartbeats (DGatewayClient *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), 0);

  return self->totals != NULL ? (guint) self->totals->missed_heartbeats : 0;
}

/**
 * dgateway_client_get_events_lost:
 * @self: a client
 *
 * Gets the number of events given up as lost by all shards; see
 * [property@Client:events-lost].
 *
 * Returns: the number of lost events
 */
guint64
dgateway_client_get_events_lost (DGatewayClient *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), 0);

  return self->events_lost;
}

/**
 * dgateway_client_get_events_per_second:
 * @self: a client
 *
 * Gets the dispatch event rate of all shards over the last ten complete
 * seconds.
 *
 * Returns: events per second
 */
double
dgateway_client_get_events_per_second (DGatewayClient *self)
{
  double total = 0;

  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), 0.0);

  for (guint i = 0; i < n_shards (self); i++)
    total += dgateway_shard_get_events_per_second (shard_at (self, i));
  return total;
}

/**
 * dgateway_client_get_session_id:
 * @self: a client
 *
 * Gets the session id of the first shard.
 *
 * Returns: (nullable): the session id, or `NULL`
 */
const char *
dgateway_client_get_session_id (DGatewayClient *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), NULL);

  return n_shards (self) ? dgateway_shard_get_session_id (shard_at (self, 0)) : NULL;
}

/**
 * dgateway_client_get_sequence:
 * @self: a client
 *
 * Gets the last sequence number of the first shard's session.
 *
 * Returns: the sequence number, or -1
 */
gint64
dgateway_client_get_sequence (DGatewayClient *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), -1);

  return n_shards (self) ? dgateway_shard_get_sequence (shard_at (self, 0)) : -1;
}

/**
 * dgateway_client_get_last_error:
 * @self: a client
 *
 * Gets why the client last failed or lost a connection.
 *
 * Returns: (transfer none) (nullable): the error, or `NULL` if the client
 *   has been connected since, or never failed
 */
const GError *
dgateway_client_get_last_error (DGatewayClient *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), NULL);

  return self->last_error;
}

/* GObject */

static void
dgateway_client_dispose (GObject *object)
{
  DGatewayClient *self = DGATEWAY_CLIENT (object);

  self->generation++;
  g_cancellable_cancel (self->discovery_cancellable);
  g_clear_object (&self->discovery_cancellable);
  dgateway_source_clear (&self->metrics_source);
  dgateway_source_clear (&self->reshard_source);
  if (self->shard_array != NULL && n_shards (self) > 0)
    {
      g_autoptr(GPtrArray) shards = copy_shards (self);

      /* Dropped without close(): leave the sessions resumable. A shard
       * the application still holds stays, stopped. */
      clear_shards (self);
      for (guint i = 0; i < shards->len; i++)
        dgateway_shard_stop (shards->pdata[i], FALSE);
    }
  /* A pending connect_async() holds the client, so none is left here
   * but after g_object_run_dispose(). */
  g_clear_object (&self->connect_task);
  g_clear_pointer (&self->worker, dgateway_worker_unref);
  g_clear_object (&self->soup_session);
  g_clear_object (&self->identify_queue);
  g_clear_object (&self->local_queue);
  g_clear_pointer (&self->sleep_monitor, dgateway_sleep_monitor_free);
  if (self->network_monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->network_monitor, self);
  g_clear_object (&self->network_monitor);
  g_clear_pointer (&self->restored_session, g_variant_unref);

  G_OBJECT_CLASS (dgateway_client_parent_class)->dispose (object);
}

static void
dgateway_client_finalize (GObject *object)
{
  DGatewayClient *self = DGATEWAY_CLIENT (object);

  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  g_free (self->gateway_url);
  g_free (self->api_url);
  g_free (self->resolved_gateway_url);
  g_free (self->notified_session_id);
  g_clear_object (&self->presence);
  g_clear_pointer (&self->presence_json, json_node_unref);
  g_clear_error (&self->last_error);
  g_clear_object (&self->shards);
  g_clear_pointer (&self->shard_array, g_ptr_array_unref);
  g_clear_pointer (&self->tallies, g_hash_table_unref);
  g_clear_pointer (&self->timers, dgateway_timers_unref);
  g_clear_pointer (&self->totals, dgateway_shard_totals_unref);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (dgateway_client_parent_class)->finalize (object);
}

static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    DGatewayClient  *self)
{
  g_autoptr(DGatewayClient) hold = NULL;
  g_autoptr(GPtrArray) shards = NULL;

  available = g_network_monitor_get_network_available (monitor);
  if (self->network_available == available)
    return;

  hold = g_object_ref (self);
  self->network_available = available;
  shards = copy_shards (self);
  for (guint i = 0; i < shards->len; i++)
    dgateway_shard_set_network_available (shards->pdata[i], available);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_NETWORK_AVAILABLE]);
}

static void
dgateway_client_constructed (GObject *object)
{
  DGatewayClient *self = DGATEWAY_CLIENT (object);

  G_OBJECT_CLASS (dgateway_client_parent_class)->constructed (object);

  if (self->network_monitor == NULL)
    self->network_monitor = g_object_ref (g_network_monitor_get_default ());
  self->network_available = g_network_monitor_get_network_available (self->network_monitor);
  g_signal_connect_object (self->network_monitor, "network-changed",
                           G_CALLBACK (network_changed_cb), self, 0);
}

static void
dgateway_client_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  DGatewayClient *self = DGATEWAY_CLIENT (object);

  switch (prop_id)
    {
    case PROP_INTENTS:
      g_value_set_flags (value, self->settings.intents);
      break;
    case PROP_GATEWAY_URL:
      g_value_set_string (value, self->gateway_url);
      break;
    case PROP_API_URL:
      g_value_set_string (value, self->api_url);
      break;
    case PROP_COMPRESSION:
      g_value_set_enum (value, self->settings.compression);
      break;
    case PROP_IO_THREAD:
      g_value_set_boolean (value, self->io_thread);
      break;
    case PROP_ENCODING:
      g_value_set_enum (value, self->settings.encoding);
      break;
    case PROP_SHARD_COUNT:
      g_value_set_uint (value, self->shard_count);
      break;
    case PROP_RECONNECT_DELAY_MIN:
      g_value_set_uint (value, self->settings.reconnect_delay_min);
      break;
    case PROP_RECONNECT_DELAY_MAX:
      g_value_set_uint (value, self->settings.reconnect_delay_max);
      break;
    case PROP_MAX_PAYLOAD_SIZE:
      g_value_set_uint64 (value, self->settings.max_payload_size);
      break;
    case PROP_LARGE_THRESHOLD:
      g_value_set_uint (value, self->settings.large_threshold);
      break;
    case PROP_PRESENCE:
      g_value_set_object (value, self->presence);
      break;
    case PROP_IDENTIFY_QUEUE:
      g_value_set_object (value, self->identify_queue);
      break;
    case PROP_NETWORK_MONITOR:
      g_value_set_object (value, self->network_monitor);
      break;
    case PROP_NETWORK_AVAILABLE:
      g_value_set_boolean (value, self->network_available);
      break;
    case PROP_FIRST_SHARD_ID:
      g_value_set_uint (value, self->first_shard);
      break;
    case PROP_LAST_SHARD_ID:
      g_value_set_int (value, self->last_shard);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_LATENCY:
      g_value_set_int64 (value, dgateway_client_get_latency (self));
      break;
    case PROP_UPTIME:
      g_value_set_int64 (value, dgateway_client_get_uptime (self));
      break;
    case PROP_EVENTS_RECEIVED:
      g_value_set_uint64 (value, dgateway_client_get_events_received (self));
      break;
    case PROP_BYTES_RECEIVED:
      g_value_set_uint64 (value, dgateway_client_get_bytes_received (self));
      break;
    case PROP_BYTES_DECOMPRESSED:
      g_value_set_uint64 (value, dgateway_client_get_bytes_decompressed (self));
      break;
    case PROP_COMPRESSION_RATIO:
      g_value_set_double (value, dgateway_client_get_compression_ratio (self));
      break;
    case PROP_RECONNECT_COUNT:
      g_value_set_uint (value, dgateway_client_get_reconnect_count (self));
      break;
    case PROP_MISSED_HEARTBEATS:
      g_value_set_uint (value, dgateway_client_get_missed_heartbeats (self));
      break;
    case PROP_EVENTS_LOST:
      g_value_set_uint64 (value, dgateway_client_get_events_lost (self));
      break;
    case PROP_EVENTS_PER_SECOND:
      g_value_set_double (value, dgateway_client_get_events_per_second (self));
      break;
    case PROP_SESSION_ID:
      g_value_set_string (value, dgateway_client_get_session_id (self));
      break;
    case PROP_SEQUENCE:
      g_value_set_int64 (value, dgateway_client_get_sequence (self));
      break;
    case PROP_LAST_ERROR:
      g_value_set_boxed (value, self->last_error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dgateway_client_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  DGatewayClient *self = DGATEWAY_CLIENT (object);

  switch (prop_id)
    {
    case PROP_TOKEN:
      self->token = g_value_dup_string (value);
      break;
    case PROP_INTENTS:
      dgateway_client_set_intents (self, g_value_get_flags (value));
      break;
    case PROP_GATEWAY_URL:
      dgateway_client_set_gateway_url (self, g_value_get_string (value));
      break;
    case PROP_API_URL:
      dgateway_client_set_api_url (self, g_value_get_string (value));
      break;
    case PROP_COMPRESSION:
      dgateway_client_set_compression (self, g_value_get_enum (value));
      break;
    case PROP_ENCODING:
      dgateway_client_set_encoding (self, g_value_get_enum (value));
      break;
    case PROP_IO_THREAD:
      dgateway_client_set_io_thread (self, g_value_get_boolean (value));
      break;
    case PROP_SHARD_COUNT:
      dgateway_client_set_shard_count (self, g_value_get_uint (value));
      break;
    case PROP_RECONNECT_DELAY_MIN:
      dgateway_client_set_reconnect_delay_min (self, g_value_get_uint (value));
      break;
    case PROP_RECONNECT_DELAY_MAX:
      dgateway_client_set_reconnect_delay_max (self, g_value_get_uint (value));
      break;
    case PROP_MAX_PAYLOAD_SIZE:
      dgateway_client_set_max_payload_size (self, g_value_get_uint64 (value));
      break;
    case PROP_LARGE_THRESHOLD:
      dgateway_client_set_large_threshold (self, g_value_get_uint (value));
      break;
    case PROP_PRESENCE:
      dgateway_client_set_presence (self, g_value_get_object (value));
      break;
    case PROP_IDENTIFY_QUEUE:
      dgateway_client_set_identify_queue (self, g_value_get_object (value));
      break;
    case PROP_NETWORK_MONITOR:
      self->network_monitor = g_value_dup_object (value);
      break;
    case PROP_FIRST_SHARD_ID:
      dgateway_client_set_shard_range (self, g_value_get_uint (value), self->last_shard);
      break;
    case PROP_LAST_SHARD_ID:
      dgateway_client_set_shard_range (self, self->first_shard, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
install_configuration_properties (GObjectClass *object_class)
{
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  /**
   * DGatewayClient:token:
   *
   * The bot token, without the `Bot ` prefix. It cannot be read back.
   */
  props[PROP_TOKEN] =
    g_param_spec_string ("token", NULL, NULL, NULL,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * DGatewayClient:intents: (getter get_intents) (setter set_intents)
   *
   * The groups of events the Gateway sends.
   */
  props[PROP_INTENTS] =
    g_param_spec_flags ("intents", NULL, NULL, DGATEWAY_TYPE_INTENTS,
                        DGATEWAY_INTENTS_NONE, rw);

  /**
   * DGatewayClient:gateway-url: (getter get_gateway_url) (setter set_gateway_url)
   *
   * The Gateway URL; empty to ask `GET /gateway/bot`.
   */
  props[PROP_GATEWAY_URL] =
    g_param_spec_string ("gateway-url", NULL, NULL, NULL, rw);

  /**
   * DGatewayClient:api-url: (getter get_api_url) (setter set_api_url)
   *
   * The base URL of the Discord REST API.
   */
  props[PROP_API_URL] =
    g_param_spec_string ("api-url", NULL, NULL, DEFAULT_API_URL, rw | G_PARAM_CONSTRUCT);

  /**
   * DGatewayClient:compression: (getter get_compression) (setter set_compression)
   *
   * The transport compression asked of the Gateway.
   */
  props[PROP_COMPRESSION] =
    g_param_spec_enum ("compression", NULL, NULL, DGATEWAY_TYPE_COMPRESSION,
                       DGATEWAY_COMPRESSION_ZSTD_STREAM, rw | G_PARAM_CONSTRUCT);

  /**
   * DGatewayClient:encoding: (getter get_encoding) (setter set_encoding)
   *
   * The wire format of the payloads, both ways: JSON text, or the Erlang
   * External Term Format in binary messages.
   *
   * Events and typed objects are the same in both; in `JsonNode` views,
   * integers from 2^32 up read as strings over ETF, which cannot tell
   * them from snowflakes. On a bot's traffic ETF is a few percent smaller
   * on the wire and no faster to read, so JSON is the default. It applies
   * from the next connection.
   */
  props[PROP_ENCODING] =
    g_param_spec_enum ("encoding", NULL, NULL, DGATEWAY_TYPE_ENCODING,
                       DGATEWAY_ENCODING_JSON, rw | G_PARAM_CONSTRUCT);

  /**
   * DGatewayClient:io-thread: (getter get_io_thread) (setter set_io_thread)
   *
   * Whether the shards' WebSockets, decompression and parsing run on
   * threads of the client's own, so that the client's main context (in a
   * GTK application, the UI thread) only receives decoded payloads and
   * emits the signals. Handlers run on the client's main context either
   * way, and the client is used from that thread only, as always.
   *
   * One thread serves up to 32 shards, and a client with more shards
   * starts more threads (named `dgateway-io`), so that the cost of an event
   * or a handshake does not grow with the number of shards.
   *
   * When the application falls behind, payloads that wait for it are
   * bounded (8 MiB of decoded payloads): beyond that the thread stops
   * reading from the sockets, and TCP makes the gateway wait, instead of
   * memory growing.
   *
   * Turn it off to keep everything on the client's main context. It
   * applies from the next connection.
   */
  props[PROP_IO_THREAD] =
    g_param_spec_boolean ("io-thread", NULL, NULL, TRUE, rw | G_PARAM_CONSTRUCT);

  /**
   * DGatewayClient:shard-count: (getter get_shard_count) (setter set_shard_count)
   *
   * The number of shards of the bot; 0 for an unsharded bot.
   */
  props[PROP_SHARD_COUNT] =
    g_param_spec_uint ("shard-count", NULL, NULL, 0, G_MAXUINT16, 0, rw);

  /**
   * DGatewayClient:reconnect-delay-min: (getter get_reconnect_delay_min) (setter set_reconnect_delay_min)
   *
   * The shortest wait before a reconnection, in milliseconds.
   */
  props[PROP_RECONNECT_DELAY_MIN] =
    g_param_spec_uint ("reconnect-delay-min", NULL, NULL, 0, G_MAXUINT,
                       DEFAULT_DELAY_MIN_MS, rw | G_PARAM_CONSTRUCT);

  /**
   * DGatewayClient:reconnect-delay-max: (getter get_reconnect_delay_max) (setter set_reconnect_delay_max)
   *
   * The longest wait before a reconnection, in milliseconds.
   */
  props[PROP_RECONNECT_DELAY_MAX] =
    g_param_spec_uint ("reconnect-delay-max", NULL, NULL, 0, G_MAXUINT,
                       DEFAULT_DELAY_MAX_MS, rw | G_PARAM_CONSTRUCT);

  /**
   * DGatewayClient:max-payload-size: (getter get_max_payload_size) (setter set_max_payload_size)
   *
   * The largest payload accepted, in bytes.
   */
  props[PROP_MAX_PAYLOAD_SIZE] =
    g_param_spec_uint64 ("max-payload-size", NULL, NULL, 4096, G_MAXSIZE,
                         DEFAULT_MAX_PAYLOAD_SIZE, rw | G_PARAM_CONSTRUCT);

  /**
   * DGatewayClient:large-threshold: (getter get_large_threshold) (setter set_large_threshold)
   *
   * The member count above which guilds list only online members.
   */
  props[PROP_LARGE_THRESHOLD] =
    g_param_spec_uint ("large-threshold", NULL, NULL, 50, 250, 50, rw | G_PARAM_CONSTRUCT);

  /**
   * DGatewayClient:presence: (getter get_presence) (setter set_presence)
   *
   * The presence sent in IDENTIFY, or `NULL` for Discord's default.
   *
   * The client takes the presence as it is when set: see
   * [method@Client.set_presence].
   */
  props[PROP_PRESENCE] =
    g_param_spec_object ("presence", NULL, NULL, DGATEWAY_TYPE_PRESENCE, rw);

  /**
   * DGatewayClient:identify-queue: (getter get_identify_queue) (setter set_identify_queue)
   *
   * The queue that paces IDENTIFY, or `NULL` for a
   * [class@LocalIdentifyQueue] honouring `max_concurrency`.
   */
  props[PROP_IDENTIFY_QUEUE] =
    g_param_spec_object ("identify-queue", NULL, NULL, DGATEWAY_TYPE_IDENTIFY_QUEUE, rw);

  /**
   * DGatewayClient:network-monitor:
   *
   * The network monitor the client follows, by default
   * [func@Gio.NetworkMonitor.get_default]. While it says the network is
   * unavailable, lost connections wait for it instead of retrying; when
   * it returns they reconnect at once.
   */
  props[PROP_NETWORK_MONITOR] =
    g_param_spec_object ("network-monitor", NULL, NULL, G_TYPE_NETWORK_MONITOR,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * DGatewayClient:first-shard-id:
   *
   * The first shard this client runs; see [method@Client.set_shard_range].
   */
  props[PROP_FIRST_SHARD_ID] =
    g_param_spec_uint ("first-shard-id", NULL, NULL, 0, G_MAXUINT16, 0, rw);

  /**
   * DGatewayClient:last-shard-id:
   *
   * The last shard this client runs, or -1 for the bot's last.
   */
  props[PROP_LAST_SHARD_ID] =
    g_param_spec_int ("last-shard-id", NULL, NULL, -1, G_MAXUINT16, -1, rw);
}

static void
install_metric_properties (GObjectClass *object_class)
{
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  /**
   * DGatewayClient:network-available: (getter get_network_available)
   *
   * Whether [property@Client:network-monitor] says the network is up.
   */
  props[PROP_NETWORK_AVAILABLE] =
    g_param_spec_boolean ("network-available", NULL, NULL, TRUE, ro);

  /**
   * DGatewayClient:state: (getter get_state)
   *
   * The state of the client: CONNECTED only when every shard is.
   */
  props[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, DGATEWAY_TYPE_STATE,
                       DGATEWAY_STATE_DISCONNECTED, ro);

  /**
   * DGatewayClient:latency: (getter get_latency)
   *
   * The mean heartbeat latency of the shards in microseconds, -1 unknown.
   */
  props[PROP_LATENCY] =
    g_param_spec_int64 ("latency", NULL, NULL, -1, G_MAXINT64, -1, ro);

  /**
   * DGatewayClient:uptime: (getter get_uptime)
   *
   * How long every shard has been CONNECTED, in microseconds.
   */
  props[PROP_UPTIME] =
    g_param_spec_int64 ("uptime", NULL, NULL, 0, G_MAXINT64, 0, ro);

  /**
   * DGatewayClient:events-received: (getter get_events_received)
   *
   * The number of dispatch events received.
   */
  props[PROP_EVENTS_RECEIVED] =
    g_param_spec_uint64 ("events-received", NULL, NULL, 0, G_MAXUINT64, 0, ro);

  /**
   * DGatewayClient:bytes-received: (getter get_bytes_received)
   *
   * The number of payload bytes received on the wire.
   */
  props[PROP_BYTES_RECEIVED] =
    g_param_spec_uint64 ("bytes-received", NULL, NULL, 0, G_MAXUINT64, 0, ro);

  /**
   * DGatewayClient:bytes-decompressed: (getter get_bytes_decompressed)
   *
   * The number of payload bytes after decompression.
   */
  props[PROP_BYTES_DECOMPRESSED] =
    g_param_spec_uint64 ("bytes-decompressed", NULL, NULL, 0, G_MAXUINT64, 0, ro);

  /**
   * DGatewayClient:compression-ratio: (getter get_compression_ratio)
   *
   * Decompressed bytes per byte on the wire.
   */
  props[PROP_COMPRESSION_RATIO] =
    g_param_spec_double ("compression-ratio", NULL, NULL, 0, G_MAXDOUBLE, 1, ro);

  /**
   * DGatewayClient:reconnect-count: (getter get_reconnect_count)
   *
   * The number of reconnections of all shards.
   */
  props[PROP_RECONNECT_COUNT] =
    g_param_spec_uint ("reconnect-count", NULL, NULL, 0, G_MAXUINT, 0, ro);

  /**
   * DGatewayClient:missed-heartbeats: (getter get_missed_heartbeats)
   *
   * The number of unacknowledged heartbeats of all shards.
   */
  props[PROP_MISSED_HEARTBEATS] =
    g_param_spec_uint ("missed-heartbeats", NULL, NULL, 0, G_MAXUINT, 0, ro);

  /**
   * DGatewayClient:events-lost: (getter get_events_lost)
   *
   * The number of events of all shards given up as lost; see
   * [property@Shard:events-lost]. Zero unless the gateway sent payloads
   * that could not be read even when it sent them again.
   */
  props[PROP_EVENTS_LOST] =
    g_param_spec_uint64 ("events-lost", NULL, NULL, 0, G_MAXUINT64, 0, ro);

  /**
   * DGatewayClient:events-per-second: (getter get_events_per_second)
   *
   * Dispatch events per second over the last ten complete seconds.
   */
  props[PROP_EVENTS_PER_SECOND] =
    g_param_spec_double ("events-per-second", NULL, NULL, 0, G_MAXDOUBLE, 0, ro);

  /**
   * DGatewayClient:session-id: (getter get_session_id)
   *
   * The session id of the first shard.
   */
  props[PROP_SESSION_ID] =
    g_param_spec_string ("session-id", NULL, NULL, NULL, ro);

  /**
   * DGatewayClient:sequence: (getter get_sequence)
   *
   * The last sequence number of the first shard's session.
   */
  props[PROP_SEQUENCE] =
    g_param_spec_int64 ("sequence", NULL, NULL, -1, G_MAXINT64, -1, ro);

  /**
   * DGatewayClient:last-error: (getter get_last_error)
   *
   * Why the client last failed or lost a connection, or `NULL`.
   *
   * It is set before [signal@Client::connection-lost] is emitted, and when
   * [method@Client.connect_async] fails (the Gateway's URL could not be
   * found, or the shard range does not fit the bot), so that an
   * application can show why the client is
   * [enum@DGateway.State.failed] or reconnecting by binding to it. It is
   * kept while the client reconnects, fails, is closed or connects again,
   * and cleared once every shard is
   * [enum@DGateway.State.connected].
   */
  props[PROP_LAST_ERROR] =
    g_param_spec_boxed ("last-error", NULL, NULL, G_TYPE_ERROR, ro);
}

static void
dgateway_client_class_init (DGatewayClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  ensure_i18n ();

  object_class->constructed = dgateway_client_constructed;
  object_class->dispose = dgateway_client_dispose;
  object_class->finalize = dgateway_client_finalize;
  object_class->get_property = dgateway_client_get_property;
  object_class->set_property = dgateway_client_set_property;

  install_configuration_properties (object_class);
  install_metric_properties (object_class);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /* One signal per dispatch event, such as message-create, generated from
   * data/ with their documentation (dgateway-typed-events.c). */
  dgateway_typed_install_signals (G_TYPE_FROM_CLASS (klass));

  /**
   * DGatewayClient::dispatch:
   * @self: the client
   * @event: the event
   *
   * Emitted for every dispatch event, detailed by the event name, so
   * `dispatch::MESSAGE_CREATE` sees only new messages.
   *
   * Handlers run in the order they were connected; one that returns
   * `TRUE` stops the event there, so later handlers do not see it. This
   * makes handlers middleware: a filter connected first can drop what the
   * rest of the application should not see.
   *
   * An event nobody listens to costs no allocation.
   *
   * Returns: `TRUE` to stop the event, `FALSE` to pass it on
   */
  signals[SIGNAL_DISPATCH] =
    g_signal_new ("dispatch",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0,
                  g_signal_accumulator_true_handled, NULL,
                  NULL,
                  G_TYPE_BOOLEAN, 1, DGATEWAY_TYPE_EVENT);

  /**
   * DGatewayClient::connection-lost:
   * @self: the client
   * @shard: the shard that lost its connection
   * @error: why: a heartbeat timeout, a close code, a network error
   *
   * Emitted when a shard's connection ends without the application asking.
   *
   * Unless [property@Client:state] is then
   * [enum@DGateway.State.failed], the shard reconnects by itself.
   */
  signals[SIGNAL_CONNECTION_LOST] =
    g_signal_new ("connection-lost",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, DGATEWAY_TYPE_SHARD, G_TYPE_ERROR);

  /**
   * DGatewayClient::reconnected:
   * @self: the client
   * @shard: the shard that reconnected
   * @resumed: `TRUE` if the session was resumed and no event was lost,
   *   `FALSE` if a new session started
   *
   * Emitted when a shard is CONNECTED again after a lost connection.
   */
  signals[SIGNAL_RECONNECTED] =
    g_signal_new ("reconnected",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, DGATEWAY_TYPE_SHARD, G_TYPE_BOOLEAN);
}

static void
dgateway_client_init (DGatewayClient *self)
{
  self->shards = g_list_store_new (DGATEWAY_TYPE_SHARD);
  self->shard_array = g_ptr_array_new_with_free_func (g_object_unref);
  self->tallies = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->settings.large_threshold = 50;
  self->settings.hello_timeout = DEFAULT_HELLO_TIMEOUT_MS;
  self->last_shard = -1;
  self->settings.wake_timeout = 5000;
  self->settings.rate_limit = 120;
  self->settings.rate_window = 60 * 1000;
  self->settings.invalid_session_min = 1000;
  self->settings.invalid_session_max = 5000;
  self->settings.max_queued = DEFAULT_MAX_QUEUED;
  self->context = g_main_context_ref_thread_default ();
  self->notified[PROP_LATENCY] = -1;
  self->notified[PROP_SEQUENCE] = -1;
  self->notified[PROP_COMPRESSION_RATIO] = 1;
}
