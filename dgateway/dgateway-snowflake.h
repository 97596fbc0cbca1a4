/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(DGATEWAY_INSIDE) && !defined(DGATEWAY_COMPILATION)
# error "Only <dgateway/dgateway.h> can be included directly."
#endif

#include <glib.h>

#include <dgateway/dgateway-version-macros.h>

G_BEGIN_DECLS

/**
 * DGATEWAY_DISCORD_EPOCH:
 *
 * The first millisecond of 2015 in Unix time, from which snowflakes count
 * their creation time.
 */
#define DGATEWAY_DISCORD_EPOCH G_GUINT64_CONSTANT (1420070400000)

DGATEWAY_AVAILABLE_IN_ALL
gboolean   dgateway_snowflake_parse           (const char *snowflake,
                                               guint64    *out_id);
DGATEWAY_AVAILABLE_IN_ALL
guint64    dgateway_snowflake_to_uint64       (const char *snowflake);
DGATEWAY_AVAILABLE_IN_ALL
char      *dgateway_snowflake_from_uint64     (guint64     id) G_GNUC_WARN_UNUSED_RESULT;
DGATEWAY_AVAILABLE_IN_ALL
GDateTime *dgateway_snowflake_get_created_at  (const char *snowflake) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
