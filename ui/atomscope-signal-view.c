/* atomscope-signal-view.c: draws with as_figure_draw_signals(), pans with
 * scroll, drag and the keyboard.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "atomscope-signal-view"

#include "config.h"

#include <adwaita.h>

#include <math.h>
#include <glib/gi18n.h>

#include "as-figure-atoms.h"
#include "atomscope-figure-style.h"
#include "atomscope-figure-worker.h"
#include "atomscope-signal-view.h"

/* The page the worker drew last, shared between the widget and its worker. */
typedef struct
{
  gatomicrefcount ref_count;
  GMutex          lock;
  AsRecording    *page;
  double          origin;
} PageSlot;

static PageSlot *
page_slot_new (void)
{
  PageSlot *slot = g_new0 (PageSlot, 1);

  g_atomic_ref_count_init (&slot->ref_count);
  g_mutex_init (&slot->lock);
  return slot;
}

static PageSlot *
page_slot_ref (PageSlot *slot)
{
  g_atomic_ref_count_inc (&slot->ref_count);
  return slot;
}

static void
page_slot_unref (PageSlot *slot)
{
  if (!g_atomic_ref_count_dec (&slot->ref_count))
    return;
  g_clear_pointer (&slot->page, as_recording_unref);
  g_mutex_clear (&slot->lock);
  g_free (slot);
}

static void
page_slot_store (PageSlot *slot, AsRecording *page, double origin)
{
  g_mutex_lock (&slot->lock);
  g_clear_pointer (&slot->page, as_recording_unref);
  slot->page = page != NULL ? as_recording_ref (page) : NULL;
  slot->origin = origin;
  g_mutex_unlock (&slot->lock);
}

struct _AtomscopeSignalView
{
  GtkWidget    parent_instance;
  AsRecording *recording;
  AsNystagmusAnalysis *nystagmus;  /* beats marked on their channel, or NULL */
  double       page_start;   /* s */
  double       page_length;  /* s */
  double       drag_start;
  double       sensitivity;     /* channel unit per mm, 0: autoscale */
  double       pixels_per_mm;   /* the monitor's, 0: unknown (then per row) */
  gboolean     common_scale;
  gboolean     show_reconstruction;
  int          selected_atom;
  AsFigureAtoms *atoms;
  guint64      generation;
  guint64      drawn_generation;
  /* The reconstruction of the page, kept while model and page do not change. */
  double      *recon;
  gsize        recon_start, recon_len;
  AsCdlModel  *recon_model;
  AtomscopeFigureWorker *worker;
  gboolean     dirty;           /* what is drawn changed since the last request */
  /* What a page shows: derivations and display filters. */
  AsDerivationKind montage;
  char        *montage_path;
  AsDerivationSet *derivations; /* for @recording; NULL: as recorded */
  gboolean         scaled;      /* @recording holds learning's scaled values */
  GStrv            hidden;      /* labels not shown, or NULL */
  GStrv            order;       /* labels in the order the user chose, or NULL */
  GStrv            bad;         /* labels marked bad (drawn dimmed), or NULL */
  AsRecording     *others_rec;  /* channels shown below @recording's, or NULL */
  AsDerivationSet *others;      /* which, over @others_rec */
  AsDisplayFilters filters;
  PageSlot    *page_slot;       /* the page last drawn, written by the worker */
  GArray      *annotations;     /* of AsEvent, never changed once set: drawn
                                   instead of the recording's events; or NULL */
  double       select_from, select_to; /* s: an annotation's span being dragged (from < to) */
  gboolean     selecting;
  guint        channels_per_page; /* rows drawn at a time, 0: all */
  guint        first_channel;     /* the first row drawn, among those shown */
  guint        n_rows;            /* rows there are to scroll through (last render) */
};

enum
{
  PROP_0,
  PROP_PAGE_START,
  PROP_PAGE_LENGTH,
  PROP_SENSITIVITY,
  PROP_PIXELS_PER_MM,
  PROP_COMMON_SCALE,
  PROP_SHOW_RECONSTRUCTION,
  PROP_SELECTED_ATOM,
  PROP_CHANNELS_PER_PAGE,
  PROP_FIRST_CHANNEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_ANNOTATE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (AtomscopeSignalView, atomscope_signal_view, GTK_TYPE_WIDGET)

/* The page's reconstruction Σ z_k * D_k, from the engine, recomputed only when
 * the model or the page changes (a few occurrences × atom length per channel). */
static void
update_reconstruction (AtomscopeSignalView *self)
{
  AsCdlModel *model = self->atoms != NULL ? self->atoms->model : NULL;
  AsRecording *rec = self->recording;
  gsize s0, s1;

  if (model == NULL || rec == NULL || !self->show_reconstruction || model->shape.height != 1
      || model->shape.n_channels != rec->n_channels || model->shape.width != rec->n_samples)
    {
      g_clear_pointer (&self->recon, g_free);
      g_clear_pointer (&self->recon_model, as_cdl_model_unref);
      self->recon_len = 0;
      return;
    }
  s0 = (gsize) CLAMP (floor (self->page_start * rec->sfreq), 0, (double) rec->n_samples - 1);
  s1 = (gsize) CLAMP (ceil ((self->page_start + self->page_length) * rec->sfreq) + 1,
                      (double) s0 + 1, (double) rec->n_samples);
  if (self->recon != NULL && self->recon_model == model && self->recon_start == s0
      && self->recon_len == s1 - s0)
    return;
  g_clear_pointer (&self->recon_model, as_cdl_model_unref);
  g_free (self->recon);
  self->recon = g_new (double, (gsize) rec->n_channels * (s1 - s0));
  self->recon_start = s0;
  self->recon_len = s1 - s0;
  if (!as_cdl_model_reconstruct (model, 0, -1, s0, s1 - s0, self->recon, NULL))
    {
      g_clear_pointer (&self->recon, g_free);
      self->recon_len = 0;
      return;
    }
  self->recon_model = as_cdl_model_ref (model);
}

/* An immutable copy of what a page needs, drawn on the figure worker. */
typedef struct
{
  AsRecording           *recording;
  AsFigureAtoms         *atoms;
  AsNystagmusAnalysis   *nystagmus;
  AsFigureSignalOptions  options;
  double                 page_start, page_length;
  gboolean               dark;
  gboolean               reconstruct;
  AsDerivationSet       *derivations;
  GStrv                  bad;
  gboolean               scaled;
  AsRecording           *others_rec;   /* channels shown below, not learned, or NULL */
  AsDerivationSet       *others;
  AsDisplayFilters       filters;
  PageSlot              *slot;
  GArray                *annotations;  /* shared, never changed, or NULL */
} SignalRender;

static void
signal_render_free (SignalRender *r)
{
  g_clear_pointer (&r->recording, as_recording_unref);
  g_clear_pointer (&r->atoms, as_figure_atoms_unref);
  g_clear_pointer (&r->nystagmus, as_nystagmus_analysis_unref);
  g_free ((double *) r->options.reconstruction);
  g_clear_pointer (&r->derivations, as_derivation_set_unref);
  g_clear_pointer (&r->others_rec, as_recording_unref);
  g_clear_pointer (&r->others, as_derivation_set_unref);
  g_clear_pointer (&r->bad, g_strfreev);
  g_clear_pointer (&r->slot, page_slot_unref);
  g_clear_pointer (&r->annotations, g_array_unref);
  g_free (r);
}

/* Worker thread: the page through the montage and the display filters, its
 * reconstruction from the engine through the same, then the figure. */
static void
draw_signal_render (cairo_t *cr, double width, double height, gpointer data)
{
  SignalRender *r = data;
  AsRecording *rec = r->recording;
  AsCdlModel *model = r->atoms != NULL ? r->atoms->model : NULL;
  g_autoptr (AsRecording) page = NULL;
  g_autoptr (GError) error = NULL;
  AsFigureStyle style;
  double origin = 0;

  if (r->dark)
    as_figure_style_init_dark (&style);
  else
    as_figure_style_init_light (&style);
  if (rec != NULL)
    page = as_display_page_for_width (rec, r->derivations, &r->filters, r->page_start,
                                      r->page_length,
                                      width - AS_FIGURE_PLOT_LEFT - AS_FIGURE_PLOT_RIGHT,
                                      &origin, &error);
  if (page == NULL && error != NULL)
    g_warning ("%s", error->message);
  if (page != NULL && r->reconstruct && model != NULL && model->shape.height == 1
      && model->shape.n_channels == rec->n_channels && model->shape.width == rec->n_samples)
    {
      /* The model explains the recorded channels: rebuild the span the page is
       * computed from, then pass it through the same montage and filters. */
      gsize pad = as_display_padding (&r->filters, rec->sfreq);
      gsize s0 = (gsize) llround (origin * rec->sfreq), a = s0 > pad ? s0 - pad : 0;
      gsize b = MIN (rec->n_samples, s0 + page->n_samples + pad);
      g_autoptr (AsRecording) span = as_recording_new (rec->n_channels, b - a, rec->sfreq);

      for (guint c = 0; c < rec->n_channels; c++)
        as_recording_set_channel (span, c, rec->channels[c].label, rec->channels[c].unit,
                                  rec->channels[c].type);
      if (as_cdl_model_reconstruct (model, 0, -1, a, b - a, span->data, NULL))
        {
          g_autoptr (AsRecording) rpage = as_display_page (span, r->derivations, &r->filters,
                                                          (s0 - a) / rec->sfreq, r->page_length,
                                                          NULL, NULL);
          if (rpage != NULL && rpage->n_samples == page->n_samples)
            {
              r->options.reconstruction = g_memdup2 (rpage->data, (gsize) rpage->n_channels
                                                                      * rpage->n_samples * sizeof (double));
              r->options.recon_start = 0;
              r->options.recon_len = rpage->n_samples;
            }
        }
    }
  if (page != NULL && r->others != NULL)
    {
      g_autoptr (GError) more_error = NULL;
      AsRecording *both = as_display_page_append (page, r->others_rec, r->others, &r->filters,
                                                  r->page_start, r->page_length,
                                                  width - AS_FIGURE_PLOT_LEFT - AS_FIGURE_PLOT_RIGHT,
                                                  &more_error);

      if (both != NULL)
        {
          r->options.recon_channels = page->n_channels;
          g_clear_pointer (&page, as_recording_unref);
          page = both;
        }
      else
        g_warning ("%s", more_error->message);
    }
  /* The annotations being edited replace the events the page took from the
   * recording; the page is the worker's own. */
  if (page != NULL && r->annotations != NULL)
    {
      double page_end = origin + page->n_samples / page->sfreq;

      g_array_set_size (page->events, 0);
      for (guint i = 0; i < r->annotations->len; i++)
        {
          const AsEvent *ev = &g_array_index (r->annotations, AsEvent, i);
          if (ev->onset + ev->duration >= origin && ev->onset < page_end)
            as_recording_add_event (page, ev->onset - origin, ev->duration, ev->label);
        }
    }
  if (page != NULL && r->scaled)
    r->options.scaled_channels = r->options.recon_channels > 0 ? r->options.recon_channels : page->n_channels;
  r->options.time_origin = origin;
  page_slot_store (r->slot, page, origin);
  as_figure_draw_signals_full (cr, width, height, &style, page, r->page_start, r->page_length,
                               &r->options);
}

/* Channels per page: the rows (recorded or derived, then the others below)
 * outside [first, first + n) are left out of the render, as hidden ones are. */
static void
apply_channel_window (AtomscopeSignalView *self, SignalRender *r)
{
  g_autoptr (AsDerivationSet) all = NULL;
  g_autoptr (GStrvBuilder) b = NULL;
  g_auto (GStrv) outside = NULL;
  AsDerivationSet *main_set;
  guint n_main, n_others, first, n = self->channels_per_page;

  if (self->recording == NULL)
    {
      self->n_rows = 0;
      return;
    }
  main_set = r->derivations;
  if (main_set == NULL)
    main_set = all = as_derivation_set_new (self->recording, AS_DERIVATION_AS_RECORDED, NULL);
  if (main_set == NULL)
    return;
  n_main = main_set->n_derivations;
  n_others = r->others != NULL ? r->others->n_derivations : 0;
  self->n_rows = n_main + n_others;
  if (n == 0 || self->n_rows <= n || n_main == 0)
    return;
  /* At least one recorded row stays, so that the page has a time line. */
  first = MIN (self->first_channel, MIN (self->n_rows - n, n_main - 1));
  b = g_strv_builder_new ();
  for (guint i = 0; i < n_main; i++)
    if (i < first || i >= first + n)
      g_strv_builder_add (b, main_set->derivations[i].label);
  for (guint i = 0; i < n_others; i++)
    if (n_main + i < first || n_main + i >= first + n)
      g_strv_builder_add (b, r->others->derivations[i].label);
  outside = g_strv_builder_end (b);
  if (outside[0] == NULL)
    return;
  {
    AsDerivationSet *less = as_derivation_set_without (main_set, (const char *const *) outside);
    g_clear_pointer (&r->derivations, as_derivation_set_unref);
    r->derivations = less;
  }
  if (r->others != NULL)
    {
      AsDerivationSet *less = as_derivation_set_without (r->others, (const char *const *) outside);
      as_derivation_set_unref (r->others);
      r->others = less;
      if (less->n_derivations == 0)
        {
          g_clear_pointer (&r->others, as_derivation_set_unref);
          g_clear_pointer (&r->others_rec, as_recording_unref);
        }
    }
}

static void
invalidate (AtomscopeSignalView *self)
{
  self->dirty = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
atomscope_signal_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  AtomscopeSignalView *self = ATOMSCOPE_SIGNAL_VIEW (widget);
  guint64 generation;

  if (self->dirty || atomscope_figure_worker_stale (self->worker))
    {
      SignalRender *r = g_new0 (SignalRender, 1);

      r->recording = self->recording != NULL ? as_recording_ref (self->recording) : NULL;
      r->atoms = self->atoms != NULL ? as_figure_atoms_ref (self->atoms) : NULL;
      r->page_start = self->page_start;
      r->page_length = self->page_length;
      r->dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
      r->reconstruct = self->show_reconstruction;
      r->derivations = self->derivations != NULL ? as_derivation_set_ref (self->derivations) : NULL;
      if (self->others != NULL)
        {
          r->others_rec = as_recording_ref (self->others_rec);
          r->others = as_derivation_set_ref (self->others);
        }
      if (self->hidden != NULL && self->hidden[0] != NULL && self->recording != NULL)
        {
          /* Hidden channels are left out of the montage itself, so that the page, its
           * reconstruction and the channels below stay aligned. */
          g_autoptr (AsDerivationSet) all = r->derivations != NULL
                                              ? r->derivations
                                              : as_derivation_set_new (self->recording, AS_DERIVATION_AS_RECORDED, NULL);
          r->derivations = all != NULL ? as_derivation_set_without (all, (const char *const *) self->hidden) : NULL;
          if (r->others != NULL)
            {
              AsDerivationSet *less = as_derivation_set_without (r->others, (const char *const *) self->hidden);
              as_derivation_set_unref (r->others);
              r->others = less;
              if (less->n_derivations == 0)
                {
                  g_clear_pointer (&r->others, as_derivation_set_unref);
                  g_clear_pointer (&r->others_rec, as_recording_unref);
                }
            }
        }
      if (self->order != NULL && self->order[0] != NULL && self->recording != NULL)
        {
          /* The order the user chose, for the montage and the channels below alike. */
          g_autoptr (AsDerivationSet) all = r->derivations != NULL
                                              ? r->derivations
                                              : as_derivation_set_new (self->recording, AS_DERIVATION_AS_RECORDED, NULL);
          r->derivations = all != NULL ? as_derivation_set_ordered (all, (const char *const *) self->order) : NULL;
          if (r->others != NULL)
            {
              AsDerivationSet *ordered = as_derivation_set_ordered (r->others, (const char *const *) self->order);
              as_derivation_set_unref (r->others);
              r->others = ordered;
            }
        }
      apply_channel_window (self, r);
      r->bad = g_strdupv (self->bad);
      r->scaled = self->scaled;
      r->filters = self->filters;
      r->slot = page_slot_ref (self->page_slot);
      r->annotations = self->annotations != NULL ? g_array_ref (self->annotations) : NULL;
      r->options = (AsFigureSignalOptions) {
        .sensitivity = self->sensitivity,
        .pixels_per_mm = self->pixels_per_mm,
        .common_scale = self->common_scale,
        .atoms = r->atoms,
        .selected_atom = self->selected_atom,
        .bad = (const char *const *) r->bad,
      };
      r->nystagmus = self->nystagmus != NULL ? as_nystagmus_analysis_ref (self->nystagmus) : NULL;
      r->options.nystagmus = r->nystagmus;
      atomscope_figure_worker_request (self->worker, draw_signal_render, r,
                                       (GDestroyNotify) signal_render_free, self->generation);
      self->dirty = FALSE;
    }
  if (atomscope_figure_worker_append (self->worker, snapshot, &generation))
    self->drawn_generation = generation;
  /* The span of an annotation being dragged, over the page. */
  if (self->selecting && self->select_to > self->select_from)
    {
      double x0 = atomscope_signal_view_x_at (self, self->select_from);
      double x1 = atomscope_signal_view_x_at (self, self->select_to);
      GdkRGBA band = { 0.9, 0.55, 0.1, 0.25 };

      gtk_snapshot_append_color (snapshot, &band,
                                 &GRAPHENE_RECT_INIT (x0, 0, MAX (1, x1 - x0), gtk_widget_get_height (widget)));
    }
}

double
atomscope_signal_view_time_at (AtomscopeSignalView *self, double x)
{
  double plot_w = MAX (1, gtk_widget_get_width (GTK_WIDGET (self)) - AS_FIGURE_PLOT_LEFT - AS_FIGURE_PLOT_RIGHT);

  return self->page_start + (x - AS_FIGURE_PLOT_LEFT) / plot_w * self->page_length;
}

double
atomscope_signal_view_x_at (AtomscopeSignalView *self, double t)
{
  double plot_w = MAX (1, gtk_widget_get_width (GTK_WIDGET (self)) - AS_FIGURE_PLOT_LEFT - AS_FIGURE_PLOT_RIGHT);

  return AS_FIGURE_PLOT_LEFT + (t - self->page_start) / self->page_length * plot_w;
}

void
atomscope_signal_view_set_channels_per_page (AtomscopeSignalView *self, guint n)
{
  g_return_if_fail (ATOMSCOPE_IS_SIGNAL_VIEW (self));
  if (n == self->channels_per_page)
    return;
  self->channels_per_page = n;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHANNELS_PER_PAGE]);
  invalidate (self);
}

guint
atomscope_signal_view_get_channels_per_page (AtomscopeSignalView *self)
{
  return self->channels_per_page;
}

void
atomscope_signal_view_set_first_channel (AtomscopeSignalView *self, gint first)
{
  gint last;

  g_return_if_fail (ATOMSCOPE_IS_SIGNAL_VIEW (self));
  /* Rows are counted at each render; before the first, anything goes. */
  last = self->n_rows > self->channels_per_page ? (gint) (self->n_rows - self->channels_per_page) : 0;
  if (self->n_rows == 0)
    last = G_MAXINT;
  first = CLAMP (first, 0, last);
  if ((guint) first == self->first_channel)
    return;
  self->first_channel = first;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIRST_CHANNEL]);
  invalidate (self);
}

guint
atomscope_signal_view_get_first_channel (AtomscopeSignalView *self)
{
  return self->first_channel;
}

guint
atomscope_signal_view_get_n_rows (AtomscopeSignalView *self)
{
  return self->n_rows;
}

/* TRUE when only some of the rows are drawn: vertical scrolling moves through them. */
static gboolean
paging_channels (AtomscopeSignalView *self)
{
  return self->channels_per_page > 0 && self->n_rows > self->channels_per_page;
}

void
atomscope_signal_view_set_annotations (AtomscopeSignalView *self, GArray *annotations)
{
  g_return_if_fail (ATOMSCOPE_IS_SIGNAL_VIEW (self));
  if (annotations != NULL)
    g_array_ref (annotations);
  g_clear_pointer (&self->annotations, g_array_unref);
  self->annotations = annotations;
  invalidate (self);
}

GArray *
atomscope_signal_view_get_annotations (AtomscopeSignalView *self)
{
  if (self->annotations != NULL)
    return self->annotations;
  return self->recording != NULL ? self->recording->events : NULL;
}

void
atomscope_signal_view_get_figure_options (AtomscopeSignalView *self, AsFigureSignalOptions *options)
{
  update_reconstruction (self);
  *options = (AsFigureSignalOptions) {
    .sensitivity = self->sensitivity,
    .pixels_per_mm = self->pixels_per_mm,
    .common_scale = self->common_scale,
    .atoms = self->atoms,
    .selected_atom = self->selected_atom,
    .reconstruction = self->recon,
    .recon_start = self->recon_start,
    .recon_len = self->recon != NULL ? self->recon_len : 0,
    .nystagmus = self->nystagmus,
  };
}

void
atomscope_signal_view_set_atoms (AtomscopeSignalView *self, AsFigureAtoms *atoms, guint64 generation)
{
  g_return_if_fail (ATOMSCOPE_IS_SIGNAL_VIEW (self));
  if (atoms != NULL)
    as_figure_atoms_ref (atoms);
  g_clear_pointer (&self->atoms, as_figure_atoms_unref);
  self->atoms = atoms;
  self->generation = generation;
  invalidate (self);
}

void
atomscope_signal_view_set_nystagmus (AtomscopeSignalView *self, AsNystagmusAnalysis *an)
{
  g_return_if_fail (ATOMSCOPE_IS_SIGNAL_VIEW (self));
  if (an != NULL)
    as_nystagmus_analysis_ref (an);
  g_clear_pointer (&self->nystagmus, as_nystagmus_analysis_unref);
  self->nystagmus = an;
  invalidate (self);
}

guint64
atomscope_signal_view_get_drawn_generation (AtomscopeSignalView *self)
{
  return self->drawn_generation;
}

void
atomscope_signal_view_centre_on (AtomscopeSignalView *self, double t)
{
  atomscope_signal_view_set_page_start (self, t - self->page_length / 2);
}

static double
max_start (AtomscopeSignalView *self)
{
  if (self->recording == NULL)
    return 0;
  return MAX (0.0, as_recording_duration (self->recording) - self->page_length);
}

void
atomscope_signal_view_set_page_start (AtomscopeSignalView *self, double t0)
{
  g_return_if_fail (ATOMSCOPE_IS_SIGNAL_VIEW (self));
  t0 = CLAMP (t0, 0.0, max_start (self));
  if (t0 == self->page_start)
    return;
  self->page_start = t0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE_START]);
  invalidate (self);
}

double
atomscope_signal_view_get_page_start (AtomscopeSignalView *self)
{
  return self->page_start;
}

void
atomscope_signal_view_set_page_length (AtomscopeSignalView *self, double seconds)
{
  g_return_if_fail (ATOMSCOPE_IS_SIGNAL_VIEW (self));
  /* Page lengths go in 1-2-5 steps, as on a paper EEG. */
  seconds = as_figure_page_length_step (MAX (seconds, 0.01), 0);
  if (seconds == self->page_length)
    return;
  self->page_length = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE_LENGTH]);
  atomscope_signal_view_set_page_start (self, self->page_start);
  invalidate (self);
}

double
atomscope_signal_view_get_page_length (AtomscopeSignalView *self)
{
  return self->page_length;
}

/* The montage's derivations for the recording shown (label matching only). */
static gboolean
update_derivations (AtomscopeSignalView *self, GError **error)
{
  g_clear_pointer (&self->derivations, as_derivation_set_unref);
  if (self->recording == NULL || self->montage == AS_DERIVATION_AS_RECORDED)
    return TRUE;
  if (self->montage == AS_DERIVATION_USER)
    self->derivations = as_derivation_set_load (self->recording, self->montage_path, error);
  else
    self->derivations = as_derivation_set_new (self->recording, self->montage, error);
  return self->derivations != NULL;
}

gboolean
atomscope_signal_view_set_montage (AtomscopeSignalView *self, AsDerivationKind kind,
                                   const char *path, GError **error)
{
  gboolean ok;

  g_return_val_if_fail (ATOMSCOPE_IS_SIGNAL_VIEW (self), FALSE);
  g_return_val_if_fail (kind != AS_DERIVATION_USER || path != NULL, FALSE);
  self->montage = kind;
  g_free (self->montage_path);
  self->montage_path = g_strdup (path);
  ok = update_derivations (self, error);
  if (!ok)
    self->montage = AS_DERIVATION_AS_RECORDED;
  invalidate (self);
  return ok;
}

AsDerivationKind
atomscope_signal_view_get_montage (AtomscopeSignalView *self)
{
  return self->montage;
}

void
atomscope_signal_view_set_filters (AtomscopeSignalView *self, const AsDisplayFilters *filters)
{
  g_return_if_fail (ATOMSCOPE_IS_SIGNAL_VIEW (self));
  if (filters != NULL)
    self->filters = *filters;
  else
    as_display_filters_init (&self->filters);
  invalidate (self);
}

void
atomscope_signal_view_get_filters (AtomscopeSignalView *self, AsDisplayFilters *filters)
{
  *filters = self->filters;
}

AsRecording *
atomscope_signal_view_dup_page (AtomscopeSignalView *self, double *time_origin)
{
  AsRecording *page;

  g_mutex_lock (&self->page_slot->lock);
  page = self->page_slot->page != NULL ? as_recording_ref (self->page_slot->page) : NULL;
  if (time_origin)
    *time_origin = self->page_slot->origin;
  g_mutex_unlock (&self->page_slot->lock);
  return page;
}

void
atomscope_signal_view_set_recording (AtomscopeSignalView *self, AsRecording *rec)
{
  g_return_if_fail (ATOMSCOPE_IS_SIGNAL_VIEW (self));
  if (rec == self->recording)
    return;
  g_clear_pointer (&self->recording, as_recording_unref);
  if (rec != NULL)
    self->recording = as_recording_ref (rec);
  g_clear_pointer (&self->atoms, as_figure_atoms_unref);
  g_clear_pointer (&self->nystagmus, as_nystagmus_analysis_unref);
  g_clear_pointer (&self->recon, g_free);
  g_clear_pointer (&self->recon_model, as_cdl_model_unref);
  g_clear_pointer (&self->others_rec, as_recording_unref);
  g_clear_pointer (&self->others, as_derivation_set_unref);
  g_clear_pointer (&self->annotations, g_array_unref);
  self->scaled = FALSE;
  self->first_channel = 0;
  self->n_rows = 0;
  self->page_start = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE_START]);
  update_derivations (self, NULL);
  invalidate (self);
}

void
atomscope_signal_view_set_others (AtomscopeSignalView *self, AsRecording *rec, AsDerivationSet *others)
{
  g_return_if_fail (ATOMSCOPE_IS_SIGNAL_VIEW (self));
  g_clear_pointer (&self->others_rec, as_recording_unref);
  g_clear_pointer (&self->others, as_derivation_set_unref);
  if (rec != NULL && others != NULL)
    {
      self->others_rec = as_recording_ref (rec);
      self->others = as_derivation_set_ref (others);
    }
  invalidate (self);
}

void
atomscope_signal_view_set_scaled (AtomscopeSignalView *self, gboolean scaled)
{
  g_return_if_fail (ATOMSCOPE_IS_SIGNAL_VIEW (self));
  self->scaled = scaled;
  invalidate (self);
}

void
atomscope_signal_view_set_channel_marks (AtomscopeSignalView *self, const char *const *hidden,
                                         const char *const *bad)
{
  g_return_if_fail (ATOMSCOPE_IS_SIGNAL_VIEW (self));
  g_strfreev (self->hidden);
  g_strfreev (self->bad);
  self->hidden = g_strdupv ((char **) hidden);
  self->bad = g_strdupv ((char **) bad);
  invalidate (self);
}

void
atomscope_signal_view_set_channel_order (AtomscopeSignalView *self, const char *const *order)
{
  g_return_if_fail (ATOMSCOPE_IS_SIGNAL_VIEW (self));
  g_strfreev (self->order);
  self->order = g_strdupv ((char **) order);
  invalidate (self);
}

guint
atomscope_signal_view_get_n_others (AtomscopeSignalView *self)
{
  return self->others != NULL ? self->others->n_derivations : 0;
}

AsRecording *
atomscope_signal_view_get_recording (AtomscopeSignalView *self)
{
  return self->recording;
}

static gboolean
on_scroll (GtkEventControllerScroll *controller, double dx, double dy, gpointer user_data)
{
  AtomscopeSignalView *self = user_data;
  GdkModifierType mods = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));

  if (mods & GDK_CONTROL_MASK)
    atomscope_signal_view_set_page_length (self, as_figure_page_length_step (self->page_length, dy > 0 ? 1 : -1));
  else if (paging_channels (self) && !(mods & GDK_SHIFT_MASK) && fabs (dy) > fabs (dx))
    /* The wheel moves through the channels, three rows a notch; Shift+wheel pages time. */
    atomscope_signal_view_set_first_channel (self, (gint) self->first_channel + (dy > 0 ? 3 : -3));
  else
    atomscope_signal_view_set_page_start (self, self->page_start + 0.1 * self->page_length * (dx + dy));
  return TRUE;
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, gpointer user_data)
{
  AtomscopeSignalView *self = user_data;
  GdkModifierType mods = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));

  self->drag_start = self->page_start;
  /* Shift and drag: the span of a new annotation, as in clinical viewers. */
  self->selecting = (mods & GDK_SHIFT_MASK) != 0 && self->recording != NULL;
  self->select_from = self->select_to = atomscope_signal_view_time_at (self, x);
  /* A click on the trace gives it the keyboard: PgUp/PgDn then page. */
  gtk_widget_grab_focus (GTK_WIDGET (self));
}

static void
on_drag_update (GtkGestureDrag *gesture, double dx, double dy, gpointer user_data)
{
  AtomscopeSignalView *self = user_data;
  double plot_w = MAX (1, gtk_widget_get_width (GTK_WIDGET (self)) - AS_FIGURE_PLOT_LEFT - AS_FIGURE_PLOT_RIGHT);
  double x0;

  if (!self->selecting)
    {
      atomscope_signal_view_set_page_start (self, self->drag_start - dx / plot_w * self->page_length);
      return;
    }
  gtk_gesture_drag_get_start_point (gesture, &x0, NULL);
  self->select_from = atomscope_signal_view_time_at (self, MIN (x0, x0 + dx));
  self->select_to = atomscope_signal_view_time_at (self, MAX (x0, x0 + dx));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_drag_end (GtkGestureDrag *gesture, double dx, double dy, gpointer user_data)
{
  AtomscopeSignalView *self = user_data;
  double from = self->select_from, to = self->select_to;

  if (!self->selecting)
    return;
  self->selecting = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (self->recording != NULL && to > from)
    atomscope_signal_view_request_annotation (self, from, to - from);
}

void
atomscope_signal_view_request_annotation (AtomscopeSignalView *self, double onset, double duration)
{
  double end;

  g_return_if_fail (ATOMSCOPE_IS_SIGNAL_VIEW (self));
  if (self->recording == NULL)
    return;
  end = as_recording_duration (self->recording);
  onset = CLAMP (onset, 0.0, end);
  duration = CLAMP (duration, 0.0, end - onset);
  g_signal_emit (self, signals[SIGNAL_ANNOTATE], 0, onset, duration);
}

/* A double click on the trace annotates (or edits the annotation there). */
static void
on_click (GtkGestureClick *gesture, int n_press, double x, double y, gpointer user_data)
{
  AtomscopeSignalView *self = user_data;

  if (n_press == 2 && x >= AS_FIGURE_PLOT_LEFT)
    atomscope_signal_view_request_annotation (self, atomscope_signal_view_time_at (self, x), 0);
}

static gboolean
on_key (GtkEventControllerKey *controller, guint keyval, guint keycode, GdkModifierType state,
        gpointer user_data)
{
  return atomscope_signal_view_handle_key_state (user_data, keyval, state);
}

gboolean
atomscope_signal_view_handle_key (AtomscopeSignalView *self, guint keyval)
{
  return atomscope_signal_view_handle_key_state (self, keyval, 0);
}

gboolean
atomscope_signal_view_handle_key_state (AtomscopeSignalView *self, guint keyval, GdkModifierType state)
{
  /* Channels per page: ↑/↓ a row, Shift+PgUp/PgDn a page of rows. */
  if (paging_channels (self))
    {
      gint n = (gint) self->channels_per_page, first = (gint) self->first_channel;

      if (keyval == GDK_KEY_Down || keyval == GDK_KEY_Up)
        {
          atomscope_signal_view_set_first_channel (self, first + (keyval == GDK_KEY_Down ? 1 : -1));
          return TRUE;
        }
      if ((state & GDK_SHIFT_MASK) && (keyval == GDK_KEY_Page_Down || keyval == GDK_KEY_Page_Up))
        {
          atomscope_signal_view_set_first_channel (self, first + (keyval == GDK_KEY_Page_Down ? n : -n));
          return TRUE;
        }
    }
  switch (keyval)
    {
    case GDK_KEY_Page_Down:
      atomscope_signal_view_set_page_start (self, self->page_start + self->page_length);
      return TRUE;
    case GDK_KEY_Page_Up:
      atomscope_signal_view_set_page_start (self, self->page_start - self->page_length);
      return TRUE;
    case GDK_KEY_Right:
      atomscope_signal_view_set_page_start (self, self->page_start + 0.1 * self->page_length);
      return TRUE;
    case GDK_KEY_Left:
      atomscope_signal_view_set_page_start (self, self->page_start - 0.1 * self->page_length);
      return TRUE;
    case GDK_KEY_Home:
      atomscope_signal_view_set_page_start (self, 0);
      return TRUE;
    case GDK_KEY_End:
      atomscope_signal_view_set_page_start (self, G_MAXDOUBLE);
      return TRUE;
    case GDK_KEY_plus:
    case GDK_KEY_KP_Add:
    case GDK_KEY_equal:
    case GDK_KEY_minus:
    case GDK_KEY_KP_Subtract:
      /* + shows the traces larger: fewer units per millimetre. */
      if (self->sensitivity <= 0)
        return FALSE;
      g_object_set (self, "sensitivity",
                    as_figure_sensitivity_step (self->sensitivity,
                                                keyval == GDK_KEY_minus || keyval == GDK_KEY_KP_Subtract ? 1 : -1),
                    NULL);
      return TRUE;
    default:
      return FALSE;
    }
}

/* The row, time and value under the pointer, as the page drawn shows them
 * (its montage, display filters and channels per page). */
static gboolean
on_query_tooltip (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip,
                  gpointer user_data)
{
  AtomscopeSignalView *self = ATOMSCOPE_SIGNAL_VIEW (widget);
  double plot_w = gtk_widget_get_width (widget) - AS_FIGURE_PLOT_LEFT - AS_FIGURE_PLOT_RIGHT;
  double plot_h = gtk_widget_get_height (widget) - 8 - 28, origin = 0;
  g_autoptr (AsRecording) page = NULL;
  g_autofree char *text = NULL;
  gsize s;
  int c;

  if (self->recording == NULL || plot_w <= 0 || plot_h <= 0 || x < AS_FIGURE_PLOT_LEFT || y < 8
      || y > 8 + plot_h)
    return FALSE;
  page = atomscope_signal_view_dup_page (self, &origin);
  if (page == NULL || page->n_channels == 0 || page->n_samples == 0 || page->data == NULL)
    return FALSE;
  c = (int) ((y - 8) / (plot_h / page->n_channels));
  if (c < 0 || c >= (int) page->n_channels)
    return FALSE;
  s = (gsize) CLAMP (round ((atomscope_signal_view_time_at (self, x) - origin) * page->sfreq), 0,
                     (double) page->n_samples - 1);
  text = g_strdup_printf (_("%s at %.3f s: %.4g %s"), page->channels[c].label, origin + s / page->sfreq,
                          page->data[(gsize) c * page->n_samples + s],
                          page->channels[c].unit ? page->channels[c].unit : "");
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
atomscope_signal_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AtomscopeSignalView *self = ATOMSCOPE_SIGNAL_VIEW (object);

  switch (prop_id)
    {
    case PROP_PAGE_START:
      g_value_set_double (value, self->page_start);
      break;
    case PROP_PAGE_LENGTH:
      g_value_set_double (value, self->page_length);
      break;
    case PROP_SENSITIVITY:
      g_value_set_double (value, self->sensitivity);
      break;
    case PROP_PIXELS_PER_MM:
      g_value_set_double (value, self->pixels_per_mm);
      break;
    case PROP_COMMON_SCALE:
      g_value_set_boolean (value, self->common_scale);
      break;
    case PROP_SHOW_RECONSTRUCTION:
      g_value_set_boolean (value, self->show_reconstruction);
      break;
    case PROP_SELECTED_ATOM:
      g_value_set_int (value, self->selected_atom);
      break;
    case PROP_CHANNELS_PER_PAGE:
      g_value_set_uint (value, self->channels_per_page);
      break;
    case PROP_FIRST_CHANNEL:
      g_value_set_uint (value, self->first_channel);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atomscope_signal_view_set_property (GObject *object, guint prop_id, const GValue *value,
                                    GParamSpec *pspec)
{
  AtomscopeSignalView *self = ATOMSCOPE_SIGNAL_VIEW (object);

  switch (prop_id)
    {
    case PROP_PAGE_START:
      atomscope_signal_view_set_page_start (self, g_value_get_double (value));
      break;
    case PROP_PAGE_LENGTH:
      atomscope_signal_view_set_page_length (self, g_value_get_double (value));
      break;
    case PROP_SENSITIVITY:
      if (self->sensitivity != g_value_get_double (value))
        {
          self->sensitivity = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
          invalidate (self);
        }
      break;
    case PROP_PIXELS_PER_MM:
      if (self->pixels_per_mm != g_value_get_double (value))
        {
          self->pixels_per_mm = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
          invalidate (self);
        }
      break;
    case PROP_COMMON_SCALE:
      if (self->common_scale != g_value_get_boolean (value))
        {
          self->common_scale = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
          invalidate (self);
        }
      break;
    case PROP_SHOW_RECONSTRUCTION:
      if (self->show_reconstruction != g_value_get_boolean (value))
        {
          self->show_reconstruction = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
          invalidate (self);
        }
      break;
    case PROP_SELECTED_ATOM:
      if (self->selected_atom != g_value_get_int (value))
        {
          self->selected_atom = g_value_get_int (value);
          g_object_notify_by_pspec (object, pspec);
          invalidate (self);
        }
      break;
    case PROP_CHANNELS_PER_PAGE:
      atomscope_signal_view_set_channels_per_page (self, g_value_get_uint (value));
      break;
    case PROP_FIRST_CHANNEL:
      atomscope_signal_view_set_first_channel (self, (gint) MIN (g_value_get_uint (value), G_MAXINT));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* The view stops its worker when it goes: a render in flight ends on its own
 * and its result is dropped. */
static void
atomscope_signal_view_dispose (GObject *object)
{
  AtomscopeSignalView *self = ATOMSCOPE_SIGNAL_VIEW (object);

  g_clear_pointer (&self->worker, atomscope_figure_worker_free);
  G_OBJECT_CLASS (atomscope_signal_view_parent_class)->dispose (object);
}

static void
atomscope_signal_view_finalize (GObject *object)
{
  AtomscopeSignalView *self = ATOMSCOPE_SIGNAL_VIEW (object);

  g_clear_pointer (&self->recording, as_recording_unref);
  g_clear_pointer (&self->atoms, as_figure_atoms_unref);
  g_clear_pointer (&self->recon, g_free);
  g_clear_pointer (&self->recon_model, as_cdl_model_unref);
  g_clear_pointer (&self->others_rec, as_recording_unref);
  g_clear_pointer (&self->others, as_derivation_set_unref);
  g_clear_pointer (&self->hidden, g_strfreev);
  g_clear_pointer (&self->order, g_strfreev);
  g_clear_pointer (&self->bad, g_strfreev);
  g_clear_pointer (&self->derivations, as_derivation_set_unref);
  g_clear_pointer (&self->montage_path, g_free);
  g_clear_pointer (&self->page_slot, page_slot_unref);
  g_clear_pointer (&self->annotations, g_array_unref);
  G_OBJECT_CLASS (atomscope_signal_view_parent_class)->finalize (object);
}

static void
atomscope_signal_view_class_init (AtomscopeSignalViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = atomscope_signal_view_dispose;
  object_class->finalize = atomscope_signal_view_finalize;
  object_class->get_property = atomscope_signal_view_get_property;
  object_class->set_property = atomscope_signal_view_set_property;
  widget_class->snapshot = atomscope_signal_view_snapshot;

  properties[PROP_PAGE_START] =
    g_param_spec_double ("page-start", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAGE_LENGTH] =
    g_param_spec_double ("page-length", NULL, NULL, 0.01, G_MAXDOUBLE, 10,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PIXELS_PER_MM] =
    g_param_spec_double ("pixels-per-mm", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SENSITIVITY] =
    g_param_spec_double ("sensitivity", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMMON_SCALE] =
    g_param_spec_boolean ("common-scale", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_RECONSTRUCTION] =
    g_param_spec_boolean ("show-reconstruction", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED_ATOM] =
    g_param_spec_int ("selected-atom", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CHANNELS_PER_PAGE] =
    g_param_spec_uint ("channels-per-page", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FIRST_CHANNEL] =
    g_param_spec_uint ("first-channel", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  /* annotate (onset s, duration s): the user asked for an annotation there. */
  signals[SIGNAL_ANNOTATE] =
    g_signal_new ("annotate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);
  gtk_widget_class_set_css_name (widget_class, "signalview");
}

static void
atomscope_signal_view_init (AtomscopeSignalView *self)
{
  GtkEventController *scroll, *key;
  GtkGesture *drag, *click;

  self->page_length = 10.0;
  self->selected_atom = -1;
  self->show_reconstruction = TRUE;
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), NULL);
  atomscope_figure_style_track (GTK_WIDGET (self), G_CALLBACK (invalidate));
  self->worker = atomscope_figure_worker_new (GTK_WIDGET (self));
  self->dirty = TRUE;
  self->page_slot = page_slot_new ();
  as_display_filters_init (&self->filters);
  gtk_widget_add_css_class (GTK_WIDGET (self), "signal-view");

  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);

  drag = gtk_gesture_drag_new ();
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  click = gtk_gesture_click_new ();
  g_signal_connect (click, "pressed", G_CALLBACK (on_click), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  key = gtk_event_controller_key_new ();
  g_signal_connect (key, "key-pressed", G_CALLBACK (on_key), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);
}

GtkWidget *
atomscope_signal_view_new (void)
{
  return g_object_new (ATOMSCOPE_TYPE_SIGNAL_VIEW, NULL);
}

gboolean
atomscope_signal_view_is_rendering (AtomscopeSignalView *self)
{
  /* A widget that is not on screen draws nothing, so it is never behind. */
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)) || gtk_widget_get_width (GTK_WIDGET (self)) <= 0)
    return FALSE;
  return self->dirty || atomscope_figure_worker_busy (self->worker)
         || atomscope_figure_worker_stale (self->worker);
}
