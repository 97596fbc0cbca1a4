/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(DGATEWAY_INSIDE) && !defined(DGATEWAY_COMPILATION)
# error "Only <dgateway/dgateway.h> can be included directly."
#endif

#include <gio/gio.h>

#include <dgateway/dgateway-client.h>
#include <dgateway/dgateway-cached.h>
#include <dgateway/dgateway-typed.h>
#include <dgateway/dgateway-version-macros.h>

G_BEGIN_DECLS

/**
 * DGatewayCacheFlags:
 * @DGATEWAY_CACHE_NONE: nothing
 * @DGATEWAY_CACHE_GUILDS: guilds, with their availability
 * @DGATEWAY_CACHE_CHANNELS: the channels and threads of guilds
 * @DGATEWAY_CACHE_ROLES: the roles of guilds
 * @DGATEWAY_CACHE_MEMBERS: the members of guilds; implies users
 * @DGATEWAY_CACHE_USERS: users, shared between members and messages, and
 *   the current user
 * @DGATEWAY_CACHE_PRESENCES: the status of members; implies members
 * @DGATEWAY_CACHE_VOICE_STATES: the voice channel each member is in
 * @DGATEWAY_CACHE_EMOJIS: the emojis and stickers of guilds
 * @DGATEWAY_CACHE_MESSAGES: the last messages of each channel (see
 *   [property@Cache:max-messages]); implies channels and users
 * @DGATEWAY_CACHE_ALL: all of the above
 *
 * What a [class@Cache] keeps. Every family kept implies guilds, where it
 * lives; what is not asked for costs neither memory nor processing.
 */
typedef enum /*< flags,underscore_name=dgateway_cache_flags >*/ {
  DGATEWAY_CACHE_NONE         = 0,
  DGATEWAY_CACHE_GUILDS       = 1 << 0,
  DGATEWAY_CACHE_CHANNELS     = 1 << 1,
  DGATEWAY_CACHE_ROLES        = 1 << 2,
  DGATEWAY_CACHE_MEMBERS      = 1 << 3,
  DGATEWAY_CACHE_USERS        = 1 << 4,
  DGATEWAY_CACHE_PRESENCES    = 1 << 5,
  DGATEWAY_CACHE_VOICE_STATES = 1 << 6,
  DGATEWAY_CACHE_EMOJIS       = 1 << 7,
  DGATEWAY_CACHE_MESSAGES     = 1 << 8,
  DGATEWAY_CACHE_ALL          = (1 << 9) - 1,
} DGatewayCacheFlags;

#define DGATEWAY_TYPE_CACHE (dgateway_cache_get_type ())

DGATEWAY_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DGatewayCache, dgateway_cache, DGATEWAY, CACHE, GObject)

DGATEWAY_AVAILABLE_IN_ALL
DGatewayCache         *dgateway_cache_new                  (DGatewayClient     *client,
                                                            DGatewayCacheFlags  flags) G_GNUC_WARN_UNUSED_RESULT;
DGATEWAY_AVAILABLE_IN_ALL
DGatewayClient        *dgateway_cache_get_client           (DGatewayCache      *self);
DGATEWAY_AVAILABLE_IN_ALL
DGatewayCacheFlags     dgateway_cache_get_flags            (DGatewayCache      *self);
DGATEWAY_AVAILABLE_IN_ALL
guint                  dgateway_cache_get_max_messages     (DGatewayCache      *self);
DGATEWAY_AVAILABLE_IN_ALL
void                   dgateway_cache_set_max_messages     (DGatewayCache      *self,
                                                            guint               max_messages);
DGATEWAY_AVAILABLE_IN_ALL
GListModel            *dgateway_cache_get_guilds           (DGatewayCache      *self);
DGATEWAY_AVAILABLE_IN_ALL
DGatewayCachedUser    *dgateway_cache_get_current_user     (DGatewayCache      *self);

DGATEWAY_AVAILABLE_IN_ALL
DGatewayCachedGuild   *dgateway_cache_lookup_guild         (DGatewayCache      *self,
                                                            const char         *guild_id);
DGATEWAY_AVAILABLE_IN_ALL
DGatewayCachedChannel *dgateway_cache_lookup_channel       (DGatewayCache      *self,
                                                            const char         *channel_id);
DGATEWAY_AVAILABLE_IN_ALL
DGatewayCachedRole    *dgateway_cache_lookup_role          (DGatewayCache      *self,
                                                            const char         *role_id);
DGATEWAY_AVAILABLE_IN_ALL
DGatewayCachedUser    *dgateway_cache_lookup_user          (DGatewayCache      *self,
                                                            const char         *user_id);
DGATEWAY_AVAILABLE_IN_ALL
DGatewayCachedMember  *dgateway_cache_lookup_member        (DGatewayCache      *self,
                                                            const char         *guild_id,
                                                            const char         *user_id);

DGATEWAY_AVAILABLE_IN_ALL
DGatewayCachedChannel *dgateway_cache_lookup_message_channel (DGatewayCache    *self,
                                                            DGatewayMessage    *message);
DGATEWAY_AVAILABLE_IN_ALL
DGatewayCachedGuild   *dgateway_cache_lookup_message_guild (DGatewayCache      *self,
                                                            DGatewayMessage    *message);
DGATEWAY_AVAILABLE_IN_ALL
char                  *dgateway_cache_render_content       (DGatewayCache      *self,
                                                            DGatewayCachedGuild *guild,
                                                            const char         *content) G_GNUC_WARN_UNUSED_RESULT;
DGATEWAY_AVAILABLE_IN_ALL
char                  *dgateway_cache_render_message       (DGatewayCache      *self,
                                                            DGatewayMessage    *message) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
