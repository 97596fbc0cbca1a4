/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* No event lost: a session is kept through every fault of the transport,
 * every gap is noticed and filled by a RESUME, and input the gateway would
 * refuse is refused at the call. Each test checks what went over the wire
 * (RESUME or IDENTIFY, with which sequence) and what the application saw. */

#include "config.h"

#include "test-utils.h"

#include <math.h>
#include <string.h>

/* Every event once, in order. */
static void
assert_consecutive (Fixture *f)
{
  for (guint i = 1; i < f->events->len; i++)
    g_assert_cmpint (dgateway_event_get_sequence (f->events->pdata[i]), ==,
                     dgateway_event_get_sequence (f->events->pdata[i - 1]) + 1);
}

/* Rule 1: only the gateway ends a session. */

/* The gateway is unreachable for many attempts, then comes back: the
 * first thing the client sends it is still a RESUME. */
static void
test_long_outage_resumes (Fixture       *f,
                          gconstpointer  data)
{
  guint port = test_closed_port ();
  g_autofree char *dead_url = g_strdup_printf ("ws://127.0.0.1:%u/resume", port);
  g_autoptr(GVariant) saved = NULL;
  g_autoptr(GVariant) session = NULL;
  g_autoptr(DGatewayMockGateway) back = NULL;
  g_autoptr(GError) error = NULL;
  guint id, count;
  const char *session_id, *url;
  gint64 sequence;

  connect_client (f);
  saved = dgateway_client_dup_session (f->client);
  g_variant_get_child (saved, 0, "(uu&sx&s)", &id, &count, &session_id, &sequence, &url);
  session = g_variant_ref_sink (g_variant_new_parsed ("[(%u, %u, %s, %x, %s)]",
                                                      id, count, session_id, sequence, dead_url));

  /* The same session, resumed by a client whose resume URL does not
   * answer (the application restarted during an outage). */
  dgateway_client_close (f->client);
  g_signal_handlers_disconnect_by_data (f->client, f);
  g_clear_object (&f->client);
  fixture_new_client (f, DGATEWAY_COMPRESSION_NONE);
  g_assert_true (dgateway_client_restore_session (f->client, session, &error));
  dgateway_client_connect_async (f->client, NULL, connect_cb, f);

  WAIT_UNTIL (f->errors->len >= 6, 5000);
  for (guint i = 0; i < f->errors->len; i++)
    g_assert_error (LOST_ERROR (f, i), DGATEWAY_ERROR, DGATEWAY_ERROR_CONNECTION);
  g_assert_nonnull (dgateway_client_get_session_id (f->client));
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 2), ==, 1);

  /* The gateway is back: the session is resumed, not thrown away. */
  back = dgateway_mock_gateway_new_with_port (port, &error);
  g_assert_no_error (error);
  dgateway_mock_gateway_set_token (back, TEST_TOKEN);
  WAIT_UNTIL (dgateway_mock_gateway_count_frames (back, 6) == 1, 3000);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (dgateway_mock_gateway_get_last_frame (back, 6)->d),
                                                  "session_id"), ==, session_id);
  g_assert_cmpint (test_resume_seq (back), ==, sequence);
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (back, 2), ==, 0);
}

/* A drop while RESUMING, and a HELLO that never comes, are failures of the
 * transport: the next attempt resumes again. */
static void
test_transport_faults_while_resuming (Fixture       *f,
                                      gconstpointer  data)
{
  connect_client (f);
  dgateway_mock_gateway_send_messages (f->mock, 3);
  WAIT_UNTIL (count_events (f, "MESSAGE_CREATE") == 3, 2000);

  fixture_hold_in_resume (f);
  /* TCP drop in the middle of the RESUME. */
  dgateway_mock_gateway_drop (f->mock);
  WAIT_UNTIL (dgateway_mock_gateway_count_frames (f->mock, 6) == 2, 3000);
  /* No HELLO on the next connection. */
  dgateway_mock_gateway_set_send_hello (f->mock, FALSE);
  dgateway_mock_gateway_drop (f->mock);
  WAIT_UNTIL (f->errors->len == 4, 3000);
  g_assert_error (LOST_ERROR (f, 3), DGATEWAY_ERROR, DGATEWAY_ERROR_HEARTBEAT_TIMEOUT);
  dgateway_mock_gateway_set_send_hello (f->mock, TRUE);
  dgateway_mock_gateway_set_ignore_frames (f->mock, FALSE);

  WAIT_UNTIL (f->resumed == 1, 3000);
  g_assert_cmpuint (f->reconnected, ==, 1);
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 2), ==, 1);
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 6), ==, 3);
  g_assert_cmpint (test_resume_seq (f->mock), ==, 4);
  dgateway_mock_gateway_send_messages (f->mock, 2);
  WAIT_UNTIL (count_events (f, "MESSAGE_CREATE") == 5, 2000);
  assert_consecutive (f);
}

/* Rules 2 and 4: gaps and malformed sequence numbers. */

static void
test_gap_resumes (Fixture       *f,
                  gconstpointer  data)
{
  /* One event missing; then one absurdly far ahead, which is no reason
   * to skip what follows. */
  const gint64 far = G_MAXINT64;

  connect_client (f);
  for (guint i = 0; i < 2; i++)
    {
      gint64 delivered;
      g_autofree char *frame = NULL;

      dgateway_mock_gateway_send_messages (f->mock, 2);
      WAIT_UNTIL (count_events (f, "MESSAGE_CREATE") == 2 * (i + 1), 2000);
      delivered = dgateway_client_get_sequence (f->client);
      frame = g_strdup_printf ("{\"op\":0,\"s\":%" G_GINT64_FORMAT ",\"t\":\"MESSAGE_CREATE\","
                               "\"d\":{\"id\":\"gap\"}}", i == 0 ? delivered + 2 : far);
      dgateway_mock_gateway_send_raw (f->mock, frame);

      WAIT_UNTIL (f->errors->len == i + 1, 2000);
      g_assert_error (LOST_ERROR (f, i), DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL);
      WAIT_UNTIL (f->resumed == i + 1, 3000);
      /* Resumed from the last event delivered, so the gateway replays
       * whatever is missing. */
      g_assert_cmpint (test_resume_seq (f->mock), ==, delivered);
    }

  dgateway_mock_gateway_send_messages (f->mock, 2);
  WAIT_UNTIL (count_events (f, "MESSAGE_CREATE") == 6, 2000);
  for (guint i = 0; i < f->events->len; i++)
    g_assert_cmpint (dgateway_event_get_sequence (f->events->pdata[i]), <, 1000);
  assert_consecutive (f);
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 2), ==, 1);
}

/* Rule 5: HELLO handling. */

static void
test_second_hello_while_identify_waits (Fixture       *f,
                                        gconstpointer  data)
{
  g_autoptr(DGatewayLocalIdentifyQueue) queue = dgateway_local_identify_queue_new (1);

  dgateway_local_identify_queue_set_interval (queue, 1000);
  dgateway_client_set_identify_queue (f->client, DGATEWAY_IDENTIFY_QUEUE (queue));
  connect_client (f);

  /* A new session: its IDENTIFY waits for the queue's next slot. */
  dgateway_mock_gateway_send_op (f->mock, 9, "false");
  WAIT_UNTIL (dgateway_mock_gateway_get_n_connections (f->mock) == 2 &&
              dgateway_client_get_state (f->client) == DGATEWAY_STATE_IDENTIFYING, 3000);
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 2), ==, 1);

  g_test_expect_message ("DGateway", G_LOG_LEVEL_WARNING, "*ignoring a second HELLO*");
  dgateway_mock_gateway_send_op_to (f->mock, 2, 10, "{\"heartbeat_interval\":1000}");
  WAIT_UNTIL (f->reconnected == 1, 3000);
  g_test_assert_expected_messages ();

  /* One IDENTIFY on the new connection, which stays up. */
  test_run_for (200);
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 2), ==, 2);
  g_assert_cmpint (dgateway_mock_gateway_get_connection_close_code (f->mock, 2), ==, -1);
  g_assert_cmpuint (f->errors->len, ==, 1);
}

static void
test_resumed_before_ready (Fixture       *f,
                           gconstpointer  data)
{
  dgateway_mock_gateway_set_ignore_frames (f->mock, TRUE);
  dgateway_client_connect_async (f->client, NULL, connect_cb, f);
  WAIT_UNTIL (dgateway_mock_gateway_count_frames (f->mock, 2) == 1, 2000);

  /* No session was ever resumed here: RESUMED makes no sense. */
  dgateway_mock_gateway_send_raw (f->mock, "{\"op\":0,\"s\":1,\"t\":\"RESUMED\",\"d\":{}}");
  WAIT_UNTIL (f->errors->len == 1, 2000);
  g_assert_error (LOST_ERROR (f, 0), DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL);
  g_assert_false (f->connect_done);
  g_assert_cmpuint (count_events (f, "RESUMED"), ==, 0);

  dgateway_mock_gateway_set_ignore_frames (f->mock, FALSE);
  WAIT_UNTIL (f->connect_done, 3000);
  g_assert_no_error (f->connect_error);
  g_assert_cmpuint (count_events (f, "READY"), ==, 1);
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 6), ==, 0);
}

/* Rule 6: bad input is refused at the call, and nothing is sent. */

static void
test_send_refused (Fixture       *f,
                   gconstpointer  data)
{
  static const int refused[] = { 0, 1, 2, 5, 6, 7, 9, 10, 11, 99, -1 };
  g_autoptr(JsonNode) nan = json_node_init_double (json_node_alloc (), NAN);
  g_autoptr(JsonNode) bad_text = json_node_alloc ();
  g_autoptr(JsonNode) good = json_from_string ("{\"guild_ids\":[\"1100000000000000100\"]}", NULL);
  g_autoptr(JsonNode) deep = json_from_string ("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", NULL);
  g_autoptr(JsonNode) nested_nan = json_from_string ("{\"a\":[1,2]}", NULL);
  g_autoptr(GError) error = NULL;
  guint frames;

  json_node_init_string (bad_text, "caf\xc3");
  json_array_add_double_element (json_object_get_array_member (json_node_get_object (nested_nan), "a"), INFINITY);
  connect_client (f);
  /* Heartbeats go on meanwhile: count the rest. */
  frames = dgateway_mock_gateway_count_frames (f->mock, DGATEWAY_MOCK_GATEWAY_ANY_OP) -
           dgateway_mock_gateway_count_frames (f->mock, 1);

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_assert_false (dgateway_client_send (f->client, 0, refused[i], good, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }
  g_assert_false (dgateway_client_send (f->client, 0, 31, nan, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (dgateway_client_send (f->client, 0, 31, nested_nan, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (dgateway_client_send (f->client, 0, 31, bad_text, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (dgateway_client_send (f->client, 0, 31, deep, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* Nothing went out, and the connection is fine for a good command. */
  test_run_for (100);
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, DGATEWAY_MOCK_GATEWAY_ANY_OP) -
                    dgateway_mock_gateway_count_frames (f->mock, 1), ==, frames);
  g_assert_true (dgateway_client_send (f->client, 0, 31, good, &error));
  g_assert_no_error (error);
  WAIT_UNTIL (dgateway_mock_gateway_count_frames (f->mock, 31) == 1, 2000);
  g_assert_cmpuint (f->errors->len, ==, 0);
}

static void
test_bad_configuration_refused (Fixture       *f,
                                gconstpointer  data)
{
  g_autofree char *long_token = g_strnfill (300, 'x');
  const char *tokens[] = { "", long_token, "two words", "caf\xc3\xa9", "tab\there" };

  for (guint i = 0; i < G_N_ELEMENTS (tokens) + 1; i++)
    {
      g_autoptr(DGatewayClient) client = NULL;
      Fixture g = { 0 };

      if (i < G_N_ELEMENTS (tokens))
        client = dgateway_client_new (tokens[i], INTENTS);
      else
        client = dgateway_client_new (TEST_TOKEN, INTENTS | (1u << 30));
      dgateway_client_set_gateway_url (client, dgateway_mock_gateway_get_url (f->mock));
      dgateway_client_connect_async (client, NULL, connect_cb, &g);
      WAIT_UNTIL (g.connect_done, 2000);
      if (i < G_N_ELEMENTS (tokens))
        {
          g_assert_error (g.connect_error, DGATEWAY_ERROR, DGATEWAY_ERROR_AUTHENTICATION_FAILED);
          if (*tokens[i] != '\0')
            g_assert_null (strstr (g.connect_error->message, tokens[i]));
        }
      else
        g_assert_error (g.connect_error, DGATEWAY_ERROR, DGATEWAY_ERROR_INVALID_INTENTS);
      g_assert_cmpint (dgateway_client_get_state (client), ==, DGATEWAY_STATE_DISCONNECTED);
      g_clear_error (&g.connect_error);
    }

  /* Nothing reached the gateway. */
  test_run_for (50);
  g_assert_cmpuint (dgateway_mock_gateway_get_n_connections (f->mock), ==, 0);
}

#define ADD(path, func, compression) \
  g_test_add (path, Fixture, GINT_TO_POINTER (compression), fixture_setup, func, fixture_teardown)

int
main (int   argc,
      char *argv[])
{
  test_init (&argc, &argv);

  ADD ("/dgateway/sessions/long-outage", test_long_outage_resumes, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/sessions/transport-faults-while-resuming", test_transport_faults_while_resuming,
       DGATEWAY_COMPRESSION_ZSTD_STREAM);
  ADD ("/dgateway/sessions/gap", test_gap_resumes, DGATEWAY_COMPRESSION_ZLIB_STREAM);
  ADD ("/dgateway/sessions/second-hello", test_second_hello_while_identify_waits, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/sessions/resumed-before-ready", test_resumed_before_ready, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/sessions/send-refused", test_send_refused, DGATEWAY_COMPRESSION_NONE);
  ADD ("/dgateway/sessions/bad-configuration", test_bad_configuration_refused, DGATEWAY_COMPRESSION_NONE);

  return g_test_run ();
}
