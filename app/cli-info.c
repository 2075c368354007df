/* cli-info.c: placeholder until the engine area lands; replaced by its owner.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cli-commands.h"

int
as_cli_info (int argc, char **argv)
{
  as_cli_error (argv[0], "%s", _("this command is not available in this build yet"));
  return 1;
}
