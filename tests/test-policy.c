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
test_beat_seconds (void)
{
  /* Discord's interval: a grouped timer of 40 s fires in [39.75, 40.75) s,
   * never after the 41.25 s the beat is due. */
  g_assert_cmpuint (dgateway_policy_beat_seconds (41250, 41250), ==, 40);
  g_assert_cmpuint (dgateway_policy_beat_seconds (41000, 41000), ==, 40);
  g_assert_cmpuint (dgateway_policy_beat_seconds (40999, 41000), ==, 40);
  g_assert_cmpuint (dgateway_policy_beat_seconds (40749, 41000), ==, 39);
  /* A jittered first beat keeps its second. */
  g_assert_cmpuint (dgateway_policy_beat_seconds (12345, 41250), ==, 11);
  g_assert_cmpuint (dgateway_policy_beat_seconds (1750, 41250), ==, 1);
  /* Under two seconds a grouped timer could fire late: milliseconds. */
  g_assert_cmpuint (dgateway_policy_beat_seconds (1749, 41250), ==, 0);
  g_assert_cmpuint (dgateway_policy_beat_seconds (0, 41250), ==, 0);
  /* Short intervals (the tests') keep millisecond precision throughout. */
  g_assert_cmpuint (dgateway_policy_beat_seconds (4999, 4999), ==, 0);
  g_assert_cmpuint (dgateway_policy_beat_seconds (1000, 1000), ==, 0);
  g_assert_cmpuint (dgateway_policy_beat_seconds (5000, 5000), ==, 4);

  /* Whatever the delay, the grouped timer's latest firing is never after
   * it, and its earliest at most two seconds before. */
  for (guint delay = 1750; delay < 100000; delay += 37)
    {
      guint n = dgateway_policy_beat_seconds (delay, 41250);

      g_assert_cmpuint (n * 1000 + 750, <=, delay);
      g_assert_cmpuint (n * 1000 - 250 + 2000, >=, delay);
    }
}

static void
test_deadline_seconds (void)
{
  /* Never before the deadline: 31 s fires in [30.75, 31.75) s. */
  g_assert_cmpuint (dgateway_policy_deadline_seconds (30000), ==, 31);
  g_assert_cmpuint (dgateway_policy_deadline_seconds (30750), ==, 31);
  g_assert_cmpuint (dgateway_policy_deadline_seconds (30751), ==, 32);
  g_assert_cmpuint (dgateway_policy_deadline_seconds (5000), ==, 6);
  /* Short deadlines (the tests' 300–1000 ms) keep millisecond timers. */
  g_assert_cmpuint (dgateway_policy_deadline_seconds (4999), ==, 0);
  g_assert_cmpuint (dgateway_policy_deadline_seconds (500), ==, 0);
  /* No overflow at the top. */
  g_assert_cmpuint (dgateway_policy_deadline_seconds (G_MAXUINT), ==, G_MAXUINT / 1000 + 1);

  for (guint timeout = 5000; timeout < 100000; timeout += 37)
    {
      guint n = dgateway_policy_deadline_seconds (timeout);

      g_assert_cmpuint (n * 1000 - 250, >=, timeout);
      g_assert_cmpuint (n * 1000 - 250, <, timeout + 1000);
    }
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
  g_test_add_func ("/dgateway/policy/beat-seconds", test_beat_seconds);
  g_test_add_func ("/dgateway/policy/deadline-seconds", test_deadline_seconds);
  g_test_add_func ("/dgateway/policy/heartbeat-missed", test_heartbeat_missed);
  g_test_add_func ("/dgateway/policy/command-budget", test_command_budget);

  return g_test_run ();
}
