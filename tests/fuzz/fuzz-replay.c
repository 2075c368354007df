/* fuzz-replay.c: main() for fuzz targets built without libFuzzer.
 *
 * Replays every file of the corpus folders given on the command line, then,
 * for the seconds in $ATOMSCOPE_FUZZ_SECONDS, feeds random mutations of
 * them (bit flips, byte changes, truncations, duplicated chunks) from a
 * seeded generator ($ATOMSCOPE_FUZZ_SEED, printed so a failure can be
 * replayed).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "fuzz-common.h"

static void
add_path (GPtrArray *inputs, const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;
      g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      while (dir && (name = g_dir_read_name (dir)) != NULL)
        g_ptr_array_add (names, g_build_filename (path, name, NULL));
      g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
      for (guint i = 0; i < names->len; i++)
        add_path (inputs, g_ptr_array_index (names, i));
      return;
    }
  {
    char *data;
    gsize len;
    if (g_file_get_contents (path, &data, &len, NULL))
      g_ptr_array_add (inputs, g_bytes_new_take (data, len));
    else
      fprintf (stderr, "cannot read %s\n", path);
  }
}

int
main (int argc, char **argv)
{
  g_autoptr (GPtrArray) inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  const char *secs = g_getenv ("ATOMSCOPE_FUZZ_SECONDS");
  const char *seed_s = g_getenv ("ATOMSCOPE_FUZZ_SEED");
  guint32 seed = seed_s ? (guint32) g_ascii_strtoull (seed_s, NULL, 10) : (guint32) g_get_real_time ();
  double budget = secs ? g_ascii_strtod (secs, NULL) : 0;
  GRand *rng;
  gint64 end;
  guint64 runs = 0;

  for (int i = 1; i < argc; i++)
    if (argv[i][0] != '-')
      add_path (inputs, argv[i]);
  for (guint i = 0; i < inputs->len; i++)
    {
      gsize len;
      const guint8 *d = g_bytes_get_data (g_ptr_array_index (inputs, i), &len);
      guint8 *copy = g_memdup2 (d, len);  /* exact size, so overreads are seen */
      LLVMFuzzerTestOneInput (copy, len);
      g_free (copy);
    }
  printf ("%s: replayed %u inputs\n", argv[0], inputs->len);
  if (budget <= 0 || inputs->len == 0)
    return 0;
  printf ("%s: mutating for %g s, ATOMSCOPE_FUZZ_SEED=%u\n", argv[0], budget, seed);
  fflush (stdout);
  rng = g_rand_new_with_seed (seed);
  end = g_get_monotonic_time () + (gint64) (budget * 1e6);
  while (g_get_monotonic_time () < end)
    {
      gsize len;
      const guint8 *d = g_bytes_get_data (g_ptr_array_index (inputs, g_rand_int_range (rng, 0, inputs->len)), &len);
      GByteArray *m = g_byte_array_sized_new (len + 64);
      int n_mut = g_rand_int_range (rng, 1, 9);

      g_byte_array_append (m, d, len);
      for (int k = 0; k < n_mut; k++)
        {
          int op = g_rand_int_range (rng, 0, 6);
          gsize pos = m->len ? g_rand_int_range (rng, 0, m->len) : 0;
          static const char *const tokens[] = { ",", ";", "\t", "\n", ".", "-", "nan", "1e308",
                                                "0", "99999999", " ", "\xff", "\"", "[", "(" };
          switch (op)
            {
            case 0:
              if (m->len)
                m->data[pos] ^= 1u << g_rand_int_range (rng, 0, 8);
              break;
            case 1:
              if (m->len)
                m->data[pos] = g_rand_int_range (rng, 0, 256);
              break;
            case 2:
              g_byte_array_set_size (m, pos);
              break;
            case 3:
              {
                const char *t = tokens[g_rand_int_range (rng, 0, G_N_ELEMENTS (tokens))];
                g_byte_array_remove_range (m, 0, 0);
                {
                  GByteArray *tail = g_byte_array_new ();
                  g_byte_array_append (tail, m->data + pos, m->len - pos);
                  g_byte_array_set_size (m, pos);
                  g_byte_array_append (m, (const guint8 *) t, strlen (t));
                  g_byte_array_append (m, tail->data, tail->len);
                  g_byte_array_unref (tail);
                }
              }
              break;
            case 4:
              if (m->len > 1)
                {
                  gsize l = g_rand_int_range (rng, 1, MIN (m->len - pos, 64) + 1);
                  g_byte_array_remove_range (m, pos, MIN (l, m->len - pos));
                }
              break;
            default:
              if (m->len > 0 && m->len < (1u << 20))
                {
                  gsize l = MIN ((gsize) g_rand_int_range (rng, 1, 65), m->len - pos);
                  guint8 *chunk = g_memdup2 (m->data + pos, l);
                  g_byte_array_append (m, chunk, l);
                  g_free (chunk);
                }
              break;
            }
        }
      {
        guint8 *copy = g_memdup2 (m->data, m->len);
        LLVMFuzzerTestOneInput (copy, m->len);
        g_free (copy);
      }
      g_byte_array_unref (m);
      runs++;
    }
  g_rand_free (rng);
  printf ("%s: %" G_GUINT64_FORMAT " mutated inputs, no failure\n", argv[0], runs);
  return 0;
}
