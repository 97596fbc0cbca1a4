/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* dgateway-benchmark: how much a DGatewayClient costs per event.
 *
 * For each mix of events it starts dgateway-mock-gateway as a separate
 * process (its CPU time is not the client's), which generates the events'
 * JSON up front and streams them after READY as fast as the socket takes
 * them, compressing per connection as Discord does, then dispatches
 * BENCHMARK_DONE.  For each compression mode, with no handler, with a
 * `dispatch` handler that reads three fields through the JsonNode, and
 * with a `message-create` handler that reads them through the typed
 * payload, it runs the client in a fresh child process (this program
 * again, with --run: peak RSS only grows within a process) that measures
 * from READY to BENCHMARK_DONE:
 *
 *   events/s             events / wall time
 *   client CPU µs/event  getrusage (RUSAGE_SELF) user + system / events
 *   wire B/event         bytes-received / events
 *   peak RSS             ru_maxrss of the child at the end (and at READY)
 *
 * and prints one Markdown table per mix.  Each configuration runs in each
 * encoding (--encoding, default both): with `etf` the mock sends every
 * payload as Discord's ETF (snowflakes as integers, atom keys) and the
 * client decodes it.  With --runs N it runs each
 * configuration N times and shows the run with the least CPU per event:
 * other work on the machine only ever adds to it.  With --mode bindings it
 * measures GJS and PyGObject applications instead (bench-bindings.c).
 * See docs/performance.md. */

#include "benchmark.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#define DEFAULT_EVENTS      100000
#define BENCHMARK_TOKEN     "test-token"
#define DONE_EVENT          "BENCHMARK_DONE"
#define RUN_TIMEOUT_SECONDS 900

typedef struct {
  const char          *nick;
  DGatewayCompression  compression;
} Mode;

static const Mode modes[] = {
  { "none", DGATEWAY_COMPRESSION_NONE },
  { "zlib-stream", DGATEWAY_COMPRESSION_ZLIB_STREAM },
  { "zstd-stream", DGATEWAY_COMPRESSION_ZSTD_STREAM },
};

typedef struct {
  const char *nick;
  const char *label;
} Handler;

static const Handler handlers[] = {
  { "none", "none" },
  { "read3", "dispatch, JsonNode" },
  { "typed", "message-create, typed" },
};

static const char *const all_mixes[] = { "messages", "mixed", NULL };
static const char *const all_encodings[] = { "json", "etf", NULL };

static int n_events = DEFAULT_EVENTS;
int n_runs = 1;
static char **mixes = NULL;
static char **encodings = NULL;
char *gateway_path = NULL;
static gboolean run_mode = FALSE;
static char *what = NULL;

static GOptionEntry entries[] = {
  { "events", 0, 0, G_OPTION_ARG_INT, &n_events, "Events per run (default 100000)", "N" },
  { "runs", 0, 0, G_OPTION_ARG_INT, &n_runs, "Runs of each configuration; the table shows the one with the least CPU per event (default 1)", "N" },
  { "mix", 0, 0, G_OPTION_ARG_STRING_ARRAY, &mixes, "Mix to run: messages or mixed (repeatable; default both)", "NAME" },
  { "encoding", 0, 0, G_OPTION_ARG_STRING_ARRAY, &encodings, "Encoding to run: json or etf (repeatable; default both)", "NAME" },
  { "gateway", 0, 0, G_OPTION_ARG_FILENAME, &gateway_path, "The dgateway-mock-gateway program (default: the one built with this one)", "PATH" },
  { "mode", 0, 0, G_OPTION_ARG_STRING, &what, "What to measure: events (CPU and memory per event; the default), bindings (GJS and PyGObject applications; --help-bindings) or ui-stall (how long the main loop waits; --help-ui-stall)", "MODE" },
  { "run", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &run_mode, "Internal: one run, arguments URL MODE HANDLER ENCODING", NULL },
  G_OPTION_ENTRY_NULL
};

gint64
cpu_time_us (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (gint64) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * G_USEC_PER_SEC
         + usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

long
peak_rss_kib (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

/* One run, in the child */

typedef struct {
  ChildRun        child;        /* first: the handlers' data is the Run */
  gboolean        started;
  gint64          time[2];
  gint64          cpu[2];
  guint64         events[2];
  guint64         bytes[2];
  guint64         decompressed[2];
  long            rss_at_ready;
  gint64          expected;
  gsize           checksum;
} Run;

static void
run_sample (Run *run,
            int  i)
{
  run->cpu[i] = cpu_time_us ();
  run->time[i] = g_get_monotonic_time ();
  run->events[i] = dgateway_client_get_events_received (run->child.client);
  run->bytes[i] = dgateway_client_get_bytes_received (run->child.client);
  run->decompressed[i] = dgateway_client_get_bytes_decompressed (run->child.client);
}

static gboolean
ready_cb (DGatewayClient *client,
          DGatewayEvent  *event,
          gpointer        user_data)
{
  Run *run = user_data;

  run->started = TRUE;
  run->rss_at_ready = peak_rss_kib ();
  run_sample (run, 0);
  return FALSE;
}

static gboolean
done_cb (DGatewayClient *client,
         DGatewayEvent  *event,
         gpointer        user_data)
{
  Run *run = user_data;
  JsonNode *d = dgateway_event_get_data (event);

  run_sample (run, 1);
  if (d != NULL && JSON_NODE_HOLDS_OBJECT (d))
    run->expected = json_object_get_int_member_with_default (json_node_get_object (d),
                                                             "events", -1);
  child_run_finish (&run->child);
  return FALSE;
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* What a simple bot does with every event: look at three fields (absent
 * from most events other than MESSAGE_CREATE, which costs the lookups all
 * the same). */
static gboolean
read_fields_cb (DGatewayClient *client,
                DGatewayEvent  *event,
                gpointer        user_data)
{
  Run *run = user_data;
  JsonNode *d = dgateway_event_get_data (event);
  JsonObject *object = d != NULL && JSON_NODE_HOLDS_OBJECT (d) ? json_node_get_object (d) : NULL;
  const char *fields[3];

  fields[0] = member_string (object, "id");
  fields[1] = member_string (object, "channel_id");
  fields[2] = member_string (member_object (object, "author"), "username");
  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    run->checksum += fields[i] != NULL ? strlen (fields[i]) : 1;
  return FALSE;
}

/* The same through the typed payload; only MESSAGE_CREATE reaches it. */
static void
message_create_cb (DGatewayClient  *client,
                   DGatewayMessage *message,
                   gpointer         user_data)
{
  Run *run = user_data;
  DGatewayUser *author = dgateway_message_get_author (message);
  const char *fields[3];

  fields[0] = dgateway_message_get_id (message);
  fields[1] = dgateway_message_get_channel_id (message);
  fields[2] = author != NULL ? dgateway_user_get_username (author) : NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    run->checksum += fields[i] != NULL ? strlen (fields[i]) : 1;
}

/* The client of one run, in a child */

/* Ends the run with error, unless it finished or failed already. */
void
child_run_fail (ChildRun *run,
                GError   *error)
{
  if (run->error == NULL && !run->finished)
    run->error = error;
  else
    g_error_free (error);
  g_main_loop_quit (run->loop);
}

void
child_run_finish (ChildRun *run)
{
  run->finished = TRUE;
  g_main_loop_quit (run->loop);
}

static void
connection_lost_cb (DGatewayClient *client,
                    DGatewayShard  *shard,
                    GError         *error,
                    gpointer        user_data)
{
  child_run_fail (user_data, g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                          "Connection lost during the run: %s", error->message));
}

static void
connect_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GError *error = NULL;

  if (!dgateway_client_connect_finish (DGATEWAY_CLIENT (source), result, &error))
    child_run_fail (user_data, error);
}

static gboolean
timeout_cb (gpointer user_data)
{
  ChildRun *run = user_data;

  run->timeout_id = 0;
  child_run_fail (run, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                    "Not finished after %d s", RUN_TIMEOUT_SECONDS));
  return G_SOURCE_REMOVE;
}

/* Takes client; its handlers are to have run (or a struct that starts
 * with it) as their data. */
void
child_run_init (ChildRun       *run,
                DGatewayClient *client)
{
  *run = (ChildRun) { .loop = g_main_loop_new (NULL, FALSE), .client = client };
}

/* Connects the client and runs the main loop until child_run_finish() or
 * child_run_fail(), a lost connection, or RUN_TIMEOUT_SECONDS. */
void
child_run_connect (ChildRun *run)
{
  g_signal_connect (run->client, "connection-lost", G_CALLBACK (connection_lost_cb), run);
  run->timeout_id = g_timeout_add_seconds (RUN_TIMEOUT_SECONDS, timeout_cb, run);
  dgateway_client_connect_async (run->client, NULL, connect_cb, run);
  g_main_loop_run (run->loop);
  g_clear_handle_id (&run->timeout_id, g_source_remove);
}

/* Closes and frees the client and the loop, and reports the error.
 * Returns the child's exit status. */
int
child_run_end (ChildRun *run)
{
  g_signal_handlers_disconnect_by_data (run->client, run);
  dgateway_client_close (run->client);
  g_object_unref (run->client);
  g_main_loop_unref (run->loop);

  if (run->error != NULL)
    {
      g_printerr ("dgateway-benchmark: %s\n", run->error->message);
      g_error_free (run->error);
      return 1;
    }
  return run->finished ? 0 : 1;
}

static const Mode *
find_mode (const char *nick)
{
  for (gsize i = 0; i < G_N_ELEMENTS (modes); i++)
    if (g_str_equal (modes[i].nick, nick))
      return &modes[i];
  return NULL;
}

static const Handler *
find_handler (const char *nick)
{
  for (gsize i = 0; i < G_N_ELEMENTS (handlers); i++)
    if (g_str_equal (handlers[i].nick, nick))
      return &handlers[i];
  return NULL;
}

static void
run_print (Run *run)
{
  /* The counters include READY at the start and BENCHMARK_DONE at the end. */
  guint64 events = run->events[1] - run->events[0] - 1;

  printf ("RESULT %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
          " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %ld %ld %" G_GINT64_FORMAT " %zu\n",
          events, run->time[1] - run->time[0], run->cpu[1] - run->cpu[0],
          run->bytes[1] - run->bytes[0], run->decompressed[1] - run->decompressed[0],
          peak_rss_kib (), run->rss_at_ready, run->expected, run->checksum);
  fflush (stdout);
}

/* Connects, waits for BENCHMARK_DONE, prints one RESULT line. */
static gboolean
parse_encoding (const char       *nick,
                DGatewayEncoding *encoding)
{
  if (g_strcmp0 (nick, "json") == 0)
    *encoding = DGATEWAY_ENCODING_JSON;
  else if (g_strcmp0 (nick, "etf") == 0)
    *encoding = DGATEWAY_ENCODING_ETF;
  else
    return FALSE;
  return TRUE;
}

static int
run_one (const char *url,
         const char *mode_nick,
         const char *handler,
         const char *encoding_nick)
{
  const Mode *mode = find_mode (mode_nick);
  DGatewayEncoding encoding;
  Run run = { 0 };

  if (mode == NULL || find_handler (handler) == NULL || !parse_encoding (encoding_nick, &encoding))
    {
      g_printerr ("--run: unknown mode \"%s\", handler \"%s\" or encoding \"%s\"\n",
                  mode_nick, handler, encoding_nick);
      return 2;
    }

  child_run_init (&run.child,
                  dgateway_client_new (BENCHMARK_TOKEN,
                                       DGATEWAY_INTENTS_GUILDS | DGATEWAY_INTENTS_GUILD_MEMBERS
                                       | DGATEWAY_INTENTS_GUILD_PRESENCES
                                       | DGATEWAY_INTENTS_GUILD_MESSAGES
                                       | DGATEWAY_INTENTS_GUILD_MESSAGE_REACTIONS
                                       | DGATEWAY_INTENTS_GUILD_MESSAGE_TYPING
                                       | DGATEWAY_INTENTS_MESSAGE_CONTENT));
  g_object_set (run.child.client, "gateway-url", url, "compression", mode->compression,
                "encoding", encoding, NULL);

  /* Detailed handlers: other events still find no handler at all. */
  g_signal_connect (run.child.client, "dispatch::READY", G_CALLBACK (ready_cb), &run);
  g_signal_connect (run.child.client, "dispatch::" DONE_EVENT, G_CALLBACK (done_cb), &run);
  if (g_str_equal (handler, "read3"))
    g_signal_connect (run.child.client, "dispatch", G_CALLBACK (read_fields_cb), &run);
  else if (g_str_equal (handler, "typed"))
    g_signal_connect (run.child.client, "message-create", G_CALLBACK (message_create_cb), &run);

  child_run_connect (&run.child);
  if (run.child.finished && run.started)
    run_print (&run);
  else if (run.child.error == NULL)
    run.child.error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "The run ended before READY");
  return child_run_end (&run.child);
}

/* The parent */

typedef struct {
  const char *mode;
  const char *handler;
  const char *encoding;
  gboolean    ok;
  guint64     events;
  gint64      span_us;
  gint64      cpu_us;
  guint64     bytes;
  guint64     decompressed;
  long        rss_kib;
  long        rss_at_ready_kib;
  gint64      expected;
  gint64      gateway_cpu_us;
} Result;

/* CPU time of another process so far (utime + stime of /proc/PID/stat). */
static gint64
process_cpu_us (const char *pid)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;
  long ticks = sysconf (_SC_CLK_TCK);

  if (pid == NULL)
    return -1;
  path = g_strdup_printf ("/proc/%s/stat", pid);
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return -1;
  /* Fields 14 and 15, counting from 1; the command name may hold spaces. */
  after = strrchr (contents, ')');
  if (after == NULL)
    return -1;
  fields = g_strsplit (after + 2, " ", 0);
  if (g_strv_length (fields) < 13 || ticks <= 0)
    return -1;
  return (g_ascii_strtoll (fields[11], NULL, 10) + g_ascii_strtoll (fields[12], NULL, 10))
         * G_USEC_PER_SEC / ticks;
}

static gboolean
parse_result (const char *line,
              Result     *result)
{
  int n = sscanf (line, "RESULT %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
                  " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %ld %ld %" G_GINT64_FORMAT,
                  &result->events, &result->span_us, &result->cpu_us, &result->bytes,
                  &result->decompressed, &result->rss_kib, &result->rss_at_ready_kib,
                  &result->expected);

  return n == 8 && result->events > 0 && result->span_us > 0;
}

/* Runs argv to its end; returns what it printed if it exited with 0. */
char *
run_to_end (const char *const  *argv,
            GError            **error)
{
  g_autoptr(GSubprocess) child = NULL;
  g_autofree char *out = NULL;

  child = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, error);
  if (child == NULL || !g_subprocess_communicate_utf8 (child, NULL, NULL, &out, NULL, error))
    return NULL;
  if (!g_subprocess_get_successful (child))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s failed", argv[0], argv[1]);
      return NULL;
    }
  return g_steal_pointer (&out);
}

static void
run_child (const char *self_path,
           const char *url,
           const char *gateway_pid,
           Result     *result)
{
  const char *argv[] = { self_path, "--run", url, result->mode, result->handler, result->encoding,
                         NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  gint64 gateway_cpu = process_cpu_us (gateway_pid);

  out = run_to_end (argv, &error);
  if (out == NULL)
    {
      g_printerr ("dgateway-benchmark: %s\n", error->message);
      return;
    }
  result->ok = parse_result (out, result);
  if (gateway_cpu >= 0)
    result->gateway_cpu_us = process_cpu_us (gateway_pid) - gateway_cpu;
}

/* Starts the mock gateway with args (NULL-terminated) and waits for its URL. */
GSubprocess *
start_gateway (const char *const  *args,
               char              **url,
               GError            **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GSubprocess) gateway = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  gsize length;

  g_strv_builder_add (builder, gateway_path);
  g_strv_builder_addv (builder, (const char **) args);
  g_strv_builder_add (builder, "--exit-on-stdin-eof");
  argv = g_strv_builder_end (builder);
  gateway = g_subprocess_newv ((const char *const *) argv,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                               error);
  if (gateway == NULL)
    return NULL;

  /* It prints its URL once its events are generated and it listens. */
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (gateway));
  *url = g_data_input_stream_read_line_utf8 (lines, &length, NULL, error);
  if (*url == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s printed no URL", gateway_path);
      g_subprocess_force_exit (gateway);
      return NULL;
    }
  return g_steal_pointer (&gateway);
}

/* A recording of --events events of @mix, streamed as fast as the client
 * reads, then BENCHMARK_DONE. */
GSubprocess *
start_mix_gateway (const char  *mix,
                   char       **url,
                   GError     **error)
{
  g_autofree char *events = g_strdup_printf ("%d", n_events);
  const char *const args[] = { "--mix", mix, "--events", events, NULL };

  return start_gateway (args, url, error);
}

/* --events MESSAGE_CREATEs at @rate a second, and nothing after them. */
GSubprocess *
start_paced_gateway (int      rate,
                     char   **url,
                     GError **error)
{
  g_autofree char *events = g_strdup_printf ("%d", n_events);
  g_autofree char *per_second = g_strdup_printf ("%d", rate);
  const char *const args[] = { "--events", events, "--rate", per_second, NULL };

  return start_gateway (args, url, error);
}

void
stop_gateway (GSubprocess *gateway)
{
  g_output_stream_close (g_subprocess_get_stdin_pipe (gateway), NULL, NULL);
  g_subprocess_wait (gateway, NULL, NULL);
}

static void
print_result_row (const Result *r)
{
  double events = r->events;
  const char *label = find_handler (r->handler)->label;

  if (!r->ok)
    {
      printf ("| %s | %s | %s | failed | | | | | |\n", r->mode, r->encoding, label);
      return;
    }
  printf ("| %s | %s | %s | %.0f | %.1f | %.0f | %.1f | %.1f | %.1f |\n", r->mode, r->encoding,
          label,
          events * G_USEC_PER_SEC / r->span_us, r->cpu_us / events, r->bytes / events,
          r->rss_kib / 1024.0, r->rss_at_ready_kib / 1024.0,
          r->gateway_cpu_us >= 0 ? r->gateway_cpu_us / events : -1.0);
}

static void
print_table (const char *mix,
             Result     *results,
             gsize       n)
{
  double payload = 0;

  for (gsize i = 0; i < n; i++)
    if (results[i].ok && g_str_equal (results[i].mode, "none")
        && g_str_equal (results[i].encoding, "json"))
      payload = (double) results[i].decompressed / results[i].events;

  printf ("\n### Mix `%s`: %d events, %.0f bytes of JSON per event on average%s\n\n",
          mix, n_events, payload, n_runs > 1 ? ", best of the runs" : "");
  printf ("| compression | encoding | handler | events/s | client CPU µs/event | wire B/event "
          "| peak RSS MiB | RSS at READY MiB | mock gateway CPU µs/event |\n");
  printf ("|---|---|---|---:|---:|---:|---:|---:|---:|\n");
  for (gsize i = 0; i < n; i++)
    print_result_row (&results[i]);
}

static char *
cpu_model (void)
{
  g_autofree char *cpuinfo = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL))
    return g_strdup ("unknown CPU");
  lines = g_strsplit (cpuinfo, "\n", 0);
  for (char **l = lines; *l != NULL; l++)
    if (g_str_has_prefix (*l, "model name"))
      {
        const char *colon = strchr (*l, ':');

        if (colon != NULL)
          return g_strstrip (g_strdup (colon + 1));
      }
  return g_strdup ("unknown CPU");
}

void
print_header (void)
{
  g_autofree char *cpu = cpu_model ();
  struct utsname name;

  printf ("## dgateway-benchmark\n\n");
  if (uname (&name) == 0)
    printf ("%s, %u CPUs, %s %s; GLib %u.%u.%u, json-glib %s; each run in a fresh process\n",
            cpu, g_get_num_processors (), name.sysname, name.release,
            glib_major_version, glib_minor_version, glib_micro_version, JSON_VERSION_S);
}

static int
compare_cpu_per_event (gconstpointer a,
                       gconstpointer b)
{
  const Result *x = a, *y = b;
  double dx = (double) x->cpu_us / x->events, dy = (double) y->cpu_us / y->events;

  return (dx > dy) - (dx < dy);
}

/* Runs run n_runs times, each time into the next free element of runs
 * (n_runs elements of size bytes), and sorts those that succeeded with
 * compare, best first: other work on the machine only ever adds to what a
 * run measures. Returns how many succeeded. */
gsize
best_of_runs (gpointer       runs,
              gsize          size,
              BenchRunFunc   run,
              GCompareFunc   compare,
              gpointer       user_data)
{
  gsize n_ok = 0;

  for (int i = 0; i < n_runs; i++)
    if (run ((char *) runs + n_ok * size, user_data))
      n_ok++;
  qsort (runs, n_ok, size, compare);
  return n_ok;
}

typedef struct {
  const char   *self_path;
  const char   *mix;
  const char   *url;
  const char   *gateway_pid;
  const Result *config;
} Measure;

static gboolean
measure_once (gpointer result,
              gpointer user_data)
{
  const Measure *m = user_data;
  Result *r = result;

  *r = (Result) { 0 };
  r->mode = m->config->mode;
  r->handler = m->config->handler;
  r->encoding = m->config->encoding;
  r->gateway_cpu_us = -1;
  run_child (m->self_path, m->url, m->gateway_pid, r);
  if (r->ok && r->expected != (gint64) r->events)
    {
      g_printerr ("%s %s %s %s: %" G_GUINT64_FORMAT " events, expected %" G_GINT64_FORMAT "\n",
                  m->mix, r->mode, r->encoding, r->handler, r->events, r->expected);
      return FALSE;
    }
  if (r->ok)
    g_printerr ("%s, %s, %s, handler %s: %.1f us/event\n", m->mix, r->mode, r->encoding,
                r->handler, (double) r->cpu_us / r->events);
  return r->ok;
}

/* Runs one configuration n_runs times; result gets the run with the least CPU per event. */
static void
measure (const char *self_path,
         const char *mix,
         const char *url,
         const char *gateway_pid,
         Result     *result)
{
  g_autofree Result *runs = g_new0 (Result, n_runs);
  Measure m = { self_path, mix, url, gateway_pid, result };

  if (best_of_runs (runs, sizeof (Result), measure_once, compare_cpu_per_event, &m) > 0)
    *result = runs[0];
}

static gboolean
run_mix (const char *self_path,
         const char *mix,
         GError    **error)
{
  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) gateway = NULL;
  const char *const *encoding_list = encodings != NULL ? (const char *const *) encodings
                                                        : all_encodings;
  guint n_encodings = g_strv_length ((char **) encoding_list);
  g_autofree Result *results = g_new0 (Result, G_N_ELEMENTS (modes) * G_N_ELEMENTS (handlers)
                                               * n_encodings);
  gsize n = 0;

  g_printerr ("%s: generating %d events...\n", mix, n_events);
  gateway = start_mix_gateway (mix, &url, error);
  if (gateway == NULL)
    return FALSE;

  for (gsize m = 0; m < G_N_ELEMENTS (modes); m++)
    for (guint e = 0; e < n_encodings; e++)
      for (gsize h = 0; h < G_N_ELEMENTS (handlers); h++, n++)
        {
          results[n].mode = modes[m].nick;
          results[n].encoding = encoding_list[e];
          results[n].handler = handlers[h].nick;
          measure (self_path, mix, url, g_subprocess_get_identifier (gateway), &results[n]);
        }

  stop_gateway (gateway);
  print_table (mix, results, n);
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- measure libdgateway per event");
  g_autoptr(GError) error = NULL;
  g_autofree char *self_path = NULL;
  const char *const *mix_list;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, bench_bindings_option_group ());
  g_option_context_add_group (context, ui_stall_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("dgateway-benchmark: %s\n", error->message);
      return 2;
    }

  if (what != NULL && !g_str_equal (what, "events") && !g_str_equal (what, "ui-stall") &&
      !g_str_equal (what, "bindings"))
    {
      g_printerr ("dgateway-benchmark: unknown mode \"%s\"\n", what);
      return 2;
    }

  if (run_mode && g_strcmp0 (what, "ui-stall") != 0)
    {
      if (argc != 5)
        {
          g_printerr ("dgateway-benchmark: --run needs URL MODE HANDLER ENCODING\n");
          return 2;
        }
      return run_one (argv[1], argv[2], argv[3], argv[4]);
    }

  for (char **e = encodings; e != NULL && *e != NULL; e++)
    {
      DGatewayEncoding encoding;

      if (!parse_encoding (*e, &encoding))
        {
          g_printerr ("dgateway-benchmark: unknown encoding \"%s\"\n", *e);
          return 2;
        }
    }

  if (n_events <= 0 || n_runs <= 0)
    {
      g_printerr ("dgateway-benchmark: --events and --runs must be positive\n");
      return 2;
    }

  if (gateway_path == NULL)
    gateway_path = g_strdup (MOCK_GATEWAY_PATH);
  if (g_strcmp0 (what, "bindings") == 0)
    return bench_bindings_run (n_events, n_runs);

  self_path = g_file_read_link ("/proc/self/exe", NULL);
  if (self_path == NULL)
    self_path = g_canonicalize_filename (argv[0], NULL);
  if (g_strcmp0 (what, "ui-stall") == 0)
    return ui_stall_main (self_path, run_mode, argc, argv);

  print_header ();
  mix_list = mixes != NULL ? (const char *const *) mixes : all_mixes;
  for (gsize i = 0; mix_list[i] != NULL; i++)
    if (!run_mix (self_path, mix_list[i], &error))
      {
        g_printerr ("dgateway-benchmark: %s\n", error->message);
        return 1;
      }

  printf ("\nAim (issue 3, 1 KB MESSAGE_CREATEs): at most 6 µs/event with no handler, "
          "12 µs with a reading handler, in every mode, under 12 MiB peak RSS.\n");
  g_strfreev (mixes);
  g_strfreev (encodings);
  g_free (gateway_path);
  return 0;
}
