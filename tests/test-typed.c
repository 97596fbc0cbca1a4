/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The typed payloads and signals, against fixtures generated from the same
 * schema as the code (typed-fixtures.h, by dgateway/gen-typed.py): every
 * event goes over the wire through the mock gateway, and every field of
 * every class reads back the JSON it was built from, or its default. */

#include "config.h"

#include "test-utils.h"
#include "dgateway-object-private.h"
#include "dgateway-payload-private.h"
#include "dgateway-typed-private.h"
#include "typed-fixtures.h"

#include <stdlib.h>
#include <string.h>

/* The event tests share one connection: a connection per event would make
 * the suite slow under valgrind for no gain. */
static Fixture *shared;
static guint n_syncs;

typedef struct {
  GPtrArray *objects;       /* what the typed signal handed over */
  GPtrArray *order;         /* "dispatch" and "typed", in emission order */
  GPtrArray *dispatched;    /* the typed objects of the dispatch events */
  gboolean stop;            /* what the dispatch handler returns */
} Recorder;

static gboolean
sync_cb (DGatewayClient *client,
         DGatewayEvent  *event,
         gpointer        data)
{
  n_syncs++;
  return TRUE;
}

static Fixture *
get_shared (void)
{
  if (shared == NULL)
    {
      shared = g_new0 (Fixture, 1);
      fixture_setup (shared, GINT_TO_POINTER (DGATEWAY_COMPRESSION_NONE));
      connect_client (shared);
      /* The fixture records every event: the tests do not need it. */
      g_signal_handlers_block_by_func (shared->client, fixture_dispatch_cb, shared);
      g_signal_connect (shared->client, "dispatch::TEST_SYNC", G_CALLBACK (sync_cb), NULL);
    }
  return shared;
}

static void
recorder_init (Recorder *r)
{
  r->objects = g_ptr_array_new_with_free_func (g_object_unref);
  r->order = g_ptr_array_new ();
  r->dispatched = g_ptr_array_new_with_free_func (g_object_unref);
  r->stop = FALSE;
}

static void
recorder_clear (Recorder *r)
{
  g_ptr_array_unref (r->objects);
  g_ptr_array_unref (r->order);
  g_ptr_array_unref (r->dispatched);
}

static void
typed_cb (DGatewayClient *client,
          DGatewayObject *object,
          Recorder       *r)
{
  g_assert_true (DGATEWAY_IS_OBJECT (object));
  /* The tests read the views after the main loop returns. */
  g_ptr_array_add (r->objects, dgateway_object_keep (object));
  g_ptr_array_add (r->order, "typed");
}

static gboolean
dispatch_cb (DGatewayClient *client,
             DGatewayEvent  *event,
             Recorder       *r)
{
  if (g_str_equal (dgateway_event_get_name (event), "TEST_SYNC"))
    return FALSE;

  g_ptr_array_add (r->dispatched, dgateway_object_keep (dgateway_event_get_object (event)));
  g_ptr_array_add (r->order, "dispatch");
  return r->stop;
}

/* Sends a dispatch and waits until the client has handled it: the mock
 * sends in order, so once a later marker event arrived, so did it. */
static void
dispatch_and_sync (Fixture    *f,
                   const char *name,
                   const char *d_json)
{
  guint before = n_syncs;

  dgateway_mock_gateway_send_dispatch (f->mock, name, d_json);
  dgateway_mock_gateway_send_dispatch (f->mock, "TEST_SYNC", "{}");
  WAIT_UNTIL (n_syncs == before + 1, 5000);
}

/* Checking a view against its JSON */

static const FixtureClass *
find_class (const char *type_name)
{
  for (guint i = 0; i < G_N_ELEMENTS (fixture_classes); i++)
    if (strcmp (fixture_classes[i].type_name, type_name) == 0)
      return &fixture_classes[i];
  return NULL;
}

static gboolean
holds (JsonNode *node,
       GType     type)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static void check_object (DGatewayObject *object,
                          JsonNode       *json);

static void
check_string (DGatewayObject     *object,
              const FixtureField *field,
              JsonNode           *member)
{
  const char *expected = holds (member, G_TYPE_STRING) ? json_node_get_string (member) : NULL;
  g_autofree char *property = NULL;

  /* A string Discord always sends reads as "" if a payload lacks it. */
  if (expected == NULL && !field->nullable)
    expected = "";

  g_assert_cmpstr (((const char *(*) (gpointer)) field->getter) (object), ==, expected);
  g_object_get (object, field->property, &property, NULL);
  g_assert_cmpstr (property, ==, expected);
}

static void
check_int (DGatewayObject     *object,
           const FixtureField *field,
           JsonNode           *member)
{
  gint64 expected = holds (member, G_TYPE_INT64) ? json_node_get_int (member) : 0;
  gint64 property;

  g_assert_cmpint (((gint64 (*) (gpointer)) field->getter) (object), ==, expected);
  g_object_get (object, field->property, &property, NULL);
  g_assert_cmpint (property, ==, expected);
}

static void
check_enum (DGatewayObject     *object,
            const FixtureField *field,
            JsonNode           *member)
{
  gint64 expected = holds (member, G_TYPE_INT64) ? json_node_get_int (member) : 0;
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), field->property);
  int property;

  g_assert_cmpstr (g_type_name (pspec->value_type), ==, field->ref);
  g_assert_cmpint (((int (*) (gpointer)) field->getter) (object), ==, expected);
  g_object_get (object, field->property, &property, NULL);
  g_assert_cmpint (property, ==, expected);
}

/* An enum Discord sends as its nick, such as a status "dnd"; a missing or
 * unknown one reads as the property's default. */
static void
check_enum_nick (DGatewayObject     *object,
                 const FixtureField *field,
                 JsonNode           *member)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), field->property);
  g_autoptr(GEnumClass) enum_class = g_type_class_ref (pspec->value_type);
  GEnumValue *value = NULL;
  int expected, property;

  g_assert_cmpstr (g_type_name (pspec->value_type), ==, field->ref);
  if (holds (member, G_TYPE_STRING))
    value = g_enum_get_value_by_nick (enum_class, json_node_get_string (member));
  expected = value != NULL ? value->value : G_PARAM_SPEC_ENUM (pspec)->default_value;

  g_assert_cmpint (((int (*) (gpointer)) field->getter) (object), ==, expected);
  g_object_get (object, field->property, &property, NULL);
  g_assert_cmpint (property, ==, expected);
}

static void
check_double (DGatewayObject     *object,
              const FixtureField *field,
              JsonNode           *member)
{
  double expected = 0.0, property;

  if (holds (member, G_TYPE_DOUBLE))
    expected = json_node_get_double (member);
  else if (holds (member, G_TYPE_INT64))
    expected = json_node_get_int (member);

  g_assert_cmpfloat (((double (*) (gpointer)) field->getter) (object), ==, expected);
  g_object_get (object, field->property, &property, NULL);
  g_assert_cmpfloat (property, ==, expected);
}

static void
check_bool (DGatewayObject     *object,
            const FixtureField *field,
            gboolean            expected)
{
  gboolean property;

  g_assert_cmpint (((gboolean (*) (gpointer)) field->getter) (object), ==, expected);
  g_object_get (object, field->property, &property, NULL);
  g_assert_cmpint (property, ==, expected);
}

static void
check_date_time (DGatewayObject     *object,
                 const FixtureField *field,
                 JsonNode           *member)
{
  GDateTime *(*getter) (gpointer) = (GDateTime *(*) (gpointer)) field->getter;
  g_autoptr(GDateTime) expected = NULL;
  g_autoptr(GDateTime) property = NULL;
  GDateTime *value = getter (object);

  if (holds (member, G_TYPE_STRING))
    expected = g_date_time_new_from_iso8601 (json_node_get_string (member), NULL);

  if (expected == NULL)
    {
      g_assert_null (value);
      return;
    }

  g_assert_nonnull (value);
  g_assert_true (g_date_time_equal (value, expected));
  g_assert_cmpint (g_date_time_get_utc_offset (value), ==, g_date_time_get_utc_offset (expected));
  g_assert_true (getter (object) == value);
  g_object_get (object, field->property, &property, NULL);
  g_assert_true (property == value);
}

/* A Unix time in seconds or milliseconds (the field's ref), in UTC. */
static void
check_unix_time (DGatewayObject     *object,
                 const FixtureField *field,
                 JsonNode           *member)
{
  GDateTime *(*getter) (gpointer) = (GDateTime *(*) (gpointer)) field->getter;
  GTimeSpan unit = g_str_equal (field->ref, "ms") ? G_TIME_SPAN_MILLISECOND : G_TIME_SPAN_SECOND;
  g_autoptr(GDateTime) epoch = g_date_time_new_from_unix_utc (0);
  g_autoptr(GDateTime) expected = NULL;
  g_autoptr(GDateTime) property = NULL;
  GDateTime *value = getter (object);

  g_object_get (object, field->property, &property, NULL);
  g_assert_true (property == value);
  if (!holds (member, G_TYPE_INT64))
    {
      g_assert_null (value);
      return;
    }

  expected = g_date_time_add (epoch, json_node_get_int (member) * unit);
  g_assert_nonnull (value);
  g_assert_cmpint (g_date_time_to_unix (value), ==, g_date_time_to_unix (expected));
  g_assert_cmpint (g_date_time_get_microsecond (value), ==, g_date_time_get_microsecond (expected));
  g_assert_cmpint (g_date_time_get_utc_offset (value), ==, 0);
  g_assert_true (getter (object) == value);
}

static void
check_child (DGatewayObject *child,
             const char     *type_name,
             JsonNode       *member)
{
  g_assert_nonnull (child);
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (child), ==, type_name);
  check_object (child, member);
}

static void
check_nested (DGatewayObject     *object,
              const FixtureField *field,
              JsonNode           *member,
              const char         *type_name)
{
  DGatewayObject *(*getter) (gpointer) = (DGatewayObject *(*) (gpointer)) field->getter;
  DGatewayObject *child = getter (object);
  g_autoptr(DGatewayObject) property = NULL;

  /* An object Discord always sends reads as an empty view if a payload
   * lacks it; the others as NULL. */
  if ((member == NULL || !JSON_NODE_HOLDS_OBJECT (member)) && field->nullable)
    {
      g_assert_null (child);
      return;
    }

  check_child (child, type_name, member);
  /* Built once: the same view every time. */
  g_assert_true (getter (object) == child);
  g_object_get (object, field->property, &property, NULL);
  g_assert_true (property == child);
}

/* A union names its discriminating member and its classes:
 * "type:2=DGatewayApplicationCommandData,3=...". */
static const char *
union_type (const FixtureField *field,
            JsonNode           *json)
{
  g_auto(GStrv) parts = g_strsplit (field->ref, ":", 2);
  g_auto(GStrv) cases = g_strsplit (parts[1], ",", -1);
  JsonNode *by = json_object_get_member (json_node_get_object (json), parts[0]);
  g_autofree char *value = g_strdup_printf ("%" G_GINT64_FORMAT "=",
                                            holds (by, G_TYPE_INT64) ? json_node_get_int (by) : -1);

  for (guint i = 0; cases[i] != NULL; i++)
    if (g_str_has_prefix (cases[i], value))
      return g_intern_string (cases[i] + strlen (value));
  return "DGatewayObject";
}

static void
check_list (DGatewayObject     *object,
            const FixtureField *field,
            JsonNode           *member)
{
  GListModel *(*getter) (gpointer) = (GListModel *(*) (gpointer)) field->getter;
  GListModel *list = getter (object);
  g_autoptr(GListModel) property = NULL;
  JsonArray *array = NULL;
  guint length = 0;

  /* Never NULL: anything but an array is an empty list. */
  if (member != NULL && JSON_NODE_HOLDS_ARRAY (member))
    {
      array = json_node_get_array (member);
      length = json_array_get_length (array);
    }

  g_assert_true (G_IS_LIST_MODEL (list));
  g_assert_true (getter (object) == list);
  g_object_get (object, field->property, &property, NULL);
  g_assert_true (property == list);
  g_assert_cmpstr (g_type_name (g_list_model_get_item_type (list)), ==, field->ref);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, length);
  g_assert_null (g_list_model_get_item (list, length));

  for (guint i = 0; i < length; i++)
    {
      g_autoptr(DGatewayObject) item = g_list_model_get_item (list, i);
      g_autoptr(DGatewayObject) again = g_list_model_get_item (list, i);

      g_assert_true (item == again);
      check_child (item, field->ref, json_array_get_element (array, i));
    }
}

static void
check_strv (DGatewayObject     *object,
            const FixtureField *field,
            JsonNode           *member)
{
  const char * const *(*getter) (gpointer) = (const char * const *(*) (gpointer)) field->getter;
  const char * const *strv = getter (object);
  g_auto(GStrv) property = NULL;
  g_autoptr(GPtrArray) expected = g_ptr_array_new ();
  JsonArray *array;

  /* Never NULL: anything but an array is an empty one. */
  if (member != NULL && JSON_NODE_HOLDS_ARRAY (member))
    {
      array = json_node_get_array (member);
      for (guint i = 0; i < json_array_get_length (array); i++)
        if (holds (json_array_get_element (array, i), G_TYPE_STRING))
          g_ptr_array_add (expected, (char *) json_array_get_string_element (array, i));
    }
  g_ptr_array_add (expected, NULL);

  g_assert_nonnull (strv);
  g_assert_true (g_strv_equal ((const char * const *) expected->pdata, strv));
  g_assert_true (getter (object) == strv);
  g_object_get (object, field->property, &property, NULL);
  g_assert_true (g_strv_equal ((const char * const *) property, strv));
}

static void
check_int_array (DGatewayObject     *object,
                 const FixtureField *field,
                 JsonNode           *member)
{
  GVariant *variant = ((GVariant *(*) (gpointer)) field->getter) (object);
  g_autoptr(GVariant) property = NULL;
  const gint64 *values;
  gsize n;
  JsonArray *array = NULL;

  g_object_get (object, field->property, &property, NULL);
  g_assert_true (property == variant);

  /* Never NULL: anything but an array is an empty one. */
  g_assert_nonnull (variant);
  g_assert_cmpstr (g_variant_get_type_string (variant), ==, "ax");
  values = g_variant_get_fixed_array (variant, &n, sizeof (gint64));
  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
    {
      g_assert_cmpuint (n, ==, 0);
      return;
    }

  array = json_node_get_array (member);
  g_assert_cmpuint (n, ==, json_array_get_length (array));
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      g_assert_cmpint (values[i], ==, holds (element, G_TYPE_INT64) ? json_node_get_int (element) : 0);
    }
}

static void
check_variant (DGatewayObject     *object,
               const FixtureField *field,
               JsonNode           *member)
{
  GVariant *variant = ((GVariant *(*) (gpointer)) field->getter) (object);
  g_autoptr(GVariant) property = NULL;
  g_autoptr(GVariant) expected = NULL;

  if (holds (member, G_TYPE_STRING))
    expected = g_variant_new_string (json_node_get_string (member));
  else if (holds (member, G_TYPE_INT64))
    expected = g_variant_new_int64 (json_node_get_int (member));
  else if (holds (member, G_TYPE_DOUBLE))
    expected = g_variant_new_double (json_node_get_double (member));
  else if (holds (member, G_TYPE_BOOLEAN))
    expected = g_variant_new_boolean (json_node_get_boolean (member));

  g_object_get (object, field->property, &property, NULL);
  g_assert_true (property == variant);
  if (expected == NULL)
    {
      g_assert_null (variant);
      return;
    }
  g_variant_ref_sink (expected);
  g_assert_true (g_variant_equal (variant, expected));
}

/* Whether a view's JSON is the value it was built on. ETF reads every
 * integer from 2^32 up as its decimal text, since it cannot tell snowflakes
 * (strings in JSON) from other integers (dgateway-etf-private.h): over ETF,
 * such a string matches the integer, and nothing else differs. */
static gboolean
json_matches (JsonNode *got,
              JsonNode *want)
{
  if (test_encoding () == DGATEWAY_ENCODING_JSON)
    return json_node_equal (got, want);

  if (JSON_NODE_HOLDS_OBJECT (want) && JSON_NODE_HOLDS_OBJECT (got))
    {
      JsonObject *g = json_node_get_object (got), *w = json_node_get_object (want);
      g_autoptr(GList) names = json_object_get_members (w);

      if (json_object_get_size (g) != json_object_get_size (w))
        return FALSE;
      for (GList *l = names; l != NULL; l = l->next)
        if (!json_object_has_member (g, l->data)
            || !json_matches (json_object_get_member (g, l->data),
                              json_object_get_member (w, l->data)))
          return FALSE;
      return TRUE;
    }
  if (JSON_NODE_HOLDS_ARRAY (want) && JSON_NODE_HOLDS_ARRAY (got))
    {
      JsonArray *g = json_node_get_array (got), *w = json_node_get_array (want);

      if (json_array_get_length (g) != json_array_get_length (w))
        return FALSE;
      for (guint i = 0; i < json_array_get_length (w); i++)
        if (!json_matches (json_array_get_element (g, i), json_array_get_element (w, i)))
          return FALSE;
      return TRUE;
    }
  if (JSON_NODE_HOLDS_VALUE (want) && json_node_get_value_type (want) == G_TYPE_INT64
      && JSON_NODE_HOLDS_VALUE (got) && json_node_get_value_type (got) == G_TYPE_STRING)
    {
      gint64 n = json_node_get_int (want);
      g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, n);

      return (n >= G_GINT64_CONSTANT (1) << 32 || n <= -(G_GINT64_CONSTANT (1) << 32))
             && g_str_equal (json_node_get_string (got), text);
    }
  return json_node_equal (got, want);
}

static void
check_json (DGatewayObject     *object,
            const FixtureField *field,
            JsonNode           *member,
            gboolean            object_only)
{
  JsonNode *node = ((JsonNode *(*) (gpointer)) field->getter) (object);
  g_autoptr(JsonNode) property = NULL;

  /* JsonNode properties are copies. */
  g_object_get (object, field->property, &property, NULL);
  if (member == NULL || (object_only && !JSON_NODE_HOLDS_OBJECT (member)))
    {
      g_assert_null (node);
      g_assert_null (property);
      return;
    }
  g_assert_nonnull (node);
  g_assert_true (json_matches (node, member));
  g_assert_true (json_matches (property, member));
  g_assert_true (((JsonNode *(*) (gpointer)) field->getter) (object) == node);
}

static void
check_map (DGatewayObject     *object,
           const FixtureField *field,
           JsonNode           *member)
{
  gpointer (*lookup) (gpointer, const char *) = (gpointer (*) (gpointer, const char *)) field->lookup;
  JsonObject *map;
  g_autoptr(GList) keys = NULL;

  check_json (object, field, member, TRUE);
  g_assert_null (lookup (object, "no such key"));
  if (member == NULL || !JSON_NODE_HOLDS_OBJECT (member))
    return;

  map = json_node_get_object (member);
  keys = json_object_get_members (map);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      JsonNode *value = json_object_get_member (map, l->data);
      gpointer found = lookup (object, l->data);

      if (field->kind == 'M')
        g_assert_cmpstr (found, ==, holds (value, G_TYPE_STRING) ? json_node_get_string (value) : NULL);
      else if (!JSON_NODE_HOLDS_OBJECT (value))
        g_assert_null (found);
      else
        {
          check_child (found, field->ref, value);
          g_assert_true (lookup (object, l->data) == found);
        }
    }
}

/* The has_ function of an optional or nullable scalar: TRUE exactly when
 * the getter reads a value from the payload rather than its default. */
static void
check_has (DGatewayObject     *object,
           const FixtureField *field,
           JsonNode           *member)
{
  g_autofree char *property = g_strconcat ("has-", field->property, NULL);
  gboolean expected, value;

  switch (field->kind)
    {
    case 'b':
      expected = holds (member, G_TYPE_BOOLEAN);
      break;
    case 'f':
      expected = holds (member, G_TYPE_DOUBLE) || holds (member, G_TYPE_INT64);
      break;
    case 'n':
      expected = holds (member, G_TYPE_STRING);
      break;
    default:
      expected = holds (member, G_TYPE_INT64);
      break;
    }

  g_assert_cmpint (((gboolean (*) (gpointer)) field->has) (object), ==, expected);
  g_object_get (object, property, &value, NULL);
  g_assert_cmpint (value, ==, expected);
}

static void
check_field (DGatewayObject     *object,
             const FixtureField *field,
             JsonNode           *json)
{
  JsonNode *member = NULL;

  if (json != NULL && JSON_NODE_HOLDS_OBJECT (json))
    member = json_object_get_member (json_node_get_object (json), field->name);

  g_assert_cmpint (dgateway_object_has_member (object, field->name), ==, member != NULL);
  if (field->has != NULL)
    check_has (object, field, member);

  switch (field->kind)
    {
    case 's':
    case 'S':
      check_string (object, field, member);
      break;
    case 'i':
      check_int (object, field, member);
      break;
    case 'e':
    case 'F':
      check_enum (object, field, member);
      break;
    case 'n':
      check_enum_nick (object, field, member);
      break;
    case 'f':
      check_double (object, field, member);
      break;
    case 'b':
      check_bool (object, field, holds (member, G_TYPE_BOOLEAN) && json_node_get_boolean (member));
      break;
    case 'p':
      check_bool (object, field, member != NULL);
      break;
    case 't':
      check_date_time (object, field, member);
      break;
    case 'T':
      check_unix_time (object, field, member);
      break;
    case 'o':
      check_nested (object, field, member, field->ref);
      break;
    case 'u':
      check_nested (object, field, member, member ? union_type (field, json) : NULL);
      break;
    case 'l':
      check_list (object, field, member);
      break;
    case 'v':
      check_strv (object, field, member);
      break;
    case 'a':
      check_int_array (object, field, member);
      break;
    case 'V':
      check_variant (object, field, member);
      break;
    case 'j':
      check_json (object, field, member, FALSE);
      break;
    case 'm':
    case 'M':
      check_map (object, field, member);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Compares every field of @object with @json, the JSON value it views (a
 * member of another type than an object makes every field a default). */
static void
check_object (DGatewayObject *object,
              JsonNode       *json)
{
  const FixtureClass *klass = find_class (G_OBJECT_TYPE_NAME (object));
  JsonNode *node = dgateway_object_get_json (object);

  /* The JSON of the view is the value it was built on, built once; an
   * empty view, on a missing member, has none. */
  if (json == NULL)
    g_assert_null (node);
  else
    g_assert_true (json_matches (node, json));
  g_assert_true (dgateway_object_get_json (object) == node);

  if (klass == NULL)
    {
      g_assert_true (G_OBJECT_TYPE (object) == DGATEWAY_TYPE_OBJECT);
      return;
    }

  for (guint i = 0; i < klass->n_fields; i++)
    check_field (object, &klass->fields[i], json);
}

static void
check_property_count (const FixtureClass *klass)
{
  GObjectClass *object_class = g_type_class_ref (klass->get_type ());
  guint n;
  g_autofree GParamSpec **pspecs = g_object_class_list_properties (object_class, &n);
  guint n_has = 0;

  /* The fields and their has- properties, plus DGatewayObject:json. */
  for (guint i = 0; i < klass->n_fields; i++)
    {
      g_autofree char *has = g_strconcat ("has-", klass->fields[i].property, NULL);

      g_assert_nonnull (g_object_class_find_property (object_class, klass->fields[i].property));
      if (klass->fields[i].has != NULL)
        {
          GParamSpec *pspec = g_object_class_find_property (object_class, has);

          g_assert_nonnull (pspec);
          g_assert_true (pspec->value_type == G_TYPE_BOOLEAN);
          n_has++;
        }
      else
        g_assert_null (g_object_class_find_property (object_class, has));
    }
  g_assert_cmpuint (n, ==, klass->n_fields + n_has + 1);
  g_type_class_unref (object_class);
}

/* Every class, without the network: each of its three payloads read back
 * through a view, as an event would build it. */

static DGatewayPayload *
parse_data (const char *d_json)
{
  g_autofree char *text = g_strdup_printf ("{\"op\":0,\"s\":1,\"t\":\"TEST\",\"d\":%s}", d_json);
  g_autoptr(GError) error = NULL;
  DGatewayPayload *payload = dgateway_payload_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  return payload;
}

static void
check_class_payload (const FixtureClass *klass,
                     const char         *d_json)
{
  g_autoptr(DGatewayPayload) payload = parse_data (d_json);
  g_autoptr(JsonNode) expected = json_from_string (d_json, NULL);
  DGatewayObject *object = dgateway_object_new_view (klass->get_type (), payload,
                                                     dgateway_payload_get_data (payload));

  check_object (object, expected);
  g_assert_finalize_object (object);
}

static void
test_class (gconstpointer data)
{
  const FixtureClass *klass = data;

  check_property_count (klass);
  check_class_payload (klass, klass->full);
  check_class_payload (klass, klass->sparse);
  check_class_payload (klass, klass->wrong);
}

/* Every event, over the wire: the typed signal fires once, with its class,
 * and the payload reads back. */

static void
check_event_payload (const FixtureEvent *fixture,
                     const char         *d_json)
{
  Fixture *f = get_shared ();
  Recorder r;
  g_autoptr(JsonNode) expected = json_from_string (d_json, NULL);
  gulong id;

  recorder_init (&r);
  id = g_signal_connect (f->client, fixture->signal, G_CALLBACK (typed_cb), &r);
  dispatch_and_sync (f, fixture->event, d_json);
  g_signal_handler_disconnect (f->client, id);

  g_assert_cmpuint (r.objects->len, ==, 1);
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (r.objects->pdata[0]), ==, fixture->type_name);
  check_object (r.objects->pdata[0], expected);
  recorder_clear (&r);
}

static void
test_event (gconstpointer data)
{
  const FixtureEvent *fixture = data;
  const DGatewayTypedEvent *typed = dgateway_typed_event_lookup (fixture->event);
  guint signal_id;
  GSignalQuery query;

  get_shared ();
  signal_id = g_signal_lookup (fixture->signal, DGATEWAY_TYPE_CLIENT);

  /* The signal is there, with the payload class as its argument. */
  g_assert_nonnull (typed);
  g_assert_cmpuint (dgateway_typed_event_get_signal (typed), ==, signal_id);
  g_signal_query (signal_id, &query);
  g_assert_cmpuint (query.n_params, ==, 1);
  g_assert_cmpstr (g_type_name (query.param_types[0]), ==, fixture->type_name);
  g_assert_true (query.return_type == G_TYPE_NONE);

  check_event_payload (fixture, fixture->full);
  check_event_payload (fixture, fixture->sparse);
  check_event_payload (fixture, fixture->wrong);
}

/* Every event's object, whatever the JSON type of `d`: its getters read
 * defaults. */
static void
test_event_not_an_object (void)
{
  const char *payloads[] = { "null", "[1,2]", "\"text\"", "42" };
  Fixture *f = get_shared ();

  for (guint i = 0; i < G_N_ELEMENTS (fixture_events); i++)
    {
      Recorder r;
      const char *d_json = payloads[i % G_N_ELEMENTS (payloads)];
      g_autoptr(JsonNode) expected = json_from_string (d_json, NULL);
      gulong id;

      recorder_init (&r);
      id = g_signal_connect (f->client, fixture_events[i].signal, G_CALLBACK (typed_cb), &r);
      dispatch_and_sync (f, fixture_events[i].event, d_json);
      g_signal_handler_disconnect (f->client, id);

      g_assert_cmpuint (r.objects->len, ==, 1);
      check_object (r.objects->pdata[0], expected);
      recorder_clear (&r);
    }
}

/* Middleware and detail filtering */

static void
test_dispatch_first (void)
{
  Fixture *f = get_shared ();
  g_autofree char *message = dgateway_mock_gateway_build_message_create (0);
  Recorder r;
  gulong typed_id, dispatch_id;

  recorder_init (&r);
  typed_id = g_signal_connect (f->client, "message-create", G_CALLBACK (typed_cb), &r);
  dispatch_id = g_signal_connect (f->client, "dispatch::MESSAGE_CREATE", G_CALLBACK (dispatch_cb), &r);
  dispatch_and_sync (f, "MESSAGE_CREATE", message);

  /* dispatch ran first, and both saw the same object. */
  g_assert_cmpuint (r.order->len, ==, 2);
  g_assert_cmpstr (r.order->pdata[0], ==, "dispatch");
  g_assert_cmpstr (r.order->pdata[1], ==, "typed");
  g_assert_true (r.objects->pdata[0] == r.dispatched->pdata[0]);
  g_assert_true (DGATEWAY_IS_MESSAGE (r.objects->pdata[0]));

  g_signal_handler_disconnect (f->client, typed_id);
  g_signal_handler_disconnect (f->client, dispatch_id);
  recorder_clear (&r);
}

static void
check_stopped (const char *detailed_signal)
{
  Fixture *f = get_shared ();
  g_autofree char *message = dgateway_mock_gateway_build_message_create (1);
  Recorder r;
  gulong typed_id, dispatch_id;

  recorder_init (&r);
  r.stop = TRUE;
  typed_id = g_signal_connect (f->client, "message-create", G_CALLBACK (typed_cb), &r);
  dispatch_id = g_signal_connect (f->client, detailed_signal, G_CALLBACK (dispatch_cb), &r);
  dispatch_and_sync (f, "MESSAGE_CREATE", message);

  g_assert_cmpuint (r.dispatched->len, ==, 1);
  g_assert_cmpuint (r.objects->len, ==, 0);

  /* The next one that passes reaches the typed signal. */
  r.stop = FALSE;
  dispatch_and_sync (f, "MESSAGE_CREATE", message);
  g_assert_cmpuint (r.dispatched->len, ==, 2);
  g_assert_cmpuint (r.objects->len, ==, 1);

  g_signal_handler_disconnect (f->client, typed_id);
  g_signal_handler_disconnect (f->client, dispatch_id);
  recorder_clear (&r);
}

static void
test_dispatch_stops_detailed (void)
{
  check_stopped ("dispatch::MESSAGE_CREATE");
}

static void
test_dispatch_stops_undetailed (void)
{
  check_stopped ("dispatch");
}

static void
test_detail_filtering (void)
{
  Fixture *f = get_shared ();
  g_autofree char *message = dgateway_mock_gateway_build_message_create (2);
  Recorder typing, messages;
  gulong ids[3];

  recorder_init (&typing);
  recorder_init (&messages);
  ids[0] = g_signal_connect (f->client, "dispatch::TYPING_START", G_CALLBACK (dispatch_cb), &typing);
  ids[1] = g_signal_connect (f->client, "typing-start", G_CALLBACK (typed_cb), &typing);
  ids[2] = g_signal_connect (f->client, "message-create", G_CALLBACK (typed_cb), &messages);

  dispatch_and_sync (f, "MESSAGE_CREATE", message);
  g_assert_cmpuint (typing.order->len, ==, 0);
  g_assert_cmpuint (messages.objects->len, ==, 1);

  dispatch_and_sync (f, "TYPING_START",
                     "{\"channel_id\":\"1100000000000000200\",\"user_id\":\"1100000000000000300\","
                     "\"timestamp\":1700000000}");
  g_assert_cmpuint (typing.dispatched->len, ==, 1);
  g_assert_cmpuint (typing.objects->len, ==, 1);
  g_assert_true (DGATEWAY_IS_TYPING_START (typing.objects->pdata[0]));
  g_assert_cmpint (g_date_time_to_unix (dgateway_typing_start_get_timestamp (typing.objects->pdata[0])),
                   ==, 1700000000);
  g_assert_cmpuint (messages.objects->len, ==, 1);

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    g_signal_handler_disconnect (f->client, ids[i]);
  recorder_clear (&typing);
  recorder_clear (&messages);
}

/* An event the schema does not know reaches dispatch, as a plain object. */
static void
test_unknown_event (void)
{
  Fixture *f = get_shared ();
  Recorder r;
  gulong id;
  DGatewayObject *object;
  JsonNode *json;

  recorder_init (&r);
  id = g_signal_connect (f->client, "dispatch::BRAND_NEW_EVENT", G_CALLBACK (dispatch_cb), &r);
  dispatch_and_sync (f, "BRAND_NEW_EVENT", "{\"guild_id\":\"1100000000000000100\",\"shiny\":true}");
  g_signal_handler_disconnect (f->client, id);

  g_assert_cmpuint (r.dispatched->len, ==, 1);
  object = r.dispatched->pdata[0];
  g_assert_true (G_OBJECT_TYPE (object) == DGATEWAY_TYPE_OBJECT);
  g_assert_true (dgateway_object_has_member (object, "shiny"));
  g_assert_false (dgateway_object_has_member (object, "dull"));
  json = dgateway_object_get_json (object);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (json), "shiny"));
  g_assert_null (dgateway_typed_event_lookup ("BRAND_NEW_EVENT"));
  recorder_clear (&r);
}

/* Nobody listens: no view is built. */

static void
test_lazy (void)
{
  Fixture *f = get_shared ();
  g_autofree char *message = dgateway_mock_gateway_build_message_create (3);
  Recorder r;
  guint before;
  gulong id;
  DGatewayTypingStart *typing;

  recorder_init (&r);
  id = g_signal_connect (f->client, "typing-start", G_CALLBACK (typed_cb), &r);

  /* No handler for MESSAGE_CREATE (the one for dispatch::TEST_SYNC does
   * not count): nothing is built for it. */
  before = dgateway_object_get_n_views_for_tests ();
  dispatch_and_sync (f, "MESSAGE_CREATE", message);
  g_assert_cmpuint (dgateway_object_get_n_views_for_tests (), ==, before);

  /* One view for TYPING_START, and its member only when read. */
  dispatch_and_sync (f, "TYPING_START",
                     "{\"channel_id\":\"1100000000000000200\",\"user_id\":\"1100000000000000300\","
                     "\"timestamp\":1700000000,\"member\":{\"roles\":[],\"nick\":\"Ann\"}}");
  g_assert_cmpuint (dgateway_object_get_n_views_for_tests (), ==, before + 1);
  typing = r.objects->pdata[0];
  g_assert_cmpstr (dgateway_guild_member_get_nick (dgateway_typing_start_get_member (typing)), ==, "Ann");
  g_assert_cmpuint (dgateway_object_get_n_views_for_tests (), ==, before + 2);

  g_signal_handler_disconnect (f->client, id);
  recorder_clear (&r);
}

/* The lifetime of events and views: readable during their emission,
 * released after it unless kept. */

#define LIFETIME_MESSAGE \
  "{\"id\":\"1100000000000000900\",\"channel_id\":\"1100000000000000200\"," \
  "\"content\":\"kept or not\",\"timestamp\":\"2024-05-01T12:34:56.789000+00:00\"," \
  "\"author\":{\"id\":\"1100000000000000300\",\"username\":\"nelly\"}," \
  "\"mentions\":[{\"id\":\"1100000000000000301\",\"username\":\"bob\"}]," \
  "\"mention_roles\":[\"1100000000000000400\"]}"

#define RELEASED_WARNING \
  "A DGatewayMessage was read after the signal emission that handed it over had ended*" \
  "call dgateway_event_keep() or dgateway_object_keep()*"

typedef struct {
  gboolean keep_object;       /* the typed handler keeps the message */
  gboolean keep_event;        /* the dispatch handler keeps the event */
  gboolean ref_json;          /* the dispatch handler refs the event's JSON */
  DGatewayEvent *event;
  DGatewayMessage *message;
  DGatewayUser *author;       /* read during the emission */
  GListModel *mentions;       /* read during the emission, items not */
  JsonNode *json;
  gsize live_during;          /* payload bytes alive in the typed handler */
} Lifetime;

static gboolean
lifetime_dispatch_cb (DGatewayClient *client,
                      DGatewayEvent  *event,
                      Lifetime       *l)
{
  l->event = l->keep_event ? dgateway_event_keep (event) : g_object_ref (event);
  if (l->ref_json)
    l->json = json_node_ref (dgateway_event_get_json (event));
  return FALSE;
}

static void
lifetime_message_cb (DGatewayClient  *client,
                     DGatewayMessage *message,
                     Lifetime        *l)
{
  g_assert_cmpstr (dgateway_message_get_content (message), ==, "kept or not");
  l->author = g_object_ref (dgateway_message_get_author (message));
  l->mentions = g_object_ref (dgateway_message_get_mentions (message));
  if (l->keep_object)
    {
      /* Twice is harmless: each call is one more reference. */
      g_object_unref (dgateway_object_keep (message));
      l->message = dgateway_object_keep (message);
    }
  else
    l->message = g_object_ref (message);
  l->live_during = dgateway_payload_get_live_bytes_for_tests ();
}

/* Sends LIFETIME_MESSAGE to a dispatch and a message-create handler; when
 * it returns, the emission is over. */
static void
lifetime_run (Lifetime *l)
{
  Fixture *f = get_shared ();
  gulong dispatch_id, typed_id;

  dispatch_id = g_signal_connect (f->client, "dispatch::MESSAGE_CREATE",
                                  G_CALLBACK (lifetime_dispatch_cb), l);
  typed_id = g_signal_connect (f->client, "message-create", G_CALLBACK (lifetime_message_cb), l);
  dispatch_and_sync (f, "MESSAGE_CREATE", LIFETIME_MESSAGE);
  g_signal_handler_disconnect (f->client, dispatch_id);
  g_signal_handler_disconnect (f->client, typed_id);

  g_assert_nonnull (l->message);
  /* The warning is shown once per process: once per test here. */
  dgateway_payload_reset_warning_for_tests ();
}

static void
lifetime_clear (Lifetime *l)
{
  g_clear_pointer (&l->json, json_node_unref);
  g_clear_object (&l->mentions);
  g_clear_object (&l->author);
  g_clear_object (&l->message);
  g_assert_finalize_object (g_steal_pointer (&l->event));
}

/* What a released message reads: the defaults of missing members. */
static void
assert_message_released (DGatewayMessage *message)
{
  DGatewayObject *object = DGATEWAY_OBJECT (message);

  g_assert_cmpstr (dgateway_message_get_content (message), ==, "");
  g_assert_cmpstr (dgateway_message_get_id (message), ==, "");
  g_assert_cmpstr (dgateway_user_get_username (dgateway_message_get_author (message)), ==, "");
  g_assert_null (dgateway_message_get_timestamp (message));
  g_assert_null (dgateway_message_get_mention_roles (message)[0]);
  g_assert_false (dgateway_object_has_member (object, "content"));
  g_assert_null (dgateway_object_get_json (object));
}

static void
assert_message_readable (DGatewayMessage *message)
{
  g_autoptr(DGatewayUser) mention = g_list_model_get_item (dgateway_message_get_mentions (message), 0);

  g_assert_cmpstr (dgateway_message_get_content (message), ==, "kept or not");
  g_assert_cmpstr (dgateway_message_get_id (message), ==, "1100000000000000900");
  g_assert_cmpstr (dgateway_user_get_username (dgateway_message_get_author (message)), ==, "nelly");
  g_assert_nonnull (dgateway_message_get_timestamp (message));
  g_assert_cmpstr (dgateway_message_get_mention_roles (message)[0], ==, "1100000000000000400");
  g_assert_cmpstr (dgateway_user_get_username (mention), ==, "bob");
  g_assert_nonnull (dgateway_object_get_json (DGATEWAY_OBJECT (message)));
}

static void
test_lifetime_released (void)
{
  Lifetime l = { 0 };
  g_autoptr(DGatewayUser) mention = NULL;
  g_autofree char *json = NULL;

  lifetime_run (&l);

  /* The first late read warns, naming the functions to call... */
  g_test_expect_message ("DGateway", G_LOG_LEVEL_WARNING, RELEASED_WARNING);
  g_assert_cmpstr (dgateway_message_get_content (l.message), ==, "");
  g_test_assert_expected_messages ();

  /* ...and no other does (one more would be fatal here). The message,
   * its author read during the emission, the items of its list and the
   * event all read as released. */
  assert_message_released (l.message);
  g_assert_cmpstr (dgateway_user_get_username (l.author), ==, "");
  g_assert_cmpuint (g_list_model_get_n_items (l.mentions), ==, 1);
  mention = g_list_model_get_item (l.mentions, 0);
  g_assert_cmpstr (dgateway_user_get_username (mention), ==, "");
  g_assert_null (dgateway_event_get_json (l.event));
  json = dgateway_event_dup_data_json (l.event);
  g_assert_cmpstr (json, ==, "null");
  g_assert_true (dgateway_event_get_object (l.event) == DGATEWAY_OBJECT (l.message));

  /* The envelope stays. */
  g_assert_cmpstr (dgateway_event_get_name (l.event), ==, "MESSAGE_CREATE");
  g_assert_cmpint (dgateway_event_get_sequence (l.event), >, 0);
  lifetime_clear (&l);
}

static void
test_lifetime_keep_object (void)
{
  Lifetime l = { .keep_object = TRUE };

  lifetime_run (&l);
  assert_message_readable (l.message);
  g_assert_cmpstr (dgateway_user_get_username (l.author), ==, "nelly");
  /* The event shares the payload the message kept. */
  g_assert_nonnull (dgateway_event_get_json (l.event));
  lifetime_clear (&l);
}

static void
test_lifetime_keep_event (void)
{
  Lifetime l = { .keep_event = TRUE };

  lifetime_run (&l);
  /* Keeping the event keeps the views of its payload. */
  assert_message_readable (l.message);
  g_assert_true (dgateway_event_get_object (l.event) == DGATEWAY_OBJECT (l.message));
  lifetime_clear (&l);
}

/* The JsonNode the application took a reference on is its own. */
static void
test_lifetime_json_reference (void)
{
  Lifetime l = { .ref_json = TRUE };
  JsonObject *object;

  lifetime_run (&l);
  object = json_node_get_object (l.json);
  g_assert_cmpstr (json_object_get_string_member (object, "content"), ==, "kept or not");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "author"),
                                                  "username"), ==, "nelly");

  g_test_expect_message ("DGateway", G_LOG_LEVEL_WARNING,
                         "A DGatewayEvent was read after the signal emission*dgateway_event_keep()*");
  g_assert_null (dgateway_event_get_json (l.event));
  g_test_assert_expected_messages ();
  lifetime_clear (&l);
}

/* Too late: the object comes back, the data does not. */
static void
test_lifetime_keep_too_late (void)
{
  Lifetime l = { 0 };
  DGatewayObject *kept;

  lifetime_run (&l);
  g_test_expect_message ("DGateway", G_LOG_LEVEL_WARNING, RELEASED_WARNING);
  kept = dgateway_object_keep (l.message);
  g_test_assert_expected_messages ();
  g_assert_true (kept == DGATEWAY_OBJECT (l.message));
  g_object_unref (kept);
  assert_message_released (l.message);
  lifetime_clear (&l);
}

/* The memory goes when the emission ends, while the event and the views
 * still live; kept, it goes with the last of them. Other payloads come
 * and go meanwhile (heartbeat ACKs), so the margins are the message's
 * text, which its document (text and tape) exceeds. */
static void
test_lifetime_memory (void)
{
  gsize text = strlen (LIFETIME_MESSAGE);
  gsize before = dgateway_payload_get_live_bytes_for_tests ();
  Lifetime released = { 0 };
  Lifetime kept = { .keep_object = TRUE };

  lifetime_run (&released);
  g_test_message ("live payload bytes: %" G_GSIZE_FORMAT " before, %" G_GSIZE_FORMAT
                  " during the emission, %" G_GSIZE_FORMAT " after",
                  before, released.live_during, dgateway_payload_get_live_bytes_for_tests ());
  g_assert_cmpuint (released.live_during, >=, before + text);
  g_assert_cmpuint (dgateway_payload_get_live_bytes_for_tests (), <, before + text);
  lifetime_clear (&released);

  lifetime_run (&kept);
  g_assert_cmpuint (dgateway_payload_get_live_bytes_for_tests (), >=, before + text);
  lifetime_clear (&kept);
  g_assert_cmpuint (dgateway_payload_get_live_bytes_for_tests (), <, before + text);
}

/* The C API, as README shows it. */
static void
test_message_c_api (void)
{
  Fixture *f = get_shared ();
  Recorder r;
  gulong id;
  DGatewayMessage *message;
  DGatewayUser *author;
  GListModel *mentions;
  g_autoptr(DGatewayUser) mentioned = NULL;
  g_autoptr(GDateTime) created = NULL;
  GDateTime *timestamp;

  recorder_init (&r);
  id = g_signal_connect (f->client, "message-create", G_CALLBACK (typed_cb), &r);
  dispatch_and_sync (f, "MESSAGE_CREATE",
                     "{\"id\":\"1234567890123456789\",\"channel_id\":\"1100000000000000200\","
                     "\"guild_id\":\"1100000000000000100\",\"content\":\"hello \\u2728\","
                     "\"timestamp\":\"2024-05-01T12:34:56.789000+00:00\",\"edited_timestamp\":null,"
                     "\"tts\":false,\"mention_everyone\":false,\"type\":0,\"channel_type\":11,"
                     "\"author\":{\"id\":\"80351110224678912\",\"username\":\"nelly\","
                     "\"discriminator\":\"0\",\"global_name\":\"Nelly\",\"avatar\":null},"
                     "\"mentions\":[{\"id\":\"80351110224678913\",\"username\":\"bob\","
                     "\"member\":{\"nick\":\"Bobby\",\"roles\":[\"41771983423143936\"]}}],"
                     "\"mention_roles\":[\"41771983423143936\"],\"attachments\":[],\"embeds\":[],"
                     "\"pinned\":false}");
  g_signal_handler_disconnect (f->client, id);

  g_assert_cmpuint (r.objects->len, ==, 1);
  message = r.objects->pdata[0];
  g_assert_cmpstr (dgateway_message_get_content (message), ==, "hello \u2728");
  g_assert_cmpstr (dgateway_message_get_id (message), ==, "1234567890123456789");
  g_assert_cmpuint (dgateway_snowflake_to_uint64 (dgateway_message_get_id (message)), ==,
                    G_GUINT64_CONSTANT (1234567890123456789));
  g_assert_cmpint (dgateway_message_get_channel_type (message), ==, DGATEWAY_CHANNEL_TYPE_PUBLIC_THREAD);
  g_assert_cmpint (dgateway_message_get_message_type (message), ==, DGATEWAY_MESSAGE_TYPE_DEFAULT);
  g_assert_cmpint (dgateway_message_get_flags (message), ==, 0);
  g_assert_false (dgateway_message_has_flags (message));
  g_assert_null (dgateway_message_get_edited_timestamp (message));
  g_assert_true (dgateway_object_has_member (DGATEWAY_OBJECT (message), "edited_timestamp"));
  g_assert_null (dgateway_message_get_member (message));
  g_assert_false (dgateway_object_has_member (DGATEWAY_OBJECT (message), "member"));

  timestamp = dgateway_message_get_timestamp (message);
  g_assert_cmpint (g_date_time_get_year (timestamp), ==, 2024);
  g_assert_cmpint (g_date_time_get_microsecond (timestamp), ==, 789000);

  author = dgateway_message_get_author (message);
  g_assert_cmpstr (dgateway_user_get_username (author), ==, "nelly");
  g_assert_cmpstr (dgateway_user_get_global_name (author), ==, "Nelly");
  g_assert_null (dgateway_user_get_avatar (author));
  g_assert_true (dgateway_message_get_author (message) == author);

  /* 80351110224678912 was created on 2015-08-10 at 17:26:37.529 UTC. */
  created = dgateway_snowflake_get_created_at (dgateway_user_get_id (author));
  g_assert_cmpint (g_date_time_to_unix (created), ==, 1439227597);
  g_assert_cmpint (g_date_time_get_microsecond (created), ==, 529000);

  mentions = dgateway_message_get_mentions (message);
  g_assert_cmpuint (g_list_model_get_n_items (mentions), ==, 1);
  mentioned = g_list_model_get_item (mentions, 0);
  g_assert_cmpstr (dgateway_guild_member_get_nick (dgateway_user_get_member (mentioned)), ==, "Bobby");
  g_assert_cmpstr (dgateway_message_get_mention_roles (message)[0], ==, "41771983423143936");
  g_assert_null (dgateway_message_get_mention_roles (message)[1]);
  recorder_clear (&r);
}

static void
test_snowflake (void)
{
  g_autofree char *text = dgateway_snowflake_from_uint64 (G_MAXUINT64);

  g_assert_cmpuint (dgateway_snowflake_to_uint64 ("18446744073709551615"), ==, G_MAXUINT64);
  g_assert_cmpstr (text, ==, "18446744073709551615");
  g_assert_cmpuint (dgateway_snowflake_to_uint64 ("18446744073709551616"), ==, 0);
  g_assert_cmpuint (dgateway_snowflake_to_uint64 ("-1"), ==, 0);
  g_assert_cmpuint (dgateway_snowflake_to_uint64 ("12a"), ==, 0);
  g_assert_cmpuint (dgateway_snowflake_to_uint64 (""), ==, 0);
  g_assert_cmpuint (dgateway_snowflake_to_uint64 (NULL), ==, 0);
  g_assert_null (dgateway_snowflake_get_created_at ("nope"));
}

/* Malformed ids are failures, told apart from "0". */
static void
test_snowflake_parse (void)
{
  const char *malformed[] = { "abc", "", "12a", "-1", "+1", " 1", "1 ",
                              "18446744073709551616", "\xd9\xa1" };
  guint64 id = 42;

  g_assert_true (dgateway_snowflake_parse ("175928847299117063", &id));
  g_assert_cmpuint (id, ==, G_GUINT64_CONSTANT (175928847299117063));
  g_assert_true (dgateway_snowflake_parse ("18446744073709551615", &id));
  g_assert_cmpuint (id, ==, G_MAXUINT64);
  g_assert_true (dgateway_snowflake_parse ("0", &id));
  g_assert_cmpuint (id, ==, 0);
  g_assert_true (dgateway_snowflake_parse ("1", NULL));

  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      id = 42;
      g_assert_false (dgateway_snowflake_parse (malformed[i], &id));
      g_assert_cmpuint (id, ==, 0);
      g_assert_cmpuint (dgateway_snowflake_to_uint64 (malformed[i]), ==, 0);
    }
  id = 42;
  g_assert_false (dgateway_snowflake_parse (NULL, &id));
  g_assert_cmpuint (id, ==, 0);
}

static void
test_snowflake_created_at (void)
{
  g_autoptr(GDateTime) created = NULL;

  /* Discord's own example: 175928847299117063 is 2016-04-30 11:18:25.796 UTC. */
  created = dgateway_snowflake_get_created_at ("175928847299117063");
  g_assert_cmpint (g_date_time_to_unix (created), ==, 1462015105);
  g_assert_cmpint (g_date_time_get_microsecond (created), ==, 796000);
  g_assert_cmpint (g_date_time_get_utc_offset (created), ==, 0);
}

/* Issue #14: typed where Discord's documentation gives a type. The fixture
 * tests check every field against the schema; this checks the schema. */
static void
test_documented_types (void)
{
  const struct {
    GType (*get_type) (void);
    const char *property;
    GType value_type;
  } fields[] = {
    { dgateway_message_get_type, "type", DGATEWAY_TYPE_MESSAGE_TYPE },
    { dgateway_message_get_type, "flags", DGATEWAY_TYPE_MESSAGE_FLAGS },
    { dgateway_user_get_type, "flags", DGATEWAY_TYPE_USER_FLAGS },
    { dgateway_user_get_type, "public-flags", DGATEWAY_TYPE_USER_FLAGS },
    { dgateway_user_get_type, "premium-type", DGATEWAY_TYPE_PREMIUM_TYPE },
    { dgateway_channel_get_type, "type", DGATEWAY_TYPE_CHANNEL_TYPE },
    { dgateway_channel_get_type, "flags", DGATEWAY_TYPE_CHANNEL_FLAGS },
    { dgateway_guild_get_type, "verification-level", DGATEWAY_TYPE_VERIFICATION_LEVEL },
    { dgateway_guild_get_type, "premium-tier", DGATEWAY_TYPE_PREMIUM_TIER },
    { dgateway_guild_get_type, "nsfw-level", DGATEWAY_TYPE_GUILD_NSFW_LEVEL },
    { dgateway_guild_get_type, "system-channel-flags", DGATEWAY_TYPE_SYSTEM_CHANNEL_FLAGS },
    { dgateway_guild_member_get_type, "flags", DGATEWAY_TYPE_GUILD_MEMBER_FLAGS },
    { dgateway_presence_update_get_type, "status", DGATEWAY_TYPE_STATUS },
    { dgateway_client_status_get_type, "desktop", DGATEWAY_TYPE_STATUS },
    { dgateway_typing_start_get_type, "timestamp", G_TYPE_DATE_TIME },
    { dgateway_activity_get_type, "created-at", G_TYPE_DATE_TIME },
    { dgateway_activity_timestamps_get_type, "start", G_TYPE_DATE_TIME },
    { dgateway_voice_channel_start_time_update_get_type, "voice-start-time", G_TYPE_DATE_TIME },
  };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      GObjectClass *klass = g_type_class_ref (fields[i].get_type ());
      GParamSpec *pspec = g_object_class_find_property (klass, fields[i].property);

      g_assert_nonnull (pspec);
      g_assert_cmpstr (g_type_name (pspec->value_type), ==, g_type_name (fields[i].value_type));
      g_type_class_unref (klass);
    }
}

/* The statuses Discord sends read as DGatewayStatus; TYPING_START's Unix
 * seconds and an activity's milliseconds as times in UTC. */
static void
test_status_and_times (void)
{
  g_autoptr(DGatewayPayload) payload =
    parse_data ("{\"status\":\"dnd\",\"client_status\":{\"mobile\":\"idle\",\"web\":\"sleeping\"},"
                "\"activities\":[{\"name\":\"x\",\"type\":0,\"created_at\":1714560000123,"
                "\"timestamps\":{\"start\":-1}}]}");
  g_autoptr(DGatewayPayload) typing_payload = parse_data ("{\"timestamp\":1700000000}");
  DGatewayObject *presence = dgateway_object_new_view (DGATEWAY_TYPE_PRESENCE_UPDATE, payload,
                                                       dgateway_payload_get_data (payload));
  DGatewayObject *typing = dgateway_object_new_view (DGATEWAY_TYPE_TYPING_START, typing_payload,
                                                     dgateway_payload_get_data (typing_payload));
  DGatewayClientStatus *client_status;
  g_autoptr(DGatewayActivity) activity = NULL;
  GDateTime *time;
  DGatewayStatus status;

  g_assert_cmpint (dgateway_presence_update_get_status (DGATEWAY_PRESENCE_UPDATE (presence)), ==,
                   DGATEWAY_STATUS_DND);
  g_object_get (presence, "status", &status, NULL);
  g_assert_cmpint (status, ==, DGATEWAY_STATUS_DND);

  /* Absent and unknown read as offline; has_ tells them apart. */
  client_status = dgateway_presence_update_get_client_status (DGATEWAY_PRESENCE_UPDATE (presence));
  g_assert_cmpint (dgateway_client_status_get_mobile (client_status), ==, DGATEWAY_STATUS_IDLE);
  g_assert_cmpint (dgateway_client_status_get_desktop (client_status), ==, DGATEWAY_STATUS_OFFLINE);
  g_assert_false (dgateway_client_status_has_desktop (client_status));
  g_assert_cmpint (dgateway_client_status_get_web (client_status), ==, DGATEWAY_STATUS_OFFLINE);
  g_assert_true (dgateway_client_status_has_web (client_status));

  activity = g_list_model_get_item (dgateway_presence_update_get_activities (DGATEWAY_PRESENCE_UPDATE (presence)), 0);
  time = dgateway_activity_get_created_at (activity);
  g_assert_cmpint (g_date_time_to_unix (time), ==, 1714560000);
  g_assert_cmpint (g_date_time_get_microsecond (time), ==, 123000);
  g_assert_cmpint (g_date_time_get_utc_offset (time), ==, 0);
  /* One millisecond before 1970. */
  time = dgateway_activity_timestamps_get_start (dgateway_activity_get_timestamps (activity));
  g_assert_cmpint (g_date_time_to_unix (time), ==, -1);
  g_assert_cmpint (g_date_time_get_microsecond (time), ==, 999000);
  g_assert_null (dgateway_activity_timestamps_get_end (dgateway_activity_get_timestamps (activity)));

  time = dgateway_typing_start_get_timestamp (DGATEWAY_TYPING_START (typing));
  g_assert_cmpint (g_date_time_to_unix (time), ==, 1700000000);
  g_assert_cmpint (g_date_time_get_microsecond (time), ==, 0);

  g_clear_object (&activity);
  g_assert_finalize_object (presence);
  g_assert_finalize_object (typing);
}

/* A view outlives the view it came from: it holds the payload (here one
 * that was never emitted, so never released). */
static void
test_view_keeps_payload (void)
{
  g_autoptr(DGatewayPayload) payload = parse_data ("{\"user\":{\"id\":\"1\",\"username\":\"kept\"}}");
  DGatewayObject *ban = dgateway_object_new_view (DGATEWAY_TYPE_GUILD_BAN, payload,
                                                  dgateway_payload_get_data (payload));
  DGatewayUser *user;

  g_clear_pointer (&payload, dgateway_payload_unref);
  user = g_object_ref (dgateway_guild_ban_get_user (DGATEWAY_GUILD_BAN (ban)));
  g_assert_finalize_object (ban);
  g_assert_cmpstr (dgateway_user_get_username (user), ==, "kept");
  g_assert_finalize_object (user);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  test_init (&argc, &argv);

  g_test_add_func ("/dgateway/typed/snowflake", test_snowflake);
  g_test_add_func ("/dgateway/typed/snowflake-parse", test_snowflake_parse);
  g_test_add_func ("/dgateway/typed/snowflake-created-at", test_snowflake_created_at);
  g_test_add_func ("/dgateway/typed/view-keeps-payload", test_view_keeps_payload);
  g_test_add_func ("/dgateway/typed/documented-types", test_documented_types);
  g_test_add_func ("/dgateway/typed/status-and-times", test_status_and_times);
  for (guint i = 0; i < G_N_ELEMENTS (fixture_classes); i++)
    {
      g_autofree char *path = g_strdup_printf ("/dgateway/typed/class/%s", fixture_classes[i].type_name);

      g_test_add_data_func (path, &fixture_classes[i], test_class);
    }
  for (guint i = 0; i < G_N_ELEMENTS (fixture_events); i++)
    {
      g_autofree char *path = NULL;

      if (i > 0 && strcmp (fixture_events[i].event, fixture_events[i - 1].event) == 0)
        path = g_strdup_printf ("/dgateway/typed/event/%s/%u", fixture_events[i].event, i);
      else
        path = g_strdup_printf ("/dgateway/typed/event/%s", fixture_events[i].event);
      g_test_add_data_func (path, &fixture_events[i], test_event);
    }
  g_test_add_func ("/dgateway/typed/event-not-an-object", test_event_not_an_object);
  g_test_add_func ("/dgateway/typed/middleware/dispatch-first", test_dispatch_first);
  g_test_add_func ("/dgateway/typed/middleware/stop-detailed", test_dispatch_stops_detailed);
  g_test_add_func ("/dgateway/typed/middleware/stop-undetailed", test_dispatch_stops_undetailed);
  g_test_add_func ("/dgateway/typed/detail-filtering", test_detail_filtering);
  g_test_add_func ("/dgateway/typed/unknown-event", test_unknown_event);
  g_test_add_func ("/dgateway/typed/lazy", test_lazy);
  g_test_add_func ("/dgateway/typed/message-c-api", test_message_c_api);
  g_test_add_func ("/dgateway/typed/lifetime/released", test_lifetime_released);
  g_test_add_func ("/dgateway/typed/lifetime/keep-object", test_lifetime_keep_object);
  g_test_add_func ("/dgateway/typed/lifetime/keep-event", test_lifetime_keep_event);
  g_test_add_func ("/dgateway/typed/lifetime/json-reference", test_lifetime_json_reference);
  g_test_add_func ("/dgateway/typed/lifetime/keep-too-late", test_lifetime_keep_too_late);
  g_test_add_func ("/dgateway/typed/lifetime/memory", test_lifetime_memory);

  status = g_test_run ();

  if (shared != NULL)
    {
      g_signal_handlers_unblock_by_func (shared->client, fixture_dispatch_cb, shared);
      fixture_teardown (shared, NULL);
      g_free (shared);
    }
  return status;
}
