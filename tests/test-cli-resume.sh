#!/bin/sh
# "atomscope-cli learn --resume": a run killed (kill -9, after a checkpoint) or stopped
# by Ctrl-C continues to the objective of the uninterrupted run (to 1e-9 relative; in
# fact to the same arrays, byte for byte).
set -u
cli="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
notok () { n=$((n + 1)); echo "not ok $n - $1"; fail=1; }
echo "1..5"

awk 'BEGIN { srand(11); print "time_s,x";
  for (i = 0; i < 40000; i++) { t = i / 200; printf "%.3f,%.5f\n", t, sin(6 * 3.14159265 * t) ^ 9 + 0.1 * (rand() - 0.5) } }' \
  > "$tmp/rec.csv"
delay () {
  r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
  ms=$(( $1 + r % ($2 - $1 + 1) ))
  printf "%d.%03d" $((ms / 1000)) $((ms % 1000))
}
learn="--atoms 2 --atom-length 0.2 --iterations 30 --tol 0"
final () { python3 -c 'import json, sys; print(repr(json.load(open(sys.argv[1]))["trace"][-1]["objective"]))' "$1/run.json"; }
same () { # uninterrupted, resumed
  a=$(final "$1"); b=$(final "$2")
  echo "# objective uninterrupted $a, resumed $b"
  awk -v a="$a" -v b="$b" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 1e-9 * (a < 0 ? -a : a)) }'
}

"$cli" learn "$tmp/rec.csv" $learn --out "$tmp/whole" -q > /dev/null 2>&1 || notok "uninterrupted run"

# kill -9 after the first checkpoint, at a random moment.
"$cli" learn "$tmp/rec.csv" $learn --checkpoint 0.1 --out "$tmp/killed" -q > /dev/null 2>&1 &
pid=$!
w=0
while ! grep -qs '"end_state": "checkpoint"' "$tmp/killed/run.json" && [ $w -lt 400 ]; do sleep 0.05; w=$((w + 1)); done
sleep "$(delay 0 300)"
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
state=$(sed -n 's/.*"end_state": "\(.*\)".*/\1/p' "$tmp/killed/run.json")
it=$(sed -n 's/^  "iterations": \([0-9]*\).*/\1/p' "$tmp/killed/run.json")
echo "# killed: the folder holds a model at iteration $it ($state)"
if "$cli" learn --resume "$tmp/killed" -q > "$tmp/resume1.txt" 2>&1; then
  ok "a checkpoint resumes after kill -9"
else
  notok "a checkpoint resumes after kill -9"; sed 's/^/# /' "$tmp/resume1.txt"
fi
if same "$tmp/whole" "$tmp/killed" && cmp -s "$tmp/whole/atoms.npy" "$tmp/killed/atoms.npy"; then
  ok "resumed after kill -9: the uninterrupted objective and atoms"
else
  notok "resumed after kill -9: the uninterrupted objective and atoms"
fi

# Ctrl-C once every atom is in (the greedy start adds the second one by iteration 7).
"$cli" learn "$tmp/rec.csv" $learn --checkpoint 0 --out "$tmp/stopped" > "$tmp/out.txt" 2>&1 &
pid=$!
w=0
while [ "$(sed -n 's/^iteration \([0-9]*\):.*/\1/p' "$tmp/out.txt" | tail -n 1)" -lt 8 ] 2>/dev/null || \
      ! grep -q '^iteration' "$tmp/out.txt"; do
  sleep 0.02; w=$((w + 1)); [ $w -gt 1000 ] && break
done
sleep "$(delay 0 200)"
kill -INT $pid
wait $pid
st=$?
it=$(sed -n 's/^  "iterations": \([0-9]*\).*/\1/p' "$tmp/stopped/run.json")
echo "# stopped by SIGINT (exit $st) at iteration $it"
if [ $st -eq 130 ] && "$cli" learn --resume "$tmp/stopped" -q > "$tmp/resume2.txt" 2>&1; then
  ok "a run stopped by Ctrl-C resumes"
else
  notok "a run stopped by Ctrl-C resumes (exit $st)"; sed 's/^/# /' "$tmp/resume2.txt"
fi
if same "$tmp/whole" "$tmp/stopped"; then
  ok "resumed after Ctrl-C: the uninterrupted objective to 1e-9"
else
  notok "resumed after Ctrl-C: the uninterrupted objective to 1e-9"
fi

# A model of another shape is refused with a reason.
"$cli" learn "$tmp/rec.csv" --atoms 1 --iterations 2 --out "$tmp/other" -q > /dev/null 2>&1
head -n 20001 "$tmp/rec.csv" > "$tmp/half.csv"
"$cli" learn "$tmp/half.csv" --resume "$tmp/other" --out "$tmp/other2" -q > "$tmp/err.txt" 2>&1
st=$?
if [ $st -ne 0 ] && grep -q "does not match" "$tmp/err.txt"; then
  ok "resuming on other data is refused"
else
  notok "resuming on other data is refused (exit $st)"; sed 's/^/# /' "$tmp/err.txt"
fi
exit $fail
