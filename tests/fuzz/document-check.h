/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Differential checks of the payload document against json-glib, shared
 * by tests/test-document.c and tests/fuzz/fuzz-document.c (static
 * functions: each includes this once).
 *
 * doc_check_document() reads a text three ways: with the library's parser,
 * with json-glib 1.6, and with doc_check_is_strict(), a deliberately plain
 * second reading of RFC 8259 written independently of the parser. The
 * library must accept exactly what both json-glib and the strict reading
 * accept, and then read the same values as json-glib through every
 * accessor, materialise a JsonNode equal to json-glib's, and write text
 * that reads back as the same values.
 */

#pragma once

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "dgateway-error.h"
#include "dgateway-json-private.h"

/* The strict reading */

typedef struct
{
  const guchar *s;
  gsize n;
  gsize i;
} DocStrict;

static gboolean doc_strict_value (DocStrict *self,
                                  int        depth);

static void
doc_strict_space (DocStrict *self)
{
  while (self->i < self->n && strchr (" \t\n\r", self->s[self->i]) != NULL && self->s[self->i] != 0)
    self->i++;
}

static int
doc_strict_hex4 (DocStrict *self,
                 gsize      at)
{
  int value = 0;

  if (at + 4 > self->n)
    return -1;
  for (gsize k = at; k < at + 4; k++)
    {
      if (!g_ascii_isxdigit (self->s[k]))
        return -1;
      value = value * 16 + g_ascii_xdigit_value (self->s[k]);
    }

  return value;
}

/* A \u escape at i; surrogates only as a high-low pair. */
static gboolean
doc_strict_unicode (DocStrict *self)
{
  int unit = doc_strict_hex4 (self, self->i + 2);
  int low;

  if (unit < 0 || (unit >= 0xdc00 && unit <= 0xdfff))
    return FALSE;
  self->i += 6;
  if (unit < 0xd800 || unit > 0xdbff)
    return TRUE;

  if (self->i + 1 >= self->n || self->s[self->i] != '\\' || self->s[self->i + 1] != 'u')
    return FALSE;
  low = doc_strict_hex4 (self, self->i + 2);
  self->i += 6;
  return low >= 0xdc00 && low <= 0xdfff;
}

static gboolean
doc_strict_string (DocStrict *self)
{
  for (self->i++; self->i < self->n;)
    {
      guchar c = self->s[self->i];

      if (c == '"')
        return self->i++, TRUE;
      if (c < 0x20)
        return FALSE;
      if (c == '\\')
        {
          if (self->i + 1 >= self->n)
            return FALSE;
          if (self->s[self->i + 1] == 'u')
            {
              if (!doc_strict_unicode (self))
                return FALSE;
            }
          else if (self->s[self->i + 1] != 0 && strchr ("\"\\/bfnrt", self->s[self->i + 1]) != NULL)
            self->i += 2;
          else
            return FALSE;
        }
      else if (c < 0x80)
        self->i++;
      else
        {
          gunichar u = g_utf8_get_char_validated ((const char *) self->s + self->i, self->n - self->i);

          if (u == (gunichar) -1 || u == (gunichar) -2)
            return FALSE;
          self->i += g_unichar_to_utf8 (u, NULL);
        }
    }

  return FALSE;
}

static gboolean
doc_strict_digits (DocStrict *self)
{
  gsize start = self->i;

  while (self->i < self->n && g_ascii_isdigit (self->s[self->i]))
    self->i++;
  return self->i > start;
}

static gboolean
doc_strict_number (DocStrict *self)
{
  if (self->s[self->i] == '-')
    self->i++;
  if (self->i < self->n && self->s[self->i] == '0')
    self->i++;
  else if (self->i >= self->n || self->s[self->i] < '1' || self->s[self->i] > '9' || !doc_strict_digits (self))
    return FALSE;

  if (self->i < self->n && self->s[self->i] == '.')
    {
      self->i++;
      if (!doc_strict_digits (self))
        return FALSE;
    }
  if (self->i < self->n && (self->s[self->i] == 'e' || self->s[self->i] == 'E'))
    {
      self->i++;
      if (self->i < self->n && (self->s[self->i] == '+' || self->s[self->i] == '-'))
        self->i++;
      if (!doc_strict_digits (self))
        return FALSE;
    }

  return TRUE;
}

static gboolean
doc_strict_word (DocStrict  *self,
                 const char *word)
{
  gsize length = strlen (word);

  if (self->n - self->i < length || memcmp (self->s + self->i, word, length) != 0)
    return FALSE;
  self->i += length;
  return TRUE;
}

/* Members (object) or elements (array) up to @close. */
static gboolean
doc_strict_container (DocStrict *self,
                      guchar     close,
                      int        depth)
{
  self->i++;
  doc_strict_space (self);
  if (self->i < self->n && self->s[self->i] == close)
    return self->i++, TRUE;

  for (;;)
    {
      doc_strict_space (self);
      if (close == '}')
        {
          if (self->i >= self->n || self->s[self->i] != '"' || !doc_strict_string (self))
            return FALSE;
          doc_strict_space (self);
          if (self->i >= self->n || self->s[self->i] != ':')
            return FALSE;
          self->i++;
          doc_strict_space (self);
        }
      if (!doc_strict_value (self, depth))
        return FALSE;
      doc_strict_space (self);
      if (self->i < self->n && self->s[self->i] == close)
        return self->i++, TRUE;
      if (self->i >= self->n || self->s[self->i] != ',')
        return FALSE;
      self->i++;
    }
}

static gboolean
doc_strict_value (DocStrict *self,
                  int        depth)
{
  if (self->i >= self->n)
    return FALSE;

  switch (self->s[self->i])
    {
    case '{':
      return depth < DGATEWAY_JSON_MAX_DEPTH && doc_strict_container (self, '}', depth + 1);
    case '[':
      return depth < DGATEWAY_JSON_MAX_DEPTH && doc_strict_container (self, ']', depth + 1);
    case '"':
      return doc_strict_string (self);
    case 't':
      return doc_strict_word (self, "true");
    case 'f':
      return doc_strict_word (self, "false");
    case 'n':
      return doc_strict_word (self, "null");
    default:
      return doc_strict_number (self);
    }
}

/* RFC 8259, plus a leading byte order mark (§8.1), minus lone surrogate
 * escapes and nesting deeper than DGATEWAY_JSON_MAX_DEPTH. */
static gboolean
doc_check_is_strict (const char *text,
                     gsize       length)
{
  DocStrict self = { (const guchar *) text, length, 0 };

  if (length >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0)
    self.i = 3;
  doc_strict_space (&self);
  if (!doc_strict_value (&self, 0))
    return FALSE;
  doc_strict_space (&self);
  return self.i == length;
}

/* Comparing values */

/* What json-glib makes of @text: NULL if it fails or finds nothing. */
static JsonNode *
doc_check_glib_parse (const char *text,
                      gsize       length)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  if (!json_parser_load_from_data (parser, text, length, NULL))
    return NULL;
  return json_parser_steal_root (parser);
}

static char *doc_check_value (const DGatewayValue *value,
                              JsonNode            *node,
                              gboolean            *wrapped);

/* Every accessor agrees with the value's type, and none complains. */
static char *
doc_check_accessors (const DGatewayValue *value)
{
  DGatewayValueType type = dgateway_value_get_value_type (value);

  if ((dgateway_value_get_string (value) != NULL) != (type == DGATEWAY_VALUE_STRING))
    return g_strdup ("get_string disagrees with the type");
  if (type != DGATEWAY_VALUE_INT && dgateway_value_get_int (value, 77) != 77)
    return g_strdup ("get_int of a non-integer is not the default");
  if (type != DGATEWAY_VALUE_INT && type != DGATEWAY_VALUE_DOUBLE
      && dgateway_value_get_double (value, 0.5) != 0.5)
    return g_strdup ("get_double of a non-number is not the default");
  if (type != DGATEWAY_VALUE_BOOL && dgateway_value_get_bool (value, 7) != 7)
    return g_strdup ("get_bool of a non-boolean is not the default");
  if (type != DGATEWAY_VALUE_ARRAY
      && (dgateway_value_get_length (value) != 0 || dgateway_value_get_element (value, 0) != NULL))
    return g_strdup ("a non-array has elements");
  if (type != DGATEWAY_VALUE_OBJECT && dgateway_value_get_member (value, "") != NULL)
    return g_strdup ("a non-object has members");
  return NULL;
}

/* json-glib wraps integers outside gint64 around; the document makes
 * doubles of them, on purpose. */
static gboolean
doc_check_is_wrapped (const DGatewayValue *value,
                      JsonNode            *node)
{
  double number = dgateway_value_get_double (value, 0);

  return json_node_get_value_type (node) == G_TYPE_INT64
         && dgateway_value_get_value_type (value) == DGATEWAY_VALUE_DOUBLE
         && (number >= 9223372036854775808.0 || number <= -9223372036854775808.0);
}

static char *
doc_check_scalar (const DGatewayValue *value,
                  JsonNode            *node,
                  gboolean            *wrapped)
{
  double ours = dgateway_value_get_double (value, 0), theirs;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      if (g_strcmp0 (dgateway_value_get_string (value), json_node_get_string (node)) == 0)
        return NULL;
      return g_strdup_printf ("string \"%s\" is \"%s\" in json-glib",
                              dgateway_value_get_string (value), json_node_get_string (node));
    case G_TYPE_INT64:
      if (doc_check_is_wrapped (value, node))
        return *wrapped = TRUE, NULL;
      if (dgateway_value_get_value_type (value) == DGATEWAY_VALUE_INT
          && dgateway_value_get_int (value, 0) == json_node_get_int (node))
        return NULL;
      return g_strdup_printf ("integer %" G_GINT64_FORMAT " is a %d, %" G_GINT64_FORMAT " here",
                              json_node_get_int (node), dgateway_value_get_value_type (value),
                              dgateway_value_get_int (value, 0));
    case G_TYPE_DOUBLE:
      theirs = json_node_get_double (node);
      if (dgateway_value_get_value_type (value) == DGATEWAY_VALUE_DOUBLE
          && memcmp (&ours, &theirs, sizeof ours) == 0)
        return NULL;
      return g_strdup_printf ("double %.17g is %.17g in json-glib", ours, theirs);
    case G_TYPE_BOOLEAN:
      if (dgateway_value_get_value_type (value) == DGATEWAY_VALUE_BOOL
          && dgateway_value_get_bool (value, 7) == json_node_get_boolean (node))
        return NULL;
      return g_strdup ("boolean differs");
    default:
      return g_strdup ("json-glib has a value of an unknown type");
    }
}

static char *
doc_check_object (const DGatewayValue *value,
                  JsonObject          *object,
                  gboolean            *wrapped)
{
  g_autoptr(GList) names = json_object_get_members (object);
  guint visible = 0;
  const DGatewayValue *name = value + 1;

  for (guint i = 0; i < value->length; i++, name = dgateway_json_next (name + 1))
    visible += !(name->flags & DGATEWAY_JSON_SHADOWED);
  if (visible != json_object_get_size (object))
    return g_strdup_printf ("%u members, %u in json-glib", visible, json_object_get_size (object));

  for (GList *l = names; l != NULL; l = l->next)
    {
      const DGatewayValue *member = dgateway_value_get_member (value, l->data);
      char *difference = doc_check_value (member, json_object_get_member (object, l->data),
                                          wrapped);

      if (difference != NULL)
        {
          char *message = g_strdup_printf ("member \"%s\": %s", (char *) l->data, difference);

          g_free (difference);
          return message;
        }
    }

  return NULL;
}

static char *
doc_check_array (const DGatewayValue *value,
                 JsonArray           *array,
                 gboolean            *wrapped)
{
  const DGatewayValue *element = value + 1;

  if (dgateway_value_get_length (value) != json_array_get_length (array))
    return g_strdup ("array lengths differ");

  for (guint i = 0; i < json_array_get_length (array); i++, element = dgateway_json_next (element))
    {
      char *difference;

      if (dgateway_value_get_element (value, i) != element)
        return g_strdup_printf ("element %u is not where a walk finds it", i);
      difference = doc_check_value (element, json_array_get_element (array, i), wrapped);
      if (difference != NULL)
        return difference;
    }

  if (dgateway_value_get_element (value, json_array_get_length (array)) != NULL)
    return g_strdup ("an element past the end");
  return NULL;
}

/* The first difference between @value and json-glib's @node, or NULL. */
static char *
doc_check_value (const DGatewayValue *value,
                 JsonNode            *node,
                 gboolean            *wrapped)
{
  char *difference = doc_check_accessors (value);

  if (difference != NULL || (value == NULL && node == NULL))
    return difference;
  if (value == NULL || node == NULL)
    return g_strdup ("a value is missing on one side");

  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      if (value->type != DGATEWAY_VALUE_OBJECT)
        return g_strdup ("not an object");
      return doc_check_object (value, json_node_get_object (node), wrapped);
    case JSON_NODE_ARRAY:
      if (value->type != DGATEWAY_VALUE_ARRAY)
        return g_strdup ("not an array");
      return doc_check_array (value, json_node_get_array (node), wrapped);
    case JSON_NODE_NULL:
      return value->type == DGATEWAY_VALUE_NULL ? NULL : g_strdup ("not null");
    case JSON_NODE_VALUE:
    default:
      return doc_check_scalar (value, node, wrapped);
    }
}

/* The materialised node equals json-glib's and serialises the same; the
 * text written from the tape reads back as the same values. */
static char *
doc_check_outputs (const DGatewayValue *value,
                   JsonNode            *node)
{
  g_autoptr(JsonNode) built = dgateway_value_to_json_node (value);
  g_autofree char *built_text = json_to_string (built, FALSE);
  g_autofree char *glib_text = json_to_string (node, FALSE);
  g_autoptr(GString) written = g_string_new (NULL);
  g_autoptr(JsonNode) reread = NULL;

  if (!json_node_equal (built, node))
    return g_strdup ("the materialised node differs from json-glib's");
  if (strcmp (built_text, glib_text) != 0)
    return g_strdup_printf ("the materialised node serialises as %s, json-glib's as %s",
                            built_text, glib_text);

  dgateway_json_write (value, written);
  reread = doc_check_glib_parse (written->str, written->len);
  if (reread == NULL || !json_node_equal (reread, node))
    return g_strdup_printf ("the written text %s reads back differently", written->str);
  return NULL;
}

/* Writing the document and reading that back writes the same text. */
static char *
doc_check_rewrite (const DGatewayValue *value)
{
  g_autoptr(GString) first = g_string_new (NULL);
  g_autoptr(GString) second = g_string_new (NULL);
  g_autofree DGatewayValue *tape = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *copy = NULL;

  dgateway_json_write (value, first);
  copy = g_strndup (first->str, first->len);
  tape = dgateway_json_parse (copy, first->len, &error);
  if (tape == NULL)
    return g_strdup_printf ("the written text %s does not parse: %s", first->str, error->message);
  dgateway_json_write (tape, second);
  if (!g_string_equal (first, second))
    return g_strdup_printf ("written twice: %s, then %s", first->str, second->str);
  return NULL;
}

/*
 * doc_check_document:
 * @text: any bytes
 * @length: their length
 * @accepted: (out) (optional): whether the library's parser accepted them
 *
 * Returns: (nullable): a description of the first way in which the
 *   library's reading of @text differs from what it should be, or NULL
 */
static char *
doc_check_document (const char *text,
                    gsize       length,
                    gboolean   *accepted)
{
  g_autofree char *copy = g_malloc (length + 1);
  g_autofree DGatewayValue *tape = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  gboolean strict = doc_check_is_strict (text, length);
  gboolean wrapped = FALSE;
  char *difference;

  memcpy (copy, text, length);
  copy[length] = '\0';
  tape = dgateway_json_parse (copy, length, &error);
  if (accepted != NULL)
    *accepted = tape != NULL;

  if (tape == NULL && !g_error_matches (error, DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL))
    return g_strdup ("rejected without a protocol error");
  /* Only what passes the strict reading goes to json-glib, whose
   * recursive parser could not survive any depth. */
  if (strict)
    node = doc_check_glib_parse (text, length);
  if ((tape != NULL) != (strict && node != NULL))
    return g_strdup_printf ("%s, but json-glib %s and the strict reading %s",
                            tape != NULL ? "accepted" : error->message,
                            node != NULL ? "accepts" : "rejects",
                            strict ? "accepts" : "rejects");
  if (tape == NULL)
    return NULL;

  difference = doc_check_value (tape, node, &wrapped);
  if (difference == NULL && !wrapped)
    difference = doc_check_outputs (tape, node);
  if (difference == NULL)
    difference = doc_check_rewrite (tape);
  return difference;
}
