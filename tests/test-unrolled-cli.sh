#!/bin/sh
# `atomscope-cli train`: trains, prints the table, saves a network folder,
# refuses to overwrite it without --force, rejects bad usage with exit 2.
set -u
cli="$1"
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check () { # description, expected status, command...
  desc="$1"; want="$2"; shift 2
  out=$("$@" 2>&1); got=$?
  if [ "$got" -ne "$want" ]; then
    echo "not ok - $desc: exit $got, expected $want"; echo "$out" | sed 's/^/# /'; fail=1
  else
    echo "ok - $desc"
  fi
}
echo "1..11"
args="--layers 3 --n 6 --m 12 --train-size 40 --test-size 20 --epochs 3"
check "train slista" 0 "$cli" train --kind slista $args --out "$tmp/net"
[ -f "$tmp/net/network.json" ] && [ -f "$tmp/net/params.npy" ] && [ -f "$tmp/net/steps.npy" ] \
  && echo "ok - network folder written" || { echo "not ok - network folder written"; fail=1; }
grep -q '"kind" : "slista"' "$tmp/net/network.json" && echo "ok - header kind" || { echo "not ok - header kind"; fail=1; }
check "no overwrite without --force" 1 "$cli" train --kind slista $args --out "$tmp/net"
check "overwrite with --force" 0 "$cli" train --kind lista $args --out "$tmp/net" --force
"$cli" train --kind lista-cp $args 2>&1 | grep -q "ISTA mean" && echo "ok - gap table printed" || { echo "not ok - gap table printed"; fail=1; }
check "unknown kind" 2 "$cli" train --kind foo
check "bad lambda fraction" 2 "$cli" train --lambda-fraction 1.5
check "train float32, two threads, every layer, adaptive" 0 "$cli" train --kind lista $args \
  --float32 --threads 2 --every-layer --schedule adaptive
out=$("$cli" bench unrolled --quick --peer "$tmp/no-such-folder" 2>&1); got=$?
if [ "$got" -eq 1 ] && echo "$out" | grep -q "no-such-folder"; then
  echo "ok - bench with a missing peer folder names it"
else
  echo "not ok - bench with a missing peer folder names it: exit $got"; echo "$out" | sed 's/^/# /'; fail=1
fi
check "bad thread count" 2 "$cli" train --threads 3
exit $fail
