/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>

#include <json-glib/json-glib.h>

#include "dgateway-error.h"
#include "dgateway-payload-private.h"

/* g_test_init() makes warnings and criticals fatal, so every accessor call
 * below also proves that it emits none. */

static DGatewayPayload *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  DGatewayPayload *payload = dgateway_payload_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (payload);
  return payload;
}

/* A payload whose data is @json. */
static DGatewayPayload *
parse_data (const char *json)
{
  g_autofree char *text = g_strdup_printf ("{\"op\":0,\"s\":1,\"t\":\"TEST\",\"d\":%s}", json);

  return parse_ok (text);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_parser_steal_root (parser);
}

static void
test_envelope (void)
{
  g_autoptr(DGatewayPayload) payload =
    parse_ok ("{\"op\":0,\"s\":42,\"t\":\"MESSAGE_CREATE\","
              "\"d\":{\"id\":\"1234567890123456789\",\"content\":\"hi\"}}");
  const DGatewayValue *data;

  g_assert_cmpint (dgateway_payload_get_op (payload), ==, 0);
  g_assert_cmpint (dgateway_payload_get_seq (payload), ==, 42);
  g_assert_cmpstr (dgateway_payload_get_name (payload), ==, "MESSAGE_CREATE");

  data = dgateway_payload_get_data (payload);
  g_assert_cmpint (dgateway_value_get_value_type (data), ==, DGATEWAY_VALUE_OBJECT);
  g_assert_cmpstr (dgateway_value_get_member_string (data, "id"), ==, "1234567890123456789");
  g_assert_cmpstr (dgateway_value_get_member_string (data, "content"), ==, "hi");
}

/* A sequence number is 64-bit, and 0 is a real one, not the "none" -1. */
static void
test_seq_range (void)
{
  g_autoptr(DGatewayPayload) zero = parse_ok ("{\"op\":0,\"s\":0,\"t\":\"X\",\"d\":{}}");
  g_autoptr(DGatewayPayload) big = parse_ok ("{\"op\":0,\"s\":9007199254740993,\"t\":\"X\",\"d\":{}}");

  g_assert_cmpint (dgateway_payload_get_seq (zero), ==, 0);
  g_assert_cmpint (dgateway_payload_get_seq (big), ==, G_GINT64_CONSTANT (9007199254740993));
}

static void
test_hello (void)
{
  g_autoptr(DGatewayPayload) payload =
    parse_ok ("{\"t\":null,\"s\":null,\"op\":10,\"d\":{\"heartbeat_interval\":41250,"
              "\"_trace\":[\"[\\\"gateway-prd-us-east1-b-0568\\\",{\\\"micros\\\":0.0}]\"]}}");
  const DGatewayValue *data = dgateway_payload_get_data (payload);

  g_assert_cmpint (dgateway_payload_get_op (payload), ==, 10);
  g_assert_cmpint (dgateway_payload_get_seq (payload), ==, -1);
  g_assert_null (dgateway_payload_get_name (payload));
  g_assert_cmpint (dgateway_value_get_member_int (data, "heartbeat_interval", 0), ==, 41250);
}

/* Members come in any order, with any whitespace, and unknown ones are
 * ignored. */
static void
test_member_order (void)
{
  g_autoptr(DGatewayPayload) payload =
    parse_ok ("\n  { \"d\" : { \"user\" : { \"id\" : \"7\" } } ,\n"
              "    \"extra\" : [1, 2, 3],\n"
              "    \"t\" : \"GUILD_MEMBER_ADD\" , \"s\" : 3 ,\r\n \"op\" : 0 }  \n");
  const DGatewayValue *data = dgateway_payload_get_data (payload);
  const DGatewayValue *user = dgateway_value_get_member (data, "user");

  g_assert_cmpint (dgateway_payload_get_op (payload), ==, 0);
  g_assert_cmpint (dgateway_payload_get_seq (payload), ==, 3);
  g_assert_cmpstr (dgateway_payload_get_name (payload), ==, "GUILD_MEMBER_ADD");
  g_assert_cmpstr (dgateway_value_get_member_string (user, "id"), ==, "7");
  /* The envelope's own members are not part of the data. */
  g_assert_null (dgateway_value_get_member (data, "extra"));
  g_assert_null (dgateway_value_get_member (data, "op"));
}

static void
test_no_data (void)
{
  g_autoptr(DGatewayPayload) ack = parse_ok ("{\"op\":11}");
  g_autoptr(DGatewayPayload) null_data = parse_ok ("{\"op\":7,\"d\":null}");
  const DGatewayValue *data;

  g_assert_cmpint (dgateway_payload_get_op (ack), ==, 11);
  g_assert_cmpint (dgateway_payload_get_seq (ack), ==, -1);
  g_assert_null (dgateway_payload_get_name (ack));
  g_assert_null (dgateway_payload_get_data (ack));
  g_assert_null (dgateway_payload_get_data_node (ack));
  g_assert_cmpint (dgateway_value_get_value_type (dgateway_payload_get_data (ack)), ==,
                   DGATEWAY_VALUE_MISSING);

  /* An explicit null is there, and holds nothing. */
  g_assert_cmpint (dgateway_payload_get_op (null_data), ==, 7);
  data = dgateway_payload_get_data (null_data);
  g_assert_cmpint (dgateway_value_get_value_type (data), ==, DGATEWAY_VALUE_NULL);
  g_assert_null (dgateway_value_get_member (data, "anything"));
  g_assert_null (dgateway_value_get_string (data));
}

/* The envelope members have fixed types: "s" and "t" of another type read
 * as absent. */
static void
test_envelope_types (void)
{
  g_autoptr(DGatewayPayload) payload =
    parse_ok ("{\"op\":0,\"s\":\"12\",\"t\":12,\"d\":false}");
  g_autoptr(DGatewayPayload) float_seq =
    parse_ok ("{\"op\":0,\"s\":12.5,\"t\":[\"X\"],\"d\":true}");

  g_assert_cmpint (dgateway_payload_get_seq (payload), ==, -1);
  g_assert_null (dgateway_payload_get_name (payload));
  g_assert_false (dgateway_value_get_bool (dgateway_payload_get_data (payload), TRUE));

  g_assert_cmpint (dgateway_payload_get_seq (float_seq), ==, -1);
  g_assert_null (dgateway_payload_get_name (float_seq));
  g_assert_true (dgateway_value_get_bool (dgateway_payload_get_data (float_seq), FALSE));
}

/* Only @length bytes are read: text frames need not be NUL-terminated. */
static void
test_length (void)
{
  static const char text[] = "{\"op\":1,\"d\":5} and then garbage";
  g_autofree char *exact = g_memdup2 (text, 14);
  g_autoptr(GError) error = NULL;
  g_autoptr(DGatewayPayload) payload = NULL;
  g_autoptr(DGatewayPayload) first = NULL;

  /* A copy without a terminator: valgrind sees any read past its end. */
  payload = dgateway_payload_parse (exact, 14, &error);
  g_assert_no_error (error);
  g_assert_nonnull (payload);
  g_assert_cmpint (dgateway_payload_get_op (payload), ==, 1);
  g_assert_cmpint (dgateway_value_get_int (dgateway_payload_get_data (payload), 0), ==, 5);

  /* What follows the length is not part of the payload. */
  first = dgateway_payload_parse (text, 14, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);
  g_assert_cmpint (dgateway_payload_get_op (first), ==, 1);
}

static const struct
{
  const char *name;
  const char *text;
} invalid_payloads[] = {
  { "empty", "" },
  { "whitespace", "  \n\t " },
  { "not-json", "Hello, gateway" },
  { "truncated", "{\"op\":0,\"s\":1,\"t\":\"READY\",\"d\":{" },
  { "trailing-garbage", "{\"op\":1}}" },
  { "array", "[{\"op\":1}]" },
  { "number", "10" },
  { "string", "\"op\"" },
  { "null", "null" },
  { "empty-object", "{}" },
  { "no-op", "{\"s\":1,\"t\":\"READY\",\"d\":{}}" },
  { "op-string", "{\"op\":\"0\",\"d\":{}}" },
  { "op-float", "{\"op\":1.5,\"d\":null}" },
  { "op-float-integral", "{\"op\":1.0,\"d\":null}" },
  { "op-exponent", "{\"op\":1e1,\"d\":null}" },
  { "op-null", "{\"op\":null,\"d\":null}" },
  { "op-bool", "{\"op\":true,\"d\":null}" },
  { "op-object", "{\"op\":{\"value\":1}}" },
  { "op-array", "{\"op\":[1]}" },
  { "op-in-data", "{\"d\":{\"op\":1}}" },
};

static void
test_invalid (gconstpointer data)
{
  const char *text = invalid_payloads[GPOINTER_TO_UINT (data)].text;
  g_autoptr(GError) error = NULL;
  g_autoptr(DGatewayPayload) payload = NULL;

  payload = dgateway_payload_parse (text, strlen (text), &error);
  g_assert_null (payload);
  g_assert_error (error, DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL);
  g_assert_cmpstr (error->message, !=, "");

  /* The caller may not want the error. */
  g_assert_null (dgateway_payload_parse (text, strlen (text), NULL));
}

/* One member of each JSON type, and a few that look like another type. */
static const char typed_members[] =
  "{\"str\":\"text\",\"empty\":\"\",\"int\":-9007199254740993,\"zero\":0,"
  "\"float\":2.5,\"true\":true,\"false\":false,\"null\":null,"
  "\"object\":{\"str\":\"inner\"},\"array\":[\"str\",1,true],\"numstr\":\"17\"}";

static const struct
{
  const char *key;
  DGatewayValueType type;
} member_types[] = {
  { "str", DGATEWAY_VALUE_STRING },
  { "empty", DGATEWAY_VALUE_STRING },
  { "numstr", DGATEWAY_VALUE_STRING },
  { "int", DGATEWAY_VALUE_INT },
  { "zero", DGATEWAY_VALUE_INT },
  { "float", DGATEWAY_VALUE_DOUBLE },
  { "true", DGATEWAY_VALUE_BOOL },
  { "false", DGATEWAY_VALUE_BOOL },
  { "null", DGATEWAY_VALUE_NULL },
  { "object", DGATEWAY_VALUE_OBJECT },
  { "array", DGATEWAY_VALUE_ARRAY },
  { "missing", DGATEWAY_VALUE_MISSING },
};

static void
test_value_type (void)
{
  g_autoptr(DGatewayPayload) payload = parse_data (typed_members);
  const DGatewayValue *data = dgateway_payload_get_data (payload);

  g_assert_cmpint (dgateway_value_get_value_type (NULL), ==, DGATEWAY_VALUE_MISSING);
  for (gsize i = 0; i < G_N_ELEMENTS (member_types); i++)
    {
      const DGatewayValue *member = dgateway_value_get_member (data, member_types[i].key);

      g_test_message ("member %s", member_types[i].key);
      g_assert_cmpint (dgateway_value_get_value_type (member), ==, member_types[i].type);
      g_assert_true ((member == NULL) == (member_types[i].type == DGATEWAY_VALUE_MISSING));
    }
}

/* Every accessor on a member of the wrong type, or on none, gives the
 * default: what any value but @good_type reads as. */
static void
check_wrong_types (const DGatewayValue *data,
                   DGatewayValueType    good_type,
                   void               (*check) (const DGatewayValue *value))
{
  g_autoptr(DGatewayPayload) scalar = parse_data ("\"str\"");
  g_autoptr(DGatewayPayload) null = parse_data ("null");

  for (gsize i = 0; i < G_N_ELEMENTS (member_types); i++)
    {
      if (member_types[i].type == good_type)
        continue;

      g_test_message ("member %s", member_types[i].key);
      check (dgateway_value_get_member (data, member_types[i].key));
    }

  /* A missing value, and members looked up on things that are no
   * objects. */
  check (NULL);
  check (dgateway_value_get_member (NULL, "str"));
  check (dgateway_value_get_member (dgateway_value_get_member (data, "array"), "str"));
  check (dgateway_value_get_member (dgateway_value_get_member (data, "array"), "0"));
  check (dgateway_value_get_member (dgateway_payload_get_data (scalar), "str"));
  check (dgateway_value_get_member (dgateway_payload_get_data (null), "str"));
}

static void
check_no_string (const DGatewayValue *value)
{
  g_assert_null (dgateway_value_get_string (value));
}

static void
test_get_string (void)
{
  g_autoptr(DGatewayPayload) payload = parse_data (typed_members);
  const DGatewayValue *data = dgateway_payload_get_data (payload);
  const DGatewayValue *object = dgateway_value_get_member (data, "object");

  g_assert_cmpstr (dgateway_value_get_member_string (data, "str"), ==, "text");
  g_assert_cmpstr (dgateway_value_get_member_string (data, "empty"), ==, "");
  g_assert_cmpstr (dgateway_value_get_member_string (data, "numstr"), ==, "17");
  g_assert_cmpstr (dgateway_value_get_string (dgateway_value_get_member (data, "str")), ==, "text");
  g_assert_cmpstr (dgateway_value_get_member_string (object, "str"), ==, "inner");
  /* Keys are case-sensitive. */
  g_assert_null (dgateway_value_get_member_string (data, "STR"));

  check_wrong_types (data, DGATEWAY_VALUE_STRING, check_no_string);
  for (gsize i = 0; i < G_N_ELEMENTS (member_types); i++)
    {
      if (member_types[i].type != DGATEWAY_VALUE_STRING)
        g_assert_null (dgateway_value_get_member_string (data, member_types[i].key));
    }
  g_assert_null (dgateway_value_get_member_string (NULL, "str"));
  g_assert_null (dgateway_value_get_member_string (dgateway_value_get_member (data, "str"), "str"));
}

static void
check_int_default (const DGatewayValue *value)
{
  g_assert_cmpint (dgateway_value_get_int (value, 7), ==, 7);
  g_assert_cmpint (dgateway_value_get_int (value, -1), ==, -1);
}

static void
test_get_int (void)
{
  g_autoptr(DGatewayPayload) payload = parse_data (typed_members);
  const DGatewayValue *data = dgateway_payload_get_data (payload);

  g_assert_cmpint (dgateway_value_get_member_int (data, "int", 7), ==,
                   G_GINT64_CONSTANT (-9007199254740993));
  g_assert_cmpint (dgateway_value_get_member_int (data, "zero", 7), ==, 0);
  g_assert_cmpint (dgateway_value_get_int (dgateway_value_get_member (data, "zero"), 7), ==, 0);

  /* Neither a float, nor a numeric string, nor a bool is an integer. */
  check_wrong_types (data, DGATEWAY_VALUE_INT, check_int_default);
  for (gsize i = 0; i < G_N_ELEMENTS (member_types); i++)
    {
      if (member_types[i].type != DGATEWAY_VALUE_INT)
        g_assert_cmpint (dgateway_value_get_member_int (data, member_types[i].key, 7), ==, 7);
    }
  g_assert_cmpint (dgateway_value_get_member_int (NULL, "int", 7), ==, 7);
}

static void
check_double_default (const DGatewayValue *value)
{
  g_assert_cmpfloat (dgateway_value_get_double (value, 0.5), ==, 0.5);
}

static void
test_get_double (void)
{
  g_autoptr(DGatewayPayload) payload = parse_data (typed_members);
  const DGatewayValue *data = dgateway_payload_get_data (payload);
  const DGatewayValue *zero = dgateway_value_get_member (data, "zero");
  g_autoptr(DGatewayPayload) wrong = parse_data ("[\"1.5\",true,null,{},[]]");
  const DGatewayValue *array = dgateway_payload_get_data (wrong);

  g_assert_cmpfloat (dgateway_value_get_double (dgateway_value_get_member (data, "float"), 0.5),
                     ==, 2.5);
  /* JSON has one number type: an integer reads as a double too. */
  g_assert_cmpfloat (dgateway_value_get_double (zero, 0.5), ==, 0.0);
  g_assert_cmpfloat (dgateway_value_get_double (dgateway_value_get_member (data, "int"), 0.5),
                     ==, -9007199254740993.0);

  for (guint i = 0; i < dgateway_value_get_length (array); i++)
    check_double_default (dgateway_value_get_element (array, i));
  check_double_default (NULL);
  check_double_default (data);
}

static void
check_bool_default (const DGatewayValue *value)
{
  g_assert_true (dgateway_value_get_bool (value, TRUE));
  g_assert_false (dgateway_value_get_bool (value, FALSE));
}

static void
test_get_bool (void)
{
  g_autoptr(DGatewayPayload) payload = parse_data (typed_members);
  const DGatewayValue *data = dgateway_payload_get_data (payload);
  const DGatewayValue *yes = dgateway_value_get_member (data, "true");
  const DGatewayValue *no = dgateway_value_get_member (data, "false");

  g_assert_true (dgateway_value_get_bool (yes, FALSE));
  g_assert_true (dgateway_value_get_bool (yes, TRUE));
  g_assert_false (dgateway_value_get_bool (no, TRUE));
  g_assert_false (dgateway_value_get_bool (no, FALSE));

  /* Not even 0, 1 or "true" are booleans. */
  check_wrong_types (data, DGATEWAY_VALUE_BOOL, check_bool_default);
  check_bool_default (data);
}

/* The data of an INVALID_SESSION is a bare boolean. */
static void
test_invalid_session (void)
{
  g_autoptr(DGatewayPayload) resumable = parse_ok ("{\"op\":9,\"d\":true}");
  g_autoptr(DGatewayPayload) not_resumable = parse_ok ("{\"op\":9,\"d\":false}");
  g_autoptr(DGatewayPayload) missing = parse_ok ("{\"op\":9}");

  g_assert_true (dgateway_value_get_bool (dgateway_payload_get_data (resumable), FALSE));
  g_assert_false (dgateway_value_get_bool (dgateway_payload_get_data (not_resumable), TRUE));
  check_bool_default (dgateway_payload_get_data (missing));
}

static void
test_array (void)
{
  g_autoptr(DGatewayPayload) payload =
    parse_data ("{\"guilds\":[{\"id\":\"1\"},{\"id\":\"2\",\"unavailable\":true},\"x\",null],"
                "\"empty\":[],\"object\":{\"0\":\"zero\"}}");
  const DGatewayValue *data = dgateway_payload_get_data (payload);
  const DGatewayValue *guilds = dgateway_value_get_member (data, "guilds");
  const DGatewayValue *empty = dgateway_value_get_member (data, "empty");
  const DGatewayValue *object = dgateway_value_get_member (data, "object");

  g_assert_cmpuint (dgateway_value_get_length (guilds), ==, 4);
  g_assert_cmpstr (dgateway_value_get_member_string (dgateway_value_get_element (guilds, 0), "id"),
                   ==, "1");
  g_assert_cmpstr (dgateway_value_get_member_string (dgateway_value_get_element (guilds, 1), "id"),
                   ==, "2");
  g_assert_true (dgateway_value_get_bool (dgateway_value_get_member (dgateway_value_get_element (guilds, 1),
                                                                     "unavailable"), FALSE));
  g_assert_cmpstr (dgateway_value_get_string (dgateway_value_get_element (guilds, 2)), ==, "x");
  g_assert_cmpint (dgateway_value_get_value_type (dgateway_value_get_element (guilds, 3)), ==,
                   DGATEWAY_VALUE_NULL);

  /* Past the end, and anything that is no array. */
  g_assert_null (dgateway_value_get_element (guilds, 4));
  g_assert_null (dgateway_value_get_element (guilds, G_MAXUINT));
  g_assert_cmpuint (dgateway_value_get_length (empty), ==, 0);
  g_assert_null (dgateway_value_get_element (empty, 0));
  g_assert_cmpuint (dgateway_value_get_length (object), ==, 0);
  g_assert_null (dgateway_value_get_element (object, 0));
  g_assert_cmpuint (dgateway_value_get_length (NULL), ==, 0);
  g_assert_null (dgateway_value_get_element (NULL, 0));
  g_assert_cmpuint (dgateway_value_get_length (dgateway_value_get_element (guilds, 2)), ==, 0);
}

/* The JsonNode views share the payload's document and keep it alive. */
static void
test_json_node (void)
{
  DGatewayPayload *payload = parse_data ("{\"user\":{\"id\":\"42\"}}");
  JsonNode *data_node = dgateway_payload_get_data_node (payload);
  const DGatewayValue *user = dgateway_value_get_member (dgateway_payload_get_data (payload), "user");
  g_autoptr(JsonNode) user_node = dgateway_value_to_json_node (user);

  g_assert_nonnull (data_node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (data_node));
  g_assert_true (json_object_get_member (json_node_get_object (data_node), "user") != NULL);
  g_assert_nonnull (user_node);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (user_node), "id"), ==, "42");
  g_assert_null (dgateway_value_to_json_node (NULL));

  /* A node from to_json_node is a reference of its own. */
  dgateway_payload_unref (payload);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (user_node), "id"), ==, "42");
}

static const char *round_trip_data[] = {
  "{\"id\":\"1234567890123456789\",\"n\":-9007199254740993,\"f\":0.25,"
  "\"s\":\"quote \\\" backslash \\\\ slash / newline \\n tab \\t "
  "\\u00e9t\\u00e9 \\ud83d\\ude00 \\u2028\",\"b\":[true,false,null],"
  "\"nested\":{\"empty\":{},\"list\":[]}}",
  "[1,\"two\",{\"three\":3}]",
  "\"plain string\"",
  "12345",
  "-0.5",
  "true",
  "false",
};

/* What dup_data_json gives back parses to the same value, and feeding it
 * back through the parser gives the same text again. */
static void
test_data_json (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (round_trip_data); i++)
    {
      g_autoptr(DGatewayPayload) payload = parse_data (round_trip_data[i]);
      g_autofree char *json = dgateway_payload_dup_data_json (payload);
      g_autoptr(JsonNode) expected = parse_json (round_trip_data[i]);
      g_autoptr(JsonNode) reparsed = parse_json (json);
      g_autoptr(DGatewayPayload) again = parse_data (json);
      g_autofree char *again_json = dgateway_payload_dup_data_json (again);

      g_test_message ("%s -> %s", round_trip_data[i], json);
      g_assert_true (json_node_equal (expected, reparsed));
      g_assert_cmpstr (again_json, ==, json);
    }
}

/* Compact, as documented: no whitespace added. */
static void
test_data_json_compact (void)
{
  static const char compact[] = "{\"a\":[1,\"two\",{\"three\":3.5}],\"b\":{\"c\":null}}";
  g_autoptr(DGatewayPayload) spaced =
    parse_data ("{ \"a\" : [ 1 , \"two\" , { \"three\" : 3.5 } ] ,\n \"b\" : { \"c\" : null } }");
  g_autofree char *json = dgateway_payload_dup_data_json (spaced);

  g_assert_cmpstr (json, ==, compact);
}

static void
test_data_json_null (void)
{
  g_autoptr(DGatewayPayload) absent = parse_ok ("{\"op\":11}");
  g_autoptr(DGatewayPayload) null = parse_ok ("{\"op\":1,\"d\":null}");
  g_autofree char *absent_json = dgateway_payload_dup_data_json (absent);
  g_autofree char *null_json = dgateway_payload_dup_data_json (null);

  g_assert_cmpstr (absent_json, ==, "null");
  g_assert_cmpstr (null_json, ==, "null");
}

/* The text is JSON for any parser, as dgateway_event_dup_data_json()
 * promises for JSON.parse() and json.loads(): RFC 8259 §7 wants every
 * control character below U+0020 escaped inside a string. */
static void
test_data_json_control (void)
{
  g_autoptr(GString) text = g_string_new ("{\"content\":\"");
  g_autoptr(DGatewayPayload) payload = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) reparsed = NULL;

  for (guint c = 1; c < 0x20; c++)
    g_string_append_printf (text, "\\u%04x", c);
  g_string_append (text, "\"}");

  payload = parse_data (text->str);
  json = dgateway_payload_dup_data_json (payload);
  for (const char *p = json; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20)
        g_error ("U+%04X is not escaped in the JSON text", (guchar) *p);
    }

  reparsed = parse_json (json);
  g_assert_true (json_node_equal (reparsed, dgateway_payload_get_data_node (payload)));
}

/* Each reference keeps the whole payload, its name and data included. */
static void
test_ref (void)
{
  DGatewayPayload *payload = parse_ok ("{\"op\":0,\"s\":5,\"t\":\"READY\","
                                       "\"d\":{\"session_id\":\"abc\"}}");
  const char *name = dgateway_payload_get_name (payload);
  const DGatewayValue *data = dgateway_payload_get_data (payload);

  g_assert_true (dgateway_payload_ref (payload) == payload);
  g_assert_true (dgateway_payload_ref (payload) == payload);
  dgateway_payload_unref (payload);
  dgateway_payload_unref (payload);

  /* Still alive on the first reference: valgrind would see freed memory. */
  g_assert_cmpstr (name, ==, "READY");
  g_assert_cmpstr (dgateway_payload_get_name (payload), ==, "READY");
  g_assert_true (dgateway_payload_get_data (payload) == data);
  g_assert_cmpstr (dgateway_value_get_member_string (data, "session_id"), ==, "abc");
  g_assert_cmpint (dgateway_payload_get_seq (payload), ==, 5);

  /* The last reference frees it all: valgrind's leak check sees the rest. */
  dgateway_payload_unref (payload);
}

/* A payload is read-only, so threads may share one. */
static gpointer
ref_thread (gpointer data)
{
  DGatewayPayload *payload = data;

  for (guint i = 0; i < 10000; i++)
    {
      dgateway_payload_ref (payload);
      g_assert_cmpstr (dgateway_payload_get_name (payload), ==, "READY");
      dgateway_payload_unref (payload);
    }

  return NULL;
}

static void
test_ref_threads (void)
{
  g_autoptr(DGatewayPayload) payload = parse_ok ("{\"op\":0,\"s\":1,\"t\":\"READY\",\"d\":{}}");
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("ref", ref_thread, payload);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  g_assert_cmpint (dgateway_payload_get_op (payload), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dgateway/payload/envelope", test_envelope);
  g_test_add_func ("/dgateway/payload/seq-range", test_seq_range);
  g_test_add_func ("/dgateway/payload/hello", test_hello);
  g_test_add_func ("/dgateway/payload/member-order", test_member_order);
  g_test_add_func ("/dgateway/payload/no-data", test_no_data);
  g_test_add_func ("/dgateway/payload/envelope-types", test_envelope_types);
  g_test_add_func ("/dgateway/payload/length", test_length);
  for (guint i = 0; i < G_N_ELEMENTS (invalid_payloads); i++)
    {
      g_autofree char *path = g_strdup_printf ("/dgateway/payload/invalid/%s",
                                               invalid_payloads[i].name);

      g_test_add_data_func (path, GUINT_TO_POINTER (i), test_invalid);
    }
  g_test_add_func ("/dgateway/payload/value/type", test_value_type);
  g_test_add_func ("/dgateway/payload/value/string", test_get_string);
  g_test_add_func ("/dgateway/payload/value/int", test_get_int);
  g_test_add_func ("/dgateway/payload/value/double", test_get_double);
  g_test_add_func ("/dgateway/payload/value/bool", test_get_bool);
  g_test_add_func ("/dgateway/payload/value/array", test_array);
  g_test_add_func ("/dgateway/payload/value/json-node", test_json_node);
  g_test_add_func ("/dgateway/payload/invalid-session", test_invalid_session);
  g_test_add_func ("/dgateway/payload/ref", test_ref);
  g_test_add_func ("/dgateway/payload/ref-threads", test_ref_threads);
  g_test_add_func ("/dgateway/payload/data-json/round-trip", test_data_json);
  g_test_add_func ("/dgateway/payload/data-json/compact", test_data_json_compact);
  g_test_add_func ("/dgateway/payload/data-json/null", test_data_json_null);
  g_test_add_func ("/dgateway/payload/data-json/control-characters", test_data_json_control);

  return g_test_run ();
}
