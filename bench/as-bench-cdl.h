/* as-bench-cdl.h: reference problems for convolutional sparse coding and dictionary
 * learning; with a peer folder, alphacsc runs beside us on the same signals.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdio.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gboolean skip_scale;        /* skip problem 4 (one hour of 64 channels) */
  double   scale_hours;       /* length of problem 4's recording (default 1) */
  guint    scale_iterations;  /* outer iterations timed in problem 4 (default 3) */
  guint    only;              /* 0: all problems, else only this one (1–4) */
  const char *peer_dir;       /* folder holding the alphacsc package, or NULL: no peer */
  const char *python;         /* the Python that runs it (default "python3") */
} AsBenchCdlOptions;

void     as_bench_cdl_options_init (AsBenchCdlOptions *o);
gboolean as_bench_cdl_run          (const AsBenchCdlOptions *o, FILE *out, GError **error);

G_END_DECLS
