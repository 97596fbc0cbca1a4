/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <dgateway/dgateway.h>

#include <dgateway-testing.h>
#include "dgateway-client-private.h"

G_BEGIN_DECLS

#define TEST_TOKEN "test-token-s3cr3t-value"

/* Timing margins for assertions measured at the mock gateway: under
 * valgrind the mock receives frames much later than the client sent them,
 * so the margins widen there (and only there). */
#if defined(__has_include)
# if __has_include(<valgrind/valgrind.h>)
#  include <valgrind/valgrind.h>
#  define TEST_UNDER_VALGRIND() (RUNNING_ON_VALGRIND)
# endif
#endif
#ifndef TEST_UNDER_VALGRIND
# define TEST_UNDER_VALGRIND() 0
#endif
#define TEST_SLACK_MS(native_ms, valgrind_ms) \
  (TEST_UNDER_VALGRIND () ? (valgrind_ms) : (native_ms))

/* Iterates the thread-default main context until @cond holds, failing the
 * test after @timeout_ms. Never sleeps: it waits on the sources that make
 * @cond change. */
#define WAIT_UNTIL(cond, timeout_ms) \
  G_STMT_START { \
    gboolean _timed_out = FALSE; \
    guint _id = g_timeout_add ((timeout_ms) * TEST_SLACK_MS (1, 5), test_flag_cb, &_timed_out); \
    while (!(cond) && !_timed_out) \
      g_main_context_iteration (NULL, TRUE); \
    if (!_timed_out) \
      g_source_remove (_id); \
    if (!(cond)) \
      g_error ("Timed out after %u ms waiting for: %s", (guint) (timeout_ms), #cond); \
  } G_STMT_END

/* Runs the main context for @ms, for tests that check nothing happens. */
void     test_run_for      (guint       ms);
gboolean test_flag_cb      (gpointer    data);
void     test_init         (int        *argc,
                            char     ***argv);
gboolean test_log_saw_token (void);
guint    test_closed_port  (void);
gint64   test_resume_seq   (DGatewayMockGateway *mock);
gboolean test_io_thread (void);
DGatewayEncoding test_encoding (void);

#define INTENTS (DGATEWAY_INTENTS_GUILDS | DGATEWAY_INTENTS_GUILD_MESSAGES | \
                 DGATEWAY_INTENTS_MESSAGE_CONTENT)
#define DELAY_MIN 50
#define DELAY_MAX 400
#define LOST_ERROR(f, n) ((GError *) g_ptr_array_index ((f)->errors, (n)))

typedef struct {
  DGatewayMockGateway *mock;
  DGatewayClient *client;
  GPtrArray *events;          /* DGatewayEvent received by dispatch */
  gboolean keep_events;       /* keep them readable past their emission */
  GPtrArray *errors;          /* GError of each connection-lost */
  GArray *lost_times;         /* monotonic time of each connection-lost */
  guint reconnected;
  guint resumed;
  gboolean connect_done;
  GError *connect_error;
  guint state_notifies;
} Fixture;

void       fixture_setup    (Fixture       *f,
                             gconstpointer  data);
void       fixture_new_client (Fixture           *f,
                               DGatewayCompression compression);
void       fixture_connect_signals (Fixture *f);
void       fixture_teardown (Fixture       *f,
                             gconstpointer  data);
void       connect_cb       (GObject       *source,
                             GAsyncResult  *result,
                             gpointer       data);
void       connect_client   (Fixture       *f);
gboolean   fixture_dispatch_cb (DGatewayClient *client,
                                DGatewayEvent  *event,
                                Fixture        *f);
guint      count_events     (Fixture       *f,
                             const char    *name);
DGatewayMockFrame *nth_frame        (Fixture       *f,
                             int            op,
                             guint          n);

void       fixture_hold_in_resume (Fixture *f);

G_END_DECLS
