/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-cached-private.h"
#include "dgateway-enum-types.h"

/* The entities a DGatewayCache keeps. Each is one object for as long as it
 * is cached: the cache changes its fields in place and notifies only the
 * properties that changed, so bindings to a widget stay current. The
 * properties are read-only for applications. */

#define RO_FLAGS (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY)

GParamSpec *dgateway_cached_user_props[USER_N_PROPS];
GParamSpec *dgateway_cached_guild_props[GUILD_N_PROPS];
GParamSpec *dgateway_cached_channel_props[CHANNEL_N_PROPS];
GParamSpec *dgateway_cached_role_props[ROLE_N_PROPS];
GParamSpec *dgateway_cached_member_props[MEMBER_N_PROPS];
GParamSpec *dgateway_cached_message_props[MESSAGE_N_PROPS];
GParamSpec *dgateway_cached_emoji_props[EMOJI_N_PROPS];

static char *
id_to_string (guint64 id)
{
  return id != 0 ? g_strdup_printf ("%" G_GUINT64_FORMAT, id) : NULL;
}

static guint64
id_from_string (const char *id)
{
  return id != NULL ? g_ascii_strtoull (id, NULL, 10) : 0;
}

gboolean
dgateway_cached_set_string (GObject     *object,
                            char       **field,
                            const char  *value,
                            GParamSpec  *pspec)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (object, pspec);
  return TRUE;
}

/* DGatewayCachedUser */

/**
 * DGatewayCachedUser:
 *
 * A Discord user as a [class@Cache] keeps it.
 *
 * One object stands for one user in every guild the cache knows them from:
 * the [class@CachedMember]s of a user share it. A partial user, such as the
 * one in a `PRESENCE_UPDATE`, changes only the fields it carries.
 */

G_DEFINE_FINAL_TYPE (DGatewayCachedUser, dgateway_cached_user, G_TYPE_OBJECT)

static void
dgateway_cached_user_finalize (GObject *object)
{
  DGatewayCachedUser *self = DGATEWAY_CACHED_USER (object);

  g_free (self->username);
  g_free (self->global_name);
  g_free (self->avatar);

  G_OBJECT_CLASS (dgateway_cached_user_parent_class)->finalize (object);
}

static void
dgateway_cached_user_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  DGatewayCachedUser *self = DGATEWAY_CACHED_USER (object);

  switch (prop_id)
    {
    case USER_PROP_ID:
      g_value_take_string (value, dgateway_cached_user_dup_id (self));
      break;
    case USER_PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;
    case USER_PROP_GLOBAL_NAME:
      g_value_set_string (value, self->global_name);
      break;
    case USER_PROP_AVATAR:
      g_value_set_string (value, self->avatar);
      break;
    case USER_PROP_BOT:
      g_value_set_boolean (value, self->bot);
      break;
    case USER_PROP_DISPLAY_NAME:
      g_value_set_string (value, dgateway_cached_user_get_display_name (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dgateway_cached_user_class_init (DGatewayCachedUserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamSpec **props = dgateway_cached_user_props;

  object_class->finalize = dgateway_cached_user_finalize;
  object_class->get_property = dgateway_cached_user_get_property;

  /**
   * DGatewayCachedUser:id: (getter dup_id)
   *
   * The snowflake of the user.
   */
  props[USER_PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, RO_FLAGS);

  /**
   * DGatewayCachedUser:username: (getter get_username)
   *
   * The unique username of the user.
   */
  props[USER_PROP_USERNAME] = g_param_spec_string ("username", NULL, NULL, NULL, RO_FLAGS);

  /**
   * DGatewayCachedUser:global-name: (getter get_global_name)
   *
   * The display name the user chose, if any.
   */
  props[USER_PROP_GLOBAL_NAME] = g_param_spec_string ("global-name", NULL, NULL, NULL, RO_FLAGS);

  /**
   * DGatewayCachedUser:avatar: (getter get_avatar)
   *
   * The avatar hash of the user, if any.
   */
  props[USER_PROP_AVATAR] = g_param_spec_string ("avatar", NULL, NULL, NULL, RO_FLAGS);

  /**
   * DGatewayCachedUser:bot: (getter get_bot)
   *
   * Whether the user is a bot.
   */
  props[USER_PROP_BOT] = g_param_spec_boolean ("bot", NULL, NULL, FALSE, RO_FLAGS);

  /**
   * DGatewayCachedUser:display-name: (getter get_display_name)
   *
   * The name to show: the global name, or the username without one.
   */
  props[USER_PROP_DISPLAY_NAME] = g_param_spec_string ("display-name", NULL, NULL, NULL, RO_FLAGS);

  g_object_class_install_properties (object_class, USER_N_PROPS, props);
}

static void
dgateway_cached_user_init (DGatewayCachedUser *self)
{
}

gboolean
dgateway_cached_user_set (DGatewayCachedUser *self,
                          guint               prop_id,
                          const char         *value)
{
  char **field = prop_id == USER_PROP_USERNAME ? &self->username :
                 prop_id == USER_PROP_GLOBAL_NAME ? &self->global_name : &self->avatar;
  gboolean display_changes;

  g_assert (prop_id == USER_PROP_USERNAME || prop_id == USER_PROP_GLOBAL_NAME ||
            prop_id == USER_PROP_AVATAR);

  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  /* The display name changes if this field was shown, or is now. */
  display_changes = prop_id != USER_PROP_AVATAR &&
                    dgateway_cached_user_get_display_name (self) == *field;
  g_free (*field);
  *field = g_strdup (value);
  display_changes = display_changes ||
                    (prop_id != USER_PROP_AVATAR &&
                     dgateway_cached_user_get_display_name (self) == *field);
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), dgateway_cached_user_props[prop_id]);
  if (display_changes)
    CACHED_NOTIFY (self, user, USER_PROP_DISPLAY_NAME);
  g_object_thaw_notify (G_OBJECT (self));
  return TRUE;
}

void
dgateway_cached_user_set_bot (DGatewayCachedUser *self,
                              gboolean            bot)
{
  if (self->bot == !!bot)
    return;
  self->bot = !!bot;
  CACHED_NOTIFY (self, user, USER_PROP_BOT);
}

/**
 * dgateway_cached_user_dup_id:
 * @self: a user
 *
 * Gets the snowflake of the user.
 *
 * Returns: (transfer full): the id
 */
char *
dgateway_cached_user_dup_id (DGatewayCachedUser *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_USER (self), NULL);

  return id_to_string (self->id);
}

/**
 * dgateway_cached_user_get_username:
 * @self: a user
 *
 * Gets the unique username of the user.
 *
 * Returns: (nullable): the username, or `NULL` if not known yet
 */
const char *
dgateway_cached_user_get_username (DGatewayCachedUser *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_USER (self), NULL);

  return self->username;
}

/**
 * dgateway_cached_user_get_global_name:
 * @self: a user
 *
 * Gets the display name the user chose.
 *
 * Returns: (nullable): the global name, or `NULL`
 */
const char *
dgateway_cached_user_get_global_name (DGatewayCachedUser *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_USER (self), NULL);

  return self->global_name;
}

/**
 * dgateway_cached_user_get_avatar:
 * @self: a user
 *
 * Gets the avatar hash of the user.
 *
 * Returns: (nullable): the avatar hash, or `NULL`
 */
const char *
dgateway_cached_user_get_avatar (DGatewayCachedUser *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_USER (self), NULL);

  return self->avatar;
}

/**
 * dgateway_cached_user_get_bot:
 * @self: a user
 *
 * Gets whether the user is a bot.
 *
 * Returns: whether the user is a bot
 */
gboolean
dgateway_cached_user_get_bot (DGatewayCachedUser *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_USER (self), FALSE);

  return self->bot;
}

/**
 * dgateway_cached_user_get_display_name:
 * @self: a user
 *
 * Gets the name to show for the user: the global name, then the username.
 *
 * Returns: (nullable): the display name, or `NULL` if neither is known
 */
const char *
dgateway_cached_user_get_display_name (DGatewayCachedUser *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_USER (self), NULL);

  return self->global_name != NULL ? self->global_name : self->username;
}

/* DGatewayCachedGuild */

/**
 * DGatewayCachedGuild:
 *
 * A guild as a [class@Cache] keeps it, with list models of its channels,
 * threads, roles, members and emojis that a `GtkListView` can show.
 *
 * The models are kept in order and current with `items-changed`; each is
 * empty when the cache does not keep that family (see [flags@CacheFlags]).
 * A guild that goes through an outage stays in the cache with
 * [property@CachedGuild:unavailable] set.
 */

G_DEFINE_FINAL_TYPE (DGatewayCachedGuild, dgateway_cached_guild, G_TYPE_OBJECT)

static void
dgateway_cached_guild_dispose (GObject *object)
{
  DGatewayCachedGuild *self = DGATEWAY_CACHED_GUILD (object);

  g_clear_object (&self->channels);
  g_clear_object (&self->channel_tree);
  g_clear_object (&self->threads);
  g_clear_object (&self->roles);
  g_clear_object (&self->members);
  g_clear_object (&self->emojis);
  g_clear_pointer (&self->members_by_id, g_hash_table_unref);
  g_clear_pointer (&self->voice_channels, g_hash_table_unref);

  G_OBJECT_CLASS (dgateway_cached_guild_parent_class)->dispose (object);
}

static void
dgateway_cached_guild_finalize (GObject *object)
{
  DGatewayCachedGuild *self = DGATEWAY_CACHED_GUILD (object);

  g_free (self->name);
  g_free (self->icon);

  G_OBJECT_CLASS (dgateway_cached_guild_parent_class)->finalize (object);
}

static void
dgateway_cached_guild_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  DGatewayCachedGuild *self = DGATEWAY_CACHED_GUILD (object);

  switch (prop_id)
    {
    case GUILD_PROP_ID:
      g_value_take_string (value, id_to_string (self->id));
      break;
    case GUILD_PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case GUILD_PROP_ICON:
      g_value_set_string (value, self->icon);
      break;
    case GUILD_PROP_OWNER_ID:
      g_value_take_string (value, id_to_string (self->owner_id));
      break;
    case GUILD_PROP_MEMBER_COUNT:
      g_value_set_int (value, self->member_count);
      break;
    case GUILD_PROP_SHARD_ID:
      g_value_set_uint (value, self->shard_id);
      break;
    case GUILD_PROP_UNAVAILABLE:
      g_value_set_boolean (value, self->unavailable);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dgateway_cached_guild_class_init (DGatewayCachedGuildClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamSpec **props = dgateway_cached_guild_props;

  object_class->dispose = dgateway_cached_guild_dispose;
  object_class->finalize = dgateway_cached_guild_finalize;
  object_class->get_property = dgateway_cached_guild_get_property;

  /**
   * DGatewayCachedGuild:id: (getter dup_id)
   *
   * The snowflake of the guild.
   */
  props[GUILD_PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, RO_FLAGS);

  /**
   * DGatewayCachedGuild:name: (getter get_name)
   *
   * The name of the guild; `NULL` until the guild was available once.
   */
  props[GUILD_PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, RO_FLAGS);

  /**
   * DGatewayCachedGuild:icon: (getter get_icon)
   *
   * The icon hash of the guild, if any.
   */
  props[GUILD_PROP_ICON] = g_param_spec_string ("icon", NULL, NULL, NULL, RO_FLAGS);

  /**
   * DGatewayCachedGuild:owner-id: (getter dup_owner_id)
   *
   * The snowflake of the owner of the guild.
   */
  props[GUILD_PROP_OWNER_ID] = g_param_spec_string ("owner-id", NULL, NULL, NULL, RO_FLAGS);

  /**
   * DGatewayCachedGuild:member-count: (getter get_member_count)
   *
   * The number of members, from `GUILD_CREATE` and kept up to date by
   * member additions and removals.
   */
  props[GUILD_PROP_MEMBER_COUNT] = g_param_spec_int ("member-count", NULL, NULL,
                                                     0, G_MAXINT, 0, RO_FLAGS);

  /**
   * DGatewayCachedGuild:shard-id: (getter get_shard_id)
   *
   * The shard whose session the guild's events come on.
   */
  props[GUILD_PROP_SHARD_ID] = g_param_spec_uint ("shard-id", NULL, NULL,
                                                  0, G_MAXUINT, 0, RO_FLAGS);

  /**
   * DGatewayCachedGuild:unavailable: (getter get_unavailable)
   *
   * Whether the guild is unavailable: not received yet after `READY`, or
   * in an outage. Its models keep what was known before.
   */
  props[GUILD_PROP_UNAVAILABLE] = g_param_spec_boolean ("unavailable", NULL, NULL,
                                                        FALSE, RO_FLAGS);

  g_object_class_install_properties (object_class, GUILD_N_PROPS, props);
}

static void
dgateway_cached_guild_init (DGatewayCachedGuild *self)
{
  self->channels = g_list_store_new (DGATEWAY_TYPE_CACHED_CHANNEL);
  self->channel_tree = g_list_store_new (DGATEWAY_TYPE_CACHED_CHANNEL);
  self->threads = g_list_store_new (DGATEWAY_TYPE_CACHED_CHANNEL);
  self->roles = g_list_store_new (DGATEWAY_TYPE_CACHED_ROLE);
  self->members = g_list_store_new (DGATEWAY_TYPE_CACHED_MEMBER);
  self->emojis = g_list_store_new (DGATEWAY_TYPE_CACHED_EMOJI);
}

/**
 * dgateway_cached_guild_dup_id:
 * @self: a guild
 *
 * Gets the snowflake of the guild.
 *
 * Returns: (transfer full): the id
 */
char *
dgateway_cached_guild_dup_id (DGatewayCachedGuild *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_GUILD (self), NULL);

  return id_to_string (self->id);
}

/**
 * dgateway_cached_guild_get_name:
 * @self: a guild
 *
 * Gets the name of the guild.
 *
 * Returns: (nullable): the name, or `NULL` if the guild was never available
 */
const char *
dgateway_cached_guild_get_name (DGatewayCachedGuild *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_GUILD (self), NULL);

  return self->name;
}

/**
 * dgateway_cached_guild_get_icon:
 * @self: a guild
 *
 * Gets the icon hash of the guild.
 *
 * Returns: (nullable): the icon hash, or `NULL`
 */
const char *
dgateway_cached_guild_get_icon (DGatewayCachedGuild *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_GUILD (self), NULL);

  return self->icon;
}

/**
 * dgateway_cached_guild_dup_owner_id:
 * @self: a guild
 *
 * Gets the snowflake of the owner of the guild.
 *
 * Returns: (transfer full) (nullable): the owner's id, or `NULL` if unknown
 */
char *
dgateway_cached_guild_dup_owner_id (DGatewayCachedGuild *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_GUILD (self), NULL);

  return id_to_string (self->owner_id);
}

/**
 * dgateway_cached_guild_get_member_count:
 * @self: a guild
 *
 * Gets the number of members of the guild.
 *
 * Returns: the member count
 */
int
dgateway_cached_guild_get_member_count (DGatewayCachedGuild *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_GUILD (self), 0);

  return self->member_count;
}

/**
 * dgateway_cached_guild_get_shard_id:
 * @self: a guild
 *
 * Gets the shard whose session the guild's events come on.
 *
 * Returns: the shard id
 */
guint
dgateway_cached_guild_get_shard_id (DGatewayCachedGuild *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_GUILD (self), 0);

  return self->shard_id;
}

/**
 * dgateway_cached_guild_get_unavailable:
 * @self: a guild
 *
 * Gets whether the guild is unavailable.
 *
 * Returns: whether the guild is unavailable
 */
gboolean
dgateway_cached_guild_get_unavailable (DGatewayCachedGuild *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_GUILD (self), FALSE);

  return self->unavailable;
}

/**
 * dgateway_cached_guild_get_channels:
 * @self: a guild
 *
 * Gets the channels of the guild, threads excepted, in Discord's order:
 * by position, then by id.
 *
 * Returns: (transfer none): a list model of [class@CachedChannel]
 */
GListModel *
dgateway_cached_guild_get_channels (DGatewayCachedGuild *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_GUILD (self), NULL);

  return G_LIST_MODEL (self->channels);
}

/**
 * dgateway_cached_guild_get_channel_tree:
 * @self: a guild
 *
 * Gets the top level of the guild's channel tree: the channels outside any
 * category first, then the categories, each by position, then by id.
 *
 * [method@CachedChannel.get_children] gives the channels of a category, so
 * this model and that function make a `GtkTreeListModel`:
 *
 * ```c
 * static GListModel *
 * create_children (gpointer item,
 *                  gpointer user_data)
 * {
 *   GListModel *children = dgateway_cached_channel_get_children (item);
 *
 *   return children ? g_object_ref (children) : NULL;
 * }
 *
 * tree = gtk_tree_list_model_new (g_object_ref (dgateway_cached_guild_get_channel_tree (guild)),
 *                                 FALSE, TRUE, create_children, NULL, NULL);
 * ```
 *
 * Returns: (transfer none): a list model of [class@CachedChannel]
 */
GListModel *
dgateway_cached_guild_get_channel_tree (DGatewayCachedGuild *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_GUILD (self), NULL);

  return G_LIST_MODEL (self->channel_tree);
}

/**
 * dgateway_cached_guild_get_threads:
 * @self: a guild
 *
 * Gets the active threads of the guild that the cache knows, by id.
 *
 * Returns: (transfer none): a list model of [class@CachedChannel]
 */
GListModel *
dgateway_cached_guild_get_threads (DGatewayCachedGuild *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_GUILD (self), NULL);

  return G_LIST_MODEL (self->threads);
}

/**
 * dgateway_cached_guild_get_roles:
 * @self: a guild
 *
 * Gets the roles of the guild, by position, then by id.
 *
 * Returns: (transfer none): a list model of [class@CachedRole]
 */
GListModel *
dgateway_cached_guild_get_roles (DGatewayCachedGuild *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_GUILD (self), NULL);

  return G_LIST_MODEL (self->roles);
}

/**
 * dgateway_cached_guild_get_members:
 * @self: a guild
 *
 * Gets the members of the guild that the cache knows, in the order it
 * learnt of them.
 *
 * The Gateway sends all members only of small guilds; request the others
 * with [method@Client.request_guild_members], whose answer the cache takes.
 *
 * Returns: (transfer none): a list model of [class@CachedMember]
 */
GListModel *
dgateway_cached_guild_get_members (DGatewayCachedGuild *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_GUILD (self), NULL);

  return G_LIST_MODEL (self->members);
}

/**
 * dgateway_cached_guild_get_emojis:
 * @self: a guild
 *
 * Gets the custom emojis of the guild, then its stickers.
 *
 * Returns: (transfer none): a list model of [class@CachedEmoji]
 */
GListModel *
dgateway_cached_guild_get_emojis (DGatewayCachedGuild *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_GUILD (self), NULL);

  return G_LIST_MODEL (self->emojis);
}

/**
 * dgateway_cached_guild_lookup_member:
 * @self: a guild
 * @user_id: the snowflake of a user
 *
 * Looks up a member of the guild by the id of its user.
 *
 * Returns: (transfer none) (nullable): the member, or `NULL` if not cached
 */
DGatewayCachedMember *
dgateway_cached_guild_lookup_member (DGatewayCachedGuild *self,
                                     const char          *user_id)
{
  guint64 id;

  g_return_val_if_fail (DGATEWAY_IS_CACHED_GUILD (self), NULL);
  g_return_val_if_fail (user_id != NULL, NULL);

  id = id_from_string (user_id);
  return self->members_by_id ? g_hash_table_lookup (self->members_by_id, &id) : NULL;
}

/**
 * dgateway_cached_guild_lookup_role:
 * @self: a guild
 * @role_id: the snowflake of a role
 *
 * Looks up a role of the guild.
 *
 * Returns: (transfer none) (nullable): the role, or `NULL` if not cached
 */
DGatewayCachedRole *
dgateway_cached_guild_lookup_role (DGatewayCachedGuild *self,
                                   const char          *role_id)
{
  guint n;
  guint64 id;

  g_return_val_if_fail (DGATEWAY_IS_CACHED_GUILD (self), NULL);
  g_return_val_if_fail (role_id != NULL, NULL);

  /* A guild has at most 250 roles. */
  id = id_from_string (role_id);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->roles));
  for (guint i = 0; i < n; i++)
    {
      DGatewayCachedRole *role = g_list_model_get_item (G_LIST_MODEL (self->roles), i);

      g_object_unref (role);
      if (role->id == id)
        return role;
    }
  return NULL;
}

/**
 * dgateway_cached_guild_dup_voice_channel_id:
 * @self: a guild
 * @user_id: the snowflake of a user
 *
 * Gets the voice channel of the guild that a user is connected to, as the
 * cache knows from voice states.
 *
 * Returns: (transfer full) (nullable): the channel's id, or `NULL`
 */
char *
dgateway_cached_guild_dup_voice_channel_id (DGatewayCachedGuild *self,
                                            const char          *user_id)
{
  guint64 id;
  guint64 *channel;

  g_return_val_if_fail (DGATEWAY_IS_CACHED_GUILD (self), NULL);
  g_return_val_if_fail (user_id != NULL, NULL);

  id = id_from_string (user_id);
  channel = self->voice_channels ? g_hash_table_lookup (self->voice_channels, &id) : NULL;
  return channel ? id_to_string (channel[1]) : NULL;
}

/* Channels in Discord's order: by position, then by id. */
int
dgateway_cached_channel_compare (gconstpointer a,
                                 gconstpointer b,
                                 gpointer      user_data)
{
  const DGatewayCachedChannel *x = a, *y = b;

  if (x->position != y->position)
    return x->position < y->position ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

/* The top of the channel tree: uncategorised channels, then categories. */
int
dgateway_cached_tree_compare (gconstpointer a,
                              gconstpointer b,
                              gpointer      user_data)
{
  const DGatewayCachedChannel *x = a, *y = b;
  gboolean x_category = x->type == DGATEWAY_CHANNEL_TYPE_GUILD_CATEGORY;
  gboolean y_category = y->type == DGATEWAY_CHANNEL_TYPE_GUILD_CATEGORY;

  if (x_category != y_category)
    return x_category ? 1 : -1;
  return dgateway_cached_channel_compare (a, b, user_data);
}

/* Roles by position, then by id: @everyone (position 0) first. */
int
dgateway_cached_role_compare (gconstpointer a,
                              gconstpointer b,
                              gpointer      user_data)
{
  const DGatewayCachedRole *x = a, *y = b;

  if (x->position != y->position)
    return x->position < y->position ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

/* DGatewayCachedChannel */

/**
 * DGatewayCachedChannel:
 *
 * A guild channel or thread as a [class@Cache] keeps it.
 *
 * A category has [method@CachedChannel.get_children]; every channel has
 * the model of its last messages, [method@CachedChannel.get_messages], when
 * the cache keeps messages.
 */

G_DEFINE_FINAL_TYPE (DGatewayCachedChannel, dgateway_cached_channel, G_TYPE_OBJECT)

static void
dgateway_cached_channel_dispose (GObject *object)
{
  DGatewayCachedChannel *self = DGATEWAY_CACHED_CHANNEL (object);

  g_clear_object (&self->children);
  g_clear_object (&self->messages);
  g_clear_pointer (&self->message_array, g_ptr_array_unref);

  G_OBJECT_CLASS (dgateway_cached_channel_parent_class)->dispose (object);
}

static void
dgateway_cached_channel_finalize (GObject *object)
{
  DGatewayCachedChannel *self = DGATEWAY_CACHED_CHANNEL (object);

  g_free (self->name);
  g_free (self->topic);

  G_OBJECT_CLASS (dgateway_cached_channel_parent_class)->finalize (object);
}

static void
dgateway_cached_channel_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  DGatewayCachedChannel *self = DGATEWAY_CACHED_CHANNEL (object);

  switch (prop_id)
    {
    case CHANNEL_PROP_ID:
      g_value_take_string (value, id_to_string (self->id));
      break;
    case CHANNEL_PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case CHANNEL_PROP_TOPIC:
      g_value_set_string (value, self->topic);
      break;
    case CHANNEL_PROP_POSITION:
      g_value_set_int (value, self->position);
      break;
    case CHANNEL_PROP_CHANNEL_TYPE:
      g_value_set_enum (value, self->type);
      break;
    case CHANNEL_PROP_PARENT_ID:
      g_value_take_string (value, id_to_string (self->parent_id));
      break;
    case CHANNEL_PROP_GUILD:
      g_value_set_object (value, self->guild);
      break;
    case CHANNEL_PROP_MEMBER_COUNT:
      g_value_set_int (value, self->member_count);
      break;
    case CHANNEL_PROP_ARCHIVED:
      g_value_set_boolean (value, self->archived);
      break;
    case CHANNEL_PROP_JOINED:
      g_value_set_boolean (value, self->joined);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dgateway_cached_channel_class_init (DGatewayCachedChannelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamSpec **props = dgateway_cached_channel_props;

  object_class->dispose = dgateway_cached_channel_dispose;
  object_class->finalize = dgateway_cached_channel_finalize;
  object_class->get_property = dgateway_cached_channel_get_property;

  /**
   * DGatewayCachedChannel:id: (getter dup_id)
   *
   * The snowflake of the channel.
   */
  props[CHANNEL_PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, RO_FLAGS);

  /**
   * DGatewayCachedChannel:name: (getter get_name)
   *
   * The name of the channel.
   */
  props[CHANNEL_PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, RO_FLAGS);

  /**
   * DGatewayCachedChannel:topic: (getter get_topic)
   *
   * The topic of the channel, if any.
   */
  props[CHANNEL_PROP_TOPIC] = g_param_spec_string ("topic", NULL, NULL, NULL, RO_FLAGS);

  /**
   * DGatewayCachedChannel:position: (getter get_position)
   *
   * The sorting position of the channel.
   */
  props[CHANNEL_PROP_POSITION] = g_param_spec_int ("position", NULL, NULL,
                                                   G_MININT, G_MAXINT, 0, RO_FLAGS);

  /**
   * DGatewayCachedChannel:channel-type: (getter get_channel_type)
   *
   * The type of the channel.
   */
  props[CHANNEL_PROP_CHANNEL_TYPE] = g_param_spec_enum ("channel-type", NULL, NULL,
                                                        DGATEWAY_TYPE_CHANNEL_TYPE,
                                                        DGATEWAY_CHANNEL_TYPE_GUILD_TEXT,
                                                        RO_FLAGS);

  /**
   * DGatewayCachedChannel:parent-id: (getter dup_parent_id)
   *
   * The category of a channel, or the channel of a thread, if any.
   */
  props[CHANNEL_PROP_PARENT_ID] = g_param_spec_string ("parent-id", NULL, NULL, NULL, RO_FLAGS);

  /**
   * DGatewayCachedChannel:guild: (getter get_guild)
   *
   * The guild of the channel, `NULL` once the channel left the cache.
   */
  props[CHANNEL_PROP_GUILD] = g_param_spec_object ("guild", NULL, NULL,
                                                   DGATEWAY_TYPE_CACHED_GUILD, RO_FLAGS);

  /**
   * DGatewayCachedChannel:member-count: (getter get_member_count)
   *
   * The approximate number of members of a thread (at most 50 counted).
   */
  props[CHANNEL_PROP_MEMBER_COUNT] = g_param_spec_int ("member-count", NULL, NULL,
                                                       0, G_MAXINT, 0, RO_FLAGS);

  /**
   * DGatewayCachedChannel:archived: (getter get_archived)
   *
   * Whether a thread is archived.
   */
  props[CHANNEL_PROP_ARCHIVED] = g_param_spec_boolean ("archived", NULL, NULL, FALSE, RO_FLAGS);

  /**
   * DGatewayCachedChannel:joined: (getter get_joined)
   *
   * Whether the current user is a member of a thread.
   */
  props[CHANNEL_PROP_JOINED] = g_param_spec_boolean ("joined", NULL, NULL, FALSE, RO_FLAGS);

  g_object_class_install_properties (object_class, CHANNEL_N_PROPS, props);
}

static void
dgateway_cached_channel_init (DGatewayCachedChannel *self)
{
}

/**
 * dgateway_cached_channel_dup_id:
 * @self: a channel
 *
 * Gets the snowflake of the channel.
 *
 * Returns: (transfer full): the id
 */
char *
dgateway_cached_channel_dup_id (DGatewayCachedChannel *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_CHANNEL (self), NULL);

  return id_to_string (self->id);
}

/**
 * dgateway_cached_channel_get_name:
 * @self: a channel
 *
 * Gets the name of the channel.
 *
 * Returns: (nullable): the name
 */
const char *
dgateway_cached_channel_get_name (DGatewayCachedChannel *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_CHANNEL (self), NULL);

  return self->name;
}

/**
 * dgateway_cached_channel_get_topic:
 * @self: a channel
 *
 * Gets the topic of the channel.
 *
 * Returns: (nullable): the topic, or `NULL`
 */
const char *
dgateway_cached_channel_get_topic (DGatewayCachedChannel *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_CHANNEL (self), NULL);

  return self->topic;
}

/**
 * dgateway_cached_channel_get_position:
 * @self: a channel
 *
 * Gets the sorting position of the channel.
 *
 * Returns: the position
 */
int
dgateway_cached_channel_get_position (DGatewayCachedChannel *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_CHANNEL (self), 0);

  return self->position;
}

/**
 * dgateway_cached_channel_get_channel_type:
 * @self: a channel
 *
 * Gets the type of the channel.
 *
 * Returns: the type
 */
DGatewayChannelType
dgateway_cached_channel_get_channel_type (DGatewayCachedChannel *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_CHANNEL (self), 0);

  return self->type;
}

/**
 * dgateway_cached_channel_dup_parent_id:
 * @self: a channel
 *
 * Gets the category of a channel, or the channel of a thread.
 *
 * Returns: (transfer full) (nullable): the parent's id, or `NULL`
 */
char *
dgateway_cached_channel_dup_parent_id (DGatewayCachedChannel *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_CHANNEL (self), NULL);

  return id_to_string (self->parent_id);
}

/**
 * dgateway_cached_channel_get_guild:
 * @self: a channel
 *
 * Gets the guild of the channel.
 *
 * Returns: (transfer none) (nullable): the guild, or `NULL` if the channel
 *   is no longer cached
 */
DGatewayCachedGuild *
dgateway_cached_channel_get_guild (DGatewayCachedChannel *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_CHANNEL (self), NULL);

  return self->guild;
}

/**
 * dgateway_cached_channel_get_member_count:
 * @self: a thread
 *
 * Gets the approximate number of members of a thread.
 *
 * Returns: the member count, 0 for channels that are not threads
 */
int
dgateway_cached_channel_get_member_count (DGatewayCachedChannel *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_CHANNEL (self), 0);

  return self->member_count;
}

/**
 * dgateway_cached_channel_get_archived:
 * @self: a thread
 *
 * Gets whether a thread is archived.
 *
 * Returns: whether the thread is archived
 */
gboolean
dgateway_cached_channel_get_archived (DGatewayCachedChannel *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_CHANNEL (self), FALSE);

  return self->archived;
}

/**
 * dgateway_cached_channel_get_joined:
 * @self: a thread
 *
 * Gets whether the current user is a member of a thread.
 *
 * Returns: whether the current user joined the thread
 */
gboolean
dgateway_cached_channel_get_joined (DGatewayCachedChannel *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_CHANNEL (self), FALSE);

  return self->joined;
}

/**
 * dgateway_cached_channel_is_thread:
 * @self: a channel
 *
 * Gets whether the channel is a thread.
 *
 * Returns: whether the channel is a thread
 */
gboolean
dgateway_cached_channel_is_thread (DGatewayCachedChannel *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_CHANNEL (self), FALSE);

  return self->type >= DGATEWAY_CHANNEL_TYPE_ANNOUNCEMENT_THREAD &&
         self->type <= DGATEWAY_CHANNEL_TYPE_PRIVATE_THREAD;
}

/**
 * dgateway_cached_channel_get_children:
 * @self: a channel
 *
 * Gets the channels of a category, by position, then by id.
 *
 * It fits the `create_func` of a `GtkTreeListModel`; see
 * [method@CachedGuild.get_channel_tree].
 *
 * Returns: (transfer none) (nullable): a list model of
 *   [class@CachedChannel], or `NULL` if the channel is not a category
 */
GListModel *
dgateway_cached_channel_get_children (DGatewayCachedChannel *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_CHANNEL (self), NULL);

  return self->children ? G_LIST_MODEL (self->children) : NULL;
}

/**
 * dgateway_cached_channel_get_messages:
 * @self: a channel
 *
 * Gets the last messages of the channel that the cache kept, oldest first,
 * at most [property@Cache:max-messages] of them.
 *
 * Returns: (transfer none) (nullable): a list model of
 *   [class@CachedMessage], or `NULL` if the cache keeps no messages
 */
GListModel *
dgateway_cached_channel_get_messages (DGatewayCachedChannel *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_CHANNEL (self), NULL);

  return self->messages ? G_LIST_MODEL (self->messages) : NULL;
}

/* DGatewayCachedRole */

/**
 * DGatewayCachedRole:
 *
 * A role of a guild as a [class@Cache] keeps it.
 */

G_DEFINE_FINAL_TYPE (DGatewayCachedRole, dgateway_cached_role, G_TYPE_OBJECT)

static void
dgateway_cached_role_finalize (GObject *object)
{
  DGatewayCachedRole *self = DGATEWAY_CACHED_ROLE (object);

  g_free (self->name);

  G_OBJECT_CLASS (dgateway_cached_role_parent_class)->finalize (object);
}

static void
dgateway_cached_role_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  DGatewayCachedRole *self = DGATEWAY_CACHED_ROLE (object);

  switch (prop_id)
    {
    case ROLE_PROP_ID:
      g_value_take_string (value, id_to_string (self->id));
      break;
    case ROLE_PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case ROLE_PROP_COLOR:
      g_value_set_uint (value, self->color);
      break;
    case ROLE_PROP_POSITION:
      g_value_set_int (value, self->position);
      break;
    case ROLE_PROP_PERMISSIONS:
      g_value_take_string (value, dgateway_cached_role_dup_permissions (self));
      break;
    case ROLE_PROP_HOIST:
      g_value_set_boolean (value, self->hoist);
      break;
    case ROLE_PROP_MENTIONABLE:
      g_value_set_boolean (value, self->mentionable);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dgateway_cached_role_class_init (DGatewayCachedRoleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamSpec **props = dgateway_cached_role_props;

  object_class->finalize = dgateway_cached_role_finalize;
  object_class->get_property = dgateway_cached_role_get_property;

  /**
   * DGatewayCachedRole:id: (getter dup_id)
   *
   * The snowflake of the role; `@everyone` has the guild's.
   */
  props[ROLE_PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, RO_FLAGS);

  /**
   * DGatewayCachedRole:name: (getter get_name)
   *
   * The name of the role.
   */
  props[ROLE_PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, RO_FLAGS);

  /**
   * DGatewayCachedRole:color: (getter get_color)
   *
   * The colour of the role as `0xRRGGBB`, 0 for none.
   */
  props[ROLE_PROP_COLOR] = g_param_spec_uint ("color", NULL, NULL, 0, 0xffffff, 0, RO_FLAGS);

  /**
   * DGatewayCachedRole:position: (getter get_position)
   *
   * The position of the role: higher ones win.
   */
  props[ROLE_PROP_POSITION] = g_param_spec_int ("position", NULL, NULL,
                                                G_MININT, G_MAXINT, 0, RO_FLAGS);

  /**
   * DGatewayCachedRole:permissions: (getter dup_permissions)
   *
   * The permission bit set of the role, as a decimal string.
   */
  props[ROLE_PROP_PERMISSIONS] = g_param_spec_string ("permissions", NULL, NULL, NULL, RO_FLAGS);

  /**
   * DGatewayCachedRole:hoist: (getter get_hoist)
   *
   * Whether members with the role are listed apart.
   */
  props[ROLE_PROP_HOIST] = g_param_spec_boolean ("hoist", NULL, NULL, FALSE, RO_FLAGS);

  /**
   * DGatewayCachedRole:mentionable: (getter get_mentionable)
   *
   * Whether anyone may mention the role.
   */
  props[ROLE_PROP_MENTIONABLE] = g_param_spec_boolean ("mentionable", NULL, NULL, FALSE, RO_FLAGS);

  g_object_class_install_properties (object_class, ROLE_N_PROPS, props);
}

static void
dgateway_cached_role_init (DGatewayCachedRole *self)
{
}

/**
 * dgateway_cached_role_dup_id:
 * @self: a role
 *
 * Gets the snowflake of the role.
 *
 * Returns: (transfer full): the id
 */
char *
dgateway_cached_role_dup_id (DGatewayCachedRole *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_ROLE (self), NULL);

  return id_to_string (self->id);
}

/**
 * dgateway_cached_role_get_name:
 * @self: a role
 *
 * Gets the name of the role.
 *
 * Returns: (nullable): the name
 */
const char *
dgateway_cached_role_get_name (DGatewayCachedRole *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_ROLE (self), NULL);

  return self->name;
}

/**
 * dgateway_cached_role_get_color:
 * @self: a role
 *
 * Gets the colour of the role.
 *
 * Returns: the colour as `0xRRGGBB`, 0 for none
 */
guint
dgateway_cached_role_get_color (DGatewayCachedRole *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_ROLE (self), 0);

  return self->color;
}

/**
 * dgateway_cached_role_get_position:
 * @self: a role
 *
 * Gets the position of the role.
 *
 * Returns: the position
 */
int
dgateway_cached_role_get_position (DGatewayCachedRole *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_ROLE (self), 0);

  return self->position;
}

/**
 * dgateway_cached_role_dup_permissions:
 * @self: a role
 *
 * Gets the permission bit set of the role.
 *
 * Returns: (transfer full): the permissions as a decimal string
 */
char *
dgateway_cached_role_dup_permissions (DGatewayCachedRole *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_ROLE (self), NULL);

  return g_strdup_printf ("%" G_GUINT64_FORMAT, self->permissions);
}

/**
 * dgateway_cached_role_get_hoist:
 * @self: a role
 *
 * Gets whether members with the role are listed apart.
 *
 * Returns: whether the role is hoisted
 */
gboolean
dgateway_cached_role_get_hoist (DGatewayCachedRole *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_ROLE (self), FALSE);

  return self->hoist;
}

/**
 * dgateway_cached_role_get_mentionable:
 * @self: a role
 *
 * Gets whether anyone may mention the role.
 *
 * Returns: whether the role is mentionable
 */
gboolean
dgateway_cached_role_get_mentionable (DGatewayCachedRole *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_ROLE (self), FALSE);

  return self->mentionable;
}

/**
 * dgateway_cached_role_get_guild:
 * @self: a role
 *
 * Gets the guild of the role.
 *
 * Returns: (transfer none) (nullable): the guild, or `NULL` if the role is
 *   no longer cached
 */
DGatewayCachedGuild *
dgateway_cached_role_get_guild (DGatewayCachedRole *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_ROLE (self), NULL);

  return self->guild;
}

/* DGatewayCachedMember */

/**
 * DGatewayCachedMember:
 *
 * A member of a guild as a [class@Cache] keeps it: the guild's side of a
 * [class@CachedUser], which members of other guilds share.
 */

G_DEFINE_FINAL_TYPE (DGatewayCachedMember, dgateway_cached_member, G_TYPE_OBJECT)

static void
dgateway_cached_member_dispose (GObject *object)
{
  DGatewayCachedMember *self = DGATEWAY_CACHED_MEMBER (object);

  g_clear_object (&self->user);

  G_OBJECT_CLASS (dgateway_cached_member_parent_class)->dispose (object);
}

static void
dgateway_cached_member_finalize (GObject *object)
{
  DGatewayCachedMember *self = DGATEWAY_CACHED_MEMBER (object);

  g_free (self->nick);
  g_free (self->avatar);
  g_free (self->roles);

  G_OBJECT_CLASS (dgateway_cached_member_parent_class)->finalize (object);
}

static void
dgateway_cached_member_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  DGatewayCachedMember *self = DGATEWAY_CACHED_MEMBER (object);

  switch (prop_id)
    {
    case MEMBER_PROP_USER:
      g_value_set_object (value, self->user);
      break;
    case MEMBER_PROP_GUILD:
      g_value_set_object (value, self->guild);
      break;
    case MEMBER_PROP_NICK:
      g_value_set_string (value, self->nick);
      break;
    case MEMBER_PROP_AVATAR:
      g_value_set_string (value, self->avatar);
      break;
    case MEMBER_PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case MEMBER_PROP_ROLE_IDS:
      g_value_take_boxed (value, dgateway_cached_member_dup_role_ids (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dgateway_cached_member_class_init (DGatewayCachedMemberClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamSpec **props = dgateway_cached_member_props;

  object_class->dispose = dgateway_cached_member_dispose;
  object_class->finalize = dgateway_cached_member_finalize;
  object_class->get_property = dgateway_cached_member_get_property;

  /**
   * DGatewayCachedMember:user: (getter get_user)
   *
   * The user who is the member.
   */
  props[MEMBER_PROP_USER] = g_param_spec_object ("user", NULL, NULL,
                                                 DGATEWAY_TYPE_CACHED_USER, RO_FLAGS);

  /**
   * DGatewayCachedMember:guild: (getter get_guild)
   *
   * The guild of the member, `NULL` once the member left the cache.
   */
  props[MEMBER_PROP_GUILD] = g_param_spec_object ("guild", NULL, NULL,
                                                  DGATEWAY_TYPE_CACHED_GUILD, RO_FLAGS);

  /**
   * DGatewayCachedMember:nick: (getter get_nick)
   *
   * The nickname of the member in the guild, if any.
   */
  props[MEMBER_PROP_NICK] = g_param_spec_string ("nick", NULL, NULL, NULL, RO_FLAGS);

  /**
   * DGatewayCachedMember:avatar: (getter get_avatar)
   *
   * The guild avatar hash of the member, if any.
   */
  props[MEMBER_PROP_AVATAR] = g_param_spec_string ("avatar", NULL, NULL, NULL, RO_FLAGS);

  /**
   * DGatewayCachedMember:status: (getter get_status)
   *
   * The status of the member, from presences; offline until one came.
   */
  props[MEMBER_PROP_STATUS] = g_param_spec_enum ("status", NULL, NULL, DGATEWAY_TYPE_STATUS,
                                                 DGATEWAY_STATUS_OFFLINE, RO_FLAGS);

  /**
   * DGatewayCachedMember:role-ids: (getter dup_role_ids)
   *
   * The snowflakes of the roles of the member.
   */
  props[MEMBER_PROP_ROLE_IDS] = g_param_spec_boxed ("role-ids", NULL, NULL, G_TYPE_STRV, RO_FLAGS);

  g_object_class_install_properties (object_class, MEMBER_N_PROPS, props);
}

static void
dgateway_cached_member_init (DGatewayCachedMember *self)
{
  self->status = DGATEWAY_STATUS_OFFLINE;
}

/**
 * dgateway_cached_member_get_user:
 * @self: a member
 *
 * Gets the user who is the member.
 *
 * Returns: (transfer none): the user
 */
DGatewayCachedUser *
dgateway_cached_member_get_user (DGatewayCachedMember *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_MEMBER (self), NULL);

  return self->user;
}

/**
 * dgateway_cached_member_get_guild:
 * @self: a member
 *
 * Gets the guild of the member.
 *
 * Returns: (transfer none) (nullable): the guild, or `NULL` if the member is
 *   no longer cached
 */
DGatewayCachedGuild *
dgateway_cached_member_get_guild (DGatewayCachedMember *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_MEMBER (self), NULL);

  return self->guild;
}

/**
 * dgateway_cached_member_get_nick:
 * @self: a member
 *
 * Gets the nickname of the member in its guild.
 *
 * Returns: (nullable): the nickname, or `NULL`
 */
const char *
dgateway_cached_member_get_nick (DGatewayCachedMember *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_MEMBER (self), NULL);

  return self->nick;
}

/**
 * dgateway_cached_member_get_avatar:
 * @self: a member
 *
 * Gets the guild avatar hash of the member.
 *
 * Returns: (nullable): the avatar hash, or `NULL`
 */
const char *
dgateway_cached_member_get_avatar (DGatewayCachedMember *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_MEMBER (self), NULL);

  return self->avatar;
}

/**
 * dgateway_cached_member_get_status:
 * @self: a member
 *
 * Gets the status of the member.
 *
 * Returns: the status; offline if no presence was seen
 */
DGatewayStatus
dgateway_cached_member_get_status (DGatewayCachedMember *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_MEMBER (self), DGATEWAY_STATUS_OFFLINE);

  return self->status;
}

/**
 * dgateway_cached_member_dup_role_ids:
 * @self: a member
 *
 * Gets the snowflakes of the roles of the member.
 *
 * Returns: (transfer full) (array zero-terminated=1): the role ids
 */
char **
dgateway_cached_member_dup_role_ids (DGatewayCachedMember *self)
{
  char **ids;

  g_return_val_if_fail (DGATEWAY_IS_CACHED_MEMBER (self), NULL);

  ids = g_new0 (char *, self->n_roles + 1);
  for (guint i = 0; i < self->n_roles; i++)
    ids[i] = id_to_string (self->roles[i]);
  return ids;
}

/**
 * dgateway_cached_member_has_role:
 * @self: a member
 * @role_id: the snowflake of a role
 *
 * Gets whether the member has a role.
 *
 * Returns: whether the member has the role
 */
gboolean
dgateway_cached_member_has_role (DGatewayCachedMember *self,
                                 const char           *role_id)
{
  guint64 id;

  g_return_val_if_fail (DGATEWAY_IS_CACHED_MEMBER (self), FALSE);
  g_return_val_if_fail (role_id != NULL, FALSE);

  id = id_from_string (role_id);
  for (guint i = 0; i < self->n_roles; i++)
    if (self->roles[i] == id)
      return TRUE;
  return FALSE;
}

/**
 * dgateway_cached_member_get_display_name:
 * @self: a member
 *
 * Gets the name Discord shows for the member: the nickname, then the
 * user's global name, then the username.
 *
 * Returns: (nullable): the display name, or `NULL` if none is known
 */
const char *
dgateway_cached_member_get_display_name (DGatewayCachedMember *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_MEMBER (self), NULL);

  if (self->nick != NULL)
    return self->nick;
  return dgateway_cached_user_get_display_name (self->user);
}

/**
 * dgateway_cached_member_get_color:
 * @self: a member
 *
 * Gets the colour Discord shows the member's name in: that of the
 * highest-positioned role of the member with a colour.
 *
 * The guild's roles must be cached ([flags@DGateway.CacheFlags.roles]).
 *
 * Returns: the colour as `0xRRGGBB`, 0 for none
 */
guint
dgateway_cached_member_get_color (DGatewayCachedMember *self)
{
  GListModel *roles;
  guint n;

  g_return_val_if_fail (DGATEWAY_IS_CACHED_MEMBER (self), 0);

  if (self->guild == NULL)
    return 0;

  /* The roles are sorted by position: the first match from the top wins. */
  roles = G_LIST_MODEL (self->guild->roles);
  n = g_list_model_get_n_items (roles);
  for (guint i = n; i > 0; i--)
    {
      g_autoptr(DGatewayCachedRole) role = g_list_model_get_item (roles, i - 1);

      if (role->color == 0)
        continue;
      for (guint j = 0; j < self->n_roles; j++)
        if (self->roles[j] == role->id)
          return role->color;
    }
  return 0;
}

/* DGatewayCachedMessage */

/**
 * DGatewayCachedMessage:
 *
 * A message of a channel as a [class@Cache] keeps it.
 */

G_DEFINE_FINAL_TYPE (DGatewayCachedMessage, dgateway_cached_message, G_TYPE_OBJECT)

static void
dgateway_cached_message_dispose (GObject *object)
{
  DGatewayCachedMessage *self = DGATEWAY_CACHED_MESSAGE (object);

  g_clear_object (&self->author);

  G_OBJECT_CLASS (dgateway_cached_message_parent_class)->dispose (object);
}

static void
dgateway_cached_message_finalize (GObject *object)
{
  DGatewayCachedMessage *self = DGATEWAY_CACHED_MESSAGE (object);

  g_free (self->content);

  G_OBJECT_CLASS (dgateway_cached_message_parent_class)->finalize (object);
}

static void
dgateway_cached_message_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  DGatewayCachedMessage *self = DGATEWAY_CACHED_MESSAGE (object);

  switch (prop_id)
    {
    case MESSAGE_PROP_ID:
      g_value_take_string (value, id_to_string (self->id));
      break;
    case MESSAGE_PROP_CHANNEL:
      g_value_set_object (value, self->channel);
      break;
    case MESSAGE_PROP_AUTHOR:
      g_value_set_object (value, self->author);
      break;
    case MESSAGE_PROP_CONTENT:
      g_value_set_string (value, self->content);
      break;
    case MESSAGE_PROP_EDITED:
      g_value_set_boolean (value, self->edited);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dgateway_cached_message_class_init (DGatewayCachedMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamSpec **props = dgateway_cached_message_props;

  object_class->dispose = dgateway_cached_message_dispose;
  object_class->finalize = dgateway_cached_message_finalize;
  object_class->get_property = dgateway_cached_message_get_property;

  /**
   * DGatewayCachedMessage:id: (getter dup_id)
   *
   * The snowflake of the message.
   */
  props[MESSAGE_PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, RO_FLAGS);

  /**
   * DGatewayCachedMessage:channel: (getter get_channel)
   *
   * The channel of the message, `NULL` once it left the cache.
   */
  props[MESSAGE_PROP_CHANNEL] = g_param_spec_object ("channel", NULL, NULL,
                                                     DGATEWAY_TYPE_CACHED_CHANNEL, RO_FLAGS);

  /**
   * DGatewayCachedMessage:author: (getter get_author)
   *
   * The author of the message.
   */
  props[MESSAGE_PROP_AUTHOR] = g_param_spec_object ("author", NULL, NULL,
                                                    DGATEWAY_TYPE_CACHED_USER, RO_FLAGS);

  /**
   * DGatewayCachedMessage:content: (getter get_content)
   *
   * The text of the message, as sent; see [method@Cache.render_content].
   */
  props[MESSAGE_PROP_CONTENT] = g_param_spec_string ("content", NULL, NULL, NULL, RO_FLAGS);

  /**
   * DGatewayCachedMessage:edited: (getter get_edited)
   *
   * Whether the message was edited since the cache got it.
   */
  props[MESSAGE_PROP_EDITED] = g_param_spec_boolean ("edited", NULL, NULL, FALSE, RO_FLAGS);

  g_object_class_install_properties (object_class, MESSAGE_N_PROPS, props);
}

static void
dgateway_cached_message_init (DGatewayCachedMessage *self)
{
}

/**
 * dgateway_cached_message_dup_id:
 * @self: a message
 *
 * Gets the snowflake of the message.
 *
 * Returns: (transfer full): the id
 */
char *
dgateway_cached_message_dup_id (DGatewayCachedMessage *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_MESSAGE (self), NULL);

  return id_to_string (self->id);
}

/**
 * dgateway_cached_message_get_channel:
 * @self: a message
 *
 * Gets the channel of the message.
 *
 * Returns: (transfer none) (nullable): the channel, or `NULL` if the
 *   message is no longer cached
 */
DGatewayCachedChannel *
dgateway_cached_message_get_channel (DGatewayCachedMessage *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_MESSAGE (self), NULL);

  return self->channel;
}

/**
 * dgateway_cached_message_get_author:
 * @self: a message
 *
 * Gets the author of the message.
 *
 * Returns: (transfer none) (nullable): the author
 */
DGatewayCachedUser *
dgateway_cached_message_get_author (DGatewayCachedMessage *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_MESSAGE (self), NULL);

  return self->author;
}

/**
 * dgateway_cached_message_get_content:
 * @self: a message
 *
 * Gets the text of the message, as sent.
 *
 * Returns: (nullable): the content
 */
const char *
dgateway_cached_message_get_content (DGatewayCachedMessage *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_MESSAGE (self), NULL);

  return self->content;
}

/**
 * dgateway_cached_message_get_edited:
 * @self: a message
 *
 * Gets whether the message was edited since the cache got it.
 *
 * Returns: whether the message was edited
 */
gboolean
dgateway_cached_message_get_edited (DGatewayCachedMessage *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_MESSAGE (self), FALSE);

  return self->edited;
}

/* DGatewayCachedEmoji */

/**
 * DGatewayCachedEmoji:
 *
 * A custom emoji or sticker of a guild as a [class@Cache] keeps it.
 */

G_DEFINE_FINAL_TYPE (DGatewayCachedEmoji, dgateway_cached_emoji, G_TYPE_OBJECT)

static void
dgateway_cached_emoji_finalize (GObject *object)
{
  DGatewayCachedEmoji *self = DGATEWAY_CACHED_EMOJI (object);

  g_free (self->name);

  G_OBJECT_CLASS (dgateway_cached_emoji_parent_class)->finalize (object);
}

static void
dgateway_cached_emoji_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  DGatewayCachedEmoji *self = DGATEWAY_CACHED_EMOJI (object);

  switch (prop_id)
    {
    case EMOJI_PROP_ID:
      g_value_take_string (value, id_to_string (self->id));
      break;
    case EMOJI_PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case EMOJI_PROP_ANIMATED:
      g_value_set_boolean (value, self->animated);
      break;
    case EMOJI_PROP_STICKER:
      g_value_set_boolean (value, self->sticker);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dgateway_cached_emoji_class_init (DGatewayCachedEmojiClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamSpec **props = dgateway_cached_emoji_props;

  object_class->finalize = dgateway_cached_emoji_finalize;
  object_class->get_property = dgateway_cached_emoji_get_property;

  /**
   * DGatewayCachedEmoji:id: (getter dup_id)
   *
   * The snowflake of the emoji or sticker.
   */
  props[EMOJI_PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, RO_FLAGS);

  /**
   * DGatewayCachedEmoji:name: (getter get_name)
   *
   * The name of the emoji or sticker.
   */
  props[EMOJI_PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, RO_FLAGS);

  /**
   * DGatewayCachedEmoji:animated: (getter get_animated)
   *
   * Whether the emoji is animated.
   */
  props[EMOJI_PROP_ANIMATED] = g_param_spec_boolean ("animated", NULL, NULL, FALSE, RO_FLAGS);

  /**
   * DGatewayCachedEmoji:sticker: (getter get_sticker)
   *
   * Whether this is a sticker rather than an emoji.
   */
  props[EMOJI_PROP_STICKER] = g_param_spec_boolean ("sticker", NULL, NULL, FALSE, RO_FLAGS);

  g_object_class_install_properties (object_class, EMOJI_N_PROPS, props);
}

static void
dgateway_cached_emoji_init (DGatewayCachedEmoji *self)
{
}

/**
 * dgateway_cached_emoji_dup_id:
 * @self: an emoji or sticker
 *
 * Gets the snowflake of the emoji or sticker.
 *
 * Returns: (transfer full): the id
 */
char *
dgateway_cached_emoji_dup_id (DGatewayCachedEmoji *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_EMOJI (self), NULL);

  return id_to_string (self->id);
}

/**
 * dgateway_cached_emoji_get_name:
 * @self: an emoji or sticker
 *
 * Gets the name of the emoji or sticker.
 *
 * Returns: (nullable): the name
 */
const char *
dgateway_cached_emoji_get_name (DGatewayCachedEmoji *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_EMOJI (self), NULL);

  return self->name;
}

/**
 * dgateway_cached_emoji_get_animated:
 * @self: an emoji
 *
 * Gets whether the emoji is animated.
 *
 * Returns: whether the emoji is animated
 */
gboolean
dgateway_cached_emoji_get_animated (DGatewayCachedEmoji *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_EMOJI (self), FALSE);

  return self->animated;
}

/**
 * dgateway_cached_emoji_get_sticker:
 * @self: an emoji or sticker
 *
 * Gets whether this is a sticker rather than an emoji.
 *
 * Returns: whether this is a sticker
 */
gboolean
dgateway_cached_emoji_get_sticker (DGatewayCachedEmoji *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHED_EMOJI (self), FALSE);

  return self->sticker;
}
