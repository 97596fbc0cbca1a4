/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * DGatewayWorker:
 *
 * A thread with a GMainContext of its own, where the WebSockets of a
 * client's shards run: their reads, decompression and parsing
 * (dgateway-link.c). The application's context then only receives decoded
 * payloads.
 *
 * The worker also bounds what waits for the application: every payload
 * decoded and not yet handled counts against @max_queued bytes, and once
 * they are over it the worker stops reading (its thread waits), so that
 * TCP pushes back on the gateway instead of memory growing without limit.
 * One lock guards that count and every link's queues.
 *
 * A worker is made and unreferenced on the application's thread; the last
 * unref stops the thread, ends what its links still have open, and joins
 * it. Nothing running on the worker holds a reference on it.
 */
typedef struct _DGatewayWorker DGatewayWorker;

DGatewayWorker *dgateway_worker_new         (gsize           max_queued);
DGatewayWorker *dgateway_worker_ref         (DGatewayWorker *self);
void            dgateway_worker_unref       (DGatewayWorker *self);
GMainContext   *dgateway_worker_get_context (DGatewayWorker *self);

/* The lock of every queue between this worker and the application. */
GMutex         *dgateway_worker_get_lock    (DGatewayWorker *self);

/* With the lock held: waits, on the worker's thread, while what is queued
 * for the application is over the limit, unless the worker stops or
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

/* On the worker's thread: what to end when the worker stops. @abort is
 * called on the worker's thread with @data; it must drop the socket and
 * then call dgateway_worker_forget(). */
void            dgateway_worker_track  (DGatewayWorker *self,
                                        gpointer        data,
                                        GFunc           abort);
void            dgateway_worker_forget (DGatewayWorker *self,
                                        gpointer        data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DGatewayWorker, dgateway_worker_unref)

G_END_DECLS
