/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* dgateway-benchmark --mode ui-stall: how long the client keeps the
 * application's main loop from running.
 *
 * A 1 ms timeout beside one shard, as a GTK application's frame clock would
 * be, records the gaps between its runs while a burst arrives from the mock
 * gateway (a separate process), for each case:
 *
 *   guilds     a bot's start-up: 2,500 GUILD_CREATEs of about 57 KB at once
 *   big-guild  one GUILD_CREATE of 22,000 members, 10.6 MB of JSON
 *   messages   50,000 MESSAGE_CREATEs at 10,000/s
 *
 * in each compression mode, with no handler and with a typed handler that
 * reads a few fields (guild-create: the name, the member count and one
 * channel's name; message-create: the content and the author). Each run is
 * a fresh child process (this program again, with --mode ui-stall --run)
 * that measures from connecting until the last event of the burst:
 *
 *   longest gap, 99th percentile  between two runs of the 1 ms timeout
 *   CPU µs/event                  getrusage (RUSAGE_SELF) user + system / events
 *   peak RSS                      ru_maxrss of the child at the end
 *
 * and the parent prints one Markdown table. With --runs N it keeps the run
 * with the shortest longest gap. --case, --compression and --handler pick
 * rows; --client-property NAME=VALUE sets a property of each child's
 * client, so that two builds' or two settings' rows can be put side by
 * side. See
 * docs/performance.md. */

#include "benchmark.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STALL_TOKEN         "test-token"
#define TICK_MS             1

typedef struct {
  const char        *name;
  const char        *handler;   /* the typed handler of the "reading" rows */
  guint              events;    /* dispatches of the burst, after READY */
  const char *const *gateway_args;
} Case;

static const char *const guilds_args[] = { "--guilds", "2500", "--members", "100", NULL };
static const char *const big_guild_args[] = { "--guilds", "1", "--members", "22000", NULL };
static const char *const messages_args[] = { "--events", "50000", "--rate", "10000", NULL };

static const Case cases[] = {
  { "guilds", "guild-create", 2500, guilds_args },
  { "big-guild", "guild-create", 1, big_guild_args },
  { "messages", "message-create", 50000, messages_args },
};

static char **case_filter = NULL;
static char **compression_filter = NULL;
static char **handler_filter = NULL;
static char **client_properties = NULL;

static GOptionEntry entries[] = {
  { "case", 0, 0, G_OPTION_ARG_STRING_ARRAY, &case_filter, "Case to run: guilds, big-guild or messages (repeatable; default all)", "NAME" },
  { "compression", 0, 0, G_OPTION_ARG_STRING_ARRAY, &compression_filter, "Compression to run: none, zlib-stream or zstd-stream (repeatable; default all)", "NAME" },
  { "handler", 0, 0, G_OPTION_ARG_STRING_ARRAY, &handler_filter, "Handler to run: none or typed (repeatable; default both)", "NAME" },
  { "client-property", 0, 0, G_OPTION_ARG_STRING_ARRAY, &client_properties, "Set a property of each run's client (repeatable)", "NAME=VALUE" },
  G_OPTION_ENTRY_NULL
};

/* The options of --mode ui-stall, for the benchmark's option context. */
GOptionGroup *
ui_stall_option_group (void)
{
  GOptionGroup *group = g_option_group_new ("ui-stall", "Options of --mode ui-stall:",
                                            "Show the options of --mode ui-stall", NULL, NULL);

  g_option_group_add_entries (group, entries);
  return group;
}

/* Client properties from strings */

static gboolean
parse_boolean (const char *text,
               gboolean   *out)
{
  static const char *const truths[] = { "true", "yes", "on", "1", NULL };
  static const char *const lies[] = { "false", "no", "off", "0", NULL };

  if (g_strv_contains (truths, text))
    *out = TRUE;
  else if (g_strv_contains (lies, text))
    *out = FALSE;
  else
    return FALSE;
  return TRUE;
}

static gboolean
parse_enum (GType       type,
            const char *text,
            int        *out)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);
  GEnumValue *value = g_enum_get_value_by_nick (klass, text);

  if (value == NULL)
    value = g_enum_get_value_by_name (klass, text);
  if (value == NULL)
    return FALSE;
  *out = value->value;
  return TRUE;
}

/* Numbers go through a gint64 or a double and GLib's numeric transforms. */
static gboolean
parse_number (const char *text,
              GValue     *value)
{
  g_auto(GValue) number = G_VALUE_INIT;
  gint64 integer;
  char *end;

  if (g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &integer, NULL))
    g_value_set_int64 (g_value_init (&number, G_TYPE_INT64), integer);
  else
    {
      double real = g_ascii_strtod (text, &end);

      if (*text == '\0' || *end != '\0')
        return FALSE;
      g_value_set_double (g_value_init (&number, G_TYPE_DOUBLE), real);
    }
  return g_value_type_transformable (G_VALUE_TYPE (&number), G_VALUE_TYPE (value))
         && g_value_transform (&number, value);
}

static gboolean
value_from_string (GValue     *value,
                   const char *text)
{
  GType type = G_VALUE_TYPE (value);
  gboolean boolean;
  int enum_value;

  if (type == G_TYPE_STRING)
    g_value_set_string (value, text);
  else if (type == G_TYPE_BOOLEAN && parse_boolean (text, &boolean))
    g_value_set_boolean (value, boolean);
  else if (G_TYPE_IS_ENUM (type) && parse_enum (type, text, &enum_value))
    g_value_set_enum (value, enum_value);
  else if (type == G_TYPE_BOOLEAN || G_TYPE_IS_ENUM (type) || !parse_number (text, value))
    return FALSE;
  return TRUE;
}

/* Sets a property from "NAME=VALUE": a string, a boolean (true/false,
 * yes/no, on/off, 1/0), an enum (nick or name) or a number. */
static gboolean
set_property_from_string (GObject     *object,
                          const char  *assignment,
                          GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (assignment, "=", 2);
  g_auto(GValue) value = G_VALUE_INIT;
  GParamSpec *pspec;

  if (g_strv_length (parts) != 2)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--client-property %s: expected NAME=VALUE", assignment);
      return FALSE;
    }
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), parts[0]);
  if (pspec == NULL || !(pspec->flags & G_PARAM_WRITABLE) || (pspec->flags & G_PARAM_CONSTRUCT_ONLY))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--client-property %s: %s has no property %s that can be set",
                   assignment, G_OBJECT_TYPE_NAME (object), parts[0]);
      return FALSE;
    }
  g_value_init (&value, pspec->value_type);
  if (!value_from_string (&value, parts[1]) || g_param_value_validate (pspec, &value))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--client-property %s: not a valid %s", assignment,
                   g_type_name (pspec->value_type));
      return FALSE;
    }
  g_object_set_property (object, parts[0], &value);
  return TRUE;
}

static gboolean
set_client_properties (DGatewayClient     *client,
                       const char *const  *assignments,
                       GError            **error)
{
  for (gsize i = 0; assignments != NULL && assignments[i] != NULL; i++)
    if (!set_property_from_string (G_OBJECT (client), assignments[i], error))
      return FALSE;
  return TRUE;
}

static DGatewayClient *
stall_client_new (void)
{
  return dgateway_client_new (STALL_TOKEN, DGATEWAY_INTENTS_GUILDS | DGATEWAY_INTENTS_GUILD_MESSAGES
                                           | DGATEWAY_INTENTS_MESSAGE_CONTENT);
}

/* One run, in the child */

typedef struct {
  ChildRun        child;        /* first: the handlers' data is the Stall */
  guint64         expected;     /* READY and the burst */
  gint64          last_tick;
  GArray         *gaps;         /* µs between runs of the 1 ms timeout */
  gsize           checksum;
} Stall;

/* The application's timeout: it counts the burst through the client's
 * counter, so that the rows without a handler have none at all. */
static gboolean
tick_cb (gpointer user_data)
{
  Stall *stall = user_data;
  gint64 now = g_get_monotonic_time ();

  if (stall->last_tick != 0)
    {
      gint64 gap = now - stall->last_tick;

      g_array_append_val (stall->gaps, gap);
    }
  stall->last_tick = now;
  if (dgateway_client_get_events_received (stall->child.client) >= stall->expected)
    child_run_finish (&stall->child);
  return G_SOURCE_CONTINUE;
}

static void
add_checksum (Stall      *stall,
              const char *field)
{
  stall->checksum += field != NULL ? strlen (field) : 1;
}

/* What a bot or an app does with a guild as it arrives: its name, its size,
 * one of its channels. */
static void
guild_create_cb (DGatewayClient *client,
                 DGatewayGuild  *guild,
                 gpointer        user_data)
{
  Stall *stall = user_data;
  GListModel *channels = dgateway_guild_get_channels (guild);
  g_autoptr(DGatewayChannel) channel = NULL;

  add_checksum (stall, dgateway_guild_get_name (guild));
  stall->checksum += dgateway_guild_get_member_count (guild);
  if (channels != NULL && g_list_model_get_n_items (channels) > 0)
    channel = g_list_model_get_item (channels, 0);
  add_checksum (stall, channel != NULL ? dgateway_channel_get_name (channel) : NULL);
}

static void
message_create_cb (DGatewayClient  *client,
                   DGatewayMessage *message,
                   gpointer         user_data)
{
  Stall *stall = user_data;
  DGatewayUser *author = dgateway_message_get_author (message);

  add_checksum (stall, dgateway_message_get_content (message));
  add_checksum (stall, author != NULL ? dgateway_user_get_username (author) : NULL);
}

static const Case *
find_case (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    if (g_str_equal (cases[i].name, name))
      return &cases[i];
  return NULL;
}

static int
compare_gaps (gconstpointer a,
              gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static void
stall_print (Stall  *stall,
             gint64  cpu_us)
{
  guint n = stall->gaps->len;

  g_array_sort (stall->gaps, compare_gaps);
  printf ("RESULT %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
          " %ld %" G_GUINT64_FORMAT " %u %zu\n",
          dgateway_client_get_events_received (stall->child.client) - 1,
          g_array_index (stall->gaps, gint64, n - 1), g_array_index (stall->gaps, gint64, n * 99 / 100),
          cpu_us, peak_rss_kib (), dgateway_client_get_bytes_decompressed (stall->child.client), n,
          stall->checksum);
  fflush (stdout);
}

/* Connects the handler, the 1 ms timeout and the client, and runs until
 * the burst is in; prints one RESULT line. */
static int
run_one (const char *url,
         const char *case_name,
         const char *handler)
{
  const Case *c = find_case (case_name);
  Stall stall = { .gaps = NULL };
  guint tick_id;
  gint64 cpu_us;

  if (c == NULL || (!g_str_equal (handler, "none") && !g_str_equal (handler, c->handler)))
    {
      g_printerr ("--run: unknown case \"%s\" or handler \"%s\"\n", case_name, handler);
      return 2;
    }
  child_run_init (&stall.child, stall_client_new ());
  g_object_set (stall.child.client, "gateway-url", url, NULL);
  if (!set_client_properties (stall.child.client, (const char *const *) client_properties,
                              &stall.child.error))
    return child_run_end (&stall.child);
  stall.expected = 1 + c->events;
  stall.gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (!g_str_equal (handler, "none"))
    g_signal_connect (stall.child.client, handler,
                      g_str_equal (handler, "guild-create") ? G_CALLBACK (guild_create_cb)
                                                            : G_CALLBACK (message_create_cb),
                      &stall);

  cpu_us = cpu_time_us ();
  tick_id = g_timeout_add (TICK_MS, tick_cb, &stall);
  child_run_connect (&stall.child);
  cpu_us = cpu_time_us () - cpu_us;
  g_source_remove (tick_id);

  if (stall.child.finished && stall.gaps->len > 0)
    stall_print (&stall, cpu_us);
  g_array_unref (stall.gaps);
  return child_run_end (&stall.child);
}

/* The parent */

typedef struct {
  const Case *c;
  const char *compression;
  const char *handler;
  gboolean    ok;
  guint64     events;
  gint64      longest_us;
  gint64      p99_us;
  gint64      cpu_us;
  long        rss_kib;
  guint64     json_bytes;
} Result;

typedef struct {
  const char *self_path;
  const char *url;
  const Result *config;
} Measure;

static gboolean
parse_result (const char *line,
              Result     *result)
{
  int n = sscanf (line, "RESULT %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
                  " %" G_GINT64_FORMAT " %ld %" G_GUINT64_FORMAT,
                  &result->events, &result->longest_us, &result->p99_us, &result->cpu_us,
                  &result->rss_kib, &result->json_bytes);

  return n == 6 && result->events > 0;
}

/* The child's arguments: the run's own, then the client properties with
 * the compression first, so that a --client-property compression=… wins. */
static GStrv
child_argv (const Measure *m)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *compression = g_strdup_printf ("compression=%s", m->config->compression);

  g_strv_builder_add_many (builder, m->self_path, "--mode", "ui-stall", "--run", m->url,
                           m->config->c->name, m->config->handler,
                           "--client-property", compression, NULL);
  for (char **p = client_properties; p != NULL && *p != NULL; p++)
    g_strv_builder_add_many (builder, "--client-property", *p, NULL);
  return g_strv_builder_end (builder);
}

static gboolean
measure_once (gpointer result,
              gpointer user_data)
{
  const Measure *m = user_data;
  Result *r = result;
  g_auto(GStrv) argv = child_argv (m);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  *r = *m->config;
  out = run_to_end ((const char *const *) argv, &error);
  r->ok = out != NULL && parse_result (out, r);
  if (r->ok && r->events != r->c->events)
    {
      g_printerr ("%s %s %s: %" G_GUINT64_FORMAT " events, expected %u\n", r->c->name,
                  r->compression, r->handler, r->events, r->c->events);
      r->ok = FALSE;
    }
  if (r->ok)
    g_printerr ("%s, %s, handler %s: longest gap %.1f ms\n", r->c->name, r->compression,
                r->handler, r->longest_us / 1000.0);
  else if (error != NULL)
    g_printerr ("dgateway-benchmark: %s\n", error->message);
  return r->ok;
}

/* The best run is the one with the shortest longest gap, then the
 * shortest 99th percentile: other work only ever lengthens them. */
static int
compare_stalls (gconstpointer a,
                gconstpointer b)
{
  const Result *x = a, *y = b;

  if (x->longest_us != y->longest_us)
    return (x->longest_us > y->longest_us) - (x->longest_us < y->longest_us);
  return (x->p99_us > y->p99_us) - (x->p99_us < y->p99_us);
}

static void
measure (const char *self_path,
         const char *url,
         Result     *result)
{
  g_autofree Result *runs = g_new0 (Result, n_runs);
  Measure m = { self_path, url, result };

  if (best_of_runs (runs, sizeof (Result), measure_once, compare_stalls, &m) > 0)
    *result = runs[0];
}

static gboolean
wanted (char       **filter,
        const char  *name)
{
  return filter == NULL || g_strv_contains ((const char *const *) filter, name);
}

/* Runs every wanted compression mode and handler of one case against one
 * mock gateway, appending to results. */
static gboolean
run_case (const char  *self_path,
          const Case  *c,
          GArray      *results,
          GError     **error)
{
  g_autoptr(GEnumClass) compressions = g_type_class_ref (DGATEWAY_TYPE_COMPRESSION);
  const char *handlers[] = { "none", c->handler };
  const char *handler_kinds[] = { "none", "typed" };
  g_autoptr(GSubprocess) gateway = NULL;
  g_autofree char *url = NULL;

  g_printerr ("%s: generating the burst...\n", c->name);
  gateway = start_gateway (c->gateway_args, &url, error);
  if (gateway == NULL)
    return FALSE;

  for (guint i = 0; i < compressions->n_values; i++)
    for (gsize h = 0; h < G_N_ELEMENTS (handlers); h++)
      {
        Result result = { c, compressions->values[i].value_nick, handlers[h] };

        if (!wanted (compression_filter, result.compression)
            || !wanted (handler_filter, handler_kinds[h]))
          continue;
        measure (self_path, url, &result);
        g_array_append_val (results, result);
      }

  stop_gateway (gateway);
  return TRUE;
}

static void
print_row (const Result *r)
{
  if (!r->ok)
    {
      printf ("| %s | %s | %s | failed | | | | |\n", r->c->name, r->compression, r->handler);
      return;
    }
  printf ("| %s | %s | %s | %.1f | %.1f | %.1f | %.1f | %" G_GUINT64_FORMAT " |\n",
          r->c->name, r->compression, r->handler, r->longest_us / 1000.0, r->p99_us / 1000.0,
          (double) r->cpu_us / r->events, r->rss_kib / 1024.0, r->events);
}

static void
print_table (GArray *results)
{
  g_autofree char *properties = client_properties != NULL
                                ? g_strjoinv (", ", client_properties) : g_strdup ("none");
  const Case *described = NULL;

  printf ("\n### UI stall: gaps of a 1 ms timeout beside one shard during a burst%s\n\n",
          n_runs > 1 ? ", best of the runs" : "");
  printf ("Client properties set: %s.\n\n", properties);
  printf ("| case | compression | handler | longest gap ms | 99th percentile gap ms "
          "| CPU µs/event | peak RSS MiB | events |\n");
  printf ("|---|---|---|---:|---:|---:|---:|---:|\n");
  for (guint i = 0; i < results->len; i++)
    print_row (&g_array_index (results, Result, i));

  /* The size of each case, from its first run that succeeded. */
  printf ("\n");
  for (guint i = 0; i < results->len; i++)
    {
      const Result *r = &g_array_index (results, Result, i);

      if (!r->ok || r->c == described)
        continue;
      described = r->c;
      printf ("- `%s`: %" G_GUINT64_FORMAT " %s, %.1f KB each on average once decompressed\n",
              r->c->name, r->events, r->events == 1 ? "event" : "events",
              r->json_bytes / 1000.0 / r->events);
    }
  printf ("\nAim (issue 12): a longest gap under 4 ms with no handler, in every case and mode.\n");
}

static gboolean
check_filter (char               **filter,
              const char *const   *known,
              const char          *what,
              GError             **error)
{
  for (char **n = filter; n != NULL && *n != NULL; n++)
    if (!g_strv_contains (known, *n))
      {
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "unknown %s \"%s\"",
                     what, *n);
        return FALSE;
      }
  return TRUE;
}

static gboolean
check_filters (GError **error)
{
  g_autoptr(GEnumClass) compressions = g_type_class_ref (DGATEWAY_TYPE_COMPRESSION);
  g_autoptr(DGatewayClient) client = stall_client_new ();
  g_autoptr(GStrvBuilder) case_names = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) compression_names = g_strv_builder_new ();
  const char *const handler_names[] = { "none", "typed", NULL };
  g_auto(GStrv) cases_known = NULL;
  g_auto(GStrv) compressions_known = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_strv_builder_add (case_names, cases[i].name);
  for (guint i = 0; i < compressions->n_values; i++)
    g_strv_builder_add (compression_names, compressions->values[i].value_nick);
  cases_known = g_strv_builder_end (case_names);
  compressions_known = g_strv_builder_end (compression_names);

  if (!check_filter (case_filter, (const char *const *) cases_known, "case", error)
      || !check_filter (compression_filter, (const char *const *) compressions_known,
                        "compression", error)
      || !check_filter (handler_filter, handler_names, "handler", error))
    return FALSE;
  /* A property that cannot be set fails here, before any child runs. */
  return set_client_properties (client, (const char *const *) client_properties, error);
}

/* --mode ui-stall: the table, or with run (--run URL CASE HANDLER) one
 * run of it in the child. Returns the exit status. */
int
ui_stall_main (const char  *self_path,
               gboolean     run,
               int          argc,
               char       **argv)
{
  g_autoptr(GArray) results = g_array_new (FALSE, FALSE, sizeof (Result));
  g_autoptr(GError) error = NULL;

  if (run)
    {
      if (argc != 4)
        {
          g_printerr ("dgateway-benchmark: --mode ui-stall --run needs URL CASE HANDLER\n");
          return 2;
        }
      return run_one (argv[1], argv[2], argv[3]);
    }

  if (!check_filters (&error))
    {
      g_printerr ("dgateway-benchmark: %s\n", error->message);
      return 2;
    }

  print_header ();
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    if (wanted (case_filter, cases[i].name) && !run_case (self_path, &cases[i], results, &error))
      {
        g_printerr ("dgateway-benchmark: %s\n", error->message);
        return 1;
      }
  print_table (results);
  return 0;
}
