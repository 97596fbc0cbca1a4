/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-rate-limiter-private.h"

struct _DGatewayRateLimiter
{
  guint limit;
  gint64 window;
  gint64 *times;      /* ring of send times, oldest at head */
  guint capacity;
  guint head;
  guint count;
};

DGatewayRateLimiter *
dgateway_rate_limiter_new (guint  limit,
                           gint64 window_us)
{
  DGatewayRateLimiter *self = g_new0 (DGatewayRateLimiter, 1);

  g_assert (limit > 0 && window_us > 0);

  self->limit = limit;
  /* Discord counts by its own clock: frames sent in one burst may arrive
   * spread out, and a later burst may arrive early. A 5 % margin keeps
   * network jitter from putting more than the limit into its window. */
  self->window = window_us + window_us / 20;
  /* Room for more than the limit: heartbeats are recorded even when the
   * command budget is used up. */
  self->capacity = limit * 2;
  self->times = g_new0 (gint64, self->capacity);
  return self;
}

void
dgateway_rate_limiter_free (DGatewayRateLimiter *self)
{
  if (self == NULL)
    return;

  g_free (self->times);
  g_free (self);
}

void
dgateway_rate_limiter_reset (DGatewayRateLimiter *self)
{
  self->head = 0;
  self->count = 0;
}

static void
prune (DGatewayRateLimiter *self,
       gint64               now)
{
  while (self->count > 0 && self->times[self->head] <= now - self->window)
    {
      self->head = (self->head + 1) % self->capacity;
      self->count--;
    }
}

void
dgateway_rate_limiter_record (DGatewayRateLimiter *self,
                              gint64               now)
{
  prune (self, now);
  if (self->count == self->capacity)
    {
      /* Cannot happen while callers respect the budget; keep the newest. */
      self->head = (self->head + 1) % self->capacity;
      self->count--;
    }

  self->times[(self->head + self->count) % self->capacity] = now;
  self->count++;
}

guint
dgateway_rate_limiter_count (DGatewayRateLimiter *self,
                             gint64               now)
{
  prune (self, now);
  return self->count;
}

/*
 * dgateway_rate_limiter_wait:
 *
 * How long from @now until fewer than @budget frames lie in the window:
 * 0 if one may be sent at once.
 */
gint64
dgateway_rate_limiter_wait (DGatewayRateLimiter *self,
                            gint64               now,
                            guint                budget)
{
  guint excess;

  prune (self, now);
  if (self->count < budget)
    return 0;

  /* The frame that must leave the window before one more fits. */
  excess = self->count - budget;
  return self->times[(self->head + excess) % self->capacity] + self->window - now;
}

guint
dgateway_rate_limiter_get_limit (DGatewayRateLimiter *self)
{
  return self->limit;
}

gint64
dgateway_rate_limiter_get_window (DGatewayRateLimiter *self)
{
  return self->window;
}
