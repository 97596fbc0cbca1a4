/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* What GET /gateway/bot answers. */
typedef struct {
  char *url;
  guint shards;
  guint total;
  guint remaining;
  guint reset_after;          /* ms */
  guint max_concurrency;
} DGatewayGatewayBot;

void                dgateway_gateway_bot_free (DGatewayGatewayBot   *info);

void                dgateway_discover_async   (SoupSession          *session,
                                               const char           *api_url,
                                               const char           *token,
                                               GMainContext         *context,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
DGatewayGatewayBot *dgateway_discover_finish  (GAsyncResult         *result,
                                               GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DGatewayGatewayBot, dgateway_gateway_bot_free)

G_END_DECLS
