#!/bin/sh
# run-fuzz.sh MODE TARGET SEEDS WORKDIR SECONDS
# MODE libfuzzer: run the libFuzzer binary for SECONDS on a scratch copy of
#   the corpus (new inputs and crash artefacts go to WORKDIR, never to the
#   source tree); 0 seconds replays the seeds only.
# MODE replay: the plain program replays SEEDS, then mutates them for SECONDS.
set -eu
mode="$1"; target="$2"; seeds="$3"; work="$4"; seconds="$5"
mkdir -p "$work/corpus"
if [ "$mode" = libfuzzer ]; then
  if [ "$seconds" -eq 0 ]; then
    exec "$target" -runs=0 "$seeds"
  fi
  exec "$target" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
       -max_len=65536 -print_final_stats=1 -artifact_prefix="$work/" \
       "$work/corpus" "$seeds"
fi
ATOMSCOPE_FUZZ_SECONDS="$seconds" exec "$target" "$seeds"
