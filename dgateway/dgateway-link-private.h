/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <libsoup/soup.h>

#include "dgateway-payload-private.h"
#include "dgateway-types.h"
#include "dgateway-worker-private.h"

G_BEGIN_DECLS

/*
 * DGatewayLink:
 *
 * One WebSocket to the gateway, from its handshake to its end, and what
 * turns its messages into payloads: the inflater of the compressed stream
 * and the reader of JSON or ETF. A shard makes one per connection.
 *
 * The link has two sides. Its owner (the shard) uses it from the owner's
 * context only: it makes it, sends frames, closes it, and is told what
 * happened through @func, in order, from the worker's source on that
 * context, a millisecond's worth per dispatch of the main loop. The socket
 * side runs on one of the worker's I/O threads when it has them, and
 * otherwise on the owner's context too; on an I/O thread, the messages are
 * decompressed and read there, and the owner's thread only handles
 * finished payloads.
 *
 * Once the owner has closed the link, @func is never called again and
 * nothing queued for the owner survives: whatever the socket still does
 * (the close handshake) happens on its own side.
 */
typedef struct _DGatewayLink DGatewayLink;

typedef enum {
  DGATEWAY_LINK_OPENED,      /* the handshake succeeded */
  DGATEWAY_LINK_FAILED,      /* the handshake failed: error */
  DGATEWAY_LINK_PAYLOAD,     /* a whole payload: payload */
  DGATEWAY_LINK_UNREADABLE,  /* a whole payload that could not be read: error */
  DGATEWAY_LINK_BROKEN,      /* the compressed stream broke, nothing more is read: error */
  DGATEWAY_LINK_CLOSED,      /* the socket ended: close_code, error (libsoup's, or NULL) */
} DGatewayLinkEventType;

typedef struct {
  DGatewayLinkEventType type;
  DGatewayPayload *payload;
  GError *error;
  int close_code;
  gsize wire_bytes;          /* as received, since the previous event */
  gsize bytes;               /* the payload's own length, decompressed */
} DGatewayLinkEvent;

/* The message is sent once, from the socket side: the link takes a
 * reference and nothing else uses it afterwards. */
typedef struct {
  SoupMessage *message;
  DGatewayCompression compression;
  DGatewayEncoding encoding;
  gsize max_payload_size;
  SoupSession *soup_session;
} DGatewayLinkOptions;

typedef void (*DGatewayLinkFunc) (const DGatewayLinkEvent *event,
                                  gpointer                 user_data);

/* Where a client's links run: with @threaded, on I/O threads. */
DGatewayWorker *dgateway_link_worker_new (GMainContext *owner_context,
                                          gboolean      threaded,
                                          gsize         max_queued);

DGatewayLink *dgateway_link_open    (const DGatewayLinkOptions *options,
                                     GMainContext              *owner_context,
                                     DGatewayWorker            *worker,
                                     DGatewayLinkFunc           func,
                                     gpointer                   user_data);
DGatewayLink *dgateway_link_ref     (DGatewayLink              *self);
void          dgateway_link_unref   (DGatewayLink              *self);

/* Whether the owner has seen OPENED and nothing that ended the socket. */
gboolean      dgateway_link_is_open (DGatewayLink              *self);
/* Sends one encoded frame, binary or text (with its NUL after the end). */
void          dgateway_link_send    (DGatewayLink              *self,
                                     GBytes                    *frame,
                                     gboolean                   binary);
/* Closes the socket with @code, after what was sent before, and lets its
 * close handshake run on its own. */
void          dgateway_link_close   (DGatewayLink              *self,
                                     gushort                    code);
/* Drops the socket without waiting for a close handshake. */
void          dgateway_link_abort   (DGatewayLink              *self);
/* Whether the socket side is done: nothing of it remains. */
gboolean      dgateway_link_is_finished (DGatewayLink          *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DGatewayLink, dgateway_link_unref)

G_END_DECLS
