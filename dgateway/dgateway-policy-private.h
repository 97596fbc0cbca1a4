/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The shard's timing decisions, as pure functions of their inputs, so that
 * they are tested on made-up times (tests/test-policy.c) and the shard's
 * code only gathers the inputs and acts on the answer.
 */

/* Attempt @attempt (0 first) of a reconnection waits a time drawn from
 * [0.75, 1] × min × 2^attempt, capped at @max_ms and never under @min_ms;
 * the first from [1, 2) × min, so that shards dropped together do not all
 * come back at the same millisecond. @random01 is the draw, in [0, 1). */
guint    dgateway_policy_backoff_delay      (guint   min_ms,
                                             guint   max_ms,
                                             guint   attempt,
                                             double  random01);

/* The first heartbeat of a connection waits interval × jitter. */
guint    dgateway_policy_first_heartbeat    (guint   interval_ms,
                                             double  random01);

/* Timers of a heartbeat interval at least this long are grouped:
 * g_timeout_source_new_seconds() wakes every such timer of a process in
 * the same instant of each second, where millisecond timers would wake
 * the shared context once per shard. Shorter intervals (the tests beat
 * every 200–1000 ms) keep millisecond timers. */
#define DGATEWAY_POLICY_GROUPED_MIN_MS 5000

/* The whole seconds for a grouped timer standing in for a heartbeat due
 * in @delay_ms, of a heartbeat interval of @interval_ms, or 0 to keep a
 * millisecond timer. GLib fires a grouped timer of n seconds between
 * n - 1/4 and n + 3/4 s after it is armed: the beat may come up to two
 * seconds early, never late. */
guint    dgateway_policy_beat_seconds       (guint   delay_ms,
                                             guint   interval_ms);

/* The same for a deadline of @timeout_ms (HELLO, the ACK after a
 * wake-up): a grouped timer that never fires before it, or 0 for a
 * millisecond timer when the deadline is short. */
guint    dgateway_policy_deadline_seconds   (guint   timeout_ms);

/* Whether the beat sent at @sent_at (monotonic µs, 0 for none pending) is
 * overdue when the next one is due at @now: a zombie connection. Half an
 * interval of grace keeps a beat sent early on the gateway's request
 * (op 1) from being judged before its ACK could come. */
gboolean dgateway_policy_heartbeat_missed   (gint64  sent_at,
                                             gint64  now,
                                             guint   interval_ms);

/* How many frames of the outbound window commands may use: the rest is
 * kept for every heartbeat the window can hold, plus IDENTIFY or RESUME
 * and beats the gateway asks for. */
guint    dgateway_policy_command_budget     (guint   limit,
                                             guint   window_ms,
                                             guint   heartbeat_interval_ms);

G_END_DECLS
