/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* GET {api-url}/gateway/bot: the Gateway URL, the recommended shard count
 * and the session start limit. A 429 is waited out as its retry_after
 * says; every other failure is a clear error, never one with the token. */

#include "config.h"

#include "dgateway-discovery-private.h"
#include "dgateway-error.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#define MAX_RETRIES 5
#define HTTP_TOO_MANY_REQUESTS 429  /* libsoup 3.2 has no name for it */

typedef struct {
  SoupSession *session;
  char *url;
  char *authorization;
  GMainContext *context;
  guint retries;
} Request;

static void
request_free (Request *request)
{
  g_object_unref (request->session);
  g_free (request->url);
  /* The header value holds the token: leave nothing behind in memory. */
  memset (request->authorization, 0, strlen (request->authorization));
  g_free (request->authorization);
  g_main_context_unref (request->context);
  g_free (request);
}

void
dgateway_gateway_bot_free (DGatewayGatewayBot *info)
{
  if (info == NULL)
    return;

  g_free (info->url);
  g_free (info);
}

static guint
member_uint (JsonObject *object,
             const char *key,
             guint       default_value)
{
  gint64 value = json_object_get_int_member_with_default (object, key, default_value);

  return value >= 0 && value <= G_MAXUINT ? (guint) value : default_value;
}

static DGatewayGatewayBot *
parse_gateway_bot (GBytes  *body,
                   GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(DGatewayGatewayBot) info = g_new0 (DGatewayGatewayBot, 1);
  JsonObject *object, *limit;

  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error_literal (error, DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL,
                           _("The Discord API answered GET /gateway/bot with something that is not JSON"));
      return NULL;
    }

  object = json_node_get_object (json_parser_get_root (parser));
  info->url = g_strdup (json_object_get_string_member_with_default (object, "url", NULL));
  info->shards = MAX (member_uint (object, "shards", 1), 1);
  limit = json_object_has_member (object, "session_start_limit") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "session_start_limit"))
            ? json_object_get_object_member (object, "session_start_limit") : NULL;
  info->max_concurrency = limit ? MAX (member_uint (limit, "max_concurrency", 1), 1) : 1;
  info->total = limit ? member_uint (limit, "total", 1000) : 1000;
  info->remaining = limit ? member_uint (limit, "remaining", info->total) : info->total;
  info->reset_after = limit ? member_uint (limit, "reset_after", 0) : 0;

  if (info->url == NULL)
    {
      g_set_error_literal (error, DGATEWAY_ERROR, DGATEWAY_ERROR_PROTOCOL,
                           _("The Discord API gave no gateway URL"));
      return NULL;
    }

  return g_steal_pointer (&info);
}

/* Discord says how long to wait in the body's retry_after (seconds) and in
 * the Retry-After header. */
static guint
retry_after_ms (SoupMessage *message,
                GBytes      *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *header = soup_message_headers_get_one (soup_message_get_response_headers (message),
                                                     "Retry-After");
  double seconds = header ? g_ascii_strtod (header, NULL) : 1.0;

  if (body != NULL &&
      json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    seconds = json_object_get_double_member_with_default (json_node_get_object (json_parser_get_root (parser)),
                                                          "retry_after", seconds);

  return (guint) (CLAMP (seconds, 0.0, 600.0) * 1000);
}

static void send_request (GTask *task);

static gboolean
retry_cb (gpointer data)
{
  send_request (data);
  return G_SOURCE_REMOVE;
}

static void
response_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(GTask) task = data;
  Request *request = g_task_get_task_data (task);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  DGatewayGatewayBot *info;
  guint status;

  if (body == NULL)
    {
      g_task_return_new_error (task, DGATEWAY_ERROR, DGATEWAY_ERROR_CONNECTION,
                               _("Could not reach the Discord API: %s"), error->message);
      return;
    }

  status = soup_message_get_status (message);
  if (status == HTTP_TOO_MANY_REQUESTS && request->retries++ < MAX_RETRIES)
    {
      g_autoptr(GSource) timeout = g_timeout_source_new (retry_after_ms (message, body));

      g_task_attach_source (task, timeout, retry_cb);
      return;
    }

  if (status == SOUP_STATUS_UNAUTHORIZED)
    g_task_return_new_error (task, DGATEWAY_ERROR, DGATEWAY_ERROR_AUTHENTICATION_FAILED,
                             _("The Discord API refused the token (401 Unauthorized)"));
  else if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    g_task_return_new_error (task, DGATEWAY_ERROR,
                             status == HTTP_TOO_MANY_REQUESTS ? DGATEWAY_ERROR_RATE_LIMITED
                                                                     : DGATEWAY_ERROR_CONNECTION,
                             _("The Discord API answered GET /gateway/bot with %u %s"),
                             status, soup_message_get_reason_phrase (message));
  else if ((info = parse_gateway_bot (body, &error)) != NULL)
    g_task_return_pointer (task, info, (GDestroyNotify) dgateway_gateway_bot_free);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
send_request (GTask *task)
{
  Request *request = g_task_get_task_data (task);
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_GET, request->url);

  if (g_task_return_error_if_cancelled (task))
    return;

  soup_message_headers_replace (soup_message_get_request_headers (message),
                                "Authorization", request->authorization);
  g_main_context_push_thread_default (request->context);
  soup_session_send_and_read_async (request->session, message, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), response_cb,
                                    g_object_ref (task));
  g_main_context_pop_thread_default (request->context);
}

void
dgateway_discover_async (SoupSession         *session,
                         const char          *api_url,
                         const char          *token,
                         GMainContext        *context,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GUri) uri = NULL;
  Request *request = g_new0 (Request, 1);

  request->session = g_object_ref (session);
  request->url = g_strconcat (api_url, "/gateway/bot", NULL);
  request->authorization = g_strconcat ("Bot ", token, NULL);
  request->context = g_main_context_ref (context);
  g_task_set_source_tag (task, dgateway_discover_async);
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);

  uri = g_uri_parse (request->url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
                      g_strcmp0 (g_uri_get_scheme (uri), "https") != 0))
    {
      g_task_return_new_error (task, DGATEWAY_ERROR, DGATEWAY_ERROR_CONNECTION,
                               _("The API URL “%s” is not valid"), api_url);
      return;
    }

  send_request (task);
}

DGatewayGatewayBot *
dgateway_discover_finish (GAsyncResult  *result,
                          GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
