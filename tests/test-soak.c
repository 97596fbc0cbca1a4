/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A soak: events stream from the mock gateway while it injects a random
 * fault every 0.5–3 s: op 7, op 9 both ways, closes 1000, 1001 and
 * 4000–4009, TCP drops, zombies, corrupt, truncated and garbage frames,
 * large GUILD_CREATEs, and connections cut in the middle of a RESUME's
 * replay. At the end it asserts what no fault may cost: no event twice,
 * no event missing within a session, and no session abandoned that the
 * gateway still held.
 *
 * ./test-soak --seconds N --compression none|zlib|zstd [--guild-members N]
 * CI runs it for about a minute per mode; docs/testing.md gives the long
 * setting. Loopback only, bounded in time. */

#include "config.h"

#include "test-utils.h"

#include <string.h>

static int seconds = 40;
static char *compression_name = NULL;
static int guild_members = 4000;    /* about 1 MiB of GUILD_CREATE; 30000 ≈ 8 MiB */
static int events_per_tick = 4;     /* every 10 ms */

typedef struct {
  DGatewayMockGateway *mock;
  DGatewayClient *client;
  GRand *rand;

  /* What the application saw, per session. */
  char *session_id;
  gint64 last_seq;
  guint64 delivered;
  guint duplicates;
  guint gaps;
  guint sessions;

  /* What the gateway did. */
  gboolean session_may_end;   /* a fault since the last IDENTIFY that ends sessions */
  guint identifies;
  guint abandoned;            /* IDENTIFYs the gateway gave no reason for */
  guint faults[20];
  guint cuts;
  gboolean zombie;
  gboolean stop;
} Soak;

static const char *const fault_names[] = {
  "op 7", "op 9 true", "op 9 false", "close 1000", "close 1001", "close 4000",
  "close 4001", "close 4002", "close 4003", "close 4005", "close 4007", "close 4008",
  "close 4009", "TCP drop", "zombie", "corrupt", "truncated", "garbage", "large GUILD_CREATE",
};

static gboolean
dispatch_cb (DGatewayClient *client,
             DGatewayEvent  *event,
             Soak           *soak)
{
  gint64 seq = dgateway_event_get_sequence (event);

  if (g_str_equal (dgateway_event_get_name (event), "READY"))
    {
      g_free (soak->session_id);
      soak->session_id = g_strdup (dgateway_client_get_session_id (client));
      soak->sessions++;
      soak->last_seq = seq;
      return FALSE;
    }

  if (seq <= soak->last_seq)
    {
      soak->duplicates++;
      g_printerr ("duplicate: %" G_GINT64_FORMAT " after %" G_GINT64_FORMAT "\n", seq, soak->last_seq);
    }
  else if (seq != soak->last_seq + 1)
    {
      soak->gaps++;
      g_printerr ("gap: %" G_GINT64_FORMAT " after %" G_GINT64_FORMAT "\n", seq, soak->last_seq);
    }
  soak->last_seq = MAX (soak->last_seq, seq);
  soak->delivered++;
  return FALSE;
}

static gboolean
cut_cb (gpointer data)
{
  Soak *soak = data;

  if (dgateway_mock_gateway_is_connected (soak->mock))
    dgateway_mock_gateway_drop (soak->mock);
  return G_SOURCE_REMOVE;
}

static void
frame_cb (DGatewayMockGateway *mock,
          DGatewayMockFrame   *frame,
          Soak        *soak)
{
  if (frame->op == 2)
    {
      /* The first IDENTIFY starts the soak; each later one must follow a
       * fault that ended the session on the gateway's side. */
      if (soak->identifies++ > 0 && !soak->session_may_end)
        {
          soak->abandoned++;
          g_printerr ("a session the gateway still held was abandoned\n");
        }
      soak->session_may_end = FALSE;
    }
}

/* The client is RESUMING: cut the connection, at once or a few
 * milliseconds into the replay. */
static void
state_cb (GObject    *object,
          GParamSpec *pspec,
          Soak       *soak)
{
  if (dgateway_client_get_state (DGATEWAY_CLIENT (object)) != DGATEWAY_STATE_RESUMING ||
      soak->stop || g_rand_int_range (soak->rand, 0, 3) != 0)
    return;

  soak->cuts++;
  if (g_rand_boolean (soak->rand))
    cut_cb (soak);
  else
    g_timeout_add (g_rand_int_range (soak->rand, 1, 8), cut_cb, soak);
}

static gboolean
stream_cb (gpointer data)
{
  Soak *soak = data;

  if (soak->stop)
    return G_SOURCE_REMOVE;
  dgateway_mock_gateway_send_messages (soak->mock, events_per_tick);
  return G_SOURCE_CONTINUE;
}

static gboolean
zombie_over_cb (gpointer data)
{
  Soak *soak = data;

  dgateway_mock_gateway_set_ack_heartbeats (soak->mock, TRUE);
  soak->zombie = FALSE;
  return G_SOURCE_REMOVE;
}

static void inject (Soak *soak);

static gboolean
fault_cb (gpointer data)
{
  Soak *soak = data;

  if (soak->stop)
    return G_SOURCE_REMOVE;
  inject (soak);
  g_timeout_add (g_rand_int_range (soak->rand, 500, 3000), fault_cb, soak);
  return G_SOURCE_REMOVE;
}

static void
inject (Soak *soak)
{
  static const gushort closes[] = { 1000, 1001, 4000, 4001, 4002, 4003, 4005, 4007, 4008, 4009 };
  guint fault = g_rand_int_range (soak->rand, 0, G_N_ELEMENTS (fault_names));

  if (!dgateway_mock_gateway_is_connected (soak->mock) || soak->zombie)
    return;

  soak->faults[fault]++;
  switch (fault)
    {
    case 0:
      dgateway_mock_gateway_send_op (soak->mock, 7, NULL);
      break;
    case 1:
      dgateway_mock_gateway_send_op (soak->mock, 9, "true");
      break;
    case 2:
      soak->session_may_end = TRUE;
      dgateway_mock_gateway_send_op (soak->mock, 9, "false");
      break;
    case 3: case 4: case 5: case 6: case 7: case 8: case 9: case 10: case 11: case 12:
      {
        gushort code = closes[fault - 3];

        /* These end the session (gateway.md): a new one is the rule. */
        if (code == 4003 || code == 4007 || code == 4009)
          soak->session_may_end = TRUE;
        dgateway_mock_gateway_close (soak->mock, code, NULL);
      }
      break;
    case 13:
      dgateway_mock_gateway_drop (soak->mock);
      break;
    case 14:
      /* No ACK for a while: the client must call it a zombie and resume. */
      soak->zombie = TRUE;
      dgateway_mock_gateway_set_ack_heartbeats (soak->mock, FALSE);
      g_timeout_add (1500, zombie_over_cb, soak);
      break;
    case 15:
      dgateway_mock_gateway_send_corrupt (soak->mock);
      break;
    case 16:
      dgateway_mock_gateway_send_raw (soak->mock, "{\"op\":0,\"s\":12,\"t\":\"MESSAGE_CR");
      break;
    case 17:
      dgateway_mock_gateway_send_raw (soak->mock, "garbage, not JSON: \u2603");
      break;
    case 18:
      {
        g_autofree char *guild = dgateway_mock_gateway_build_guild_create (soak->faults[fault],
                                                                  guild_members, 50);

        dgateway_mock_gateway_send_dispatch (soak->mock, "GUILD_CREATE", guild);
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
stop_cb (gpointer data)
{
  ((Soak *) data)->stop = TRUE;
  return G_SOURCE_REMOVE;
}

static DGatewayCompression
parse_compression (const char *name)
{
  if (name == NULL || g_str_equal (name, "zstd"))
    return DGATEWAY_COMPRESSION_ZSTD_STREAM;
  if (g_str_equal (name, "zlib"))
    return DGATEWAY_COMPRESSION_ZLIB_STREAM;
  if (g_str_equal (name, "none"))
    return DGATEWAY_COMPRESSION_NONE;
  g_error ("unknown compression %s", name);
}

static void
test_soak (void)
{
  g_autoptr(DGatewayLocalIdentifyQueue) queue = dgateway_local_identify_queue_new (1);
  DGatewayShardSettings *settings;
  Soak soak = { 0 };
  gint64 final_seq;
  guint total = 0;

  soak.rand = g_rand_new_with_seed (g_test_rand_int ());
  soak.mock = dgateway_mock_gateway_new (NULL);
  dgateway_mock_gateway_set_token (soak.mock, TEST_TOKEN);
  dgateway_mock_gateway_set_heartbeat_interval (soak.mock, 500);
  g_signal_connect (soak.mock, "frame-received", G_CALLBACK (frame_cb), &soak);

  soak.client = dgateway_client_new (TEST_TOKEN, INTENTS);
  g_object_set (soak.client,
                "gateway-url", dgateway_mock_gateway_get_url (soak.mock),
                "compression", parse_compression (compression_name),
                "reconnect-delay-min", 20,
                "reconnect-delay-max", 200,
                NULL);
  settings = dgateway_client_get_settings (soak.client);
  settings->hello_timeout = 1000;
  settings->invalid_session_min = 50;
  settings->invalid_session_max = 150;
  dgateway_local_identify_queue_set_interval (queue, 0);
  dgateway_client_set_identify_queue (soak.client, DGATEWAY_IDENTIFY_QUEUE (queue));
  g_signal_connect (soak.client, "dispatch", G_CALLBACK (dispatch_cb), &soak);
  g_signal_connect (soak.client, "notify::state", G_CALLBACK (state_cb), &soak);

  dgateway_client_connect_async (soak.client, NULL, NULL, NULL);
  WAIT_UNTIL (dgateway_client_get_state (soak.client) == DGATEWAY_STATE_CONNECTED, 5000);

  g_timeout_add (10, stream_cb, &soak);
  g_timeout_add (500, fault_cb, &soak);
  g_timeout_add_seconds (seconds, stop_cb, &soak);
  WAIT_UNTIL (soak.stop, (guint) (seconds + 5) * 1000);

  /* The faults stop; what was sent last must arrive. */
  dgateway_mock_gateway_set_ack_heartbeats (soak.mock, TRUE);
  WAIT_UNTIL (dgateway_client_get_state (soak.client) == DGATEWAY_STATE_CONNECTED &&
              dgateway_mock_gateway_is_connected (soak.mock), 10000);
  dgateway_mock_gateway_send_messages (soak.mock, 1);
  final_seq = dgateway_mock_gateway_get_sequence (soak.mock);
  WAIT_UNTIL (soak.last_seq >= final_seq, 10000);

  for (guint i = 0; i < G_N_ELEMENTS (fault_names); i++)
    {
      g_test_message ("%-20s %u", fault_names[i], soak.faults[i]);
      total += soak.faults[i];
    }
  g_test_message ("%u faults, %u cuts during a replay, %" G_GUINT64_FORMAT " events delivered, "
                  "%u sessions (%u IDENTIFY), %u reconnections, %u duplicates, %u gaps, %u sessions abandoned",
                  total, soak.cuts, soak.delivered, soak.sessions, soak.identifies,
                  dgateway_client_get_reconnect_count (soak.client),
                  soak.duplicates, soak.gaps, soak.abandoned);

  g_assert_cmpuint (total, >=, (guint) seconds / 3);
  g_assert_cmpuint (soak.duplicates, ==, 0);
  g_assert_cmpuint (soak.gaps, ==, 0);
  g_assert_cmpuint (soak.abandoned, ==, 0);
  g_assert_cmpuint (dgateway_client_get_events_lost (soak.client), ==, 0);
  g_assert_false (test_log_saw_token ());

  dgateway_client_close (soak.client);
  test_run_for (50);
  g_assert_finalize_object (soak.client);
  g_clear_object (&soak.mock);
  g_rand_free (soak.rand);
  g_free (soak.session_id);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- a fault soak of the client");
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    { "seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "How long faults are injected", "N" },
    { "compression", 0, 0, G_OPTION_ARG_STRING, &compression_name, "none, zlib or zstd", "MODE" },
    { "guild-members", 0, 0, G_OPTION_ARG_INT, &guild_members, "Members of the large GUILD_CREATEs", "N" },
    { "events-per-tick", 0, 0, G_OPTION_ARG_INT, &events_per_tick, "Events sent every 10 ms", "N" },
    { NULL }
  };

  test_init (&argc, &argv);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);

  /* The faults make the client log what it does about them. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_test_add_func ("/dgateway/soak", test_soak);
  return g_test_run ();
}
