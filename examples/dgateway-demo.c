/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * dgateway-demo: print every Gateway event as one JSON line.
 *
 * With DISCORD_TOKEN set it connects to Discord; without it, it starts the
 * mock gateway (dgateway-mock-gateway, from libdgateway-testing), which
 * streams sample MESSAGE_CREATE events. --gateway-url points it at any other
 * gateway instead: a proxy, or a mock gateway run by hand. Events go
 * to stdout, one JSON object a line; the state and the latency go to stderr
 * as they change.
 */

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib-unix.h>
#include <dgateway/dgateway.h>

#define DEFAULT_INTENTS (DGATEWAY_INTENTS_GUILDS | \
                         DGATEWAY_INTENTS_GUILD_MESSAGES | \
                         DGATEWAY_INTENTS_DIRECT_MESSAGES | \
                         DGATEWAY_INTENTS_MESSAGE_CONTENT)

/* The longest we keep iterating at exit for pending callbacks to finish. */
#define SHUTDOWN_GRACE_MS 2000

typedef struct {
  GMainLoop      *loop;
  GCancellable   *cancellable;
  DGatewayClient *client;
  GSubprocess    *mock;
  guint           pending;
  guint64         printed;
  guint64         count;
  char           *latency_text;
  int             status;
} Demo;

static void
demo_quit (Demo *demo,
           int   status)
{
  if (status != 0)
    demo->status = status;
  g_main_loop_quit (demo->loop);
}

/* Event output. */

static char *
json_quote (const char *text)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, text);
  return json_to_string (node, FALSE);
}

static gboolean
dispatch_cb (DGatewayClient *client,
             DGatewayEvent  *event,
             Demo           *demo)
{
  g_autofree char *name = json_quote (dgateway_event_get_name (event));
  g_autofree char *data = dgateway_event_dup_data_json (event);

  /* JSON is UTF-8 whatever the locale, so this bypasses g_print()'s
   * conversion to the locale's charset.
   */
  printf ("{\"t\":%s,\"s\":%" G_GINT64_FORMAT ",\"shard\":%u,\"d\":%s}\n",
          name,
          dgateway_event_get_sequence (event),
          dgateway_event_get_shard_id (event),
          data != NULL ? data : "null");
  fflush (stdout);

  if (demo->count > 0 && ++demo->printed >= demo->count)
    demo_quit (demo, 0);

  return FALSE;
}

/* State and metrics on stderr. */

static const char *
enum_nick (GObject    *object,
           const char *property)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object),
                                                    property);
  GValue value = G_VALUE_INIT;
  GEnumValue *enum_value;

  g_value_init (&value, pspec->value_type);
  g_object_get_property (object, property, &value);
  enum_value = g_enum_get_value (G_PARAM_SPEC_ENUM (pspec)->enum_class,
                                 g_value_get_enum (&value));
  g_value_unset (&value);

  return enum_value != NULL ? enum_value->value_nick : "unknown";
}

static void
notify_state_cb (DGatewayClient *client,
                 GParamSpec     *pspec,
                 Demo           *demo)
{
  g_printerr ("state: %s\n", enum_nick (G_OBJECT (client), "state"));
}

static void
notify_latency_cb (DGatewayClient *client,
                   GParamSpec     *pspec,
                   Demo           *demo)
{
  gint64 latency = dgateway_client_get_latency (client);
  g_autofree char *text = NULL;

  if (latency < 0)
    text = g_strdup ("unknown");
  else
    text = g_strdup_printf ("%.1f ms", latency / 1000.0);

  /* Print changes only, as they would be displayed. */
  if (g_strcmp0 (text, demo->latency_text) == 0)
    return;
  g_printerr ("latency: %s\n", text);
  g_free (demo->latency_text);
  demo->latency_text = g_steal_pointer (&text);
}

static void
connection_lost_cb (DGatewayClient *client,
                    DGatewayShard  *shard,
                    const GError   *error,
                    Demo           *demo)
{
  g_printerr ("connection lost (shard %u): %s\n",
              dgateway_shard_get_shard_id (shard),
              error != NULL ? error->message : "unknown reason");
}

static void
reconnected_cb (DGatewayClient *client,
                DGatewayShard  *shard,
                gboolean        resumed,
                Demo           *demo)
{
  g_printerr ("reconnected (shard %u): %s\n",
              dgateway_shard_get_shard_id (shard),
              resumed ? "session resumed" : "new session");
}

/* Connecting. */

static void
connect_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Demo *demo = user_data;
  g_autoptr(GError) error = NULL;

  demo->pending--;
  if (dgateway_client_connect_finish (DGATEWAY_CLIENT (source), result, &error))
    return;

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_printerr ("could not connect: %s\n", error->message);
      demo_quit (demo, EXIT_FAILURE);
    }
}

static void
demo_connect (Demo *demo)
{
  g_signal_connect (demo->client, "dispatch", G_CALLBACK (dispatch_cb), demo);
  g_signal_connect (demo->client, "notify::state",
                    G_CALLBACK (notify_state_cb), demo);
  g_signal_connect (demo->client, "notify::latency",
                    G_CALLBACK (notify_latency_cb), demo);
  g_signal_connect (demo->client, "connection-lost",
                    G_CALLBACK (connection_lost_cb), demo);
  g_signal_connect (demo->client, "reconnected",
                    G_CALLBACK (reconnected_cb), demo);

  demo->pending++;
  dgateway_client_connect_async (demo->client, demo->cancellable,
                                 connect_cb, demo);
}

static GFlagsClass *
ref_intents_class (void)
{
  GObjectClass *client_class = g_type_class_ref (DGATEWAY_TYPE_CLIENT);
  GParamSpec *pspec = g_object_class_find_property (client_class, "intents");
  GFlagsClass *klass = g_type_class_ref (pspec->value_type);

  g_type_class_unref (client_class);
  return klass;
}

/* Accepts a number ("33281", "0x8201") or flag names joined by '|' or ','
 * ("guilds|guild-messages" or "DGATEWAY_INTENTS_GUILDS,...").
 */
static gboolean
parse_intents (const char      *text,
               DGatewayIntents *intents)
{
  GFlagsClass *klass;
  g_auto(GStrv) names = NULL;
  guint64 number;
  char *end = NULL;
  gboolean ok = TRUE;

  number = g_ascii_strtoull (text, &end, 0);
  if (end != text && *end == '\0')
    {
      *intents = (DGatewayIntents) number;
      return TRUE;
    }

  klass = ref_intents_class ();
  names = g_strsplit_set (text, "|, ", -1);
  *intents = 0;
  for (guint i = 0; ok && names[i] != NULL; i++)
    {
      GFlagsValue *value;

      if (*names[i] == '\0')
        continue;
      value = g_flags_get_value_by_nick (klass, names[i]);
      if (value == NULL)
        value = g_flags_get_value_by_name (klass, names[i]);
      if (value != NULL)
        *intents |= value->value;
      ok = value != NULL;
    }
  g_type_class_unref (klass);

  return ok;
}

static gboolean
get_intents (DGatewayIntents  *intents,
             GError          **error)
{
  const char *intents_text = g_getenv ("DISCORD_INTENTS");

  *intents = DEFAULT_INTENTS;
  if (intents_text != NULL && !parse_intents (intents_text, intents))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "DISCORD_INTENTS: cannot parse \"%s\"", intents_text);
      return FALSE;
    }
  return TRUE;
}

static gboolean
demo_start_discord (Demo        *demo,
                    const char  *token,
                    GError     **error)
{
  DGatewayIntents intents;

  if (!get_intents (&intents, error))
    return FALSE;

  g_printerr ("connecting to Discord with intents 0x%x\n", (guint) intents);
  demo->client = dgateway_client_new (token, intents);
  demo_connect (demo);
  return TRUE;
}

/* Any gateway: a proxy that holds the shards, or a mock gateway started by
 * hand.  A mock expects "test-token" unless told otherwise.
 */
static gboolean
demo_start_url (Demo        *demo,
                const char  *token,
                const char  *url,
                GError     **error)
{
  DGatewayIntents intents;

  if (!get_intents (&intents, error))
    return FALSE;

  g_printerr ("connecting to %s with intents 0x%x\n", url, (guint) intents);
  demo->client = dgateway_client_new (token != NULL ? token : "test-token", intents);
  dgateway_client_set_gateway_url (demo->client, url);
  demo_connect (demo);
  return TRUE;
}

/* The mock gateway. */

static void
read_url_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Demo *demo = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  demo->pending--;
  url = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                   result, NULL, &error);
  if (url == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_printerr ("the mock gateway printed no URL: %s\n",
                      error != NULL ? error->message : "it exited");
          demo_quit (demo, EXIT_FAILURE);
        }
      return;
    }

  g_printerr ("mock gateway at %s\n", url);
  demo->client = dgateway_client_new ("test-token", DEFAULT_INTENTS);
  dgateway_client_set_gateway_url (demo->client, url);
  demo_connect (demo);
}

/* The one in DGATEWAY_MOCK_GATEWAY, else the one built with the demo, else
 * the one libdgateway-testing installed.
 */
static char *
mock_gateway_path (void)
{
  const char *path = g_getenv ("DGATEWAY_MOCK_GATEWAY");

  if (path != NULL && *path != '\0')
    return g_strdup (path);
#ifdef MOCK_GATEWAY_PATH
  if (g_file_test (MOCK_GATEWAY_PATH, G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup (MOCK_GATEWAY_PATH);
#endif
  return g_find_program_in_path ("dgateway-mock-gateway");
}

static gboolean
demo_start_mock (Demo    *demo,
                 GError **error)
{
  g_autofree char *path = mock_gateway_path ();
  g_autoptr(GDataInputStream) lines = NULL;

  if (path == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "no mock gateway: set DISCORD_TOKEN, pass --gateway-url, "
                           "install dgateway-mock-gateway (libdgateway-testing) "
                           "or set DGATEWAY_MOCK_GATEWAY to its path");
      return FALSE;
    }

  demo->mock = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                 G_SUBPROCESS_FLAGS_STDIN_PIPE,
                                 error,
                                 path,
                                 "--forever-events", "--rate", "5",
                                 "--interval", "5000", "--events", "3",
                                 "--exit-on-stdin-eof",
                                 NULL);
  if (demo->mock == NULL)
    return FALSE;

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (demo->mock));
  demo->pending++;
  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT,
                                       demo->cancellable, read_url_cb, demo);
  return TRUE;
}

static void
demo_stop_mock (Demo *demo)
{
  if (demo->mock == NULL)
    return;

  /* Closing its stdin is how the mock is asked to exit; the signal covers
   * a mock that is stuck.
   */
  g_output_stream_close (g_subprocess_get_stdin_pipe (demo->mock), NULL, NULL);
  g_subprocess_send_signal (demo->mock, SIGTERM);
  g_subprocess_wait (demo->mock, NULL, NULL);
  g_clear_object (&demo->mock);
}

/* Lifetime. */

static gboolean
unix_signal_cb (gpointer user_data)
{
  Demo *demo = user_data;

  g_printerr ("stopping\n");
  demo_quit (demo, 0);
  return G_SOURCE_CONTINUE;
}

static gboolean
timeout_cb (gpointer user_data)
{
  Demo *demo = user_data;

  demo_quit (demo, 0);
  return G_SOURCE_CONTINUE;
}

static gboolean
grace_over_cb (gpointer user_data)
{
  gboolean *over = user_data;

  *over = TRUE;
  return G_SOURCE_REMOVE;
}

/* Cancels what is still running and lets its callbacks run, so that nothing
 * holds the client when it is released.
 */
static void
demo_shutdown (Demo *demo)
{
  gboolean over = FALSE;
  guint grace;

  g_cancellable_cancel (demo->cancellable);
  if (demo->client != NULL)
    {
      g_signal_handlers_disconnect_by_data (demo->client, demo);
      dgateway_client_close (demo->client);
    }

  grace = g_timeout_add (SHUTDOWN_GRACE_MS, grace_over_cb, &over);
  while (demo->pending > 0 && !over)
    g_main_context_iteration (NULL, TRUE);
  if (!over)
    g_source_remove (grace);

  g_clear_object (&demo->client);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  demo_stop_mock (demo);
}

static gboolean
demo_start (Demo        *demo,
            const char  *gateway_url,
            GError     **error)
{
  const char *token = g_getenv ("DISCORD_TOKEN");

  if (token != NULL && *token == '\0')
    token = NULL;
  if (gateway_url != NULL)
    return demo_start_url (demo, token, gateway_url, error);
  if (token != NULL)
    return demo_start_discord (demo, token, error);

  return demo_start_mock (demo, error);
}

static void
demo_run (Demo *demo,
          int   timeout)
{
  guint sources[3];

  sources[0] = g_unix_signal_add (SIGINT, unix_signal_cb, demo);
  sources[1] = g_unix_signal_add (SIGTERM, unix_signal_cb, demo);
  sources[2] = timeout > 0 ? g_timeout_add_seconds (timeout, timeout_cb, demo) : 0;

  g_main_loop_run (demo->loop);

  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    g_clear_handle_id (&sources[i], g_source_remove);
}

int
main (int   argc,
      char *argv[])
{
  int count = 0;
  int timeout = 0;
  g_autofree char *gateway_url = NULL;
  GOptionEntry entries[] = {
    { "count", 'n', 0, G_OPTION_ARG_INT, &count,
      "Exit after printing N events", "N" },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout,
      "Exit after SECONDS seconds", "SECONDS" },
    { "gateway-url", 'g', 0, G_OPTION_ARG_STRING, &gateway_url,
      "Connect to the gateway at URL (ws:// or wss://) instead", "URL" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  Demo demo = { 0 };

  setlocale (LC_ALL, "");

  context = g_option_context_new ("- print Discord Gateway events as JSON lines");
  g_option_context_set_summary (context,
    "Connects to the gateway at --gateway-url if given (with DISCORD_TOKEN, or\n"
    "the mock gateway's \"test-token\"), else to Discord when DISCORD_TOKEN is\n"
    "set (DISCORD_INTENTS overrides the intents), else to a mock gateway it\n"
    "starts, and prints each event as one JSON line on stdout, and state and\n"
    "latency changes on stderr.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      count < 0 || timeout < 0)
    {
      g_printerr ("%s\n", error != NULL ? error->message
                                        : "--count and --timeout cannot be negative");
      return EXIT_FAILURE;
    }

  demo.loop = g_main_loop_new (NULL, FALSE);
  demo.cancellable = g_cancellable_new ();
  demo.count = count;

  if (demo_start (&demo, gateway_url, &error))
    {
      demo_run (&demo, timeout);
    }
  else
    {
      g_printerr ("%s\n", error->message);
      demo.status = EXIT_FAILURE;
    }

  demo_shutdown (&demo);
  g_clear_object (&demo.cancellable);
  g_clear_pointer (&demo.latency_text, g_free);
  g_clear_pointer (&demo.loop, g_main_loop_unref);

  return demo.status;
}
