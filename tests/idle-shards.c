/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Measures what shards cost as their number grows: connects N shards of
 * one client to the mock gateway (run as a separate process, so its cost
 * is not counted), then reports the time and CPU until all were
 * CONNECTED, the resident memory per shard and the CPU time spent while
 * the connections only heartbeat.  With --rate-total R the mock then sends
 * R MESSAGE_CREATE events a second in total, spread over every connection,
 * and it reports the CPU per event.  With --storm it then has the mock
 * drop every connection at once (SIGUSR1) and reports the time until every
 * shard has reconnected.  --no-io-thread turns DGatewayClient:io-thread
 * off.  CPU is the whole process's (getrusage), and also split between the
 * main thread and the "dgateway-io" thread.
 *
 *   ./_build/tests/dgateway-idle-shards --shards 64 --seconds 60 --storm
 *   ./_build/tests/dgateway-idle-shards --shards 1024 --rate-total 1024 --storm
 *
 * Under valgrind --tool=callgrind, each phase ends with a dump of the
 * instructions since the last one, of every thread: callgrind.out.PID.1
 * is connecting, .2 settling, .3 idling, then with --rate-total .4 the
 * events' first second and .5 the measured events, then the storm (the
 * dump's "desc: Trigger: Client Request: NAME" line names its phase). */

#include <dgateway/dgateway.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_DUMP_STATS_AT
#define CALLGRIND_DUMP_STATS_AT(name) ((void) 0)
#endif

static int n_shards = 64;
static int seconds = 60;
static int interval = 41250;
static gboolean storm = FALSE;
static int rate_total = 0;
static int event_seconds = 10;
static gboolean no_io_thread = FALSE;

static GOptionEntry entries[] = {
  { "shards", 'n', 0, G_OPTION_ARG_INT, &n_shards, "Shards to connect", "N" },
  { "seconds", 's', 0, G_OPTION_ARG_INT, &seconds, "Idle time to measure", "S" },
  { "interval", 'i', 0, G_OPTION_ARG_INT, &interval, "Heartbeat interval (ms)", "MS" },
  { "storm", 0, 0, G_OPTION_ARG_NONE, &storm, "Then drop every connection at once and time the reconnection", NULL },
  { "rate-total", 'r', 0, G_OPTION_ARG_INT, &rate_total, "After idling, measure the CPU per event with this many events a second over all shards", "R" },
  { "event-seconds", 'e', 0, G_OPTION_ARG_INT, &event_seconds, "How long to measure the events (default 10)", "S" },
  { "no-io-thread", 0, 0, G_OPTION_ARG_NONE, &no_io_thread, "Turn DGatewayClient:io-thread off: everything on the main thread", NULL },
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
timeval_seconds (const struct timeval *tv)
{
  return tv->tv_sec + tv->tv_usec / 1e6;
}

/* CPU time, user and system, of the whole process (threads that ended
 * included), of its main thread and of the client's I/O thread. */
typedef struct {
  double total;
  double main;
  double io;
} Cpu;

/* The CPU-time clock of a thread of this process from its id, as glibc's
 * pthread_getcpuclockid () builds it (Linux: CPUCLOCK_PERTHREAD_MASK |
 * CPUCLOCK_SCHED), since GLib does not hand out the I/O thread's pthread_t. */
static double
thread_cpu_seconds (pid_t tid)
{
  clockid_t clock = ((~(clockid_t) tid) << 3) | 6;
  struct timespec ts;

  if (clock_gettime (clock, &ts) != 0)
    return 0;
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static gboolean
thread_is_io (const char *tid)
{
  g_autofree char *path = g_strdup_printf ("/proc/self/task/%s/comm", tid);
  g_autofree char *comm = NULL;

  return g_file_get_contents (path, &comm, NULL, NULL) && g_str_has_prefix (comm, "dgateway-io");
}

static Cpu
cpu_now (void)
{
  Cpu cpu = { 0, 0, 0 };
  struct rusage usage;
  DIR *dir;
  struct dirent *entry;

  getrusage (RUSAGE_SELF, &usage);
  cpu.total = timeval_seconds (&usage.ru_utime) + timeval_seconds (&usage.ru_stime);
  cpu.main = thread_cpu_seconds (getpid ());
  dir = opendir ("/proc/self/task");
  while (dir != NULL && (entry = readdir (dir)) != NULL)
    if (entry->d_name[0] != '.' && thread_is_io (entry->d_name))
      cpu.io += thread_cpu_seconds (atoi (entry->d_name));
  if (dir != NULL)
    closedir (dir);
  return cpu;
}

static Cpu
cpu_since (Cpu before)
{
  Cpu now = cpu_now ();

  return (Cpu) { now.total - before.total, now.main - before.main, now.io - before.io };
}

/* Prints a CPU time divided by n, in µs, as "T (main M, dgateway-io I,
 * other O)"; other is the rest of the process: GLib's and GIO's own
 * threads, and threads that ended. */
static void
print_cpu_per (Cpu    cpu,
               double n)
{
  printf ("%.1f µs (main %.1f, dgateway-io %.1f, other %.1f)",
          1e6 * cpu.total / n, 1e6 * cpu.main / n, 1e6 * cpu.io / n,
          1e6 * (cpu.total - cpu.main - cpu.io) / n);
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

static void
signal_mock (GSubprocess *mock,
             int          signum)
{
  kill ((pid_t) atoi (g_subprocess_get_identifier (mock)), signum);
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
  signal_mock (mock, SIGUSR1);
  while (counts[0] + counts[1] < n_shards)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (client, id);
  return (g_get_monotonic_time () - start) / 1e6;
}

/* Not inlined, so that `valgrind --tool=callgrind
 * --toggle-collect=measure_idle --toggle-collect=run_storm` counts the
 * instructions of the idle period and of the storm alone (of the main
 * thread only: with io-thread on, use the dumps of every phase instead,
 * see the top of the file). */
static G_GNUC_NO_INLINE void
measure_idle (int s)
{
  run_for (s);
}

static G_GNUC_NO_INLINE void
measure_events (int s)
{
  run_for (s);
}

static gboolean
count_event_cb (DGatewayClient *client,
                DGatewayEvent  *event,
                gpointer        data)
{
  (*(guint64 *) data)++;
  return FALSE;
}

/* Has the mock stream --rate-total events a second over every connection
 * and reports the CPU per event, whole and net of the idle cost measured
 * before (idle_cpu, CPU seconds per second). */
static void
run_events (DGatewayClient *client,
            GSubprocess    *mock,
            double          idle_cpu)
{
  guint64 received = 0;
  guint64 first;
  gint64 start;
  double taken;
  Cpu cpu;
  gulong id = g_signal_connect (client, "dispatch::MESSAGE_CREATE",
                                G_CALLBACK (count_event_cb), &received);

  signal_mock (mock, SIGUSR2);
  /* One second for the stream to settle, then the measurement. */
  run_for (1);
  CALLGRIND_DUMP_STATS_AT ("events-warm-up");
  first = received;
  start = g_get_monotonic_time ();
  cpu = cpu_now ();
  measure_events (event_seconds);
  cpu = cpu_since (cpu);
  received -= first;
  taken = (g_get_monotonic_time () - start) / 1e6;
  CALLGRIND_DUMP_STATS_AT ("events");
  signal_mock (mock, SIGUSR2);
  run_for (1);
  g_signal_handler_disconnect (client, id);

  printf ("events: %" G_GUINT64_FORMAT " MESSAGE_CREATE in %.2f s (%.0f/s over %d shards), "
          "%.3f s CPU, per event ", received, taken, received / taken, n_shards, cpu.total);
  print_cpu_per (cpu, received);
  printf (", net of idle %.1f µs\n", 1e6 * (cpu.total - idle_cpu * taken) / received);
}

static GSubprocess *
spawn_mock (char **url)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *interval_arg = g_strdup_printf ("%d", interval);
  g_autofree char *rate_arg = g_strdup_printf ("%d", rate_total);
  const char *path = g_getenv ("DGATEWAY_MOCK_GATEWAY");
  GSubprocess *mock;
  g_autoptr(GDataInputStream) out = NULL;

  /* The events are held until run_events () resumes them (SIGUSR2). */
  mock = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE, &error,
                           path ? path : MOCK_GATEWAY_PATH, "--interval", interval_arg,
                           "--rate-total", rate_arg, "--paused", "--exit-on-stdin-eof", NULL);
  if (mock == NULL)
    g_error ("Could not start the mock gateway: %s", error->message);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (mock));
  *url = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  if (*url == NULL)
    g_error ("The mock gateway printed no URL");
  return mock;
}

/* Connects every shard and reports the time and the CPU it took. */
static G_GNUC_NO_INLINE void
measure_connect (DGatewayClient *client)
{
  gboolean connected = FALSE;
  gint64 start = g_get_monotonic_time ();
  Cpu cpu = cpu_now ();
  double taken;

  dgateway_client_connect_async (client, NULL, connected_cb, &connected);
  while (!connected)
    g_main_context_iteration (NULL, TRUE);
  cpu = cpu_since (cpu);
  taken = (g_get_monotonic_time () - start) / 1e6;
  CALLGRIND_DUMP_STATS_AT ("connect");

  printf ("connect: all %d CONNECTED in %.2f s, %.3f s CPU, per shard ", n_shards, taken, cpu.total);
  print_cpu_per (cpu, n_shards);
  printf ("\n");
}

static void
measure_storm (DGatewayClient *client,
               GSubprocess    *mock)
{
  int counts[2] = { 0, 0 };
  Cpu cpu = cpu_now ();
  guint attempts = dgateway_client_get_reconnect_count (client);
  double taken = run_storm (client, mock, counts);

  cpu = cpu_since (cpu);
  CALLGRIND_DUMP_STATS_AT ("storm");
  attempts = dgateway_client_get_reconnect_count (client) - attempts;
  printf ("storm: all %d shards back in %.2f s (%d resumed, %d identified) "
          "after %u attempts, %.3f s CPU (main %.3f, dgateway-io %.3f)\n",
          n_shards, taken, counts[0], counts[1], attempts, cpu.total, cpu.main, cpu.io);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("— cost of shards");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) mock = NULL;
  g_autoptr(DGatewayClient) client = NULL;
  g_autoptr(DGatewayLocalIdentifyQueue) queue = NULL;
  g_autofree char *url = NULL;
  long rss_before, rss_after;
  Cpu idle;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);

  mock = spawn_mock (&url);
  client = dgateway_client_new ("test-token", DGATEWAY_INTENTS_GUILDS);
  /* Every shard in its own bucket, no wait: the cost per shard is the point. */
  queue = dgateway_local_identify_queue_new (n_shards);
  dgateway_local_identify_queue_set_interval (queue, 0);
  g_object_set (client, "gateway-url", url, "shard-count", n_shards,
                "identify-queue", queue, "io-thread", !no_io_thread, NULL);
  printf ("%d shards, io-thread %s, heartbeat interval %d ms\n",
          n_shards, no_io_thread ? "off" : "on", interval);

  rss_before = rss_kib ();
  measure_connect (client);
  run_for (2);
  rss_after = rss_kib ();
  CALLGRIND_DUMP_STATS_AT ("settle");

  idle = cpu_now ();
  measure_idle (seconds);
  idle = cpu_since (idle);
  CALLGRIND_DUMP_STATS_AT ("idle");

  printf ("idle: per shard and second ");
  print_cpu_per (idle, (double) seconds * n_shards);
  printf ("\n");
  printf ("| shards | RSS before | RSS connected | RSS per shard | idle CPU | idle CPU per shard |\n");
  printf ("|---|---|---|---|---|---|\n");
  printf ("| %d | %ld KiB | %ld KiB | %.1f KiB | %.3f %% | %.2f µs/s |\n",
          n_shards, rss_before, rss_after, (double) (rss_after - rss_before) / n_shards,
          100.0 * idle.total / seconds, 1e6 * idle.total / seconds / n_shards);

  if (rate_total > 0)
    run_events (client, mock, idle.total / seconds);
  if (storm)
    measure_storm (client, mock);

  dgateway_client_close (client);
  g_output_stream_close (g_subprocess_get_stdin_pipe (mock), NULL, NULL);
  g_subprocess_wait (mock, NULL, NULL);
  return 0;
}
