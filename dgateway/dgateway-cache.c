/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-cache.h"
#include "dgateway-cached-private.h"
#include "dgateway-enum-types.h"
#include "dgateway-event-private.h"

#include <string.h>

/**
 * DGatewayCache:
 *
 * The live state of a [class@Client]: its guilds, channels, threads, roles,
 * members, users, presences, voice states, emojis and last messages, as
 * objects and list models that GTK widgets bind to.
 *
 * A cache follows one client, all of its shards together. What it keeps is
 * chosen with [flags@CacheFlags]; what is not asked for costs nothing, and a
 * client without a cache does not know caches exist.
 *
 * ```c
 * DGatewayCache *cache = dgateway_cache_new (client, DGATEWAY_CACHE_GUILDS |
 *                                                    DGATEWAY_CACHE_CHANNELS);
 *
 * gtk_list_view_set_model (view, make_selection (dgateway_cache_get_guilds (cache)));
 * ```
 *
 * ## Stable objects
 *
 * A guild, channel, role, member or user is one object for as long as it is
 * cached: an update changes its properties in place and emits
 * [signal@GObject.Object::notify] only for those that changed, so
 * `g_object_bind_property()` keeps a label current. A deletion removes it
 * from its models. A guild in an outage stays, with
 * [property@CachedGuild:unavailable] set.
 *
 * ## Seeing every event
 *
 * The cache connects to the detailed [signal@Client::dispatch] signals of
 * the events it needs when it is made. A `dispatch` handler connected
 * before it that returns `TRUE` stops an event before the cache sees it:
 * make the cache before connecting such middleware. Handlers connected
 * after it, and the typed signals such as [signal@Client::message-create],
 * see the cache already updated by the event.
 *
 * ## A new session
 *
 * A `READY` starts a new session on its shard: the guilds of that shard
 * that it does not list are removed, the others are kept as they are until
 * their `GUILD_CREATE` refreshes them. Re-sharding is a new `READY` on every
 * shard, each removing what is no longer its own.
 */

typedef void (*EventFunc) (DGatewayCache       *self,
                           const DGatewayValue *d,
                           guint                shard_id);

typedef struct {
  DGatewayCache *cache;
  EventFunc func;
  gulong handler_id;
} Binding;

struct _DGatewayCache
{
  GObject parent_instance;

  DGatewayClient *client;
  DGatewayCacheFlags flags;
  guint max_messages;

  GListStore *guilds;
  GHashTable *guilds_by_id;       /* &guild->id → guild (the store owns it) */
  GHashTable *channels_by_id;     /* &channel->id → channel, threads included */
  GHashTable *roles_by_id;        /* &role->id → role */
  GHashTable *users_by_id;        /* &user->id → user (owned) */
  DGatewayCachedUser *current_user;

  Binding *bindings;
  guint n_bindings;
};

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_FLAGS,
  PROP_MAX_MESSAGES,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

G_DEFINE_FINAL_TYPE (DGatewayCache, dgateway_cache, G_TYPE_OBJECT)

#define HAS(self, flag) (((self)->flags & DGATEWAY_CACHE_##flag) != 0)

/* Reading the payload */

static guint64
parse_id (const char *text)
{
  guint64 id = 0;

  /* Snowflakes are plain decimal: g_ascii_strtoull() spends ten times as
   * long on bases, signs and overflow. */
  for (; text != NULL && *text >= '0' && *text <= '9'; text++)
    id = id * 10 + (guint64) (*text - '0');
  return id;
}

static guint64
value_id (const DGatewayValue *value)
{
  return parse_id (dgateway_value_get_string (value));
}

static guint64
member_id (const DGatewayValue *object,
           const char          *key)
{
  return parse_id (dgateway_value_get_member_string (object, key));
}

static gboolean
has_member (const DGatewayValue *object,
            const char          *key)
{
  return dgateway_value_get_member (object, key) != NULL;
}

static DGatewayStatus
parse_status (const char *status)
{
  if (g_strcmp0 (status, "online") == 0)
    return DGATEWAY_STATUS_ONLINE;
  if (g_strcmp0 (status, "idle") == 0)
    return DGATEWAY_STATUS_IDLE;
  if (g_strcmp0 (status, "dnd") == 0)
    return DGATEWAY_STATUS_DND;
  if (g_strcmp0 (status, "invisible") == 0)
    return DGATEWAY_STATUS_INVISIBLE;
  return DGATEWAY_STATUS_OFFLINE;
}

/* Changing fields: each notifies only a change. */

static gboolean
set_string (gpointer             object,
            char               **field,
            const DGatewayValue *parent,
            const char          *key,
            GParamSpec          *pspec)
{
  const DGatewayValue *value = dgateway_value_get_member (parent, key);

  /* An absent member is unknown, not empty: partial objects keep what
   * the cache knew. A JSON null clears. */
  if (value == NULL)
    return FALSE;
  return dgateway_cached_set_string (object, field, dgateway_value_get_string (value), pspec);
}

static void
set_int (gpointer    object,
         int        *field,
         gint64      value,
         GParamSpec *pspec)
{
  if (*field == (int) value)
    return;
  *field = (int) value;
  g_object_notify_by_pspec (object, pspec);
}

static void
set_id (gpointer    object,
        guint64    *field,
        guint64     value,
        GParamSpec *pspec)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (object, pspec);
}

/* Tells an object that outlives its removal that it left the cache. One
 * that goes with it can have no use for the news. */
static void
notify_if_kept (gpointer    object,
                GParamSpec *pspec)
{
  if (g_atomic_int_get (&G_OBJECT (object)->ref_count) > 1)
    g_object_notify_by_pspec (object, pspec);
}

/* Sorted list stores */

static int
id_compare (gconstpointer a,
            gconstpointer b,
            gpointer      user_data)
{
  const DGatewayCachedChannel *x = a, *y = b;

  return x->id < y->id ? -1 : x->id > y->id;
}

static gboolean
store_remove (GListStore *store,
              gpointer    item)
{
  guint position;

  if (store == NULL || !g_list_store_find (store, item, &position))
    return FALSE;
  g_list_store_remove (store, position);
  return TRUE;
}

static gboolean
in_order (GListModel       *model,
          guint             a,
          guint             b,
          GCompareDataFunc  compare)
{
  g_autoptr(GObject) x = g_list_model_get_item (model, a);
  g_autoptr(GObject) y = g_list_model_get_item (model, b);

  return compare (x, y, NULL) < 0;
}

/* Moves an item whose sort key changed, if it is out of place now. */
static void
store_resort (GListStore       *store,
              gpointer          item,
              GCompareDataFunc  compare)
{
  GListModel *model = G_LIST_MODEL (store);
  guint n = g_list_model_get_n_items (model);
  guint position;

  if (!g_list_store_find (store, item, &position))
    return;
  if ((position == 0 || in_order (model, position - 1, position, compare)) &&
      (position + 1 >= n || in_order (model, position, position + 1, compare)))
    return;

  g_object_ref (item);
  g_list_store_remove (store, position);
  g_list_store_insert_sorted (store, item, compare, NULL);
  g_object_unref (item);
}

/* Users */

static void
user_hold (DGatewayCachedUser *user)
{
  user->holders++;
}

static void
user_release (DGatewayCache      *self,
              DGatewayCachedUser *user)
{
  g_assert (user->holders > 0);

  /* A user no member or message refers to leaves the cache. */
  if (--user->holders == 0 && self->users_by_id != NULL)
    g_hash_table_remove (self->users_by_id, &user->id);
}

static void
user_merge (DGatewayCachedUser  *user,
            const DGatewayValue *d)
{
  const DGatewayValue *value;

  if ((value = dgateway_value_get_member (d, "username")) != NULL)
    dgateway_cached_user_set (user, USER_PROP_USERNAME, dgateway_value_get_string (value));
  if ((value = dgateway_value_get_member (d, "global_name")) != NULL)
    dgateway_cached_user_set (user, USER_PROP_GLOBAL_NAME, dgateway_value_get_string (value));
  if ((value = dgateway_value_get_member (d, "avatar")) != NULL)
    dgateway_cached_user_set (user, USER_PROP_AVATAR, dgateway_value_get_string (value));
  if ((value = dgateway_value_get_member (d, "bot")) != NULL)
    dgateway_cached_user_set_bot (user, dgateway_value_get_bool (value, FALSE));
}

/* Finds or makes the user of a (maybe partial) user object, merging what
 * it carries. Without a user table, returns NULL. */
static DGatewayCachedUser *
user_upsert (DGatewayCache       *self,
             const DGatewayValue *d)
{
  guint64 id = member_id (d, "id");
  DGatewayCachedUser *user;

  if (id == 0 || self->users_by_id == NULL)
    return NULL;

  user = g_hash_table_lookup (self->users_by_id, &id);
  if (user != NULL)
    {
      user_merge (user, d);
      return user;
    }

  /* Nobody can be listening to a new object: set its fields directly. */
  user = g_object_new (DGATEWAY_TYPE_CACHED_USER, NULL);
  user->id = id;
  user->username = g_strdup (dgateway_value_get_member_string (d, "username"));
  user->global_name = g_strdup (dgateway_value_get_member_string (d, "global_name"));
  user->avatar = g_strdup (dgateway_value_get_member_string (d, "avatar"));
  user->bot = dgateway_value_get_bool (dgateway_value_get_member (d, "bot"), FALSE);
  g_hash_table_insert (self->users_by_id, &user->id, user);
  return user;
}

/* Members */

static gboolean
member_set_roles (DGatewayCachedMember *member,
                  const DGatewayValue  *roles)
{
  guint n = MIN (dgateway_value_get_length (roles), G_MAXUINT16);
  gboolean same = n == member->n_roles;

  for (guint i = 0; same && i < n; i++)
    same = member->roles[i] == value_id (dgateway_value_get_element (roles, i));
  if (same)
    return FALSE;

  g_free (member->roles);
  member->roles = n > 0 ? g_new (guint64, n) : NULL;
  member->n_roles = n;
  for (guint i = 0; i < n; i++)
    member->roles[i] = value_id (dgateway_value_get_element (roles, i));
  return TRUE;
}

static void
member_merge (DGatewayCachedMember *member,
              const DGatewayValue  *d)
{
  const DGatewayValue *roles = dgateway_value_get_member (d, "roles");

  set_string (member, &member->nick, d, "nick", dgateway_cached_member_props[MEMBER_PROP_NICK]);
  set_string (member, &member->avatar, d, "avatar", dgateway_cached_member_props[MEMBER_PROP_AVATAR]);
  if (dgateway_value_get_value_type (roles) == DGATEWAY_VALUE_ARRAY &&
      member_set_roles (member, roles))
    CACHED_NOTIFY (member, member, MEMBER_PROP_ROLE_IDS);
}

/* Finds or makes a member of @guild from a member object, whose user is
 * @user_d (the member's own "user", or a message's author). A new member
 * goes into @batch if given, for the caller to add to the model at once,
 * and sets @created. */
static DGatewayCachedMember *
member_upsert_full (DGatewayCache       *self,
                    DGatewayCachedGuild *guild,
                    const DGatewayValue *d,
                    const DGatewayValue *user_d,
                    GPtrArray           *batch,
                    gboolean            *created)
{
  DGatewayCachedUser *user;
  DGatewayCachedMember *member;

  if (created != NULL)
    *created = FALSE;
  /* Without members, no user either: nothing would hold it. */
  if (guild->members_by_id == NULL || (user = user_upsert (self, user_d)) == NULL)
    return NULL;

  member = g_hash_table_lookup (guild->members_by_id, &user->id);
  if (member != NULL)
    {
      member_merge (member, d);
      return member;
    }

  member = g_object_new (DGATEWAY_TYPE_CACHED_MEMBER, NULL);
  member->guild = guild;
  member->user = g_object_ref (user);
  user_hold (user);
  member->nick = g_strdup (dgateway_value_get_member_string (d, "nick"));
  member->avatar = g_strdup (dgateway_value_get_member_string (d, "avatar"));
  member_set_roles (member, dgateway_value_get_member (d, "roles"));
  g_hash_table_insert (guild->members_by_id, &user->id, member);
  if (batch != NULL)
    {
      g_ptr_array_add (batch, member);
    }
  else
    {
      g_list_store_append (guild->members, member);
      g_object_unref (member);
    }
  if (created != NULL)
    *created = TRUE;
  return member;
}

static DGatewayCachedMember *
member_upsert (DGatewayCache       *self,
               DGatewayCachedGuild *guild,
               const DGatewayValue *d,
               const DGatewayValue *user_d,
               gboolean            *created)
{
  return member_upsert_full (self, guild, d, user_d, NULL, created);
}

static void
member_forget (DGatewayCache        *self,
               DGatewayCachedMember *member)
{
  member->guild = NULL;
  notify_if_kept (member, dgateway_cached_member_props[MEMBER_PROP_GUILD]);
  user_release (self, member->user);
}

static gboolean
member_remove (DGatewayCache       *self,
               DGatewayCachedGuild *guild,
               guint64              user_id)
{
  DGatewayCachedMember *member;

  if (guild->members_by_id == NULL)
    return FALSE;
  member = g_hash_table_lookup (guild->members_by_id, &user_id);
  if (member == NULL)
    return FALSE;

  g_object_ref (member);
  g_hash_table_remove (guild->members_by_id, &user_id);
  store_remove (guild->members, member);
  member_forget (self, member);
  g_object_unref (member);
  return TRUE;
}

static void
presence_apply (DGatewayCache       *self,
                DGatewayCachedGuild *guild,
                const DGatewayValue *d)
{
  const DGatewayValue *user_d = dgateway_value_get_member (d, "user");
  guint64 user_id = member_id (user_d, "id");
  DGatewayCachedMember *member;
  DGatewayStatus status;

  if (guild->members_by_id == NULL || user_id == 0)
    return;

  /* A presence's user is partial: only the id is sure to be there. */
  if (self->users_by_id != NULL && g_hash_table_contains (self->users_by_id, &user_id))
    user_merge (g_hash_table_lookup (self->users_by_id, &user_id), user_d);

  member = g_hash_table_lookup (guild->members_by_id, &user_id);
  status = parse_status (dgateway_value_get_member_string (d, "status"));
  if (member == NULL || member->status == status)
    return;
  member->status = status;
  CACHED_NOTIFY (member, member, MEMBER_PROP_STATUS);
}

/* Messages */

static void
message_forget (DGatewayCache         *self,
                DGatewayCachedMessage *message)
{
  message->channel = NULL;
  notify_if_kept (message, dgateway_cached_message_props[MESSAGE_PROP_CHANNEL]);
  if (message->author != NULL)
    user_release (self, message->author);
}

static void
messages_trim (DGatewayCache         *self,
               DGatewayCachedChannel *channel,
               guint                  max)
{
  GPtrArray *array = channel->message_array;
  guint excess = array->len > max ? array->len - max : 0;
  g_autoptr(GPtrArray) removed = NULL;

  if (excess == 0)
    return;

  /* Keep them alive past the store until they are told. */
  removed = g_ptr_array_new_full (excess, g_object_unref);
  for (guint i = 0; i < excess; i++)
    g_ptr_array_add (removed, g_object_ref (array->pdata[i]));
  g_ptr_array_remove_range (array, 0, excess);
  g_list_store_splice (channel->messages, 0, excess, NULL, 0);
  for (guint i = 0; i < removed->len; i++)
    message_forget (self, removed->pdata[i]);
}

static DGatewayCachedMessage *
message_find (DGatewayCachedChannel *channel,
              guint64                id,
              guint                 *position)
{
  GPtrArray *array;

  if (channel == NULL || channel->message_array == NULL)
    return NULL;

  /* At most max-messages of them, and recent ones are the likely ones. */
  array = channel->message_array;
  for (guint i = array->len; i > 0; i--)
    {
      DGatewayCachedMessage *message = array->pdata[i - 1];

      if (message->id == id)
        {
          if (position != NULL)
            *position = i - 1;
          return message;
        }
    }
  return NULL;
}

static void
message_remove (DGatewayCache         *self,
                DGatewayCachedChannel *channel,
                guint64                id)
{
  guint position;
  DGatewayCachedMessage *message = message_find (channel, id, &position);

  if (message == NULL)
    return;
  g_object_ref (message);
  g_ptr_array_remove_index (channel->message_array, position);
  g_list_store_remove (channel->messages, position);
  message_forget (self, message);
  g_object_unref (message);
}

static void
messages_clear (DGatewayCache         *self,
                DGatewayCachedChannel *channel)
{
  if (channel->message_array != NULL)
    messages_trim (self, channel, 0);
}

/* Channels and threads */

static GListStore *
tree_store_for (DGatewayCache         *self,
                DGatewayCachedChannel *channel)
{
  DGatewayCachedChannel *parent = NULL;

  if (channel->type != DGATEWAY_CHANNEL_TYPE_GUILD_CATEGORY && channel->parent_id != 0)
    parent = g_hash_table_lookup (self->channels_by_id, &channel->parent_id);
  if (parent != NULL && parent->guild == channel->guild && parent->children != NULL)
    return parent->children;
  return channel->guild->channel_tree;
}

static void
tree_place (DGatewayCache         *self,
            DGatewayCachedChannel *channel)
{
  GListStore *store = tree_store_for (self, channel);

  channel->tree_store = store;
  g_list_store_insert_sorted (store, channel,
                              store == channel->guild->channel_tree ?
                                dgateway_cached_tree_compare : dgateway_cached_channel_compare,
                              NULL);
}

static void
tree_unplace (DGatewayCachedChannel *channel)
{
  store_remove (channel->tree_store, channel);
  channel->tree_store = NULL;
}

/* Moves to @category the channels that named it as their parent before it
 * was cached, and back to the top those whose category went away. */
static void
tree_adopt (DGatewayCache         *self,
            DGatewayCachedGuild   *guild,
            GListStore            *from,
            guint64                parent_id)
{
  GListModel *model = G_LIST_MODEL (from);
  g_autoptr(GPtrArray) moving = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      DGatewayCachedChannel *channel = g_list_model_get_item (model, i);

      if (channel->type != DGATEWAY_CHANNEL_TYPE_GUILD_CATEGORY &&
          (parent_id == 0 || channel->parent_id == parent_id))
        g_ptr_array_add (moving, channel);
      else
        g_object_unref (channel);
    }
  for (guint i = 0; i < moving->len; i++)
    {
      tree_unplace (moving->pdata[i]);
      tree_place (self, moving->pdata[i]);
    }
}

/* A text channel may become an announcement channel and back. A category
 * or a thread stays one: Discord does not convert them. */
static void
channel_set_type (DGatewayCachedChannel *channel,
                  gint64                 type)
{
  gboolean was_category = channel->type == DGATEWAY_CHANNEL_TYPE_GUILD_CATEGORY;
  gboolean was_thread = dgateway_cached_channel_is_thread (channel);

  if (type == channel->type || type < 0 || type > G_MAXUINT8 ||
      was_category != (type == DGATEWAY_CHANNEL_TYPE_GUILD_CATEGORY) ||
      was_thread != (type >= DGATEWAY_CHANNEL_TYPE_ANNOUNCEMENT_THREAD &&
                     type <= DGATEWAY_CHANNEL_TYPE_PRIVATE_THREAD))
    return;
  channel->type = type;
  CACHED_NOTIFY (channel, channel, CHANNEL_PROP_CHANNEL_TYPE);
}

static void
channel_merge (DGatewayCache         *self,
               DGatewayCachedChannel *channel,
               const DGatewayValue   *d)
{
  GParamSpec **pspecs = dgateway_cached_channel_props;
  const DGatewayValue *metadata = dgateway_value_get_member (d, "thread_metadata");
  gboolean moved = FALSE;

  set_string (channel, &channel->name, d, "name", pspecs[CHANNEL_PROP_NAME]);
  set_string (channel, &channel->topic, d, "topic", pspecs[CHANNEL_PROP_TOPIC]);
  channel_set_type (channel, dgateway_value_get_member_int (d, "type", channel->type));
  if (has_member (d, "position") &&
      channel->position != dgateway_value_get_member_int (d, "position", 0))
    {
      set_int (channel, &channel->position, dgateway_value_get_member_int (d, "position", 0),
               pspecs[CHANNEL_PROP_POSITION]);
      moved = TRUE;
    }
  if (has_member (d, "parent_id") && channel->parent_id != member_id (d, "parent_id"))
    {
      set_id (channel, &channel->parent_id, member_id (d, "parent_id"), pspecs[CHANNEL_PROP_PARENT_ID]);
      moved = TRUE;
    }
  if (has_member (d, "member_count"))
    set_int (channel, &channel->member_count, dgateway_value_get_member_int (d, "member_count", 0),
             pspecs[CHANNEL_PROP_MEMBER_COUNT]);
  if (metadata != NULL &&
      channel->archived != dgateway_value_get_bool (dgateway_value_get_member (metadata, "archived"), FALSE))
    {
      channel->archived = !channel->archived;
      CACHED_NOTIFY (channel, channel, CHANNEL_PROP_ARCHIVED);
    }

  if (!moved || channel->guild == NULL)
    return;
  if (dgateway_cached_channel_is_thread (channel))
    return;
  store_resort (channel->guild->channels, channel, dgateway_cached_channel_compare);
  if (tree_store_for (self, channel) != channel->tree_store)
    {
      tree_unplace (channel);
      tree_place (self, channel);
    }
  else
    store_resort (channel->tree_store, channel,
                  channel->tree_store == channel->guild->channel_tree ?
                    dgateway_cached_tree_compare : dgateway_cached_channel_compare);
}

/* Puts a new channel into its guild's models. */
static void
channel_place (DGatewayCache         *self,
               DGatewayCachedChannel *channel)
{
  DGatewayCachedGuild *guild = channel->guild;

  if (dgateway_cached_channel_is_thread (channel))
    {
      g_list_store_insert_sorted (guild->threads, channel, id_compare, NULL);
      return;
    }
  g_list_store_insert_sorted (guild->channels, channel, dgateway_cached_channel_compare, NULL);
  tree_place (self, channel);
  if (channel->children != NULL)
    tree_adopt (self, guild, guild->channel_tree, channel->id);
}

/* Finds or makes a channel or thread. A new one goes into @batch if given,
 * for channels_place_batch(), and into its guild's models otherwise. */
static DGatewayCachedChannel *
channel_upsert_full (DGatewayCache       *self,
                     DGatewayCachedGuild *guild,
                     const DGatewayValue *d,
                     GPtrArray           *batch)
{
  guint64 id = member_id (d, "id");
  gint64 type = dgateway_value_get_member_int (d, "type", 0);
  const DGatewayValue *metadata = dgateway_value_get_member (d, "thread_metadata");
  DGatewayCachedChannel *channel;

  if (id == 0)
    return NULL;

  channel = g_hash_table_lookup (self->channels_by_id, &id);
  if (channel != NULL)
    {
      channel_merge (self, channel, d);
      return channel;
    }

  channel = g_object_new (DGATEWAY_TYPE_CACHED_CHANNEL, NULL);
  channel->guild = guild;
  channel->id = id;
  channel->type = CLAMP (type, 0, G_MAXUINT8);
  channel->name = g_strdup (dgateway_value_get_member_string (d, "name"));
  channel->topic = g_strdup (dgateway_value_get_member_string (d, "topic"));
  channel->position = dgateway_value_get_member_int (d, "position", 0);
  channel->parent_id = member_id (d, "parent_id");
  channel->member_count = dgateway_value_get_member_int (d, "member_count", 0);
  channel->archived = dgateway_value_get_bool (dgateway_value_get_member (metadata, "archived"), FALSE);
  channel->joined = has_member (d, "member");
  if (type == DGATEWAY_CHANNEL_TYPE_GUILD_CATEGORY)
    channel->children = g_list_store_new (DGATEWAY_TYPE_CACHED_CHANNEL);
  g_hash_table_insert (self->channels_by_id, &channel->id, channel);

  if (batch != NULL)
    {
      g_ptr_array_add (batch, channel);
      return channel;
    }
  channel_place (self, channel);
  g_object_unref (channel);
  return channel;
}

static DGatewayCachedChannel *
channel_upsert (DGatewayCache       *self,
                DGatewayCachedGuild *guild,
                const DGatewayValue *d)
{
  return channel_upsert_full (self, guild, d, NULL);
}

static int
compare_indirect (gconstpointer a,
                  gconstpointer b,
                  gpointer      compare)
{
  return ((GCompareDataFunc) compare) (*(gpointer *) a, *(gpointer *) b, NULL);
}

/* Adds @items to @store, which they all belong in, sorted: at once (one
 * items-changed) into an empty store, as into a new guild's. */
static void
store_add_sorted (GListStore       *store,
                  GPtrArray        *items,
                  GCompareDataFunc  compare)
{
  if (items->len == 0)
    return;
  if (g_list_model_get_n_items (G_LIST_MODEL (store)) > 0)
    {
      for (guint i = 0; i < items->len; i++)
        g_list_store_insert_sorted (store, items->pdata[i], compare, NULL);
      return;
    }
  g_ptr_array_sort_with_data (items, compare_indirect, compare);
  g_list_store_splice (store, 0, 0, items->pdata, items->len);
}

/* Puts the new channels of a GUILD_CREATE into the models, a few
 * items-changed rather than three per channel. Their parents are all in
 * channels_by_id by now. */
static void
channels_place_batch (DGatewayCache       *self,
                      DGatewayCachedGuild *guild,
                      GPtrArray           *batch)
{
  g_autoptr(GHashTable) by_store = g_hash_table_new_full (NULL, NULL, NULL,
                                                          (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  g_autoptr(GPtrArray) channels = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer store, items;
  gboolean had_channels = g_list_model_get_n_items (G_LIST_MODEL (guild->channels)) > 0;

  for (guint i = 0; i < batch->len; i++)
    {
      DGatewayCachedChannel *channel = batch->pdata[i];
      GPtrArray *group;

      if (dgateway_cached_channel_is_thread (channel))
        {
          g_ptr_array_add (threads, channel);
          continue;
        }
      g_ptr_array_add (channels, channel);
      channel->tree_store = tree_store_for (self, channel);
      group = g_hash_table_lookup (by_store, channel->tree_store);
      if (group == NULL)
        g_hash_table_insert (by_store, channel->tree_store, group = g_ptr_array_new ());
      g_ptr_array_add (group, channel);
    }

  store_add_sorted (guild->threads, threads, id_compare);
  store_add_sorted (guild->channels, channels, dgateway_cached_channel_compare);
  g_hash_table_iter_init (&iter, by_store);
  while (g_hash_table_iter_next (&iter, &store, &items))
    store_add_sorted (store, items, store == guild->channel_tree ?
                                      dgateway_cached_tree_compare : dgateway_cached_channel_compare);

  /* Channels cached before a new category of theirs move into it. */
  for (guint i = 0; had_channels && i < channels->len; i++)
    if (((DGatewayCachedChannel *) channels->pdata[i])->children != NULL)
      tree_adopt (self, guild, guild->channel_tree, ((DGatewayCachedChannel *) channels->pdata[i])->id);
}

static void channel_remove (DGatewayCache         *self,
                            DGatewayCachedChannel *channel);

static void
threads_of_remove (DGatewayCache       *self,
                   DGatewayCachedGuild *guild,
                   guint64              parent_id)
{
  GListModel *model = G_LIST_MODEL (guild->threads);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      DGatewayCachedChannel *thread = g_list_model_get_item (model, i);

      if (thread->parent_id == parent_id)
        g_ptr_array_add (gone, thread);
      else
        g_object_unref (thread);
    }
  for (guint i = 0; i < gone->len; i++)
    channel_remove (self, gone->pdata[i]);
}

static void
channel_remove (DGatewayCache         *self,
                DGatewayCachedChannel *channel)
{
  DGatewayCachedGuild *guild = channel->guild;

  if (guild == NULL)
    return;

  g_object_ref (channel);
  g_hash_table_remove (self->channels_by_id, &channel->id);
  if (!store_remove (guild->threads, channel))
    store_remove (guild->channels, channel);
  tree_unplace (channel);
  if (channel->children != NULL)
    {
      /* Discord moves them with CHANNEL_UPDATEs too; until then they are
       * at the top, where a channel without a category is. */
      tree_adopt (self, guild, channel->children, 0);
    }
  if (!dgateway_cached_channel_is_thread (channel))
    threads_of_remove (self, guild, channel->id);
  messages_clear (self, channel);
  channel->guild = NULL;
  CACHED_NOTIFY (channel, channel, CHANNEL_PROP_GUILD);
  g_object_unref (channel);
}

/* Replaces a guild's channels (or threads) with those of @array. */
static void
channels_sync (DGatewayCache       *self,
               DGatewayCachedGuild *guild,
               const DGatewayValue *array,
               GListStore          *store)
{
  guint n = dgateway_value_get_length (array);
  g_autoptr(GHashTable) listed = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *model = G_LIST_MODEL (store);

  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      DGatewayCachedChannel *channel =
        channel_upsert_full (self, guild, dgateway_value_get_element (array, i), added);

      if (channel != NULL)
        g_hash_table_add (listed, &channel->id);
    }
  channels_place_batch (self, guild, added);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      DGatewayCachedChannel *channel = g_list_model_get_item (model, i);

      if (!g_hash_table_contains (listed, &channel->id))
        g_ptr_array_add (gone, channel);
      else
        g_object_unref (channel);
    }
  for (guint i = 0; i < gone->len; i++)
    channel_remove (self, gone->pdata[i]);
}

/* Roles */

static DGatewayCachedRole *
role_upsert (DGatewayCache       *self,
             DGatewayCachedGuild *guild,
             const DGatewayValue *d)
{
  GParamSpec **pspecs = dgateway_cached_role_props;
  guint64 id = member_id (d, "id");
  DGatewayCachedRole *role;
  gboolean hoist = dgateway_value_get_bool (dgateway_value_get_member (d, "hoist"), FALSE);
  gboolean mentionable = dgateway_value_get_bool (dgateway_value_get_member (d, "mentionable"), FALSE);
  int position = dgateway_value_get_member_int (d, "position", 0);

  if (id == 0)
    return NULL;

  role = g_hash_table_lookup (self->roles_by_id, &id);
  if (role == NULL)
    {
      role = g_object_new (DGATEWAY_TYPE_CACHED_ROLE, NULL);
      role->guild = guild;
      role->id = id;
      role->name = g_strdup (dgateway_value_get_member_string (d, "name"));
      role->color = dgateway_value_get_member_int (d, "color", 0);
      role->position = position;
      role->permissions = member_id (d, "permissions");
      role->hoist = hoist;
      role->mentionable = mentionable;
      g_hash_table_insert (self->roles_by_id, &role->id, role);
      g_list_store_insert_sorted (guild->roles, role, dgateway_cached_role_compare, NULL);
      g_object_unref (role);
      return role;
    }

  /* A role object is always whole. */
  g_object_freeze_notify (G_OBJECT (role));
  set_string (role, &role->name, d, "name", pspecs[ROLE_PROP_NAME]);
  if (role->color != (guint32) dgateway_value_get_member_int (d, "color", 0))
    {
      role->color = dgateway_value_get_member_int (d, "color", 0);
      g_object_notify_by_pspec (G_OBJECT (role), pspecs[ROLE_PROP_COLOR]);
    }
  set_id (role, &role->permissions, member_id (d, "permissions"), pspecs[ROLE_PROP_PERMISSIONS]);
  if (role->hoist != hoist)
    {
      role->hoist = hoist;
      g_object_notify_by_pspec (G_OBJECT (role), pspecs[ROLE_PROP_HOIST]);
    }
  if (role->mentionable != mentionable)
    {
      role->mentionable = mentionable;
      g_object_notify_by_pspec (G_OBJECT (role), pspecs[ROLE_PROP_MENTIONABLE]);
    }
  if (role->position != position)
    {
      set_int (role, &role->position, position, pspecs[ROLE_PROP_POSITION]);
      store_resort (guild->roles, role, dgateway_cached_role_compare);
    }
  g_object_thaw_notify (G_OBJECT (role));
  return role;
}

static void
role_remove (DGatewayCache      *self,
             DGatewayCachedRole *role)
{
  DGatewayCachedGuild *guild = role->guild;

  g_hash_table_remove (self->roles_by_id, &role->id);
  role->guild = NULL;
  store_remove (guild->roles, role);
}

static void
roles_sync (DGatewayCache       *self,
            DGatewayCachedGuild *guild,
            const DGatewayValue *array)
{
  guint n = dgateway_value_get_length (array);
  g_autoptr(GHashTable) listed = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *model = G_LIST_MODEL (guild->roles);

  if (dgateway_value_get_value_type (array) != DGATEWAY_VALUE_ARRAY)
    return;
  for (guint i = 0; i < n; i++)
    {
      DGatewayCachedRole *role = role_upsert (self, guild, dgateway_value_get_element (array, i));

      if (role != NULL)
        g_hash_table_add (listed, &role->id);
    }
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      DGatewayCachedRole *role = g_list_model_get_item (model, i);

      if (!g_hash_table_contains (listed, &role->id))
        g_ptr_array_add (gone, role);
      else
        g_object_unref (role);
    }
  for (guint i = 0; i < gone->len; i++)
    role_remove (self, gone->pdata[i]);
}

/* Emojis and stickers */

static void
emojis_sync (DGatewayCachedGuild *guild,
             const DGatewayValue *array,
             gboolean             stickers)
{
  GListModel *model = G_LIST_MODEL (guild->emojis);
  guint n = dgateway_value_get_length (array);
  g_autoptr(GHashTable) known = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GHashTable) listed = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  guint first_sticker = 0;

  if (dgateway_value_get_value_type (array) != DGATEWAY_VALUE_ARRAY)
    return;

  for (guint i = 0; i < n; i++)
    {
      guint64 *id = g_new (guint64, 1);

      *id = member_id (dgateway_value_get_element (array, i), "id");
      g_hash_table_add (listed, id);
    }
  /* Drop those of this kind that are gone; index the others. */
  for (guint i = g_list_model_get_n_items (model); i > 0; i--)
    {
      g_autoptr(DGatewayCachedEmoji) emoji = g_list_model_get_item (model, i - 1);

      if (emoji->sticker != stickers)
        continue;
      if (!g_hash_table_contains (listed, &emoji->id))
        g_list_store_remove (guild->emojis, i - 1);
      else
        g_hash_table_insert (known, &emoji->id, emoji);
    }

  for (guint i = 0; i < n; i++)
    {
      const DGatewayValue *d = dgateway_value_get_element (array, i);
      guint64 id = member_id (d, "id");
      DGatewayCachedEmoji *emoji = g_hash_table_lookup (known, &id);

      if (emoji != NULL)
        {
          set_string (emoji, &emoji->name, d, "name", dgateway_cached_emoji_props[EMOJI_PROP_NAME]);
          continue;
        }
      emoji = g_object_new (DGATEWAY_TYPE_CACHED_EMOJI, NULL);
      emoji->id = id;
      emoji->name = g_strdup (dgateway_value_get_member_string (d, "name"));
      emoji->animated = dgateway_value_get_bool (dgateway_value_get_member (d, "animated"), FALSE);
      emoji->sticker = stickers;
      /* Emojis before stickers. */
      first_sticker = 0;
      while (first_sticker < g_list_model_get_n_items (model))
        {
          g_autoptr(DGatewayCachedEmoji) other = g_list_model_get_item (model, first_sticker);

          if (other->sticker)
            break;
          first_sticker++;
        }
      if (stickers)
        g_list_store_append (guild->emojis, emoji);
      else
        g_list_store_insert (guild->emojis, first_sticker, emoji);
      g_object_unref (emoji);
    }
}

/* Guilds */

static DGatewayCachedGuild *
guild_lookup (DGatewayCache *self,
              guint64        id)
{
  return id != 0 ? g_hash_table_lookup (self->guilds_by_id, &id) : NULL;
}

static DGatewayCachedGuild *
guild_ensure (DGatewayCache *self,
              guint64        id,
              guint          shard_id)
{
  DGatewayCachedGuild *guild = guild_lookup (self, id);

  if (guild != NULL)
    {
      if (guild->shard_id != shard_id)
        {
          guild->shard_id = shard_id;
          CACHED_NOTIFY (guild, guild, GUILD_PROP_SHARD_ID);
        }
      return guild;
    }

  guild = g_object_new (DGATEWAY_TYPE_CACHED_GUILD, NULL);
  guild->id = id;
  guild->shard_id = shard_id;
  guild->unavailable = TRUE;
  if (HAS (self, MEMBERS))
    guild->members_by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  if (HAS (self, VOICE_STATES))
    guild->voice_channels = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_hash_table_insert (self->guilds_by_id, &guild->id, guild);
  g_list_store_append (self->guilds, guild);
  g_object_unref (guild);
  return guild;
}

static void
guild_set_unavailable (DGatewayCachedGuild *guild,
                       gboolean             unavailable)
{
  if (guild->unavailable == !!unavailable)
    return;
  guild->unavailable = !!unavailable;
  CACHED_NOTIFY (guild, guild, GUILD_PROP_UNAVAILABLE);
}

static void
guild_remove (DGatewayCache       *self,
              DGatewayCachedGuild *guild)
{
  GListModel *members = G_LIST_MODEL (guild->members);
  GListModel *roles = G_LIST_MODEL (guild->roles);

  g_object_ref (guild);
  g_hash_table_remove (self->guilds_by_id, &guild->id);
  store_remove (self->guilds, guild);

  /* Empty its models too, for the views that show them. */
  while (g_list_model_get_n_items (G_LIST_MODEL (guild->threads)) > 0)
    {
      g_autoptr(DGatewayCachedChannel) thread = g_list_model_get_item (G_LIST_MODEL (guild->threads), 0);

      channel_remove (self, thread);
    }
  while (g_list_model_get_n_items (G_LIST_MODEL (guild->channels)) > 0)
    {
      g_autoptr(DGatewayCachedChannel) channel = g_list_model_get_item (G_LIST_MODEL (guild->channels), 0);

      channel_remove (self, channel);
    }
  while (g_list_model_get_n_items (roles) > 0)
    {
      g_autoptr(DGatewayCachedRole) role = g_list_model_get_item (roles, 0);

      role_remove (self, role);
    }
  if (guild->members_by_id != NULL)
    g_hash_table_remove_all (guild->members_by_id);
  for (guint i = 0; i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr(DGatewayCachedMember) member = g_list_model_get_item (members, i);

      member_forget (self, member);
    }
  g_list_store_remove_all (guild->members);
  g_list_store_remove_all (guild->emojis);
  if (guild->voice_channels != NULL)
    g_hash_table_remove_all (guild->voice_channels);
  g_object_unref (guild);
}

static void
voice_state_apply (DGatewayCachedGuild *guild,
                   const DGatewayValue *d)
{
  guint64 user_id = member_id (d, "user_id");
  guint64 channel_id = member_id (d, "channel_id");
  guint64 *pair;

  if (guild->voice_channels == NULL || user_id == 0)
    return;
  if (channel_id == 0)
    {
      g_hash_table_remove (guild->voice_channels, &user_id);
      return;
    }
  /* Key and value in one block: the user, then the channel. */
  pair = g_new (guint64, 2);
  pair[0] = user_id;
  pair[1] = channel_id;
  g_hash_table_replace (guild->voice_channels, pair, pair);
}

static void
guild_merge (DGatewayCache       *self,
             DGatewayCachedGuild *guild,
             const DGatewayValue *d)
{
  GParamSpec **pspecs = dgateway_cached_guild_props;

  g_object_freeze_notify (G_OBJECT (guild));
  set_string (guild, &guild->name, d, "name", pspecs[GUILD_PROP_NAME]);
  set_string (guild, &guild->icon, d, "icon", pspecs[GUILD_PROP_ICON]);
  if (has_member (d, "owner_id"))
    set_id (guild, &guild->owner_id, member_id (d, "owner_id"), pspecs[GUILD_PROP_OWNER_ID]);
  if (has_member (d, "member_count"))
    set_int (guild, &guild->member_count, dgateway_value_get_member_int (d, "member_count", 0),
             pspecs[GUILD_PROP_MEMBER_COUNT]);
  g_object_thaw_notify (G_OBJECT (guild));

  if (HAS (self, ROLES))
    roles_sync (self, guild, dgateway_value_get_member (d, "roles"));
  if (HAS (self, EMOJIS))
    {
      emojis_sync (guild, dgateway_value_get_member (d, "emojis"), FALSE);
      emojis_sync (guild, dgateway_value_get_member (d, "stickers"), TRUE);
    }
}

static void
members_add_all (DGatewayCache       *self,
                 DGatewayCachedGuild *guild,
                 const DGatewayValue *array,
                 GHashTable          *listed)
{
  guint n = dgateway_value_get_length (array);
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      const DGatewayValue *d = dgateway_value_get_element (array, i);
      DGatewayCachedMember *member =
        member_upsert_full (self, guild, d, dgateway_value_get_member (d, "user"), added, NULL);

      if (member != NULL && listed != NULL)
        g_hash_table_add (listed, &member->user->id);
    }
  /* One items-changed for the members a GUILD_CREATE or a chunk adds. */
  if (added->len > 0)
    g_list_store_splice (guild->members, g_list_model_get_n_items (G_LIST_MODEL (guild->members)),
                         0, added->pdata, added->len);
}

/* With the GUILD_MEMBERS intent, a guild that is not large comes with all
 * of its members: those not listed left while the cache was not told. */
static void
members_sync (DGatewayCache       *self,
              DGatewayCachedGuild *guild,
              const DGatewayValue *d)
{
  gboolean complete =
    !dgateway_value_get_bool (dgateway_value_get_member (d, "large"), TRUE) &&
    (dgateway_client_get_intents (self->client) & DGATEWAY_INTENTS_GUILD_MEMBERS) != 0;
  g_autoptr(GHashTable) listed = complete ? g_hash_table_new (g_int64_hash, g_int64_equal) : NULL;
  g_autoptr(GPtrArray) gone = g_ptr_array_new ();
  GListModel *model = G_LIST_MODEL (guild->members);

  members_add_all (self, guild, dgateway_value_get_member (d, "members"), listed);
  if (listed == NULL)
    return;
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(DGatewayCachedMember) member = g_list_model_get_item (model, i);

      if (!g_hash_table_contains (listed, &member->user->id))
        g_ptr_array_add (gone, GSIZE_TO_POINTER (member->user->id));
    }
  for (guint i = 0; i < gone->len; i++)
    member_remove (self, guild, (guint64) GPOINTER_TO_SIZE (gone->pdata[i]));
}

static void
on_guild_create (DGatewayCache       *self,
                 const DGatewayValue *d,
                 guint                shard_id)
{
  guint64 id = member_id (d, "id");
  DGatewayCachedGuild *guild;
  const DGatewayValue *array;

  if (id == 0)
    return;
  guild = guild_ensure (self, id, shard_id);
  if (dgateway_value_get_bool (dgateway_value_get_member (d, "unavailable"), FALSE))
    {
      guild_set_unavailable (guild, TRUE);
      return;
    }

  g_object_ref (guild);
  guild_merge (self, guild, d);
  if (HAS (self, CHANNELS))
    {
      channels_sync (self, guild, dgateway_value_get_member (d, "channels"), guild->channels);
      channels_sync (self, guild, dgateway_value_get_member (d, "threads"), guild->threads);
    }
  if (HAS (self, MEMBERS))
    members_sync (self, guild, d);
  if (HAS (self, PRESENCES))
    {
      array = dgateway_value_get_member (d, "presences");
      for (guint i = 0; i < dgateway_value_get_length (array); i++)
        presence_apply (self, guild, dgateway_value_get_element (array, i));
    }
  if (HAS (self, VOICE_STATES))
    {
      g_hash_table_remove_all (guild->voice_channels);
      array = dgateway_value_get_member (d, "voice_states");
      for (guint i = 0; i < dgateway_value_get_length (array); i++)
        voice_state_apply (guild, dgateway_value_get_element (array, i));
    }
  guild_set_unavailable (guild, FALSE);
  g_object_unref (guild);
}

static void
on_guild_update (DGatewayCache       *self,
                 const DGatewayValue *d,
                 guint                shard_id)
{
  DGatewayCachedGuild *guild = guild_lookup (self, member_id (d, "id"));

  if (guild != NULL)
    guild_merge (self, guild, d);
}

static void
on_guild_delete (DGatewayCache       *self,
                 const DGatewayValue *d,
                 guint                shard_id)
{
  DGatewayCachedGuild *guild = guild_lookup (self, member_id (d, "id"));

  if (guild == NULL)
    return;
  /* An outage keeps the guild; leaving it, or being removed, does not. */
  if (dgateway_value_get_bool (dgateway_value_get_member (d, "unavailable"), FALSE))
    guild_set_unavailable (guild, TRUE);
  else
    guild_remove (self, guild);
}

/* The ids of the client's shards, to tell which guilds are still ours. */
static gboolean
client_has_shard (DGatewayCache *self,
                  guint          shard_id)
{
  GListModel *shards = dgateway_client_get_shards (self->client);
  guint n = g_list_model_get_n_items (shards);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DGatewayShard) shard = g_list_model_get_item (shards, i);

      if (dgateway_shard_get_shard_id (shard) == shard_id)
        return TRUE;
    }
  return n == 0;
}

static void
on_ready (DGatewayCache       *self,
          const DGatewayValue *d,
          guint                shard_id)
{
  const DGatewayValue *guilds = dgateway_value_get_member (d, "guilds");
  const DGatewayValue *shard = dgateway_value_get_member (d, "shard");
  guint64 shard_count = 1;
  g_autoptr(GHashTable) listed = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GPtrArray) stale = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *model;

  if (self->users_by_id != NULL && self->current_user == NULL)
    {
      self->current_user = user_upsert (self, dgateway_value_get_member (d, "user"));
      if (self->current_user != NULL)
        user_hold (self->current_user);
    }
  else if (self->current_user != NULL)
    user_merge (self->current_user, dgateway_value_get_member (d, "user"));

  if (!HAS (self, GUILDS))
    return;

  if (dgateway_value_get_length (shard) == 2)
    {
      shard_id = dgateway_value_get_int (dgateway_value_get_element (shard, 0), shard_id);
      shard_count = MAX (dgateway_value_get_int (dgateway_value_get_element (shard, 1), 1), 1);
    }

  for (guint i = 0; i < dgateway_value_get_length (guilds); i++)
    {
      guint64 id = member_id (dgateway_value_get_element (guilds, i), "id");
      DGatewayCachedGuild *guild;

      if (id == 0)
        continue;
      guild = guild_ensure (self, id, shard_id);
      g_hash_table_add (listed, &guild->id);
    }

  /* A new session: what routes to this shard and is not listed is gone,
   * and so is what routes to no shard of the client after re-sharding. A
   * guild that routes to another shard now waits for that shard's READY,
   * so that it stays the same object if it is listed there. */
  model = G_LIST_MODEL (self->guilds);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      DGatewayCachedGuild *guild = g_list_model_get_item (model, i);
      guint route = (guild->id >> 22) % shard_count;

      if (!g_hash_table_contains (listed, &guild->id) &&
          (route == shard_id || !client_has_shard (self, route)))
        g_ptr_array_add (stale, guild);
      else
        g_object_unref (guild);
    }
  for (guint i = 0; i < stale->len; i++)
    guild_remove (self, stale->pdata[i]);
}

static void
on_user_update (DGatewayCache       *self,
                const DGatewayValue *d,
                guint                shard_id)
{
  if (self->current_user != NULL && member_id (d, "id") == self->current_user->id)
    user_merge (self->current_user, d);
}

/* Channel events */

static void
on_channel_upsert (DGatewayCache       *self,
                   const DGatewayValue *d,
                   guint                shard_id)
{
  DGatewayCachedGuild *guild = guild_lookup (self, member_id (d, "guild_id"));

  /* Direct messages are not guild state. */
  if (guild != NULL)
    channel_upsert (self, guild, d);
}

static void
on_channel_delete (DGatewayCache       *self,
                   const DGatewayValue *d,
                   guint                shard_id)
{
  guint64 id = member_id (d, "id");
  DGatewayCachedChannel *channel = g_hash_table_lookup (self->channels_by_id, &id);

  if (channel != NULL)
    channel_remove (self, channel);
}

static void
on_thread_list_sync (DGatewayCache       *self,
                     const DGatewayValue *d,
                     guint                shard_id)
{
  DGatewayCachedGuild *guild = guild_lookup (self, member_id (d, "guild_id"));
  const DGatewayValue *parents = dgateway_value_get_member (d, "channel_ids");
  const DGatewayValue *threads = dgateway_value_get_member (d, "threads");
  const DGatewayValue *members = dgateway_value_get_member (d, "members");
  g_autoptr(GHashTable) listed = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GHashTable) synced = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *model;

  if (guild == NULL)
    return;

  for (guint i = 0; i < dgateway_value_get_length (threads); i++)
    {
      DGatewayCachedChannel *thread = channel_upsert (self, guild, dgateway_value_get_element (threads, i));

      if (thread != NULL)
        g_hash_table_add (listed, &thread->id);
    }
  for (guint i = 0; i < dgateway_value_get_length (parents); i++)
    {
      guint64 *id = g_new (guint64, 1);

      *id = value_id (dgateway_value_get_element (parents, i));
      g_hash_table_add (synced, id);
    }

  /* Without channel_ids, the sync covers every channel of the guild. */
  model = G_LIST_MODEL (guild->threads);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      DGatewayCachedChannel *thread = g_list_model_get_item (model, i);

      if (!g_hash_table_contains (listed, &thread->id) &&
          (parents == NULL || g_hash_table_contains (synced, &thread->parent_id)))
        g_ptr_array_add (gone, thread);
      else
        g_object_unref (thread);
    }
  for (guint i = 0; i < gone->len; i++)
    channel_remove (self, gone->pdata[i]);

  /* The thread members given are the current user's. */
  for (guint i = 0; i < dgateway_value_get_length (members); i++)
    {
      guint64 id = member_id (dgateway_value_get_element (members, i), "id");
      DGatewayCachedChannel *thread = g_hash_table_lookup (self->channels_by_id, &id);

      if (thread != NULL && !thread->joined)
        {
          thread->joined = TRUE;
          CACHED_NOTIFY (thread, channel, CHANNEL_PROP_JOINED);
        }
    }
}

static void
thread_set_joined (DGatewayCachedChannel *thread,
                   gboolean               joined)
{
  if (thread == NULL || thread->joined == !!joined)
    return;
  thread->joined = !!joined;
  CACHED_NOTIFY (thread, channel, CHANNEL_PROP_JOINED);
}

static void
on_thread_member_update (DGatewayCache       *self,
                         const DGatewayValue *d,
                         guint                shard_id)
{
  guint64 id = member_id (d, "id");

  /* Sent for the current user only. */
  thread_set_joined (g_hash_table_lookup (self->channels_by_id, &id), TRUE);
}

static void
on_thread_members_update (DGatewayCache       *self,
                          const DGatewayValue *d,
                          guint                shard_id)
{
  guint64 id = member_id (d, "id");
  DGatewayCachedChannel *thread = g_hash_table_lookup (self->channels_by_id, &id);
  const DGatewayValue *added = dgateway_value_get_member (d, "added_members");
  const DGatewayValue *removed = dgateway_value_get_member (d, "removed_member_ids");
  guint64 me = self->current_user ? self->current_user->id : 0;

  if (thread == NULL)
    return;
  if (has_member (d, "member_count"))
    set_int (thread, &thread->member_count, dgateway_value_get_member_int (d, "member_count", 0),
             dgateway_cached_channel_props[CHANNEL_PROP_MEMBER_COUNT]);
  for (guint i = 0; me != 0 && i < dgateway_value_get_length (added); i++)
    if (member_id (dgateway_value_get_element (added, i), "user_id") == me)
      thread_set_joined (thread, TRUE);
  for (guint i = 0; me != 0 && i < dgateway_value_get_length (removed); i++)
    if (value_id (dgateway_value_get_element (removed, i)) == me)
      thread_set_joined (thread, FALSE);
}

/* Role events */

static void
on_role_upsert (DGatewayCache       *self,
                const DGatewayValue *d,
                guint                shard_id)
{
  DGatewayCachedGuild *guild = guild_lookup (self, member_id (d, "guild_id"));

  if (guild != NULL)
    role_upsert (self, guild, dgateway_value_get_member (d, "role"));
}

static void
on_role_delete (DGatewayCache       *self,
                const DGatewayValue *d,
                guint                shard_id)
{
  guint64 id = member_id (d, "role_id");
  DGatewayCachedRole *role = g_hash_table_lookup (self->roles_by_id, &id);

  if (role != NULL)
    role_remove (self, role);
}

/* Member events */

static void
guild_add_members (DGatewayCachedGuild *guild,
                   int                  delta)
{
  guild->member_count = MAX (guild->member_count + delta, 0);
  CACHED_NOTIFY (guild, guild, GUILD_PROP_MEMBER_COUNT);
}

static void
on_member_add (DGatewayCache       *self,
               const DGatewayValue *d,
               guint                shard_id)
{
  DGatewayCachedGuild *guild = guild_lookup (self, member_id (d, "guild_id"));
  gboolean created = FALSE;

  if (guild == NULL)
    return;
  member_upsert (self, guild, d, dgateway_value_get_member (d, "user"), &created);
  /* Counted once, even if the event comes again. Without a member cache
   * there is nothing to tell a repeat by: count it. */
  if (created || guild->members_by_id == NULL)
    guild_add_members (guild, 1);
}

static void
on_member_update (DGatewayCache       *self,
                  const DGatewayValue *d,
                  guint                shard_id)
{
  DGatewayCachedGuild *guild = guild_lookup (self, member_id (d, "guild_id"));

  if (guild != NULL)
    member_upsert (self, guild, d, dgateway_value_get_member (d, "user"), NULL);
}

static void
on_member_remove (DGatewayCache       *self,
                  const DGatewayValue *d,
                  guint                shard_id)
{
  DGatewayCachedGuild *guild = guild_lookup (self, member_id (d, "guild_id"));
  guint64 user_id = member_id (dgateway_value_get_member (d, "user"), "id");

  if (guild == NULL)
    return;
  if (member_remove (self, guild, user_id) || guild->members_by_id == NULL)
    guild_add_members (guild, -1);
}

static void
on_members_chunk (DGatewayCache       *self,
                  const DGatewayValue *d,
                  guint                shard_id)
{
  DGatewayCachedGuild *guild = guild_lookup (self, member_id (d, "guild_id"));
  const DGatewayValue *presences = dgateway_value_get_member (d, "presences");

  if (guild == NULL)
    return;
  members_add_all (self, guild, dgateway_value_get_member (d, "members"), NULL);
  if (HAS (self, PRESENCES))
    for (guint i = 0; i < dgateway_value_get_length (presences); i++)
      presence_apply (self, guild, dgateway_value_get_element (presences, i));
}

static void
on_presence_update (DGatewayCache       *self,
                    const DGatewayValue *d,
                    guint                shard_id)
{
  DGatewayCachedGuild *guild = guild_lookup (self, member_id (d, "guild_id"));

  if (guild != NULL)
    presence_apply (self, guild, d);
}

static void
on_voice_state_update (DGatewayCache       *self,
                       const DGatewayValue *d,
                       guint                shard_id)
{
  DGatewayCachedGuild *guild = guild_lookup (self, member_id (d, "guild_id"));

  if (guild != NULL)
    voice_state_apply (guild, d);
}

static void
on_emojis_update (DGatewayCache       *self,
                  const DGatewayValue *d,
                  guint                shard_id)
{
  DGatewayCachedGuild *guild = guild_lookup (self, member_id (d, "guild_id"));

  if (guild != NULL)
    emojis_sync (guild, dgateway_value_get_member (d, "emojis"), FALSE);
}

static void
on_stickers_update (DGatewayCache       *self,
                    const DGatewayValue *d,
                    guint                shard_id)
{
  DGatewayCachedGuild *guild = guild_lookup (self, member_id (d, "guild_id"));

  if (guild != NULL)
    emojis_sync (guild, dgateway_value_get_member (d, "stickers"), TRUE);
}

/* Message events */

static void
on_message_create (DGatewayCache       *self,
                   const DGatewayValue *d,
                   guint                shard_id)
{
  const DGatewayValue *author = dgateway_value_get_member (d, "author");
  const DGatewayValue *member = dgateway_value_get_member (d, "member");
  DGatewayCachedGuild *guild = guild_lookup (self, member_id (d, "guild_id"));
  guint64 channel_id = member_id (d, "channel_id");
  guint64 id = member_id (d, "id");
  DGatewayCachedChannel *channel;
  DGatewayCachedMessage *message;

  /* The member of a message has no user: it is the author. A webhook's
   * author is no member. */
  if (guild != NULL && member != NULL && guild->members_by_id != NULL)
    member_upsert (self, guild, member, author, NULL);
  else if (self->users_by_id != NULL && !has_member (d, "webhook_id"))
    {
      guint64 author_id = member_id (author, "id");

      if (g_hash_table_contains (self->users_by_id, &author_id))
        user_merge (g_hash_table_lookup (self->users_by_id, &author_id), author);
    }

  if (!HAS (self, MESSAGES) || self->max_messages == 0)
    return;
  channel = g_hash_table_lookup (self->channels_by_id, &channel_id);
  /* Once only, even if the event comes twice. */
  if (channel == NULL || id == 0 || message_find (channel, id, NULL) != NULL)
    return;

  if (channel->messages == NULL)
    {
      channel->messages = g_list_store_new (DGATEWAY_TYPE_CACHED_MESSAGE);
      channel->message_array = g_ptr_array_new ();
    }
  message = g_object_new (DGATEWAY_TYPE_CACHED_MESSAGE, NULL);
  message->channel = channel;
  message->id = id;
  message->content = g_strdup (dgateway_value_get_member_string (d, "content"));
  message->author = user_upsert (self, author);
  if (message->author != NULL)
    {
      g_object_ref (message->author);
      user_hold (message->author);
    }
  g_ptr_array_add (channel->message_array, message);
  g_list_store_append (channel->messages, message);
  g_object_unref (message);
  messages_trim (self, channel, self->max_messages);
}

static void
on_message_update (DGatewayCache       *self,
                   const DGatewayValue *d,
                   guint                shard_id)
{
  guint64 channel_id = member_id (d, "channel_id");
  DGatewayCachedChannel *channel = g_hash_table_lookup (self->channels_by_id, &channel_id);
  DGatewayCachedMessage *message = message_find (channel, member_id (d, "id"), NULL);

  if (message == NULL || !has_member (d, "content"))
    return;
  g_object_freeze_notify (G_OBJECT (message));
  if (set_string (message, &message->content, d, "content",
                  dgateway_cached_message_props[MESSAGE_PROP_CONTENT]) && !message->edited)
    {
      message->edited = TRUE;
      CACHED_NOTIFY (message, message, MESSAGE_PROP_EDITED);
    }
  g_object_thaw_notify (G_OBJECT (message));
}

static void
on_message_delete (DGatewayCache       *self,
                   const DGatewayValue *d,
                   guint                shard_id)
{
  guint64 channel_id = member_id (d, "channel_id");
  const DGatewayValue *ids = dgateway_value_get_member (d, "ids");
  DGatewayCachedChannel *channel = g_hash_table_lookup (self->channels_by_id, &channel_id);

  if (channel == NULL)
    return;
  if (ids == NULL)
    message_remove (self, channel, member_id (d, "id"));
  for (guint i = 0; i < dgateway_value_get_length (ids); i++)
    message_remove (self, channel, value_id (dgateway_value_get_element (ids, i)));
}

/* The events each family needs. */
static const struct {
  const char *name;
  DGatewayCacheFlags needs;
  EventFunc func;
} events[] = {
  { "READY", DGATEWAY_CACHE_GUILDS | DGATEWAY_CACHE_USERS, on_ready },
  { "USER_UPDATE", DGATEWAY_CACHE_USERS, on_user_update },
  { "GUILD_CREATE", DGATEWAY_CACHE_GUILDS, on_guild_create },
  { "GUILD_UPDATE", DGATEWAY_CACHE_GUILDS, on_guild_update },
  { "GUILD_DELETE", DGATEWAY_CACHE_GUILDS, on_guild_delete },
  { "CHANNEL_CREATE", DGATEWAY_CACHE_CHANNELS, on_channel_upsert },
  { "CHANNEL_UPDATE", DGATEWAY_CACHE_CHANNELS, on_channel_upsert },
  { "CHANNEL_DELETE", DGATEWAY_CACHE_CHANNELS, on_channel_delete },
  { "THREAD_CREATE", DGATEWAY_CACHE_CHANNELS, on_channel_upsert },
  { "THREAD_UPDATE", DGATEWAY_CACHE_CHANNELS, on_channel_upsert },
  { "THREAD_DELETE", DGATEWAY_CACHE_CHANNELS, on_channel_delete },
  { "THREAD_LIST_SYNC", DGATEWAY_CACHE_CHANNELS, on_thread_list_sync },
  { "THREAD_MEMBER_UPDATE", DGATEWAY_CACHE_CHANNELS, on_thread_member_update },
  { "THREAD_MEMBERS_UPDATE", DGATEWAY_CACHE_CHANNELS, on_thread_members_update },
  { "GUILD_ROLE_CREATE", DGATEWAY_CACHE_ROLES, on_role_upsert },
  { "GUILD_ROLE_UPDATE", DGATEWAY_CACHE_ROLES, on_role_upsert },
  { "GUILD_ROLE_DELETE", DGATEWAY_CACHE_ROLES, on_role_delete },
  { "GUILD_MEMBER_ADD", DGATEWAY_CACHE_GUILDS, on_member_add },
  { "GUILD_MEMBER_UPDATE", DGATEWAY_CACHE_MEMBERS, on_member_update },
  { "GUILD_MEMBER_REMOVE", DGATEWAY_CACHE_GUILDS, on_member_remove },
  { "GUILD_MEMBERS_CHUNK", DGATEWAY_CACHE_MEMBERS, on_members_chunk },
  { "PRESENCE_UPDATE", DGATEWAY_CACHE_PRESENCES, on_presence_update },
  { "VOICE_STATE_UPDATE", DGATEWAY_CACHE_VOICE_STATES, on_voice_state_update },
  { "GUILD_EMOJIS_UPDATE", DGATEWAY_CACHE_EMOJIS, on_emojis_update },
  { "GUILD_STICKERS_UPDATE", DGATEWAY_CACHE_EMOJIS, on_stickers_update },
  { "MESSAGE_CREATE", DGATEWAY_CACHE_MESSAGES | DGATEWAY_CACHE_MEMBERS, on_message_create },
  { "MESSAGE_UPDATE", DGATEWAY_CACHE_MESSAGES, on_message_update },
  { "MESSAGE_DELETE", DGATEWAY_CACHE_MESSAGES, on_message_delete },
  { "MESSAGE_DELETE_BULK", DGATEWAY_CACHE_MESSAGES, on_message_delete },
};

static gboolean
dispatch_cb (DGatewayClient *client,
             DGatewayEvent  *event,
             gpointer        data)
{
  Binding *binding = data;
  DGatewayCache *self = g_object_ref (binding->cache);
  DGatewayPayload *payload = dgateway_event_get_payload (event);

  /* Handlers of the models' signals may drop the last reference. */
  binding->func (self, dgateway_payload_get_data (payload), dgateway_event_get_shard_id (event));
  g_object_unref (self);
  return FALSE;
}

/* GObject */

static DGatewayCacheFlags
implied_flags (DGatewayCacheFlags flags)
{
  if (flags & DGATEWAY_CACHE_PRESENCES)
    flags |= DGATEWAY_CACHE_MEMBERS;
  if (flags & DGATEWAY_CACHE_MESSAGES)
    flags |= DGATEWAY_CACHE_CHANNELS | DGATEWAY_CACHE_USERS;
  if (flags & DGATEWAY_CACHE_MEMBERS)
    flags |= DGATEWAY_CACHE_USERS;
  if (flags & ~(DGATEWAY_CACHE_USERS | DGATEWAY_CACHE_GUILDS))
    flags |= DGATEWAY_CACHE_GUILDS;
  return flags & DGATEWAY_CACHE_ALL;
}

static void
dgateway_cache_constructed (GObject *object)
{
  DGatewayCache *self = DGATEWAY_CACHE (object);

  G_OBJECT_CLASS (dgateway_cache_parent_class)->constructed (object);

  g_assert (self->client != NULL);
  self->flags = implied_flags (self->flags);
  self->guilds = g_list_store_new (DGATEWAY_TYPE_CACHED_GUILD);
  self->guilds_by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  self->channels_by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  self->roles_by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  if (HAS (self, USERS))
    self->users_by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_object_unref);

  /* Detailed handlers only: events nobody needs still cost nothing. */
  self->bindings = g_new0 (Binding, G_N_ELEMENTS (events));
  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    {
      Binding *binding = &self->bindings[self->n_bindings];
      g_autofree char *signal = NULL;

      if ((self->flags & events[i].needs) == 0)
        continue;
      signal = g_strconcat ("dispatch::", events[i].name, NULL);
      binding->cache = self;
      binding->func = events[i].func;
      binding->handler_id = g_signal_connect (self->client, signal, G_CALLBACK (dispatch_cb), binding);
      self->n_bindings++;
    }
}

static void
dgateway_cache_dispose (GObject *object)
{
  DGatewayCache *self = DGATEWAY_CACHE (object);

  for (guint i = 0; self->client != NULL && i < self->n_bindings; i++)
    g_clear_signal_handler (&self->bindings[i].handler_id, self->client);
  self->n_bindings = 0;

  if (self->guilds != NULL)
    {
      while (g_list_model_get_n_items (G_LIST_MODEL (self->guilds)) > 0)
        {
          g_autoptr(DGatewayCachedGuild) guild = g_list_model_get_item (G_LIST_MODEL (self->guilds), 0);

          guild_remove (self, guild);
        }
    }
  if (self->current_user != NULL)
    user_release (self, g_steal_pointer (&self->current_user));

  g_clear_object (&self->guilds);
  g_clear_pointer (&self->guilds_by_id, g_hash_table_unref);
  g_clear_pointer (&self->channels_by_id, g_hash_table_unref);
  g_clear_pointer (&self->roles_by_id, g_hash_table_unref);
  g_clear_pointer (&self->users_by_id, g_hash_table_unref);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (dgateway_cache_parent_class)->dispose (object);
}

static void
dgateway_cache_finalize (GObject *object)
{
  DGatewayCache *self = DGATEWAY_CACHE (object);

  g_free (self->bindings);

  G_OBJECT_CLASS (dgateway_cache_parent_class)->finalize (object);
}

static void
dgateway_cache_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  DGatewayCache *self = DGATEWAY_CACHE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_FLAGS:
      g_value_set_flags (value, self->flags);
      break;
    case PROP_MAX_MESSAGES:
      g_value_set_uint (value, self->max_messages);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dgateway_cache_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  DGatewayCache *self = DGATEWAY_CACHE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    case PROP_FLAGS:
      self->flags = g_value_get_flags (value);
      break;
    case PROP_MAX_MESSAGES:
      dgateway_cache_set_max_messages (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dgateway_cache_class_init (DGatewayCacheClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = dgateway_cache_constructed;
  object_class->dispose = dgateway_cache_dispose;
  object_class->finalize = dgateway_cache_finalize;
  object_class->get_property = dgateway_cache_get_property;
  object_class->set_property = dgateway_cache_set_property;

  /**
   * DGatewayCache:client: (getter get_client)
   *
   * The client whose events the cache follows.
   */
  props[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, DGATEWAY_TYPE_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * DGatewayCache:flags: (getter get_flags)
   *
   * What the cache keeps, with the families they imply.
   */
  props[PROP_FLAGS] =
    g_param_spec_flags ("flags", NULL, NULL, DGATEWAY_TYPE_CACHE_FLAGS, DGATEWAY_CACHE_ALL,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * DGatewayCache:max-messages: (getter get_max_messages) (setter set_max_messages)
   *
   * How many of the last messages of each channel the cache keeps, with
   * [flags@DGateway.CacheFlags.messages]; 0 keeps none.
   */
  props[PROP_MAX_MESSAGES] =
    g_param_spec_uint ("max-messages", NULL, NULL, 0, 10000, 10,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS |
                       G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
dgateway_cache_init (DGatewayCache *self)
{
  self->max_messages = 10;
}

/**
 * dgateway_cache_new:
 * @client: the client to follow
 * @flags: what to keep
 *
 * Makes a cache of the state of @client, kept from the events of all its
 * shards on the client's main context. The cache holds a reference on
 * @client; the client holds none on the cache.
 *
 * Make it before connecting to the client, or it misses the guilds that
 * `READY` and the `GUILD_CREATE`s after it announce; and before any
 * [signal@Client::dispatch] handler that stops events.
 *
 * Returns: (transfer full): a new cache
 */
DGatewayCache *
dgateway_cache_new (DGatewayClient     *client,
                    DGatewayCacheFlags  flags)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (client), NULL);

  return g_object_new (DGATEWAY_TYPE_CACHE, "client", client, "flags", flags, NULL);
}

/**
 * dgateway_cache_get_client:
 * @self: a cache
 *
 * Gets the client whose events the cache follows.
 *
 * Returns: (transfer none): the client
 */
DGatewayClient *
dgateway_cache_get_client (DGatewayCache *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHE (self), NULL);

  return self->client;
}

/**
 * dgateway_cache_get_flags:
 * @self: a cache
 *
 * Gets what the cache keeps: the flags it was made with, and those they
 * imply.
 *
 * Returns: the flags
 */
DGatewayCacheFlags
dgateway_cache_get_flags (DGatewayCache *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHE (self), 0);

  return self->flags;
}

/**
 * dgateway_cache_get_max_messages:
 * @self: a cache
 *
 * Gets how many messages of each channel the cache keeps.
 *
 * Returns: the number of messages
 */
guint
dgateway_cache_get_max_messages (DGatewayCache *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHE (self), 0);

  return self->max_messages;
}

/**
 * dgateway_cache_set_max_messages:
 * @self: a cache
 * @max_messages: the number of messages, 0 for none
 *
 * Sets how many of the last messages of each channel the cache keeps.
 * Lowering it drops the older messages at once.
 */
void
dgateway_cache_set_max_messages (DGatewayCache *self,
                                 guint          max_messages)
{
  GHashTableIter iter;
  gpointer channel;

  g_return_if_fail (DGATEWAY_IS_CACHE (self));

  if (self->max_messages == max_messages)
    return;
  self->max_messages = max_messages;
  if (self->channels_by_id != NULL)
    {
      g_hash_table_iter_init (&iter, self->channels_by_id);
      while (g_hash_table_iter_next (&iter, NULL, &channel))
        if (((DGatewayCachedChannel *) channel)->message_array != NULL)
          messages_trim (self, channel, max_messages);
    }
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MAX_MESSAGES]);
}

/**
 * dgateway_cache_get_guilds:
 * @self: a cache
 *
 * Gets the guilds of the client, in the order the cache learnt of them.
 *
 * Returns: (transfer none): a list model of [class@CachedGuild]
 */
GListModel *
dgateway_cache_get_guilds (DGatewayCache *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHE (self), NULL);

  return G_LIST_MODEL (self->guilds);
}

/**
 * dgateway_cache_get_current_user:
 * @self: a cache
 *
 * Gets the user the client is connected as, from `READY`, with
 * [flags@DGateway.CacheFlags.users].
 *
 * Returns: (transfer none) (nullable): the current user, or `NULL` before
 *   `READY`
 */
DGatewayCachedUser *
dgateway_cache_get_current_user (DGatewayCache *self)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHE (self), NULL);

  return self->current_user;
}

/**
 * dgateway_cache_lookup_guild:
 * @self: a cache
 * @guild_id: the snowflake of a guild
 *
 * Looks up a guild by id.
 *
 * Returns: (transfer none) (nullable): the guild, or `NULL` if not cached
 */
DGatewayCachedGuild *
dgateway_cache_lookup_guild (DGatewayCache *self,
                             const char    *guild_id)
{
  g_return_val_if_fail (DGATEWAY_IS_CACHE (self), NULL);
  g_return_val_if_fail (guild_id != NULL, NULL);

  return guild_lookup (self, parse_id (guild_id));
}

/**
 * dgateway_cache_lookup_channel:
 * @self: a cache
 * @channel_id: the snowflake of a channel or thread
 *
 * Looks up a guild channel or thread by id.
 *
 * Returns: (transfer none) (nullable): the channel, or `NULL` if not cached
 */
DGatewayCachedChannel *
dgateway_cache_lookup_channel (DGatewayCache *self,
                               const char    *channel_id)
{
  guint64 id;

  g_return_val_if_fail (DGATEWAY_IS_CACHE (self), NULL);
  g_return_val_if_fail (channel_id != NULL, NULL);

  id = parse_id (channel_id);
  return g_hash_table_lookup (self->channels_by_id, &id);
}

/**
 * dgateway_cache_lookup_role:
 * @self: a cache
 * @role_id: the snowflake of a role
 *
 * Looks up a role by id, whatever its guild.
 *
 * Returns: (transfer none) (nullable): the role, or `NULL` if not cached
 */
DGatewayCachedRole *
dgateway_cache_lookup_role (DGatewayCache *self,
                            const char    *role_id)
{
  guint64 id;

  g_return_val_if_fail (DGATEWAY_IS_CACHE (self), NULL);
  g_return_val_if_fail (role_id != NULL, NULL);

  id = parse_id (role_id);
  return g_hash_table_lookup (self->roles_by_id, &id);
}

/**
 * dgateway_cache_lookup_user:
 * @self: a cache
 * @user_id: the snowflake of a user
 *
 * Looks up a user by id: one a cached member or message refers to, or the
 * current user.
 *
 * Returns: (transfer none) (nullable): the user, or `NULL` if not cached
 */
DGatewayCachedUser *
dgateway_cache_lookup_user (DGatewayCache *self,
                            const char    *user_id)
{
  guint64 id;

  g_return_val_if_fail (DGATEWAY_IS_CACHE (self), NULL);
  g_return_val_if_fail (user_id != NULL, NULL);

  id = parse_id (user_id);
  return self->users_by_id ? g_hash_table_lookup (self->users_by_id, &id) : NULL;
}

/**
 * dgateway_cache_lookup_member:
 * @self: a cache
 * @guild_id: the snowflake of a guild
 * @user_id: the snowflake of a user
 *
 * Looks up the member of a guild that a user is.
 *
 * Returns: (transfer none) (nullable): the member, or `NULL` if not cached
 */
DGatewayCachedMember *
dgateway_cache_lookup_member (DGatewayCache *self,
                              const char    *guild_id,
                              const char    *user_id)
{
  DGatewayCachedGuild *guild;

  g_return_val_if_fail (DGATEWAY_IS_CACHE (self), NULL);
  g_return_val_if_fail (guild_id != NULL, NULL);
  g_return_val_if_fail (user_id != NULL, NULL);

  guild = guild_lookup (self, parse_id (guild_id));
  return guild ? dgateway_cached_guild_lookup_member (guild, user_id) : NULL;
}

/**
 * dgateway_cache_lookup_message_channel:
 * @self: a cache
 * @message: a message, such as [signal@Client::message-create] gives
 *
 * Looks up the channel a message was sent in.
 *
 * Returns: (transfer none) (nullable): the channel, or `NULL` if not cached
 *   (direct messages are not)
 */
DGatewayCachedChannel *
dgateway_cache_lookup_message_channel (DGatewayCache   *self,
                                       DGatewayMessage *message)
{
  const char *id;

  g_return_val_if_fail (DGATEWAY_IS_CACHE (self), NULL);
  g_return_val_if_fail (DGATEWAY_IS_MESSAGE (message), NULL);

  id = dgateway_message_get_channel_id (message);
  return id ? dgateway_cache_lookup_channel (self, id) : NULL;
}

/**
 * dgateway_cache_lookup_message_guild:
 * @self: a cache
 * @message: a message, such as [signal@Client::message-create] gives
 *
 * Looks up the guild a message was sent in.
 *
 * Returns: (transfer none) (nullable): the guild, or `NULL` if not cached
 *   or not in a guild
 */
DGatewayCachedGuild *
dgateway_cache_lookup_message_guild (DGatewayCache   *self,
                                     DGatewayMessage *message)
{
  const char *id;

  g_return_val_if_fail (DGATEWAY_IS_CACHE (self), NULL);
  g_return_val_if_fail (DGATEWAY_IS_MESSAGE (message), NULL);

  id = dgateway_message_get_guild_id (message);
  return id ? dgateway_cache_lookup_guild (self, id) : NULL;
}

/* The name of one mention, or NULL to leave it as written. */
static const char *
mention_name (DGatewayCache       *self,
              DGatewayCachedGuild *guild,
              char                 kind,
              guint64              id)
{
  DGatewayCachedMember *member;
  DGatewayCachedRole *role;
  DGatewayCachedChannel *channel;
  DGatewayCachedUser *user;

  switch (kind)
    {
    case '@':
      member = guild && guild->members_by_id ? g_hash_table_lookup (guild->members_by_id, &id) : NULL;
      if (member != NULL)
        return dgateway_cached_member_get_display_name (member);
      user = self->users_by_id ? g_hash_table_lookup (self->users_by_id, &id) : NULL;
      return user ? dgateway_cached_user_get_display_name (user) : NULL;
    case '&':
      role = g_hash_table_lookup (self->roles_by_id, &id);
      return role ? role->name : NULL;
    case '#':
      channel = g_hash_table_lookup (self->channels_by_id, &id);
      return channel ? channel->name : NULL;
    default:
      return NULL;
    }
}

/* Reads one mention at @p ("<@id>", "<@!id>", "<@&id>" or "<#id>"),
 * appends its rendering and returns where it ends, or NULL if @p starts no
 * mention. */
static const char *
render_mention (DGatewayCache       *self,
                DGatewayCachedGuild *guild,
                const char          *p,
                GString             *out)
{
  char kind;
  const char *digits;
  char *end;
  guint64 id;
  const char *name;

  if (p[1] == '#')
    kind = '#', digits = p + 2;
  else if (p[1] == '@' && p[2] == '&')
    kind = '&', digits = p + 3;
  else if (p[1] == '@')
    kind = '@', digits = p[2] == '!' ? p + 3 : p + 2;
  else
    return NULL;

  if (!g_ascii_isdigit (*digits))
    return NULL;
  id = g_ascii_strtoull (digits, &end, 10);
  if (*end != '>' || (name = mention_name (self, guild, kind, id)) == NULL)
    return NULL;

  g_string_append_c (out, kind == '#' ? '#' : '@');
  g_string_append (out, name);
  return end + 1;
}

/**
 * dgateway_cache_render_content:
 * @self: a cache
 * @guild: (nullable): the guild the text was written in
 * @content: the text of a message
 *
 * Renders the mentions in the text of a message as names, as Discord shows
 * them: `<@id>` and `<@!id>` as `@` and the display name of the member (or
 * user), `<@&id>` as `@` and the role's name, `<#id>` as `#` and the
 * channel's name. Mentions of what the cache does not know are left as
 * written.
 *
 * Returns: (transfer full): the rendered text
 */
char *
dgateway_cache_render_content (DGatewayCache       *self,
                               DGatewayCachedGuild *guild,
                               const char          *content)
{
  GString *out;
  const char *p;

  g_return_val_if_fail (DGATEWAY_IS_CACHE (self), NULL);
  g_return_val_if_fail (guild == NULL || DGATEWAY_IS_CACHED_GUILD (guild), NULL);
  g_return_val_if_fail (content != NULL, NULL);

  out = g_string_sized_new (strlen (content));
  for (p = content; *p != '\0';)
    {
      const char *next = *p == '<' ? render_mention (self, guild, p, out) : NULL;

      if (next != NULL)
        {
          p = next;
          continue;
        }
      g_string_append_c (out, *p);
      p++;
    }
  return g_string_free (out, FALSE);
}

/**
 * dgateway_cache_render_message:
 * @self: a cache
 * @message: a message, such as [signal@Client::message-create] gives
 *
 * Renders the mentions in the text of a message as names; see
 * [method@Cache.render_content].
 *
 * Returns: (transfer full): the rendered text, empty if the message has none
 */
char *
dgateway_cache_render_message (DGatewayCache   *self,
                               DGatewayMessage *message)
{
  const char *content;

  g_return_val_if_fail (DGATEWAY_IS_CACHE (self), NULL);
  g_return_val_if_fail (DGATEWAY_IS_MESSAGE (message), NULL);

  content = dgateway_message_get_content (message);
  return dgateway_cache_render_content (self,
                                        dgateway_cache_lookup_message_guild (self, message),
                                        content ? content : "");
}
