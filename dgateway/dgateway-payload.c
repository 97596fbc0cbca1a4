/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-error.h"
#include "dgateway-etf-private.h"
#include "dgateway-json-private.h"
#include "dgateway-payload-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/*
 * A payload is one block holding its own copy of the text, whose strings
 * the parse unescapes in place, plus the tape that dgateway-json.c builds
 * over it (see dgateway-json-private.h). The envelope members are found
 * once, by walking the top-level members only: `d` is skipped in one step
 * whatever its size. A JsonNode of `d` is made only when someone asks, and
 * then kept.
 *
 * A payload read from ETF (dgateway-etf.c) keeps no copy of its bytes:
 * the block holds the strings of the tape instead, as many bytes as the
 * ETF had, which is room enough unless big integers crowd it, and then
 * `spill` holds the rest.
 */
struct _DGatewayPayload
{
  gatomicrefcount ref_count;
  int op;
  gint64 seq;
  const char *name;
  const DGatewayValue *data;
  DGatewayValue *tape;
  JsonNode *data_node;   /* atomic: made on first use */
  char *spill;           /* ETF only: strings that did not fit in text */
  char text[];
};

/* Finds op, s, t and d among the top-level members; of two members with
 * the same name, the last one counts. */
static gboolean
read_envelope (DGatewayPayload *self)
{
  const DGatewayValue *root = self->tape;
  const DGatewayValue *name = root + 1;
  const DGatewayValue *op = NULL;

  if (root->type != DGATEWAY_VALUE_OBJECT)
    return FALSE;

  for (guint32 i = 0; i < root->length; i++, name = dgateway_json_next (name + 1))
    {
      if (name->flags & DGATEWAY_JSON_SHADOWED)
        continue;
      if (name->length == 2 && memcmp (name->u.string, "op", 2) == 0)
        op = name + 1;
      else if (name->length == 1 && name->u.string[0] == 's')
        self->seq = dgateway_value_get_int (name + 1, -1);
      else if (name->length == 1 && name->u.string[0] == 't')
        self->name = dgateway_value_get_string (name + 1);
      else if (name->length == 1 && name->u.string[0] == 'd')
        self->data = name + 1;
    }

  if (dgateway_value_get_value_type (op) != DGATEWAY_VALUE_INT)
    return FALSE;

  self->op = (int) op->u.integer;
  return TRUE;
}

/* A payload with @size bytes of room for its text or strings. */
static DGatewayPayload *
payload_new (gsize size)
{
  DGatewayPayload *self = g_malloc (sizeof (DGatewayPayload) + size);

  g_atomic_ref_count_init (&self->ref_count);
  self->seq = -1;
  self->name = NULL;
  self->data = NULL;
  self->tape = NULL;
  self->data_node = NULL;
  self->spill = NULL;
  return self;
}

/* The envelope, once the tape is there. */
static DGatewayPayload *
payload_finish (DGatewayPayload  *self,
                GError          **error)
{
  if (!read_envelope (self))
    {
      g_set_error_literal (error, DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL,
                           _("The gateway sent a payload without an opcode"));
      dgateway_payload_unref (self);
      return NULL;
    }

  return self;
}

DGatewayPayload *
dgateway_payload_parse (const char  *text,
                        gsize        length,
                        GError     **error)
{
  g_autoptr(DGatewayPayload) self = payload_new (length + 1);

  memcpy (self->text, text, length);
  self->text[length] = '\0';

  self->tape = dgateway_json_parse (self->text, length, error);
  if (self->tape == NULL)
    {
      g_prefix_error (error, _("The gateway sent a payload that is not valid JSON: "));
      return NULL;
    }

  return payload_finish (g_steal_pointer (&self), error);
}

/*
 * dgateway_payload_parse_etf:
 * @data: the payload as one external term (`?encoding=etf`), version byte
 *   first
 * @length: its length in bytes
 * @error: return location for a `DGATEWAY_ERROR_PROTOCOL` error
 *
 * As dgateway_payload_parse(), from ETF: see dgateway-etf-private.h for
 * how terms read. @data is not kept.
 *
 * Returns: (transfer full) (nullable): the payload
 */
DGatewayPayload *
dgateway_payload_parse_etf (const guint8  *data,
                            gsize          length,
                            GError       **error)
{
  g_autoptr(DGatewayPayload) self = payload_new (length + 1);

  self->tape = dgateway_etf_parse (data, length, self->text, length + 1, &self->spill, error);
  if (self->tape == NULL)
    {
      g_prefix_error (error, _("The gateway sent a payload that is not valid ETF: "));
      return NULL;
    }

  return payload_finish (g_steal_pointer (&self), error);
}

DGatewayPayload *
dgateway_payload_ref (DGatewayPayload *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
dgateway_payload_unref (DGatewayPayload *self)
{
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_clear_pointer (&self->data_node, json_node_unref);
  g_free (self->tape);
  g_free (self->spill);
  g_free (self);
}

int
dgateway_payload_get_op (DGatewayPayload *self)
{
  return self->op;
}

gint64
dgateway_payload_get_seq (DGatewayPayload *self)
{
  return self->seq;
}

const char *
dgateway_payload_get_name (DGatewayPayload *self)
{
  return self->name;
}

const DGatewayValue *
dgateway_payload_get_data (DGatewayPayload *self)
{
  return self->data;
}

/* Made at most once: threads that race here each build a tree, and all
 * but the first to publish theirs drop it. */
JsonNode *
dgateway_payload_get_data_node (DGatewayPayload *self)
{
  JsonNode *node = g_atomic_pointer_get (&self->data_node);

  if (node != NULL || self->data == NULL)
    return node;

  node = dgateway_value_to_json_node (self->data);
  if (!g_atomic_pointer_compare_and_exchange (&self->data_node, NULL, node))
    {
      json_node_unref (node);
      node = g_atomic_pointer_get (&self->data_node);
    }

  return node;
}

/* Written from the document: no JsonNode is made for it. */
char *
dgateway_payload_dup_data_json (DGatewayPayload *self)
{
  GString *out = g_string_sized_new (128);

  dgateway_json_write (self->data, out);
  return g_string_free (out, FALSE);
}
