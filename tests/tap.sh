# tap.sh: TAP helpers for the command-line test scripts (sourced; they set fail=0 first).
n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
bad () { n=$((n + 1)); echo "not ok $n - $1"; fail=1; }
expect () { # description, expected status, pattern (grep -E on stdout+stderr), command...
  desc="$1"; want="$2"; pat="$3"; shift 3
  out=$("$@" 2>&1); got=$?
  if [ "$got" -ne "$want" ]; then
    bad "$desc: exit $got, expected $want"; echo "$out" | sed 's/^/# /'
  elif ! printf '%s\n' "$out" | grep -Eq -- "$pat"; then
    bad "$desc: output lacks /$pat/"; echo "$out" | sed 's/^/# /'
  else
    ok "$desc"
  fi
}
