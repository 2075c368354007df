/* as-cdl-sim.h: seeded simulations of convolutional problems and the recovery score.
 *
 * Signals of known atoms (triangle, square, sine bursts; rank-1 topographies over the
 * channels) with sparse activations and noise, and images made of known patches, as in
 * alphacsc's simulate_data / examples.  The recovery score matches learned atoms to true
 * ones optimally (Hungarian algorithm) on their maximal normalised cross-correlation.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-csc.h"

G_BEGIN_DECLS

typedef enum
{
  AS_CDL_WAVE_TRIANGLE,
  AS_CDL_WAVE_SQUARE,
  AS_CDL_WAVE_SINE_BURST,
} AsCdlWaveform;

typedef enum
{
  AS_CDL_ACTIVATIONS_BERNOULLI,     /* each position active with probability rate, × U(0,1) */
  AS_CDL_ACTIVATIONS_ONE_PER_TRIAL, /* one occurrence per atom per trial, × U(0,1) */
} AsCdlActivationKind;

typedef struct
{
  guint               n_trials;
  guint               n_channels;
  guint               n_times;       /* samples per trial */
  guint               n_atoms;
  guint               atom_length;
  gboolean            rank1;         /* topographies sin/cos over channels (else P = 1 shape copied) */
  AsCdlActivationKind activations;
  double              rate;          /* Bernoulli probability */
  double              noise_std;     /* σ of N(0, σ²) noise; used when snr_db is NaN */
  double              snr_db;        /* 10 log10(‖signal‖² / ‖noise‖²) when not NaN */
  guint64             seed;
} AsCdlSimParams;

typedef struct
{
  AsCscShape shape;
  guint      n_trials;
  double    *x;      /* n_trials × P·H·W */
  double    *atoms;  /* true atoms, K × P·h·w, unit norm */
  double    *u;      /* rank-1 truth K × P (NULL otherwise) */
  double    *v;      /* K × h·w (NULL otherwise) */
  double    *z;      /* true activations, n_trials × K·valid */
  double     noise_std;
} AsCdlSimulation;

void             as_cdl_sim_params_init (AsCdlSimParams *p);
/* Zero mean, unit norm waveform of length @n. */
void             as_cdl_waveform        (AsCdlWaveform kind, guint n, double *out);
AsCdlSimulation *as_cdl_simulate_signals (const AsCdlSimParams *p);
/* One @n_channels × @height × @width image with @n_patches known h × h patches (cross,
 * ring, diagonal bar, …), each placed @n_occurrences times with amplitude U(0.5, 1). */
AsCdlSimulation *as_cdl_simulate_image  (guint height, guint width, guint n_channels,
                                         guint n_patches, guint patch_size,
                                         guint n_occurrences, double noise_std, guint64 seed);
void             as_cdl_simulation_free (AsCdlSimulation *sim);

/* Mean over the true atoms of the matched max_shift ⟨A, shift(B)⟩/(‖A‖‖B‖) (|·| when
 * @allow_sign), matching by the Hungarian algorithm: 1 = perfect.  Atoms are P × h × w. */
double           as_cdl_recovery_score  (guint n_channels, guint atom_height, guint atom_width,
                                         const double *true_atoms, guint n_true,
                                         const double *learned, guint n_learned,
                                         gboolean allow_sign);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsCdlSimulation, as_cdl_simulation_free)

G_END_DECLS
