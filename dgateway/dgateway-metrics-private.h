/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <glib-object.h>

#include "dgateway-types.h"

G_BEGIN_DECLS

/*
 * The metrics, once: each is a property of the client, of each shard, or
 * of both, under the same name. This table drives the client's periodic
 * notifications, the a{sv} snapshot of dgateway_client_get_metrics() and
 * the D-Bus status of dgateway_client_export().
 */

typedef enum {
  DGATEWAY_METRIC_CLIENT = 1 << 0,   /* a property of the client, in its snapshot */
  DGATEWAY_METRIC_SHARD  = 1 << 1,   /* a property of each shard, in theirs */
  DGATEWAY_METRIC_DBUS   = 1 << 2,   /* a property of the D-Bus status */
  DGATEWAY_METRIC_TICK   = 1 << 3,   /* moves with events: the client notifies
                                      * it from its metrics timer */
} DGatewayMetricFlags;

typedef struct {
  const char *name;                  /* the property, the snapshot key, and
                                      * the D-Bus status's property */
  const char *variant_type;          /* how it appears in a{sv} and on D-Bus */
  DGatewayMetricFlags flags;
} DGatewayMetric;

const DGatewayMetric *dgateway_metrics_get_table  (guint                *n_metrics);
const char           *dgateway_state_get_nick     (DGatewayState         state);

/* Reads @metric of @object (a client or a shard) as a variant of the
 * metric's type, the state as its nick (transfer full, never floating). */
GVariant             *dgateway_metric_read        (const DGatewayMetric *metric,
                                                   GObject              *object);
/* The snapshot of @object: every metric with @scope, as a{sv} entries
 * added to @dict. */
void                  dgateway_metrics_add_to_dict (GVariantDict        *dict,
                                                    GObject             *object,
                                                    DGatewayMetricFlags  scope);

G_END_DECLS
