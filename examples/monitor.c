/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * dgateway-monitor: a libadwaita window that watches a Gateway connection.
 *
 * The state, the latency, the events per second and the reconnections of a
 * DGatewayClient are bound to labels with g_object_bind_property_full(),
 * whose transform functions turn the numbers into text, and a drawing area
 * plots the last latency samples. When the client has failed, the error
 * that made it fail is shown under its state.
 *
 * Beside them, a sidebar lists the guilds of a DGatewayCache and the
 * channel tree of the selected one (a GtkTreeListModel, categories
 * expandable). Rows are bound to the cached objects with GtkExpressions, so
 * a renamed guild or a new channel shows at once.
 *
 * With DISCORD_TOKEN set it connects to Discord; without it, it starts the
 * mock gateway of the build tree with a few guilds, which streams messages
 * and closes the connection now and then so there is something to see.
 * --gateway-url connects to another gateway, and --timeout quits after a
 * while. State changes, latency samples, lost connections, the reason of a
 * failure and the number of guilds and channel rows the sidebar shows are
 * also printed on stdout.
 */

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <adwaita.h>
#include <dgateway/dgateway.h>

#define APPLICATION_ID "org.gnome.DGateway.Example.Monitor"
#define INTENTS (DGATEWAY_INTENTS_GUILDS | DGATEWAY_INTENTS_GUILD_MESSAGES)
#define CACHE_FLAGS (DGATEWAY_CACHE_GUILDS | DGATEWAY_CACHE_CHANNELS)
#define N_SAMPLES 60

struct _Monitor
{
  AdwApplication parent_instance;

  char *gateway_url;
  int timeout;
  int status;

  DGatewayClient *client;
  DGatewayCache *cache;
  GCancellable *cancellable;
  GSubprocess *mock;
  GError *error;                 /* why the last connection ended */
  gboolean reason_printed;

  /* Weak pointers: the window may go before the client. */
  GtkWidget *graph;
  GtkWidget *reason;
  GtkWidget *channels;

  double samples[N_SAMPLES];     /* latency in ms, oldest first */
  guint n_samples;
};

#define MONITOR_TYPE (monitor_get_type ())
G_DECLARE_FINAL_TYPE (Monitor, monitor, MONITOR, APP, AdwApplication)
G_DEFINE_FINAL_TYPE (Monitor, monitor, ADW_TYPE_APPLICATION)

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

/* Colours the state label with libadwaita's success, warning and error
 * classes. */
static gboolean
state_to_css_classes (GBinding     *binding,
                      const GValue *from,
                      GValue       *to,
                      gpointer      user_data)
{
  const char *classes[] = { "heading", NULL, NULL };

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

/* Why the connection failed: the error of the last connection-lost, or of
 * connect_async(), shown under the state while it is FAILED. */

static void
show_reason (Monitor *self)
{
  gboolean failed = dgateway_client_get_state (self->client) == DGATEWAY_STATE_FAILED;

  if (self->reason != NULL)
    {
      gtk_label_set_label (GTK_LABEL (self->reason),
                           self->error != NULL ? self->error->message : "");
      gtk_widget_set_visible (self->reason, failed && self->error != NULL);
    }

  /* Once per failure, for the smoke test. */
  if (failed && self->error != NULL && !self->reason_printed)
    {
      printf ("reason: %s\n", self->error->message);
      fflush (stdout);
    }
  self->reason_printed = failed && self->error != NULL;
}

static void
set_error (Monitor      *self,
           const GError *error)
{
  /* connect_async() fails with the error connection-lost had. */
  if (self->error != NULL && g_error_matches (self->error, error->domain, error->code) &&
      g_strcmp0 (self->error->message, error->message) == 0)
    return;

  g_clear_error (&self->error);
  self->error = g_error_copy (error);
  self->reason_printed = FALSE;
  show_reason (self);
}

static void
connection_lost_cb (DGatewayClient *client,
                    DGatewayShard  *shard,
                    const GError   *error,
                    Monitor        *self)
{
  printf ("connection lost: %s\n", error->message);
  fflush (stdout);
  set_error (self, error);
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
  show_reason (self);
}

/* The sidebar: the guilds of the cache and the channels of the selected
 * one, bound with GtkExpressions so that they follow the cache live. */

static char *
guild_title (GObject    *item,
             const char *name,
             gboolean    unavailable,
             gpointer    user_data)
{
  /* READY lists the guilds by id only; their GUILD_CREATE names them. */
  if (name == NULL)
    return g_strdup (unavailable ? "Unavailable guild" : "…");
  return g_strdup (name);
}

static void
setup_guild_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);
  GtkExpression *guild = gtk_property_expression_new (GTK_TYPE_LIST_ITEM, NULL, "item");
  GtkExpression *params[] = {
    gtk_property_expression_new (DGATEWAY_TYPE_CACHED_GUILD, gtk_expression_ref (guild), "name"),
    gtk_property_expression_new (DGATEWAY_TYPE_CACHED_GUILD, guild, "unavailable"),
  };

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_expression_bind (gtk_cclosure_expression_new (G_TYPE_STRING, NULL,
                                                    G_N_ELEMENTS (params), params,
                                                    G_CALLBACK (guild_title), NULL, NULL),
                       label, "label", item);
  gtk_list_item_set_child (item, label);
}

static char *
channel_title (GObject             *expander,
               const char          *name,
               DGatewayChannelType  type,
               gpointer             user_data)
{
  if (type == DGATEWAY_CHANNEL_TYPE_GUILD_CATEGORY)
    return g_utf8_strup (name != NULL ? name : "", -1);
  return g_strconcat ("# ", name, NULL);
}

static GStrv
channel_css_classes (GObject             *expander,
                     DGatewayChannelType  type,
                     gpointer             user_data)
{
  const char *classes[] = { NULL, NULL };

  if (type == DGATEWAY_CHANNEL_TYPE_GUILD_CATEGORY)
    classes[0] = "caption-heading";
  return g_strdupv ((char **) classes);
}

/* A row of the channel tree: an expander (for categories) around a label,
 * both following the GtkTreeListRow the list item holds. */
static void
setup_channel_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  GtkWidget *expander = gtk_tree_expander_new ();
  GtkWidget *label = gtk_label_new (NULL);
  GtkExpression *channel = gtk_property_expression_new (GTK_TYPE_TREE_EXPANDER, NULL, "item");
  GtkExpression *params[] = {
    gtk_property_expression_new (DGATEWAY_TYPE_CACHED_CHANNEL, gtk_expression_ref (channel), "name"),
    gtk_property_expression_new (DGATEWAY_TYPE_CACHED_CHANNEL, gtk_expression_ref (channel),
                                 "channel-type"),
  };
  GtkExpression *type = gtk_property_expression_new (DGATEWAY_TYPE_CACHED_CHANNEL, channel,
                                                     "channel-type");

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_tree_expander_set_child (GTK_TREE_EXPANDER (expander), label);
  gtk_expression_bind (gtk_property_expression_new (GTK_TYPE_LIST_ITEM, NULL, "item"),
                       expander, "list-row", item);
  gtk_expression_bind (gtk_cclosure_expression_new (G_TYPE_STRING, NULL,
                                                    G_N_ELEMENTS (params), params,
                                                    G_CALLBACK (channel_title), NULL, NULL),
                       label, "label", expander);
  gtk_expression_bind (gtk_cclosure_expression_new (G_TYPE_STRV, NULL, 1, &type,
                                                    G_CALLBACK (channel_css_classes), NULL, NULL),
                       label, "css-classes", expander);
  gtk_list_item_set_child (item, expander);
}

static GListModel *
create_channel_children (gpointer item,
                         gpointer user_data)
{
  GListModel *children = dgateway_cached_channel_get_children (item);

  return children != NULL ? g_object_ref (children) : NULL;
}

/* What the sidebar shows, on stdout for the smoke test. */
static void
guilds_changed_cb (GListModel *guilds,
                   guint       position,
                   guint       removed,
                   guint       added,
                   Monitor    *self)
{
  printf ("guilds: %u\n", g_list_model_get_n_items (guilds));
  fflush (stdout);
}

static void
channels_changed_cb (GListModel *channels,
                     guint       position,
                     guint       removed,
                     guint       added,
                     Monitor    *self)
{
  printf ("channels: %u\n", g_list_model_get_n_items (channels));
  fflush (stdout);
}

static void
selected_guild_cb (GtkSingleSelection *guilds,
                   GParamSpec         *pspec,
                   Monitor            *self)
{
  DGatewayCachedGuild *guild = gtk_single_selection_get_selected_item (guilds);
  g_autoptr(GtkNoSelection) model = NULL;

  if (self->channels == NULL)
    return;

  if (guild != NULL)
    {
      GListModel *tree = dgateway_cached_guild_get_channel_tree (guild);
      GtkTreeListModel *rows = gtk_tree_list_model_new (g_object_ref (tree), FALSE, TRUE,
                                                        create_channel_children, NULL, NULL);

      g_signal_connect (rows, "items-changed", G_CALLBACK (channels_changed_cb), self);
      model = gtk_no_selection_new (G_LIST_MODEL (rows));
    }
  gtk_list_view_set_model (GTK_LIST_VIEW (self->channels), GTK_SELECTION_MODEL (model));
}

static GtkWidget *
scrolled_list (GtkSelectionModel *model,
               GCallback          setup)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkWidget *list = gtk_list_view_new (model, factory);
  GtkWidget *scrolled = gtk_scrolled_window_new ();

  g_signal_connect (factory, "setup", setup, NULL);
  gtk_widget_add_css_class (list, "navigation-sidebar");
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled),
                                  GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list);
  gtk_widget_set_vexpand (scrolled, TRUE);
  return scrolled;
}

static gboolean
n_items_to_page (GBinding     *binding,
                 const GValue *from,
                 GValue       *to,
                 gpointer      user_data)
{
  g_value_set_string (to, g_value_get_uint (from) > 0 ? "guilds" : "empty");
  return TRUE;
}

/* The sidebar, or a status page until the first guild comes. */
static GtkWidget *
add_empty_page (GtkSingleSelection *guilds,
                GtkWidget          *sidebar)
{
  GtkWidget *stack = gtk_stack_new ();
  GtkWidget *empty = adw_status_page_new ();

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), "network-workgroup-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), "No Guilds");
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
                                   "The guilds of the bot show here once connected");
  gtk_widget_add_css_class (empty, "compact");
  gtk_stack_add_named (GTK_STACK (stack), empty, "empty");
  gtk_stack_add_named (GTK_STACK (stack), sidebar, "guilds");
  g_object_bind_property_full (guilds, "n-items", stack, "visible-child-name",
                               G_BINDING_SYNC_CREATE, n_items_to_page, NULL, NULL, NULL);
  return stack;
}

/* The guilds above the channel tree of the one selected. */
static GtkWidget *
build_sidebar (Monitor *self)
{
  GtkWidget *paned = gtk_paned_new (GTK_ORIENTATION_VERTICAL);
  GtkWidget *guilds;
  GtkWidget *channels;
  GtkSingleSelection *selection;

  selection = gtk_single_selection_new (g_object_ref (dgateway_cache_get_guilds (self->cache)));
  g_signal_connect (selection, "items-changed", G_CALLBACK (guilds_changed_cb), self);
  g_signal_connect (selection, "notify::selected-item", G_CALLBACK (selected_guild_cb), self);
  guilds = scrolled_list (GTK_SELECTION_MODEL (selection), G_CALLBACK (setup_guild_cb));

  channels = scrolled_list (NULL, G_CALLBACK (setup_channel_cb));
  self->channels = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (channels));
  g_object_add_weak_pointer (G_OBJECT (self->channels), (gpointer *) &self->channels);
  selected_guild_cb (selection, NULL, self);

  gtk_paned_set_start_child (GTK_PANED (paned), guilds);
  gtk_paned_set_end_child (GTK_PANED (paned), channels);
  gtk_paned_set_position (GTK_PANED (paned), 140);
  gtk_paned_set_shrink_start_child (GTK_PANED (paned), FALSE);
  gtk_paned_set_shrink_end_child (GTK_PANED (paned), FALSE);
  return add_empty_page (selection, paned);
}

/* The metrics, as the window showed them before it had a sidebar. */

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

static GtkWidget *
build_grid (Monitor *self)
{
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *state;

  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 24);

  state = add_row (GTK_GRID (grid), 0, "State");
  bind (self->client, "state", state, state_to_text);
  g_object_bind_property_full (self->client, "state", state, "css-classes",
                               G_BINDING_SYNC_CREATE, state_to_css_classes,
                               NULL, NULL, NULL);

  /* The reason spans the row below the state, shown only when it failed. */
  self->reason = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->reason, "error");
  gtk_label_set_wrap (GTK_LABEL (self->reason), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->reason), 1.0);
  gtk_label_set_selectable (GTK_LABEL (self->reason), TRUE);
  gtk_grid_attach (GTK_GRID (grid), self->reason, 0, 1, 2, 1);
  g_object_add_weak_pointer (G_OBJECT (self->reason), (gpointer *) &self->reason);
  show_reason (self);

  bind (self->client, "latency", add_row (GTK_GRID (grid), 2, "Latency"), latency_to_text);
  bind (self->client, "events-per-second", add_row (GTK_GRID (grid), 3, "Events per second"),
        rate_to_text);
  bind (self->client, "reconnect-count", add_row (GTK_GRID (grid), 4, "Reconnections"),
        count_to_text);
  return grid;
}

static GtkWidget *
build_metrics (Monitor *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *heading = gtk_label_new ("Latency");
  GtkWidget *frame = gtk_frame_new (NULL);

  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_widget_set_margin_start (box, 18);
  gtk_widget_set_margin_end (box, 18);
  gtk_box_append (GTK_BOX (box), build_grid (self));

  gtk_widget_add_css_class (heading, "heading");
  gtk_label_set_xalign (GTK_LABEL (heading), 0.0);
  gtk_box_append (GTK_BOX (box), heading);

  self->graph = gtk_drawing_area_new ();
  g_object_add_weak_pointer (G_OBJECT (self->graph), (gpointer *) &self->graph);
  gtk_widget_set_vexpand (self->graph, TRUE);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (self->graph), 160);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->graph), draw_graph, self, NULL);
  gtk_frame_set_child (GTK_FRAME (frame), self->graph);
  gtk_box_append (GTK_BOX (box), frame);
  return box;
}

/* The window: an AdwLeaflet (libadwaita 1.2 has no AdwNavigationSplitView)
 * of the sidebar beside the metrics, each under its header bar; narrow,
 * it shows one at a time with a back button to the sidebar. */

static void
back_clicked_cb (GtkButton  *button,
                 AdwLeaflet *leaflet)
{
  adw_leaflet_navigate (leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
forward_clicked_cb (GtkButton  *button,
                    AdwLeaflet *leaflet)
{
  adw_leaflet_navigate (leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

/* Folded, the leaflet shows one pane at a time: a button in the header
 * bar of each leads to the other. */
static void
add_navigation_button (AdwHeaderBar *header,
                       AdwLeaflet   *leaflet,
                       gboolean      forward)
{
  GtkWidget *button = gtk_button_new_from_icon_name (forward ? "go-next-symbolic"
                                                             : "go-previous-symbolic");

  gtk_widget_set_tooltip_text (button, forward ? "Metrics" : "Guilds");
  g_signal_connect (button, "clicked",
                    forward ? G_CALLBACK (forward_clicked_cb) : G_CALLBACK (back_clicked_cb),
                    leaflet);
  g_object_bind_property (leaflet, "folded", button, "visible", G_BINDING_SYNC_CREATE);
  if (forward)
    adw_header_bar_pack_end (header, button);
  else
    adw_header_bar_pack_start (header, button);
}

static GtkWidget *
build_pane (AdwLeaflet *leaflet,
            const char *title,
            GtkWidget  *content,
            gboolean    sidebar)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();

  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), adw_window_title_new (title, NULL));
  /* Unfolded, the window's buttons go at the outer ends only. */
  g_object_bind_property (leaflet, "folded", header,
                          sidebar ? "show-end-title-buttons" : "show-start-title-buttons",
                          G_BINDING_SYNC_CREATE);
  add_navigation_button (ADW_HEADER_BAR (header), leaflet, sidebar);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), content);
  return box;
}

static void
build_window (Monitor *self)
{
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (self));
  AdwLeaflet *leaflet = ADW_LEAFLET (adw_leaflet_new ());
  GtkWidget *sidebar = build_pane (leaflet, "Guilds", build_sidebar (self), TRUE);
  GtkWidget *metrics = build_pane (leaflet, "Gateway Monitor", build_metrics (self), FALSE);

  gtk_window_set_title (GTK_WINDOW (window), "Gateway Monitor");
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 440);
  gtk_widget_set_size_request (sidebar, 220, -1);
  gtk_widget_set_hexpand (metrics, TRUE);

  adw_leaflet_set_can_navigate_back (leaflet, TRUE);
  adw_leaflet_append (leaflet, sidebar);
  adw_leaflet_page_set_navigatable (adw_leaflet_append (leaflet,
                                                        gtk_separator_new (GTK_ORIENTATION_VERTICAL)),
                                    FALSE);
  adw_leaflet_append (leaflet, metrics);
  adw_leaflet_set_visible_child (leaflet, metrics);

  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), GTK_WIDGET (leaflet));
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
      set_error (self, error);
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
  /* Before connecting: the cache learns the guilds from READY on. */
  self->cache = dgateway_cache_new (self->client, CACHE_FLAGS);
  g_signal_connect (self->client, "notify::latency", G_CALLBACK (latency_changed_cb), self);
  g_signal_connect (self->client, "notify::state", G_CALLBACK (state_changed_cb), self);
  g_signal_connect (self->client, "connection-lost", G_CALLBACK (connection_lost_cb), self);

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
      g_printerr ("the mock gateway printed no URL\n");
      self->status = 1;
    }
  g_application_release (G_APPLICATION (self));
}

static gboolean
start_mock_gateway (Monitor  *self,
                    GError  **error)
{
  const char *path = g_getenv ("DGATEWAY_MOCK_GATEWAY");
  g_autoptr(GDataInputStream) lines = NULL;

  if (path == NULL || *path == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "no token: set DISCORD_TOKEN, or DGATEWAY_MOCK_GATEWAY to "
                           "the mock gateway (meson devenv does)");
      return FALSE;
    }

  /* Three guilds for the sidebar, a heartbeat a second for a lively graph,
   * a stream of messages, and a connection closed after 500 of them (every
   * 20 s) for the reconnection counter. */
  self->mock = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE,
                                 error, path, "--guilds", "3", "--members", "5",
                                 "--interval", "1000", "--forever-events", "--rate", "25",
                                 "--close-after", "500", "--exit-on-stdin-eof", NULL);
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
  else if (!start_mock_gateway (self, &error))
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
  GList *windows;

  /* The windows hold models of the cache; nothing else frees them. */
  while ((windows = gtk_application_get_windows (GTK_APPLICATION (app))) != NULL)
    gtk_window_destroy (windows->data);

  g_cancellable_cancel (self->cancellable);
  if (self->client != NULL)
    dgateway_client_close (self->client);
  if (self->mock != NULL)
    {
      /* Closing its stdin asks the mock gateway to exit. */
      g_output_stream_close (g_subprocess_get_stdin_pipe (self->mock), NULL, NULL);
      g_subprocess_wait (self->mock, NULL, NULL);
    }
  G_APPLICATION_CLASS (monitor_parent_class)->shutdown (app);
}

static void
monitor_finalize (GObject *object)
{
  Monitor *self = MONITOR_APP (object);

  g_clear_object (&self->cache);
  g_clear_object (&self->client);
  g_clear_object (&self->mock);
  g_clear_error (&self->error);
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
