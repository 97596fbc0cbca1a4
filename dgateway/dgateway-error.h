/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(DGATEWAY_INSIDE) && !defined(DGATEWAY_COMPILATION)
# error "Only <dgateway/dgateway.h> can be included directly."
#endif

#include <glib.h>

#include <dgateway/dgateway-version-macros.h>

G_BEGIN_DECLS

/**
 * DGATEWAY_ERROR:
 *
 * The error domain of libdgateway. Errors in it are [enum@DGateway.Error]
 * codes.
 */
#define DGATEWAY_ERROR (dgateway_error_quark ())

/**
 * DGatewayError:
 * @DGATEWAY_ERROR_CONNECTION: the network connection failed or ended
 *   without a close code
 * @DGATEWAY_ERROR_HEARTBEAT_TIMEOUT: no heartbeat ACK arrived before the next
 *   heartbeat was due (a zombie connection), or no HELLO arrived in time
 * @DGATEWAY_ERROR_PROTOCOL: the Gateway sent something that breaks the
 *   protocol: a corrupt compressed stream, or a payload over the size cap
 * @DGATEWAY_ERROR_PAYLOAD_TOO_LARGE: a payload to send is over Discord's
 *   4096-byte limit
 * @DGATEWAY_ERROR_NOT_CONNECTED: the operation needs a connected client
 * @DGATEWAY_ERROR_RECONNECT_REQUESTED: the Gateway asked for a reconnection
 *   (opcode 7)
 * @DGATEWAY_ERROR_INVALID_SESSION: the Gateway invalidated the session
 *   (opcode 9)
 * @DGATEWAY_ERROR_CLOSED: the Gateway closed the connection with a code that
 *   has no code of its own here
 * @DGATEWAY_ERROR_UNKNOWN_ERROR: close code 4000, cause unknown
 * @DGATEWAY_ERROR_UNKNOWN_OPCODE: close code 4001, an invalid opcode was sent
 * @DGATEWAY_ERROR_DECODE_ERROR: close code 4002, an invalid payload was sent
 * @DGATEWAY_ERROR_NOT_AUTHENTICATED: close code 4003, a payload was sent
 *   before IDENTIFY
 * @DGATEWAY_ERROR_AUTHENTICATION_FAILED: close code 4004, the token is not
 *   valid (fatal)
 * @DGATEWAY_ERROR_ALREADY_AUTHENTICATED: close code 4005, IDENTIFY was sent
 *   twice
 * @DGATEWAY_ERROR_INVALID_SEQ: close code 4007, RESUME carried a bad sequence
 * @DGATEWAY_ERROR_RATE_LIMITED: close code 4008, payloads were sent too fast
 * @DGATEWAY_ERROR_SESSION_TIMED_OUT: close code 4009, the session expired
 * @DGATEWAY_ERROR_INVALID_SHARD: close code 4010, the shard in IDENTIFY is
 *   not valid (fatal)
 * @DGATEWAY_ERROR_SHARDING_REQUIRED: close code 4011, the bot is in too many
 *   guilds for one session (fatal)
 * @DGATEWAY_ERROR_INVALID_API_VERSION: close code 4012, the API version is
 *   not valid (fatal)
 * @DGATEWAY_ERROR_INVALID_INTENTS: close code 4013, the intents are not
 *   valid (fatal)
 * @DGATEWAY_ERROR_DISALLOWED_INTENTS: close code 4014, a privileged intent
 *   is not enabled for the application (fatal)
 *
 * Errors of the [error@DGateway.Error] domain.
 *
 * The codes named after a Discord close code have that close code as their
 * value, so an application can compare `error->code` with the numbers in
 * Discord's documentation.
 */
typedef enum /*< underscore_name=dgateway_error >*/ {
  DGATEWAY_ERROR_CONNECTION = 1,
  DGATEWAY_ERROR_HEARTBEAT_TIMEOUT,
  DGATEWAY_ERROR_PROTOCOL,
  DGATEWAY_ERROR_PAYLOAD_TOO_LARGE,
  DGATEWAY_ERROR_NOT_CONNECTED,
  DGATEWAY_ERROR_RECONNECT_REQUESTED,
  DGATEWAY_ERROR_INVALID_SESSION,
  DGATEWAY_ERROR_CLOSED,

  DGATEWAY_ERROR_UNKNOWN_ERROR = 4000,
  DGATEWAY_ERROR_UNKNOWN_OPCODE = 4001,
  DGATEWAY_ERROR_DECODE_ERROR = 4002,
  DGATEWAY_ERROR_NOT_AUTHENTICATED = 4003,
  DGATEWAY_ERROR_AUTHENTICATION_FAILED = 4004,
  DGATEWAY_ERROR_ALREADY_AUTHENTICATED = 4005,
  DGATEWAY_ERROR_INVALID_SEQ = 4007,
  DGATEWAY_ERROR_RATE_LIMITED = 4008,
  DGATEWAY_ERROR_SESSION_TIMED_OUT = 4009,
  DGATEWAY_ERROR_INVALID_SHARD = 4010,
  DGATEWAY_ERROR_SHARDING_REQUIRED = 4011,
  DGATEWAY_ERROR_INVALID_API_VERSION = 4012,
  DGATEWAY_ERROR_INVALID_INTENTS = 4013,
  DGATEWAY_ERROR_DISALLOWED_INTENTS = 4014,
} DGatewayError;

DGATEWAY_AVAILABLE_IN_ALL
GQuark dgateway_error_quark (void);

G_END_DECLS
