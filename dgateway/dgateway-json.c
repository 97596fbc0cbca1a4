/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-error.h"
#include "dgateway-json-private.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

/*
 * A strict RFC 8259 reader that writes the tape described in
 * dgateway-json-private.h, and the DGatewayValue accessors over it.
 *
 * What it accepts is what both RFC 8259 and json-glib 1.6 accept, except
 * for nesting deeper than DGATEWAY_JSON_MAX_DEPTH. json-glib is laxer on
 * its own (comments, single quotes, leading zeros, hexadecimal numbers,
 * unknown escapes, raw control characters in strings, trailing data after
 * an object, "var x = ..."): all of those are errors here. On what both
 * accept, the values agree, with these exceptions, all on purpose:
 *
 * - An integer outside the range of gint64 becomes a double, where
 *   json-glib wraps it around (2^63 reads as -2^63 there).
 * - A \u escape of a lone surrogate is an error; json-glib rejects most of
 *   them and turns the rest into invalid UTF-8.
 *
 * and these for compatibility: a leading UTF-8 byte order mark is skipped
 * (RFC 8259 §8.1 allows it), a string ends at its first U+0000 as C
 * strings do, and of members with the same name the last one wins.
 * tests/test-document.c lists cases; tests/fuzz/fuzz-document.c checks
 * the rest against json-glib.
 */

/* Arrays of at least this many elements, some of them objects or arrays,
 * get an element index; shorter ones are walked. */
#define INDEX_MIN_LENGTH 8

#define INLINE_ELEMENTS 256

typedef struct
{
  char *text;
  char *end;             /* the NUL after the text */
  DGatewayValue *tape;
  gsize n_values;
  gsize capacity;
  guint32 *elements;     /* offsets of the elements of the open arrays */
  gsize n_elements;
  gsize elements_capacity;
  GError **error;
  guint32 elements_inline[INLINE_ELEMENTS];
} Parser;

static char *parse_value (Parser *self,
                          char   *p,
                          int     depth);

/* Errors */

static char *
fail (Parser     *self,
      const char *at,
      const char *reason)
{
  if (at >= self->end)
    reason = N_("the text ends too early");

  /* Translators: the first %s says what is wrong, such as "invalid
   * number"; the number counts bytes from the start of the text. */
  g_set_error (self->error, DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL,
               _("%s at byte %lu"), _(reason), (gulong) (at - self->text));
  return NULL;
}

static char *
fail_in_string (Parser     *self,
                const char *at)
{
  return fail (self, at, N_("unescaped control character in a string"));
}

/* The tape */

static void
reserve (Parser *self,
         gsize   n)
{
  if (self->n_values + n <= self->capacity)
    return;

  /* Grow by half: large tapes are reallocated in place by the kernel
   * (mremap), and the parse ends by giving back what it did not use. */
  self->capacity = MAX (self->capacity + self->capacity / 2, self->n_values + n);
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

/* Whitespace: RFC 8259 §2 has only these four. */
static inline char *
skip_space (char *p)
{
  if (G_LIKELY ((guchar) *p > ' '))
    return p;

  while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
    p++;
  return p;
}

/* Strings */

#define ONES G_GUINT64_CONSTANT (0x0101010101010101)
#define HIGHS (ONES * 0x80)

/* The high bit of each byte of @word that equals @byte, and maybe of bytes
 * above the first one: only the lowest is exact. */
static inline guint64
bytes_equal (guint64 word,
             guint8  byte)
{
  guint64 x = word ^ (ONES * byte);

  return (x - ONES) & ~x & HIGHS;
}

/* Skips the bytes that a string takes as they are: ASCII, no control
 * character, no quote, no backslash. Eight at a time on little-endian
 * machines; the NUL at the end of the text stops the byte-wise loop. */
static inline char *
skip_plain (char       *p,
            const char *end)
{
#if G_BYTE_ORDER == G_LITTLE_ENDIAN && defined(__GNUC__)
  while (end - p >= 8)
    {
      guint64 word, special;

      memcpy (&word, p, 8);
      special = (word & HIGHS) | ((word - ONES * 0x20) & ~word & HIGHS)
                | bytes_equal (word, '"') | bytes_equal (word, '\\');
      if (special != 0)
        return p + (__builtin_ctzll (special) >> 3);
      p += 8;
    }
#endif

  while ((guchar) *p >= 0x20 && (guchar) *p < 0x80 && *p != '"' && *p != '\\')
    p++;
  return p;
}

/* Checks one multi-byte UTF-8 sequence (Unicode 15, table 3-7: no
 * overlong forms, no surrogates, nothing past U+10FFFF), as
 * g_utf8_validate() does. Every check stops at the final NUL. */
static char *
skip_utf8 (Parser *self,
           char   *p)
{
  const guchar *s = (const guchar *) p;
  guchar low = 0x80, high = 0xbf;
  int n;

  if (s[0] < 0xc2 || s[0] > 0xf4)
    return fail (self, p, N_("invalid UTF-8"));

  if (s[0] < 0xe0)
    n = 1;
  else if (s[0] < 0xf0)
    n = 2, low = s[0] == 0xe0 ? 0xa0 : 0x80, high = s[0] == 0xed ? 0x9f : 0xbf;
  else
    n = 3, low = s[0] == 0xf0 ? 0x90 : 0x80, high = s[0] == 0xf4 ? 0x8f : 0xbf;

  if (s[1] < low || s[1] > high)
    return fail (self, p, N_("invalid UTF-8"));
  for (int i = 2; i <= n; i++)
    {
      if ((s[i] & 0xc0) != 0x80)
        return fail (self, p, N_("invalid UTF-8"));
    }

  return p + n + 1;
}

static inline int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  c |= 0x20;
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* The value of the four hex digits at @p, or -1. */
static int
read_hex4 (const char *p)
{
  int value = 0;

  for (int i = 0; i < 4; i++)
    {
      int digit = hex_value (p[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }

  return value;
}

/* A \u escape at @p; a surrogate must come as a high and low pair
 * (RFC 8259 §7). */
static char *
unescape_unicode (Parser    *self,
                  char      *p,
                  char     **out,
                  gboolean  *has_nul)
{
  int unit = read_hex4 (p + 2);
  int low;
  gunichar c;

  if (unit < 0)
    return fail (self, p, N_("invalid \\u escape"));
  if (unit >= 0xdc00 && unit <= 0xdfff)
    return fail (self, p, N_("unpaired surrogate in a \\u escape"));

  c = unit;
  if (unit >= 0xd800 && unit <= 0xdbff)
    {
      if (p[6] != '\\' || p[7] != 'u')
        return fail (self, p, N_("unpaired surrogate in a \\u escape"));
      low = read_hex4 (p + 8);
      if (low < 0xdc00 || low > 0xdfff)
        return fail (self, p, N_("unpaired surrogate in a \\u escape"));
      c = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
      p += 6;
    }

  *has_nul |= c == 0;
  *out += g_unichar_to_utf8 (c, *out);
  return p + 6;
}

/* The escape at @p, written at *@out: never longer than the escape. */
static char *
unescape (Parser    *self,
          char      *p,
          char     **out,
          gboolean  *has_nul)
{
  char c;

  switch (p[1])
    {
    case '"': case '\\': case '/':
      c = p[1];
      break;
    case 'b':
      c = '\b';
      break;
    case 'f':
      c = '\f';
      break;
    case 'n':
      c = '\n';
      break;
    case 'r':
      c = '\r';
      break;
    case 't':
      c = '\t';
      break;
    case 'u':
      return unescape_unicode (self, p, out, has_nul);
    default:
      return fail (self, p, N_("invalid escape sequence"));
    }

  *(*out)++ = c;
  return p + 2;
}

static void
end_string (Parser *self,
            gsize   index,
            char   *start,
            char   *out)
{
  DGatewayValue *value = &self->tape[index];

  *out = '\0';
  value->u.string = start;
  value->length = out - start;
}

/* Skips plain bytes and whole UTF-8 sequences, up to a quote, a backslash
 * or an error. */
static char *
skip_text (Parser *self,
           char   *p)
{
  for (;;)
    {
      p = skip_plain (p, self->end);
      if ((guchar) *p < 0x80)
        return p;
      p = skip_utf8 (self, p);
      if (p == NULL)
        return NULL;
    }
}

/* The rest of a string from its first escape at @p, unescaped in place. */
static char *
parse_escaped_string (Parser *self,
                      gsize   index,
                      char   *start,
                      char   *p)
{
  char *out = p;
  gboolean has_nul = FALSE;

  while (*p == '\\')
    {
      char *run;

      p = unescape (self, p, &out, &has_nul);
      if (p == NULL)
        return NULL;
      run = p;
      p = skip_text (self, p);
      if (p == NULL)
        return NULL;
      memmove (out, run, p - run);
      out += p - run;
    }

  if (*p != '"')
    return fail_in_string (self, p);

  end_string (self, index, start, out);
  /* A U+0000 ends the string for C, as it does in json-glib. */
  if (has_nul)
    self->tape[index].length = strlen (start);
  return p + 1;
}

/* The string whose opening quote is just before @p, into tape entry
 * @index. */
static char *
parse_string (Parser *self,
              char   *p,
              gsize   index)
{
  char *start = p;

  p = skip_text (self, p);
  if (p == NULL)
    return NULL;
  if (*p == '\\')
    return parse_escaped_string (self, index, start, p);
  if (*p != '"')
    return fail_in_string (self, p);

  end_string (self, index, start, p);
  return p + 1;
}

/* Numbers */

static const double powers_of_ten[] = {
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

typedef struct
{
  guint64 mantissa;      /* the digits, while there are at most 19 */
  int digits;
  int exponent;          /* of ten, for the mantissa */
  gboolean negative;
  gboolean integral;
} Number;

static inline gboolean
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

static char *
read_digits (char   *p,
             Number *number)
{
  for (; is_digit (*p); p++)
    {
      if (number->digits < 19)
        number->mantissa = number->mantissa * 10 + (*p - '0');
      number->digits++;
    }

  return p;
}

static char *
read_exponent (Parser *self,
               char   *p,
               Number *number)
{
  gboolean negative = FALSE;
  int exponent = 0;

  if (*p == '+' || *p == '-')
    negative = *p++ == '-';
  if (!is_digit (*p))
    return fail (self, p, N_("invalid number"));

  for (; is_digit (*p); p++)
    {
      if (exponent < 100000)
        exponent = exponent * 10 + (*p - '0');
    }

  number->exponent += negative ? -exponent : exponent;
  number->integral = FALSE;
  return p;
}

/* Scans the syntax of RFC 8259 §6 into @number. */
static char *
scan_number (Parser *self,
             char   *p,
             Number *number)
{
  number->negative = *p == '-';
  p += number->negative;

  if (*p == '0')
    p++;
  else if (is_digit (*p))
    p = read_digits (p, number);
  else
    return fail (self, p, N_("invalid number"));

  if (*p == '.')
    {
      char *fraction = ++p;

      if (!is_digit (*p))
        return fail (self, p, N_("invalid number"));
      p = read_digits (p, number);
      number->exponent = -(int) MIN (p - fraction, 1000000);
      number->integral = FALSE;
    }

  if (*p == 'e' || *p == 'E')
    return read_exponent (self, p + 1, number);
  return p;
}

/* An exact product or quotient of two exact doubles is correctly rounded,
 * so it equals what strtod() gives (Clinger's fast path); everything else
 * goes to g_ascii_strtod(), as json-glib's numbers do. */
static double
make_double (const char   *text,
             const Number *number)
{
#if defined(__FLT_EVAL_METHOD__) && __FLT_EVAL_METHOD__ == 0
  if (number->digits <= 19 && number->mantissa <= (G_GUINT64_CONSTANT (1) << 53)
      && number->exponent >= -22 && number->exponent <= 22)
    {
      double value = (double) number->mantissa;

      if (number->exponent < 0)
        value /= powers_of_ten[-number->exponent];
      else
        value *= powers_of_ten[number->exponent];
      return number->negative ? -value : value;
    }
#endif

  return g_ascii_strtod (text, NULL);
}

/* Integers in the range of gint64 are integers, as in json-glib; other
 * numbers are doubles. */
static char *
parse_number (Parser *self,
              char   *p)
{
  Number number = { .integral = TRUE };
  char *end = scan_number (self, p, &number);
  guint64 limit = (guint64) G_MAXINT64 + number.negative;
  DGatewayValue *value;
  gsize index;

  if (end == NULL)
    return NULL;

  /* push() may move the tape: index it only after. */
  index = push (self, DGATEWAY_VALUE_INT);
  value = &self->tape[index];
  if (number.integral && number.digits <= 19 && number.mantissa <= limit)
    {
      value->u.integer = number.negative ? (gint64) (~number.mantissa + 1) : (gint64) number.mantissa;
      return end;
    }

  value->type = DGATEWAY_VALUE_DOUBLE;
  value->u.number = make_double (p, &number);
  return end;
}

/* Literals */

/* Inlined, so that the comparison is one of a constant length. */
static inline char *
parse_literal (Parser     *self,
               char       *p,
               const char *word,
               gsize       length,
               guint8      type,
               gboolean    boolean)
{
  gsize index;

  if ((gsize) (self->end - p) < length || memcmp (p, word, length) != 0)
    return fail (self, p, N_("expected a value"));

  index = push (self, type);
  self->tape[index].u.boolean = boolean;
  return p + length;
}

/* Objects */

/* One "name": value pair at @p, which should be the opening quote. */
static char *
parse_member (Parser  *self,
              char    *p,
              gsize    object,
              guint64 *names,
              int      depth)
{
  gsize name = push (self, DGATEWAY_VALUE_STRING);
  guint64 bit;

  if (*p != '"')
    return fail (self, p, N_("expected a member name"));
  p = parse_string (self, p + 1, name);
  if (p == NULL)
    return NULL;

  bit = dgateway_json_name_bit (&self->tape[name]);
  if (G_UNLIKELY (*names & bit))
    dgateway_json_shadow_earlier (self->tape, object, name);
  *names |= bit;

  p = skip_space (p);
  if (*p != ':')
    return fail (self, p, N_("expected ‘:’"));
  return parse_value (self, skip_space (p + 1), depth);
}

static char *
parse_object (Parser *self,
              char   *p,
              int     depth)
{
  gsize index = push (self, DGATEWAY_VALUE_OBJECT);
  guint64 names = 0;
  guint32 length = 0;

  if (depth > DGATEWAY_JSON_MAX_DEPTH)
    return fail (self, p - 1, N_("nesting too deep"));

  p = skip_space (p);
  if (*p != '}')
    for (;;)
      {
        p = parse_member (self, p, index, &names, depth);
        if (p == NULL)
          return NULL;
        length++;

        p = skip_space (p);
        if (*p == '}')
          break;
        if (*p != ',')
          return fail (self, p, N_("expected ‘,’ or ‘}’"));
        p = skip_space (p + 1);
      }

  self->tape[index].length = length;
  self->tape[index].u.span = self->n_values - index;
  return p + 1;
}

/* Arrays */

/* Appends the offsets of the elements of the array at @index, which are
 * on the element stack from @first. */
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

static char *
parse_array (Parser *self,
             char   *p,
             int     depth)
{
  gsize index = push (self, DGATEWAY_VALUE_ARRAY);
  gsize first = self->n_elements;
  guint32 length = 0;

  if (depth > DGATEWAY_JSON_MAX_DEPTH)
    return fail (self, p - 1, N_("nesting too deep"));

  p = skip_space (p);
  if (*p != ']')
    for (;;)
      {
        push_element (self, self->n_values - index);
        p = parse_value (self, p, depth);
        if (p == NULL)
          return NULL;
        length++;

        p = skip_space (p);
        if (*p == ']')
          break;
        if (*p != ',')
          return fail (self, p, N_("expected ‘,’ or ‘]’"));
        p = skip_space (p + 1);
      }

  end_array (self, index, first, length);
  return p + 1;
}

static char *
parse_value (Parser *self,
             char   *p,
             int     depth)
{
  switch (*p)
    {
    case '"':
      return parse_string (self, p + 1, push (self, DGATEWAY_VALUE_STRING));
    case '{':
      return parse_object (self, p + 1, depth + 1);
    case '[':
      return parse_array (self, p + 1, depth + 1);
    case 't':
      return parse_literal (self, p, "true", 4, DGATEWAY_VALUE_BOOL, TRUE);
    case 'f':
      return parse_literal (self, p, "false", 5, DGATEWAY_VALUE_BOOL, FALSE);
    case 'n':
      return parse_literal (self, p, "null", 4, DGATEWAY_VALUE_NULL, FALSE);
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return parse_number (self, p);
    default:
      return fail (self, p, N_("expected a value"));
    }
}

/* A UTF-8 byte order mark may start the text (RFC 8259 §8.1). */
static char *
skip_bom (char  *p,
          gsize  length)
{
  if (length >= 3 && memcmp (p, "\xef\xbb\xbf", 3) == 0)
    return p + 3;

  return p;
}

static char *
parse_text (Parser *self,
            gsize   length)
{
  char *p = skip_space (skip_bom (self->text, length));

  p = parse_value (self, p, 0);
  if (p == NULL)
    return NULL;

  p = skip_space (p);
  if (p != self->end)
    return fail (self, p, N_("unexpected data after the value"));
  return p;
}

/*
 * dgateway_json_parse:
 * @text: the JSON text, writable, with a NUL at @length
 * @length: its length in bytes
 * @error: return location for a `DGATEWAY_ERROR_PROTOCOL` error
 *
 * Reads @text into a new tape, unescaping its strings in place. The first
 * entry is the document's value.
 *
 * Returns: (transfer full) (nullable): the tape, for g_free(); @text must
 *   outlive it
 */
DGatewayValue *
dgateway_json_parse (char    *text,
                     gsize    length,
                     GError **error)
{
  Parser self = {
    .text = text,
    .end = text + length,
    .error = error,
  };
  char *end;

  g_assert (text[length] == '\0');

  if (length >= G_MAXUINT32)
    {
      g_set_error_literal (error, DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL,
                           _("The JSON text is too large"));
      return NULL;
    }

  /* Discord's payloads hold a value per 8 to 12 bytes. A large payload
   * starts from the sparse end and grows if it must, so that its tape
   * costs about 1.3 to 2 times its text at the peak, not 2.7 (an 8 MiB
   * GUILD_CREATE); a small one gets room for the dense end at once. */
  self.capacity = length < 65536 ? length / 6 + 16 : length / 12;
  self.tape = g_new (DGatewayValue, self.capacity);
  self.elements = self.elements_inline;
  self.elements_capacity = INLINE_ELEMENTS;

  end = parse_text (&self, length);

  if (self.elements != self.elements_inline)
    g_free (self.elements);
  if (end == NULL)
    g_clear_pointer (&self.tape, g_free);
  else if (self.capacity - self.n_values > 256)
    self.tape = g_renew (DGatewayValue, self.tape, self.n_values);

  return self.tape;
}

/* Materialising JsonNodes */

static JsonNode *build_node (const DGatewayValue *value);

/* Members are set in order, so of two with the same name the second one
 * wins in the place of the first, as in json-glib's own parser. */
static JsonNode *
build_object (const DGatewayValue *value)
{
  JsonObject *object = json_object_new ();
  const DGatewayValue *name = value + 1;
  JsonNode *node = json_node_alloc ();

  for (guint32 i = 0; i < value->length; i++, name = dgateway_json_next (name + 1))
    json_object_set_member (object, name->u.string, build_node (name + 1));

  json_node_init_object (node, object);
  json_object_unref (object);
  return node;
}

static JsonNode *
build_array (const DGatewayValue *value)
{
  JsonArray *array = json_array_sized_new (value->length);
  const DGatewayValue *element = value + 1;
  JsonNode *node = json_node_alloc ();

  for (guint32 i = 0; i < value->length; i++, element = dgateway_json_next (element))
    json_array_add_element (array, build_node (element));

  json_node_init_array (node, array);
  json_array_unref (array);
  return node;
}

static JsonNode *
build_node (const DGatewayValue *value)
{
  switch (value->type)
    {
    case DGATEWAY_VALUE_OBJECT:
      return build_object (value);
    case DGATEWAY_VALUE_ARRAY:
      return build_array (value);
    case DGATEWAY_VALUE_STRING:
      return json_node_init_string (json_node_alloc (), value->u.string);
    case DGATEWAY_VALUE_INT:
      return json_node_init_int (json_node_alloc (), value->u.integer);
    case DGATEWAY_VALUE_DOUBLE:
      return json_node_init_double (json_node_alloc (), value->u.number);
    case DGATEWAY_VALUE_BOOL:
      return json_node_init_boolean (json_node_alloc (), value->u.boolean);
    case DGATEWAY_VALUE_NULL:
    default:
      return json_node_init_null (json_node_alloc ());
    }
}

/* Writing JSON text */

static void
write_escape (GString *out,
              guchar   c)
{
  static const char hex[] = "0123456789abcdef";

  switch (c)
    {
    case '"':
      g_string_append (out, "\\\"");
      break;
    case '\\':
      g_string_append (out, "\\\\");
      break;
    case '\b':
      g_string_append (out, "\\b");
      break;
    case '\f':
      g_string_append (out, "\\f");
      break;
    case '\n':
      g_string_append (out, "\\n");
      break;
    case '\r':
      g_string_append (out, "\\r");
      break;
    case '\t':
      g_string_append (out, "\\t");
      break;
    default:
      g_string_append (out, "\\u00");
      g_string_append_c (out, hex[c >> 4]);
      g_string_append_c (out, hex[c & 15]);
    }
}

/* RFC 8259 §7: quotes, backslashes and control characters are escaped,
 * everything else is copied as it is (valid UTF-8 already). */
static void
write_string (GString             *out,
              const DGatewayValue *value)
{
  const char *s = value->u.string;
  const char *run = s;

  g_string_append_c (out, '"');
  for (guint32 i = 0; i < value->length; i++)
    {
      guchar c = s[i];

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;
      g_string_append_len (out, run, s + i - run);
      write_escape (out, c);
      run = s + i + 1;
    }
  g_string_append_len (out, run, s + value->length - run);
  g_string_append_c (out, '"');
}

/* The shortest form that reads back as the same double, with a fraction
 * or an exponent so that it stays a double. JSON has no infinity: 1e999
 * reads back as one in any IEEE 754 parser. */
static void
write_double (GString *out,
              double   number)
{
  static const char *formats[] = { "%.15g", "%.16g", "%.17g" };
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (number))
    {
      g_string_append (out, "null");
      return;
    }
  if (isinf (number))
    {
      g_string_append (out, number < 0 ? "-1e999" : "1e999");
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (buffer, sizeof buffer, formats[i], number);
      if (g_ascii_strtod (buffer, NULL) == number)
        break;
    }

  g_string_append (out, buffer);
  if (strpbrk (buffer, ".e") == NULL)
    g_string_append (out, ".0");
}

static void write_value (GString             *out,
                         const DGatewayValue *value);

/* Members hidden by a later one of the same name are left out. */
static void
write_object (GString             *out,
              const DGatewayValue *value)
{
  const DGatewayValue *name = value + 1;
  gboolean first = TRUE;

  g_string_append_c (out, '{');
  for (guint32 i = 0; i < value->length; i++, name = dgateway_json_next (name + 1))
    {
      if (name->flags & DGATEWAY_JSON_SHADOWED)
        continue;
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      write_string (out, name);
      g_string_append_c (out, ':');
      write_value (out, name + 1);
    }
  g_string_append_c (out, '}');
}

static void
write_array (GString             *out,
             const DGatewayValue *value)
{
  const DGatewayValue *element = value + 1;

  g_string_append_c (out, '[');
  for (guint32 i = 0; i < value->length; i++, element = dgateway_json_next (element))
    {
      if (i > 0)
        g_string_append_c (out, ',');
      write_value (out, element);
    }
  g_string_append_c (out, ']');
}

static void
write_value (GString             *out,
             const DGatewayValue *value)
{
  switch (value->type)
    {
    case DGATEWAY_VALUE_OBJECT:
      write_object (out, value);
      break;
    case DGATEWAY_VALUE_ARRAY:
      write_array (out, value);
      break;
    case DGATEWAY_VALUE_STRING:
      write_string (out, value);
      break;
    case DGATEWAY_VALUE_INT:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, value->u.integer);
      break;
    case DGATEWAY_VALUE_DOUBLE:
      write_double (out, value->u.number);
      break;
    case DGATEWAY_VALUE_BOOL:
      g_string_append (out, value->u.boolean ? "true" : "false");
      break;
    case DGATEWAY_VALUE_NULL:
    default:
      g_string_append (out, "null");
    }
}

/*
 * dgateway_json_write:
 * @value: (nullable): a value
 * @out: where the text goes
 *
 * Appends @value as compact JSON text; a missing value is written as
 * `null`. What dgateway_json_parse() makes of the text is @value again.
 */
void
dgateway_json_write (const DGatewayValue *value,
                     GString             *out)
{
  if (value == NULL)
    g_string_append (out, "null");
  else
    write_value (out, value);
}

/* Values */

DGatewayValueType
dgateway_value_get_value_type (const DGatewayValue *value)
{
  if (value == NULL)
    return DGATEWAY_VALUE_MISSING;

  return value->type;
}

/* Member names are compared as bytes: an object has a few dozen at most,
 * and most differ in length. */
const DGatewayValue *
dgateway_value_get_member (const DGatewayValue *object,
                           const char          *key)
{
  const DGatewayValue *name;
  gsize length;

  if (object == NULL || object->type != DGATEWAY_VALUE_OBJECT || key == NULL)
    return NULL;

  length = strlen (key);
  name = object + 1;
  for (guint32 i = 0; i < object->length; i++, name = dgateway_json_next (name + 1))
    {
      if (name->length == length && memcmp (name->u.string, key, length) == 0
          && !(name->flags & DGATEWAY_JSON_SHADOWED))
        return name + 1;
    }

  return NULL;
}

guint
dgateway_value_get_length (const DGatewayValue *array)
{
  if (array == NULL || array->type != DGATEWAY_VALUE_ARRAY)
    return 0;

  return array->length;
}

const DGatewayValue *
dgateway_value_get_element (const DGatewayValue *array,
                            guint                index)
{
  const DGatewayValue *element;

  if (index >= dgateway_value_get_length (array))
    return NULL;

  if (array->flags & DGATEWAY_JSON_INDEXED)
    {
      const guint32 *offsets = (const guint32 *) (array + array->u.span - (array->length + 3) / 4);

      return array + offsets[index];
    }

  /* Only scalars: one entry each. */
  if (array->u.span == array->length + 1)
    return array + 1 + index;

  element = array + 1;
  for (guint i = 0; i < index; i++)
    element = dgateway_json_next (element);
  return element;
}

const char *
dgateway_value_get_string (const DGatewayValue *value)
{
  if (value == NULL || value->type != DGATEWAY_VALUE_STRING)
    return NULL;

  return value->u.string;
}

static inline gboolean
is_integer_text (const DGatewayValue *value)
{
  return value->type == DGATEWAY_VALUE_STRING && (value->flags & DGATEWAY_JSON_INTEGER_TEXT);
}

/* Whether @value reads as an integer: a JSON integer, or one of the big
 * integers of ETF that the document holds as text, while it fits. */
gboolean
dgateway_value_is_integer (const DGatewayValue *value)
{
  gint64 integer;

  if (value == NULL)
    return FALSE;

  return value->type == DGATEWAY_VALUE_INT
         || (is_integer_text (value)
             && g_ascii_string_to_signed (value->u.string, 10, G_MININT64, G_MAXINT64,
                                          &integer, NULL));
}

/* The big integers of ETF that the document holds as text read as
 * integers too, while they fit. */
gint64
dgateway_value_get_int (const DGatewayValue *value,
                        gint64               default_value)
{
  gint64 integer;

  if (value == NULL)
    return default_value;
  if (value->type == DGATEWAY_VALUE_INT)
    return value->u.integer;
  if (is_integer_text (value)
      && g_ascii_string_to_signed (value->u.string, 10, G_MININT64, G_MAXINT64, &integer, NULL))
    return integer;

  return default_value;
}

double
dgateway_value_get_double (const DGatewayValue *value,
                           double               default_value)
{
  switch (dgateway_value_get_value_type (value))
    {
    case DGATEWAY_VALUE_DOUBLE:
      return value->u.number;
    case DGATEWAY_VALUE_INT:
      return (double) value->u.integer;
    case DGATEWAY_VALUE_STRING:
      if (is_integer_text (value))
        return g_ascii_strtod (value->u.string, NULL);
      return default_value;
    default:
      return default_value;
    }
}

gboolean
dgateway_value_get_bool (const DGatewayValue *value,
                         gboolean             default_value)
{
  if (value == NULL || value->type != DGATEWAY_VALUE_BOOL)
    return default_value;

  return value->u.boolean;
}

/* A new tree each time, sealed as json-glib's immutable parser seals its
 * own. */
JsonNode *
dgateway_value_to_json_node (const DGatewayValue *value)
{
  JsonNode *node;

  if (value == NULL)
    return NULL;

  node = build_node (value);
  json_node_seal (node);
  return node;
}

const char *
dgateway_value_get_member_string (const DGatewayValue *object,
                                  const char          *key)
{
  return dgateway_value_get_string (dgateway_value_get_member (object, key));
}

gint64
dgateway_value_get_member_int (const DGatewayValue *object,
                               const char          *key,
                               gint64               default_value)
{
  return dgateway_value_get_int (dgateway_value_get_member (object, key), default_value);
}
