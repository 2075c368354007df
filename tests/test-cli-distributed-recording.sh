#!/bin/sh
# "mpirun -np W atomscope-cli learn RECORDING --distributed": a recording (the bundled
# 64-channel EDF+) read region by region (each process its span and the filters' margins,
# the statistics of the whole combined) or, when that cannot be, by process 0 as "learn"
# prepares it; learned by one and by two processes to the same model as "learn"; a file
# that cannot be read; a run killed after a checkpoint and continued with --resume to the
# uninterrupted result.
# Usage: test-cli-distributed-recording.sh MPIRUN ATOMSCOPE_CLI   (G_TEST_SRCDIR = tests/)
set -u
mpirun="$1"
cli="$2"
data="${G_TEST_SRCDIR:-$(dirname "$0")}/data"
edf="$data/eegmmi_S001R04_motor_imagery.edf"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
. "$(dirname "$0")/tap.sh"
run () { "$mpirun" --oversubscribe --allow-run-as-root "$@"; }
# The model's numbers: python3 with its standard library only (json, struct).
py () { python3 - "$@"; }
cat > "$tmp/model.py" <<'PY'
import json, struct, sys, math
def trace(d):
    return [t["objective"] for t in json.load(open(d + "/run.json"))["trace"]]
def run_json(d):
    return json.load(open(d + "/run.json"))
def npy(path):
    with open(path, "rb") as f:
        assert f.read(6) == b"\x93NUMPY"
        major = f.read(2)[0]
        n = struct.unpack("<H" if major == 1 else "<I", f.read(2 if major == 1 else 4))[0]
        head = eval(f.read(n).decode())
        assert head["descr"] == "<f8" and not head["fortran_order"]
        shape = head["shape"]
        count = 1
        for s in shape:
            count *= s
        return shape, struct.unpack("<%dd" % count, f.read(8 * count))
def atoms(d):
    shape, v = npy(d + "/atoms.npy")
    k = shape[0]
    n = len(v) // k
    return [v[i * n:(i + 1) * n] for i in range(k)]
def corr(a, b):
    return abs(sum(x * y for x, y in zip(a, b))) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))
PY

echo "1..40"
common="--end 30 --atoms 3 --atom-length 0.25 --iterations 6 --init chunk -q"
expect "one process learns from the EDF+ file" 0 "" \
  run -np 1 "$cli" learn "$edf" --distributed $common -o "$tmp/w1"
expect "two processes learn from the EDF+ file" 0 "" \
  run -np 2 "$cli" learn "$edf" --distributed $common -o "$tmp/w2"
expect "one process without MPI (learn) learns the same" 0 "Learned 3 atoms" \
  "$cli" learn "$edf" $common -o "$tmp/w0"
for f in atoms.npy activations.npy u.npy v.npy run.json; do
  [ -s "$tmp/w2/$f" ] || { bad "the model folder of two processes has $f"; continue; }
done
ok "the model folder of two processes has the files of a model folder"

out=$(PYTHONPATH="$tmp" py "$tmp/w0" "$tmp/w1" "$tmp/w2" <<'PY'
import sys
from model import *
w0, w1, w2 = (run_json(d) for d in sys.argv[1:])
t0, t1, t2 = (trace(d) for d in sys.argv[1:])
rel = lambda a, b: abs(a - b) / abs(b)
print("data", max(rel(t1[0], t0[0]), rel(t2[0], t0[0])))
print("final", max(rel(t1[-1], t0[-1]), rel(t2[-1], t0[-1])))
print("lambda", max(rel(w1["lambda_max"], w0["lambda_max"]), rel(w2["lambda_max"], w0["lambda_max"])))
def same_prep(a, b):
    # Every member equal; the scale (one standard deviation of the whole recording, summed
    # over the processes) to rounding.
    a, b = dict(a), dict(b)
    sa, sb = a.pop("scaling_scale"), b.pop("scaling_scale")
    return a == b and len(sa) == len(sb) and all(abs(x - y) <= 1e-12 * abs(x) for x, y in zip(sa, sb))
print("prep", int(same_prep(w0["preprocessing"], w1["preprocessing"]) and same_prep(w0["preprocessing"], w2["preprocessing"])))
print("rate", int(w2["sfreq"] == w0["sfreq"] == 160 and w2["n_channels"] == w0["n_channels"] == 64))
a1, a2 = atoms(sys.argv[2]), atoms(sys.argv[3])
print("recovery", min(max(corr(a, b) for b in a1) for a in a2))
print("objectives %.12g %.12g %.12g" % (t0[-1], t1[-1], t2[-1]))
PY
)
echo "$out" | sed 's/^/# /'
val () { echo "$out" | awk -v k="$1" '$1 == k { print $2 }'; }
awk -v v="$(val data)" 'BEGIN { exit !(v != "" && v < 1e-10) }' \
  && ok "the data prepared region by region is the data learn prepares (½‖X‖² to 1e-10)" \
  || bad "the data prepared region by region is the data learn prepares ($(val data))"
awk -v v="$(val lambda)" 'BEGIN { exit !(v != "" && v < 1e-10) }' \
  && ok "the same λ_max (1e-10)" || bad "the same λ_max ($(val lambda))"
[ "$(val prep)" = 1 ] && ok "run.json records the same preprocessing (the scale to 1e-12)" || bad "run.json records the same preprocessing"
[ "$(val rate)" = 1 ] && ok "run.json records the rate and the 64 channels" || bad "run.json records the rate and the 64 channels"
awk -v v="$(val final)" 'BEGIN { exit !(v != "" && v < 1e-6) }' \
  && ok "one and two processes end at the objective of learn (1e-6 relative)" \
  || bad "one and two processes end at the objective of learn ($(val final))"
awk -v v="$(val recovery)" 'BEGIN { exit !(v != "" && v > 0.999) }' \
  && ok "every atom of two processes is an atom of one (correlation > 0.999)" \
  || bad "every atom of two processes is an atom of one ($(val recovery))"
expect "the model of two processes opens as the window opens it (plot)" 0 "" \
  "$cli" plot "$tmp/w2" -o "$tmp/figures" --quiet

# What each process read: its region and the filters' margins, not the recording.
run -np 2 "$cli" learn "$edf" --distributed $(echo "$common" | sed 's/ -q//') -o "$tmp/w2v" >/dev/null 2>"$tmp/w2v.log"; st=$?
sed -n 's/^/# /; /^# Process [01] read/p' "$tmp/w2v.log"
reads=$(awk '/^Process [0-9]+ read / { print $2, $4, $7 }' "$tmp/w2v.log")
[ $st -eq 0 ] && [ "$(echo "$reads" | grep -c .)" = 2 ] \
  && ok "two processes report the samples each read" || bad "two processes report the samples each read (exit $st)"
echo "$reads" | awk 'NF == 3 && $2 > 0 && $2 < $3 { n++ } END { exit !(n == 2) }' \
  && ok "each of two processes read fewer samples than the recording learned from" \
  || bad "each of two processes read fewer samples than the recording learned from"
grep -q "reads and prepares the whole recording" "$tmp/w2v.log" \
  && bad "the EDF+ file is read region by region" || ok "the EDF+ file is read region by region"

# Filters with margins on both sides of a region (a band-pass, a notch and its harmonics,
# a z-score per channel: --kind meg), 40 s from 20 s: the same data as learn.
filt="--start 20 --end 60 --highpass 0.5 --lowpass 30 --notch 50 --kind meg --atoms 3 --atom-length 0.25 --iterations 4 --init chunk -q"
expect "two processes learn with a band-pass, a notch and a z-score" 0 "" \
  run -np 2 "$cli" learn "$edf" --distributed $filt -o "$tmp/f2"
expect "learn does the same on one process" 0 "Learned 3 atoms" "$cli" learn "$edf" $filt -o "$tmp/f0"
out=$(PYTHONPATH="$tmp" py "$tmp/f0" "$tmp/f2" <<'PY'
import sys
from model import *
t0, t2 = trace(sys.argv[1]), trace(sys.argv[2])
w0, w2 = run_json(sys.argv[1]), run_json(sys.argv[2])
print("data", abs(t0[0] - t2[0]) / t0[0])
print("final", abs(t0[-1] - t2[-1]) / t0[-1])
print("scale", max(abs(a - b) / abs(a) for a, b in zip(w0["preprocessing"]["scaling_scale"], w2["preprocessing"]["scaling_scale"])))
PY
)
echo "$out" | sed 's/^/# /'
awk -v v="$(echo "$out" | awk '$1 == "data" { print $2 }')" 'BEGIN { exit !(v != "" && v < 1e-10) }' \
  && ok "filtered region by region, the data is learn's (½‖X‖² to 1e-10)" \
  || bad "filtered region by region, the data is learn's"
awk -v v="$(echo "$out" | awk '$1 == "final" { print $2 }')" -v s="$(echo "$out" | awk '$1 == "scale" { print $2 }')" \
  'BEGIN { exit !(v != "" && v < 1e-6 && s != "" && s < 1e-12) }' \
  && ok "and so are its objective (1e-6) and its z-scores (1e-12)" \
  || bad "and so are its objective and its z-scores"

# Resampling is not done region by region: process 0 prepares the whole recording, says so.
expect "with --resample process 0 prepares the whole recording, and says so" 0 \
  "reads and prepares the whole recording: resampling" \
  run -np 2 "$cli" learn "$edf" --distributed --end 20 --resample 80 --atoms 2 --atom-length 0.25 --iterations 2 --init chunk -o "$tmp/r2"

# Encoding the recording with the atoms of two processes, as "encode" does.
expect "two processes encode the recording with the model's atoms" 0 "" \
  run -np 2 "$cli" encode "$edf" --distributed --model "$tmp/w2" -o "$tmp/e2" -q
expect "encode does the same on one process" 0 "Found the 3 atoms" \
  "$cli" encode "$edf" --model "$tmp/w2" -o "$tmp/e0" -q
out=$(PYTHONPATH="$tmp" py "$tmp/e0" "$tmp/e2" <<'PY'
import sys
from model import *
e0, e2 = run_json(sys.argv[1]), run_json(sys.argv[2])
a, b = trace(sys.argv[1])[-1], trace(sys.argv[2])[-1]
print("same", int(e0["preprocessing"] == e2["preprocessing"] and e0["lambda"] == e2["lambda"]
                  and e0["signal_width"] == e2["signal_width"] and e2["command"] == "encode"))
print("rel", abs(a - b) / abs(a))
PY
)
echo "$out" | sed 's/^/# /'
if echo "$out" | grep -q "^same 1" \
   && awk -v v="$(echo "$out" | awk '$1 == "rel" { print $2 }')" 'BEGIN { exit !(v != "" && v < 1e-9) }'; then
  ok "the encoding of two processes is encode's (same preprocessing and λ, objective to 1e-9)"
else
  bad "the encoding of two processes is encode's"
fi

run -np 2 "$cli" encode "$edf" --distributed --model "$tmp/w2" -o "$tmp/e2v" >/dev/null 2>"$tmp/e2v.log"; st=$?
sed -n 's/^/# /; /^# Process [01] read/p' "$tmp/e2v.log"
reads=$(awk '/^Process [0-9]+ read / { print $2, $4, $7 }' "$tmp/e2v.log")
[ $st -eq 0 ] && [ "$(echo "$reads" | grep -c .)" = 2 ] \
  && ok "encode: two processes report the samples each read" || bad "encode: two processes report the samples each read (exit $st)"
echo "$reads" | awk 'NF == 3 && $2 > 0 && $2 < $3 { n++ } END { exit !(n == 2) }' \
  && ok "encode: each of two processes read fewer samples than the recording encoded" \
  || bad "encode: each of two processes read fewer samples than the recording encoded"

# The greedy start (the default): atoms added one by one from the worst-explained window.
greedy="--end 30 --atoms 3 --atom-length 0.25 --iterations 14 -q"
expect "two processes learn with the greedy start" 0 "" \
  run -np 2 "$cli" learn "$edf" --distributed $greedy -o "$tmp/g2"
expect "learn with the greedy start" 0 "Learned 3 atoms" \
  "$cli" learn "$edf" $greedy --init greedy -o "$tmp/g0"
out=$(PYTHONPATH="$tmp" py "$tmp/g0" "$tmp/g2" <<'PY'
import sys
from model import *
t0, t2 = trace(sys.argv[1]), trace(sys.argv[2])
print("init", run_json(sys.argv[2])["params"]["init"])
print("points", len(t0), len(t2))
print("rel", max(abs(a - b) / abs(a) for a, b in zip(t0, t2)))
PY
)
echo "$out" | sed 's/^/# /'
if echo "$out" | grep -q "^init greedy" && [ "$(echo "$out" | awk '$1 == "points" { print ($2 == $3) }')" = 1 ] \
   && awk -v v="$(echo "$out" | awk '$1 == "rel" { print $2 }')" 'BEGIN { exit !(v != "" && v < 1e-6) }'; then
  ok "the greedy start of two processes follows that of learn step by step (1e-6 relative)"
else
  bad "the greedy start of two processes follows that of learn step by step"
fi

# A file that is not an EDF: exit 1 on every process, the file named, no model folder.
head -c 3000 /dev/urandom > "$tmp/broken.edf"
expect "an unreadable recording ends the run with exit 1, naming the file" 1 "broken\.edf" \
  run -np 2 "$cli" learn "$tmp/broken.edf" --distributed $common -o "$tmp/bad"
[ ! -e "$tmp/bad" ] && ok "no model folder after an unreadable recording" \
  || bad "no model folder after an unreadable recording"

# Checkpoints: the uninterrupted run, then a run whose process 1 is killed once a
# checkpoint is written, continued with --resume.
long="--end 30 --atoms 3 --atom-length 0.25 --iterations 40 --tol 0 --init chunk -q"
expect "the uninterrupted run" 0 "" run -np 2 "$cli" learn "$edf" --distributed $long -o "$tmp/full"
cat > "$tmp/kill-one.sh" <<SH
#!/bin/sh
if [ "\${OMPI_COMM_WORLD_RANK:-0}" = 1 ]; then
  (while ! grep -q '"end_state": "checkpoint"' "$tmp/ck/run.json" 2>/dev/null; do sleep 0.05; done
   kill -KILL \$\$) &
fi
exec "\$@"
SH
chmod +x "$tmp/kill-one.sh"
run -np 2 "$tmp/kill-one.sh" "$cli" learn "$edf" --distributed $long --checkpoint-every 4 -o "$tmp/ck" >"$tmp/killed.log" 2>&1; st=$?
if [ $st -ne 0 ] && grep -q '"end_state": "checkpoint"' "$tmp/ck/run.json" 2>/dev/null; then
  ok "a killed run leaves its last checkpoint"
else
  bad "a killed run leaves its last checkpoint (exit $st)"; sed 's/^/# /' "$tmp/killed.log"
fi
at=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["iterations"])' "$tmp/ck/run.json" 2>/dev/null)
if [ -n "$at" ] && [ "$at" -ge 4 ] && [ "$at" -lt 40 ]; then
  ok "the checkpoint is mid-way (iteration $at of 40)"
else
  bad "the checkpoint is mid-way (iteration ${at:-?} of 40)"
fi
expect "the checkpoint is continued with --resume" 0 "" \
  run -np 2 "$cli" learn --distributed --resume "$tmp/ck" -q
out=$(PYTHONPATH="$tmp" py "$tmp/full" "$tmp/ck" <<'PY'
import sys
from model import *
full, ck = run_json(sys.argv[1]), run_json(sys.argv[2])
a, b = trace(sys.argv[1])[-1], trace(sys.argv[2])[-1]
print("iterations", full["iterations"], ck["iterations"], ck["end_state"])
print("rel", abs(a - b) / abs(a))
PY
)
echo "$out" | sed 's/^/# /'
echo "$out" | grep -q "^iterations 40 40 stopped at the iteration limit" \
  && ok "the continued run ends at the iteration limit of the first" \
  || bad "the continued run ends at the iteration limit of the first"
awk -v v="$(echo "$out" | awk '$1 == "rel" { print $2 }')" 'BEGIN { exit !(v != "" && v < 1e-9) }' \
  && ok "the continued run ends at the uninterrupted objective (1e-9 relative)" \
  || bad "the continued run ends at the uninterrupted objective"
# Continued region by region too: each process reads its region of the recording again.
run -np 2 "$cli" learn --distributed --resume "$tmp/ck" --iterations 41 -o "$tmp/ck2" >/dev/null 2>"$tmp/ck2.log"; st=$?
sed -n 's/^/# /; /^# Process [01] read/p' "$tmp/ck2.log"
reads=$(awk '/^Process [0-9]+ read / { print $2, $4, $7 }' "$tmp/ck2.log")
[ $st -eq 0 ] && grep -q "Continuing from iteration 40" "$tmp/ck2.log" \
  && ok "--resume continues one more iteration" || bad "--resume continues one more iteration (exit $st)"
echo "$reads" | awk 'NF == 3 && $2 > 0 && $2 < $3 { n++ } END { exit !(n == 2) }' \
  && ok "--resume: each of two processes read fewer samples than the recording learned from" \
  || bad "--resume: each of two processes read fewer samples than the recording learned from"
# One model format: a model of two processes is continued by "learn --resume" (one
# process, no MPI) to the same end.
half=$(echo "$long" | sed 's/--iterations 40/--iterations 20/')
expect "two processes learn the first 20 iterations" 0 "" \
  run -np 2 "$cli" learn "$edf" --distributed $half -o "$tmp/half"
expect "learn --resume continues the model of two processes" 0 "Resumed from iteration 20 to iteration 40" \
  "$cli" learn --resume "$tmp/half" --iterations 40 -q
rel=$(PYTHONPATH="$tmp" py "$tmp/full" "$tmp/half" <<'PY'
import sys
from model import *
a, b = trace(sys.argv[1])[-1], trace(sys.argv[2])[-1]
print(abs(a - b) / abs(a))
PY
)
echo "# relative difference $rel"
awk -v v="$rel" 'BEGIN { exit !(v != "" && v < 1e-9) }' \
  && ok "continued by one process, it ends at the objective of two processes (1e-9 relative)" \
  || bad "continued by one process, it ends at the objective of two processes ($rel)"
exit $fail
