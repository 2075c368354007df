#!/bin/sh
# Fails when a source or resource file with translatable strings is missing
# from po/POTFILES.in, or when POTFILES.in names a file that does not exist.
set -u
top="$1"
cd "$top" || exit 1
fail=0
listed=$(grep -v '^#' po/POTFILES.in | sed '/^$/d')
for f in $listed; do
  [ -f "$f" ] || { echo "POTFILES.in names a missing file: $f"; fail=1; }
done
for f in $(grep -rlE '\b(N_|_|C_|NC_)\(' --include='*.c' engine figures bench ui app; \
           grep -rl 'translatable="yes"' --include='*.ui' resources; \
           ls resources/*.desktop.in resources/*.metainfo.xml.in resources/*.gschema.xml 2>/dev/null); do
  echo "$listed" | grep -qx "$f" || { echo "not in po/POTFILES.in: $f"; fail=1; }
done
[ $fail -eq 0 ] && echo "POTFILES.in is complete"
exit $fail
