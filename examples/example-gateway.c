/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * dgateway-example-gateway: the mock gateway of the test suite, playing a
 * small conversation for the examples.
 *
 * Each new session gets the GUILD_CREATE of the example guild, whose
 * channel and members a cache (such as the notifier's) shows by name.
 * After each READY it dispatches, one every --period milliseconds and over
 * and over, a guild message, a direct message to the bot, a message that
 * mentions the bot and a "!ping", so the notifier has something to notify
 * and the ping bot something to answer. --rate adds a stream of generated
 * guild messages, and --drop-every cuts the connection now and then, for
 * the monitor to show. It prints its URL as its first line on stdout; with
 * --log-commands, it then prints each command a client sends (opcode 3, 4,
 * 8, 31...) as a JSON line, never IDENTIFY or RESUME, which carry the
 * token. Its token is "test-token".
 *
 * This is test plumbing for the examples, not an example of the library.
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <glib-unix.h>

#include <dgateway-testing.h>

#define DM_CHANNEL_ID "1100000000000000250"

typedef struct {
  const char *author_id;
  const char *author_name;
  gboolean    direct;
  gboolean    mentions_bot;
  const char *content;
} ScriptLine;

static const ScriptLine script[] = {
  { "1100000000000001001", "alice", FALSE, FALSE, "Has anyone read the release notes yet?" },
  { "1100000000000001002", "bob",   TRUE,  FALSE, "Hi! Are you around later?" },
  { "1100000000000001003", "carol", FALSE, TRUE,  "<@" DGATEWAY_MOCK_GATEWAY_BOT_ID "> can you check the build?" },
  { "1100000000000001004", "dave",  FALSE, FALSE, "!ping" },
};

static int interval = 5000;
static int period = 1500;
static int rate = 0;
static int drop_every = 0;
static gboolean log_commands = FALSE;
static gboolean exit_on_stdin_eof = FALSE;

static GOptionEntry entries[] = {
  { "interval", 0, 0, G_OPTION_ARG_INT, &interval, "Heartbeat interval sent in HELLO (default 5000)", "MS" },
  { "period", 0, 0, G_OPTION_ARG_INT, &period, "Time between the lines of the conversation (default 1500)", "MS" },
  { "rate", 0, 0, G_OPTION_ARG_INT, &rate, "Also stream this many generated messages a second (default 0)", "N" },
  { "drop-every", 0, 0, G_OPTION_ARG_INT, &drop_every, "Drop the connection every SECONDS (default 0: never)", "SECONDS" },
  { "log-commands", 0, 0, G_OPTION_ARG_NONE, &log_commands, "Print the commands clients send as JSON lines", NULL },
  { "exit-on-stdin-eof", 0, 0, G_OPTION_ARG_NONE, &exit_on_stdin_eof, "Exit when stdin reaches end of file", NULL },
  G_OPTION_ENTRY_NULL
};

typedef struct {
  DGatewayMockGateway *gateway;
  GMainLoop   *loop;
  guint        next_line;
  guint        next_id;
  char        *session_id;    /* that of the last GUILD_CREATE */
} Example;

/* The guild READY lists as unavailable, with the channel of the
 * conversation and its speakers. */
static const char guild_create[] =
  "{\"id\":\"" DGATEWAY_MOCK_GATEWAY_GUILD_ID "\",\"name\":\"Example guild\",\"icon\":null,"
  "\"owner_id\":\"1100000000000001001\",\"large\":false,\"member_count\":5,"
  "\"channels\":[{\"id\":\"" DGATEWAY_MOCK_GATEWAY_CHANNEL_ID "\",\"type\":0,\"name\":\"general\","
  "\"position\":0}],"
  "\"roles\":[{\"id\":\"" DGATEWAY_MOCK_GATEWAY_GUILD_ID "\",\"name\":\"@everyone\",\"position\":0,"
  "\"color\":0,\"permissions\":\"0\"}],"
  "\"members\":["
  "{\"user\":{\"id\":\"1100000000000001001\",\"username\":\"alice\",\"global_name\":null},\"roles\":[]},"
  "{\"user\":{\"id\":\"1100000000000001002\",\"username\":\"bob\",\"global_name\":null},\"roles\":[]},"
  "{\"user\":{\"id\":\"1100000000000001003\",\"username\":\"carol\",\"global_name\":null},"
  "\"nick\":\"Carol\",\"roles\":[]},"
  "{\"user\":{\"id\":\"1100000000000001004\",\"username\":\"dave\",\"global_name\":null},\"roles\":[]},"
  "{\"user\":{\"id\":\"" DGATEWAY_MOCK_GATEWAY_BOT_ID "\",\"username\":\"mockbot\",\"global_name\":null,"
  "\"bot\":true},\"nick\":\"Mock Bot\",\"roles\":[]}],"
  "\"threads\":[],\"presences\":[],\"voice_states\":[],\"emojis\":[],\"stickers\":[]}";

static char *
build_message (const ScriptLine *line,
               guint             id)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *message_id = g_strdup_printf ("11000000000%08u", id);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *timestamp = g_date_time_format_iso8601 (now);
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, message_id);
  json_builder_set_member_name (builder, "type");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "channel_id");
  json_builder_add_string_value (builder, line->direct ? DM_CHANNEL_ID : DGATEWAY_MOCK_GATEWAY_CHANNEL_ID);
  if (!line->direct)
    {
      json_builder_set_member_name (builder, "guild_id");
      json_builder_add_string_value (builder, DGATEWAY_MOCK_GATEWAY_GUILD_ID);
    }
  json_builder_set_member_name (builder, "channel_type");
  json_builder_add_int_value (builder, line->direct ? 1 : 0);
  json_builder_set_member_name (builder, "content");
  json_builder_add_string_value (builder, line->content);
  json_builder_set_member_name (builder, "timestamp");
  json_builder_add_string_value (builder, timestamp);

  json_builder_set_member_name (builder, "author");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, line->author_id);
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, line->author_name);
  json_builder_set_member_name (builder, "global_name");
  json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "bot");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "mentions");
  json_builder_begin_array (builder);
  if (line->mentions_bot)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, DGATEWAY_MOCK_GATEWAY_BOT_ID);
      json_builder_set_member_name (builder, "username");
      json_builder_add_string_value (builder, "mockbot");
      json_builder_set_member_name (builder, "bot");
      json_builder_add_boolean_value (builder, TRUE);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "mention_everyone");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static gboolean
script_cb (gpointer user_data)
{
  Example *example = user_data;
  const ScriptLine *line = &script[example->next_line];
  g_autofree char *d = build_message (line, example->next_id);

  const char *session_id = dgateway_mock_gateway_get_session_id (example->gateway);

  /* A resumed session has had its guild already. */
  if (session_id != NULL && g_strcmp0 (session_id, example->session_id) != 0 &&
      dgateway_mock_gateway_send_dispatch (example->gateway, "GUILD_CREATE", guild_create) != 0)
    {
      g_free (example->session_id);
      example->session_id = g_strdup (session_id);
    }

  /* 0: no session yet (or between connections); try again next time. */
  if (dgateway_mock_gateway_send_dispatch (example->gateway, "MESSAGE_CREATE", d) == 0)
    return G_SOURCE_CONTINUE;

  example->next_line = (example->next_line + 1) % G_N_ELEMENTS (script);
  example->next_id++;
  return G_SOURCE_CONTINUE;
}

static gboolean
drop_cb (gpointer user_data)
{
  Example *example = user_data;

  if (dgateway_mock_gateway_is_connected (example->gateway))
    dgateway_mock_gateway_drop (example->gateway);
  return G_SOURCE_CONTINUE;
}

static void
frame_received_cb (DGatewayMockGateway *gateway,
                   DGatewayMockFrame   *frame,
                   gpointer     user_data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *text = NULL;

  /* Heartbeats are noise; IDENTIFY (2) and RESUME (6) carry the token. */
  if (frame->op == 1 || frame->op == 2 || frame->op == 6 || frame->op < 0)
    return;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "op");
  json_builder_add_int_value (builder, frame->op);
  json_builder_set_member_name (builder, "d");
  json_builder_add_value (builder, frame->d != NULL ? json_node_copy (frame->d)
                                                    : json_node_new (JSON_NODE_NULL));
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  text = json_to_string (node, FALSE);
  printf ("%s\n", text);
  fflush (stdout);
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
stdin_cb (int          fd,
          GIOCondition condition,
          gpointer     user_data)
{
  char buffer[256];
  gssize n = read (fd, buffer, sizeof buffer);

  if (n > 0 || (n < 0 && (errno == EINTR || errno == EAGAIN)))
    return G_SOURCE_CONTINUE;

  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- a mock Discord Gateway for the examples");
  g_autoptr(GError) error = NULL;
  Example example = { 0 };
  guint sources[5] = { 0 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (interval <= 0 || period <= 0 || rate < 0 || drop_every < 0)
    {
      g_printerr ("--interval and --period must be positive, --rate and --drop-every not negative\n");
      return 2;
    }

  example.gateway = dgateway_mock_gateway_new (NULL);
  if (example.gateway == NULL)
    return 1;
  example.loop = g_main_loop_new (NULL, FALSE);

  dgateway_mock_gateway_set_heartbeat_interval (example.gateway, interval);
  if (rate > 0)
    {
      dgateway_mock_gateway_set_auto_events (example.gateway, DGATEWAY_MOCK_GATEWAY_EVENTS_FOREVER);
      dgateway_mock_gateway_set_auto_event_rate (example.gateway, rate);
    }
  if (log_commands)
    g_signal_connect (example.gateway, "frame-received", G_CALLBACK (frame_received_cb), NULL);

  printf ("%s\n", dgateway_mock_gateway_get_url (example.gateway));
  fflush (stdout);

  sources[0] = g_timeout_add (period, script_cb, &example);
  sources[1] = g_unix_signal_add (SIGINT, quit_cb, example.loop);
  sources[2] = g_unix_signal_add (SIGTERM, quit_cb, example.loop);
  if (drop_every > 0)
    sources[3] = g_timeout_add_seconds (drop_every, drop_cb, &example);
  if (exit_on_stdin_eof)
    sources[4] = g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, stdin_cb, example.loop);

  g_main_loop_run (example.loop);

  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    if (sources[i] != 0 && g_main_context_find_source_by_id (NULL, sources[i]) != NULL)
      g_source_remove (sources[i]);
  g_clear_object (&example.gateway);
  g_free (example.session_id);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_main_loop_unref (example.loop);
  return 0;
}
