#!/bin/sh
# atomscope-cli recovery: a tiny grid writes its results and figures, resumes
# without recomputing the cells already in results.csv (and recomputes the
# missing ones identically), refuses a folder of results computed with other
# settings, draws Gaussian / ±1 / Bernoulli problems, and reports bad input
# clearly.
# Copyright 2026 The Atomscope developers
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
cli="$1"
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grid="n=12,m=16,samples=200,sparsity=0.1:0.2:2,coherence=0.3:0.6:2,seeds=1,learners=am,online,unrolled,layers=8"

. "$(dirname "$0")/tap.sh"
check () { d="$1"; w="$2"; shift 2; expect "$d" "$w" '' "$@"; }   # description, expected status, command...
check "tiny grid" 0 "$cli" recovery --grid "$grid" --out "$tmp/r" --depth 15 --jobs 2
rows=$(tail -n +2 "$tmp/r/results.csv" | wc -l)
[ "$rows" -eq 12 ] && ok "12 result rows" || bad "12 result rows (got $rows)"
missing=""
for f in recovery-am recovery-online recovery-unrolled gradient-errors; do
  for e in png svg pdf; do [ -s "$tmp/r/$f.$e" ] || missing="$missing $f.$e"; done
done
[ -z "$missing" ] && ok "figures written" || bad "figures written (missing$missing)"
[ "$(wc -l < "$tmp/r/gradient-errors.csv")" -eq 16 ] && ok "gradient errors for T = 1 … 15" \
  || bad "gradient errors for T = 1 … 15"
# Every recovery score is a number in [0, 1].
awk -F, 'NR > 1 && !($7 >= 0 && $7 <= 1.0000001) { bad = 1 } END { exit bad }' "$tmp/r/results.csv" \
  && ok "scores in [0, 1]" || bad "scores in [0, 1]"

# Resume: drop four rows; the eight kept stay byte for byte (they are not
# recomputed: their time column would change), the four come back with the
# same scores (everything is seeded).
cp "$tmp/r/results.csv" "$tmp/full.csv"
head -n 9 "$tmp/full.csv" > "$tmp/r/results.csv"
out=$("$cli" recovery --grid "$grid" --out "$tmp/r" --depth 0 2>&1)
echo "$out" | grep -q "4 cells computed, 8 taken" && ok "resumes with the 4 missing cells" \
  || { bad "resumes with the 4 missing cells"; echo "$out" | sed 's/^/# /'; }
head -n 9 "$tmp/full.csv" > "$tmp/kept.csv"
head -n 9 "$tmp/r/results.csv" | cmp -s - "$tmp/kept.csv" && ok "kept rows untouched" \
  || bad "kept rows untouched"
cut -d, -f1-11 "$tmp/full.csv" | sort > "$tmp/a"
cut -d, -f1-11 "$tmp/r/results.csv" | sort > "$tmp/b"
cmp -s "$tmp/a" "$tmp/b" && ok "recomputed cells identical" \
  || { bad "recomputed cells identical"; diff "$tmp/a" "$tmp/b" | sed 's/^/# /'; }
out=$("$cli" recovery --grid "$grid" --out "$tmp/r" --depth 0 2>&1)
echo "$out" | grep -q "0 cells computed, 12 taken" && ok "complete grid: nothing recomputed" \
  || { bad "complete grid: nothing recomputed"; echo "$out" | sed 's/^/# /'; }

# Other settings in the same folder are refused, not mixed in.
out=$("$cli" recovery --grid "$grid,snr=10" --out "$tmp/r" --depth 0 2>&1); st=$?
[ $st -eq 1 ] && echo "$out" | grep -q "settings.txt" && echo "$out" | grep -q "snr=10" \
  && ok "other settings refuse the folder" || { bad "other settings refuse the folder"; echo "$out" | sed 's/^/# /'; }

# A Gaussian dictionary (coherence 0), ±1 amplitudes, Bernoulli supports.
g2="n=12,m=16,samples=200,sparsity=0.2,coherence=0,0.5,seeds=1,learners=am,amplitude=sign,support=bernoulli"
check "Gaussian dictionary, sign amplitudes, Bernoulli supports" 0 \
  "$cli" recovery --grid "$g2" --out "$tmp/g" --depth 0
awk -F, 'NR > 1 && $3 == 0 { gauss++; if (!($6 > 0.3 && $6 < 1)) bad = 1 }
         NR > 1 && $3 == 0.5 { if (($6 - 0.5)^2 > 1e-10) bad = 1 }
         END { exit bad || gauss != 1 }' "$tmp/g/results.csv" \
  && ok "Gaussian row reports the coherence it reached, the other its target" \
  || { bad "Gaussian row reports the coherence it reached"; sed 's/^/# /' "$tmp/g/results.csv"; }
grep -q "amplitude=sign,support=bernoulli" "$tmp/g/settings.txt" && ok "settings.txt written" \
  || bad "settings.txt written"

# Bad input.
check "unknown amplitude law" 2 "$cli" recovery --grid "amplitude=cauchy" --out "$tmp/x"
check "unknown grid item" 2 "$cli" recovery --grid "sparsity=0.1,colour=3" --out "$tmp/x"
mkdir -p "$tmp/bad"; printf 'am,1,2\n' > "$tmp/bad/results.csv"
out=$("$cli" recovery --grid "$grid" --out "$tmp/bad" 2>&1); st=$?
[ $st -eq 1 ] && echo "$out" | grep -q "results.csv, line 1" && ok "malformed results file named with its line" \
  || { bad "malformed results file named with its line"; echo "$out" | sed 's/^/# /'; }
check "--out is required" 2 "$cli" recovery --grid "$grid"
echo "1..$n"
exit $fail
