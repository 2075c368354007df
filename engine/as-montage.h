/* as-montage.h: electrode positions, label normalisation, and the
 * projection of the head onto the 2-D disc topographies are drawn on.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-recording.h"

G_BEGIN_DECLS

typedef struct
{
  char  *label;
  double pos[3];      /* metres, x right, y front, z up */
} AsElectrode;

typedef struct
{
  gatomicrefcount ref_count;
  char           *name;
  guint           n_electrodes;
  AsElectrode    *electrodes;   /* fiducials (LPA, RPA, Nz) included */
} AsMontage;

typedef enum
{
  AS_HEAD_CIRCLE_EEGLAB,  /* the circle through Fpz, T7, Oz, T8 */
  AS_HEAD_CIRCLE_MNE,     /* the radius of the nasion and the ears (LPA/RPA) */
} AsHeadCircle;

AsMontage  *as_montage_load           (const char *path, GError **error);
AsMontage  *as_montage_parse          (const char *name, const char *data, gsize len,
                                       GError **error);
/* "standard_1020" or "standard_1005", from the installed data folder (or
 * $ATOMSCOPE_DATADIR/montages). */
AsMontage  *as_montage_load_standard  (const char *which, GError **error);
AsMontage  *as_montage_ref            (AsMontage *montage);
void        as_montage_unref          (AsMontage *montage);
const AsElectrode *as_montage_find    (const AsMontage *montage, const char *label);

/* "EEG Fp1-Ref" → "Fp1", "Fc5." → "Fc5", "T3" → "T7": the name to look up
 * (case is left alone: lookups ignore it). */
char       *as_electrode_label_normalize (const char *label);
gboolean    as_electrode_is_fiducial  (const char *label);

/* Sets channels' positions from the montage; returns how many matched.
 * EEG channels without a position get a warning on the recording. */
guint       as_recording_attach_montage (AsRecording *rec, const AsMontage *montage);

/* Least-squares sphere through n points (n × 3): centre and radius. */
gboolean    as_fit_sphere             (const double *points, guint n, double center[3],
                                       double *radius);
/* Azimuthal equidistant projection about centre c (docs/maths.md "Topographies"):
 * v = p − c, r = ‖v‖, θ = arccos(v_z/r), φ = atan2(v_y, v_x),
 * (x, y) = r·θ/(π/2)·(cos φ, sin φ).  points n × 3 → xy n × 2. */
void        as_project_azimuthal      (const double *points, guint n, const double center[3],
                                       double *xy);
/* The head circle's radius in the projected plane, for a montage projected
 * about center. */
double      as_montage_head_radius    (const AsMontage *montage, const double center[3],
                                       AsHeadCircle circle);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsMontage, as_montage_unref)

G_END_DECLS
