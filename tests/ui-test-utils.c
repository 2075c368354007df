/* ui-test-utils.c: bounded main-loop iteration instead of sleeps, and the
 * window rendered through GtkSnapshot → GskRenderer → texture → PNG.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

#include "ui-test-utils.h"
#include "atomscope-window-private.h"

void
ui_test_iterate (guint max_iterations)
{
  for (guint i = 0; i < max_iterations && g_main_context_pending (NULL); i++)
    g_main_context_iteration (NULL, FALSE);
}

static gboolean
on_timeout (gpointer data)
{
  gboolean *expired = data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until condition(object) ≥ at_least or the time is up. */
gboolean
ui_test_wait_until (UiTestCondition condition, gpointer object, guint at_least,
                    double timeout_seconds)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add ((guint) (timeout_seconds * 1000), on_timeout, &expired);

  while (condition (object) < at_least && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  return condition (object) >= at_least;
}

static void
on_frame (GdkFrameClock *clock, gpointer data)
{
  guint *frames = data;

  (*frames)++;
}

static guint
frames_seen (gpointer data)
{
  return *(guint *) data;
}

/* Waits for the window to be mapped and two frames to be painted. */
void
ui_test_wait_for_draw (GtkWidget *widget)
{
  GtkNative *native;
  GdkFrameClock *clock;
  guint frames = 0;
  gulong id;

  while (!gtk_widget_get_mapped (widget))
    g_main_context_iteration (NULL, TRUE);
  native = gtk_widget_get_native (widget);
  clock = gdk_surface_get_frame_clock (gtk_native_get_surface (native));
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_frame), &frames);
  gtk_widget_queue_draw (widget);
  ui_test_wait_until (frames_seen, &frames, 2, 10);
  g_signal_handler_disconnect (clock, id);
}

char *
ui_test_artifact_path (const char *name)
{
  const char *build = g_getenv ("G_TEST_BUILDDIR");
  g_autofree char *dir = g_build_filename (build ? build : ".", "artifacts", NULL);

  g_mkdir_with_parents (dir, 0755);
  return g_build_filename (dir, name, NULL);
}

/* Main thread's time on a CPU and waiting for one, in µs (Linux). */
void
ui_test_thread_schedstat (gint64 *run, gint64 *wait)
{
  g_autofree char *text = NULL;
  guint64 r = 0, w = 0;

  *run = *wait = 0;
  if (!g_file_get_contents ("/proc/thread-self/schedstat", &text, NULL, NULL))
    return;
  if (sscanf (text, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, &r, &w) == 2)
    {
      *run = (gint64) (r / 1000);
      *wait = (gint64) (w / 1000);
    }
}

/* The display server of this test (the Xvfb serving $DISPLAY), found once: its
 * time waiting for a CPU is the machine's load too.  0 when there is none. */
static int
display_server_pid (void)
{
  static int pid = -1;
  const char *display = g_getenv ("DISPLAY");
  g_autoptr (GDir) dir = NULL;
  const char *name;

  if (pid >= 0)
    return pid;
  pid = 0;
  if (display == NULL || (dir = g_dir_open ("/proc", 0, NULL)) == NULL)
    return pid;
  while (pid == 0 && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%s/cmdline", name);
      g_autofree char *cmd = NULL;
      gsize len = 0;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &cmd, &len, NULL) || len == 0)
        continue;
      if (!g_str_has_suffix (cmd, "Xvfb"))
        continue;
      /* Arguments are NUL-separated: look for the display number. */
      for (const char *a = cmd; a < cmd + len; a += strlen (a) + 1)
        if (g_strcmp0 (a, display) == 0)
          pid = atoi (name);
    }
  return pid;
}

/* The display server's time waiting for a CPU so far, in µs (0 if unknown). */
gint64
ui_test_display_server_wait (void)
{
  int pid = display_server_pid ();
  g_autofree char *path = NULL, *text = NULL;
  guint64 r = 0, w = 0;

  if (pid <= 0)
    return 0;
  path = g_strdup_printf ("/proc/%d/schedstat", pid);
  if (!g_file_get_contents (path, &text, NULL, NULL)
      || sscanf (text, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, &r, &w) != 2)
    return 0;
  return (gint64) (w / 1000);
}

static gboolean
stall_probe_tick (gpointer data)
{
  UiTestStallProbe *p = data;
  gint64 now = g_get_monotonic_time (), cpu, wait, xwait = ui_test_display_server_wait ();

  ui_test_thread_schedstat (&cpu, &wait);
  if (p->last != 0)
    {
      gint64 gap = now - p->last, own_wait = wait - p->last_wait, own_cpu = cpu - p->last_cpu;
      /* Off a CPU and off the run queue, the main thread waits on something: on the
       * display server's replies, among others.  The time that server itself waited
       * for a CPU (at most that much) is the machine's load, not the window's. */
      gint64 off = MAX (0, gap - own_wait - own_cpu);
      gint64 server = MIN (off, MAX (0, xwait - p->last_xwait));
      gint64 stuck = gap - own_wait - server;

      if (gap > p->max_gap)
        {
          p->max_gap = gap;
          p->max_gap_cpu = own_cpu;
          p->max_gap_wait = own_wait;
        }
      p->max_stuck = MAX (p->max_stuck, stuck);
      if (gap > 50000)
        g_test_message ("main-loop gap of %.1f ms: %.1f ms on a CPU, %.1f ms waiting for one, "
                        "%.1f ms of the display server waiting for one",
                        gap / 1000.0, own_cpu / 1000.0, own_wait / 1000.0, server / 1000.0);
    }
  p->last = now;
  p->last_cpu = cpu;
  p->last_wait = wait;
  p->last_xwait = xwait;
  p->n++;
  return G_SOURCE_CONTINUE;
}

void
ui_test_stall_probe_start (UiTestStallProbe *probe)
{
  memset (probe, 0, sizeof *probe);
  probe->id = g_timeout_add (10, stall_probe_tick, probe);
}

void
ui_test_stall_probe_stop (UiTestStallProbe *probe)
{
  g_clear_handle_id (&probe->id, g_source_remove);
  g_test_message ("stall probe: %u ticks; longest gap %.1f ms (%.1f ms on a CPU, %.1f ms waiting "
                  "for one); longest stall of the main loop itself %.1f ms",
                  probe->n, probe->max_gap / 1000.0, probe->max_gap_cpu / 1000.0,
                  probe->max_gap_wait / 1000.0, probe->max_stuck / 1000.0);
}

void
ui_test_image_stats (const guint8 *argb, int width, int height, gsize stride,
                     UiTestImageStats *stats)
{
  g_autoptr (GHashTable) colors = g_hash_table_new (g_direct_hash, g_direct_equal);
  double sum = 0, sum2 = 0;
  gsize blue = 0, n = (gsize) width * height;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guint8 *p = argb + (gsize) y * stride + (gsize) x * 4;
        guint32 px = ((guint32) p[0] << 16) | ((guint32) p[1] << 8) | p[2];
        double b = p[0], g = p[1], r = p[2]; /* little-endian ARGB32 is B, G, R, A */
        double lum = 0.2126 * r + 0.7152 * g + 0.0722 * b;

        if (g_hash_table_size (colors) < 100000)
          g_hash_table_add (colors, GUINT_TO_POINTER (px + 1));
        sum += lum;
        sum2 += lum * lum;
        if (b - r > 60 && b > 120)
          blue++;
      }
  stats->width = width;
  stats->height = height;
  stats->n_colors = g_hash_table_size (colors);
  stats->luminance_std = sqrt (MAX (0.0, sum2 / n - (sum / n) * (sum / n)));
  stats->trace_fraction = (double) blue / n;
}

gboolean
ui_test_render_png (GtkWidget *widget, const char *path, UiTestImageStats *stats, GError **error)
{
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  g_autofree guint8 *pixels = NULL;

  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  /* A widget between a relayout and its next frame snapshots to nothing: give it
   * a few frames before calling it empty. */
  for (int attempt = 0; node == NULL && attempt < 40; attempt++)
    {
      ui_test_iterate (5);
      g_usleep (10000);
      w = gtk_widget_get_width (widget);
      h = gtk_widget_get_height (widget);
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, snapshot, w, h);
      node = gtk_snapshot_free_to_node (snapshot);
    }
  if (node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the widget drew nothing");
      return FALSE;
    }
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "could not write %s", path);
      return FALSE;
    }
  pixels = g_malloc ((gsize) w * h * 4);
  gdk_texture_download (texture, pixels, (gsize) w * 4);
  ui_test_image_stats (pixels, gdk_texture_get_width (texture), gdk_texture_get_height (texture),
                       (gsize) w * 4, stats);
  return TRUE;
}

guint8 *
ui_test_render_pixels (GtkWidget *widget, int *w, int *h)
{
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  guint8 *pixels;

  *w = gtk_widget_get_width (widget);
  *h = gtk_widget_get_height (widget);
  gdk_paintable_snapshot (paintable, snapshot, *w, *h);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    return NULL;   /* no image finished yet */
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, *w, *h));
  pixels = g_malloc ((gsize) *w * *h * 4);
  gdk_texture_download (texture, pixels, (gsize) *w * 4);
  return pixels;
}

AtomscopeApplication *
ui_test_application_new (int *argc, char ***argv)
{
  AtomscopeApplication *app;
  g_autoptr (GError) error = NULL;

  atomscope_ui_init ();
  gtk_test_init (argc, argv, NULL);
  adw_init ();
  app = atomscope_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  return app;
}

guint
ui_test_views_current (gpointer window)
{
  return !atomscope_window_is_rendering (window);
}

gpointer
ui_test_open_path (AtomscopeApplication *app, const char *path)
{
  AtomscopeWindow *window;
  g_autoptr (GFile) file = g_file_new_for_path (path);
  guint before;

  g_application_activate (G_APPLICATION (app));
  window = ATOMSCOPE_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (window);
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_load_count, window, 1, 20));
  before = atomscope_window_get_load_count (window);
  atomscope_window_open_file (window, file);
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_load_count, window,
                                     before + 1, 30));
  g_assert_cmpuint (atomscope_window_get_load_failures (window), ==, 0);
  return window;
}
