#!/bin/sh
# examples/demo.sh BUILD_DIR - the scenario tour behind `make demo`.
#
# Runs each example program and compares what happened with the verdict the
# example's README promises: one line per program, then a summary. Exits 0
# only when every verdict matches. Colour only when stdout is a terminal.
#
# Each entry: <program path under BUILD_DIR/examples> <expected verdict>
# Verdicts: clean (exit 0), race (exit 66 and a DATA RACE report),
# deadlock (exit 2, "deadlock!"), leak (leak report), fatal (exit 2).
set -u
build=${1:?usage: sh examples/demo.sh BUILD_DIR}
if [ -t 1 ]; then green=$(printf '\033[32m'); red=$(printf '\033[31m'); off=$(printf '\033[0m')
else green=; red=; off=; fi

TOUR="
hello/hello clean
"

pass=0; fail=0
verdict_of() { # status output-file
  case "$1" in
    0) echo clean ;;
    66) echo race ;;
    2) if grep -q "deadlock!" "$2"; then echo deadlock
       elif grep -q "leaked goroutine\|goroutine leak" "$2"; then echo leak
       else echo fatal; fi ;;
    *) echo "exit-$1" ;;
  esac
}
echo "weft scenario tour ($build)"
echo
out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "$TOUR" | while read -r prog want; do
  [ -n "$prog" ] || continue
  bin="$build/examples/$prog"
  if [ ! -x "$bin" ]; then
    printf '%-32s want %-9s got %s%s%s\n' "$prog" "$want" "$red" "not built" "$off"
    echo fail >> "$out.tally"; continue
  fi
  "$bin" > "$out" 2>&1
  got=$(verdict_of $? "$out")
  if [ "$got" = "$want" ]; then
    printf '%-32s want %-9s got %s%s%s\n' "$prog" "$want" "$green" "$got" "$off"
    sed 's/^/    | /' "$out"
    echo pass >> "$out.tally"
  else
    printf '%-32s want %-9s got %s%s%s\n' "$prog" "$want" "$red" "$got" "$off"
    sed 's/^/    | /' "$out"
    echo fail >> "$out.tally"
  fi
done
pass=$(grep -c pass "$out.tally" 2>/dev/null || true)
fail=$(grep -c fail "$out.tally" 2>/dev/null || true)
rm -f "$out.tally"
echo
echo "tour: ${pass:-0} matched, ${fail:-0} did not"
[ "${fail:-0}" -eq 0 ]
