/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-sleep-monitor-private.h"

struct _DGatewaySleepMonitor
{
  GCallback woke_up;
  gpointer user_data;
  GCancellable *cancellable;
  GDBusConnection *bus;
  guint subscription;
};

static void
prepare_for_sleep_cb (GDBusConnection *connection,
                      const char      *sender,
                      const char      *object_path,
                      const char      *interface,
                      const char      *signal,
                      GVariant        *parameters,
                      gpointer         data)
{
  DGatewaySleepMonitor *self = data;
  gboolean sleeping;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    return;

  g_variant_get (parameters, "(b)", &sleeping);
  if (!sleeping)
    ((void (*) (gpointer)) self->woke_up) (self->user_data);
}

static void
system_bus_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_bus_get_finish (result, &error);
  DGatewaySleepMonitor *self;

  if (bus == NULL)
    {
      /* Cancelled: @data is gone. No system bus: nothing to follow. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No system bus, so no suspend notifications: %s", error->message);
      return;
    }

  self = data;
  g_clear_object (&self->cancellable);
  self->bus = bus;
  self->subscription =
    g_dbus_connection_signal_subscribe (bus, "org.freedesktop.login1",
                                        "org.freedesktop.login1.Manager", "PrepareForSleep",
                                        "/org/freedesktop/login1", NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                        prepare_for_sleep_cb, self, NULL);
}

DGatewaySleepMonitor *
dgateway_sleep_monitor_new (GCallback woke_up,
                            gpointer  user_data)
{
  DGatewaySleepMonitor *self = g_new0 (DGatewaySleepMonitor, 1);

  self->woke_up = woke_up;
  self->user_data = user_data;
  self->cancellable = g_cancellable_new ();
  g_bus_get (G_BUS_TYPE_SYSTEM, self->cancellable, system_bus_cb, self);
  return self;
}

void
dgateway_sleep_monitor_free (DGatewaySleepMonitor *self)
{
  /* A g_bus_get() still under way completes with CANCELLED, without
   * touching @self. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->subscription != 0)
    g_dbus_connection_signal_unsubscribe (self->bus, self->subscription);
  g_clear_object (&self->bus);
  g_free (self);
}
