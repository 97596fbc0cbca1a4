/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(DGATEWAY_TESTING_INSIDE) && !defined(DGATEWAY_TESTING_COMPILATION)
# error "Only <dgateway-testing.h> can be included directly."
#endif

#include <gio/gio.h>

#include <dgateway-testing-version-macros.h>

G_BEGIN_DECLS

/**
 * DGATEWAY_MOCK_GATEWAY_RECORDING_DONE:
 *
 * The dispatch, with `{"events": N}`, that follows the last event of a
 * [struct@MockRecording].
 */
#define DGATEWAY_MOCK_GATEWAY_RECORDING_DONE "BENCHMARK_DONE"

#define DGATEWAY_TYPE_MOCK_RECORDING (dgateway_mock_recording_get_type ())

typedef struct _DGatewayMockRecording DGatewayMockRecording;

DGATEWAY_TESTING_AVAILABLE_IN_ALL
GType                  dgateway_mock_recording_get_type        (void) G_GNUC_CONST;

DGATEWAY_TESTING_AVAILABLE_IN_ALL
const char *const     *dgateway_mock_recording_list_mixes      (void);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
DGatewayMockRecording *dgateway_mock_recording_new             (const char             *mix,
                                                                guint                   n_events,
                                                                GError                **error) G_GNUC_WARN_UNUSED_RESULT;
DGATEWAY_TESTING_AVAILABLE_IN_ALL
DGatewayMockRecording *dgateway_mock_recording_ref             (DGatewayMockRecording  *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
void                   dgateway_mock_recording_unref           (DGatewayMockRecording  *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
const char            *dgateway_mock_recording_get_mix         (DGatewayMockRecording  *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
guint                  dgateway_mock_recording_get_n_events    (DGatewayMockRecording  *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
guint64                dgateway_mock_recording_get_data_bytes  (DGatewayMockRecording  *self);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
const char            *dgateway_mock_recording_get_event_name  (DGatewayMockRecording  *self,
                                                                guint                   index);
DGATEWAY_TESTING_AVAILABLE_IN_ALL
const char            *dgateway_mock_recording_get_event_data  (DGatewayMockRecording  *self,
                                                                guint                   index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DGatewayMockRecording, dgateway_mock_recording_unref)

G_END_DECLS
