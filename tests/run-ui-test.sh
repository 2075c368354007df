#!/bin/sh
# Runs one UI test binary in a virtual X display with its own session bus,
# so a missing desktop session neither blocks nor aborts the test.
set -eu
export GDK_BACKEND=x11
export GSK_RENDERER="${GSK_RENDERER:-cairo}"
export GTK_A11Y=none
export NO_AT_BRIDGE=1
exec xvfb-run -a -s "-screen 0 1600x1200x24 -nolisten tcp" dbus-run-session -- "$@"
