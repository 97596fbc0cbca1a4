/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* dgateway-mock-gateway: runs DGatewayMockGateway as a process for demos,
 * tests of bots in any language, the benchmark, or to point a client at
 * while developing.  It prints the gateway URL as its only line on stdout
 * (its first with --log-frames), then serves until SIGINT or SIGTERM (or,
 * with --exit-on-stdin-eof, until its parent closes its stdin).
 *
 * With --mix NAME --events N it generates a recording of N events of that
 * mix before printing the URL, and streams it to every session after READY
 * as fast as the client reads, then dispatches BENCHMARK_DONE.
 *
 * With --guilds N it holds N generated guilds of --members members each:
 * READY lists them, a GUILD_CREATE follows for each, and Request Guild
 * Members gets their members.  With --close-after N it closes every
 * connection with --close-code after N dispatches, so that clients show
 * how they resume.  SIGUSR1 drops every open connection at once, without
 * a close frame, as a network failure would: tests/idle-shards.c --storm
 * uses it to time a reconnection storm.
 *
 * With --rate-total N it dispatches generated MESSAGE_CREATE events at N a
 * second in total, each to the next open connection in turn, however many
 * there are: a load that stays the same as a client adds shards, which
 * --rate (per session) cannot give.  SIGUSR2 pauses and resumes that stream
 * (--paused starts it paused), so that tests/idle-shards.c can measure
 * connecting and idling without events, then a fixed number of events a
 * second. */

#include <dgateway-testing.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <glib-unix.h>

static int port = 0;
static int interval = 41250;
static int events = 0;
static int rate = 0;
static char *token = NULL;
static char *mix = NULL;
static gboolean forever_events = FALSE;
static gboolean exit_on_stdin_eof = FALSE;
static gboolean log_frames = FALSE;
static int guilds = 0;
static int members = 25;
static int close_after = 0;
static int close_code = 4000;
static int rate_total = 0;
static gboolean paused = FALSE;

static GOptionEntry entries[] = {
  { "port", 0, 0, G_OPTION_ARG_INT, &port, "TCP port on 127.0.0.1 (0 = a free one)", "N" },
  { "interval", 0, 0, G_OPTION_ARG_INT, &interval, "Heartbeat interval sent in HELLO (default 41250)", "MS" },
  { "events", 0, 0, G_OPTION_ARG_INT, &events, "MESSAGE_CREATE events sent to each client after READY (with --mix: events of the recording)", "N" },
  { "mix", 0, 0, G_OPTION_ARG_STRING, &mix, "Stream a recording of --events events of this mix (messages, mixed) at full speed", "NAME" },
  { "rate", 0, 0, G_OPTION_ARG_INT, &rate, "Events per second (0 = all at once; 10 with --forever-events)", "N" },
  { "token", 0, 0, G_OPTION_ARG_STRING, &token, "Expected bot token (default \"test-token\")", "T" },
  { "rate-total", 0, 0, G_OPTION_ARG_INT, &rate_total, "MESSAGE_CREATE events per second in total, each to the next open connection in turn (SIGUSR2 pauses and resumes them)", "N" },
  { "paused", 0, 0, G_OPTION_ARG_NONE, &paused, "Start the --rate-total stream paused, until SIGUSR2", NULL },
  { "forever-events", 0, 0, G_OPTION_ARG_NONE, &forever_events, "Stream MESSAGE_CREATE events without end", NULL },
  { "guilds", 0, 0, G_OPTION_ARG_INT, &guilds, "Guilds to hold, each sent in a GUILD_CREATE after READY (default 0)", "N" },
  { "members", 0, 0, G_OPTION_ARG_INT, &members, "Members of each guild, for GUILD_CREATE and GUILD_MEMBERS_CHUNK (default 25)", "N" },
  { "close-after", 0, 0, G_OPTION_ARG_INT, &close_after, "Close each connection after N dispatches (default 0: never)", "N" },
  { "close-code", 0, 0, G_OPTION_ARG_INT, &close_code, "Close code for --close-after (default 4000, after which clients resume)", "CODE" },
  { "exit-on-stdin-eof", 0, 0, G_OPTION_ARG_NONE, &exit_on_stdin_eof, "Exit when stdin reaches end of file", NULL },
  { "log-frames", 0, 0, G_OPTION_ARG_NONE, &log_frames, "Print \"OP TIME SHARD\" for every frame received", NULL },
  G_OPTION_ENTRY_NULL
};

static gboolean
quit_cb (gpointer user_data)
{
  GMainLoop *loop = user_data;

  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
drop_all_cb (gpointer user_data)
{
  DGatewayMockGateway *gateway = user_data;
  guint n = dgateway_mock_gateway_get_n_connections (gateway);

  /* Dropping a connection that is closed or dropped already does nothing. */
  for (guint i = 1; i <= n; i++)
    dgateway_mock_gateway_drop_connection (gateway, i);
  return G_SOURCE_CONTINUE;
}

/* The --rate-total stream: one timer for the process sends what the rate
 * says is due by now, each event to the next open connection after the
 * last one served.  Events due while no connection can take one are
 * skipped, not saved up, so that a client connecting late, or the end of
 * a pause, brings no burst. */
typedef struct {
  DGatewayMockGateway *gateway;
  guint    rate;
  gboolean paused;
  gint64   started;        /* start of the current run */
  guint64  sent;           /* events due since then, sent or skipped */
  guint    next;           /* the connection to try first, from 0 */
  guint    message_index;
  guint    source_id;
} TotalStream;

/* Dispatches one event into the session of the next open connection that
 * has one; returns whether there was such a connection. */
static gboolean
total_stream_send_one (TotalStream *t)
{
  guint n = dgateway_mock_gateway_get_n_connections (t->gateway);
  g_autofree char *d = dgateway_mock_gateway_build_message_create (t->message_index);

  for (guint tried = 0; tried < n; tried++)
    {
      guint index = (t->next + tried) % n + 1;

      if (dgateway_mock_gateway_get_connection_closed (t->gateway, index) == 0 &&
          dgateway_mock_gateway_send_dispatch_to (t->gateway, index, "MESSAGE_CREATE", d) != 0)
        {
          t->message_index++;
          t->next = index;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
total_stream_tick_cb (gpointer user_data)
{
  TotalStream *t = user_data;
  gint64 elapsed = g_get_monotonic_time () - t->started;
  guint64 due = (guint64) elapsed * t->rate / G_USEC_PER_SEC + 1;

  for (; t->sent < due; t->sent++)
    if (!total_stream_send_one (t))
      {
        t->sent = due;
        break;
      }
  return G_SOURCE_CONTINUE;
}

static void
total_stream_set_paused (TotalStream *t,
                         gboolean     pause_it)
{
  t->paused = pause_it;
  if (pause_it)
    {
      g_clear_handle_id (&t->source_id, g_source_remove);
      return;
    }
  t->started = g_get_monotonic_time ();
  t->sent = 0;
  t->source_id = g_timeout_add (CLAMP (1000 / t->rate, 1, 50), total_stream_tick_cb, t);
}

static gboolean
toggle_total_stream_cb (gpointer user_data)
{
  TotalStream *t = user_data;

  if (t->rate > 0)
    total_stream_set_paused (t, !t->paused);
  return G_SOURCE_CONTINUE;
}

/* Reads and discards stdin; end of file or an error means the parent is gone. */
static gboolean
stdin_cb (int          fd,
          GIOCondition condition,
          gpointer     user_data)
{
  GMainLoop *loop = user_data;
  char buffer[4096];
  gssize n = read (fd, buffer, sizeof buffer);

  if (n > 0 || (n < 0 && (errno == EINTR || errno == EAGAIN)))
    return G_SOURCE_CONTINUE;

  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static void
frame_received_cb (DGatewayMockGateway *gateway,
                   DGatewayMockFrame   *frame,
                   gpointer             user_data)
{
  gint64 shard = -1;

  if (frame->op == 2 && frame->d != NULL && JSON_NODE_HOLDS_OBJECT (frame->d))
    {
      JsonObject *d = json_node_get_object (frame->d);

      if (json_object_has_member (d, "shard"))
        shard = json_array_get_int_element (json_object_get_array_member (d, "shard"), 0);
    }
  printf ("%d %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n", frame->op, frame->time, shard);
  fflush (stdout);
}

static gboolean
parse_options (int      *argc,
               char   ***argv,
               GError  **error)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- a local Discord Gateway");

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;
  if (port < 0 || port > G_MAXUINT16 || interval <= 0 || events < 0 || rate < 0
      || rate_total < 0 || guilds < 0 || members < 0 || close_after < 0 || close_code < 1000 || close_code > 4999)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--port, --interval, --events, --rate, --rate-total, --guilds, "
                           "--members, --close-after or --close-code is out of range");
      return FALSE;
    }
  if (mix != NULL && (events == 0 || forever_events))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--mix needs --events N and no --forever-events");
      return FALSE;
    }
  return TRUE;
}

static gboolean
configure (DGatewayMockGateway  *gateway,
           GError              **error)
{
  dgateway_mock_gateway_set_heartbeat_interval (gateway, interval);
  dgateway_mock_gateway_set_auto_event_rate (gateway, rate);
  if (token != NULL)
    dgateway_mock_gateway_set_token (gateway, token);
  dgateway_mock_gateway_set_close_after (gateway, close_after, close_code);
  for (int i = 0; i < guilds; i++)
    {
      g_autofree char *guild = dgateway_mock_gateway_build_guild_create (i, members, 10);

      if (!dgateway_mock_gateway_add_guild (gateway, guild, error))
        return FALSE;
    }
  if (mix == NULL)
    {
      dgateway_mock_gateway_set_auto_events (gateway, forever_events ? DGATEWAY_MOCK_GATEWAY_EVENTS_FOREVER
                                                                     : (guint) events);
      return TRUE;
    }
  else
    {
      g_autoptr(DGatewayMockRecording) recording = dgateway_mock_recording_new (mix, events, error);

      if (recording == NULL)
        return FALSE;
      dgateway_mock_gateway_set_recording (gateway, recording);
      return TRUE;
    }
}

/* Serves until SIGINT, SIGTERM or, if asked, the end of stdin.  The URL
 * goes out once the signals are handled, so a parent that read it may
 * send SIGUSR1 or SIGUSR2 at once. */
static void
run (DGatewayMockGateway *gateway)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  TotalStream total = { gateway, rate_total, TRUE, 0, 0, 0, 0, 0 };
  guint sigint_id, sigterm_id, sigusr1_id, sigusr2_id, stdin_id = 0;

  sigint_id = g_unix_signal_add (SIGINT, quit_cb, loop);
  sigterm_id = g_unix_signal_add (SIGTERM, quit_cb, loop);
  sigusr1_id = g_unix_signal_add (SIGUSR1, drop_all_cb, gateway);
  sigusr2_id = g_unix_signal_add (SIGUSR2, toggle_total_stream_cb, &total);
  if (exit_on_stdin_eof)
    stdin_id = g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, stdin_cb, loop);
  if (rate_total > 0 && !paused)
    total_stream_set_paused (&total, FALSE);

  printf ("%s\n", dgateway_mock_gateway_get_url (gateway));
  fflush (stdout);
  if (log_frames)
    g_signal_connect (gateway, "frame-received", G_CALLBACK (frame_received_cb), NULL);

  g_main_loop_run (loop);

  g_clear_handle_id (&total.source_id, g_source_remove);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_source_remove (sigusr1_id);
  g_source_remove (sigusr2_id);
  if (stdin_id != 0 && g_main_context_find_source_by_id (NULL, stdin_id) != NULL)
    g_source_remove (stdin_id);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  DGatewayMockGateway *gateway;

  if (!parse_options (&argc, &argv, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return 2;
    }

  gateway = dgateway_mock_gateway_new_with_port (port, &error);
  if (gateway == NULL)
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return 1;
    }
  if (!configure (gateway, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      g_object_unref (gateway);
      return 2;
    }

  run (gateway);

  /* Let the close frames sent on disposal finish closing their sockets. */
  g_object_unref (gateway);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_free (token);
  g_free (mix);
  return 0;
}
