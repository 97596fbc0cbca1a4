/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * DGatewayWorker:
 *
 * Where a client's links (dgateway-link.c) run, and how they reach the
 * application: one per client and setting of DGatewayClient:io-thread.
 *
 * On the application's side, the worker has one source on the owner's
 * context for every link: a link with something for its owner joins the
 * worker's queue of ready links, and the source serves them in turn, a
 * millisecond's worth per dispatch. A main loop with thousands of shards
 * thus walks one source for them, not one per shard.
 *
 * When threaded, the sockets run on I/O threads, each with a GMainContext
 * of its own and at most DGATEWAY_WORKER_LINKS_PER_THREAD links: GLib walks
 * every source and socket of a context on each of its wake-ups, so a
 * thread serving a bounded number of sockets keeps the cost of an event
 * flat however many shards the client has. A thread is started when every
 * thread is full, and links go to the least loaded one. Each thread has
 * one source for every request of its links (frames to send, a connection
 * to make or end). Without threads, the socket side runs on the owner's
 * context.
 *
 * The worker also bounds what waits for the application: every payload
 * decoded and not yet handled counts against @max_queued bytes, and once
 * they are over it the I/O threads stop reading (they wait), so that TCP
 * pushes back on the gateway instead of memory growing without limit. One
 * lock guards that count, both queues of ready links and every link's
 * queues.
 *
 * A worker is made and unreferenced on the application's thread; the last
 * unref stops its threads, ends what their links still have open, and
 * joins them. Nothing running on an I/O thread holds a reference on it.
 */
typedef struct _DGatewayWorker DGatewayWorker;

/* One I/O thread of a worker; it lives as long as the worker. */
typedef struct _DGatewayIoThread DGatewayIoThread;

#define DGATEWAY_WORKER_LINKS_PER_THREAD 32

/* What the worker's queues call. @owner_dispatch runs on the owner's
 * context, handles what the link has for its owner until @deadline
 * (monotonic time) and returns whether some is left; @socket_dispatch
 * runs on the link's I/O thread. The queues hold a reference on each link
 * they hold, taken and dropped with @ref and @unref. */
typedef struct {
  gboolean (*owner_dispatch)  (gpointer link,
                               gint64   deadline);
  void     (*socket_dispatch) (gpointer link);
  void     (*start_connect)   (gpointer link);
  gpointer (*ref)             (gpointer link);
  void     (*unref)           (gpointer link);
} DGatewayWorkerFuncs;

DGatewayWorker *dgateway_worker_new         (GMainContext              *owner_context,
                                             gboolean                   threaded,
                                             gsize                      max_queued,
                                             const DGatewayWorkerFuncs *funcs);
DGatewayWorker *dgateway_worker_ref         (DGatewayWorker *self);
void            dgateway_worker_unref       (DGatewayWorker *self);
gboolean        dgateway_worker_is_threaded (DGatewayWorker *self);
GMainContext   *dgateway_worker_get_owner_context (DGatewayWorker *self);

/* The lock of every queue between the I/O threads and the application. */
GMutex         *dgateway_worker_get_lock    (DGatewayWorker *self);

/* On the owner's thread: the I/O thread for a new link, or NULL without
 * threads. The link counts against the thread until
 * dgateway_worker_release(), with the lock held, when its socket is gone. */
DGatewayIoThread *dgateway_worker_attach    (DGatewayWorker   *self);
void            dgateway_worker_release     (DGatewayWorker   *self,
                                             DGatewayIoThread *thread);

/* With the lock held: @link has something for its owner, and is not in
 * the owner's queue yet (the link keeps that flag). */
void            dgateway_worker_ready_for_owner  (DGatewayWorker   *self,
                                                  gpointer          link);
/* With the lock held: @link, closed, leaves the owner's queue; whether it
 * was there (then the caller drops the queue's reference, after the
 * lock). */
gboolean        dgateway_worker_unready_for_owner (DGatewayWorker *self,
                                                   gpointer        link);
/* With the lock held: @link has a request for its socket side on
 * @thread, and is not in that thread's queue yet. */
void            dgateway_worker_ready_for_socket (DGatewayWorker   *self,
                                                  DGatewayIoThread *thread,
                                                  gpointer          link);

/* With the lock held: waits, on an I/O thread, while what is queued for
 * the application is over the limit, unless the worker stops or
 * *@cancelled becomes true (checked under the lock). */
void            dgateway_worker_wait_for_room (DGatewayWorker *self,
                                               const gboolean *cancelled);
/* With the lock held: @bytes more, or fewer, wait for the application. */
void            dgateway_worker_count_queued  (DGatewayWorker *self,
                                               gssize          bytes);
/* With the lock held: the most that ever waited, for tests. */
gsize           dgateway_worker_get_peak_queued (DGatewayWorker *self);
/* With the lock held: whether the worker is stopping. */
gboolean        dgateway_worker_is_stopping   (DGatewayWorker *self);
/* With the lock held: wakes every waiter, when what it waits on changed. */
void            dgateway_worker_wake          (DGatewayWorker *self);

/* On @thread: what to end when the worker stops. @abort is called on the
 * thread with @data; it must drop the socket and then call
 * dgateway_io_thread_forget(). */
void            dgateway_io_thread_track  (DGatewayIoThread *thread,
                                           gpointer          data,
                                           GFunc             abort);
void            dgateway_io_thread_forget (DGatewayIoThread *thread,
                                           gpointer          data);

/* Starts @link's handshake to @host (funcs.start_connect) now, or once
 * another handshake of the worker to @host ended, on @link's I/O thread
 * @thread (or, with NULL, on the owner's thread, from
 * dgateway_worker_connect_done()), with at most @limit to @host under way
 * at once. libsoup walks every request waiting in a session whenever one
 * moves on, and it runs only so many handshakes to one host at a time
 * (SoupSession:max-conns-per-host): thousands of shards handed to it at
 * once would cost time in proportion to their number at every step. */
void            dgateway_worker_connect        (DGatewayWorker   *self,
                                                DGatewayIoThread *thread,
                                                gpointer          link,
                                                const char       *host,
                                                guint             limit);
/* Where the link's socket side runs: a handshake to @host started through
 * the worker ended; the next one starts. */
void            dgateway_worker_connect_done   (DGatewayWorker   *self,
                                                const char       *host);
/* Where the link's socket side runs: @link no longer waits for its turn.
 * FALSE when its turn came already: funcs.start_connect is still called
 * for it, and must then call dgateway_worker_connect_done() instead of
 * connecting. */
gboolean        dgateway_worker_connect_cancel (DGatewayWorker   *self,
                                                gpointer          link,
                                                const char       *host);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DGatewayWorker, dgateway_worker_unref)

G_END_DECLS
