/* ui-test-utils.h: helpers for tests that drive real windows under Xvfb.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef guint (*UiTestCondition) (gpointer object);

typedef struct
{
  int    width, height;
  guint  n_colors;        /* distinct RGB values (capped at 100 000) */
  double luminance_std;   /* standard deviation of the luminance, 0..255 */
  double trace_fraction;  /* fraction of clearly blue pixels (traces, atoms) */
} UiTestImageStats;

void      ui_test_iterate        (guint max_iterations);
gboolean  ui_test_wait_until     (UiTestCondition condition, gpointer object, guint at_least,
                                  double timeout_seconds);
void      ui_test_wait_for_draw  (GtkWidget *widget);
char     *ui_test_artifact_path  (const char *name);
gboolean  ui_test_render_png     (GtkWidget *widget, const char *path, UiTestImageStats *stats,
                                  GError **error);
void      ui_test_image_stats    (const guint8 *argb, int width, int height, gsize stride,
                                  UiTestImageStats *stats);

G_END_DECLS
