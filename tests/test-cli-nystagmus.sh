#!/bin/sh
# "atomscope-cli nystagmus" on the bundled infantile-nystagmus recording: measures printed,
# CSV/TSV/JSON/EDF/PDF written, the beat frequency agreeing with the occurrence rate of a
# one-atom model learned by "atomscope-cli learn" (one atom is one beat), and exit 1 with
# the file named for a recording without an eye channel or without beats.
set -u
cli="$1"
data="${ATOMSCOPE_DATADIR:-$(dirname "$0")/../data}"
csv="$data/nystagmus_infantile_avramidis_200Hz.csv"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
no () { n=$((n + 1)); echo "not ok $n - $1"; fail=1; }
echo "1..19"

"$cli" learn "$csv" --out "$tmp/model" --atoms 1 --atom-length 0.3 -q >/dev/null 2>&1 && ok "learn one beat atom" || no "learn one beat atom"
out=$("$cli" nystagmus "$csv" --model "$tmp/model" --report "$tmp/report.pdf" --beats "$tmp/beats.csv" \
      --events "$tmp/events.tsv" --json "$tmp/summary.json" --edf "$tmp/beats.edf" 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
[ $rc -eq 0 ] && ok "nystagmus exits 0" || no "nystagmus exits 0 (got $rc)"
echo "$out" | grep -q "^Slow-phase velocity: median [0-9.]* °/s" && echo "$out" | grep -q "^Direction: right-beating" \
  && echo "$out" | grep -q "^Waveform: jerk" && ok "measures printed" || no "measures printed"

# Every beat row has 10 fields and a positive SPV; the events file has as many rows.
beats=$(($(wc -l < "$tmp/beats.csv") - 1))
events=$(($(wc -l < "$tmp/events.tsv") - 1))
awk -F, 'NR > 1 && (NF != 10 || $7 <= 0) { bad = 1 } END { exit bad }' "$tmp/beats.csv" && [ "$beats" -gt 20 ] \
  && ok "beats.csv: $beats beats" || no "beats.csv"
[ "$events" -eq "$beats" ] && head -1 "$tmp/events.tsv" | grep -q "^onset	duration	trial_type	value" \
  && ok "events.tsv: one event per beat" || no "events.tsv ($events events, $beats beats)"
edf_events=$("$cli" info "$tmp/beats.edf" 2>/dev/null | sed -n 's/^Events: \([0-9]*\)/\1/p')
[ "$edf_events" = "$beats" ] && ok "EDF+ read back with one annotation per beat" || no "EDF+ annotations ($edf_events, $beats beats)"
head -c 5 "$tmp/report.pdf" | grep -q "%PDF" && [ "$(grep -c "/Type /Page\b" "$tmp/report.pdf")" -ge 1 ] \
  && ok "report.pdf written" || no "report.pdf written"

# Beat frequency (one over the mean beat duration) against the atom's rate between its
# first and last occurrences (one over the mean interval between them): within 5 %.
freq=$(echo "$out" | sed -n 's/^Beat frequency: \([0-9.]*\) Hz/\1/p')
rate=$(echo "$out" | sed -n 's/^Beat atom rate between its first and last occurrences: \([0-9.]*\) per s.*/\1/p')
if [ -n "$freq" ] && [ -n "$rate" ] && awk -v f="$freq" -v r="$rate" 'BEGIN { d = f - r; if (d < 0) d = -d; printf "# difference %.1f %%\n", 100 * d / r; exit !(d <= 0.05 * r) }'; then
  ok "beat frequency $freq Hz agrees with the atom's $rate per s"
else
  no "beat frequency ($freq) agrees with the atom's occurrence rate ($rate)"
fi
grep -q '"frequency_hz"' "$tmp/summary.json" && grep -q '"atom_rate_per_s"' "$tmp/summary.json" && grep -q '"direction" : "right"' "$tmp/summary.json" \
  && ok "summary.json" || no "summary.json"

# An interval: the beats of 0–6 s and of 6 s to the end are those of the whole recording.
all=$(echo "$out" | sed -n 's/^Beats: \([0-9]*\).*/\1/p')
first=$("$cli" nystagmus "$csv" --end 6 | sed -n 's/^Beats: \([0-9]*\).*/\1/p')
second=$("$cli" nystagmus "$csv" --start 6 | sed -n 's/^Beats: \([0-9]*\).*/\1/p')
[ -n "$first" ] && [ -n "$second" ] && [ "$first" -gt 5 ] && [ "$second" -gt 5 ] && [ $((first + second)) -eq "$all" ] \
  && ok "--start/--end: $first + $second beats = $all" || no "--start/--end ($first + $second, all $all)"

# No overwrite without --force.
"$cli" nystagmus "$csv" --beats "$tmp/beats.csv" >/dev/null 2>&1
[ $? -eq 1 ] && ok "keeps an existing file" || no "keeps an existing file"

# Gaze in pixels (35 px per degree): refused without the pixels per degree, the same
# measures with it.
awk -F, 'NR == 1 { print "time_s,gaze_x [px]"; next } { printf "%s,%.4f\n", $1, 35 * $2 }' "$csv" > "$tmp/px.csv"
msg=$("$cli" nystagmus "$tmp/px.csv" 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$msg" | grep -q "px.csv" && echo "$msg" | grep -q "pixels per degree" \
  && ok "gaze in pixels needs the pixels per degree" || no "gaze in pixels without --pixels-per-degree (exit $rc: $msg)"
spv_deg=$("$cli" nystagmus "$csv" | grep "^Slow-phase velocity")
spv_px=$("$cli" nystagmus "$tmp/px.csv" --pixels-per-degree 35 | grep "^Slow-phase velocity")
[ -n "$spv_px" ] && [ "$spv_px" = "$spv_deg" ] && ok "pixels converted to degrees: $spv_px" \
  || no "pixels converted to degrees ($spv_px / $spv_deg)"

# The same from the screen geometry: 1920 px on 53 cm seen from 60 cm is 37.936 px/°.
awk -F, 'NR == 1 { print "time_s,gaze_x [px]"; next } { printf "%s,%.4f\n", $1, 37.9362 * $2 }' "$csv" > "$tmp/screen.csv"
spv_screen=$("$cli" nystagmus "$tmp/screen.csv" --screen 1920,53,60 | sed -n 's/^Slow-phase velocity: median \([0-9.]*\).*/\1/p')
spv_ref=$(echo "$spv_deg" | sed -n 's/^Slow-phase velocity: median \([0-9.]*\).*/\1/p')
[ -n "$spv_screen" ] && [ "$spv_screen" = "$spv_ref" ] && ok "pixels per degree from the screen geometry: SPV $spv_screen °/s" \
  || no "pixels per degree from the screen geometry (SPV $spv_screen, in degrees $spv_ref)"

# EOG in µV (20 µV per degree): the gain found from ±10° calibration saccades gives the
# same slow-phase velocity as the recording in degrees (within 3 %).
awk -F, 'NR == 1 { print "time_s,EOG [uV]"; next } { printf "%s,%.3f\n", $1, 20 * $2 }' "$csv" > "$tmp/eog.csv"
awk 'BEGIN { print "time_s,EOG [uV]"; pi = atan2(0, -1)
  for (i = 0; i < 3000; i++) { t = i / 250; seg = int(t); tau = t - seg; u = tau / 0.045; if (u > 1) u = 1
    split("0 10 0 -10", tg, " "); from = tg[(seg + 3) % 4 + 1]; to = tg[seg % 4 + 1]
    d = seg == 0 ? 0 : from + (to - from) * (u - sin(2 * pi * u) / (2 * pi))
    printf "%.4f,%.3f\n", t, 20 * d + 1.5 * sin(i * 1.7) * cos(i * 0.31) } }' > "$tmp/cal.csv"
spv_eog=$("$cli" nystagmus "$tmp/eog.csv" --calibration "$tmp/cal.csv" | sed -n 's/^Slow-phase velocity: median \([0-9.]*\).*/\1/p')
spv_ref=$("$cli" nystagmus "$csv" | sed -n 's/^Slow-phase velocity: median \([0-9.]*\).*/\1/p')
if [ -n "$spv_eog" ] && awk -v a="$spv_eog" -v b="$spv_ref" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 0.03 * b) }'; then
  ok "EOG calibrated from saccades: SPV $spv_eog °/s (in degrees: $spv_ref)"
else
  no "EOG calibrated from saccades (SPV $spv_eog, in degrees $spv_ref)"
fi

# No eye channel: exit 1, the file named.
printf 'time_s,Fp1 [uV],ECG [mV]\n' > "$tmp/eeg.csv"
awk 'BEGIN { for (i = 0; i < 400; i++) printf "%.3f,%.2f,%.3f\n", i / 200, 10 * sin(i / 7), sin(i / 30) }' >> "$tmp/eeg.csv"
msg=$("$cli" nystagmus "$tmp/eeg.csv" 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$msg" | grep -q "eeg.csv" && echo "$msg" | grep -q "no eye-movement channel" \
  && ok "no eye channel: exit 1 naming the file" || no "no eye channel (exit $rc: $msg)"

# Steady fixation: no beat, exit 1, the file named.
printf 'time_s,eye_position_deg\n' > "$tmp/fix.csv"
awk 'BEGIN { srand(3); for (i = 0; i < 1000; i++) printf "%.3f,%.4f\n", i / 200, 0.05 * (rand() - 0.5) }' >> "$tmp/fix.csv"
msg=$("$cli" nystagmus "$tmp/fix.csv" 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$msg" | grep -q "fix.csv" && echo "$msg" | grep -q "no nystagmus beat" \
  && ok "no beat: exit 1 naming the file" || no "no beat (exit $rc: $msg)"
# A flat channel (a tracker that lost the eye) and pure white noise (0.5° rms): no beat.
printf 'time_s,eye_position_deg\n' > "$tmp/flat.csv"
awk 'BEGIN { for (i = 0; i < 1000; i++) printf "%.3f,2.0000\n", i / 200 }' >> "$tmp/flat.csv"
msg=$("$cli" nystagmus "$tmp/flat.csv" 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$msg" | grep -q "flat.csv" && echo "$msg" | grep -q "no nystagmus beat" \
  && ok "flat channel: exit 1 naming the file" || no "flat channel (exit $rc: $msg)"
printf 'time_s,eye_position_deg\n' > "$tmp/noise.csv"
awk 'BEGIN { srand(5); for (i = 0; i < 2000; i++) { s = 0; for (k = 0; k < 12; k++) s += rand(); printf "%.3f,%.4f\n", i / 200, 0.5 * (s - 6) } }' >> "$tmp/noise.csv"
msg=$("$cli" nystagmus "$tmp/noise.csv" 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$msg" | grep -q "noise.csv" && echo "$msg" | grep -q "no nystagmus beat" \
  && ok "white noise: exit 1 naming the file" || no "white noise (exit $rc: $msg)"
exit $fail
