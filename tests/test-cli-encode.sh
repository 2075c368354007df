#!/bin/sh
# "atomscope-cli encode": the beat atom learned on the first half of the nystagmus
# recording is found in the second half as often as learning on that half finds it.
set -u
cli="$1"
data="${ATOMSCOPE_DATADIR:-$(dirname "$0")/../data}"
csv="$data/nystagmus_infantile_avramidis_200Hz.csv"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
notok () { n=$((n + 1)); echo "not ok $n - $1"; fail=1; }
echo "1..9"

# The two halves (6.25 s each) as files of their own, header kept.
lines=$(wc -l < "$csv")
half=$(( (lines - 1) / 2 ))
head -n $((half + 1)) "$csv" > "$tmp/first.csv"
{ head -n 1 "$csv"; tail -n +$((half + 2)) "$csv"; } > "$tmp/second.csv"

rate () { # the rate of atom 1 in a command's output
  sed -n 's/^atom 1: [0-9]* occurrences, \([0-9.e+-]*\) per second$/\1/p' "$1"
}

"$cli" learn "$tmp/first.csv" --atoms 1 --atom-length 0.27 --out "$tmp/first" > "$tmp/learn1.txt" 2>&1 \
  && ok "learn on the first half" || { notok "learn on the first half"; cat "$tmp/learn1.txt"; }
"$cli" learn "$tmp/second.csv" --atoms 1 --atom-length 0.27 --out "$tmp/second" > "$tmp/learn2.txt" 2>&1 \
  && ok "learn on the second half" || { notok "learn on the second half"; cat "$tmp/learn2.txt"; }
"$cli" encode "$tmp/second.csv" --model "$tmp/first" --out "$tmp/encoded" > "$tmp/encode.txt" 2>&1 \
  && ok "encode the second half with the first half's atom" || { notok "encode"; cat "$tmp/encode.txt"; }

learned=$(rate "$tmp/learn2.txt")
found=$(rate "$tmp/encode.txt")
echo "# occurrence rate: learned on the second half $learned /s, found by encode $found /s"
if awk -v a="$learned" -v b="$found" 'BEGIN { exit !(a > 1 && b > 0 && (b - a) / a < 0.05 && (a - b) / a < 0.05) }'; then
  ok "encode's rate is within 5% of learning on that half"
else
  notok "encode's rate is within 5% of learning on that half ($found vs $learned)"
fi

# The folder has the model's format, the same atoms byte for byte, and says where they came from.
if cmp -s "$tmp/first/atoms.npy" "$tmp/encoded/atoms.npy" && cmp -s "$tmp/first/u.npy" "$tmp/encoded/u.npy" \
   && cmp -s "$tmp/first/v.npy" "$tmp/encoded/v.npy" && [ -s "$tmp/encoded/activations.npy" ]; then
  ok "the encoded folder keeps the atoms unchanged"
else
  notok "the encoded folder keeps the atoms unchanged"
fi
if grep -q '"command": "encode"' "$tmp/encoded/run.json" && grep -q '"end_state": "encoded"' "$tmp/encoded/run.json" \
   && grep -q '"dictionary": ".*first"' "$tmp/encoded/run.json" && grep -q '"source_name": "second.csv"' "$tmp/encoded/run.json"; then
  ok "run.json records the command, the dictionary and the source"
else
  notok "run.json records the command, the dictionary and the source"
fi

# Errors: no model there (exit 1, names run.json), a usage error (exit 2), no overwrite.
"$cli" encode "$tmp/second.csv" --model "$tmp/nothing" --out "$tmp/e2" > "$tmp/err.txt" 2>&1
st=$?
if [ $st -eq 1 ] && grep -q "nothing" "$tmp/err.txt"; then ok "a missing model folder is a clear error"; else notok "a missing model folder is a clear error (exit $st)"; cat "$tmp/err.txt"; fi
"$cli" encode "$tmp/second.csv" --out "$tmp/e3" > "$tmp/err.txt" 2>&1
st=$?
[ $st -eq 2 ] && ok "--model is required" || notok "--model is required (exit $st)"
"$cli" encode "$tmp/second.csv" --model "$tmp/first" --out "$tmp/encoded" > "$tmp/err.txt" 2>&1
st=$?
[ $st -eq 1 ] && ok "an existing folder is kept without --force" || notok "an existing folder is kept without --force (exit $st)"
exit $fail
