#!/bin/sh
# atomscope-cli simulate and solvers (issue 3): files written, final gaps small,
# usage errors give exit status 2.
# Copyright 2026 The Atomscope developers
# SPDX-License-Identifier: GPL-3.0-or-later
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

echo "1..17"
check "simulate" 0 "$cli" simulate --n 20 --m 50 --n-signals 4 --rho 0.1 --seed 3 "$tmp/p"
for f in D.npy X.npy Z_true.npy params.json; do
  [ -s "$tmp/p/$f" ] || { echo "not ok - simulate wrote $f"; fail=1; }
done
grep -q '"m" : 50' "$tmp/p/params.json" && echo "ok - params.json has m" || { echo "not ok - params.json has m"; fail=1; }
check "simulate refuses to overwrite" 1 "$cli" simulate --n 20 --m 50 --n-signals 4 "$tmp/p"
check "simulate --overwrite" 0 "$cli" simulate --n 20 --m 50 --n-signals 4 --rho 0.1 --seed 3 --overwrite "$tmp/p"

check "solvers on the simulated problem" 0 "$cli" solvers --problem "$tmp/p" --output "$tmp/curves.csv" \
  --summary "$tmp/summary.json" --max-iter 20000 --tol 1e-10 --restart
[ -s "$tmp/curves.csv" ] && echo "ok - CSV exists" || { echo "not ok - CSV exists"; fail=1; }
head -1 "$tmp/curves.csv" | grep -q '^solver,signal,iteration,time,objective,gap,suboptimality,support$' \
  && echo "ok - CSV header" || { echo "not ok - CSV header"; fail=1; }
# Last row of every (solver, signal): gap and suboptimality below 1e-9.
awk -F, 'NR > 1 { key = $1 "," $2; gap[key] = $6; sub_[key] = $7 }
         END { bad = 0; n = 0
               for (k in gap) { n++; if (gap[k] + 0 > 1e-9 || sub_[k] + 0 > 1e-9) { print "# " k " gap " gap[k] " subopt " sub_[k]; bad = 1 } }
               if (n != 20) { print "# expected 5 solvers x 4 signals, got " n; bad = 1 }
               exit bad }' "$tmp/curves.csv" \
  && echo "ok - final gaps small for every solver and signal" || { echo "not ok - final gaps small"; fail=1; }
grep -q '"converged" : true' "$tmp/summary.json" && echo "ok - summary" || { echo "not ok - summary"; fail=1; }

check "solvers on a simulated problem, non-negative" 0 "$cli" solvers --n 16 --m 32 --n-signals 3 --positive \
  --solvers cd,fista --lambda-fraction 0.2 --output "$tmp/pos.csv"
check "solvers from NPY files" 0 "$cli" solvers --load-dictionary "$tmp/p/D.npy" --load-signals "$tmp/p/X.npy" \
  --solvers greedy-cd --lambda 0.05 --output "$tmp/load.csv" --no-reference

check "bad solver name" 2 "$cli" solvers --solvers ista,lista --output "$tmp/x.csv"
check "missing --output" 2 "$cli" solvers --solvers ista
check "unknown option" 2 "$cli" simulate --frobnicate "$tmp/q"
check "bad rho" 2 "$cli" simulate --rho 2 "$tmp/q"
check "both lambdas" 2 "$cli" solvers --lambda 0.1 --lambda-fraction 0.1 --output "$tmp/x.csv"
check "missing file" 1 "$cli" solvers --problem "$tmp/nothing" --output "$tmp/x.csv"
exit $fail
