/* as-spectrum.c: magnitude spectra of short real signals by a zero-padded r2c FFT.
 *
 * The one-sided DFT of a real sequence (Oppenheim & Schafer, Discrete-Time Signal
 * Processing, §8.5: X_{n−f} = conj X_f, so bins 0 … n/2 hold all of it); zero padding
 * samples the same DTFT more finely (ibid. §10.2).  FFTW's r2c transform computes exactly
 * these n/2 + 1 bins, unnormalised (FFTW manual, "What FFTW Really Computes").
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-spectrum"

#include "config.h"

#include <math.h>
#include <string.h>
#include <fftw3.h>

#include "as-spectrum.h"

void
as_spectrum_magnitude (const double *x, gsize n, gsize n_fft, double sfreq, double *magnitude,
                       double *frequencies)
{
  const gsize n_bins = AS_SPECTRUM_N_BINS (n_fft), m = MIN (n, n_fft);
  double *in;
  fftw_complex *out;
  fftw_plan plan;

  g_return_if_fail (n_fft > 0 && n_fft <= G_MAXINT && magnitude != NULL);
  g_return_if_fail (x != NULL || n == 0);

  if (frequencies != NULL)
    {
      double rate = sfreq > 0 ? sfreq : 1.0;
      for (gsize f = 0; f < n_bins; f++)
        frequencies[f] = (double) f * rate / (double) n_fft;
    }

  /* Plan before filling: FFTW_ESTIMATE leaves the arrays alone, but other flags would not. */
  in = fftw_alloc_real (n_fft);
  out = fftw_alloc_complex (n_bins);
  plan = fftw_plan_dft_r2c_1d ((int) n_fft, in, out, FFTW_ESTIMATE);
  memset (in, 0, sizeof (double) * n_fft);
  if (m > 0)
    memcpy (in, x, sizeof (double) * m);
  fftw_execute (plan);
  for (gsize f = 0; f < n_bins; f++)
    magnitude[f] = hypot (out[f][0], out[f][1]);
  fftw_destroy_plan (plan);
  fftw_free (out);
  fftw_free (in);
}
