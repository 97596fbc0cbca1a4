/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-session-private.h"
#include "dgateway-shard-private.h"

#include <glib/gi18n-lib.h>

GVariant *
dgateway_session_save (GPtrArray *shards,
                       guint      shard_count)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE (DGATEWAY_SESSION_TYPE));
  for (guint i = 0; i < shards->len; i++)
    {
      DGatewayShard *shard = shards->pdata[i];

      if (dgateway_shard_get_session_id (shard) == NULL || dgateway_shard_get_resume_url (shard) == NULL)
        continue;
      g_variant_builder_add (&builder, "(uusxs)",
                             dgateway_shard_get_shard_id (shard),
                             shard_count,
                             dgateway_shard_get_session_id (shard),
                             dgateway_shard_get_sequence (shard),
                             dgateway_shard_get_resume_url (shard));
    }
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

static gboolean
resume_url_usable (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  const char *scheme = uri ? g_uri_get_scheme (uri) : NULL;

  return uri != NULL && (g_strcmp0 (scheme, "ws") == 0 || g_strcmp0 (scheme, "wss") == 0) &&
         g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0';
}

gboolean
dgateway_session_check (GVariant  *session,
                        GError   **error)
{
  GVariantIter iter;
  guint id, count;
  gint64 sequence;
  const char *session_id, *resume_url;

  if (!g_variant_is_of_type (session, G_VARIANT_TYPE (DGATEWAY_SESSION_TYPE)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A saved session has the type %s, not %s"),
                   g_variant_get_type_string (session), DGATEWAY_SESSION_TYPE);
      return FALSE;
    }

  g_variant_iter_init (&iter, session);
  while (g_variant_iter_next (&iter, "(uu&sx&s)", &id, &count, &session_id, &sequence, &resume_url))
    {
      if (*session_id == '\0' || !g_utf8_validate (session_id, -1, NULL) || sequence < -1)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("The saved session of shard %u has no usable session id or sequence"), id);
          return FALSE;
        }
      if (!resume_url_usable (resume_url))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("The saved session of shard %u has no usable resume URL"), id);
          return FALSE;
        }
    }
  return TRUE;
}

void
dgateway_session_restore (GVariant  *session,
                          GPtrArray *shards,
                          guint      shard_count)
{
  GVariantIter iter;
  guint id, count;
  gint64 sequence;
  const char *session_id, *resume_url;

  g_variant_iter_init (&iter, session);
  while (g_variant_iter_next (&iter, "(uu&sx&s)", &id, &count, &session_id, &sequence, &resume_url))
    {
      if (count != shard_count)
        continue;
      for (guint i = 0; i < shards->len; i++)
        if (dgateway_shard_get_shard_id (shards->pdata[i]) == id)
          dgateway_shard_restore_session (shards->pdata[i], session_id, sequence, resume_url);
    }
}
