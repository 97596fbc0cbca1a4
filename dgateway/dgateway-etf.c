/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-error.h"
#include "dgateway-etf-private.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

/*
 * The External Term Format reader and writers described in
 * dgateway-etf-private.h. The format is the "External Term Format" chapter
 * of the ERTS User's Guide (erts/doc/src/erl_ext_dist.xml in Erlang/OTP):
 * a version byte, then one term, each term a tag byte and big-endian
 * lengths. The reader builds the tape exactly as
 * dgateway-json.c does (spans, element indexes of long arrays, shadowed
 * duplicate names), so the accessors cannot tell the two apart.
 */

enum {
  TAG_NEW_FLOAT = 70,
  TAG_COMPRESSED = 80,
  TAG_SMALL_INTEGER = 97,
  TAG_INTEGER = 98,
  TAG_FLOAT = 99,
  TAG_ATOM = 100,
  TAG_SMALL_TUPLE = 104,
  TAG_LARGE_TUPLE = 105,
  TAG_NIL = 106,
  TAG_STRING = 107,
  TAG_LIST = 108,
  TAG_BINARY = 109,
  TAG_SMALL_BIG = 110,
  TAG_LARGE_BIG = 111,
  TAG_SMALL_ATOM = 115,
  TAG_MAP = 116,
  TAG_ATOM_UTF8 = 118,
  TAG_SMALL_ATOM_UTF8 = 119,
  ETF_VERSION = 131,
};

/* As in dgateway-json.c: arrays of at least this many elements, some of
 * them containers, get an element index. */
#define INDEX_MIN_LENGTH 8

#define INLINE_ELEMENTS 256

/* Bytes of magnitude of the largest big integer read: 2^2040, 615
 * digits, far past any snowflake. */
#define MAX_BIG_BYTES 255

typedef struct
{
  const guint8 *data;
  const guint8 *end;
  char *strings;         /* the free room for strings */
  char *strings_end;
  char **spill;
  DGatewayValue *tape;
  gsize n_values;
  gsize capacity;
  guint32 *elements;     /* offsets of the elements of the open arrays */
  gsize n_elements;
  gsize elements_capacity;
  GError **error;
  guint32 elements_inline[INLINE_ELEMENTS];
} Parser;

static const guint8 *parse_term (Parser       *self,
                                 const guint8 *p,
                                 int           depth);

/* Errors */

static const guint8 *
fail (Parser       *self,
      const guint8 *at,
      const char   *reason)
{
  if (at >= self->end)
    reason = N_("the term ends too early");

  /* Translators: the first %s says what is wrong, such as "invalid
   * UTF-8"; the number counts bytes from the start of the payload. */
  g_set_error (self->error, DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL,
               _("%s at byte %lu"), _(reason), (gulong) (at - self->data));
  return NULL;
}

static const guint8 *
truncated (Parser *self)
{
  return fail (self, self->end, N_("the term ends too early"));
}

/* Whether @n bytes are left at @p. */
static inline gboolean
has (Parser       *self,
     const guint8 *p,
     gsize         n)
{
  return (gsize) (self->end - p) >= n;
}

static inline guint16
read16 (const guint8 *p)
{
  return (guint16) (p[0] << 8 | p[1]);
}

static inline guint32
read32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

/* The tape, as in dgateway-json.c */

static void
reserve (Parser *self,
         gsize   n)
{
  if (self->n_values + n <= self->capacity)
    return;

  self->capacity = MAX (self->capacity * 2, self->n_values + n);
  self->tape = g_renew (DGatewayValue, self->tape, self->capacity);
}

static inline gsize
push (Parser *self,
      guint8  type)
{
  if (G_UNLIKELY (self->n_values == self->capacity))
    reserve (self, 1);

  self->tape[self->n_values] = (DGatewayValue) { .type = type };
  return self->n_values++;
}

/* push() may move the tape: index it only after. */
static inline DGatewayValue *
push_value (Parser *self,
            guint8  type)
{
  gsize index = push (self, type);

  return &self->tape[index];
}

static inline void
push_int (Parser *self,
          gint64  integer)
{
  push_value (self, DGATEWAY_VALUE_INT)->u.integer = integer;
}

static inline void
push_element (Parser  *self,
              guint32  offset)
{
  if (G_UNLIKELY (self->n_elements == self->elements_capacity))
    {
      self->elements_capacity *= 2;
      if (self->elements == self->elements_inline)
        self->elements = g_memdup2 (self->elements_inline, sizeof self->elements_inline);
      self->elements = g_renew (guint32, self->elements, self->elements_capacity);
    }

  self->elements[self->n_elements++] = offset;
}

/* Strings */

/* Room for @n bytes of string whose term ends at @p. The first block
 * rarely runs out; when it does, the spill block takes the rest of the
 * strings, and is large enough for all of them: no term yields more than
 * 5/2 of its own size in text (a Latin-1 atom at most twice its size, a
 * big integer about 2.41 decimal digits per byte plus sign and NUL). */
static char *
take_room (Parser       *self,
           const guint8 *p,
           gsize         n)
{
  char *room;

  if (G_UNLIKELY ((gsize) (self->strings_end - self->strings) < n))
    {
      gsize size = n + (self->end - p) / 2 * 5 + 16;

      g_assert (*self->spill == NULL);
      *self->spill = g_malloc (size);
      self->strings = *self->spill;
      self->strings_end = self->strings + size;
    }

  room = self->strings;
  self->strings += n;
  return room;
}

/* Valid UTF-8, NUL bytes included (g_utf8_validate_len() refuses them). */
static gboolean
is_utf8 (const guint8 *s,
         gsize         n)
{
  const guint8 *nul;

  while ((nul = memchr (s, 0, n)) != NULL)
    {
      if (!g_utf8_validate_len ((const char *) s, nul - s, NULL))
        return FALSE;
      n -= nul - s + 1;
      s = nul + 1;
    }

  return g_utf8_validate_len ((const char *) s, n, NULL);
}

#define ONES G_GUINT64_CONSTANT (0x0101010101010101)
#define HIGHS (ONES * 0x80)

/* Whether @s holds only ASCII without NUL, the common case, eight bytes
 * at a time. */
static inline gboolean
is_plain_ascii (const guint8 *s,
                gsize         n)
{
  guint64 any = 0;
  gsize i = 0;

  for (; i + 8 <= n; i += 8)
    {
      guint64 word;

      memcpy (&word, s + i, 8);
      any |= (word | (word - ONES)) & HIGHS;
    }
  for (; i < n; i++)
    any |= s[i] == 0 || s[i] >= 0x80;

  return any == 0;
}

/* A string as tape entry @index, up to its first NUL as from JSON. */
static const guint8 *
store_utf8 (Parser       *self,
            gsize         index,
            const guint8 *s,
            gsize         n)
{
  gsize length = n;
  char *room;

  if (!is_plain_ascii (s, n))
    {
      const guint8 *nul = memchr (s, 0, n);

      if (!is_utf8 (s, n))
        return fail (self, s, N_("invalid UTF-8"));
      if (nul != NULL)
        length = nul - s;
    }

  room = take_room (self, s + n, length + 1);
  memcpy (room, s, length);
  room[length] = '\0';
  self->tape[index].u.string = room;
  self->tape[index].length = length;
  return s + n;
}

/* ATOM_EXT and SMALL_ATOM_EXT hold Latin-1. */
static const guint8 *
store_latin1 (Parser       *self,
              gsize         index,
              const guint8 *s,
              gsize         n)
{
  const guint8 *nul = memchr (s, 0, n);
  gsize count = nul != NULL ? (gsize) (nul - s) : n;
  gsize length = count;
  char *room, *out;

  for (gsize i = 0; i < count; i++)
    length += s[i] >> 7;

  out = room = take_room (self, s + n, length + 1);
  for (gsize i = 0; i < count; i++)
    {
      if (s[i] < 0x80)
        *out++ = s[i];
      else
        {
          *out++ = (char) (0xc0 | s[i] >> 6);
          *out++ = (char) (0x80 | (s[i] & 0x3f));
        }
    }
  *out = '\0';

  self->tape[index].u.string = room;
  self->tape[index].length = length;
  return s + n;
}

/* Atoms */

typedef struct
{
  const guint8 *name;
  gsize length;
  gboolean latin1;
} Atom;

/* Reads the header of the atom at @p, which has an atom's tag, into
 * @atom; returns where its name is, or NULL if it is cut short. */
static const guint8 *
read_atom (Parser       *self,
           const guint8 *p,
           Atom         *atom)
{
  gsize header;

  switch (*p)
    {
    case TAG_ATOM: case TAG_ATOM_UTF8:
      header = 3;
      if (!has (self, p, header))
        return truncated (self);
      atom->length = read16 (p + 1);
      break;
    case TAG_SMALL_ATOM: case TAG_SMALL_ATOM_UTF8:
      header = 2;
      if (!has (self, p, header))
        return truncated (self);
      atom->length = p[1];
      break;
    default:
      g_assert_not_reached ();
    }

  atom->latin1 = *p == TAG_ATOM || *p == TAG_SMALL_ATOM;
  atom->name = p + header;
  if (!has (self, atom->name, atom->length))
    return truncated (self);
  return atom->name;
}

static inline gboolean
atom_is (const Atom *atom,
         const char *word)
{
  gsize length = strlen (word);

  return atom->length == length && memcmp (atom->name, word, length) == 0;
}

static const guint8 *
store_atom (Parser     *self,
            gsize       index,
            const Atom *atom)
{
  if (atom->latin1)
    return store_latin1 (self, index, atom->name, atom->length);
  return store_utf8 (self, index, atom->name, atom->length);
}

/* nil and null are null, as in erlpack; true and false are booleans. */
static const guint8 *
parse_atom (Parser       *self,
            const guint8 *p)
{
  Atom atom;

  if (read_atom (self, p, &atom) == NULL)
    return NULL;

  if (atom_is (&atom, "nil") || atom_is (&atom, "null"))
    push (self, DGATEWAY_VALUE_NULL);
  else if (atom_is (&atom, "true") || atom_is (&atom, "false"))
    push_value (self, DGATEWAY_VALUE_BOOL)->u.boolean = atom.length == 4;
  else
    return store_atom (self, push (self, DGATEWAY_VALUE_STRING), &atom);

  return atom.name + atom.length;
}

/* Numbers */

static const guint8 *
parse_new_float (Parser       *self,
                 const guint8 *p)
{
  guint64 bits;
  double number;

  if (!has (self, p, 9))
    return truncated (self);

  bits = (guint64) read32 (p + 1) << 32 | read32 (p + 5);
  memcpy (&number, &bits, sizeof number);
  if (!isfinite (number))
    return fail (self, p, N_("not a finite number"));

  push_value (self, DGATEWAY_VALUE_DOUBLE)->u.number = number;
  return p + 9;
}

/* FLOAT_EXT: 31 bytes of "%.20e" text, padded with NULs. */
static const guint8 *
parse_old_float (Parser       *self,
                 const guint8 *p)
{
  char text[32];
  char *end;
  double number;

  if (!has (self, p, 32))
    return truncated (self);

  memcpy (text, p + 1, 31);
  text[31] = '\0';
  number = g_ascii_strtod (text, &end);
  if (end == text || !isfinite (number) || g_ascii_isspace (text[0]))
    return fail (self, p, N_("invalid float"));
  for (; end < text + 31; end++)
    {
      if (*end != '\0')
        return fail (self, p, N_("invalid float"));
    }

  push_value (self, DGATEWAY_VALUE_DOUBLE)->u.number = number;
  return p + 32;
}

/* The decimal digits of the little-endian magnitude @digits[0..@n),
 * ending at @end; returns the first. Divides by 10^9 a limb at a
 * time: quadratic, but @n is at most MAX_BIG_BYTES. */
static char *
big_to_decimal (const guint8 *digits,
                gsize         n,
                char         *end)
{
  guint32 limbs[MAX_BIG_BYTES / 4 + 1] = { 0 };
  gsize n_limbs = (n + 3) / 4;
  char *out = end;

  for (gsize i = 0; i < n; i++)
    limbs[i / 4] |= (guint32) digits[i] << (8 * (i % 4));

  while (n_limbs > 0)
    {
      guint64 remainder = 0;

      for (gsize i = n_limbs; i-- > 0;)
        {
          guint64 part = remainder << 32 | limbs[i];

          limbs[i] = (guint32) (part / 1000000000);
          remainder = part % 1000000000;
        }
      while (n_limbs > 0 && limbs[n_limbs - 1] == 0)
        n_limbs--;

      for (int i = 0; i < 9 && (n_limbs > 0 || remainder > 0); i++)
        {
          *--out = (char) ('0' + remainder % 10);
          remainder /= 10;
        }
    }

  return out;
}

/* The decimal digits of @magnitude, which is not 0, ending at @end;
 * returns the first. Two digits per division: snowflakes have 17 to 20. */
static char *
write_decimal (guint64  magnitude,
               char    *end)
{
  static const char pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";
  char *out = end;

  while (magnitude >= 10)
    {
      guint pair = magnitude % 100;

      magnitude /= 100;
      *--out = pairs[2 * pair + 1];
      *--out = pairs[2 * pair];
    }
  if (magnitude > 0)
    *--out = (char) ('0' + magnitude);
  return out;
}

/* A big integer: an integer below 2^32 in magnitude, else its decimal
 * text, marked as such (see dgateway-etf-private.h). */
static const guint8 *
store_big (Parser       *self,
           const guint8 *p,
           const guint8 *digits,
           gsize         n,
           gboolean      negative)
{
  char buffer[MAX_BIG_BYTES * 5 / 2 + 4];
  char *end = buffer + sizeof buffer;
  char *text, *room;
  gsize index, length;

  while (n > 0 && digits[n - 1] == 0)
    n--;

  if (n <= 4)
    {
      gint64 magnitude = 0;

      for (gsize i = n; i-- > 0;)
        magnitude = magnitude << 8 | digits[i];
      push_int (self, negative ? -magnitude : magnitude);
      return p;
    }

  if (n <= 8)
    {
      guint64 magnitude = 0;

      for (gsize i = n; i-- > 0;)
        magnitude = magnitude << 8 | digits[i];
      text = write_decimal (magnitude, end);
    }
  else
    text = big_to_decimal (digits, n, end);
  if (negative)
    *--text = '-';

  length = end - text;
  index = push (self, DGATEWAY_VALUE_STRING);
  room = take_room (self, p, length + 1);
  memcpy (room, text, length);
  room[length] = '\0';
  self->tape[index].u.string = room;
  self->tape[index].length = length;
  self->tape[index].flags = DGATEWAY_JSON_INTEGER_TEXT;
  return p;
}

static const guint8 *
parse_big (Parser       *self,
           const guint8 *p)
{
  gsize header = *p == TAG_SMALL_BIG ? 3 : 6;
  gsize n;

  if (!has (self, p, header))
    return truncated (self);

  n = *p == TAG_SMALL_BIG ? p[1] : read32 (p + 1);
  if (!has (self, p + header, n))
    return truncated (self);
  if (p[header - 1] > 1)
    return fail (self, p, N_("invalid integer sign"));
  if (n > MAX_BIG_BYTES)
    return fail (self, p, N_("integer too large"));

  return store_big (self, p + header + n, p + header, n, p[header - 1] == 1);
}

static const guint8 *
parse_binary (Parser       *self,
              const guint8 *p)
{
  guint32 n;

  if (!has (self, p, 5))
    return truncated (self);

  n = read32 (p + 1);
  if (!has (self, p + 5, n))
    return truncated (self);

  return store_utf8 (self, push (self, DGATEWAY_VALUE_STRING), p + 5, n);
}

/* Arrays */

static void
append_index (Parser  *self,
              gsize    index,
              gsize    first,
              guint32  length)
{
  gsize n = (length + 3) / 4;

  reserve (self, n);
  memset (&self->tape[self->n_values + n - 1], 0, sizeof (DGatewayValue));
  memcpy (&self->tape[self->n_values], &self->elements[first], length * sizeof (guint32));
  self->n_values += n;
  self->tape[index].flags |= DGATEWAY_JSON_INDEXED;
}

static void
end_array (Parser  *self,
           gsize    index,
           gsize    first,
           guint32  length)
{
  gboolean flat = self->n_values - index == length + 1u;

  if (!flat && length >= INDEX_MIN_LENGTH)
    append_index (self, index, first, length);

  self->n_elements = first;
  self->tape[index].length = length;
  self->tape[index].u.span = self->n_values - index;
}

static const guint8 *
nest (Parser       *self,
      const guint8 *p,
      int           depth)
{
  if (depth > DGATEWAY_JSON_MAX_DEPTH)
    return fail (self, p, N_("nesting too deep"));
  return p;
}

/* @length terms from @p, as an array; LIST_EXT and the tuples. */
static const guint8 *
parse_elements (Parser       *self,
                const guint8 *p,
                guint32       length,
                int           depth)
{
  gsize index = push (self, DGATEWAY_VALUE_ARRAY);
  gsize first = self->n_elements;

  /* Each term takes a byte at least: a huge length fails here at once. */
  if (!has (self, p, length))
    return truncated (self);

  for (guint32 i = 0; i < length; i++)
    {
      push_element (self, self->n_values - index);
      p = parse_term (self, p, depth);
      if (p == NULL)
        return NULL;
    }

  end_array (self, index, first, length);
  return p;
}

static const guint8 *
parse_list (Parser       *self,
            const guint8 *p,
            int           depth)
{
  if (!has (self, p, 5))
    return truncated (self);

  p = parse_elements (self, p + 5, read32 (p + 1), depth);
  if (p == NULL)
    return NULL;
  if (!has (self, p, 1))
    return truncated (self);
  if (*p != TAG_NIL)
    return fail (self, p, N_("improper list"));
  return p + 1;
}

static const guint8 *
parse_tuple (Parser       *self,
             const guint8 *p,
             int           depth)
{
  gsize header = *p == TAG_SMALL_TUPLE ? 2 : 5;

  if (!has (self, p, header))
    return truncated (self);
  return parse_elements (self, p + header, *p == TAG_SMALL_TUPLE ? p[1] : read32 (p + 1), depth);
}

/* STRING_EXT: a list of small integers, packed. */
static const guint8 *
parse_byte_list (Parser       *self,
                 const guint8 *p)
{
  gsize index = push (self, DGATEWAY_VALUE_ARRAY);
  guint16 length;

  if (!has (self, p, 3) || !has (self, p + 3, read16 (p + 1)))
    return truncated (self);

  length = read16 (p + 1);
  reserve (self, length);
  for (guint i = 0; i < length; i++)
    push_int (self, p[3 + i]);

  self->tape[index].length = length;
  self->tape[index].u.span = length + 1;
  return p + 3 + length;
}

/* Maps */

/* A key: a binary or an atom, whatever its name (nil too). */
static const guint8 *
parse_key (Parser       *self,
           const guint8 *p)
{
  Atom atom;

  switch (*p)
    {
    case TAG_BINARY:
      return parse_binary (self, p);
    case TAG_ATOM: case TAG_SMALL_ATOM: case TAG_ATOM_UTF8: case TAG_SMALL_ATOM_UTF8:
      if (read_atom (self, p, &atom) == NULL)
        return NULL;
      return store_atom (self, push (self, DGATEWAY_VALUE_STRING), &atom);
    default:
      return fail (self, p, N_("map keys must be binaries or atoms"));
    }
}

static const guint8 *
parse_map (Parser       *self,
           const guint8 *p,
           int           depth)
{
  gsize index = push (self, DGATEWAY_VALUE_OBJECT);
  guint64 names = 0;
  guint32 length;

  if (!has (self, p, 5))
    return truncated (self);

  length = read32 (p + 1);
  p += 5;
  /* A key takes two bytes at least, a value one. */
  if (!has (self, p, (gsize) length * 3))
    return truncated (self);

  for (guint32 i = 0; i < length; i++)
    {
      gsize name = self->n_values;
      guint64 bit;

      if (!has (self, p, 1))
        return truncated (self);
      p = parse_key (self, p);
      if (p == NULL)
        return NULL;

      bit = dgateway_json_name_bit (&self->tape[name]);
      if (G_UNLIKELY (names & bit))
        dgateway_json_shadow_earlier (self->tape, index, name);
      names |= bit;

      if (!has (self, p, 1))
        return truncated (self);
      p = parse_term (self, p, depth);
      if (p == NULL)
        return NULL;
    }

  self->tape[index].length = length;
  self->tape[index].u.span = self->n_values - index;
  return p;
}

/* Terms */

static const guint8 *
parse_container (Parser       *self,
                 const guint8 *p,
                 int           depth)
{
  if (nest (self, p, depth) == NULL)
    return NULL;

  switch (*p)
    {
    case TAG_MAP:
      return parse_map (self, p, depth);
    case TAG_LIST:
      return parse_list (self, p, depth);
    case TAG_SMALL_TUPLE: case TAG_LARGE_TUPLE:
      return parse_tuple (self, p, depth);
    case TAG_STRING:
      return parse_byte_list (self, p);
    case TAG_NIL:
    default:
      end_array (self, push (self, DGATEWAY_VALUE_ARRAY), self->n_elements, 0);
      return p + 1;
    }
}

static const guint8 *
parse_term (Parser       *self,
            const guint8 *p,
            int           depth)
{
  if (!has (self, p, 1))
    return truncated (self);

  switch (*p)
    {
    case TAG_SMALL_INTEGER:
      if (!has (self, p, 2))
        return truncated (self);
      push_int (self, p[1]);
      return p + 2;
    case TAG_INTEGER:
      if (!has (self, p, 5))
        return truncated (self);
      push_int (self, (gint32) read32 (p + 1));
      return p + 5;
    case TAG_BINARY:
      return parse_binary (self, p);
    case TAG_ATOM: case TAG_SMALL_ATOM: case TAG_ATOM_UTF8: case TAG_SMALL_ATOM_UTF8:
      return parse_atom (self, p);
    case TAG_SMALL_BIG: case TAG_LARGE_BIG:
      return parse_big (self, p);
    case TAG_NEW_FLOAT:
      return parse_new_float (self, p);
    case TAG_FLOAT:
      return parse_old_float (self, p);
    case TAG_MAP: case TAG_LIST: case TAG_NIL: case TAG_STRING:
    case TAG_SMALL_TUPLE: case TAG_LARGE_TUPLE:
      return parse_container (self, p, depth + 1);
    case TAG_COMPRESSED:
      return fail (self, p, N_("compressed terms are not supported"));
    default:
      return fail (self, p, N_("a term that the gateway does not send"));
    }
}

static const guint8 *
parse_external (Parser *self)
{
  const guint8 *p = self->data;

  if (!has (self, p, 1))
    return truncated (self);
  if (*p != ETF_VERSION)
    return fail (self, p, N_("not an external term of version 131"));

  p = parse_term (self, p + 1, 0);
  if (p != NULL && p != self->end)
    return fail (self, p, N_("unexpected data after the term"));
  return p;
}

DGatewayValue *
dgateway_etf_parse (const guint8  *data,
                    gsize          length,
                    char          *strings,
                    gsize          strings_size,
                    char         **spill,
                    GError       **error)
{
  /* Nothing may be NULL then; arithmetic on NULL is undefined. */
  static const guint8 nothing[1];
  Parser self = {
    .data = length > 0 ? data : nothing,
    .end = (length > 0 ? data : nothing) + length,
    .strings = strings,
    .strings_end = strings + strings_size,
    .spill = spill,
    .error = error,
  };
  const guint8 *end;

  *spill = NULL;
  if (length >= G_MAXUINT32)
    {
      g_set_error_literal (error, DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL,
                           _("The term is too large"));
      return NULL;
    }

  /* ETF is denser than JSON: about a value per 6 to 9 bytes. */
  self.capacity = length / 5 + 16;
  self.tape = g_new (DGatewayValue, self.capacity);
  self.elements = self.elements_inline;
  self.elements_capacity = INLINE_ELEMENTS;

  end = parse_external (&self);

  if (self.elements != self.elements_inline)
    g_free (self.elements);
  if (end == NULL)
    {
      g_clear_pointer (&self.tape, g_free);
      g_clear_pointer (spill, g_free);
    }
  else if (self.capacity - self.n_values > 256)
    self.tape = g_renew (DGatewayValue, self.tape, self.n_values);

  return self.tape;
}

/* Writing */

typedef struct
{
  GByteArray *out;
  DGatewayEtfWriteFlags flags;
  GError **error;
} Writer;

static gboolean
write_fail (Writer     *self,
            const char *reason)
{
  g_set_error (self->error, DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL,
               _("Cannot write this value as ETF: %s"), _(reason));
  return FALSE;
}

static inline void
put_byte (Writer *self,
          guint8  byte)
{
  g_byte_array_append (self->out, &byte, 1);
}

static void
put32 (Writer  *self,
       guint32  n)
{
  guint8 bytes[4] = { n >> 24, n >> 16, n >> 8, n };

  g_byte_array_append (self->out, bytes, 4);
}

static void
put_header (Writer  *self,
            guint8   tag,
            guint32  length)
{
  put_byte (self, tag);
  put32 (self, length);
}

static void
put_atom (Writer     *self,
          const char *name)
{
  guint8 length = strlen (name);

  /* As erlpack writes nil, true and false. */
  put_byte (self, TAG_SMALL_ATOM);
  put_byte (self, length);
  g_byte_array_append (self->out, (const guint8 *) name, length);
}

static gboolean
put_binary (Writer     *self,
            const char *s,
            gsize       length)
{
  if (!g_utf8_validate_len (s, length, NULL))
    return write_fail (self, N_("a string is not valid UTF-8"));

  put_header (self, TAG_BINARY, length);
  g_byte_array_append (self->out, (const guint8 *) s, length);
  return TRUE;
}

/* SMALL_BIG_EXT of a magnitude and a sign. */
static void
put_big (Writer   *self,
         guint64   magnitude,
         gboolean  negative)
{
  guint8 digits[8];
  guint8 n = 0;

  for (; magnitude > 0; magnitude >>= 8)
    digits[n++] = magnitude & 0xff;

  put_byte (self, TAG_SMALL_BIG);
  put_byte (self, n);
  put_byte (self, negative);
  g_byte_array_append (self->out, digits, n);
}

static void
put_int (Writer *self,
         gint64  integer)
{
  if (integer >= 0 && integer <= 255)
    {
      put_byte (self, TAG_SMALL_INTEGER);
      put_byte (self, integer);
    }
  else if (integer >= G_MININT32 && integer <= G_MAXINT32)
    put_header (self, TAG_INTEGER, (guint32) integer);
  else if (integer < 0)
    put_big (self, ~(guint64) integer + 1, TRUE);
  else
    put_big (self, integer, FALSE);
}

static gboolean
put_double (Writer *self,
            double  number)
{
  guint64 bits;

  if (!isfinite (number))
    return write_fail (self, N_("a number is not finite"));

  memcpy (&bits, &number, sizeof bits);
  put_byte (self, TAG_NEW_FLOAT);
  put32 (self, bits >> 32);
  put32 (self, bits);
  return TRUE;
}

static gboolean
put_name (Writer     *self,
          const char *name,
          gsize       length)
{
  if (!(self->flags & DGATEWAY_ETF_WRITE_ATOM_KEYS) || length > 255)
    return put_binary (self, name, length);

  put_byte (self, TAG_SMALL_ATOM_UTF8);
  put_byte (self, length);
  g_byte_array_append (self->out, (const guint8 *) name, length);
  return TRUE;
}

static gboolean
check_depth (Writer *self,
             int     depth)
{
  if (depth > DGATEWAY_JSON_MAX_DEPTH)
    return write_fail (self, N_("nesting too deep"));
  return TRUE;
}

/* From a JsonNode */

static gboolean write_node (Writer   *self,
                            JsonNode *node,
                            int       depth);

static gboolean
write_json_object (Writer     *self,
                   JsonObject *object,
                   int         depth)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  put_header (self, TAG_MAP, json_object_get_size (object));
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      if (!put_name (self, name, strlen (name)) || !write_node (self, member, depth))
        return FALSE;
    }

  return TRUE;
}

static gboolean
write_json_array (Writer    *self,
                  JsonArray *array,
                  int        depth)
{
  guint length = json_array_get_length (array);

  if (length > 0)
    put_header (self, TAG_LIST, length);
  for (guint i = 0; i < length; i++)
    {
      if (!write_node (self, json_array_get_element (array, i), depth))
        return FALSE;
    }
  put_byte (self, TAG_NIL);
  return TRUE;
}

static gboolean
write_json_value (Writer   *self,
                  JsonNode *node)
{
  const char *s;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      put_int (self, json_node_get_int (node));
      return TRUE;
    case G_TYPE_DOUBLE:
      return put_double (self, json_node_get_double (node));
    case G_TYPE_BOOLEAN:
      put_atom (self, json_node_get_boolean (node) ? "true" : "false");
      return TRUE;
    case G_TYPE_STRING:
      s = json_node_get_string (node);
      if (s == NULL)
        put_atom (self, "nil");
      else if (!put_binary (self, s, strlen (s)))
        return FALSE;
      return TRUE;
    default:
      return write_fail (self, N_("a value of an unknown type"));
    }
}

static gboolean
write_node (Writer   *self,
            JsonNode *node,
            int       depth)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      return check_depth (self, depth + 1)
             && write_json_object (self, json_node_get_object (node), depth + 1);
    case JSON_NODE_ARRAY:
      return check_depth (self, depth + 1)
             && write_json_array (self, json_node_get_array (node), depth + 1);
    case JSON_NODE_VALUE:
      return write_json_value (self, node);
    case JSON_NODE_NULL:
    default:
      put_atom (self, "nil");
      return TRUE;
    }
}

/*
 * dgateway_etf_write_json_node:
 * @node: the value
 * @out: where the external term goes: the version byte, then the term
 * @error: return location for a `DGATEWAY_ERROR_PROTOCOL` error
 *
 * Returns: whether @node could be written
 */
gboolean
dgateway_etf_write_json_node (JsonNode    *node,
                              GByteArray  *out,
                              GError     **error)
{
  Writer self = { .out = out, .error = error };

  put_byte (&self, ETF_VERSION);
  return write_node (&self, node, 0);
}

/* From the tape */

static gboolean write_value (Writer              *self,
                             const DGatewayValue *value,
                             int                  depth);

/* The canonical decimal text of an integer of magnitude in [2^32, 2^64),
 * which dgateway_etf_parse() reads back as the same text. */
static gboolean
read_snowflake (const DGatewayValue *value,
                guint64             *magnitude,
                gboolean            *negative)
{
  const char *s = value->u.string;

  *negative = s[0] == '-';
  s += *negative;
  if (value->length - *negative < 10 || value->length - *negative > 20 || s[0] == '0')
    return FALSE;

  return g_ascii_string_to_unsigned (s, 10, G_GUINT64_CONSTANT (1) << 32, G_MAXUINT64,
                                     magnitude, NULL);
}

static gboolean
write_string (Writer              *self,
              const DGatewayValue *value)
{
  guint64 magnitude;
  gboolean negative;

  if ((self->flags & DGATEWAY_ETF_WRITE_SNOWFLAKES_AS_INTEGERS)
      && read_snowflake (value, &magnitude, &negative))
    {
      put_big (self, magnitude, negative);
      return TRUE;
    }

  return put_binary (self, value->u.string, value->length);
}

/* Members hidden by a later one of the same name are left out. */
static gboolean
write_object (Writer              *self,
              const DGatewayValue *value,
              int                  depth)
{
  const DGatewayValue *name = value + 1;
  guint32 length = 0;

  for (guint32 i = 0; i < value->length; i++, name = dgateway_json_next (name + 1))
    length += !(name->flags & DGATEWAY_JSON_SHADOWED);

  put_header (self, TAG_MAP, length);
  name = value + 1;
  for (guint32 i = 0; i < value->length; i++, name = dgateway_json_next (name + 1))
    {
      if (name->flags & DGATEWAY_JSON_SHADOWED)
        continue;
      if (!put_name (self, name->u.string, name->length) || !write_value (self, name + 1, depth))
        return FALSE;
    }

  return TRUE;
}

static gboolean
write_array (Writer              *self,
             const DGatewayValue *value,
             int                  depth)
{
  const DGatewayValue *element = value + 1;

  if (value->length > 0)
    put_header (self, TAG_LIST, value->length);
  for (guint32 i = 0; i < value->length; i++, element = dgateway_json_next (element))
    {
      if (!write_value (self, element, depth))
        return FALSE;
    }
  put_byte (self, TAG_NIL);
  return TRUE;
}

static gboolean
write_value (Writer              *self,
             const DGatewayValue *value,
             int                  depth)
{
  switch (value->type)
    {
    case DGATEWAY_VALUE_OBJECT:
      return check_depth (self, depth + 1) && write_object (self, value, depth + 1);
    case DGATEWAY_VALUE_ARRAY:
      return check_depth (self, depth + 1) && write_array (self, value, depth + 1);
    case DGATEWAY_VALUE_STRING:
      return write_string (self, value);
    case DGATEWAY_VALUE_INT:
      put_int (self, value->u.integer);
      return TRUE;
    case DGATEWAY_VALUE_DOUBLE:
      return put_double (self, value->u.number);
    case DGATEWAY_VALUE_BOOL:
      put_atom (self, value->u.boolean ? "true" : "false");
      return TRUE;
    case DGATEWAY_VALUE_NULL:
    default:
      put_atom (self, "nil");
      return TRUE;
    }
}

/*
 * dgateway_etf_write_value:
 * @value: (nullable): a value of a document; `NULL` is written as nil
 * @flags: how to write it
 * @out: where the external term goes: the version byte, then the term
 * @error: return location for a `DGATEWAY_ERROR_PROTOCOL` error
 *
 * Returns: whether @value could be written
 */
gboolean
dgateway_etf_write_value (const DGatewayValue    *value,
                          DGatewayEtfWriteFlags   flags,
                          GByteArray             *out,
                          GError                **error)
{
  Writer self = { .out = out, .flags = flags, .error = error };

  put_byte (&self, ETF_VERSION);
  if (value == NULL)
    {
      put_atom (&self, "nil");
      return TRUE;
    }

  return write_value (&self, value, 0);
}

GBytes *
dgateway_etf_serialize_command (int        op,
                                JsonNode  *d,
                                GError   **error)
{
  g_autoptr(GByteArray) out = g_byte_array_sized_new (64);
  Writer self = { .out = out, .error = error };

  put_byte (&self, ETF_VERSION);
  put_header (&self, TAG_MAP, 2);
  put_binary (&self, "op", 2);
  put_int (&self, op);
  put_binary (&self, "d", 1);
  if (d == NULL)
    put_atom (&self, "nil");
  else if (!write_node (&self, d, 1))
    return NULL;

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}
