#!/bin/sh
# Interrupts never lose or corrupt a model folder:
# - SIGINT / SIGTERM during "learn" stop at the next safe point and write the model so
#   far ("stopped by you"), which loads again (encode reads it with the model reader);
# - kill -9 at random moments of a small learn + write leaves either no folder or a
#   complete one (100 trials).
set -u
cli="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
notok () { n=$((n + 1)); echo "not ok $n - $1"; fail=1; }
echo "1..6"

# A 5-minute synthetic recording at 200 Hz: a sharp periodic wave and noise.
awk 'BEGIN { srand(7); print "time_s,x";
  for (i = 0; i < 60000; i++) { t = i / 200; printf "%.3f,%.5f\n", t, sin(6 * 3.14159265 * t) ^ 9 + 0.1 * (rand() - 0.5) } }' \
  > "$tmp/long.csv"
head -n 4001 "$tmp/long.csv" > "$tmp/short.csv"

# A random delay in seconds between $1 and $2 (milliseconds).
delay () {
  r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
  ms=$(( $1 + r % ($2 - $1 + 1) ))
  printf "%d.%03d" $((ms / 1000)) $((ms % 1000))
}

for sig in INT TERM; do
  d=$(delay 0 600)
  "$cli" learn "$tmp/long.csv" --atoms 2 --atom-length 0.2 --iterations 100000 --tol 0 --out "$tmp/stopped-$sig" \
    > "$tmp/out-$sig.txt" 2>&1 &
  pid=$!
  # Once learning runs (its first report), at a random moment of it.
  w=0
  while ! grep -q "^iteration" "$tmp/out-$sig.txt" && [ $w -lt 300 ]; do sleep 0.05; w=$((w + 1)); done
  sleep "$d"
  kill -s "$sig" "$pid"
  wait "$pid"
  st=$?
  echo "# SIG$sig: $(date +%T.%N)"
  want=130; [ "$sig" = TERM ] && want=143
  if [ $st -eq $want ] && grep -q '"end_state": "stopped by you"' "$tmp/stopped-$sig/run.json" 2>/dev/null; then
    ok "SIG$sig after $d s: exit $st, the model so far is written and marked stopped by you"
  else
    notok "SIG$sig after $d s: exit $st (expected $want)"; cat "$tmp/out-$sig.txt" | sed 's/^/# /'
  fi
  if "$cli" encode "$tmp/short.csv" --model "$tmp/stopped-$sig" --out "$tmp/reread-$sig" -q > "$tmp/enc-$sig.txt" 2>&1; then
    ok "the interrupted model loads again"
  else
    notok "the interrupted model loads again"; sed 's/^/# /' "$tmp/enc-$sig.txt"
  fi
done

# Complete: every file there, run.json valid JSON, the arrays the sizes it announces.
complete () {
  python3 - "$1" <<'PY'
import ast, json, os, sys
d = sys.argv[1]
run = json.load(open(os.path.join(d, "run.json")))
K, P, T, L = run["n_atoms"], run["n_channels"], run["signal_width"], run["atom_width"]
want = {"atoms.npy": (K, P, L), "activations.npy": (run["n_trials"], K, T - L + 1)}
if run["rank1"]:
    want["u.npy"] = (K, P)
    want["v.npy"] = (K, L)
if sorted(os.listdir(d)) != sorted(list(want) + ["run.json"]):
    sys.exit("files: %s" % os.listdir(d))
for name, shape in want.items():
    raw = open(os.path.join(d, name), "rb").read()
    hlen = int.from_bytes(raw[8:10], "little")
    header = ast.literal_eval(raw[10:10 + hlen].decode("latin1"))
    count = 1
    for s in shape:
        count *= s
    if tuple(header["shape"]) != shape or len(raw) != 10 + hlen + 8 * count:
        sys.exit("%s: %s, %d bytes" % (name, header, len(raw)))
PY
}

# The kills use a 20-second recording: a run is mostly reading and writing.
# Time one whole run, then kill runs at random moments of it.
start=$(date +%s%N)
"$cli" learn "$tmp/short.csv" --atoms 2 --atom-length 0.2 --iterations 2 --out "$tmp/timed" -q > /dev/null 2>&1
whole=$(( ($(date +%s%N) - start) / 1000000 ))
echo "# one learn + write takes $whole ms"
bad=0; absent=0; whole_folders=0
i=0
while [ $i -lt 100 ]; do
  i=$((i + 1))
  rm -rf "$tmp/k"
  timeout -s KILL "$(delay $((whole / 3)) $((whole * 13 / 10 + 10)))" \
    "$cli" learn "$tmp/short.csv" --atoms 2 --atom-length 0.2 --iterations 2 --out "$tmp/k" -q > /dev/null 2>&1
  if [ ! -e "$tmp/k" ]; then
    absent=$((absent + 1))
  elif complete "$tmp/k" > "$tmp/why.txt" 2>&1; then
    whole_folders=$((whole_folders + 1))
  else
    bad=$((bad + 1)); echo "# trial $i: incomplete folder"; sed 's/^/#   /' "$tmp/why.txt"; ls -la "$tmp/k" | sed 's/^/#   /'
  fi
done
echo "# $(date +%T.%N)"
echo "# kill -9 at random moments: $absent without a folder, $whole_folders complete, $bad incomplete"
[ $bad -eq 0 ] && ok "100 kills leave no incomplete folder" || notok "100 kills leave no incomplete folder ($bad)"
# A rerun after a kill cleans the dead writer's temporary folders and succeeds.
rm -rf "$tmp/k"
"$cli" learn "$tmp/short.csv" --atoms 2 --atom-length 0.2 --iterations 2 --out "$tmp/k" -q > /dev/null 2>&1
if complete "$tmp/k" && [ -z "$(ls -A "$tmp" | grep '^\.k\..*\.part')" ]; then
  ok "a rerun writes the folder and leaves no temporary folder behind"
else
  notok "a rerun writes the folder and leaves no temporary folder behind"; ls -A "$tmp" | sed 's/^/# /'
fi
exit $fail
