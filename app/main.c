/* main.c: the window entry point.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>

#include "atomscope-application.h"

int
main (int argc, char **argv)
{
  g_autoptr (AtomscopeApplication) app = NULL;

  setlocale (LC_ALL, "");
  atomscope_ui_init ();
  app = atomscope_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
