/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What a DGatewayCache costs: run by hand, not a test (docs/cache.md).
 *
 *   ./tests/bench-cache [--guilds N] [--members N] [--messages N] [--runs N]
 *
 * For each mode (no cache; an empty dispatch handler; caches of several
 * flag sets) a fresh process connects a client to a mock gateway that runs
 * in a forked child, so that the mock's buffers stay out of the figures.
 * The mock streams N GUILD_CREATEs of 100 members (with their users, a
 * third with presences), 50 channels and 20 roles each, as one shard of a
 * big bot gets after READY, then N MESSAGE_CREATEs of about 1.3 KB into a
 * cached channel. The process reports the heap it grew by over the guilds
 * (glibc's mallinfo2, one arena), its CPU time (user + system, all threads)
 * over each phase, and what the cache holds; with --runs, the least CPU
 * time of the runs of each mode, as other processes only ever add some.
 *
 * CPU time on a shared machine is noisy: --instructions runs each mode under
 * callgrind instead and counts the instructions the client's process runs
 * in each phase (all threads), which do not depend on the load. Use fewer
 * guilds and messages then: callgrind is some 50 times slower. */

#include <dgateway/dgateway.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <valgrind/callgrind.h>

#include <dgateway-testing.h>

#define N_ROLES    20
#define N_CHANNELS 50

static int n_guilds = 2500;
static int n_members = 100;
static int n_messages = 100000;
static int n_runs = 1;
static gboolean instructions;
static char *mode;

static const struct {
  const char *name;
  const char *what;
  gboolean cache;
  DGatewayCacheFlags flags;
  gboolean dispatch_handler;
} modes[] = {
  { "none", "no cache", FALSE, 0, FALSE },
  { "dispatch", "an empty dispatch handler", FALSE, 0, TRUE },
  { "guilds", "cache: guilds", TRUE, DGATEWAY_CACHE_GUILDS, FALSE },
  { "no-messages", "cache: all but messages", TRUE, DGATEWAY_CACHE_ALL & ~DGATEWAY_CACHE_MESSAGES, FALSE },
  { "all", "cache: all (10 messages)", TRUE, DGATEWAY_CACHE_ALL, FALSE },
};

/* The mock's side */

static guint64
guild_id (guint index)
{
  /* Guild 0 is the mock's, whose channel the generated messages go to. */
  if (index == 0)
    return g_ascii_strtoull (DGATEWAY_MOCK_GATEWAY_GUILD_ID, NULL, 10);
  return (G_GUINT64_CONSTANT (300000000000) + index) << 22;
}

static char *
build_guild (guint index)
{
  guint64 id = guild_id (index);
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "{\"id\":\"%" G_GUINT64_FORMAT "\",\"name\":\"Guild %u\","
                          "\"icon\":\"%08x%08x%08x%08x\",\"owner_id\":\"%" G_GUINT64_FORMAT "\","
                          "\"large\":false,\"unavailable\":false,\"member_count\":%d,"
                          "\"features\":[\"COMMUNITY\"],\"verification_level\":1,"
                          "\"joined_at\":\"2024-01-01T00:00:00.000000+00:00\","
                          "\"emojis\":[],\"stickers\":[],\"threads\":[],\"voice_states\":[],"
                          "\"stage_instances\":[],\"guild_scheduled_events\":[],\"roles\":[",
                          id, index, index * 2654435761u, index, ~index, index * 69069u,
                          G_GUINT64_CONSTANT (400000000000000000) + index * 1000, n_members);
  for (guint r = 0; r < N_ROLES; r++)
    g_string_append_printf (out, "%s{\"id\":\"%" G_GUINT64_FORMAT "\",\"name\":\"role %u\","
                            "\"color\":%u,\"hoist\":%s,\"icon\":null,\"unicode_emoji\":null,"
                            "\"position\":%u,\"permissions\":\"%u\",\"managed\":false,"
                            "\"mentionable\":false,\"flags\":0}",
                            r ? "," : "", r == 0 ? id : id + r, r, (r * 2654435761u) & 0xffffff,
                            r % 4 == 0 ? "true" : "false", r, 1u << (r % 30));
  g_string_append (out, "],\"channels\":[");
  for (guint c = 0; c < N_CHANNELS; c++)
    {
      gboolean category = c % 10 == 0;

      g_string_append_printf (out, "%s{\"id\":\"%" G_GUINT64_FORMAT "\",\"type\":%d,\"name\":\"%s-%u\","
                              "\"position\":%u,\"flags\":0,\"permission_overwrites\":[]",
                              c ? "," : "", id + 100 + c, category ? 4 : 0,
                              category ? "category" : "channel", c, c % 10);
      if (!category)
        g_string_append_printf (out, ",\"parent_id\":\"%" G_GUINT64_FORMAT "\",\"topic\":\"Talk about %u\","
                                "\"nsfw\":false,\"rate_limit_per_user\":0,\"last_message_id\":null",
                                id + 100 + c / 10 * 10, c);
      g_string_append (out, "}");
    }
  g_string_append (out, "],\"members\":[");
  for (int m = 0; m < n_members; m++)
    {
      guint user = index * n_members + m;

      g_string_append_printf (out, "%s{\"user\":{\"id\":\"%" G_GUINT64_FORMAT "\",\"username\":\"user%u\","
                              "\"global_name\":\"User %u\",\"discriminator\":\"0\","
                              "\"avatar\":\"%08x%08x%08x%08x\",\"public_flags\":0},"
                              "\"roles\":[\"%" G_GUINT64_FORMAT "\",\"%" G_GUINT64_FORMAT "\"],"
                              "\"premium_since\":null,\"pending\":false,\"nick\":%s,\"mute\":false,"
                              "\"joined_at\":\"2023-03-14T15:09:26.535000+00:00\",\"flags\":0,"
                              "\"deaf\":false,\"communication_disabled_until\":null,\"avatar\":null}",
                              m ? "," : "", G_GUINT64_CONSTANT (500000000000000000) + user, user, user,
                              user * 2654435761u, user, ~user, user * 40503u,
                              id + 1 + user % (N_ROLES - 1), id + 1 + (user / 7) % (N_ROLES - 1),
                              m % 5 == 0 ? "\"a nickname\"" : "null");
    }
  g_string_append (out, "],\"presences\":[");
  for (int m = 0; m < n_members; m += 3)
    g_string_append_printf (out, "%s{\"user\":{\"id\":\"%" G_GUINT64_FORMAT "\"},\"status\":\"online\","
                            "\"client_status\":{\"desktop\":\"online\"},\"activities\":[]}",
                            m ? "," : "", G_GUINT64_CONSTANT (500000000000000000) + index * n_members + m);
  g_string_append (out, "]}");
  return g_string_free (out, FALSE);
}

/* Built before the client connects, so that each phase streams at the
 * socket's pace rather than the generator's. */
static char **guild_data;
static char **message_data;

static gboolean
child_command_cb (int          fd,
                  GIOCondition condition,
                  gpointer     data)
{
  DGatewayMockGateway *mock = data;
  char command;

  if (read (fd, &command, 1) != 1)
    {
      g_main_context_wakeup (NULL);
      exit (0);
    }
  if (command == 'G')
    {
      for (int i = 0; i < n_guilds; i++)
        dgateway_mock_gateway_send_dispatch (mock, "GUILD_CREATE", guild_data[i]);
      dgateway_mock_gateway_send_dispatch (mock, "BENCH_GUILDS_DONE", "{}");
    }
  else if (command == 'M')
    {
      for (int i = 0; i < n_messages; i++)
        dgateway_mock_gateway_send_dispatch (mock, "MESSAGE_CREATE", message_data[i]);
      dgateway_mock_gateway_send_dispatch (mock, "BENCH_DONE", "{}");
    }
  return G_SOURCE_CONTINUE;
}

static G_GNUC_NORETURN void
run_mock (int to_parent,
          int from_parent)
{
  DGatewayMockGateway *mock = dgateway_mock_gateway_new (NULL);
  guint port = dgateway_mock_gateway_get_port (mock);

  guild_data = g_new0 (char *, n_guilds + 1);
  for (int i = 0; i < n_guilds; i++)
    guild_data[i] = build_guild (i);
  message_data = g_new0 (char *, n_messages + 1);
  for (int i = 0; i < n_messages; i++)
    message_data[i] = dgateway_mock_gateway_build_message_create (i);

  if (write (to_parent, &port, sizeof port) != sizeof port)
    exit (1);
  g_unix_fd_add (from_parent, G_IO_IN | G_IO_HUP, child_command_cb, mock);
  for (;;)
    g_main_context_iteration (NULL, TRUE);
}

/* The client's side */

typedef struct {
  gboolean connected;
  gboolean guilds_done;
  gboolean done;
} State;

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static gint64
heap_bytes (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return (gint64) (info.uordblks + info.hblkhd);
}

static void
connect_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr(GError) error = NULL;

  if (!dgateway_client_connect_finish (DGATEWAY_CLIENT (source), result, &error))
    g_error ("connect: %s", error->message);
  ((State *) data)->connected = TRUE;
}

static gboolean
marker_cb (DGatewayClient *client,
           DGatewayEvent  *event,
           State          *state)
{
  if (g_str_equal (dgateway_event_get_name (event), "BENCH_GUILDS_DONE"))
    state->guilds_done = TRUE;
  else
    state->done = TRUE;
  return FALSE;
}

static gboolean
empty_dispatch_cb (DGatewayClient *client,
                   DGatewayEvent  *event,
                   gpointer        data)
{
  return FALSE;
}

static guint
count_members (DGatewayCache *cache)
{
  GListModel *guilds = dgateway_cache_get_guilds (cache);
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (guilds); i++)
    {
      g_autoptr(DGatewayCachedGuild) guild = g_list_model_get_item (guilds, i);

      n += g_list_model_get_n_items (dgateway_cached_guild_get_members (guild));
    }
  return n;
}

static void
send_command (int  fd,
              char command)
{
  if (write (fd, &command, 1) != 1)
    g_error ("the mock went away");
}

static int
run_mode (guint which)
{
  int to_parent[2], to_child[2];
  guint port;
  pid_t child;
  State state = { 0 };
  g_autoptr(DGatewayClient) client = NULL;
  g_autoptr(DGatewayCache) cache = NULL;
  g_autofree char *url = NULL;
  double cpu0, cpu1, cpu2;
  gint64 heap0, heap1;
  guint cached_guilds = 0, cached_members = 0;

  /* One arena, so that mallinfo2() sees the worker thread's allocations. */
  mallopt (M_ARENA_MAX, 1);
  if (pipe (to_parent) != 0 || pipe (to_child) != 0)
    g_error ("pipe");
  child = fork ();
  if (child == 0)
    {
      close (to_parent[0]);
      close (to_child[1]);
      run_mock (to_parent[1], to_child[0]);
    }
  close (to_parent[1]);
  close (to_child[0]);
  if (read (to_parent[0], &port, sizeof port) != sizeof port)
    g_error ("the mock did not start");

  client = dgateway_client_new ("test-token",
                                DGATEWAY_INTENTS_GUILDS | DGATEWAY_INTENTS_GUILD_MEMBERS |
                                DGATEWAY_INTENTS_GUILD_PRESENCES | DGATEWAY_INTENTS_GUILD_MESSAGES |
                                DGATEWAY_INTENTS_MESSAGE_CONTENT);
  url = g_strdup_printf ("ws://127.0.0.1:%u/gateway", port);
  g_object_set (client, "gateway-url", url, "compression", DGATEWAY_COMPRESSION_NONE, NULL);
  if (modes[which].cache)
    cache = dgateway_cache_new (client, modes[which].flags);
  if (modes[which].dispatch_handler)
    g_signal_connect (client, "dispatch", G_CALLBACK (empty_dispatch_cb), NULL);
  g_signal_connect (client, "dispatch::BENCH_GUILDS_DONE", G_CALLBACK (marker_cb), &state);
  g_signal_connect (client, "dispatch::BENCH_DONE", G_CALLBACK (marker_cb), &state);

  dgateway_client_connect_async (client, NULL, connect_cb, &state);
  while (!state.connected)
    g_main_context_iteration (NULL, TRUE);

  malloc_trim (0);
  heap0 = heap_bytes ();
  cpu0 = cpu_seconds ();
  /* No-ops outside callgrind: each phase is one dump. */
  CALLGRIND_ZERO_STATS;
  CALLGRIND_TOGGLE_COLLECT;
  send_command (to_child[1], 'G');
  while (!state.guilds_done)
    g_main_context_iteration (NULL, TRUE);
  CALLGRIND_TOGGLE_COLLECT;
  CALLGRIND_DUMP_STATS_AT ("guilds");
  cpu1 = cpu_seconds ();
  malloc_trim (0);
  heap1 = heap_bytes ();

  CALLGRIND_ZERO_STATS;
  CALLGRIND_TOGGLE_COLLECT;
  send_command (to_child[1], 'M');
  while (!state.done)
    g_main_context_iteration (NULL, TRUE);
  CALLGRIND_TOGGLE_COLLECT;
  CALLGRIND_DUMP_STATS_AT ("messages");
  cpu2 = cpu_seconds ();

  if (cache != NULL)
    {
      cached_guilds = g_list_model_get_n_items (dgateway_cache_get_guilds (cache));
      cached_members = count_members (cache);
    }
  /* mode, heap growth over the guilds, CPU over the guilds, CPU over the
   * messages, cached guilds and members. */
  g_print ("%s %" G_GINT64_FORMAT " %.3f %.3f %u %u\n", modes[which].name, heap1 - heap0,
           cpu1 - cpu0, cpu2 - cpu1, cached_guilds, cached_members);

  close (to_child[1]);
  kill (child, SIGTERM);
  waitpid (child, NULL, 0);
  return 0;
}

/* The instruction count of callgrind dump number @dump in @dir. */
static double
dumped_instructions (const char *dir,
                     int         dump)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  g_autofree char *suffix = g_strdup_printf (".%d", dump);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *text = NULL;
      const char *summary;

      if (!g_str_has_suffix (name, suffix) || !g_file_get_contents (path, &text, NULL, NULL))
        continue;
      if ((summary = strstr (text, "\nsummary: ")) != NULL)
        return g_ascii_strtod (summary + strlen ("\nsummary: "), NULL);
    }
  g_error ("no callgrind dump %d in %s", dump, dir);
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
run_instructions (const char *self)
{
  double base_guilds = 0, base_messages = 0;

  g_print ("%d guilds x (%d members, %d channels, %d roles); %d MESSAGE_CREATEs; instructions\n\n",
           n_guilds, n_members, N_CHANNELS, N_ROLES, n_messages);
  g_print ("%-28s %16s %16s %16s %16s\n", "mode", "guilds (M)", "extra (M)", "per message", "extra");
  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autofree char *dir = g_dir_make_tmp ("bench-cache-XXXXXX", NULL);
      g_autofree char *out_arg = g_strdup_printf ("--callgrind-out-file=%s/cg.%%p", dir);
      g_autofree char *guilds_arg = g_strdup_printf ("--guilds=%d", n_guilds);
      g_autofree char *members_arg = g_strdup_printf ("--members=%d", n_members);
      g_autofree char *messages_arg = g_strdup_printf ("--messages=%d", n_messages);
      g_autofree char *mode_arg = g_strdup_printf ("--mode=%s", modes[i].name);
      const char *argv[] = { "valgrind", "--tool=callgrind", "--collect-atstart=no", out_arg,
                             self, guilds_arg, members_arg, messages_arg, mode_arg, NULL };
      g_autoptr(GError) error = NULL;
      double guilds, messages;

      if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                         G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, NULL, &error))
        g_error ("%s", error->message);
      guilds = dumped_instructions (dir, 1);
      messages = dumped_instructions (dir, 2) / n_messages;
      remove_dir (dir);
      if (i == 0)
        {
          base_guilds = guilds;
          base_messages = messages;
        }
      g_print ("%-28s %16.1f %16.1f %16.0f %16.0f\n", modes[i].what, guilds / 1e6,
               (guilds - base_guilds) / 1e6, messages, messages - base_messages);
    }
}

static void
run_all (const char *self)
{
  double base_guilds = 0, base_messages = 0;
  gint64 base_heap = 0;

  g_print ("%d guilds x (%d members, %d channels, %d roles); %d MESSAGE_CREATEs\n\n",
           n_guilds, n_members, N_CHANNELS, N_ROLES, n_messages);
  g_print ("%-28s %12s %14s %14s %12s %12s %10s\n", "mode", "heap (MiB)", "B/member",
           "guilds CPU s", "extra s", "us/message", "extra us");
  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autofree char *guilds_arg = g_strdup_printf ("--guilds=%d", n_guilds);
      g_autofree char *members_arg = g_strdup_printf ("--members=%d", n_members);
      g_autofree char *messages_arg = g_strdup_printf ("--messages=%d", n_messages);
      g_autofree char *mode_arg = g_strdup_printf ("--mode=%s", modes[i].name);
      const char *argv[] = { self, guilds_arg, members_arg, messages_arg, mode_arg, NULL };
      char name[32];
      gint64 heap = 0;
      double guilds_cpu = G_MAXDOUBLE, messages_cpu = G_MAXDOUBLE;
      guint cached_guilds = 0, cached_members = 0;
      double us;

      for (int run = 0; run < n_runs; run++)
        {
          g_autofree char *out = NULL;
          g_autoptr(GError) error = NULL;
          double run_guilds_cpu, run_messages_cpu;

          if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, NULL, &error))
            g_error ("%s", error->message);
          if (sscanf (out, "%31s %" G_GINT64_FORMAT " %lf %lf %u %u", name, &heap, &run_guilds_cpu,
                      &run_messages_cpu, &cached_guilds, &cached_members) != 6)
            g_error ("unexpected output: %s", out);
          guilds_cpu = MIN (guilds_cpu, run_guilds_cpu);
          messages_cpu = MIN (messages_cpu, run_messages_cpu);
        }
      if (i == 0)
        {
          base_heap = heap;
          base_guilds = guilds_cpu;
          base_messages = messages_cpu;
        }
      us = messages_cpu * 1e6 / n_messages;
      g_print ("%-28s %12.1f %14.0f %14.2f %12.2f %12.2f %10.2f\n", modes[i].what,
               (heap - base_heap) / 1048576.0,
               cached_members ? (double) (heap - base_heap) / cached_members : 0.0,
               guilds_cpu, guilds_cpu - base_guilds, us,
               us - base_messages * 1e6 / n_messages);
    }
}

int
main (int    argc,
      char **argv)
{
  GOptionEntry entries[] = {
    { "guilds", 0, 0, G_OPTION_ARG_INT, &n_guilds, "Guilds (default 2500)", "N" },
    { "members", 0, 0, G_OPTION_ARG_INT, &n_members, "Members per guild (default 100)", "N" },
    { "messages", 0, 0, G_OPTION_ARG_INT, &n_messages, "MESSAGE_CREATEs (default 100000)", "N" },
    { "instructions", 0, 0, G_OPTION_ARG_NONE, &instructions, "Count instructions under callgrind", NULL },
    { "runs", 0, 0, G_OPTION_ARG_INT, &n_runs, "Runs of each mode (default 1)", "N" },
    { "mode", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &mode, NULL, NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- what a DGatewayCache costs");
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  if (mode == NULL && instructions)
    {
      run_instructions (argv[0]);
      return 0;
    }
  if (mode == NULL)
    {
      run_all (argv[0]);
      return 0;
    }
  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    if (g_str_equal (mode, modes[i].name))
      return run_mode (i);
  g_printerr ("unknown mode %s\n", mode);
  return 2;
}
