/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-snowflake.h"

/* Snowflakes: Discord's 64-bit ids. The top 42 bits are milliseconds since
 * DGATEWAY_DISCORD_EPOCH, then 5 bits of worker, 5 of process and 12 of
 * increment. The Gateway sends them as decimal strings, and typed payloads
 * keep them so: JavaScript numbers hold only 53 bits. */

/**
 * dgateway_snowflake_parse:
 * @snowflake: (nullable): a snowflake id as a decimal string, such as
 *   `"175928847299117063"`
 * @out_id: (out) (optional): where to store the id
 *
 * Parses a snowflake id, telling a malformed one from a valid one.
 *
 * Leading `+` or `-` signs, spaces, other digits than ASCII ones and
 * numbers beyond 64 bits are malformed. On failure @out_id is set to 0.
 *
 * In JavaScript the id is a `Number`, which cannot hold every snowflake
 * exactly: keep them as strings there, or use `BigInt()` on the string.
 *
 * Returns: `TRUE` if @snowflake is a decimal number that fits in 64 bits
 */
gboolean
dgateway_snowflake_parse (const char *snowflake,
                          guint64    *out_id)
{
  guint64 id = 0;
  gboolean valid;

  valid = snowflake != NULL &&
          g_ascii_string_to_unsigned (snowflake, 10, 0, G_MAXUINT64, &id, NULL);
  if (out_id != NULL)
    *out_id = valid ? id : 0;
  return valid;
}

/**
 * dgateway_snowflake_to_uint64:
 * @snowflake: (nullable): a snowflake id as a decimal string, such as
 *   `"175928847299117063"`
 *
 * Parses a snowflake id, with 0 for a malformed one.
 *
 * No snowflake Discord hands out is 0, so 0 means failure here; to report
 * it apart from `"0"`, use [func@DGateway.snowflake_parse]. In JavaScript the
 * result is a `Number`, which cannot hold every snowflake exactly: keep
 * them as strings there, or use `BigInt()`.
 *
 * Returns: the id, or 0 if @snowflake is `NULL` or not a decimal number
 *   that fits in 64 bits
 */
guint64
dgateway_snowflake_to_uint64 (const char *snowflake)
{
  guint64 id;

  dgateway_snowflake_parse (snowflake, &id);
  return id;
}

/**
 * dgateway_snowflake_from_uint64:
 * @id: a snowflake id
 *
 * Formats a snowflake id as the Gateway sends it, a decimal string.
 *
 * Returns: (transfer full): the id as a decimal string
 */
char *
dgateway_snowflake_from_uint64 (guint64 id)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, id);
}

/**
 * dgateway_snowflake_get_created_at:
 * @snowflake: (nullable): a snowflake id as a decimal string
 *
 * Gets the time at which the thing a snowflake identifies was created,
 * read from the id itself.
 *
 * Returns: (transfer full) (nullable): the creation time in UTC, with
 *   millisecond precision, or `NULL` if @snowflake is not a valid id
 */
GDateTime *
dgateway_snowflake_get_created_at (const char *snowflake)
{
  guint64 id = dgateway_snowflake_to_uint64 (snowflake);
  guint64 unix_ms;
  g_autoptr(GDateTime) seconds = NULL;

  if (id == 0)
    return NULL;

  unix_ms = (id >> 22) + DGATEWAY_DISCORD_EPOCH;
  seconds = g_date_time_new_from_unix_utc ((gint64) (unix_ms / 1000));
  if (seconds == NULL)
    return NULL;

  return g_date_time_add (seconds, (GTimeSpan) (unix_ms % 1000) * G_TIME_SPAN_MILLISECOND);
}
