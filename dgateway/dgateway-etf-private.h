/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "dgateway-json-private.h"

G_BEGIN_DECLS

/*
 * ETF, the Erlang External Term Format (`?encoding=etf`), both ways.
 *
 * To read a received payload, call dgateway_payload_parse_etf(): it fills
 * the same payload document as dgateway_payload_parse() does for JSON, so
 * everything above the seam (envelope, typed getters, JsonNode, JSON text)
 * works unchanged. To send a command, dgateway_etf_serialize_command()
 * gives the bytes of `{"op": op, "d": d}` for one binary WebSocket
 * message.
 *
 * How terms become values, following discord/erlpack, the reference that
 * Discord names (erlpack/js/decoder.h):
 *
 *   atom nil                        null
 *   atoms true, false               true, false
 *   any other atom                  its name, as a string
 *   binary                          string (valid UTF-8, else an error)
 *   small integer, integer          integer
 *   big integer, |n| < 2^32         integer
 *   big integer, |n| >= 2^32        string of its decimal digits, any size
 *                                   up to 255 bytes of magnitude
 *   float (new or old format)       double (finite, else an error)
 *   map with atom or binary keys    object (other keys are an error)
 *   proper list, nil, tuple         array
 *   string (a list of bytes)        array of integers
 *
 * Big integers: Discord sends snowflakes as 64-bit integers in ETF, which
 * JSON sends as strings ("id":"41771983423143937"). Reading every big
 * integer of 2^32 and more as its decimal string, as erlpack does, makes
 * an ETF payload read exactly as its JSON twin for every snowflake (all
 * are far above 2^32), and typed getters find strings where the schema
 * has them. (erlpack decides by the count of magnitude bytes, which comes
 * to the same on what Erlang writes, except that it reads negative ones
 * from -2^31 - 1 down to -2^32 + 1 as strings.) The price: the few non-snowflake integers of 2^32 and more
 * (millisecond timestamps in activities) read as strings too, so these
 * strings carry DGATEWAY_JSON_INTEGER_TEXT and dgateway_value_get_int()
 * and _get_double() read them as numbers all the same.
 *
 * Strings in a binary stop at their first NUL byte, as strings from JSON
 * "\u0000" do. Of two map keys with the same name the last wins
 * (DGATEWAY_JSON_SHADOWED), as in JSON. Nesting deeper than
 * DGATEWAY_JSON_MAX_DEPTH containers, anything after the term, a
 * truncated term, a compressed term (tag 80) and every term that Discord
 * never sends (pids, ports, references, funs, bit strings) are errors in
 * the DGATEWAY_ERROR_PROTOCOL domain, never a crash.
 */

/*
 * dgateway_etf_parse:
 * @data: one external term, starting with the version byte 131
 * @length: its length in bytes, below 4 GiB
 * @strings: where the strings of the tape go
 * @strings_size: the room at @strings; @length + 1 is enough for nearly
 *   every payload (a binary takes less room than in ETF)
 * @spill: (out): `NULL`, or a block holding the strings that did not fit
 *   at @strings (big integers as decimal text take more room than in ETF),
 *   for g_free() once the tape is gone
 * @error: return location for a `DGATEWAY_ERROR_PROTOCOL` error
 *
 * Reads @data into a new tape (dgateway-json-private.h) whose first entry
 * is the term's value. @data is not needed afterwards; @strings is.
 *
 * Returns: (transfer full) (nullable): the tape, for g_free()
 */
DGatewayValue *dgateway_etf_parse (const guint8  *data,
                                   gsize          length,
                                   char          *strings,
                                   gsize          strings_size,
                                   char         **spill,
                                   GError       **error) G_GNUC_WARN_UNUSED_RESULT;

typedef enum {
  DGATEWAY_ETF_WRITE_DEFAULT = 0,
  /* Strings holding the canonical decimal text of an integer in
   * [2^32, 2^64) are written as big integers, the way Discord sends
   * snowflakes; dgateway_etf_parse() reads them back as the same strings.
   * For test gateways and benchmarks: never in commands, where Discord
   * takes snowflakes as strings. */
  DGATEWAY_ETF_WRITE_SNOWFLAKES_AS_INTEGERS = 1 << 0,
  /* Member names as atoms (SMALL_ATOM_UTF8_EXT, as Erlang/OTP 26 and
   * later write them; erlpack 0.1.4 cannot read that tag), as Discord's
   * own payloads have them. Never in commands: Discord closes with 4002
   * on atom keys. */
  DGATEWAY_ETF_WRITE_ATOM_KEYS = 1 << 1,
} DGatewayEtfWriteFlags;

/*
 * What the writers make, as Discord expects it of a client: the version
 * byte 131, then maps with binary keys, strings as binaries, integers as
 * small integers, integers or small big integers, doubles as new floats,
 * null as the atom nil, booleans as the atoms true and false, arrays as
 * proper lists (the empty one as nil). NaN, infinities and strings that
 * are not valid UTF-8 are errors (DGATEWAY_ERROR_PROTOCOL); so is nesting
 * deeper than DGATEWAY_JSON_MAX_DEPTH. On error, @out may hold part of the
 * term.
 */
gboolean dgateway_etf_write_json_node   (JsonNode              *node,
                                         GByteArray            *out,
                                         GError               **error);
gboolean dgateway_etf_write_value       (const DGatewayValue   *value,
                                         DGatewayEtfWriteFlags  flags,
                                         GByteArray            *out,
                                         GError               **error);

/*
 * dgateway_etf_serialize_command:
 * @op: the opcode
 * @d: (nullable): the command's data; `NULL` sends nil
 * @error: return location for an error, as for the writers
 *
 * Returns: (transfer full) (nullable): the ETF of `{"op": op, "d": d}`,
 *   keys as binaries, to send as one binary WebSocket message
 */
GBytes  *dgateway_etf_serialize_command (int                    op,
                                         JsonNode              *d,
                                         GError               **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
