/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* How long the client keeps the application's main loop from running: a
 * 1 ms timeout beside one shard, as a GTK application's frame clock would
 * be, records the gaps between its runs while a burst arrives. Run by
 * hand (docs/performance.md):
 *
 *   ./tests/bench-stall [--compression none|zlib|zstd] [--case guilds|big-guild|messages]
 *
 * It starts the mock gateway program (next to it, or $DGATEWAY_MOCK_GATEWAY)
 * with the burst and prints the longest gap, the 99th percentile and the
 * CPU time. */

#include <dgateway/dgateway.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static char *compression_name = NULL;
static char *case_name = NULL;

static GOptionEntry entries[] = {
  { "compression", 0, 0, G_OPTION_ARG_STRING, &compression_name, "none, zlib or zstd (default zstd)", "MODE" },
  { "case", 0, 0, G_OPTION_ARG_STRING, &case_name, "guilds (2,500 of ~50 kB), big-guild (one of ~8 MiB) or messages (50,000 at 10,000/s)", "CASE" },
  { NULL }
};

typedef struct {
  gint64 last;
  GArray *gaps;           /* µs between runs of the 1 ms timeout */
  guint events;
  guint expected;
} Stall;

static gboolean
tick_cb (gpointer data)
{
  Stall *stall = data;
  gint64 now = g_get_monotonic_time ();

  if (stall->last != 0)
    {
      gint64 gap = now - stall->last;

      g_array_append_val (stall->gaps, gap);
    }
  stall->last = now;
  return G_SOURCE_CONTINUE;
}

static gboolean
dispatch_cb (DGatewayClient *client,
             DGatewayEvent  *event,
             Stall          *stall)
{
  const char *name = dgateway_event_get_name (event);

  if (g_str_equal (name, "GUILD_CREATE") || g_str_equal (name, "MESSAGE_CREATE"))
    stall->events++;
  return FALSE;
}

static int
compare_gaps (gconstpointer a,
              gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- main-loop stalls during bursts");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) mock = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(DGatewayClient) client = NULL;
  g_autofree char *self_dir = NULL;
  g_autofree char *mock_path = NULL;
  g_autofree char *url = NULL;
  const char *args[16] = { NULL };
  guint n = 0;
  Stall stall = { 0 };
  DGatewayCompression compression = DGATEWAY_COMPRESSION_ZSTD_STREAM;
  double cpu;
  gint64 p99;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
  if (g_strcmp0 (compression_name, "none") == 0)
    compression = DGATEWAY_COMPRESSION_NONE;
  else if (g_strcmp0 (compression_name, "zlib") == 0)
    compression = DGATEWAY_COMPRESSION_ZLIB_STREAM;

  self_dir = g_path_get_dirname (argv[0]);
  mock_path = g_strdup (g_getenv ("DGATEWAY_MOCK_GATEWAY"));
  if (mock_path == NULL)
    mock_path = g_build_filename (self_dir, "..", "testing", "dgateway-mock-gateway", NULL);
  args[n++] = mock_path;
  if (g_strcmp0 (case_name, "big-guild") == 0)
    {
      args[n++] = "--guilds", args[n++] = "1", args[n++] = "--members", args[n++] = "30000";
      stall.expected = 1;
    }
  else if (g_strcmp0 (case_name, "messages") == 0)
    {
      args[n++] = "--events", args[n++] = "50000", args[n++] = "--rate", args[n++] = "10000";
      stall.expected = 50000;
    }
  else
    {
      args[n++] = "--guilds", args[n++] = "2500", args[n++] = "--members", args[n++] = "100";
      stall.expected = 2500;
    }
  args[n++] = "--exit-on-stdin-eof";

  mock = g_subprocess_newv (args, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE, &error);
  if (mock == NULL)
    g_error ("Could not start the mock gateway: %s", error->message);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (mock));
  url = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  if (url == NULL)
    g_error ("The mock gateway printed no URL");

  client = dgateway_client_new ("test-token", DGATEWAY_INTENTS_GUILDS | DGATEWAY_INTENTS_GUILD_MESSAGES);
  g_object_set (client, "gateway-url", url, "compression", compression, NULL);
  g_signal_connect (client, "dispatch", G_CALLBACK (dispatch_cb), &stall);
  stall.gaps = g_array_new (FALSE, FALSE, sizeof (gint64));

  cpu = cpu_seconds ();
  g_timeout_add (1, tick_cb, &stall);
  dgateway_client_connect_async (client, NULL, NULL, NULL);
  while (stall.events < stall.expected)
    g_main_context_iteration (NULL, TRUE);
  cpu = cpu_seconds () - cpu;

  g_array_sort (stall.gaps, compare_gaps);
  p99 = g_array_index (stall.gaps, gint64, stall.gaps->len * 99 / 100);
  printf ("| %s | %s | %.1f ms | %.1f ms | %.1f µs |\n",
          case_name ? case_name : "guilds", compression_name ? compression_name : "zstd",
          g_array_index (stall.gaps, gint64, stall.gaps->len - 1) / 1000.0, p99 / 1000.0,
          1e6 * cpu / stall.expected);

  dgateway_client_close (client);
  g_output_stream_close (g_subprocess_get_stdin_pipe (mock), NULL, NULL);
  g_subprocess_wait (mock, NULL, NULL);
  g_array_unref (stall.gaps);
  return 0;
}
