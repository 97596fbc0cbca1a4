/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "test-utils.h"

#include <string.h>

static gboolean saw_token;

gboolean
test_flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

void
test_run_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, test_flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* Sees every log line, debug ones included, so a test can prove the token
 * never reaches a log. */
static GLogWriterOutput
token_watch_writer (GLogLevelFlags   log_level,
                    const GLogField *fields,
                    gsize            n_fields,
                    gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "MESSAGE") != 0)
        continue;
      if (fields[i].length < 0 && strstr (fields[i].value, TEST_TOKEN) != NULL)
        saw_token = TRUE;
    }

  if (log_level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO))
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

gboolean
test_log_saw_token (void)
{
  return saw_token;
}

void
test_init (int    *argc,
           char ***argv)
{
  g_test_init (argc, argv, NULL);
  g_log_set_writer_func (token_watch_writer, NULL, NULL);
}
