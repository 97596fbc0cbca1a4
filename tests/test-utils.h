/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <dgateway/dgateway.h>

#include "mock-gateway.h"

G_BEGIN_DECLS

#define TEST_TOKEN "test-token-s3cr3t-value"

/* Iterates the thread-default main context until @cond holds, failing the
 * test after @timeout_ms. Never sleeps: it waits on the sources that make
 * @cond change. */
#define WAIT_UNTIL(cond, timeout_ms) \
  G_STMT_START { \
    gboolean _timed_out = FALSE; \
    guint _id = g_timeout_add ((timeout_ms), test_flag_cb, &_timed_out); \
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

G_END_DECLS
