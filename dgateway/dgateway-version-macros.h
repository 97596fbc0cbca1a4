/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(DGATEWAY_INSIDE) && !defined(DGATEWAY_COMPILATION)
# error "Only <dgateway/dgateway.h> can be included directly."
#endif

#include <glib.h>

#ifndef _DGATEWAY_EXTERN
# define _DGATEWAY_EXTERN extern
#endif

#define DGATEWAY_AVAILABLE_IN_ALL _DGATEWAY_EXTERN

#ifdef DGATEWAY_DISABLE_DEPRECATION_WARNINGS
# define DGATEWAY_DEPRECATED _DGATEWAY_EXTERN
# define DGATEWAY_DEPRECATED_FOR(f) _DGATEWAY_EXTERN
#else
# define DGATEWAY_DEPRECATED G_DEPRECATED _DGATEWAY_EXTERN
# define DGATEWAY_DEPRECATED_FOR(f) G_DEPRECATED_FOR (f) _DGATEWAY_EXTERN
#endif
