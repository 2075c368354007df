/* as-cdl-export.c: a learned model as a folder of NPY arrays and run.json, written
 * whole or not at all (docs/model-format.md).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE   /* renameat2 (RENAME_EXCHANGE) */
#define G_LOG_DOMAIN "as-cdl"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/statvfs.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "as-cdl-export.h"
#include "as-engine.h"
#include "as-json-out.h"
#include "as-npy.h"
#include "as-output.h"

static const char *const init_names[] = { "greedy", "chunk", "random" };

const char *
as_cdl_init_to_string (AsCdlInit init)
{
  return (guint) init < G_N_ELEMENTS (init_names) ? init_names[init] : "unknown";
}

gboolean
as_cdl_init_from_string (const char *name, AsCdlInit *init)
{
  for (guint i = 0; i < G_N_ELEMENTS (init_names); i++)
    if (g_strcmp0 (name, init_names[i]) == 0)
      {
        *init = (AsCdlInit) i;
        return TRUE;
      }
  return FALSE;
}

const char *
as_cdl_model_end_state (const AsCdlModel *model)
{
  if (model->stopped)
    return "stopped by you";
  if (model->encoded)
    return "encoded";
  if (model->converged)
    return "converged";
  return "iteration limit";
}

void
as_cdl_export_info_init (AsCdlExportInfo *info)
{
  memset (info, 0, sizeof *info);
}

/* ---- the folder: checks, temporary folder, swap ------------------------------------ */

static gboolean
is_model_folder (const char *dir)
{
  static const char *const markers[] = { "run.json", "atoms.npy" };

  for (guint i = 0; i < G_N_ELEMENTS (markers); i++)
    {
      g_autofree char *p = g_build_filename (dir, markers[i], NULL);
      if (g_file_test (p, G_FILE_TEST_EXISTS))
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_empty_folder (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);

  return d != NULL && g_dir_read_name (d) == NULL;
}

gboolean
as_cdl_export_check (const char *dir, gboolean rank1, gboolean overwrite, GError **error)
{
  GStatBuf st;

  g_return_val_if_fail (dir != NULL, FALSE);
  if (g_lstat (dir, &st) != 0)
    return TRUE;
  if (!S_ISDIR (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("%s: exists and is not a folder (choose another name)"), dir);
      return FALSE;
    }
  if (is_empty_folder (dir))
    return TRUE;
  if (!overwrite)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("%s: the folder exists already (choose another folder or allow replacing it)"),
                   dir);
      return FALSE;
    }
  if (!is_model_folder (dir))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("%s: the folder holds other files than a model; it is not replaced (choose another folder)"),
                   dir);
      return FALSE;
    }
  return TRUE;
}

guint64
as_cdl_export_estimate_size (const AsCscShape *s, guint n_trials, gboolean rank1, guint max_iter)
{
  guint64 values = (guint64) s->n_atoms * as_csc_atom_size (s)
                   + (guint64) n_trials * s->n_atoms * as_csc_n_valid (s);

  if (rank1)
    values += (guint64) s->n_atoms * (s->n_channels + (guint64) s->atom_height * s->atom_width);
  /* 4 headers of 128 bytes; run.json: about 120 bytes per trace point (two per
   * iteration), 150 per channel, and room for the rest. */
  return 8 * values + 4 * 128 + 120 * (2 * (guint64) max_iter + 4)
         + 150 * (guint64) s->n_channels + 64 * 1024;
}

/* Removes a folder and what it holds (symbolic links are removed, not followed). */
static void
remove_tree (const char *path)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

/* Temporary folders of writers that were killed: ".NAME.PID.XXXXXX.part" beside the
 * target, whose process is gone. */
static void
remove_stale_temporaries (const char *parent, const char *base)
{
  g_autoptr (GDir) d = g_dir_open (parent, 0, NULL);
  g_autofree char *prefix = g_strdup_printf (".%s.", base);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      const char *rest;
      char *end;
      gint64 pid;

      if (!g_str_has_prefix (name, prefix) || !g_str_has_suffix (name, ".part"))
        continue;
      rest = name + strlen (prefix);
      pid = g_ascii_strtoll (rest, &end, 10);
      if (end == rest || *end != '.' || pid <= 0 || pid == getpid ())
        continue;
      if (kill ((pid_t) pid, 0) != 0 && errno == ESRCH)
        {
          g_autofree char *p = g_build_filename (parent, name, NULL);
          remove_tree (p);
        }
    }
}

static gboolean
make_parent (const char *dir, char **parent_out, GError **error)
{
  g_autofree char *parent = g_path_get_dirname (dir);

  if (g_mkdir_with_parents (parent, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot create the folder %s: %s"), parent, g_strerror (saved));
      return FALSE;
    }
  *parent_out = g_steal_pointer (&parent);
  return TRUE;
}

static char *
make_temp_folder (const char *dir, GError **error)
{
  g_autofree char *parent = g_path_get_dirname (dir);
  g_autofree char *base = g_path_get_basename (dir);
  char *tmpl = g_strdup_printf ("%s%c.%s.%d.XXXXXX.part", parent, G_DIR_SEPARATOR, base,
                                (int) getpid ());

  if (g_mkdtemp_full (tmpl, 0755) == NULL)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("%s: cannot write in the folder %s: %s"), dir, parent, g_strerror (saved));
      g_free (tmpl);
      return NULL;
    }
  return tmpl;
}

gboolean
as_cdl_export_prepare (const char *dir, guint64 estimated_bytes, gboolean overwrite,
                       GError **error)
{
  g_autofree char *parent = NULL, *probe = NULL;
  struct statvfs fs;

  g_return_val_if_fail (dir != NULL, FALSE);
  if (!as_cdl_export_check (dir, TRUE, overwrite, error) || !make_parent (dir, &parent, error))
    return FALSE;
  /* Writable: the temporary folder of the real write can be made. */
  probe = make_temp_folder (dir, error);
  if (probe == NULL)
    return FALSE;
  g_rmdir (probe);
  if (statvfs (parent, &fs) == 0)
    {
      guint64 avail = (guint64) fs.f_bavail * fs.f_frsize;
      if (avail < estimated_bytes)
        {
          g_autofree char *need = g_format_size (estimated_bytes);
          g_autofree char *have = g_format_size (avail);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                       _("%s: the model needs about %s but only %s are free there"), dir, need, have);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
sync_path (const char *path)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = fsync (fd) == 0;
  close (fd);
  return ok;
}

/* Puts the finished temporary folder at @dir, replacing a folder there as a whole. */
static gboolean
install_folder (const char *tmp, const char *dir, gboolean overwrite, GError **error)
{
  g_autofree char *parent = g_path_get_dirname (dir);
  int saved;

  sync_path (tmp);
  if (g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      if (!as_cdl_export_check (dir, TRUE, overwrite, error))
        return FALSE;
      /* Swap atomically: the target is the old folder or the new one, never a mix. */
      if (renameat2 (AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) == 0)
        {
          remove_tree (tmp);   /* now the old folder */
          sync_path (parent);
          return TRUE;
        }
      if (errno != EINVAL && errno != ENOSYS)
        goto failed;
      /* File systems without the exchange: the old folder goes aside first. */
      {
        g_autofree char *aside = g_strconcat (tmp, ".old", NULL);
        if (g_rename (dir, aside) != 0)
          goto failed;
        if (g_rename (tmp, dir) != 0)
          {
            saved = errno;
            g_rename (aside, dir);
            errno = saved;
            goto failed;
          }
        remove_tree (aside);
      }
    }
  else if (g_rename (tmp, dir) != 0)
    goto failed;
  sync_path (parent);
  return TRUE;

failed:
  saved = errno;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
               _("%s: cannot put the model in place: %s"), dir, g_strerror (saved));
  return FALSE;
}

/* ---- run.json ------------------------------------------------------------------------ */

static void
write_params (AsJsonOut *j, const AsCdlParams *p)
{
  as_json_out_member (j, "params");
  as_json_out_begin_object (j);
  as_json_out_set_int (j, "n_atoms", p->n_atoms);
  as_json_out_set_int (j, "atom_length", p->atom_length);
  as_json_out_set_int (j, "atom_height", MAX (1, p->atom_height));
  as_json_out_set_double (j, "lambda", p->lambda);
  as_json_out_set_bool (j, "lambda_absolute", p->lambda_absolute);
  as_json_out_set_bool (j, "rank1", p->rank1);
  as_json_out_set_bool (j, "positive", p->positive);
  as_json_out_set_string (j, "init", as_cdl_init_to_string (p->init));
  as_json_out_set_int (j, "max_iter", p->max_iter);
  as_json_out_set_double (j, "tol", p->tol);
  as_json_out_set_double (j, "z_tol", p->z_tol);
  as_json_out_set_int (j, "dstep_max_iter", p->dstep_max_iter);
  as_json_out_set_bool (j, "online", p->online);
  as_json_out_set_int (j, "online_batch", p->online_batch);
  as_json_out_set_int (j, "online_window", p->online_window);
  as_json_out_set_double (j, "online_forget", p->online_forget);
  as_json_out_set_int (j, "seed", (gint64) p->seed);
  as_json_out_set_double (j, "tukey", p->tukey);
  as_json_out_set_bool (j, "resample_unused", p->resample_unused);
  as_json_out_set_bool (j, "sort_atoms", p->sort_atoms);
  as_json_out_end_object (j);
}

static void
write_channels (AsJsonOut *j, const AsRecording *rec)
{
  as_json_out_member (j, "channels");
  as_json_out_begin_array (j);
  for (guint c = 0; c < rec->n_channels; c++)
    {
      const AsChannel *ch = &rec->channels[c];

      as_json_out_begin_object (j);
      as_json_out_set_string (j, "name", ch->label != NULL ? ch->label : "");
      as_json_out_set_string (j, "unit", ch->unit != NULL ? ch->unit : "");
      as_json_out_set_string (j, "type", as_channel_type_to_string (ch->type));
      as_json_out_member (j, "position_m");
      if (ch->has_position)
        {
          as_json_out_begin_array (j);
          for (int d = 0; d < 3; d++)
            as_json_out_double (j, ch->position[d]);
          as_json_out_end_array (j);
        }
      else
        as_json_out_null (j);
      as_json_out_end_object (j);
    }
  as_json_out_end_array (j);
}

/* A file name as UTF-8 text, with a flag when raw bytes had to be escaped. */
static void
write_path (AsJsonOut *j, const char *name, const char *path)
{
  gboolean escaped = FALSE;
  g_autofree char *text = as_json_out_escape_bytes (path, &escaped);

  as_json_out_set_string (j, name, text);
  if (escaped)
    {
      g_autofree char *key = g_strconcat (name, "_escaped", NULL);
      as_json_out_set_bool (j, key, TRUE);
    }
}

static char *
run_json (const AsCdlModel *m, const AsCdlParams *p, const AsCdlExportInfo *info, gsize *len)
{
  const AsCscShape *s = &m->shape;
  const gboolean image = s->atom_height > 1 || s->height > 1;
  g_autoptr (AsJsonOut) j = as_json_out_new ();
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created = g_date_time_format_iso8601 (now);

  as_json_out_begin_object (j);
  as_json_out_set_string (j, "format", "atomscope-model");
  as_json_out_set_int (j, "format_version", AS_MODEL_FORMAT_VERSION);
  as_json_out_set_string (j, "program", "atomscope");
  as_json_out_set_string (j, "version", as_engine_version ());
  as_json_out_set_string (j, "created", created);
  as_json_out_set_string (j, "command", info->command != NULL ? info->command : "learn");
  if (info->source != NULL)
    {
      g_autofree char *abs = g_canonicalize_filename (info->source, NULL);
      g_autofree char *base = g_path_get_basename (info->source);
      write_path (j, "source", abs);
      write_path (j, "source_name", base);
    }
  if (info->dictionary != NULL)
    {
      g_autofree char *abs = g_canonicalize_filename (info->dictionary, NULL);
      write_path (j, "dictionary", abs);
    }
  as_json_out_set_string (j, "model", image ? "2-D convolutional dictionary" : "convolutional dictionary");
  as_json_out_set_int (j, "n_atoms", s->n_atoms);
  as_json_out_set_int (j, "n_channels", s->n_channels);
  as_json_out_set_int (j, "n_trials", m->n_trials);
  as_json_out_set_int (j, "signal_height", s->height);
  as_json_out_set_int (j, "signal_width", s->width);
  as_json_out_set_int (j, "atom_height", s->atom_height);
  as_json_out_set_int (j, "atom_width", s->atom_width);
  if (m->sfreq > 0 || !isfinite (m->sfreq))
    {
      as_json_out_set_double (j, "sfreq", m->sfreq);
      as_json_out_set_double (j, "atom_duration", s->atom_width / m->sfreq);
    }
  as_json_out_set_bool (j, "rank1", m->rank1);
  as_json_out_set_bool (j, "positive", m->positive);
  as_json_out_set_double (j, "lambda", m->lambda);
  as_json_out_set_double (j, "lambda_max", m->lambda_max);
  as_json_out_set_int (j, "iterations", m->iteration);
  as_json_out_set_bool (j, "converged", m->converged);
  as_json_out_set_string (j, "end_state", info->checkpoint ? "checkpoint" : as_cdl_model_end_state (m));
  if (p != NULL)
    write_params (j, p);
  as_json_out_member (j, "preprocessing");
  if (info->preprocessing != NULL)
    {
      g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), info->preprocessing);
      as_json_out_node (j, node);
    }
  else
    as_json_out_null (j);
  if (info->recording != NULL && info->recording->n_channels == s->n_channels)
    write_channels (j, info->recording);
  as_json_out_member (j, "trace");
  as_json_out_begin_array (j);
  for (guint i = 0; i < m->trace->len; i++)
    {
      const AsCdlTracePoint *t = &g_array_index (m->trace, AsCdlTracePoint, i);
      as_json_out_begin_object (j);
      as_json_out_set_int (j, "iteration", t->iteration);
      as_json_out_set_string (j, "step", t->half == 0 ? "z" : "d");
      as_json_out_set_double (j, "time", t->time);
      as_json_out_set_double (j, "objective", t->objective);
      as_json_out_end_object (j);
    }
  as_json_out_end_array (j);
  as_json_out_member (j, "files");
  as_json_out_begin_object (j);
  as_json_out_set_string (j, "atoms", "atoms.npy");
  as_json_out_set_string (j, "activations", "activations.npy");
  if (m->rank1)
    {
      as_json_out_set_string (j, "topographies", "u.npy");
      as_json_out_set_string (j, "waveforms", "v.npy");
    }
  as_json_out_end_object (j);
  as_json_out_end_object (j);
  return g_strdup (as_json_out_get_text (j, len));
}

/* ---- the writer ---------------------------------------------------------------------- */

static gboolean
write_array (const char *dir, const char *name, const double *data, guint ndim,
             const gsize *shape, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  return as_npy_write (path, data, ndim, shape, FALSE, error);
}

static gboolean
write_files (const AsCdlModel *m, const AsCdlParams *p, const AsCdlExportInfo *info,
             const char *tmp, GError **error)
{
  const AsCscShape *s = &m->shape;
  const gboolean image = s->atom_height > 1 || s->height > 1;
  g_autofree char *json = NULL, *json_path = NULL;
  gsize shape[4], len;

  shape[0] = s->n_atoms;
  shape[1] = s->n_channels;
  if (image)
    {
      shape[2] = s->atom_height;
      shape[3] = s->atom_width;
    }
  else
    shape[2] = s->atom_width;
  if (!write_array (tmp, "atoms.npy", m->atoms, image ? 4 : 3, shape, error))
    return FALSE;
  if (m->rank1)
    {
      gsize su[2] = { s->n_atoms, s->n_channels };
      gsize sv[3] = { s->n_atoms, s->atom_height, s->atom_width };
      gsize sv1[2] = { s->n_atoms, s->atom_width };

      if (!write_array (tmp, "u.npy", m->u, 2, su, error)
          || !write_array (tmp, "v.npy", m->v, image ? 3 : 2, image ? sv : sv1, error))
        return FALSE;
    }
  shape[0] = m->n_trials;
  shape[1] = s->n_atoms;
  if (image)
    {
      shape[2] = as_csc_valid_height (s);
      shape[3] = as_csc_valid_width (s);
    }
  else
    shape[2] = as_csc_valid_width (s);
  if (!write_array (tmp, "activations.npy", m->activations, image ? 4 : 3, shape, error))
    return FALSE;
  /* run.json last: a folder with it is complete (the reader checks the arrays too). */
  json = run_json (m, p, info, &len);
  json_path = g_build_filename (tmp, "run.json", NULL);
  return as_output_write_contents (json_path, json, len, FALSE, error);
}

gboolean
as_cdl_export_full (const AsCdlModel *m, const AsCdlParams *p, const AsCdlExportInfo *info,
                    const char *dir, gboolean overwrite, GError **error)
{
  AsCdlExportInfo none;
  g_autofree char *parent = NULL, *base = NULL, *tmp = NULL;
  GError *local = NULL;

  g_return_val_if_fail (m != NULL && dir != NULL, FALSE);
  if (info == NULL)
    {
      as_cdl_export_info_init (&none);
      info = &none;
    }
  if (!as_cdl_export_check (dir, m->rank1, overwrite, error) || !make_parent (dir, &parent, error))
    return FALSE;
  base = g_path_get_basename (dir);
  remove_stale_temporaries (parent, base);
  tmp = make_temp_folder (dir, error);
  if (tmp == NULL)
    return FALSE;
  if (!write_files (m, p, info, tmp, &local) || !install_folder (tmp, dir, overwrite, &local))
    {
      remove_tree (tmp);
      g_propagate_error (error, local);
      return FALSE;
    }
  return TRUE;
}

gboolean
as_cdl_export (const AsCdlModel *model, const AsCdlParams *params, const char *source,
               const char *dir, gboolean overwrite, GError **error)
{
  AsCdlExportInfo info;

  as_cdl_export_info_init (&info);
  info.source = source;
  return as_cdl_export_full (model, params, &info, dir, overwrite, error);
}
