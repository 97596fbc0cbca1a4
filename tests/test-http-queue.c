/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* DGatewayHttpIdentifyQueue against a local gateway-queue: a SoupServer on
 * 127.0.0.1 that behaves as twilight's service does (buckets by shard %
 * max_concurrency, one grant per bucket per interval, requests held open
 * until their turn, a request whose client went away dropped without
 * using a turn), and can be told to misbehave. Then two client processes
 * share it, and the IDENTIFY spacing is checked at the mock gateway. */

#include "config.h"

#include "test-utils.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define INTERVAL_MS 300

/* The local gateway-queue */

typedef struct _QueueServer QueueServer;

typedef struct {
  QueueServer *server;
  SoupServerMessage *msg;
  guint shard;
  gboolean gone;               /* its client went away while it waited */
  GSource *watch;              /* notices when it does */
} Waiting;

typedef struct {
  QueueServer *server;
  GQueue waiting;              /* Waiting, in order of arrival */
  gint64 next_allowed;         /* monotonic µs */
  GSource *timer;
} ServerBucket;

typedef struct {
  guint shard;
  gint64 time;
} Grant;

struct _QueueServer {
  SoupServer *soup;
  char *url;
  guint max_concurrency;
  guint interval_ms;
  ServerBucket *buckets;
  GArray *arrivals;            /* guint shard, in order of arrival */
  GArray *grants;              /* Grant */
  guint received;
  guint dropped;
  guint hold_next;             /* the next requests to leave unanswered for ever */
  GPtrArray *held;             /* Waiting never answered */
  guint fail_next;             /* the next requests to answer with fail_status */
  guint fail_status;
};

static void bucket_schedule (QueueServer  *server,
                             ServerBucket *bucket);

static void
waiting_free (Waiting *waiting)
{
  if (waiting->watch != NULL)
    {
      g_source_destroy (waiting->watch);
      g_source_unref (waiting->watch);
    }
  g_object_unref (waiting->msg);
  g_free (waiting);
}

/* twilight's service notices a client that went away and drops its
 * request without using a turn. libsoup does not read a paused message's
 * socket, so watch it: the client sends nothing more, so a readable socket
 * with nothing to read is one its client closed. */
static gboolean
socket_ready_cb (GSocket      *socket,
                 GIOCondition  condition,
                 gpointer      data)
{
  Waiting *waiting = data;
  char byte;

  if (recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0 ||
      (condition & (G_IO_HUP | G_IO_ERR)) != 0)
    {
      waiting->gone = TRUE;
      waiting->server->dropped++;
    }
  g_clear_pointer (&waiting->watch, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
grant (QueueServer  *server,
       ServerBucket *bucket)
{
  static const char body[] = "{\"message\": \"You're free to connect now! :)\"}";
  Waiting *waiting = g_queue_pop_head (&bucket->waiting);
  Grant g = { waiting->shard, g_get_monotonic_time () };

  soup_server_message_set_status (waiting->msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (waiting->msg, "application/json", SOUP_MEMORY_STATIC,
                                    body, strlen (body));
  soup_server_message_unpause (waiting->msg);
  g_array_append_val (server->grants, g);
  bucket->next_allowed = g.time + (gint64) server->interval_ms * 1000;
  waiting_free (waiting);
}

static gboolean
bucket_timer_cb (gpointer data)
{
  ServerBucket *bucket = data;

  g_clear_pointer (&bucket->timer, g_source_unref);
  while (!g_queue_is_empty (&bucket->waiting) &&
         ((Waiting *) g_queue_peek_head (&bucket->waiting))->gone)
    waiting_free (g_queue_pop_head (&bucket->waiting));
  if (!g_queue_is_empty (&bucket->waiting))
    grant (bucket->server, bucket);
  bucket_schedule (bucket->server, bucket);
  return G_SOURCE_REMOVE;
}

static void
bucket_schedule (QueueServer  *server,
                 ServerBucket *bucket)
{
  if (bucket->timer != NULL || g_queue_is_empty (&bucket->waiting))
    return;
  bucket->timer = g_timeout_source_new (0);
  g_source_set_ready_time (bucket->timer, MAX (bucket->next_allowed, g_get_monotonic_time ()));
  g_source_set_callback (bucket->timer, bucket_timer_cb, bucket, NULL);
  g_source_attach (bucket->timer, NULL);
}

static Waiting *
hold (QueueServer       *server,
      SoupServerMessage *msg,
      guint              shard)
{
  Waiting *waiting = g_new0 (Waiting, 1);

  waiting->server = server;
  waiting->msg = g_object_ref (msg);
  waiting->shard = shard;
  waiting->watch = g_socket_create_source (soup_server_message_get_socket (msg),
                                           G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (waiting->watch, G_SOURCE_FUNC (socket_ready_cb), waiting, NULL);
  g_source_attach (waiting->watch, NULL);
  soup_server_message_pause (msg);
  return waiting;
}

static void
server_cb (SoupServer        *soup,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           data)
{
  QueueServer *server = data;
  const char *shard_text = query != NULL ? g_hash_table_lookup (query, "shard") : NULL;
  guint shard = shard_text != NULL ? (guint) g_ascii_strtoull (shard_text, NULL, 10) : 0;
  ServerBucket *bucket = &server->buckets[shard % server->max_concurrency];

  server->received++;
  g_array_append_val (server->arrivals, shard);
  if (server->hold_next > 0)
    {
      server->hold_next--;
      g_ptr_array_add (server->held, hold (server, msg, shard));
      return;
    }
  if (server->fail_next > 0)
    {
      server->fail_next--;
      soup_server_message_set_status (msg, server->fail_status, NULL);
      return;
    }
  g_queue_push_tail (&bucket->waiting, hold (server, msg, shard));
  bucket_schedule (server, bucket);
}

/* Listens on 127.0.0.1 and a free port, on a socket of its own: reading
 * the port back through soup_server_get_uris() leaks in libsoup 3.2. */
static QueueServer *
queue_server_new (guint max_concurrency,
                  guint interval_ms)
{
  QueueServer *server = g_new0 (QueueServer, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  g_socket_bind (socket, address, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (socket, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);

  server->soup = soup_server_new (NULL, NULL);
  server->max_concurrency = max_concurrency;
  server->interval_ms = interval_ms;
  server->buckets = g_new0 (ServerBucket, max_concurrency);
  for (guint i = 0; i < max_concurrency; i++)
    server->buckets[i].server = server;
  server->arrivals = g_array_new (FALSE, FALSE, sizeof (guint));
  server->grants = g_array_new (FALSE, FALSE, sizeof (Grant));
  server->held = g_ptr_array_new_with_free_func ((GDestroyNotify) waiting_free);
  soup_server_add_handler (server->soup, NULL, server_cb, server, NULL);
  soup_server_listen_socket (server->soup, socket, 0, &error);
  g_assert_no_error (error);
  server->url = g_strdup_printf ("http://127.0.0.1:%u/",
                                 g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  return server;
}

static void
queue_server_free (QueueServer *server)
{
  for (guint i = 0; i < server->max_concurrency; i++)
    {
      ServerBucket *bucket = &server->buckets[i];

      if (bucket->timer != NULL)
        {
          g_source_destroy (bucket->timer);
          g_source_unref (bucket->timer);
        }
      g_queue_clear_full (&bucket->waiting, (GDestroyNotify) waiting_free);
    }
  soup_server_disconnect (server->soup);
  g_ptr_array_unref (server->held);
  g_object_unref (server->soup);
  /* Let the closed connections finish closing. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_free (server->buckets);
  g_array_unref (server->arrivals);
  g_array_unref (server->grants);
  g_free (server->url);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QueueServer, queue_server_free)

static gint64
grant_time (QueueServer *server,
            guint        i)
{
  return g_array_index (server->grants, Grant, i).time;
}

/* Requests from the test */

typedef struct {
  guint shard;
  gboolean done;
  gboolean granted;
  GError *error;
  gint64 time;
} Ask;

static void
ask_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      data)
{
  Ask *ask = data;

  ask->granted = dgateway_identify_queue_request_finish (DGATEWAY_IDENTIFY_QUEUE (source), result,
                                                         &ask->error);
  ask->time = g_get_monotonic_time ();
  ask->done = TRUE;
}

static void
ask (DGatewayHttpIdentifyQueue *queue,
     Ask                       *a,
     guint                      shard,
     GCancellable              *cancellable)
{
  a->shard = shard;
  dgateway_identify_queue_request_async (DGATEWAY_IDENTIFY_QUEUE (queue), shard, cancellable,
                                         ask_cb, a);
}

static void
ask_clear (Ask *a)
{
  g_clear_error (&a->error);
}

static DGatewayHttpIdentifyQueue *
fast_queue (QueueServer *server)
{
  return g_object_new (DGATEWAY_TYPE_HTTP_IDENTIFY_QUEUE,
                       "url", server->url,
                       "retry-delay-min", 20,
                       "retry-delay-max", 80,
                       NULL);
}

/* Tests */

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           guint      *count)
{
  (*count)++;
}

static void
test_properties (void)
{
  DGatewayHttpIdentifyQueue *queue = dgateway_http_identify_queue_new ("http://127.0.0.1:1/q");
  g_autoptr(SoupSession) own = soup_session_new ();
  g_autofree char *user_agent = NULL;
  g_autofree char *url = NULL;
  guint timeout = 0, notifies = 0;

  g_assert_true (DGATEWAY_IS_IDENTIFY_QUEUE (queue));
  g_assert_cmpstr (dgateway_http_identify_queue_get_url (queue), ==, "http://127.0.0.1:1/q");
  g_assert_cmpuint (dgateway_http_identify_queue_get_timeout (queue), ==, 60);
  g_object_get (queue, "timeout", &timeout, "url", &url, NULL);
  g_assert_cmpuint (timeout, ==, 60);
  g_assert_cmpstr (url, ==, "http://127.0.0.1:1/q");
  g_object_get (dgateway_http_identify_queue_get_soup_session (queue), "user-agent", &user_agent, NULL);
  g_assert_cmpstr (user_agent, ==, "DiscordBot (" PACKAGE_URL ", " PACKAGE_VERSION ")");

  g_signal_connect (queue, "notify", G_CALLBACK (notify_cb), &notifies);
  dgateway_http_identify_queue_set_timeout (queue, 5);
  dgateway_http_identify_queue_set_timeout (queue, 5);
  dgateway_http_identify_queue_set_retry_delay_min (queue, 10);
  dgateway_http_identify_queue_set_retry_delay_max (queue, 100);
  g_assert_cmpuint (notifies, ==, 3);
  g_assert_cmpuint (dgateway_http_identify_queue_get_timeout (queue), ==, 5);
  g_assert_cmpuint (dgateway_http_identify_queue_get_retry_delay_min (queue), ==, 10);
  g_assert_cmpuint (dgateway_http_identify_queue_get_retry_delay_max (queue), ==, 100);
  g_assert_finalize_object (queue);

  queue = g_object_new (DGATEWAY_TYPE_HTTP_IDENTIFY_QUEUE, "url", "http://q/", "soup-session", own, NULL);
  g_assert_true (dgateway_http_identify_queue_get_soup_session (queue) == own);
  g_assert_finalize_object (queue);
}

/* One bucket: granted in order of arrival, an interval apart, and each
 * request completes when the service answers it. */
static void
test_bucket_spacing (void)
{
  g_autoptr(QueueServer) server = queue_server_new (1, INTERVAL_MS);
  g_autoptr(DGatewayHttpIdentifyQueue) queue = fast_queue (server);
  Ask asks[3] = { { 0 } };

  for (guint i = 0; i < G_N_ELEMENTS (asks); i++)
    ask (queue, &asks[i], i, NULL);
  WAIT_UNTIL (asks[0].done && asks[1].done && asks[2].done, 5000);

  g_assert_cmpuint (server->grants->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      Grant *g = &g_array_index (server->grants, Grant, i);

      g_assert_no_error (asks[g->shard].error);
      g_assert_true (asks[g->shard].granted);
      g_assert_cmpuint (g->shard, ==, g_array_index (server->arrivals, guint, i));
      /* Not before the service said so: the spacing the service keeps
       * is the spacing the shards get. */
      g_assert_cmpint (asks[g->shard].time, >=, g->time);
      if (i > 0)
        g_assert_cmpint (g->time - grant_time (server, i - 1), >=, INTERVAL_MS * 1000);
    }
  for (guint i = 0; i < G_N_ELEMENTS (asks); i++)
    ask_clear (&asks[i]);
}

/* Two buckets go side by side: 4 shards with max_concurrency 2 take two
 * intervals, not four. */
static void
test_parallel_buckets (void)
{
  g_autoptr(QueueServer) server = queue_server_new (2, INTERVAL_MS);
  g_autoptr(DGatewayHttpIdentifyQueue) queue = fast_queue (server);
  Ask asks[4] = { { 0 } };
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < G_N_ELEMENTS (asks); i++)
    ask (queue, &asks[i], i, NULL);
  WAIT_UNTIL (asks[0].done && asks[1].done && asks[2].done && asks[3].done, 5000);

  for (guint i = 0; i < G_N_ELEMENTS (asks); i++)
    {
      g_assert_no_error (asks[i].error);
      ask_clear (&asks[i]);
    }
  /* Shards 0 and 1 at once, then 2 and 3 one interval later. */
  g_assert_cmpint (MAX (asks[0].time, asks[1].time) - start, <, INTERVAL_MS * 1000);
  g_assert_cmpint (MIN (asks[2].time, asks[3].time) - MAX (asks[0].time, asks[1].time), >=,
                   (INTERVAL_MS - TEST_SLACK_MS (30, 150)) * 1000);
  g_assert_cmpint (MAX (asks[2].time, asks[3].time) - start, <,
                   (2 * INTERVAL_MS + TEST_SLACK_MS (150, 1500)) * 1000);
}

/* The service never answers the first request: after the timeout the
 * queue asks again, and the service drops the first one. */
static void
test_retry_after_timeout (void)
{
  g_autoptr(QueueServer) server = queue_server_new (1, INTERVAL_MS);
  g_autoptr(DGatewayHttpIdentifyQueue) queue = fast_queue (server);
  Ask a = { 0 };
  gint64 start = g_get_monotonic_time ();

  server->hold_next = 1;
  dgateway_http_identify_queue_set_timeout (queue, 1);
  ask (queue, &a, 3, NULL);
  WAIT_UNTIL (a.done, 5000);

  g_assert_no_error (a.error);
  g_assert_true (a.granted);
  g_assert_cmpint (a.time - start, >=, 1000 * 1000);
  g_assert_cmpuint (server->received, ==, 2);
  g_assert_cmpuint (g_array_index (server->arrivals, guint, 1), ==, 3);
  WAIT_UNTIL (server->dropped == 1, 2000);
}

/* A 503 is asked again after a short backoff. */
static void
test_retry_after_503 (void)
{
  g_autoptr(QueueServer) server = queue_server_new (1, INTERVAL_MS);
  g_autoptr(DGatewayHttpIdentifyQueue) queue = fast_queue (server);
  Ask a = { 0 };

  server->fail_next = 2;
  server->fail_status = SOUP_STATUS_SERVICE_UNAVAILABLE;
  ask (queue, &a, 0, NULL);
  WAIT_UNTIL (a.done, 5000);

  g_assert_no_error (a.error);
  g_assert_true (a.granted);
  g_assert_cmpuint (server->received, ==, 3);
  g_assert_cmpuint (server->grants->len, ==, 1);
}

/* A service that keeps failing makes the request fail after a bounded
 * number of retries, with a message that shows no query or user info. */
static void
test_give_up (void)
{
  g_autoptr(QueueServer) server = queue_server_new (1, INTERVAL_MS);
  g_autofree char *url = g_strconcat (server->url, "?key=s3cr3t", NULL);
  g_autoptr(DGatewayHttpIdentifyQueue) queue = g_object_new (DGATEWAY_TYPE_HTTP_IDENTIFY_QUEUE,
                                                             "url", url,
                                                             "retry-delay-min", 10,
                                                             "retry-delay-max", 20,
                                                             NULL);
  Ask a = { 0 };

  server->fail_next = 100;
  server->fail_status = SOUP_STATUS_BAD_GATEWAY;
  ask (queue, &a, 0, NULL);
  WAIT_UNTIL (a.done, 5000);

  g_assert_error (a.error, DGATEWAY_ERROR, DGATEWAY_ERROR_CONNECTION);
  g_assert_nonnull (strstr (a.error->message, "502"));
  g_assert_null (strstr (a.error->message, "s3cr3t"));
  g_assert_cmpuint (server->received, ==, 6);
  ask_clear (&a);
}

/* A service that is not there: the same, connection errors included. */
static void
test_connection_refused (void)
{
  g_autoptr(QueueServer) server = queue_server_new (1, INTERVAL_MS);
  g_autofree char *url = g_strdup (server->url);
  g_autoptr(DGatewayHttpIdentifyQueue) queue = NULL;
  Ask a = { 0 };

  g_clear_pointer (&server, queue_server_free);
  queue = g_object_new (DGATEWAY_TYPE_HTTP_IDENTIFY_QUEUE, "url", url,
                        "retry-delay-min", 10, "retry-delay-max", 20, NULL);
  ask (queue, &a, 0, NULL);
  WAIT_UNTIL (a.done, 5000);

  g_assert_error (a.error, DGATEWAY_ERROR, DGATEWAY_ERROR_CONNECTION);
  ask_clear (&a);
}

/* A 4xx says the request is wrong: no retry. */
static void
test_client_error (void)
{
  g_autoptr(QueueServer) server = queue_server_new (1, INTERVAL_MS);
  g_autoptr(DGatewayHttpIdentifyQueue) queue = fast_queue (server);
  Ask a = { 0 };

  server->fail_next = 1;
  server->fail_status = SOUP_STATUS_NOT_FOUND;
  ask (queue, &a, 7, NULL);
  WAIT_UNTIL (a.done, 5000);

  g_assert_error (a.error, DGATEWAY_ERROR, DGATEWAY_ERROR_CONNECTION);
  g_assert_nonnull (strstr (a.error->message, "404"));
  g_assert_false (a.granted);
  test_run_for (100);
  g_assert_cmpuint (server->received, ==, 1);
  ask_clear (&a);
}

static void
test_invalid_url (void)
{
  g_autoptr(DGatewayHttpIdentifyQueue) queue = dgateway_http_identify_queue_new ("ftp://example.com/");
  Ask a = { 0 };

  ask (queue, &a, 0, NULL);
  WAIT_UNTIL (a.done, 1000);
  g_assert_error (a.error, DGATEWAY_ERROR, DGATEWAY_ERROR_CONNECTION);
  ask_clear (&a);
}

/* Cancelling a request the service holds completes it at once, drops its
 * connection (so the service drops it too) and keeps nothing alive. */
static void
test_cancel_waiting (void)
{
  g_autoptr(QueueServer) server = queue_server_new (1, 60 * 1000);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  DGatewayHttpIdentifyQueue *queue = fast_queue (server);
  Ask first = { 0 }, second = { 0 };
  gint64 cancelled_at;

  ask (queue, &first, 0, NULL);
  WAIT_UNTIL (first.done, 2000);
  ask (queue, &second, 1, cancellable);
  WAIT_UNTIL (server->received == 2, 2000);

  g_object_add_weak_pointer (G_OBJECT (queue), (gpointer *) &queue);
  g_object_unref (queue);
  g_assert_nonnull (queue);              /* the waiting request holds it */
  cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  WAIT_UNTIL (second.done, 1000);
  g_assert_error (second.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (second.time - cancelled_at, <, TEST_SLACK_MS (100, 1000) * 1000);
  g_assert_null (queue);
  WAIT_UNTIL (server->dropped == 1, 2000);
  ask_clear (&second);
}

/* Cancelling during the backoff after a failure. */
static void
test_cancel_backoff (void)
{
  g_autoptr(QueueServer) server = queue_server_new (1, INTERVAL_MS);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  DGatewayHttpIdentifyQueue *queue = g_object_new (DGATEWAY_TYPE_HTTP_IDENTIFY_QUEUE,
                                                   "url", server->url,
                                                   "retry-delay-min", 60 * 1000,
                                                   NULL);
  Ask a = { 0 };

  server->fail_next = 1;
  server->fail_status = SOUP_STATUS_SERVICE_UNAVAILABLE;
  ask (queue, &a, 0, cancellable);
  WAIT_UNTIL (server->received == 1, 2000);
  test_run_for (50);
  g_object_add_weak_pointer (G_OBJECT (queue), (gpointer *) &queue);
  g_object_unref (queue);
  g_cancellable_cancel (cancellable);
  WAIT_UNTIL (a.done, 1000);
  g_assert_error (a.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (queue);
  ask_clear (&a);
}

/* A request cancelled before it starts never reaches the service. */
static void
test_cancel_before (void)
{
  g_autoptr(QueueServer) server = queue_server_new (1, INTERVAL_MS);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(DGatewayHttpIdentifyQueue) queue = fast_queue (server);
  Ask a = { 0 };

  g_cancellable_cancel (cancellable);
  ask (queue, &a, 0, cancellable);
  g_assert_false (a.done);               /* never from inside the call */
  WAIT_UNTIL (a.done, 1000);
  g_assert_error (a.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  test_run_for (50);
  g_assert_cmpuint (server->received, ==, 0);
  ask_clear (&a);
}

/* The application drops the queue while shards wait: they still get their
 * turns, and the queue goes once the last has. */
static void
test_finalize_while_waiting (void)
{
  g_autoptr(QueueServer) server = queue_server_new (1, INTERVAL_MS);
  DGatewayHttpIdentifyQueue *queue = fast_queue (server);
  Ask asks[2] = { { 0 } };

  ask (queue, &asks[0], 0, NULL);
  ask (queue, &asks[1], 1, NULL);
  g_object_add_weak_pointer (G_OBJECT (queue), (gpointer *) &queue);
  g_object_unref (queue);
  g_assert_nonnull (queue);
  WAIT_UNTIL (asks[0].done && asks[1].done, 5000);
  g_assert_no_error (asks[0].error);
  g_assert_no_error (asks[1].error);
  g_assert_null (queue);
}

/* Requests made on a thread with a context of its own complete there,
 * retries included. */
typedef struct {
  char *url;
  gboolean done;
  gboolean ok;
  GThread *callback_thread;
} ThreadRun;

static gpointer
thread_main (gpointer data)
{
  ThreadRun *run = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(DGatewayHttpIdentifyQueue) queue = NULL;
  Ask a = { 0 };

  g_main_context_push_thread_default (context);
  queue = g_object_new (DGATEWAY_TYPE_HTTP_IDENTIFY_QUEUE, "url", run->url,
                        "retry-delay-min", 20, "retry-delay-max", 40, NULL);
  ask (queue, &a, 0, NULL);
  while (!a.done)
    g_main_context_iteration (context, TRUE);
  run->ok = a.granted && a.error == NULL;
  ask_clear (&a);
  g_clear_object (&queue);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);
  g_atomic_int_set (&run->done, TRUE);
  g_main_context_wakeup (NULL);
  return NULL;
}

static void
test_thread_context (void)
{
  g_autoptr(QueueServer) server = queue_server_new (1, INTERVAL_MS);
  ThreadRun run = { server->url, FALSE, FALSE, NULL };
  GThread *thread;

  server->fail_next = 1;
  server->fail_status = SOUP_STATUS_SERVICE_UNAVAILABLE;
  thread = g_thread_new ("queue-test", thread_main, &run);
  WAIT_UNTIL (g_atomic_int_get (&run.done), 5000);
  g_thread_join (thread);
  g_assert_true (run.ok);
  g_assert_cmpuint (server->received, ==, 2);
}

/* Two processes, one queue */

static GSubprocess *
spawn_mock (char **url)
{
  g_autoptr(GError) error = NULL;
  GSubprocess *mock = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                        &error, MOCK_GATEWAY_PATH, "--log-frames",
                                        "--exit-on-stdin-eof", NULL);
  g_autoptr(GDataInputStream) out = NULL;

  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (mock));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (out), FALSE);
  *url = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (*url, "ws://"));
  return mock;
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_check_finish (G_SUBPROCESS (source), result, &error))
    g_error ("A client process failed: %s", error->message);
  (*(guint *) data)++;
}

static GSubprocess *
spawn_client (const char *gateway_url,
              const char *queue_url,
              const char *first,
              const char *last)
{
  g_autoptr(GError) error = NULL;
  GSubprocess *client = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
                                          IDENTIFY_QUEUE_CLIENT_PATH,
                                          "--gateway-url", gateway_url, "--queue-url", queue_url,
                                          "--shard-count", "4", "--first", first, "--last", last,
                                          NULL);

  g_assert_no_error (error);
  return client;
}

/* The IDENTIFY times the mock printed, in order, and their shards. */
static GArray *
read_identifies (GSubprocess *mock)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  GArray *identifies = g_array_new (FALSE, FALSE, sizeof (Grant));

  g_subprocess_communicate_utf8 (mock, "", NULL, &out, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      int op;
      gint64 time, shard;

      if (sscanf (lines[i], "%d %" G_GINT64_FORMAT " %" G_GINT64_FORMAT, &op, &time, &shard) == 3 &&
          op == 2)
        {
          Grant g = { (guint) shard, time };

          g_array_append_val (identifies, g);
        }
    }
  return identifies;
}

static void
test_two_processes (void)
{
  g_autoptr(QueueServer) server = queue_server_new (1, INTERVAL_MS);
  g_autofree char *gateway_url = NULL;
  g_autoptr(GSubprocess) mock = spawn_mock (&gateway_url);
  g_autoptr(GSubprocess) a = spawn_client (gateway_url, server->url, "0", "1");
  g_autoptr(GSubprocess) b = spawn_client (gateway_url, server->url, "2", "3");
  g_autoptr(GArray) identifies = NULL;
  guint exited = 0, seen = 0;

  g_subprocess_wait_check_async (a, NULL, wait_cb, &exited);
  g_subprocess_wait_check_async (b, NULL, wait_cb, &exited);
  WAIT_UNTIL (exited == 2, 20000);

  identifies = read_identifies (mock);
  g_assert_cmpuint (identifies->len, ==, 4);
  for (guint i = 0; i < identifies->len; i++)
    {
      Grant *g = &g_array_index (identifies, Grant, i);

      g_test_message ("IDENTIFY of shard %u at +%" G_GINT64_FORMAT " ms", g->shard,
                      (g->time - g_array_index (identifies, Grant, 0).time) / 1000);
      g_assert_cmpuint (g->shard, <, 4);
      seen |= 1u << g->shard;
      /* What Discord would see: one IDENTIFY per interval for the bot,
       * whichever process sent it. The slack is for the time from the
       * service's answer to the IDENTIFY reaching the gateway, which a
       * loaded machine stretches by tens of milliseconds; without a shared
       * queue the gap is a few milliseconds. */
      if (i > 0)
        g_assert_cmpint (g->time - (g - 1)->time, >=, (INTERVAL_MS - TEST_SLACK_MS (150, 250)) * 1000);
    }
  g_assert_cmpint (g_array_index (identifies, Grant, 3).time - g_array_index (identifies, Grant, 0).time,
                   >=, (3 * INTERVAL_MS - TEST_SLACK_MS (100, 200)) * 1000);
  g_assert_cmpuint (seen, ==, 0xf);
  g_assert_cmpuint (server->grants->len, ==, 4);
}

int
main (int    argc,
      char **argv)
{
  test_init (&argc, &argv);

  g_test_add_func ("/dgateway/http-queue/properties", test_properties);
  g_test_add_func ("/dgateway/http-queue/bucket-spacing", test_bucket_spacing);
  g_test_add_func ("/dgateway/http-queue/parallel-buckets", test_parallel_buckets);
  g_test_add_func ("/dgateway/http-queue/retry-after-timeout", test_retry_after_timeout);
  g_test_add_func ("/dgateway/http-queue/retry-after-503", test_retry_after_503);
  g_test_add_func ("/dgateway/http-queue/give-up", test_give_up);
  g_test_add_func ("/dgateway/http-queue/connection-refused", test_connection_refused);
  g_test_add_func ("/dgateway/http-queue/client-error", test_client_error);
  g_test_add_func ("/dgateway/http-queue/invalid-url", test_invalid_url);
  g_test_add_func ("/dgateway/http-queue/cancel-waiting", test_cancel_waiting);
  g_test_add_func ("/dgateway/http-queue/cancel-backoff", test_cancel_backoff);
  g_test_add_func ("/dgateway/http-queue/cancel-before", test_cancel_before);
  g_test_add_func ("/dgateway/http-queue/finalize-while-waiting", test_finalize_while_waiting);
  g_test_add_func ("/dgateway/http-queue/thread-context", test_thread_context);
  g_test_add_func ("/dgateway/http-queue/two-processes", test_two_processes);

  return g_test_run ();
}
