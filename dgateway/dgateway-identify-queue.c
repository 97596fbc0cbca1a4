/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-identify-queue.h"

#include <glib/gi18n-lib.h>

/**
 * DGatewayIdentifyQueue:
 *
 * Paces the IDENTIFY of shards, as Discord's `max_concurrency` demands.
 *
 * Discord allows one IDENTIFY per rate-limit bucket (`shard_id %
 * max_concurrency`) every five seconds, across every process of a bot.
 * A [class@Client] asks its queue before each shard identifies; RESUMEs
 * never wait. [class@LocalIdentifyQueue] paces the shards of one process;
 * a bot split across processes or machines shares one queue between them:
 * [class@HttpIdentifyQueue] asks twilight's gateway-queue service, and any
 * other shared pacing (a broker, a database) can implement this interface.
 * Either is set as the client's [property@Client:identify-queue].
 */

G_DEFINE_INTERFACE (DGatewayIdentifyQueue, dgateway_identify_queue, G_TYPE_OBJECT)

static void
dgateway_identify_queue_default_init (DGatewayIdentifyQueueInterface *iface)
{
}

/**
 * dgateway_identify_queue_request_async:
 * @self: an identify queue
 * @shard_id: the shard that wants to identify
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called when the shard may identify
 * @user_data: data for @callback
 *
 * Waits until the shard @shard_id may send IDENTIFY.
 */
void
dgateway_identify_queue_request_async (DGatewayIdentifyQueue *self,
                                       guint                  shard_id,
                                       GCancellable          *cancellable,
                                       GAsyncReadyCallback    callback,
                                       gpointer               user_data)
{
  g_return_if_fail (DGATEWAY_IS_IDENTIFY_QUEUE (self));

  DGATEWAY_IDENTIFY_QUEUE_GET_IFACE (self)->request_async (self, shard_id, cancellable,
                                                           callback, user_data);
}

/**
 * dgateway_identify_queue_request_finish:
 * @self: an identify queue
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [method@IdentifyQueue.request_async].
 *
 * Returns: `TRUE` if the shard may identify now
 */
gboolean
dgateway_identify_queue_request_finish (DGatewayIdentifyQueue  *self,
                                        GAsyncResult           *result,
                                        GError                **error)
{
  g_return_val_if_fail (DGATEWAY_IS_IDENTIFY_QUEUE (self), FALSE);

  return DGATEWAY_IDENTIFY_QUEUE_GET_IFACE (self)->request_finish (self, result, error);
}

/**
 * DGatewayLocalIdentifyQueue:
 *
 * The identify queue of one process.
 *
 * Shards in the same bucket (`shard_id % max-concurrency`) identify at
 * least [property@LocalIdentifyQueue:interval] apart, in the order they
 * asked; different buckets go in parallel. When the session start limit
 * that `GET /gateway/bot` reported is used up, every shard waits until it
 * resets.
 */

#define DEFAULT_INTERVAL_MS 5000

typedef struct _Request Request;

/* One rate-limit bucket: the shards waiting in it, in order, and the one
 * timer that grants its head when the bucket allows. */
typedef struct {
  DGatewayLocalIdentifyQueue *queue;     /* unowned: it owns its buckets */
  GQueue waiting;                        /* Request */
  gint64 next_allowed;                   /* monotonic µs */
  GSource *timer;
  GMainContext *context;
} Bucket;

struct _DGatewayLocalIdentifyQueue
{
  GObject parent_instance;

  guint max_concurrency;
  guint interval;
  Bucket *buckets;               /* max_concurrency of them */
  gboolean limited;
  guint remaining;
  gint64 reset_at;
};

enum {
  PROP_0,
  PROP_MAX_CONCURRENCY,
  PROP_INTERVAL,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

static void identify_queue_iface_init (DGatewayIdentifyQueueInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DGatewayLocalIdentifyQueue, dgateway_local_identify_queue, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (DGATEWAY_TYPE_IDENTIFY_QUEUE,
                                                      identify_queue_iface_init))

/* A waiting shard. Nothing is reserved for it until it is granted, so a
 * request that is cancelled gives its place to the next one at once. */
struct _Request
{
  GTask *task;
  Bucket *bucket;
  gulong cancelled_id;
  GSource *cancel_source;        /* completes a cancelled request */
};

static void bucket_schedule (DGatewayLocalIdentifyQueue *self,
                             Bucket                     *bucket);

static void
request_free (Request *request)
{
  GCancellable *cancellable = g_task_get_cancellable (request->task);

  /* Never from inside the "cancelled" emission: see cancelled_cb(). */
  if (request->cancelled_id != 0)
    g_cancellable_disconnect (cancellable, request->cancelled_id);
  if (request->cancel_source != NULL)
    {
      g_source_destroy (request->cancel_source);
      g_source_unref (request->cancel_source);
    }
  g_object_unref (request->task);
  g_free (request);
}

/* When may the head of @bucket identify? Monotonic µs. */
static gint64
bucket_next_grant (DGatewayLocalIdentifyQueue *self,
                   Bucket                     *bucket)
{
  gint64 at = bucket->next_allowed;

  if (self->limited && self->remaining == 0)
    at = MAX (at, self->reset_at);
  return at;
}

static void
grant (DGatewayLocalIdentifyQueue *self,
       Bucket                     *bucket)
{
  Request *request = g_queue_pop_head (&bucket->waiting);
  gint64 now = g_get_monotonic_time ();

  if (self->limited && self->remaining == 0)
    self->limited = FALSE;          /* the limit was reset meanwhile */
  else if (self->limited)
    self->remaining--;

  bucket->next_allowed = now + (gint64) self->interval * 1000;
  g_task_return_boolean (request->task, TRUE);
  request_free (request);
}

static gboolean
bucket_timer_cb (gpointer data)
{
  Bucket *bucket = data;
  g_autoptr(DGatewayLocalIdentifyQueue) self = g_object_ref (bucket->queue);

  g_clear_pointer (&bucket->timer, g_source_unref);
  /* A request cancelled a moment ago, whose completion has not run yet,
   * takes no slot. */
  while (!g_queue_is_empty (&bucket->waiting) &&
         g_task_return_error_if_cancelled (((Request *) g_queue_peek_head (&bucket->waiting))->task))
    request_free (g_queue_pop_head (&bucket->waiting));
  if (!g_queue_is_empty (&bucket->waiting))
    grant (self, bucket);
  bucket_schedule (self, bucket);
  return G_SOURCE_REMOVE;
}

/* Arms the bucket's one timer for its head, if it has one. */
static void
bucket_schedule (DGatewayLocalIdentifyQueue *self,
                 Bucket                     *bucket)
{
  gint64 wait;

  if (bucket->timer != NULL || g_queue_is_empty (&bucket->waiting))
    return;

  wait = bucket_next_grant (self, bucket) - g_get_monotonic_time ();
  bucket->timer = g_timeout_source_new ((guint) CLAMP ((wait + 999) / 1000, 0, G_MAXUINT));
  g_source_set_static_name (bucket->timer, "[dgateway] identify queue");
  g_source_set_callback (bucket->timer, bucket_timer_cb, bucket, NULL);
  g_source_attach (bucket->timer, bucket->context);
}

static gboolean
cancel_idle_cb (gpointer data)
{
  Request *request = data;
  Bucket *bucket = request->bucket;
  g_autoptr(DGatewayLocalIdentifyQueue) self = g_object_ref (bucket->queue);

  g_clear_pointer (&request->cancel_source, g_source_unref);
  g_queue_remove (&bucket->waiting, request);
  g_task_return_error_if_cancelled (request->task);
  request_free (request);
  return G_SOURCE_REMOVE;
}

static void
cancelled_cb (GCancellable *cancellable,
              gpointer      data)
{
  Request *request = data;

  /* This may run in any thread, and g_cancellable_disconnect() cannot be
   * called from here: finish on the queue's context, in its next
   * iteration. */
  if (request->cancel_source != NULL)
    return;
  request->cancel_source = g_idle_source_new ();
  g_source_set_static_name (request->cancel_source, "[dgateway] identify request cancelled");
  g_source_set_priority (request->cancel_source, G_PRIORITY_DEFAULT);
  g_source_set_callback (request->cancel_source, cancel_idle_cb, request, NULL);
  g_source_attach (request->cancel_source, request->bucket->context);
}

static void
local_request_async (DGatewayIdentifyQueue *queue,
                     guint                  shard_id,
                     GCancellable          *cancellable,
                     GAsyncReadyCallback    callback,
                     gpointer               user_data)
{
  DGatewayLocalIdentifyQueue *self = DGATEWAY_LOCAL_IDENTIFY_QUEUE (queue);
  Bucket *bucket = &self->buckets[shard_id % self->max_concurrency];
  Request *request;
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, local_request_async);
  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  /* Every bucket runs on the context of its first request. */
  if (bucket->context == NULL)
    bucket->context = g_main_context_ref_thread_default ();

  request = g_new0 (Request, 1);
  request->task = task;
  request->bucket = bucket;
  g_queue_push_tail (&bucket->waiting, request);
  if (cancellable != NULL)
    request->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb),
                                                   request, NULL);
  bucket_schedule (self, bucket);
}

static gboolean
local_request_finish (DGatewayIdentifyQueue  *queue,
                      GAsyncResult           *result,
                      GError                **error)
{
  g_return_val_if_fail (g_task_is_valid (result, queue), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
identify_queue_iface_init (DGatewayIdentifyQueueInterface *iface)
{
  iface->request_async = local_request_async;
  iface->request_finish = local_request_finish;
}

static void
dgateway_local_identify_queue_finalize (GObject *object)
{
  DGatewayLocalIdentifyQueue *self = DGATEWAY_LOCAL_IDENTIFY_QUEUE (object);

  for (guint i = 0; i < self->max_concurrency; i++)
    {
      Bucket *bucket = &self->buckets[i];

      /* Requests hold the queue, so none is left once it finalizes. */
      g_assert (g_queue_is_empty (&bucket->waiting));
      if (bucket->timer != NULL)
        {
          g_source_destroy (bucket->timer);
          g_source_unref (bucket->timer);
        }
      g_clear_pointer (&bucket->context, g_main_context_unref);
    }
  g_free (self->buckets);

  G_OBJECT_CLASS (dgateway_local_identify_queue_parent_class)->finalize (object);
}

static void
dgateway_local_identify_queue_constructed (GObject *object)
{
  DGatewayLocalIdentifyQueue *self = DGATEWAY_LOCAL_IDENTIFY_QUEUE (object);

  G_OBJECT_CLASS (dgateway_local_identify_queue_parent_class)->constructed (object);

  self->buckets = g_new0 (Bucket, self->max_concurrency);
  for (guint i = 0; i < self->max_concurrency; i++)
    self->buckets[i].queue = self;
}

static void
dgateway_local_identify_queue_get_property (GObject    *object,
                                            guint       prop_id,
                                            GValue     *value,
                                            GParamSpec *pspec)
{
  DGatewayLocalIdentifyQueue *self = DGATEWAY_LOCAL_IDENTIFY_QUEUE (object);

  switch (prop_id)
    {
    case PROP_MAX_CONCURRENCY:
      g_value_set_uint (value, self->max_concurrency);
      break;
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dgateway_local_identify_queue_set_property (GObject      *object,
                                            guint         prop_id,
                                            const GValue *value,
                                            GParamSpec   *pspec)
{
  DGatewayLocalIdentifyQueue *self = DGATEWAY_LOCAL_IDENTIFY_QUEUE (object);

  switch (prop_id)
    {
    case PROP_MAX_CONCURRENCY:
      self->max_concurrency = g_value_get_uint (value);
      break;
    case PROP_INTERVAL:
      dgateway_local_identify_queue_set_interval (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dgateway_local_identify_queue_class_init (DGatewayLocalIdentifyQueueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = dgateway_local_identify_queue_constructed;
  object_class->finalize = dgateway_local_identify_queue_finalize;
  object_class->get_property = dgateway_local_identify_queue_get_property;
  object_class->set_property = dgateway_local_identify_queue_set_property;

  /**
   * DGatewayLocalIdentifyQueue:max-concurrency: (getter get_max_concurrency)
   *
   * The number of rate-limit buckets, from `GET /gateway/bot`.
   */
  props[PROP_MAX_CONCURRENCY] =
    g_param_spec_uint ("max-concurrency", NULL, NULL, 1, G_MAXUINT16, 1,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * DGatewayLocalIdentifyQueue:interval: (getter get_interval) (setter set_interval)
   *
   * The time between two IDENTIFY of one bucket, in milliseconds:
   * Discord's five seconds by default.
   */
  props[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL, 0, G_MAXUINT, DEFAULT_INTERVAL_MS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
dgateway_local_identify_queue_init (DGatewayLocalIdentifyQueue *self)
{
  self->max_concurrency = 1;
  self->interval = DEFAULT_INTERVAL_MS;
}

/**
 * dgateway_local_identify_queue_new:
 * @max_concurrency: the number of rate-limit buckets
 *
 * Creates an identify queue for the shards of one process.
 *
 * Returns: (transfer full): a new queue
 */
DGatewayLocalIdentifyQueue *
dgateway_local_identify_queue_new (guint max_concurrency)
{
  return g_object_new (DGATEWAY_TYPE_LOCAL_IDENTIFY_QUEUE,
                       "max-concurrency", MAX (max_concurrency, 1),
                       NULL);
}

/**
 * dgateway_local_identify_queue_get_max_concurrency:
 * @self: a queue
 *
 * Gets the number of rate-limit buckets.
 *
 * Returns: the bucket count
 */
guint
dgateway_local_identify_queue_get_max_concurrency (DGatewayLocalIdentifyQueue *self)
{
  g_return_val_if_fail (DGATEWAY_IS_LOCAL_IDENTIFY_QUEUE (self), 1);

  return self->max_concurrency;
}

/**
 * dgateway_local_identify_queue_get_interval:
 * @self: a queue
 *
 * Gets the time between two IDENTIFY of one bucket.
 *
 * Returns: the interval in milliseconds
 */
guint
dgateway_local_identify_queue_get_interval (DGatewayLocalIdentifyQueue *self)
{
  g_return_val_if_fail (DGATEWAY_IS_LOCAL_IDENTIFY_QUEUE (self), DEFAULT_INTERVAL_MS);

  return self->interval;
}

/**
 * dgateway_local_identify_queue_set_interval:
 * @self: a queue
 * @interval_ms: the interval in milliseconds
 *
 * Sets the time between two IDENTIFY of one bucket. Keep Discord's five
 * seconds outside tests.
 */
void
dgateway_local_identify_queue_set_interval (DGatewayLocalIdentifyQueue *self,
                                            guint                       interval_ms)
{
  g_return_if_fail (DGATEWAY_IS_LOCAL_IDENTIFY_QUEUE (self));

  if (self->interval == interval_ms)
    return;

  self->interval = interval_ms;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_INTERVAL]);
}

/**
 * dgateway_local_identify_queue_set_session_start_limit:
 * @self: a queue
 * @remaining: the session starts left, from `session_start_limit`
 * @reset_after_ms: when the limit resets, in milliseconds from now
 *
 * Sets what `GET /gateway/bot` said of the session start limit. Once the
 * @remaining starts are used, shards wait for the reset: exhausting the
 * limit would reset the bot's token.
 */
void
dgateway_local_identify_queue_set_session_start_limit (DGatewayLocalIdentifyQueue *self,
                                                       guint                       remaining,
                                                       guint                       reset_after_ms)
{
  g_return_if_fail (DGATEWAY_IS_LOCAL_IDENTIFY_QUEUE (self));

  self->limited = TRUE;
  self->remaining = remaining;
  self->reset_at = g_get_monotonic_time () + (gint64) reset_after_ms * 1000;
}
