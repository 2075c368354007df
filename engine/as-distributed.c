/* as-distributed.c: CDL split between MPI processes (DiCoDiLe, Moreau & Gramfort 2020).
 *
 * The algorithm, its messages, its stopping test and its cost are in docs/distributed.md.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-distributed"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "as-cdl-dstep.h"
#include "as-distributed.h"
#include "as-engine.h"
#include "as-npy.h"

struct _AsDistributed
{
  MPI_Comm   comm;
  int        rank, size;
  guint      rows, cols;
  AsCscShape global;       /* the whole problem */
  AsDistRect owned, local; /* valid positions, whole-problem coordinates */
  AsCscShape ls;           /* the local signal: the local positions plus an atom */
  double    *x;            /* P × ls.height × ls.width */
  double    *z;            /* K × local positions */
  guint      n_nbr;
  int       *nbr;          /* neighbour ranks: their local region meets our region */
  AsDistRect *nbr_local;
  GArray   **out;          /* per neighbour: updates (k, y, x, δ) to send */
  AsCscLgcd *lgcd;         /* during a z-step */
  guint64    bytes_sent, locked;
};

static guint
n_segments (guint n_valid, guint seg)
{
  return (n_valid + seg - 1) / seg;
}

gboolean
as_distributed_grid (const AsCscShape *s, int size, guint *rows, guint *cols, GError **error)
{
  const guint nsy = n_segments (as_csc_valid_height (s), 2 * s->atom_height - 1);
  const guint nsx = n_segments (as_csc_valid_width (s), 2 * s->atom_width - 1);
  guint best_r = 0, best_cost = G_MAXUINT;

  /* The factorisation rows × cols = size whose largest region (in segments) is smallest;
   * a signal of one row is split along time only. */
  for (guint r = 1; r <= (guint) size; r++)
    {
      guint c, cost;
      if ((guint) size % r != 0)
        continue;
      c = (guint) size / r;
      if (r > nsy || c > nsx)
        continue;
      cost = ((nsy + r - 1) / r) * ((nsx + c - 1) / c);
      if (cost < best_cost)
        {
          best_cost = cost;
          best_r = r;
        }
    }
  if (best_r == 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("%d processes cannot share %u × %u segments of this problem: use fewer processes or shorter atoms"),
                   size, nsy, nsx);
      return FALSE;
    }
  *rows = best_r;
  *cols = (guint) size / best_r;
  return TRUE;
}

void
as_distributed_regions (const AsCscShape *s, guint rows, guint cols, int rank,
                        AsDistRect *owned, AsDistRect *local)
{
  const guint seg_h = 2 * s->atom_height - 1, seg_w = 2 * s->atom_width - 1;
  const guint Hv = as_csc_valid_height (s), Wv = as_csc_valid_width (s);
  const guint nsy = n_segments (Hv, seg_h), nsx = n_segments (Wv, seg_w);
  const guint ry = (guint) rank / cols, rx = (guint) rank % cols;

  /* Whole segments per process, so that the local LGCD's segments are the global ones. */
  owned->y0 = (ry * nsy / rows) * seg_h;
  owned->y1 = MIN (Hv, ((ry + 1) * nsy / rows) * seg_h);
  owned->x0 = (rx * nsx / cols) * seg_w;
  owned->x1 = MIN (Wv, ((rx + 1) * nsx / cols) * seg_w);
  /* One segment of border on each side: z there is kept exact (the neighbours send their
   * updates), so β is exact up to an atom beyond the region, where soft locks look. */
  local->y0 = owned->y0 >= seg_h ? owned->y0 - seg_h : 0;
  local->y1 = MIN (Hv, owned->y1 + seg_h);
  local->x0 = owned->x0 >= seg_w ? owned->x0 - seg_w : 0;
  local->x1 = MIN (Wv, owned->x1 + seg_w);
}

static gboolean
rect_contains (const AsDistRect *r, guint y, guint x)
{
  return y >= r->y0 && y < r->y1 && x >= r->x0 && x < r->x1;
}

static gboolean
rects_meet (const AsDistRect *a, const AsDistRect *b)
{
  return a->y0 < b->y1 && b->y0 < a->y1 && a->x0 < b->x1 && b->x0 < a->x1;
}

/* What one process sends in an all-reduce of @n bytes: 2 (W − 1)/W · n with the ring
 * algorithm (nothing with one process).  Point-to-point messages are counted exactly. */
static void
count_allreduce (AsDistributed *d, gsize n)
{
  d->bytes_sent += (guint64) (2.0 * (d->size - 1) / d->size * (double) n);
}

/* Errors of every process, gathered: each process's message (empty when it succeeded) is
 * collected, and when any is not empty every process fails with all of them. */
static gboolean
collective_status (MPI_Comm comm, GError **error)
{
  int rank, size, len, any, *lens = NULL;
  g_autofree char *all = NULL;
  const char *msg = (error != NULL && *error != NULL) ? (*error)->message : "";

  MPI_Comm_rank (comm, &rank);
  MPI_Comm_size (comm, &size);
  len = (int) strlen (msg);
  MPI_Allreduce (&len, &any, 1, MPI_INT, MPI_MAX, comm);
  if (any == 0)
    return TRUE;
  lens = g_new (int, size);
  MPI_Allgather (&len, 1, MPI_INT, lens, 1, MPI_INT, comm);
  {
    int total = 0, *displs = g_new (int, size);
    GString *text = g_string_new (NULL);
    for (int r = 0; r < size; r++)
      {
        displs[r] = total;
        total += lens[r];
      }
    all = g_malloc (total + 1);
    MPI_Allgatherv (msg, len, MPI_CHAR, all, lens, displs, MPI_CHAR, comm);
    all[total] = '\0';
    for (int r = 0; r < size; r++)
      if (lens[r] > 0)
        {
          if (text->len > 0)
            g_string_append (text, "\n");
          /* TRANSLATORS: a process of a distributed run (its MPI rank) and why it failed. */
          g_string_append_printf (text, _("process %d: %.*s"), r, lens[r], all + displs[r]);
        }
    g_clear_error (error);
    g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT, "%s", text->str);
    g_string_free (text, TRUE);
    g_free (displs);
  }
  g_free (lens);
  return FALSE;
}

/* Shape, grid, regions and neighbours; the local arrays are allocated, not filled. */
static AsDistributed *
distributed_setup (MPI_Comm comm, guint P, guint H, guint W, guint K, guint h, guint w,
                   GError **error)
{
  AsDistributed *d = g_new0 (AsDistributed, 1);
  AsDistRect other_owned, other_local;

  d->comm = comm;
  MPI_Comm_rank (comm, &d->rank);
  MPI_Comm_size (comm, &d->size);
  d->global = (AsCscShape) { K, P, H, W, MAX (1, h), w };
  if (!as_csc_shape_check (&d->global, error)
      || !as_distributed_grid (&d->global, d->size, &d->rows, &d->cols, error))
    {
      g_free (d);
      return NULL;
    }
  as_distributed_regions (&d->global, d->rows, d->cols, d->rank, &d->owned, &d->local);
  d->ls = d->global;
  d->ls.height = d->local.y1 - d->local.y0 + d->global.atom_height - 1;
  d->ls.width = d->local.x1 - d->local.x0 + d->global.atom_width - 1;
  d->nbr = g_new (int, d->size);
  d->nbr_local = g_new (AsDistRect, d->size);
  for (int r = 0; r < d->size; r++)
    {
      if (r == d->rank)
        continue;
      as_distributed_regions (&d->global, d->rows, d->cols, r, &other_owned, &other_local);
      if (rects_meet (&other_local, &d->owned))
        {
          d->nbr[d->n_nbr] = r;
          d->nbr_local[d->n_nbr++] = other_local;
        }
    }
  d->out = g_new (GArray *, MAX (1, d->n_nbr));
  for (guint i = 0; i < d->n_nbr; i++)
    d->out[i] = g_array_new (FALSE, FALSE, sizeof (double));
  d->x = g_new (double, as_csc_signal_size (&d->ls));
  d->z = g_new0 (double, (gsize) K * as_csc_n_valid (&d->ls));
  return d;
}

AsDistributed *
as_distributed_new_from_data (MPI_Comm comm, const double *x, guint P, guint H, guint W,
                              guint K, guint h, guint w, GError **error)
{
  AsDistributed *d = distributed_setup (comm, P, H, W, K, h, w, error);

  if (d == NULL)
    return NULL;
  for (guint p = 0; p < P; p++)
    for (guint r = 0; r < d->ls.height; r++)
      memcpy (d->x + ((gsize) p * d->ls.height + r) * d->ls.width,
              x + ((gsize) p * H + d->local.y0 + r) * W + d->local.x0,
              sizeof (double) * d->ls.width);
  return d;
}

AsDistributed *
as_distributed_open_npy (MPI_Comm comm, const char *path, guint K, guint h, guint w,
                         GError **error)
{
  AsDistributed *d = NULL;
  AsNpyArray arr = { 0 };
  guint64 dims[3] = { 0, 0, 0 };
  int one_trial = 0;
  GError *local_error = NULL;
  int rank;

  MPI_Comm_rank (comm, &rank);
  /* Rank 0 reads the header; every process learns the shape from it. */
  if (rank == 0 && as_npy_read_header (path, &arr, &local_error))
    {
      if (arr.ndim == 2)
        {
          dims[0] = arr.shape[0];
          dims[1] = 1;
          dims[2] = arr.shape[1];
        }
      else if (arr.ndim == 3 && arr.shape[0] == 1 && h <= 1)
        {
          /* One trial of channels × samples (what "learn --save-data" writes). */
          dims[0] = arr.shape[1];
          dims[1] = 1;
          dims[2] = arr.shape[2];
          one_trial = 1;
        }
      else if (arr.ndim == 3)
        {
          dims[0] = arr.shape[0];
          dims[1] = arr.shape[1];
          dims[2] = arr.shape[2];
        }
      else
        g_set_error (&local_error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                     _("%s: expected channels × samples or channels × rows × columns, not %u dimensions"),
                     path, arr.ndim);
      if (local_error == NULL && (dims[0] > G_MAXUINT || dims[1] > G_MAXUINT || dims[2] > G_MAXUINT))
        g_set_error (&local_error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                     _("%s: the array is too large"), path);
    }
  as_npy_array_clear (&arr);
  if (!collective_status (comm, &local_error))
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  MPI_Bcast (dims, 3, MPI_UINT64_T, 0, comm);
  MPI_Bcast (&one_trial, 1, MPI_INT, 0, comm);
  if (dims[1] == 1 && h > 1)
    h = 1;
  d = distributed_setup (comm, (guint) dims[0], (guint) dims[1], (guint) dims[2], K, h, w,
                         &local_error);
  if (d != NULL)
    {
      /* Each process reads its region and its borders, nothing else. */
      const gsize start3[3] = { 0, d->local.y0, d->local.x0 };
      const gsize size3[3] = { dims[0], d->ls.height, d->ls.width };
      const gboolean one_d = dims[1] == 1 && !one_trial;
      const gsize start_t[3] = { 0, 0, d->local.x0 }, size_t3[3] = { 1, dims[0], d->ls.width };
      AsNpyArray part = { 0 };
      if (as_npy_read_region (path, one_d ? 2 : 3,
                              one_trial ? start_t : one_d ? (gsize[]) { 0, d->local.x0 } : start3,
                              one_trial ? size_t3 : one_d ? (gsize[]) { dims[0], d->ls.width } : size3,
                              &part, &local_error))
        {
          memcpy (d->x, part.data, sizeof (double) * as_csc_signal_size (&d->ls));
          as_npy_array_clear (&part);
        }
    }
  if (!collective_status (comm, &local_error))
    {
      g_propagate_error (error, local_error);
      as_distributed_free (d);
      return NULL;
    }
  return d;
}

gboolean
as_distributed_signal_span (MPI_Comm comm, guint T, guint K, guint w, gsize *data_start,
                            gsize *data_end, gsize *own_start, gsize *own_end, GError **error)
{
  const AsCscShape s = { K, 1, 1, T, 1, w };
  AsDistRect owned, local;
  guint rows, cols;
  int rank, size;

  MPI_Comm_rank (comm, &rank);
  MPI_Comm_size (comm, &size);
  /* The shape is the same everywhere, so this fails everywhere or nowhere. */
  if (!as_csc_shape_check (&s, error) || !as_distributed_grid (&s, size, &rows, &cols, error))
    return FALSE;
  as_distributed_regions (&s, rows, cols, rank, &owned, &local);
  *data_start = local.x0;
  *data_end = (gsize) local.x1 + w - 1;
  *own_start = owned.x0;
  *own_end = rank == size - 1 ? T : owned.x1;
  return TRUE;
}

AsDistributed *
as_distributed_new_from_span (MPI_Comm comm, double *x, guint P, guint T, guint K,
                              guint w, GError **error)
{
  AsDistributed *d = distributed_setup (comm, P, 1, T, K, 1, w, error);

  if (d == NULL)
    {
      g_free (x);
      return NULL;
    }
  g_free (d->x);
  d->x = x;
  return d;
}

void
as_distributed_reduce (double *values, guint n, AsReduceOp op, gpointer comm)
{
  MPI_Op mop = op == AS_REDUCE_SUM ? MPI_SUM : op == AS_REDUCE_MIN ? MPI_MIN : MPI_MAX;

  MPI_Allreduce (MPI_IN_PLACE, values, (int) n, MPI_DOUBLE, mop, *(MPI_Comm *) comm);
}

void
as_distributed_free (AsDistributed *d)
{
  if (d == NULL)
    return;
  for (guint i = 0; i < d->n_nbr; i++)
    g_array_unref (d->out[i]);
  g_free (d->out);
  g_free (d->nbr);
  g_free (d->nbr_local);
  g_free (d->x);
  g_free (d->z);
  g_free (d);
}

int
as_distributed_rank (const AsDistributed *d)
{
  return d->rank;
}

const AsCscShape *
as_distributed_shape (const AsDistributed *d)
{
  return &d->global;
}

/* ---- z-step ------------------------------------------------------------------ */

static double
window_part_max (AsDistributed *d, int y0, int y1, int x0, int x1)
{
  if (y0 >= y1 || x0 >= x1)
    return 0.0;
  return as_csc_lgcd_max_change (d->lgcd, (guint) y0, (guint) y1, (guint) x0, (guint) x1);
}

/* Soft lock (Moreau & Gramfort 2020): an update whose ±atom window reaches a neighbour's
 * positions is made only if no pending change there is larger, so that two processes do
 * not update interfering coordinates from the same view. */
static gboolean
soft_lock (gpointer data, guint k, guint y, guint x, double dz)
{
  AsDistributed *d = data;
  const int h = (int) d->global.atom_height, w = (int) d->global.atom_width;
  const int lHv = (int) (d->local.y1 - d->local.y0), lWv = (int) (d->local.x1 - d->local.x0);
  const int oy0 = (int) (d->owned.y0 - d->local.y0), oy1 = (int) (d->owned.y1 - d->local.y0);
  const int ox0 = (int) (d->owned.x0 - d->local.x0), ox1 = (int) (d->owned.x1 - d->local.x0);
  const int wy0 = MAX (0, (int) y - (h - 1)), wy1 = MIN (lHv, (int) y + h);
  const int wx0 = MAX (0, (int) x - (w - 1)), wx1 = MIN (lWv, (int) x + w);
  double other;

  (void) k;
  if (wy0 >= oy0 && wy1 <= oy1 && wx0 >= ox0 && wx1 <= ox1)
    return TRUE;
  other = MAX (MAX (window_part_max (d, wy0, MIN (wy1, oy0), wx0, wx1),
                    window_part_max (d, MAX (wy0, oy1), wy1, wx0, wx1)),
               MAX (window_part_max (d, MAX (wy0, oy0), MIN (wy1, oy1), wx0, MIN (wx1, ox0)),
                    window_part_max (d, MAX (wy0, oy0), MIN (wy1, oy1), MAX (wx0, ox1), wx1)));
  if (other > fabs (dz))
    {
      d->locked++;
      return FALSE;
    }
  return TRUE;
}

/* An update of ours that lies in a neighbour's local region is queued for it. */
static void
queue_update (gpointer data, guint k, guint y, guint x, double dz)
{
  AsDistributed *d = data;
  const guint gy = y + d->local.y0, gx = x + d->local.x0;

  for (guint i = 0; i < d->n_nbr; i++)
    if (rect_contains (&d->nbr_local[i], gy, gx))
      {
        const double rec[4] = { k, gy, gx, dz };
        g_array_append_vals (d->out[i], rec, 4);
      }
}

/* Each neighbour gets the updates queued for it (a count, then the records) and ours
 * receives theirs, which are applied to z and β. */
static void
exchange (AsDistributed *d)
{
  const guint n = d->n_nbr;
  guint64 *cnt_out = g_new (guint64, MAX (1, n)), *cnt_in = g_new (guint64, MAX (1, n));
  MPI_Request *req = g_new (MPI_Request, 2 * MAX (1, n));
  double **in = g_new0 (double *, MAX (1, n));

  for (guint i = 0; i < n; i++)
    {
      cnt_out[i] = d->out[i]->len;
      MPI_Irecv (&cnt_in[i], 1, MPI_UINT64_T, d->nbr[i], 1, d->comm, &req[2 * i]);
      MPI_Isend (&cnt_out[i], 1, MPI_UINT64_T, d->nbr[i], 1, d->comm, &req[2 * i + 1]);
    }
  MPI_Waitall ((int) (2 * n), req, MPI_STATUSES_IGNORE);
  for (guint i = 0; i < n; i++)
    {
      in[i] = g_new (double, MAX (1, cnt_in[i]));
      MPI_Irecv (in[i], (int) cnt_in[i], MPI_DOUBLE, d->nbr[i], 2, d->comm, &req[2 * i]);
      MPI_Isend (d->out[i]->data, (int) cnt_out[i], MPI_DOUBLE, d->nbr[i], 2, d->comm,
                 &req[2 * i + 1]);
      d->bytes_sent += sizeof (guint64) + cnt_out[i] * sizeof (double);
    }
  MPI_Waitall ((int) (2 * n), req, MPI_STATUSES_IGNORE);
  for (guint i = 0; i < n; i++)
    {
      for (guint64 j = 0; j + 4 <= cnt_in[i]; j += 4)
        {
          const double *r = in[i] + j;
          as_csc_lgcd_apply (d->lgcd, (guint) r[0], (guint) r[1] - d->local.y0,
                             (guint) r[2] - d->local.x0, r[3]);
        }
      g_array_set_size (d->out[i], 0);
      g_free (in[i]);
    }
  g_free (in);
  g_free (req);
  g_free (cnt_in);
  g_free (cnt_out);
}

static void
atom_correlations (const AsCscShape *s, const double *atoms, const double *u, const double *v,
                   double *dtd)
{
  if (u != NULL && v != NULL)
    as_cdl_atom_correlations_rank1 (s, u, v, dtd);
  else
    as_csc_atom_correlations (s, atoms, dtd);
}

void
as_distributed_zstep (AsDistributed *d, const double *atoms, const double *u, const double *v,
                      double lambda, gboolean positive, double tol, AsDistributedStats *stats)
{
  const AsCscShape *ls = &d->ls;
  const guint K = ls->n_atoms, seg_h = 2 * ls->atom_height - 1, seg_w = 2 * ls->atom_width - 1;
  const gsize nv = as_csc_n_valid (ls);
  double *dtd = g_new (double, (gsize) K * K * as_csc_lag_size (ls));
  double *dtx = g_new (double, K * nv);
  /* The single-process budget, for the region: LGCD converges long before. */
  const guint64 budget = (guint64) 100 * K * nv + 100000;
  AsDistributedStats st = { 0 };
  const guint64 bytes0 = d->bytes_sent, locked0 = d->locked;

  atom_correlations (ls, atoms, u, v, dtd);
  as_csc_correlate (ls, atoms, u, v, d->x, dtx);
  d->lgcd = as_csc_lgcd_new (ls, dtd, dtx, lambda, positive, d->z);
  as_csc_lgcd_set_owned (d->lgcd, (d->owned.y0 - d->local.y0) / seg_h,
                         (d->owned.y1 - d->local.y0 + seg_h - 1) / seg_h,
                         (d->owned.x0 - d->local.x0) / seg_w,
                         (d->owned.x1 - d->local.x0 + seg_w - 1) / seg_w);
  for (;;)
    {
      AsCscLgcdStats run = as_csc_lgcd_run (d->lgcd, tol, budget - MIN (budget, st.updates),
                                            NULL, soft_lock, queue_update, d);
      double mine[2], all[2];

      st.updates += run.n_updates;
      exchange (d);
      st.rounds++;
      /* The stopping test: every process's largest pending change is below the tolerance
       * once the messages of this round are applied (and the budget ends it too); one
       * reduction, no process polls the others. */
      mine[0] = as_csc_lgcd_owned_max_change (d->lgcd);
      mine[1] = st.updates >= budget ? 1.0 : 0.0;
      MPI_Allreduce (mine, all, 2, MPI_DOUBLE, MPI_MAX, d->comm);
      count_allreduce (d, sizeof mine);
      st.max_change = all[0];
      if (all[0] <= tol || all[1] > 0.0)
        break;
    }
  as_csc_lgcd_free (d->lgcd);
  d->lgcd = NULL;
  g_free (dtd);
  g_free (dtx);
  st.bytes_sent = d->bytes_sent - bytes0;
  st.zstep_bytes = st.bytes_sent;
  st.locked = d->locked - locked0;
  if (stats != NULL)
    *stats = st;
}

double *
as_distributed_gather_z (AsDistributed *d)
{
  const guint K = d->global.n_atoms, Wv = as_csc_valid_width (&d->global);
  const guint lWv = d->local.x1 - d->local.x0;
  const gsize lnv = as_csc_n_valid (&d->ls), nv = as_csc_n_valid (&d->global);
  const guint oh = d->owned.y1 - d->owned.y0, ow = d->owned.x1 - d->owned.x0;
  double *mine = g_new (double, MAX (1, (gsize) K * oh * ow)), *all = NULL;

  for (guint k = 0; k < K; k++)
    for (guint y = 0; y < oh; y++)
      memcpy (mine + ((gsize) k * oh + y) * ow,
              d->z + k * lnv + (gsize) (d->owned.y0 - d->local.y0 + y) * lWv
              + (d->owned.x0 - d->local.x0), sizeof (double) * ow);
  if (d->rank != 0)
    {
      MPI_Send (mine, (int) ((gsize) K * oh * ow), MPI_DOUBLE, 0, 3, d->comm);
      g_free (mine);
      return NULL;
    }
  all = g_new0 (double, K * nv);
  for (int r = 0; r < d->size; r++)
    {
      AsDistRect o, l;
      double *buf;
      guint rh, rw;

      as_distributed_regions (&d->global, d->rows, d->cols, r, &o, &l);
      rh = o.y1 - o.y0;
      rw = o.x1 - o.x0;
      if (r == 0)
        buf = mine;
      else
        {
          buf = g_new (double, MAX (1, (gsize) K * rh * rw));
          MPI_Recv (buf, (int) ((gsize) K * rh * rw), MPI_DOUBLE, r, 3, d->comm,
                    MPI_STATUS_IGNORE);
        }
      for (guint k = 0; k < K; k++)
        for (guint y = 0; y < rh; y++)
          memcpy (all + k * nv + (gsize) (o.y0 + y) * Wv + o.x0, buf + ((gsize) k * rh + y) * rw,
                  sizeof (double) * rw);
      if (buf != mine)
        g_free (buf);
    }
  g_free (mine);
  return all;
}

/* ---- statistics and D-step ----------------------------------------------------- */

/* This process's share of ZᵀZ, ZᵀX, ‖X‖² and ‖z‖₁ (positions it owns; the samples from
 * its region's first row and column to the next region's), summed over the processes. */
static void
distributed_stats (AsDistributed *d, double *ztz, double *ztx, double *x2, double *l1)
{
  const AsCscShape *ls = &d->ls;
  const guint K = ls->n_atoms, P = ls->n_channels;
  const gsize nztz = (gsize) K * K * as_csc_lag_size (ls), nztx = K * as_csc_atom_size (ls);
  const gsize lnv = as_csc_n_valid (ls), n = nztz + nztx + 2;
  const guint oy0 = d->owned.y0 - d->local.y0, oy1 = d->owned.y1 - d->local.y0;
  const guint ox0 = d->owned.x0 - d->local.x0, ox1 = d->owned.x1 - d->local.x0;
  const guint lWv = d->local.x1 - d->local.x0;
  /* Samples: rows (columns) from the region's first to the next region's first, or to
   * the end of the signal for the last region. */
  const guint sy1 = d->owned.y1 == as_csc_valid_height (&d->global) ? ls->height : oy1;
  const guint sx1 = d->owned.x1 == as_csc_valid_width (&d->global) ? ls->width : ox1;
  double *buf = g_new0 (double, n), *sum = g_new (double, n);

  as_cdl_stats_add_region (ls, d->x, d->z, oy0, oy1, ox0, ox1, buf, buf + nztz);
  for (guint p = 0; p < P; p++)
    for (guint y = oy0; y < sy1; y++)
      for (guint x = ox0; x < sx1; x++)
        {
          const double v = d->x[((gsize) p * ls->height + y) * ls->width + x];
          buf[nztz + nztx] += v * v;
        }
  for (guint k = 0; k < K; k++)
    for (guint y = oy0; y < oy1; y++)
      for (guint x = ox0; x < ox1; x++)
        buf[nztz + nztx + 1] += fabs (d->z[k * lnv + (gsize) y * lWv + x]);
  MPI_Allreduce (buf, sum, (int) n, MPI_DOUBLE, MPI_SUM, d->comm);
  count_allreduce (d, n * sizeof (double));
  memcpy (ztz, sum, sizeof (double) * nztz);
  memcpy (ztx, sum + nztz, sizeof (double) * nztx);
  *x2 = sum[nztz + nztx];
  *l1 = sum[nztz + nztx + 1];
  g_free (buf);
  g_free (sum);
}

double
as_distributed_objective (AsDistributed *d, const double *atoms, double lambda)
{
  const AsCscShape *s = &d->global;
  double *ztz = g_new (double, (gsize) s->n_atoms * s->n_atoms * as_csc_lag_size (s));
  double *ztx = g_new (double, s->n_atoms * as_csc_atom_size (s));
  double x2, l1, obj;

  distributed_stats (d, ztz, ztx, &x2, &l1);
  obj = as_cdl_dstep_cost (s, ztz, ztx, x2, atoms, NULL) + lambda * l1;
  g_free (ztz);
  g_free (ztx);
  return obj;
}

/* The P × h × w window of the whole data starting at (y, x), sent by @owner (whose region
 * holds it) to every process. */
static void
window_of (AsDistributed *d, const double *src, int owner, guint y, guint x, double *win)
{
  const AsCscShape *ls = &d->ls;
  const guint P = ls->n_channels, h = ls->atom_height, w = ls->atom_width;

  if (d->rank == owner)
    for (guint p = 0; p < P; p++)
      for (guint a = 0; a < h; a++)
        memcpy (win + ((gsize) p * h + a) * w,
                src + ((gsize) p * ls->height + (y - d->local.y0 + a)) * ls->width
                + (x - d->local.x0), sizeof (double) * w);
  MPI_Bcast (win, (int) (P * h * w), MPI_DOUBLE, owner, d->comm);
  if (d->rank == owner)
    d->bytes_sent += sizeof (double) * P * h * w * (d->size - 1);
}

static void
window_from (AsDistributed *d, int owner, guint y, guint x, double *win)
{
  window_of (d, d->x, owner, y, x, win);
}

/* The atoms in use: the first @k (a greedy start adds them one by one; the activations of
 * atom k are the k-th block of z, so the first k blocks are those of k atoms). */
static void
set_active_atoms (AsDistributed *d, guint k)
{
  d->global.n_atoms = k;
  d->ls.n_atoms = k;
}

/* The window of the whole data worst explained by the atoms in use (largest residual
 * energy ‖X − Σ z * D‖² over an atom's extent, as one process finds it), away from the
 * @n_excl windows of @excl (triples 0, row, column of the whole problem): each process
 * searches the windows starting in its region (its residual is exact there: z is exact on
 * its border), the largest wins (MPI_MAXLOC) and its owner sends the residual window.
 * *y, *x receive its position. */
static void
distributed_worst_window (AsDistributed *d, const double *atoms, const guint *excl,
                          guint n_excl, guint *y, guint *x, double *win)
{
  const AsCscShape *ls = &d->ls;
  const gsize ssz = as_csc_signal_size (ls);
  double *r = g_new (double, ssz), best = -1.0;
  guint *lex = g_new (guint, 3 * MAX (1, n_excl)), bn = 0, by = 0, bx = 0, pos[2];
  struct { double e; int r; } in, out;

  if (ls->n_atoms == 0)
    memcpy (r, d->x, sizeof (double) * ssz);
  else
    {
      as_csc_reconstruct (ls, atoms, d->z, r);
      for (gsize i = 0; i < ssz; i++)
        r[i] = d->x[i] - r[i];
    }
  /* Excluded windows in local coordinates (those left of or above the local region are
   * carried as negative numbers, which the comparison reads back as such). */
  for (guint j = 0; j < n_excl; j++)
    {
      lex[3 * j] = 0;
      lex[3 * j + 1] = (guint) ((int) excl[3 * j + 1] - (int) d->local.y0);
      lex[3 * j + 2] = (guint) ((int) excl[3 * j + 2] - (int) d->local.x0);
    }
  as_cdl_window_energy_max (ls, r, 0, lex, n_excl, NULL, d->owned.y0 - d->local.y0,
                            d->owned.y1 - d->local.y0, d->owned.x0 - d->local.x0,
                            d->owned.x1 - d->local.x0, &best, &bn, &by, &bx);
  in.e = best;
  in.r = d->rank;
  MPI_Allreduce (&in, &out, 1, MPI_DOUBLE_INT, MPI_MAXLOC, d->comm);
  count_allreduce (d, sizeof in);
  pos[0] = by + d->local.y0;
  pos[1] = bx + d->local.x0;
  MPI_Bcast (pos, 2, MPI_UNSIGNED, out.r, d->comm);
  window_of (d, r, out.r, pos[0], pos[1], win);
  *y = pos[0];
  *x = pos[1];
  g_free (lex);
  g_free (r);
}

/* Greedy growth (as one process, as-cdl.c): @count new atoms from the worst-explained
 * windows, distinct windows when several are added at once; returns the atoms in use. */
static guint
add_greedy_atoms (AsDistributed *d, const AsCdlParams *p, AsRng *rng, guint active,
                  guint full, guint count, double *u, double *v, double *param, double *atoms)
{
  const AsCscShape *s = &d->global;
  const guint P = s->n_channels;
  const gsize asz = as_csc_atom_size (s), hw = (gsize) s->atom_height * s->atom_width;
  const gsize lnv = as_csc_n_valid (&d->ls);
  guint *excl = g_new (guint, 3 * MAX (1, count));
  double *win = g_new (double, asz);

  for (guint i = 0; i < count && active < full; i++)
    {
      const guint k = active;
      memset (d->z + k * lnv, 0, sizeof (double) * lnv);
      excl[3 * i] = 0;
      distributed_worst_window (d, atoms, excl, i, &excl[3 * i + 1], &excl[3 * i + 2], win);
      set_active_atoms (d, ++active);
      as_cdl_atom_from_window (rng, s, p->rank1, win, s->atom_height, s->atom_width,
                               u + (gsize) k * P, v + k * hw, param + k * asz);
      if (p->rank1)
        as_cdl_rank1_to_atoms (s, u, v, atoms);
      else
        memcpy (atoms + k * asz, param + k * asz, sizeof (double) * asz);
    }
  g_free (win);
  g_free (excl);
  return active;
}

static int
owner_of (AsDistributed *d, guint y, guint x)
{
  for (int r = 0; r < d->size; r++)
    {
      AsDistRect o, l;
      as_distributed_regions (&d->global, d->rows, d->cols, r, &o, &l);
      if (rect_contains (&o, y, x))
        return r;
    }
  return 0;
}

/* The data's λ_max as one process computes it (docs/lambda.md): the atom of the window of
 * largest energy (each process searches the windows starting in its region; the largest
 * wins, the lower rank on a tie), then its largest correlation with the whole data. */
static double
distributed_data_lambda_max (AsDistributed *d, gboolean rank1, AsRng *rng)
{
  const AsCscShape *ls = &d->ls;
  AsCscShape one = *ls;
  const gsize asz = as_csc_atom_size (ls), hw = (gsize) ls->atom_height * ls->atom_width;
  double best = -1.0, lm, all;
  guint bn = 0, by = 0, bx = 0, pos[2];
  struct { double e; int r; } in, out;
  double *win = g_new (double, asz), *u = g_new (double, ls->n_channels);
  double *v = g_new (double, hw), *atom = g_new (double, asz);

  as_cdl_window_energy_max (ls, d->x, 0, NULL, 0, NULL, d->owned.y0 - d->local.y0,
                            d->owned.y1 - d->local.y0, d->owned.x0 - d->local.x0,
                            d->owned.x1 - d->local.x0, &best, &bn, &by, &bx);
  in.e = best;
  in.r = d->rank;
  MPI_Allreduce (&in, &out, 1, MPI_DOUBLE_INT, MPI_MAXLOC, d->comm);
  pos[0] = by + d->local.y0;
  pos[1] = bx + d->local.x0;
  MPI_Bcast (pos, 2, MPI_UNSIGNED, out.r, d->comm);
  window_from (d, out.r, pos[0], pos[1], win);
  one.n_atoms = 1;
  as_cdl_atom_from_window (rng, &one, rank1, win, one.atom_height, one.atom_width, u, v, atom);
  if (rank1)
    as_cdl_rank1_to_atoms (&one, u, v, atom);
  lm = as_csc_lambda_max (&one, atom, rank1 ? u : NULL, rank1 ? v : NULL, d->x, 1, FALSE);
  MPI_Allreduce (&lm, &all, 1, MPI_DOUBLE, MPI_MAX, d->comm);
  g_free (win);
  g_free (u);
  g_free (v);
  g_free (atom);
  return all;
}

AsCdlModel *
as_distributed_learn (AsDistributed *d, const AsCdlParams *p, const AsCdlModel *start,
                      AsDistributedProgress progress, gpointer data, AsDistributedStats *stats,
                      GError **error)
{
  return as_distributed_learn_full (d, p, start, progress, data, 0, NULL, NULL, stats, error);
}

/* The model of the state every process holds: the activations gathered on rank 0 (NULL
 * elsewhere; collective). */
static AsCdlModel *
state_model (AsDistributed *d, const AsCdlParams *p, const double *atoms, const double *u,
             const double *v, const GArray *trace, double lambda, double lambda_max,
             guint iteration, AsCdlEndState end)
{
  const AsCscShape *s = &d->global;
  const guint K = s->n_atoms, P = s->n_channels;
  const gsize asz = as_csc_atom_size (s), hw = (gsize) s->atom_height * s->atom_width;
  double *z = as_distributed_gather_z (d);
  AsCdlModel *m;

  if (d->rank != 0)
    return NULL;
  m = as_cdl_model_new (s, 1, p->rank1, p->positive);
  memcpy (m->atoms, atoms, sizeof (double) * K * asz);
  if (p->rank1)
    {
      memcpy (m->u, u, sizeof (double) * K * P);
      memcpy (m->v, v, sizeof (double) * K * hw);
    }
  memcpy (m->activations, z, sizeof (double) * K * as_csc_n_valid (s));
  g_free (z);
  g_array_append_vals (m->trace, trace->data, trace->len);
  m->lambda = lambda;
  m->lambda_max = lambda_max;
  m->iteration = iteration;
  m->end_state = end;
  m->converged = end == AS_CDL_END_CONVERGED;
  return m;
}

AsCdlModel *
as_distributed_learn_full (AsDistributed *d, const AsCdlParams *p, const AsCdlModel *start,
                           AsDistributedProgress progress, gpointer data,
                           guint checkpoint_every, AsDistributedCheckpoint checkpoint,
                           gpointer checkpoint_data, AsDistributedStats *stats, GError **error)
{
  const AsCscShape *s = &d->global;
  const guint K = s->n_atoms, P = s->n_channels;
  const gsize asz = as_csc_atom_size (s), hw = (gsize) s->atom_height * s->atom_width;
  AsCdlModel *m;
  double *ztz = g_new (double, (gsize) K * K * as_csc_lag_size (s)), *ztx = g_new (double, K * asz);
  double *param = g_new (double, K * asz), *u = g_new (double, (gsize) K * P);
  double *v = g_new (double, K * hw), *atoms = g_new (double, K * asz);
  double x2, l1, lambda, lambda_max, z_tol, prev = G_MAXDOUBLE, obj;
  GTimer *timer = g_timer_new ();
  GArray *trace = g_array_new (FALSE, FALSE, sizeof (AsCdlTracePoint));
  AsDistributedStats total = { 0 };
  AsCdlEndState end = AS_CDL_END_RUNNING;
  AsRng rng;
  guint it, first = 1, done, active = K;
  /* Iterations per dictionary size during a greedy start (as one process). */
  const guint period = K > 1 ? CLAMP ((p->max_iter - 1) / (K - 1), 1, 6) : 1;
  gboolean resume;
  double time0 = 0.0;

  if (p->tukey > 0.0 || p->online)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                   _("Distributed learning is batch learning without a taper"));
      m = NULL;
      goto out;
    }
  /* The same starting atoms on every process: the same generator, seed and draws as one
   * process (as_cdl_learn); a window is sent by the process that holds it. */
  as_rng_init (&rng, p->seed);
  if (start != NULL)
    {
      if (p->rank1)
        {
          memcpy (u, start->u, sizeof (double) * K * P);
          memcpy (v, start->v, sizeof (double) * K * hw);
        }
      else
        memcpy (param, start->atoms, sizeof (double) * K * asz);
    }
  else if (p->init == AS_CDL_INIT_RANDOM)
    for (guint k = 0; k < K; k++)
      as_cdl_random_atom (&rng, s, p->rank1, u + (gsize) k * P, v + k * hw, param + k * asz);
  else if (p->init == AS_CDL_INIT_GREEDY)
    {
      /* One atom, from the window of largest energy (z = 0: the residual is the data). */
      set_active_atoms (d, 0);
      active = add_greedy_atoms (d, p, &rng, 0, K, 1, u, v, param, atoms);
    }
  else
    {
      double *win = g_new (double, asz);
      for (guint k = 0; k < K; k++)
        {
          guint y, x;
          (void) as_rng_below (&rng, 1);   /* the trial: there is one */
          y = as_rng_below (&rng, as_csc_valid_height (s));
          x = as_rng_below (&rng, as_csc_valid_width (s));
          window_from (d, owner_of (d, y, x), y, x, win);
          as_cdl_atom_from_window (&rng, s, p->rank1, win, s->atom_height, s->atom_width,
                                   u + (gsize) k * P, v + k * hw, param + k * asz);
        }
      g_free (win);
    }
  if (p->rank1)
    as_cdl_rank1_to_atoms (s, u, v, atoms);
  else
    memcpy (atoms, param, sizeof (double) * s->n_atoms * asz);

  /* Continuing a checkpoint: its λ, its trace and its activations (already in place,
   * as_distributed_share_start), so that the run goes on as if it had not stopped. */
  resume = start != NULL && start->iteration > 0 && start->trace->len > 0;
  lambda_max = resume ? start->lambda_max : distributed_data_lambda_max (d, p->rank1, &rng);
  distributed_stats (d, ztz, ztx, &x2, &l1);
  lambda = resume ? start->lambda : p->lambda_absolute ? p->lambda : p->lambda * lambda_max;
  z_tol = p->z_tol * sqrt (x2 / (double) as_csc_signal_size (s));
  if (!(x2 > 0.0) || !isfinite (x2))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("The data is zero everywhere or not finite: nothing can be learned from it"));
      m = NULL;
      goto out;
    }
  if (resume)
    {
      const AsCdlTracePoint *last = &g_array_index (start->trace, AsCdlTracePoint,
                                                    start->trace->len - 1);
      g_array_append_vals (trace, start->trace->data, start->trace->len);
      prev = last->objective;
      time0 = last->time;
      first = start->iteration + 1;
    }
  else
    {
      obj = (p->rank1 ? as_cdl_dstep_cost_rank1 (s, ztz, ztx, x2, u, v, NULL, NULL)
                      : as_cdl_dstep_cost (s, ztz, ztx, x2, atoms, NULL)) + lambda * l1;
      g_array_append_val (trace, ((AsCdlTracePoint) { 0, 1, 0.0, obj }));
    }
  done = first - 1;

  for (it = first; it <= p->max_iter; it++)
    {
      AsDistributedStats zs;
      double obj_d;
      gboolean growing;

      /* A greedy start adds an atom every few iterations, and every atom is in by the
       * last iteration whatever the budget (as one process). */
      if (active < K)
        {
          const guint missing = K - active, left = p->max_iter - it;
          guint add = (it > 1 && (it - 1) % period == 0) ? 1 : 0;
          if (missing > left)
            add = MAX (add, missing - left);
          if (add > 0)
            active = add_greedy_atoms (d, p, &rng, active, K, add, u, v, param, atoms);
        }
      growing = active < K;

      as_distributed_zstep (d, atoms, p->rank1 ? u : NULL, p->rank1 ? v : NULL, lambda,
                            p->positive, z_tol, &zs);
      total.rounds += zs.rounds;
      total.updates += zs.updates;
      total.locked += zs.locked;
      total.zstep_bytes += zs.bytes_sent;
      distributed_stats (d, ztz, ztx, &x2, &l1);
      obj = (p->rank1 ? as_cdl_dstep_cost_rank1 (s, ztz, ztx, x2, u, v, NULL, NULL)
                      : as_cdl_dstep_cost (s, ztz, ztx, x2, atoms, NULL)) + lambda * l1;
      g_array_append_val (trace, ((AsCdlTracePoint) { it, 0, time0 + g_timer_elapsed (timer, NULL), obj }));
      /* Every process holds the same statistics, so takes the same D-step. */
      if (p->rank1)
        {
          as_cdl_dstep_rank1 (s, ztz, ztx, x2, NULL, u, v, p->dstep_max_iter, 1e-7);
          as_cdl_rank1_to_atoms (s, u, v, atoms);
          obj_d = as_cdl_dstep_cost_rank1 (s, ztz, ztx, x2, u, v, NULL, NULL) + lambda * l1;
        }
      else
        {
          as_cdl_dstep (s, ztz, ztx, x2, NULL, param, p->dstep_max_iter, 1e-7);
          memcpy (atoms, param, sizeof (double) * s->n_atoms * asz);
          obj_d = as_cdl_dstep_cost (s, ztz, ztx, x2, atoms, NULL) + lambda * l1;
        }
      g_array_append_val (trace, ((AsCdlTracePoint) { it, 1, time0 + g_timer_elapsed (timer, NULL), obj_d }));
      done = it;
      if (progress != NULL)
        progress (it, obj_d, data);
      if (!growing && prev - obj_d <= p->tol * fabs (obj_d))
        {
          end = AS_CDL_END_CONVERGED;
          break;
        }
      prev = obj_d;
      /* A checkpoint: the state after this iteration, from which the run can go on. */
      if (checkpoint_every > 0 && it % checkpoint_every == 0 && it < p->max_iter)
        {
          AsCdlModel *cp = state_model (d, p, atoms, u, v, trace, lambda, lambda_max, it,
                                        AS_CDL_END_RUNNING);
          if (cp != NULL && checkpoint != NULL)
            checkpoint (cp, checkpoint_data);
          if (cp != NULL)
            as_cdl_model_unref (cp);
        }
    }
  if (end == AS_CDL_END_RUNNING)
    end = AS_CDL_END_ITERATION_LIMIT;
  total.bytes_sent = d->bytes_sent;
  if (stats != NULL)
    *stats = total;

  m = state_model (d, p, atoms, u, v, trace, lambda, lambda_max, done, end);

out:
  set_active_atoms (d, K);
  g_free (ztz);
  g_free (ztx);
  g_free (param);
  g_free (u);
  g_free (v);
  g_free (atoms);
  g_timer_destroy (timer);
  g_array_unref (trace);
  return m;
}

AsCdlModel *
as_distributed_encode (AsDistributed *d, const AsCdlModel *dict, const AsCdlParams *p,
                       AsDistributedStats *stats, GError **error)
{
  const AsCscShape *s = &d->global;
  const guint K = s->n_atoms, P = s->n_channels;
  const gsize asz = as_csc_atom_size (s), hw = (gsize) s->atom_height * s->atom_width;
  g_autoptr (GTimer) timer = g_timer_new ();
  double *ztz = g_new (double, (gsize) K * K * as_csc_lag_size (s)), *ztx = g_new (double, K * asz);
  double x2, l1, lambda, lambda_max, z_tol, obj;
  AsDistributedStats zs = { 0 };
  AsCdlModel *m = NULL;
  AsRng rng;
  double *z;

  if (dict->shape.n_atoms != K || dict->shape.n_channels != P
      || dict->shape.atom_height != s->atom_height || dict->shape.atom_width != s->atom_width)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("The atoms span %u channels but the recording has %u after preprocessing"),
                   dict->shape.n_channels, P);
      goto out;
    }
  /* As as_cdl_encode(): λ_max and the tolerance of the data (docs/lambda.md). */
  as_rng_init (&rng, 0);
  lambda_max = distributed_data_lambda_max (d, dict->rank1, &rng);
  distributed_stats (d, ztz, ztx, &x2, &l1);
  lambda = p->lambda_absolute ? p->lambda : p->lambda * lambda_max;
  z_tol = p->z_tol * sqrt (x2 / (double) as_csc_signal_size (s));
  as_distributed_zstep (d, dict->atoms, dict->rank1 ? dict->u : NULL,
                        dict->rank1 ? dict->v : NULL, lambda, dict->positive, z_tol, &zs);
  obj = as_distributed_objective (d, dict->atoms, lambda);
  zs.bytes_sent = d->bytes_sent;
  if (stats != NULL)
    *stats = zs;
  z = as_distributed_gather_z (d);
  if (d->rank != 0)
    goto out;
  m = as_cdl_model_new (s, 1, dict->rank1, dict->positive);
  memcpy (m->atoms, dict->atoms, sizeof (double) * K * asz);
  if (dict->rank1)
    {
      memcpy (m->u, dict->u, sizeof (double) * K * P);
      memcpy (m->v, dict->v, sizeof (double) * K * hw);
    }
  memcpy (m->activations, z, sizeof (double) * K * as_csc_n_valid (s));
  g_free (z);
  m->encoded = TRUE;
  m->sfreq = dict->sfreq;
  m->lambda = lambda;
  m->lambda_max = lambda_max;
  g_array_append_val (m->trace, ((AsCdlTracePoint) { 0, 1, 0.0, 0.5 * x2 }));
  g_array_append_val (m->trace, ((AsCdlTracePoint) { 1, 0, g_timer_elapsed (timer, NULL), obj }));
  m->iteration = 1;
  m->converged = zs.max_change <= z_tol;

out:
  g_free (ztz);
  g_free (ztx);
  return m;
}

/* ---- data and state sent from one process --------------------------------------- */

/* The block of rows [y0, y0 + h) × columns [x0, x0 + w) of @planes planes of H × W, copied
 * from @src into @dst (h × w per plane). */
static void
copy_block (const double *src, guint planes, guint H, guint W, guint y0, guint x0, guint h,
            guint w, double *dst)
{
  for (guint p = 0; p < planes; p++)
    for (guint r = 0; r < h; r++)
      memcpy (dst + ((gsize) p * h + r) * w, src + ((gsize) p * H + y0 + r) * W + x0,
              sizeof (double) * w);
}

/* @root sends each process its local block of an array of @planes × H × W (the data when
 * @of_z is FALSE, the activations on the valid positions when TRUE) into @dst. */
static void
scatter_local (AsDistributed *d, int root, const double *src, gboolean of_z, double *dst)
{
  const guint planes = of_z ? d->global.n_atoms : d->global.n_channels;
  const guint H = of_z ? as_csc_valid_height (&d->global) : d->global.height;
  const guint W = of_z ? as_csc_valid_width (&d->global) : d->global.width;
  const guint eh = of_z ? 0 : d->global.atom_height - 1, ew = of_z ? 0 : d->global.atom_width - 1;

  if (d->rank != root)
    {
      const gsize n = (gsize) planes * (d->local.y1 - d->local.y0 + eh)
                      * (d->local.x1 - d->local.x0 + ew);
      MPI_Recv (dst, (int) n, MPI_DOUBLE, root, 4, d->comm, MPI_STATUS_IGNORE);
      return;
    }
  for (int r = 0; r < d->size; r++)
    {
      AsDistRect o, l;
      guint h, w;
      double *buf;

      as_distributed_regions (&d->global, d->rows, d->cols, r, &o, &l);
      h = l.y1 - l.y0 + eh;
      w = l.x1 - l.x0 + ew;
      if (r == root)
        {
          copy_block (src, planes, H, W, l.y0, l.x0, h, w, dst);
          continue;
        }
      buf = g_new (double, (gsize) planes * h * w);
      copy_block (src, planes, H, W, l.y0, l.x0, h, w, buf);
      MPI_Send (buf, (int) ((gsize) planes * h * w), MPI_DOUBLE, r, 4, d->comm);
      d->bytes_sent += sizeof (double) * planes * h * w;
      g_free (buf);
    }
}

AsDistributed *
as_distributed_new_scattered (MPI_Comm comm, int root, const double *x, guint P, guint H,
                              guint W, guint K, guint h, guint w, GError **error)
{
  AsDistributed *d;
  guint dims[6] = { P, H, W, K, h, w };
  GError *local_error = NULL;

  MPI_Bcast (dims, 6, MPI_UNSIGNED, root, comm);
  d = distributed_setup (comm, dims[0], dims[1], dims[2], dims[3], dims[4], dims[5],
                         &local_error);
  /* The shape is the same everywhere, so the setup fails everywhere or nowhere. */
  if (!collective_status (comm, &local_error))
    {
      g_propagate_error (error, local_error);
      as_distributed_free (d);
      return NULL;
    }
  scatter_local (d, root, x, FALSE, d->x);
  return d;
}

AsCdlModel *
as_distributed_share_start (AsDistributed *d, int root, const AsCdlModel *model,
                            GError **error)
{
  const AsCscShape *s = &d->global;
  const guint K = s->n_atoms, P = s->n_channels;
  const gsize asz = as_csc_atom_size (s), hw = (gsize) s->atom_height * s->atom_width;
  GError *local_error = NULL;
  AsCdlModel *m;
  int flags[4] = { 0, 0, 0, 0 };   /* rank-1, positive, iteration, trace points */
  double values[2] = { 0.0, 0.0 };

  if (d->rank == root)
    {
      if (model->shape.n_atoms != K || model->shape.n_channels != P
          || model->shape.atom_height != s->atom_height
          || model->shape.atom_width != s->atom_width
          || as_csc_n_valid (&model->shape) != as_csc_n_valid (s) || model->n_trials != 1)
        g_set_error (&local_error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                     _("The model has %u atoms of %u channels × %u × %u on %u × %u positions, the data gives %u × %u × %u on %u × %u: it was learned on other data or with other options"),
                     model->shape.n_atoms, model->shape.n_channels, model->shape.atom_height,
                     model->shape.atom_width, as_csc_valid_height (&model->shape),
                     as_csc_valid_width (&model->shape), P, s->atom_height, s->atom_width,
                     as_csc_valid_height (s), as_csc_valid_width (s));
      else
        {
          flags[0] = model->rank1 && model->u != NULL && model->v != NULL;
          flags[1] = model->positive;
          flags[2] = (int) model->iteration;
          flags[3] = (int) model->trace->len;
          values[0] = model->lambda;
          values[1] = model->lambda_max;
        }
    }
  if (!collective_status (d->comm, &local_error))
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  MPI_Bcast (flags, 4, MPI_INT, root, d->comm);
  MPI_Bcast (values, 2, MPI_DOUBLE, root, d->comm);
  /* No trial: the activations are kept by region (the whole array stays on @root). */
  m = as_cdl_model_new (s, 0, flags[0], flags[1]);
  m->n_trials = 1;
  if (d->rank == root)
    {
      memcpy (m->atoms, model->atoms, sizeof (double) * K * asz);
      if (flags[0])
        {
          memcpy (m->u, model->u, sizeof (double) * K * P);
          memcpy (m->v, model->v, sizeof (double) * K * hw);
        }
      g_array_append_vals (m->trace, model->trace->data, model->trace->len);
    }
  else
    g_array_set_size (m->trace, (guint) flags[3]);
  MPI_Bcast (m->atoms, (int) (K * asz), MPI_DOUBLE, root, d->comm);
  if (flags[0])
    {
      MPI_Bcast (m->u, (int) (K * P), MPI_DOUBLE, root, d->comm);
      MPI_Bcast (m->v, (int) (K * hw), MPI_DOUBLE, root, d->comm);
    }
  MPI_Bcast (m->trace->data, (int) (flags[3] * sizeof (AsCdlTracePoint)), MPI_BYTE, root,
             d->comm);
  m->iteration = (guint) flags[2];
  m->lambda = values[0];
  m->lambda_max = values[1];
  scatter_local (d, root, d->rank == root ? model->activations : NULL, TRUE, d->z);
  return m;
}
