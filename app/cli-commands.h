/* cli-commands.h: the subcommands of atomscope-cli.
 *
 * Each takes the arguments after its name (argv[0] is the subcommand) and
 * returns the exit status: 0 on success, 1 on failure, 2 on a usage error.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

int as_cli_info          (int argc, char **argv);  /* cli-info.c     */
int as_cli_annotate      (int argc, char **argv);  /* cli-annotate.c */
int as_cli_simulate      (int argc, char **argv);  /* cli-lasso.c    */
int as_cli_solvers       (int argc, char **argv);  /* cli-lasso.c    */
int as_cli_bench_lasso   (int argc, char **argv);  /* cli-lasso.c    */
int as_cli_train         (int argc, char **argv);  /* cli-unrolled.c */
int as_cli_bench_unrolled (int argc, char **argv); /* cli-unrolled.c */
int as_cli_learn         (int argc, char **argv);  /* cli-cdl.c      */
int as_cli_plot          (int argc, char **argv);  /* cli-plot.c     */
int as_cli_bench_cdl     (int argc, char **argv);  /* cli-cdl.c      */
int as_cli_nystagmus     (int argc, char **argv);  /* cli-nystagmus.c */
int as_cli_events        (int argc, char **argv);  /* cli-events.c   */
int as_cli_bench_events  (int argc, char **argv);  /* cli-events.c   */
int as_cli_bench_browser (int argc, char **argv); /* cli-browser.c  */
int as_cli_bench_teaching (int argc, char **argv); /* cli-teaching.c */
int as_cli_recovery      (int argc, char **argv);  /* cli-recovery.c */
int as_cli_encode        (int argc, char **argv);  /* cli-encode.c   */
int as_cli_learn_distributed (int argc, char **argv); /* cli-distributed.c: learn --distributed */
int as_cli_bench_distributed (int argc, char **argv); /* cli-distributed.c */
int as_cli_encode_distributed (int argc, char **argv); /* cli-distributed.c: encode --distributed */

/* Parses the options of @command with translated help; on failure prints the
 * error and returns FALSE (the caller exits with status 2). */
#include <glib.h>
gboolean as_cli_parse_options (GOptionContext *context, int *argc, char ***argv,
                              const char *command);

/* Figures of a learned model (cli-plot.c): figure-atoms, figure-raster and
 * figure-convergence in @dir; @rec (may be NULL) gives the sampling rate and
 * the electrode positions for topographies. */
#include "as-figure-export.h"
#include "as-cdl.h"
#include "as-recording.h"
gboolean as_cli_write_figures (AsCdlModel *model, AsRecording *rec, const char *source,
                               const char *dir, AsFigureFormat format, double dpi,
                               gboolean overwrite, gboolean quiet, GError **error);
gboolean as_cli_check_figures (const char *dir, AsFigureFormat format, gboolean overwrite,
                               GError **error);
gboolean as_cli_parse_format  (const char *text, AsFigureFormat *format);

/* Prints "atomscope-cli COMMAND: MESSAGE" on stderr. */
void as_cli_error        (const char *command, const char *format, ...) __attribute__ ((format (printf, 2, 3)));
