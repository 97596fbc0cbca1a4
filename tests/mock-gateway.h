/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Transitional: the old in-tree names of the mock gateway, mapped onto the
 * installed libdgateway-testing-1 API until tools/migrate-mock-gateway.sh
 * has renamed every user.  Delete once nothing includes it. */

#pragma once

#include <dgateway-testing.h>

#define mock_gateway_new()                       dgateway_mock_gateway_new (NULL)
#define MOCK_GATEWAY_ANY_OP                      DGATEWAY_MOCK_GATEWAY_ANY_OP
#define MOCK_GATEWAY_APPLICATION_ID              DGATEWAY_MOCK_GATEWAY_APPLICATION_ID
#define MOCK_GATEWAY_BOT_ID                      DGATEWAY_MOCK_GATEWAY_BOT_ID
#define MOCK_GATEWAY_CHANNEL_ID                  DGATEWAY_MOCK_GATEWAY_CHANNEL_ID
#define MOCK_GATEWAY_EVENTS_FOREVER              DGATEWAY_MOCK_GATEWAY_EVENTS_FOREVER
#define MOCK_GATEWAY_GUILD_ID                    DGATEWAY_MOCK_GATEWAY_GUILD_ID
#define MOCK_GATEWAY_RECORDING_DONE              DGATEWAY_MOCK_GATEWAY_RECORDING_DONE
#define MOCK_TYPE_GATEWAY                        DGATEWAY_TYPE_MOCK_GATEWAY
#define MockFrame                                DGatewayMockFrame
#define MockGateway                              DGatewayMockGateway
#define MockRecording                            DGatewayMockRecording
#define mock_gateway_build_guild_create          dgateway_mock_gateway_build_guild_create
#define mock_gateway_build_message_create        dgateway_mock_gateway_build_message_create
#define mock_gateway_build_message_reaction_add  dgateway_mock_gateway_build_message_reaction_add
#define mock_gateway_build_presence_update       dgateway_mock_gateway_build_presence_update
#define mock_gateway_build_typing_start          dgateway_mock_gateway_build_typing_start
#define mock_gateway_close                       dgateway_mock_gateway_close
#define mock_gateway_close_connection            dgateway_mock_gateway_close_connection
#define mock_gateway_connection_on_resume_path   dgateway_mock_gateway_connection_on_resume_path
#define mock_gateway_count_frames                dgateway_mock_gateway_count_frames
#define mock_gateway_dispatch                    dgateway_mock_gateway_send_dispatch
#define mock_gateway_dispatch_messages           dgateway_mock_gateway_send_messages
#define mock_gateway_dispatch_on                 dgateway_mock_gateway_send_dispatch_to
#define mock_gateway_drop                        dgateway_mock_gateway_drop
#define mock_gateway_drop_connection             dgateway_mock_gateway_drop_connection
#define mock_gateway_get_api_url                 dgateway_mock_gateway_get_api_url
#define mock_gateway_get_connection_close_code   dgateway_mock_gateway_get_connection_close_code
#define mock_gateway_get_connection_closed       dgateway_mock_gateway_get_connection_closed
#define mock_gateway_get_connection_opened       dgateway_mock_gateway_get_connection_opened
#define mock_gateway_get_connection_query        dgateway_mock_gateway_get_connection_query
#define mock_gateway_get_frames                  dgateway_mock_gateway_get_frames
#define mock_gateway_get_last_frame              dgateway_mock_gateway_get_last_frame
#define mock_gateway_get_last_user_agent         dgateway_mock_gateway_get_last_user_agent
#define mock_gateway_get_n_connections           dgateway_mock_gateway_get_n_connections
#define mock_gateway_get_n_gateway_bot_requests  dgateway_mock_gateway_get_n_gateway_bot_requests
#define mock_gateway_get_n_open_connections      dgateway_mock_gateway_get_n_open_connections
#define mock_gateway_get_port                    dgateway_mock_gateway_get_port
#define mock_gateway_get_resume_url              dgateway_mock_gateway_get_resume_url
#define mock_gateway_get_sequence                dgateway_mock_gateway_get_sequence
#define mock_gateway_get_session_id              dgateway_mock_gateway_get_session_id
#define mock_gateway_get_url                     dgateway_mock_gateway_get_url
#define mock_gateway_invalidate_sessions         dgateway_mock_gateway_invalidate_sessions
#define mock_gateway_is_connected                dgateway_mock_gateway_is_connected
#define mock_gateway_new_with_port               dgateway_mock_gateway_new_with_port
#define mock_gateway_send_corrupt                dgateway_mock_gateway_send_corrupt
#define mock_gateway_send_op                     dgateway_mock_gateway_send_op
#define mock_gateway_send_op_to                  dgateway_mock_gateway_send_op_to
#define mock_gateway_send_raw                    dgateway_mock_gateway_send_raw
#define mock_gateway_set_accept_resume           dgateway_mock_gateway_set_accept_resume
#define mock_gateway_set_ack_heartbeats          dgateway_mock_gateway_set_ack_heartbeats
#define mock_gateway_set_auto_event_rate         dgateway_mock_gateway_set_auto_event_rate
#define mock_gateway_set_auto_events             dgateway_mock_gateway_set_auto_events
#define mock_gateway_set_gateway_bot_response    dgateway_mock_gateway_set_gateway_bot_response
#define mock_gateway_set_heartbeat_interval      dgateway_mock_gateway_set_heartbeat_interval
#define mock_gateway_set_ignore_frames           dgateway_mock_gateway_set_ignore_frames
#define mock_gateway_set_rate_limit              dgateway_mock_gateway_set_rate_limit
#define mock_gateway_set_recommended_shards      dgateway_mock_gateway_set_recommended_shards
#define mock_gateway_set_recording               dgateway_mock_gateway_set_recording
#define mock_gateway_set_send_hello              dgateway_mock_gateway_set_send_hello
#define mock_gateway_set_split_messages          dgateway_mock_gateway_set_split_messages
#define mock_gateway_set_token                   dgateway_mock_gateway_set_token
#define mock_recording_get_data_bytes            dgateway_mock_recording_get_data_bytes
#define mock_recording_get_event_data            dgateway_mock_recording_get_event_data
#define mock_recording_get_event_name            dgateway_mock_recording_get_event_name
#define mock_recording_get_mix                   dgateway_mock_recording_get_mix
#define mock_recording_get_n_events              dgateway_mock_recording_get_n_events
#define mock_recording_list_mixes                dgateway_mock_recording_list_mixes
#define mock_recording_new                       dgateway_mock_recording_new
#define mock_recording_ref                       dgateway_mock_recording_ref
#define mock_recording_unref                     dgateway_mock_recording_unref
#define MOCK_IS_GATEWAY(obj)                     DGATEWAY_IS_MOCK_GATEWAY (obj)
#define MOCK_GATEWAY(obj)                        DGATEWAY_MOCK_GATEWAY (obj)
