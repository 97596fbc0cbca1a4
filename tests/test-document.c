/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "fuzz/document-check.h"
#include "dgateway-payload-private.h"

/*
 * Conformance of the payload document (dgateway-json.c): each case is
 * read by the library, by json-glib and by the strict reading of
 * fuzz/document-check.h, which must agree (see doc_check_document()).
 */

typedef enum {
  VALID,      /* RFC 8259 and json-glib accept it, with the same values */
  INVALID,    /* neither does */
  STRICTER,   /* json-glib 1.6 accepts it, RFC 8259 does not: an error */
} Expect;

#define TEXT(s) s, sizeof (s) - 1

static const struct
{
  const char *name;
  const char *text;
  gsize length;
  Expect expect;
} cases[] = {
  /* Values at the top level */
  { "top/object", TEXT ("{\"a\":1}"), VALID },
  { "top/array", TEXT ("[1,2]"), VALID },
  { "top/string", TEXT ("\"x\""), VALID },
  { "top/number", TEXT ("-12"), VALID },
  { "top/true", TEXT ("true"), VALID },
  { "top/null", TEXT ("null"), VALID },
  { "top/empty", TEXT (""), INVALID },
  { "top/space-only", TEXT (" \n\t\r"), INVALID },
  { "top/two-values", TEXT ("1 2"), INVALID },
  { "top/two-objects", TEXT ("{\"a\":1}{\"b\":2}"), STRICTER },
  { "top/two-objects-spaced", TEXT ("{\"a\":1} {\"b\":2}"), STRICTER },
  { "top/two-arrays", TEXT ("[1][2]"), STRICTER },
  { "top/trailing-bracket", TEXT ("[1]]"), INVALID },
  { "top/trailing-comma", TEXT ("[1],"), INVALID },
  { "top/trailing-word", TEXT ("[1]x"), INVALID },
  { "top/trailing-nul", TEXT ("[1]\0"), INVALID },
  { "top/assignment", TEXT ("var a = [1];"), STRICTER },
  { "top/bom", TEXT ("\xef\xbb\xbf[1]"), VALID },
  { "top/bom-after-space", TEXT (" \xef\xbb\xbf[1]"), INVALID },
  { "top/bom-at-end", TEXT ("[1]\xef\xbb\xbf"), INVALID },
  /* Whitespace: only the four of RFC 8259 §2 */
  { "space/all-four", TEXT (" \t\r\n{ \t\r\n\"a\" \t\r\n: \t\r\n[ 1 , 2 ] \t\r\n} \t\r\n"), VALID },
  { "space/form-feed", TEXT ("[1\f,2]"), INVALID },
  { "space/vertical-tab", TEXT ("[1\v,2]"), INVALID },
  { "space/nbsp", TEXT ("[1\xc2\xa0]"), INVALID },
  /* Containers */
  { "container/empty-object", TEXT ("{}"), VALID },
  { "container/empty-array", TEXT ("[]"), VALID },
  { "container/empty-spaced", TEXT ("[ { } , [ ] ]"), VALID },
  { "container/nested", TEXT ("{\"a\":{\"b\":[[],[{}],{\"c\":[null]}]}}"), VALID },
  { "container/array-trailing-comma", TEXT ("[1,]"), INVALID },
  { "container/object-trailing-comma", TEXT ("{\"a\":1,}"), INVALID },
  { "container/leading-comma", TEXT ("[,1]"), INVALID },
  { "container/double-comma", TEXT ("[1,,2]"), INVALID },
  { "container/missing-comma", TEXT ("[1 2]"), INVALID },
  { "container/missing-colon", TEXT ("{\"a\" 1}"), INVALID },
  { "container/missing-value", TEXT ("{\"a\":}"), INVALID },
  { "container/bare-key", TEXT ("{a:1}"), INVALID },
  { "container/number-key", TEXT ("{1:1}"), INVALID },
  { "container/single-quoted-key", TEXT ("{'a':1}"), STRICTER },
  { "container/unclosed-array", TEXT ("[1"), INVALID },
  { "container/unclosed-object", TEXT ("{\"a\":1"), INVALID },
  { "container/mismatched", TEXT ("[1}"), INVALID },
  { "container/open-only", TEXT ("["), INVALID },
  /* Member names */
  { "member/empty-name", TEXT ("{\"\":1}"), VALID },
  { "member/duplicate", TEXT ("{\"a\":1,\"a\":2}"), VALID },
  { "member/duplicate-apart", TEXT ("{\"a\":1,\"b\":2,\"a\":3}"), VALID },
  { "member/duplicate-three", TEXT ("{\"a\":1,\"a\":[2],\"b\":0,\"a\":{\"x\":3}}"), VALID },
  { "member/duplicate-escaped", TEXT ("{\"a\":1,\"\\u0061\":2}"), VALID },
  { "member/duplicate-nested", TEXT ("{\"a\":{\"a\":1,\"a\":2},\"a\":{\"a\":3}}"), VALID },
  { "member/nul-in-name", TEXT ("{\"a\\u0000b\":1,\"a\":2}"), VALID },
  { "member/many", TEXT ("{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,"
                         "\"i\":9,\"j\":10,\"k\":11,\"l\":12,\"m\":13,\"n\":14,\"o\":15}"), VALID },
  /* Numbers */
  { "number/zero", TEXT ("[0]"), VALID },
  { "number/minus-zero", TEXT ("[-0]"), VALID },
  { "number/minus-zero-double", TEXT ("[-0.0]"), VALID },
  { "number/fraction", TEXT ("[1.5,-0.25,0.1,3.14159265358979]"), VALID },
  { "number/integral-double", TEXT ("[1.0,100.000]"), VALID },
  { "number/exponents", TEXT ("[1e5,1E5,1e+5,1e-5,-1.5E-3,0e0,123.456e78]"), VALID },
  { "number/int64-max", TEXT ("[9223372036854775807]"), VALID },
  { "number/int64-min", TEXT ("[-9223372036854775808]"), VALID },
  { "number/long-fraction", TEXT ("[1.00000000000000000000001,0.30000000000000004]"), VALID },
  { "number/many-digits-double", TEXT ("[123456789012345678901234567890.5]"), VALID },
  { "number/double-extremes", TEXT ("[1.7976931348623157e308,2.2250738585072014e-308,4.9e-324]"), VALID },
  { "number/overflow-to-infinity", TEXT ("[1e400,-1e400]"), VALID },
  { "number/underflow-to-zero", TEXT ("[1e-400]"), VALID },
  { "number/huge-exponent", TEXT ("[1e99999999999999999999]"), VALID },
  { "number/fast-path-edges", TEXT ("[9007199254740993.0,9007199254740992e22,1e22,1e23,1e-22,1e-23]"), VALID },
  { "number/snowflake-like", TEXT ("[1234567890123456789,-987654321098765432]"), VALID },
  { "number/leading-zero", TEXT ("[01]"), STRICTER },
  { "number/minus-leading-zero", TEXT ("[-01]"), STRICTER },
  { "number/leading-dot", TEXT ("[.5]"), STRICTER },
  { "number/trailing-dot", TEXT ("[1.]"), STRICTER },
  { "number/hex", TEXT ("[0x10]"), STRICTER },
  { "number/plus", TEXT ("[+1]"), INVALID },
  { "number/minus-only", TEXT ("[-]"), INVALID },
  { "number/double-minus", TEXT ("[--1]"), INVALID },
  { "number/empty-exponent", TEXT ("[1e]"), INVALID },
  { "number/signed-empty-exponent", TEXT ("[1e+]"), INVALID },
  { "number/double-exponent", TEXT ("[1e5e5]"), INVALID },
  { "number/two-dots", TEXT ("[1.5.3]"), INVALID },
  { "number/nan", TEXT ("[NaN]"), INVALID },
  { "number/infinity", TEXT ("[Infinity]"), INVALID },
  /* Literals */
  { "literal/all", TEXT ("[true,false,null]"), VALID },
  { "literal/upper-case", TEXT ("[TRUE]"), INVALID },
  { "literal/short", TEXT ("[tru]"), INVALID },
  { "literal/short-at-end", TEXT ("nul"), INVALID },
  { "literal/long", TEXT ("[truex]"), INVALID },
  { "literal/two", TEXT ("[true false]"), INVALID },
  /* Strings and escapes */
  { "string/empty", TEXT ("[\"\"]"), VALID },
  { "string/simple-escapes", TEXT ("[\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"]"), VALID },
  { "string/unicode-escapes", TEXT ("[\"\\u0041\\u00e9\\u00E9\\u20ac\\uffff\\u2028\"]"), VALID },
  { "string/surrogate-pair", TEXT ("[\"\\ud83d\\ude00 \\uD834\\uDD1E\"]"), VALID },
  { "string/escaped-controls", TEXT ("[\"\\u0001\\u001f\\u007f\"]"), VALID },
  { "string/nul-escape", TEXT ("[\"a\\u0000b\"]"), VALID },
  { "string/nul-escape-only", TEXT ("[\"\\u0000\"]"), VALID },
  { "string/escape-at-ends", TEXT ("[\"\\n\",\"\\nx\",\"x\\n\",\"\\n\\n\"]"), VALID },
  { "string/long-escaped", TEXT ("[\"aaaaaaaaaaaaaaaa\\taaaaaaaaaaaaaaaaa\\u00e9aaaaaaaaaaaaaa\\\"\"]"), VALID },
  { "string/high-surrogate-alone", TEXT ("[\"\\ud800\"]"), INVALID },
  { "string/low-surrogate-alone", TEXT ("[\"\\udc00\"]"), INVALID },
  { "string/surrogates-reversed", TEXT ("[\"\\ude00\\ud83d\"]"), INVALID },
  { "string/high-then-letter", TEXT ("[\"\\ud83dx\"]"), STRICTER },
  { "string/high-then-escape", TEXT ("[\"\\ud83d\\n\"]"), STRICTER },
  { "string/high-then-bmp", TEXT ("[\"\\ud83d\\u0041\"]"), INVALID },
  { "string/high-then-high", TEXT ("[\"\\ud83d\\ud83d\"]"), INVALID },
  { "string/short-unicode", TEXT ("[\"\\u12\"]"), INVALID },
  { "string/bad-hex", TEXT ("[\"\\uZZZZ\"]"), STRICTER },
  { "string/upper-u", TEXT ("[\"\\U0041\"]"), STRICTER },
  { "string/unknown-escape", TEXT ("[\"\\x\"]"), STRICTER },
  { "string/escaped-quote-mark", TEXT ("[\"\\'\"]"), STRICTER },
  { "string/single-quotes", TEXT ("['a']"), STRICTER },
  { "string/raw-newline", TEXT ("[\"a\nb\"]"), STRICTER },
  { "string/raw-tab", TEXT ("[\"a\tb\"]"), STRICTER },
  { "string/raw-control", TEXT ("[\"a\x01" "b\"]"), STRICTER },
  { "string/raw-unit-separator", TEXT ("[\"a\x1f" "b\"]"), STRICTER },
  { "string/raw-delete", TEXT ("[\"a\x7f" "b\"]"), VALID },
  { "string/raw-nul", TEXT ("[\"a\0b\"]"), INVALID },
  { "string/unterminated", TEXT ("[\"abc"), INVALID },
  { "string/unterminated-escape", TEXT ("[\"abc\\"), INVALID },
  { "string/backslash-at-end", TEXT ("\"\\"), INVALID },
  /* UTF-8 */
  { "utf8/two-three-four-bytes", TEXT ("[\"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"]"), VALID },
  { "utf8/boundaries", TEXT ("[\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"]"), VALID },
  { "utf8/noncharacters", TEXT ("[\"\xef\xbf\xbe\xef\xbf\xbf\"]"), VALID },
  { "utf8/line-separator", TEXT ("\"\xe2\x80\xa8\""), VALID },
  { "utf8/truncated-two", TEXT ("[\"\xc3\"]"), INVALID },
  { "utf8/truncated-three", TEXT ("[\"\xe2\x82\"]"), INVALID },
  { "utf8/lone-continuation", TEXT ("[\"\x80\"]"), INVALID },
  { "utf8/invalid-byte", TEXT ("[\"\xff\"]"), INVALID },
  { "utf8/overlong-nul", TEXT ("[\"\xc0\x80\"]"), INVALID },
  { "utf8/overlong-two", TEXT ("[\"\xc1\xbf\"]"), INVALID },
  { "utf8/overlong-three", TEXT ("[\"\xe0\x9f\xbf\"]"), INVALID },
  { "utf8/overlong-four", TEXT ("[\"\xf0\x8f\xbf\xbf\"]"), INVALID },
  { "utf8/surrogate", TEXT ("[\"\xed\xa0\x80\"]"), INVALID },
  { "utf8/past-max", TEXT ("[\"\xf4\x90\x80\x80\"]"), INVALID },
  { "utf8/five-bytes", TEXT ("[\"\xf8\x88\x80\x80\x80\"]"), INVALID },
  { "utf8/outside-string", TEXT ("[1]\xff"), INVALID },
  { "utf8/truncated-at-end", TEXT ("\"\xf0\x9f\x98"), INVALID },
  /* Comments, which json-glib skips */
  { "comment/before", TEXT ("/*c*/[1]"), STRICTER },
  { "comment/inside", TEXT ("[/*c*/1]"), STRICTER },
  { "comment/after", TEXT ("[1]/*c*/"), STRICTER },
  { "comment/line", TEXT ("[1]//c"), INVALID },
  { "comment/hash", TEXT ("#x"), INVALID },
};

static void
test_case (gconstpointer data)
{
  guint i = GPOINTER_TO_UINT (data);
  gboolean accepted;
  g_autofree char *difference = doc_check_document (cases[i].text, cases[i].length, &accepted);

  if (difference != NULL)
    g_error ("%s", difference);
  g_assert_cmpint (accepted, ==, cases[i].expect == VALID);
}

/* That json-glib 1.6 takes each case as listed. json-glib leaks on the
 * texts it rejects, so this runs in a subprocess, which valgrind does not
 * follow, and which leaves with _exit() before LeakSanitizer looks. */
static void
test_json_glib_verdicts (void)
{
  if (g_test_subprocess ())
    {
      for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
        {
          g_autoptr(JsonNode) root = doc_check_glib_parse (cases[i].text, cases[i].length);

          if ((root != NULL) != (cases[i].expect != INVALID))
            g_error ("json-glib %s %s", root ? "accepts" : "rejects", cases[i].name);
        }
      _exit (0);
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* Parses @text, which must be valid. */
static DGatewayValue *
parse (const char *text,
       char      **copy)
{
  g_autoptr(GError) error = NULL;
  DGatewayValue *tape;

  *copy = g_strdup (text);
  tape = dgateway_json_parse (*copy, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_nonnull (tape);
  return tape;
}

static char *
parse_error (const char *text)
{
  g_autofree char *copy = g_strdup (text);
  g_autoptr(GError) error = NULL;
  g_autofree DGatewayValue *tape = dgateway_json_parse (copy, strlen (text), &error);

  g_assert_null (tape);
  g_assert_error (error, DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL);
  return g_strdup (error->message);
}

/* Integers in range are integers, the rest doubles: json-glib would wrap
 * 2^63 around to -2^63. */
static void
test_number_types (void)
{
  g_autofree char *text = NULL;
  g_autofree DGatewayValue *tape =
    parse ("[0,-0,1.0,1e2,9223372036854775807,-9223372036854775808,"
           "9223372036854775808,-9223372036854775809,1e400,-0.0,0.1]", &text);
  static const struct
  {
    DGatewayValueType type;
    double value;
  } expected[] = {
    { DGATEWAY_VALUE_INT, 0 },
    { DGATEWAY_VALUE_INT, 0 },
    { DGATEWAY_VALUE_DOUBLE, 1 },
    { DGATEWAY_VALUE_DOUBLE, 100 },
    { DGATEWAY_VALUE_INT, 9223372036854775807.0 },
    { DGATEWAY_VALUE_INT, -9223372036854775808.0 },
    { DGATEWAY_VALUE_DOUBLE, 9223372036854775808.0 },
    { DGATEWAY_VALUE_DOUBLE, -9223372036854775809.0 },
    { DGATEWAY_VALUE_DOUBLE, INFINITY },
    { DGATEWAY_VALUE_DOUBLE, -0.0 },
    { DGATEWAY_VALUE_DOUBLE, 0.1 },
  };

  g_assert_cmpuint (dgateway_value_get_length (tape), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      const DGatewayValue *element = dgateway_value_get_element (tape, i);

      g_assert_cmpint (dgateway_value_get_value_type (element), ==, expected[i].type);
      g_assert_cmpfloat (dgateway_value_get_double (element, 7), ==, expected[i].value);
    }

  g_assert_cmpint (dgateway_value_get_int (dgateway_value_get_element (tape, 4), 0), ==, G_MAXINT64);
  g_assert_cmpint (dgateway_value_get_int (dgateway_value_get_element (tape, 5), 0), ==, G_MININT64);
  g_assert_true (signbit (dgateway_value_get_double (dgateway_value_get_element (tape, 9), 7)));
}

static void
test_strings (void)
{
  g_autofree char *text = NULL;
  g_autofree DGatewayValue *tape =
    parse ("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\",\"\\u00e9\\ud83d\\ude00\",\"a\\u0000b\",\"\xc3\xa9\"]",
           &text);

  g_assert_cmpstr (dgateway_value_get_string (dgateway_value_get_element (tape, 0)), ==,
                   "\"\\/\b\f\n\r\t");
  g_assert_cmpstr (dgateway_value_get_string (dgateway_value_get_element (tape, 1)), ==,
                   "\xc3\xa9\xf0\x9f\x98\x80");
  /* C strings end at U+0000, as in json-glib. */
  g_assert_cmpstr (dgateway_value_get_string (dgateway_value_get_element (tape, 2)), ==, "a");
  g_assert_cmpuint (dgateway_value_get_element (tape, 2)->length, ==, 1);
  g_assert_cmpstr (dgateway_value_get_string (dgateway_value_get_element (tape, 3)), ==, "\xc3\xa9");
}

/* The last of members with the same name wins, as in json-glib. */
static void
test_duplicates (void)
{
  g_autofree char *text = NULL;
  g_autofree DGatewayValue *tape =
    parse ("{\"a\":1,\"b\":2,\"a\":3,\"\\u0062\":4,\"c\":{\"a\":5,\"a\":6}}", &text);
  g_autoptr(GString) written = g_string_new (NULL);

  g_assert_cmpint (dgateway_value_get_member_int (tape, "a", 0), ==, 3);
  g_assert_cmpint (dgateway_value_get_member_int (tape, "b", 0), ==, 4);
  g_assert_cmpint (dgateway_value_get_member_int (dgateway_value_get_member (tape, "c"), "a", 0),
                   ==, 6);

  /* The text written from the document has no duplicates left. */
  dgateway_json_write (tape, written);
  g_assert_cmpstr (written->str, ==, "{\"a\":3,\"b\":4,\"c\":{\"a\":6}}");
}

/* Keys are compared by bytes, case and all; and never match past the
 * object they belong to. */
static void
test_member_lookup (void)
{
  g_autofree char *text = NULL;
  g_autofree DGatewayValue *tape =
    parse ("{\"id\":\"1\",\"nested\":{\"deep\":true},\"ID\":\"2\",\"\":0,\"i\":3}", &text);

  g_assert_cmpstr (dgateway_value_get_member_string (tape, "id"), ==, "1");
  g_assert_cmpstr (dgateway_value_get_member_string (tape, "ID"), ==, "2");
  g_assert_cmpint (dgateway_value_get_member_int (tape, "", 7), ==, 0);
  g_assert_cmpint (dgateway_value_get_member_int (tape, "i", 7), ==, 3);
  g_assert_null (dgateway_value_get_member (tape, "deep"));
  g_assert_null (dgateway_value_get_member (tape, NULL));
  g_assert_true (dgateway_value_get_bool (dgateway_value_get_member (dgateway_value_get_member (tape, "nested"),
                                                                      "deep"), FALSE));
}

/* Long arrays of containers get an index, short ones and arrays of
 * scalars are walked or computed: all three find the same elements. */
static void
test_array_access (void)
{
  for (guint length = 0; length < 40; length += 3)
    {
      g_autoptr(GString) json = g_string_new ("{\"objects\":[");
      g_autofree char *text = NULL;
      g_autofree DGatewayValue *tape = NULL;
      const DGatewayValue *objects, *numbers;

      for (guint i = 0; i < length; i++)
        g_string_append_printf (json, "%s{\"i\":%u,\"pad\":[%u,{}]}", i ? "," : "", i, i);
      g_string_append (json, "],\"numbers\":[");
      for (guint i = 0; i < length; i++)
        g_string_append_printf (json, "%s%u", i ? "," : "", i * 10);
      g_string_append (json, "],\"after\":true}");

      tape = parse (json->str, &text);
      objects = dgateway_value_get_member (tape, "objects");
      numbers = dgateway_value_get_member (tape, "numbers");
      g_assert_cmpuint (dgateway_value_get_length (objects), ==, length);
      g_assert_cmpuint (dgateway_value_get_length (numbers), ==, length);
      for (guint i = 0; i < length; i++)
        {
          g_assert_cmpint (dgateway_value_get_member_int (dgateway_value_get_element (objects, i), "i", -1),
                           ==, i);
          g_assert_cmpint (dgateway_value_get_int (dgateway_value_get_element (numbers, i), -1), ==, i * 10);
        }
      g_assert_null (dgateway_value_get_element (objects, length));
      g_assert_null (dgateway_value_get_element (numbers, length));
      /* The index does not hide the members after the array. */
      g_assert_true (dgateway_value_get_bool (dgateway_value_get_member (tape, "after"), FALSE));
    }
}

static char *
nested (guint depth)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < depth; i++)
    g_string_append (text, i % 2 ? "{\"a\":" : "[");
  g_string_append (text, "1");
  for (guint i = depth; i > 0; i--)
    g_string_append (text, (i - 1) % 2 ? "}" : "]");
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
test_depth (void)
{
  g_autofree char *deepest = nested (DGATEWAY_JSON_MAX_DEPTH);
  g_autofree char *too_deep = nested (DGATEWAY_JSON_MAX_DEPTH + 1);
  g_autofree char *very_deep = nested (100000);
  g_autofree char *copy = NULL;
  g_autofree DGatewayValue *tape = parse (deepest, &copy);
  g_autofree char *message = parse_error (too_deep);
  g_autofree char *very_deep_message = parse_error (very_deep);

  g_assert_nonnull (strstr (message, "nesting too deep"));
  g_assert_nonnull (strstr (very_deep_message, "nesting too deep"));
}

/* Messages say what went wrong and at which byte. */
static void
test_error_messages (void)
{
  static const struct
  {
    const char *text;
    const char *message;
  } errors[] = {
    { "[1,]", "expected a value at byte 3" },
    { "{\"a\" 1}", "expected ‘:’ at byte 5" },
    { "{\"a\":1,}", "expected a member name at byte 7" },
    { "[1 2]", "expected ‘,’ or ‘]’ at byte 3" },
    { "{\"a\":1 2}", "expected ‘,’ or ‘}’ at byte 7" },
    { "[\"a\\x\"]", "invalid escape sequence at byte 3" },
    { "[\"\\ud800\"]", "unpaired surrogate in a \\u escape at byte 2" },
    { "[\"\\u12\"]", "invalid \\u escape at byte 2" },
    { "[\"\xff\"]", "invalid UTF-8 at byte 2" },
    { "[\"a\nb\"]", "unescaped control character in a string at byte 3" },
    { "[01]", "expected ‘,’ or ‘]’ at byte 2" },
    { "[1.]", "invalid number at byte 3" },
    { "[1]x", "unexpected data after the value at byte 3" },
    { "{\"a\":[1,2", "the text ends too early at byte 9" },
    { "", "the text ends too early at byte 0" },
    { "[\"abc", "the text ends too early at byte 5" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (errors); i++)
    {
      g_autofree char *message = parse_error (errors[i].text);
      g_autofree char *escaped = g_strescape (errors[i].text, NULL);

      g_test_message ("%s: %s", escaped, message);
      g_assert_cmpstr (message, ==, errors[i].message);
    }
}

/* The text written from the document: compact, escaped for any JSON
 * parser, shortest doubles that read back the same. */
static void
test_write (void)
{
  static const struct
  {
    const char *in;
    const char *out;
  } cases_[] = {
    { " { \"a\" : [ 1 , 2.5 , \"x\" ] , \"b\" : null } ", "{\"a\":[1,2.5,\"x\"],\"b\":null}" },
    { "[0.1,1.0,1e20,-0.0,1e400,-1e400,5e-324,0.30000000000000004]",
      "[0.1,1.0,1e+20,-0.0,1e999,-1e999,4.94065645841247e-324,0.30000000000000004]" },
    { "[\"\\u0001\\u001f\\b\\f\\n\\r\\t\\\"\\\\\\/\\u007f\\u2028\"]",
      "[\"\\u0001\\u001f\\b\\f\\n\\r\\t\\\"\\\\/\x7f\xe2\x80\xa8\"]" },
    { "[true,false,null,-9223372036854775808]", "[true,false,null,-9223372036854775808]" },
    { "{}", "{}" },
    { "[]", "[]" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases_); i++)
    {
      g_autofree char *copy = NULL;
      g_autofree DGatewayValue *tape = parse (cases_[i].in, &copy);
      g_autoptr(GString) out = g_string_new (NULL);

      dgateway_json_write (tape, out);
      g_assert_cmpstr (out->str, ==, cases_[i].out);
    }
}

/* Materialised nodes are sealed, as json-glib's immutable parser seals
 * its own, and each call makes a new one. */
static void
test_json_node (void)
{
  g_autofree char *copy = NULL;
  g_autofree DGatewayValue *tape = parse ("{\"a\":[1,{\"b\":\"c\"}]}", &copy);
  g_autoptr(JsonNode) first = dgateway_value_to_json_node (tape);
  g_autoptr(JsonNode) second = dgateway_value_to_json_node (tape);

  g_assert_true (json_node_is_immutable (first));
  g_assert_true (first != second);
  g_assert_true (json_node_equal (first, second));
}

/* The payload's data node is made once, whichever thread asks first. */
static gpointer
data_node_thread (gpointer data)
{
  return dgateway_payload_get_data_node (data);
}

static void
test_data_node_once (void)
{
  static const char text[] = "{\"op\":0,\"s\":1,\"t\":\"X\",\"d\":{\"a\":[1,2,3]}}";

  for (guint round = 0; round < 20; round++)
    {
      g_autoptr(DGatewayPayload) payload = dgateway_payload_parse (text, strlen (text), NULL);
      GThread *threads[4];
      gpointer nodes[G_N_ELEMENTS (threads)];

      for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
        threads[i] = g_thread_new ("data-node", data_node_thread, payload);
      for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
        nodes[i] = g_thread_join (threads[i]);

      for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
        g_assert_true (nodes[i] == dgateway_payload_get_data_node (payload));
    }
}

/* Whatever the order of the envelope's members and however large `d`. */
static void
test_envelope_order (void)
{
  g_autofree char *d = nested (40);
  static const char *orders[] = {
    "{\"op\":0,\"s\":7,\"t\":\"E\",\"d\":%s}",
    "{\"d\":%s,\"t\":\"E\",\"s\":7,\"op\":0}",
    "{\"t\":\"E\",\"d\":%s,\"op\":0,\"x\":[{\"op\":1}],\"s\":7}",
    "{\"op\":5,\"s\":1,\"t\":\"F\",\"d\":%s,\"op\":0,\"s\":7,\"t\":\"E\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (orders); i++)
    {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
      g_autofree char *text = g_strdup_printf (orders[i], d);
#pragma GCC diagnostic pop
      g_autoptr(DGatewayPayload) payload = dgateway_payload_parse (text, strlen (text), NULL);

      g_assert_nonnull (payload);
      g_assert_cmpint (dgateway_payload_get_op (payload), ==, 0);
      g_assert_cmpint (dgateway_payload_get_seq (payload), ==, 7);
      g_assert_cmpstr (dgateway_payload_get_name (payload), ==, "E");
      g_assert_cmpint (dgateway_value_get_value_type (dgateway_payload_get_data (payload)), ==,
                       DGATEWAY_VALUE_ARRAY);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/dgateway/document/conformance/%s", cases[i].name);

      g_test_add_data_func (path, GUINT_TO_POINTER (i), test_case);
    }
  g_test_add_func ("/dgateway/document/json-glib-verdicts", test_json_glib_verdicts);
  g_test_add_func ("/dgateway/document/number-types", test_number_types);
  g_test_add_func ("/dgateway/document/strings", test_strings);
  g_test_add_func ("/dgateway/document/duplicates", test_duplicates);
  g_test_add_func ("/dgateway/document/member-lookup", test_member_lookup);
  g_test_add_func ("/dgateway/document/array-access", test_array_access);
  g_test_add_func ("/dgateway/document/depth", test_depth);
  g_test_add_func ("/dgateway/document/error-messages", test_error_messages);
  g_test_add_func ("/dgateway/document/write", test_write);
  g_test_add_func ("/dgateway/document/json-node", test_json_node);
  g_test_add_func ("/dgateway/document/data-node-once", test_data_node_once);
  g_test_add_func ("/dgateway/document/envelope-order", test_envelope_order);

  return g_test_run ();
}
