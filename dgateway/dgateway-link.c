/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-inflater-private.h"
#include "dgateway-link-private.h"
#include "dgateway-thread-private.h"

/*
 * How a link is built
 *
 * Everything that crosses between the owner's side and the socket side goes
 * through two queues under the worker's lock: `items`, what happened, for
 * the owner, and the mailbox (`outbox`, `connect_requested`,
 * `end_requested`), for the socket. A side that puts something in the
 * other's empty queue puts the link in the worker's queue of ready links
 * for that side (dgateway-worker.c), whose one source serves every link of
 * the client.
 *
 * Without I/O threads, both sides are the owner's context: the socket
 * side's requests run at once, and messages are queued undecoded and
 * decompressed and read by the owner's side, within its budget, so that a
 * burst libsoup reads in one go does not stall the owner's main loop
 * either.
 */

typedef enum {
  END_NONE,
  END_CLOSE,
  END_ABORT,
} EndRequest;

typedef struct {
  DGatewayLinkEvent event;
  int raw_type;              /* undecoded (no worker): the message */
  GBytes *raw;
  gsize cost;                /* what it counts against the worker's room */
} Item;

typedef struct {
  GBytes *frame;
  gboolean binary;
} Frame;

struct _DGatewayLink
{
  int ref_count;
  /* Borrowed with I/O threads (the owner's config holds it, and it joins
   * its threads, where the link's last references may go, before it goes);
   * a reference without, where everything happens on the owner's thread. */
  DGatewayWorker *worker;
  DGatewayIoThread *io;      /* the socket side's thread, or NULL: inline */
  GMutex *lock;              /* the worker's */
  GMainContext *owner_context;
  DGatewayLinkOptions options;

  /* The owner's side */
  DGatewayLinkFunc func;
  gpointer user_data;
  gboolean open;
  gboolean owner_closed;
  gboolean dispatching;      /* out of the worker's queue, in owner_dispatch() */

  /* Under the lock */
  GQueue items;              /* Item, for the owner */
  GQueue outbox;             /* Frame, for the socket */
  gboolean connect_requested;
  EndRequest end_requested;
  gushort close_code;
  gboolean closed;           /* the owner closed it: nothing more for it */
  gboolean finished;         /* nothing of the socket side remains */
  gboolean owner_queued;     /* in the worker's queue for the owner */
  gboolean socket_queued;    /* in its thread's queue for the socket side */

  /* The socket side */
  GCancellable *cancellable;
  gboolean connecting;        /* a handshake under way, or waiting for its turn */
  gboolean waiting;           /* for its turn */
  char *host;                 /* what the worker counts its handshake against */
  SoupWebsocketConnection *ws;
  gboolean ending;           /* our close handshake is under way */
  GError *ws_error;          /* libsoup's last "error" on it */

  /* Where messages are decoded: the socket side with a worker, the owner's
   * side without one */
  DGatewayInflater *inflater;
  gboolean broken;
  gsize unreported_wire;     /* bytes received since the last payload */
};

static void socket_end (DGatewayLink *self,
                        EndRequest    end,
                        gushort       code);

/* Items and frames */

static void
item_free (gpointer data)
{
  Item *item = data;

  g_clear_pointer (&item->event.payload, dgateway_payload_unref);
  g_clear_error (&item->event.error);
  g_clear_pointer (&item->raw, g_bytes_unref);
  g_free (item);
}

static Item *
item_new (DGatewayLinkEventType type,
          GError               *error)
{
  Item *item = g_new0 (Item, 1);

  item->event.type = type;
  item->event.error = error;
  item->cost = sizeof (Item);
  return item;
}

static void
frame_free (gpointer data)
{
  Frame *frame = data;

  g_bytes_unref (frame->frame);
  g_free (frame);
}

/* Decompresses and reads one message: a payload, an unreadable one, the
 * end of a broken stream, or NULL when the message holds only part of a
 * payload (or the stream broke before). */
static Item *
decode (DGatewayLink *self,
        int           type,
        GBytes       *message)
{
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *text = g_bytes_get_data (message, &length);
  Item *item;

  if (self->broken)
    return NULL;

  self->unreported_wire += length;
  if (self->inflater != NULL && type == SOUP_WEBSOCKET_DATA_BINARY)
    {
      const char *payload;
      gsize payload_length;

      if (!dgateway_inflater_feed (self->inflater, (const guint8 *) text, length,
                                   &payload, &payload_length, &error))
        {
          self->broken = TRUE;
          item = item_new (DGATEWAY_LINK_BROKEN, g_steal_pointer (&error));
          item->event.wire_bytes = self->unreported_wire;
          self->unreported_wire = 0;
          return item;
        }
      if (payload == NULL)
        return NULL;

      text = payload;
      length = payload_length;
    }

  item = item_new (DGATEWAY_LINK_PAYLOAD, NULL);
  if (self->options.encoding == DGATEWAY_ENCODING_ETF)
    item->event.payload = dgateway_payload_parse_etf ((const guint8 *) text, length, &error);
  else
    item->event.payload = dgateway_payload_parse (text, length, &error);
  if (item->event.payload == NULL)
    {
      item->event.type = DGATEWAY_LINK_UNREADABLE;
      item->event.error = g_steal_pointer (&error);
    }
  item->event.bytes = length;
  item->event.wire_bytes = self->unreported_wire;
  self->unreported_wire = 0;
  /* The text and about as much again of tape. */
  item->cost += 2 * length;
  return item;
}

/* The socket side */

/* Hands an item to the owner, waiting for room first on an I/O thread. */
static void
push_item (DGatewayLink *self,
           Item         *item)
{
  dgateway_mutex_lock (self->lock);
  if (self->io != NULL)
    dgateway_worker_wait_for_room (self->worker, &self->closed);
  if (self->closed)
    {
      dgateway_mutex_unlock (self->lock);
      item_free (item);
      return;
    }
  if (!self->owner_queued)
    {
      self->owner_queued = TRUE;
      dgateway_worker_ready_for_owner (self->worker, self);
    }
  g_queue_push_tail (&self->items, item);
  if (self->io != NULL)
    dgateway_worker_count_queued (self->worker, (gssize) item->cost);
  dgateway_mutex_unlock (self->lock);
}

static void
message_cb (SoupWebsocketConnection *ws,
            int                      type,
            GBytes                  *message,
            gpointer                 data)
{
  DGatewayLink *self = data;
  Item *item;

  if (self->io == NULL)
    {
      item = item_new (DGATEWAY_LINK_PAYLOAD, NULL);
      item->raw_type = type;
      item->raw = g_bytes_ref (message);
    }
  else if ((item = decode (self, type, message)) == NULL)
    return;

  push_item (self, item);
}

static void
ws_error_cb (SoupWebsocketConnection *ws,
             GError                  *error,
             gpointer                 data)
{
  DGatewayLink *self = data;

  g_clear_error (&self->ws_error);
  self->ws_error = g_error_copy (error);
}

/* The socket side is done once the owner closed the link and neither a
 * socket nor a handshake remains. */
static void
maybe_finish (DGatewayLink *self)
{
  gboolean done;

  dgateway_mutex_lock (self->lock);
  done = self->end_requested != END_NONE && self->ws == NULL && !self->connecting &&
         !self->finished;
  if (done)
    {
      self->finished = TRUE;
      /* Its thread has room for another. */
      if (self->io != NULL)
        dgateway_worker_release (self->worker, self->io);
    }
  dgateway_mutex_unlock (self->lock);

  if (done && self->io != NULL)
    dgateway_io_thread_forget (self->io, self);
}

static void
drop_socket (DGatewayLink *self)
{
  g_autoptr(SoupWebsocketConnection) ws = g_steal_pointer (&self->ws);

  if (ws != NULL)
    g_signal_handlers_disconnect_by_data (ws, self);
}

static void
closed_cb (SoupWebsocketConnection *ws,
           gpointer                 data)
{
  g_autoptr(DGatewayLink) self = dgateway_link_ref (data);

  if (!self->ending)
    {
      Item *item = item_new (DGATEWAY_LINK_CLOSED, g_steal_pointer (&self->ws_error));

      item->event.close_code = soup_websocket_connection_get_close_code (ws);
      push_item (self, item);
    }
  drop_socket (self);
  maybe_finish (self);
}

static void
attach_socket (DGatewayLink            *self,
               SoupWebsocketConnection *ws)
{
  self->ws = ws;
  soup_websocket_connection_set_max_incoming_payload_size (ws, self->options.max_payload_size);
  soup_websocket_connection_set_keepalive_interval (ws, 0);
  if (self->options.compression != DGATEWAY_COMPRESSION_NONE)
    self->inflater = dgateway_inflater_new (self->options.compression,
                                            self->options.max_payload_size);

  g_signal_connect (ws, "message", G_CALLBACK (message_cb), self);
  g_signal_connect (ws, "closed", G_CALLBACK (closed_cb), self);
  g_signal_connect (ws, "error", G_CALLBACK (ws_error_cb), self);
}

static void
connect_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr(DGatewayLink) self = data;
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *ws;
  EndRequest end;
  gushort code;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  self->connecting = FALSE;
  dgateway_worker_connect_done (self->worker, self->host);

  dgateway_mutex_lock (self->lock);
  end = self->end_requested;
  code = self->close_code;
  dgateway_mutex_unlock (self->lock);

  if (ws == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        push_item (self, item_new (DGATEWAY_LINK_FAILED, g_steal_pointer (&error)));
      maybe_finish (self);
      return;
    }

  attach_socket (self, ws);
  if (end != END_NONE)
    {
      /* The owner closed it while the handshake ended. */
      socket_end (self, end, code);
      return;
    }
  push_item (self, item_new (DGATEWAY_LINK_OPENED, NULL));
}

static void
start_connect (gpointer data)
{
  DGatewayLink *self = data;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(SoupSession) session = NULL;

  if (!self->waiting)
    {
      /* Its turn came after it ended: the turn goes to the next. */
      dgateway_worker_connect_done (self->worker, self->host);
      return;
    }

  message = g_steal_pointer (&self->options.message);
  session = g_steal_pointer (&self->options.soup_session);
  self->connecting = TRUE;
  self->waiting = FALSE;
  /* libsoup runs it on the thread-default context: the socket side's. */
  if (self->io == NULL)
    g_main_context_push_thread_default (self->owner_context);
  soup_session_websocket_connect_async (session, message, NULL, NULL, G_PRIORITY_DEFAULT,
                                        self->cancellable, connect_cb, dgateway_link_ref (self));
  if (self->io == NULL)
    g_main_context_pop_thread_default (self->owner_context);
}

/* Where the socket side runs: the handshake starts when the worker gives
 * it its turn. */
static void
request_connect (DGatewayLink *self)
{
  GUri *uri = soup_message_get_uri (self->options.message);

  /* libsoup's limit is per host and port. */
  self->host = g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
  self->connecting = TRUE;
  self->waiting = TRUE;
  dgateway_worker_connect (self->worker, self->io, self, self->host,
                           soup_session_get_max_conns_per_host (self->options.soup_session));
}

static void
send_frame (DGatewayLink *self,
            GBytes       *frame,
            gboolean      binary)
{
  gsize length;
  gconstpointer data = g_bytes_get_data (frame, &length);

  if (self->ws == NULL || soup_websocket_connection_get_state (self->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;

  if (binary)
    soup_websocket_connection_send_binary (self->ws, data, length);
  else
    soup_websocket_connection_send_text (self->ws, data);
}

static void
socket_end (DGatewayLink *self,
            EndRequest    end,
            gushort       code)
{
  g_cancellable_cancel (self->cancellable);
  if (self->waiting)
    {
      /* It never started (or its turn is on the way, and is passed on). */
      self->waiting = FALSE;
      self->connecting = FALSE;
      dgateway_worker_connect_cancel (self->worker, self, self->host);
    }

  if (self->ws != NULL)
    {
      if (end == END_CLOSE && soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        {
          /* The close handshake runs on its own; the owner's next
           * connection does not wait for a peer that may never answer. */
          self->ending = TRUE;
          g_signal_handlers_disconnect_by_func (self->ws, message_cb, self);
          soup_websocket_connection_close (self->ws, code, NULL);
        }
      else if (end == END_ABORT || soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_CLOSED)
        {
          /* Dropped without waiting, but still with the close code that
           * tells the gateway whether the session goes on. */
          if (code != 0 && soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
            soup_websocket_connection_close (self->ws, code, NULL);
          drop_socket (self);
        }
      else
        self->ending = TRUE;   /* closing already: "closed" comes */
    }
  maybe_finish (self);
}

/* Stops everything when the worker stops. */
static void
socket_abort (gpointer data,
              gpointer unused)
{
  g_autoptr(DGatewayLink) self = dgateway_link_ref (data);
  gushort code;

  dgateway_mutex_lock (self->lock);
  self->end_requested = END_ABORT;
  code = self->close_code;
  dgateway_mutex_unlock (self->lock);
  /* With the code of the owner's close, if it asked for one. */
  socket_end (self, END_ABORT, code);
}

/* On the link's I/O thread: what the owner asked for. */
static void
socket_dispatch (gpointer data)
{
  g_autoptr(DGatewayLink) self = dgateway_link_ref (data);
  GQueue frames = G_QUEUE_INIT;
  gboolean connect;
  gboolean stopping;
  EndRequest end;
  gushort code;
  Frame *frame;

  dgateway_mutex_lock (self->lock);
  connect = self->connect_requested;
  self->connect_requested = FALSE;
  frames = self->outbox;
  g_queue_init (&self->outbox);
  end = self->end_requested;
  code = self->close_code;
  stopping = dgateway_worker_is_stopping (self->worker);
  self->socket_queued = FALSE;
  dgateway_mutex_unlock (self->lock);

  if (connect && end == END_NONE && !stopping)
    {
      /* From now on the thread ends it if the worker stops first. */
      dgateway_io_thread_track (self->io, self, socket_abort);
      request_connect (self);
    }
  while ((frame = g_queue_pop_head (&frames)) != NULL)
    {
      send_frame (self, frame->frame, frame->binary);
      frame_free (frame);
    }
  if (end != END_NONE)
    socket_end (self, end, code);
}

/* The owner's side */

/* What happened, in order, until @deadline: whether some is left. */
static gboolean
owner_dispatch (gpointer data,
                gint64   deadline)
{
  g_autoptr(DGatewayLink) self = dgateway_link_ref (data);

  do
    {
      Item *item;

      dgateway_mutex_lock (self->lock);
      item = g_queue_pop_head (&self->items);
      if (item != NULL && self->io != NULL)
        dgateway_worker_count_queued (self->worker, -(gssize) item->cost);
      if (item == NULL || self->owner_closed)
        self->owner_queued = FALSE;
      dgateway_mutex_unlock (self->lock);
      if (item == NULL)
        return FALSE;
      if (self->owner_closed)
        {
          item_free (item);
          return FALSE;
        }

      if (item->raw != NULL)
        {
          Item *decoded = decode (self, item->raw_type, item->raw);

          item_free (item);
          if ((item = decoded) == NULL)
            continue;
        }

      switch (item->event.type)
        {
        case DGATEWAY_LINK_OPENED:
          self->open = TRUE;
          break;
        case DGATEWAY_LINK_FAILED:
        case DGATEWAY_LINK_BROKEN:
        case DGATEWAY_LINK_CLOSED:
          self->open = FALSE;
          break;
        default:
          break;
        }
      self->dispatching = TRUE;
      self->func (&item->event, self->user_data);
      self->dispatching = FALSE;
      item_free (item);

      /* Closed by what it was told: nothing more for it. */
      if (self->owner_closed)
        return FALSE;
    }
  while (g_get_monotonic_time () < deadline);

  return TRUE;
}

/* Ends the owner's side and asks the socket side for @end. */
static void
owner_end (DGatewayLink *self,
           EndRequest    end,
           gushort       code)
{
  GQueue items;
  gboolean unqueued = FALSE;

  self->owner_closed = TRUE;
  self->open = FALSE;

  dgateway_mutex_lock (self->lock);
  self->closed = TRUE;
  /* Nothing more for the owner: the worker's queue lets it go now, rather
   * than when its source next runs (which may be never, when the
   * application stops its main loop). */
  if (self->owner_queued && !self->dispatching)
    {
      unqueued = dgateway_worker_unready_for_owner (self->worker, self);
      self->owner_queued = !unqueued;
    }
  items = self->items;
  g_queue_init (&self->items);
  if (self->io != NULL)
    {
      for (GList *l = items.head; l != NULL; l = l->next)
        dgateway_worker_count_queued (self->worker, -(gssize) ((Item *) l->data)->cost);
      /* A read waiting for room stops waiting. */
      dgateway_worker_wake (self->worker);
    }
  /* An abort after a close keeps the close's code. */
  if (self->end_requested == END_NONE)
    self->close_code = code;
  if (self->end_requested != END_ABORT)
    self->end_requested = end;
  if (self->io != NULL && !self->finished && !self->socket_queued)
    {
      self->socket_queued = TRUE;
      dgateway_worker_ready_for_socket (self->worker, self->io, self);
    }
  dgateway_mutex_unlock (self->lock);

  g_queue_clear_full (&items, item_free);
  if (self->io == NULL)
    socket_end (self, end, self->close_code);
  if (unqueued)
    dgateway_link_unref (self);
}

/* API */

DGatewayLink *
dgateway_link_open (const DGatewayLinkOptions *options,
                    GMainContext              *owner_context,
                    DGatewayWorker            *worker,
                    DGatewayLinkFunc           func,
                    gpointer                   user_data)
{
  DGatewayLink *self = g_new0 (DGatewayLink, 1);

  self->ref_count = 1;
  self->io = dgateway_worker_attach (worker);
  self->worker = self->io != NULL ? worker : dgateway_worker_ref (worker);
  self->lock = dgateway_worker_get_lock (worker);
  self->owner_context = g_main_context_ref (owner_context);
  self->options = *options;
  self->options.message = g_object_ref (options->message);
  self->options.soup_session = g_object_ref (options->soup_session);
  self->func = func;
  self->user_data = user_data;
  self->cancellable = g_cancellable_new ();
  g_queue_init (&self->items);
  g_queue_init (&self->outbox);

  if (self->io != NULL)
    {
      /* Everything above is written before the thread can see it: the
       * lock orders it. */
      dgateway_mutex_lock (self->lock);
      self->connect_requested = TRUE;
      self->socket_queued = TRUE;
      dgateway_worker_ready_for_socket (worker, self->io, self);
      dgateway_mutex_unlock (self->lock);
    }
  else
    request_connect (self);

  return self;
}

DGatewayLink *
dgateway_link_ref (DGatewayLink *self)
{
  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
dgateway_link_unref (DGatewayLink *self)
{
  if (!g_atomic_int_dec_and_test (&self->ref_count))
    return;

  g_queue_clear_full (&self->items, item_free);
  g_queue_clear_full (&self->outbox, frame_free);
  drop_socket (self);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->inflater, dgateway_inflater_free);
  g_clear_error (&self->ws_error);
  g_free (self->host);
  g_clear_object (&self->options.message);
  g_clear_object (&self->options.soup_session);
  g_main_context_unref (self->owner_context);
  if (self->io == NULL)
    dgateway_worker_unref (self->worker);
  g_free (self);
}

gboolean
dgateway_link_is_open (DGatewayLink *self)
{
  return self->open;
}

void
dgateway_link_send (DGatewayLink *self,
                    GBytes       *frame,
                    gboolean      binary)
{
  gconstpointer data;
  gsize length;
  Frame *queued;

  if (!self->open)
    return;

  if (self->io == NULL)
    {
      send_frame (self, frame, binary);
      return;
    }

  /* A copy of its own (a frame is at most 4 kB): the worker frees it, and
   * no reference crosses threads through GBytes' atomic count, which
   * ThreadSanitizer cannot see. Text keeps its NUL. */
  data = g_bytes_get_data (frame, &length);
  queued = g_new (Frame, 1);
  queued->frame = g_bytes_new (data, binary ? length : length + 1);
  queued->binary = binary;
  dgateway_mutex_lock (self->lock);
  if (self->finished)
    {
      /* The worker stopped and ended the socket: nothing goes out. */
      dgateway_mutex_unlock (self->lock);
      frame_free (queued);
      return;
    }
  if (!self->socket_queued)
    {
      self->socket_queued = TRUE;
      dgateway_worker_ready_for_socket (self->worker, self->io, self);
    }
  g_queue_push_tail (&self->outbox, queued);
  dgateway_mutex_unlock (self->lock);
}

void
dgateway_link_close (DGatewayLink *self,
                     gushort       code)
{
  if (!self->owner_closed)
    owner_end (self, END_CLOSE, code);
}

void
dgateway_link_abort (DGatewayLink *self)
{
  owner_end (self, END_ABORT, 0);
}

gboolean
dgateway_link_is_finished (DGatewayLink *self)
{
  gboolean finished;

  dgateway_mutex_lock (self->lock);
  finished = self->finished;
  dgateway_mutex_unlock (self->lock);
  return finished;
}

static gpointer
link_ref (gpointer link)
{
  return dgateway_link_ref (link);
}

static void
link_unref (gpointer link)
{
  dgateway_link_unref (link);
}

static const DGatewayWorkerFuncs link_worker_funcs = {
  .owner_dispatch = owner_dispatch,
  .socket_dispatch = socket_dispatch,
  .start_connect = start_connect,
  .ref = link_ref,
  .unref = link_unref,
};

DGatewayWorker *
dgateway_link_worker_new (GMainContext *owner_context,
                          gboolean      threaded,
                          gsize         max_queued)
{
  return dgateway_worker_new (owner_context, threaded, max_queued, &link_worker_funcs);
}
