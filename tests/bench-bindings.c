/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* dgateway-benchmark --mode bindings: the memory a GJS or PyGObject
 * application reaches (issue 12).
 *
 * It starts dgateway-mock-gateway with a recording of --events
 * MESSAGE_CREATEs (100,000 by default), streamed as fast as the client
 * reads, or with --rate N, MESSAGE_CREATEs sent at N a second, as an
 * application that keeps up with its events sees them, and, for each row,
 * runs
 * bench-bindings.js under gjs or bench-bindings.py under python3 against
 * the typelib of the build tree, with a `message-create` handler that reads
 * two fields of the typed payload, or a `dispatch` handler that calls
 * get_json(), or in GJS one that reads JSON.parse (dup_data_json ()). The
 * scripts never ask for a collection, but for one reference row, the
 * typed handler with a System.gc() every 5,000 events. Each row shows
 *
 *   events/s             events / wall time, READY to BENCHMARK_DONE
 *   CPU µs/event         the interpreter's user + system time over the same
 *                        span, which the script reads from /proc or
 *                        getrusage()
 *   peak RSS             ru_maxrss of the interpreter process, from wait4()
 *   RSS at READY         before the events: the interpreter and the library
 *
 * A JavaScript engine frees a wrapper only when its collector runs, and
 * decides when by what it allocated itself: what the library holds behind
 * each wrapper is what peak RSS shows here. See docs/performance.md. */

#include "benchmark.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
  const char *interpreter;
  const char *script;
  const char *handler;
  const char *label;
} Row;

static char *gjs_path = NULL;
static char *python_path = NULL;
static int rate = 0;

static GOptionEntry entries[] = {
  { "rate", 0, 0, G_OPTION_ARG_INT, &rate, "With --mode bindings: send the events at N a second instead of as fast as the client reads", "N" },
  { "gjs", 0, 0, G_OPTION_ARG_FILENAME, &gjs_path, "With --mode bindings: the gjs program (default /usr/bin/gjs)", "PATH" },
  { "python", 0, 0, G_OPTION_ARG_FILENAME, &python_path, "With --mode bindings: the python3 program with PyGObject (default /usr/bin/python3)", "PATH" },
  G_OPTION_ENTRY_NULL
};

GOptionGroup *
bench_bindings_option_group (void)
{
  GOptionGroup *group = g_option_group_new ("bindings", "Options of --mode bindings:",
                                            "Show the options of --mode bindings", NULL, NULL);

  g_option_group_add_entries (group, entries);
  return group;
}

typedef struct {
  gboolean ok;
  guint64  events;
  gint64   span_us;
  gint64   cpu_us;
  long     rss_kib;
  long     rss_at_ready_kib;
  gint64   expected;
} Result;

static const char *
interpreter_path (const Row *row)
{
  if (g_str_equal (row->interpreter, "GJS"))
    return gjs_path != NULL ? gjs_path : "/usr/bin/gjs";
  return python_path != NULL ? python_path : "/usr/bin/python3";
}

/* The environment of tests/bindings/meson.build: the build tree's typelib
 * and library first. */
static char **
script_environment (void)
{
  char **env = g_get_environ ();
  const char *const names[] = { "GI_TYPELIB_PATH", "LD_LIBRARY_PATH" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *old = g_environ_getenv (env, names[i]);
      g_autofree char *value = old != NULL && *old != '\0'
                               ? g_strconcat (BUILD_LIBRARY_DIR, ":", old, NULL)
                               : g_strdup (BUILD_LIBRARY_DIR);

      env = g_environ_setenv (env, names[i], value, TRUE);
    }
  return env;
}

static char *
read_all (int fd)
{
  GString *out = g_string_new (NULL);
  char buffer[4096];
  ssize_t n;

  while ((n = read (fd, buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      g_string_append_len (out, buffer, n);
  close (fd);
  return g_string_free (out, FALSE);
}

static gboolean
parse_result (const char *out,
              Result     *result)
{
  const char *line = out != NULL ? strstr (out, "RESULT ") : NULL;

  return line != NULL
         && sscanf (line, "RESULT %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
                    " %ld %" G_GINT64_FORMAT, &result->events, &result->span_us,
                    &result->cpu_us, &result->rss_at_ready_kib, &result->expected) == 5
         && result->events > 0 && result->span_us > 0;
}

/* Runs the script and reaps it ourselves: wait4() gives the rusage of this
 * one child, where RUSAGE_CHILDREN would keep the largest of all so far. */
static void
run_script (const Row  *row,
            const char *url,
            int         n_events,
            Result     *result)
{
  g_autofree char *script = g_build_filename (BENCH_SCRIPTS_DIR, row->script, NULL);
  /* A paced gateway sends no BENCHMARK_DONE: the script counts. */
  g_autofree char *count = g_strdup_printf ("%d", rate > 0 ? n_events : 0);
  const char *argv[] = { interpreter_path (row), script, url, row->handler, count, NULL };
  g_auto(GStrv) env = script_environment ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  struct rusage usage;
  int out_fd, status;
  GPid pid;

  if (!g_spawn_async_with_pipes (NULL, (char **) argv, env, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                 NULL, &pid, NULL, &out_fd, NULL, &error))
    {
      g_printerr ("dgateway-benchmark: %s\n", error->message);
      return;
    }

  out = read_all (out_fd);
  while (wait4 (pid, &status, 0, &usage) < 0)
    if (errno != EINTR)
      return;
  result->ok = WIFEXITED (status) && WEXITSTATUS (status) == 0 && parse_result (out, result);
  result->rss_kib = usage.ru_maxrss;
  if (result->ok && result->expected != (gint64) result->events)
    g_printerr ("%s, %s: %" G_GUINT64_FORMAT " events, expected %" G_GINT64_FORMAT "\n",
                row->interpreter, row->handler, result->events, result->expected);
}

typedef struct {
  const Row *row;
  const char *url;
  int n_events;
} Measure;

static gboolean
measure_once (gpointer result,
              gpointer user_data)
{
  const Measure *m = user_data;
  Result *r = result;

  *r = (Result) { 0 };
  run_script (m->row, m->url, m->n_events, r);
  if (r->ok)
    g_printerr ("%s, %s: %.1f us/event, peak RSS %.1f MiB\n", m->row->interpreter,
                m->row->handler, (double) r->cpu_us / r->events, r->rss_kib / 1024.0);
  return r->ok;
}

static int
by_cpu_per_event (gconstpointer a,
                  gconstpointer b)
{
  const Result *x = a, *y = b;
  double per_x = (double) x->cpu_us / x->events;
  double per_y = (double) y->cpu_us / y->events;

  return (per_x > per_y) - (per_x < per_y);
}

/* Of the --runs runs, the one with the least CPU per event: other work on
 * the machine only ever adds to it. */
static void
measure (const Row  *row,
         const char *url,
         int         n_events,
         int         runs,
         Result     *best)
{
  g_autofree Result *all = g_new0 (Result, runs);
  Measure m = { row, url, n_events };

  if (best_of_runs (all, sizeof (Result), measure_once, by_cpu_per_event, &m) > 0)
    *best = all[0];
}

static void
print_row (const Row    *row,
           const Result *r)
{
  double events = r->events;

  if (!r->ok)
    {
      printf ("| %s | %s | failed | | | |\n", row->interpreter, row->label);
      return;
    }
  printf ("| %s | %s | %.0f | %.1f | %.1f | %.1f |\n", row->interpreter, row->label,
          events * G_USEC_PER_SEC / r->span_us, r->cpu_us / events,
          r->rss_kib / 1024.0, r->rss_at_ready_kib / 1024.0);
}

int
bench_bindings_run (int n_events,
                    int runs)
{
  static const Row rows[] = {
    { "GJS", "bench-bindings.js", "typed", "message-create, two fields" },
    { "GJS", "bench-bindings.js", "typed-gc", "the same, System.gc() every 5,000 (reference)" },
    { "GJS", "bench-bindings.js", "json", "dispatch, get_json()" },
    { "GJS", "bench-bindings.js", "json-text", "dispatch, JSON.parse(dup_data_json())" },
    { "PyGObject", "bench-bindings.py", "typed", "message-create, two fields" },
    { "PyGObject", "bench-bindings.py", "json", "dispatch, get_json()" },
  };
  Result results[G_N_ELEMENTS (rows)] = { 0 };
  g_autoptr(GSubprocess) gateway = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  print_header ();
  g_printerr ("messages: generating %d events...\n", n_events);
  gateway = rate > 0 ? start_paced_gateway (rate, &url, &error)
                     : start_mix_gateway ("messages", &url, &error);
  if (gateway == NULL)
    {
      g_printerr ("dgateway-benchmark: %s\n", error->message);
      return 1;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    measure (&rows[i], url, n_events, runs, &results[i]);
  stop_gateway (gateway);

  if (rate > 0)
    printf ("\n### Bindings: %d MESSAGE_CREATEs at %d a second", n_events, rate);
  else
    printf ("\n### Bindings: %d MESSAGE_CREATEs as fast as the client reads", n_events);
  printf (", no explicit collection but where stated%s\n\n",
          runs > 1 ? ", the run with the least CPU" : "");
  printf ("| interpreter | handler | events/s | CPU µs/event | peak RSS MiB | RSS at READY MiB |\n");
  printf ("|---|---|---:|---:|---:|---:|\n");
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    print_row (&rows[i], &results[i]);
  return 0;
}
