#!/bin/sh
# atomscope-cli info: what was read from real files, and clear failures.
# Usage: test-cli-info.sh ATOMSCOPE_CLI   (G_TEST_SRCDIR = tests/)
set -u
cli="$1"
data="${G_TEST_SRCDIR:-$(dirname "$0")}/data"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
. "$(dirname "$0")/tap.sh"
edf="$data/eegmmi_S001R04_motor_imagery.edf"
# the EDF is read once (libbiosig in a child process takes a moment); its
# output is checked line by line
edf_out=$("$cli" info --events "$edf" 2>&1); edf_status=$?
has () { # description, pattern
  if [ "$edf_status" -ne 0 ]; then bad "$1: exit $edf_status"
  elif printf '%s\n' "$edf_out" | grep -Eq -- "$2"; then ok "$1"
  else bad "$1: output lacks /$2/"; echo "$edf_out" | sed 's/^/# /'; fi
}
has "EDF format" '^Format: EDF\+C$'
has "EDF channels" '^Channels: 64$'
has "EDF rate" '^Sampling rate: 160 Hz$'
has "EDF duration" '^Duration: 125\.000 s$'
has "EDF positions" '^Positions: 64 of 64 channels'
has "EDF channel line" 'Fc5\. +EEG +uV +\(-0\.0'
has "EDF event list" '4\.200 s +4\.100 s +T2'
has "EDF events count" '^Events: 30$'
expect "EDF event summary" 0 '^  T1 +×8$' "$cli" info "$edf"
expect "CSV sample" 0 'eye_position +gaze +deg' "$cli" info "$data/nystagmus_infantile_avramidis_200Hz.csv"
expect "WAV" 0 '^Sampling rate: 360 Hz$' "$cli" info "$data/mitdb100_ecg_10s_360Hz.wav"
expect "WAV warning" 0 'full scale' "$cli" info "$data/mitdb100_ecg_10s_360Hz.wav"
printf 'a b\n1 2\n3 4\n' > "$tmp/plain.txt"
expect "rate option" 0 '^Sampling rate: 50 Hz$' "$cli" info --rate 50 "$tmp/plain.txt"
printf 'Fp1 -2.7 8.6 3.6\nCz 0 0 10\n' > "$tmp/two.sfp"
printf 'time,Fp1 [uV],Cz [uV],Pz [uV]\n0,1,2,3\n0.01,2,3,4\n0.02,3,4,5\n' > "$tmp/eeg.csv"
expect "custom montage" 0 '^Positions: 2 of 3 channels \(two\.sfp\)' "$cli" info --montage "$tmp/two.sfp" "$tmp/eeg.csv"
expect "custom montage warning" 0 'no position in two\.sfp for: Pz' "$cli" info --montage "$tmp/two.sfp" "$tmp/eeg.csv"
printf 'time,x\n0,1\n1,2\n2,3\n4,4\n5,5\n' > "$tmp/irregular.csv"
expect "irregular refused" 1 'irregular\.csv: line 5: irregular sampling' "$cli" info --strict-rates "$tmp/irregular.csv"
expect "irregular resampled" 0 '^Samples: 6$' "$cli" info "$tmp/irregular.csv"
expect "irregular rate noted" 0 'resampled to 1 Hz' "$cli" info "$tmp/irregular.csv"
expect "old resample option" 0 '^Samples: 6$' "$cli" info --resample "$tmp/irregular.csv"
# formats and layouts of other programs, read with no option
expect "FIF" 0 '^Channels: 306$' "$cli" info "$data/141027_cropped_90Hz_raw.fif"
expect "vendor rows export" 0 '^Samples: 200$' "$cli" info "$data/vestibular_export_rows.csv"
expect "names and units given" 0 '^ *1  Horizontal  *gaze  *deg *$' "$cli" info --names 'Horizontal,,Torsion' --units 'deg' "$data/vestibular_export_rows.csv"
expect "an empty name keeps the one read" 0 '^ *2  Eye vertical ' "$cli" info --names 'Horizontal,,Torsion' "$data/vestibular_export_rows.csv"
expect "EyeLink blocks" 0 '2 recording blocks' "$cli" info "$data/eyelink_binocular_500Hz.asc"
expect "EDF+D gaps" 0 'kept as missing data' "$cli" info "$data/edfplus_discontinuous.edf"
printf 'Device;X\nRow1;1;2;3\nRow2;4;5;6\n' > "$tmp/short_rows.csv"
expect "rows option" 0 '^Samples: 3$' "$cli" info --rows --skip 1 --separator ';' --rate 10 "$tmp/short_rows.csv"
expect "bad separator" 1 'separator: .\|. is not one of' "$cli" info --separator '|' "$tmp/short_rows.csv"
printf 'onset\tduration\ttrial_type\n0.5\t0.1\tcue\n' > "$tmp/ev_events.tsv"
expect "added events" 0 'cue +×1' "$cli" info --add-events "$tmp/ev_events.tsv" "$data/edfplus_discontinuous.edf"
expect "bad events file" 1 'ev_bad\.txt' sh -c "echo x > '$tmp/ev_bad.txt'; '$cli' info --add-events '$tmp/ev_bad.txt' '$data/edfplus_discontinuous.edf'"
expect "no file" 2 'exactly one file' "$cli" info
expect "two files" 2 'exactly one file' "$cli" info "$edf" "$edf"
expect "bad option" 2 'Unknown option' "$cli" info --frobnicate "$edf"
expect "folder" 1 'is a folder' "$cli" info "$tmp"
expect "missing file" 1 "$tmp/none.edf" "$cli" info "$tmp/none.edf"
head -c 1000 "$edf" > "$tmp/cut.edf"
expect "truncated EDF" 1 'cut\.edf: byte 1000 \(signal headers\)' "$cli" info "$tmp/cut.edf"
printf 'time,x\n0,1\n1,zz\n' > "$tmp/bad.csv"
expect "bad CSV" 1 'bad\.csv: line 3, column 2' "$cli" info "$tmp/bad.csv"
# A named pipe is refused at once (reading it would wait for a writer forever).
mkfifo "$tmp/pipe.edf"
expect "named pipe" 1 'pipe\.edf: is not a regular file' timeout 10 "$cli" info "$tmp/pipe.edf"
expect "named pipe to learn" 1 'pipe\.edf: is not a regular file' timeout 10 "$cli" learn "$tmp/pipe.edf" --out "$tmp/p"
echo "1..$n"
exit $fail
