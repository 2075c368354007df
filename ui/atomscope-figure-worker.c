/* atomscope-figure-worker.c: figures painted off the main loop.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "atomscope-figure-worker"

#include "config.h"

#include <stdlib.h>

#include "as-engine.h"

#include "atomscope-figure-worker.h"

typedef struct
{
  int                 width, height, scale;
  AtomscopeFigureDraw draw;
  gpointer            data;
  GDestroyNotify      free_data;
  guint64             generation;
} Request;

typedef struct
{
  cairo_surface_t *surface;
  guint64          generation;
  int              width, height, scale;
} Result;

struct _AtomscopeFigureWorker
{
  GtkWidget    *widget;        /* weak: the widget owns the worker */
  GCancellable *cancellable;   /* cancelled when the widget goes */
  gboolean      running;
  Request      *pending;
  cairo_surface_t *surface;    /* newest finished image, device pixels */
  guint64       generation;
  int           width, height, scale;
};

static void
request_free (Request *req)
{
  if (req->free_data != NULL)
    req->free_data (req->data);
  g_free (req);
}

static void
result_free (Result *res)
{
  g_clear_pointer (&res->surface, cairo_surface_destroy);
  g_free (res);
}

/* Renders in flight, process-wide: the process waits for them before its exit
 * handlers tear down the text shaping libraries they draw with. */
static GMutex flight_lock;
static GMutex render_lock;
static GCond flight_cond;
static guint in_flight;
static gboolean exiting;

static void
wait_renders_at_exit (void)
{
  gint64 end = g_get_monotonic_time () + 2 * G_TIME_SPAN_SECOND;

  g_mutex_lock (&flight_lock);
  exiting = TRUE;
  while (in_flight > 0 && g_cond_wait_until (&flight_cond, &flight_lock, end))
    ;
  g_mutex_unlock (&flight_lock);
}

static gboolean
flight_begin (void)
{
  static gsize registered;
  gboolean go;

  if (g_once_init_enter (&registered))
    {
      atexit (wait_renders_at_exit);
      g_once_init_leave (&registered, 1);
    }
  g_mutex_lock (&flight_lock);
  go = !exiting;
  if (go)
    in_flight++;
  g_mutex_unlock (&flight_lock);
  return go;
}

static void
flight_end (void)
{
  g_mutex_lock (&flight_lock);
  in_flight--;
  g_cond_broadcast (&flight_cond);
  g_mutex_unlock (&flight_lock);
}

static void
render_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Request *req = task_data;
  cairo_surface_t *surface;
  cairo_t *cr;
  Result *res;

  if (!flight_begin ())
    {
      g_task_return_pointer (task, NULL, NULL);   /* the process is exiting */
      return;
    }
  /* Drawing off the main loop is background work too. */
  as_engine_lower_thread_priority ();
  int pw = req->width * req->scale, ph = req->height * req->scale;

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, pw, ph);
  /* One render at a time: cairo 1.16 shares scaled fonts between threads and
   * asserts when one thread drops a font whose glyph cache another has frozen. */
  g_mutex_lock (&render_lock);
  cr = cairo_create (surface);
  cairo_scale (cr, req->scale, req->scale);
  req->draw (cr, req->width, req->height, req->data);
  cairo_destroy (cr);
  g_mutex_unlock (&render_lock);
  cairo_surface_flush (surface);
  res = g_new0 (Result, 1);
  res->surface = surface;
  res->generation = req->generation;
  res->width = req->width;
  res->height = req->height;
  res->scale = req->scale;
  flight_end ();
  g_task_return_pointer (task, res, (GDestroyNotify) result_free);
}

static void start (AtomscopeFigureWorker *self, Request *req);

static void
render_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AtomscopeFigureWorker *self = user_data;
  Result *res;

  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    {
      g_object_unref (g_task_get_cancellable (G_TASK (result)));
      return;   /* the worker is gone */
    }
  res = g_task_propagate_pointer (G_TASK (result), NULL);
  self->running = FALSE;
  if (res != NULL)
    {
      g_clear_pointer (&self->surface, cairo_surface_destroy);
      self->surface = g_steal_pointer (&res->surface);
      self->generation = res->generation;
      self->width = res->width;
      self->height = res->height;
      self->scale = res->scale;
      result_free (res);
      gtk_widget_queue_draw (self->widget);
    }
  if (self->pending != NULL)
    start (self, g_steal_pointer (&self->pending));
}

static void
start (AtomscopeFigureWorker *self, Request *req)
{
  GTask *task = g_task_new (NULL, self->cancellable, render_done, self);

  self->running = TRUE;
  g_task_set_task_data (task, req, (GDestroyNotify) request_free);
  g_task_run_in_thread (task, render_thread);
  g_object_unref (task);
}

AtomscopeFigureWorker *
atomscope_figure_worker_new (GtkWidget *widget)
{
  AtomscopeFigureWorker *self = g_new0 (AtomscopeFigureWorker, 1);

  self->widget = widget;
  self->cancellable = g_cancellable_new ();
  return self;
}

void
atomscope_figure_worker_free (AtomscopeFigureWorker *self)
{
  if (self == NULL)
    return;
  /* A render in flight finishes on its own; its callback sees the cancellable
   * cancelled, drops the last reference to it and touches nothing else. */
  g_cancellable_cancel (self->cancellable);
  if (!self->running)
    g_object_unref (self->cancellable);
  g_clear_pointer (&self->pending, request_free);
  g_clear_pointer (&self->surface, cairo_surface_destroy);
  g_free (self);
}

void
atomscope_figure_worker_request (AtomscopeFigureWorker *self, AtomscopeFigureDraw draw,
                                 gpointer data, GDestroyNotify free_data, guint64 generation)
{
  Request *req;

  if (self == NULL)
    {
      if (free_data != NULL)
        free_data (data);
      return;
    }
  req = g_new0 (Request, 1);

  req->width = gtk_widget_get_width (self->widget);
  req->height = gtk_widget_get_height (self->widget);
  req->scale = gtk_widget_get_scale_factor (self->widget);
  req->draw = draw;
  req->data = data;
  req->free_data = free_data;
  req->generation = generation;
  if (req->width <= 0 || req->height <= 0)
    {
      request_free (req);
      return;
    }
  if (self->running)
    {
      g_clear_pointer (&self->pending, request_free);
      self->pending = req;
      return;
    }
  start (self, req);
}

/* The image is painted through a cairo node: with the cairo renderer that is
 * one composite, where a texture node would be converted again every frame. */
gboolean
atomscope_figure_worker_append (AtomscopeFigureWorker *self, GtkSnapshot *snapshot,
                                guint64 *generation)
{
  int w, h;
  cairo_t *cr;

  if (self == NULL)
    return FALSE;
  w = gtk_widget_get_width (self->widget);
  h = gtk_widget_get_height (self->widget);

  if (self->surface == NULL || w <= 0 || h <= 0)
    return FALSE;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  /* While a new size renders, the old image stretches to the new one. */
  cairo_scale (cr, (double) w / (self->width * self->scale), (double) h / (self->height * self->scale));
  cairo_set_source_surface (cr, self->surface, 0, 0);
  cairo_paint (cr);
  cairo_destroy (cr);
  if (generation != NULL)
    *generation = self->generation;
  return TRUE;
}

gboolean
atomscope_figure_worker_paint (AtomscopeFigureWorker *self, cairo_t *cr, int w, int h,
                               guint64 *generation)
{
  if (self == NULL || self->surface == NULL || w <= 0 || h <= 0)
    return FALSE;
  cairo_save (cr);
  /* As in append: the old image stretches to a new size while it renders. */
  cairo_scale (cr, (double) w / (self->width * self->scale), (double) h / (self->height * self->scale));
  cairo_set_source_surface (cr, self->surface, 0, 0);
  cairo_paint (cr);
  cairo_restore (cr);
  if (generation != NULL)
    *generation = self->generation;
  return TRUE;
}

gboolean
atomscope_figure_worker_busy (AtomscopeFigureWorker *self)
{
  /* A view that went (its worker stopped in dispose) renders nothing more. */
  if (self == NULL)
    return FALSE;
  return self->running || self->pending != NULL;
}

gboolean
atomscope_figure_worker_stale (AtomscopeFigureWorker *self)
{
  if (self == NULL)
    return FALSE;
  return self->surface == NULL || self->width != gtk_widget_get_width (self->widget)
         || self->height != gtk_widget_get_height (self->widget);
}
