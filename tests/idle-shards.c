/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Measures what idle shards cost: connects N shards of one client to the
 * mock gateway (run as a separate process, so its cost is not counted),
 * then reports the resident memory per shard and the CPU time spent while
 * the connections only heartbeat, and the time until all were CONNECTED.
 * With --storm it then has the mock drop every connection at once
 * (SIGUSR1) and reports the time until every shard has reconnected.
 *
 *   ./_build/tests/dgateway-idle-shards --shards 64 --seconds 60 --storm
 */

#include <dgateway/dgateway.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static int n_shards = 64;
static int seconds = 60;
static int interval = 41250;
static gboolean storm = FALSE;

static GOptionEntry entries[] = {
  { "shards", 'n', 0, G_OPTION_ARG_INT, &n_shards, "Shards to connect", "N" },
  { "seconds", 's', 0, G_OPTION_ARG_INT, &seconds, "Idle time to measure", "S" },
  { "interval", 'i', 0, G_OPTION_ARG_INT, &interval, "Heartbeat interval (ms)", "MS" },
  { "storm", 0, 0, G_OPTION_ARG_NONE, &storm, "Then drop every connection at once and time the reconnection", NULL },
  { NULL }
};

static long
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "VmRSS:")) == NULL)
    return -1;
  return strtol (line + 6, NULL, 10);
}

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(GError) error = NULL;

  if (!dgateway_client_connect_finish (DGATEWAY_CLIENT (source), result, &error))
    g_error ("Could not connect: %s", error->message);
  *(gboolean *) data = TRUE;
}

static gboolean
flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
run_for (int s)
{
  gboolean done = FALSE;

  g_timeout_add_seconds (s, flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
reconnected_cb (DGatewayClient *client,
                DGatewayShard  *shard,
                gboolean        resumed,
                gpointer        data)
{
  int *counts = data;

  counts[resumed ? 0 : 1]++;
}

/* Drops every connection at once and waits until each shard is back: a
 * network blip as hundreds of shards see it. Returns the seconds taken. */
static G_GNUC_NO_INLINE double
run_storm (DGatewayClient *client,
           GSubprocess    *mock,
           int            *counts)
{
  gint64 start;
  gulong id = g_signal_connect (client, "reconnected", G_CALLBACK (reconnected_cb), counts);

  start = g_get_monotonic_time ();
  kill ((pid_t) atoi (g_subprocess_get_identifier (mock)), SIGUSR1);
  while (counts[0] + counts[1] < n_shards)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (client, id);
  return (g_get_monotonic_time () - start) / 1e6;
}

/* Not inlined, so that `valgrind --tool=callgrind
 * --toggle-collect=measure_idle --toggle-collect=run_storm` counts the
 * instructions of the idle period and of the storm alone. */
static G_GNUC_NO_INLINE void
measure_idle (int s)
{
  run_for (s);
}

static GSubprocess *
spawn_mock (char **url)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *interval_arg = g_strdup_printf ("%d", interval);
  const char *path = g_getenv ("DGATEWAY_MOCK_GATEWAY");
  GSubprocess *mock;
  g_autoptr(GDataInputStream) out = NULL;

  mock = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE, &error,
                           path ? path : MOCK_GATEWAY_PATH, "--interval", interval_arg,
                           "--exit-on-stdin-eof", NULL);
  if (mock == NULL)
    g_error ("Could not start the mock gateway: %s", error->message);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (mock));
  *url = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  if (*url == NULL)
    g_error ("The mock gateway printed no URL");
  return mock;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("— cost of idle shards");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) mock = NULL;
  g_autoptr(DGatewayClient) client = NULL;
  g_autoptr(DGatewayLocalIdentifyQueue) queue = NULL;
  g_autofree char *url = NULL;
  gboolean connected = FALSE;
  long rss_before, rss_after;
  double cpu_before, cpu_after;
  gint64 connect_start, connect_end;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);

  mock = spawn_mock (&url);
  client = dgateway_client_new ("test-token", DGATEWAY_INTENTS_GUILDS);
  /* Every shard in its own bucket, no wait: the idle cost is the point. */
  queue = dgateway_local_identify_queue_new (n_shards);
  dgateway_local_identify_queue_set_interval (queue, 0);
  g_object_set (client, "gateway-url", url, "shard-count", n_shards,
                "identify-queue", queue, NULL);

  rss_before = rss_kib ();
  connect_start = g_get_monotonic_time ();
  dgateway_client_connect_async (client, NULL, connected_cb, &connected);
  while (!connected)
    g_main_context_iteration (NULL, TRUE);
  connect_end = g_get_monotonic_time ();
  run_for (2);
  rss_after = rss_kib ();

  cpu_before = cpu_seconds ();
  measure_idle (seconds);
  cpu_after = cpu_seconds ();

  printf ("| shards | RSS before | RSS connected | RSS per shard | idle CPU | idle CPU per shard | all CONNECTED |\n");
  printf ("|---|---|---|---|---|---|---|\n");
  printf ("| %d | %ld KiB | %ld KiB | %.1f KiB | %.3f %% | %.2f µs/s | %.2f s |\n",
          n_shards, rss_before, rss_after, (double) (rss_after - rss_before) / n_shards,
          100.0 * (cpu_after - cpu_before) / seconds,
          1e6 * (cpu_after - cpu_before) / seconds / n_shards,
          (connect_end - connect_start) / 1e6);

  if (storm)
    {
      int counts[2] = { 0, 0 };
      double cpu_storm = cpu_seconds ();
      guint attempts = dgateway_client_get_reconnect_count (client);
      double taken = run_storm (client, mock, counts);

      attempts = dgateway_client_get_reconnect_count (client) - attempts;
      printf ("storm: all %d shards back in %.2f s (%d resumed, %d identified) "
              "after %u attempts, %.3f s CPU\n",
              n_shards, taken, counts[0], counts[1], attempts, cpu_seconds () - cpu_storm);
    }

  dgateway_client_close (client);
  g_output_stream_close (g_subprocess_get_stdin_pipe (mock), NULL, NULL);
  g_subprocess_wait (mock, NULL, NULL);
  return 0;
}
