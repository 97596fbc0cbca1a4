/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The worker's handshake gate (dgateway-worker.c): how many handshakes it
 * hands libsoup at once, per host as libsoup counts them, in what order
 * the waiting ones start, and what a cancelled one leaves. With fake
 * links, on the owner's thread (a worker without I/O threads). */

#include "config.h"

#include "dgateway-worker-private.h"

typedef struct {
  int ref_count;
  const char *name;
  GString *started;          /* where start_connect writes the name */
} FakeLink;

static gpointer
fake_ref (gpointer link)
{
  ((FakeLink *) link)->ref_count++;
  return link;
}

static void
fake_unref (gpointer link)
{
  ((FakeLink *) link)->ref_count--;
}

static void
fake_start (gpointer link)
{
  FakeLink *fake = link;

  g_string_append (fake->started, fake->name);
}

static gboolean
fake_owner_dispatch (gpointer link,
                     gint64   deadline)
{
  return FALSE;
}

static void
fake_socket_dispatch (gpointer link)
{
}

static const DGatewayWorkerFuncs fake_funcs = {
  .owner_dispatch = fake_owner_dispatch,
  .socket_dispatch = fake_socket_dispatch,
  .start_connect = fake_start,
  .ref = fake_ref,
  .unref = fake_unref,
};

#define HOST_A "gateway.discord.gg:-1"
#define HOST_B "gateway-us-east1-b.discord.gg:-1"

/* At most @limit to a host at once, in the order asked; another host
 * does not wait for the first one's. */
static void
test_gate_per_host (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GString) started = g_string_new (NULL);
  FakeLink links[] = {
    { 1, "1", started }, { 1, "2", started }, { 1, "3", started },
    { 1, "4", started }, { 1, "b", started },
  };
  DGatewayWorker *worker = dgateway_worker_new (context, FALSE, 1024, &fake_funcs);

  for (guint i = 0; i < 4; i++)
    dgateway_worker_connect (worker, NULL, &links[i], HOST_A, 2);
  g_assert_cmpstr (started->str, ==, "12");
  /* The waiting ones are held. */
  g_assert_cmpint (links[2].ref_count, ==, 2);

  dgateway_worker_connect (worker, NULL, &links[4], HOST_B, 2);
  g_assert_cmpstr (started->str, ==, "12b");

  dgateway_worker_connect_done (worker, HOST_B);
  g_assert_cmpstr (started->str, ==, "12b");
  dgateway_worker_connect_done (worker, HOST_A);
  g_assert_cmpstr (started->str, ==, "12b3");
  g_assert_cmpint (links[2].ref_count, ==, 1);
  dgateway_worker_connect_done (worker, HOST_A);
  g_assert_cmpstr (started->str, ==, "12b34");
  dgateway_worker_connect_done (worker, HOST_A);
  dgateway_worker_connect_done (worker, HOST_A);

  /* Every turn was given back: the gate starts afresh. */
  dgateway_worker_connect (worker, NULL, &links[0], HOST_A, 2);
  dgateway_worker_connect (worker, NULL, &links[1], HOST_A, 2);
  g_assert_cmpstr (started->str, ==, "12b3412");
  dgateway_worker_connect_done (worker, HOST_A);
  dgateway_worker_connect_done (worker, HOST_A);

  dgateway_worker_unref (worker);
  for (guint i = 0; i < G_N_ELEMENTS (links); i++)
    g_assert_cmpint (links[i].ref_count, ==, 1);
}

/* A link that stops waiting never starts, and its place goes to the next;
 * one whose turn came already is not found, and passes it on itself. */
static void
test_gate_cancel (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GString) started = g_string_new (NULL);
  FakeLink links[] = {
    { 1, "1", started }, { 1, "2", started }, { 1, "3", started },
  };
  DGatewayWorker *worker = dgateway_worker_new (context, FALSE, 1024, &fake_funcs);

  dgateway_worker_connect (worker, NULL, &links[0], HOST_A, 1);
  dgateway_worker_connect (worker, NULL, &links[1], HOST_A, 1);
  dgateway_worker_connect (worker, NULL, &links[2], HOST_A, 1);
  g_assert_cmpstr (started->str, ==, "1");

  g_assert_true (dgateway_worker_connect_cancel (worker, &links[1], HOST_A));
  g_assert_cmpint (links[1].ref_count, ==, 1);
  g_assert_false (dgateway_worker_connect_cancel (worker, &links[1], HOST_A));
  g_assert_false (dgateway_worker_connect_cancel (worker, &links[0], HOST_B));

  dgateway_worker_connect_done (worker, HOST_A);
  g_assert_cmpstr (started->str, ==, "13");
  g_assert_false (dgateway_worker_connect_cancel (worker, &links[2], HOST_A));
  dgateway_worker_connect_done (worker, HOST_A);

  dgateway_worker_unref (worker);
  for (guint i = 0; i < G_N_ELEMENTS (links); i++)
    g_assert_cmpint (links[i].ref_count, ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dgateway/worker/gate-per-host", test_gate_per_host);
  g_test_add_func ("/dgateway/worker/gate-cancel", test_gate_cancel);

  return g_test_run ();
}
