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
