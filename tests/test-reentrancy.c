/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What applications do inside their handlers: drop the last reference to
 * the client, close it, connect it again, change a setting, cancel. Each
 * test drives the mock gateway to the moment the handler runs and checks
 * what the application saw and what went over the wire afterwards; run
 * under valgrind in CI, they also prove that nothing is used after it was
 * freed. */

#include "config.h"

#include "test-utils.h"

#include <string.h>

typedef struct {
  Fixture base;
  gpointer weak_client;       /* NULL once the client finalized */
  guint calls;                /* how often the handler under test ran */
  guint typed_calls;
  gboolean second_done;
  GError *second_error;
  DGatewayState target;       /* the state a notify handler acts on */
  GCancellable *cancellable;
  guint events_at_callback;
} ReFixture;

static void
re_setup (ReFixture     *f,
          gconstpointer  data)
{
  fixture_setup (&f->base, data);
  f->weak_client = f->base.client;
  g_object_add_weak_pointer (G_OBJECT (f->base.client), &f->weak_client);
}

static void
re_teardown (ReFixture     *f,
             gconstpointer  data)
{
  if (f->weak_client != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (f->weak_client), &f->weak_client);
      fixture_teardown (&f->base, data);
    }
  else
    {
      /* The test let go of the client: tear down the rest. */
      test_run_for (50);
      g_clear_object (&f->base.mock);
      g_ptr_array_unref (f->base.events);
      g_ptr_array_unref (f->base.errors);
      g_array_unref (f->base.lost_times);
      g_clear_error (&f->base.connect_error);
      g_assert_false (test_log_saw_token ());
    }
  g_clear_error (&f->second_error);
  g_clear_object (&f->cancellable);
}

/* The fixture's client without the fixture's reference: the test's
 * handlers drop the only one the application holds. */
static DGatewayClient *
give_up_client (ReFixture *f)
{
  return g_steal_pointer (&f->base.client);
}

static void
typed_message_cb (DGatewayClient *client,
                  DGatewayObject *message,
                  ReFixture      *f)
{
  f->typed_calls++;
}

/* 1. A dispatch handler drops the last reference. */

static gboolean
unref_in_dispatch_cb (DGatewayClient *client,
                      DGatewayEvent  *event,
                      ReFixture      *f)
{
  f->calls++;
  g_object_unref (client);
  /* The emission is not over: the client is still there. */
  g_assert_nonnull (f->weak_client);
  return FALSE;
}

static void
test_unref_in_dispatch (ReFixture     *f,
                        gconstpointer  data)
{
  connect_client (&f->base);
  g_signal_connect (f->base.client, "dispatch::MESSAGE_CREATE",
                    G_CALLBACK (unref_in_dispatch_cb), f);
  g_signal_connect (f->base.client, "message-create", G_CALLBACK (typed_message_cb), f);
  give_up_client (f);

  dgateway_mock_gateway_send_messages (f->base.mock, 3);
  WAIT_UNTIL (f->weak_client == NULL, 2000);

  /* Nothing after the emission that let go: not the typed signal of that
   * event, not the two events after it. */
  test_run_for (100);
  g_assert_cmpuint (f->calls, ==, 1);
  g_assert_cmpuint (f->typed_calls, ==, 0);
  /* A client dropped without close() leaves its session resumable. */
  WAIT_UNTIL (dgateway_mock_gateway_get_connection_close_code (f->base.mock, 1) != -1, 2000);
  g_assert_cmpint (dgateway_mock_gateway_get_connection_close_code (f->base.mock, 1), ==, 4000);
}

/* 2. A connection-lost handler drops the last reference. */

static void
unref_in_lost_cb (DGatewayClient *client,
                  DGatewayShard  *shard,
                  const GError   *error,
                  ReFixture      *f)
{
  f->calls++;
  g_object_unref (client);
  g_assert_nonnull (f->weak_client);
  g_assert_true (DGATEWAY_IS_SHARD (shard));
}

static void
test_unref_in_connection_lost (ReFixture     *f,
                               gconstpointer  data)
{
  connect_client (&f->base);
  g_signal_connect (f->base.client, "connection-lost", G_CALLBACK (unref_in_lost_cb), f);
  give_up_client (f);

  dgateway_mock_gateway_drop (f->base.mock);
  WAIT_UNTIL (f->weak_client == NULL, 2000);

  /* No reconnection from a client that is gone. */
  test_run_for (DELAY_MAX * 2);
  g_assert_cmpuint (f->calls, ==, 1);
  g_assert_cmpuint (dgateway_mock_gateway_get_n_connections (f->base.mock), ==, 1);
}

/* 3. The connect_async() callback drops the last reference. */

static void
unref_in_connect_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data)
{
  ReFixture *f = data;
  g_autoptr(GError) error = NULL;

  g_assert_true (dgateway_client_connect_finish (DGATEWAY_CLIENT (source), result, &error));
  g_assert_no_error (error);
  /* The callback runs from the main loop, after READY was delivered. */
  f->events_at_callback = count_events (&f->base, "READY");
  f->calls++;
  g_object_unref (source);
}

static void
test_unref_in_connect_callback (ReFixture     *f,
                                gconstpointer  data)
{
  dgateway_mock_gateway_set_auto_events (f->base.mock, 5);
  dgateway_client_connect_async (give_up_client (f), NULL, unref_in_connect_cb, f);
  WAIT_UNTIL (f->weak_client == NULL, 3000);
  g_assert_cmpuint (f->calls, ==, 1);
  g_assert_cmpuint (f->events_at_callback, ==, 1);
  test_run_for (100);
}

/* 4. A connection-lost handler that sees FAILED connects again. */

static void
second_connect_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  ReFixture *f = data;

  dgateway_client_connect_finish (DGATEWAY_CLIENT (source), result, &f->second_error);
  f->second_done = TRUE;
}

static void
reconnect_on_failed_cb (DGatewayClient *client,
                        DGatewayShard  *shard,
                        const GError   *error,
                        ReFixture      *f)
{
  if (dgateway_client_get_state (client) != DGATEWAY_STATE_FAILED || f->calls++ > 0)
    return;

  g_assert_error (error, DGATEWAY_ERROR, DGATEWAY_ERROR_AUTHENTICATION_FAILED);
  g_assert_cmpint (dgateway_shard_get_state (shard), ==, DGATEWAY_STATE_FAILED);
  /* The operator fixed the token; the application tries again. */
  dgateway_mock_gateway_set_token (f->base.mock, TEST_TOKEN);
  dgateway_client_connect_async (client, NULL, second_connect_cb, f);
}

static void
test_connect_in_connection_lost (ReFixture     *f,
                                 gconstpointer  data)
{
  dgateway_mock_gateway_set_token (f->base.mock, "another-token");
  g_signal_connect (f->base.client, "connection-lost", G_CALLBACK (reconnect_on_failed_cb), f);
  dgateway_client_connect_async (f->base.client, NULL, connect_cb, &f->base);

  WAIT_UNTIL (f->base.connect_done && f->second_done, 5000);
  g_assert_error (f->base.connect_error, DGATEWAY_ERROR, DGATEWAY_ERROR_AUTHENTICATION_FAILED);
  g_assert_no_error (f->second_error);
  g_assert_cmpint (dgateway_client_get_state (f->base.client), ==, DGATEWAY_STATE_CONNECTED);
  g_assert_cmpuint (dgateway_mock_gateway_get_n_connections (f->base.mock), ==, 2);
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->base.mock, 2), ==, 2);

  /* And it stays up. */
  test_run_for (DELAY_MAX);
  g_assert_cmpint (dgateway_client_get_state (f->base.client), ==, DGATEWAY_STATE_CONNECTED);
  g_assert_cmpuint (dgateway_mock_gateway_get_n_connections (f->base.mock), ==, 2);
}

/* 5. Closing from a connection-lost handler sticks. */

static void
close_in_lost_cb (DGatewayClient *client,
                  DGatewayShard  *shard,
                  const GError   *error,
                  ReFixture      *f)
{
  f->calls++;
  dgateway_client_close (client);
  g_assert_cmpint (dgateway_client_get_state (client), ==, DGATEWAY_STATE_DISCONNECTED);
}

static void
test_close_in_connection_lost (ReFixture     *f,
                               gconstpointer  data)
{
  connect_client (&f->base);
  g_signal_connect (f->base.client, "connection-lost", G_CALLBACK (close_in_lost_cb), f);

  dgateway_mock_gateway_drop (f->base.mock);
  WAIT_UNTIL (f->calls == 1, 2000);
  test_run_for (DELAY_MAX * 2);

  g_assert_cmpint (dgateway_client_get_state (f->base.client), ==, DGATEWAY_STATE_DISCONNECTED);
  g_assert_cmpuint (dgateway_mock_gateway_get_n_connections (f->base.mock), ==, 1);
  g_assert_cmpuint (f->base.reconnected, ==, 0);
  g_assert_cmpuint (f->calls, ==, 1);
}

/* 6. Connecting from notify::state while close() runs. */

static void
connect_on_disconnected_cb (GObject    *object,
                            GParamSpec *pspec,
                            ReFixture  *f)
{
  DGatewayClient *client = DGATEWAY_CLIENT (object);

  if (dgateway_client_get_state (client) != DGATEWAY_STATE_DISCONNECTED || f->calls++ > 0)
    return;
  dgateway_client_connect_async (client, NULL, second_connect_cb, f);
}

static void
test_connect_in_notify_during_close (ReFixture     *f,
                                     gconstpointer  data)
{
  connect_client (&f->base);
  g_signal_connect (f->base.client, "notify::state", G_CALLBACK (connect_on_disconnected_cb), f);

  dgateway_client_close (f->base.client);
  WAIT_UNTIL (f->second_done, 3000);
  g_assert_no_error (f->second_error);
  g_assert_cmpint (dgateway_client_get_state (f->base.client), ==, DGATEWAY_STATE_CONNECTED);
  g_assert_cmpuint (dgateway_mock_gateway_get_n_connections (f->base.mock), ==, 2);
  /* The first connection ended its session; the second started one. */
  g_assert_cmpint (dgateway_mock_gateway_get_connection_close_code (f->base.mock, 1), ==, 1000);
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->base.mock, 2), ==, 2);
}

/* 7. Settings changed while a connection is being made. */

/* The mock accepted the WebSocket and has not sent HELLO yet: the client
 * is in the middle of making its connection. */
static void
change_settings_cb (DGatewayMockGateway *mock,
                    guint        index,
                    ReFixture   *f)
{
  DGatewayClient *client = f->base.client;
  g_autoptr(DGatewayPresence) presence = NULL;

  if (f->calls++ > 0)
    return;
  g_assert_cmpint (dgateway_client_get_state (client), ==, DGATEWAY_STATE_CONNECTING);

  presence = dgateway_presence_new (DGATEWAY_STATUS_DND);
  dgateway_client_set_compression (client, DGATEWAY_COMPRESSION_ZSTD_STREAM);
  dgateway_client_set_intents (client, DGATEWAY_INTENTS_GUILDS);
  dgateway_client_set_presence (client, presence);
  dgateway_client_set_large_threshold (client, 250);
  dgateway_client_set_max_payload_size (client, 4096);
  dgateway_client_set_reconnect_delay_min (client, 1);
  dgateway_client_set_reconnect_delay_max (client, 2);
}

static void
test_settings_snapshot (ReFixture     *f,
                        gconstpointer  data)
{
  g_autofree char *big = NULL;
  GString *text = g_string_new ("{\"content\":\"");
  JsonObject *identify;

  g_signal_connect (f->base.mock, "connection-opened", G_CALLBACK (change_settings_cb), f);
  connect_client (&f->base);
  g_assert_cmpuint (f->calls, >=, 1);

  /* The first connection is the one that was being made: uncompressed,
   * identified with what was set when it started. */
  g_assert_cmpstr (dgateway_mock_gateway_get_connection_query (f->base.mock, 1), ==, "v=10&encoding=json");
  identify = json_node_get_object (dgateway_mock_gateway_get_last_frame (f->base.mock, 2)->d);
  g_assert_cmpint (json_object_get_int_member (identify, "intents"), ==, INTENTS);
  g_assert_cmpint (json_object_get_int_member (identify, "large_threshold"), ==, 50);
  g_assert_false (json_object_has_member (identify, "presence"));

  /* Its payload cap is the old one too: a 10 kB event still arrives. */
  for (guint i = 0; i < 10000; i++)
    g_string_append_c (text, 'x');
  g_string_append (text, "\"}");
  big = g_string_free (text, FALSE);
  dgateway_mock_gateway_send_dispatch (f->base.mock, "BIG_EVENT", big);
  WAIT_UNTIL (count_events (&f->base, "BIG_EVENT") == 1, 2000);
  g_assert_cmpuint (f->base.errors->len, ==, 0);

  /* The next connection resumes with the new compression, after the new
   * (tiny) backoff, and events flow on it. */
  dgateway_mock_gateway_drop (f->base.mock);
  WAIT_UNTIL (f->base.resumed == 1, 2000);
  g_assert_cmpstr (dgateway_mock_gateway_get_connection_query (f->base.mock, 2), ==,
                   "v=10&encoding=json&compress=zstd-stream");
  g_assert_cmpint (g_array_index (f->base.lost_times, gint64, 0) / 1000 + 100, >=,
                   dgateway_mock_gateway_get_connection_opened (f->base.mock, 2) / 1000);
  dgateway_mock_gateway_send_messages (f->base.mock, 2);
  WAIT_UNTIL (count_events (&f->base, "MESSAGE_CREATE") == 2, 2000);

  /* A new session identifies with the new intents and presence. */
  dgateway_mock_gateway_send_op (f->base.mock, 9, "false");
  WAIT_UNTIL (dgateway_mock_gateway_count_frames (f->base.mock, 2) == 2, 3000);
  identify = json_node_get_object (dgateway_mock_gateway_get_last_frame (f->base.mock, 2)->d);
  g_assert_cmpint (json_object_get_int_member (identify, "intents"), ==, DGATEWAY_INTENTS_GUILDS);
  g_assert_cmpint (json_object_get_int_member (identify, "large_threshold"), ==, 250);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (identify, "presence"),
                                                  "status"), ==, "dnd");
}

/* 8. A wait in the identify queue cancelled by close(). */

static void
test_identify_wait_cancelled (ReFixture     *f,
                              gconstpointer  data)
{
  g_autoptr(DGatewayLocalIdentifyQueue) queue = dgateway_local_identify_queue_new (1);
  GListModel *shards = dgateway_client_get_shards (f->base.client);
  gpointer weak_shards[4];
  gint64 first, last;
  const guint interval = 500;

  dgateway_local_identify_queue_set_interval (queue, interval);
  dgateway_client_set_identify_queue (f->base.client, DGATEWAY_IDENTIFY_QUEUE (queue));
  dgateway_client_set_shard_count (f->base.client, 4);
  dgateway_client_connect_async (f->base.client, NULL, connect_cb, &f->base);

  /* Shard 0 identified; 1, 2 and 3 wait in the queue. */
  WAIT_UNTIL (dgateway_mock_gateway_count_frames (f->base.mock, 2) == 1, 2000);
  first = dgateway_mock_gateway_get_last_frame (f->base.mock, 2)->time;
  g_assert_cmpuint (g_list_model_get_n_items (shards), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(GObject) shard = g_list_model_get_item (shards, i);

      weak_shards[i] = shard;
      g_object_add_weak_pointer (shard, &weak_shards[i]);
    }

  dgateway_client_close (f->base.client);
  WAIT_UNTIL (f->base.connect_done, 1000);
  f->base.connect_done = FALSE;
  g_clear_error (&f->base.connect_error);
  connect_client (&f->base);

  /* The old shards hold nothing any more, so nothing holds them: not a
   * queue slot waiting for its time. */
  test_run_for (50);
  for (guint i = 0; i < 4; i++)
    g_assert_null (weak_shards[i]);

  /* The four new IDENTIFYs took the next four slots of the bucket, not
   * slots behind the three that were cancelled. */
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->base.mock, 2), ==, 5);
  last = dgateway_mock_gateway_get_last_frame (f->base.mock, 2)->time;
  g_assert_cmpint ((last - first) / 1000, >=, 4 * interval - 20);
  g_assert_cmpint ((last - first) / 1000, <, 4 * interval + TEST_SLACK_MS (250, 400));
}

/* 10. Closing from notify::state while connecting or reconnecting. */

static void
close_on_target_state_cb (GObject    *object,
                          GParamSpec *pspec,
                          ReFixture  *f)
{
  DGatewayClient *client = DGATEWAY_CLIENT (object);

  if (dgateway_client_get_state (client) != f->target || f->calls > 0)
    return;
  /* Only on a reconnection, when the test asks for one. */
  if (f->target != DGATEWAY_STATE_RECONNECTING && f->base.errors->len == 0 &&
      GPOINTER_TO_INT (g_object_get_data (object, "on-reconnect")))
    return;

  f->calls++;
  dgateway_client_close (client);
}

static void
check_close_at (ReFixture     *f,
                DGatewayState  target,
                gboolean       on_reconnect)
{
  f->target = target;
  g_object_set_data (G_OBJECT (f->base.client), "on-reconnect", GINT_TO_POINTER (on_reconnect));
  g_signal_connect (f->base.client, "notify::state", G_CALLBACK (close_on_target_state_cb), f);

  if (on_reconnect)
    {
      connect_client (&f->base);
      dgateway_mock_gateway_drop (f->base.mock);
    }
  else
    dgateway_client_connect_async (f->base.client, NULL, connect_cb, &f->base);

  WAIT_UNTIL (f->calls == 1, 3000);
  test_run_for (DELAY_MAX * 2);
  g_assert_cmpint (dgateway_client_get_state (f->base.client), ==, DGATEWAY_STATE_DISCONNECTED);
  g_assert_cmpuint (dgateway_mock_gateway_get_n_connections (f->base.mock), ==, on_reconnect ? 1 : 0);
  g_assert_cmpuint (dgateway_mock_gateway_get_n_open_connections (f->base.mock), ==, 0);
  if (!on_reconnect)
    {
      g_assert_true (f->base.connect_done);
      g_assert_error (f->base.connect_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    }
}

static void
test_close_in_notify_connecting (ReFixture     *f,
                                 gconstpointer  data)
{
  check_close_at (f, DGATEWAY_STATE_CONNECTING, FALSE);
}

static void
test_close_in_notify_reconnecting (ReFixture     *f,
                                   gconstpointer  data)
{
  check_close_at (f, DGATEWAY_STATE_RECONNECTING, TRUE);
}

static void
test_close_in_notify_connecting_again (ReFixture     *f,
                                       gconstpointer  data)
{
  check_close_at (f, DGATEWAY_STATE_CONNECTING, TRUE);
}

/* 11. Cancelling while IDENTIFYING, and closing in the connect callback. */

static void
cancel_on_identifying_cb (GObject    *object,
                          GParamSpec *pspec,
                          ReFixture  *f)
{
  if (dgateway_client_get_state (DGATEWAY_CLIENT (object)) == DGATEWAY_STATE_IDENTIFYING)
    g_cancellable_cancel (f->cancellable);
}

static void
test_cancel_while_identifying (ReFixture     *f,
                               gconstpointer  data)
{
  f->cancellable = g_cancellable_new ();
  g_signal_connect (f->base.client, "notify::state", G_CALLBACK (cancel_on_identifying_cb), f);
  dgateway_client_connect_async (f->base.client, f->cancellable, connect_cb, &f->base);

  WAIT_UNTIL (f->base.connect_done, 3000);
  g_assert_error (f->base.connect_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (dgateway_client_get_state (f->base.client), ==, DGATEWAY_STATE_DISCONNECTED);
  test_run_for (DELAY_MAX);
  g_assert_cmpint (dgateway_client_get_state (f->base.client), ==, DGATEWAY_STATE_DISCONNECTED);
  WAIT_UNTIL (dgateway_mock_gateway_get_n_open_connections (f->base.mock) == 0, 2000);
  g_assert_cmpuint (dgateway_mock_gateway_get_n_connections (f->base.mock), ==, 1);
}

static void
close_in_connect_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data)
{
  ReFixture *f = data;

  g_assert_true (dgateway_client_connect_finish (DGATEWAY_CLIENT (source), result, NULL));
  f->events_at_callback = f->base.events->len;
  dgateway_client_close (DGATEWAY_CLIENT (source));
  f->calls++;
}

static void
test_close_in_connect_callback (ReFixture     *f,
                                gconstpointer  data)
{
  dgateway_mock_gateway_set_auto_events (f->base.mock, 3);
  dgateway_client_connect_async (f->base.client, NULL, close_in_connect_cb, f);
  WAIT_UNTIL (f->calls == 1, 3000);
  test_run_for (100);

  /* READY came before the callback; nothing came after the close. */
  g_assert_cmpuint (f->events_at_callback, >=, 1);
  g_assert_cmpstr (dgateway_event_get_name (f->base.events->pdata[0]), ==, "READY");
  g_assert_cmpuint (f->base.events->len, ==, f->events_at_callback);
  g_assert_cmpint (dgateway_client_get_state (f->base.client), ==, DGATEWAY_STATE_DISCONNECTED);
}

#define ADD(path, func) \
  g_test_add (path, ReFixture, GINT_TO_POINTER (DGATEWAY_COMPRESSION_NONE), \
              re_setup, func, re_teardown)
#define ADD_ZSTD(path, func) \
  g_test_add (path, ReFixture, GINT_TO_POINTER (DGATEWAY_COMPRESSION_ZSTD_STREAM), \
              re_setup, func, re_teardown)

int
main (int   argc,
      char *argv[])
{
  test_init (&argc, &argv);

  ADD_ZSTD ("/dgateway/reentrancy/unref-in-dispatch", test_unref_in_dispatch);
  ADD ("/dgateway/reentrancy/unref-in-connection-lost", test_unref_in_connection_lost);
  ADD ("/dgateway/reentrancy/unref-in-connect-callback", test_unref_in_connect_callback);
  ADD ("/dgateway/reentrancy/connect-in-connection-lost", test_connect_in_connection_lost);
  ADD ("/dgateway/reentrancy/close-in-connection-lost", test_close_in_connection_lost);
  ADD ("/dgateway/reentrancy/connect-in-notify-during-close", test_connect_in_notify_during_close);
  ADD ("/dgateway/reentrancy/settings-snapshot", test_settings_snapshot);
  ADD ("/dgateway/reentrancy/identify-wait-cancelled", test_identify_wait_cancelled);
  ADD ("/dgateway/reentrancy/close-in-notify/connecting", test_close_in_notify_connecting);
  ADD ("/dgateway/reentrancy/close-in-notify/reconnecting", test_close_in_notify_reconnecting);
  ADD ("/dgateway/reentrancy/close-in-notify/connecting-again", test_close_in_notify_connecting_again);
  ADD ("/dgateway/reentrancy/cancel-while-identifying", test_cancel_while_identifying);
  ADD ("/dgateway/reentrancy/close-in-connect-callback", test_close_in_connect_callback);

  return g_test_run ();
}
