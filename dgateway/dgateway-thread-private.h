/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Locks that ThreadSanitizer understands.
 *
 * GLib's GMutex and GCond are futex calls that ThreadSanitizer does not
 * see, so it would take every handover between the application's thread
 * and the I/O worker (dgateway-worker.c) for a race. These wrappers tell
 * it what the lock orders; outside a -fsanitize=thread build they are the
 * plain GLib calls.
 */

#if defined(__SANITIZE_THREAD__)
# define DGATEWAY_TSAN 1
#elif defined(__has_feature)
# if __has_feature(thread_sanitizer)
#  define DGATEWAY_TSAN 1
# endif
#endif

#ifdef DGATEWAY_TSAN
# include <sanitizer/tsan_interface.h>
# define dgateway_tsan_acquire(address) __tsan_acquire ((void *) (address))
# define dgateway_tsan_release(address) __tsan_release ((void *) (address))
#else
# define dgateway_tsan_acquire(address) G_STMT_START { (void) (address); } G_STMT_END
# define dgateway_tsan_release(address) G_STMT_START { (void) (address); } G_STMT_END
#endif

static inline void
dgateway_mutex_lock (GMutex *mutex)
{
  g_mutex_lock (mutex);
  dgateway_tsan_acquire (mutex);
}

static inline void
dgateway_mutex_unlock (GMutex *mutex)
{
  dgateway_tsan_release (mutex);
  g_mutex_unlock (mutex);
}

static inline void
dgateway_cond_wait (GCond  *cond,
                    GMutex *mutex)
{
  dgateway_tsan_release (mutex);
  g_cond_wait (cond, mutex);
  dgateway_tsan_acquire (mutex);
}

G_END_DECLS
