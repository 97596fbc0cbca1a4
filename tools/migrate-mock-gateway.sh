#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Moves sources from the old in-tree mock gateway (tests/mock-gateway.h,
# MockGateway, mock_gateway_*) to the installed libdgateway-testing-1 API
# (<dgateway-testing.h>, DGatewayMockGateway, dgateway_mock_gateway_*).
#
#   tools/migrate-mock-gateway.sh FILE...
#
# Give it C files, and the meson.build files that use mock_gateway_dep or
# mock_gateway_exe.  It edits them in place and is idempotent: running it
# twice, or on a file already migrated, changes nothing.  Only the names
# below are renamed, whole words, so that other identifiers that happen to
# start with mock_gateway_ (a static mock_gateway_path () in a program, the
# MOCK_GATEWAY_PATH define, the MOCK_GATEWAY environment variable) stay.
#
# Beyond the prefix: mock_gateway_new () takes a GError now, and the
# dispatch calls read better as send_dispatch, send_dispatch_to and
# send_messages.  MockFrame keeps its fields (time, connection,
# on_resume_path, op, text, d), so frame->op and the like need no change.

set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 FILE..." >&2
  exit 2
fi

# Old name, new name.
renames='
mock_gateway_dep                         dgateway_testing_dep
mock_gateway_exe                         dgateway_mock_gateway_exe
mock_gateway_build_message_reaction_add  dgateway_mock_gateway_build_message_reaction_add
mock_gateway_get_n_gateway_bot_requests  dgateway_mock_gateway_get_n_gateway_bot_requests
mock_gateway_connection_on_resume_path   dgateway_mock_gateway_connection_on_resume_path
mock_gateway_get_connection_close_code   dgateway_mock_gateway_get_connection_close_code
mock_gateway_set_gateway_bot_response    dgateway_mock_gateway_set_gateway_bot_response
mock_gateway_get_n_open_connections      dgateway_mock_gateway_get_n_open_connections
mock_gateway_set_heartbeat_interval      dgateway_mock_gateway_set_heartbeat_interval
mock_gateway_set_recommended_shards      dgateway_mock_gateway_set_recommended_shards
mock_gateway_build_presence_update       dgateway_mock_gateway_build_presence_update
mock_gateway_get_connection_closed       dgateway_mock_gateway_get_connection_closed
mock_gateway_get_connection_opened       dgateway_mock_gateway_get_connection_opened
mock_gateway_build_message_create        dgateway_mock_gateway_build_message_create
mock_gateway_get_connection_query        dgateway_mock_gateway_get_connection_query
mock_gateway_get_last_user_agent         dgateway_mock_gateway_get_last_user_agent
mock_gateway_invalidate_sessions         dgateway_mock_gateway_invalidate_sessions
mock_gateway_set_auto_event_rate         dgateway_mock_gateway_set_auto_event_rate
mock_gateway_build_guild_create          dgateway_mock_gateway_build_guild_create
mock_gateway_build_typing_start          dgateway_mock_gateway_build_typing_start
mock_gateway_set_ack_heartbeats          dgateway_mock_gateway_set_ack_heartbeats
mock_gateway_set_split_messages          dgateway_mock_gateway_set_split_messages
mock_gateway_dispatch_messages           dgateway_mock_gateway_send_messages
mock_gateway_get_n_connections           dgateway_mock_gateway_get_n_connections
mock_gateway_set_accept_resume           dgateway_mock_gateway_set_accept_resume
mock_gateway_set_ignore_frames           dgateway_mock_gateway_set_ignore_frames
mock_gateway_close_connection            dgateway_mock_gateway_close_connection
mock_recording_get_data_bytes            dgateway_mock_recording_get_data_bytes
mock_recording_get_event_data            dgateway_mock_recording_get_event_data
mock_recording_get_event_name            dgateway_mock_recording_get_event_name
mock_gateway_drop_connection             dgateway_mock_gateway_drop_connection
mock_gateway_set_auto_events             dgateway_mock_gateway_set_auto_events
MOCK_GATEWAY_APPLICATION_ID              DGATEWAY_MOCK_GATEWAY_APPLICATION_ID
MOCK_GATEWAY_EVENTS_FOREVER              DGATEWAY_MOCK_GATEWAY_EVENTS_FOREVER
MOCK_GATEWAY_RECORDING_DONE              DGATEWAY_MOCK_GATEWAY_RECORDING_DONE
mock_gateway_get_last_frame              dgateway_mock_gateway_get_last_frame
mock_gateway_get_resume_url              dgateway_mock_gateway_get_resume_url
mock_gateway_get_session_id              dgateway_mock_gateway_get_session_id
mock_gateway_set_rate_limit              dgateway_mock_gateway_set_rate_limit
mock_gateway_set_send_hello              dgateway_mock_gateway_set_send_hello
mock_recording_get_n_events              dgateway_mock_recording_get_n_events
mock_gateway_new_with_port               dgateway_mock_gateway_new_with_port
mock_gateway_set_recording               dgateway_mock_gateway_set_recording
mock_gateway_count_frames                dgateway_mock_gateway_count_frames
mock_gateway_get_sequence                dgateway_mock_gateway_get_sequence
mock_gateway_is_connected                dgateway_mock_gateway_is_connected
mock_gateway_send_corrupt                dgateway_mock_gateway_send_corrupt
mock_recording_list_mixes                dgateway_mock_recording_list_mixes
mock_gateway_dispatch_on                 dgateway_mock_gateway_send_dispatch_to
mock_gateway_get_api_url                 dgateway_mock_gateway_get_api_url
MOCK_GATEWAY_CHANNEL_ID                  DGATEWAY_MOCK_GATEWAY_CHANNEL_ID
mock_gateway_get_frames                  dgateway_mock_gateway_get_frames
mock_gateway_send_op_to                  dgateway_mock_gateway_send_op_to
mock_gateway_set_token                   dgateway_mock_gateway_set_token
mock_recording_get_mix                   dgateway_mock_recording_get_mix
MOCK_GATEWAY_GUILD_ID                    DGATEWAY_MOCK_GATEWAY_GUILD_ID
mock_gateway_dispatch                    dgateway_mock_gateway_send_dispatch
mock_gateway_get_port                    dgateway_mock_gateway_get_port
mock_gateway_send_raw                    dgateway_mock_gateway_send_raw
mock_gateway_get_url                     dgateway_mock_gateway_get_url
mock_gateway_send_op                     dgateway_mock_gateway_send_op
mock_recording_unref                     dgateway_mock_recording_unref
MOCK_GATEWAY_ANY_OP                      DGATEWAY_MOCK_GATEWAY_ANY_OP
MOCK_GATEWAY_BOT_ID                      DGATEWAY_MOCK_GATEWAY_BOT_ID
mock_gateway_close                       dgateway_mock_gateway_close
mock_recording_new                       dgateway_mock_recording_new
mock_recording_ref                       dgateway_mock_recording_ref
MOCK_TYPE_GATEWAY                        DGATEWAY_TYPE_MOCK_GATEWAY
mock_gateway_drop                        dgateway_mock_gateway_drop
MOCK_IS_GATEWAY                          DGATEWAY_IS_MOCK_GATEWAY
MockRecording                            DGatewayMockRecording
MockGateway                              DGatewayMockGateway
MockFrame                                DGatewayMockFrame
'

args=(
  -e 's|#include "mock-gateway\.h"|#include <dgateway-testing.h>|'
  -e 's/\bmock_gateway_new \(\)/dgateway_mock_gateway_new (NULL)/g'
  -e 's/\bMOCK_GATEWAY \(/DGATEWAY_MOCK_GATEWAY (/g'
)
while read -r old new; do
  [ -n "$old" ] || continue
  args+=(-e "s/\\b$old\\b/$new/g")
done <<< "$renames"

sed -E -i "${args[@]}" "$@"
