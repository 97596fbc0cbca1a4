/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <dgateway-testing.h>

G_DEFINE_BOXED_TYPE (DGatewayMockFrame, dgateway_mock_frame,
                     dgateway_mock_frame_copy, dgateway_mock_frame_free)

/**
 * dgateway_mock_frame_copy:
 * @self: a frame
 *
 * Copies a frame; the copy shares the immutable `d` node.
 *
 * Returns: (transfer full): the copy
 */
DGatewayMockFrame *
dgateway_mock_frame_copy (const DGatewayMockFrame *self)
{
  DGatewayMockFrame *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new (DGatewayMockFrame, 1);
  *copy = *self;
  copy->text = g_strdup (self->text);
  copy->d = self->d != NULL ? json_node_ref (self->d) : NULL;
  return copy;
}

/**
 * dgateway_mock_frame_free:
 * @self: (transfer full): a frame
 *
 * Frees a frame from [method@MockFrame.copy].  Frames that the gateway
 * hands out belong to it.
 */
void
dgateway_mock_frame_free (DGatewayMockFrame *self)
{
  if (self == NULL)
    return;

  g_free (self->text);
  g_clear_pointer (&self->d, json_node_unref);
  g_free (self);
}

/**
 * dgateway_mock_frame_get_time:
 * @self: a frame
 *
 * Gets when the frame arrived.
 *
 * Returns: the monotonic time, in µs, from g_get_monotonic_time()
 */
gint64
dgateway_mock_frame_get_time (const DGatewayMockFrame *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->time;
}

/**
 * dgateway_mock_frame_get_connection:
 * @self: a frame
 *
 * Gets the connection the frame came on.
 *
 * Returns: its 1-based index, in the order connections opened
 */
guint
dgateway_mock_frame_get_connection (const DGatewayMockFrame *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->connection;
}

/**
 * dgateway_mock_frame_get_on_resume_path:
 * @self: a frame
 *
 * Gets whether the frame came on a connection opened on the resume URL.
 *
 * Returns: `TRUE` for a connection to [method@MockGateway.get_resume_url]
 */
gboolean
dgateway_mock_frame_get_on_resume_path (const DGatewayMockFrame *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->on_resume_path;
}

/**
 * dgateway_mock_frame_get_op:
 * @self: a frame
 *
 * Gets the opcode of the frame: 1 heartbeat, 2 identify, 3 presence update,
 * 4 voice state update, 6 resume, 8 request guild members, and so on.
 *
 * Returns: the opcode, or -1 if the frame was not a JSON object with an
 *   integer `op`
 */
int
dgateway_mock_frame_get_op (const DGatewayMockFrame *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->op;
}

/**
 * dgateway_mock_frame_get_text:
 * @self: a frame
 *
 * Gets the frame as the client sent it.
 *
 * Returns: (transfer none): the text
 */
const char *
dgateway_mock_frame_get_text (const DGatewayMockFrame *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->text;
}

/**
 * dgateway_mock_frame_get_d:
 * @self: a frame
 *
 * Gets the payload of the frame, its `d` member.
 *
 * Returns: (transfer none) (nullable): the immutable node, or `NULL` if the
 *   frame had no `d`
 */
JsonNode *
dgateway_mock_frame_get_d (const DGatewayMockFrame *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->d;
}

/**
 * dgateway_mock_frame_dup_d_json:
 * @self: a frame
 *
 * Gets the payload of the frame, its `d` member, as JSON text: handy where
 * parsing JSON is easier than walking a [struct@Json.Node].
 *
 * Returns: (transfer full) (nullable): the JSON text, or `NULL` if the
 *   frame had no `d`
 */
char *
dgateway_mock_frame_dup_d_json (const DGatewayMockFrame *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->d != NULL ? json_to_string (self->d, FALSE) : NULL;
}
