/* as-engine.c: process-wide engine set-up.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-engine"

#include "config.h"

#include <cblas.h>
#include <fftw3.h>

#include "as-engine.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

G_DEFINE_QUARK (as-engine-error-quark, as_engine_error)

static int blas_threads = 1;

/* The one place where the number of OpenBLAS threads is decided (DESIGN.md,
 * "Threads"): a window keeps one core for its main loop, so BLAS gets the
 * others; the command line gets them all, unless OPENBLAS_NUM_THREADS says otherwise (the
 * variable OpenBLAS users set).  ATOMSCOPE_BLAS_THREADS overrides both. */
void
as_engine_init (AsEngineRole role)
{
  int n_cores = (int) g_get_num_processors ();
  int n = role == AS_ENGINE_ROLE_INTERACTIVE ? MAX (1, n_cores - 1) : MAX (1, n_cores);
  const char *env = g_getenv ("ATOMSCOPE_BLAS_THREADS");
  const char *openblas = g_getenv ("OPENBLAS_NUM_THREADS");

  static gsize fftw_ready = 0;

  if (role == AS_ENGINE_ROLE_HEADLESS && openblas != NULL && g_ascii_strtoll (openblas, NULL, 10) > 0)
    n = (int) MIN (g_ascii_strtoll (openblas, NULL, 10), 4096);
  if (env != NULL && g_ascii_strtoll (env, NULL, 10) > 0)
    n = (int) g_ascii_strtoll (env, NULL, 10);
  as_engine_set_blas_threads (n);

#ifdef __GLIBC__
  /* Pages, spans and work arrays of a few MB are allocated and freed at every page
   * drawn and every solver step.  glibc's adaptive thresholds hand such blocks back to
   * the system and fault them in again, page by page, at the next allocation, which
   * tripled the time to draw a filtered page of a day-long EEG; blocks up to 32 MiB stay
   * in the heap, and up to 32 MiB of free heap is kept for reuse (more kept the window's
   * resident memory growing over hours of use).  The environment
   * (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_, GLIBC_TUNABLES) still decides
   * when it says. */
  if (g_getenv ("MALLOC_MMAP_THRESHOLD_") == NULL && g_getenv ("MALLOC_TRIM_THRESHOLD_") == NULL
      && g_getenv ("GLIBC_TUNABLES") == NULL)
    {
      mallopt (M_MMAP_THRESHOLD, 32 << 20);
      mallopt (M_TRIM_THRESHOLD, 32 << 20);
    }
#endif

  /* FFTW's planner is not thread-safe by default, and jobs plan on their own
   * worker threads: serialise planning once for the whole process. */
  if (g_once_init_enter (&fftw_ready))
    {
      fftw_make_planner_thread_safe ();
      g_once_init_leave (&fftw_ready, 1);
    }
}

void
as_engine_set_blas_threads (int n_threads)
{
  blas_threads = MAX (1, n_threads);
  openblas_set_num_threads (blas_threads);
}

int
as_engine_get_blas_threads (void)
{
  return blas_threads;
}

const char *
as_engine_version (void)
{
  return PACKAGE_VERSION;
}

/* Background work runs beside a window on few cores: on Linux each thread has
 * its own nice value, so a worker that calls this (and the BLAS calls it makes
 * on its own thread) yields to the main loop and the display server. */
void
as_engine_lower_thread_priority (void)
{
#ifdef __linux__
  (void) setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), 10);
#endif
}
