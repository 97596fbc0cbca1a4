/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * Sessions carried across restarts (dgateway_client_dup_session() and
 * dgateway_client_restore_session()): for each shard with a session, its
 * id, the bot's shard count (0 unsharded), the session id, the last
 * sequence and the resume URL. Never the token.
 */
#define DGATEWAY_SESSION_TYPE "a(uusxs)"

/* The sessions of @shards (DGatewayShard), a bot of @shard_count. */
GVariant *dgateway_session_save    (GPtrArray  *shards,
                                    guint       shard_count);
/* Whether @session can be resumed: its type, and each entry's session id,
 * sequence and resume URL (a ws:// or wss:// URL with a host). */
gboolean  dgateway_session_check   (GVariant   *session,
                                    GError    **error);
/* Gives each of @shards the session of @session with its id and
 * @shard_count; the others identify afresh. */
void      dgateway_session_restore (GVariant   *session,
                                    GPtrArray  *shards,
                                    guint       shard_count);

G_END_DECLS
