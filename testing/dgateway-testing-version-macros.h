/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(DGATEWAY_TESTING_INSIDE) && !defined(DGATEWAY_TESTING_COMPILATION)
# error "Only <dgateway-testing.h> can be included directly."
#endif

#include <glib.h>

#ifndef _DGATEWAY_TESTING_EXTERN
# define _DGATEWAY_TESTING_EXTERN extern
#endif

#define DGATEWAY_TESTING_AVAILABLE_IN_ALL _DGATEWAY_TESTING_EXTERN
