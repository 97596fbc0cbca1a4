/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "dgateway-error.h"
#include "dgateway-etf-private.h"

/*
 * The ETF codec (dgateway-etf.c) against terms written by Erlang itself
 * and by discord/erlpack (tests/etf/, see README.md there): every fixture
 * NAME.etf must read as the document that NAME.json reads as, every
 * bad-NAME.etf must be an error, every prefix of a fixture too, and what
 * the writers make must read back as what they were given.
 */

/* Helpers */

static char *
fixture_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "etf", name, NULL);
}

static GBytes *
load_fixture (const char *name)
{
  g_autofree char *path = fixture_path (name);
  g_autoptr(GError) error = NULL;
  char *contents;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, &error))
    g_error ("%s", error->message);
  return g_bytes_new_take (contents, length);
}

/* A document read from ETF, with its strings. */
typedef struct
{
  DGatewayValue *tape;
  char *strings;
  char *spill;
} Doc;

static void
doc_clear (Doc *doc)
{
  g_clear_pointer (&doc->tape, g_free);
  g_clear_pointer (&doc->strings, g_free);
  g_clear_pointer (&doc->spill, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Doc, doc_clear)

/* Reads @length bytes of ETF from a copy of exactly that size, so that
 * valgrind sees any read past the end. */
static gboolean
doc_read (Doc           *doc,
          const guint8  *data,
          gsize          length,
          GError       **error)
{
  g_autofree guint8 *copy = g_memdup2 (data, length);

  doc->strings = g_malloc (length + 1);
  doc->tape = dgateway_etf_parse (copy, length, doc->strings, length + 1, &doc->spill, error);
  if (doc->tape == NULL)
    g_assert_null (doc->spill);
  return doc->tape != NULL;
}

static char *
write_json (const DGatewayValue *value)
{
  GString *out = g_string_new (NULL);

  dgateway_json_write (value, out);
  return g_string_free (out, FALSE);
}

/* @text read by the JSON reader, then written. */
static char *
json_reading (const char *text,
              gsize       length)
{
  g_autofree char *copy = g_strndup (text, length);
  g_autoptr(GError) error = NULL;
  g_autofree DGatewayValue *tape = dgateway_json_parse (copy, length, &error);

  g_assert_no_error (error);
  return write_json (tape);
}

/* @data read by the ETF reader, then written as JSON. */
static char *
etf_reading (const guint8 *data,
             gsize         length)
{
  g_auto(Doc) doc = { 0 };
  g_autoptr(GError) error = NULL;

  doc_read (&doc, data, length, &error);
  g_assert_no_error (error);
  return write_json (doc.tape);
}

static void
assert_rejected (const guint8 *data,
                 gsize         length,
                 const char   *message)
{
  g_auto(Doc) doc = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_false (doc_read (&doc, data, length, &error));
  g_assert_error (error, DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL);
  if (message != NULL && strstr (error->message, message) == NULL)
    g_error ("expected “%s” in “%s”", message, error->message);
}

#define ETF(s) (const guint8 *) s, sizeof (s) - 1

/* Fixtures */

/* NAME.etf reads as NAME.json does, from the reader and through the
 * payload when it is one; its ETF rewritten from the document reads the
 * same again. */
static void
test_fixture (gconstpointer data)
{
  const char *name = data;
  g_autofree char *etf_name = g_strconcat (name, ".etf", NULL);
  g_autofree char *json_name = g_strconcat (name, ".json", NULL);
  g_autoptr(GBytes) etf = load_fixture (etf_name);
  g_autoptr(GBytes) json = load_fixture (json_name);
  gsize etf_length, json_length;
  const guint8 *etf_data = g_bytes_get_data (etf, &etf_length);
  const char *json_text = g_bytes_get_data (json, &json_length);
  g_autofree char *expected = json_reading (json_text, json_length);
  g_autofree char *ours = etf_reading (etf_data, etf_length);
  g_autoptr(DGatewayPayload) from_json = dgateway_payload_parse (json_text, json_length, NULL);

  g_assert_cmpstr (ours, ==, expected);

  if (from_json != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DGatewayPayload) from_etf = dgateway_payload_parse_etf (etf_data, etf_length, &error);
      g_autofree char *data_json = NULL, *data_etf = NULL;

      g_assert_no_error (error);
      g_assert_cmpint (dgateway_payload_get_op (from_etf), ==, dgateway_payload_get_op (from_json));
      g_assert_cmpint (dgateway_payload_get_seq (from_etf), ==, dgateway_payload_get_seq (from_json));
      g_assert_cmpstr (dgateway_payload_get_name (from_etf), ==, dgateway_payload_get_name (from_json));
      data_json = dgateway_payload_dup_data_json (from_json);
      data_etf = dgateway_payload_dup_data_json (from_etf);
      g_assert_cmpstr (data_etf, ==, data_json);
      g_assert_true (json_node_equal (dgateway_payload_get_data_node (from_etf),
                                      dgateway_payload_get_data_node (from_json)));
    }

  {
    g_auto(Doc) doc = { 0 };
    g_autoptr(GByteArray) rewritten = g_byte_array_new ();
    g_autoptr(GError) error = NULL;
    g_autofree char *again = NULL;

    g_assert_true (doc_read (&doc, etf_data, etf_length, NULL));
    g_assert_true (dgateway_etf_write_value (doc.tape, DGATEWAY_ETF_WRITE_SNOWFLAKES_AS_INTEGERS,
                                             rewritten, &error));
    g_assert_no_error (error);
    again = etf_reading (rewritten->data, rewritten->len);
    g_assert_cmpstr (again, ==, expected);
  }
}

/* Every proper prefix of a fixture is an error: a term says where it
 * ends. Past 2 KiB, every 61st prefix. */
static void
test_fixture_prefixes (gconstpointer data)
{
  const char *name = data;
  g_autofree char *etf_name = g_strconcat (name, ".etf", NULL);
  g_autoptr(GBytes) etf = load_fixture (etf_name);
  gsize length;
  const guint8 *bytes = g_bytes_get_data (etf, &length);

  for (gsize n = 0; n < length; n += n < 2048 ? 1 : 61)
    assert_rejected (bytes, n, NULL);
}

static void
test_bad_fixture (gconstpointer data)
{
  const char *name = data;
  g_autofree char *etf_name = g_strconcat (name, ".etf", NULL);
  g_autoptr(GBytes) etf = load_fixture (etf_name);
  gsize length;
  const guint8 *bytes = g_bytes_get_data (etf, &length);

  assert_rejected (bytes, length, NULL);
}

/* command-NAME.json written by dgateway_etf_serialize_command() is the
 * very bytes that erlpack wrote for it. */
static void
test_command (gconstpointer data)
{
  const char *name = data;
  g_autofree char *etf_name = g_strconcat (name, ".etf", NULL);
  g_autofree char *json_name = g_strconcat (name, ".json", NULL);
  g_autoptr(GBytes) expected = load_fixture (etf_name);
  g_autoptr(GBytes) json = load_fixture (json_name);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = json_from_string (g_bytes_get_data (json, NULL), &error);
  JsonObject *object;
  g_autoptr(GBytes) ours = NULL;

  g_assert_no_error (error);
  object = json_node_get_object (root);
  ours = dgateway_etf_serialize_command (json_object_get_int_member (object, "op"),
                                         json_object_get_member (object, "d"), &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (ours, NULL), g_bytes_get_size (ours),
                   g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
}

/* Hand-written terms */

static void
test_atoms (void)
{
  g_autofree char *small = NULL, *latin1 = NULL, *utf8 = NULL;

  /* SMALL_ATOM_EXT, ATOM_EXT and SMALL_ATOM_UTF8_EXT, ATOM_UTF8_EXT. */
  small = etf_reading (ETF ("\x83\x6c\0\0\0\x04" "s\x03nil" "s\x04true" "s\x05" "false" "s\x02ok" "j"));
  g_assert_cmpstr (small, ==, "[null,true,false,\"ok\"]");
  latin1 = etf_reading (ETF ("\x83\x6c\0\0\0\x02" "d\0\x03\xe9t\xe9" "s\x02\xff\x41" "j"));
  g_assert_cmpstr (latin1, ==, "[\"\xc3\xa9t\xc3\xa9\",\"\xc3\xbf" "A\"]");
  utf8 = etf_reading (ETF ("\x83\x6c\0\0\0\x02" "w\x02\xc3\xa9" "v\0\x04null" "j"));
  g_assert_cmpstr (utf8, ==, "[\"\xc3\xa9\",null]");

  assert_rejected (ETF ("\x83w\x01\xe9"), "invalid UTF-8");
  assert_rejected (ETF ("\x83v\0\x02\xc0\x80"), "invalid UTF-8");
  assert_rejected (ETF ("\x83s\x05" "abc"), "ends too early");
}

static void
test_integers (void)
{
  g_autofree char *small = NULL, *bigs = NULL;

  small = etf_reading (ETF ("\x83l\0\0\0\x03" "a\xff" "b\xff\xff\xff\xff" "b\x80\0\0\0" "j"));
  g_assert_cmpstr (small, ==, "[255,-1,-2147483648]");

  /* Non-canonical big integers read by value: leading zero bytes, a
   * negative zero; past 2^32 a decimal string. */
  bigs = etf_reading (ETF ("\x83l\0\0\0\x05"
                           "n\x08\0\x05\0\0\0\0\0\0\0"
                           "n\x00\x01"
                           "o\0\0\0\x04\x01\xff\xff\xff\xff"
                           "n\x05\0\0\0\0\0\x01"
                           "n\x08\x01\xff\xff\xff\xff\xff\xff\xff\xff"
                           "j"));
  g_assert_cmpstr (bigs, ==, "[5,0,-4294967295,\"4294967296\",\"-18446744073709551615\"]");

  assert_rejected (ETF ("\x83n\x01\x02\x05"), "invalid integer sign");
  assert_rejected (ETF ("\x83n\x08\0\x01\x02"), "ends too early");
  assert_rejected (ETF ("\x83o\xff\xff\xff\xff\0"), "ends too early");
}

/* Snowflakes read as the strings JSON has, and typed getters still read
 * them as numbers; JSON's own strings do not. */
static void
test_snowflakes (void)
{
  g_autoptr(GError) error = NULL;
  /* {"op":0,"d":{"id":175928847299117063,"ms":1714557630456,"n":2^64}} */
  static const guint8 payload[] =
    "\x83t\0\0\0\x02" "m\0\0\0\x02op" "a\0" "m\0\0\0\x01" "d"
    "t\0\0\0\x03"
    "m\0\0\0\x02id" "n\x08\0\x07\0\x02\xc1\x5a\x06\x71\x02"
    "m\0\0\0\x02ms" "n\x06\0\xf8\x37\x99\x33\x8f\x01"
    "m\0\0\0\x01n" "n\x09\0\0\0\0\0\0\0\0\0\x01";
  g_autoptr(DGatewayPayload) etf = dgateway_payload_parse_etf (payload, sizeof payload - 1, &error);
  g_autoptr(DGatewayPayload) json = NULL;
  const DGatewayValue *d;
  const char *text = "{\"op\":0,\"d\":{\"id\":\"175928847299117063\"}}";

  g_assert_no_error (error);
  d = dgateway_payload_get_data (etf);
  g_assert_cmpstr (dgateway_value_get_member_string (d, "id"), ==, "175928847299117063");
  g_assert_cmpint (dgateway_value_get_member_int (d, "id", -1), ==, 175928847299117063);
  g_assert_cmpstr (dgateway_value_get_member_string (d, "ms"), ==, "1714557630456");
  g_assert_cmpint (dgateway_value_get_member_int (d, "ms", -1), ==, 1714557630456);
  g_assert_cmpfloat (dgateway_value_get_double (dgateway_value_get_member (d, "ms"), -1), ==, 1714557630456.0);
  g_assert_cmpstr (dgateway_value_get_member_string (d, "n"), ==, "18446744073709551616");
  g_assert_cmpint (dgateway_value_get_member_int (d, "n", -1), ==, -1);

  json = dgateway_payload_parse (text, strlen (text), &error);
  g_assert_no_error (error);
  d = dgateway_payload_get_data (json);
  g_assert_cmpint (dgateway_value_get_member_int (d, "id", -1), ==, -1);
  g_assert_cmpfloat (dgateway_value_get_double (dgateway_value_get_member (d, "id"), -1), ==, -1);
}

static void
test_floats (void)
{
  g_autofree char *old = NULL;

  old = etf_reading (ETF ("\x83" "c" "1.50000000000000000000e+00\0\0\0\0\0"));
  g_assert_cmpstr (old, ==, "1.5");

  assert_rejected (ETF ("\x83" "F\x7f\xf0\0\0\0\0\0\0"), "not a finite number");
  assert_rejected (ETF ("\x83" "F\x7f\xf8\0\0\0\0\0\x01"), "not a finite number");
  assert_rejected (ETF ("\x83" "c" "1.5x000000000000000000000000000"), "invalid float");
  assert_rejected (ETF ("\x83" "c" "inf\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"),
                   "invalid float");
}

static void
test_strings (void)
{
  g_autofree char *nul = NULL;
  g_auto(Doc) doc = { 0 };

  /* A binary stops at its first NUL, as "\u0000" does in JSON; the rest
   * must still be valid UTF-8. */
  nul = etf_reading (ETF ("\x83m\0\0\0\x03" "a\0b"));
  g_assert_cmpstr (nul, ==, "\"a\"");
  g_assert_true (doc_read (&doc, ETF ("\x83m\0\0\0\x03" "a\0b"), NULL));
  g_assert_cmpuint (doc.tape->length, ==, 1);
  assert_rejected (ETF ("\x83m\0\0\0\x03" "a\0\xff"), "invalid UTF-8");
  assert_rejected (ETF ("\x83m\0\0\0\x04" "\xf4\x90\x80\x80"), "invalid UTF-8");
  /* Short strings and the tails of long ones are checked byte by byte. */
  assert_rejected (ETF ("\x83m\0\0\0\x01" "\x80"), "invalid UTF-8");
  assert_rejected (ETF ("\x83m\0\0\0\x09" "01234567\x80"), "invalid UTF-8");
  assert_rejected (ETF ("\x83m\0\0\0\x08" "0123456\x80"), "invalid UTF-8");
  assert_rejected (ETF ("\x83m\0\0\0\x02" "\xc3"), "ends too early");
}

static void
test_containers (void)
{
  g_autofree char *string_ext = NULL, *tuples = NULL;

  string_ext = etf_reading (ETF ("\x83k\0\x03\x01\x02\xff"));
  g_assert_cmpstr (string_ext, ==, "[1,2,255]");
  tuples = etf_reading (ETF ("\x83h\x02" "a\x01" "i\0\0\0\x01" "j"));
  g_assert_cmpstr (tuples, ==, "[1,[[]]]");
  g_clear_pointer (&tuples, g_free);
  tuples = etf_reading (ETF ("\x83h\x02" "a\x01" "i\0\0\0\x01" "s\x03nil"));
  g_assert_cmpstr (tuples, ==, "[1,[null]]");

  assert_rejected (ETF ("\x83l\0\0\0\x01" "a\x01" "a\x02"), "improper list");
  assert_rejected (ETF ("\x83l\0\0\0\x01" "a\x01"), "ends too early");
  assert_rejected (ETF ("\x83l\xff\xff\xff\xff" "j"), "ends too early");
  assert_rejected (ETF ("\x83t\xff\xff\xff\xff" "j"), "ends too early");
  assert_rejected (ETF ("\x83t\0\0\0\x01" "a\x01" "a\x01"), "map keys must be");
  assert_rejected (ETF ("\x83t\0\0\0\x01" "j" "a\x01"), "map keys must be");
  assert_rejected (ETF ("\x83" "a\x01" "a\x01"), "unexpected data after the term");
}

/* Of two keys with the same name the last one counts, as in JSON. */
static void
test_duplicate_keys (void)
{
  static const guint8 term[] =
    "\x83t\0\0\0\x03" "m\0\0\0\x01" "a" "a\x01" "d\0\x01" "b" "a\x02" "s\x01" "a" "a\x03";
  g_auto(Doc) doc = { 0 };
  g_autofree char *ours = NULL, *expected = NULL;

  g_assert_true (doc_read (&doc, term, sizeof term - 1, NULL));
  g_assert_cmpint (dgateway_value_get_member_int (doc.tape, "a", -1), ==, 3);
  ours = write_json (doc.tape);
  expected = json_reading ("{\"a\":1,\"b\":2,\"a\":3}", 19);
  g_assert_cmpstr (ours, ==, expected);
  g_assert_cmpstr (ours, ==, "{\"b\":2,\"a\":3}");
}

/* Nesting: 64 levels of containers, as for JSON; 65 is an error. */
static void
test_depth (void)
{
  g_autoptr(GByteArray) term = g_byte_array_new ();
  static const guint8 version = 131, map1[] = { 't', 0, 0, 0, 1, 'm', 0, 0, 0, 1, 'k' };
  static const guint8 nil = 'j', list1[] = { 'l', 0, 0, 0, 1 };

  for (int levels = 63; levels <= 66; levels++)
    {
      g_auto(Doc) doc = { 0 };
      g_autoptr(GError) error = NULL;

      g_byte_array_set_size (term, 0);
      g_byte_array_append (term, &version, 1);
      for (int i = 0; i < levels - 1; i++)
        {
          if (i % 2)
            g_byte_array_append (term, map1, sizeof map1);
          else
            g_byte_array_append (term, list1, sizeof list1);
        }
      g_byte_array_append (term, &nil, 1);
      for (int i = 0; i < levels - 1; i++)
        {
          if (!(i % 2))
            g_byte_array_append (term, &nil, 1);
        }
      if (levels <= DGATEWAY_JSON_MAX_DEPTH)
        {
          g_assert_true (doc_read (&doc, term->data, term->len, &error));
          g_assert_no_error (error);
        }
      else
        assert_rejected (term->data, term->len, "nesting too deep");
    }
}

/* Only the tags of dgateway-etf-private.h are read. */
static void
test_tags (void)
{
  static const char known[] = { 70, 97, 98, 99, 100, 104, 105, 106, 107, 108, 109, 110, 111,
                                115, 116, 118, 119, 0 };

  for (guint tag = 0; tag < 256; tag++)
    {
      guint8 term[16] = { 131, tag };

      if (strchr (known, tag) == NULL || tag == 0)
        assert_rejected (term, sizeof term, tag == 80 ? "compressed" : "does not send");
    }

  assert_rejected (ETF ("\x82" "a\x01"), "version 131");
  assert_rejected (ETF (""), "ends too early");
}

/* Strings that take more room than their ETF go to the spill block. */
static void
test_spill (void)
{
  g_autoptr(GByteArray) term = g_byte_array_new ();
  static const guint8 head[] = { 131, 't', 0, 0, 0, 2, 'm', 0, 0, 0, 2, 'o', 'p', 'a', 0,
                                 'm', 0, 0, 0, 1, 'd', 'l', 0, 0, 0x03, 0xe8 };
  static const guint8 flake[] = { 'n', 8, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
  static const guint8 atom[] = { 's', 4, 0xe9, 0xe9, 0xe9, 0xe9 };
  static const guint8 nil = 'j';
  g_autoptr(DGatewayPayload) payload = NULL;
  g_autoptr(GError) error = NULL;
  const DGatewayValue *d;

  g_byte_array_append (term, head, sizeof head);
  for (guint i = 0; i < 1000; i++)
    {
      if (i % 2)
        g_byte_array_append (term, flake, sizeof flake);
      else
        g_byte_array_append (term, atom, sizeof atom);
    }
  g_byte_array_append (term, &nil, 1);

  payload = dgateway_payload_parse_etf (term->data, term->len, &error);
  g_assert_no_error (error);
  d = dgateway_payload_get_data (payload);
  g_assert_cmpuint (dgateway_value_get_length (d), ==, 1000);
  for (guint i = 0; i < 1000; i++)
    g_assert_cmpstr (dgateway_value_get_string (dgateway_value_get_element (d, i)), ==,
                     i % 2 ? "18446744073709551615" : "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
}

static void
test_payload_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DGatewayPayload) payload = NULL;

  payload = dgateway_payload_parse_etf (ETF ("\x83t\0\0\0\x01" "m\0\0\0\x01" "d" "s\x03nil"), &error);
  g_assert_null (payload);
  g_assert_error (error, DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "opcode"));
  g_clear_error (&error);

  payload = dgateway_payload_parse_etf (ETF ("\x83t\0\0\0\x01" "m\0\0\0\x02" "op"), &error);
  g_assert_null (payload);
  g_assert_error (error, DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "not valid ETF"));
}

/* The writers */

/* Each JSON text, and what it reads as once through ETF when that is not
 * itself: integers of 2^32 and more come back as their decimal strings
 * (dgateway-etf-private.h). */
static const struct
{
  const char *text;
  const char *etf_reading;
} round_trips[] = {
  { "{\"op\":2,\"d\":{\"token\":\"t\",\"intents\":513,\"shard\":[0,1]}}", NULL },
  { "{\"guild_id\":\"41771983423143937\",\"user_ids\":[\"175928847299117063\",\"1\"]}", NULL },
  { "[0,255,256,-1,-255,-256,2147483647,2147483648,-2147483648,-2147483649,4294967295,-4294967295]", NULL },
  { "[4294967296,9223372036854775807,-9223372036854775808]",
    "[\"4294967296\",\"9223372036854775807\",\"-9223372036854775808\"]" },
  { "[0.0,-0.0,1.5,1e300,-2.5e-300,5e-324,0.1]", NULL },
  { "[null,true,false,\"\",\"h\\u00e9llo \\ud83c\\udf89\",\"tab\\tquote\\\"\"]", NULL },
  { "[[],{},[[]],{\"\":{}},[{\"a\":[1,{\"b\":null}]}]]", NULL },
  { "{\"a\":1,\"b\":2,\"a\":3}", NULL },
  { "\"18446744073709551615\"", NULL },
  { "[\"4294967296\",\"4294967295\",\"-4294967296\",\"18446744073709551616\",\"0123456789012\","
    "\"-0\",\"+4294967296\",\" 4294967296\"]", NULL },
  { "[1,2,3,4,5,6,7,8,9,[10],{\"k\":11}]", NULL },
};

/* JSON → JsonNode → ETF → document is the JSON's document, and so is
 * JSON → document → ETF → document, with and without snowflakes as
 * integers and atom keys. */
static void
test_write_round_trip (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (round_trips); i++)
    {
      const char *text = round_trips[i].text;
      const char *reading = round_trips[i].etf_reading ? round_trips[i].etf_reading : text;
      g_autofree char *expected = json_reading (reading, strlen (reading));
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = json_from_string (text, &error);
      g_autoptr(GByteArray) out = g_byte_array_new ();
      g_autofree char *ours = NULL, *copy = g_strdup (text);
      g_autofree DGatewayValue *tape = dgateway_json_parse (copy, strlen (copy), &error);

      g_assert_no_error (error);
      /* json-glib keeps both members of the same name; ours does not. */
      if (strstr (text, "\"a\":3") == NULL)
        {
          g_assert_true (dgateway_etf_write_json_node (node, out, &error));
          g_assert_no_error (error);
          ours = etf_reading (out->data, out->len);
          g_assert_cmpstr (ours, ==, expected);
        }

      for (guint flags = 0; flags < 4; flags++)
        {
          g_autofree char *again = NULL;

          g_byte_array_set_size (out, 0);
          g_assert_true (dgateway_etf_write_value (tape, flags, out, &error));
          g_assert_no_error (error);
          again = etf_reading (out->data, out->len);
          g_assert_cmpstr (again, ==, expected);
        }
    }
}

/* Which strings become big integers, and how integers are written. */
static void
test_write_bytes (void)
{
  static const char text[] = "[\"175928847299117063\",\"4294967295\",300,-70000,-5000000000,{\"k\":null}]";
  static const guint8 expected[] =
    "\x83l\0\0\0\x06"
    "n\x08\0\x07\0\x02\xc1\x5a\x06\x71\x02"
    "m\0\0\0\x0a" "4294967295"
    "b\0\0\x01\x2c"
    "b\xff\xfe\xee\x90"
    "n\x05\x01\0\xf2\x05\x2a\x01"
    "t\0\0\0\x01" "w\x01k" "s\x03nil"
    "j";
  g_autofree char *copy = g_strdup (text);
  g_autofree DGatewayValue *tape = dgateway_json_parse (copy, strlen (copy), NULL);
  g_autoptr(GByteArray) out = g_byte_array_new ();

  g_assert_true (dgateway_etf_write_value (tape, DGATEWAY_ETF_WRITE_SNOWFLAKES_AS_INTEGERS
                                                 | DGATEWAY_ETF_WRITE_ATOM_KEYS, out, NULL));
  g_assert_cmpmem (out->data, out->len, expected, sizeof expected - 1);

  /* A missing value is nil. */
  g_byte_array_set_size (out, 0);
  g_assert_true (dgateway_etf_write_value (NULL, 0, out, NULL));
  g_assert_cmpmem (out->data, out->len, "\x83s\x03nil", 6);
}

static void
assert_write_fails (JsonNode   *node,
                    const char *message)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) command = NULL;

  g_assert_false (dgateway_etf_write_json_node (node, out, &error));
  g_assert_error (error, DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, message));
  g_clear_error (&error);

  command = dgateway_etf_serialize_command (3, node, &error);
  g_assert_null (command);
  g_assert_error (error, DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL);
}

static void
test_write_errors (void)
{
  g_autoptr(JsonNode) nan = json_node_init_double (json_node_alloc (), NAN);
  g_autoptr(JsonNode) inf = json_node_init_double (json_node_alloc (), -INFINITY);
  g_autoptr(JsonNode) bad = json_node_init_string (json_node_alloc (), "a\xff");
  g_autoptr(JsonNode) bad_key = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonNode) deep = json_node_new (JSON_NODE_ARRAY);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autofree char *copy = g_strdup ("[1e999]");
  g_autofree DGatewayValue *tape = dgateway_json_parse (copy, strlen (copy), NULL);
  g_autoptr(GError) error = NULL;
  JsonArray *array = json_array_new ();

  json_node_take_array (deep, array);
  json_node_take_object (bad_key, json_object_new ());
  json_object_set_int_member (json_node_get_object (bad_key), "k\xc0", 1);
  for (int i = 0; i < DGATEWAY_JSON_MAX_DEPTH; i++)
    {
      JsonArray *inner = json_array_new ();

      json_array_add_array_element (array, inner);
      array = inner;
    }

  assert_write_fails (nan, "not finite");
  assert_write_fails (inf, "not finite");
  assert_write_fails (bad, "UTF-8");
  assert_write_fails (bad_key, "UTF-8");
  assert_write_fails (deep, "nesting too deep");

  g_assert_false (dgateway_etf_write_value (tape, 0, out, &error));
  g_assert_error (error, DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL);
}

/* A command as Discord takes it: op first, keys as binaries. */
static void
test_serialize_command (void)
{
  g_autoptr(GBytes) heartbeat = dgateway_etf_serialize_command (1, NULL, NULL);
  static const guint8 expected[] =
    "\x83t\0\0\0\x02" "m\0\0\0\x02" "op" "a\x01" "m\0\0\0\x01" "d" "s\x03nil";

  g_assert_cmpmem (g_bytes_get_data (heartbeat, NULL), g_bytes_get_size (heartbeat),
                   expected, sizeof expected - 1);
}

/* Registration */

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

static GPtrArray *
list_fixtures (const char *prefix)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "etf", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *file;

  g_assert_nonnull (dir);
  while ((file = g_dir_read_name (dir)) != NULL)
    {
      if (g_str_has_suffix (file, ".etf") && g_str_has_prefix (file, prefix))
        g_ptr_array_add (names, g_strndup (file, strlen (file) - 4));
    }
  g_ptr_array_sort (names, compare_names);
  return names;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) names = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  names = list_fixtures ("");
  g_assert_cmpuint (names->len, >=, 40);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *path = NULL;

      if (g_str_has_prefix (name, "bad-"))
        {
          path = g_strdup_printf ("/dgateway/etf/reject/%s", name + 4);
          g_test_add_data_func (path, name, test_bad_fixture);
          continue;
        }

      path = g_strdup_printf ("/dgateway/etf/fixture/%s", name);
      g_test_add_data_func (path, name, test_fixture);
      g_free (path);
      path = g_strdup_printf ("/dgateway/etf/prefixes/%s", name);
      g_test_add_data_func (path, name, test_fixture_prefixes);
      if (g_str_has_prefix (name, "command-"))
        {
          g_free (path);
          path = g_strdup_printf ("/dgateway/etf/command/%s", name + 8);
          g_test_add_data_func (path, name, test_command);
        }
    }

  g_test_add_func ("/dgateway/etf/atoms", test_atoms);
  g_test_add_func ("/dgateway/etf/integers", test_integers);
  g_test_add_func ("/dgateway/etf/snowflakes", test_snowflakes);
  g_test_add_func ("/dgateway/etf/floats", test_floats);
  g_test_add_func ("/dgateway/etf/strings", test_strings);
  g_test_add_func ("/dgateway/etf/containers", test_containers);
  g_test_add_func ("/dgateway/etf/duplicate-keys", test_duplicate_keys);
  g_test_add_func ("/dgateway/etf/depth", test_depth);
  g_test_add_func ("/dgateway/etf/tags", test_tags);
  g_test_add_func ("/dgateway/etf/spill", test_spill);
  g_test_add_func ("/dgateway/etf/payload-errors", test_payload_errors);
  g_test_add_func ("/dgateway/etf/write/round-trip", test_write_round_trip);
  g_test_add_func ("/dgateway/etf/write/bytes", test_write_bytes);
  g_test_add_func ("/dgateway/etf/write/errors", test_write_errors);
  g_test_add_func ("/dgateway/etf/write/command", test_serialize_command);

  status = g_test_run ();
  return status;
}
