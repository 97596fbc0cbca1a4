/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* dgateway_client_export() on a private message bus (GTestDBus): a second
 * connection, as another process would, reads the status properties through
 * org.freedesktop.DBus.Properties and watches PropertiesChanged while the
 * client talks to the mock gateway. */

#include "config.h"

#include "test-utils.h"

#include <string.h>

#define OBJECT_PATH "/org/gnome/DGateway1/Test"
#define INTERFACE   "org.gnome.DGateway1.Status"
#define PROPERTIES  "org.freedesktop.DBus.Properties"

/* The bound on change signals the export promises: one per 250 ms. */
#define FLUSH_INTERVAL_MS 250

static GTestDBus *test_bus;

typedef struct {
  Fixture base;
  GDBusConnection *service;   /* the connection the client is exported on */
  GDBusConnection *reader;    /* a second one, as another process */
  guint subscription;
  GPtrArray *changes;         /* GVariant a{sv} of each PropertiesChanged */
  GArray *change_times;       /* monotonic time of each */
} DBusFixture;

static GDBusConnection *
open_connection (void)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection;

  connection = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (test_bus),
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  return connection;
}

static void
properties_changed_cb (GDBusConnection *connection,
                       const char      *sender,
                       const char      *object_path,
                       const char      *interface,
                       const char      *signal,
                       GVariant        *parameters,
                       gpointer         data)
{
  DBusFixture *f = data;
  const char *changed_interface;
  g_autoptr(GVariant) changed = NULL;
  g_autofree const char **invalidated = NULL;
  gint64 now = g_get_monotonic_time ();

  g_variant_get (parameters, "(&s@a{sv}^a&s)", &changed_interface, &changed, &invalidated);
  g_assert_cmpstr (changed_interface, ==, INTERFACE);
  g_assert_cmpuint (g_strv_length ((char **) invalidated), ==, 0);
  g_ptr_array_add (f->changes, g_steal_pointer (&changed));
  g_array_append_val (f->change_times, now);
}

static void
dbus_setup (DBusFixture   *f,
            gconstpointer  data)
{
  fixture_setup (&f->base, data);

  f->service = open_connection ();
  f->reader = open_connection ();
  f->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  f->change_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  f->subscription = g_dbus_connection_signal_subscribe (f->reader,
                                                        g_dbus_connection_get_unique_name (f->service),
                                                        PROPERTIES, "PropertiesChanged",
                                                        OBJECT_PATH, INTERFACE,
                                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                                        properties_changed_cb, f, NULL);
}

static void
dbus_teardown (DBusFixture   *f,
               gconstpointer  data)
{
  g_dbus_connection_signal_unsubscribe (f->reader, f->subscription);
  fixture_teardown (&f->base, data);

  g_dbus_connection_close_sync (f->service, NULL, NULL);
  g_dbus_connection_close_sync (f->reader, NULL, NULL);
  g_clear_object (&f->service);
  g_clear_object (&f->reader);
  g_ptr_array_unref (f->changes);
  g_array_unref (f->change_times);
}

/* Calls a method of org.freedesktop.DBus.Properties on the exported object
 * from the reader, iterating the main context meanwhile: the export answers
 * on this same thread, so a blocking call would never get its reply. */

typedef struct {
  gboolean done;
  GVariant *reply;
  GError *error;
} Call;

static void
call_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Call *call = data;

  call->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &call->error);
  call->done = TRUE;
}

static GVariant *
call_properties (DBusFixture  *f,
                 const char   *method,
                 GVariant     *parameters,
                 GError      **error)
{
  Call call = { 0 };

  g_dbus_connection_call (f->reader, g_dbus_connection_get_unique_name (f->service),
                          OBJECT_PATH, PROPERTIES, method, parameters, NULL,
                          G_DBUS_CALL_FLAGS_NONE, 5000, NULL, call_cb, &call);
  WAIT_UNTIL (call.done, 6000);
  if (call.error != NULL)
    g_propagate_error (error, call.error);
  return call.reply;
}

/* The a{sv} of GetAll. */
static GVariant *
get_all (DBusFixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = call_properties (f, "GetAll", g_variant_new ("(s)", INTERFACE), &error);
  GVariant *all;

  g_assert_no_error (error);
  g_variant_get (reply, "(@a{sv})", &all);
  return all;
}

static void
export_client (DBusFixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (dgateway_client_export (f->base.client, f->service, OBJECT_PATH, &error));
  g_assert_no_error (error);
}

/* The index of the first change that set State to @state, or -1. */
static int
find_state_change (DBusFixture *f,
                   const char  *state)
{
  for (guint i = 0; i < f->changes->len; i++)
    {
      const char *value;

      if (g_variant_lookup (f->changes->pdata[i], "State", "&s", &value) &&
          g_strcmp0 (value, state) == 0)
        return i;
    }
  return -1;
}

static gboolean
some_change_has (DBusFixture *f,
                 const char  *property)
{
  for (guint i = 0; i < f->changes->len; i++)
    if (g_variant_lookup_value (f->changes->pdata[i], property, NULL) != NULL)
      return TRUE;
  return FALSE;
}

/* Every property, with its type, and values that follow the client. */
static void
test_properties (DBusFixture   *f,
                 gconstpointer  data)
{
  static const struct { const char *name, *type; } expected[] = {
    { "State", "s" }, { "Latency", "x" }, { "Uptime", "x" },
    { "EventsReceived", "t" }, { "BytesReceived", "t" },
    { "CompressionRatio", "d" }, { "ReconnectCount", "u" },
    { "MissedHeartbeats", "u" }, { "EventsPerSecond", "d" },
    { "ShardCount", "u" },
  };
  g_autoptr(GVariant) all = NULL;
  g_autofree char *text = NULL;
  const char *state;
  gint64 latency;
  guint shards;

  export_client (f);
  all = get_all (f);
  g_assert_cmpuint (g_variant_n_children (all), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(GVariant) value = g_variant_lookup_value (all, expected[i].name, NULL);

      g_assert_nonnull (value);
      g_assert_cmpstr (g_variant_get_type_string (value), ==, expected[i].type);
    }
  g_assert_true (g_variant_lookup (all, "State", "&s", &state));
  g_assert_cmpstr (state, ==, "disconnected");
  g_assert_true (g_variant_lookup (all, "Latency", "x", &latency));
  g_assert_cmpint (latency, ==, -1);

  /* The values are copied at most FLUSH_INTERVAL_MS after they change. */
  connect_client (&f->base);
  WAIT_UNTIL (find_state_change (f, "connected") >= 0, 2 * FLUSH_INTERVAL_MS);
  g_clear_pointer (&all, g_variant_unref);
  all = get_all (f);
  g_assert_true (g_variant_lookup (all, "State", "&s", &state));
  g_assert_cmpstr (state, ==, "connected");
  g_assert_true (g_variant_lookup (all, "ShardCount", "u", &shards));
  g_assert_cmpuint (shards, ==, 1);

  /* Nothing secret crosses the bus. */
  text = g_variant_print (all, TRUE);
  g_assert_null (strstr (text, TEST_TOKEN));
}

/* Another process sees the state and the counters change. */
static void
test_changes (DBusFixture   *f,
              gconstpointer  data)
{
  int connecting, connected;
  guint count;

  export_client (f);
  connect_client (&f->base);
  WAIT_UNTIL (find_state_change (f, "connected") >= 0, 2000);
  connecting = find_state_change (f, "connecting");
  connected = find_state_change (f, "connected");
  g_assert_cmpint (connecting, >=, 0);
  g_assert_cmpint (connecting, <, connected);

  /* A dropped connection is resumed, and the reconnection is announced. */
  dgateway_mock_gateway_drop (f->base.mock);
  WAIT_UNTIL (f->base.reconnected == 1, 5000);
  WAIT_UNTIL (({ guint n = 0;
                 for (guint i = 0; i < f->changes->len; i++)
                   g_variant_lookup (f->changes->pdata[i], "ReconnectCount", "u", &n);
                 n == 1; }), 2000);
  /* Transitions quicker than a flush interval (here reconnecting,
   * connecting, resuming) may be coalesced away; the count keeps them. */
  WAIT_UNTIL (({ const char *last = NULL;
                 for (guint i = 0; i < f->changes->len; i++)
                   g_variant_lookup (f->changes->pdata[i], "State", "&s", &last);
                 g_strcmp0 (last, "connected") == 0; }), 2000);

  /* Events are counted. */
  dgateway_mock_gateway_send_messages (f->base.mock, 3);
  WAIT_UNTIL (({ guint64 n = 0;
                 for (guint i = 0; i < f->changes->len; i++)
                   g_variant_lookup (f->changes->pdata[i], "EventsReceived", "t", &n);
                 n >= 3; }), 3000);

  /* Uptime grows all the time, so it is read, never announced. */
  g_assert_false (some_change_has (f, "Uptime"));

  count = f->changes->len;
  dgateway_client_close (f->base.client);
  WAIT_UNTIL (find_state_change (f, "disconnected") >= (int) count, 2000);
}

/* However fast the events come, at most one PropertiesChanged per
 * FLUSH_INTERVAL_MS. */
static void
test_rate (DBusFixture   *f,
           gconstpointer  data)
{
  gint64 start;
  guint first, n;
  guint64 received = 0;

  dgateway_mock_gateway_set_auto_events (f->base.mock, DGATEWAY_MOCK_GATEWAY_EVENTS_FOREVER);
  dgateway_mock_gateway_set_auto_event_rate (f->base.mock, 500);
  export_client (f);
  connect_client (&f->base);

  first = f->changes->len;
  start = g_get_monotonic_time ();
  test_run_for (2000);
  n = f->changes->len - first;

  /* 2 s at 4 a second, plus the boundary. */
  g_assert_cmpuint (n, >=, 2);
  g_assert_cmpuint (n, <=, 2000 / FLUSH_INTERVAL_MS + 1);
  for (guint i = first + 1; i < f->changes->len; i++)
    {
      gint64 gap = g_array_index (f->change_times, gint64, i) -
                   g_array_index (f->change_times, gint64, i - 1);

      /* Measured at the receiving end, so the bus's delays add noise;
       * without the bound, the gaps would be one event apart. */
      g_assert_cmpint (gap, >=, FLUSH_INTERVAL_MS / 2 * 1000);
    }
  for (guint i = first; i < f->changes->len; i++)
    g_variant_lookup (f->changes->pdata[i], "EventsReceived", "t", &received);
  g_assert_cmpuint (received, >, 100);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 2000 * 1000);
}

static void
assert_not_exported (DBusFixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = call_properties (f, "GetAll", g_variant_new ("(s)", INTERFACE),
                                               &error);

  g_assert_null (reply);
  g_assert_nonnull (error);
  g_assert_true (error->domain == G_DBUS_ERROR);
}

static void
test_unexport (DBusFixture   *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) all = NULL;

  assert_not_exported (f);
  dgateway_client_unexport (f->base.client);

  export_client (f);
  g_assert_false (dgateway_client_export (f->base.client, f->service, OBJECT_PATH, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  all = get_all (f);

  dgateway_client_unexport (f->base.client);
  assert_not_exported (f);

  /* It can be exported again, and connecting after unexporting announces
   * nothing. */
  connect_client (&f->base);
  test_run_for (2 * FLUSH_INTERVAL_MS);
  g_assert_cmpuint (f->changes->len, ==, 0);
  export_client (f);
  g_clear_pointer (&all, g_variant_unref);
  all = get_all (f);
  g_assert_nonnull (all);
}

/* The export goes away with the client. */
static void
test_finalize (DBusFixture   *f,
               gconstpointer  data)
{
  DGatewayClient *client = dgateway_client_new (TEST_TOKEN, INTENTS);
  g_autoptr(GError) error = NULL;

  g_assert_true (dgateway_client_export (client, f->service, OBJECT_PATH, &error));
  g_assert_no_error (error);
  g_variant_unref (get_all (f));

  g_assert_finalize_object (client);
  assert_not_exported (f);
}

/* Two clients on one path: the second gets a GError, and nothing else
 * happens (the suite runs with fatal criticals). */
static void
test_export_fails (DBusFixture   *f,
                   gconstpointer  data)
{
  g_autoptr(DGatewayClient) other = dgateway_client_new (TEST_TOKEN, INTENTS);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) all = NULL;

  export_client (f);
  g_assert_false (dgateway_client_export (other, f->service, OBJECT_PATH, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_null (strstr (error->message, TEST_TOKEN));

  /* The first export is untouched, and the other client can still be
   * exported elsewhere, and finalized. */
  all = get_all (f);
  g_assert_nonnull (all);
  g_clear_error (&error);
  g_assert_true (dgateway_client_export (other, f->service, OBJECT_PATH "/Other", &error));
  g_assert_no_error (error);
  dgateway_client_unexport (other);
}

#define ADD(path, func) \
  g_test_add (path, DBusFixture, GINT_TO_POINTER (DGATEWAY_COMPRESSION_NONE), \
              dbus_setup, func, dbus_teardown)

int
main (int   argc,
      char *argv[])
{
  g_autofree char *daemon = NULL;
  int status;

  test_init (&argc, &argv);

  daemon = g_find_program_in_path ("dbus-daemon");
  if (daemon == NULL)
    {
      g_test_skip ("dbus-daemon is not installed");
      return g_test_run ();
    }

  test_bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (test_bus);

  ADD ("/dgateway/dbus/properties", test_properties);
  ADD ("/dgateway/dbus/changes", test_changes);
  ADD ("/dgateway/dbus/rate", test_rate);
  ADD ("/dgateway/dbus/unexport", test_unexport);
  ADD ("/dgateway/dbus/finalize", test_finalize);
  ADD ("/dgateway/dbus/export-fails", test_export_fails);

  status = g_test_run ();

  g_test_dbus_down (test_bus);
  g_clear_object (&test_bus);
  return status;
}
