/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What libdgateway-testing adds to the protocol the client tests exercise:
 * the guilds it holds (READY, GUILD_CREATE, GUILD_MEMBERS_CHUNK), closing
 * after N dispatches, the opcode helpers, its properties and its boxed
 * frames, and the dgateway-mock-gateway program's --rate-total stream;
 * against DGatewayClient, as its users run it, and under valgrind with the
 * rest of the 'gateway' suite. */

#include <dgateway/dgateway.h>
#include <dgateway-testing.h>

#include <signal.h>
#include <stdlib.h>

#define TIMEOUT_MS 10000

/* Iterates the default main context until cond holds; fails after
 * TIMEOUT_MS.  The fixture's tick wakes the loop to check the time. */
#define WAIT_UNTIL(cond)                                                      \
  G_STMT_START {                                                              \
    gint64 deadline_ = g_get_monotonic_time () + TIMEOUT_MS * 1000;           \
    while (!(cond))                                                           \
      {                                                                       \
        if (g_get_monotonic_time () > deadline_)                              \
          g_error ("timed out waiting for %s", #cond);                        \
        g_main_context_iteration (NULL, TRUE);                                \
      }                                                                       \
  } G_STMT_END

typedef struct {
  DGatewayMockGateway *mock;
  DGatewayClient      *client;
  GPtrArray           *events;  /* event names, in order */
  GPtrArray           *chunks;  /* GUILD_MEMBERS_CHUNK payloads as JSON */
  guint                resumed;
  guint                tick;
} Fixture;

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
dispatch_cb (DGatewayClient *client,
             DGatewayEvent  *event,
             Fixture        *f)
{
  g_ptr_array_add (f->events, g_strdup (dgateway_event_get_name (event)));
  if (g_str_equal (dgateway_event_get_name (event), "GUILD_MEMBERS_CHUNK"))
    g_ptr_array_add (f->chunks, dgateway_event_dup_data_json (event));
  return FALSE;
}

static void
reconnected_cb (DGatewayClient *client,
                DGatewayShard  *shard,
                gboolean        resumed,
                Fixture        *f)
{
  if (resumed)
    f->resumed++;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->mock = dgateway_mock_gateway_new (&error);
  g_assert_no_error (error);
  f->client = dgateway_client_new ("test-token", DGATEWAY_INTENTS_GUILDS | DGATEWAY_INTENTS_GUILD_MEMBERS);
  dgateway_client_set_gateway_url (f->client, dgateway_mock_gateway_get_url (f->mock));
  g_object_set (f->client, "reconnect-delay-min", 10u, "reconnect-delay-max", 20u, NULL);
  f->tick = g_timeout_add (100, tick_cb, NULL);
  f->events = g_ptr_array_new_with_free_func (g_free);
  f->chunks = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f->client, "dispatch", G_CALLBACK (dispatch_cb), f);
  g_signal_connect (f->client, "reconnected", G_CALLBACK (reconnected_cb), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_handle_id (&f->tick, g_source_remove);
  dgateway_client_close (f->client);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (f->client);
  g_assert_finalize_object (f->mock);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_ptr_array_unref (f->events);
  g_ptr_array_unref (f->chunks);
}

static void
connect_client (Fixture *f)
{
  dgateway_client_connect_async (f->client, NULL, NULL, NULL);
  WAIT_UNTIL (dgateway_client_get_state (f->client) == DGATEWAY_STATE_CONNECTED);
}

static guint
count_events (Fixture    *f,
              const char *name)
{
  guint n = 0;

  for (guint i = 0; i < f->events->len; i++)
    n += g_str_equal (g_ptr_array_index (f->events, i), name);
  return n;
}

static JsonObject *
parse_object (JsonParser *parser,
              const char *json)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static void
add_guild (Fixture *f,
           guint    index,
           guint    n_members)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *guild = dgateway_mock_gateway_build_guild_create (index, n_members, 2);

  g_assert_true (dgateway_mock_gateway_add_guild (f->mock, guild, &error));
  g_assert_no_error (error);
}

static void
test_guilds_after_ready (Fixture       *f,
                         gconstpointer  data)
{
  DGatewayMockFrame *identify;

  add_guild (f, 0, 3);
  add_guild (f, 1, 3);
  g_assert_cmpuint (dgateway_mock_gateway_get_n_guilds (f->mock), ==, 2);
  connect_client (f);
  WAIT_UNTIL (count_events (f, "GUILD_CREATE") == 2);
  g_assert_cmpstr (g_ptr_array_index (f->events, 0), ==, "READY");
  g_assert_cmpstr (g_ptr_array_index (f->events, 1), ==, "GUILD_CREATE");

  identify = dgateway_mock_gateway_get_last_frame (f->mock, 2);
  g_assert_nonnull (identify);
  g_assert_cmpint (dgateway_mock_frame_get_op (identify), ==, 2);
  g_assert_cmpuint (dgateway_mock_frame_get_connection (identify), ==, 1);
}

static void
test_members_chunk (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *guild_json = dgateway_mock_gateway_build_guild_create (0, 6, 2);
  g_autoptr(JsonParser) guild_parser = json_parser_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *guild_id;
  const char *const user_ids[] = { "1100000000000000001", "1100000000000000099", NULL };
  JsonObject *chunk;

  add_guild (f, 0, 6);
  guild_id = json_object_get_string_member (parse_object (guild_parser, guild_json), "id");
  connect_client (f);

  /* A query matches the start of usernames: user0 to user5 all match "user". */
  dgateway_client_request_guild_members (f->client, guild_id, "user", NULL, 4, TRUE, "a", &error);
  g_assert_no_error (error);
  WAIT_UNTIL (f->chunks->len == 1);
  chunk = parse_object (parser, g_ptr_array_index (f->chunks, 0));
  g_assert_cmpstr (json_object_get_string_member (chunk, "guild_id"), ==, guild_id);
  g_assert_cmpstr (json_object_get_string_member (chunk, "nonce"), ==, "a");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (chunk, "members")), ==, 4);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (chunk, "presences")), ==, 2);
  g_assert_cmpint (json_object_get_int_member (chunk, "chunk_count"), ==, 1);

  /* User ids: the one there is found, the other reported missing. */
  dgateway_client_request_guild_members (f->client, guild_id, NULL, user_ids, 0, FALSE, "b", &error);
  g_assert_no_error (error);
  WAIT_UNTIL (f->chunks->len == 2);
  chunk = parse_object (parser, g_ptr_array_index (f->chunks, 1));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (chunk, "members")), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (chunk, "not_found"), 0),
                   ==, "1100000000000000099");
  g_assert_false (json_object_has_member (chunk, "presences"));

  /* A guild it does not hold gets no answer, as before there were guilds. */
  dgateway_client_request_guild_members (f->client, "1", "", NULL, 0, FALSE, NULL, &error);
  g_assert_no_error (error);
  WAIT_UNTIL (dgateway_mock_gateway_count_frames (f->mock, 8) == 3);
  dgateway_mock_gateway_send_dispatch (f->mock, "MARK", "{}");
  WAIT_UNTIL (count_events (f, "MARK") == 1);
  g_assert_cmpuint (f->chunks->len, ==, 2);
}

static void
test_add_guild_errors (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (dgateway_mock_gateway_add_guild (f->mock, "{", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (dgateway_mock_gateway_add_guild (f->mock, "{\"name\":\"no id\"}", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_true (dgateway_mock_gateway_add_guild (f->mock, "{\"id\":\"5\"}", &error));
  g_assert_false (dgateway_mock_gateway_add_guild (f->mock, "{\"id\":\"5\"}", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_cmpuint (dgateway_mock_gateway_get_n_guilds (f->mock), ==, 1);
}

static void
test_close_after (Fixture       *f,
                  gconstpointer  data)
{
  dgateway_mock_gateway_set_close_after (f->mock, 3, 4000);
  dgateway_mock_gateway_set_auto_events (f->mock, 4);
  connect_client (f);
  /* READY and two messages, a close, then the rest after RESUMED. */
  WAIT_UNTIL (f->resumed == 1 && count_events (f, "MESSAGE_CREATE") == 4);
  g_assert_cmpint (dgateway_mock_gateway_get_connection_close_code (f->mock, 1), ==, 4000);
  g_assert_true (dgateway_mock_gateway_connection_on_resume_path (f->mock, 2));
  g_assert_cmpuint (count_events (f, "READY"), ==, 1);
}

static void
test_opcodes (Fixture       *f,
              gconstpointer  data)
{
  guint heartbeats;

  connect_client (f);
  heartbeats = dgateway_mock_gateway_count_frames (f->mock, 1);
  dgateway_mock_gateway_send_heartbeat_request (f->mock);
  WAIT_UNTIL (dgateway_mock_gateway_count_frames (f->mock, 1) == heartbeats + 1);

  dgateway_mock_gateway_send_reconnect (f->mock);
  WAIT_UNTIL (f->resumed == 1 && dgateway_client_get_state (f->client) == DGATEWAY_STATE_CONNECTED);

  dgateway_mock_gateway_send_invalid_session (f->mock, FALSE);
  WAIT_UNTIL (dgateway_mock_gateway_count_frames (f->mock, 2) == 2
              && dgateway_client_get_state (f->client) == DGATEWAY_STATE_CONNECTED);
  g_assert_cmpuint (count_events (f, "READY"), ==, 2);
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           guint      *count)
{
  (*count)++;
}

static void
test_properties (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *url = NULL;
  guint interval, n_notified = 0, n_connections_notified = 0;

  g_object_get (f->mock, "url", &url, "heartbeat-interval", &interval, NULL);
  g_assert_cmpstr (url, ==, dgateway_mock_gateway_get_url (f->mock));
  g_assert_cmpuint (interval, ==, 41250);

  g_signal_connect (f->mock, "notify::heartbeat-interval", G_CALLBACK (notify_cb), &n_notified);
  g_signal_connect (f->mock, "notify::n-connections", G_CALLBACK (notify_cb), &n_connections_notified);
  dgateway_mock_gateway_set_heartbeat_interval (f->mock, 500);
  dgateway_mock_gateway_set_heartbeat_interval (f->mock, 500);
  g_object_set (f->mock, "heartbeat-interval", 600, NULL);
  g_assert_cmpuint (dgateway_mock_gateway_get_heartbeat_interval (f->mock), ==, 600);
  g_assert_cmpuint (n_notified, ==, 2);

  g_object_set (f->mock, "ack-heartbeats", FALSE, "auto-events", 2, NULL);
  g_assert_false (dgateway_mock_gateway_get_ack_heartbeats (f->mock));
  g_assert_cmpuint (dgateway_mock_gateway_get_auto_events (f->mock), ==, 2);

  connect_client (f);
  g_assert_cmpuint (n_connections_notified, ==, 1);
  g_signal_handlers_disconnect_by_func (f->mock, notify_cb, &n_notified);
  g_signal_handlers_disconnect_by_func (f->mock, notify_cb, &n_connections_notified);
}

static void
frame_received_cb (DGatewayMockGateway  *mock,
                   DGatewayMockFrame    *frame,
                   DGatewayMockFrame   **copy)
{
  if (frame->op == 2 && *copy == NULL)
    *copy = g_boxed_copy (DGATEWAY_TYPE_MOCK_FRAME, frame);
}

static void
test_frames (Fixture       *f,
             gconstpointer  data)
{
  DGatewayMockFrame *copy = NULL;
  DGatewayMockFrame *identify;
  g_autofree char *d = NULL;

  g_signal_connect (f->mock, "frame-received", G_CALLBACK (frame_received_cb), &copy);
  connect_client (f);
  identify = dgateway_mock_gateway_get_last_frame (f->mock, 2);
  g_assert_nonnull (copy);
  g_assert_true (copy != identify);
  g_assert_cmpstr (dgateway_mock_frame_get_text (copy), ==, identify->text);
  g_assert_true (dgateway_mock_frame_get_d (copy) == identify->d);
  g_assert_cmpint (dgateway_mock_frame_get_time (copy), ==, identify->time);
  g_assert_false (dgateway_mock_frame_get_on_resume_path (copy));
  d = dgateway_mock_frame_dup_d_json (copy);
  g_assert_true (g_str_has_prefix (d, "{"));
  g_assert_cmpuint (dgateway_mock_gateway_get_frames (f->mock)->len, >=, 1);
  g_boxed_free (DGATEWAY_TYPE_MOCK_FRAME, copy);
  g_signal_handlers_disconnect_by_func (f->mock, frame_received_cb, &copy);
}

/* The program */

static gboolean
count_per_shard_cb (DGatewayClient *client,
                    DGatewayEvent  *event,
                    guint          *per_shard)
{
  per_shard[dgateway_event_get_shard_id (event)]++;
  return FALSE;
}

static gboolean
set_flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* --paused holds the --rate-total stream until SIGUSR2; then it goes to
 * every open connection in turn, so two shards get half each. */
static void
test_program_rate_total (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) mock = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(DGatewayClient) client = NULL;
  g_autoptr(DGatewayLocalIdentifyQueue) queue = NULL;
  g_autofree char *url = NULL;
  guint per_shard[2] = { 0, 0 };
  gboolean waited = FALSE;

  mock = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                           MOCK_GATEWAY_PATH, "--rate-total", "400", "--paused",
                           "--exit-on-stdin-eof", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (mock));
  url = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (url);

  client = dgateway_client_new ("test-token", DGATEWAY_INTENTS_GUILDS);
  queue = dgateway_local_identify_queue_new (2);
  dgateway_local_identify_queue_set_interval (queue, 0);
  g_object_set (client, "gateway-url", url, "shard-count", 2u, "identify-queue", queue, NULL);
  g_signal_connect (client, "dispatch::MESSAGE_CREATE", G_CALLBACK (count_per_shard_cb), per_shard);
  dgateway_client_connect_async (client, NULL, NULL, NULL);
  WAIT_UNTIL (dgateway_client_get_state (client) == DGATEWAY_STATE_CONNECTED);

  /* Paused, a 400 a second stream would have sent 40 events by now. */
  g_timeout_add (100, set_flag_cb, &waited);
  WAIT_UNTIL (waited);
  g_assert_cmpuint (per_shard[0] + per_shard[1], ==, 0);

  kill ((pid_t) atoi (g_subprocess_get_identifier (mock)), SIGUSR2);
  WAIT_UNTIL (per_shard[0] + per_shard[1] >= 40);
  g_assert_cmpuint (per_shard[0], >=, 15);
  g_assert_cmpuint (per_shard[1], >=, 15);

  dgateway_client_close (client);
  g_output_stream_close (g_subprocess_get_stdin_pipe (mock), NULL, NULL);
  g_subprocess_wait_check (mock, NULL, &error);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/testing/mock-gateway/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("guilds-after-ready", test_guilds_after_ready);
  ADD ("members-chunk", test_members_chunk);
  ADD ("add-guild-errors", test_add_guild_errors);
  ADD ("close-after", test_close_after);
  ADD ("opcodes", test_opcodes);
  ADD ("properties", test_properties);
  ADD ("frames", test_frames);
#undef ADD
  g_test_add_func ("/testing/mock-gateway/program/rate-total", test_program_rate_total);

  return g_test_run ();
}
