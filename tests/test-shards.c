/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Sharding against the mock gateway: automatic shard counts from
 * GET /gateway/bot, identify pacing per max_concurrency bucket, shard
 * ranges, custom identify queues, routing and re-sharding on 4011. */

#include "config.h"

#include "test-utils.h"

#include <string.h>

#define ADD(path, func) \
  g_test_add (path, Fixture, GINT_TO_POINTER (DGATEWAY_COMPRESSION_NONE), \
              fixture_setup, func, fixture_teardown)

static void
use_rest_discovery (Fixture *f,
                    guint    shards,
                    guint    max_concurrency)
{
  g_autofree char *body = g_strdup_printf ("{\"url\":\"%s\",\"shards\":%u,\"session_start_limit\":"
                                           "{\"total\":1000,\"remaining\":999,\"reset_after\":0,"
                                           "\"max_concurrency\":%u}}",
                                           dgateway_mock_gateway_get_url (f->mock), shards, max_concurrency);

  dgateway_mock_gateway_set_gateway_bot_response (f->mock, 200, body);
  dgateway_client_set_gateway_url (f->client, NULL);
  dgateway_client_set_api_url (f->client, dgateway_mock_gateway_get_api_url (f->mock));
}

static void
use_local_queue (Fixture *f,
                 guint    max_concurrency,
                 guint    interval_ms)
{
  g_autoptr(DGatewayLocalIdentifyQueue) queue = dgateway_local_identify_queue_new (max_concurrency);

  dgateway_local_identify_queue_set_interval (queue, interval_ms);
  dgateway_client_set_identify_queue (f->client, DGATEWAY_IDENTIFY_QUEUE (queue));
}

/* The IDENTIFY frame of shard @id, or NULL. */
static DGatewayMockFrame *
identify_of (Fixture *f,
             guint    id)
{
  GPtrArray *frames = dgateway_mock_gateway_get_frames (f->mock);

  for (guint i = 0; i < frames->len; i++)
    {
      DGatewayMockFrame *frame = frames->pdata[i];
      JsonObject *d;

      if (frame->op != 2)
        continue;
      d = json_node_get_object (frame->d);
      if (json_object_has_member (d, "shard") &&
          json_array_get_int_element (json_object_get_array_member (d, "shard"), 0) == id)
        return frame;
    }
  return NULL;
}

static void
assert_shard_array (Fixture *f,
                    guint    id,
                    guint    count)
{
  DGatewayMockFrame *frame = identify_of (f, id);
  JsonArray *shard;

  g_assert_nonnull (frame);
  shard = json_object_get_array_member (json_node_get_object (frame->d), "shard");
  g_assert_cmpint (json_array_get_int_element (shard, 1), ==, count);
}

static gint64
identify_gap_ms (Fixture *f,
                 guint    a,
                 guint    b)
{
  return (identify_of (f, b)->time - identify_of (f, a)->time) / 1000;
}

static void
test_automatic (Fixture       *f,
                gconstpointer  data)
{
  GListModel *shards = dgateway_client_get_shards (f->client);

  use_rest_discovery (f, 4, 2);
  use_local_queue (f, 2, 300);
  connect_client (f);

  g_assert_cmpuint (dgateway_mock_gateway_get_n_gateway_bot_requests (f->mock), ==, 1);
  g_assert_cmpuint (dgateway_mock_gateway_get_n_connections (f->mock), ==, 4);
  g_assert_cmpuint (g_list_model_get_n_items (shards), ==, 4);
  for (guint id = 0; id < 4; id++)
    {
      g_autoptr(DGatewayShard) shard = g_list_model_get_item (shards, id);

      assert_shard_array (f, id, 4);
      g_assert_cmpuint (dgateway_shard_get_shard_id (shard), ==, id);
      g_assert_cmpuint (dgateway_shard_get_shard_count (shard), ==, 4);
      g_assert_cmpint (dgateway_shard_get_state (shard), ==, DGATEWAY_STATE_CONNECTED);
    }

  /* Buckets 0 (shards 0, 2) and 1 (shards 1, 3): same bucket at least the
   * interval apart (in whichever order their HELLOs came), different
   * buckets together. */
  /* Measured where the mock receives them: under valgrind, which runs one
   * thread at a time, a frame waits longer for the I/O thread to send it. */
  g_assert_cmpint (ABS (identify_gap_ms (f, 0, 2)), >=, 300 - TEST_SLACK_MS (30, 150));
  g_assert_cmpint (ABS (identify_gap_ms (f, 1, 3)), >=, 300 - TEST_SLACK_MS (30, 150));
  g_assert_cmpint (ABS (identify_gap_ms (f, 0, 1)), <, TEST_SLACK_MS (150, 280));
  g_assert_cmpint (ABS (identify_gap_ms (f, 2, 3)), <, TEST_SLACK_MS (150, 280));
}

static void
test_real_interval (Fixture       *f,
                    gconstpointer  data)
{
  /* The default queue, built from GET /gateway/bot, at Discord's 5 s. */
  use_rest_discovery (f, 2, 1);
  dgateway_client_set_identify_queue (f->client, NULL);
  dgateway_client_connect_async (f->client, NULL, connect_cb, f);
  WAIT_UNTIL (f->connect_done, 10000);
  g_assert_no_error (f->connect_error);

  /* Whichever said HELLO first went first; the other waited 5 s. */
  g_assert_cmpint (ABS (identify_gap_ms (f, 0, 1)), >=, 5000 - TEST_SLACK_MS (30, 100));
  g_assert_cmpint (ABS (identify_gap_ms (f, 0, 1)), <, 6000);
}

static void
test_range (Fixture       *f,
            gconstpointer  data)
{
  GListModel *shards = dgateway_client_get_shards (f->client);

  dgateway_client_set_shard_count (f->client, 4);
  dgateway_client_set_shard_range (f->client, 2, 3);
  connect_client (f);

  g_assert_cmpuint (dgateway_mock_gateway_get_n_connections (f->mock), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (shards), ==, 2);
  assert_shard_array (f, 2, 4);
  assert_shard_array (f, 3, 4);
  g_assert_null (identify_of (f, 0));
  g_assert_null (identify_of (f, 1));
}

static void
test_range_invalid (Fixture       *f,
                    gconstpointer  data)
{
  dgateway_client_set_shard_count (f->client, 4);
  dgateway_client_set_shard_range (f->client, 2, 4);
  dgateway_client_connect_async (f->client, NULL, connect_cb, f);
  WAIT_UNTIL (f->connect_done, 2000);
  g_assert_error (f->connect_error, DGATEWAY_ERROR, DGATEWAY_ERROR_INVALID_SHARD);
  g_assert_cmpuint (dgateway_mock_gateway_get_n_connections (f->mock), ==, 0);
}

/* An identify queue of the test's own: grants only when told to. */

#define TEST_TYPE_QUEUE (test_queue_get_type ())
G_DECLARE_FINAL_TYPE (TestQueue, test_queue, TEST, QUEUE, GObject)

struct _TestQueue
{
  GObject parent_instance;
  GPtrArray *pending;   /* GTask, shard id in the task data */
  guint requests;
};

static void test_queue_iface_init (DGatewayIdentifyQueueInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestQueue, test_queue, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (DGATEWAY_TYPE_IDENTIFY_QUEUE, test_queue_iface_init))

static void
test_queue_request_async (DGatewayIdentifyQueue *queue,
                          guint                  shard_id,
                          GCancellable          *cancellable,
                          GAsyncReadyCallback    callback,
                          gpointer               user_data)
{
  TestQueue *self = TEST_QUEUE (queue);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_task_data (task, GUINT_TO_POINTER (shard_id), NULL);
  g_ptr_array_add (self->pending, task);
  self->requests++;
}

static gboolean
test_queue_request_finish (DGatewayIdentifyQueue  *queue,
                           GAsyncResult           *result,
                           GError                **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
test_queue_iface_init (DGatewayIdentifyQueueInterface *iface)
{
  iface->request_async = test_queue_request_async;
  iface->request_finish = test_queue_request_finish;
}

static void
test_queue_finalize (GObject *object)
{
  TestQueue *self = TEST_QUEUE (object);

  for (guint i = 0; i < self->pending->len; i++)
    g_task_return_boolean (self->pending->pdata[i], FALSE);
  g_ptr_array_unref (self->pending);
  G_OBJECT_CLASS (test_queue_parent_class)->finalize (object);
}

static void
test_queue_class_init (TestQueueClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_queue_finalize;
}

static void
test_queue_init (TestQueue *self)
{
  self->pending = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
test_queue_grant (TestQueue *self,
                  guint      shard_id)
{
  for (guint i = 0; i < self->pending->len; i++)
    {
      GTask *task = self->pending->pdata[i];

      if (GPOINTER_TO_UINT (g_task_get_task_data (task)) != shard_id)
        continue;
      g_task_return_boolean (task, TRUE);
      g_ptr_array_remove_index (self->pending, i);
      return;
    }
  g_assert_not_reached ();
}

static void
test_custom_queue (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(TestQueue) queue = g_object_new (TEST_TYPE_QUEUE, NULL);

  dgateway_client_set_shard_count (f->client, 2);
  dgateway_client_set_identify_queue (f->client, DGATEWAY_IDENTIFY_QUEUE (queue));
  dgateway_client_connect_async (f->client, NULL, connect_cb, f);
  WAIT_UNTIL (queue->requests == 2, 2000);

  /* Nobody identifies before the queue says so; then in its order. */
  test_run_for (100);
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 2), ==, 0);
  test_queue_grant (queue, 1);
  WAIT_UNTIL (identify_of (f, 1) != NULL, 2000);
  g_assert_null (identify_of (f, 0));
  test_queue_grant (queue, 0);
  WAIT_UNTIL (f->connect_done, 2000);
  g_assert_no_error (f->connect_error);

  /* A resume does not ask the queue. */
  dgateway_mock_gateway_drop_connection (f->mock, identify_of (f, 1)->connection);
  WAIT_UNTIL (f->resumed == 1, 3000);
  g_assert_cmpuint (queue->requests, ==, 2);

  /* A new session after op 9 does. */
  dgateway_mock_gateway_send_op_to (f->mock, identify_of (f, 0)->connection, 9, "false");
  WAIT_UNTIL (queue->requests == 3, 3000);
  test_queue_grant (queue, 0);
  WAIT_UNTIL (f->reconnected == 2, 3000);
}

/* The client's totals are its shards' counters added up, and each shard
 * counted something. */
static void
assert_totals (Fixture *f,
               guint    n)
{
  GListModel *shards = dgateway_client_get_shards (f->client);
  guint64 events = 0, bytes = 0, decompressed = 0, reconnects = 0;

  g_assert_cmpuint (g_list_model_get_n_items (shards), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DGatewayShard) shard = g_list_model_get_item (shards, i);

      g_assert_cmpuint (dgateway_shard_get_events_received (shard), >, 0);
      g_assert_cmpuint (dgateway_shard_get_reconnect_count (shard), ==, 1);
      events += dgateway_shard_get_events_received (shard);
      bytes += dgateway_shard_get_bytes_received (shard);
      decompressed += dgateway_shard_get_bytes_decompressed (shard);
      reconnects += dgateway_shard_get_reconnect_count (shard);
    }
  g_assert_cmpuint (dgateway_client_get_events_received (f->client), ==, events);
  g_assert_cmpuint (dgateway_client_get_bytes_received (f->client), ==, bytes);
  g_assert_cmpuint (dgateway_client_get_bytes_decompressed (f->client), ==, decompressed);
  g_assert_cmpuint (dgateway_client_get_reconnect_count (f->client), ==, reconnects);
}

/* A network blip drops every shard at once: they all resume without
 * asking the identify queue, and do not all come back in the same
 * millisecond. */
static void
test_all_drop (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(TestQueue) queue = g_object_new (TEST_TYPE_QUEUE, NULL);
  const guint n = 8;
  const guint delay_min = 500;
  gint64 first = G_MAXINT64, last = 0;

  /* A first-retry window wide enough that the handshakes of eight
   * shards at once (a few ms each) cannot pass for jitter. */
  dgateway_client_set_reconnect_delay_min (f->client, delay_min);
  dgateway_client_set_reconnect_delay_max (f->client, 4 * delay_min);
  dgateway_client_set_shard_count (f->client, n);
  dgateway_client_set_identify_queue (f->client, DGATEWAY_IDENTIFY_QUEUE (queue));
  dgateway_client_connect_async (f->client, NULL, connect_cb, f);
  WAIT_UNTIL (queue->requests == n, 2000);
  for (guint id = 0; id < n; id++)
    test_queue_grant (queue, id);
  WAIT_UNTIL (f->connect_done, 3000);
  g_assert_no_error (f->connect_error);

  for (guint i = 1; i <= n; i++)
    dgateway_mock_gateway_drop_connection (f->mock, i);
  WAIT_UNTIL (f->resumed == n, 2 * delay_min + 2000);
  g_assert_cmpuint (queue->requests, ==, n);
  g_assert_cmpint (dgateway_client_get_state (f->client), ==, DGATEWAY_STATE_CONNECTED);

  for (guint i = n + 1; i <= 2 * n; i++)
    {
      gint64 opened = dgateway_mock_gateway_get_connection_opened (f->mock, i);

      first = MIN (first, opened);
      last = MAX (last, opened);
    }
  /* The first retries draw from [delay_min, 2 × delay_min): eight draws
   * all within a fifth of that are a chance of about 1 in 12,000. Without
   * jitter they all wait delay_min and open within a few ms. */
  g_assert_cmpint (last - first, >=, delay_min / 5 * 1000);

  assert_totals (f, n);
}

/* A guild id that Discord routes to shard @shard of @count. */
static char *
guild_on_shard (guint shard,
                guint count)
{
  guint64 id = ((guint64) 1234567 << 22) + 17;

  while ((id >> 22) % count != shard)
    id += (guint64) 1 << 22;
  return g_strdup_printf ("%" G_GUINT64_FORMAT, id);
}

static void
test_routing (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *guild = guild_on_shard (3, 4);
  DGatewayMockFrame *request;

  dgateway_client_set_shard_count (f->client, 4);
  use_local_queue (f, 4, 0);
  connect_client (f);

  g_assert_true (dgateway_client_update_voice_state (f->client, guild, NULL, FALSE, FALSE, &error));
  g_assert_no_error (error);
  WAIT_UNTIL (dgateway_mock_gateway_count_frames (f->mock, 4) == 1, 2000);
  request = dgateway_mock_gateway_get_last_frame (f->mock, 4);
  g_assert_cmpuint (request->connection, ==, identify_of (f, 3)->connection);

  /* A presence goes to every shard. */
  {
    g_autoptr(DGatewayPresence) presence = dgateway_presence_new (DGATEWAY_STATUS_IDLE);

    g_assert_true (dgateway_client_update_presence (f->client, presence, &error));
    WAIT_UNTIL (dgateway_mock_gateway_count_frames (f->mock, 3) == 4, 2000);
  }
}

static void
test_one_shard_drops (Fixture       *f,
                      gconstpointer  data)
{
  GListModel *shards = dgateway_client_get_shards (f->client);
  guint connection;

  dgateway_client_set_shard_count (f->client, 3);
  use_local_queue (f, 3, 0);
  connect_client (f);
  connection = identify_of (f, 1)->connection;

  dgateway_mock_gateway_drop_connection (f->mock, connection);
  WAIT_UNTIL (f->errors->len == 1, 2000);
  g_assert_cmpint (dgateway_client_get_state (f->client), !=, DGATEWAY_STATE_CONNECTED);
  for (guint id = 0; id < 3; id += 2)
    {
      g_autoptr(DGatewayShard) shard = g_list_model_get_item (shards, id);

      g_assert_cmpint (dgateway_shard_get_state (shard), ==, DGATEWAY_STATE_CONNECTED);
    }

  WAIT_UNTIL (f->resumed == 1, 3000);
  g_assert_cmpint (dgateway_client_get_state (f->client), ==, DGATEWAY_STATE_CONNECTED);
  g_assert_cmpuint (dgateway_mock_gateway_get_n_connections (f->mock), ==, 4);
  g_assert_true (dgateway_mock_gateway_connection_on_resume_path (f->mock, 4));

  /* Events say which shard they came from. */
  dgateway_mock_gateway_send_dispatch_to (f->mock, identify_of (f, 2)->connection, "TYPING_START", "{}");
  WAIT_UNTIL (count_events (f, "TYPING_START") == 1, 2000);
  for (guint i = 0; i < f->events->len; i++)
    if (g_strcmp0 (dgateway_event_get_name (f->events->pdata[i]), "TYPING_START") == 0)
      g_assert_cmpuint (dgateway_event_get_shard_id (f->events->pdata[i]), ==, 2);
}

static void
test_rest_unauthorized (Fixture       *f,
                        gconstpointer  data)
{
  use_rest_discovery (f, 1, 1);
  dgateway_mock_gateway_set_gateway_bot_response (f->mock, 0, NULL);
  dgateway_mock_gateway_set_token (f->mock, "another-token");
  dgateway_client_connect_async (f->client, NULL, connect_cb, f);
  WAIT_UNTIL (f->connect_done, 3000);
  g_assert_error (f->connect_error, DGATEWAY_ERROR, DGATEWAY_ERROR_AUTHENTICATION_FAILED);
  g_assert_null (strstr (f->connect_error->message, TEST_TOKEN));
  g_assert_cmpuint (dgateway_mock_gateway_get_n_connections (f->mock), ==, 0);
}

static void
test_rest_rate_limited (Fixture       *f,
                        gconstpointer  data)
{
  gint64 first;

  use_rest_discovery (f, 1, 1);
  dgateway_mock_gateway_set_gateway_bot_response (f->mock, 429, "{\"message\":\"You are being rate limited.\","
                                                       "\"retry_after\":0.3,\"global\":false}");
  dgateway_client_connect_async (f->client, NULL, connect_cb, f);
  WAIT_UNTIL (dgateway_mock_gateway_get_n_gateway_bot_requests (f->mock) == 1, 2000);
  first = g_get_monotonic_time ();
  dgateway_mock_gateway_set_gateway_bot_response (f->mock, 0, NULL);

  WAIT_UNTIL (f->connect_done, 3000);
  g_assert_no_error (f->connect_error);
  g_assert_cmpuint (dgateway_mock_gateway_get_n_gateway_bot_requests (f->mock), ==, 2);
  /* The retry waited what retry_after said. */
  g_assert_cmpint (g_get_monotonic_time () - first, >=, 280 * 1000);
}

static void
test_rest_error (Fixture       *f,
                 gconstpointer  data)
{
  use_rest_discovery (f, 1, 1);
  dgateway_mock_gateway_set_gateway_bot_response (f->mock, 502, "{}");
  dgateway_client_connect_async (f->client, NULL, connect_cb, f);
  WAIT_UNTIL (f->connect_done, 3000);
  g_assert_error (f->connect_error, DGATEWAY_ERROR, DGATEWAY_ERROR_CONNECTION);
  g_assert_nonnull (strstr (f->connect_error->message, "502"));
}

static void
test_reshard (Fixture       *f,
              gconstpointer  data)
{
  use_rest_discovery (f, 1, 1);
  dgateway_mock_gateway_set_gateway_bot_response (f->mock, 0, NULL);
  dgateway_mock_gateway_set_recommended_shards (f->mock, 1);
  connect_client (f);
  g_assert_cmpuint (g_list_model_get_n_items (dgateway_client_get_shards (f->client)), ==, 1);

  /* The bot outgrew one session: Discord now recommends two shards. */
  dgateway_mock_gateway_set_recommended_shards (f->mock, 2);
  dgateway_mock_gateway_close (f->mock, 4011, NULL);
  WAIT_UNTIL (g_list_model_get_n_items (dgateway_client_get_shards (f->client)) == 2 &&
              dgateway_client_get_state (f->client) == DGATEWAY_STATE_CONNECTED, 5000);
  g_assert_cmpuint (dgateway_mock_gateway_get_n_gateway_bot_requests (f->mock), ==, 2);
  assert_shard_array (f, 0, 2);
  assert_shard_array (f, 1, 2);
}

static void
test_reshard_fixed_count_is_fatal (Fixture       *f,
                                   gconstpointer  data)
{
  dgateway_client_set_shard_count (f->client, 1);
  connect_client (f);
  dgateway_mock_gateway_close (f->mock, 4011, NULL);
  WAIT_UNTIL (dgateway_client_get_state (f->client) == DGATEWAY_STATE_FAILED, 2000);
  test_run_for (DELAY_MAX * 2);
  g_assert_cmpuint (dgateway_mock_gateway_get_n_connections (f->mock), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  test_init (&argc, &argv);

  ADD ("/dgateway/shards/automatic", test_automatic);
  ADD ("/dgateway/shards/real-interval", test_real_interval);
  ADD ("/dgateway/shards/range", test_range);
  ADD ("/dgateway/shards/range-invalid", test_range_invalid);
  ADD ("/dgateway/shards/custom-queue", test_custom_queue);
  ADD ("/dgateway/shards/routing", test_routing);
  ADD ("/dgateway/shards/one-drops", test_one_shard_drops);
  ADD ("/dgateway/shards/all-drop", test_all_drop);
  ADD ("/dgateway/shards/rest-unauthorized", test_rest_unauthorized);
  ADD ("/dgateway/shards/rest-rate-limited", test_rest_rate_limited);
  ADD ("/dgateway/shards/rest-error", test_rest_error);
  ADD ("/dgateway/shards/reshard", test_reshard);
  ADD ("/dgateway/shards/reshard-fixed-count", test_reshard_fixed_count_is_fatal);

  return g_test_run ();
}
