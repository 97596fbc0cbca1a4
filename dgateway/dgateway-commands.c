/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The Gateway commands of DGatewayClient: typed wrappers that build the
 * payload, pick the shard of the guild, and queue it on that shard, where
 * the outbound limit is kept. */

#include "config.h"

#include "dgateway-client-private.h"
#include "dgateway-error.h"
#include "dgateway-event.h"
#include "dgateway-shard-private.h"
#include "dgateway-typed.h"

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

/* How long dgateway_client_request_guild_members_async() waits for the last
 * chunk when the caller gives no timeout. */
#define DEFAULT_MEMBERS_TIMEOUT_MS 30000

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
  if (query == NULL && user_ids == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Request guild members by a query or by user ids: neither was given"));
      return FALSE;
    }
  if (query != NULL && user_ids != NULL)
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

static JsonBuilder *
build_member_request (const char         *guild_id,
                      const char         *query,
                      const char * const *user_ids,
                      guint               limit,
                      gboolean            presences,
                      const char         *nonce)
{
  JsonBuilder *builder = json_builder_new ();

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
  return builder;
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
  g_autoptr(JsonBuilder) builder = NULL;

  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (guild_id != NULL, FALSE);

  if (!check_member_request (query, user_ids, nonce, error))
    return FALSE;

  builder = build_member_request (guild_id, query, user_ids, limit, presences, nonce);
  return send_to_guild (self, guild_id, OP_REQUEST_GUILD_MEMBERS, builder, error);
}

/* A pending dgateway_client_request_guild_members_async(): it gathers the
 * GUILD_MEMBERS_CHUNKs that carry its nonce until it has chunk_count of
 * them. */
typedef struct {
  DGatewayClient *client;     /* the task's source object holds it */
  char *nonce;
  GListStore *members;
  GPtrArray *not_found;       /* of char *, NULL-terminated at the end */
  GHashTable *chunks_seen;    /* chunk_index, as GINT_TO_POINTER (index + 1) */
  gint64 chunk_count;         /* -1 until the first chunk */
  gulong dispatch_id;
  gulong state_id;
  GSource *timeout_source;
  GSource *cancel_source;
  gboolean done;
} MembersRequest;

static void
members_request_stop (MembersRequest *request)
{
  g_clear_signal_handler (&request->dispatch_id, request->client);
  g_clear_signal_handler (&request->state_id, request->client);
  if (request->timeout_source != NULL)
    g_source_destroy (request->timeout_source);
  g_clear_pointer (&request->timeout_source, g_source_unref);
  if (request->cancel_source != NULL)
    g_source_destroy (request->cancel_source);
  g_clear_pointer (&request->cancel_source, g_source_unref);
}

static void
members_request_free (MembersRequest *request)
{
  members_request_stop (request);
  g_free (request->nonce);
  g_clear_object (&request->members);
  g_clear_pointer (&request->not_found, g_ptr_array_unref);
  g_clear_pointer (&request->chunks_seen, g_hash_table_unref);
  g_free (request);
}

static gboolean
members_return_cb (gpointer data)
{
  GTask *task = data;
  MembersRequest *request = g_task_get_task_data (task);
  GError *error = g_object_get_data (G_OBJECT (task), "dgateway-error");

  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_pointer (task, g_object_ref (request->members), g_object_unref);
  return G_SOURCE_REMOVE;
}

/* Ends the request once, with @error (taken) or the members: from an idle,
 * since the handlers that end it run deep inside the client. */
static void
members_request_complete (GTask  *task,
                          GError *error)
{
  MembersRequest *request = g_task_get_task_data (task);
  g_autoptr(GSource) source = NULL;

  if (request->done)
    {
      g_clear_error (&error);
      return;
    }
  request->done = TRUE;
  members_request_stop (request);
  if (error != NULL)
    g_object_set_data_full (G_OBJECT (task), "dgateway-error", error, (GDestroyNotify) g_error_free);

  source = g_idle_source_new ();
  g_source_set_static_name (source, "[dgateway] request_guild_members_async completion");
  g_task_attach_source (task, source, members_return_cb);
  /* The handlers and sources borrowed the task: now the idle holds it. */
  g_object_unref (task);
}

static void
add_chunk (MembersRequest            *request,
           DGatewayGuildMembersChunk *chunk)
{
  GListModel *members = dgateway_guild_members_chunk_get_members (chunk);
  const char * const *not_found = dgateway_guild_members_chunk_get_not_found (chunk);

  /* The members are views of the chunk's payload that the application
   * reads once the request completes, long after the emission: keep it. */
  g_object_unref (dgateway_object_keep (chunk));
  for (guint i = 0; i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr(GObject) member = g_list_model_get_item (members, i);

      g_list_store_append (request->members, member);
    }
  for (guint i = 0; not_found != NULL && not_found[i] != NULL; i++)
    g_ptr_array_add (request->not_found, g_strdup (not_found[i]));
}

static gboolean
members_chunk_cb (DGatewayClient *client,
                  DGatewayEvent  *event,
                  gpointer        data)
{
  GTask *task = data;
  MembersRequest *request = g_task_get_task_data (task);
  DGatewayGuildMembersChunk *chunk = DGATEWAY_GUILD_MEMBERS_CHUNK (dgateway_event_get_object (event));
  gint64 index = dgateway_guild_members_chunk_get_chunk_index (chunk);
  gint64 count = dgateway_guild_members_chunk_get_chunk_count (chunk);

  if (g_strcmp0 (dgateway_guild_members_chunk_get_nonce (chunk), request->nonce) != 0)
    return FALSE;

  /* A chunk replayed after a resume counts once. */
  if (count < 1 || index < 0 || index >= count ||
      !g_hash_table_add (request->chunks_seen, GINT_TO_POINTER (index + 1)))
    return FALSE;
  request->chunk_count = count;
  add_chunk (request, chunk);

  if (g_hash_table_size (request->chunks_seen) >= request->chunk_count)
    members_request_complete (task, NULL);
  /* Other handlers of the application still see the chunk. */
  return FALSE;
}

static void
members_state_cb (GObject    *object,
                  GParamSpec *pspec,
                  gpointer    data)
{
  DGatewayState state = dgateway_client_get_state (DGATEWAY_CLIENT (object));

  if (state == DGATEWAY_STATE_DISCONNECTED || state == DGATEWAY_STATE_FAILED)
    members_request_complete (data, g_error_new_literal (DGATEWAY_ERROR, DGATEWAY_ERROR_NOT_CONNECTED,
                                                         _("The client closed before every member arrived")));
}

static gboolean
members_timeout_cb (gpointer data)
{
  members_request_complete (data, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                                       _("The gateway did not send every member in time")));
  return G_SOURCE_REMOVE;
}

static gboolean
members_cancelled_cb (GCancellable *cancellable,
                      gpointer      data)
{
  members_request_complete (data, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                       _("The request for members was cancelled")));
  return G_SOURCE_REMOVE;
}

static char *
new_nonce (void)
{
  static guint counter;

  /* Unique in the process, unlikely to meet another's: under 32 bytes. */
  return g_strdup_printf ("dg%x.%08x", ++counter, g_random_int ());
}

/* Waits for the chunks: the handlers, the timeout and the cancellable
 * borrow one reference on @task, which the completion drops. */
static void
members_request_watch (GTask        *task,
                       GCancellable *cancellable,
                       guint         timeout_ms)
{
  MembersRequest *request = g_task_get_task_data (task);
  GMainContext *context = g_task_get_context (task);

  g_object_ref (task);
  request->dispatch_id = g_signal_connect (request->client, "dispatch::GUILD_MEMBERS_CHUNK",
                                           G_CALLBACK (members_chunk_cb), task);
  request->state_id = g_signal_connect (request->client, "notify::state",
                                        G_CALLBACK (members_state_cb), task);
  request->timeout_source = g_timeout_source_new (timeout_ms ? timeout_ms : DEFAULT_MEMBERS_TIMEOUT_MS);
  g_source_set_callback (request->timeout_source, members_timeout_cb, task, NULL);
  g_source_attach (request->timeout_source, context);
  if (cancellable != NULL)
    {
      request->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (request->cancel_source, G_SOURCE_FUNC (members_cancelled_cb), task, NULL);
      g_source_attach (request->cancel_source, context);
    }
}

/**
 * dgateway_client_request_guild_members_async:
 * @self: a client
 * @guild_id: the guild
 * @query: (nullable): a username prefix, `""` for every member, or `NULL`
 *   to ask by @user_ids
 * @user_ids: (nullable) (array zero-terminated=1): the users to ask for,
 *   or `NULL` to ask by @query
 * @limit: the most members to return; 0 with `""` for every member
 * @timeout_ms: how long to wait for the last chunk, in milliseconds, or 0
 *   for 30 seconds
 * @cancellable: (nullable): a cancellable, or `NULL`
 * @callback: (scope async): called when every member arrived, or the
 *   request failed
 * @user_data: data for @callback
 *
 * Asks for members of a guild (opcode 8) and gathers the answer.
 *
 * The request carries a nonce of its own, and every `GUILD_MEMBERS_CHUNK`
 * with that nonce adds its members, until `chunk_count` chunks arrived;
 * the chunks still reach [signal@Client::dispatch] handlers. Discord needs
 * the `GUILD_MEMBERS` intent for a query of `""` and for more than 100
 * user ids, and may not answer a request it refuses: the request then
 * fails with `G_IO_ERROR_TIMED_OUT` after @timeout_ms. It fails with
 * `DGATEWAY_ERROR_NOT_CONNECTED` if the client is closed or fails
 * meanwhile, and with `G_IO_ERROR_CANCELLED` if @cancellable is
 * cancelled. Give exactly one of @query and @user_ids, or it fails with
 * `G_IO_ERROR_INVALID_ARGUMENT`.
 *
 * The presences of the members are not asked for: use
 * [method@Client.request_guild_members] and the chunks for those.
 */
void
dgateway_client_request_guild_members_async (DGatewayClient      *self,
                                             const char          *guild_id,
                                             const char          *query,
                                             const char * const  *user_ids,
                                             guint                limit,
                                             guint                timeout_ms,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;
  MembersRequest *request;

  g_return_if_fail (DGATEWAY_IS_CLIENT (self));
  g_return_if_fail (guild_id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, dgateway_client_request_guild_members_async);
  if (g_task_return_error_if_cancelled (task))
    return;
  if (!check_member_request (query, user_ids, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  request = g_new0 (MembersRequest, 1);
  request->client = self;
  request->nonce = new_nonce ();
  request->members = g_list_store_new (DGATEWAY_TYPE_GUILD_MEMBER);
  request->not_found = g_ptr_array_new_with_free_func (g_free);
  request->chunks_seen = g_hash_table_new (NULL, NULL);
  request->chunk_count = -1;
  g_task_set_task_data (task, request, (GDestroyNotify) members_request_free);

  builder = build_member_request (guild_id, query, user_ids, limit, FALSE, request->nonce);
  if (!send_to_guild (self, guild_id, OP_REQUEST_GUILD_MEMBERS, builder, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  members_request_watch (task, cancellable, timeout_ms);
}

/**
 * dgateway_client_request_guild_members_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @not_found: (out) (optional) (array zero-terminated=1) (transfer full):
 *   return location for the user ids asked for that are not members, or
 *   `NULL`
 * @error: return location for an error
 *
 * Finishes [method@Client.request_guild_members_async].
 *
 * Returns: (transfer full): the members, a list of [class@GuildMember], or
 *   `NULL` with @error set
 */
GListModel *
dgateway_client_request_guild_members_finish (DGatewayClient   *self,
                                              GAsyncResult     *result,
                                              char           ***not_found,
                                              GError          **error)
{
  MembersRequest *request;
  GListModel *members;

  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        dgateway_client_request_guild_members_async, NULL);

  if (not_found != NULL)
    *not_found = NULL;
  members = g_task_propagate_pointer (G_TASK (result), error);
  if (members == NULL)
    return NULL;

  request = g_task_get_task_data (G_TASK (result));
  if (not_found != NULL)
    {
      *not_found = g_new0 (char *, request->not_found->len + 1);
      for (guint i = 0; i < request->not_found->len; i++)
        (*not_found)[i] = g_strdup (request->not_found->pdata[i]);
    }
  return members;
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

/**
 * dgateway_client_request_channel_info:
 * @self: a client
 * @guild_id: the guild
 * @fields: what to ask for: one or both of the fields
 * @error: return location for an error
 *
 * Asks for ephemeral data of a guild's channels (opcode 43): the status
 * of voice channels, when their voice session started, or both. The
 * answer arrives as a `CHANNEL_INFO` event on the guild's shard.
 *
 * Returns: `TRUE` if the command was sent or queued
 */
gboolean
dgateway_client_request_channel_info (DGatewayClient             *self,
                                      const char                 *guild_id,
                                      DGatewayChannelInfoFields   fields,
                                      GError                    **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const DGatewayChannelInfoFields all = DGATEWAY_CHANNEL_INFO_FIELDS_STATUS |
                                        DGATEWAY_CHANNEL_INFO_FIELDS_VOICE_START_TIME;

  g_return_val_if_fail (DGATEWAY_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (guild_id != NULL, FALSE);
  g_return_val_if_fail (fields != 0 && (fields & ~all) == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "guild_id");
  json_builder_add_string_value (builder, guild_id);
  json_builder_set_member_name (builder, "fields");
  json_builder_begin_array (builder);
  if (fields & DGATEWAY_CHANNEL_INFO_FIELDS_STATUS)
    json_builder_add_string_value (builder, "status");
  if (fields & DGATEWAY_CHANNEL_INFO_FIELDS_VOICE_START_TIME)
    json_builder_add_string_value (builder, "voice_start_time");
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return send_to_guild (self, guild_id, OP_REQUEST_CHANNEL_INFO, builder, error);
}
