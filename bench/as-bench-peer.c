/* as-bench-peer.c: running a peer library (Python) beside a benchmark.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-bench"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "as-bench-peer.h"

#define PYTHON "/usr/bin/python3"

/* The installed copy, or the source tree's when running from a build folder;
 * $ATOMSCOPE_BENCHDIR first. */
static char *
find_script (const char *script, GError **error)
{
  g_autofree char *installed = g_build_filename (PKGDATADIR, "bench", script, NULL);
  g_autofree char *source = g_build_filename (SOURCE_DATADIR, "..", "bench", script, NULL);
  g_autofree char *env = g_getenv ("ATOMSCOPE_BENCHDIR")
                           ? g_build_filename (g_getenv ("ATOMSCOPE_BENCHDIR"), script, NULL) : NULL;
  const char *candidates[] = { env, installed, source };

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    if (candidates[i] != NULL && g_file_test (candidates[i], G_FILE_TEST_IS_REGULAR))
      return g_strdup (candidates[i]);
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
               _("The peer script “%s” is not installed (looked in %s)"), script, installed);
  return NULL;
}

char *
as_bench_peer_run (const char *script, const char *peer_dir, guint n_threads,
                   const char *const *args, GError **error)
{
  g_autofree char *path = find_script (script, error);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_auto (GStrv) envp = g_get_environ ();
  g_autofree char *threads = g_strdup_printf ("%u", n_threads);
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;

  if (path == NULL)
    return NULL;
  if (!g_file_test (peer_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   _("The peer folder “%s” does not exist"), peer_dir);
      return NULL;
    }
  g_ptr_array_add (argv, (gpointer) PYTHON);
  g_ptr_array_add (argv, path);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  envp = g_environ_setenv (envp, "PYTHONPATH", peer_dir, TRUE);
  envp = g_environ_setenv (envp, "PYTHONDONTWRITEBYTECODE", "1", TRUE);
  envp = g_environ_setenv (envp, "OPENBLAS_NUM_THREADS", threads, TRUE);
  envp = g_environ_setenv (envp, "OMP_NUM_THREADS", threads, TRUE);
  envp = g_environ_setenv (envp, "MKL_NUM_THREADS", threads, TRUE);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, &err, &status, error))
    return NULL;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                   _("The peer script “%s” failed: %s"), script, err ? g_strstrip (err) : "");
      return NULL;
    }
  return g_steal_pointer (&out);
}
