/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-enum-types.h"
#include "dgateway-object-private.h"
#include "dgateway-presence.h"
#include "dgateway-typed.h"

#include <string.h>

/**
 * DGatewayPresence:
 *
 * The presence of the bot: its status and activities.
 *
 * Send one with [method@Client.update_presence], or set it with
 * [method@Client.set_presence] before connecting so IDENTIFY carries it.
 *
 * ```c
 * g_autoptr(DGatewayPresence) presence = dgateway_presence_new (DGATEWAY_STATUS_IDLE);
 *
 * dgateway_presence_add_activity (presence, DGATEWAY_ACTIVITY_TYPE_WATCHING,
 *                                 "the build", NULL, NULL);
 * dgateway_client_update_presence (client, presence, &error);
 * ```
 *
 * Its activities read back as [class@Activity] objects, the same class
 * that presences received from Discord carry, through
 * [method@Presence.get_activities].
 */

typedef struct {
  DGatewayActivityType type;
  char *name;
  char *state;
  char *url;
} Activity;

struct _DGatewayPresence
{
  GObject parent_instance;

  DGatewayStatus status;
  gboolean afk;
  gint64 since;
  GArray *activities;
  GListModel *activity_list;  /* built on demand from activities, or NULL */
};

enum {
  PROP_0,
  PROP_STATUS,
  PROP_AFK,
  PROP_SINCE,
  PROP_ACTIVITIES,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

G_DEFINE_FINAL_TYPE (DGatewayPresence, dgateway_presence, G_TYPE_OBJECT)

static void
activity_clear (gpointer data)
{
  Activity *activity = data;

  g_free (activity->name);
  g_free (activity->state);
  g_free (activity->url);
}

static void
dgateway_presence_finalize (GObject *object)
{
  DGatewayPresence *self = DGATEWAY_PRESENCE (object);

  g_array_unref (self->activities);
  g_clear_object (&self->activity_list);

  G_OBJECT_CLASS (dgateway_presence_parent_class)->finalize (object);
}

static void
dgateway_presence_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  DGatewayPresence *self = DGATEWAY_PRESENCE (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case PROP_AFK:
      g_value_set_boolean (value, self->afk);
      break;
    case PROP_SINCE:
      g_value_set_int64 (value, self->since);
      break;
    case PROP_ACTIVITIES:
      g_value_set_object (value, dgateway_presence_get_activities (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dgateway_presence_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  DGatewayPresence *self = DGATEWAY_PRESENCE (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      dgateway_presence_set_status (self, g_value_get_enum (value));
      break;
    case PROP_AFK:
      dgateway_presence_set_afk (self, g_value_get_boolean (value));
      break;
    case PROP_SINCE:
      dgateway_presence_set_since (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dgateway_presence_class_init (DGatewayPresenceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = dgateway_presence_finalize;
  object_class->get_property = dgateway_presence_get_property;
  object_class->set_property = dgateway_presence_set_property;

  /**
   * DGatewayPresence:status: (getter get_status) (setter set_status)
   *
   * The status.
   */
  props[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, DGATEWAY_TYPE_STATUS,
                       DGATEWAY_STATUS_ONLINE, flags);

  /**
   * DGatewayPresence:afk: (getter get_afk) (setter set_afk)
   *
   * Whether the bot is away from keyboard.
   */
  props[PROP_AFK] =
    g_param_spec_boolean ("afk", NULL, NULL, FALSE, flags);

  /**
   * DGatewayPresence:since: (getter get_since) (setter set_since)
   *
   * When the bot went idle, in milliseconds since the Unix epoch, or -1.
   */
  props[PROP_SINCE] =
    g_param_spec_int64 ("since", NULL, NULL, -1, G_MAXINT64, -1, flags);

  /**
   * DGatewayPresence:activities: (getter get_activities)
   *
   * The activities, as a list of [class@Activity].
   */
  props[PROP_ACTIVITIES] =
    g_param_spec_object ("activities", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
dgateway_presence_init (DGatewayPresence *self)
{
  self->since = -1;
  self->activities = g_array_new (FALSE, TRUE, sizeof (Activity));
  g_array_set_clear_func (self->activities, activity_clear);
}

/**
 * dgateway_presence_new:
 * @status: the status
 *
 * Creates a presence with @status and no activity.
 *
 * Returns: (transfer full): a new presence
 */
DGatewayPresence *
dgateway_presence_new (DGatewayStatus status)
{
  return g_object_new (DGATEWAY_TYPE_PRESENCE, "status", status, NULL);
}

/**
 * dgateway_presence_get_status:
 * @self: a presence
 *
 * Gets the status.
 *
 * Returns: the status
 */
DGatewayStatus
dgateway_presence_get_status (DGatewayPresence *self)
{
  g_return_val_if_fail (DGATEWAY_IS_PRESENCE (self), DGATEWAY_STATUS_ONLINE);

  return self->status;
}

/**
 * dgateway_presence_set_status:
 * @self: a presence
 * @status: the status
 *
 * Sets the status.
 */
void
dgateway_presence_set_status (DGatewayPresence *self,
                              DGatewayStatus    status)
{
  g_return_if_fail (DGATEWAY_IS_PRESENCE (self));

  if (self->status == status)
    return;

  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATUS]);
}

/**
 * dgateway_presence_get_afk:
 * @self: a presence
 *
 * Gets whether the bot is away from keyboard.
 *
 * Returns: `TRUE` if away
 */
gboolean
dgateway_presence_get_afk (DGatewayPresence *self)
{
  g_return_val_if_fail (DGATEWAY_IS_PRESENCE (self), FALSE);

  return self->afk;
}

/**
 * dgateway_presence_set_afk:
 * @self: a presence
 * @afk: whether the bot is away
 *
 * Sets whether the bot is away from keyboard.
 */
void
dgateway_presence_set_afk (DGatewayPresence *self,
                           gboolean          afk)
{
  g_return_if_fail (DGATEWAY_IS_PRESENCE (self));

  afk = !!afk;
  if (self->afk == afk)
    return;

  self->afk = afk;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_AFK]);
}

/**
 * dgateway_presence_get_since:
 * @self: a presence
 *
 * Gets when the bot went idle.
 *
 * Returns: milliseconds since the Unix epoch, or -1
 */
gint64
dgateway_presence_get_since (DGatewayPresence *self)
{
  g_return_val_if_fail (DGATEWAY_IS_PRESENCE (self), -1);

  return self->since;
}

/**
 * dgateway_presence_set_since:
 * @self: a presence
 * @since: milliseconds since the Unix epoch, or -1 for none
 *
 * Sets when the bot went idle.
 */
void
dgateway_presence_set_since (DGatewayPresence *self,
                             gint64            since)
{
  g_return_if_fail (DGATEWAY_IS_PRESENCE (self));
  g_return_if_fail (since >= -1);

  if (self->since == since)
    return;

  self->since = since;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SINCE]);
}

/* A list already handed out keeps what it showed; the next one is new. */
static void
activities_changed (DGatewayPresence *self)
{
  g_clear_object (&self->activity_list);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ACTIVITIES]);
}

/**
 * dgateway_presence_add_activity:
 * @self: a presence
 * @type: the kind of activity
 * @name: the activity's name
 * @state: (nullable): the text of a custom status, or `NULL`
 * @url: (nullable): the stream URL of a streaming activity, or `NULL`
 *
 * Adds an activity. Bots may set only these four fields.
 */
void
dgateway_presence_add_activity (DGatewayPresence     *self,
                                DGatewayActivityType  type,
                                const char           *name,
                                const char           *state,
                                const char           *url)
{
  Activity activity = { type, g_strdup (name), g_strdup (state), g_strdup (url) };

  g_return_if_fail (DGATEWAY_IS_PRESENCE (self));
  g_return_if_fail (name != NULL);

  g_array_append_val (self->activities, activity);
  activities_changed (self);
}

/**
 * dgateway_presence_clear_activities:
 * @self: a presence
 *
 * Removes every activity.
 */
void
dgateway_presence_clear_activities (DGatewayPresence *self)
{
  g_return_if_fail (DGATEWAY_IS_PRESENCE (self));

  if (self->activities->len == 0)
    return;

  g_array_set_size (self->activities, 0);
  activities_changed (self);
}

static void
add_optional_string (JsonBuilder *builder,
                     const char  *member,
                     const char  *value)
{
  if (value == NULL)
    return;

  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, value);
}

static void
add_activities (DGatewayPresence *self,
                JsonBuilder      *builder)
{
  json_builder_set_member_name (builder, "activities");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->activities->len; i++)
    {
      Activity *activity = &g_array_index (self->activities, Activity, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, activity->name);
      json_builder_set_member_name (builder, "type");
      json_builder_add_int_value (builder, activity->type);
      add_optional_string (builder, "state", activity->state);
      add_optional_string (builder, "url", activity->url);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

/**
 * dgateway_presence_to_json:
 * @self: a presence
 *
 * Builds the presence as Discord's Update Presence payload (opcode 3):
 * `since`, `activities`, `status` and `afk`.
 *
 * Returns: (transfer full): the payload
 */
JsonNode *
dgateway_presence_to_json (DGatewayPresence *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  GEnumClass *statuses = g_type_class_ref (DGATEWAY_TYPE_STATUS);

  g_return_val_if_fail (DGATEWAY_IS_PRESENCE (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "since");
  if (self->since >= 0)
    json_builder_add_int_value (builder, self->since);
  else
    json_builder_add_null_value (builder);
  add_activities (self, builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, g_enum_get_value (statuses, self->status)->value_nick);
  json_builder_set_member_name (builder, "afk");
  json_builder_add_boolean_value (builder, self->afk);
  json_builder_end_object (builder);

  g_type_class_unref (statuses);
  return json_builder_get_root (builder);
}

/**
 * dgateway_presence_get_activities:
 * @self: a presence
 *
 * Gets the activities, in the order they were added.
 *
 * Each is an [class@Activity] whose name, type, state and URL are those
 * given to [method@Presence.add_activity]. The list does not change: after
 * [method@Presence.add_activity] or [method@Presence.clear_activities] this
 * returns a new one, and [property@Presence:activities] is notified.
 *
 * Returns: (transfer none): a list of [class@Activity]
 */
GListModel *
dgateway_presence_get_activities (DGatewayPresence *self)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *json = NULL;
  g_autofree char *text = NULL;
  g_autoptr(DGatewayPayload) payload = NULL;

  g_return_val_if_fail (DGATEWAY_IS_PRESENCE (self), NULL);

  if (self->activity_list != NULL)
    return self->activity_list;

  /* The activities are views on a document, as those of received
   * presences are: build it once per change. */
  node = dgateway_presence_to_json (self);
  json = json_to_string (node, FALSE);
  text = g_strdup_printf ("{\"op\":3,\"d\":%s}", json);
  payload = dgateway_payload_parse (text, strlen (text), NULL);
  g_assert (payload != NULL);
  self->activity_list =
    dgateway_object_list_new (DGATEWAY_TYPE_ACTIVITY, payload,
                              dgateway_value_get_member (dgateway_payload_get_data (payload),
                                                         "activities"));
  return self->activity_list;
}
