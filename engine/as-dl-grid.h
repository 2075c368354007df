/* as-dl-grid.h: grids of dictionary recovery experiments and their results.
 *
 * A grid crosses sparsity × coherence × number of signals × learner × seed.
 * Each cell draws a problem (as-dl-sim), learns a dictionary from the same
 * initial atoms (as-dl) and measures the recovery score (Hungarian matching
 * on |cos|), the support recovery of the codes (matched atom to atom), the
 * objective and the time.  Results are CSV rows, one per cell; a results
 * file is rewritten whole at every new cell (temporary file, then rename),
 * so an interrupted grid resumes from the cells already in it.
 *
 * Grid specification: comma-separated KEY=VALUE items; a value is a number,
 * a range FIRST:LAST:COUNT (COUNT evenly spaced values), or a list (the items
 * after a KEY=VALUE that have no '=' extend its list):
 *   sparsity=0.02:0.14:5  active atoms per signal over n (k = sparsity·n)
 *   coherence=0.15:0.75:5 mutual coherence of the true dictionary; 0 stands
 *                         for a random Gaussian dictionary (no target: RIP
 *                         with high probability), whose coherence is reported
 *   samples=1000          number of signals N
 *   seeds=3               problems drawn per cell
 *   learners=am,online,unrolled
 *   n=64, m=128           signal dimension and number of atoms
 *   lambda=0.1            λ as a fraction of mean ‖D₀ᵀx‖_∞
 *   snr=30                signal-to-noise ratio in dB
 *   amplitude=bounded     law of the active coefficients (gaussian, sign, bounded)
 *   support=fixed         support model (fixed: exactly k atoms; bernoulli: each
 *                         atom active with probability k/m)
 *   layers=20, gradient=automatic, unroll=fista   (unrolled learner)
 *   problem=dense         dense: X = ZDᵀ; convolutional: signals of length=N samples
 *                         (default 1000), each a sum of the m atoms of n samples
 *                         placed at random (as_dl_sim_convolutional), a sparsity s
 *                         meaning s activations per sample on average over all atoms
 *                         (s·n per atom length, as k = s·n atoms per dense signal);
 *                         learned by convolutional dictionary learning (am: batch,
 *                         online: minibatches), scored with the best shift of each
 *                         atom; coherence takes one value, not used
 * Unspecified keys keep these defaults.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-dl.h"

G_BEGIN_DECLS

#define AS_DL_GRID_DEFAULT_SPEC \
  "sparsity=0.02:0.14:5,coherence=0.15:0.75:5,samples=1000,seeds=3,learners=am,online,unrolled"

typedef struct
{
  guint        n, m;
  double      *sparsity;   guint n_sparsity;
  double      *coherence;  guint n_coherence;
  guint       *samples;    guint n_samples;
  guint        n_seeds;
  AsDlLearner  learners[AS_DL_N_LEARNERS];
  guint        n_learners;
  double       lambda;
  double       snr_db;
  AsDlAmplitude amplitude;
  AsDlSupport  support;
  guint        n_layers;
  AsDlLayers   layers;
  AsDlGradient gradient;
  gboolean     convolutional;   /* problem=convolutional */
  guint        length;          /* samples per convolutional signal */
} AsDlGrid;

typedef struct
{
  AsDlLearner learner;
  double      sparsity;
  double      coherence;     /* asked */
  guint       n_samples;
  guint       seed;
} AsDlCell;

typedef struct
{
  AsDlCell cell;
  double   coherence_reached;
  double   recovery;         /* mean matched |cos| */
  double   support_precision;
  double   support_recall;
  double   support_f1;
  double   objective;
  double   seconds;
} AsDlCellResult;

/* The settings every cell shares (n, m, λ, SNR, amplitude law, support model,
 * unrolled learner), as one line: the cell keys of a results file only hold
 * sense with the settings they were computed with. */
char     *as_dl_grid_settings     (const AsDlGrid *grid);

/* Parses @spec (NULL or "": the default grid).  FALSE with a message naming
 * the item and the reason on bad input. */
AsDlGrid *as_dl_grid_parse        (const char *spec, GError **error);
void      as_dl_grid_free         (AsDlGrid *grid);
guint     as_dl_grid_n_cells      (const AsDlGrid *grid);
/* Cell @index: seeds vary fastest, then learners, samples, coherence, sparsity. */
void      as_dl_grid_cell         (const AsDlGrid *grid, guint index, AsDlCell *cell);
/* The learner settings of a cell (iterations and batch sizes per learner). */
void      as_dl_grid_learner_params (const AsDlGrid *grid, const AsDlCell *cell, AsDlParams *p);

/* Draws the cell's problem, learns, measures.  @D_true (n × m, may be NULL)
 * is a dictionary already drawn for the same coherence and seed. */
gboolean  as_dl_grid_run_cell     (const AsDlGrid *grid, const AsDlCell *cell,
                                   const double *D_true, AsDlCellResult *result, GError **error);
/* The true dictionary of a cell (depends on coherence and seed only). */
gboolean  as_dl_grid_dictionary   (const AsDlGrid *grid, const AsDlCell *cell, double *D,
                                   GError **error);

/* Recovery measures of a learned D (n × m) and its codes Z (N × m) against a
 * problem: atoms matched by the Hungarian algorithm on |cos|, codes compared
 * on the matched atoms. */
void      as_dl_evaluate          (const AsDlProblem *problem, const double *D, const double *Z,
                                   AsDlCellResult *result);

/* CSV: the header line and one row per result (C locale). */
const char *as_dl_grid_csv_header (void);
char       *as_dl_grid_csv_row    (const AsDlCellResult *result);
/* The cell's key, the first five columns of its row. */
char       *as_dl_grid_cell_key   (const AsDlCell *cell);
/* Reads a results file; a missing file gives an empty array.  FALSE with an
 * error naming the file and line on a malformed row. */
gboolean    as_dl_grid_read_csv   (const char *path, GArray *results, GError **error);
/* Writes all @results (AsDlCellResult) to @path atomically, replacing it. */
gboolean    as_dl_grid_write_csv  (const char *path, const GArray *results, GError **error);

/* Mean recovery per (sparsity, coherence) over the seeds and samples of one
 * learner: @mean is n_sparsity × n_coherence, NAN where no result exists. */
void        as_dl_grid_mean_recovery (const AsDlGrid *grid, const GArray *results,
                                      AsDlLearner learner, double *mean);

/* The gradient errors of the three estimates versus depth T = 1 … @max_depth
 * on one problem of the grid (its first n, m, the middle sparsity, a Gaussian
 * dictionary, @n_signals signals), at the true dictionary moved by relative
 * noise 0.1, as as_dl_gradient_errors writes them. */
gboolean    as_dl_grid_gradient_errors (const AsDlGrid *grid, guint n_signals, guint max_depth,
                                        AsDlLayers layers, double *errors, GError **error);

/* Called after each new cell, from the thread that ran it, under the runner's
 * lock (calls never overlap); @done of @total cells still to run were run. */
typedef void (*AsDlGridProgress) (const AsDlCellResult *result, guint done, guint total,
                                  gpointer user_data);

/* Runs every cell of @grid that @results (AsDlCellResult) does not hold yet,
 * on @n_jobs threads, appending to @results; after each cell the whole array
 * is written to @csv_path (may be NULL) by as_dl_grid_write_csv.  The true
 * dictionaries are drawn once per coherence and seed.  Setting *@cancel
 * (may be NULL) stops before the next cell (FALSE, AS_ENGINE_ERROR_CANCELLED).
 * The first failing cell stops the run with its error. */
gboolean    as_dl_grid_run        (const AsDlGrid *grid, GArray *results, const char *csv_path,
                                   guint n_jobs, AsDlGridProgress progress, gpointer user_data,
                                   volatile gint *cancel, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsDlGrid, as_dl_grid_free)

G_END_DECLS
