#!/bin/sh
# Command-line behaviour that does not depend on an engine area:
# --version, --help, and clear errors with exit code 2 for bad usage.
set -u
cli="$1"
fail=0
check () { # description, expected status, command...
  desc="$1"; want="$2"; shift 2
  out=$("$@" 2>&1); got=$?
  if [ "$got" -ne "$want" ]; then
    echo "not ok - $desc: exit $got, expected $want"; echo "$out" | sed 's/^/# /'; fail=1
  else
    echo "ok - $desc"
  fi
}
echo "1..8"
check "--version" 0 "$cli" --version
"$cli" --version | grep -Eq '^atomscope-cli [0-9]+\.[0-9]+' || { echo "not ok - version text"; fail=1; }
check "--help" 0 "$cli" --help
for cmd in info simulate solvers train learn bench; do
  "$cli" --help | grep -q "^  $cmd" || { echo "not ok - --help lists $cmd"; fail=1; }
done
check "no command" 2 "$cli"
check "unknown command" 2 "$cli" frobnicate
"$cli" frobnicate 2>&1 | grep -q 'unknown command' || { echo "not ok - unknown command message"; fail=1; }
check "bench without target" 2 "$cli" bench
check "bench unknown target" 2 "$cli" bench nothing
check "bench teaching unknown preset" 2 "$cli" bench teaching --preset nothing
check "bench teaching goal not positive" 2 "$cli" bench teaching --goal 0
exit $fail
