/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The whole life of one shard, against the mock gateway: every assertion is
 * about what went over the wire, when, and what the application saw. */

#include "config.h"

#include "test-utils.h"

#include <string.h>

static const char *
member_string (JsonNode   *node,
               const char *key)
{
  return json_object_get_string_member (json_node_get_object (node), key);
}

/* Connecting and identifying */

static void
test_identify (Fixture       *f,
               gconstpointer  data)
{
  DGatewayMockFrame *identify;
  JsonObject *d, *properties;

  connect_client (f);

  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 2), ==, 1);
  identify = dgateway_mock_gateway_get_last_frame (f->mock, 2);
  d = json_node_get_object (identify->d);
  g_assert_cmpstr (json_object_get_string_member (d, "token"), ==, TEST_TOKEN);
  g_assert_cmpint (json_object_get_int_member (d, "intents"), ==, INTENTS);
  g_assert_cmpint (json_object_get_int_member (d, "large_threshold"), ==, 50);
  g_assert_false (json_object_get_boolean_member (d, "compress"));
  g_assert_false (json_object_has_member (d, "shard"));
  properties = json_object_get_object_member (d, "properties");
  g_assert_cmpstr (json_object_get_string_member (properties, "os"), ==, "linux");
  g_assert_cmpstr (json_object_get_string_member (properties, "browser"), ==, "libdgateway");
  g_assert_cmpstr (json_object_get_string_member (properties, "device"), ==, "libdgateway");

  /* The -etf run must really be one. */
  g_assert_cmpstr (dgateway_mock_gateway_get_connection_query (f->mock, 1), ==,
                   test_encoding () == DGATEWAY_ENCODING_ETF ? "v=10&encoding=etf"
                                                             : "v=10&encoding=json");
  g_assert_true (g_str_has_prefix (dgateway_mock_gateway_get_last_user_agent (f->mock), "DiscordBot ("));
  g_assert_cmpstr (dgateway_client_get_session_id (f->client), ==,
                   dgateway_mock_gateway_get_session_id (f->mock));
  g_assert_cmpuint (count_events (f, "READY"), ==, 1);
  g_assert_cmpint (dgateway_client_get_sequence (f->client), ==, 1);
  g_assert_cmpuint (f->errors->len, ==, 0);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static void
test_identify_shard_and_presence (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(DGatewayPresence) presence = dgateway_presence_new (DGATEWAY_STATUS_IDLE);
  g_autoptr(DGatewayPresence) bound = NULL;
  JsonObject *d, *sent;
  JsonArray *shard;
  guint notifies = 0;

  g_signal_connect (f->client, "notify::presence", G_CALLBACK (count_notify_cb), &notifies);
  dgateway_presence_add_activity (presence, DGATEWAY_ACTIVITY_TYPE_CUSTOM, "Custom Status",
                                  "building", NULL);
  dgateway_client_set_shard_count (f->client, 1);
  dgateway_client_set_presence (f->client, presence);
  g_assert_true (dgateway_client_get_presence (f->client) == presence);
  g_object_get (f->client, "presence", &bound, NULL);
  g_assert_true (bound == presence);
  g_assert_cmpuint (notifies, ==, 1);
  /* Taken as it was set: a later change waits for the next set. */
  dgateway_presence_set_status (presence, DGATEWAY_STATUS_DND);
  dgateway_client_set_large_threshold (f->client, 150);
  connect_client (f);

  d = json_node_get_object (dgateway_mock_gateway_get_last_frame (f->mock, 2)->d);
  shard = json_object_get_array_member (d, "shard");
  g_assert_cmpuint (json_array_get_length (shard), ==, 2);
  g_assert_cmpint (json_array_get_int_element (shard, 0), ==, 0);
  g_assert_cmpint (json_array_get_int_element (shard, 1), ==, 1);
  g_assert_cmpint (json_object_get_int_member (d, "large_threshold"), ==, 150);
  sent = json_object_get_object_member (d, "presence");
  g_assert_cmpstr (json_object_get_string_member (sent, "status"), ==, "idle");
  g_assert_true (json_object_get_null_member (sent, "since"));
  g_assert_false (json_object_get_boolean_member (sent, "afk"));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_object_get_array_member (sent, "activities"), 0),
                                                  "state"), ==, "building");
}

static void
test_discovery (Fixture       *f,
                gconstpointer  data)
{
  dgateway_client_set_gateway_url (f->client, NULL);
  dgateway_client_set_api_url (f->client, dgateway_mock_gateway_get_api_url (f->mock));
  connect_client (f);

  g_assert_cmpuint (dgateway_mock_gateway_get_n_gateway_bot_requests (f->mock), ==, 1);
  g_assert_cmpuint (dgateway_mock_gateway_get_n_connections (f->mock), ==, 1);
}

static void
test_discovery_unauthorized (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(DGatewayClient) client = dgateway_client_new ("wrong-token", INTENTS);
  Fixture *g = f;

  g_signal_handlers_disconnect_by_data (f->client, f);
  dgateway_client_set_api_url (client, dgateway_mock_gateway_get_api_url (f->mock));
  dgateway_client_connect_async (client, NULL, connect_cb, g);
  WAIT_UNTIL (g->connect_done, 5000);
  g_assert_error (g->connect_error, DGATEWAY_ERROR, DGATEWAY_ERROR_AUTHENTICATION_FAILED);
  g_assert_cmpint (dgateway_client_get_state (client), ==, DGATEWAY_STATE_FAILED);
  g_assert_cmpuint (dgateway_mock_gateway_get_n_connections (f->mock), ==, 0);
}

/* Heartbeats */

static void
test_heartbeat_jitter (Fixture       *f,
                       gconstpointer  data)
{
  DGatewayClient *clients[4];
  gint64 delays[4];
  gint64 spread_min = G_MAXINT64, spread_max = 0;

  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      clients[i] = dgateway_client_new (TEST_TOKEN, INTENTS);
      g_object_set (clients[i], "gateway-url", dgateway_mock_gateway_get_url (f->mock),
                    "compression", DGATEWAY_COMPRESSION_NONE, NULL);
      dgateway_client_connect_async (clients[i], NULL, NULL, NULL);
    }

  WAIT_UNTIL (dgateway_mock_gateway_count_frames (f->mock, 1) >= 4 &&
              dgateway_mock_gateway_get_n_connections (f->mock) == 4, 5000);

  for (guint c = 1; c <= 4; c++)
    {
      GPtrArray *frames = dgateway_mock_gateway_get_frames (f->mock);
      DGatewayMockFrame *first = NULL;

      WAIT_UNTIL (({ first = NULL;
                     for (guint i = 0; i < frames->len && !first; i++)
                       if (((DGatewayMockFrame *) frames->pdata[i])->connection == c &&
                           ((DGatewayMockFrame *) frames->pdata[i])->op == 1)
                         first = frames->pdata[i];
                     first != NULL; }), 3000);
      delays[c - 1] = first->time - dgateway_mock_gateway_get_connection_opened (f->mock, c);
      /* The first beat comes within one interval (1 s), plus scheduling slack. */
      g_assert_cmpint (delays[c - 1], <=, (1000 + TEST_SLACK_MS (150, 400)) * 1000);
      spread_min = MIN (spread_min, delays[c - 1]);
      spread_max = MAX (spread_max, delays[c - 1]);
    }

  /* Four uniform draws over one second landing within 20 ms of each other
   * would mean there is no jitter. */
  g_assert_cmpint (spread_max - spread_min, >, 20 * 1000);

  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      dgateway_client_close (clients[i]);
      g_object_unref (clients[i]);
    }
}

static void
test_heartbeat_interval (Fixture       *f,
                         gconstpointer  data)
{
  DGatewayMockFrame *previous = NULL;
  gint64 seq;

  dgateway_mock_gateway_set_heartbeat_interval (f->mock, 200);
  connect_client (f);
  dgateway_mock_gateway_send_messages (f->mock, 3);
  seq = dgateway_mock_gateway_get_sequence (f->mock);
  WAIT_UNTIL (dgateway_client_get_sequence (f->client) == seq, 2000);
  WAIT_UNTIL (dgateway_mock_gateway_count_frames (f->mock, 1) >= 6, 3000);

  for (guint i = 1; i < 6; i++)
    {
      DGatewayMockFrame *beat = nth_frame (f, 1, i);

      previous = nth_frame (f, 1, i - 1);
      /* Every 200 ms: never early, late only by scheduling slack. */
      g_assert_cmpint (beat->time - previous->time, >=, (200 - TEST_SLACK_MS (20, 60)) * 1000);
      g_assert_cmpint (beat->time - previous->time, <=, TEST_SLACK_MS (350, 600) * 1000);
    }

  /* Each beat carries the last sequence number received. */
  g_assert_cmpint (json_node_get_int (nth_frame (f, 1, 5)->d), ==, seq);
  g_assert_cmpint (dgateway_client_get_latency (f->client), >=, 0);
  g_assert_cmpuint (f->errors->len, ==, 0);
}

static void
test_heartbeat_request (Fixture       *f,
                        gconstpointer  data)
{
  gint64 asked;
  DGatewayMockFrame *beat;

  dgateway_mock_gateway_set_heartbeat_interval (f->mock, 30000);
  connect_client (f);
  test_run_for (50);
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 1), ==, 0);

  asked = g_get_monotonic_time ();
  dgateway_mock_gateway_send_op (f->mock, 1, NULL);
  WAIT_UNTIL (dgateway_mock_gateway_count_frames (f->mock, 1) == 1, 1000);
  beat = dgateway_mock_gateway_get_last_frame (f->mock, 1);
  g_assert_cmpint (beat->time - asked, <, 500 * 1000);
  g_assert_cmpint (json_node_get_int (beat->d), ==, 1);
}

static void
latency_notify_cb (GObject    *object,
                   GParamSpec *pspec,
                   guint      *count)
{
  (*count)++;
}

static void
test_latency (Fixture       *f,
              gconstpointer  data)
{
  guint notifies = 0;

  dgateway_mock_gateway_set_heartbeat_interval (f->mock, 100);
  g_signal_connect (f->client, "notify::latency", G_CALLBACK (latency_notify_cb), &notifies);
  g_assert_cmpint (dgateway_client_get_latency (f->client), ==, -1);
  connect_client (f);
  WAIT_UNTIL (dgateway_client_get_latency (f->client) >= 0, 2000);
  g_assert_cmpuint (notifies, >=, 1);
  /* A loopback round trip: well under the interval. */
  g_assert_cmpint (dgateway_client_get_latency (f->client), <, 100 * 1000);
}

/* Losing the connection and resuming */

static void
assert_resumed_on_resume_url (Fixture *f,
                              guint    connection,
                              gint64   expected_seq)
{
  DGatewayMockFrame *resume;
  JsonObject *d;

  WAIT_UNTIL (f->resumed >= 1, 5000);
  g_assert_cmpuint (dgateway_mock_gateway_get_n_connections (f->mock), ==, connection);
  g_assert_true (dgateway_mock_gateway_connection_on_resume_path (f->mock, connection));
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 2), ==, 1);
  resume = dgateway_mock_gateway_get_last_frame (f->mock, 6);
  g_assert_nonnull (resume);
  g_assert_cmpuint (resume->connection, ==, connection);
  d = json_node_get_object (resume->d);
  g_assert_cmpstr (json_object_get_string_member (d, "token"), ==, TEST_TOKEN);
  g_assert_cmpstr (json_object_get_string_member (d, "session_id"), ==,
                   dgateway_client_get_session_id (f->client));
  g_assert_cmpint (json_object_get_int_member (d, "seq"), ==, expected_seq);
  g_assert_cmpint (dgateway_client_get_state (f->client), ==, DGATEWAY_STATE_CONNECTED);
}

static void
test_zombie (Fixture       *f,
             gconstpointer  data)
{
  GError *error;

  dgateway_mock_gateway_set_heartbeat_interval (f->mock, 200);
  connect_client (f);
  dgateway_mock_gateway_send_messages (f->mock, 2);
  WAIT_UNTIL (dgateway_client_get_sequence (f->client) == 3, 2000);

  dgateway_mock_gateway_set_ack_heartbeats (f->mock, FALSE);
  WAIT_UNTIL (f->errors->len == 1, 3000);
  error = f->errors->pdata[0];
  g_assert_error (error, DGATEWAY_ERROR, DGATEWAY_ERROR_HEARTBEAT_TIMEOUT);
  g_assert_cmpuint (dgateway_client_get_missed_heartbeats (f->client), ==, 1);

  dgateway_mock_gateway_set_ack_heartbeats (f->mock, TRUE);
  assert_resumed_on_resume_url (f, 2, 3);

  /* The zombie was closed with a code that keeps the session. */
  WAIT_UNTIL (dgateway_mock_gateway_get_connection_close_code (f->mock, 1) != -1, 2000);
  g_assert_cmpint (dgateway_mock_gateway_get_connection_close_code (f->mock, 1), !=, 1000);
  g_assert_cmpint (dgateway_mock_gateway_get_connection_close_code (f->mock, 1), !=, 1001);
  g_assert_cmpuint (dgateway_client_get_reconnect_count (f->client), ==, 1);
}

static void
test_reconnect_request (Fixture       *f,
                        gconstpointer  data)
{
  connect_client (f);
  dgateway_mock_gateway_send_op (f->mock, 7, NULL);
  WAIT_UNTIL (f->errors->len == 1, 2000);
  g_assert_error (LOST_ERROR (f, 0), DGATEWAY_ERROR, DGATEWAY_ERROR_RECONNECT_REQUESTED);
  assert_resumed_on_resume_url (f, 2, 1);
  g_assert_cmpint (dgateway_mock_gateway_get_connection_close_code (f->mock, 1), ==, 4000);
}

static void
test_invalid_session_resumable (Fixture       *f,
                                gconstpointer  data)
{
  connect_client (f);
  dgateway_mock_gateway_send_op (f->mock, 9, "true");
  WAIT_UNTIL (f->errors->len == 1, 2000);
  g_assert_error (LOST_ERROR (f, 0), DGATEWAY_ERROR, DGATEWAY_ERROR_INVALID_SESSION);
  assert_resumed_on_resume_url (f, 2, 1);
}

static void
test_invalid_session (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *old_session = NULL;
  gint64 lost, reopened;

  connect_client (f);
  old_session = g_strdup (dgateway_client_get_session_id (f->client));
  dgateway_mock_gateway_send_op (f->mock, 9, "false");
  WAIT_UNTIL (f->reconnected == 1, 3000);

  /* A new session on the original URL, after the random wait (here scaled
   * to 100–300 ms by the test timings). */
  g_assert_cmpuint (f->resumed, ==, 0);
  g_assert_false (dgateway_mock_gateway_connection_on_resume_path (f->mock, 2));
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 2), ==, 2);
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 6), ==, 0);
  g_assert_cmpstr (dgateway_client_get_session_id (f->client), !=, old_session);
  lost = g_array_index (f->lost_times, gint64, 0);
  reopened = dgateway_mock_gateway_get_connection_opened (f->mock, 2);
  g_assert_cmpint (reopened - lost, >=, 95 * 1000);
  g_assert_cmpint (reopened - lost, <=, 300 * 1000 + 200 * 1000);
}

static void
test_invalid_session_real_delay (Fixture       *f,
                                 gconstpointer  data)
{
  gint64 delay;

  /* The protocol's own 1–5 s wait, measured once. */
  dgateway_client_get_settings (f->client)->invalid_session_min = 1000;
  dgateway_client_get_settings (f->client)->invalid_session_max = 5000;
  connect_client (f);
  dgateway_mock_gateway_send_op (f->mock, 9, "false");
  WAIT_UNTIL (f->reconnected == 1, 8000);
  delay = dgateway_mock_gateway_get_connection_opened (f->mock, 2) - g_array_index (f->lost_times, gint64, 0);
  g_assert_cmpint (delay, >=, 995 * 1000);
  g_assert_cmpint (delay, <=, 5000 * 1000 + 500 * 1000);
}

static void
test_tcp_drop (Fixture       *f,
               gconstpointer  data)
{
  gint64 gap;

  connect_client (f);
  dgateway_mock_gateway_drop (f->mock);
  WAIT_UNTIL (f->errors->len == 1, 2000);
  g_assert_error (LOST_ERROR (f, 0), DGATEWAY_ERROR, DGATEWAY_ERROR_CONNECTION);
  assert_resumed_on_resume_url (f, 2, 1);

  /* After a healthy session the first reconnection waits a first
   * attempt's [1, 2) × the minimum, not a grown backoff. */
  gap = dgateway_mock_gateway_get_connection_opened (f->mock, 2) - g_array_index (f->lost_times, gint64, 0);
  g_assert_cmpint (gap, >=, (DELAY_MIN - 5) * 1000);
  g_assert_cmpint (gap, <=, (2 * DELAY_MIN + 100) * 1000);
}

/* Close codes, as gateway.md classifies them. */

typedef enum { EXPECT_RESUME, EXPECT_IDENTIFY, EXPECT_FATAL } Expectation;

static void
check_close_code (int         code,
                  Expectation expectation)
{
  Fixture fixture = { 0 };
  Fixture *f = &fixture;

  fixture_setup (f, GINT_TO_POINTER (DGATEWAY_COMPRESSION_NONE));
  connect_client (f);
  dgateway_mock_gateway_close (f->mock, code, NULL);
  WAIT_UNTIL (f->errors->len == 1, 2000);

  switch (expectation)
    {
    case EXPECT_RESUME:
      assert_resumed_on_resume_url (f, 2, 1);
      break;
    case EXPECT_IDENTIFY:
      WAIT_UNTIL (f->reconnected == 1, 3000);
      g_assert_cmpuint (f->resumed, ==, 0);
      g_assert_false (dgateway_mock_gateway_connection_on_resume_path (f->mock, 2));
      g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 6), ==, 0);
      g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 2), ==, 2);
      break;
    case EXPECT_FATAL:
      g_assert_error (LOST_ERROR (f, 0), DGATEWAY_ERROR, code);
      WAIT_UNTIL (dgateway_client_get_state (f->client) == DGATEWAY_STATE_FAILED, 1000);
      /* No retry: wait well past the longest backoff. */
      test_run_for (DELAY_MAX * 2);
      g_assert_cmpuint (dgateway_mock_gateway_get_n_connections (f->mock), ==, 1);
      g_assert_cmpint (dgateway_client_get_state (f->client), ==, DGATEWAY_STATE_FAILED);
      break;
    }

  if (code >= 4000 && code <= 4014 && code != 4006)
    g_assert_error (LOST_ERROR (f, 0), DGATEWAY_ERROR, code);
  fixture_teardown (f, NULL);
}

static void
test_close_codes (void)
{
  /* 1000 and 1001 from the gateway end the connection, not the session. */
  static const int resume[] = { 4000, 4001, 4002, 4005, 4008, 1000, 1001, 1011, 4999 };
  static const int identify[] = { 4003, 4007, 4009 };
  static const int fatal[] = { 4004, 4010, 4011, 4012, 4013, 4014 };

  for (guint i = 0; i < G_N_ELEMENTS (resume); i++)
    check_close_code (resume[i], EXPECT_RESUME);
  for (guint i = 0; i < G_N_ELEMENTS (identify); i++)
    check_close_code (identify[i], EXPECT_IDENTIFY);
  for (guint i = 0; i < G_N_ELEMENTS (fatal); i++)
    check_close_code (fatal[i], EXPECT_FATAL);
}

static void
test_fatal_on_connect (Fixture       *f,
                       gconstpointer  data)
{
  /* The gateway refuses the token in IDENTIFY: connect fails with 4004. */
  dgateway_mock_gateway_set_token (f->mock, "another-token");
  dgateway_client_connect_async (f->client, NULL, connect_cb, f);
  WAIT_UNTIL (f->connect_done, 5000);
  g_assert_error (f->connect_error, DGATEWAY_ERROR, DGATEWAY_ERROR_AUTHENTICATION_FAILED);
  g_assert_null (strstr (f->connect_error->message, TEST_TOKEN));
  g_assert_cmpint (dgateway_client_get_state (f->client), ==, DGATEWAY_STATE_FAILED);
  test_run_for (DELAY_MAX * 2);
  g_assert_cmpuint (dgateway_mock_gateway_get_n_connections (f->mock), ==, 1);
}

/* last-error says why the client lost a connection or failed, and stays
 * until the client is connected again. */
static void
test_last_error (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) copy = NULL;
  guint notifies = 0;

  g_signal_connect (f->client, "notify::last-error", G_CALLBACK (count_notify_cb), &notifies);
  g_assert_null (dgateway_client_get_last_error (f->client));

  connect_client (f);
  g_assert_null (dgateway_client_get_last_error (f->client));
  g_assert_cmpuint (notifies, ==, 0);

  /* A lost connection: set while reconnecting, gone once connected. */
  dgateway_mock_gateway_send_op (f->mock, 7, NULL);
  WAIT_UNTIL (f->errors->len == 1, 2000);
  g_assert_error (dgateway_client_get_last_error (f->client), DGATEWAY_ERROR,
                  DGATEWAY_ERROR_RECONNECT_REQUESTED);
  g_assert_cmpuint (notifies, ==, 1);
  WAIT_UNTIL (dgateway_client_get_state (f->client) == DGATEWAY_STATE_CONNECTED, 3000);
  g_assert_null (dgateway_client_get_last_error (f->client));
  g_assert_cmpuint (notifies, ==, 2);

  /* A fatal close: the reason stays with the FAILED state, also through
   * g_object_get(), and through close(). */
  dgateway_mock_gateway_close (f->mock, 4004, NULL);
  WAIT_UNTIL (dgateway_client_get_state (f->client) == DGATEWAY_STATE_FAILED, 3000);
  WAIT_UNTIL (f->errors->len == 2, 2000);
  g_assert_cmpuint (notifies, ==, 3);
  g_object_get (f->client, "last-error", &copy, NULL);
  g_assert_error (copy, DGATEWAY_ERROR, DGATEWAY_ERROR_AUTHENTICATION_FAILED);
  dgateway_client_close (f->client);
  g_assert_error (dgateway_client_get_last_error (f->client), DGATEWAY_ERROR,
                  DGATEWAY_ERROR_AUTHENTICATION_FAILED);
  g_assert_cmpuint (notifies, ==, 3);
}

/* A connect_async() that fails before any shard runs sets it too. */
static void
test_last_error_discovery (Fixture       *f,
                           gconstpointer  data)
{
  dgateway_client_set_gateway_url (f->client, NULL);
  dgateway_client_set_api_url (f->client, dgateway_mock_gateway_get_api_url (f->mock));
  dgateway_mock_gateway_set_gateway_bot_response (f->mock, 401, "{\"message\":\"401: Unauthorized\",\"code\":0}");
  dgateway_client_connect_async (f->client, NULL, connect_cb, f);
  WAIT_UNTIL (f->connect_done, 5000);
  g_assert_nonnull (f->connect_error);
  g_assert_nonnull (dgateway_client_get_last_error (f->client));
  g_assert_true (g_error_matches (dgateway_client_get_last_error (f->client),
                                  f->connect_error->domain, f->connect_error->code));
  g_assert_cmpint (dgateway_client_get_state (f->client), ==, DGATEWAY_STATE_FAILED);
}

static void
test_backoff (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u/gateway", test_closed_port ());

  dgateway_client_set_gateway_url (f->client, url);
  dgateway_client_connect_async (f->client, NULL, connect_cb, f);
  WAIT_UNTIL (f->lost_times->len >= 7, 10000);
  g_assert_false (f->connect_done);
  g_assert_cmpint (dgateway_client_get_state (f->client), ==, DGATEWAY_STATE_RECONNECTING);

  for (guint n = 1; n < f->lost_times->len; n++)
    {
      gint64 gap = (g_array_index (f->lost_times, gint64, n) -
                    g_array_index (f->lost_times, gint64, n - 1)) / 1000;
      gint64 base = MIN ((gint64) DELAY_MAX, (gint64) DELAY_MIN << (n - 1));
      /* The first attempt waits in [1, 2) × the minimum, attempt n in
       * [0.75, 1] × base, never under the minimum, never over the
       * maximum; a refused connection adds little. */
      gint64 low = n == 1 ? DELAY_MIN : MAX (DELAY_MIN, base * 3 / 4);
      gint64 high = n == 1 ? 2 * DELAY_MIN : base;

      g_assert_error (LOST_ERROR (f, n), DGATEWAY_ERROR, DGATEWAY_ERROR_CONNECTION);
      g_assert_cmpint (gap, >=, low - 5);
      g_assert_cmpint (gap, <=, high + 100);
    }
}

static void
test_resume_no_loss (Fixture       *f,
                     gconstpointer  data)
{
  gint64 expected = 1;

  connect_client (f);
  dgateway_mock_gateway_send_messages (f->mock, 5);
  WAIT_UNTIL (count_events (f, "MESSAGE_CREATE") == 5, 2000);

  dgateway_mock_gateway_drop (f->mock);
  WAIT_UNTIL (f->errors->len == 1, 2000);
  /* Events the gateway queued while the client was away. */
  dgateway_mock_gateway_send_messages (f->mock, 5);
  assert_resumed_on_resume_url (f, 2, 6);
  dgateway_mock_gateway_send_messages (f->mock, 5);
  WAIT_UNTIL (count_events (f, "MESSAGE_CREATE") == 15, 2000);

  /* READY, 5, 5 replayed, RESUMED, 5: each sequence once, in order. */
  for (guint i = 0; i < f->events->len; i++)
    g_assert_cmpint (dgateway_event_get_sequence (f->events->pdata[i]), ==, expected++);
  g_assert_cmpuint (f->events->len, ==, 17);
  g_assert_cmpstr (dgateway_event_get_name (f->events->pdata[11]), ==, "RESUMED");
}

static void
test_replay_duplicates_skipped (Fixture       *f,
                                gconstpointer  data)
{
  connect_client (f);
  dgateway_mock_gateway_send_messages (f->mock, 3);
  WAIT_UNTIL (count_events (f, "MESSAGE_CREATE") == 3, 2000);

  /* The gateway's replay starts before what was delivered: 3 and 4 again,
   * then 5, which is new, then RESUMED. */
  fixture_hold_in_resume (f);
  g_assert_cmpint (test_resume_seq (f->mock), ==, 4);
  g_assert_cmpint (dgateway_client_get_state (f->client), ==, DGATEWAY_STATE_RESUMING);
  dgateway_mock_gateway_send_raw (f->mock, "{\"op\":0,\"s\":3,\"t\":\"MESSAGE_CREATE\",\"d\":{\"id\":\"dup\"}}");
  dgateway_mock_gateway_send_raw (f->mock, "{\"op\":0,\"s\":4,\"t\":\"MESSAGE_CREATE\",\"d\":{\"id\":\"dup\"}}");
  dgateway_mock_gateway_send_raw (f->mock, "{\"op\":0,\"s\":5,\"t\":\"MESSAGE_CREATE\",\"d\":{\"id\":\"new\"}}");
  dgateway_mock_gateway_send_raw (f->mock, "{\"op\":0,\"s\":6,\"t\":\"RESUMED\",\"d\":{}}");
  WAIT_UNTIL (f->resumed == 1, 2000);
  test_run_for (50);

  /* 3 and 4 were delivered before: the replay did not deliver them again. */
  g_assert_cmpuint (count_events (f, "MESSAGE_CREATE"), ==, 4);
  for (guint i = 1; i < f->events->len; i++)
    g_assert_cmpint (dgateway_event_get_sequence (f->events->pdata[i]), ==,
                     dgateway_event_get_sequence (f->events->pdata[i - 1]) + 1);
  g_assert_cmpint (dgateway_client_get_sequence (f->client), ==, 6);
}

/* Outside a replay, an event that comes late is delivered late, with a
 * warning, rather than dropped. */
static void
test_late_event_delivered (Fixture       *f,
                           gconstpointer  data)
{
  connect_client (f);
  dgateway_mock_gateway_send_messages (f->mock, 3);
  WAIT_UNTIL (count_events (f, "MESSAGE_CREATE") == 3, 2000);

  g_test_expect_message ("DGateway", G_LOG_LEVEL_WARNING, "*event 3 came after event 4*");
  dgateway_mock_gateway_send_raw (f->mock, "{\"op\":0,\"s\":3,\"t\":\"MESSAGE_CREATE\",\"d\":{\"id\":\"late\"}}");
  dgateway_mock_gateway_send_messages (f->mock, 1);
  WAIT_UNTIL (count_events (f, "MESSAGE_CREATE") == 5, 2000);
  g_test_assert_expected_messages ();

  g_assert_cmpint (dgateway_event_get_sequence (g_ptr_array_index (f->events, 4)), ==, 3);
  g_assert_cmpint (dgateway_event_get_sequence (g_ptr_array_index (f->events, 5)), ==, 5);
  g_assert_cmpint (dgateway_client_get_sequence (f->client), ==, 5);
  g_assert_cmpuint (f->errors->len, ==, 0);
}

/* Ends the next RESUME without an answer, as a gateway that closes the
 * connection would. */
static void
fail_next_resume (Fixture *f,
                  guint    resumes_before)
{
  dgateway_mock_gateway_set_ignore_frames (f->mock, TRUE);
  WAIT_UNTIL (dgateway_mock_gateway_count_frames (f->mock, 6) == resumes_before + 1, 3000);
  dgateway_mock_gateway_close (f->mock, 4000, NULL);
  dgateway_mock_gateway_set_ignore_frames (f->mock, FALSE);
}

static void
test_failed_resume_identifies (Fixture       *f,
                               gconstpointer  data)
{
  connect_client (f);
  dgateway_mock_gateway_drop (f->mock);

  /* The gateway ends two RESUMEs without RESUMED: the session is still
   * tried. */
  fail_next_resume (f, 0);
  fail_next_resume (f, 1);
  /* A third in a row would loop: the client starts a new session. */
  fail_next_resume (f, 2);
  WAIT_UNTIL (f->reconnected == 1, 3000);

  g_assert_cmpuint (f->resumed, ==, 0);
  g_assert_cmpuint (dgateway_mock_gateway_get_n_connections (f->mock), ==, 5);
  for (guint c = 2; c <= 4; c++)
    g_assert_true (dgateway_mock_gateway_connection_on_resume_path (f->mock, c));
  g_assert_false (dgateway_mock_gateway_connection_on_resume_path (f->mock, 5));
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 6), ==, 3);
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 2), ==, 2);
}

/* A resume that made progress (an event replayed) starts the count over. */
static void
test_failed_resume_progress (Fixture       *f,
                             gconstpointer  data)
{
  connect_client (f);
  dgateway_mock_gateway_drop (f->mock);
  fail_next_resume (f, 0);
  fail_next_resume (f, 1);

  /* The third replays an event, then the gateway closes it. */
  dgateway_mock_gateway_send_messages (f->mock, 1);
  dgateway_mock_gateway_set_ignore_frames (f->mock, TRUE);
  WAIT_UNTIL (dgateway_mock_gateway_count_frames (f->mock, 6) == 3, 3000);
  dgateway_mock_gateway_send_raw (f->mock, "{\"op\":0,\"s\":2,\"t\":\"MESSAGE_CREATE\",\"d\":{\"id\":\"1\"}}");
  WAIT_UNTIL (count_events (f, "MESSAGE_CREATE") == 1, 2000);
  dgateway_mock_gateway_close (f->mock, 4000, NULL);
  dgateway_mock_gateway_set_ignore_frames (f->mock, FALSE);

  /* Two more fruitless ones are not three in a row. */
  fail_next_resume (f, 3);
  fail_next_resume (f, 4);
  WAIT_UNTIL (f->resumed == 1, 3000);
  g_assert_cmpuint (f->reconnected, ==, 1);
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 2), ==, 1);
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 6), ==, 6);
}

static void
test_resume_refused (Fixture       *f,
                     gconstpointer  data)
{
  connect_client (f);
  dgateway_mock_gateway_set_accept_resume (f->mock, FALSE);
  dgateway_mock_gateway_drop (f->mock);
  /* RESUME → op 9 false → IDENTIFY on the gateway URL. */
  WAIT_UNTIL (f->reconnected == 1, 4000);
  g_assert_cmpuint (f->resumed, ==, 0);
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 6), ==, 1);
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 2), ==, 2);
  g_assert_false (dgateway_mock_gateway_connection_on_resume_path (f->mock, 3));
}

static void
test_hello_timeout (Fixture       *f,
                    gconstpointer  data)
{
  dgateway_mock_gateway_set_send_hello (f->mock, FALSE);
  dgateway_client_connect_async (f->client, NULL, connect_cb, f);
  WAIT_UNTIL (f->errors->len == 1, 3000);
  g_assert_error (LOST_ERROR (f, 0), DGATEWAY_ERROR, DGATEWAY_ERROR_HEARTBEAT_TIMEOUT);
  dgateway_mock_gateway_set_send_hello (f->mock, TRUE);
  WAIT_UNTIL (f->connect_done, 3000);
  g_assert_no_error (f->connect_error);
  g_assert_cmpuint (dgateway_mock_gateway_get_n_connections (f->mock), ==, 2);
}

/* The application's side */

static void
test_disconnect (Fixture       *f,
                 gconstpointer  data)
{
  connect_client (f);
  dgateway_client_close (f->client);
  g_assert_cmpint (dgateway_client_get_state (f->client), ==, DGATEWAY_STATE_DISCONNECTED);
  WAIT_UNTIL (dgateway_mock_gateway_get_connection_close_code (f->mock, 1) != -1, 2000);
  g_assert_cmpint (dgateway_mock_gateway_get_connection_close_code (f->mock, 1), ==, 1000);
  test_run_for (DELAY_MAX);
  g_assert_cmpuint (dgateway_mock_gateway_get_n_connections (f->mock), ==, 1);
  g_assert_cmpuint (f->errors->len, ==, 0);
  g_assert_null (dgateway_client_get_session_id (f->client));

  /* The client can connect again, with a new session. */
  f->connect_done = FALSE;
  connect_client (f);
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 2), ==, 2);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  dgateway_mock_gateway_set_ignore_frames (f->mock, TRUE);
  dgateway_client_connect_async (f->client, cancellable, connect_cb, f);
  WAIT_UNTIL (dgateway_mock_gateway_count_frames (f->mock, 2) == 1, 2000);
  g_cancellable_cancel (cancellable);
  WAIT_UNTIL (f->connect_done, 2000);
  g_assert_error (f->connect_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (dgateway_client_get_state (f->client), ==, DGATEWAY_STATE_DISCONNECTED);
}

/* Frames that cannot be read may have been the next event: each one is a
 * resume from the last event delivered, and nothing is lost or doubled. */
static void
test_garbage (Fixture       *f,
              gconstpointer  data)
{
  static const char *const garbage[] = {
    "{\"op\": 0, \"d\": {not json",
    "[1, 2, 3]",
    "{\"op\":0,\"s\":\"4\",\"t\":\"MESSAGE_CREATE\",\"d\":{}}",
    "{\"op\":0,\"t\":\"MESSAGE_CREATE\",\"d\":{}}",
    "{\"op\":0,\"s\":-3,\"t\":\"MESSAGE_CREATE\",\"d\":{}}",
    "{\"op\":0,\"s\":4.5,\"t\":\"MESSAGE_CREATE\",\"d\":{}}",
    "{\"op\":0,\"s\":4}",
  };
  gint64 expected = 1;

  connect_client (f);
  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++)
    {
      dgateway_mock_gateway_send_messages (f->mock, 1);
      WAIT_UNTIL (count_events (f, "MESSAGE_CREATE") == i + 1, 2000);
      dgateway_mock_gateway_send_raw (f->mock, garbage[i]);
      WAIT_UNTIL (f->errors->len == i + 1, 2000);
      g_assert_error (LOST_ERROR (f, i), DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL);
      WAIT_UNTIL (f->resumed == i + 1, 3000);
    }

  /* An unknown opcode and an unknown event are no reason to reconnect. */
  dgateway_mock_gateway_send_raw (f->mock, "{\"op\":42,\"d\":{\"x\":1}}");
  dgateway_mock_gateway_send_dispatch (f->mock, "SOMETHING_DISCORD_ADDS_LATER", "{\"a\":1}");
  dgateway_mock_gateway_send_messages (f->mock, 1);
  WAIT_UNTIL (count_events (f, "MESSAGE_CREATE") == G_N_ELEMENTS (garbage) + 1, 2000);
  g_assert_cmpuint (count_events (f, "SOMETHING_DISCORD_ADDS_LATER"), ==, 1);
  g_assert_cmpuint (f->errors->len, ==, G_N_ELEMENTS (garbage));

  /* Every event once, in order, none with a made-up sequence. */
  for (guint i = 0; i < f->events->len; i++)
    g_assert_cmpint (dgateway_event_get_sequence (f->events->pdata[i]), ==, expected++);
  g_assert_cmpuint (dgateway_client_get_events_lost (f->client), ==, 0);
}

/* A handler that takes 2 ms, as a slow application's would, and a 1 ms
 * timeout beside it, as a GTK frame clock would be: between two events
 * the main loop must run the timeout, however many events arrived at once. */
typedef struct {
  guint ticks;
  guint events;
  guint ticks_between;   /* timeouts that ran after an event, before the next */
  guint last_ticks;
} Yield;

static gboolean
yield_tick_cb (gpointer data)
{
  ((Yield *) data)->ticks++;
  return G_SOURCE_CONTINUE;
}

static gboolean
slow_handler_cb (DGatewayClient *client,
                 DGatewayEvent  *event,
                 Yield          *y)
{
  gint64 until = g_get_monotonic_time () + 2000;

  if (y->events++ > 0 && y->ticks > y->last_ticks)
    y->ticks_between++;
  while (g_get_monotonic_time () < until)
    ;
  y->last_ticks = y->ticks;
  return FALSE;
}

static void
test_yield_between_payloads (Fixture       *f,
                             gconstpointer  data)
{
  Yield y = { 0 };
  guint tick_id;

  connect_client (f);
  g_signal_connect (f->client, "dispatch::MESSAGE_CREATE", G_CALLBACK (slow_handler_cb), &y);
  tick_id = g_timeout_add (1, yield_tick_cb, &y);

  /* Thirty events written at once reach the client in one or a few reads. */
  dgateway_mock_gateway_send_messages (f->mock, 30);
  WAIT_UNTIL (y.events == 30, 5000);
  g_source_remove (tick_id);

  /* A handler alone takes longer than a dispatch's budget: the timeout ran
   * between (almost) every two events. */
  g_assert_cmpuint (y.ticks_between, >=, 25);
}

static gboolean
stop_cb (DGatewayClient *client,
         DGatewayEvent  *event,
         guint          *count)
{
  (*count)++;
  return TRUE;
}

static void
test_middleware (Fixture       *f,
                 gconstpointer  data)
{
  guint stopped = 0;

  /* Connected before the fixture's handler would run? No: handlers run in
   * connection order, so this one goes first only for its own detail. */
  g_signal_handlers_disconnect_by_func (f->client, fixture_dispatch_cb, f);
  g_signal_connect (f->client, "dispatch::MESSAGE_CREATE", G_CALLBACK (stop_cb), &stopped);
  g_signal_connect (f->client, "dispatch", G_CALLBACK (fixture_dispatch_cb), f);

  connect_client (f);
  dgateway_mock_gateway_send_messages (f->mock, 3);
  dgateway_mock_gateway_send_dispatch (f->mock, "TYPING_START", "{\"user_id\":\"1\"}");
  WAIT_UNTIL (count_events (f, "TYPING_START") == 1, 2000);

  g_assert_cmpuint (stopped, ==, 3);
  g_assert_cmpuint (count_events (f, "MESSAGE_CREATE"), ==, 0);
  g_assert_cmpuint (count_events (f, "READY"), ==, 1);
}

static void
test_event_fields (Fixture       *f,
                   gconstpointer  data)
{
  DGatewayEvent *event;
  g_autofree char *json = NULL;
  g_autofree char *expected = dgateway_mock_gateway_build_message_create (0);
  g_autoptr(JsonNode) expected_node = json_from_string (expected, NULL);

  f->keep_events = TRUE;
  connect_client (f);
  dgateway_mock_gateway_send_messages (f->mock, 1);
  WAIT_UNTIL (count_events (f, "MESSAGE_CREATE") == 1, 2000);

  event = f->events->pdata[1];
  g_assert_cmpstr (dgateway_event_get_name (event), ==, "MESSAGE_CREATE");
  g_assert_cmpint (dgateway_event_get_sequence (event), ==, 2);
  g_assert_cmpuint (dgateway_event_get_shard_id (event), ==, 0);
  g_assert_true (json_node_equal (dgateway_event_get_data (event), expected_node));
  json = dgateway_event_dup_data_json (event);
  g_assert_cmpstr (member_string (dgateway_event_get_data (event), "channel_id"), ==,
                   DGATEWAY_MOCK_GATEWAY_CHANNEL_ID);
  g_assert_nonnull (strstr (json, DGATEWAY_MOCK_GATEWAY_CHANNEL_ID));
}

static guint
count_notifies_during (Fixture    *f,
                       const char *signal,
                       guint       events)
{
  guint notifies = 0;
  gulong id = g_signal_connect (f->client, signal, G_CALLBACK (latency_notify_cb), &notifies);

  dgateway_mock_gateway_send_messages (f->mock, events);
  WAIT_UNTIL (dgateway_client_get_events_received (f->client) == events + 1, 5000);
  g_signal_handler_disconnect (f->client, id);
  return notifies;
}

static void
test_metrics (Fixture       *f,
              gconstpointer  data)
{
  gint64 start;
  guint notifies;
  double elapsed_ms;

  connect_client (f);
  start = g_get_monotonic_time ();
  notifies = count_notifies_during (f, "notify::events-received", 500);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000.0;

  /* Counters are notified at a bounded rate (every 250 ms), never once per
   * event. */
  g_assert_cmpuint (notifies, <=, elapsed_ms / 250 + 2);
  g_assert_cmpuint (notifies, <, 10);
  g_assert_cmpuint (dgateway_client_get_events_received (f->client), ==, 501);
  g_assert_cmpuint (dgateway_client_get_bytes_received (f->client), >, 500 * 500);
  g_assert_cmpint (dgateway_client_get_sequence (f->client), ==, 501);
  g_assert_cmpint (dgateway_client_get_uptime (f->client), >, 0);
  g_assert_cmpuint (dgateway_client_get_reconnect_count (f->client), ==, 0);
  WAIT_UNTIL (dgateway_client_get_events_per_second (f->client) > 0, 3000);
  g_assert_cmpuint (f->state_notifies, >=, 3);
}

/* Transport compression */

/* Every MESSAGE_CREATE arrived whole: the i-th equals what the mock built.
 * The test kept the events (f->keep_events) to read them here. */
static void
test_event_fields_match (Fixture *f)
{
  guint index = 0;

  for (guint i = 0; i < f->events->len; i++)
    {
      DGatewayEvent *event = f->events->pdata[i];
      g_autofree char *expected = NULL;
      g_autoptr(JsonNode) expected_node = NULL;

      if (g_strcmp0 (dgateway_event_get_name (event), "MESSAGE_CREATE") != 0)
        continue;
      expected = dgateway_mock_gateway_build_message_create (index++);
      expected_node = json_from_string (expected, NULL);
      g_assert_true (json_node_equal (dgateway_event_get_data (event), expected_node));
    }
}

static void
test_compressed_stream (Fixture       *f,
                        gconstpointer  data)
{
  DGatewayCompression compression = GPOINTER_TO_INT (data);

  f->keep_events = TRUE;
  connect_client (f);
  g_assert_nonnull (strstr (dgateway_mock_gateway_get_connection_query (f->mock, 1),
                            compression == DGATEWAY_COMPRESSION_ZLIB_STREAM
                              ? "compress=zlib-stream" : "compress=zstd-stream"));
  dgateway_mock_gateway_send_messages (f->mock, 50);
  WAIT_UNTIL (count_events (f, "MESSAGE_CREATE") == 50, 3000);
  test_event_fields_match (f);
  g_assert_cmpuint (dgateway_client_get_bytes_decompressed (f->client), >,
                    2 * dgateway_client_get_bytes_received (f->client));
  g_assert_cmpfloat (dgateway_client_get_compression_ratio (f->client), >, 2.0);
}

static void
test_compressed_split (Fixture       *f,
                       gconstpointer  data)
{
  /* Discord splits large zlib-stream payloads over several messages. */
  dgateway_mock_gateway_set_split_messages (f->mock, 3);
  test_compressed_stream (f, data);
}

static void
test_corrupt_stream (Fixture       *f,
                     gconstpointer  data)
{
  f->keep_events = TRUE;
  connect_client (f);
  dgateway_mock_gateway_send_corrupt (f->mock);
  WAIT_UNTIL (f->errors->len == 1, 2000);
  g_assert_error (LOST_ERROR (f, 0), DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL);
  /* A fresh stream on a fresh connection, and the session goes on. */
  assert_resumed_on_resume_url (f, 2, 1);
  dgateway_mock_gateway_send_messages (f->mock, 5);
  WAIT_UNTIL (count_events (f, "MESSAGE_CREATE") == 5, 2000);
  test_event_fields_match (f);
}

/* A payload over the cap is the same error in every mode. The gateway
 * sends it again on each resume; after three tries it is given up as lost,
 * counted and logged, and the session goes on past it. */
static void
test_oversized_payload (Fixture       *f,
                        gconstpointer  data)
{
  GString *big = g_string_new ("{\"content\":\"");

  dgateway_client_set_max_payload_size (f->client, 64 * 1024);
  connect_client (f);
  for (guint i = 0; i < 100 * 1024; i++)
    g_string_append_c (big, 'a' + i % 26);
  g_string_append (big, "\"}");
  dgateway_mock_gateway_send_messages (f->mock, 1);
  g_test_expect_message ("DGateway", G_LOG_LEVEL_WARNING, "*event 3 could not be read 3 times and is lost*");
  dgateway_mock_gateway_send_dispatch (f->mock, "MESSAGE_CREATE", big->str);
  dgateway_mock_gateway_send_messages (f->mock, 2);
  g_string_free (big, TRUE);

  WAIT_UNTIL (count_events (f, "MESSAGE_CREATE") == 3 && f->resumed == 1, 8000);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (f->errors->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_error (LOST_ERROR (f, i), DGATEWAY_ERROR, DGATEWAY_ERROR_PAYLOAD_TOO_LARGE);
  g_assert_cmpuint (dgateway_client_get_events_lost (f->client), ==, 1);
  /* Every event once and in order, but for the one lost: 3. */
  for (guint i = 1; i < f->events->len; i++)
    {
      gint64 previous = dgateway_event_get_sequence (f->events->pdata[i - 1]);

      g_assert_cmpint (dgateway_event_get_sequence (f->events->pdata[i]), ==,
                       previous == 2 ? 4 : previous + 1);
    }
  g_assert_cmpint (dgateway_client_get_state (f->client), ==, DGATEWAY_STATE_CONNECTED);
  /* One session throughout: three RESUMEs, the last past the lost event. */
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 2), ==, 1);
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 6), ==, 3);
  g_assert_cmpint (test_resume_seq (f->mock), ==, 3);
  g_assert_cmpuint (f->resumed, ==, 1);
}

#define ADD(path, func, compression) \
  g_test_add (path, Fixture, GINT_TO_POINTER (compression), fixture_setup, func, fixture_teardown)

int
main (int   argc,
      char *argv[])
{
  test_init (&argc, &argv);

  ADD ("/dgateway/client/identify", test_identify, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/identify-shard-presence", test_identify_shard_and_presence, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/discovery", test_discovery, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/discovery-unauthorized", test_discovery_unauthorized, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/heartbeat/jitter", test_heartbeat_jitter, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/heartbeat/interval", test_heartbeat_interval, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/heartbeat/request", test_heartbeat_request, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/heartbeat/latency", test_latency, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/heartbeat/zombie", test_zombie, DGATEWAY_COMPRESSION_ZSTD_STREAM);
  ADD ("/dgateway/client/reconnect-request", test_reconnect_request, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/invalid-session/resumable", test_invalid_session_resumable, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/invalid-session/new", test_invalid_session, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/invalid-session/real-delay", test_invalid_session_real_delay, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/tcp-drop", test_tcp_drop, DGATEWAY_COMPRESSION_ZLIB_STREAM);
  g_test_add_func ("/dgateway/client/close-codes", test_close_codes);
  ADD ("/dgateway/client/fatal-on-connect", test_fatal_on_connect, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/last-error", test_last_error, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/last-error-discovery", test_last_error_discovery, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/backoff", test_backoff, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/resume/no-loss", test_resume_no_loss, DGATEWAY_COMPRESSION_ZSTD_STREAM);
  ADD ("/dgateway/client/resume/duplicates", test_replay_duplicates_skipped, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/resume/late-event", test_late_event_delivered, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/resume/failed", test_failed_resume_identifies, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/resume/failed-progress", test_failed_resume_progress, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/resume/refused", test_resume_refused, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/hello-timeout", test_hello_timeout, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/disconnect", test_disconnect, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/cancel", test_cancel, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/garbage", test_garbage, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/middleware", test_middleware, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/yield", test_yield_between_payloads, DGATEWAY_COMPRESSION_ZSTD_STREAM);
  ADD ("/dgateway/client/event", test_event_fields, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/metrics", test_metrics, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/compression/zlib", test_compressed_stream, DGATEWAY_COMPRESSION_ZLIB_STREAM);
  ADD ("/dgateway/client/compression/zlib-split", test_compressed_split, DGATEWAY_COMPRESSION_ZLIB_STREAM);
  ADD ("/dgateway/client/compression/zstd", test_compressed_stream, DGATEWAY_COMPRESSION_ZSTD_STREAM);
  ADD ("/dgateway/client/compression/zlib-corrupt", test_corrupt_stream, DGATEWAY_COMPRESSION_ZLIB_STREAM);
  ADD ("/dgateway/client/compression/zstd-corrupt", test_corrupt_stream, DGATEWAY_COMPRESSION_ZSTD_STREAM);
  ADD ("/dgateway/client/compression/oversized-none", test_oversized_payload, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/client/compression/oversized-zlib", test_oversized_payload, DGATEWAY_COMPRESSION_ZLIB_STREAM);
  ADD ("/dgateway/client/compression/oversized-zstd", test_oversized_payload, DGATEWAY_COMPRESSION_ZSTD_STREAM);

  return g_test_run ();
}
