/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#define DGATEWAY_INSIDE
# include <dgateway/dgateway-version.h>
# include <dgateway/dgateway-version-macros.h>
# include <dgateway/dgateway-types.h>
# include <dgateway/dgateway-error.h>
# include <dgateway/dgateway-enum-types.h>
# include <dgateway/dgateway-object.h>
# include <dgateway/dgateway-object-list.h>
# include <dgateway/dgateway-snowflake.h>
# include <dgateway/dgateway-typed.h>
# include <dgateway/dgateway-event.h>
# include <dgateway/dgateway-identify-queue.h>
# include <dgateway/dgateway-http-identify-queue.h>
# include <dgateway/dgateway-presence.h>
# include <dgateway/dgateway-shard.h>
# include <dgateway/dgateway-client.h>
# include <dgateway/dgateway-cached.h>
# include <dgateway/dgateway-cache.h>
# include <dgateway/dgateway-dbus.h>
#undef DGATEWAY_INSIDE
