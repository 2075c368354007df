/* as-solver.h: iterative Lasso solvers behind one interface, stepped or run to tolerance.
 *
 * A solver works on every signal of an AsLasso batch at once.  ISTA, FISTA and
 * oracle ISTA get their gradients for the whole batch from two DGEMMs per
 * iteration; coordinate descent works signal by signal on the Gram matrix.
 * One "iteration" is one gradient step for the proximal methods and one
 * epoch of m coordinate updates for (greedy) coordinate descent, so that
 * iterations cost about the same (2nm flops per signal) everywhere.
 *
 * Typical use from a teaching view: as_solver_new, then as_solver_step and
 * as_solver_get_codes / as_solver_get_last_step after each click.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdio.h>
#include <glib.h>

#include "as-job.h"
#include "as-lasso.h"

G_BEGIN_DECLS

typedef enum
{
  AS_SOLVER_ISTA,         /* z ← ST(z − ∇f/L, λ/L) */
  AS_SOLVER_FISTA,        /* Beck & Teboulle 2009; optional gradient restart */
  AS_SOLVER_ORACLE_ISTA,  /* step 1/L_S when the support does not grow (Ablin et al. 2019) */
  AS_SOLVER_CD,           /* cyclic coordinate descent */
  AS_SOLVER_GREEDY_CD,    /* Gauss–Southwell: largest coordinate move first */
  AS_SOLVER_N_KINDS
} AsSolverKind;

/* "ista", "fista", "oracle-ista", "cd", "greedy-cd". */
const char *as_solver_kind_to_string   (AsSolverKind kind);
gboolean    as_solver_kind_from_string (const char *name, AsSolverKind *kind);

typedef struct _AsSolver AsSolver;

/* The solver keeps a pointer to lasso (which must outlive it) and reads λ at
 * every step, so as_lasso_set_lambda between steps is allowed.  Codes start
 * at 0.  `restart` only matters for FISTA (O'Donoghue & Candès 2015 gradient
 * scheme: momentum reset when ⟨y − z_k, z_k − z_{k−1}⟩ > 0). */
AsSolver     *as_solver_new            (AsLasso *lasso, AsSolverKind kind, gboolean restart);
void          as_solver_free           (AsSolver *solver);
AsSolverKind  as_solver_get_kind       (const AsSolver *solver);
AsLasso      *as_solver_get_lasso      (const AsSolver *solver);
/* Back to iteration 0 at Z0 (n_signals × m), or at 0 if Z0 is NULL. */
void          as_solver_reset          (AsSolver *solver, const double *Z0);
/* One iteration for every signal of the batch. */
void          as_solver_step           (AsSolver *solver);
guint         as_solver_get_iteration  (const AsSolver *solver);
/* Current codes, n_signals × m (valid until the next step or reset). */
const double *as_solver_get_codes      (const AsSolver *solver);
/* Step size of the last iteration for signal i: 1/L or 1/L_S for the proximal
 * methods (FISTA: 1/L), 1/‖d_j‖² of the last coordinate moved for CD; 0 before
 * the first step. */
double        as_solver_get_last_step  (const AsSolver *solver, guint i);
/* Seconds spent in the solver's own work since the last reset (the work done
 * only to evaluate the objective or gap is not counted). */
double        as_solver_get_elapsed    (const AsSolver *solver);
/* F(z_i), duality gap and |supp(z_i)| of the current codes for every signal;
 * any output may be NULL.  Costs two DGEMMs unless a step already has them. */
void          as_solver_evaluate       (AsSolver *solver, double *objective, double *gap,
                                        guint *support);

/* Coordinate descent and FISTA: once a signal's support and signs held for
 * @every epochs (CD: 2 epochs, then every @every; FISTA: @every iterations,
 * then every 4·@every) (0: never), solve the Lasso restricted to that support
 * and signs exactly and take that point when it keeps the signs (it then
 * lowers F; FISTA restarts its momentum there).  Both slow to a crawl when the
 * support nearly fills the signal dimension (the rate is set by
 * λ_min(D_SᵀD_S)); the polish finishes it in one step. */
void          as_solver_set_support_polish (AsSolver *solver, guint every);
/* Coordinate descent and FISTA: signals whose @gap (N, from
 * as_solver_evaluate) is ≤ @tol are not stepped any more (their codes stay;
 * ISTA and oracle ISTA keep stepping every signal).  FISTA then steps the
 * remaining signals in gathered blocks.  Returns the number still active. */
guint         as_solver_retire_converged   (AsSolver *solver, const double *gap, double tol);
/* The same with the gap computed from the solver's own state: for coordinate
 * descent from β = Dᵀ(x − Dz), Dᵀx, ‖x‖² in O(m) per signal, cheap enough to
 * check every few epochs; for the gradient methods from two DGEMMs over the
 * signals still active only. */
guint         as_solver_retire_by_own_gap  (AsSolver *solver, double tol);
gboolean      as_solver_is_retired         (const AsSolver *solver, guint i);

typedef struct _AsSolverTrace AsSolverTrace;

/* When a job is set (a reference is kept; NULL unsets), as_solver_run calls
 * as_job_check() before every iteration, so that pause and stop work from the
 * window, and reports its progress as iterations / max_iter. */
void          as_solver_set_job        (AsSolver *solver, AsJob *job);

/* Steps until every signal has duality gap ≤ tol (absolute) or max_iter steps
 * were made; the gap is checked every check_every iterations (every
 * iteration when a trace is recorded).  With a trace, the current point is
 * recorded first if the trace is empty, then after every step.  Returns TRUE
 * when the tolerance was met; FALSE with error when the iterates are not finite,
 * FALSE without error when max_iter was reached or the job was stopped. */
gboolean      as_solver_run            (AsSolver *solver, double tol, guint max_iter,
                                        guint check_every, AsSolverTrace *trace,
                                        GError **error);

/* Per-iteration records of a solver on a batch: arrays of length T (number
 * of records) or T × n_signals (row t = record t). */
AsSolverTrace *as_solver_trace_new              (guint n_signals);
void           as_solver_trace_free             (AsSolverTrace *trace);
void           as_solver_trace_clear            (AsSolverTrace *trace);
/* Evaluates the solver and appends one record. */
void           as_solver_trace_record           (AsSolverTrace *trace, AsSolver *solver);
guint          as_solver_trace_get_length       (const AsSolverTrace *trace);
guint          as_solver_trace_get_n_signals    (const AsSolverTrace *trace);
const guint   *as_solver_trace_get_iterations   (const AsSolverTrace *trace);   /* T */
const double  *as_solver_trace_get_times        (const AsSolverTrace *trace);   /* T, seconds */
const double  *as_solver_trace_get_objectives   (const AsSolverTrace *trace);   /* T × N */
const double  *as_solver_trace_get_gaps         (const AsSolverTrace *trace);   /* T × N */
const guint   *as_solver_trace_get_supports     (const AsSolverTrace *trace);   /* T × N */
const double  *as_solver_trace_get_steps        (const AsSolverTrace *trace);   /* T × N */

/* Appends the trace as CSV rows "solver,signal,iteration,time,objective,gap,
 * suboptimality,support" (the header first if `header`); suboptimality is
 * F(z^t) − F_star[i], left empty when F_star is NULL.  Numbers are written
 * in the C locale.  Returns FALSE with error on a write failure. */
gboolean       as_solver_trace_write_csv        (const AsSolverTrace *trace, FILE *out,
                                                 const char *solver_name, const double *F_star,
                                                 gboolean header, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsSolver, as_solver_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsSolverTrace, as_solver_trace_free)

G_END_DECLS
