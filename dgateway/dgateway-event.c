/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-event-private.h"
#include "dgateway-object-private.h"
#include "dgateway-typed-private.h"

/**
 * DGatewayEvent:
 *
 * One dispatch event (opcode 0) received from the Gateway.
 *
 * An event is what [signal@Client::dispatch] hands to its handlers: the
 * event name (`t`), its sequence number (`s`), the shard it came from and
 * its payload (`d`). Events are immutable.
 *
 * ```c
 * static gboolean
 * on_message (DGatewayClient *client,
 *             DGatewayEvent  *event,
 *             gpointer        user_data)
 * {
 *   JsonObject *message = json_node_get_object (dgateway_event_get_data (event));
 *
 *   g_print ("%s\n", json_object_get_string_member (message, "content"));
 *   return FALSE;
 * }
 *
 * g_signal_connect (client, "dispatch::MESSAGE_CREATE",
 *                   G_CALLBACK (on_message), NULL);
 * ```
 *
 * [method@Event.get_object] reads the same payload as a typed object, such
 * as a [class@Message], which the typed signals such as
 * [signal@Client::message-create] hand over directly.
 *
 * ## Lifetime
 *
 * The payload is readable during the signal emission that hands the event
 * over: every handler of [signal@Client::dispatch] and of the typed signal
 * of the event. When the last of them has returned, the client releases
 * the payload's memory, unless a handler called [method@Event.keep] (or
 * [method@Object.keep] on a typed object of the same payload). An event or
 * typed object read after that still answers, but with the defaults of a
 * missing member: [method@Event.get_json] returns `NULL` and every getter
 * of its typed objects an empty string, 0, `NULL` or an empty list; the
 * first such read in the process logs a warning. The name, sequence
 * number and shard id of an event stay readable.
 *
 * This matters in JavaScript: GJS frees an event and its typed objects
 * only when its garbage collector runs, and it decides when by the memory
 * it sees itself, not the kilobytes of JSON behind each event. Released at
 * the end of the emission, that memory no longer waits for the collector.
 *
 * To use an event after its emission, keep it during the emission:
 *
 * ```c
 * static gboolean
 * on_dispatch (DGatewayClient *client,
 *              DGatewayEvent  *event,
 *              MyBot          *self)
 * {
 *   g_clear_object (&self->last_event);
 *   self->last_event = dgateway_event_keep (event);
 *   return FALSE;
 * }
 * ```
 *
 * ```js
 * client.connect('dispatch', (_client, event) => {
 *     this._lastEvent = event.keep();
 *     return false;
 * });
 * ```
 *
 * A kept payload lives as long as any event or typed object of it does.
 * To remember a field or two, copying them is cheaper than keeping the
 * whole payload. A [struct@Json.Node] from [method@Event.get_json] that the
 * application took a reference on stays valid through that reference.
 */

struct _DGatewayEvent
{
  GObject parent_instance;

  DGatewayPayload *payload;
  guint shard_id;
  DGatewayObject *object;    /* the typed view of the payload, built on demand */
};

enum {
  PROP_0,
  PROP_NAME,
  PROP_SEQUENCE,
  PROP_SHARD_ID,
  PROP_DATA,
  PROP_OBJECT,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

G_DEFINE_FINAL_TYPE (DGatewayEvent, dgateway_event, G_TYPE_OBJECT)

static void
dgateway_event_finalize (GObject *object)
{
  DGatewayEvent *self = DGATEWAY_EVENT (object);

  g_clear_object (&self->object);
  g_clear_pointer (&self->payload, dgateway_payload_unref);

  G_OBJECT_CLASS (dgateway_event_parent_class)->finalize (object);
}

static void
dgateway_event_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  DGatewayEvent *self = DGATEWAY_EVENT (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, dgateway_event_get_name (self));
      break;
    case PROP_SEQUENCE:
      g_value_set_int64 (value, dgateway_event_get_sequence (self));
      break;
    case PROP_SHARD_ID:
      g_value_set_uint (value, self->shard_id);
      break;
    case PROP_DATA:
      g_value_set_boxed (value, dgateway_event_get_data (self));
      break;
    case PROP_OBJECT:
      g_value_set_object (value, dgateway_event_get_object (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dgateway_event_class_init (DGatewayEventClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = dgateway_event_finalize;
  object_class->get_property = dgateway_event_get_property;

  /**
   * DGatewayEvent:name: (getter get_name)
   *
   * The event name, such as `MESSAGE_CREATE`.
   */
  props[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * DGatewayEvent:sequence: (getter get_sequence)
   *
   * The sequence number of the event in its session, or -1 if the Gateway
   * sent none.
   */
  props[PROP_SEQUENCE] =
    g_param_spec_int64 ("sequence", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * DGatewayEvent:shard-id: (getter get_shard_id)
   *
   * The id of the shard whose connection received the event.
   */
  props[PROP_SHARD_ID] =
    g_param_spec_uint ("shard-id", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * DGatewayEvent:data: (getter get_json)
   *
   * The payload of the event (`d`).
   */
  props[PROP_DATA] =
    g_param_spec_boxed ("data", NULL, NULL, JSON_TYPE_NODE,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * DGatewayEvent:object: (getter get_object)
   *
   * The payload of the event (`d`) as a typed object.
   */
  props[PROP_OBJECT] =
    g_param_spec_object ("object", NULL, NULL, DGATEWAY_TYPE_OBJECT,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
dgateway_event_init (DGatewayEvent *self)
{
}

DGatewayEvent *
dgateway_event_new (DGatewayPayload *payload,
                    guint            shard_id)
{
  DGatewayEvent *self = g_object_new (DGATEWAY_TYPE_EVENT, NULL);

  self->payload = dgateway_payload_ref (payload);
  self->shard_id = shard_id;
  return self;
}

/* The payload document behind the event, for readers inside the library
 * (the cache) that must not pay for a JsonNode. */
DGatewayPayload *
dgateway_event_get_payload (DGatewayEvent *self)
{
  g_assert (DGATEWAY_IS_EVENT (self));

  return self->payload;
}

/* FALSE once the emission that handed the event over ended and nobody kept
 * its payload; warns the first time in the process. */
static gboolean
released (DGatewayEvent *self)
{
  return dgateway_payload_check_released (self->payload, G_OBJECT_TYPE_NAME (self));
}

/**
 * dgateway_event_keep:
 * @self: an event
 *
 * Keeps the payload of the event readable after the signal emission that
 * handed it over, and returns a new reference to the event.
 *
 * Call it in a handler of [signal@Client::dispatch] or of a typed signal,
 * before the emission ends: the payload then lives as long as any event or
 * typed object of it, as [method@Object.keep] does for the typed objects,
 * which it keeps too. Calling it again is harmless. Called after the
 * emission ended, it is too late: the payload is already released, and
 * this logs the same warning as a read after the emission.
 *
 * See [class@Event] for the lifetime of events.
 *
 * Returns: (transfer full): @self
 */
DGatewayEvent *
dgateway_event_keep (DGatewayEvent *self)
{
  g_return_val_if_fail (DGATEWAY_IS_EVENT (self), NULL);

  dgateway_payload_keep (self->payload, G_OBJECT_TYPE_NAME (self));
  return g_object_ref (self);
}

/**
 * dgateway_event_get_name:
 * @self: an event
 *
 * Gets the name of the event, such as `MESSAGE_CREATE`.
 *
 * Returns: the event name
 */
const char *
dgateway_event_get_name (DGatewayEvent *self)
{
  const char *name;

  g_return_val_if_fail (DGATEWAY_IS_EVENT (self), NULL);

  name = dgateway_payload_get_name (self->payload);
  return name ? name : "";
}

/**
 * dgateway_event_get_sequence:
 * @self: an event
 *
 * Gets the sequence number of the event in its Gateway session.
 *
 * Returns: the sequence number, or -1 if the Gateway sent none
 */
gint64
dgateway_event_get_sequence (DGatewayEvent *self)
{
  g_return_val_if_fail (DGATEWAY_IS_EVENT (self), -1);

  return dgateway_payload_get_seq (self->payload);
}

/**
 * dgateway_event_get_shard_id:
 * @self: an event
 *
 * Gets the id of the shard whose connection received the event.
 *
 * Returns: the shard id
 */
guint
dgateway_event_get_shard_id (DGatewayEvent *self)
{
  g_return_val_if_fail (DGATEWAY_IS_EVENT (self), 0);

  return self->shard_id;
}

/**
 * dgateway_event_get_json:
 * @self: an event
 *
 * Gets the payload of the event, the `d` member of the dispatch, as a
 * json-glib tree, built the first time it is asked for.
 *
 * The node is shared and must not be modified; use
 * `json_node_copy()` to keep a changeable copy. It is valid until the end
 * of the emission, or for as long as the event if it was kept with
 * [method@Event.keep]; take a reference with `json_node_ref()` to hold it
 * longer.
 *
 * Returns: (transfer none) (nullable): the payload, or `NULL` if the
 *   dispatch had no `d` or the emission is over and the event was not kept
 */
JsonNode *
dgateway_event_get_json (DGatewayEvent *self)
{
  g_return_val_if_fail (DGATEWAY_IS_EVENT (self), NULL);

  if (released (self))
    return NULL;
  return dgateway_payload_get_data_node (self->payload);
}

/**
 * dgateway_event_get_data: (skip)
 * @self: an event
 *
 * Gets the payload of the event, as [method@Event.get_json] does.
 *
 * This is the C name; bindings have only [method@Event.get_json], since
 * `get_data()` is GObject's own method in GJS and PyGObject.
 *
 * Returns: (transfer none) (nullable): the payload, or `NULL` if the
 *   dispatch had no `d`
 */
JsonNode *
dgateway_event_get_data (DGatewayEvent *self)
{
  return dgateway_event_get_json (self);
}

/**
 * dgateway_event_dup_data_json:
 * @self: an event
 *
 * Serialises the payload of the event as compact JSON text.
 *
 * This is the quickest way for bindings to hand the payload to their own
 * JSON parser, such as `JSON.parse()` in GJS or `json.loads()` in Python.
 *
 * Returns: (transfer full): the payload as JSON, `null` if there was none
 *   or the emission is over and the event was not kept
 */
char *
dgateway_event_dup_data_json (DGatewayEvent *self)
{
  g_return_val_if_fail (DGATEWAY_IS_EVENT (self), NULL);

  if (released (self))
    return g_strdup ("null");
  return dgateway_payload_dup_data_json (self->payload);
}

/**
 * dgateway_event_get_object:
 * @self: an event
 *
 * Gets the payload of the event as a typed object.
 *
 * Its class depends on the event: a [class@Message] for `MESSAGE_CREATE`,
 * a [class@TypingStart] for `TYPING_START`, and so on; it is the object
 * that the event's typed signal, such as [signal@Client::message-create],
 * hands over. An event the library has no type for (Discord adds events)
 * gets a plain [class@Object], whose [method@Object.get_json] reads it.
 *
 * The object is built on the first call, and only then. It shares the
 * event's payload, and its lifetime: see [class@Event].
 *
 * Returns: (transfer none): the payload as a typed object
 */
DGatewayObject *
dgateway_event_get_object (DGatewayEvent *self)
{
  const DGatewayTypedEvent *typed;
  GType type = DGATEWAY_TYPE_OBJECT;

  g_return_val_if_fail (DGATEWAY_IS_EVENT (self), NULL);

  if (self->object != NULL)
    return self->object;

  typed = dgateway_typed_event_lookup (dgateway_event_get_name (self));
  if (typed != NULL)
    type = typed->get_type ();

  self->object = dgateway_object_new_view (type, self->payload,
                                           dgateway_payload_get_data (self->payload));
  return self->object;
}
