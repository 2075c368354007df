/* as-spectrum.h: magnitude spectra of short real signals (atoms' waveforms), by FFTW.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Number of one-sided bins of a real transform of length @n_fft: n_fft/2 + 1. */
#define AS_SPECTRUM_N_BINS(n_fft) ((n_fft) / 2 + 1)

/* |X_f| = |Σ_{i<m} x_i e^{−2πi f i / n_fft}| for f = 0 … n_fft/2, where m = min(@n, @n_fft):
 * the unnormalised DFT of @x zero-padded (or truncated) to @n_fft points, so a sine of
 * amplitude A at a bin frequency has magnitude A·n/2 there.  @magnitude receives
 * n_fft/2 + 1 values; @frequencies (may be NULL) the same number, f·sfreq/n_fft in Hz
 * (in cycles per sample when @sfreq ≤ 0).  Plans with FFTW_ESTIMATE: callers on worker
 * threads rely on as_engine_init() having made FFTW's planner thread-safe. */
void as_spectrum_magnitude (const double *x, gsize n, gsize n_fft, double sfreq,
                            double *magnitude, double *frequencies);

G_END_DECLS
