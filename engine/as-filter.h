/* as-filter.h: Butterworth and notch filters as second-order sections,
 * applied forward and backward for zero phase.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <complex.h>
#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  AS_FILTER_LOWPASS,
  AS_FILTER_HIGHPASS,
  AS_FILTER_BANDPASS,  /* a high-pass at f1 then a low-pass at f2, each of the order */
} AsFilterType;

/* One section: H(z) = (b0 + b1 z⁻¹ + b2 z⁻²) / (1 + a1 z⁻¹ + a2 z⁻²). */
typedef struct
{
  double b[3];
  double a[3];  /* a[0] = 1 */
} AsBiquad;

typedef struct
{
  guint     n_sections;
  AsBiquad *sections;
} AsSos;

/* Butterworth of the given order (1–16) by the bilinear transform with
 * pre-warped cut-offs (Oppenheim & Schafer, Discrete-Time Signal
 * Processing, §7.1); f2 only for band-pass.  One pass has |H|² =
 * 1/(1 + (tan(πf/fs)/tan(πfc/fs))^(2N)), −3 dB at the cut-off. */
AsSos   *as_butterworth_design (AsFilterType type, guint order, double f1, double f2,
                                double sfreq, GError **error);
/* Second-order notch at f0 with quality factor q (bandwidth f0/q), the
 * RBJ Audio-EQ-Cookbook biquad. */
AsSos   *as_notch_design       (double f0, double q, double sfreq, GError **error);
/* Concatenates b's sections after a's. */
AsSos   *as_sos_cascade        (const AsSos *a, const AsSos *b);
void     as_sos_free           (AsSos *sos);
/* One causal pass, transposed direct form II, state set to the steady
 * state for the first sample. */
void     as_sos_filter         (const AsSos *sos, double *x, gsize n);
/* Forward then backward (zero phase, |H|² magnitude), after odd extension
 * of padlen samples at both ends (padlen is capped at n − 1). */
void     as_sos_filtfilt       (const AsSos *sos, double *x, gsize n, gsize padlen);
/* Frequency response of one pass at f Hz. */
double complex as_sos_response (const AsSos *sos, double f, double sfreq);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsSos, as_sos_free)

G_END_DECLS

G_BEGIN_DECLS

/* A notch (and its harmonics) then a high-, low- or band-pass, the chain
 * both the display and the preprocessing apply to a channel. */
typedef struct
{
  double   highpass;         /* Hz, 0: off */
  double   lowpass;          /* Hz, 0: off; with highpass: band-pass */
  guint    order;            /* Butterworth order of each pass, 0: 4 */
  double   notch;            /* Hz (50 or 60), 0: off */
  double   notch_q;          /* quality factor, 0: 30 */
  gboolean notch_harmonics;  /* also 2f, 3f, ... below Nyquist */
} AsFilterSpec;

typedef struct _AsFilterChain AsFilterChain;

/* NULL (and no error) would mean nothing to apply: an empty chain is returned
 * instead, so callers need not test.  Fails on cut-offs at or above Nyquist. */
AsFilterChain *as_filter_chain_new    (const AsFilterSpec *spec, double sfreq, GError **error);
void           as_filter_chain_free   (AsFilterChain *chain);
gboolean       as_filter_chain_is_empty (const AsFilterChain *chain);
/* Samples after which what a filter's start leaves in its output (it starts from
 * the steady state of its first sample) is below 1e-4 of the signal, from the
 * slowest pole of each stage: a span read this far beyond a page on each side
 * filters the page as the whole recording would. */
gsize          as_filter_chain_settle (const AsFilterChain *chain);
/* Zero phase, in place.  Non-finite samples split @x into runs filtered one
 * by one, so a gap stays a gap and leaks nothing into its neighbours. */
void           as_filter_chain_apply  (const AsFilterChain *chain, double *x, gsize n);
/* as_filter_chain_apply() on @count channels of @n samples, with the same
 * results, several channels at a time. */
void           as_filter_chain_apply_many (const AsFilterChain *chain, double *const *x,
                                           guint count, gsize n);
/* as_filter_chain_apply_many() of a span cut from a longer signal: the odd
 * extension that stands for the signal beyond an end is added only at the ends
 * flagged, where the signal itself ends. */
void           as_filter_chain_apply_span (const AsFilterChain *chain, double *const *x,
                                           guint count, gsize n, gboolean extend_start,
                                           gboolean extend_end);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsFilterChain, as_filter_chain_free)

G_END_DECLS
