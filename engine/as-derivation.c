/* as-derivation.c: clinical EEG montages as weighted sums of channels.
 *
 * The bipolar chains are those of the American Clinical Neurophysiology
 * Society's guideline on standard montages (Acharya et al. 2016): the
 * longitudinal "double banana" runs front to back over each side (temporal
 * then parasagittal chains) and the midline; the transverse montage runs left
 * to right, row after row.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "as-derivation.h"
#include "as-montage.h"

static const char *const longitudinal[][2] = {
  { "Fp1", "F7" }, { "F7", "T7" }, { "T7", "P7" }, { "P7", "O1" },
  { "Fp2", "F8" }, { "F8", "T8" }, { "T8", "P8" }, { "P8", "O2" },
  { "Fp1", "F3" }, { "F3", "C3" }, { "C3", "P3" }, { "P3", "O1" },
  { "Fp2", "F4" }, { "F4", "C4" }, { "C4", "P4" }, { "P4", "O2" },
  { "Fz", "Cz" },  { "Cz", "Pz" },
};

static const char *const transverse[][2] = {
  { "Fp1", "Fp2" },
  { "F7", "F3" }, { "F3", "Fz" }, { "Fz", "F4" }, { "F4", "F8" },
  { "T7", "C3" }, { "C3", "Cz" }, { "Cz", "C4" }, { "C4", "T8" },
  { "P7", "P3" }, { "P3", "Pz" }, { "Pz", "P4" }, { "P4", "P8" },
  { "O1", "O2" },
};

/* Ear or mastoid pairs, in the order they are looked for. */
static const char *const ear_pairs[][2] = {
  { "A1", "A2" }, { "M1", "M2" }, { "TP9", "TP10" },
};

static void
derivation_clear (AsDerivation *d)
{
  g_free (d->label);
  g_free (d->unit);
  g_free (d->channel);
  g_free (d->weight);
}

AsDerivationSet *
as_derivation_set_ref (AsDerivationSet *set)
{
  g_atomic_ref_count_inc (&set->ref_count);
  return set;
}

void
as_derivation_set_unref (AsDerivationSet *set)
{
  if (set == NULL || !g_atomic_ref_count_dec (&set->ref_count))
    return;
  for (guint i = 0; i < set->n_derivations; i++)
    derivation_clear (&set->derivations[i]);
  g_free (set->derivations);
  g_free (set->name);
  g_ptr_array_unref (set->missing);
  g_free (set);
}

static gboolean
is_eeg (const AsChannel *ch)
{
  return ch->type == AS_CHANNEL_EEG;
}

/* The recorded channel whose normalised label is @name (case ignored), or -1. */
static int
find_channel (const AsRecording *rec, const char *name)
{
  g_autofree char *want = as_electrode_label_normalize (name);

  for (guint c = 0; c < rec->n_channels; c++)
    {
      g_autofree char *have = as_electrode_label_normalize (rec->channels[c].label);
      if (g_ascii_strcasecmp (have, want) == 0)
        return (int) c;
    }
  return -1;
}

typedef struct
{
  GArray *derivations;  /* of AsDerivation */
} Builder;

static AsDerivation *
builder_add (GArray *out, const char *label, const AsChannel *like)
{
  AsDerivation d = { 0 };

  d.label = g_strdup (label);
  d.unit = g_strdup (like->unit ? like->unit : "");
  d.type = like->type;
  g_array_append_val (out, d);
  return &g_array_index (out, AsDerivation, out->len - 1);
}

static void
derivation_add_term (AsDerivation *d, guint channel, double weight)
{
  for (guint i = 0; i < d->n_terms; i++)
    if (d->channel[i] == channel)
      {
        d->weight[i] += weight;
        return;
      }
  d->channel = g_renew (guint, d->channel, d->n_terms + 1);
  d->weight = g_renew (double, d->weight, d->n_terms + 1);
  d->channel[d->n_terms] = channel;
  d->weight[d->n_terms] = weight;
  d->n_terms++;
}

/* Adds −(1/N)·Σ of @refs (N channels) to @d. */
static void
derivation_subtract_mean (AsDerivation *d, const guint *refs, guint n)
{
  for (guint i = 0; i < n; i++)
    derivation_add_term (d, refs[i], -1.0 / n);
}

static guint *
eeg_channels (const AsRecording *rec, guint *n)
{
  guint *out = g_new (guint, MAX (rec->n_channels, 1));

  *n = 0;
  for (guint c = 0; c < rec->n_channels; c++)
    if (is_eeg (&rec->channels[c]))
      out[(*n)++] = c;
  return out;
}

/* The channels that are not EEG, kept as recorded after the derivations. */
static void
append_other_channels (GArray *out, const AsRecording *rec)
{
  for (guint c = 0; c < rec->n_channels; c++)
    if (!is_eeg (&rec->channels[c]))
      derivation_add_term (builder_add (out, rec->channels[c].label, &rec->channels[c]), c, 1.0);
}

static gboolean
find_ears (const AsRecording *rec, guint ears[2], const char **names)
{
  for (guint p = 0; p < G_N_ELEMENTS (ear_pairs); p++)
    {
      int a = find_channel (rec, ear_pairs[p][0]);
      int b = find_channel (rec, ear_pairs[p][1]);
      if (a >= 0 && b >= 0)
        {
          ears[0] = a;
          ears[1] = b;
          *names = ear_pairs[p][0];
          return TRUE;
        }
    }
  return FALSE;
}

static AsDerivationSet *
set_from_array (GArray *derivations, AsDerivationKind kind, const char *name, GPtrArray *missing)
{
  AsDerivationSet *set = g_new0 (AsDerivationSet, 1);

  g_atomic_ref_count_init (&set->ref_count);
  set->kind = kind;
  set->name = g_strdup (name);
  set->n_derivations = derivations->len;
  set->derivations = (AsDerivation *) g_array_free (derivations, FALSE);
  set->missing = missing ? missing : g_ptr_array_new_with_free_func (g_free);
  return set;
}

static void
add_chain (GArray *out, GPtrArray *missing, const AsRecording *rec, const char *const (*pairs)[2],
           guint n_pairs)
{
  for (guint i = 0; i < n_pairs; i++)
    {
      int a = find_channel (rec, pairs[i][0]);
      int b = find_channel (rec, pairs[i][1]);
      g_autofree char *label = g_strdup_printf ("%s-%s", pairs[i][0], pairs[i][1]);
      AsDerivation *d;

      if (a < 0 || b < 0)
        {
          g_ptr_array_add (missing, g_steal_pointer (&label));
          continue;
        }
      d = builder_add (out, label, &rec->channels[a]);
      derivation_add_term (d, a, 1.0);
      derivation_add_term (d, b, -1.0);
    }
}

AsDerivationSet *
as_derivation_set_new (const AsRecording *rec, AsDerivationKind kind, GError **error)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (AsDerivation));
  GPtrArray *missing = g_ptr_array_new_with_free_func (g_free);
  guint n_eeg, n_formed;
  g_autofree guint *eeg = eeg_channels (rec, &n_eeg);
  guint ears[2];
  const char *ear_name = NULL;

  g_return_val_if_fail (rec != NULL, NULL);

  switch (kind)
    {
    case AS_DERIVATION_AS_RECORDED:
      for (guint c = 0; c < rec->n_channels; c++)
        derivation_add_term (builder_add (out, rec->channels[c].label, &rec->channels[c]), c, 1.0);
      return set_from_array (out, kind, _("As recorded"), missing);

    case AS_DERIVATION_AVERAGE:
      if (n_eeg < 2)
        break;
      for (guint i = 0; i < n_eeg; i++)
        {
          g_autofree char *name = as_electrode_label_normalize (rec->channels[eeg[i]].label);
          g_autofree char *label = g_strdup_printf ("%s-avg", name);
          AsDerivation *d = builder_add (out, label, &rec->channels[eeg[i]]);
          derivation_add_term (d, eeg[i], 1.0);
          derivation_subtract_mean (d, eeg, n_eeg);
        }
      append_other_channels (out, rec);
      return set_from_array (out, kind, _("Common average"), missing);

    case AS_DERIVATION_LINKED_EARS:
      if (n_eeg == 0 || !find_ears (rec, ears, &ear_name))
        break;
      for (guint i = 0; i < n_eeg; i++)
        {
          g_autofree char *name = NULL;
          g_autofree char *label = NULL;
          AsDerivation *d;

          if (eeg[i] == ears[0] || eeg[i] == ears[1])
            continue;
          name = as_electrode_label_normalize (rec->channels[eeg[i]].label);
          label = g_strdup_printf ("%s-%s", name, g_str_equal (ear_name, "A1") ? "A1A2"
                                                 : g_str_equal (ear_name, "M1") ? "M1M2"
                                                                                : "TP9TP10");
          d = builder_add (out, label, &rec->channels[eeg[i]]);
          derivation_add_term (d, eeg[i], 1.0);
          derivation_subtract_mean (d, ears, 2);
        }
      append_other_channels (out, rec);
      return set_from_array (out, kind, _("Linked ears"), missing);

    case AS_DERIVATION_BIPOLAR_LONGITUDINAL:
    case AS_DERIVATION_BIPOLAR_TRANSVERSE:
      if (kind == AS_DERIVATION_BIPOLAR_LONGITUDINAL)
        add_chain (out, missing, rec, longitudinal, G_N_ELEMENTS (longitudinal));
      else
        add_chain (out, missing, rec, transverse, G_N_ELEMENTS (transverse));
      if (out->len == 0)
        break;
      append_other_channels (out, rec);
      return set_from_array (out, kind,
                             kind == AS_DERIVATION_BIPOLAR_LONGITUDINAL ? _("Longitudinal bipolar")
                                                                        : _("Transverse bipolar"),
                             missing);

    case AS_DERIVATION_USER:
      break;
    }

  n_formed = out->len;
  for (guint i = 0; i < out->len; i++)
    derivation_clear (&g_array_index (out, AsDerivation, i));
  g_array_free (out, TRUE);
  g_ptr_array_unref (missing);
  g_assert (n_formed == 0);
  if (kind == AS_DERIVATION_LINKED_EARS && n_eeg > 0)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 _("%s: no ear or mastoid electrodes (A1/A2, M1/M2 or TP9/TP10) for a linked-ears montage"),
                 rec->path ? rec->path : _("recording"));
  else if (kind == AS_DERIVATION_USER)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 _("A user montage is read from a file"));
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 _("%s: no EEG channels with 10-20 names to form this montage"),
                 rec->path ? rec->path : _("recording"));
  return NULL;
}

/* "A1+A2" → the channels, or FALSE. */
static gboolean
parse_sum (const AsRecording *rec, const char *text, GArray *channels)
{
  g_auto (GStrv) parts = g_strsplit (text, "+", -1);

  for (guint i = 0; parts[i]; i++)
    {
      int c = find_channel (rec, g_strstrip (parts[i]));
      if (c < 0)
        return FALSE;
      g_array_append_val (channels, c);
    }
  return channels->len > 0;
}

/* The reference side of "X-REF": a channel, "avg", or "(A+B)/2"; adds its
 * terms with a minus sign. */
static gboolean
add_reference (AsDerivation *d, const AsRecording *rec, const char *ref)
{
  g_autofree char *r = g_strstrip (g_strdup (ref));
  int c;

  if (g_ascii_strcasecmp (r, "avg") == 0 || g_ascii_strcasecmp (r, "car") == 0
      || g_ascii_strcasecmp (r, "average") == 0)
    {
      guint n;
      g_autofree guint *eeg = eeg_channels (rec, &n);
      if (n == 0)
        return FALSE;
      derivation_subtract_mean (d, eeg, n);
      return TRUE;
    }
  if (r[0] == '(')
    {
      char *close = strchr (r, ')');
      g_autoptr (GArray) chans = g_array_new (FALSE, FALSE, sizeof (guint));
      char *end = NULL;
      double divisor;

      if (close == NULL)
        return FALSE;
      *close = '\0';
      if (!parse_sum (rec, r + 1, chans))
        return FALSE;
      divisor = chans->len;
      if (close[1] == '/')
        {
          divisor = g_ascii_strtod (close + 2, &end);
          if (end == close + 2 || *end != '\0' || !(divisor > 0) || !isfinite (divisor))
            return FALSE;
        }
      else if (close[1] != '\0')
        return FALSE;
      for (guint i = 0; i < chans->len; i++)
        derivation_add_term (d, g_array_index (chans, guint, i), -1.0 / divisor);
      return TRUE;
    }
  c = find_channel (rec, r);
  if (c < 0)
    return FALSE;
  derivation_add_term (d, c, -1.0);
  return TRUE;
}

AsDerivationSet *
as_derivation_set_parse (const AsRecording *rec, const char *text, const char *source_name,
                         GError **error)
{
  g_autoptr (GArray) out = g_array_new (FALSE, TRUE, sizeof (AsDerivation));
  g_auto (GStrv) lines = NULL;
  const char *name = source_name ? source_name : _("montage");

  g_return_val_if_fail (rec != NULL && text != NULL, NULL);
  g_array_set_clear_func (out, (GDestroyNotify) derivation_clear);
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s: not a text file (invalid UTF-8)"), name);
      return NULL;
    }
  lines = g_strsplit_set (text, "\r\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      char *line = lines[i];
      char *hash = strchr (line, '#');
      int whole;
      gboolean ok = FALSE;
      AsDerivation *d;

      if (hash)
        *hash = '\0';
      g_strstrip (line);
      if (*line == '\0')
        continue;
      /* A channel's own label, as recorded ("EEG Fp1-Ref" holds a dash). */
      whole = -1;
      for (guint c = 0; c < rec->n_channels && whole < 0; c++)
        {
          g_autofree char *label = g_strstrip (g_strdup (rec->channels[c].label ? rec->channels[c].label : ""));
          if (g_ascii_strcasecmp (label, line) == 0)
            whole = c;
        }
      if (whole >= 0)
        {
          derivation_add_term (builder_add (out, line, &rec->channels[whole]), whole, 1.0);
          continue;
        }
      /* "A-B": try every '-' as the separator, so labels may hold one. */
      for (char *dash = strchr (line, '-'); dash && !ok; dash = strchr (dash + 1, '-'))
        {
          g_autofree char *left = g_strndup (line, dash - line);
          int a = find_channel (rec, g_strstrip (left));

          if (a < 0)
            continue;
          d = builder_add (out, line, &rec->channels[a]);
          derivation_add_term (d, a, 1.0);
          ok = add_reference (d, rec, dash + 1);
          if (!ok)
            g_array_set_size (out, out->len - 1);
        }
      /* Last, a channel by its normalised name ("T3" for T7). */
      if (!ok && (whole = find_channel (rec, line)) >= 0)
        {
          derivation_add_term (builder_add (out, line, &rec->channels[whole]), whole, 1.0);
          ok = TRUE;
        }
      if (!ok)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("%s:%u: “%s” is not a derivation of this recording’s channels "
                         "(expected “A-B”, “A”, “A-avg” or “A-(B+C)/2”)"),
                       name, i + 1, line);
          return NULL;
        }
    }
  if (out->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s: no derivation in the montage file"), name);
      return NULL;
    }
  g_array_set_clear_func (out, NULL);
  return set_from_array (g_steal_pointer (&out), AS_DERIVATION_USER, name, NULL);
}

AsDerivationSet *
as_derivation_set_load (const AsRecording *rec, const char *path, GError **error)
{
  g_autofree char *text = NULL;
  g_autofree char *base = g_path_get_basename (path);
  gsize len;

  if (!g_file_get_contents (path, &text, &len, error))
    return NULL;
  if (memchr (text, '\0', len) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s: not a text file (NUL byte)"), path);
      return NULL;
    }
  {
    AsDerivationSet *set = as_derivation_set_parse (rec, text, path, error);
    if (set != NULL)
      {
        g_free (set->name);
        set->name = g_steal_pointer (&base);
      }
    return set;
  }
}

/* Appends a copy of @d (label, unit, type, terms) to the builder array @out. */
static void
copy_derivation (GArray *out, const AsDerivation *d)
{
  AsDerivation *copy = builder_add (out, d->label, &(AsChannel) { .unit = d->unit, .type = d->type });

  for (guint t = 0; t < d->n_terms; t++)
    derivation_add_term (copy, d->channel[t], d->weight[t]);
}

/* The set built in @out, of @like's kind and name and with its missing channels. */
static AsDerivationSet *
set_like (GArray *out, const AsDerivationSet *like)
{
  AsDerivationSet *result = set_from_array (out, like->kind, like->name, NULL);

  for (guint i = 0; i < like->missing->len; i++)
    g_ptr_array_add (result->missing, g_strdup (g_ptr_array_index (like->missing, i)));
  return result;
}

AsDerivationSet *
as_derivation_set_without (const AsDerivationSet *set, const char *const *hidden)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (AsDerivation));

  g_return_val_if_fail (set != NULL, NULL);
  for (guint i = 0; i < set->n_derivations; i++)
    if (hidden == NULL || !g_strv_contains (hidden, set->derivations[i].label))
      copy_derivation (out, &set->derivations[i]);
  return set_like (out, set);
}

AsDerivationSet *
as_derivation_set_ordered (const AsDerivationSet *set, const char *const *order)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (AsDerivation));
  g_autofree gboolean *taken = NULL;

  g_return_val_if_fail (set != NULL, NULL);
  taken = g_new0 (gboolean, MAX (set->n_derivations, 1u));
  /* the listed ones in the list's order, then the rest as they were */
  for (guint o = 0; order != NULL && order[o] != NULL; o++)
    for (guint i = 0; i < set->n_derivations; i++)
      if (!taken[i] && g_strcmp0 (set->derivations[i].label, order[o]) == 0)
        {
          taken[i] = TRUE;
          copy_derivation (out, &set->derivations[i]);
        }
  for (guint i = 0; i < set->n_derivations; i++)
    if (!taken[i])
      copy_derivation (out, &set->derivations[i]);
  return set_like (out, set);
}

AsDerivationSet *
as_derivation_set_new_others (const AsRecording *rec, const AsRecording *learned)
{
  GArray *out;

  g_return_val_if_fail (rec != NULL && learned != NULL, NULL);
  if (fabs (rec->sfreq - learned->sfreq) > 1e-9 * rec->sfreq || rec->n_samples != learned->n_samples)
    return NULL;
  out = g_array_new (FALSE, TRUE, sizeof (AsDerivation));
  for (guint c = 0; c < rec->n_channels; c++)
    {
      gboolean learned_type = FALSE;

      for (guint l = 0; l < learned->n_channels && !learned_type; l++)
        learned_type = learned->channels[l].type == rec->channels[c].type;
      if (!learned_type)
        derivation_add_term (builder_add (out, rec->channels[c].label, &rec->channels[c]), c, 1.0);
    }
  if (out->len == 0)
    {
      g_array_free (out, TRUE);
      return NULL;
    }
  return set_from_array (out, AS_DERIVATION_AS_RECORDED, _("Channels not learned"), NULL);
}

AsRecording *
as_derivation_set_apply (const AsDerivationSet *set, const AsRecording *rec, gsize start, gsize n)
{
  AsRecording *out;

  g_return_val_if_fail (set != NULL && rec != NULL, NULL);
  start = MIN (start, rec->n_samples);
  n = MIN (n, rec->n_samples - start);
  out = as_recording_new (set->n_derivations, n, rec->sfreq);
  out->path = g_strdup (rec->path);
  g_free (out->format);
  out->format = g_strdup (rec->format);
  out->kind = rec->kind;
  if (rec->start_time)
    out->start_time = g_date_time_add_seconds (rec->start_time, start / rec->sfreq);
  for (guint i = 0; i < set->n_derivations; i++)
    {
      const AsDerivation *d = &set->derivations[i];
      double *y = as_recording_channel (out, i);

      as_recording_set_channel (out, i, d->label, d->unit, d->type);
      if (d->n_terms == 1 && d->weight[0] == 1.0)
        {
          out->channels[i].has_position = rec->channels[d->channel[0]].has_position;
          memcpy (out->channels[i].position, rec->channels[d->channel[0]].position,
                  sizeof out->channels[i].position);
        }
      for (guint k = 0; k < d->n_terms; k++)
        {
          const double *x = rec->data + (gsize) d->channel[k] * rec->n_samples + start;
          double w = d->weight[k];
          for (gsize t = 0; t < n; t++)
            y[t] += w * x[t];
        }
    }
  for (guint e = 0; e < rec->events->len; e++)
    {
      const AsEvent *ev = &g_array_index (rec->events, AsEvent, e);
      double t0 = start / rec->sfreq, t1 = (start + n) / rec->sfreq;
      if (ev->onset + ev->duration >= t0 && ev->onset < t1)
        as_recording_add_event (out, ev->onset - t0, ev->duration, ev->label);
    }
  return out;
}

static const char *const kind_names[] = {
  "as-recorded", "average", "linked-ears", "bipolar-longitudinal", "bipolar-transverse", "user",
};

const char *
as_derivation_kind_to_string (AsDerivationKind kind)
{
  g_return_val_if_fail (kind < G_N_ELEMENTS (kind_names), NULL);
  return kind_names[kind];
}

gboolean
as_derivation_kind_from_string (const char *name, AsDerivationKind *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (g_ascii_strcasecmp (name, kind_names[i]) == 0)
      {
        *kind = i;
        return TRUE;
      }
  if (g_ascii_strcasecmp (name, "double-banana") == 0)
    {
      *kind = AS_DERIVATION_BIPOLAR_LONGITUDINAL;
      return TRUE;
    }
  return FALSE;
}
