#!/bin/sh
# Images through the command line: learn removes each colour plane's mean and its local
# background (a Gaussian blur as wide as an atom, --background to change it) and records it in
# run.json; encode prepares an image as the model records; --background is refused on signals.
# Usage: test-cli-image.sh ATOMSCOPE_CLI   (G_TEST_SRCDIR = tests/)
set -u
cli="$1"
data="${G_TEST_SRCDIR:-$(dirname "$0")}/data"
py=/usr/bin/python3
[ -x "$py" ] || py=python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
. "$(dirname "$0")/tap.sh"
small="-q --checkpoint 0 --threads 1 -k 2 -n 3"

# Oriented stripes of period 6 px on a brightness ramp.
"$py" "$(dirname "$0")/make-texture-png.py" "$tmp/tex.png"
# shellcheck disable=SC2086
expect "learn an image" 0 "" "$cli" learn $small --atom-size 6 -o "$tmp/m" "$tmp/tex.png"
pre() {
  "$py" -c 'import json, sys; p = json.load(open(sys.argv[1]))["preprocessing"]; print(p.get("detrend"), p.get("image_background_px"))' "$1"
}
if [ "$(pre "$tmp/m/run.json")" = "constant 6" ]; then
  ok "run.json: each plane's mean and a background of the atom's side (6 px) removed"
else
  bad "run.json: each plane's mean and a background of the atom's side removed: $(pre "$tmp/m/run.json")"
fi
# shellcheck disable=SC2086
expect "learn with --background 0" 0 "" "$cli" learn $small --atom-size 6 --background 0 -o "$tmp/m0" "$tmp/tex.png"
if [ "$(pre "$tmp/m0/run.json")" = "constant None" ]; then
  ok "--background 0: the mean alone"
else
  bad "--background 0: the mean alone: $(pre "$tmp/m0/run.json")"
fi
# shellcheck disable=SC2086
expect "learn with --background 2.5" 0 "" "$cli" learn $small --atom-size 6 --background 2.5 -o "$tmp/m2" "$tmp/tex.png"
if [ "$(pre "$tmp/m2/run.json")" = "constant 2.5" ]; then
  ok "--background 2.5 recorded"
else
  bad "--background 2.5 recorded: $(pre "$tmp/m2/run.json")"
fi
expect "encode the image with the model" 0 "" "$cli" encode "$tmp/tex.png" --model "$tmp/m" --out "$tmp/e" -q
if [ "$(pre "$tmp/e/run.json")" = "constant 6" ]; then
  ok "encode prepares the image as the model records"
else
  bad "encode prepares the image as the model records: $(pre "$tmp/e/run.json")"
fi
# shellcheck disable=SC2086
expect "--background refused on a signal" 2 '--background applies to images only' \
  "$cli" learn $small --atom-samples 8 --background 3 -o "$tmp/s" "$data/mitdb100_ecg_10s_360Hz.wav"
echo "1..$n"
exit $fail
