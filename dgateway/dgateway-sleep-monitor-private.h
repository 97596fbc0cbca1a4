/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * Follows logind's PrepareForSleep on the system bus and calls @woke_up
 * (on the thread-default context of dgateway_sleep_monitor_new()) each time
 * the system resumes from suspend. Without a system bus (a container, a CI
 * machine) it does nothing.
 */
typedef struct _DGatewaySleepMonitor DGatewaySleepMonitor;

DGatewaySleepMonitor *dgateway_sleep_monitor_new  (GCallback             woke_up,
                                                   gpointer              user_data);
void                  dgateway_sleep_monitor_free (DGatewaySleepMonitor *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DGatewaySleepMonitor, dgateway_sleep_monitor_free)

G_END_DECLS
