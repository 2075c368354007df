#!/bin/sh
# atomscope-cli annotate: delete and add annotations of the 64-channel EEG,
# save them as EDF+ and events.tsv, read them back; bad edits are refused.
# Usage: test-cli-annotate.sh ATOMSCOPE_CLI   (G_TEST_SRCDIR = tests/)
set -u
cli="$1"
data="${G_TEST_SRCDIR:-$(dirname "$0")}/data"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
. "$(dirname "$0")/tap.sh"
edf="$data/eegmmi_S001R04_motor_imagery.edf"

expect "list after edits" 0 '^ +4 +12\.500 s +1\.250 s +spike, left$' \
  "$cli" annotate "$edf" --delete 2 --delete 1 --add "12.5,1.25,spike, left" --add "3,0,eyes closed"
expect "save EDF+" 0 '^30 annotations saved to' \
  "$cli" annotate "$edf" --delete 1 --add "12.5,1.25,spike" -o "$tmp/a.edf"
expect "EDF+ read back: the annotation" 0 '12\.500 s +1\.250 s +spike$' "$cli" info --events "$tmp/a.edf"
expect "EDF+ read back: the deleted one is gone" 0 '^ +4\.200 s +4\.100 s +T2$' "$cli" info --events "$tmp/a.edf"
if "$cli" info --events "$tmp/a.edf" 2>&1 | grep -Eq '^ +0\.000 s +4\.200 s +T0$'; then
  bad "EDF+ read back: the first annotation was deleted"
else
  ok "EDF+ read back: the first annotation was deleted"
fi
expect "EDF+ keeps the start time" 0 '^Start: 2009-08-12T16:15:00Z$' "$cli" info "$tmp/a.edf"
expect "never replaced unasked" 1 'exists' "$cli" annotate "$edf" -o "$tmp/a.edf"
expect "replaced with --force" 0 '^30 annotations saved' "$cli" annotate "$edf" -o "$tmp/a.edf" --force
expect "events.tsv" 0 '^31 annotations saved' "$cli" annotate "$edf" -a "1.5,0.5,blink" -o "$tmp/a_events.tsv"
if grep -q "$(printf '^1.500000\t0.500000\tblink\tn/a$')" "$tmp/a_events.tsv"; then ok "events.tsv row"
else bad "events.tsv row"; sed 's/^/# /' "$tmp/a_events.tsv"; fi
expect "events.tsv read back" 0 '^Events: 61$' "$cli" info --add-events "$tmp/a_events.tsv" "$edf"
expect "onset past the end" 2 'onset must lie in the recording' "$cli" annotate "$edf" -a "200,0,late"
expect "no such annotation" 2 'annotations 1 to 30' "$cli" annotate "$edf" -d 31
expect "malformed --add" 2 'ONSET,DURATION,TEXT' "$cli" annotate "$edf" -a "1.5;blink"
expect "tab in the text" 2 'tabs' "$cli" annotate "$edf" -a "$(printf '1,0,a\tb')"
echo "1..$n"
exit $fail
