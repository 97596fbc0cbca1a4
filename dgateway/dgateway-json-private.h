/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "dgateway-payload-private.h"

#include <string.h>

G_BEGIN_DECLS

/*
 * The document behind DGatewayValue: a flat tape.
 *
 * dgateway_json_parse() makes one pass over the text. It checks it against
 * RFC 8259 (grammar, UTF-8, escapes) and writes one 16-byte entry per value
 * and per member name, in document order, into one array:
 *
 *   {"id":"7","tags":[1,2]}   OBJECT(2, span 7) "id" "7" "tags" ARRAY(2, span 3) 1 2
 *
 * A container's span counts its entries and its own, so the value after it
 * is span entries further and members and elements are skipped without
 * being read. Strings point into the text, which is unescaped in place and
 * NUL-terminated where each closing quote was: the text must stay alive,
 * unchanged, as long as the tape. Nothing in the tape changes after the
 * parse, so threads may read one at the same time.
 *
 * dgateway_etf_parse() (dgateway-etf-private.h) writes the same tape from
 * ETF, with its strings in a block of their own.
 */

/* Nesting deeper than this is an error: Discord's payloads stay under 10,
 * and a recursive reader of ours stays far from the stack's end. */
#define DGATEWAY_JSON_MAX_DEPTH 64

typedef enum {
  /* On a member name: a later member of the same object has the same
   * name, and hides this one, as in json-glib (the last one wins). */
  DGATEWAY_JSON_SHADOWED = 1 << 0,
  /* On an array: the offsets of its elements follow its last element,
   * four to an entry, for get_element() in constant time. */
  DGATEWAY_JSON_INDEXED = 1 << 1,
  /* On a string: the decimal text of an integer, as the ETF reader
   * writes big integers (dgateway-etf-private.h); the accessors of
   * numbers read it as a number. Never from JSON. */
  DGATEWAY_JSON_INTEGER_TEXT = 1 << 2,
} DGatewayJsonFlags;

struct _DGatewayValue
{
  guint8 type;        /* a DGatewayValueType */
  guint8 flags;       /* DGatewayJsonFlags */
  guint16 reserved;
  guint32 length;     /* string: bytes; object: members; array: elements */
  union
  {
    const char *string;
    gint64 integer;
    double number;
    gboolean boolean;
    guint32 span;     /* object and array */
  } u;
};

G_STATIC_ASSERT (sizeof (DGatewayValue) == 16);

DGatewayValue *dgateway_json_parse       (char                *text,
                                          gsize                length,
                                          GError             **error) G_GNUC_WARN_UNUSED_RESULT;
void           dgateway_json_write       (const DGatewayValue *value,
                                          GString             *out);

/* The entry that follows @value and everything inside it. */
static inline const DGatewayValue *
dgateway_json_next (const DGatewayValue *value)
{
  if (value->type == DGATEWAY_VALUE_OBJECT || value->type == DGATEWAY_VALUE_ARRAY)
    return value + value->u.span;

  return value + 1;
}

/* Duplicate member names, for both readers: one bit per name in a 64-bit
 * set finds likely duplicates in one pass, and only then are the earlier
 * members of that name marked DGATEWAY_JSON_SHADOWED (the last one wins,
 * as in json-glib). */
static inline guint64
dgateway_json_name_bit (const DGatewayValue *name)
{
  const guchar *s = (const guchar *) name->u.string;
  guint hash = name->length;

  if (name->length > 0)
    hash = hash * 31 + s[0] * 7 + s[name->length - 1];
  return G_GUINT64_CONSTANT (1) << (hash & 63);
}

/* Marks the members of the object at @object before the name at @name
 * that have that name, so that lookups skip them. */
static inline void
dgateway_json_shadow_earlier (DGatewayValue *tape,
                              gsize          object,
                              gsize          name)
{
  gsize key = object + 1;

  while (key < name)
    {
      if (tape[key].length == tape[name].length &&
          memcmp (tape[key].u.string, tape[name].u.string, tape[name].length) == 0)
        tape[key].flags |= DGATEWAY_JSON_SHADOWED;
      key = dgateway_json_next (&tape[key + 1]) - tape;
    }
}

G_END_DECLS
