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
  self->seq = dgateway_value_get_member_int ((DGatewayValue *) self->root, "s", -1);
  self->name = dgateway_value_get_member_string ((DGatewayValue *) self->root, "t");
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

const DGatewayValue *
dgateway_payload_get_data (DGatewayPayload *self)
{
  return (const DGatewayValue *) self->data;
}

/* The json-glib document is already a JsonNode tree: nothing to build. */
JsonNode *
dgateway_payload_get_data_node (DGatewayPayload *self)
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

/* Values: with json-glib, a DGatewayValue is a JsonNode. */

#define NODE(value) ((JsonNode *) (value))

DGatewayValueType
dgateway_value_get_value_type (const DGatewayValue *value)
{
  if (value == NULL)
    return DGATEWAY_VALUE_MISSING;

  switch (json_node_get_node_type (NODE (value)))
    {
    case JSON_NODE_OBJECT:
      return DGATEWAY_VALUE_OBJECT;
    case JSON_NODE_ARRAY:
      return DGATEWAY_VALUE_ARRAY;
    case JSON_NODE_NULL:
      return DGATEWAY_VALUE_NULL;
    case JSON_NODE_VALUE:
    default:
      break;
    }

  switch (json_node_get_value_type (NODE (value)))
    {
    case G_TYPE_STRING:
      return DGATEWAY_VALUE_STRING;
    case G_TYPE_INT64:
      return DGATEWAY_VALUE_INT;
    case G_TYPE_DOUBLE:
      return DGATEWAY_VALUE_DOUBLE;
    case G_TYPE_BOOLEAN:
      return DGATEWAY_VALUE_BOOL;
    default:
      return DGATEWAY_VALUE_NULL;
    }
}

const DGatewayValue *
dgateway_value_get_member (const DGatewayValue *object,
                           const char          *key)
{
  if (dgateway_value_get_value_type (object) != DGATEWAY_VALUE_OBJECT)
    return NULL;

  return (const DGatewayValue *) json_object_get_member (json_node_get_object (NODE (object)), key);
}

guint
dgateway_value_get_length (const DGatewayValue *array)
{
  if (dgateway_value_get_value_type (array) != DGATEWAY_VALUE_ARRAY)
    return 0;

  return json_array_get_length (json_node_get_array (NODE (array)));
}

const DGatewayValue *
dgateway_value_get_element (const DGatewayValue *array,
                            guint                index)
{
  if (index >= dgateway_value_get_length (array))
    return NULL;

  return (const DGatewayValue *) json_array_get_element (json_node_get_array (NODE (array)), index);
}

const char *
dgateway_value_get_string (const DGatewayValue *value)
{
  if (dgateway_value_get_value_type (value) != DGATEWAY_VALUE_STRING)
    return NULL;

  return json_node_get_string (NODE (value));
}

gint64
dgateway_value_get_int (const DGatewayValue *value,
                        gint64               default_value)
{
  if (dgateway_value_get_value_type (value) != DGATEWAY_VALUE_INT)
    return default_value;

  return json_node_get_int (NODE (value));
}

double
dgateway_value_get_double (const DGatewayValue *value,
                           double               default_value)
{
  switch (dgateway_value_get_value_type (value))
    {
    case DGATEWAY_VALUE_DOUBLE:
      return json_node_get_double (NODE (value));
    case DGATEWAY_VALUE_INT:
      return (double) json_node_get_int (NODE (value));
    default:
      return default_value;
    }
}

gboolean
dgateway_value_get_bool (const DGatewayValue *value,
                         gboolean             default_value)
{
  if (dgateway_value_get_value_type (value) != DGATEWAY_VALUE_BOOL)
    return default_value;

  return json_node_get_boolean (NODE (value));
}

JsonNode *
dgateway_value_to_json_node (const DGatewayValue *value)
{
  if (value == NULL)
    return NULL;

  return json_node_ref (NODE (value));
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
