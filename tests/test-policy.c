/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The shard's timing decisions on made-up times: no clock, no socket. */

#include "config.h"

#include "dgateway-policy-private.h"

static void
test_backoff (void)
{
  /* The first attempt: [1, 2) × 100, spread over a whole min so that
   * shards dropped together do not come back together. */
  g_assert_cmpuint (dgateway_policy_backoff_delay (100, 1000, 0, 0.0), ==, 100);
  g_assert_cmpuint (dgateway_policy_backoff_delay (100, 1000, 0, 0.5), ==, 150);
  g_assert_cmpuint (dgateway_policy_backoff_delay (100, 1000, 0, 0.999), ==, 199);
  /* ... still capped. */
  g_assert_cmpuint (dgateway_policy_backoff_delay (100, 120, 0, 0.999), ==, 120);
  /* Then attempt n: [0.75, 1] × 100 × 2^n, never under 100, never over 1000. */
  g_assert_cmpuint (dgateway_policy_backoff_delay (100, 1000, 1, 0.0), ==, 150);
  g_assert_cmpuint (dgateway_policy_backoff_delay (100, 1000, 1, 1.0), ==, 200);
  g_assert_cmpuint (dgateway_policy_backoff_delay (100, 1000, 3, 0.5), ==, 700);
  g_assert_cmpuint (dgateway_policy_backoff_delay (100, 1000, 4, 0.0), ==, 1000 * 3 / 4);
  g_assert_cmpuint (dgateway_policy_backoff_delay (100, 1000, 4, 1.0), ==, 1000);
  /* Far attempts neither overflow nor pass the cap. */
  g_assert_cmpuint (dgateway_policy_backoff_delay (100, 1000, 40, 1.0), ==, 1000);
  g_assert_cmpuint (dgateway_policy_backoff_delay (1000, 60000, G_MAXUINT, 0.5), <=, 60000);
  /* A maximum under the minimum is the minimum. */
  g_assert_cmpuint (dgateway_policy_backoff_delay (500, 100, 2, 0.5), ==, 500);
  g_assert_cmpuint (dgateway_policy_backoff_delay (0, 0, 3, 0.5), ==, 0);
}

static void
test_first_heartbeat (void)
{
  g_assert_cmpuint (dgateway_policy_first_heartbeat (41250, 0.0), ==, 0);
  g_assert_cmpuint (dgateway_policy_first_heartbeat (41250, 0.5), ==, 20625);
  g_assert_cmpuint (dgateway_policy_first_heartbeat (41250, 0.99999), <, 41250);
}

static void
test_heartbeat_missed (void)
{
  const gint64 sent = 10 * G_USEC_PER_SEC;

  /* No beat pending: never a zombie. */
  g_assert_false (dgateway_policy_heartbeat_missed (0, sent * 100, 1000));
  /* The next beat is due a whole interval later: overdue. */
  g_assert_true (dgateway_policy_heartbeat_missed (sent, sent + 1000 * 1000, 1000));
  /* A beat sent early on the gateway's request (op 1), a moment before the
   * regular one is due, is not judged yet. */
  g_assert_false (dgateway_policy_heartbeat_missed (sent, sent + 100 * 1000, 1000));
  g_assert_false (dgateway_policy_heartbeat_missed (sent, sent + 499 * 1000, 1000));
  g_assert_true (dgateway_policy_heartbeat_missed (sent, sent + 500 * 1000, 1000));
}

static void
test_command_budget (void)
{
  /* Discord's 120 per 60 s with a 41.25 s interval: one interval's beat
   * plus three frames (IDENTIFY or RESUME, a beat the gateway asks for, the
   * window's second beat) are kept, 116 left for commands. */
  g_assert_cmpuint (dgateway_policy_command_budget (120, 60000, 41250), ==, 116);
  /* Beats every second would take 63 frames: never more than half. */
  g_assert_cmpuint (dgateway_policy_command_budget (120, 60000, 1000), ==, 60);
  /* No HELLO yet (interval 0) is not a division by zero. */
  g_assert_cmpuint (dgateway_policy_command_budget (120, 60000, 0), ==, 60);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dgateway/policy/backoff", test_backoff);
  g_test_add_func ("/dgateway/policy/first-heartbeat", test_first_heartbeat);
  g_test_add_func ("/dgateway/policy/heartbeat-missed", test_heartbeat_missed);
  g_test_add_func ("/dgateway/policy/command-budget", test_command_budget);

  return g_test_run ();
}
