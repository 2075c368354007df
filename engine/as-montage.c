/* as-montage.c: electrode position files, label normalisation, projection.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-montage"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <lapacke.h>

#include "as-engine.h"
#include "as-montage.h"

static AsMontage *
montage_new (const char *name, GArray *electrodes)
{
  AsMontage *m = g_new0 (AsMontage, 1);

  g_atomic_ref_count_init (&m->ref_count);
  m->name = g_strdup (name);
  m->n_electrodes = electrodes->len;
  m->electrodes = (AsElectrode *) g_array_free (electrodes, FALSE);
  return m;
}

AsMontage *
as_montage_ref (AsMontage *montage)
{
  g_atomic_ref_count_inc (&montage->ref_count);
  return montage;
}

void
as_montage_unref (AsMontage *montage)
{
  if (montage == NULL || !g_atomic_ref_count_dec (&montage->ref_count))
    return;
  for (guint i = 0; i < montage->n_electrodes; i++)
    g_free (montage->electrodes[i].label);
  g_free (montage->electrodes);
  g_free (montage->name);
  g_free (montage);
}

static void
free_electrodes (GArray *a)
{
  for (guint i = 0; i < a->len; i++)
    g_free (g_array_index (a, AsElectrode, i).label);
  g_array_free (a, TRUE);
}

/* A coordinate: a number of plausible size (|v| ≤ 10⁶ in any unit), so
 * that distances and projections cannot overflow. */
static gboolean
parse_double (const char *s, double *v)
{
  char *end;

  *v = g_ascii_strtod (s, &end);
  return end != s && *end == '\0' && isfinite (*v) && fabs (*v) <= 1e6;
}

static char **
tokens (const char *line)
{
  g_auto (GStrv) raw = g_strsplit_set (line, " \t,;", -1);
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; raw[i]; i++)
    {
      char *t = g_strstrip (raw[i]);
      gsize l = strlen (t);
      if (l >= 2 && t[0] == '"' && t[l - 1] == '"')
        t[l - 1] = '\0', t++;
      if (*t != '\0')
        g_ptr_array_add (out, g_strdup (t));
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

/* ASA .elc: header keys, "Positions" then one "x y z" (or "label: x y z")
 * line per electrode, "Labels" then one label per line. */
static AsMontage *
parse_elc (const char *name, char **lines, GError **error)
{
  GArray *el = g_array_new (FALSE, TRUE, sizeof (AsElectrode));
  double scale = 1e-3;
  int section = 0;  /* 1 positions, 2 labels */
  guint n_labels = 0;
  gint declared = -1;

  for (guint i = 0; lines[i]; i++)
    {
      char *l = g_strstrip (lines[i]);
      if (*l == '\0' || *l == '#')
        continue;
      if (g_str_has_prefix (l, "UnitPosition"))
        {
          const char *u = g_strstrip (l + 12);
          scale = strcmp (u, "m") == 0 ? 1.0 : strcmp (u, "cm") == 0 ? 1e-2 : 1e-3;
          continue;
        }
      if (g_str_has_prefix (l, "NumberPositions"))
        {
          const char *p = strchr (l, '=');
          declared = p ? atoi (p + 1) : -1;
          continue;
        }
      if (strcmp (l, "Positions") == 0)
        {
          section = 1;
          continue;
        }
      if (strcmp (l, "Labels") == 0)
        {
          section = 2;
          continue;
        }
      if (section == 1)
        {
          AsElectrode e = { 0 };
          const char *colon = strchr (l, ':');
          g_auto (GStrv) t = tokens (colon ? colon + 1 : l);
          if (g_strv_length (t) < 3 || !parse_double (t[0], &e.pos[0])
              || !parse_double (t[1], &e.pos[1]) || !parse_double (t[2], &e.pos[2]))
            {
              g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                           _("%s: line %u: expected three coordinates"), name, i + 1);
              free_electrodes (el);
              return NULL;
            }
          for (int k = 0; k < 3; k++)
            e.pos[k] *= scale;
          if (colon)
            e.label = g_strstrip (g_strndup (l, colon - l));
          g_array_append_val (el, e);
        }
      else if (section == 2)
        {
          if (n_labels < el->len)
            {
              AsElectrode *e = &g_array_index (el, AsElectrode, n_labels);
              g_free (e->label);
              e->label = g_strdup (l);
            }
          n_labels++;
        }
    }
  if (el->len == 0 || (n_labels != el->len && el->len > 0 && g_array_index (el, AsElectrode, 0).label == NULL))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: %u positions but %u labels"), name, el->len, n_labels);
      free_electrodes (el);
      return NULL;
    }
  if (declared >= 0 && (guint) declared != el->len)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: NumberPositions says %d, the file holds %u"), name, declared, el->len);
      free_electrodes (el);
      return NULL;
    }
  return montage_new (name, el);
}

/* .sfp, .txt, .csv, .tsv: one electrode per line, a label and three
 * numbers; lines without (a header) are skipped.  Units are guessed from
 * the head size: a radius of ~0.09 m, 9 cm or 90 mm. */
static AsMontage *
parse_table (const char *name, char **lines, GError **error)
{
  GArray *el = g_array_new (FALSE, TRUE, sizeof (AsElectrode));
  g_autofree double *norms = NULL;
  double scale, med;

  for (guint i = 0; lines[i]; i++)
    {
      g_auto (GStrv) t = tokens (lines[i]);
      AsElectrode e = { 0 };
      guint nn = 0;
      const char *label = NULL;

      if (t[0] == NULL || t[0][0] == '#' || t[0][0] == '%')
        continue;
      for (guint k = 0; t[k]; k++)
        {
          double v;
          if (parse_double (t[k], &v))
            {
              if (nn < 3)
                e.pos[nn] = v;
              nn++;
            }
          else if (label == NULL)
            label = t[k];
        }
      if (label == NULL || nn < 3)
        {
          if (el->len > 0)
            {
              g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                           _("%s: line %u: expected a label and x, y, z"), name, i + 1);
              free_electrodes (el);
              return NULL;
            }
          continue;
        }
      e.label = g_strdup (label);
      g_array_append_val (el, e);
    }
  if (el->len == 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: no electrode (label and x, y, z) found"), name);
      free_electrodes (el);
      return NULL;
    }
  norms = g_new (double, el->len);
  for (guint i = 0; i < el->len; i++)
    {
      const double *p = g_array_index (el, AsElectrode, i).pos;
      norms[i] = sqrt (p[0] * p[0] + p[1] * p[1] + p[2] * p[2]);
    }
  {
    GArray *tmp = g_array_new (FALSE, FALSE, sizeof (double));
    g_array_append_vals (tmp, norms, el->len);
    for (guint i = 1; i < tmp->len; i++)
      for (guint j = i; j > 0 && g_array_index (tmp, double, j - 1) > g_array_index (tmp, double, j); j--)
        {
          double s = g_array_index (tmp, double, j);
          g_array_index (tmp, double, j) = g_array_index (tmp, double, j - 1);
          g_array_index (tmp, double, j - 1) = s;
        }
    med = g_array_index (tmp, double, tmp->len / 2);
    g_array_free (tmp, TRUE);
  }
  scale = med > 20 ? 1e-3 : med > 0.5 ? 1e-2 : 1.0;
  for (guint i = 0; i < el->len; i++)
    for (int k = 0; k < 3; k++)
      g_array_index (el, AsElectrode, i).pos[k] *= scale;
  return montage_new (name, el);
}

AsMontage *
as_montage_parse (const char *name, const char *data, gsize len, GError **error)
{
  g_autofree char *copy = NULL;
  g_auto (GStrv) lines = NULL;
  const char *bad;

  if (len == 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT, _("%s: the file is empty"), name);
      return NULL;
    }
  if (memchr (data, '\0', len) || !g_utf8_validate (data, len, &bad))
    {
      gsize at = memchr (data, '\0', len) ? (gsize) ((const char *) memchr (data, '\0', len) - data)
                                          : (gsize) (bad - data);
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: byte %zu: not a text file"), name, at);
      return NULL;
    }
  copy = g_strndup (data, len);
  g_strdelimit (copy, "\r", '\n');
  lines = g_strsplit (copy, "\n", -1);
  if (strstr (copy, "\nPositions") || g_str_has_prefix (copy, "Positions")
      || strstr (copy, "NumberPositions"))
    return parse_elc (name, lines, error);
  return parse_table (name, lines, error);
}

AsMontage *
as_montage_load (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  gsize len;
  g_autofree char *base = NULL;
  AsMontage *m;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("%s: is a folder, not an electrode file"), path);
      return NULL;
    }
  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  m = as_montage_parse (path, contents, len, error);
  if (m != NULL)
    {
      base = g_path_get_basename (path);
      g_free (m->name);
      m->name = g_strdup (base);
    }
  return m;
}

AsMontage *
as_montage_load_standard (const char *which, GError **error)
{
  g_autofree char *file = g_strconcat (which, ".elc", NULL);
  const char *env = g_getenv ("ATOMSCOPE_DATADIR");
  const char *dirs[] = { env, PKGDATADIR, SOURCE_DATADIR };

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *p = NULL;
      if (dirs[i] == NULL)
        continue;
      p = g_build_filename (dirs[i], "montages", file, NULL);
      if (g_file_test (p, G_FILE_TEST_IS_REGULAR))
        {
          AsMontage *m = as_montage_load (p, error);
          if (m != NULL)
            {
              g_free (m->name);
              m->name = g_strdup (which);
            }
          return m;
        }
    }
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
               _("the standard electrode positions “%s” are not installed (looked in %s/montages)"),
               which, PKGDATADIR);
  return NULL;
}

gboolean
as_electrode_is_fiducial (const char *label)
{
  return g_ascii_strcasecmp (label, "LPA") == 0 || g_ascii_strcasecmp (label, "RPA") == 0
         || g_ascii_strcasecmp (label, "Nz") == 0 || g_ascii_strcasecmp (label, "nasion") == 0;
}

char *
as_electrode_label_normalize (const char *label)
{
  static const char *const prefixes[] = { "EEG ", "EEG-", "EEG_", "EEG:", NULL };
  static const char *const suffixes[] = { "-REF", "_REF", " REF", "-LE", "-RE", "-AR", "-AVG", "-AV",
                                          "-A1A2", "-M1M2", "-LER", "-CAR", NULL };
  static const struct { const char *old, *new_; } renames[] = {
    { "T3", "T7" }, { "T4", "T8" }, { "T5", "P7" }, { "T6", "P8" },
  };
  char *s = g_strstrip (g_strdup (label ? label : ""));
  gsize l;

  for (guint i = 0; prefixes[i]; i++)
    if (g_ascii_strncasecmp (s, prefixes[i], strlen (prefixes[i])) == 0)
      {
        memmove (s, s + strlen (prefixes[i]), strlen (s) - strlen (prefixes[i]) + 1);
        g_strstrip (s);
        break;
      }
  for (guint i = 0; suffixes[i]; i++)
    {
      gsize ls = strlen (suffixes[i]);
      l = strlen (s);
      if (l > ls && g_ascii_strcasecmp (s + l - ls, suffixes[i]) == 0)
        {
          s[l - ls] = '\0';
          break;
        }
    }
  /* BCI2000 pads labels to four characters with dots: "Fc5.", "Cz.." */
  {
    char *w = s;
    for (char *r = s; *r; r++)
      if (*r != '.')
        *w++ = *r;
    *w = '\0';
  }
  g_strstrip (s);
  for (guint i = 0; i < G_N_ELEMENTS (renames); i++)
    if (g_ascii_strcasecmp (s, renames[i].old) == 0)
      {
        g_free (s);
        return g_strdup (renames[i].new_);
      }
  return s;
}

const AsElectrode *
as_montage_find (const AsMontage *montage, const char *label)
{
  g_autofree char *want = as_electrode_label_normalize (label);

  for (guint i = 0; i < montage->n_electrodes; i++)
    if (montage->electrodes[i].label && g_ascii_strcasecmp (montage->electrodes[i].label, want) == 0)
      return &montage->electrodes[i];
  for (guint i = 0; i < montage->n_electrodes; i++)
    {
      g_autofree char *have = montage->electrodes[i].label
                                  ? as_electrode_label_normalize (montage->electrodes[i].label)
                                  : NULL;
      if (have && g_ascii_strcasecmp (have, want) == 0)
        return &montage->electrodes[i];
    }
  return NULL;
}

guint
as_recording_attach_montage (AsRecording *rec, const AsMontage *montage)
{
  guint matched = 0;
  GString *missing = g_string_new (NULL);

  for (guint c = 0; c < rec->n_channels; c++)
    {
      AsChannel *ch = &rec->channels[c];
      const AsElectrode *e;

      if (ch->type != AS_CHANNEL_EEG && ch->type != AS_CHANNEL_OTHER && ch->type != AS_CHANNEL_EOG)
        continue;
      /* a position the file itself gives with its sensor (FIF) is kept */
      if (ch->has_position && ch->coil_type != 0)
        continue;
      e = as_montage_find (montage, ch->label);
      if (e != NULL && !as_electrode_is_fiducial (e->label))
        {
          memcpy (ch->position, e->pos, sizeof ch->position);
          ch->has_position = TRUE;
          if (ch->type == AS_CHANNEL_OTHER)
            ch->type = AS_CHANNEL_EEG;
          matched++;
        }
      else if (ch->type == AS_CHANNEL_EEG)
        g_string_append_printf (missing, "%s%s", missing->len ? ", " : "", ch->label);
    }
  if (missing->len > 0)
    as_recording_add_warning (rec, _("no position in %s for: %s"), montage->name, missing->str);
  g_string_free (missing, TRUE);
  return matched;
}

/* |p|² = 2 c·p + (r² − |c|²) is linear in (c, d = r² − |c|²): least squares. */
gboolean
as_fit_sphere (const double *points, guint n, double center[3], double *radius)
{
  g_autofree double *a = NULL, *b = NULL;
  lapack_int info;
  double d;

  if (n < 4)
    return FALSE;
  a = g_new (double, (gsize) n * 4);
  b = g_new (double, n);
  for (guint i = 0; i < n; i++)
    {
      const double *p = points + 3 * i;
      a[4 * i + 0] = 2 * p[0];
      a[4 * i + 1] = 2 * p[1];
      a[4 * i + 2] = 2 * p[2];
      a[4 * i + 3] = 1;
      b[i] = p[0] * p[0] + p[1] * p[1] + p[2] * p[2];
    }
  info = LAPACKE_dgels (LAPACK_ROW_MAJOR, 'N', n, 4, 1, a, 4, b, 1);
  if (info != 0)
    return FALSE;
  center[0] = b[0], center[1] = b[1], center[2] = b[2];
  d = b[3] + b[0] * b[0] + b[1] * b[1] + b[2] * b[2];
  if (!(d > 0))
    return FALSE;
  *radius = sqrt (d);
  return TRUE;
}

void
as_project_azimuthal (const double *points, guint n, const double center[3], double *xy)
{
  for (guint i = 0; i < n; i++)
    {
      double v[3] = { points[3 * i] - center[0], points[3 * i + 1] - center[1],
                      points[3 * i + 2] - center[2] };
      double r = sqrt (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
      double theta, phi;

      if (r == 0)
        {
          xy[2 * i] = xy[2 * i + 1] = 0;
          continue;
        }
      theta = acos (CLAMP (v[2] / r, -1.0, 1.0));
      phi = atan2 (v[1], v[0]);
      xy[2 * i] = r * theta / G_PI_2 * cos (phi);
      xy[2 * i + 1] = r * theta / G_PI_2 * sin (phi);
    }
}

double
as_montage_head_radius (const AsMontage *montage, const double center[3], AsHeadCircle circle)
{
  static const char *const eeglab[] = { "Fpz", "T7", "Oz", "T8" };
  static const char *const mne[] = { "Nz", "LPA", "RPA" };
  const char *const *names = circle == AS_HEAD_CIRCLE_EEGLAB ? eeglab : mne;
  guint count = circle == AS_HEAD_CIRCLE_EEGLAB ? 4 : 3;
  double sum = 0;
  guint found = 0;

  for (guint i = 0; i < count; i++)
    {
      const AsElectrode *e = as_montage_find (montage, names[i]);
      double xy[2];
      if (e == NULL)
        continue;
      as_project_azimuthal (e->pos, 1, center, xy);
      sum += hypot (xy[0], xy[1]);
      found++;
    }
  if (found > 0)
    return sum / found;
  /* No landmark: the widest projected electrode. */
  for (guint i = 0; i < montage->n_electrodes; i++)
    {
      double xy[2];
      as_project_azimuthal (montage->electrodes[i].pos, 1, center, xy);
      sum = MAX (sum, hypot (xy[0], xy[1]));
    }
  return sum;
}
