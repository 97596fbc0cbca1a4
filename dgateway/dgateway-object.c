/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-object-private.h"

#include <string.h>

/**
 * DGatewayObject:
 *
 * The base class of every typed payload: a view on one JSON object of a
 * Gateway event.
 *
 * The typed signals of [class@Client], such as
 * [signal@Client::message-create], hand their handlers a subclass of
 * `DGatewayObject` (here a [class@Message]), with a property and a C getter
 * per field that Discord documents. Nested objects are typed views too, and
 * arrays of objects are [iface@Gio.ListModel]s of them.
 *
 * A view does not copy the payload: it keeps a reference on the received
 * document and reads it when a getter is called. What a getter builds (a
 * nested view, a list, a [struct@GLib.DateTime]) is built once and kept, so
 * `message.author` twice is the same [class@User]. Views are immutable, but
 * not thread-safe: read them on the thread whose signal handed them over.
 *
 * ## Lifetime
 *
 * A view is readable during the signal emission that hands it over. When
 * every handler of the event's signals has returned, the client releases
 * the payload's memory, unless a handler called [method@Object.keep] on a
 * view of it (any of them: the message, its author, an item of one of its
 * lists) or [method@Event.keep] on its [class@Event]. A view read after
 * that answers every getter with its default, as if the member were
 * missing (see below), and the first such read in the process logs a
 * warning; a string that a getter returned earlier was part of that
 * memory, and is not valid either. So a handler that stores a view keeps
 * it:
 *
 * ```c
 * g_clear_object (&self->last_message);
 * self->last_message = dgateway_object_keep (message);
 * ```
 *
 * ```js
 * client.connect('message-create', (_client, message) => {
 *     this._lastMessage = message.keep();
 * });
 * ```
 *
 * This is what keeps the memory of a GJS application flat: its garbage
 * collector frees a view when it decides to, by the memory it sees itself,
 * and that is not the kilobytes of the payload, which are gone once the
 * emission ends. A kept payload lives as long as any view or event of it
 * does: to remember a field or two, copying them costs less.
 *
 * ## Missing members
 *
 * Getters never fail: a member that is missing, `null` or of another JSON
 * type than documented reads as a default, and which one depends on what
 * Discord promises:
 *
 * - An array reads as an empty one, never `NULL`, so a loop over
 *   `message.reactions` or `message.mention_roles` needs no check first.
 * - A string or an object that Discord always sends (such as
 *   [property@Message:id] or [property@Message:author]) is never `NULL`
 *   either: if a malformed payload lacks it, it reads as an empty string,
 *   or as a view whose own fields read as their defaults. A string or an
 *   object that Discord marks optional or nullable reads as `NULL` when it
 *   is missing or `null`.
 * - An integer, a number, a boolean, an enum or flags read as 0 or
 *   `FALSE`, and an enum Discord sends as a string, such as a
 *   [enum@DGateway.Status], as the value its getter names. When Discord
 *   marks one optional or nullable, its class has a `has-` property and a
 *   `has_` method for it, such as [property@Message:has-flags] and
 *   [method@User.has_accent_color], that say whether the payload holds a
 *   value: 0 is a real value for most fields (a colour of 0 is black), so
 *   no sentinel could say "absent". In GJS the property hides the method
 *   of the same name, as `has_focus` does in GTK: read the property.
 * - Times (ISO 8601 strings, or Unix times in seconds or milliseconds,
 *   all read as a [struct@GLib.DateTime] in UTC), unions, variants and
 *   JSON values read as `NULL`.
 *
 * [method@Object.has_member] tells a missing member from one that is
 * `null`, and [method@Object.get_json] reaches the members the schema does
 * not know, such as fields Discord added after this library was built.
 *
 * An event the library has no type for (Discord adds events) still reaches
 * [signal@Client::dispatch]; [method@Event.get_object] then returns a plain
 * `DGatewayObject`.
 *
 * ```c
 * static void
 * on_message_create (DGatewayClient  *client,
 *                    DGatewayMessage *message,
 *                    gpointer         user_data)
 * {
 *   DGatewayUser *author = dgateway_message_get_author (message);
 *
 *   g_print ("%s: %s\n", dgateway_user_get_username (author),
 *            dgateway_message_get_content (message));
 * }
 *
 * g_signal_connect (client, "message-create",
 *                   G_CALLBACK (on_message_create), NULL);
 * ```
 */

typedef struct
{
  gpointer data;
  GDestroyNotify destroy;
} CacheSlot;

typedef struct
{
  DGatewayPayload *payload;
  const DGatewayValue *value;
  JsonNode *json;
  CacheSlot *cache;
  guint n_cache;
} DGatewayObjectPrivate;

enum {
  PROP_0,
  PROP_JSON,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

static guint n_views;    /* for dgateway_object_get_n_views_for_tests() */

G_DEFINE_TYPE_WITH_PRIVATE (DGatewayObject, dgateway_object, G_TYPE_OBJECT)

#define PRIV(self) ((DGatewayObjectPrivate *) dgateway_object_get_instance_private (self))

/* TRUE once the emission that handed the view over ended and nobody kept
 * its payload: the document is gone, and priv->value with it. Every read
 * checks this first; the first one in the process that finds it TRUE
 * warns. */
static gboolean
released (DGatewayObject *self)
{
  DGatewayPayload *payload = PRIV (self)->payload;

  return payload != NULL && dgateway_payload_check_released (payload, G_OBJECT_TYPE_NAME (self));
}

static void
dgateway_object_finalize (GObject *object)
{
  DGatewayObjectPrivate *priv = PRIV (DGATEWAY_OBJECT (object));

  for (guint i = 0; i < priv->n_cache; i++)
    if (priv->cache[i].data != NULL)
      priv->cache[i].destroy (priv->cache[i].data);
  g_free (priv->cache);
  g_clear_pointer (&priv->json, json_node_unref);
  g_clear_pointer (&priv->payload, dgateway_payload_unref);

  G_OBJECT_CLASS (dgateway_object_parent_class)->finalize (object);
}

static void
dgateway_object_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  DGatewayObject *self = DGATEWAY_OBJECT (object);

  switch (prop_id)
    {
    case PROP_JSON:
      g_value_set_boxed (value, dgateway_object_get_json (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dgateway_object_class_init (DGatewayObjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = dgateway_object_finalize;
  object_class->get_property = dgateway_object_get_property;

  /**
   * DGatewayObject:json: (getter get_json)
   *
   * The JSON object this view reads, with every member Discord sent.
   */
  props[PROP_JSON] =
    g_param_spec_boxed ("json", NULL, NULL, JSON_TYPE_NODE,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
dgateway_object_init (DGatewayObject *self)
{
}

DGatewayObject *
dgateway_object_new_view (GType                type,
                          DGatewayPayload     *payload,
                          const DGatewayValue *value)
{
  DGatewayObject *self;
  DGatewayObjectPrivate *priv;

  g_assert (g_type_is_a (type, DGATEWAY_TYPE_OBJECT));

  g_atomic_int_inc (&n_views);
  self = g_object_new (type, NULL);
  priv = PRIV (self);
  priv->payload = payload ? dgateway_payload_ref (payload) : NULL;
  priv->value = value;
  return self;
}

/**
 * dgateway_object_keep:
 * @self: (type DGateway.Object): a typed payload
 *
 * Keeps the payload of the view readable after the signal emission that
 * handed it over, and returns a new reference to the view.
 *
 * Call it in the handler, before the emission ends: the whole payload the
 * view reads (the message of an author, say) then lives as long as any
 * view or [class@Event] of it, as [method@Event.keep] does for events.
 * Calling it again is harmless. Called after the emission ended, it is too
 * late: the payload is already released, and this logs the same warning
 * as a read after the emission.
 *
 * See [class@Object] for the lifetime of views.
 *
 * Returns: (transfer full) (type DGateway.Object): @self
 */
gpointer
dgateway_object_keep (gpointer self)
{
  DGatewayPayload *payload;

  g_return_val_if_fail (DGATEWAY_IS_OBJECT (self), NULL);

  payload = PRIV (DGATEWAY_OBJECT (self))->payload;
  if (payload != NULL)
    dgateway_payload_keep (payload, G_OBJECT_TYPE_NAME (self));
  return g_object_ref (self);
}

/**
 * dgateway_object_get_json:
 * @self: a typed payload
 *
 * Gets the JSON object this view reads.
 *
 * This reaches the members the schema does not know, such as fields
 * Discord added after this library was built. The node is built on the
 * first call and kept; it is shared and must not be modified. It is valid
 * as long as the view's payload is readable (see [class@Object]); take a
 * reference with `json_node_ref()` to hold it longer.
 *
 * Returns: (transfer none) (nullable): the JSON value of this view, or
 *   `NULL` if there is none (the event had no payload, or the emission is
 *   over and the payload was not kept)
 */
JsonNode *
dgateway_object_get_json (DGatewayObject *self)
{
  DGatewayObjectPrivate *priv;

  g_return_val_if_fail (DGATEWAY_IS_OBJECT (self), NULL);

  priv = PRIV (self);
  if (released (self))
    return NULL;

  /* The view of a whole payload shares the payload's own node, so an
   * event's JSON is built at most once whichever way it is asked for; the
   * payload holds it, and lets it go with the rest of the document. */
  if (priv->payload != NULL && priv->value != NULL &&
      priv->value == dgateway_payload_get_data (priv->payload))
    return dgateway_payload_get_data_node (priv->payload);

  if (priv->json == NULL)
    priv->json = dgateway_value_to_json_node (priv->value);
  return priv->json;
}

/* A released view reads every member as missing. */
static const DGatewayValue *
member_value (DGatewayObject *self,
              const char     *member)
{
  if (released (self))
    return NULL;
  return dgateway_value_get_member (PRIV (self)->value, member);
}

/**
 * dgateway_object_has_member:
 * @self: a typed payload
 * @member: a JSON member name, such as `guild_id`
 *
 * Checks whether the JSON object has a member, whatever its value.
 *
 * Getters read a missing member as a default (`NULL`, an empty string or
 * list, 0 or `FALSE`); this tells a missing member from one that is `null`
 * or set to its default, as partial updates such as `GUILD_MEMBER_UPDATE`
 * need. For an optional or nullable scalar the class's own `has_` method,
 * such as [method@Message.has_flags], says whether it holds a value.
 *
 * Returns: `TRUE` if the member is present, even with a `null` value
 */
gboolean
dgateway_object_has_member (DGatewayObject *self,
                            const char     *member)
{
  g_return_val_if_fail (DGATEWAY_IS_OBJECT (self), FALSE);
  g_return_val_if_fail (member != NULL, FALSE);

  return dgateway_value_get_value_type (member_value (self, member)) != DGATEWAY_VALUE_MISSING;
}

/* The cache of what getters build, by slot. */

static gpointer
cache_get (DGatewayObject *self,
           guint           slot)
{
  DGatewayObjectPrivate *priv = PRIV (self);

  return slot < priv->n_cache ? priv->cache[slot].data : NULL;
}

static gpointer
cache_set (DGatewayObject *self,
           guint           slot,
           gpointer        data,
           GDestroyNotify  destroy)
{
  DGatewayObjectPrivate *priv = PRIV (self);

  if (data == NULL)
    return NULL;

  if (slot >= priv->n_cache)
    {
      priv->cache = g_renew (CacheSlot, priv->cache, slot + 1);
      memset (priv->cache + priv->n_cache, 0, (slot + 1 - priv->n_cache) * sizeof (CacheSlot));
      priv->n_cache = slot + 1;
    }

  g_assert (priv->cache[slot].data == NULL);
  priv->cache[slot].data = data;
  priv->cache[slot].destroy = destroy;
  return data;
}

/* A JSON integer counts as a number too, as dgateway_value_get_double()
 * reads it; so does a big integer from ETF, which the document holds as
 * its decimal text (and which stays a string too, as a snowflake). */
static gboolean
value_is (const DGatewayValue *value,
          DGatewayValueType    type)
{
  if ((type == DGATEWAY_VALUE_INT || type == DGATEWAY_VALUE_DOUBLE)
      && dgateway_value_is_integer (value))
    return TRUE;

  return dgateway_value_get_value_type (value) == type;
}

static gboolean
member_is (DGatewayObject       *self,
           const char           *member,
           DGatewayValueType     type,
           const DGatewayValue **value)
{
  *value = member_value (self, member);
  return value_is (*value, type);
}

const char *
dgateway_object_read_string (DGatewayObject *self,
                             const char     *member)
{
  return dgateway_value_get_string (member_value (self, member));
}

const char *
dgateway_object_read_string_or_empty (DGatewayObject *self,
                                      const char     *member)
{
  const char *string = dgateway_value_get_string (member_value (self, member));

  return string != NULL ? string : "";
}

gboolean
dgateway_object_holds (DGatewayObject    *self,
                       const char        *member,
                       DGatewayValueType  type)
{
  return value_is (member_value (self, member), type);
}

gint64
dgateway_object_read_int (DGatewayObject *self,
                          const char     *member)
{
  return dgateway_value_get_int (member_value (self, member), 0);
}

/* For the enums Discord sends as strings, such as a status "dnd": the
 * string is the value's nick. A missing or unknown one reads as @missing. */
int
dgateway_object_read_enum_nick (DGatewayObject *self,
                                const char     *member,
                                GType           enum_type,
                                int             missing)
{
  const char *nick = dgateway_value_get_string (member_value (self, member));
  g_autoptr(GEnumClass) enum_class = NULL;
  GEnumValue *value;

  if (nick == NULL)
    return missing;

  enum_class = g_type_class_ref (enum_type);
  value = g_enum_get_value_by_nick (enum_class, nick);
  return value != NULL ? value->value : missing;
}

double
dgateway_object_read_double (DGatewayObject *self,
                             const char     *member)
{
  return dgateway_value_get_double (member_value (self, member), 0.0);
}

gboolean
dgateway_object_read_bool (DGatewayObject *self,
                           const char     *member)
{
  return dgateway_value_get_bool (member_value (self, member), FALSE);
}

gpointer
dgateway_object_read_object (DGatewayObject *self,
                             guint           slot,
                             const char     *member,
                             GType           type)
{
  gpointer view;
  const DGatewayValue *value;

  if (released (self))
    return NULL;

  view = cache_get (self, slot);
  if (view != NULL || !member_is (self, member, DGATEWAY_VALUE_OBJECT, &value))
    return view;

  view = dgateway_object_new_view (type, PRIV (self)->payload, value);
  return cache_set (self, slot, view, g_object_unref);
}

/* Never NULL: a member that is missing or not an object still gets a view,
 * on whatever value is there, whose fields read as their defaults. Once
 * the payload is released, the view built before reads as released too,
 * sharing the payload. */
gpointer
dgateway_object_read_view (DGatewayObject *self,
                           guint           slot,
                           const char     *member,
                           GType           type)
{
  gpointer view = cache_get (self, slot);

  if (view != NULL)
    return view;

  view = dgateway_object_new_view (type, PRIV (self)->payload, member_value (self, member));
  return cache_set (self, slot, view, g_object_unref);
}

/* Never NULL: anything but an array reads as an empty list. A list built
 * before the payload was released keeps its length, and its items read as
 * released. */
GListModel *
dgateway_object_read_list (DGatewayObject *self,
                           guint           slot,
                           const char     *member,
                           GType           item_type)
{
  GListModel *list = cache_get (self, slot);
  const DGatewayValue *value;

  if (list != NULL)
    return list;

  if (!member_is (self, member, DGATEWAY_VALUE_ARRAY, &value))
    value = NULL;
  list = dgateway_object_list_new (item_type, PRIV (self)->payload, value);
  return cache_set (self, slot, list, g_object_unref);
}

/* The strings stay in the document: the array only borrows them, for as
 * long as the view holds the payload. Elements that are not strings are
 * left out; anything but an array reads as an empty array. */
const char * const *
dgateway_object_read_strv (DGatewayObject *self,
                           guint           slot,
                           const char     *member)
{
  static const char *const empty[] = { NULL };
  const char **strv;
  const DGatewayValue *value;
  guint length, n = 0;

  /* A strv built before points into the released text. */
  if (released (self))
    return empty;

  strv = cache_get (self, slot);
  if (strv != NULL)
    return strv;

  value = member_value (self, member);
  length = dgateway_value_get_length (value);
  strv = g_new (const char *, length + 1);
  for (guint i = 0; i < length; i++)
    {
      const char *string = dgateway_value_get_string (dgateway_value_get_element (value, i));

      if (string != NULL)
        strv[n++] = string;
    }
  strv[n] = NULL;
  return cache_set (self, slot, strv, g_free);
}

GDateTime *
dgateway_object_read_date_time (DGatewayObject *self,
                                guint           slot,
                                const char     *member)
{
  GDateTime *date_time;
  const char *string;

  if (released (self))
    return NULL;

  date_time = cache_get (self, slot);
  if (date_time != NULL)
    return date_time;

  string = dgateway_object_read_string (self, member);
  if (string == NULL)
    return NULL;

  /* Discord sends ISO 8601 with an offset, such as
   * 2024-05-01T12:34:56.789000+00:00; anything else reads as NULL. */
  date_time = g_date_time_new_from_iso8601 (string, NULL);
  return cache_set (self, slot, date_time, (GDestroyNotify) g_date_time_unref);
}

/* Unix times, which Discord sends as integers in @unit (a second or a
 * millisecond), in UTC as its ISO 8601 times are. */
GDateTime *
dgateway_object_read_unix_time (DGatewayObject *self,
                                guint           slot,
                                const char     *member,
                                GTimeSpan       unit)
{
  GDateTime *date_time;
  const DGatewayValue *value;
  g_autoptr(GDateTime) seconds = NULL;
  gint64 n, per_second = G_TIME_SPAN_SECOND / unit, remainder;

  if (released (self))
    return NULL;

  date_time = cache_get (self, slot);
  if (date_time != NULL || !member_is (self, member, DGATEWAY_VALUE_INT, &value))
    return date_time;

  /* Whole seconds first, so that a time out of GDateTime's range reads
   * as NULL rather than overflowing; the remainder is negative before
   * 1970, which g_date_time_add() takes as it is. */
  n = dgateway_value_get_int (value, 0);
  remainder = n % per_second;
  seconds = g_date_time_new_from_unix_utc (n / per_second);
  if (seconds == NULL)
    return NULL;

  date_time = g_date_time_add (seconds, remainder * unit);
  return cache_set (self, slot, date_time, (GDestroyNotify) g_date_time_unref);
}

/* Elements that are not integers read as 0, so positions (such as the
 * [shard_id, num_shards] pair of READY) keep their meaning; anything but an
 * array reads as an empty one. */
GVariant *
dgateway_object_read_int_array (DGatewayObject *self,
                                guint           slot,
                                const char     *member)
{
  static GVariant *empty;
  GVariant *variant;
  const DGatewayValue *value;
  GVariantBuilder builder;
  guint length;

  if (released (self))
    {
      /* Never NULL: one empty array serves every released view. */
      if (g_once_init_enter (&empty))
        g_once_init_leave (&empty, g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE_INT64, NULL, 0)));
      return empty;
    }

  variant = cache_get (self, slot);
  if (variant != NULL)
    return variant;

  value = member_value (self, member);
  length = dgateway_value_get_length (value);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("ax"));
  for (guint i = 0; i < length; i++)
    g_variant_builder_add (&builder, "x", dgateway_value_get_int (dgateway_value_get_element (value, i), 0));
  variant = g_variant_ref_sink (g_variant_builder_end (&builder));
  return cache_set (self, slot, variant, (GDestroyNotify) g_variant_unref);
}

static GVariant *
scalar_variant (const DGatewayValue *value)
{
  switch (dgateway_value_get_value_type (value))
    {
    case DGATEWAY_VALUE_STRING:
      return g_variant_new_string (dgateway_value_get_string (value));
    case DGATEWAY_VALUE_INT:
      return g_variant_new_int64 (dgateway_value_get_int (value, 0));
    case DGATEWAY_VALUE_DOUBLE:
      return g_variant_new_double (dgateway_value_get_double (value, 0.0));
    case DGATEWAY_VALUE_BOOL:
      return g_variant_new_boolean (dgateway_value_get_bool (value, FALSE));
    case DGATEWAY_VALUE_MISSING:
    case DGATEWAY_VALUE_NULL:
    case DGATEWAY_VALUE_OBJECT:
    case DGATEWAY_VALUE_ARRAY:
    default:
      return NULL;
    }
}

GVariant *
dgateway_object_read_variant (DGatewayObject *self,
                              guint           slot,
                              const char     *member)
{
  GVariant *variant;

  if (released (self))
    return NULL;

  variant = cache_get (self, slot);
  if (variant != NULL)
    return variant;

  variant = scalar_variant (member_value (self, member));
  if (variant != NULL)
    g_variant_ref_sink (variant);
  return cache_set (self, slot, variant, (GDestroyNotify) g_variant_unref);
}

JsonNode *
dgateway_object_read_json (DGatewayObject *self,
                           guint           slot,
                           const char     *member)
{
  JsonNode *node;

  if (released (self))
    return NULL;

  node = cache_get (self, slot);
  if (node != NULL)
    return node;

  node = dgateway_value_to_json_node (member_value (self, member));
  return cache_set (self, slot, node, (GDestroyNotify) json_node_unref);
}

JsonNode *
dgateway_object_read_map (DGatewayObject *self,
                          guint           slot,
                          const char     *member)
{
  const DGatewayValue *value;

  if (released (self) ||
      (cache_get (self, slot) == NULL && !member_is (self, member, DGATEWAY_VALUE_OBJECT, &value)))
    return NULL;

  return dgateway_object_read_json (self, slot, member);
}

/* The views looked up in a map are kept in a table in @slot, by key. */
gpointer
dgateway_object_lookup_object (DGatewayObject *self,
                               guint           slot,
                               const char     *member,
                               const char     *key,
                               GType           type)
{
  GHashTable *views;
  const DGatewayValue *value;
  gpointer view;

  if (released (self))
    return NULL;

  views = cache_get (self, slot);
  if (views != NULL && (view = g_hash_table_lookup (views, key)) != NULL)
    return view;

  value = dgateway_value_get_member (member_value (self, member), key);
  if (dgateway_value_get_value_type (value) != DGATEWAY_VALUE_OBJECT)
    return NULL;

  if (views == NULL)
    {
      views = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
      cache_set (self, slot, views, (GDestroyNotify) g_hash_table_unref);
    }

  view = dgateway_object_new_view (type, PRIV (self)->payload, value);
  g_hash_table_insert (views, g_strdup (key), view);
  return view;
}

const char *
dgateway_object_lookup_string (DGatewayObject *self,
                               const char     *member,
                               const char     *key)
{
  return dgateway_value_get_string (dgateway_value_get_member (member_value (self, member), key));
}

guint
dgateway_object_get_n_views_for_tests (void)
{
  return (guint) g_atomic_int_get (&n_views);
}
