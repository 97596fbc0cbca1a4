/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The I/O thread (DGatewayClient:io-thread): where the sockets are read and
 * where handlers run, how much waits for a slow application, and what
 * handlers may do to the client while the thread waits for them. */

#include "test-utils.h"
#include "dgateway-worker-private.h"

#include <string.h>

#define IO_THREAD_NAME "dgateway-io"
#define SMALL_ROOM     4096

/* The threads of this process named as the client names its I/O thread. */
static guint
count_io_threads_now (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *task;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((task = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/task", task, "comm", NULL);
      g_autofree char *name = NULL;

      if (g_file_get_contents (path, &name, NULL, NULL) &&
          g_str_equal (g_strstrip (name), IO_THREAD_NAME))
        n++;
    }
  return n;
}

/* The count once it is @expected, or after two seconds: the kernel lists
 * a thread in /proc for a moment after pthread_join() returned, longer on
 * a loaded machine. */
static guint
wait_io_threads (guint expected)
{
  guint n = count_io_threads_now ();

  for (guint tries = 0; n != expected && tries < 200; tries++)
    {
      g_usleep (10 * 1000);
      n = count_io_threads_now ();
    }
  return n;
}

typedef struct {
  Fixture *f;
  GThread *handler_thread;
  guint messages;
  gint64 last_sequence;
  gboolean in_order;
  guint stall_at;            /* the message whose handler blocks the main loop */
  guint stall_ms;
  guint switch_at;           /* the message whose handler turns io-thread off */
  gboolean drop_client;      /* the stalled handler drops the last reference */
} Watch;

/* Every event, in order: no gap, no repeat. */
static gboolean
sequence_cb (DGatewayClient *client,
             DGatewayEvent  *event,
             Watch          *w)
{
  gint64 sequence = dgateway_event_get_sequence (event);

  if (sequence < 0)
    return FALSE;
  if (w->last_sequence >= 0 && sequence != w->last_sequence + 1)
    w->in_order = FALSE;
  w->last_sequence = sequence;
  return FALSE;
}

static gboolean
message_cb (DGatewayClient *client,
            DGatewayEvent  *event,
            Watch          *w)
{
  w->handler_thread = g_thread_self ();
  w->messages++;

  if (w->messages == w->stall_at)
    {
      /* A slow application: the main loop does not run meanwhile, and the
       * I/O thread goes on reading until the room is full. */
      g_usleep (w->stall_ms * 1000);
      if (w->drop_client)
        g_clear_object (&w->f->client);
    }
  if (w->messages == w->switch_at)
    dgateway_client_set_io_thread (client, FALSE);
  return FALSE;
}

static void
watch_init (Watch   *w,
            Fixture *f)
{
  memset (w, 0, sizeof *w);
  w->f = f;
  w->last_sequence = -1;
  w->in_order = TRUE;
  g_signal_connect (f->client, "dispatch", G_CALLBACK (sequence_cb), w);
  g_signal_connect (f->client, "dispatch::MESSAGE_CREATE", G_CALLBACK (message_cb), w);
}

/* The sockets run on one thread of the client's, handlers on the thread
 * that connected; the thread ends with the client. */
static void
test_threads (Fixture       *f,
              gconstpointer  data)
{
  Watch w;

  g_assert_true (dgateway_client_get_io_thread (f->client));
  g_assert_cmpuint (wait_io_threads (0), ==, 0);
  watch_init (&w, f);
  connect_client (f);
  dgateway_mock_gateway_send_messages (f->mock, 20);
  WAIT_UNTIL (w.messages == 20, 5000);

  g_assert_cmpuint (wait_io_threads (1), ==, 1);
  g_assert_true (w.handler_thread == g_thread_self ());
  g_assert_true (w.in_order);

  dgateway_client_close (f->client);
  test_run_for (50);
  g_assert_finalize_object (g_steal_pointer (&f->client));
  g_assert_cmpuint (wait_io_threads (0), ==, 0);
}

/* With io-thread off, nothing runs on a thread of the client's. */
static void
test_no_thread (Fixture       *f,
                gconstpointer  data)
{
  Watch w;

  dgateway_client_set_io_thread (f->client, FALSE);
  watch_init (&w, f);
  connect_client (f);
  dgateway_mock_gateway_send_messages (f->mock, 20);
  WAIT_UNTIL (w.messages == 20, 5000);

  g_assert_cmpuint (wait_io_threads (0), ==, 0);
  g_assert_true (w.in_order);
  g_assert_cmpuint (dgateway_client_get_peak_queued (f->client), ==, 0);
}

/* A slow application does not make the I/O thread buffer without limit:
 * it stops reading once the room is full, and nothing is lost. */
static void
test_backpressure (Fixture       *f,
                   gconstpointer  data)
{
  Watch w;
  gsize peak;

  dgateway_client_get_settings (f->client)->max_queued = SMALL_ROOM;
  watch_init (&w, f);
  w.stall_at = 1;
  w.stall_ms = 300;
  connect_client (f);
  dgateway_mock_gateway_send_messages (f->mock, 2000);
  WAIT_UNTIL (w.messages == 2000, 20000);

  g_assert_true (w.in_order);
  peak = dgateway_client_get_peak_queued (f->client);
  g_test_message ("peak queued: %" G_GSIZE_FORMAT " bytes", peak);
  /* The room filled up (the test did test something), and held: at most
   * one payload (text and tape, about 3 kB here) over it. */
  g_assert_cmpuint (peak, >=, SMALL_ROOM);
  g_assert_cmpuint (peak, <=, SMALL_ROOM + 8192);
}

/* The last reference dropped in a handler while the I/O thread waits for
 * room: the client goes, the thread stops waiting and ends. */
static void
test_drop_while_full (Fixture       *f,
                      gconstpointer  data)
{
  Watch w;
  GObject *client = G_OBJECT (f->client);

  g_object_add_weak_pointer (client, (gpointer *) &client);
  dgateway_client_get_settings (f->client)->max_queued = SMALL_ROOM;
  watch_init (&w, f);
  w.stall_at = 1;
  w.stall_ms = 200;
  w.drop_client = TRUE;
  connect_client (f);
  dgateway_mock_gateway_send_messages (f->mock, 2000);
  WAIT_UNTIL (client == NULL, 5000);

  g_assert_null (f->client);
  g_assert_cmpuint (wait_io_threads (0), ==, 0);
  g_assert_cmpuint (w.messages, ==, 1);
}

/* io-thread turned off in a handler: the connection in progress keeps its
 * thread, the next one runs on the main context, and no event is lost or
 * repeated across the switch. */
static void
test_switch_in_handler (Fixture       *f,
                        gconstpointer  data)
{
  Watch w;

  watch_init (&w, f);
  w.switch_at = 5;
  connect_client (f);
  dgateway_mock_gateway_send_messages (f->mock, 10);
  WAIT_UNTIL (w.messages == 10, 5000);
  g_assert_false (dgateway_client_get_io_thread (f->client));

  dgateway_mock_gateway_drop (f->mock);
  WAIT_UNTIL (f->resumed == 1, 5000);
  dgateway_mock_gateway_send_messages (f->mock, 10);
  WAIT_UNTIL (w.messages == 20, 5000);
  g_assert_true (w.in_order);
  g_assert_true (w.handler_thread == g_thread_self ());

  /* The old connection's thread ends with it, at the latest with the
   * client. */
  dgateway_client_close (f->client);
  test_run_for (50);
  g_assert_finalize_object (g_steal_pointer (&f->client));
  g_assert_cmpuint (wait_io_threads (0), ==, 0);
}

/* Closed while the handshake runs on the I/O thread, and again at once. */
static void
test_close_while_connecting (Fixture       *f,
                             gconstpointer  data)
{
  Watch w;

  watch_init (&w, f);
  for (guint i = 0; i < 5; i++)
    {
      dgateway_client_connect_async (f->client, NULL, NULL, NULL);
      dgateway_client_close (f->client);
    }
  connect_client (f);
  dgateway_mock_gateway_send_messages (f->mock, 5);
  WAIT_UNTIL (w.messages == 5, 5000);
  g_assert_true (w.in_order);
}

/* Shards past what one thread serves get another thread; each shard's
 * events arrive in order, and every thread ends with the client. Closed
 * first while most handshakes wait for their turn (libsoup runs a few at
 * a time), then connected again. */
static void
many_shards (Fixture  *f,
             gboolean  io_thread,
             gboolean  drop)
{
  /* Two threads' worth: valgrind runs one thread at a time, and seventy
   * shards' handshakes then took longer than the connect's time limit. */
  const guint n = DGATEWAY_WORKER_LINKS_PER_THREAD + 6;
  const guint n_threads = io_thread ? (n + DGATEWAY_WORKER_LINKS_PER_THREAD - 1) / DGATEWAY_WORKER_LINKS_PER_THREAD : 0;
  g_autoptr(DGatewayLocalIdentifyQueue) queue = dgateway_local_identify_queue_new (n);
  GListModel *shards = dgateway_client_get_shards (f->client);
  guint sent = 0;
  guint first;
  Watch w;

  dgateway_local_identify_queue_set_interval (queue, 0);
  dgateway_client_set_io_thread (f->client, io_thread);
  dgateway_client_set_identify_queue (f->client, DGATEWAY_IDENTIFY_QUEUE (queue));
  dgateway_client_set_shard_count (f->client, n);
  watch_init (&w, f);
  /* Ordered per shard, not across them. */
  g_signal_handlers_disconnect_by_func (f->client, sequence_cb, &w);

  dgateway_client_connect_async (f->client, NULL, NULL, NULL);
  test_run_for (20);
  dgateway_client_close (f->client);
  test_run_for (50);
  g_assert_cmpint (dgateway_client_get_state (f->client), ==, DGATEWAY_STATE_DISCONNECTED);
  first = dgateway_mock_gateway_get_n_connections (f->mock);

  connect_client (f);
  g_assert_no_error (f->connect_error);
  g_assert_cmpuint (g_list_model_get_n_items (shards), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DGatewayShard) shard = g_list_model_get_item (shards, i);

      g_assert_cmpint (dgateway_shard_get_state (shard), ==, DGATEWAY_STATE_CONNECTED);
    }
  g_assert_cmpuint (wait_io_threads (n_threads), ==, n_threads);

  /* One event on each open connection: every thread's. */
  for (guint i = first + 1; i <= dgateway_mock_gateway_get_n_connections (f->mock); i++)
    if (dgateway_mock_gateway_send_dispatch_to (f->mock, i, "MESSAGE_CREATE",
                                                "{\"id\":\"1\",\"channel_id\":\"2\",\"content\":\"x\"}") > 0)
      sent++;
  g_assert_cmpuint (sent, ==, n);

  if (drop)
    {
      /* Every shard's event waits for the main loop; the first handler
       * drops the last reference to the client, and with it the worker
       * that was serving them. */
      g_usleep (300 * 1000);
      w.stall_at = 1;
      w.drop_client = TRUE;
      WAIT_UNTIL (f->client == NULL, 5000);
      test_run_for (100);
      g_assert_cmpuint (w.messages, ==, 1);
      g_assert_cmpuint (wait_io_threads (0), ==, 0);
      return;
    }

  WAIT_UNTIL (w.messages == n, 10000);

  g_object_unref (queue);
  queue = NULL;
  dgateway_client_close (f->client);
  test_run_for (50);
  g_assert_finalize_object (g_steal_pointer (&f->client));
  g_assert_cmpuint (wait_io_threads (0), ==, 0);
}

static void
test_many_shards (Fixture       *f,
                  gconstpointer  data)
{
  many_shards (f, TRUE, FALSE);
}

/* The same, with everything on the client's context. */
static void
test_many_shards_inline (Fixture       *f,
                         gconstpointer  data)
{
  many_shards (f, FALSE, FALSE);
}

/* The last reference goes in the handler of the first of many shards'
 * waiting events: none of the others is handled, nothing is left. */
static void
test_many_shards_drop (Fixture       *f,
                       gconstpointer  data)
{
  many_shards (f, TRUE, TRUE);
}

static void
test_many_shards_drop_inline (Fixture       *f,
                              gconstpointer  data)
{
  many_shards (f, FALSE, TRUE);
}

int
main (int    argc,
      char **argv)
{
  test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, GINT_TO_POINTER (DGATEWAY_COMPRESSION_ZSTD_STREAM), \
              fixture_setup, func, fixture_teardown)
  ADD ("/dgateway/io-thread/threads", test_threads);
  ADD ("/dgateway/io-thread/off", test_no_thread);
  ADD ("/dgateway/io-thread/backpressure", test_backpressure);
  ADD ("/dgateway/io-thread/drop-while-full", test_drop_while_full);
  ADD ("/dgateway/io-thread/switch-in-handler", test_switch_in_handler);
  ADD ("/dgateway/io-thread/close-while-connecting", test_close_while_connecting);
  ADD ("/dgateway/io-thread/many-shards", test_many_shards);
  ADD ("/dgateway/io-thread/many-shards-inline", test_many_shards_inline);
  ADD ("/dgateway/io-thread/many-shards-drop", test_many_shards_drop);
  ADD ("/dgateway/io-thread/many-shards-drop-inline", test_many_shards_drop_inline);
#undef ADD

  return g_test_run ();
}
