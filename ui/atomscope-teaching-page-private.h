/* atomscope-teaching-page-private.h: state shared by the teaching page's
 * controller (atomscope-teaching-page.c) and its figures and export
 * (atomscope-teaching-page-figures.c).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "as-figure-teaching.h"
#include "atomscope-teaching-page.h"

G_BEGIN_DECLS

#define TEACHING_N_CURVES (AS_TEACHING_N_CLASSICAL + AS_TEACHING_N_LEARNED)

struct _AtomscopeTeachingPage
{
  AdwBin              parent_instance;

  /* template children: controls */
  AdwComboRow        *preset_row;
  GtkSpinButton      *n_spin;
  GtkSpinButton      *m_spin;
  GtkScale           *lambda_scale;
  GtkScale           *rho_scale;
  GtkScale           *noise_scale;
  AdwComboRow        *dictionary_row;
  AdwActionRow       *coherence_row;
  GtkScale           *coherence_scale;
  GtkSpinButton      *seed_spin;
  GtkSpinButton      *layers_spin;
  AdwComboRow        *loss_row;
  GtkSwitch          *learned_switch[AS_TEACHING_N_LEARNED];
  GtkSpinButton      *epochs_spin;
  GtkLabel           *status_label;
  GtkProgressBar     *progress_bar;
  GtkToggleButton    *pause_button;
  GtkToggleButton    *time_button;
  GtkToggleButton    *logx_button;
  /* template children: figures */
  GtkStack           *stack;
  GtkDrawingArea     *convergence_area;
  GtkDrawingArea     *loss_area;
  GtkDropDown        *step_solver_dropdown;
  GtkSpinButton      *step_spin;
  GtkLabel           *step_label;
  GtkToggleButton    *play_button;
  GtkDrawingArea     *stems_area;
  GtkDrawingArea     *steps_area;
  GtkDrawingArea     *coupling_area;
  GtkDrawingArea     *areas[5];       /* the five above, for redraws */

  /* job */
  AsJob              *job;
  guint64             generation;
  AsTeachingSnapshot *snapshot;
  guint               n_runs;
  guint               snapshot_run;   /* run of `snapshot` */
  guint               debounce_id;
  guint               tick_id;
  guint               play_id;
  gboolean            applying;       /* controls set by a preset: one restart at the end */
  guint               budget_epochs, budget_train, budget_test;

  /* legend state (figures) */
  gboolean            visible[TEACHING_N_CURVES];
  AsFigureRect        legend[TEACHING_N_CURVES];
  guint               legend_index[TEACHING_N_CURVES];
  guint               n_legend;
  AsFigureRect        steps_legend[AS_TEACHING_N_LEARNED];
  guint               steps_legend_index[AS_TEACHING_N_LEARNED];
  guint               n_steps_legend;
  double             *epoch_x;
  guint               n_epoch_x;
};

/* atomscope-teaching-page-figures.c */
void     teaching_style          (AsFigureStyle *style, gboolean dark);
void     teaching_draw_convergence (AtomscopeTeachingPage *self, cairo_t *cr, double w, double h,
                                    const AsFigureStyle *style);
void     teaching_draw_loss      (AtomscopeTeachingPage *self, cairo_t *cr, double w, double h,
                                  const AsFigureStyle *style);
void     teaching_draw_stems     (AtomscopeTeachingPage *self, cairo_t *cr, double w, double h,
                                  const AsFigureStyle *style);
void     teaching_draw_steps     (AtomscopeTeachingPage *self, cairo_t *cr, double w, double h,
                                  const AsFigureStyle *style);
void     teaching_draw_coupling  (AtomscopeTeachingPage *self, cairo_t *cr, double w, double h,
                                  const AsFigureStyle *style);
/* The path shown step by step (borrowed from the snapshot) and the solver's name. */
const AsTeachingPath *teaching_step_path (AtomscopeTeachingPage *self, const char **name);
const char *teaching_solver_name (guint index);

G_END_DECLS
