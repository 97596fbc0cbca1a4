/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * DGatewayPayload:
 *
 * One received Gateway payload, parsed once and immutable afterwards,
 * shared by reference between the shard, the event, typed views and the
 * application.
 *
 * This is the single seam between the library and its JSON document: the
 * shard reads the envelope (`op`, `s`, `t`) from it, typed getters and
 * events read `d` through the DGatewayValue accessors below, and nothing
 * else in the library parses Gateway JSON. The document behind it can
 * change (a flat tape of our own, dgateway-json.c) without touching the
 * callers. dgateway_payload_parse() reads JSON text (`encoding=json`),
 * dgateway_payload_parse_etf() one external term (`encoding=etf`,
 * dgateway-etf-private.h): both make the same document, so nothing above
 * them needs to know which encoding the connection uses.
 */
typedef struct _DGatewayPayload DGatewayPayload;

/*
 * DGatewayValue:
 *
 * A borrowed handle on one JSON value inside a payload's document. It stays
 * valid as long as the payload's document does: for the life of the
 * payload if it was never emitted or was kept, until the end of its
 * emission otherwise; holders keep a payload reference and check
 * dgateway_payload_check_released() before they read.
 * Every accessor accepts NULL (a missing member) and values of the wrong
 * JSON type, and answers with the default: never a critical warning.
 */
typedef struct _DGatewayValue DGatewayValue;

typedef enum {
  DGATEWAY_VALUE_MISSING,
  DGATEWAY_VALUE_NULL,
  DGATEWAY_VALUE_OBJECT,
  DGATEWAY_VALUE_ARRAY,
  DGATEWAY_VALUE_STRING,
  DGATEWAY_VALUE_INT,
  DGATEWAY_VALUE_DOUBLE,
  DGATEWAY_VALUE_BOOL,
} DGatewayValueType;

DGatewayPayload     *dgateway_payload_parse          (const char          *text,
                                                      gsize                length,
                                                      GError             **error);
DGatewayPayload     *dgateway_payload_parse_etf      (const guint8        *data,
                                                      gsize                length,
                                                      GError             **error);
DGatewayPayload     *dgateway_payload_ref            (DGatewayPayload     *self);
void                 dgateway_payload_unref          (DGatewayPayload     *self);
int                  dgateway_payload_get_op         (DGatewayPayload     *self);
gint64               dgateway_payload_get_seq        (DGatewayPayload     *self);
const char          *dgateway_payload_get_name       (DGatewayPayload     *self);
const DGatewayValue *dgateway_payload_get_data       (DGatewayPayload     *self);
JsonNode            *dgateway_payload_get_data_node  (DGatewayPayload     *self);
char                *dgateway_payload_dup_data_json  (DGatewayPayload     *self);

/* The end of the emission: see dgateway-payload.c. */
void                 dgateway_payload_end_emission   (DGatewayPayload     *self,
                                                      const char          *static_name);
void                 dgateway_payload_keep           (DGatewayPayload     *self,
                                                      const char          *reader);
gboolean             dgateway_payload_check_released (DGatewayPayload     *self,
                                                      const char          *reader);

/* Test-only: the bytes of text and tape that payloads hold now, and a
 * fresh start for the warning of a late read (shown once per process). */
gsize                dgateway_payload_get_live_bytes_for_tests (void);
void                 dgateway_payload_reset_warning_for_tests  (void);

DGatewayValueType    dgateway_value_get_value_type   (const DGatewayValue *value);
const DGatewayValue *dgateway_value_get_member       (const DGatewayValue *object,
                                                      const char          *key);
guint                dgateway_value_get_length       (const DGatewayValue *array);
const DGatewayValue *dgateway_value_get_element      (const DGatewayValue *array,
                                                      guint                index);
const char          *dgateway_value_get_string       (const DGatewayValue *value);
gboolean             dgateway_value_is_integer       (const DGatewayValue *value);
gint64               dgateway_value_get_int          (const DGatewayValue *value,
                                                      gint64               default_value);
double               dgateway_value_get_double       (const DGatewayValue *value,
                                                      double               default_value);
gboolean             dgateway_value_get_bool         (const DGatewayValue *value,
                                                      gboolean             default_value);
JsonNode            *dgateway_value_to_json_node     (const DGatewayValue *value);

/* Shorthands for one member of an object. */
const char          *dgateway_value_get_member_string (const DGatewayValue *object,
                                                       const char          *key);
gint64               dgateway_value_get_member_int    (const DGatewayValue *object,
                                                       const char          *key,
                                                       gint64               default_value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DGatewayPayload, dgateway_payload_unref)

G_END_DECLS
