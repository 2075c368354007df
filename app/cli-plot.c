/* cli-plot.c: figures of a learned model from the command line
 * (`atomscope-cli learn … --figures`).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <glib.h>
#include <glib/gi18n.h>

#include "as-figure-model.h"
#include "as-montage.h"
#include "cli-commands.h"

/* Occurrences are activations above this fraction of the atom's largest one,
 * as in the window. */
#define OCCURRENCE_THRESHOLD 0.1
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
  atoms = as_figure_atoms_new (model, rec != NULL ? rec->sfreq : 0, OCCURRENCE_THRESHOLD);
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
