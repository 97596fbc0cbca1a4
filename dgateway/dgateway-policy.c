/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-policy-private.h"

guint
dgateway_policy_backoff_delay (guint  min_ms,
                               guint  max_ms,
                               guint  attempt,
                               double random01)
{
  double base, delay;

  random01 = CLAMP (random01, 0.0, 1.0);
  max_ms = MAX (min_ms, max_ms);
  base = MIN ((double) min_ms * (double) (1u << MIN (attempt, 24u)), (double) max_ms);
  /* The first retry follows a drop that usually hit every shard at once;
   * [0.75, 1] × min, clamped to min, would bring them all back in the
   * same millisecond. It draws from [min, 2 × min) instead. */
  if (attempt == 0)
    delay = base * (1.0 + random01);
  else
    delay = base * (0.75 + 0.25 * random01);
  return (guint) CLAMP (delay, (double) min_ms, (double) max_ms);
}

/* A grouped timer of n seconds fires in [n - 1/4, n + 3/4) s after it is
 * armed: GLib's g_timeout_set_expiration() moves the expiry to the
 * process's mark within the second, down if that is within a quarter of a
 * second, up otherwise. */
#define GROUPED_EARLY_MS 250
#define GROUPED_LATE_MS  750

guint
dgateway_policy_beat_seconds (guint delay_ms,
                              guint interval_ms)
{
  if (interval_ms < DGATEWAY_POLICY_GROUPED_MIN_MS || delay_ms < 1000 + GROUPED_LATE_MS)
    return 0;
  return (delay_ms - GROUPED_LATE_MS) / 1000;
}

guint
dgateway_policy_deadline_seconds (guint timeout_ms)
{
  if (timeout_ms < DGATEWAY_POLICY_GROUPED_MIN_MS)
    return 0;
  return (guint) (((guint64) timeout_ms + GROUPED_EARLY_MS + 999) / 1000);
}

guint
dgateway_policy_first_heartbeat (guint  interval_ms,
                                 double random01)
{
  return (guint) ((double) interval_ms * CLAMP (random01, 0.0, 1.0));
}

gboolean
dgateway_policy_heartbeat_missed (gint64 sent_at,
                                  gint64 now,
                                  guint  interval_ms)
{
  return sent_at != 0 && now - sent_at >= (gint64) interval_ms * 1000 / 2;
}

guint
dgateway_policy_command_budget (guint limit,
                                guint window_ms,
                                guint heartbeat_interval_ms)
{
  guint interval = MAX (heartbeat_interval_ms, 1);
  guint reserve = (guint) MIN ((gint64) limit / 2, (gint64) (window_ms / interval) + 3);

  return limit - reserve;
}
