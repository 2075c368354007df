/* cli-plot.c: figures of a learned model from the command line
 * (`atomscope-cli plot DIR`, `atomscope-cli learn … --figures`).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <glib/gi18n.h>

#include "as-figure-model.h"
#include "as-model.h"
#include "as-montage.h"
#include "cli-commands.h"

/* Occurrences are activations above this fraction of the atom's largest one,
 * as in the window. */
/* Topography grid cells per side: finer than the window's rows, for print. */
#define TOPOGRAPHY_SIZE 96

/* Electrode positions from the standard 10-05 montage, as the window attaches
 * them when it opens a file, unless the file brought its own. */
static void
attach_standard_positions (AsRecording *rec)
{
  g_autoptr (AsMontage) montage = NULL;
  g_autoptr (GError) error = NULL;

  for (guint c = 0; c < rec->n_channels; c++)
    if (rec->channels[c].has_position)
      return;
  montage = as_montage_load_standard ("standard_1005", &error);
  if (montage == NULL)
    g_debug ("no standard montage: %s", error->message);
  else
    as_recording_attach_montage (rec, montage);
}

gboolean
as_cli_write_figures (AsCdlModel *model, AsRecording *rec, const char *source,
                      const char *dir, AsFigureFormat format, double dpi, gboolean overwrite,
                      gboolean quiet, GError **error)
{
  g_autoptr (AsFigureAtoms) atoms = NULL;
  g_autoptr (AsFigureTopographies) topo = NULL;
  g_autoptr (GPtrArray) written = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *name = source != NULL ? g_path_get_basename (source) : NULL;

  if (rec != NULL)
    attach_standard_positions (rec);
  atoms = as_figure_atoms_new (model, rec != NULL ? rec->sfreq : 0, AS_CDL_OCCURRENCE_THRESHOLD);
  topo = as_figure_topographies_for_model (model, rec, TOPOGRAPHY_SIZE);
  if (topo != NULL)
    as_figure_atoms_set_topographies (atoms, topo);
  if (!as_figure_write_model (atoms, name, dir, format, dpi, overwrite, written, error))
    return FALSE;
  if (!quiet)
    for (guint i = 0; i < written->len; i++)
      printf (_("Wrote %s\n"), (const char *) written->pdata[i]);
  return TRUE;
}

gboolean
as_cli_check_figures (const char *dir, AsFigureFormat format, gboolean overwrite, GError **error)
{
  for (guint i = 0; !overwrite && as_figure_model_names[i] != NULL; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s.%s", as_figure_model_names[i],
                                               as_figure_format_extension (format));
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                       _("%s exists; use --force to replace it"), path);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
as_cli_parse_format (const char *text, AsFigureFormat *format)
{
  if (text == NULL || g_ascii_strcasecmp (text, "png") == 0)
    *format = AS_FIGURE_FORMAT_PNG;
  else if (g_ascii_strcasecmp (text, "svg") == 0)
    *format = AS_FIGURE_FORMAT_SVG;
  else if (g_ascii_strcasecmp (text, "pdf") == 0)
    *format = AS_FIGURE_FORMAT_PDF;
  else
    return FALSE;
  return TRUE;
}

/* A recording holding only what a model folder says of its channels (names,
 * units, electrode positions) and its sampling rate: enough for the figures'
 * time axes and topographies without the recording itself. */
static AsRecording *
channels_of_model (const AsModel *model)
{
  const AsCdlModel *m = model->model;
  AsRecording *rec;

  if (model->channels == NULL || model->n_channels != m->shape.n_channels || m->shape.height != 1)
    return NULL;
  rec = as_recording_new (model->n_channels, 1, m->sfreq);
  for (guint c = 0; c < model->n_channels; c++)
    {
      const AsModelChannel *ch = &model->channels[c];

      as_recording_set_channel (rec, c, ch->name != NULL ? ch->name : "", ch->unit,
                                AS_CHANNEL_OTHER);
      rec->channels[c].has_position = ch->has_position;
      memcpy (rec->channels[c].position, ch->position, sizeof ch->position);
    }
  return rec;
}

int
as_cli_plot (int argc, char **argv)
{
  const char *command = "plot";
  g_auto (GStrv) dirs = NULL;
  char *out_dir = NULL, *format_name = NULL;
  double dpi = 150;
  gboolean force = FALSE, quiet = FALSE;
  GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_name, N_("png (default), svg or pdf"), N_("FORMAT") },
    { "dpi", 0, 0, G_OPTION_ARG_DOUBLE, &dpi, N_("Resolution of PNG figures (default 150)"), N_("N") },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, N_("Folder for the figures (default: the model folder)"), N_("DIR") },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, N_("Overwrite existing figures"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Do not list the files written"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &dirs, NULL, N_("DIR") },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("DIR — draw the figures of a learned model"));
  g_autoptr (GError) error = NULL;
  g_autoptr (AsModel) model = NULL;
  g_autoptr (AsRecording) rec = NULL;
  AsFigureFormat format;
  int status = 2;

  g_option_context_set_summary (ctx,
      _("Reads a model folder written by “atomscope-cli learn” or the window and draws "
        "figure-atoms (waveform, topography with its colour bar, spectrum of each atom), "
        "figure-raster (where the atoms occur) and figure-convergence, with axes, units "
        "and titles, as PNG, SVG or PDF."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!as_cli_parse_options (ctx, &argc, &argv, command))
    goto out;
  if (dirs == NULL || dirs[0] == NULL || dirs[1] != NULL)
    {
      as_cli_error (command, "%s", _("give exactly one model folder (see --help)"));
      goto out;
    }
  if (!as_cli_parse_format (format_name, &format))
    {
      as_cli_error (command, _("unknown --format “%s” (use png, svg or pdf)"), format_name);
      goto out;
    }
  if (!(dpi >= 24 && dpi <= 1200))
    {
      as_cli_error (command, "%s", _("--dpi must be between 24 and 1200"));
      goto out;
    }
  status = 1;
  model = as_model_load (dirs[0], &error);
  if (model == NULL)
    {
      as_cli_error (command, "%s", error->message);
      goto out;
    }
  if (!as_cli_check_figures (out_dir != NULL ? out_dir : dirs[0], format, force, &error))
    {
      as_cli_error (command, "%s", error->message);
      goto out;
    }
  rec = channels_of_model (model);
  if (!as_cli_write_figures (model->model, rec, model->source_name,
                             out_dir != NULL ? out_dir : dirs[0], format, dpi, force, quiet, &error))
    {
      as_cli_error (command, "%s", error->message);
      goto out;
    }
  status = 0;

out:
  g_free (out_dir);
  g_free (format_name);
  return status;
}
