/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What tests/benchmark.c shares with the modes compiled into the same
 * dgateway-benchmark program (--mode): the mock gateway, the children, the
 * best of --runs runs and the machine note. */

#pragma once

#include <dgateway/dgateway.h>

G_BEGIN_DECLS

/* --runs and --gateway (the latter set to the built mock when not given). */
extern int n_runs;
extern char *gateway_path;

/* The client of one run in a child, with its main loop: the handlers
 * connected to it take the ChildRun, or a struct that starts with it, as
 * their data. */
typedef struct {
  GMainLoop      *loop;
  DGatewayClient *client;
  GError         *error;
  guint           timeout_id;
  gboolean        finished;
} ChildRun;

/* One run into result; returns whether it succeeded. */
typedef gboolean (*BenchRunFunc) (gpointer result,
                                  gpointer user_data);

gint64       cpu_time_us   (void);
long         peak_rss_kib  (void);

GSubprocess *start_gateway (const char *const  *args,
                            char              **url,
                            GError            **error);
void         stop_gateway  (GSubprocess        *gateway);
char        *run_to_end    (const char *const  *argv,
                            GError            **error);
gsize        best_of_runs  (gpointer            runs,
                            gsize               size,
                            BenchRunFunc        run,
                            GCompareFunc        compare,
                            gpointer            user_data);
void         print_header  (void);

/* The mock with a recording of --events events of @mix, streamed as fast
 * as the client reads, or --events MESSAGE_CREATEs at @rate a second. */
GSubprocess *start_mix_gateway   (const char  *mix,
                                  char       **url,
                                  GError     **error);
GSubprocess *start_paced_gateway (int          rate,
                                  char       **url,
                                  GError     **error);

void         child_run_init    (ChildRun       *run,
                                DGatewayClient *client);
void         child_run_connect (ChildRun       *run);
void         child_run_finish  (ChildRun       *run);
void         child_run_fail    (ChildRun       *run,
                                GError         *error);
int          child_run_end     (ChildRun       *run);

/* tests/bench-bindings.c: --mode bindings */
GOptionGroup *bench_bindings_option_group (void);
int           bench_bindings_run          (int          n_events,
                                           int          runs);

/* tests/bench-ui-stall.c */
GOptionGroup *ui_stall_option_group (void);
int           ui_stall_main         (const char  *self_path,
                                     gboolean     run,
                                     int          argc,
                                     char       **argv);

G_END_DECLS
