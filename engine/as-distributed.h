/* as-distributed.h: convolutional dictionary learning split between MPI processes
 * (DiCoDiLe, Moreau & Gramfort 2020; DICOD, Moreau, Oudre & Vayatis 2018).
 *
 * The valid positions of the activations are cut into contiguous regions, one per process
 * (1-D signals along time, images along a 2-D grid of processes), aligned on LGCD's
 * segments.  Each process holds its region plus a border of one segment on each side, and
 * reads only that part of the data.  The z-step runs LGCD (as-csc.h) on the region, sends
 * the updates that fall in a neighbour's border, applies soft locks near its own edges, and
 * ends when the largest pending change of every process is below the tolerance (one
 * MPI_Allreduce per round).  The D-step sums each process's sufficient statistics with
 * MPI_Allreduce and every process takes the same step (as-cdl-dstep.h).  docs/distributed.md.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <mpi.h>

#include "as-cdl.h"
#include "as-csc.h"
#include "as-preprocess.h"

G_BEGIN_DECLS

typedef struct
{
  guint y0, y1, x0, x1;   /* rows [y0, y1) × columns [x0, x1) of valid positions */
} AsDistRect;

/* The grid of @size processes over a problem of shape @s (1 row for 1-D signals) and the
 * region each owns; FALSE with an error when a process would own no segment. */
gboolean as_distributed_grid (const AsCscShape *s, int size, guint *rows, guint *cols,
                              GError **error);
void     as_distributed_regions (const AsCscShape *s, guint rows, guint cols, int rank,
                                 AsDistRect *owned, AsDistRect *local);

typedef struct _AsDistributed AsDistributed;

typedef struct
{
  guint64 rounds;          /* exchange rounds of the last z-step */
  guint64 updates;         /* coordinate updates of this process */
  guint64 locked;          /* updates this process held back (soft locks) */
  guint64 bytes_sent;      /* bytes this process sent (messages; a collective counted as its
                            * share of a ring all-reduce) */
  guint64 zstep_bytes;     /* of which in z-steps: border updates and stopping tests */
  double  max_change;      /* largest pending |Δz| of all processes at the end */
} AsDistributedStats;

/* Every process of @comm calls these together (they are collective). */

/* Shape of the array in @path (rank 0 reads the header and tells the others), then every
 * process reads its region and its borders only: a C-order NPY array of P × T (a
 * multichannel signal) or P × H × W (an image).  Fails on every process, with the rank
 * and the reason of each process that could not read, when one of them fails. */
AsDistributed *as_distributed_open_npy  (MPI_Comm comm, const char *path, guint n_atoms,
                                         guint atom_height, guint atom_width,
                                         GError **error);
/* The same from a whole array every process already has (tests, benchmarks). */
AsDistributed *as_distributed_new_from_data (MPI_Comm comm, const double *x, guint n_channels,
                                             guint height, guint width, guint n_atoms,
                                             guint atom_height, guint atom_width,
                                             GError **error);
/* The same from a whole array that only process @root has (@x is not read elsewhere; the
 * shape is taken from @root): @root sends each process its region and borders.  For data
 * that one process must prepare whole (a recording filtered with zero-phase filters, an
 * average reference, a resampling, a scale over the whole recording). */
AsDistributed *as_distributed_new_scattered (MPI_Comm comm, int root, const double *x,
                                             guint n_channels, guint height, guint width,
                                             guint n_atoms, guint atom_height,
                                             guint atom_width, GError **error);
/* A 1-D signal of @n_channels × @T samples that each process prepares itself (a recording
 * read region by region, as-learn-span.h): the samples [*data_start, *data_end) this
 * process holds (its local region plus an atom) and its own ones [*own_start, *own_end)
 * (its region up to the next process's; the processes' own samples partition [0, @T)).
 * The same grid as the constructors; FALSE (on every process) when a process would own no
 * segment. */
gboolean       as_distributed_signal_span (MPI_Comm comm, guint T, guint n_atoms,
                                           guint atom_width, gsize *data_start,
                                           gsize *data_end, gsize *own_start, gsize *own_end,
                                           GError **error);
/* The same problem from the samples [data_start, data_end) of as_distributed_signal_span()
 * this process prepared (@x: @n_channels × that many, channel after channel, allocated
 * with g_malloc; taken, so that a process holds its data once). */
AsDistributed *as_distributed_new_from_span (MPI_Comm comm, double *x, guint n_channels,
                                             guint T, guint n_atoms, guint atom_width,
                                             GError **error);
/* An AsReduceFunc over the processes of the communicator @comm points to (MPI_Allreduce
 * in place): the statistics of a recording prepared region by region. */
void           as_distributed_reduce    (double *values, guint n, AsReduceOp op, gpointer comm);
void           as_distributed_free      (AsDistributed *d);

int            as_distributed_rank      (const AsDistributed *d);
const AsCscShape *as_distributed_shape  (const AsDistributed *d);  /* the whole problem */

/* Distributed z-step with fixed atoms (K × P·h·w, or rank-1 @u, @v when not NULL), warm
 * started from the activations held; @tol is absolute on |Δz|. */
void           as_distributed_zstep     (AsDistributed *d, const double *atoms, const double *u,
                                         const double *v, double lambda, gboolean positive,
                                         double tol, AsDistributedStats *stats);
/* The whole activations (K × valid positions) gathered on rank 0 (NULL elsewhere). */
double        *as_distributed_gather_z  (AsDistributed *d);
/* ½‖X − Σ z * D‖² + λ‖z‖₁ of the whole problem (the same value on every process). */
double         as_distributed_objective (AsDistributed *d, const double *atoms, double lambda);

/* Batch CDL as as_cdl_learn() (same starting atoms, λ_max, tolerances, trace and stopping
 * rule), started from windows of the data (AS_CDL_INIT_CHUNK), random atoms, the greedy
 * start (AS_CDL_INIT_GREEDY: one atom, then one more every few iterations from the window
 * worst explained by the atoms so far) or @start; no replacement of unused atoms, no taper,
 * no sorting.  Returns the model
 * (activations gathered) on rank 0, NULL with no error elsewhere. */
/* Called on every process after each outer iteration (the objective after its D-step). */
typedef void (*AsDistributedProgress) (guint iteration, double objective, gpointer data);

AsCdlModel    *as_distributed_learn     (AsDistributed *d, const AsCdlParams *params,
                                         const AsCdlModel *start,
                                         AsDistributedProgress progress, gpointer data,
                                         AsDistributedStats *stats, GError **error);

/* Called on rank 0 with the state after an iteration (activations gathered; the end state
 * AS_CDL_END_RUNNING); the other processes take part in the gathering only. */
typedef void (*AsDistributedCheckpoint) (AsCdlModel *model, gpointer data);

/* As as_distributed_learn(), and hands the state to @checkpoint every @checkpoint_every
 * iterations (0: never; the same on every process, since the gathering is collective).
 * A @start of iteration > 0 from as_distributed_share_start() is
 * continued: its λ, its trace, its activations, its iteration count; the run then ends
 * where the uninterrupted run would have (docs/distributed.md). */
AsCdlModel    *as_distributed_learn_full (AsDistributed *d, const AsCdlParams *params,
                                          const AsCdlModel *start,
                                          AsDistributedProgress progress, gpointer data,
                                          guint checkpoint_every,
                                          AsDistributedCheckpoint checkpoint,
                                          gpointer checkpoint_data,
                                          AsDistributedStats *stats, GError **error);

/* A model held by process @root (a checkpoint read from its folder) made the start of every
 * process: atoms, λ, trace and iteration count sent to all, and each process's region of
 * the activations put in place.  Fails on every process when the model does not fit the
 * data.  The model returned (on every process) has no activations array. */
AsCdlModel    *as_distributed_share_start (AsDistributed *d, int root, const AsCdlModel *model,
                                           GError **error);

/* As as_cdl_encode(): the activations of the atoms of @dictionary on the data, λ a fraction
 * of the data's λ_max or absolute (@params), the tolerance relative to the data's RMS.
 * The model on rank 0, NULL with no error elsewhere. */
AsCdlModel    *as_distributed_encode    (AsDistributed *d, const AsCdlModel *dictionary,
                                         const AsCdlParams *params, AsDistributedStats *stats,
                                         GError **error);

G_END_DECLS
