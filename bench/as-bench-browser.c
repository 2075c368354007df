/* as-bench-browser.c: open and page through a day-long EEG as the browser does.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <cairo.h>
#include <edflib.h>
#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>

#include "as-bench-out.h"
#include "as-bench-browser.h"
#include "as-display.h"
#include "as-engine.h"
#include "as-figure.h"
#include "as-figure-atoms.h"
#include "as-paged.h"

#define GOAL_OPEN_S      2.0
#define GOAL_SHORT_MS   16.0
#define GOAL_LONG_MS    50.0
#define GOAL_PEAK_BYTES ((guint64) 1 << 30)

/* The 10-10 electrodes of a 64-channel cap (EEG Motor Movement/Imagery set). */
static const char *const labels[64] = {
  "FC5", "FC3", "FC1", "FCz", "FC2", "FC4", "FC6", "C5", "C3", "C1", "Cz", "C2", "C4", "C6",
  "CP5", "CP3", "CP1", "CPz", "CP2", "CP4", "CP6", "Fp1", "Fpz", "Fp2", "AF7", "AF3", "AFz",
  "AF4", "AF8", "F7", "F5", "F3", "F1", "Fz", "F2", "F4", "F6", "F8", "FT7", "FT8", "T7", "T8",
  "T9", "T10", "TP7", "TP8", "P7", "P5", "P3", "P1", "Pz", "P2", "P4", "P6", "P8", "PO7", "PO3",
  "POz", "PO4", "PO8", "O1", "Oz", "O2", "Iz",
};

void
as_bench_browser_params_init (AsBenchBrowserParams *p)
{
  memset (p, 0, sizeof *p);
  p->hours = 24;
  p->n_channels = 64;
  p->sfreq = 256;
  p->short_pages = 100;
  p->long_pages = 20;
  p->width = 1600;
  p->height = 900;
}

static guint64
peak_memory (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL)
      || (line = strstr (status, "VmHWM:")) == NULL)
    return 0;
  return g_ascii_strtoull (line + 6, NULL, 10) * 1024;
}

/* An EEG-like day: an alpha rhythm, slower waves and noise from a table,
 * different on every channel and second; an event every ten minutes. */
static gboolean
write_edf (const AsBenchBrowserParams *p, const char *path, gsize n_records, GError **error)
{
  const gsize table_len = 1 << 16;
  g_autofree short *table = g_new (short, table_len);
  g_autofree short *record = g_new (short, (gsize) p->n_channels * p->sfreq);
  guint64 state = 0x9e3779b97f4a7c15ull;
  int h = edfopen_file_writeonly (path, EDFLIB_FILETYPE_EDFPLUS, (int) p->n_channels);

  if (h < 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("%s: cannot be written (EDFlib error %d)"), path, h);
      return FALSE;
    }
  for (guint c = 0; c < p->n_channels; c++)
    {
      g_autofree char *label = c < G_N_ELEMENTS (labels) ? g_strdup (labels[c]) : g_strdup_printf ("E%u", c + 1);
      edf_set_samplefrequency (h, (int) c, (int) p->sfreq);
      edf_set_physical_maximum (h, (int) c, 3276.7);
      edf_set_physical_minimum (h, (int) c, -3276.8);
      edf_set_digital_maximum (h, (int) c, 32767);
      edf_set_digital_minimum (h, (int) c, -32768);
      edf_set_physical_dimension (h, (int) c, "uV");
      edf_set_label (h, (int) c, label);
    }
  /* 0.1 µV steps: 20 µV of alpha, 30 µV of slow waves, ±10 µV of noise */
  for (gsize i = 0; i < table_len; i++)
    {
      double t = (double) i / p->sfreq, v;
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      v = 200 * sin (2 * G_PI * 10 * t) + 300 * sin (2 * G_PI * 0.7 * t)
          + (double) (state % 2001) / 10.0 - 100;
      table[i] = (short) CLAMP (v, -32768, 32767);
    }
  for (gsize r = 0; r < n_records; r++)
    {
      for (guint c = 0; c < p->n_channels; c++)
        {
          gsize o = (r * 7919 + c * 104729) % table_len;
          short *dst = record + (gsize) c * p->sfreq;
          for (guint k = 0; k < p->sfreq; k++)
            dst[k] = table[(o + k) % table_len];
        }
      if (edf_blockwrite_digital_short_samples (h, record) != 0)
        {
          edfclose_file (h);
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("%s: data record %zu could not be written (disk full?)"), path, r);
          return FALSE;
        }
      if (r % 600 == 300)
        edfwrite_annotation_utf8 (h, (long long) r * 10000, 0, "marker");
    }
  if (edfclose_file (h) != 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID, _("%s: cannot be closed"), path);
      return FALSE;
    }
  return TRUE;
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
thread_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double
median_of (double *v, guint n)
{
  qsort (v, n, sizeof (double), compare_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Pages of @length seconds spread over the recording, drawn as the browser
 * does: the median and the largest time in ms, and the median processor
 * time of the drawing thread (what the page costs when the machine is shared). */
static gboolean
time_pages (const AsRecording *rec, const AsBenchBrowserParams *p, cairo_t *cr, double length,
            gboolean filtered, guint n_pages, double *median, double *max, double *cpu_median,
            GError **error)
{
  g_autofree double *cpu = g_new (double, n_pages);
  double duration = as_recording_duration (rec);
  double plot_w = p->width - AS_FIGURE_PLOT_LEFT - AS_FIGURE_PLOT_RIGHT;
  g_autofree double *ms = g_new (double, n_pages);
  AsDisplayFilters filters;
  AsFigureStyle style;
  AsFigureSignalOptions options = {
    .sensitivity = 7,       /* µV/mm, a clinical EEG's */
    .pixels_per_mm = 96 / 25.4,
    .selected_atom = -1,
  };

  as_figure_style_init_light (&style);
  /* what the window starts with for this kind of recording, or nothing */
  if (filtered)
    as_display_filters_default (&filters, rec->kind);
  else
    as_display_filters_init (&filters);
  for (guint i = 0; i < n_pages; i++)
    {
      /* pages across the whole day, not one after the other */
      double t0 = fmod ((i * 0.6180339887) * duration, MAX (duration - length, 1.0));
      gint64 start = g_get_monotonic_time ();
      double cpu0 = thread_cpu_ms ();
      g_autoptr (AsRecording) page = as_display_page_for_width (rec, NULL, &filters, t0, length, plot_w,
                                                                &options.time_origin, error);
      if (page == NULL)
        return FALSE;
      as_figure_draw_signals_full (cr, p->width, p->height, &style, page, t0, length, &options);
      cairo_surface_flush (cairo_get_target (cr));
      ms[i] = (g_get_monotonic_time () - start) / 1e3;
      cpu[i] = thread_cpu_ms () - cpu0;
    }
  *median = median_of (ms, n_pages);
  *max = ms[n_pages - 1];
  *cpu_median = median_of (cpu, n_pages);
  return TRUE;
}

gboolean
as_bench_browser_run (const AsBenchBrowserParams *p, FILE *out, gboolean *met, GError **error)
{
  gsize n_records = (gsize) ceil (p->hours * 3600);
  guint64 bytes = 256ull * (p->n_channels + 2) + (guint64) n_records * (p->n_channels * p->sfreq * 2 + 120);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr (AsRecording) rec = NULL;
  g_autoptr (GError) local = NULL;
  cairo_surface_t *surface = NULL;
  cairo_t *cr = NULL;
  struct statvfs vfs;
  double raw_med = 0, raw_max = 0, raw_cpu = 0;
  double open_s, write_s, pyramid_s = 0, pyramid_cpu = 0, short_cpu = 0, long_cpu = 0, load = 0, short_med = 0, short_max = 0, long_med = 0, long_max = 0;
  guint64 peak, pyramid_bytes;
  guint k0 = 0;
  gboolean forced = FALSE, ok = FALSE;
  gint64 t;

  *met = FALSE;
  dir = g_dir_make_tmp ("atomscope-bench-XXXXXX", error);
  if (p->dir != NULL)
    {
      g_rmdir (dir);
      g_free (dir);
      dir = g_build_filename (p->dir, "atomscope-bench-browser", NULL);
      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID, _("%s: cannot be created"), dir);
          return FALSE;
        }
    }
  if (dir == NULL)
    return FALSE;
  path = g_build_filename (dir, "day.edf", NULL);
  if (statvfs (dir, &vfs) == 0
      && (guint64) vfs.f_bavail * vfs.f_frsize < bytes + ((guint64) 1 << 30))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("%s: %.1f GB free, the %.0f h recording needs %.1f GB and 1 GB to spare: choose fewer hours (--hours)"),
                   dir, (double) vfs.f_bavail * vfs.f_frsize / 1e9, p->hours, bytes / 1e9);
      g_rmdir (dir);
      return FALSE;
    }

  {
    g_autofree char *avg = NULL;
    if (g_file_get_contents ("/proc/loadavg", &avg, NULL, NULL))
      load = g_ascii_strtod (avg, NULL);
  }
  as_bench_print (out, _("Machine: %u processors, load average %.1f (times on the clock grow with it; processor times do not)\n"),
           g_get_num_processors (), load);
  as_bench_print (out, _("Recording: %.3g h, %u channels at %u Hz, EDF+ of %.2f GB in %s\n"), p->hours,
           p->n_channels, p->sfreq, bytes / 1e9, dir);
  fflush (out);
  t = g_get_monotonic_time ();
  if (!write_edf (p, path, n_records, error))
    goto out;
  write_s = (g_get_monotonic_time () - t) / 1e6;
  as_bench_print (out, _("Written in %.1f s\n"), write_s);

  /* Opened as the window opens a file; one small enough to be read whole
   * under this machine's budget is read page by page all the same. */
  forced = !as_paged_wanted (path);
  t = g_get_monotonic_time ();
  rec = forced ? as_recording_open_paged (path, TRUE, error) : as_recording_open (path, error);
  open_s = (g_get_monotonic_time () - t) / 1e6;
  if (rec == NULL)
    goto out;
  g_assert (rec->paged != NULL);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) p->width, (int) p->height);
  cr = cairo_create (surface);

  /* 10 s pages are read from the file while the pyramid is being built. */
  if (!time_pages (rec, p, cr, 10, FALSE, p->short_pages, &raw_med, &raw_max, &raw_cpu, error))
    goto out;
  if (!time_pages (rec, p, cr, 10, TRUE, p->short_pages, &short_med, &short_max, &short_cpu, error))
    goto out;
  if (!as_paged_wait_pyramid (rec->paged, error))
    goto out;
  pyramid_bytes = as_paged_pyramid_bytes (rec->paged, &k0, &pyramid_s, &pyramid_cpu);
  if (!time_pages (rec, p, cr, 1800, TRUE, p->long_pages, &long_med, &long_max, &long_cpu, error))
    goto out;
  peak = peak_memory ();

  as_bench_print (out, _("Opened %s in %.3f s (goal < %.0f s): %u channels, %.1f h, %u events, read page by page%s\n"),
           rec->format, open_s, GOAL_OPEN_S, rec->n_channels, as_recording_duration (rec) / 3600,
           rec->events->len,
           forced ? _(" (forced: the file fits the memory budget)") : "");
  as_bench_print (out, _("Pyramid: %.1f MB of float32 min/max, cells of 2^%u to all samples, built in %.2f s on a worker (%.2f s of processor time)\n"),
           pyramid_bytes / 1e6, k0, pyramid_s, pyramid_cpu);
  as_bench_print (out, _("10 s pages (%u, %u×%u px, no display filter): median %.2f ms, max %.2f ms; processor time median %.2f ms\n"),
           p->short_pages, p->width, p->height, raw_med, raw_max, raw_cpu);
  as_bench_print (out, _("10 s pages (%u, %u×%u px, EEG display filters): median %.2f ms, max %.2f ms (goal < %.0f ms); processor time median %.2f ms\n"),
           p->short_pages, p->width, p->height, short_med, short_max, GOAL_SHORT_MS, short_cpu);
  as_bench_print (out, _("30 min pages (%u, from the pyramid): median %.2f ms, max %.2f ms (goal < %.0f ms); processor time median %.2f ms\n"),
           p->long_pages, long_med, long_max, GOAL_LONG_MS, long_cpu);
  as_bench_print (out, _("Peak memory (VmHWM): %.0f MiB (goal < %.0f MiB)\n"), peak / 1048576.0,
           GOAL_PEAK_BYTES / 1048576.0);
  *met = open_s < GOAL_OPEN_S && short_med < GOAL_SHORT_MS && long_med < GOAL_LONG_MS
         && peak < GOAL_PEAK_BYTES;
  fprintf (out, *met ? _("All goals met\n") : _("Goals missed\n"));
  ok = TRUE;

out:
  if (cr != NULL)
    cairo_destroy (cr);
  if (surface != NULL)
    cairo_surface_destroy (surface);
  g_clear_pointer (&rec, as_recording_unref);
  g_unlink (path);
  g_rmdir (dir);
  return ok;
}
