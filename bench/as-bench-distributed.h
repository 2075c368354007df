/* as-bench-distributed.h: "atomscope-cli bench distributed" (MPI builds only).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdio.h>
#include <glib.h>

G_BEGIN_DECLS

/* Runs @self (the atomscope-cli executable) under mpirun with 1 then 2 processes and
 * prints the timings, the bytes sent and the communication model. */
int as_bench_distributed        (const char *self, double hours, guint iterations, FILE *out);
/* One timed run, inside mpirun. */
int as_bench_distributed_worker (double hours, guint iterations);

G_END_DECLS
