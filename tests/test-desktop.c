/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What makes the client belong on a laptop: it waits for the network
 * instead of burning its backoff, checks its connections after a suspend,
 * and hands its sessions over to the next run of the application. */

#include "config.h"

#include "test-utils.h"

#include <string.h>

/* A network monitor the test switches by hand. */

#define TEST_TYPE_MONITOR (test_monitor_get_type ())
G_DECLARE_FINAL_TYPE (TestMonitor, test_monitor, TEST, MONITOR, GObject)

struct _TestMonitor
{
  GObject parent_instance;
  gboolean available;
};

enum {
  MONITOR_PROP_0,
  MONITOR_PROP_NETWORK_AVAILABLE,
  MONITOR_PROP_NETWORK_METERED,
  MONITOR_PROP_CONNECTIVITY,
};

static void test_monitor_iface_init (GNetworkMonitorInterface *iface);
static void test_monitor_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestMonitor, test_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, test_monitor_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR, test_monitor_iface_init))

static gboolean
test_monitor_initable_init (GInitable     *initable,
                            GCancellable  *cancellable,
                            GError       **error)
{
  return TRUE;
}

static void
test_monitor_initable_iface_init (GInitableIface *iface)
{
  iface->init = test_monitor_initable_init;
}

static void
test_monitor_iface_init (GNetworkMonitorInterface *iface)
{
}

static void
test_monitor_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  TestMonitor *self = TEST_MONITOR (object);

  switch (prop_id)
    {
    case MONITOR_PROP_NETWORK_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;
    case MONITOR_PROP_NETWORK_METERED:
      g_value_set_boolean (value, FALSE);
      break;
    case MONITOR_PROP_CONNECTIVITY:
      g_value_set_enum (value, self->available ? G_NETWORK_CONNECTIVITY_FULL
                                               : G_NETWORK_CONNECTIVITY_LOCAL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_monitor_class_init (TestMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_monitor_get_property;
  g_object_class_override_property (object_class, MONITOR_PROP_NETWORK_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, MONITOR_PROP_NETWORK_METERED, "network-metered");
  g_object_class_override_property (object_class, MONITOR_PROP_CONNECTIVITY, "connectivity");
}

static void
test_monitor_init (TestMonitor *self)
{
  self->available = TRUE;
}

static void
test_monitor_set (TestMonitor *self,
                  gboolean     available)
{
  self->available = available;
  g_object_notify (G_OBJECT (self), "network-available");
  g_signal_emit_by_name (self, "network-changed", available);
}

/* The fixture's client, made again with the test's monitor. */
static TestMonitor *
use_test_monitor (Fixture *f)
{
  TestMonitor *monitor = g_object_new (TEST_TYPE_MONITOR, NULL);
  g_autofree char *url = g_strdup (dgateway_mock_gateway_get_url (f->mock));

  g_signal_handlers_disconnect_by_data (f->client, f);
  g_assert_finalize_object (f->client);
  /* The monitor is construct-only: the same settings as the fixture's. */
  f->client = g_object_new (DGATEWAY_TYPE_CLIENT,
                            "token", TEST_TOKEN,
                            "intents", INTENTS,
                            "network-monitor", monitor,
                            "gateway-url", url,
                            "compression", DGATEWAY_COMPRESSION_NONE,
                            "reconnect-delay-min", DELAY_MIN,
                            "reconnect-delay-max", DELAY_MAX,
                            NULL);
  dgateway_client_get_settings (f->client)->hello_timeout = 500;
  dgateway_client_get_settings (f->client)->invalid_session_min = 100;
  dgateway_client_get_settings (f->client)->invalid_session_max = 300;
  fixture_connect_signals (f);
  return monitor;
}

static void
test_network_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(TestMonitor) monitor = use_test_monitor (f);
  gint64 back;

  connect_client (f);
  g_assert_true (dgateway_client_get_network_available (f->client));

  test_monitor_set (monitor, FALSE);
  g_assert_false (dgateway_client_get_network_available (f->client));
  dgateway_mock_gateway_drop (f->mock);
  WAIT_UNTIL (f->errors->len == 1, 2000);

  /* No attempt while the network is down, however long. */
  test_run_for (DELAY_MAX * 3);
  g_assert_cmpuint (dgateway_mock_gateway_get_n_connections (f->mock), ==, 1);
  g_assert_cmpint (dgateway_client_get_state (f->client), ==, DGATEWAY_STATE_RECONNECTING);
  g_assert_cmpuint (f->errors->len, ==, 1);

  /* It comes back: reconnect at once, and resume. */
  back = g_get_monotonic_time ();
  test_monitor_set (monitor, TRUE);
  WAIT_UNTIL (f->resumed == 1, 3000);
  g_assert_cmpint (dgateway_mock_gateway_get_connection_opened (f->mock, 2) - back, <,
                   TEST_SLACK_MS (DELAY_MIN, 500) * 1000);
  g_assert_true (dgateway_mock_gateway_connection_on_resume_path (f->mock, 2));
}

static void
test_network_back_cuts_backoff (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(TestMonitor) monitor = use_test_monitor (f);
  gint64 back;

  dgateway_client_set_reconnect_delay_min (f->client, 5000);
  dgateway_client_set_reconnect_delay_max (f->client, 5000);
  connect_client (f);
  dgateway_mock_gateway_drop (f->mock);
  WAIT_UNTIL (f->errors->len == 1, 2000);

  /* A 5 s backoff is running; the network flapping ends it. */
  test_monitor_set (monitor, FALSE);
  back = g_get_monotonic_time ();
  test_monitor_set (monitor, TRUE);
  WAIT_UNTIL (f->resumed == 1, 2000);
  g_assert_cmpint (dgateway_mock_gateway_get_connection_opened (f->mock, 2) - back, <,
                   TEST_SLACK_MS (1000, 2500) * 1000);
}

/* A fake logind on a private bus, standing in for the system bus. */

static GTestDBus *test_bus;

static void
emit_prepare_for_sleep (GDBusConnection *logind,
                        gboolean         sleeping)
{
  g_autoptr(GError) error = NULL;

  g_dbus_connection_emit_signal (logind, NULL, "/org/freedesktop/login1",
                                 "org.freedesktop.login1.Manager", "PrepareForSleep",
                                 g_variant_new ("(b)", sleeping), &error);
  g_assert_no_error (error);
  g_dbus_connection_flush_sync (logind, NULL, NULL);
}

static GDBusConnection *
fake_logind (void)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *logind;
  g_autoptr(GVariant) reply = NULL;

  logind = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (test_bus),
                                                   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                   G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                   NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (logind, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.login1", 0),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  return logind;
}

static void
test_resume_from_suspend (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GDBusConnection) logind = fake_logind ();
  guint beats;

  dgateway_mock_gateway_set_heartbeat_interval (f->mock, 30000);
  dgateway_client_get_settings (f->client)->wake_timeout = 300;
  connect_client (f);
  /* Let the client subscribe on the (test) system bus. */
  test_run_for (200);
  beats = dgateway_mock_gateway_count_frames (f->mock, 1);

  /* Going to sleep changes nothing. Waking up beats at once; the ACK
   * comes, so the connection stays. */
  emit_prepare_for_sleep (logind, TRUE);
  test_run_for (100);
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 1), ==, beats);
  emit_prepare_for_sleep (logind, FALSE);
  WAIT_UNTIL (dgateway_mock_gateway_count_frames (f->mock, 1) == beats + 1, 2000);
  test_run_for (500);
  g_assert_cmpuint (f->errors->len, ==, 0);

  /* Woken up on a dead connection: no ACK within the timeout → resume. */
  dgateway_mock_gateway_set_ack_heartbeats (f->mock, FALSE);
  emit_prepare_for_sleep (logind, FALSE);
  WAIT_UNTIL (f->errors->len == 1, 2000);
  g_assert_error (LOST_ERROR (f, 0), DGATEWAY_ERROR, DGATEWAY_ERROR_HEARTBEAT_TIMEOUT);
  dgateway_mock_gateway_set_ack_heartbeats (f->mock, TRUE);
  WAIT_UNTIL (f->resumed == 1, 3000);
  g_assert_true (dgateway_mock_gateway_connection_on_resume_path (f->mock, 2));
}

/* Session hand-over */

static void
test_session_handover (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GVariant) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *printed = NULL;
  g_autofree char *session_id = NULL;
  gint64 expected = 5;

  connect_client (f);
  dgateway_mock_gateway_send_messages (f->mock, 3);
  WAIT_UNTIL (dgateway_client_get_sequence (f->client) == 4, 2000);
  session = dgateway_client_dup_session (f->client);
  session_id = g_strdup (dgateway_client_get_session_id (f->client));
  printed = g_variant_print (session, TRUE);
  g_assert_null (strstr (printed, TEST_TOKEN));
  g_assert_nonnull (strstr (printed, session_id));

  /* The application quits without close(): the session lives on, and
   * events keep coming while nobody listens. */
  g_signal_handlers_disconnect_by_data (f->client, f);
  g_clear_object (&f->client);
  WAIT_UNTIL (dgateway_mock_gateway_get_n_open_connections (f->mock) == 0, 2000);
  g_assert_cmpint (dgateway_mock_gateway_get_connection_close_code (f->mock, 1), !=, 1000);
  dgateway_mock_gateway_send_messages (f->mock, 3);
  g_ptr_array_set_size (f->events, 0);

  /* The next run resumes and gets what it missed, in order. */
  fixture_new_client (f, DGATEWAY_COMPRESSION_ZSTD_STREAM);
  g_assert_true (dgateway_client_restore_session (f->client, session, &error));
  g_assert_no_error (error);
  connect_client (f);
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 2), ==, 1);
  g_assert_true (dgateway_mock_gateway_connection_on_resume_path (f->mock, 2));
  g_assert_cmpstr (dgateway_client_get_session_id (f->client), ==, session_id);
  for (guint i = 0; i < f->events->len; i++)
    g_assert_cmpint (dgateway_event_get_sequence (f->events->pdata[i]), ==, expected++);
  g_assert_cmpuint (count_events (f, "MESSAGE_CREATE"), ==, 3);
  g_assert_cmpuint (count_events (f, "RESUMED"), ==, 1);
}

static void
test_session_handover_refused (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GVariant) session = NULL;
  g_autoptr(GVariant) wrong = g_variant_new_string ("nope");
  g_autoptr(GError) error = NULL;

  g_variant_ref_sink (wrong);
  g_assert_false (dgateway_client_restore_session (f->client, wrong, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  connect_client (f);
  session = dgateway_client_dup_session (f->client);
  g_signal_handlers_disconnect_by_data (f->client, f);
  g_clear_object (&f->client);
  WAIT_UNTIL (dgateway_mock_gateway_get_n_open_connections (f->mock) == 0, 2000);

  /* The gateway forgot the session: op 9, then a new session. */
  dgateway_mock_gateway_invalidate_sessions (f->mock);
  g_ptr_array_set_size (f->events, 0);
  fixture_new_client (f, DGATEWAY_COMPRESSION_NONE);
  g_assert_true (dgateway_client_restore_session (f->client, session, &error));
  connect_client (f);
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 6), ==, 1);
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 2), ==, 2);
  g_assert_cmpuint (count_events (f, "READY"), ==, 1);
}

/* A saved session that cannot be resumed is refused at the call, and the
 * client identifies afresh instead of failing later. */
static void
test_session_unusable (Fixture       *f,
                       gconstpointer  data)
{
  static const char *const bad[] = {
    "[(0, 0, 'abc', 5, 'not a url')]",
    "[(0, 0, 'abc', 5, 'http://127.0.0.1:1/')]",
    "[(0, 0, 'abc', 5, '')]",
    "[(0, 0, '', 5, 'ws://127.0.0.1:1/')]",
    "[(0, 0, 'abc', -7, 'ws://127.0.0.1:1/')]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GVariant) session = g_variant_parse (G_VARIANT_TYPE ("a(uusxs)"), bad[i],
                                                     NULL, NULL, NULL);
      g_autoptr(GError) error = NULL;

      g_assert_nonnull (session);
      g_assert_false (dgateway_client_restore_session (f->client, session, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }

  connect_client (f);
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 6), ==, 0);
  g_assert_cmpuint (dgateway_mock_gateway_count_frames (f->mock, 2), ==, 1);
}

#define ADD(path, func) \
  g_test_add (path, Fixture, GINT_TO_POINTER (DGATEWAY_COMPRESSION_NONE), \
              fixture_setup, func, fixture_teardown)

int
main (int   argc,
      char *argv[])
{
  int status;

  test_init (&argc, &argv);

  /* The client looks for logind on the system bus: make that a private
   * test bus before anything connects to it. */
  test_bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (test_bus);
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", g_test_dbus_get_bus_address (test_bus), TRUE);

  ADD ("/dgateway/desktop/network-down", test_network_down);
  ADD ("/dgateway/desktop/network-back-cuts-backoff", test_network_back_cuts_backoff);
  ADD ("/dgateway/desktop/resume-from-suspend", test_resume_from_suspend);
  ADD ("/dgateway/desktop/session-handover", test_session_handover);
  ADD ("/dgateway/desktop/session-handover-refused", test_session_handover_refused);
  ADD ("/dgateway/desktop/session-unusable", test_session_unusable);

  status = g_test_run ();
  g_test_dbus_down (test_bus);
  g_clear_object (&test_bus);
  return status;
}
