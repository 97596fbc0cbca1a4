/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "dgateway-rate-limiter-private.h"

#define SECOND G_USEC_PER_SEC

static void
test_window (void)
{
  /* 60 s, plus the 5 % jitter margin: frames leave after 63 s. */
  g_autoptr(DGatewayRateLimiter) limiter = dgateway_rate_limiter_new (120, 60 * SECOND);

  g_assert_cmpint (dgateway_rate_limiter_get_window (limiter), ==, 63 * SECOND);
  for (guint i = 0; i < 110; i++)
    dgateway_rate_limiter_record (limiter, i * SECOND / 10);

  /* 110 frames from 0 to 10.9 s: a budget of 110 is used up until the
   * first leaves the window. */
  g_assert_cmpuint (dgateway_rate_limiter_count (limiter, 11 * SECOND), ==, 110);
  g_assert_cmpint (dgateway_rate_limiter_wait (limiter, 11 * SECOND, 110), ==, 52 * SECOND);
  g_assert_cmpint (dgateway_rate_limiter_wait (limiter, 11 * SECOND, 111), ==, 0);
  /* With two more frames (heartbeats), the command budget waits for the
   * third oldest. */
  dgateway_rate_limiter_record (limiter, 20 * SECOND);
  dgateway_rate_limiter_record (limiter, 30 * SECOND);
  g_assert_cmpint (dgateway_rate_limiter_wait (limiter, 31 * SECOND, 110), ==,
                   2 * SECOND / 10 + 63 * SECOND - 31 * SECOND);

  g_assert_cmpuint (dgateway_rate_limiter_count (limiter, 63 * SECOND), ==, 111);
  g_assert_cmpuint (dgateway_rate_limiter_count (limiter, 74 * SECOND), ==, 2);
  g_assert_cmpint (dgateway_rate_limiter_wait (limiter, 74 * SECOND, 110), ==, 0);

  dgateway_rate_limiter_reset (limiter);
  g_assert_cmpuint (dgateway_rate_limiter_count (limiter, 74 * SECOND), ==, 0);
}

static void
test_overflow (void)
{
  g_autoptr(DGatewayRateLimiter) limiter = dgateway_rate_limiter_new (3, SECOND);

  /* More frames than the log holds keep the newest, never crash. */
  for (guint i = 0; i < 20; i++)
    dgateway_rate_limiter_record (limiter, i);
  g_assert_cmpuint (dgateway_rate_limiter_count (limiter, 20), ==, 6);
  g_assert_cmpint (dgateway_rate_limiter_wait (limiter, 20, 3), ==, 17 + SECOND + SECOND / 20 - 20);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dgateway/rate-limiter/window", test_window);
  g_test_add_func ("/dgateway/rate-limiter/overflow", test_overflow);

  return g_test_run ();
}
