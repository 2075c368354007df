#!/bin/sh
# "atomscope-cli events": learn a small model on the motor-imagery EEG, then fit the driven
# point processes against its T0/T1/T2 annotations: files written, values finite, figures
# are PNGs, no overwrite without --force, usage and input errors.
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
echo "1..14"
check "learn a small model" 0 "$cli" learn "$edf" --out "$tmp/model" --atoms 2 --atom-length 0.25 --iterations 3 -q
check "events on it" 0 "$cli" events "$tmp/model" "$edf" --out "$tmp/ev" --support 0,1 --event-types T1,T2
for f in dripp.csv dripp.json events-atom01-T1.png events-atom02-T2.png; do
  if [ -s "$tmp/ev/$f" ]; then ok "wrote $f"; else bad "wrote $f"; fi
done
# 2 atoms × 2 event types, every number finite, p in [0, 1], α ≥ 0, m in the support
if awk -F, 'NR == 1 { next }
  { rows++
    for (i = 3; i <= NF; i++) if ($i !~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/) bad = 1
    if ($6 < 0 || $7 < 0 || $7 > 1 || $8 <= 0 || $12 < 0 || $12 > 1) bad = 1 }
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
check "refuses to overwrite" 1 "$cli" events "$tmp/model" "$edf" --out "$tmp/ev"
check "overwrites with --force, SVG figures" 0 "$cli" events "$tmp/model" "$edf" --out "$tmp/ev" --force --format svg --event-types T0
check "unknown event type is an error" 1 "$cli" events "$tmp/model" "$edf" --out "$tmp/ev2" --event-types T9
check "bad --support is a usage error" 2 "$cli" events "$tmp/model" "$edf" --out "$tmp/ev2" --support 1,0
check "a folder without a model is an error" 1 "$cli" events "$tmp" "$edf" --out "$tmp/ev2"
exit $fail
