#!/bin/sh
# "atomscope-cli plot" and "learn --figures": the figures of a model folder are
# written as valid PNG, SVG and PDF files of the size asked for, and are not blank.
set -u
cli="$1"
data="${G_TEST_SRCDIR:-$(dirname "$0")}/data"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
notok () { n=$((n + 1)); echo "not ok $n - $1"; fail=1; }
skip () { n=$((n + 1)); echo "ok $n # SKIP $1"; }
check () { # description, expected status, command...
  desc="$1"; want="$2"; shift 2
  out=$("$@" 2>&1); got=$?
  if [ "$got" -ne "$want" ]; then
    notok "$desc: exit $got, expected $want"; echo "$out" | sed 's/^/# /'
  else
    ok "$desc"
  fi
}
# "W H" of a PNG from file(1).
png_size () { file -b "$1" | sed -n 's/^PNG image data, \([0-9]*\) x \([0-9]*\),.*/\1 \2/p'; }
# Not blank: the luminance varies and there are many colours (text, lines, maps).
not_blank () { # file, what
  if ! command -v identify >/dev/null 2>&1; then skip "$2 not blank (identify not installed)"; return; fi
  stats=$(identify -format '%[fx:standard_deviation] %k' "$1" 2>/dev/null)
  if echo "$stats" | awk '{ exit !($1 > 0.03 && $2 > 50) }'; then
    ok "$2 not blank (std $(echo "$stats" | cut -d' ' -f1), $(echo "$stats" | cut -d' ' -f2) colours)"
  else
    notok "$2 not blank (identify says: $stats)"
  fi
}

eeg="$data/eegmmi_S001R04_motor_imagery.edf"
echo "1..24"
check "learn --figures on the 64-channel EEG" 0 \
  "$cli" learn "$eeg" --out "$tmp/m" --atoms 2 --atom-length 0.2 --iterations 6 --figures -q
for f in figure-atoms figure-raster figure-convergence; do
  if [ "$(file -b "$tmp/m/$f.png" | cut -c1-14)" = "PNG image data" ]; then ok "learn wrote $f.png"; else notok "learn wrote $f.png"; fi
done
check "refuses to overwrite the figures" 1 "$cli" plot "$tmp/m" -q
check "plot --dpi 192 --out" 0 "$cli" plot "$tmp/m" --dpi 192 --out "$tmp/png" -q
# Laid out at 1100 × … (atoms, raster) and 700 × 440 (convergence) pixels of 1/96 inch.
size=$(png_size "$tmp/png/figure-atoms.png")
if [ "${size% *}" = 2200 ] && [ "${size#* }" -gt 1000 ]; then ok "atoms PNG is 2200 px wide at 192 dpi ($size)"; else notok "atoms PNG size at 192 dpi: $size"; fi
size=$(png_size "$tmp/png/figure-convergence.png")
if [ "$size" = "1400 880" ]; then ok "convergence PNG is 1400 × 880 at 192 dpi"; else notok "convergence PNG size: $size"; fi
size=$(png_size "$tmp/png/figure-raster.png")
if [ "${size% *}" = 2200 ]; then ok "raster PNG is 2200 px wide"; else notok "raster PNG size: $size"; fi
for f in figure-atoms figure-raster figure-convergence; do
  not_blank "$tmp/png/$f.png" "$f.png"
done

check "plot --format svg" 0 "$cli" plot "$tmp/m" --format svg --out "$tmp/svg" -q
if file -b "$tmp/svg/figure-atoms.svg" | grep -q '^SVG' && grep -q 'width="825pt"' "$tmp/svg/figure-atoms.svg"; then
  ok "atoms SVG is 825 pt (1100 px) wide"
else
  notok "atoms SVG"; head -c 300 "$tmp/svg/figure-atoms.svg" | sed 's/^/# /'
fi
# Text is drawn as glyphs, curves and maps as paths: a blank figure has neither.
glyphs=$(grep -c '<symbol' "$tmp/svg/figure-atoms.svg"); paths=$(grep -c '<path' "$tmp/svg/figure-atoms.svg")
if [ "$glyphs" -gt 30 ] && [ "$paths" -gt 200 ]; then ok "atoms SVG has text ($glyphs glyphs) and drawing ($paths paths)"; else notok "atoms SVG content: $glyphs glyphs, $paths paths"; fi

check "plot --format pdf" 0 "$cli" plot "$tmp/m" --format pdf --out "$tmp/pdf" -q
if file -b "$tmp/pdf/figure-convergence.pdf" | grep -q '^PDF document'; then ok "convergence PDF is a PDF"; else notok "convergence PDF"; fi
if command -v pdfinfo >/dev/null 2>&1; then
  if pdfinfo "$tmp/pdf/figure-convergence.pdf" | grep -q 'Page size: *525 x 330 pts'; then ok "convergence PDF page is 525 × 330 pt"; else notok "PDF page size"; pdfinfo "$tmp/pdf/figure-convergence.pdf" | sed 's/^/# /'; fi
else
  skip "PDF page size (pdfinfo not installed)"
fi
if command -v pdftoppm >/dev/null 2>&1; then
  pdftoppm -png -r 72 -singlefile "$tmp/pdf/figure-atoms.pdf" "$tmp/pdf/atoms-page" && not_blank "$tmp/pdf/atoms-page.png" "atoms PDF"
else
  skip "atoms PDF not blank (pdftoppm not installed)"
fi

check "a missing folder is an error naming it" 1 "$cli" plot "$tmp/none"
check "no folder is a usage error" 2 "$cli" plot
check "unknown --format is a usage error" 2 "$cli" plot "$tmp/m" --format bmp
check "--dpi out of range is a usage error" 2 "$cli" plot "$tmp/m" --dpi 5
check "--force replaces the figures" 0 "$cli" plot "$tmp/m" --force -q
exit $fail
