/* atomscope-recovery-page.h: the teaching view's "Dictionary recovery" page:
 * a small grid of recovery experiments runs on a worker thread and fills the
 * heat map cell by cell; the gradient error of unrolled learning versus depth
 * is shown beside it.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define ATOMSCOPE_TYPE_RECOVERY_PAGE (atomscope_recovery_page_get_type ())
G_DECLARE_FINAL_TYPE (AtomscopeRecoveryPage, atomscope_recovery_page, ATOMSCOPE, RECOVERY_PAGE, GtkBox)

/* The page's grid: alternating minimisation on n = 16, m = 24, 300 signals,
 * 4 sparsities × 4 coherences. */
#define ATOMSCOPE_RECOVERY_PAGE_SPEC \
  "n=16,m=24,samples=300,sparsity=0.05:0.3:4,coherence=0.2:0.8:4,seeds=1,learners=am"

GtkWidget *atomscope_recovery_page_new          (void);
/* Starts the grid (stopping a running one). */
void       atomscope_recovery_page_run          (AtomscopeRecoveryPage *self);
void       atomscope_recovery_page_stop         (AtomscopeRecoveryPage *self);

/* For tests: TRUE once the grid and the gradient errors of the last run were
 * drawn; the mean recovery the heat map shows (n_rows × n_cols, NAN where not
 * computed yet; owned by the page); how many times the heat map was drawn. */
gboolean      atomscope_recovery_page_is_finished (AtomscopeRecoveryPage *self);
/* Grid workers of any page still computing (a stopped one ends after its cell). */
guint         atomscope_recovery_page_count_running (void);
const double *atomscope_recovery_page_get_values  (AtomscopeRecoveryPage *self,
                                                   guint                 *n_rows,
                                                   guint                 *n_cols);
guint         atomscope_recovery_page_get_n_draws (AtomscopeRecoveryPage *self);

G_END_DECLS
