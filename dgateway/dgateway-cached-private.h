/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "dgateway-cache.h"
#include "dgateway-cached.h"

G_BEGIN_DECLS

/* The entities of a DGatewayCache. The cache (dgateway-cache.c) writes
 * their fields and calls the dgateway_cached_*_set_* helpers below, which
 * notify only what changed; dgateway-cached.c holds the classes and the
 * public getters. Ids are kept as guint64 and printed only when asked for;
 * nothing keeps a JSON document alive. */

struct _DGatewayCachedUser
{
  GObject parent_instance;

  guint64 id;
  char *username;
  char *global_name;
  char *avatar;
  guint bot : 1;
  guint holders : 31;           /* members and messages that refer to it */
};

struct _DGatewayCachedGuild
{
  GObject parent_instance;

  guint64 id;
  guint64 owner_id;
  char *name;
  char *icon;
  int member_count;
  guint shard_id;
  guint unavailable : 1;
  guint announced : 1;          /* listed in the READY being applied */

  GListStore *channels;         /* DGatewayCachedChannel, by position then id */
  GListStore *channel_tree;     /* categories and uncategorised channels */
  GListStore *threads;          /* DGatewayCachedChannel, by id */
  GListStore *roles;            /* DGatewayCachedRole, by position then id */
  GListStore *members;          /* DGatewayCachedMember, in arrival order */
  GListStore *emojis;           /* DGatewayCachedEmoji, by name then id */
  GHashTable *members_by_id;    /* &member->user->id → member */
  GHashTable *voice_channels;   /* user id → channel id (both guint64, in a GINT64 pair) */
};

struct _DGatewayCachedChannel
{
  GObject parent_instance;

  DGatewayCachedGuild *guild;   /* unowned; cleared when the channel leaves it */
  guint64 id;
  guint64 parent_id;
  char *name;
  char *topic;
  int position;
  int member_count;             /* threads */
  guint8 type;
  guint archived : 1;           /* threads */
  guint joined : 1;             /* threads: the current user is a member */

  GListStore *tree_store;       /* unowned: where it sits in the channel tree */
  GListStore *children;         /* categories: their channels */
  GListStore *messages;         /* the last max-messages messages, oldest first */
  GPtrArray *message_array;     /* the same, unowned, to find one without refs */
};

struct _DGatewayCachedRole
{
  GObject parent_instance;

  DGatewayCachedGuild *guild;   /* unowned */
  guint64 id;
  guint64 permissions;
  char *name;
  guint32 color;
  int position;
  guint hoist : 1;
  guint mentionable : 1;
};

struct _DGatewayCachedMember
{
  GObject parent_instance;

  DGatewayCachedGuild *guild;   /* unowned */
  DGatewayCachedUser *user;     /* shared between the guilds of a user */
  char *nick;
  char *avatar;
  guint64 *roles;               /* n_roles role ids */
  guint16 n_roles;
  guint8 status;                /* DGatewayStatus */
};

struct _DGatewayCachedMessage
{
  GObject parent_instance;

  DGatewayCachedChannel *channel; /* unowned */
  DGatewayCachedUser *author;
  guint64 id;
  char *content;
  guint edited : 1;
};

struct _DGatewayCachedEmoji
{
  GObject parent_instance;

  guint64 id;
  char *name;
  guint animated : 1;
  guint sticker : 1;
};

/* Setters that notify only a change; they return whether there was one. */
gboolean dgateway_cached_set_string  (GObject     *object,
                                      char       **field,
                                      const char  *value,
                                      GParamSpec  *pspec);

gboolean dgateway_cached_user_set    (DGatewayCachedUser    *self,
                                      guint                  prop_id,
                                      const char            *value);
void     dgateway_cached_user_set_bot (DGatewayCachedUser   *self,
                                      gboolean               bot);

enum {
  USER_PROP_0,
  USER_PROP_ID,
  USER_PROP_USERNAME,
  USER_PROP_GLOBAL_NAME,
  USER_PROP_AVATAR,
  USER_PROP_BOT,
  USER_PROP_DISPLAY_NAME,
  USER_N_PROPS,
};

enum {
  GUILD_PROP_0,
  GUILD_PROP_ID,
  GUILD_PROP_NAME,
  GUILD_PROP_ICON,
  GUILD_PROP_OWNER_ID,
  GUILD_PROP_MEMBER_COUNT,
  GUILD_PROP_SHARD_ID,
  GUILD_PROP_UNAVAILABLE,
  GUILD_N_PROPS,
};

enum {
  CHANNEL_PROP_0,
  CHANNEL_PROP_ID,
  CHANNEL_PROP_NAME,
  CHANNEL_PROP_TOPIC,
  CHANNEL_PROP_POSITION,
  CHANNEL_PROP_CHANNEL_TYPE,
  CHANNEL_PROP_PARENT_ID,
  CHANNEL_PROP_GUILD,
  CHANNEL_PROP_MEMBER_COUNT,
  CHANNEL_PROP_ARCHIVED,
  CHANNEL_PROP_JOINED,
  CHANNEL_N_PROPS,
};

enum {
  ROLE_PROP_0,
  ROLE_PROP_ID,
  ROLE_PROP_NAME,
  ROLE_PROP_COLOR,
  ROLE_PROP_POSITION,
  ROLE_PROP_PERMISSIONS,
  ROLE_PROP_HOIST,
  ROLE_PROP_MENTIONABLE,
  ROLE_N_PROPS,
};

enum {
  MEMBER_PROP_0,
  MEMBER_PROP_USER,
  MEMBER_PROP_GUILD,
  MEMBER_PROP_NICK,
  MEMBER_PROP_AVATAR,
  MEMBER_PROP_STATUS,
  MEMBER_PROP_ROLE_IDS,
  MEMBER_N_PROPS,
};

enum {
  MESSAGE_PROP_0,
  MESSAGE_PROP_ID,
  MESSAGE_PROP_CHANNEL,
  MESSAGE_PROP_AUTHOR,
  MESSAGE_PROP_CONTENT,
  MESSAGE_PROP_EDITED,
  MESSAGE_N_PROPS,
};

enum {
  EMOJI_PROP_0,
  EMOJI_PROP_ID,
  EMOJI_PROP_NAME,
  EMOJI_PROP_ANIMATED,
  EMOJI_PROP_STICKER,
  EMOJI_N_PROPS,
};

extern GParamSpec *dgateway_cached_user_props[USER_N_PROPS];
extern GParamSpec *dgateway_cached_guild_props[GUILD_N_PROPS];
extern GParamSpec *dgateway_cached_channel_props[CHANNEL_N_PROPS];
extern GParamSpec *dgateway_cached_role_props[ROLE_N_PROPS];
extern GParamSpec *dgateway_cached_member_props[MEMBER_N_PROPS];
extern GParamSpec *dgateway_cached_message_props[MESSAGE_N_PROPS];
extern GParamSpec *dgateway_cached_emoji_props[EMOJI_N_PROPS];

/* Notifies a property of an entity by its enum value. */
#define CACHED_NOTIFY(obj, family, prop) \
  g_object_notify_by_pspec (G_OBJECT (obj), dgateway_cached_##family##_props[prop])

int      dgateway_cached_channel_compare (gconstpointer a,
                                          gconstpointer b,
                                          gpointer      user_data);
int      dgateway_cached_tree_compare    (gconstpointer a,
                                          gconstpointer b,
                                          gpointer      user_data);
int      dgateway_cached_role_compare    (gconstpointer a,
                                          gconstpointer b,
                                          gpointer      user_data);

G_END_DECLS
