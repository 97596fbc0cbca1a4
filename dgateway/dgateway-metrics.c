/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-enum-types.h"
#include "dgateway-metrics-private.h"

#include <gio/gio.h>

#define C DGATEWAY_METRIC_CLIENT
#define S DGATEWAY_METRIC_SHARD
#define D DGATEWAY_METRIC_DBUS
#define T DGATEWAY_METRIC_TICK

static const DGatewayMetric metrics[] = {
  { "shard-id",           "u", S },
  { "state",              "s", C | S | D },
  { "latency",            "x", C | S | D },
  { "uptime",             "x", C | S | D },
  { "events-received",    "t", C | S | D | T },
  { "bytes-received",     "t", C | S | D | T },
  { "bytes-decompressed", "t", C | S | T },
  { "compression-ratio",  "d", C | D | T },
  { "events-per-second",  "d", C | S | D | T },
  { "reconnect-count",    "u", C | S | D },
  { "missed-heartbeats",  "u", C | S | D },
  { "events-lost",        "t", C | S },
  { "sequence",           "x", S | T },
};

#undef C
#undef S
#undef D
#undef T

const DGatewayMetric *
dgateway_metrics_get_table (guint *n_metrics)
{
  *n_metrics = G_N_ELEMENTS (metrics);
  return metrics;
}

const char *
dgateway_state_get_nick (DGatewayState state)
{
  GEnumClass *klass = g_type_class_ref (DGATEWAY_TYPE_STATE);
  GEnumValue *value = g_enum_get_value (klass, state);

  /* The class of a static enum type lives as long as the process, so its
   * strings stay valid after this unref. */
  g_type_class_unref (klass);
  return value != NULL ? value->value_nick : "unknown";
}

GVariant *
dgateway_metric_read (const DGatewayMetric *metric,
                      GObject              *object)
{
  g_auto(GValue) value = G_VALUE_INIT;
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), metric->name);

  g_assert (pspec != NULL);
  g_value_init (&value, pspec->value_type);
  g_object_get_property (object, metric->name, &value);

  if (G_VALUE_HOLDS_ENUM (&value))
    return g_variant_ref_sink (g_variant_new_string (dgateway_state_get_nick (g_value_get_enum (&value))));
  return g_dbus_gvalue_to_gvariant (&value, G_VARIANT_TYPE (metric->variant_type));
}

void
dgateway_metrics_add_to_dict (GVariantDict        *dict,
                              GObject             *object,
                              DGatewayMetricFlags  scope)
{
  for (guint i = 0; i < G_N_ELEMENTS (metrics); i++)
    if (metrics[i].flags & scope)
      {
        g_autoptr(GVariant) value = dgateway_metric_read (&metrics[i], object);

        g_variant_dict_insert_value (dict, metrics[i].name, value);
      }
}
