/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "dgateway-object.h"
#include "dgateway-object-list.h"
#include "dgateway-payload-private.h"

G_BEGIN_DECLS

/* Views: a DGatewayObject reads one JSON object of a payload, through the
 * DGatewayValue accessors only, so the document behind them can change
 * without touching the generated code. A view holds a payload reference
 * and a borrowed value inside it. */
DGatewayObject      *dgateway_object_new_view         (GType                type,
                                                       DGatewayPayload     *payload,
                                                       const DGatewayValue *value) G_GNUC_WARN_UNUSED_RESULT;
GListModel          *dgateway_object_list_new         (GType                item_type,
                                                       DGatewayPayload     *payload,
                                                       const DGatewayValue *array) G_GNUC_WARN_UNUSED_RESULT;

/* What the generated getters call: one function per kind of member. A
 * missing member, `null` or a value of another JSON type reads as the
 * default (NULL, 0, FALSE), never with a warning; the _or_empty, _view,
 * list, strv and int_array readers never return NULL.
 *
 * The read_ functions that return a pointer cache what they build in
 * @slot, a small per-class index the generator assigns, so that a getter
 * called twice returns the same object. */
const char          *dgateway_object_read_string      (DGatewayObject      *self,
                                                       const char          *member);
const char          *dgateway_object_read_string_or_empty (DGatewayObject  *self,
                                                           const char      *member);
gboolean             dgateway_object_holds            (DGatewayObject      *self,
                                                       const char          *member,
                                                       DGatewayValueType    type);
gint64               dgateway_object_read_int         (DGatewayObject      *self,
                                                       const char          *member);
int                  dgateway_object_read_enum_nick   (DGatewayObject      *self,
                                                       const char          *member,
                                                       GType                enum_type,
                                                       int                  missing);
double               dgateway_object_read_double      (DGatewayObject      *self,
                                                       const char          *member);
gboolean             dgateway_object_read_bool        (DGatewayObject      *self,
                                                       const char          *member);
gpointer             dgateway_object_read_object      (DGatewayObject      *self,
                                                       guint                slot,
                                                       const char          *member,
                                                       GType                type);
gpointer             dgateway_object_read_view        (DGatewayObject      *self,
                                                       guint                slot,
                                                       const char          *member,
                                                       GType                type);
GListModel          *dgateway_object_read_list        (DGatewayObject      *self,
                                                       guint                slot,
                                                       const char          *member,
                                                       GType                item_type);
const char * const  *dgateway_object_read_strv        (DGatewayObject      *self,
                                                       guint                slot,
                                                       const char          *member);
GDateTime           *dgateway_object_read_date_time   (DGatewayObject      *self,
                                                       guint                slot,
                                                       const char          *member);
GDateTime           *dgateway_object_read_unix_time   (DGatewayObject      *self,
                                                       guint                slot,
                                                       const char          *member,
                                                       GTimeSpan            unit);
GVariant            *dgateway_object_read_int_array   (DGatewayObject      *self,
                                                       guint                slot,
                                                       const char          *member);
GVariant            *dgateway_object_read_variant     (DGatewayObject      *self,
                                                       guint                slot,
                                                       const char          *member);
JsonNode            *dgateway_object_read_json        (DGatewayObject      *self,
                                                       guint                slot,
                                                       const char          *member);
JsonNode            *dgateway_object_read_map         (DGatewayObject      *self,
                                                       guint                slot,
                                                       const char          *member);
gpointer             dgateway_object_lookup_object    (DGatewayObject      *self,
                                                       guint                slot,
                                                       const char          *member,
                                                       const char          *key,
                                                       GType                type);
const char          *dgateway_object_lookup_string    (DGatewayObject      *self,
                                                       const char          *member,
                                                       const char          *key);

/* Test-only: how many views were built so far, to prove that events nobody
 * listens to build none. */
guint                dgateway_object_get_n_views_for_tests (void);

G_END_DECLS
