/* as-preprocess.h: optional, documented steps between a file and a job.
 *
 * Applied in this order, each only when asked:
 *   1. channel selection (by label and/or type)
 *   2. crop to [crop_start, crop_stop) seconds (events move with it)
 *   3. detrend (mean or least-squares line, per channel)
 *   4. notch at a mains frequency and its harmonics below Nyquist
 *   5. high-pass, low-pass or band-pass Butterworth
 *   6. re-referencing (average of the EEG channels, or one channel)
 *   7. resampling (anti-aliasing low-pass then interpolation)
 *   8. scaling (z-score per channel or one global standard deviation),
 *      remembered in an AsScaling so results come back in physical units.
 * Every filter is applied forward and backward (zero phase) as second-order
 * sections (as-filter.h).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "as-recording.h"

G_BEGIN_DECLS

typedef enum { AS_DETREND_NONE, AS_DETREND_CONSTANT, AS_DETREND_LINEAR } AsDetrend;
typedef enum { AS_REREF_NONE, AS_REREF_AVERAGE, AS_REREF_CHANNEL } AsReref;
typedef enum { AS_SCALE_NONE, AS_SCALE_ZSCORE, AS_SCALE_GLOBAL_STD } AsScaleMode;

typedef struct
{
  const char *const *channels;   /* labels to keep (NULL: all) */
  const char *const *bad;        /* labels marked bad by the user: left out of learning (NULL: none) */
  guint        types;            /* mask of 1 << AsChannelType to keep (0: all) */
  double       crop_start;       /* s */
  double       crop_stop;        /* s; ≤ 0: to the end */
  AsDetrend    detrend;
  double       highpass;         /* Hz, 0: off */
  double       lowpass;          /* Hz, 0: off; with highpass: band-pass */
  guint        filter_order;     /* Butterworth order of each pass, 0: 4 */
  double       notch;            /* Hz (50 or 60), 0: off */
  double       notch_q;          /* quality factor, 0: 30 */
  gboolean     notch_harmonics;  /* also 2f, 3f, ... below Nyquist */
  double       resample;         /* Hz, 0: off */
  AsReref      reref;
  const char  *reref_channel;    /* for AS_REREF_CHANNEL */
  AsScaleMode  scale;
  double       image_background; /* images: σ (px) of the Gaussian blur subtracted from each
                                  * colour plane after its mean (detrend), 0: the mean only */
} AsPreprocessOptions;

/* x_scaled = (x − offset[c]) / scale[c]; physical = scaled × scale[c] + offset[c]. */
typedef struct
{
  AsScaleMode mode;
  guint       n_channels;
  double     *offset;
  double     *scale;
} AsScaling;

void        as_preprocess_options_init (AsPreprocessOptions *opts);
/* A new recording; rec is left untouched.  scaling (may be NULL) receives
 * the scaling applied (identity when none). */
AsRecording *as_preprocess          (const AsRecording *rec, const AsPreprocessOptions *opts,
                                     AsScaling **scaling, GError **error);
JsonObject  *as_preprocess_options_to_json (const AsPreprocessOptions *opts,
                                            const AsScaling *scaling);

/* Back to physical units: signals (with the offset) or atoms/differences
 * (scale only), n_channels × n_samples in place. */
void        as_scaling_restore_signal (const AsScaling *s, double *data, guint n_channels,
                                       gsize n_samples);
void        as_scaling_restore_atom   (const AsScaling *s, double *data, guint n_channels,
                                       gsize n_samples);
void        as_scaling_free           (AsScaling *s);

/* An image's preparation, in place on @n_planes planes of @height × @width: each plane's
 * mean removed (when @opts->detrend is not none), then its local background, a Gaussian blur
 * of σ = @opts->image_background pixels (mirrored at the borders), so that the atoms are
 * patterns rather than the brightness of regions (docs/maths.md). */
void        as_preprocess_image      (double *x, guint n_planes, guint height, guint width,
                                      const AsPreprocessOptions *opts);

/* Steps usable on their own (in place on n samples). */
void        as_detrend               (double *x, gsize n, AsDetrend mode);
/* Resamples n_channels × n samples from sfreq to target: a zero-phase
 * Butterworth anti-aliasing low-pass at 0.45 × the lower rate, then
 * integer decimation, or cubic (Catmull–Rom) interpolation for other ratios.
 * Returns the new block and its length. */
double     *as_resample              (const double *data, guint n_channels, gsize n, double sfreq,
                                      double target, gsize *n_out, GError **error);

/* ---- region by region (distributed learning, docs/distributed.md) -------------------
 * A process holds a span of a longer signal: the whole-recording statistics (detrend's
 * mean and line, the scale, a channel's range) are sums, minima and maxima over the
 * processes' own samples, combined by @reduce (MPI_Allreduce on a distributed run; NULL:
 * one process, nothing to combine).  @reduce replaces @values (n of them) by their
 * combination over every process. */
typedef enum { AS_REDUCE_SUM, AS_REDUCE_MIN, AS_REDUCE_MAX } AsReduceOp;
typedef void (*AsReduceFunc) (double *values, guint n, AsReduceOp op, gpointer data);

/* Real samples a span needs beyond its own on each side for steps 3–8 to give, within it,
 * what they give on the whole signal: the filters' settling to 1e-10 of the signal (from
 * their slowest pole) and at least the odd extension's length; 0 with no filter.  FALSE
 * with an error for options that are not done region by region (resampling). */
gboolean    as_preprocess_span_margin (const AsPreprocessOptions *opts, double sfreq,
                                       gsize *margin, GError **error);
/* Steps 3–8 of as_preprocess() (detrend, notch, pass filters, reference, scaling) on a
 * span of a signal of @total samples (selected and cropped already): @span holds
 * @before + @count + @after samples per channel, its own samples being [@start, @start +
 * @count) of the whole.  The own samples of the processes partition [0, @total).  The
 * filters extend the signal (odd extension) only at its true ends (@start − @before == 0,
 * @start + @count + @after == @total); elsewhere the margins are real samples.  Every
 * process calls it with the same options (the reductions are collective). */
gboolean    as_preprocess_span        (AsRecording *span, gsize before, gsize count,
                                       gsize after, gsize start, gsize total,
                                       const AsPreprocessOptions *opts, AsReduceFunc reduce,
                                       gpointer reduce_data, AsScaling **scaling,
                                       GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsScaling, as_scaling_free)

G_END_DECLS
