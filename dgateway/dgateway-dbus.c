/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-dbus.h"
#include "dgateway-enum-types.h"
#include "dgateway-dbus-generated.h"
#include "dgateway-metrics-private.h"

#include <glib/gi18n-lib.h>

/* The status of a client on D-Bus: a read-only org.gnome.DGateway1.Status
 * interface (data/org.gnome.DGateway1.Status.xml), whose skeleton
 * gdbus-codegen generates at build time.
 *
 * The client notifies its properties as they change: the state at once,
 * the counters up to four times a second. Each notification schedules one
 * flush, which copies every value into the skeleton and emits a single
 * PropertiesChanged with those that changed. A flush runs at most once per
 * FLUSH_INTERVAL_MS, however busy the Gateway is, so a monitor on the bus
 * never sees more than that.
 *
 * The export belongs to the client (object data), not the other way round:
 * it holds no reference on the client, and goes away with it.
 */

#define FLUSH_INTERVAL_MS 250

typedef struct {
  DGatewayClient     *client;          /* not owned: it owns us */
  DGatewayDBusStatus *skeleton;
  GMainContext       *context;
  GSource            *flush_source;
  gint64              last_flush;      /* monotonic µs, 0 = never */
  gulong              notify_id;
} Export;

static G_DEFINE_QUARK (dgateway-dbus-export, export)

static guint
shard_count (DGatewayClient *client)
{
  return g_list_model_get_n_items (dgateway_client_get_shards (client));
}

/* Copies the client's values into the skeleton, which queues the ones
 * that changed. */
static void
export_update (Export *export)
{
  guint n_metrics;
  const DGatewayMetric *metrics = dgateway_metrics_get_table (&n_metrics);

  for (guint i = 0; i < n_metrics; i++)
    {
      g_autoptr(GVariant) variant = NULL;
      g_auto(GValue) value = G_VALUE_INIT;

      if ((metrics[i].flags & DGATEWAY_METRIC_DBUS) == 0)
        continue;
      variant = dgateway_metric_read (&metrics[i], G_OBJECT (export->client));
      g_dbus_gvariant_to_gvalue (variant, &value);
      g_object_set_property (G_OBJECT (export->skeleton), metrics[i].name, &value);
    }
  dgateway_dbus_status_set_shard_count (export->skeleton, shard_count (export->client));
}

static gboolean
flush_cb (gpointer data)
{
  Export *export = data;

  /* The context holds the source while it dispatches. */
  g_clear_pointer (&export->flush_source, g_source_unref);

  export_update (export);
  g_dbus_interface_skeleton_flush (G_DBUS_INTERFACE_SKELETON (export->skeleton));
  export->last_flush = g_get_monotonic_time ();

  return G_SOURCE_REMOVE;
}

/* Flushes in the next main loop iteration, or FLUSH_INTERVAL_MS after the
 * last flush if that is later, so notifications in a burst share one
 * PropertiesChanged. */
static void
schedule_flush (Export *export)
{
  gint64 elapsed_ms;
  guint delay_ms = 0;

  if (export->flush_source != NULL)
    return;

  elapsed_ms = (g_get_monotonic_time () - export->last_flush) / 1000;
  if (export->last_flush != 0 && elapsed_ms < FLUSH_INTERVAL_MS)
    delay_ms = FLUSH_INTERVAL_MS - elapsed_ms;

  export->flush_source = g_timeout_source_new (delay_ms);
  g_source_set_static_name (export->flush_source, "[dgateway] D-Bus status flush");
  g_source_set_callback (export->flush_source, flush_cb, export, NULL);
  g_source_attach (export->flush_source, export->context);
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           gpointer    data)
{
  guint n_metrics;
  const DGatewayMetric *metrics = dgateway_metrics_get_table (&n_metrics);

  if (g_strcmp0 (pspec->name, "shard-count") == 0)
    {
      schedule_flush (data);
      return;
    }
  for (guint i = 0; i < n_metrics; i++)
    {
      if ((metrics[i].flags & DGATEWAY_METRIC_DBUS) != 0 &&
          g_strcmp0 (pspec->name, metrics[i].name) == 0)
        {
          schedule_flush (data);
          return;
        }
    }
}

/* Frees an export whose notify handler is gone: disconnected by
 * dgateway_client_unexport(), or destroyed with the client. */
static void
export_free (gpointer data)
{
  Export *export = data;

  if (export->flush_source != NULL)
    {
      g_source_destroy (export->flush_source);
      g_clear_pointer (&export->flush_source, g_source_unref);
    }
  /* Unexporting a skeleton that was never exported is a critical. */
  if (g_dbus_interface_skeleton_get_connection (G_DBUS_INTERFACE_SKELETON (export->skeleton)) != NULL)
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (export->skeleton));
  g_clear_object (&export->skeleton);
  g_clear_pointer (&export->context, g_main_context_unref);
  g_free (export);
}

/**
 * dgateway_client_export:
 * @self: a client
 * @connection: the D-Bus connection to export on
 * @object_path: where to export, such as `/org/example/Bot/Gateway`
 * @error: return location for an error
 *
 * Exports the state and the metrics of the client on D-Bus, so that other
 * processes can watch them.
 *
 * The object at @object_path gets the read-only `org.gnome.DGateway1.Status`
 * interface, with these properties:
 *
 * | Property           | Type | Client property                                  |
 * |--------------------|------|--------------------------------------------------|
 * | `State`            | `s`  | [property@Client:state], as a nick: `connected`  |
 * | `Latency`          | `x`  | [property@Client:latency] (µs, -1 unknown)       |
 * | `Uptime`           | `x`  | [property@Client:uptime] (µs)                    |
 * | `EventsReceived`   | `t`  | [property@Client:events-received]                |
 * | `BytesReceived`    | `t`  | [property@Client:bytes-received]                 |
 * | `CompressionRatio` | `d`  | [property@Client:compression-ratio]              |
 * | `ReconnectCount`   | `u`  | [property@Client:reconnect-count]                |
 * | `MissedHeartbeats` | `u`  | [property@Client:missed-heartbeats]              |
 * | `EventsPerSecond`  | `d`  | [property@Client:events-per-second]              |
 * | `ShardCount`       | `u`  | the number of items of [method@Client.get_shards] |
 *
 * Changes are announced with `org.freedesktop.DBus.Properties.PropertiesChanged`,
 * gathered into one signal at most four times a second however busy the
 * Gateway is. `Uptime` grows all the time, so its changes are not
 * announced; read it when you need it. The token is never exported.
 *
 * From a shell:
 *
 * ```sh
 * gdbus introspect --session --dest NAME --object-path /org/example/Bot/Gateway
 * gdbus monitor --session --dest NAME --object-path /org/example/Bot/Gateway
 * ```
 *
 * A client is exported at most once at a time; the export ends with
 * [method@Client.unexport] or when the client is finalized. Call this from
 * the thread whose thread-default [struct@GLib.MainContext] runs the client:
 * the changes are emitted there.
 *
 * Returns: whether the client was exported; if not, @error says why
 */
gboolean
dgateway_client_export (DGatewayClient   *self,
                        GDBusConnection  *connection,
                        const char       *object_path,
                        GError          **error)
{
  Export *export;

  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), FALSE);
  g_return_val_if_fail (object_path != NULL && g_variant_is_object_path (object_path), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_object_get_qdata (G_OBJECT (self), export_quark ()) != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                           _("The client is already exported on D-Bus"));
      return FALSE;
    }

  export = g_new0 (Export, 1);
  export->client = self;
  export->context = g_main_context_ref_thread_default ();
  export->skeleton = dgateway_dbus_status_skeleton_new ();

  /* Fill in the first values before exporting, and drop the changes that
   * queues, so they are not announced as changes later.
   */
  export_update (export);
  g_dbus_interface_skeleton_flush (G_DBUS_INTERFACE_SKELETON (export->skeleton));

  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (export->skeleton),
                                         connection, object_path, error))
    {
      export_free (export);
      return FALSE;
    }

  export->notify_id = g_signal_connect (self, "notify", G_CALLBACK (notify_cb), export);
  g_object_set_qdata_full (G_OBJECT (self), export_quark (), export, export_free);

  return TRUE;
}

/**
 * dgateway_client_unexport:
 * @self: a client
 *
 * Removes the object that [method@Client.export] put on D-Bus.
 *
 * Does nothing if the client is not exported.
 */
void
dgateway_client_unexport (DGatewayClient *self)
{
  Export *export;

  g_return_if_fail (DGATEWAY_IS_CLIENT (self));

  export = g_object_steal_qdata (G_OBJECT (self), export_quark ());
  if (export == NULL)
    return;

  g_clear_signal_handler (&export->notify_id, self);
  export_free (export);
}
