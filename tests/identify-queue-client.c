/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* identify-queue-client: one process of a bot split across processes, for
 * tests/test-http-queue.c. It runs shards FIRST to LAST of SHARDS against a
 * gateway, takes its IDENTIFY turns from a shared gateway-queue service,
 * and exits once every one of its shards is connected: 0 on success, 1 with
 * the error on stderr.
 *
 *   identify-queue-client --gateway-url ws://… --queue-url http://… \
 *                         --shard-count 4 --first 2 --last 3
 */

#include <dgateway/dgateway.h>

#include <stdio.h>

static char *gateway_url = NULL;
static char *queue_url = NULL;
static char *token = NULL;
static int shard_count = 1;
static int first = 0;
static int last = -1;

static GOptionEntry entries[] = {
  { "gateway-url", 0, 0, G_OPTION_ARG_STRING, &gateway_url, "The gateway to connect to", "URL" },
  { "queue-url", 0, 0, G_OPTION_ARG_STRING, &queue_url, "The gateway-queue service", "URL" },
  { "token", 0, 0, G_OPTION_ARG_STRING, &token, "The bot token (default \"test-token\")", "T" },
  { "shard-count", 0, 0, G_OPTION_ARG_INT, &shard_count, "Shards of the bot", "N" },
  { "first", 0, 0, G_OPTION_ARG_INT, &first, "First shard of this process", "ID" },
  { "last", 0, 0, G_OPTION_ARG_INT, &last, "Last shard of this process (-1: the bot's last)", "ID" },
  G_OPTION_ENTRY_NULL
};

typedef struct {
  GMainLoop *loop;
  GError *error;
} Run;

static void
connect_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Run *run = data;

  dgateway_client_connect_finish (DGATEWAY_CLIENT (source), result, &run->error);
  g_main_loop_quit (run->loop);
}

static DGatewayClient *
make_client (void)
{
  g_autoptr(DGatewayHttpIdentifyQueue) queue = dgateway_http_identify_queue_new (queue_url);
  DGatewayClient *client = dgateway_client_new (token != NULL ? token : "test-token",
                                                DGATEWAY_INTENTS_GUILDS);

  dgateway_client_set_gateway_url (client, gateway_url);
  dgateway_client_set_shard_count (client, (guint) shard_count);
  dgateway_client_set_shard_range (client, (guint) first, last);
  dgateway_client_set_identify_queue (client, DGATEWAY_IDENTIFY_QUEUE (queue));
  return client;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- one process of a sharded bot");
  g_autoptr(GError) error = NULL;
  g_autoptr(DGatewayClient) client = NULL;
  Run run = { NULL, NULL };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      gateway_url == NULL || queue_url == NULL || shard_count < 1 || first < 0 || last < -1)
    {
      g_printerr ("%s: %s\n", g_get_prgname (),
                  error != NULL ? error->message : "--gateway-url and --queue-url are needed");
      return 2;
    }

  client = make_client ();
  run.loop = g_main_loop_new (NULL, FALSE);
  dgateway_client_connect_async (client, NULL, connect_cb, &run);
  g_main_loop_run (run.loop);
  g_main_loop_unref (run.loop);

  dgateway_client_close (client);
  g_free (gateway_url);
  g_free (queue_url);
  g_free (token);
  if (run.error != NULL)
    {
      g_printerr ("%s: %s\n", g_get_prgname (), run.error->message);
      g_error_free (run.error);
      return 1;
    }
  return 0;
}
