/* as-paged.h: an EDF/BDF recording read page by page from its file.
 *
 * A day-long recording does not fit in memory as doubles (24 h × 64
 * channels × 256 Hz is 11 GB).  EDF and BDF store fixed-size data records of
 * 16-bit or 24-bit little-endian integers, so any span of samples is a few
 * reads away: pages are read from the file when drawn, as float32.  Long
 * pages are drawn from a min/max pyramid (per channel, levels of 2^k samples,
 * float32) built once on a worker thread after the file is opened.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <gio/gio.h>

#include "as-recording.h"

G_BEGIN_DECLS

typedef struct _AsPaged AsPaged;

/* Bytes a recording may take in memory before it is read page by page: the
 * ATOMSCOPE_MEMORY_BUDGET environment variable (MiB) when set, else a
 * quarter of the machine's memory. */
guint64      as_memory_budget           (void);

/* For browsing: an EDF/BDF file whose samples as doubles would exceed
 * as_memory_budget() is opened page by page (the recording's data is NULL,
 * its paged source set, the pyramid built on a worker thread); any other file
 * is read whole (as_recording_load). */
AsRecording *as_recording_open          (const char *path, GError **error);
/* TRUE when @path begins as an EDF or BDF file does (which can be read page by page). */
gboolean     as_paged_is_edf            (const char *path);
/* TRUE when as_recording_open() reads @path page by page. */
gboolean     as_paged_wanted            (const char *path);

/* The file's channels (annotation and unusable signals left out), events and
 * start time, with no samples in memory: data is NULL and paged is set.  All
 * channels must share one sampling rate; a discontinuous (EDF+D) file is
 * refused.  build_pyramid: start building the pyramid now. */
AsRecording *as_recording_open_paged    (const char *path, gboolean build_pyramid,
                                         GError **error);

AsPaged     *as_paged_ref               (AsPaged *paged);
void         as_paged_unref             (AsPaged *paged);

/* Samples [start, start + count) of every channel in physical units, channel
 * after channel (n_channels × count floats), from the file. */
gboolean     as_paged_read              (AsPaged *paged, gsize start, gsize count, float *out,
                                         GError **error);
/* The same in doubles, as the whole-file readers give them (learning reads its span so). */
gboolean     as_paged_read_double       (AsPaged *paged, gsize start, gsize count, double *out,
                                         GError **error);
/* Time samples decoded so far by as_paged_read() and as_paged_read_double() (a span of
 * every channel counts its length once; the pyramid's own reading is not counted). */
guint64      as_paged_samples_read      (AsPaged *paged);
/* The same span as a recording of doubles (channels, units, positions of
 * @rec; events inside the span, relative to its start). */
AsRecording *as_paged_read_span         (const AsRecording *rec, gsize start, gsize count,
                                         GError **error);

/* The pyramid: built by the worker thread started at open (or here, on the
 * calling thread, when none was started); waits for it.  FALSE when the file
 * could not be read. */
gboolean     as_paged_wait_pyramid      (AsPaged *paged, GError **error);
gboolean     as_paged_pyramid_ready     (AsPaged *paged);
/* Bytes of the pyramid, its finest level (samples per cell 2^k), and the
 * seconds its build took, on the clock and on its thread's processor time
 * (0 before it is ready). */
guint64      as_paged_pyramid_bytes     (AsPaged *paged, guint *finest_level, double *seconds,
                                         double *cpu_seconds);

/* Minimum and maximum of every channel over @n_buckets equal parts of
 * [start, start + count) (lo and hi: n_channels × n_buckets, channel after
 * channel): from the pyramid's coarsest level no coarser than a part when it
 * is ready (a cell straddling two parts counts in both), else from the file.
 * NaN where a part holds no valid sample. */
gboolean     as_paged_envelope          (AsPaged *paged, gsize start, gsize count,
                                         guint n_buckets, float *lo, float *hi, GError **error);

/* Seconds [start, stop) of @rec (stop ≤ 0: to the end) read into memory,
 * for learning: refused with a message asking for a shorter time range when
 * it would not fit in as_memory_budget(). */
AsRecording *as_paged_crop              (const AsRecording *rec, double start, double stop,
                                         GError **error);

G_END_DECLS
