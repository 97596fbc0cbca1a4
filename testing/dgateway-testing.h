/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* libdgateway-testing-1: a local Discord Gateway for the tests of bots and
 * apps, so that they run without Discord, a token or a network. */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#define DGATEWAY_TESTING_INSIDE
# include <dgateway-testing-version-macros.h>
# include <dgateway-mock-frame.h>
# include <dgateway-mock-recording.h>
# include <dgateway-mock-gateway.h>
#undef DGATEWAY_TESTING_INSIDE
