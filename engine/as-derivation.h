/* as-derivation.h: EEG montages in the clinical sense — the derivations a
 * page shows (as recorded, common average, linked ears, longitudinal and
 * transverse bipolar, or a user's file), each a weighted sum of recorded
 * channels.
 *
 * A derivation is Σ_i w_i·x_{c_i}: "Fp1-F7" is x_Fp1 − x_F7, the average
 * reference is x_c − (1/N) Σ_EEG x_j.  Labels are matched through
 * as_electrode_label_normalize(), so the old (T3, T4, T5, T6) and new (T7, T8,
 * P7, P8) 10-20 names both work.  Channels that are not EEG (EOG, ECG, EMG,
 * stimulus, …) are kept after the EEG derivations, as recorded, as clinical
 * viewers do.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-recording.h"

G_BEGIN_DECLS

typedef enum
{
  AS_DERIVATION_AS_RECORDED,
  AS_DERIVATION_AVERAGE,               /* common average of the EEG channels */
  AS_DERIVATION_LINKED_EARS,           /* (A1 + A2)/2, (M1 + M2)/2 or (TP9 + TP10)/2 */
  AS_DERIVATION_BIPOLAR_LONGITUDINAL,  /* "double banana" */
  AS_DERIVATION_BIPOLAR_TRANSVERSE,
  AS_DERIVATION_USER,                  /* from a montage file */
} AsDerivationKind;

typedef struct
{
  char          *label;      /* "Fp1-F7", "Cz-avg", "ECG" */
  char          *unit;
  AsChannelType  type;
  guint          n_terms;
  guint         *channel;    /* n_terms recorded channels */
  double        *weight;     /* n_terms weights */
} AsDerivation;

typedef struct
{
  gatomicrefcount  ref_count;
  AsDerivationKind kind;
  char            *name;          /* "Longitudinal bipolar", a file name, … */
  guint            n_derivations;
  AsDerivation    *derivations;
  GPtrArray       *missing;       /* of char*: derivations left out for lack of an electrode */
} AsDerivationSet;

/* The derivations of @kind on @rec.  Fails (G_IO_ERROR_NOT_FOUND) when none of
 * them can be formed (no EEG channel, no ear electrodes, no 10-20 pair). */
AsDerivationSet *as_derivation_set_new   (const AsRecording *rec, AsDerivationKind kind,
                                          GError **error);
/* A user montage: one derivation per line, "Fp1-F7", "Cz" (as recorded),
 * "C3-avg" (average reference) or "O1-(A1+A2)/2"; '#' starts a comment.
 * @source_name names the file in errors ("file:line: reason"). */
AsDerivationSet *as_derivation_set_parse (const AsRecording *rec, const char *text,
                                          const char *source_name, GError **error);
AsDerivationSet *as_derivation_set_load  (const AsRecording *rec, const char *path,
                                          GError **error);
/* The channels of @rec of a type that none of @learned's channels has (EOG,
 * ECG, EMG, triggers… beside learned EEG), as recorded: what a browser shows
 * below what was learned.  NULL when there are none, or when @learned is not on
 * @rec's time line (another rate or length). */
AsDerivationSet *as_derivation_set_new_others (const AsRecording *rec, const AsRecording *learned);
/* A copy of @set without the derivations labelled as one of @hidden (channels
 * the browser does not show). */
AsDerivationSet *as_derivation_set_without (const AsDerivationSet *set, const char *const *hidden);
/* A copy of @set in the order the user chose: the derivations labelled as in @order
 * first, in that order, then the others in their own order.  NULL or empty @order:
 * the same order. */
AsDerivationSet *as_derivation_set_ordered (const AsDerivationSet *set, const char *const *order);
AsDerivationSet *as_derivation_set_ref   (AsDerivationSet *set);
void             as_derivation_set_unref (AsDerivationSet *set);

/* Samples [@start, @start + @n) of every derivation, as a new recording with
 * the derived labels; events inside the span are kept, their onsets relative
 * to @start.  NaN in a term gives NaN in the derivation (a gap stays a gap). */
AsRecording     *as_derivation_set_apply (const AsDerivationSet *set, const AsRecording *rec,
                                          gsize start, gsize n);

const char      *as_derivation_kind_to_string   (AsDerivationKind kind);
gboolean         as_derivation_kind_from_string (const char *name, AsDerivationKind *kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsDerivationSet, as_derivation_set_unref)

G_END_DECLS
