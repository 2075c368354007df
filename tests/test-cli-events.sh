#!/bin/sh
# "atomscope-cli events": learn a small model on the motor-imagery EEG, then fit the driven
# point processes against its T0/T1/T2 annotations: files written, values finite, figures
# are PNGs, no overwrite without --force, usage and input errors.  Events from an annotation
# file (--add-events, a BIDS events.tsv holding the T1 cues under another name) give the same
# fits as the file's own T1; events from a stimulus channel (--stim-channel) that the atoms were
# learned without: a text recording whose bursts follow the pulses of value 1 by 0.3 s is
# found driven by "1" at that latency and not by "2".
set -u
cli="$1"
data="${G_TEST_SRCDIR:-$(dirname "$0")}/data"
edf="$data/eegmmi_S001R04_motor_imagery.edf"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
bad () { n=$((n + 1)); echo "not ok $n - $1"; fail=1; }
check () { # description, expected status, command...
  desc="$1"; want="$2"; shift 2
  out=$("$@" 2>&1); got=$?
  if [ "$got" -ne "$want" ]; then
    bad "$desc: exit $got, expected $want"; echo "$out" | sed 's/^/# /'
  else
    ok "$desc"
  fi
}
echo "1..23"
check "learn a small model" 0 "$cli" learn "$edf" --out "$tmp/model" --atoms 2 --atom-length 0.25 --iterations 3 -q
check "events on it" 0 "$cli" events "$tmp/model" "$edf" --out "$tmp/ev" --support 0,1 --event-types T1,T2
for f in dripp.csv dripp.json events-atom01-T1.png events-atom02-T2.png; do
  if [ -s "$tmp/ev/$f" ]; then ok "wrote $f"; else bad "wrote $f"; fi
done
# 2 atoms × 2 event types, every number finite, p in [0, 1], α ≥ 0, m in the support
if awk -F, 'NR == 1 { next }
  { rows++
    for (i = 3; i <= NF; i++) if ($i !~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/) bad = 1
    if ($6 < 0 || $7 < 0 || $7 > 1 || $8 <= 0 || $12 < 0 || $12 > 1 || $13 < $12 * (1 - 1e-9) || $13 > 1) bad = 1 }
  END { exit (rows == 4 && !bad) ? 0 : 1 }' "$tmp/ev/dripp.csv"; then
  ok "dripp.csv: 4 rows of finite values in range"
else
  bad "dripp.csv: 4 rows of finite values in range"; sed 's/^/# /' "$tmp/ev/dripp.csv"
fi
if grep -q '"event_type" : "T2"' "$tmp/ev/dripp.json" && grep -q '"p_value"' "$tmp/ev/dripp.json"; then
  ok "dripp.json lists the fits"
else
  bad "dripp.json lists the fits"
fi
if head -c 8 "$tmp/ev/events-atom01-T1.png" | od -An -c | grep -q 'P   N   G'; then
  ok "figures are PNG files"
else
  bad "figures are PNG files"
fi
# the T1 cues again, from a BIDS events.tsv, labelled "cue"
"$cli" info --events "$edf" | awk 'BEGIN { print "onset\tduration\ttrial_type" }
  $5 == "T1" { print $1 "\t" $3 "\tcue" }' > "$tmp/cues_events.tsv"
check "events from an annotation file" 0 "$cli" events "$tmp/model" "$edf" --out "$tmp/evf" --add-events "$tmp/cues_events.tsv" --event-types cue --no-figures
if awk -F, 'NR == FNR { if ($2 == "\"T1\"") { t1[$1] = $3 "," $4 "," $5 "," $6 "," $7 "," $8 "," $12 } next }
  FNR > 1 { n++; if ($2 != "\"cue\"" || t1[$1] != $3 "," $4 "," $5 "," $6 "," $7 "," $8 "," $12) bad = 1 }
  END { exit (n == 2 && !bad) ? 0 : 1 }' "$tmp/ev/dripp.csv" "$tmp/evf/dripp.csv"; then
  ok "the annotation file's cues give the fits of T1"
else
  bad "the annotation file's cues give the fits of T1"; sed 's/^/# /' "$tmp/evf/dripp.csv"
fi
# a stimulus channel: pulses of 1 every 3 s (a 10 Hz burst 0.3 s later on C3 and C4), of 2
# in between
awk 'BEGIN { srand(7); print "time,C3,C4,trigger"
  for (i = 0; i < 12000; i++) { ph = i % 300; trig = 0
    if (ph < 5 && i >= 100) trig = 1; if (ph >= 150 && ph < 155) trig = 2
    burst = (ph >= 30 && ph < 50 && i >= 100) ? 3 * sin(2 * 3.14159265 * (ph - 30) / 10) : 0
    printf "%.2f,%.4f,%.4f,%d\n", i / 100, burst + rand() - 0.5, 0.5 * burst + rand() - 0.5, trig } }' > "$tmp/stim.csv"
check "learn on the signal channels" 0 "$cli" learn "$tmp/stim.csv" --out "$tmp/smodel" --atoms 1 --atom-length 0.2 --iterations 5 -q
check "events from the stimulus channel" 0 "$cli" events "$tmp/smodel" "$tmp/stim.csv" --out "$tmp/sev" --stim-channel trigger
if awk -F, 'NR == 1 { next } $2 == "\"1\"" && $4 == 39 && $12 < 1e-4 && $7 > 0.25 && $7 < 0.4 { one = 1 }
  $2 == "\"2\"" && $4 == 40 && $12 > 0.05 { two = 1 } END { exit (one && two && NR == 3) ? 0 : 1 }' "$tmp/sev/dripp.csv"; then
  ok "driven by the pulses of 1 at 0.3 s, not by those of 2"
else
  bad "driven by the pulses of 1 at 0.3 s, not by those of 2"; sed 's/^/# /' "$tmp/sev/dripp.csv"
fi
if [ -s "$tmp/sev/events-atom01-1.png" ]; then ok "figure of the stimulus code 1"; else bad "figure of the stimulus code 1"; fi
check "a signal channel is not a stimulus channel" 1 "$cli" events "$tmp/smodel" "$tmp/stim.csv" --out "$tmp/sev2" --stim-channel C3
check "an unknown stimulus channel is an error" 1 "$cli" events "$tmp/smodel" "$tmp/stim.csv" --out "$tmp/sev2" --stim-channel STI
expect_out=$("$cli" bench events --atoms 4 --event-types 2 --occurrences 4000 --events 100 --repeats 1 2>&1); st=$?
if [ $st -eq 0 ] && printf '%s\n' "$expect_out" | grep -Eq '4 atoms × 2 event types' \
   && printf '%s\n' "$expect_out" | grep -Eq 'fit time [0-9.]+ s'; then
  ok "bench events times a small model"
else
  bad "bench events times a small model"; printf '%s\n' "$expect_out" | sed 's/^/# /'
fi
check "refuses to overwrite" 1 "$cli" events "$tmp/model" "$edf" --out "$tmp/ev"
check "overwrites with --force, SVG figures" 0 "$cli" events "$tmp/model" "$edf" --out "$tmp/ev" --force --format svg --event-types T0
check "unknown event type is an error" 1 "$cli" events "$tmp/model" "$edf" --out "$tmp/ev2" --event-types T9
check "bad --support is a usage error" 2 "$cli" events "$tmp/model" "$edf" --out "$tmp/ev2" --support 1,0
check "a folder without a model is an error" 1 "$cli" events "$tmp" "$edf" --out "$tmp/ev2"
exit $fail
