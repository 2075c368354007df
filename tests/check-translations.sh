#!/bin/sh
# Every language in po/LINGUAS is complete: no untranslated or fuzzy message
# against a template freshly extracted from the sources listed in POTFILES.in.
set -u
top="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$top" || exit 1
xgettext --from-code=UTF-8 --add-comments --keyword=_ --keyword=N_ --keyword=C_:1c,2 \
  --keyword=NC_:1c,2 --keyword=g_dngettext:2,3 --keyword=ngettext:1,2 \
  --files-from=po/POTFILES.in --output="$work/atomscope.pot" 2>"$work/xgettext.log" || {
  cat "$work/xgettext.log"; exit 1; }
fail=0
for lang in $(grep -v '^#' po/LINGUAS); do
  msgmerge --quiet --no-fuzzy-matching "po/$lang.po" "$work/atomscope.pot" -o "$work/$lang.po" || { fail=1; continue; }
  stats=$(msgfmt --check --statistics -o /dev/null "$work/$lang.po" 2>&1)
  echo "$lang: $stats"
  case "$stats" in
    *untranslated*|*fuzzy*) fail=1 ;;
  esac
  msgfmt --check -o /dev/null "po/$lang.po" || fail=1
done
exit $fail
