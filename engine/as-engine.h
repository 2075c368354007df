/* as-engine.h: process-wide engine set-up (threads, version).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  AS_ENGINE_ROLE_INTERACTIVE, /* a window is running: leave one core to the main loop */
  AS_ENGINE_ROLE_HEADLESS,    /* command line: use every core */
} AsEngineRole;

void         as_engine_init           (AsEngineRole role);
int          as_engine_get_blas_threads (void);
void         as_engine_set_blas_threads (int n_threads);
const char  *as_engine_version        (void);
void         as_engine_lower_thread_priority (void);
GQuark       as_engine_error_quark    (void);

#define AS_ENGINE_ERROR (as_engine_error_quark ())

typedef enum
{
  AS_ENGINE_ERROR_INVALID,     /* a parameter or an input is out of range */
  AS_ENGINE_ERROR_FORMAT,      /* a file does not follow its format */
  AS_ENGINE_ERROR_UNSUPPORTED, /* valid, but not something Atomscope handles */
  AS_ENGINE_ERROR_NUMERIC,     /* NaN, Inf or a diverging computation */
  AS_ENGINE_ERROR_CANCELLED,   /* the job was stopped */
} AsEngineError;

G_END_DECLS
