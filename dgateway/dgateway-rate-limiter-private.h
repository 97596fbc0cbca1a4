/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * DGatewayRateLimiter:
 *
 * A sliding-window log of the frames one connection sent: Discord allows
 * 120 per 60 s per connection and closes with 4008 past that. The log is
 * exact (one timestamp per frame), so no window placement can see more,
 * and its window is 5 % longer than Discord's to absorb network jitter.
 */
typedef struct _DGatewayRateLimiter DGatewayRateLimiter;

DGatewayRateLimiter *dgateway_rate_limiter_new       (guint                limit,
                                                      gint64               window_us);
void                 dgateway_rate_limiter_free      (DGatewayRateLimiter *self);
void                 dgateway_rate_limiter_reset     (DGatewayRateLimiter *self);
void                 dgateway_rate_limiter_record    (DGatewayRateLimiter *self,
                                                      gint64               now);
guint                dgateway_rate_limiter_count     (DGatewayRateLimiter *self,
                                                      gint64               now);
gint64               dgateway_rate_limiter_wait      (DGatewayRateLimiter *self,
                                                      gint64               now,
                                                      guint                budget);
guint                dgateway_rate_limiter_get_limit (DGatewayRateLimiter *self);
gint64               dgateway_rate_limiter_get_window (DGatewayRateLimiter *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DGatewayRateLimiter, dgateway_rate_limiter_free)

G_END_DECLS
