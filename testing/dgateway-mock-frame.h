/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(DGATEWAY_TESTING_INSIDE) && !defined(DGATEWAY_TESTING_COMPILATION)
# error "Only <dgateway-testing.h> can be included directly."
#endif

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include <dgateway-testing-version-macros.h>

G_BEGIN_DECLS

#define DGATEWAY_TYPE_MOCK_FRAME (dgateway_mock_frame_get_type ())

typedef struct _DGatewayMockFrame DGatewayMockFrame;

/**
 * DGatewayMockFrame:
 * @time: the monotonic time it arrived, from g_get_monotonic_time()
 * @connection: the 1-based index of the WebSocket connection it came on
 * @on_resume_path: whether that connection was opened on the resume URL
 * @op: its opcode, or -1 if it was not a JSON object with an integer `op`
 * @text: the frame as it was received; with `encoding=etf`, the JSON form
 *   of its term (or its bytes, if it was not one)
 * @d: (nullable): its `d` member, or `NULL` if it had none
 *
 * One frame a client sent to a [class@MockGateway], as recorded.
 *
 * The fields are read-only; bindings also have the getters, such as
 * [method@MockFrame.get_op].
 */
struct _DGatewayMockFrame
{
  gint64    time;
  guint     connection;
  gboolean  on_resume_path;
  int       op;
  char     *text;
  JsonNode *d;
};

DGATEWAY_TESTING_AVAILABLE_IN_ALL
GType              dgateway_mock_frame_get_type           (void) G_GNUC_CONST;

DGATEWAY_TESTING_AVAILABLE_IN_ALL
DGatewayMockFrame *dgateway_mock_frame_copy               (const DGatewayMockFrame *self) G_GNUC_WARN_UNUSED_RESULT;
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void               dgateway_mock_frame_free               (DGatewayMockFrame       *self);

DGATEWAY_TESTING_AVAILABLE_IN_ALL
gint64             dgateway_mock_frame_get_time           (const DGatewayMockFrame *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
guint              dgateway_mock_frame_get_connection     (const DGatewayMockFrame *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
gboolean           dgateway_mock_frame_get_on_resume_path (const DGatewayMockFrame *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
int                dgateway_mock_frame_get_op             (const DGatewayMockFrame *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
const char        *dgateway_mock_frame_get_text           (const DGatewayMockFrame *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
JsonNode          *dgateway_mock_frame_get_d              (const DGatewayMockFrame *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
char              *dgateway_mock_frame_dup_d_json         (const DGatewayMockFrame *self) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DGatewayMockFrame, dgateway_mock_frame_free)

G_END_DECLS
