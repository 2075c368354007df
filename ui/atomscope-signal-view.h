/* atomscope-signal-view.h: stacked channels of a recording, one page at a time.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "as-figure.h"
#include "as-derivation.h"
#include "as-display.h"
#include "as-nystagmus.h"
#include "as-recording.h"

G_BEGIN_DECLS

#define ATOMSCOPE_TYPE_SIGNAL_VIEW (atomscope_signal_view_get_type ())
G_DECLARE_FINAL_TYPE (AtomscopeSignalView, atomscope_signal_view, ATOMSCOPE, SIGNAL_VIEW, GtkWidget)
/* Channels of @rec (through @others, e.g. as_derivation_set_new_others) drawn
 * below the recording's, on its time line: after learning, what was not
 * learned stays in view.  NULL, NULL: none.  Cleared by a new recording. */
void         atomscope_signal_view_set_others   (AtomscopeSignalView *self, AsRecording *rec,
                                                 AsDerivationSet *others);
guint        atomscope_signal_view_get_n_others (AtomscopeSignalView *self);
/* The recording shown holds learning's scaled values (no longer in its unit):
 * its channels are drawn at their own range whatever the sensitivity.  A new
 * recording clears it. */
void         atomscope_signal_view_set_scaled   (AtomscopeSignalView *self, gboolean scaled);
/* Channels (labels, as the page names them) not shown, and those drawn as bad. */
void         atomscope_signal_view_set_channel_marks (AtomscopeSignalView *self,
                                                      const char *const   *hidden,
                                                      const char *const   *bad);
/* The order of the rows: the labels listed first, in that order, the others after in
 * their own (NULL: the montage's order). */
void         atomscope_signal_view_set_channel_order (AtomscopeSignalView *self,
                                                      const char *const   *order);

GtkWidget   *atomscope_signal_view_new            (void);
void         atomscope_signal_view_set_recording  (AtomscopeSignalView *self, AsRecording *rec);
AsRecording *atomscope_signal_view_get_recording  (AtomscopeSignalView *self);
void         atomscope_signal_view_set_page_start (AtomscopeSignalView *self, double t0);
double       atomscope_signal_view_get_page_start (AtomscopeSignalView *self);
void         atomscope_signal_view_set_page_length (AtomscopeSignalView *self, double seconds);
double       atomscope_signal_view_get_page_length (AtomscopeSignalView *self);
void         atomscope_signal_view_centre_on      (AtomscopeSignalView *self, double t);
/* Learned atoms whose occurrences and reconstruction are drawn over the channels. */
void         atomscope_signal_view_set_atoms      (AtomscopeSignalView *self, AsFigureAtoms *atoms,
                                                   guint64 generation);
/* Beats to mark (slow phases shaded, fast phases drawn, a y axis in degrees) on the
 * channel they were measured on, or NULL. */
void         atomscope_signal_view_set_nystagmus  (AtomscopeSignalView *self,
                                                   AsNystagmusAnalysis *an);
guint64      atomscope_signal_view_get_drawn_generation (AtomscopeSignalView *self);
/* What the view draws, for exporting the same figure. */
void         atomscope_signal_view_get_figure_options (AtomscopeSignalView *self,
                                                       AsFigureSignalOptions *options);

/* What a page shows: the derivations of a montage (@path for a user montage
 * file) through display filters (NULL: none).  They change the view only,
 * never the data learned from.  FALSE with @error when the montage cannot be
 * formed on the recording shown; the view then shows it as recorded. */
gboolean     atomscope_signal_view_set_montage    (AtomscopeSignalView *self, AsDerivationKind kind,
                                                   const char *path, GError **error);
AsDerivationKind atomscope_signal_view_get_montage (AtomscopeSignalView *self);
void         atomscope_signal_view_set_filters    (AtomscopeSignalView *self,
                                                   const AsDisplayFilters *filters);
void         atomscope_signal_view_get_filters    (AtomscopeSignalView *self, AsDisplayFilters *filters);
/* The page last drawn (derivations, filtered), and the time of its first
 * sample in the recording; NULL before the first page.  Free with
 * as_recording_unref(). */
AsRecording *atomscope_signal_view_dup_page       (AtomscopeSignalView *self, double *time_origin);

/* Channels per page (0: all), as clinical viewers show 64 channels 20 at a
 * time: rows outside [first, first + n) of those shown (recorded or derived,
 * then the others below) are not drawn.  The first row is kept in range;
 * ↑/↓, Shift+PgUp/PgDn and the wheel move it. */
void         atomscope_signal_view_set_channels_per_page (AtomscopeSignalView *self, guint n);
guint        atomscope_signal_view_get_channels_per_page (AtomscopeSignalView *self);
void         atomscope_signal_view_set_first_channel (AtomscopeSignalView *self, gint first);
guint        atomscope_signal_view_get_first_channel (AtomscopeSignalView *self);
/* Rows there are to scroll through, counted at the last render. */
guint        atomscope_signal_view_get_n_rows     (AtomscopeSignalView *self);
/* As below, with the modifiers held (Shift+PgUp/PgDn pages channels). */
gboolean     atomscope_signal_view_handle_key_state (AtomscopeSignalView *self, guint keyval,
                                                     GdkModifierType state);
/* Paging keys (PgUp/PgDn, ←/→, Home/End, +/−); TRUE when @keyval was one. */
gboolean     atomscope_signal_view_handle_key     (AtomscopeSignalView *self, guint keyval);

/* Annotations drawn instead of the recording's events (an array of AsEvent
 * that the caller never changes once given; NULL: the recording's).  A new
 * recording clears them. */
void         atomscope_signal_view_set_annotations (AtomscopeSignalView *self, GArray *annotations);
/* What is drawn as events: the annotations set, or the recording's events. */
GArray      *atomscope_signal_view_get_annotations (AtomscopeSignalView *self);
/* The time (s) at widget abscissa @x, and the abscissa of time @t. */
double       atomscope_signal_view_time_at        (AtomscopeSignalView *self, double x);
double       atomscope_signal_view_x_at           (AtomscopeSignalView *self, double t);
/* Emits "annotate" (onset, duration in s, clamped to the recording), as a
 * double click (duration 0) or a Shift-drag over the trace does. */
void         atomscope_signal_view_request_annotation (AtomscopeSignalView *self, double onset,
                                                       double duration);

/* TRUE until what is shown matches the widget's current state. */
gboolean atomscope_signal_view_is_rendering (AtomscopeSignalView *self);

G_END_DECLS
