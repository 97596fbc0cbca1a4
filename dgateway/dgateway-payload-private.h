/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * DGatewayPayload:
 *
 * One received Gateway payload, parsed once and immutable afterwards.
 *
 * This is the single seam between the library and its JSON document: the
 * shard reads the envelope (`op`, `s`, `t`) from it, events hand out `d`
 * through it, and nothing else in the library parses Gateway JSON. A faster
 * document can replace json-glib here without touching the callers.
 */
typedef struct _DGatewayPayload DGatewayPayload;

DGatewayPayload *dgateway_payload_parse    (const char       *text,
                                            gsize             length,
                                            GError          **error);
DGatewayPayload *dgateway_payload_ref      (DGatewayPayload  *self);
void             dgateway_payload_unref    (DGatewayPayload  *self);
int              dgateway_payload_get_op   (DGatewayPayload  *self);
gint64           dgateway_payload_get_seq  (DGatewayPayload  *self);
const char      *dgateway_payload_get_name (DGatewayPayload  *self);
JsonNode        *dgateway_payload_get_data (DGatewayPayload  *self);
char            *dgateway_payload_dup_data_json (DGatewayPayload *self);

/* Type-safe member accessors: a missing member or one of another JSON type
 * reads as the default, never as a critical warning. */
const char      *dgateway_json_get_string  (JsonNode         *object_node,
                                            const char       *key);
gint64           dgateway_json_get_int     (JsonNode         *object_node,
                                            const char       *key,
                                            gint64            default_value);
gboolean         dgateway_json_get_bool    (JsonNode         *node,
                                            gboolean          default_value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DGatewayPayload, dgateway_payload_unref)

G_END_DECLS
