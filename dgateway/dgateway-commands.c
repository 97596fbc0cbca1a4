/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The Gateway commands of DGatewayClient: typed wrappers that build the
 * payload, pick the shard of the guild, and queue it on that shard, where
 * the outbound limit is kept. */

#include "config.h"

#include "dgateway-client-private.h"
#include "dgateway-error.h"
#include "dgateway-shard-private.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

enum {
  OP_PRESENCE_UPDATE = 3,
  OP_VOICE_STATE_UPDATE = 4,
  OP_REQUEST_GUILD_MEMBERS = 8,
  OP_REQUEST_SOUNDBOARD_SOUNDS = 31,
  OP_REQUEST_CHANNEL_INFO = 43,
};

/* Deeper than any command Discord documents, and far from the stack's end. */
#define MAX_COMMAND_DEPTH 32

#define MAX_NONCE_LENGTH 32

static gboolean
parse_snowflake (const char  *text,
                 guint64     *out,
                 GError     **error)
{
  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, out, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a snowflake"), text ? text : "(null)");
      return FALSE;
    }
  return TRUE;
}

static DGatewayShard *
shard_by_id (DGatewayClient  *self,
             guint            shard_id,
             GError         **error)
{
  DGatewayShard *shard = dgateway_client_find_shard (self, shard_id);

  if (shard == NULL)
    g_set_error (error, DGATEWAY_ERROR, DGATEWAY_ERROR_NOT_CONNECTED,
                 _("Shard %u is not run by this client"), shard_id);
  return shard;
}

/* Discord routes a guild to shard (guild_id >> 22) % shard_count. */
static DGatewayShard *
shard_for_guild (DGatewayClient  *self,
                 const char      *guild_id,
                 GError         **error)
{
  guint64 id;

  if (!parse_snowflake (guild_id, &id, error))
    return NULL;

  return shard_by_id (self, (guint) ((id >> 22) % dgateway_client_get_total_shards (self)), error);
}

/* The opcodes an application may send: the rest (heartbeat, identify,
 * resume) are the library's, and an unknown one would close the
 * connection with 4001. */
static gboolean
check_opcode (int      opcode,
              GError **error)
{
  switch (opcode)
    {
    case OP_PRESENCE_UPDATE:
    case OP_VOICE_STATE_UPDATE:
    case OP_REQUEST_GUILD_MEMBERS:
    case OP_REQUEST_SOUNDBOARD_SOUNDS:
    case OP_REQUEST_CHANNEL_INFO:
      return TRUE;
    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Opcode %d is not a command an application may send"), opcode);
      return FALSE;
    }
}

/* What JSON can carry, as Discord decodes it: text that is UTF-8, finite
 * numbers, and no nesting past MAX_COMMAND_DEPTH. A node json-glib would
 * write as something else (NaN as "nan") fails here, before anything is
 * sent, instead of closing the connection with 4002. */
static gboolean
check_node (JsonNode  *node,
            guint      depth,
            GError   **error)
{
  if (depth > MAX_COMMAND_DEPTH)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The command nests deeper than %d levels"), MAX_COMMAND_DEPTH);
      return FALSE;
    }

  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, &name, &member))
          if (!g_utf8_validate (name, -1, NULL) || !check_node (member, depth + 1, error))
            {
              if (error != NULL && *error == NULL)
                g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                     _("The command has a member name that is not valid UTF-8"));
              return FALSE;
            }
        return TRUE;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          if (!check_node (json_array_get_element (array, i), depth + 1, error))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_STRING &&
          !g_utf8_validate (json_node_get_string (node), -1, NULL))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("The command has a string that is not valid UTF-8"));
          return FALSE;
        }
      if (json_node_get_value_type (node) == G_TYPE_DOUBLE &&
          !isfinite (json_node_get_double (node)))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("The command has a number that is not finite"));
          return FALSE;
        }
      return TRUE;
    case JSON_NODE_NULL:
    default:
      return TRUE;
    }
}

/**
 * dgateway_client_send:
 * @self: a client
 * @shard_id: the shard to send on
 * @opcode: the Gateway opcode
 * @data: (nullable): the payload (`d`), or `NULL` for `null`
 * @error: return location for an error
 *
 * Sends a raw Gateway command.
 *
 * Commands go out in order, never more than Discord's 120 frames per 60 s
 * per connection: past that budget they wait, and heartbeats always keep
 * room. While the shard reconnects they wait for it. A command whose JSON
 * is over 4096 bytes fails with `DGATEWAY_ERROR_PAYLOAD_TOO_LARGE`,
 * and one sent while the client is not connected or connecting fails with
 * `DGATEWAY_ERROR_NOT_CONNECTED`, since no connection is coming to
 * carry it.
 *
 * Only the opcodes Discord documents as commands of applications are
 * accepted: 3 (presence update), 4 (voice state update), 8 (request guild
 * members), 31 (request soundboard sounds) and 43 (request channel info).
 * Heartbeats, IDENTIFY and RESUME are the client's own. Another opcode, or
 * @data that JSON cannot carry (a string that is not UTF-8, a number that is
 * not finite), fails with `G_IO_ERROR_INVALID_ARGUMENT` and nothing is
 * sent.
 *
 * Returns: `TRUE` if the command was sent or queued
 */
gboolean
dgateway_client_send (DGatewayClient  *self,
                      guint            shard_id,
                      int              opcode,
                      JsonNode        *data,
                      GError         **error)
{
  DGatewayShard *shard;

  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_opcode (opcode, error) || (data != NULL && !check_node (data, 0, error)))
    return FALSE;

  shard = shard_by_id (self, shard_id, error);
  return shard != NULL && dgateway_shard_send_command (shard, opcode, data, error);
}

static gboolean
send_to_guild (DGatewayClient  *self,
               const char      *guild_id,
               int              opcode,
               JsonBuilder     *builder,
               GError         **error)
{
  g_autoptr(JsonNode) data = json_builder_get_root (builder);
  DGatewayShard *shard = shard_for_guild (self, guild_id, error);

  return shard != NULL && dgateway_shard_send_command (shard, opcode, data, error);
}

/**
 * dgateway_client_update_presence:
 * @self: a client
 * @presence: the new presence
 * @error: return location for an error
 *
 * Sets the bot's presence on every shard (opcode 3), and keeps it for the
 * IDENTIFY of later sessions.
 *
 * Discord allows five presence changes per 20 seconds.
 *
 * Returns: `TRUE` if the command was sent or queued on every shard
 */
gboolean
dgateway_client_update_presence (DGatewayClient    *self,
                                 DGatewayPresence  *presence,
                                 GError           **error)
{
  g_autoptr(JsonNode) data = NULL;
  GListModel *shards;

  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (DGATEWAY_IS_PRESENCE (presence), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  dgateway_client_set_presence (self, presence);
  data = dgateway_presence_to_json (presence);

  shards = dgateway_client_get_shards (self);
  if (g_list_model_get_n_items (shards) == 0)
    {
      g_set_error_literal (error, DGATEWAY_ERROR, DGATEWAY_ERROR_NOT_CONNECTED,
                           _("The client is not connected"));
      return FALSE;
    }

  for (guint i = 0; i < g_list_model_get_n_items (shards); i++)
    {
      g_autoptr(DGatewayShard) shard = g_list_model_get_item (shards, i);

      if (!dgateway_shard_send_command (shard, OP_PRESENCE_UPDATE, data, error))
        return FALSE;
    }
  return TRUE;
}

static void
add_string_array (JsonBuilder       *builder,
                  const char        *member,
                  const char * const *values)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; values[i] != NULL; i++)
    json_builder_add_string_value (builder, values[i]);
  json_builder_end_array (builder);
}

static gboolean
check_member_request (const char         *query,
                      const char * const *user_ids,
                      const char         *nonce,
                      GError            **error)
{
  if ((query == NULL) == (user_ids == NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Request guild members by a query or by user ids, not both"));
      return FALSE;
    }
  if (nonce != NULL && strlen (nonce) > MAX_NONCE_LENGTH)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A nonce has at most %d bytes"), MAX_NONCE_LENGTH);
      return FALSE;
    }
  return TRUE;
}

/**
 * dgateway_client_request_guild_members:
 * @self: a client
 * @guild_id: the guild
 * @query: (nullable): a username prefix, `""` for every member, or `NULL`
 *   to ask by @user_ids
 * @user_ids: (nullable) (array zero-terminated=1): the users to ask for,
 *   or `NULL` to ask by @query
 * @limit: the most members to return; 0 with `""` for every member
 * @presences: whether to include presences
 * @nonce: (nullable): up to 32 bytes echoed in the replies, or `NULL`
 * @error: return location for an error
 *
 * Asks for members of a guild (opcode 8). They arrive as
 * `GUILD_MEMBERS_CHUNK` events on the guild's shard.
 *
 * Returns: `TRUE` if the command was sent or queued
 */
gboolean
dgateway_client_request_guild_members (DGatewayClient     *self,
                                       const char         *guild_id,
                                       const char         *query,
                                       const char * const *user_ids,
                                       guint               limit,
                                       gboolean            presences,
                                       const char         *nonce,
                                       GError            **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (guild_id != NULL, FALSE);

  if (!check_member_request (query, user_ids, nonce, error))
    return FALSE;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "guild_id");
  json_builder_add_string_value (builder, guild_id);
  if (query != NULL)
    {
      json_builder_set_member_name (builder, "query");
      json_builder_add_string_value (builder, query);
    }
  else
    add_string_array (builder, "user_ids", user_ids);
  json_builder_set_member_name (builder, "limit");
  json_builder_add_int_value (builder, limit);
  json_builder_set_member_name (builder, "presences");
  json_builder_add_boolean_value (builder, presences);
  if (nonce != NULL)
    {
      json_builder_set_member_name (builder, "nonce");
      json_builder_add_string_value (builder, nonce);
    }
  json_builder_end_object (builder);

  return send_to_guild (self, guild_id, OP_REQUEST_GUILD_MEMBERS, builder, error);
}

/**
 * dgateway_client_update_voice_state:
 * @self: a client
 * @guild_id: the guild
 * @channel_id: (nullable): the voice channel to join, or `NULL` to leave
 * @self_mute: whether the bot is muted
 * @self_deaf: whether the bot is deafened
 * @error: return location for an error
 *
 * Joins, moves between or leaves voice channels (opcode 4). Discord
 * answers with `VOICE_STATE_UPDATE` and `VOICE_SERVER_UPDATE`.
 *
 * Returns: `TRUE` if the command was sent or queued
 */
gboolean
dgateway_client_update_voice_state (DGatewayClient  *self,
                                    const char      *guild_id,
                                    const char      *channel_id,
                                    gboolean         self_mute,
                                    gboolean         self_deaf,
                                    GError         **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (guild_id != NULL, FALSE);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "guild_id");
  json_builder_add_string_value (builder, guild_id);
  json_builder_set_member_name (builder, "channel_id");
  if (channel_id != NULL)
    json_builder_add_string_value (builder, channel_id);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "self_mute");
  json_builder_add_boolean_value (builder, self_mute);
  json_builder_set_member_name (builder, "self_deaf");
  json_builder_add_boolean_value (builder, self_deaf);
  json_builder_end_object (builder);

  return send_to_guild (self, guild_id, OP_VOICE_STATE_UPDATE, builder, error);
}

/**
 * dgateway_client_request_soundboard_sounds:
 * @self: a client
 * @guild_ids: (array zero-terminated=1): the guilds
 * @error: return location for an error
 *
 * Asks for the soundboard sounds of guilds (opcode 31). Each guild's
 * request goes to that guild's shard; one `SOUNDBOARD_SOUNDS` event
 * answers per guild.
 *
 * Returns: `TRUE` if every request was sent or queued
 */
gboolean
dgateway_client_request_soundboard_sounds (DGatewayClient     *self,
                                           const char * const *guild_ids,
                                           GError            **error)
{
  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (guild_ids != NULL && guild_ids[0] != NULL, FALSE);

  /* One request per guild keeps each on its own shard. */
  for (guint i = 0; guild_ids[i] != NULL; i++)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      const char *one[] = { guild_ids[i], NULL };

      json_builder_begin_object (builder);
      add_string_array (builder, "guild_ids", one);
      json_builder_end_object (builder);
      if (!send_to_guild (self, guild_ids[i], OP_REQUEST_SOUNDBOARD_SOUNDS, builder, error))
        return FALSE;
    }
  return TRUE;
}
