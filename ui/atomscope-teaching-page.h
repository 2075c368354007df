/* atomscope-teaching-page.h: the teaching view: ISTA, FISTA and their learned
 * versions converging live on a simulated sparse-coding problem.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "as-figure-teaching.h"
#include "as-teaching.h"

G_BEGIN_DECLS

#define ATOMSCOPE_TYPE_TEACHING_PAGE (atomscope_teaching_page_get_type ())
G_DECLARE_FINAL_TYPE (AtomscopeTeachingPage, atomscope_teaching_page, ATOMSCOPE, TEACHING_PAGE, AdwBin)

/* The presets reproduce figures of Ablin et al. 2019 and Moreau & Bruna 2017. */
typedef enum
{
  ATOMSCOPE_TEACHING_PRESET_CUSTOM,
  ATOMSCOPE_TEACHING_PRESET_LEARNED_STEPS,   /* Ablin et al. 2019: m = 256, n = 64, dense x */
  ATOMSCOPE_TEACHING_PRESET_SPARSE,          /* Moreau & Bruna 2017: K = 100, P = 64, ρ = 1/20 */
  ATOMSCOPE_TEACHING_PRESET_DENSE,           /* Moreau & Bruna 2017: ρ = 1/4 */
  ATOMSCOPE_TEACHING_PRESET_ADVERSARIAL,     /* Moreau & Bruna 2017: adversarial Fourier dictionary */
  ATOMSCOPE_TEACHING_N_PRESETS
} AtomscopeTeachingPreset;

GtkWidget          *atomscope_teaching_page_new           (void);
/* Sets every control of the preset and re-runs once. */
void                atomscope_teaching_page_apply_preset  (AtomscopeTeachingPage  *self,
                                                           AtomscopeTeachingPreset preset);
/* Caps the learning work of the next runs (0 keeps the preset's value): fewer
 * epochs and smaller training/test sets, for quick demonstrations and tests. */
void                atomscope_teaching_page_set_budget    (AtomscopeTeachingPage *self,
                                                           guint                  n_epochs,
                                                           guint                  train_size,
                                                           guint                  test_size);
/* The convergence plot shows iterations/layers @lo … @hi (what a drag across it
 * does); @hi ≤ @lo shows them all (a double click). */
void                atomscope_teaching_page_set_layer_range (AtomscopeTeachingPage *self,
                                                             double                 lo,
                                                             double                 hi);
/* The axes of the convergence plot now shown, in widget pixels; FALSE before one is drawn. */
gboolean            atomscope_teaching_page_get_shown_range (AtomscopeTeachingPage *self,
                                                             AsFigureXMap          *map);
/* Re-runs now (what a control change does after its debounce). */
void                atomscope_teaching_page_restart       (AtomscopeTeachingPage *self);
/* The newest snapshot the page has drawn (new reference), or NULL. */
AsTeachingSnapshot *atomscope_teaching_page_dup_snapshot  (AtomscopeTeachingPage *self);
/* Number of jobs started so far (tests wait on it). */
guint               atomscope_teaching_page_get_n_runs    (AtomscopeTeachingPage *self);
/* The run (1, 2, …) the newest drawn snapshot comes from; 0 before any. */
guint               atomscope_teaching_page_get_snapshot_run (AtomscopeTeachingPage *self);
/* Shows "convergence", "steps" or "learned". */
void                atomscope_teaching_page_set_view      (AtomscopeTeachingPage *self,
                                                           const char            *name);
/* Step-by-step mode: follow solver @index (AsTeachingClassical, then
 * AS_TEACHING_N_CLASSICAL + AsUnrolledKind) at iteration or layer @t. */
void                atomscope_teaching_page_set_step      (AtomscopeTeachingPage *self,
                                                           guint                  index,
                                                           guint                  t);
/* Curve visibility, as the legend toggles it; index: AsTeachingClassical, then
 * AS_TEACHING_N_CLASSICAL + AsUnrolledKind. */
void                atomscope_teaching_page_set_curve_visible (AtomscopeTeachingPage *self,
                                                               guint                  index,
                                                               gboolean               visible);
gboolean            atomscope_teaching_page_get_curve_visible (AtomscopeTeachingPage *self,
                                                               guint                  index);
/* Writes the current figure ("convergence", "steps" or "learned") to PNG, SVG or
 * PDF (chosen by the extension) and the curves to CSV. */
gboolean            atomscope_teaching_page_export_figure (AtomscopeTeachingPage *self,
                                                           const char            *view,
                                                           const char            *path,
                                                           gboolean               overwrite,
                                                           GError               **error);
gboolean            atomscope_teaching_page_export_csv    (AtomscopeTeachingPage *self,
                                                           const char            *path,
                                                           gboolean               overwrite,
                                                           GError               **error);

/* Presentation scale of the figures' text and lines (1 = normal, 0.75 … 3;
 * Ctrl+plus / Ctrl+minus / Ctrl+0), remembered in GSettings. */
void        atomscope_teaching_page_set_scale (AtomscopeTeachingPage *self, double scale);
double      atomscope_teaching_page_get_scale (AtomscopeTeachingPage *self);

G_END_DECLS
