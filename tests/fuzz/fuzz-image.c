/* fuzz-image.c: PNG/JPEG through GdkPixbuf into AsImage.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "as-image.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AsImage) img = as_image_load_bytes ("fuzz.png", data, size, &error);

  if ((img == NULL) == (error == NULL))
    abort ();
  if (img == NULL)
    {
      if (strstr (error->message, "fuzz.png") == NULL)
        abort ();
      return 0;
    }
  if (img->width == 0 || img->height == 0 || (img->n_channels != 1 && img->n_channels != 3))
    abort ();
  for (gsize i = 0; i < (gsize) img->width * img->height * img->n_channels; i++)
    if (!(img->data[i] >= 0 && img->data[i] <= 1))
      abort ();
  return 0;
}
