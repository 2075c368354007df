/* test-spectrum.c: magnitude spectra: a bin-frequency sine peaks at its bin with
 * amplitude·n/2, Parseval's identity, agreement with a direct DFT, and zero padding
 * sampling the same transform more finely.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "as-engine.h"
#include "as-rng.h"
#include "as-spectrum.h"

/* |Σ x_i e^{−2πi f i/n_fft}| summed directly: the reference. */
static double
direct_dft (const double *x, gsize n, gsize n_fft, gsize f)
{
  double re = 0, im = 0;

  for (gsize i = 0; i < MIN (n, n_fft); i++)
    {
      double ph = -2 * G_PI * (double) ((f * i) % n_fft) / n_fft;
      re += x[i] * cos (ph);
      im += x[i] * sin (ph);
    }
  return hypot (re, im);
}

/* A sine of amplitude A at bin b (b cycles over n samples) has |X_b| = A·n/2, nothing
 * elsewhere; the frequencies are f·sfreq/n_fft. */
static void
test_sine_peak (void)
{
  const gsize n = 128, b = 10;
  const double A = 2.5, sfreq = 256;
  double x[128], mag[AS_SPECTRUM_N_BINS (128)], freq[AS_SPECTRUM_N_BINS (128)];
  gsize best = 0;

  for (gsize i = 0; i < n; i++)
    x[i] = A * sin (2 * G_PI * b * i / n + 0.3);
  as_spectrum_magnitude (x, n, n, sfreq, mag, freq);
  for (gsize f = 0; f < G_N_ELEMENTS (mag); f++)
    {
      if (mag[f] > mag[best])
        best = f;
      g_assert_cmpfloat_with_epsilon (freq[f], f * sfreq / n, 1e-12);
      if (f != b)
        g_assert_cmpfloat (mag[f], <, 1e-9);
    }
  g_assert_cmpuint (best, ==, b);
  g_assert_cmpfloat_with_epsilon (mag[b], A * n / 2, 1e-9);
  g_assert_cmpfloat_with_epsilon (freq[b], 20.0, 1e-12);
}

/* Parseval for n_fft = n: Σ x² = (|X_0|² + 2 Σ_{0<f<n/2} |X_f|² + |X_{n/2}|²)/n (n even);
 * odd n has no Nyquist bin.  Each bin also matches a direct DFT. */
static void
check_parseval (gsize n, guint64 seed)
{
  g_autofree double *x = g_new (double, n);
  g_autofree double *mag = g_new (double, AS_SPECTRUM_N_BINS (n));
  AsRng rng;
  double e_time = 0, e_freq = 0;

  as_rng_init (&rng, seed);
  for (gsize i = 0; i < n; i++)
    {
      x[i] = as_rng_normal (&rng);
      e_time += x[i] * x[i];
    }
  as_spectrum_magnitude (x, n, n, 0, mag, NULL);
  for (gsize f = 0; f < AS_SPECTRUM_N_BINS (n); f++)
    {
      gboolean self_conjugate = f == 0 || 2 * f == n;
      e_freq += (self_conjugate ? 1 : 2) * mag[f] * mag[f];
      g_assert_cmpfloat_with_epsilon (mag[f], direct_dft (x, n, n, f), 1e-9 * sqrt (n));
    }
  e_freq /= n;
  g_assert_cmpfloat (fabs (e_time - e_freq), <, 1e-10 * e_time);
}

static void
test_parseval (void)
{
  check_parseval (64, 1);
  check_parseval (75, 2);
  check_parseval (1, 3);
}

/* Zero padding to 4n samples the same transform 4× more finely: bin 4f of the padded
 * transform is bin f of the unpadded one, and the in-between bins match a direct DFT
 * at those fractional frequencies.  A waveform longer than n_fft is truncated. */
static void
test_zero_padding (void)
{
  enum { N = 50, PAD = 200 };
  double x[N], mag[AS_SPECTRUM_N_BINS (N)], pad[AS_SPECTRUM_N_BINS (PAD)];
  double trunc[AS_SPECTRUM_N_BINS (32)], freq[AS_SPECTRUM_N_BINS (PAD)];
  AsRng rng;

  as_rng_init (&rng, 11);
  for (gsize i = 0; i < N; i++)
    x[i] = as_rng_normal (&rng) + sin (2 * G_PI * 3.3 * i / N);
  as_spectrum_magnitude (x, N, N, 100, mag, NULL);
  as_spectrum_magnitude (x, N, PAD, 100, pad, freq);
  for (gsize f = 0; f < AS_SPECTRUM_N_BINS (N); f++)
    g_assert_cmpfloat_with_epsilon (pad[4 * f], mag[f], 1e-9);
  for (gsize f = 0; f < AS_SPECTRUM_N_BINS (PAD); f++)
    g_assert_cmpfloat_with_epsilon (pad[f], direct_dft (x, N, PAD, f), 1e-9);
  g_assert_cmpfloat_with_epsilon (freq[AS_SPECTRUM_N_BINS (PAD) - 1], 50.0, 1e-12);

  as_spectrum_magnitude (x, N, 32, 100, trunc, NULL);
  for (gsize f = 0; f < AS_SPECTRUM_N_BINS (32); f++)
    g_assert_cmpfloat_with_epsilon (trunc[f], direct_dft (x, 32, 32, f), 1e-9);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  g_test_add_func ("/spectrum/sine-peak", test_sine_peak);
  g_test_add_func ("/spectrum/parseval", test_parseval);
  g_test_add_func ("/spectrum/zero-padding", test_zero_padding);
  return g_test_run ();
}
