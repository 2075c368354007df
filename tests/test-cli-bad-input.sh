#!/bin/sh
# Bad inputs the corpus (test-corpus.c) found handled wrongly, one check each:
# a cut file learned from without a word, a FIF cut between two tags read as whole,
# a PNG whose header announces a huge image decoded for minutes, a constant image
# learned from, and learning from an image printing a JSON critical.
# Usage: test-cli-bad-input.sh ATOMSCOPE_CLI   (G_TEST_SRCDIR = tests/)
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

# A cut WAV: learn says what is missing (even with -q) and keeps it in run.json.
head -c 2930 "$data/mitdb100_ecg_10s_360Hz.wav" > "$tmp/cut.wav"
# shellcheck disable=SC2086
expect "learn warns of a cut file" 0 'warning: .*cut\.wav: the file is truncated' \
  "$cli" learn $small --atom-samples 8 -o "$tmp/m1" "$tmp/cut.wav"
if grep -q '"reading_warnings"' "$tmp/m1/run.json" && grep -q 'truncated' "$tmp/m1/run.json"; then
  ok "run.json keeps the reading warnings"
else
  bad "run.json keeps the reading warnings"; sed 's/^/# /' "$tmp/m1/run.json" | head -80
fi

# A FIF file cut exactly after its first data buffer (a tag's end): not whole.
head -c 221312 "$data/141027_cropped_90Hz_raw.fif" > "$tmp/cut.fif"
expect "FIF cut at a tag's end" 0 'the file is truncated at byte 221312' "$cli" info "$tmp/cut.fif"
expect "whole FIF has no warning" 0 '^Warnings: 0$' "$cli" info "$data/141027_cropped_90Hz_raw.fif"

# PNGs written here: a real header with a huge size (CRC kept valid), a constant image,
# a textured one.
"$py" - "$data/grass.png" "$tmp" <<'EOF'
import struct, sys, zlib
src, out = sys.argv[1], sys.argv[2]
d = bytearray(open(src, 'rb').read())
d[16:24] = struct.pack('>II', 65536, 65536)
d[29:33] = struct.pack('>I', zlib.crc32(bytes(d[12:29])))
open(out + '/huge.png', 'wb').write(d)
def png(path, w, h, pixel):
    raw = b''.join(b'\0' + bytes(pixel(x, y) for x in range(w)) for y in range(h))
    def chunk(t, b):
        return struct.pack('>I', len(b)) + t + b + struct.pack('>I', zlib.crc32(t + b))
    open(path, 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 0, 0, 0, 0))
                           + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
png(out + '/flat.png', 40, 30, lambda x, y: 128)
png(out + '/texture.png', 40, 30, lambda x, y: (x * 37 + y * 91 + (x * y) % 17) % 256)
EOF
expect "huge PNG refused at once" 1 'huge\.png: the image \(65536 × 65536 pixels\) is larger' \
  timeout 10 "$cli" info "$tmp/huge.png"
# shellcheck disable=SC2086
expect "constant image refused" 1 'flat\.png: every pixel of the image has the same value' \
  "$cli" learn $small --atom-size 3 -o "$tmp/m2" "$tmp/flat.png"
# shellcheck disable=SC2086
out=$("$cli" learn $small --atom-size 3 -o "$tmp/m3" "$tmp/texture.png" 2>&1); status=$?
if [ $status -eq 0 ] && ! printf '%s\n' "$out" | grep -q 'CRITICAL\|WARNING'; then
  ok "learning from an image prints no critical"
else
  bad "learning from an image prints no critical (exit $status)"; echo "$out" | sed 's/^/# /'
fi
echo "1..$n"
exit $fail
