/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* fuzz-document: the payload document against json-glib, on any bytes.
 *
 * Each input is read as a JSON document (doc_check_document(): the
 * library must accept exactly what RFC 8259 and json-glib both accept, and
 * read the same values as json-glib) and as a Gateway payload (the
 * envelope must agree with json-glib's reading of the same members).
 * Any difference aborts, and libFuzzer keeps the input. */

#include <stdio.h>
#include <stdlib.h>

#include "document-check.h"

static G_NORETURN void
report (const char *what,
        const char *difference)
{
  fprintf (stderr, "fuzz-document: %s: %s\n", what, difference);
  abort ();
}

/* The library's own reading of @data as a document, into @copy. */
static DGatewayValue *
parse_copy (const guint8  *data,
            size_t         size,
            char         **copy)
{
  *copy = g_malloc (size + 1);
  memcpy (*copy, data, size);
  (*copy)[size] = '\0';
  return dgateway_json_parse (*copy, size, NULL);
}

/* The envelope is what the accessors read from the top-level members,
 * which doc_check_document() has compared with json-glib already. */
static void
check_envelope (DGatewayPayload *payload,
                const guint8    *data,
                size_t           size)
{
  g_autofree char *copy = NULL;
  g_autofree DGatewayValue *tape = parse_copy (data, size, &copy);
  g_autoptr(GString) ours = g_string_new (NULL);
  g_autoptr(GString) expected = g_string_new (NULL);

  if (dgateway_payload_get_op (payload) != (int) dgateway_value_get_member_int (tape, "op", 0))
    report ("envelope", "op differs");
  if (dgateway_payload_get_seq (payload) != dgateway_value_get_member_int (tape, "s", -1))
    report ("envelope", "s differs");
  if (g_strcmp0 (dgateway_payload_get_name (payload), dgateway_value_get_member_string (tape, "t")) != 0)
    report ("envelope", "t differs");

  dgateway_json_write (dgateway_payload_get_data (payload), ours);
  dgateway_json_write (dgateway_value_get_member (tape, "d"), expected);
  if (!g_string_equal (ours, expected))
    report ("envelope", "d differs");
}

/* The data node is made once and equals json-glib's `d`; the text of
 * dup_data_json() reads back as the same. */
static void
check_data (DGatewayPayload *payload,
            JsonObject      *root)
{
  JsonNode *d = json_object_get_member (root, "d");
  JsonNode *node = dgateway_payload_get_data_node (payload);
  g_autofree char *json = dgateway_payload_dup_data_json (payload);
  g_autoptr(JsonNode) reread = doc_check_glib_parse (json, strlen (json));
  gboolean wrapped = FALSE;
  g_autofree char *difference = doc_check_value (dgateway_payload_get_data (payload), d, &wrapped);

  if (difference != NULL)
    report ("d", difference);
  if (node != dgateway_payload_get_data_node (payload))
    report ("d", "the data node was made twice");
  if (wrapped || d == NULL)
    return;
  if (!json_node_equal (node, d))
    report ("d", "the data node differs from json-glib's");
  if (reread == NULL || !json_node_equal (reread, d))
    report ("d", "dup_data_json() reads back differently");
}

static void
check_payload (const guint8 *data,
               size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DGatewayPayload) payload = dgateway_payload_parse ((const char *) data, size, &error);
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *copy = NULL;
  g_autofree DGatewayValue *tape = NULL;

  if (payload == NULL)
    {
      if (!g_error_matches (error, DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL))
        report ("payload", "rejected without a protocol error");
      tape = parse_copy (data, size, &copy);
      if (dgateway_value_get_value_type (dgateway_value_get_member (tape, "op")) == DGATEWAY_VALUE_INT)
        report ("payload", error->message);
      return;
    }

  /* Accepted, so strict and accepted by json-glib too. */
  root = doc_check_glib_parse ((const char *) data, size);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    report ("payload", "accepted what json-glib does not read as an object");
  check_envelope (payload, data, size);
  check_data (payload, json_node_get_object (root));
}

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *difference = doc_check_document ((const char *) data, size, NULL);

  if (difference != NULL)
    report ("document", difference);

  check_payload (data, size);
  return 0;
}
