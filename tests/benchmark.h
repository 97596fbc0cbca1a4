/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* benchmark.c: the mock gateway with a recording of --events events of
 * @mix, or with --events MESSAGE_CREATEs at @rate a second, and the
 * machine line that heads every table. */
GSubprocess  *start_gateway               (const char  *mix,
                                           char       **url,
                                           GError     **error);
GSubprocess  *start_paced_gateway         (int          rate,
                                           char       **url,
                                           GError     **error);
void          stop_gateway                (GSubprocess *gateway);
void          print_header                (void);

/* bench-bindings.c: --mode bindings. */
GOptionGroup *bench_bindings_option_group (void);
int           bench_bindings_run          (int          n_events,
                                           int          n_runs);

G_END_DECLS
