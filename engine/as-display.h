/* as-display.h: what a page of the signal browser shows — the montage's
 * derivations of the recording, through display filters that never change
 * the data learned from or exported.
 *
 * A page is computed from a span wider than itself by the filters' settling
 * length on each side (or the recording's own edges), so its edges show no
 * filter transient: the same samples look the same on every page.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-derivation.h"
#include "as-filter.h"
#include "as-recording.h"

G_BEGIN_DECLS

typedef struct
{
  AsFilterSpec filter;
  guint        types;  /* mask of 1 << AsChannelType filtered; others are shown as recorded */
} AsDisplayFilters;

/* No filter. */
void as_display_filters_init    (AsDisplayFilters *f);
/* What a clinical viewer starts with for this kind of recording: for EEG a
 * 0.5 Hz high-pass (time constant 0.3 s) and a 70 Hz low-pass on the
 * electrophysiological channels, no notch; eye positions, stimulus and
 * audio channels unfiltered. */
void as_display_filters_default (AsDisplayFilters *f, AsRecordingKind kind);

/* Samples of @rec read on each side of a page to compute it (the filters'
 * settling length at @sfreq). */
gsize as_display_padding (const AsDisplayFilters *filters, double sfreq);

/* Samples [t0, t0 + duration) seconds of @rec through @derivations (NULL: as
 * recorded) and @filters (NULL: none), as a new recording whose first sample
 * is at *@page_start seconds of @rec (t0 rounded down to a sample).  Events
 * inside the page are kept, relative to the page. */
AsRecording *as_display_page (const AsRecording *rec, const AsDerivationSet *derivations,
                              const AsDisplayFilters *filters, double t0, double duration,
                              double *page_start, GError **error);

/* @page (from as_display_page, or as_display_page_for_width when @width > 0)
 * with the channels of @others (a set over @rec, e.g.
 * as_derivation_set_new_others) over the same span appended below, through the
 * same filters; @page's events are kept.  NULL (and @error) when they do not
 * share the page's samples. */
AsRecording *as_display_page_append (const AsRecording *page, const AsRecording *rec,
                                     const AsDerivationSet *others, const AsDisplayFilters *filters,
                                     double t0, double duration, double width, GError **error);
/* Pages longer than this many samples a pixel column are drawn from an
 * envelope when the recording is read page by page. */
#define AS_DISPLAY_ENVELOPE_RATIO 32

/* as_display_page() for a figure @width pixels wide.  A recording read page
 * by page (as-paged.h) whose page holds more than AS_DISPLAY_ENVELOPE_RATIO
 * samples a pixel is drawn from its min/max pyramid instead: samples 2b and
 * 2b + 1 of the page are the lower and upper bounds of bucket b (two buckets
 * a pixel), the derivations' bounds are interval sums of their terms'
 * (they enclose the derived signal), and a high-pass only centres each trace
 * on its page mean (the other display filters act below a bucket's span). */
AsRecording *as_display_page_for_width (const AsRecording *rec, const AsDerivationSet *derivations,
                                        const AsDisplayFilters *filters, double t0,
                                        double duration, double width, double *page_start,
                                        GError **error);

G_END_DECLS
