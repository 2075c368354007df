/* as-rng.c: xoshiro256** (Blackman & Vigna 2018), seeded by splitmix64,
 * and the polar Box–Muller method for normal deviates.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "as-rng.h"

static inline guint64
rotl (guint64 x, int k)
{
  return (x << k) | (x >> (64 - k));
}

static guint64
splitmix64 (guint64 *state)
{
  guint64 z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void
as_rng_init (AsRng *rng, guint64 seed)
{
  guint64 st = seed;

  for (int i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&st);
  rng->has_spare = FALSE;
  rng->spare = 0.0;
}

guint64
as_rng_next (AsRng *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

double
as_rng_uniform (AsRng *rng)
{
  /* 53 random bits into [0, 1). */
  return (double) (as_rng_next (rng) >> 11) * 0x1.0p-53;
}

double
as_rng_normal (AsRng *rng)
{
  double u, v, s;

  if (rng->has_spare)
    {
      rng->has_spare = FALSE;
      return rng->spare;
    }
  do
    {
      u = 2.0 * as_rng_uniform (rng) - 1.0;
      v = 2.0 * as_rng_uniform (rng) - 1.0;
      s = u * u + v * v;
    }
  while (s >= 1.0 || s == 0.0);
  s = sqrt (-2.0 * log (s) / s);
  rng->spare = v * s;
  rng->has_spare = TRUE;
  return u * s;
}

guint32
as_rng_below (AsRng *rng, guint32 bound)
{
  /* Lemire's nearly divisionless method, with rejection for exactness. */
  guint64 m;
  guint32 l;

  g_return_val_if_fail (bound > 0, 0);
  m = (as_rng_next (rng) >> 32) * (guint64) bound;
  l = (guint32) m;
  if (l < bound)
    {
      guint32 t = (guint32) (-bound) % bound;
      while (l < t)
        {
          m = (as_rng_next (rng) >> 32) * (guint64) bound;
          l = (guint32) m;
        }
    }
  return (guint32) (m >> 32);
}

void
as_rng_normal_fill (AsRng *rng, double *out, gsize n)
{
  for (gsize i = 0; i < n; i++)
    out[i] = as_rng_normal (rng);
}

void
as_rng_shuffle (AsRng *rng, guint *items, gsize n)
{
  for (gsize i = n; i > 1; i--)
    {
      guint32 j = as_rng_below (rng, (guint32) i);
      guint tmp = items[i - 1];
      items[i - 1] = items[j];
      items[j] = tmp;
    }
}
