/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-error.h"
#include "dgateway-payload-private.h"

#include <glib/gi18n-lib.h>

struct _DGatewayPayload
{
  gatomicrefcount ref_count;
  JsonNode *root;
  JsonNode *data;
  const char *name;
  gint64 seq;
  int op;
};

static gboolean
read_envelope (DGatewayPayload *self)
{
  JsonObject *object;
  JsonNode *member;

  if (!JSON_NODE_HOLDS_OBJECT (self->root))
    return FALSE;

  object = json_node_get_object (self->root);
  member = json_object_get_member (object, "op");
  if (member == NULL || json_node_get_value_type (member) != G_TYPE_INT64)
    return FALSE;

  self->op = (int) json_node_get_int (member);
  self->seq = dgateway_json_get_int (self->root, "s", -1);
  self->name = dgateway_json_get_string (self->root, "t");
  self->data = json_object_get_member (object, "d");
  return TRUE;
}

DGatewayPayload *
dgateway_payload_parse (const char  *text,
                        gsize        length,
                        GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(DGatewayPayload) self = NULL;

  if (!json_parser_load_from_data (parser, text, length, &local_error))
    {
      g_set_error (error, DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL,
                   _("The gateway sent a payload that is not valid JSON: %s"),
                   local_error->message);
      return NULL;
    }

  self = g_new0 (DGatewayPayload, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->root = json_parser_steal_root (parser);
  if (self->root == NULL || !read_envelope (self))
    {
      g_set_error_literal (error, DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL,
                           _("The gateway sent a payload without an opcode"));
      return NULL;
    }

  return g_steal_pointer (&self);
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

  g_clear_pointer (&self->root, json_node_unref);
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

JsonNode *
dgateway_payload_get_data (DGatewayPayload *self)
{
  return self->data;
}

char *
dgateway_payload_dup_data_json (DGatewayPayload *self)
{
  if (self->data == NULL)
    return g_strdup ("null");

  return json_to_string (self->data, FALSE);
}

static JsonNode *
get_member (JsonNode   *object_node,
            const char *key)
{
  if (object_node == NULL || !JSON_NODE_HOLDS_OBJECT (object_node))
    return NULL;

  return json_object_get_member (json_node_get_object (object_node), key);
}

const char *
dgateway_json_get_string (JsonNode   *object_node,
                          const char *key)
{
  JsonNode *member = get_member (object_node, key);

  if (member == NULL || json_node_get_value_type (member) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (member);
}

gint64
dgateway_json_get_int (JsonNode   *object_node,
                       const char *key,
                       gint64      default_value)
{
  JsonNode *member = get_member (object_node, key);

  if (member == NULL || json_node_get_value_type (member) != G_TYPE_INT64)
    return default_value;

  return json_node_get_int (member);
}

gboolean
dgateway_json_get_bool (JsonNode *node,
                        gboolean  default_value)
{
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return default_value;

  return json_node_get_boolean (node);
}
