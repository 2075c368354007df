#!/bin/sh
# "mpirun -np W atomscope-cli learn --distributed": a model from two processes, and a run
# where one process cannot read its region or is killed ends with an error naming it and
# leaves no model folder.
set -u
mpirun="$1"
cli="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0
run () { "$mpirun" --oversubscribe --allow-run-as-root "$@"; }
ok () { n=$((n + 1)); echo "ok $n - $1"; }
bad () { n=$((n + 1)); echo "not ok $n - $1"; fail=1; }

# Three channels × 6000 samples of bursts in noise, as a little-endian float64 NPY array,
# and a copy cut short: the last region of the last channel is missing.
python3 - "$tmp" <<'PY'
import math, random, struct, sys
random.seed(3)
P, T = 3, 6000
x = [[0.05 * random.gauss(0, 1) for _ in range(T)] for _ in range(P)]
for s in range(100, T - 40, 211):
    for p in range(P):
        for t in range(32):
            x[p][s + t] += (p + 1) * math.sin(2 * math.pi * t / 32) * math.sin(math.pi * t / 32)
def save(path, cut=0):
    head = "{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }" % (P, T)
    head += " " * (63 - (10 + len(head)) % 64) + "\n"
    body = b"".join(struct.pack("<%dd" % T, *row) for row in x)
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(head)) + head.encode() + body[:len(body) - cut])
save(sys.argv[1] + "/signal.npy")
save(sys.argv[1] + "/cut.npy", cut=8 * 1000)
T = 300000
x = [[0.05 * random.gauss(0, 1) for _ in range(T)] for _ in range(P)]
for s in range(100, T - 40, 211):
    for p in range(P):
        for t in range(32):
            x[p][s + t] += (p + 1) * math.sin(2 * math.pi * t / 32) * math.sin(math.pi * t / 32)
save(sys.argv[1] + "/long.npy")
PY

echo "1..17"
out=$(run -np 2 "$cli" learn "$tmp/signal.npy" --distributed --atom-samples 32 --atoms 2 --init random --iterations 5 -o "$tmp/m" 2>&1); st=$?
if [ $st -eq 0 ] && [ -s "$tmp/m/atoms.npy" ] && [ -s "$tmp/m/activations.npy" ] && [ -s "$tmp/m/run.json" ]; then
  ok "two processes learn and process 0 writes the model"
else
  bad "two processes learn and process 0 writes the model (exit $st)"; echo "$out" | sed 's/^/# /'
fi
if grep -q '"n_channels": 3' "$tmp/m/run.json" 2>/dev/null || grep -q '"channels"' "$tmp/m/run.json" 2>/dev/null; then
  ok "run.json describes the model"
else
  bad "run.json describes the model"; sed 's/^/# /' "$tmp/m/run.json"
fi
out=$(run -np 2 "$cli" learn "$tmp/signal.npy" --distributed --atom-samples 32 --atoms 2 --iterations 2 -o "$tmp/m" 2>&1); st=$?
if [ $st -ne 0 ] && echo "$out" | grep -q "exists"; then ok "an existing model folder is kept"; else bad "an existing model folder is kept (exit $st)"; echo "$out" | sed 's/^/# /'; fi

out=$(run -np 2 "$cli" encode "$tmp/signal.npy" --distributed --model "$tmp/m" -o "$tmp/e" 2>&1); st=$?
if [ $st -eq 0 ] && [ -s "$tmp/e/activations.npy" ] && grep -q '"command": "encode"' "$tmp/e/run.json" 2>/dev/null; then
  ok "two processes encode with the model's atoms"
else
  bad "two processes encode with the model's atoms (exit $st)"; echo "$out" | sed 's/^/# /'
fi
if cmp -s "$tmp/m/atoms.npy" "$tmp/e/atoms.npy"; then ok "encoding keeps the atoms"; else bad "encoding keeps the atoms"; fi

out=$(run -np 2 "$cli" learn "$tmp/cut.npy" --distributed --atom-samples 32 --atoms 2 --iterations 5 -o "$tmp/cut" 2>&1); st=$?
[ $st -ne 0 ] && ok "a process that cannot read its region fails the run" || bad "a process that cannot read its region fails the run"
if echo "$out" | grep -q "process 1: .*cut.npy.*truncated"; then ok "the error names process 1 and the reason"; else bad "the error names process 1 and the reason"; echo "$out" | sed 's/^/# /'; fi
if echo "$out" | grep -q "process 0:"; then bad "process 0, which read its region, is not blamed"; else ok "process 0, which read its region, is not blamed"; fi
[ ! -e "$tmp/cut" ] && ok "no model folder after a failed read" || bad "no model folder after a failed read"

# Process 1 is killed (SIGKILL) well into learning: mpirun ends the run and names it.
# Process 0's messages go to a file as well, and process 1 is killed once the second
# iteration is reported there (however loaded the machine, learning is under way).
cat > "$tmp/kill-one.sh" <<SH
#!/bin/sh
if [ "\${OMPI_COMM_WORLD_RANK:-0}" = 1 ]; then
  (while ! grep -q "^iteration 2:" "$tmp/rank0.log" 2>/dev/null; do sleep 0.1; done
   kill -KILL \$\$) &
  exec "\$@"
fi
"\$@" 2>&1 | tee "$tmp/rank0.log"
SH
chmod +x "$tmp/kill-one.sh"
out=$(run -np 2 "$tmp/kill-one.sh" "$cli" learn "$tmp/long.npy" --distributed --atom-samples 32 --atoms 4 --iterations 5000 --tol 0 -o "$tmp/killed" 2>&1); st=$?
echo "$out" | grep -q "^iteration" && ok "learning was under way when process 1 was killed" || bad "learning was under way when process 1 was killed"
[ $st -ne 0 ] && ok "a killed process ends the run with an error" || bad "a killed process ends the run with an error"
if echo "$out" | grep -qi "rank 1.*signal 9\|rank 1.*killed"; then ok "the error names the killed rank and the signal"; else bad "the error names the killed rank and the signal"; echo "$out" | sed 's/^/# /'; fi
[ ! -e "$tmp/killed" ] && ok "no model folder after a killed process" || bad "no model folder after a killed process"

# An image: prepared by every process as "learn" prepares it (each plane's mean and a
# background as wide as an atom removed), to the same data and the same objective.
python3 "$(dirname "$0")/make-texture-png.py" "$tmp/tex.png"
img="--atom-size 6 --atoms 2 --iterations 3 --init chunk -q"
# shellcheck disable=SC2086
run -np 2 "$cli" learn "$tmp/tex.png" --distributed $img -o "$tmp/img2" > /dev/null 2>&1 \
  && ok "two processes learn from an image" || bad "two processes learn from an image"
# shellcheck disable=SC2086
"$cli" learn "$tmp/tex.png" $img -o "$tmp/img0" > /dev/null 2>&1 \
  && ok "one process without MPI learns from the image" || bad "one process without MPI learns from the image"
res=$(python3 - "$tmp/img0/run.json" "$tmp/img2/run.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
pa, pb = a["preprocessing"], b["preprocessing"]
same = all(pa.get(k) == pb.get(k) for k in ("detrend", "image_background_px")) and pa.get("image_background_px") == 6
ta, tb = a["trace"], b["trace"]
print(int(same), abs(ta[0]["objective"] - tb[0]["objective"]) / abs(ta[0]["objective"]))
PY
)
set -- $res
[ "${1:-0}" = 1 ] && ok "the image's preparation is recorded alike (background of 6 px)" || bad "the image's preparation is recorded alike ($res)"
awk -v v="${2:-1}" 'BEGIN { exit !(v < 1e-10) }' && ok "the same data: first objective to 1e-10" || bad "the same data: first objective ($res)"
exit $fail
