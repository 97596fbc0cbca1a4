/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "test-utils.h"

#include <stdlib.h>
#include <string.h>

static gboolean saw_token;

gboolean
test_flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

void
test_run_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, test_flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
vanished_peer_warning (const GLogField *fields,
                       gsize            n_fields)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (fields[i].length < 0 && g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
      domain = fields[i].value;
    else if (fields[i].length < 0 && g_strcmp0 (fields[i].key, "MESSAGE") == 0)
      message = fields[i].value;
  return g_strcmp0 (domain, "libsoup") == 0 && message != NULL &&
         strstr (message, "could not get remote address") != NULL;
}

/* Sees every log line, debug ones included, so a test can prove the token
 * never reaches a log. */
static GLogWriterOutput
token_watch_writer (GLogLevelFlags   log_level,
                    const GLogField *fields,
                    gsize            n_fields,
                    gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "MESSAGE") != 0)
        continue;
      if (fields[i].length < 0 && strstr (fields[i].value, TEST_TOKEN) != NULL)
        saw_token = TRUE;
    }

  if (log_level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO))
    return G_LOG_WRITER_HANDLED;

  /* Warnings are fatal, as g_test_init() makes them, but for one. The mock
   * gateway is a SoupServer in the test's process: when a client drops a
   * connection the server accepted but has not looked at yet (a close
   * while connecting, which the I/O thread makes quick), libsoup warns
   * that it could not get the peer's address. The peer is gone, which is
   * what the test did. (Expected messages never reach a writer.) */
  if (log_level & G_LOG_LEVEL_WARNING)
    {
      if (vanished_peer_warning (fields, n_fields))
        return G_LOG_WRITER_HANDLED;
      g_log_writer_default (log_level | G_LOG_FLAG_FATAL, fields, n_fields, user_data);
      abort ();
    }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

gboolean
test_log_saw_token (void)
{
  return saw_token;
}

void
test_init (int    *argc,
           char ***argv)
{
  g_test_init (argc, argv, NULL);
  /* token_watch_writer() makes warnings fatal itself, all but one. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_log_set_writer_func (token_watch_writer, NULL, NULL);
}

/* The fixture of the gateway tests: a mock gateway and a client of it,
 * recording what the application sees. */

gboolean
fixture_dispatch_cb (DGatewayClient *client,
             DGatewayEvent  *event,
             Fixture        *f)
{
  /* Recorded as they come, their name, sequence and shard stay readable;
   * a test that reads their payload afterwards keeps them, as an
   * application must. */
  g_ptr_array_add (f->events, f->keep_events ? dgateway_event_keep (event) : g_object_ref (event));
  return FALSE;
}

static void
connection_lost_cb (DGatewayClient *client,
                    DGatewayShard  *shard,
                    const GError   *error,
                    Fixture        *f)
{
  gint64 now = g_get_monotonic_time ();

  g_assert_true (DGATEWAY_IS_SHARD (shard));
  g_assert_nonnull (error);
  g_assert_null (strstr (error->message, TEST_TOKEN));
  g_ptr_array_add (f->errors, g_error_copy (error));
  g_array_append_val (f->lost_times, now);
}

static void
reconnected_cb (DGatewayClient *client,
                DGatewayShard  *shard,
                gboolean        resumed,
                Fixture        *f)
{
  f->reconnected++;
  if (resumed)
    f->resumed++;
}

static void
state_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 Fixture    *f)
{
  f->state_notifies++;
}

void
fixture_connect_signals (Fixture *f)
{
  g_signal_connect (f->client, "dispatch", G_CALLBACK (fixture_dispatch_cb), f);
  g_signal_connect (f->client, "connection-lost", G_CALLBACK (connection_lost_cb), f);
  g_signal_connect (f->client, "reconnected", G_CALLBACK (reconnected_cb), f);
  g_signal_connect (f->client, "notify::state", G_CALLBACK (state_notify_cb), f);
}

/* A client of the fixture's mock, with timings a test can afford. */
/* The encoding the tests run in: DGATEWAY_TEST_ENCODING=etf runs them
 * over ETF (tests/meson.build registers the -etf runs). */
DGatewayEncoding
test_encoding (void)
{
  const char *name = g_getenv ("DGATEWAY_TEST_ENCODING");

  if (name == NULL || *name == '\0' || g_str_equal (name, "json"))
    return DGATEWAY_ENCODING_JSON;
  if (g_str_equal (name, "etf"))
    return DGATEWAY_ENCODING_ETF;
  g_error ("DGATEWAY_TEST_ENCODING is %s; it may be json or etf", name);
}

/* Where the sockets run: DGATEWAY_TEST_IO_THREAD=0 keeps them on the
 * test's main context (tests/meson.build registers the -inline runs). */
gboolean
test_io_thread (void)
{
  const char *value = g_getenv ("DGATEWAY_TEST_IO_THREAD");

  return value == NULL || *value == '\0' || !g_str_equal (value, "0");
}

void
fixture_new_client (Fixture             *f,
                    DGatewayCompression  compression)
{
  g_autoptr(DGatewayLocalIdentifyQueue) queue = dgateway_local_identify_queue_new (1);
  DGatewayShardSettings *settings;

  f->client = dgateway_client_new (TEST_TOKEN, INTENTS);
  g_object_set (f->client,
                "gateway-url", dgateway_mock_gateway_get_url (f->mock),
                "compression", compression,
                "encoding", test_encoding (),
                "io-thread", test_io_thread (),
                "reconnect-delay-min", DELAY_MIN,
                "reconnect-delay-max", DELAY_MAX,
                NULL);
  settings = dgateway_client_get_settings (f->client);
  settings->hello_timeout = 500;
  settings->invalid_session_min = 100;
  settings->invalid_session_max = 300;
  /* Re-identifies wait for the identify queue: Discord's 5 s is too slow
   * for most tests (test-shards keeps one at the real interval). */
  dgateway_local_identify_queue_set_interval (queue, 0);
  dgateway_client_set_identify_queue (f->client, DGATEWAY_IDENTIFY_QUEUE (queue));
  f->connect_done = FALSE;
  g_clear_error (&f->connect_error);
  fixture_connect_signals (f);
}

void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->mock = dgateway_mock_gateway_new (NULL);
  dgateway_mock_gateway_set_token (f->mock, TEST_TOKEN);
  dgateway_mock_gateway_set_heartbeat_interval (f->mock, 1000);

  f->events = g_ptr_array_new_with_free_func (g_object_unref);
  f->errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  f->lost_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  fixture_new_client (f, GPOINTER_TO_INT (data));
}

void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  /* A test may have dropped the client itself. */
  if (f->client != NULL)
    {
      dgateway_client_close (f->client);
      /* Let the close handshakes finish so nothing is left for valgrind. */
      test_run_for (50);
      g_assert_finalize_object (f->client);
    }
  g_clear_object (&f->mock);
  g_ptr_array_unref (f->events);
  g_ptr_array_unref (f->errors);
  g_array_unref (f->lost_times);
  g_clear_error (&f->connect_error);
  g_assert_false (test_log_saw_token ());
}

void
connect_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Fixture *f = data;

  dgateway_client_connect_finish (DGATEWAY_CLIENT (source), result, &f->connect_error);
  f->connect_done = TRUE;
}

void
connect_client (Fixture *f)
{
  dgateway_client_connect_async (f->client, NULL, connect_cb, f);
  WAIT_UNTIL (f->connect_done, 5000);
  g_assert_no_error (f->connect_error);
  g_assert_cmpint (dgateway_client_get_state (f->client), ==, DGATEWAY_STATE_CONNECTED);
}

guint
count_events (Fixture    *f,
              const char *name)
{
  guint n = 0;

  for (guint i = 0; i < f->events->len; i++)
    if (g_strcmp0 (dgateway_event_get_name (f->events->pdata[i]), name) == 0)
      n++;
  return n;
}

DGatewayMockFrame *
nth_frame (Fixture *f,
           int      op,
           guint    n)
{
  GPtrArray *frames = dgateway_mock_gateway_get_frames (f->mock);

  for (guint i = 0; i < frames->len; i++)
    {
      DGatewayMockFrame *frame = frames->pdata[i];

      if (frame->op == op && n-- == 0)
        return frame;
    }
  return NULL;
}


/* A port of 127.0.0.1 where nothing listens: connections are refused at
 * once. */
guint
test_closed_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, address, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* The sequence number of the last RESUME @mock received. */
gint64
test_resume_seq (DGatewayMockGateway *mock)
{
  DGatewayMockFrame *resume = dgateway_mock_gateway_get_last_frame (mock, 6);

  g_assert_nonnull (resume);
  return json_node_get_int (json_object_get_member (json_node_get_object (resume->d), "seq"));
}

/* Drops the connection and leaves the client's RESUME unanswered: the
 * client is RESUMING until the test answers for the gateway (frames are
 * recorded, not answered, until dgateway_mock_gateway_set_ignore_frames()
 * says otherwise). */
void
fixture_hold_in_resume (Fixture *f)
{
  guint resumes = dgateway_mock_gateway_count_frames (f->mock, 6);

  dgateway_mock_gateway_set_ignore_frames (f->mock, TRUE);
  dgateway_mock_gateway_drop (f->mock);
  WAIT_UNTIL (dgateway_mock_gateway_count_frames (f->mock, 6) == resumes + 1, 3000);
}
