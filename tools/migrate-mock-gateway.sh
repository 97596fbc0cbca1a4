#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Moves C sources from the old in-tree mock gateway (tests/mock-gateway.h,
# MockGateway, mock_gateway_*) to the installed libdgateway-testing-1 API
# (<dgateway-testing.h>, DGatewayMockGateway, dgateway_mock_gateway_*).
#
#   tools/migrate-mock-gateway.sh FILE...
#
# It edits the files in place and is idempotent: running it twice, or on a
# file already migrated, changes nothing.  Renamed beyond the prefix:
#   mock_gateway_new ()              -> dgateway_mock_gateway_new (NULL)
#   mock_gateway_dispatch ()         -> dgateway_mock_gateway_send_dispatch ()
#   mock_gateway_dispatch_on ()      -> dgateway_mock_gateway_send_dispatch_to ()
#   mock_gateway_dispatch_messages () -> dgateway_mock_gateway_send_messages ()
# MockFrame keeps its fields (time, connection, on_resume_path, op, text, d).
# Build files (mock_gateway_dep, mock_gateway_exe) are not touched: use
# dgateway_testing_dep and dgateway_mock_gateway_exe from testing/meson.build.

set -eu

[ $# -gt 0 ] || { echo "usage: $0 FILE..." >&2; exit 2; }

exec sed -E -i \
  -e 's|#include "mock-gateway\.h"|#include <dgateway-testing.h>|' \
  -e 's/\bmock_gateway_new \(\)/dgateway_mock_gateway_new (NULL)/g' \
  -e 's/\bmock_gateway_dispatch_on\b/dgateway_mock_gateway_send_dispatch_to/g' \
  -e 's/\bmock_gateway_dispatch_messages\b/dgateway_mock_gateway_send_messages/g' \
  -e 's/\bmock_gateway_dispatch\b/dgateway_mock_gateway_send_dispatch/g' \
  -e 's/\bmock_gateway_([a-z])/dgateway_mock_gateway_\1/g' \
  -e 's/\bmock_recording_([a-z])/dgateway_mock_recording_\1/g' \
  -e 's/\bMockGateway/DGatewayMockGateway/g' \
  -e 's/\bMockFrame/DGatewayMockFrame/g' \
  -e 's/\bMockRecording/DGatewayMockRecording/g' \
  -e 's/\bMOCK_IS_GATEWAY\b/DGATEWAY_IS_MOCK_GATEWAY/g' \
  -e 's/\bMOCK_TYPE_GATEWAY\b/DGATEWAY_TYPE_MOCK_GATEWAY/g' \
  -e 's/\bMOCK_GATEWAY\b/DGATEWAY_MOCK_GATEWAY/g' \
  -e 's/\bMOCK_GATEWAY_(BOT_ID|APPLICATION_ID|GUILD_ID|CHANNEL_ID|EVENTS_FOREVER|ANY_OP|RECORDING_DONE)\b/DGATEWAY_MOCK_GATEWAY_\1/g' \
  "$@"
