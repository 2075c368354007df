/* ui-test-utils.h: helpers for tests that drive real windows under Xvfb.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "atomscope-application.h"

G_BEGIN_DECLS

typedef guint (*UiTestCondition) (gpointer object);

typedef struct
{
  int    width, height;
  guint  n_colors;        /* distinct RGB values (capped at 100 000) */
  double luminance_std;   /* standard deviation of the luminance, 0..255 */
  double trace_fraction;  /* fraction of clearly blue pixels (traces, atoms) */
} UiTestImageStats;

/* The application of a UI test: the UI's set-up, GTK's test set-up and libadwaita, then
 * an application registered on the session bus. */
AtomscopeApplication *ui_test_application_new (int *argc, char ***argv);
/* @app's window with @path opened in it (and loaded without failure). */
gpointer  ui_test_open_path      (AtomscopeApplication *app, const char *path);
/* A UiTestCondition on an AtomscopeWindow: TRUE once its views show its current state
 * (no render requested or running). */
guint     ui_test_views_current  (gpointer window);
void      ui_test_iterate        (guint max_iterations);
gboolean  ui_test_wait_until     (UiTestCondition condition, gpointer object, guint at_least,
                                  double timeout_seconds);
void      ui_test_wait_for_draw  (GtkWidget *widget);
char     *ui_test_artifact_path  (const char *name);
gboolean  ui_test_render_png     (GtkWidget *widget, const char *path, UiTestImageStats *stats,
                                  GError **error);
/* A main-loop stall probe: a 10 ms timeout that records, for the longest gap
 * between two of its runs, how long the main thread ran on a CPU and how long
 * it waited for one (Linux schedstat).  gap − run-queue wait is the time the
 * main loop itself was stuck (in our code, on a lock, on the display server),
 * less what the display server spent waiting for a CPU meanwhile (at most the
 * time the main thread was off a CPU and off the run queue). */
typedef struct
{
  guint  id;
  guint  n;
  gint64 last, last_cpu, last_wait, last_xwait;
  gint64 max_gap;        /* µs, wall clock */
  gint64 max_gap_cpu;    /* µs of main-thread CPU in that gap */
  gint64 max_gap_wait;   /* µs the main thread waited for a CPU in that gap */
  gint64 max_stuck;      /* µs, largest gap − run-queue wait over all gaps */
} UiTestStallProbe;

/* The calling thread's time on a CPU and waiting for one so far, in µs (Linux
 * schedstat; zeros elsewhere). */
void      ui_test_thread_schedstat  (gint64 *run, gint64 *wait);
/* The display server's (Xvfb's) time waiting for a CPU so far, in µs (0 if unknown). */
gint64    ui_test_display_server_wait (void);
void      ui_test_stall_probe_start (UiTestStallProbe *probe);
void      ui_test_stall_probe_stop  (UiTestStallProbe *probe);

void      ui_test_image_stats    (const guint8 *argb, int width, int height, gsize stride,
                                  UiTestImageStats *stats);

/* The widget's pixels as it shows them now (BGRA premultiplied, @w × @h, stride
 * 4 @w; free with g_free), or NULL when it has no finished image yet. */
guint8   *ui_test_render_pixels     (GtkWidget *widget, int *w, int *h);

G_END_DECLS
