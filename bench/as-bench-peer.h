/* as-bench-peer.h: running a peer library (Python) beside a benchmark.
 *
 * The peer scripts ship in bench/ and are installed with the program; they
 * are run by the system's Python 3 with PYTHONPATH set to the folder given
 * by the user (`--peer DIR`), one line of output per measurement.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Runs the peer script @script (a file name of bench/) with @args (NULL
 * terminated), PYTHONPATH = @peer_dir and @n_threads BLAS/OpenMP threads.
 * Returns its standard output, or NULL with an error that quotes its
 * standard error. */
char *as_bench_peer_run (const char  *script,
                         const char  *peer_dir,
                         guint        n_threads,
                         const char *const *args,
                         GError     **error);

G_END_DECLS
