/* atomscope-figure-worker.h: a widget's figure rendered on a worker thread.
 *
 * The widget hands over an immutable copy of what it draws; the worker paints
 * it with the GTK-free as_figure_* code into an image surface.
 * The newest request wins, at most one render runs, and the widget shows the
 * last finished image meanwhile: the main loop never waits on the drawing.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef void (*AtomscopeFigureDraw) (cairo_t *cr, double width, double height, gpointer data);

typedef struct _AtomscopeFigureWorker AtomscopeFigureWorker;

AtomscopeFigureWorker *atomscope_figure_worker_new     (GtkWidget *widget);
void                   atomscope_figure_worker_free    (AtomscopeFigureWorker *worker);
/* Asks for the figure at the widget's size; @data (freed with @free_data) must
 * hold everything @draw reads.  @generation is returned with the image. */
void                   atomscope_figure_worker_request (AtomscopeFigureWorker *worker,
                                                        AtomscopeFigureDraw    draw,
                                                        gpointer               data,
                                                        GDestroyNotify         free_data,
                                                        guint64                generation);
/* Appends the newest finished image; returns the generation it was drawn for. */
gboolean               atomscope_figure_worker_append  (AtomscopeFigureWorker *worker,
                                                        GtkSnapshot           *snapshot,
                                                        guint64               *generation);
/* Paints the newest finished image into @cr (a @width × @height area, e.g. a
 * GtkDrawingArea's draw function); returns the generation it was drawn for. */
gboolean               atomscope_figure_worker_paint   (AtomscopeFigureWorker *worker,
                                                        cairo_t               *cr,
                                                        int                    width,
                                                        int                    height,
                                                        guint64               *generation);
/* TRUE when the image does not match the widget's size. */
gboolean               atomscope_figure_worker_stale   (AtomscopeFigureWorker *worker);
/* TRUE while a render runs or waits. */
gboolean               atomscope_figure_worker_busy    (AtomscopeFigureWorker *worker);

G_END_DECLS
