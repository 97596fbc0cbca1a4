/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-http-identify-queue.h"

#include "dgateway-error.h"
#include "dgateway-policy-private.h"
#include "dgateway-shard-config-private.h"

#include <glib/gi18n-lib.h>

/**
 * DGatewayHttpIdentifyQueue:
 *
 * An identify queue shared through twilight's gateway-queue HTTP service.
 *
 * [gateway-queue](https://github.com/twilight-rs/gateway-queue) is a small
 * HTTP service that every process of a bot asks before a shard identifies:
 * it holds `GET {url}?shard={id}` open until the shard's turn in its
 * rate-limit bucket (`shard_id % max_concurrency`), then answers. Since it
 * speaks plain HTTP, bots written in any language, with any library, can
 * share one; this queue lets a [class@Client] take its turn among them.
 *
 * ```c
 * g_autoptr(DGatewayHttpIdentifyQueue) queue =
 *   dgateway_http_identify_queue_new ("http://gateway-queue:8000/");
 *
 * dgateway_client_set_identify_queue (client, DGATEWAY_IDENTIFY_QUEUE (queue));
 * ```
 *
 * A request the service has not answered after
 * [property@HttpIdentifyQueue:timeout] is asked again, since the service
 * may hold it for as long as the shards before it take. A request that
 * cannot reach the service, or that it answers with a server error (5xx,
 * or 408 and 429), is asked again after a delay that doubles from
 * [property@HttpIdentifyQueue:retry-delay-min] up to
 * [property@HttpIdentifyQueue:retry-delay-max]; after five such failures in
 * a row, or at once for any other client error (4xx), the request fails
 * with a [error@DGateway.Error] `CONNECTION` error, the shard reports it in
 * [signal@Client::connection-lost] and asks again when it reconnects.
 *
 * The queue sends no credentials of its own. It never logs request headers,
 * and its messages show the URL without its user information or query.
 */

/* twilight's service answers 200 with a JSON message; Discord-style bots
 * are identified by their User-Agent (DESIGN.md, being a good citizen). */
#define USER_AGENT               "DiscordBot (" PACKAGE_URL ", " PACKAGE_VERSION ")"
#define DEFAULT_TIMEOUT_S        60
#define DEFAULT_RETRY_DELAY_MIN  1000
#define DEFAULT_RETRY_DELAY_MAX  30000
/* Failures in a row (not counting timeouts) before a request gives up. */
#define MAX_RETRIES              5
/* Every waiting shard holds one connection to the service: let the
 * session the queue makes for itself open enough of them. */
#define MAX_CONNECTIONS          1024

struct _DGatewayHttpIdentifyQueue
{
  GObject parent_instance;

  char *url;
  GUri *uri;                     /* NULL if url is not an http(s) URL */
  char *display_url;             /* url without user info nor query */
  SoupSession *session;
  guint timeout;                 /* s, 0 for none */
  guint retry_delay_min;         /* ms */
  guint retry_delay_max;         /* ms */
};

enum {
  PROP_0,
  PROP_URL,
  PROP_SOUP_SESSION,
  PROP_TIMEOUT,
  PROP_RETRY_DELAY_MIN,
  PROP_RETRY_DELAY_MAX,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

static void identify_queue_iface_init (DGatewayIdentifyQueueInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DGatewayHttpIdentifyQueue, dgateway_http_identify_queue, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (DGATEWAY_TYPE_IDENTIFY_QUEUE,
                                                      identify_queue_iface_init))

/* One shard waiting for its turn. The operation holds one reference until
 * it completes, and each HTTP request in flight one more, so that its
 * callback can run after the operation completed. Only the task holds the
 * queue: once a request completes (cancelled or not), nothing of it keeps
 * the queue alive. Everything runs on the context of the caller. */
typedef struct {
  GTask *task;                   /* NULL once completed */
  guint shard_id;
  GUri *uri;
  GMainContext *context;
  GSource *cancel_source;        /* dispatches when the caller cancels */
  GSource *timer;                /* the attempt's timeout or the backoff */
  GCancellable *attempt;         /* cancels the HTTP request in flight */
  SoupMessage *message;
  gboolean timed_out;
  guint failures;                /* in a row, timeouts apart */
} Request;

static void
request_clear (gpointer data)
{
  Request *request = data;

  g_assert (request->task == NULL);
  g_assert (request->cancel_source == NULL && request->timer == NULL);
  g_clear_object (&request->attempt);
  g_clear_object (&request->message);
  g_clear_pointer (&request->uri, g_uri_unref);
  g_clear_pointer (&request->context, g_main_context_unref);
}

static void
request_unref (Request *request)
{
  g_rc_box_release_full (request, request_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_unref)

static GSource *
request_attach (Request     *request,
                GSource     *source,
                const char  *name,
                GSourceFunc  func)
{
  g_source_set_static_name (source, name);
  g_source_set_callback (source, func, request, NULL);
  g_source_attach (source, request->context);
  return source;
}

/* Completes the operation once, with @error (owned) or granted, and drops
 * the HTTP request in flight: cancelling it closes its connection, so the
 * service drops it from its queue. */
static void
request_complete (Request *request,
                  GError  *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&request->task);

  g_assert (task != NULL);
  dgateway_source_clear (&request->cancel_source);
  dgateway_source_clear (&request->timer);
  if (request->attempt != NULL)
    g_cancellable_cancel (request->attempt);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  request_unref (request);
}

static void request_send (Request *request);

static gboolean
retry_cb (gpointer data)
{
  Request *request = data;

  g_clear_pointer (&request->timer, g_source_unref);
  request_send (request);
  return G_SOURCE_REMOVE;
}

/* The service could not be asked: try again after a backoff, or give up. */
static void
request_failed (Request    *request,
                const char *reason)
{
  DGatewayHttpIdentifyQueue *self = g_task_get_source_object (request->task);
  guint delay;

  if (++request->failures > MAX_RETRIES)
    {
      request_complete (request,
                        g_error_new (DGATEWAY_ERROR, DGATEWAY_ERROR_CONNECTION,
                                     /* Translators: the first %s is a URL, the second why it failed. */
                                     _("The identify queue at %s could not be asked: %s"),
                                     self->display_url, reason));
      return;
    }

  delay = dgateway_policy_backoff_delay (self->retry_delay_min, self->retry_delay_max,
                                         request->failures - 1, g_random_double ());
  g_debug ("Shard %u: the identify queue at %s failed (%s), asking again in %u ms",
           request->shard_id, self->display_url, reason, delay);
  request->timer = request_attach (request, g_timeout_source_new (delay),
                                   "[dgateway] identify queue retry", retry_cb);
}

/* A status that says to ask again later, not that the request is wrong. */
static gboolean
status_is_transient (guint status)
{
  return status >= 500 || status == SOUP_STATUS_REQUEST_TIMEOUT || status == 429 /* Too Many Requests */;
}

static void
request_answered (Request *request,
                  guint    status)
{
  DGatewayHttpIdentifyQueue *self = g_task_get_source_object (request->task);
  g_autofree char *reason = NULL;

  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_debug ("Shard %u: the identify queue granted its turn", request->shard_id);
      request_complete (request, NULL);
      return;
    }

  reason = g_strdup_printf ("%u %s", status, soup_message_get_reason_phrase (request->message));
  if (status_is_transient (status))
    {
      request_failed (request, reason);
      return;
    }
  request_complete (request,
                    g_error_new (DGATEWAY_ERROR, DGATEWAY_ERROR_CONNECTION,
                                 /* Translators: %s is a URL, %u a shard number, the last %s an HTTP status such as "404 Not Found". */
                                 _("The identify queue at %s refused shard %u: %s"),
                                 self->display_url, request->shard_id, reason));
}

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  g_autoptr(Request) request = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  if (request->task == NULL)
    return;                     /* completed meanwhile: cancelled */

  dgateway_source_clear (&request->timer);
  g_clear_object (&request->attempt);

  /* The service holds a request until the shard's turn: a timeout only
   * means the turn is still far, so ask again at once. */
  if (request->timed_out || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      g_debug ("Shard %u: no turn from the identify queue yet, asking again", request->shard_id);
      request->failures = 0;
      request_send (request);
    }
  else if (error != NULL)
    request_failed (request, error->message);
  else
    request_answered (request, soup_message_get_status (request->message));
}

static gboolean
attempt_timeout_cb (gpointer data)
{
  Request *request = data;

  g_clear_pointer (&request->timer, g_source_unref);
  request->timed_out = TRUE;
  g_cancellable_cancel (request->attempt);
  return G_SOURCE_REMOVE;
}

/* One HTTP request, on the caller's context (libsoup runs async requests
 * on the thread-default one). */
static void
request_send (Request *request)
{
  DGatewayHttpIdentifyQueue *self = g_task_get_source_object (request->task);

  g_clear_object (&request->message);
  request->message = soup_message_new_from_uri (SOUP_METHOD_GET, request->uri);
  request->attempt = g_cancellable_new ();
  request->timed_out = FALSE;

  g_main_context_push_thread_default (request->context);
  soup_session_send_and_read_async (self->session, request->message, G_PRIORITY_DEFAULT,
                                    request->attempt, send_cb, g_rc_box_acquire (request));
  g_main_context_pop_thread_default (request->context);

  if (self->timeout > 0)
    request->timer = request_attach (request,
                                     g_timeout_source_new ((guint) MIN ((guint64) self->timeout * 1000,
                                                                        G_MAXUINT)),
                                     "[dgateway] identify queue timeout", attempt_timeout_cb);
}

static gboolean
cancelled_cb (GCancellable *cancellable,
              gpointer      data)
{
  Request *request = data;

  g_clear_pointer (&request->cancel_source, g_source_unref);
  request_complete (request, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                  _("The identify request was cancelled")));
  return G_SOURCE_REMOVE;
}

/* The URL of the request of @shard_id: the queue's, with `shard=ID`
 * added to its query. */
static GUri *
build_request_uri (GUri  *base,
                   guint  shard_id)
{
  const char *query = g_uri_get_query (base);
  const char *path = g_uri_get_path (base);
  g_autofree char *shard = g_strdup_printf ("shard=%u", shard_id);
  g_autofree char *full_query = query != NULL && *query != '\0' ?
                                g_strconcat (query, "&", shard, NULL) : g_strdup (shard);

  return g_uri_build (g_uri_get_flags (base), g_uri_get_scheme (base),
                      g_uri_get_userinfo (base), g_uri_get_host (base), g_uri_get_port (base),
                      *path != '\0' ? path : "/", full_query, NULL);
}

static void
http_request_async (DGatewayIdentifyQueue *queue,
                    guint                  shard_id,
                    GCancellable          *cancellable,
                    GAsyncReadyCallback    callback,
                    gpointer               user_data)
{
  DGatewayHttpIdentifyQueue *self = DGATEWAY_HTTP_IDENTIFY_QUEUE (queue);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Request *request;

  g_task_set_source_tag (task, http_request_async);
  if (g_task_return_error_if_cancelled (task))
    return;
  if (self->uri == NULL)
    {
      g_task_return_new_error (task, DGATEWAY_ERROR, DGATEWAY_ERROR_CONNECTION,
                               _("The identify queue URL is not an http or https URL"));
      return;
    }

  request = g_rc_box_new0 (Request);
  request->task = g_steal_pointer (&task);
  request->shard_id = shard_id;
  request->uri = build_request_uri (self->uri, shard_id);
  request->context = g_main_context_ref_thread_default ();
  if (cancellable != NULL)
    request->cancel_source = request_attach (request, g_cancellable_source_new (cancellable),
                                             "[dgateway] identify request cancelled",
                                             G_SOURCE_FUNC (cancelled_cb));
  request_send (request);
}

static gboolean
http_request_finish (DGatewayIdentifyQueue  *queue,
                     GAsyncResult           *result,
                     GError                **error)
{
  g_return_val_if_fail (g_task_is_valid (result, queue), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == http_request_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
identify_queue_iface_init (DGatewayIdentifyQueueInterface *iface)
{
  iface->request_async = http_request_async;
  iface->request_finish = http_request_finish;
}

/* Parses the URL once; only http and https URLs with a host will do. */
static void
parse_url (DGatewayHttpIdentifyQueue *self)
{
  g_autoptr(GUri) uri = NULL;

  if (self->url == NULL)
    return;
  uri = g_uri_parse (self->url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL ||
      (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
       g_strcmp0 (g_uri_get_scheme (uri), "https") != 0) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      self->display_url = g_strdup (_("(an invalid URL)"));
      return;
    }
  self->display_url = g_uri_to_string_partial (uri, G_URI_HIDE_USERINFO | G_URI_HIDE_QUERY |
                                                    G_URI_HIDE_FRAGMENT);
  self->uri = g_steal_pointer (&uri);
}

static void
dgateway_http_identify_queue_constructed (GObject *object)
{
  DGatewayHttpIdentifyQueue *self = DGATEWAY_HTTP_IDENTIFY_QUEUE (object);

  G_OBJECT_CLASS (dgateway_http_identify_queue_parent_class)->constructed (object);

  parse_url (self);
  /* Our own session times out nothing by itself: the timeout property
   * does, per request. No SoupLogger is ever attached to it. */
  if (self->session == NULL)
    self->session = soup_session_new_with_options ("user-agent", USER_AGENT,
                                                   "timeout", 0,
                                                   "max-conns", MAX_CONNECTIONS,
                                                   "max-conns-per-host", MAX_CONNECTIONS,
                                                   NULL);
}

static void
dgateway_http_identify_queue_dispose (GObject *object)
{
  DGatewayHttpIdentifyQueue *self = DGATEWAY_HTTP_IDENTIFY_QUEUE (object);

  g_clear_object (&self->session);

  G_OBJECT_CLASS (dgateway_http_identify_queue_parent_class)->dispose (object);
}

static void
dgateway_http_identify_queue_finalize (GObject *object)
{
  DGatewayHttpIdentifyQueue *self = DGATEWAY_HTTP_IDENTIFY_QUEUE (object);

  g_free (self->url);
  g_clear_pointer (&self->uri, g_uri_unref);
  g_free (self->display_url);

  G_OBJECT_CLASS (dgateway_http_identify_queue_parent_class)->finalize (object);
}

static void
dgateway_http_identify_queue_get_property (GObject    *object,
                                           guint       prop_id,
                                           GValue     *value,
                                           GParamSpec *pspec)
{
  DGatewayHttpIdentifyQueue *self = DGATEWAY_HTTP_IDENTIFY_QUEUE (object);

  switch (prop_id)
    {
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_SOUP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;
    case PROP_RETRY_DELAY_MIN:
      g_value_set_uint (value, self->retry_delay_min);
      break;
    case PROP_RETRY_DELAY_MAX:
      g_value_set_uint (value, self->retry_delay_max);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dgateway_http_identify_queue_set_property (GObject      *object,
                                           guint         prop_id,
                                           const GValue *value,
                                           GParamSpec   *pspec)
{
  DGatewayHttpIdentifyQueue *self = DGATEWAY_HTTP_IDENTIFY_QUEUE (object);

  switch (prop_id)
    {
    case PROP_URL:
      self->url = g_value_dup_string (value);
      break;
    case PROP_SOUP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    case PROP_TIMEOUT:
      dgateway_http_identify_queue_set_timeout (self, g_value_get_uint (value));
      break;
    case PROP_RETRY_DELAY_MIN:
      dgateway_http_identify_queue_set_retry_delay_min (self, g_value_get_uint (value));
      break;
    case PROP_RETRY_DELAY_MAX:
      dgateway_http_identify_queue_set_retry_delay_max (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dgateway_http_identify_queue_class_init (DGatewayHttpIdentifyQueueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->constructed = dgateway_http_identify_queue_constructed;
  object_class->dispose = dgateway_http_identify_queue_dispose;
  object_class->finalize = dgateway_http_identify_queue_finalize;
  object_class->get_property = dgateway_http_identify_queue_get_property;
  object_class->set_property = dgateway_http_identify_queue_set_property;

  /**
   * DGatewayHttpIdentifyQueue:url: (getter get_url)
   *
   * The URL of the queue service, such as `http://gateway-queue:8000/`.
   *
   * Each request adds `shard=ID` to its query.
   */
  props[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * DGatewayHttpIdentifyQueue:soup-session: (getter get_soup_session)
   *
   * The session that sends the requests.
   *
   * Without one, the queue makes its own, which sends the library's
   * `User-Agent` and opens a connection for each waiting shard. A session
   * given here must allow as many connections to the service as shards may
   * wait at once (its `max-conns-per-host`), and its own `timeout` ends a
   * request as [property@HttpIdentifyQueue:timeout] does.
   */
  props[PROP_SOUP_SESSION] =
    g_param_spec_object ("soup-session", NULL, NULL, SOUP_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * DGatewayHttpIdentifyQueue:timeout: (getter get_timeout) (setter set_timeout)
   *
   * How long to wait for the service to answer one request, in seconds,
   * before asking again; 0 waits without end.
   *
   * The service holds a request until the shard's turn, so this is not an
   * error: asking again only keeps a dead connection from holding the shard
   * for ever. Since a request asked again joins the back of its bucket, keep
   * it above the longest wait: the shards of one bucket times five seconds.
   */
  props[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 0, G_MAXUINT, DEFAULT_TIMEOUT_S, rw);

  /**
   * DGatewayHttpIdentifyQueue:retry-delay-min: (getter get_retry_delay_min) (setter set_retry_delay_min)
   *
   * The delay before the first retry after a failure, in milliseconds;
   * each failure in a row doubles it.
   */
  props[PROP_RETRY_DELAY_MIN] =
    g_param_spec_uint ("retry-delay-min", NULL, NULL, 1, G_MAXUINT, DEFAULT_RETRY_DELAY_MIN, rw);

  /**
   * DGatewayHttpIdentifyQueue:retry-delay-max: (getter get_retry_delay_max) (setter set_retry_delay_max)
   *
   * The longest delay between two retries, in milliseconds.
   */
  props[PROP_RETRY_DELAY_MAX] =
    g_param_spec_uint ("retry-delay-max", NULL, NULL, 1, G_MAXUINT, DEFAULT_RETRY_DELAY_MAX, rw);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
dgateway_http_identify_queue_init (DGatewayHttpIdentifyQueue *self)
{
  self->timeout = DEFAULT_TIMEOUT_S;
  self->retry_delay_min = DEFAULT_RETRY_DELAY_MIN;
  self->retry_delay_max = DEFAULT_RETRY_DELAY_MAX;
}

/**
 * dgateway_http_identify_queue_new:
 * @url: the URL of the queue service
 *
 * Creates a queue that asks the gateway-queue service at @url.
 *
 * Returns: (transfer full): a new queue
 */
DGatewayHttpIdentifyQueue *
dgateway_http_identify_queue_new (const char *url)
{
  g_return_val_if_fail (url != NULL, NULL);

  return g_object_new (DGATEWAY_TYPE_HTTP_IDENTIFY_QUEUE, "url", url, NULL);
}

/**
 * dgateway_http_identify_queue_get_url:
 * @self: a queue
 *
 * Gets the URL of the queue service.
 *
 * Returns: the URL
 */
const char *
dgateway_http_identify_queue_get_url (DGatewayHttpIdentifyQueue *self)
{
  g_return_val_if_fail (DGATEWAY_IS_HTTP_IDENTIFY_QUEUE (self), NULL);

  return self->url;
}

/**
 * dgateway_http_identify_queue_get_soup_session:
 * @self: a queue
 *
 * Gets the session that sends the requests.
 *
 * Returns: (transfer none): the session
 */
SoupSession *
dgateway_http_identify_queue_get_soup_session (DGatewayHttpIdentifyQueue *self)
{
  g_return_val_if_fail (DGATEWAY_IS_HTTP_IDENTIFY_QUEUE (self), NULL);

  return self->session;
}

/**
 * dgateway_http_identify_queue_get_timeout:
 * @self: a queue
 *
 * Gets how long one request waits for an answer.
 *
 * Returns: the timeout in seconds, 0 for none
 */
guint
dgateway_http_identify_queue_get_timeout (DGatewayHttpIdentifyQueue *self)
{
  g_return_val_if_fail (DGATEWAY_IS_HTTP_IDENTIFY_QUEUE (self), 0);

  return self->timeout;
}

/**
 * dgateway_http_identify_queue_set_timeout:
 * @self: a queue
 * @timeout: the timeout in seconds, 0 for none
 *
 * Sets how long one request waits for an answer before it is asked again.
 * It applies from the next request.
 */
void
dgateway_http_identify_queue_set_timeout (DGatewayHttpIdentifyQueue *self,
                                          guint                      timeout)
{
  g_return_if_fail (DGATEWAY_IS_HTTP_IDENTIFY_QUEUE (self));

  if (self->timeout == timeout)
    return;

  self->timeout = timeout;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_TIMEOUT]);
}

/**
 * dgateway_http_identify_queue_get_retry_delay_min:
 * @self: a queue
 *
 * Gets the delay before the first retry.
 *
 * Returns: the delay in milliseconds
 */
guint
dgateway_http_identify_queue_get_retry_delay_min (DGatewayHttpIdentifyQueue *self)
{
  g_return_val_if_fail (DGATEWAY_IS_HTTP_IDENTIFY_QUEUE (self), DEFAULT_RETRY_DELAY_MIN);

  return self->retry_delay_min;
}

/**
 * dgateway_http_identify_queue_set_retry_delay_min:
 * @self: a queue
 * @delay_ms: the delay in milliseconds, at least 1
 *
 * Sets the delay before the first retry after a failure.
 */
void
dgateway_http_identify_queue_set_retry_delay_min (DGatewayHttpIdentifyQueue *self,
                                                  guint                      delay_ms)
{
  g_return_if_fail (DGATEWAY_IS_HTTP_IDENTIFY_QUEUE (self));
  g_return_if_fail (delay_ms > 0);

  if (self->retry_delay_min == delay_ms)
    return;

  self->retry_delay_min = delay_ms;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RETRY_DELAY_MIN]);
}

/**
 * dgateway_http_identify_queue_get_retry_delay_max:
 * @self: a queue
 *
 * Gets the longest delay between two retries.
 *
 * Returns: the delay in milliseconds
 */
guint
dgateway_http_identify_queue_get_retry_delay_max (DGatewayHttpIdentifyQueue *self)
{
  g_return_val_if_fail (DGATEWAY_IS_HTTP_IDENTIFY_QUEUE (self), DEFAULT_RETRY_DELAY_MAX);

  return self->retry_delay_max;
}

/**
 * dgateway_http_identify_queue_set_retry_delay_max:
 * @self: a queue
 * @delay_ms: the delay in milliseconds, at least 1
 *
 * Sets the longest delay between two retries.
 */
void
dgateway_http_identify_queue_set_retry_delay_max (DGatewayHttpIdentifyQueue *self,
                                                  guint                      delay_ms)
{
  g_return_if_fail (DGATEWAY_IS_HTTP_IDENTIFY_QUEUE (self));
  g_return_if_fail (delay_ms > 0);

  if (self->retry_delay_max == delay_ms)
    return;

  self->retry_delay_max = delay_ms;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RETRY_DELAY_MAX]);
}
