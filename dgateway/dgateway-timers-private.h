/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * DGatewayTimers:
 *
 * Many timers behind one GSource. GLib checks every source attached to a
 * context on every iteration of it, so a timer GSource per shard (and a
 * shard has up to five) made each wake-up of the application's context
 * cost O(shards). A client keeps one DGatewayTimers for its context and
 * every shard's timers go in it: they are kept sorted by deadline, the
 * source's ready time is the earliest one, and adding or clearing a timer
 * costs O(log n).
 *
 * A timer behaves as g_timeout_source_new() (or _seconds()) attached to
 * the context would: its deadline is counted from when it is added; a
 * callback that returns G_SOURCE_CONTINUE runs again an interval after
 * the dispatch that ran it; G_SOURCE_REMOVE stops it. Timers due at the
 * same time run in the order they were armed.
 *
 * Everything happens on the thread that runs the context. The caller owns
 * the timer it gets and ends it with dgateway_timer_clear(), whether it
 * fired, stopped or not: the handle holds a reference on its
 * DGatewayTimers, so a handle cleared after everything else let go of the
 * DGatewayTimers is still safe. A callback may clear any timer, its own
 * included, add timers, or drop the last reference to the DGatewayTimers.
 */
typedef struct _DGatewayTimers DGatewayTimers;
typedef struct _DGatewayTimer DGatewayTimer;

DGatewayTimers *dgateway_timers_new         (GMainContext   *context);
DGatewayTimers *dgateway_timers_ref         (DGatewayTimers *self);
void            dgateway_timers_unref       (DGatewayTimers *self);
GMainContext   *dgateway_timers_get_context (DGatewayTimers *self);

/* Calls @func (@data) in @interval_ms, as g_timeout_source_new() does. */
DGatewayTimer  *dgateway_timers_add         (DGatewayTimers *self,
                                             guint           interval_ms,
                                             GSourceFunc     func,
                                             gpointer        data);

/* The same in whole seconds, rounded as g_timeout_source_new_seconds()
 * rounds: the deadline lands on the same instant of a second for every
 * such timer of the process, between 1/4 s before and 3/4 s after
 * @seconds from now, so that timers armed at nearby times fire in one
 * wake-up. The instant is drawn at random once per process, so that
 * processes do not all wake together. */
DGatewayTimer  *dgateway_timers_add_seconds (DGatewayTimers *self,
                                             guint           seconds,
                                             GSourceFunc     func,
                                             gpointer        data);

/* The monotonic time (µs) @self is due at, or -1 when it is not armed:
 * it fired and stopped, or is running. */
gint64          dgateway_timer_get_deadline (DGatewayTimer  *self);

/* Stops *@timer if it is armed, sets *@timer to NULL and frees the
 * timer; *@timer may be NULL, as with dgateway_source_clear(). Clearing a
 * timer from within its own callback is fine. */
void            dgateway_timer_clear        (DGatewayTimer **timer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DGatewayTimers, dgateway_timers_unref)

G_END_DECLS
