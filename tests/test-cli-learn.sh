#!/bin/sh
# "atomscope-cli learn": outputs, no overwrite without --force, usage errors (exit 2).
set -u
cli="$1"
data="${G_TEST_SRCDIR:-$(dirname "$0")}/data"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0
check () { # description, expected status, command...
  desc="$1"; want="$2"; shift 2
  n=$((n + 1))
  out=$("$@" 2>&1); got=$?
  if [ "$got" -ne "$want" ]; then
    echo "not ok $n - $desc: exit $got, expected $want"; echo "$out" | sed 's/^/# /'; fail=1
  else
    echo "ok $n - $desc"
  fi
}
csv="$data/nystagmus_infantile_avramidis_200Hz.csv"
echo "1..17"
check "learn on a CSV recording" 0 "$cli" learn "$csv" --out "$tmp/a" --atoms 2 --atom-length 0.25 --iterations 10 -q
for f in atoms.npy activations.npy u.npy v.npy run.json; do
  n=$((n + 1))
  if [ -s "$tmp/a/$f" ]; then echo "ok $n - wrote $f"; else echo "not ok $n - wrote $f"; fail=1; fi
done
n=$((n + 1))
if grep -q '"atom_width": 50' "$tmp/a/run.json" && grep -q '"trace"' "$tmp/a/run.json"; then
  echo "ok $n - run.json describes the run"
else
  echo "not ok $n - run.json describes the run"; fail=1
fi
check "refuses to overwrite" 1 "$cli" learn "$csv" --out "$tmp/a" --atoms 2 --atom-length 0.25 --iterations 2 -q
check "overwrites with --force" 0 "$cli" learn "$csv" --out "$tmp/a" --atoms 2 --atom-length 0.25 --iterations 2 --full --signed --init chunk --force -q
n=$((n + 1))
if [ ! -e "$tmp/a/u.npy" ] && [ ! -e "$tmp/a/v.npy" ] && grep -q '"rank1": false' "$tmp/a/run.json"; then
  echo "ok $n - --force replaced the whole folder (no rank-1 u.npy, v.npy left)"
else
  echo "not ok $n - --force replaced the whole folder"; ls "$tmp/a" | sed 's/^/# /'; fail=1
fi
n=$((n + 1))
if ls -A "$tmp" | grep -q '\.part'; then
  echo "not ok $n - no temporary folder left"; ls -A "$tmp" | sed 's/^/# /'; fail=1
else
  echo "ok $n - no temporary folder left"
fi
# A file name that is not UTF-8: run.json stays valid JSON and keeps the bytes escaped.
bad=$(printf 'rec\377\376 \303\251.csv')
cp "$csv" "$tmp/$bad"
check "learn on a file whose name is not UTF-8" 0 "$cli" learn "$tmp/$bad" --out "$tmp/u8" --atoms 1 --iterations 2 -q
n=$((n + 1))
if python3 -c '
import json, sys
run = json.load(open(sys.argv[1], encoding="utf-8"))
assert run["source_escaped"] is True and run["source"].endswith("rec\\xFF\\xFE \u00e9.csv"), run["source"]
' "$tmp/u8/run.json"; then
  echo "ok $n - run.json is valid JSON with the name's bytes escaped"
else
  echo "not ok $n - run.json is valid JSON with the name's bytes escaped"; fail=1
fi
# An output that cannot be written is refused before any learning.
n=$((n + 1))
out=$("$cli" learn "$csv" --out /proc/atomscope-no/model --atoms 1 --iterations 50 2>&1); st=$?
if [ $st -eq 1 ] && ! echo "$out" | grep -q "^iteration"; then
  echo "ok $n - an unwritable output folder is refused before learning"
else
  echo "not ok $n - an unwritable output folder is refused before learning (exit $st)"; echo "$out" | sed 's/^/# /'; fail=1
fi
check "missing --out is a usage error" 2 "$cli" learn "$csv"
check "unknown --init is a usage error" 2 "$cli" learn "$csv" --out "$tmp/b" --init nonsense
check "--rank1 with --full is a usage error" 2 "$cli" learn "$csv" --out "$tmp/b" --rank1 --full
exit $fail
