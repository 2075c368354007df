/* as-rng.h: a seeded, reproducible random generator (xoshiro256**).
 *
 * Same seed, same numbers, on every machine: simulations and tests rely on it.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint64 s[4];
  gboolean has_spare;
  double   spare;
} AsRng;

void     as_rng_init      (AsRng *rng, guint64 seed);
guint64  as_rng_next      (AsRng *rng);
double   as_rng_uniform   (AsRng *rng);                 /* [0, 1) */
double   as_rng_normal    (AsRng *rng);                 /* N(0, 1) */
guint32  as_rng_below     (AsRng *rng, guint32 bound);  /* uniform in [0, bound) */
void     as_rng_normal_fill (AsRng *rng, double *out, gsize n);
void     as_rng_shuffle   (AsRng *rng, guint *items, gsize n);

G_END_DECLS
