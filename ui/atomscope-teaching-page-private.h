/* atomscope-teaching-page-private.h: state shared by the teaching page's
 * controller (atomscope-teaching-page.c) and its figures and export
 * (atomscope-teaching-page-figures.c).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "as-figure-teaching.h"
#include "atomscope-figure-worker.h"
#include "atomscope-teaching-page.h"

G_BEGIN_DECLS

#define TEACHING_N_CURVES (AS_TEACHING_N_CLASSICAL + AS_TEACHING_N_LEARNED)

/* The five figure areas, in the order of `areas` below. */
enum
{
  TEACHING_FIGURE_CONVERGENCE,
  TEACHING_FIGURE_LOSS,
  TEACHING_FIGURE_STEMS,
  TEACHING_FIGURE_STEPS,
  TEACHING_FIGURE_COUPLING,
  TEACHING_N_FIGURES
};

/* Legend hit boxes found by one render (an atomic rc box shared by the render
 * and the page): the worker fills it, then sets `done`; the page copies it
 * when the image of the same generation is shown. */
typedef struct
{
  guint64      generation;
  gint         done;
  AsFigureRect boxes[TEACHING_N_CURVES];
  guint        index[TEACHING_N_CURVES];
  guint        n;
  AsFigureXMap x_map;             /* the convergence plot's axes, in widget pixels */
} TeachingLegend;

/* Everything one figure reads, copied on the main thread (the snapshot by
 * reference: it is immutable), so that it can be drawn on a worker thread. */
typedef struct
{
  AsTeachingSnapshot *snapshot;       /* a reference, or NULL */
  AsFigureStyle       style;
  gboolean            by_time, logx;
  gboolean            visible[TEACHING_N_CURVES];
  guint               step_index, step_t;
  guint               figure;         /* TEACHING_FIGURE_* */
  TeachingLegend     *legend;         /* a reference, or NULL */
  double              scale;          /* presentation scale of text and lines */
  double              layer_lo, layer_hi; /* convergence x range shown (layer_hi > layer_lo) */
} TeachingFigure;

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
  GtkDrawingArea     *areas[TEACHING_N_FIGURES];   /* the five above, for redraws */
  /* each area is painted on a worker thread (atomscope-figure-worker.h) */
  AtomscopeFigureWorker *workers[TEACHING_N_FIGURES];
  gboolean            dirty[TEACHING_N_FIGURES];
  guint64             figure_generation[TEACHING_N_FIGURES];
  GPtrArray          *legends[TEACHING_N_FIGURES];  /* TeachingLegend of renders in flight */
  gboolean            figures_pending;    /* a newer snapshot than the figures show */
  gint64              figures_refreshed;  /* frame time of the last refresh, µs */
  guint               figures_to_queue;   /* bit per figure still to redraw, one a frame */

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
  AsTeachingConfig    base;           /* the last preset's configuration (the defaults before one) */

  /* legend state (figures) */
  gboolean            visible[TEACHING_N_CURVES];
  AsFigureRect        legend[TEACHING_N_CURVES];
  guint               legend_index[TEACHING_N_CURVES];
  guint               n_legend;
  AsFigureXMap        x_map;          /* the convergence plot shown */
  double              layer_lo, layer_hi; /* its zoomed range, or 0, 0 */
  double              drag_x;         /* where a range selection started */
  AsFigureRect        steps_legend[AS_TEACHING_N_LEARNED];
  guint               steps_legend_index[AS_TEACHING_N_LEARNED];
  guint               n_steps_legend;

  /* presentation scale (Ctrl+plus / Ctrl+minus), kept in GSettings */
  GSettings          *settings;
  double              scale;
};

/* atomscope-teaching-page-figures.c */
void     teaching_style          (AsFigureStyle *style, gboolean dark);
/* A copy of what @figure shows now, with a legend to fill when @legend. */
TeachingFigure *teaching_figure_new (AtomscopeTeachingPage *self, guint figure,
                                     const AsFigureStyle *style, gboolean legend);
void     teaching_figure_free    (TeachingFigure *figure);
/* An AtomscopeFigureDraw: safe on any thread; drops the snapshot when done. */
void     teaching_figure_render  (cairo_t *cr, double w, double h, gpointer data);
TeachingLegend *teaching_legend_ref (TeachingLegend *legend);
void     teaching_legend_unref   (TeachingLegend *legend);
/* Drops a snapshot reference on a worker thread: the last one frees big arrays. */
void     teaching_snapshot_unref_later (AsTeachingSnapshot *snapshot);
/* The path shown step by step (borrowed from the snapshot) and the solver's name. */
const AsTeachingPath *teaching_step_path (AtomscopeTeachingPage *self, const char **name);
const char *teaching_solver_name (guint index);

G_END_DECLS
