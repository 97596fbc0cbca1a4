/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * dgateway-monitor: a GTK 4 window that watches a Gateway connection.
 *
 * The state, the latency, the events per second and the reconnections of a
 * DGatewayClient are bound to labels with g_object_bind_property_full(),
 * whose transform functions turn the numbers into text, and a drawing area
 * plots the last latency samples.
 *
 * With DISCORD_TOKEN set it connects to Discord; without it, it starts the
 * example gateway of the build tree, which streams messages and drops the
 * connection now and then so there is something to see. --gateway-url
 * connects to another gateway, and --timeout quits after a while. State
 * changes and latency samples are also printed on stdout.
 */

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <gtk/gtk.h>
#include <dgateway/dgateway.h>

#define APPLICATION_ID "org.gnome.DGateway.Example.Monitor"
#define INTENTS (DGATEWAY_INTENTS_GUILDS | DGATEWAY_INTENTS_GUILD_MESSAGES)
#define N_SAMPLES 60

struct _Monitor
{
  GtkApplication parent_instance;

  char *gateway_url;
  int timeout;
  int status;

  DGatewayClient *client;
  GCancellable *cancellable;
  GSubprocess *mock;
  GtkWidget *graph;

  double samples[N_SAMPLES];     /* latency in ms, oldest first */
  guint n_samples;
};

#define MONITOR_TYPE (monitor_get_type ())
G_DECLARE_FINAL_TYPE (Monitor, monitor, MONITOR, APP, GtkApplication)
G_DEFINE_FINAL_TYPE (Monitor, monitor, GTK_TYPE_APPLICATION)

/* Transform functions: the client's numbers as the labels show them. */

static gboolean
state_to_text (GBinding     *binding,
               const GValue *from,
               GValue       *to,
               gpointer      user_data)
{
  static const char * const names[] = {
    [DGATEWAY_STATE_DISCONNECTED] = "Disconnected",
    [DGATEWAY_STATE_CONNECTING]   = "Connecting…",
    [DGATEWAY_STATE_IDENTIFYING]  = "Identifying…",
    [DGATEWAY_STATE_RESUMING]     = "Resuming…",
    [DGATEWAY_STATE_CONNECTED]    = "Connected",
    [DGATEWAY_STATE_RECONNECTING] = "Reconnecting…",
    [DGATEWAY_STATE_FAILED]       = "Failed",
  };
  int state = g_value_get_enum (from);

  if (state < 0 || state >= (int) G_N_ELEMENTS (names))
    return FALSE;
  g_value_set_string (to, names[state]);
  return TRUE;
}

/* Colours the state label with the theme's success, warning and error
 * classes. */
static gboolean
state_to_css_classes (GBinding     *binding,
                      const GValue *from,
                      GValue       *to,
                      gpointer      user_data)
{
  const char *classes[] = { "state", NULL, NULL };

  switch (g_value_get_enum (from))
    {
    case DGATEWAY_STATE_CONNECTED:
      classes[1] = "success";
      break;
    case DGATEWAY_STATE_FAILED:
      classes[1] = "error";
      break;
    case DGATEWAY_STATE_DISCONNECTED:
      classes[1] = "dim-label";
      break;
    default:
      classes[1] = "warning";
      break;
    }
  g_value_set_boxed (to, classes);
  return TRUE;
}

static gboolean
latency_to_text (GBinding     *binding,
                 const GValue *from,
                 GValue       *to,
                 gpointer      user_data)
{
  gint64 latency = g_value_get_int64 (from);

  if (latency < 0)
    g_value_set_string (to, "—");
  else
    g_value_take_string (to, g_strdup_printf ("%.2f ms", latency / 1000.0));
  return TRUE;
}

static gboolean
rate_to_text (GBinding     *binding,
              const GValue *from,
              GValue       *to,
              gpointer      user_data)
{
  g_value_take_string (to, g_strdup_printf ("%.1f", g_value_get_double (from)));
  return TRUE;
}

static gboolean
count_to_text (GBinding     *binding,
               const GValue *from,
               GValue       *to,
               gpointer      user_data)
{
  g_value_take_string (to, g_strdup_printf ("%u", g_value_get_uint (from)));
  return TRUE;
}

/* The latency graph. */

static void
get_foreground (GtkWidget *widget,
                GdkRGBA   *color)
{
#if GTK_CHECK_VERSION (4, 10, 0)
  gtk_widget_get_color (widget, color);
#else
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
#endif
}

static double
graph_scale (Monitor *self)
{
  double top = 1.0;

  for (guint i = 0; i < self->n_samples; i++)
    top = MAX (top, self->samples[i]);

  /* Round up to 1, 2 or 5 times a power of ten, for a readable axis. */
  for (double decade = 1.0; ; decade *= 10.0)
    for (guint i = 0; i < 3; i++)
      {
        static const double steps[] = { 1.0, 2.0, 5.0 };

        if (steps[i] * decade >= top * 1.1)
          return steps[i] * decade;
      }
}

static void
draw_graph (GtkDrawingArea *area,
            cairo_t        *cr,
            int             width,
            int             height,
            gpointer        user_data)
{
  Monitor *self = user_data;
  double top = graph_scale (self);
  double step = (double) width / (N_SAMPLES - 1);
  g_autofree char *axis = g_strdup_printf ("%g ms", top);
  GdkRGBA fg;

  get_foreground (GTK_WIDGET (area), &fg);

  /* Grid: quarter lines. */
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.15);
  cairo_set_line_width (cr, 1.0);
  for (int i = 0; i <= 4; i++)
    {
      double y = 0.5 + (int) ((height - 1) * i / 4.0);

      cairo_move_to (cr, 0, y);
      cairo_line_to (cr, width, y);
    }
  cairo_stroke (cr);

  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.6);
  cairo_move_to (cr, 4, 14);
  cairo_show_text (cr, axis);

  if (self->n_samples == 0)
    return;

  /* The newest sample on the right edge. */
  for (guint i = 0; i < self->n_samples; i++)
    {
      double x = width - (self->n_samples - 1 - i) * step;
      double y = height - 1 - (height - 2) * self->samples[i] / top;

      if (i == 0)
        cairo_move_to (cr, x, y);
      else
        cairo_line_to (cr, x, y);
    }
  cairo_set_source_rgba (cr, 0.21, 0.52, 0.89, 1.0);   /* GNOME blue 3 */
  cairo_set_line_width (cr, 2.0);
  cairo_stroke_preserve (cr);

  cairo_line_to (cr, width, height);
  cairo_line_to (cr, width - (self->n_samples - 1) * step, height);
  cairo_close_path (cr);
  cairo_set_source_rgba (cr, 0.21, 0.52, 0.89, 0.2);
  cairo_fill (cr);
}

static void
latency_changed_cb (DGatewayClient *client,
                    GParamSpec     *pspec,
                    Monitor        *self)
{
  gint64 latency = dgateway_client_get_latency (client);

  if (latency < 0)
    return;

  if (self->n_samples == N_SAMPLES)
    memmove (self->samples, self->samples + 1, (N_SAMPLES - 1) * sizeof (double));
  else
    self->n_samples++;
  self->samples[self->n_samples - 1] = latency / 1000.0;

  printf ("latency: %.3f ms\n", latency / 1000.0);
  fflush (stdout);
  if (self->graph != NULL)
    gtk_widget_queue_draw (self->graph);
}

static void
state_changed_cb (DGatewayClient *client,
                  GParamSpec     *pspec,
                  Monitor        *self)
{
  GEnumClass *klass = g_type_class_ref (DGATEWAY_TYPE_STATE);
  GEnumValue *value = g_enum_get_value (klass, dgateway_client_get_state (client));

  printf ("state: %s\n", value != NULL ? value->value_nick : "unknown");
  g_type_class_unref (klass);
  fflush (stdout);
}

/* The window. */

/* GTK's own theme does not colour labels by these classes (libadwaita
 * does), so say how. */
static const char state_css[] =
  "label.state { font-weight: bold; }\n"
  "label.state.success { color: @success_color; }\n"
  "label.state.warning { color: @warning_color; }\n"
  "label.state.error { color: @error_color; }\n";

static void
load_css (void)
{
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

#if GTK_CHECK_VERSION (4, 12, 0)
  gtk_css_provider_load_from_string (provider, state_css);
#else
  gtk_css_provider_load_from_data (provider, state_css, -1);
#endif
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static GtkWidget *
add_row (GtkGrid    *grid,
         int         row,
         const char *title)
{
  GtkWidget *name = gtk_label_new (title);
  GtkWidget *value = gtk_label_new (NULL);

  gtk_widget_add_css_class (name, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (name), 0.0);
  gtk_label_set_xalign (GTK_LABEL (value), 1.0);
  gtk_widget_set_hexpand (value, TRUE);
  gtk_widget_add_css_class (value, "numeric");
  gtk_grid_attach (grid, name, 0, row, 1, 1);
  gtk_grid_attach (grid, value, 1, row, 1, 1);
  return value;
}

static void
bind (DGatewayClient        *client,
      const char            *property,
      GtkWidget             *label,
      GBindingTransformFunc  transform)
{
  g_object_bind_property_full (client, property, label, "label",
                               G_BINDING_SYNC_CREATE, transform, NULL, NULL, NULL);
}

static void
build_window (Monitor *self)
{
  GtkWidget *window = gtk_application_window_new (GTK_APPLICATION (self));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *heading = gtk_label_new ("Latency");
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *state;

  load_css ();
  gtk_window_set_title (GTK_WINDOW (window), "Gateway Monitor");
  gtk_window_set_default_size (GTK_WINDOW (window), 420, 360);
  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_widget_set_margin_start (box, 18);
  gtk_widget_set_margin_end (box, 18);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 24);

  state = add_row (GTK_GRID (grid), 0, "State");
  bind (self->client, "state", state, state_to_text);
  g_object_bind_property_full (self->client, "state", state, "css-classes",
                               G_BINDING_SYNC_CREATE, state_to_css_classes,
                               NULL, NULL, NULL);
  bind (self->client, "latency", add_row (GTK_GRID (grid), 1, "Latency"), latency_to_text);
  bind (self->client, "events-per-second", add_row (GTK_GRID (grid), 2, "Events per second"),
        rate_to_text);
  bind (self->client, "reconnect-count", add_row (GTK_GRID (grid), 3, "Reconnections"),
        count_to_text);
  gtk_box_append (GTK_BOX (box), grid);

  gtk_widget_add_css_class (heading, "heading");
  gtk_label_set_xalign (GTK_LABEL (heading), 0.0);
  gtk_box_append (GTK_BOX (box), heading);

  self->graph = gtk_drawing_area_new ();
  gtk_widget_set_vexpand (self->graph, TRUE);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (self->graph), 160);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->graph), draw_graph, self, NULL);
  gtk_frame_set_child (GTK_FRAME (frame), self->graph);
  gtk_box_append (GTK_BOX (box), frame);

  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
}

/* Connecting. */

static void
connect_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Monitor *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!dgateway_client_connect_finish (DGATEWAY_CLIENT (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_printerr ("could not connect: %s\n", error->message);
      self->status = 1;
    }
  g_application_release (G_APPLICATION (self));
}

static void
start_client (Monitor    *self,
              const char *token,
              const char *url)
{
  self->client = dgateway_client_new (token, INTENTS);
  if (url != NULL)
    dgateway_client_set_gateway_url (self->client, url);
  g_signal_connect (self->client, "notify::latency", G_CALLBACK (latency_changed_cb), self);
  g_signal_connect (self->client, "notify::state", G_CALLBACK (state_changed_cb), self);

  build_window (self);

  g_application_hold (G_APPLICATION (self));
  dgateway_client_connect_async (self->client, self->cancellable, connect_cb, self);
}

static void
read_url_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Monitor *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  url = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                   NULL, &error);
  if (url != NULL)
    start_client (self, "test-token", url);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_printerr ("the example gateway printed no URL\n");
      self->status = 1;
    }
  g_application_release (G_APPLICATION (self));
}

static gboolean
start_example_gateway (Monitor  *self,
                       GError  **error)
{
  const char *path = g_getenv ("DGATEWAY_EXAMPLE_GATEWAY");
  g_autoptr(GDataInputStream) lines = NULL;

  if (path == NULL || *path == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "no token: set DISCORD_TOKEN, or DGATEWAY_EXAMPLE_GATEWAY to "
                           "the example gateway (meson devenv does)");
      return FALSE;
    }

  /* A heartbeat a second for a lively graph, a stream of messages, and a
   * dropped connection every 20 s for the reconnection counter. */
  self->mock = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE,
                                 error, path, "--interval", "1000", "--rate", "25",
                                 "--drop-every", "20", "--exit-on-stdin-eof", NULL);
  if (self->mock == NULL)
    return FALSE;

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->mock));
  g_application_hold (G_APPLICATION (self));
  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, self->cancellable,
                                       read_url_cb, self);
  return TRUE;
}

static void
monitor_activate (GApplication *app)
{
  Monitor *self = MONITOR_APP (app);
  const char *token = g_getenv ("DISCORD_TOKEN");
  g_autoptr(GError) error = NULL;

  if (self->client != NULL || self->mock != NULL)
    {
      GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

      if (window != NULL)
        gtk_window_present (window);
      return;
    }

  if (token != NULL && *token != '\0')
    start_client (self, token, self->gateway_url);
  else if (self->gateway_url != NULL)
    start_client (self, "test-token", self->gateway_url);
  else if (!start_example_gateway (self, &error))
    {
      g_printerr ("%s\n", error->message);
      self->status = 1;
    }
}

static gboolean
timeout_cb (gpointer user_data)
{
  g_application_quit (user_data);
  return G_SOURCE_REMOVE;
}

static int
monitor_handle_local_options (GApplication *app,
                              GVariantDict *options)
{
  Monitor *self = MONITOR_APP (app);

  g_variant_dict_lookup (options, "gateway-url", "s", &self->gateway_url);
  g_variant_dict_lookup (options, "timeout", "i", &self->timeout);
  if (self->timeout > 0)
    g_timeout_add_seconds (self->timeout, timeout_cb, app);
  return -1;
}

static void
monitor_shutdown (GApplication *app)
{
  Monitor *self = MONITOR_APP (app);

  g_cancellable_cancel (self->cancellable);
  if (self->client != NULL)
    dgateway_client_close (self->client);
  if (self->mock != NULL)
    {
      /* Closing its stdin asks the example gateway to exit. */
      g_output_stream_close (g_subprocess_get_stdin_pipe (self->mock), NULL, NULL);
      g_subprocess_wait (self->mock, NULL, NULL);
    }
  G_APPLICATION_CLASS (monitor_parent_class)->shutdown (app);
}

static void
monitor_finalize (GObject *object)
{
  Monitor *self = MONITOR_APP (object);

  g_clear_object (&self->client);
  g_clear_object (&self->mock);
  g_clear_object (&self->cancellable);
  g_free (self->gateway_url);
  G_OBJECT_CLASS (monitor_parent_class)->finalize (object);
}

static void
monitor_class_init (MonitorClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = monitor_finalize;
  app_class->activate = monitor_activate;
  app_class->handle_local_options = monitor_handle_local_options;
  app_class->shutdown = monitor_shutdown;
}

static void
monitor_init (Monitor *self)
{
  static const GOptionEntry entries[] = {
    { "gateway-url", 0, 0, G_OPTION_ARG_STRING, NULL,
      "Connect to this gateway instead of Discord’s", "URL" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, NULL, "Quit after SECONDS seconds", "SECONDS" },
    G_OPTION_ENTRY_NULL
  };

  self->cancellable = g_cancellable_new ();
  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(Monitor) app = NULL;
  int status;

  setlocale (LC_ALL, "");
  app = g_object_new (MONITOR_TYPE,
                      "application-id", APPLICATION_ID,
                      "flags", G_APPLICATION_DEFAULT_FLAGS,
                      NULL);
  status = g_application_run (G_APPLICATION (app), argc, argv);

  return status != 0 ? status : app->status;
}
