/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "dgateway-error.h"

/**
 * dgateway_error_quark:
 *
 * The quark of the [error@DGateway.Error] domain.
 *
 * Returns: the error domain
 */
G_DEFINE_QUARK (dgateway-error-quark, dgateway_error)
