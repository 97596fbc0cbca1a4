/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* fuzz-etf: the ETF reader and writers, on any bytes.
 *
 * Each input is read as an external term (dgateway_etf_parse()). When it
 * reads, the document must be one that JSON can say: its JSON text reads
 * back (with the JSON reader) as a document that writes the same text;
 * it must write back to ETF, from the document and from json-glib's
 * reading of the text, and read back as the same again; every element is
 * found by index as by walking. Read as a payload, its envelope must be
 * the document's top-level members. Any difference aborts, and libFuzzer
 * keeps the input. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "dgateway-error.h"
#include "dgateway-etf-private.h"

static G_NORETURN void
report (const char *what,
        const char *difference)
{
  fprintf (stderr, "fuzz-etf: %s: %s\n", what, difference);
  abort ();
}

/* The ETF reading of @data, written as JSON text; NULL if it does not
 * read. The bytes are copied to a block of their exact size, so that
 * ASan sees a read past the end. */
static char *
etf_to_json (const guint8 *data,
             size_t        size,
             GError      **error)
{
  g_autofree guint8 *copy = g_memdup2 (data, size);
  g_autofree char *strings = g_malloc (size + 1);
  g_autofree char *spill = NULL;
  g_autofree DGatewayValue *tape = dgateway_etf_parse (copy, size, strings, size + 1, &spill, error);
  GString *out;

  if (tape == NULL)
    return NULL;

  out = g_string_new (NULL);
  dgateway_json_write (tape, out);
  return g_string_free (out, FALSE);
}

static char *
json_to_json (const char *text)
{
  g_autofree char *copy = g_strdup (text);
  g_autoptr(GError) error = NULL;
  g_autofree DGatewayValue *tape = dgateway_json_parse (copy, strlen (copy), &error);
  GString *out;

  if (tape == NULL)
    report ("json", error->message);

  out = g_string_new (NULL);
  dgateway_json_write (tape, out);
  return g_string_free (out, FALSE);
}

/* Elements by index (with or without the element index) are the
 * elements walked in order, all the way down. */
static void
check_access (const DGatewayValue *value)
{
  const DGatewayValue *child = value + 1;

  if (value->type == DGATEWAY_VALUE_ARRAY)
    for (guint i = 0; i < value->length; i++, child = dgateway_json_next (child))
      {
        if (dgateway_value_get_element (value, i) != child)
          report ("access", "an element by index is not the one walked to");
        check_access (child);
      }
  else if (value->type == DGATEWAY_VALUE_OBJECT)
    for (guint i = 0; i < value->length; i++, child = dgateway_json_next (child + 1))
      {
        if (child->type != DGATEWAY_VALUE_STRING || strlen (child->u.string) != child->length)
          report ("access", "a member name is not a string of its length");
        if (!(child->flags & DGATEWAY_JSON_SHADOWED)
            && dgateway_value_get_member (value, child->u.string) != child + 1)
          report ("access", "a member by name is not the one walked to");
        check_access (child + 1);
      }
  else if (value->type == DGATEWAY_VALUE_STRING && strlen (value->u.string) != value->length)
    report ("access", "a string is not of its length");
}

/* The document, written back to ETF with @flags, reads as @json. */
static void
check_rewrite (const guint8          *data,
               size_t                 size,
               DGatewayEtfWriteFlags  flags,
               const char            *json)
{
  g_autofree guint8 *copy = g_memdup2 (data, size);
  g_autofree char *strings = g_malloc (size + 1);
  g_autofree char *spill = NULL;
  g_autofree DGatewayValue *tape = dgateway_etf_parse (copy, size, strings, size + 1, &spill, NULL);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *again = NULL;

  check_access (tape);
  if (!dgateway_etf_write_value (tape, flags, out, &error))
    report ("write_value", error->message);
  again = etf_to_json (out->data, out->len, &error);
  if (again == NULL)
    report ("write_value", error->message);
  if (strcmp (again, json) != 0)
    report ("write_value", "reads back differently");
}

/* json-glib's reading of the JSON text, written to ETF, reads as the same
 * text. */
static void
check_node_rewrite (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autofree char *again = NULL;

  if (node == NULL)
    report ("json-glib", error->message);
  if (!dgateway_etf_write_json_node (node, out, &error))
    report ("write_json_node", error->message);
  again = etf_to_json (out->data, out->len, &error);
  if (again == NULL)
    report ("write_json_node", error->message);
  if (strcmp (again, json) != 0)
    report ("write_json_node", "reads back differently");
}

static void
check_payload (const guint8 *data,
               size_t        size,
               const char   *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DGatewayPayload) payload = dgateway_payload_parse_etf (data, size, &error);
  g_autoptr(DGatewayPayload) twin = dgateway_payload_parse (json, strlen (json), NULL);
  g_autofree char *d = NULL, *twin_d = NULL;

  if ((payload == NULL) != (twin == NULL))
    report ("payload", "ETF and its JSON disagree on being a payload");
  if (payload == NULL)
    return;

  if (dgateway_payload_get_op (payload) != dgateway_payload_get_op (twin)
      || dgateway_payload_get_seq (payload) != dgateway_payload_get_seq (twin)
      || g_strcmp0 (dgateway_payload_get_name (payload), dgateway_payload_get_name (twin)) != 0)
    report ("payload", "the envelope differs from its JSON's");
  d = dgateway_payload_dup_data_json (payload);
  twin_d = dgateway_payload_dup_data_json (twin);
  if (strcmp (d, twin_d) != 0)
    report ("payload", "d differs from its JSON's");
  if (!json_node_equal (dgateway_payload_get_data_node (payload), dgateway_payload_get_data_node (twin)))
    report ("payload", "the data node differs from its JSON's");
}

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = etf_to_json (data, size, &error);
  g_autofree char *again = NULL;

  if (json == NULL)
    {
      if (!g_error_matches (error, DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL))
        report ("etf", "rejected without a protocol error");
      return 0;
    }

  again = json_to_json (json);
  if (strcmp (again, json) != 0)
    report ("json", "the JSON text reads back differently");

  check_rewrite (data, size, DGATEWAY_ETF_WRITE_DEFAULT, json);
  check_rewrite (data, size, DGATEWAY_ETF_WRITE_SNOWFLAKES_AS_INTEGERS | DGATEWAY_ETF_WRITE_ATOM_KEYS, json);
  check_node_rewrite (json);
  check_payload (data, size, json);
  return 0;
}
