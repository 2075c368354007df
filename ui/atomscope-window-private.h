/* atomscope-window-private.h: the window's state, shared by the files that
 * implement it (atomscope-window.c: opening files and the widget itself;
 * -learning.c: learning and following the engine; -export.c: exports;
 * -actions.c: actions and their enabled state).  Also the accessors the UI
 * tests use to watch the window; they are not part of the public header.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "atomscope-window.h"
#include "atomscope-atoms-panel.h"
#include "atomscope-convergence-view.h"
#include "atomscope-nystagmus-panel.h"
#include "atomscope-events-panel.h"
#include "atomscope-raster-view.h"
#include "atomscope-signal-view.h"
#include "as-montage.h"
#include "as-model.h"
#include "as-preprocess.h"
#include "as-reader.h"

G_BEGIN_DECLS

/* Occurrences are activations above this fraction of the atom's largest one. */
/* Topography grid cells per side. */
#define TOPOGRAPHY_SIZE 48

struct _AtomscopeWindow
{
  AdwApplicationWindow parent_instance;

  /* template children */
  AdwToastOverlay          *toast_overlay;
  AdwViewStack             *view_stack;
  GtkStack                 *recording_stack;
  AdwStatusPage            *status_page;
  AtomscopeSignalView      *signal_view;
  AtomscopeRasterView      *raster_view;
  AtomscopeAtomsPanel      *atoms_panel;
  AtomscopeConvergenceView *convergence_view;
  AtomscopeParamsPanel     *params_panel;
  AtomscopeNystagmusPanel  *nystagmus_panel;
  AtomscopeEventsPanel     *events_panel;
  GtkMenuButton            *primary_menu_button;
  GMenu                    *recent_submenu;
  GtkButton                *pause_button;
  GtkLabel                 *progress_label;
  GtkWidget                *learn_box;
  GtkMenuButton            *channels_button;
  GtkListBox               *channels_list;
  GtkDropDown              *channels_per_page_dropdown; /* all, or 8 … 32 rows a page */
  GPtrArray                *hidden_channels;  /* of char*: labels not shown */
  GPtrArray                *bad_channels;     /* of char*: labels marked bad */
  GtkProgressBar           *progress_bar;      /* learning's progress, with the time left */
  GtkLabel                 *page_label;
  GtkDropDown              *scale_dropdown;
  GtkSpinButton            *sensitivity_spin;
  GtkToggleButton          *reconstruction_toggle;
  GtkToggleButton          *conv_time_toggle;
  GtkToggleButton          *conv_logx_toggle;
  GtkToggleButton          *conv_logy_toggle;
  GtkToggleButton          *conv_subopt_toggle;
  GtkStack                 *browser_stack;
  GtkPicture               *image_picture;
  GtkDropDown              *montage_dropdown;
  GtkMenuButton            *filters_button;
  GtkSpinButton            *highpass_spin;
  GtkSpinButton            *lowpass_spin;
  GtkDropDown              *notch_dropdown;
  GtkMenuButton            *events_button;
  GtkDrawingArea           *overview_area;
  GtkPopover               *events_popover;
  GtkSearchEntry           *events_search;
  GtkListBox               *events_list;
  gboolean                  montage_guard;  /* the toolbar is being set, not changed by the user */

  AsRecording              *recording;    /* as read from the file */
  AsImage                  *image;        /* or the image opened */
  AsRecording              *learned_on;   /* after preprocessing: what the model explains */
  AsMontage                *montage;
  GCancellable             *load_cancellable;
  guint                     load_count;   /* recordings shown so far (tests wait on it) */
  guint                     load_failures; /* files that could not be opened */

  /* Learning. */
  GCancellable             *prepare_cancellable;
  AsJob                    *job;
  guint                     tick_id;
  guint64                   job_generation; /* of the last snapshot taken */
  AsCdlModel               *model;          /* newest model, kept after the job ends */
  AsFigureAtoms            *figure_atoms;
  guint64                   model_serial;   /* bumped for every snapshot shown */
  guint                     learn_count;    /* learning runs that ended */
  gboolean                  warm_started;
  AsCdlParams               learn_params;     /* captured when Learn was pressed */
  AsPreprocessOptions       learn_preprocess;
  AsCdlParams               model_params;     /* what the shown model was learned with */
  gboolean                  has_model_params;
  JsonObject               *model_preprocessing; /* what was applied before learning */
  char                     *model_source;     /* the file the shown model explains */
  char                     *model_dir;        /* the folder it was opened from, or NULL */
  char                     *model_dictionary; /* encoded: the folder its atoms came from */
  AsModel                  *pending_model;    /* opened, waiting for its recording */
  gboolean                  pending_encode;   /* ... to encode it rather than show it */
  GCancellable             *model_cancellable;
  guint                     model_open_count;    /* Open Model / Use Atoms requests done */
  guint                     model_open_failures;
  gint64                    progress_shown_at; /* µs, monotonic */

  /* The atoms figure (occurrences, spectra, topographies) built on a worker. */
  GCancellable             *figure_cancellable;
  gboolean                  figure_running;
  gboolean                  figure_pending;
  gboolean                  finish_pending; /* the run ended; its last figure is being built */
  gint64                    topographies_at; /* µs, monotonic: last build that made new maps */
  guint                     learn_serial;   /* bumped by Learn and by a new file: stale builds */

  GCancellable             *export_cancellable; /* cancelled when the window goes */
  guint                     export_count;
  guint                     export_failures;
  GPtrArray                *last_export;
  AdwMessageDialog         *overwrite_dialog;

  /* Importing text and adding events (atomscope-window-import.c). */
  GtkWindow                *text_import;       /* the assistant shown, or NULL */
  GCancellable             *events_cancellable;
  guint                     events_file_count;    /* event files added */
  guint                     events_file_failures;
  char                     *events_file_error;    /* the last failure's message */

  /* Annotations the user edits (atomscope-window-annotations.c). */
  GArray                   *annotations;          /* of AsEvent: the authority; the view gets copies */
  GPtrArray                *annotations_undo;     /* of GArray: earlier lists, newest last */
  gboolean                  annotations_modified; /* changed since opened or last saved */
  gboolean                  close_after_save;     /* "Save" chosen when closing */
  double                    annotation_pointer_x; /* over the trace, or −1 */
  AdwMessageDialog         *annotation_dialog;    /* adding or editing one, or NULL */
  AdwMessageDialog         *unsaved_dialog;       /* asking before closing, or NULL */
  GCancellable             *annotations_cancellable;
  guint                     annotations_save_count;    /* saves ended (done or not) */
  guint                     annotations_save_failures;
};

/* Shared between the window's files. */
void atomscope_window_update_actions (AtomscopeWindow *self);
void atomscope_window_stop_learning  (AtomscopeWindow *self);
void atomscope_window_clear_model    (AtomscopeWindow *self);
void atomscope_window_install_actions (GtkWidgetClass *widget_class);
void atomscope_window_browser_init (AtomscopeWindow *self);
void atomscope_window_browser_set_recording (AtomscopeWindow *self, AsRecording *rec);
/* Rows of the events list that the filter shows (for the UI tests). */
guint atomscope_window_count_visible_events (AtomscopeWindow *self);
void atomscope_window_export_action (GtkWidget *widget, const char *name, GVariant *param);
void atomscope_window_on_occurrence_activated (AtomscopeWindow *self, int atom, double time);
/* A model read from a folder, shown as if just learned on @rec (the model's
 * preprocessing applied; NULL when the recording is not at hand). */
void atomscope_window_show_model_from (AtomscopeWindow *self, AsRecording *rec, AsCdlModel *model,
                                       const AsCdlParams *params, JsonObject *preprocessing,
                                       const char *source, const char *dir);
/* Activations of fixed @atoms on @rec (already preprocessed) as a job, followed like learning. */
void atomscope_window_start_encoding (AtomscopeWindow *self, AsRecording *rec, const AsCdlModel *atoms,
                                      const AsCdlParams *params, JsonObject *preprocessing,
                                      const char *dictionary);
/* Called once a file is shown: applies a model that was waiting for it. */
void atomscope_window_model_file_loaded (AtomscopeWindow *self);
void atomscope_window_open_model_action (GtkWidget *widget, const char *name, GVariant *param);
/* Reads @file with @options (no assistant); the options are copied. */
void atomscope_window_open_file_with_options (AtomscopeWindow *self, GFile *file,
                                              const AsReadOptions *options);
/* The text import assistant for @file; Open reads it with the options chosen. */
void atomscope_window_import_text (AtomscopeWindow *self, GFile *file);
void atomscope_window_import_text_action (GtkWidget *widget, const char *name, GVariant *param);
/* Adds the events of an annotation file to the recording shown (on a worker). */
void atomscope_window_add_events_from_file (AtomscopeWindow *self, GFile *file);
void atomscope_window_update_events_source (AtomscopeWindow *self);
void atomscope_window_add_events_action (GtkWidget *widget, const char *name, GVariant *param);
/* The events list and overview after the recording's events changed. */
void atomscope_window_browser_update_events (AtomscopeWindow *self, AsRecording *rec);
void atomscope_window_import_dispose (AtomscopeWindow *self);
void atomscope_window_use_atoms_action (GtkWidget *widget, const char *name, GVariant *param);

/* Annotations (atomscope-window-annotations.c).  The list becomes @rec's
 * events (a new recording; unsaved changes forgotten unless @keep_modified). */
void atomscope_window_annotations_reset (AtomscopeWindow *self, AsRecording *rec, gboolean keep_modified);
void atomscope_window_annotations_install (GtkWidgetClass *widget_class);
/* The view draws the annotations (after it changed recording, e.g. to the learned one). */
void atomscope_window_annotations_show (AtomscopeWindow *self);
void atomscope_window_annotations_init (AtomscopeWindow *self);
void atomscope_window_annotations_dispose (AtomscopeWindow *self);
void atomscope_window_annotations_update_actions (AtomscopeWindow *self);
/* What the dialog and the actions do; −1/FALSE with an error when refused. */
gint     atomscope_window_add_annotation    (AtomscopeWindow *self, double onset, double duration,
                                             const char *text, GError **error);
gint     atomscope_window_edit_annotation   (AtomscopeWindow *self, guint index, double onset,
                                             double duration, const char *text, GError **error);
gboolean atomscope_window_delete_annotation (AtomscopeWindow *self, guint index);
gboolean atomscope_window_undo_annotation   (AtomscopeWindow *self);
/* The dialog adding (@index < 0, at @onset for @duration) or editing annotation @index. */
void     atomscope_window_annotation_dialog (AtomscopeWindow *self, gint index, double onset,
                                             double duration);
/* Saves the annotations (EDF+ with the signals, or events.tsv for a .tsv
 * path) on a worker; asks before replacing a file unless @asked already. */
void     atomscope_window_save_annotations  (AtomscopeWindow *self, const char *path, gboolean asked);
gboolean atomscope_window_has_unsaved_annotations (AtomscopeWindow *self);
/* Runs @then (@data) at once when no annotation is unsaved; else asks, and
 * runs it only if the user discards them (@destroy frees @data otherwise). */
void     atomscope_window_annotations_confirm_discard (AtomscopeWindow *self,
                                                       void (*then) (AtomscopeWindow *self, gpointer data),
                                                       gpointer data, GDestroyNotify destroy);
GArray            *atomscope_window_get_annotations        (AtomscopeWindow *self);
AdwMessageDialog  *atomscope_window_get_annotation_dialog  (AtomscopeWindow *self);
AdwMessageDialog  *atomscope_window_get_unsaved_dialog     (AtomscopeWindow *self);
guint              atomscope_window_get_annotations_save_count    (AtomscopeWindow *self);
guint              atomscope_window_get_annotations_save_failures (AtomscopeWindow *self);

/* For the UI tests: counters and dialogs to wait on. */
/* µs the last window's dispose took for its own state (the job, the workers, the
 * data), before GTK's teardown of its widgets. */
guint            atomscope_window_get_last_dispose_time (void);
/* Shows a recording made in memory (a simulated one) as if it was opened. */
void             atomscope_window_show_recording (AtomscopeWindow *self, AsRecording *rec);
guint            atomscope_window_get_load_count (AtomscopeWindow *self);
guint            atomscope_window_get_load_failures (AtomscopeWindow *self);
AsJob           *atomscope_window_get_job       (AtomscopeWindow *self);
AsFigureAtoms   *atomscope_window_get_figure_atoms (AtomscopeWindow *self);
guint            atomscope_window_get_learn_count  (AtomscopeWindow *self);
guint64          atomscope_window_get_model_serial (AtomscopeWindow *self);
gboolean         atomscope_window_get_warm_started (AtomscopeWindow *self);
AtomscopeParamsPanel *atomscope_window_get_params_panel (AtomscopeWindow *self);
/* "signals", "atoms", "raster" or "convergence". */
GtkWidget       *atomscope_window_get_view      (AtomscopeWindow *self, const char *name);
guint            atomscope_window_get_export_count    (AtomscopeWindow *self);
guint            atomscope_window_get_export_failures (AtomscopeWindow *self);
GPtrArray       *atomscope_window_get_last_export     (AtomscopeWindow *self);
AdwMessageDialog *atomscope_window_get_overwrite_dialog (AtomscopeWindow *self);
gboolean atomscope_window_is_rendering (AtomscopeWindow *self);
guint            atomscope_window_get_model_open_count    (AtomscopeWindow *self);
guint            atomscope_window_get_model_open_failures (AtomscopeWindow *self);
const char      *atomscope_window_get_model_dir           (AtomscopeWindow *self);
/* The text import assistant shown (an AtomscopeTextImport), or NULL. */
GtkWindow       *atomscope_window_get_text_import         (AtomscopeWindow *self);
guint            atomscope_window_get_events_file_count    (AtomscopeWindow *self);
guint            atomscope_window_get_events_file_failures (AtomscopeWindow *self);
const char      *atomscope_window_get_events_file_error    (AtomscopeWindow *self);


/* The channel list of the browser: show or hide a channel, mark it bad (left
 * out of learning), as its check boxes do. */
void     atomscope_window_set_channel_shown (AtomscopeWindow *self, const char *label, gboolean shown);
void     atomscope_window_set_channel_bad   (AtomscopeWindow *self, const char *label, gboolean bad);
/* Moves the channel list's row of @label @delta rows (the view draws the rows in the
 * list's order); FALSE when there is no such row or it would leave the list. */
gboolean atomscope_window_move_channel      (AtomscopeWindow *self, const char *label, int delta);

G_END_DECLS
