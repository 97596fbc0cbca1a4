/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(DGATEWAY_INSIDE) && !defined(DGATEWAY_COMPILATION)
# error "Only <dgateway/dgateway.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * DGatewayState:
 * @DGATEWAY_STATE_DISCONNECTED: not connected, and not trying to be
 * @DGATEWAY_STATE_CONNECTING: opening the WebSocket and waiting for HELLO
 * @DGATEWAY_STATE_IDENTIFYING: IDENTIFY sent, waiting for READY
 * @DGATEWAY_STATE_RESUMING: RESUME sent, waiting for the replay and RESUMED
 * @DGATEWAY_STATE_CONNECTED: READY or RESUMED seen; events are flowing
 * @DGATEWAY_STATE_RECONNECTING: the connection was lost; waiting out the
 *   reconnection delay before connecting again
 * @DGATEWAY_STATE_FAILED: a fatal close code or error ended the session; no
 *   retry happens until the application connects again
 *
 * The lifecycle of a Gateway connection.
 */
typedef enum /*< underscore_name=dgateway_state >*/ {
  DGATEWAY_STATE_DISCONNECTED,
  DGATEWAY_STATE_CONNECTING,
  DGATEWAY_STATE_IDENTIFYING,
  DGATEWAY_STATE_RESUMING,
  DGATEWAY_STATE_CONNECTED,
  DGATEWAY_STATE_RECONNECTING,
  DGATEWAY_STATE_FAILED,
} DGatewayState;

/**
 * DGatewayCompression:
 * @DGATEWAY_COMPRESSION_NONE: plain text frames
 * @DGATEWAY_COMPRESSION_ZLIB_STREAM: one zlib stream for the whole
 *   connection (`compress=zlib-stream`)
 * @DGATEWAY_COMPRESSION_ZSTD_STREAM: one zstd stream for the whole
 *   connection (`compress=zstd-stream`)
 *
 * The transport compression asked of the Gateway.
 */
typedef enum /*< underscore_name=dgateway_compression >*/ {
  DGATEWAY_COMPRESSION_NONE,
  DGATEWAY_COMPRESSION_ZLIB_STREAM,
  DGATEWAY_COMPRESSION_ZSTD_STREAM,
} DGatewayCompression;

/**
 * DGatewayEncoding:
 * @DGATEWAY_ENCODING_JSON: JSON text (`encoding=json`), the default
 * @DGATEWAY_ENCODING_ETF: the Erlang External Term Format
 *   (`encoding=etf`), in binary messages
 *
 * The wire format of the payloads, both ways.
 *
 * Both read into the same payload document, so events, typed objects and
 * `JsonNode` views look the same whichever is used.
 */
typedef enum /*< underscore_name=dgateway_encoding >*/ {
  DGATEWAY_ENCODING_JSON,
  DGATEWAY_ENCODING_ETF,
} DGatewayEncoding;

/**
 * DGatewayIntents:
 * @DGATEWAY_INTENTS_NONE: no intents
 * @DGATEWAY_INTENTS_GUILDS: guilds, channels, threads, stage instances
 * @DGATEWAY_INTENTS_GUILD_MEMBERS: member joins, updates and removals (privileged)
 * @DGATEWAY_INTENTS_GUILD_MODERATION: bans and audit log entries
 * @DGATEWAY_INTENTS_GUILD_EXPRESSIONS: emojis, stickers and soundboard sounds
 * @DGATEWAY_INTENTS_GUILD_INTEGRATIONS: integrations
 * @DGATEWAY_INTENTS_GUILD_WEBHOOKS: webhooks
 * @DGATEWAY_INTENTS_GUILD_INVITES: invites
 * @DGATEWAY_INTENTS_GUILD_VOICE_STATES: voice states and voice channel status
 * @DGATEWAY_INTENTS_GUILD_PRESENCES: presence updates (privileged)
 * @DGATEWAY_INTENTS_GUILD_MESSAGES: messages in guilds
 * @DGATEWAY_INTENTS_GUILD_MESSAGE_REACTIONS: reactions in guilds
 * @DGATEWAY_INTENTS_GUILD_MESSAGE_TYPING: typing in guilds
 * @DGATEWAY_INTENTS_DIRECT_MESSAGES: direct messages
 * @DGATEWAY_INTENTS_DIRECT_MESSAGE_REACTIONS: reactions in direct messages
 * @DGATEWAY_INTENTS_DIRECT_MESSAGE_TYPING: typing in direct messages
 * @DGATEWAY_INTENTS_MESSAGE_CONTENT: message content (privileged, enables no events)
 * @DGATEWAY_INTENTS_GUILD_SCHEDULED_EVENTS: scheduled events
 * @DGATEWAY_INTENTS_AUTO_MODERATION_CONFIGURATION: auto moderation rules
 * @DGATEWAY_INTENTS_AUTO_MODERATION_EXECUTION: auto moderation actions
 * @DGATEWAY_INTENTS_GUILD_MESSAGE_POLLS: poll votes in guilds
 * @DGATEWAY_INTENTS_DIRECT_MESSAGE_POLLS: poll votes in direct messages
 *
 * The Gateway intents: which groups of events the Gateway sends.
 *
 * Privileged intents must be switched on for the application in the
 * Developer Portal, or the Gateway closes the connection with 4014
 * (`DGATEWAY_ERROR_DISALLOWED_INTENTS`).
 */
typedef enum /*< flags,underscore_name=dgateway_intents >*/ {
  DGATEWAY_INTENTS_NONE                          = 0,
  DGATEWAY_INTENTS_GUILDS                        = 1 << 0,
  DGATEWAY_INTENTS_GUILD_MEMBERS                 = 1 << 1,
  DGATEWAY_INTENTS_GUILD_MODERATION              = 1 << 2,
  DGATEWAY_INTENTS_GUILD_EXPRESSIONS             = 1 << 3,
  DGATEWAY_INTENTS_GUILD_INTEGRATIONS            = 1 << 4,
  DGATEWAY_INTENTS_GUILD_WEBHOOKS                = 1 << 5,
  DGATEWAY_INTENTS_GUILD_INVITES                 = 1 << 6,
  DGATEWAY_INTENTS_GUILD_VOICE_STATES            = 1 << 7,
  DGATEWAY_INTENTS_GUILD_PRESENCES               = 1 << 8,
  DGATEWAY_INTENTS_GUILD_MESSAGES                = 1 << 9,
  DGATEWAY_INTENTS_GUILD_MESSAGE_REACTIONS       = 1 << 10,
  DGATEWAY_INTENTS_GUILD_MESSAGE_TYPING          = 1 << 11,
  DGATEWAY_INTENTS_DIRECT_MESSAGES               = 1 << 12,
  DGATEWAY_INTENTS_DIRECT_MESSAGE_REACTIONS      = 1 << 13,
  DGATEWAY_INTENTS_DIRECT_MESSAGE_TYPING         = 1 << 14,
  DGATEWAY_INTENTS_MESSAGE_CONTENT               = 1 << 15,
  DGATEWAY_INTENTS_GUILD_SCHEDULED_EVENTS        = 1 << 16,
  DGATEWAY_INTENTS_AUTO_MODERATION_CONFIGURATION = 1 << 20,
  DGATEWAY_INTENTS_AUTO_MODERATION_EXECUTION     = 1 << 21,
  DGATEWAY_INTENTS_GUILD_MESSAGE_POLLS           = 1 << 24,
  DGATEWAY_INTENTS_DIRECT_MESSAGE_POLLS          = 1 << 25,
} DGatewayIntents;

/**
 * DGatewayStatus:
 * @DGATEWAY_STATUS_ONLINE: online
 * @DGATEWAY_STATUS_DND: do not disturb
 * @DGATEWAY_STATUS_IDLE: away from keyboard
 * @DGATEWAY_STATUS_INVISIBLE: shown as offline, but connected
 * @DGATEWAY_STATUS_OFFLINE: offline
 *
 * The status of a presence.
 */
typedef enum /*< underscore_name=dgateway_status >*/ {
  DGATEWAY_STATUS_ONLINE,
  DGATEWAY_STATUS_DND,
  DGATEWAY_STATUS_IDLE,
  DGATEWAY_STATUS_INVISIBLE,
  DGATEWAY_STATUS_OFFLINE,
} DGatewayStatus;

/**
 * DGatewayActivityType:
 * @DGATEWAY_ACTIVITY_TYPE_PLAYING: "Playing {name}"
 * @DGATEWAY_ACTIVITY_TYPE_STREAMING: "Streaming {name}"; needs a twitch.tv
 *   or youtube.com URL
 * @DGATEWAY_ACTIVITY_TYPE_LISTENING: "Listening to {name}"
 * @DGATEWAY_ACTIVITY_TYPE_WATCHING: "Watching {name}"
 * @DGATEWAY_ACTIVITY_TYPE_CUSTOM: a custom status, showing its state
 * @DGATEWAY_ACTIVITY_TYPE_COMPETING: "Competing in {name}"
 *
 * The type of an activity in a presence.
 */
typedef enum /*< underscore_name=dgateway_activity_type >*/ {
  DGATEWAY_ACTIVITY_TYPE_PLAYING = 0,
  DGATEWAY_ACTIVITY_TYPE_STREAMING = 1,
  DGATEWAY_ACTIVITY_TYPE_LISTENING = 2,
  DGATEWAY_ACTIVITY_TYPE_WATCHING = 3,
  DGATEWAY_ACTIVITY_TYPE_CUSTOM = 4,
  DGATEWAY_ACTIVITY_TYPE_COMPETING = 5,
} DGatewayActivityType;

/**
 * DGatewayChannelInfoFields:
 * @DGATEWAY_CHANNEL_INFO_FIELDS_STATUS: the status of voice channels
 *   (`status`)
 * @DGATEWAY_CHANNEL_INFO_FIELDS_VOICE_START_TIME: when the voice session
 *   of channels started (`voice_start_time`)
 *
 * The ephemeral channel data that [method@Client.request_channel_info]
 * asks for.
 */
typedef enum /*< flags,underscore_name=dgateway_channel_info_fields >*/ {
  DGATEWAY_CHANNEL_INFO_FIELDS_STATUS           = 1 << 0,
  DGATEWAY_CHANNEL_INFO_FIELDS_VOICE_START_TIME = 1 << 1,
} DGatewayChannelInfoFields;

G_END_DECLS
