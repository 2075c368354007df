/* cli-read.h: the options that say how to read a recording, shared by the
 * subcommands that open one (info, learn).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-reader.h"

typedef struct
{
  double   sfreq;
  gboolean strict_rates;
  gboolean resample;      /* accepted for compatibility: resampling is the default */
  char    *separator, *decimal, *time_column, *names, *units;
  int      skip;
  gboolean rows;
  char   **event_files;
} AsCliRead;

/* The option group (--rate, --strict-rates, --separator, --decimal, --skip,
 * --rows, --time-column, --add-events) writing into r. */
GOptionGroup *as_cli_read_group   (AsCliRead *r);
/* Fills opts from r; prints the error and returns FALSE on a bad value. */
gboolean      as_cli_read_options (AsCliRead *r, AsReadOptions *opts, const char *command);
/* Opens path with r's options and adds the events of r's event files; prints
 * the error and returns NULL on failure. */
AsRecording  *as_cli_read_load    (AsCliRead *r, const char *path, const char *command);
void          as_cli_read_clear   (AsCliRead *r);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AsCliRead, as_cli_read_clear)
