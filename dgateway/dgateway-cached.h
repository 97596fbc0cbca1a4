/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(DGATEWAY_INSIDE) && !defined(DGATEWAY_COMPILATION)
# error "Only <dgateway/dgateway.h> can be included directly."
#endif

#include <gio/gio.h>

#include <dgateway/dgateway-types.h>
#include <dgateway/dgateway-typed.h>
#include <dgateway/dgateway-version-macros.h>

G_BEGIN_DECLS

#define DGATEWAY_TYPE_CACHED_USER (dgateway_cached_user_get_type ())
DGATEWAY_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DGatewayCachedUser, dgateway_cached_user, DGATEWAY, CACHED_USER, GObject)

#define DGATEWAY_TYPE_CACHED_GUILD (dgateway_cached_guild_get_type ())
DGATEWAY_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DGatewayCachedGuild, dgateway_cached_guild, DGATEWAY, CACHED_GUILD, GObject)

#define DGATEWAY_TYPE_CACHED_CHANNEL (dgateway_cached_channel_get_type ())
DGATEWAY_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DGatewayCachedChannel, dgateway_cached_channel, DGATEWAY, CACHED_CHANNEL, GObject)

#define DGATEWAY_TYPE_CACHED_ROLE (dgateway_cached_role_get_type ())
DGATEWAY_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DGatewayCachedRole, dgateway_cached_role, DGATEWAY, CACHED_ROLE, GObject)

#define DGATEWAY_TYPE_CACHED_MEMBER (dgateway_cached_member_get_type ())
DGATEWAY_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DGatewayCachedMember, dgateway_cached_member, DGATEWAY, CACHED_MEMBER, GObject)

#define DGATEWAY_TYPE_CACHED_MESSAGE (dgateway_cached_message_get_type ())
DGATEWAY_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DGatewayCachedMessage, dgateway_cached_message, DGATEWAY, CACHED_MESSAGE, GObject)

#define DGATEWAY_TYPE_CACHED_EMOJI (dgateway_cached_emoji_get_type ())
DGATEWAY_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DGatewayCachedEmoji, dgateway_cached_emoji, DGATEWAY, CACHED_EMOJI, GObject)

/* Users */
DGATEWAY_AVAILABLE_IN_ALL
char                  *dgateway_cached_user_dup_id            (DGatewayCachedUser    *self) G_GNUC_WARN_UNUSED_RESULT;
DGATEWAY_AVAILABLE_IN_ALL
const char            *dgateway_cached_user_get_username      (DGatewayCachedUser    *self);
DGATEWAY_AVAILABLE_IN_ALL
const char            *dgateway_cached_user_get_global_name   (DGatewayCachedUser    *self);
DGATEWAY_AVAILABLE_IN_ALL
const char            *dgateway_cached_user_get_avatar        (DGatewayCachedUser    *self);
DGATEWAY_AVAILABLE_IN_ALL
gboolean               dgateway_cached_user_get_bot           (DGatewayCachedUser    *self);
DGATEWAY_AVAILABLE_IN_ALL
const char            *dgateway_cached_user_get_display_name  (DGatewayCachedUser    *self);

/* Guilds */
DGATEWAY_AVAILABLE_IN_ALL
char                  *dgateway_cached_guild_dup_id           (DGatewayCachedGuild   *self) G_GNUC_WARN_UNUSED_RESULT;
DGATEWAY_AVAILABLE_IN_ALL
const char            *dgateway_cached_guild_get_name         (DGatewayCachedGuild   *self);
DGATEWAY_AVAILABLE_IN_ALL
const char            *dgateway_cached_guild_get_icon         (DGatewayCachedGuild   *self);
DGATEWAY_AVAILABLE_IN_ALL
char                  *dgateway_cached_guild_dup_owner_id     (DGatewayCachedGuild   *self) G_GNUC_WARN_UNUSED_RESULT;
DGATEWAY_AVAILABLE_IN_ALL
int                    dgateway_cached_guild_get_member_count (DGatewayCachedGuild   *self);
DGATEWAY_AVAILABLE_IN_ALL
guint                  dgateway_cached_guild_get_shard_id     (DGatewayCachedGuild   *self);
DGATEWAY_AVAILABLE_IN_ALL
gboolean               dgateway_cached_guild_get_unavailable  (DGatewayCachedGuild   *self);
DGATEWAY_AVAILABLE_IN_ALL
GListModel            *dgateway_cached_guild_get_channels     (DGatewayCachedGuild   *self);
DGATEWAY_AVAILABLE_IN_ALL
GListModel            *dgateway_cached_guild_get_channel_tree (DGatewayCachedGuild   *self);
DGATEWAY_AVAILABLE_IN_ALL
GListModel            *dgateway_cached_guild_get_threads      (DGatewayCachedGuild   *self);
DGATEWAY_AVAILABLE_IN_ALL
GListModel            *dgateway_cached_guild_get_roles        (DGatewayCachedGuild   *self);
DGATEWAY_AVAILABLE_IN_ALL
GListModel            *dgateway_cached_guild_get_members      (DGatewayCachedGuild   *self);
DGATEWAY_AVAILABLE_IN_ALL
GListModel            *dgateway_cached_guild_get_emojis       (DGatewayCachedGuild   *self);
DGATEWAY_AVAILABLE_IN_ALL
DGatewayCachedMember  *dgateway_cached_guild_lookup_member    (DGatewayCachedGuild   *self,
                                                               const char            *user_id);
DGATEWAY_AVAILABLE_IN_ALL
DGatewayCachedRole    *dgateway_cached_guild_lookup_role      (DGatewayCachedGuild   *self,
                                                               const char            *role_id);
DGATEWAY_AVAILABLE_IN_ALL
char                  *dgateway_cached_guild_dup_voice_channel_id (DGatewayCachedGuild *self,
                                                               const char            *user_id) G_GNUC_WARN_UNUSED_RESULT;

/* Channels and threads */
DGATEWAY_AVAILABLE_IN_ALL
char                  *dgateway_cached_channel_dup_id         (DGatewayCachedChannel *self) G_GNUC_WARN_UNUSED_RESULT;
DGATEWAY_AVAILABLE_IN_ALL
const char            *dgateway_cached_channel_get_name       (DGatewayCachedChannel *self);
DGATEWAY_AVAILABLE_IN_ALL
const char            *dgateway_cached_channel_get_topic      (DGatewayCachedChannel *self);
DGATEWAY_AVAILABLE_IN_ALL
int                    dgateway_cached_channel_get_position   (DGatewayCachedChannel *self);
DGATEWAY_AVAILABLE_IN_ALL
DGatewayChannelType    dgateway_cached_channel_get_channel_type (DGatewayCachedChannel *self);
DGATEWAY_AVAILABLE_IN_ALL
char                  *dgateway_cached_channel_dup_parent_id  (DGatewayCachedChannel *self) G_GNUC_WARN_UNUSED_RESULT;
DGATEWAY_AVAILABLE_IN_ALL
DGatewayCachedGuild   *dgateway_cached_channel_get_guild      (DGatewayCachedChannel *self);
DGATEWAY_AVAILABLE_IN_ALL
int                    dgateway_cached_channel_get_member_count (DGatewayCachedChannel *self);
DGATEWAY_AVAILABLE_IN_ALL
gboolean               dgateway_cached_channel_get_archived   (DGatewayCachedChannel *self);
DGATEWAY_AVAILABLE_IN_ALL
gboolean               dgateway_cached_channel_get_joined     (DGatewayCachedChannel *self);
DGATEWAY_AVAILABLE_IN_ALL
gboolean               dgateway_cached_channel_is_thread      (DGatewayCachedChannel *self);
DGATEWAY_AVAILABLE_IN_ALL
GListModel            *dgateway_cached_channel_get_children   (DGatewayCachedChannel *self);
DGATEWAY_AVAILABLE_IN_ALL
GListModel            *dgateway_cached_channel_get_messages   (DGatewayCachedChannel *self);

/* Roles */
DGATEWAY_AVAILABLE_IN_ALL
char                  *dgateway_cached_role_dup_id            (DGatewayCachedRole    *self) G_GNUC_WARN_UNUSED_RESULT;
DGATEWAY_AVAILABLE_IN_ALL
const char            *dgateway_cached_role_get_name          (DGatewayCachedRole    *self);
DGATEWAY_AVAILABLE_IN_ALL
guint                  dgateway_cached_role_get_color         (DGatewayCachedRole    *self);
DGATEWAY_AVAILABLE_IN_ALL
int                    dgateway_cached_role_get_position      (DGatewayCachedRole    *self);
DGATEWAY_AVAILABLE_IN_ALL
char                  *dgateway_cached_role_dup_permissions   (DGatewayCachedRole    *self) G_GNUC_WARN_UNUSED_RESULT;
DGATEWAY_AVAILABLE_IN_ALL
gboolean               dgateway_cached_role_get_hoist         (DGatewayCachedRole    *self);
DGATEWAY_AVAILABLE_IN_ALL
gboolean               dgateway_cached_role_get_mentionable   (DGatewayCachedRole    *self);
DGATEWAY_AVAILABLE_IN_ALL
DGatewayCachedGuild   *dgateway_cached_role_get_guild         (DGatewayCachedRole    *self);

/* Members */
DGATEWAY_AVAILABLE_IN_ALL
DGatewayCachedUser    *dgateway_cached_member_get_user        (DGatewayCachedMember  *self);
DGATEWAY_AVAILABLE_IN_ALL
DGatewayCachedGuild   *dgateway_cached_member_get_guild       (DGatewayCachedMember  *self);
DGATEWAY_AVAILABLE_IN_ALL
const char            *dgateway_cached_member_get_nick        (DGatewayCachedMember  *self);
DGATEWAY_AVAILABLE_IN_ALL
const char            *dgateway_cached_member_get_avatar      (DGatewayCachedMember  *self);
DGATEWAY_AVAILABLE_IN_ALL
DGatewayStatus         dgateway_cached_member_get_status      (DGatewayCachedMember  *self);
DGATEWAY_AVAILABLE_IN_ALL
char                 **dgateway_cached_member_dup_role_ids    (DGatewayCachedMember  *self) G_GNUC_WARN_UNUSED_RESULT;
DGATEWAY_AVAILABLE_IN_ALL
gboolean               dgateway_cached_member_has_role        (DGatewayCachedMember  *self,
                                                               const char            *role_id);
DGATEWAY_AVAILABLE_IN_ALL
const char            *dgateway_cached_member_get_display_name (DGatewayCachedMember *self);
DGATEWAY_AVAILABLE_IN_ALL
guint                  dgateway_cached_member_get_color       (DGatewayCachedMember  *self);

/* Messages */
DGATEWAY_AVAILABLE_IN_ALL
char                  *dgateway_cached_message_dup_id         (DGatewayCachedMessage *self) G_GNUC_WARN_UNUSED_RESULT;
DGATEWAY_AVAILABLE_IN_ALL
DGatewayCachedChannel *dgateway_cached_message_get_channel    (DGatewayCachedMessage *self);
DGATEWAY_AVAILABLE_IN_ALL
DGatewayCachedUser    *dgateway_cached_message_get_author     (DGatewayCachedMessage *self);
DGATEWAY_AVAILABLE_IN_ALL
const char            *dgateway_cached_message_get_content    (DGatewayCachedMessage *self);
DGATEWAY_AVAILABLE_IN_ALL
gboolean               dgateway_cached_message_get_edited     (DGatewayCachedMessage *self);

/* Emojis and stickers */
DGATEWAY_AVAILABLE_IN_ALL
char                  *dgateway_cached_emoji_dup_id           (DGatewayCachedEmoji   *self) G_GNUC_WARN_UNUSED_RESULT;
DGATEWAY_AVAILABLE_IN_ALL
const char            *dgateway_cached_emoji_get_name         (DGatewayCachedEmoji   *self);
DGATEWAY_AVAILABLE_IN_ALL
gboolean               dgateway_cached_emoji_get_animated     (DGatewayCachedEmoji   *self);
DGATEWAY_AVAILABLE_IN_ALL
gboolean               dgateway_cached_emoji_get_sticker      (DGatewayCachedEmoji   *self);

G_END_DECLS
