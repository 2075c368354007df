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
echo "1..38"
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

# Parameters checked in one place: the message names the option and what it takes (exit 2).
refuse () { # description, expected text, command...
  desc="$1"; want="$2"; shift 2
  n=$((n + 1))
  out=$("$@" 2>&1); got=$?
  if [ "$got" -eq 2 ] && printf '%s' "$out" | grep -qF -- "$want"; then
    echo "ok $n - $desc"
  else
    echo "not ok $n - $desc: exit $got"; echo "$out" | sed 's/^/# /'; fail=1
  fi
}
refuse "-l 0 is refused" "--atom-length 0 is out of range" "$cli" learn "$csv" --out "$tmp/c" -l 0
refuse "-l nan is refused" "--atom-length nan is out of range" "$cli" learn "$csv" --out "$tmp/c" -l nan
refuse "--atom-samples 0 is refused" "--atom-samples 0 is out of range" "$cli" learn "$csv" --out "$tmp/c" --atom-samples 0
refuse "--rate 0 is refused" "--rate 0 is out of range" "$cli" learn "$csv" --out "$tmp/c" --rate 0
refuse "--rate on a file with a time column says so" "--rate does not apply" "$cli" learn "$csv" --out "$tmp/c" --rate 100
refuse "-k 2147483647 is refused" "--atoms 2147483647 is out of range" "$cli" learn "$csv" --out "$tmp/c" -k 2147483647
refuse "-k larger than the data holds is refused" "so it takes at most" "$cli" learn "$csv" --out "$tmp/c" -k 1000
refuse "--online --batch 100000 is refused" "--batch 100000 is more than the" "$cli" learn "$csv" --out "$tmp/c" --online --batch 100000
check "--online on a short recording takes a minibatch it has room for" 0 "$cli" learn "$csv" --out "$tmp/o" --online -q
refuse "--batch without --online says so" "--batch applies to online learning only" "$cli" learn "$csv" --out "$tmp/c" --batch 4
refuse "a high-pass above Nyquist is refused" "Nyquist" "$cli" learn "$csv" --out "$tmp/c" --highpass 150
refuse "an unknown channel is named" "no channel of" "$cli" learn "$csv" --out "$tmp/c" --channels Fp1
n=$((n + 1))
if [ ! -e "$tmp/c" ]; then echo "ok $n - nothing written on refused parameters"; else echo "not ok $n - nothing written on refused parameters"; fail=1; fi

# The end state: the same words on the terminal and in run.json.
agree () { # description, words, options...
  desc="$1"; words="$2"; shift 2
  n=$((n + 1))
  rm -rf "$tmp/e"
  out=$("$cli" learn "$csv" --out "$tmp/e" -q "$@" 2>&1); got=$?
  if [ "$got" -eq 0 ] && printf '%s' "$out" | grep -qF "$words" \
     && grep -qF "\"end_state\": \"$words\"" "$tmp/e/run.json"; then
    echo "ok $n - $desc"
  else
    echo "not ok $n - $desc: exit $got"; echo "$out" | sed 's/^/# /'; grep end_state "$tmp/e/run.json" | sed 's/^/# /'; fail=1
  fi
}
agree "iteration limit: terminal and run.json agree" "stopped at the iteration limit" --iterations 2 --tol 0
agree "convergence: terminal and run.json agree" "converged (tolerance reached)" --iterations 200 --tol 0.01

# The window's preprocessing as options, recorded in run.json.
check "learn with preprocessing options" 0 "$cli" learn "$csv" --out "$tmp/p" -q --highpass 0.2 --lowpass 30 --notch 50 --start 1 --end 11 --resample 100 --threads 1 --save-data "$tmp/p.npy"
n=$((n + 1))
if grep -q '"highpass_hz": 0.2' "$tmp/p/run.json" && grep -q '"lowpass_hz": 30' "$tmp/p/run.json" \
   && grep -q '"notch_hz": 50' "$tmp/p/run.json" && grep -q '"resample_hz": 100' "$tmp/p/run.json" \
   && grep -q '"crop_start_s": 1' "$tmp/p/run.json" && grep -q '"sfreq": 100' "$tmp/p/run.json"; then
  echo "ok $n - run.json records the preprocessing applied"
else
  echo "not ok $n - run.json records the preprocessing applied"; grep -A30 '"preprocessing"' "$tmp/p/run.json" | sed 's/^/# /'; fail=1
fi
# The saved array (1 trial × 1 channel × 1000 samples) is alphacsc's layout and learns again.
check "learn on an NPY of trials × channels × samples" 0 "$cli" learn "$tmp/p.npy" --rate 100 --out "$tmp/q" -q --atom-length 0.27
n=$((n + 1))
if grep -q '"n_trials": 1' "$tmp/q/run.json" && grep -q '"signal_width": 1000' "$tmp/q/run.json"; then
  echo "ok $n - the NPY array was read as trials × channels × samples"
else
  echo "not ok $n - the NPY array was read as trials × channels × samples"; fail=1
fi
# Flat channels are listed, and degenerate data is a clear error (exit 1).
printf 'time_s,eye_x,ref\n' > "$tmp/flat.csv"
awk 'BEGIN { for (i = 0; i < 2000; i++) printf "%.3f,%.4f,-12000\n", i / 200, sin(i / 9) + (i % 54 == 0) }' >> "$tmp/flat.csv"
n=$((n + 1))
out=$("$cli" learn "$tmp/flat.csv" --out "$tmp/f" --kind generic -k 1 2>&1)
if [ $? -eq 0 ] && printf '%s' "$out" | grep -qF "Left out of learning: ref: constant (-12000)" \
   && grep -q '"ref: constant (-12000)"' "$tmp/f/run.json"; then
  echo "ok $n - a constant channel is left out and listed"
else
  echo "not ok $n - a constant channel is left out and listed"; echo "$out" | sed 's/^/# /'; fail=1
fi
printf 'time_s,a\n' > "$tmp/zero.csv"
awk 'BEGIN { for (i = 0; i < 500; i++) printf "%.3f,0\n", i / 100 }' >> "$tmp/zero.csv"
n=$((n + 1))
out=$("$cli" learn "$tmp/zero.csv" --out "$tmp/z" 2>&1)
if [ $? -eq 1 ] && printf '%s' "$out" | grep -qF "no channel has a usable signal"; then
  echo "ok $n - an all-zero recording is a clear error"
else
  echo "not ok $n - an all-zero recording is a clear error"; echo "$out" | sed 's/^/# /'; fail=1
fi
exit $fail
