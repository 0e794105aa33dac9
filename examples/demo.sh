#!/bin/sh
# examples/demo.sh BUILD_DIR [-v] - the scenario tour behind `make demo`.
#
# Runs each program of examples/tour.list and compares what happened with
# the verdict the example's README promises: one line per program, with the
# whole output of the FIRST program of each verdict (race, deadlock, leak,
# fatal, clean) so that each kind of report is seen once; -v shows every
# output. Then a summary. Exits 0 only when every verdict matches. Colour
# only when stdout is a terminal.
#
# WEFT_TOUR_OUT=dir keeps each program's output (stdout and stderr, plus a
# log_path file if one was written) as dir/<key>.out, key being the tour
# line's program and environment with every other character turned into _
# (tests/examples/tour.sh checks key lines in them).
set -u
build=${1:?usage: sh examples/demo.sh BUILD_DIR [-v]}
verbose=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
if [ -t 1 ]; then green=$(printf '\033[32m'); red=$(printf '\033[31m')
  dim=$(printf '\033[2m'); off=$(printf '\033[0m')
else green=; red=; dim=; off=; fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

verdict_of() { # status output-file
  if [ "$1" -ne 0 ] && grep -q "WARNING: DATA RACE" "$2"; then echo race; return; fi
  case "$1" in
    0) echo clean ;;
    66) echo race ;;                 # (log_path: the report went to a file)
    2) if grep -q "all goroutines are asleep - deadlock!" "$2"; then echo deadlock
       elif grep -q "^weft: goroutine leak" "$2"; then echo leak
       else echo fatal; fi ;;
    *) echo "exit-$1" ;;
  esac
}

key_of() { printf '%s' "$*" | tr -c 'A-Za-z0-9_.-' '_'; }

echo "weft scenario tour ($build)"
echo
pass=0; fail=0; shown=" "
while read -r prog want envs; do
  case "$prog" in ''|'#'*) continue ;; esac
  key=$(key_of "$prog" $envs)
  envs=$(printf '%s' "$envs" | sed -e "s|@TMP@|$tmp|g" -e "s|@SRC@|$src|g")
  bin="$build/examples/$prog"
  label="$prog${envs:+ $(printf '%s' "$envs" | sed "s|$tmp|/tmp/...|g; s|$src|SRC|g")}"
  out="$tmp/out"
  if [ ! -x "$bin" ]; then
    got="not-built"; : > "$out"
  else
    # shellcheck disable=SC2086 # envs is a list of VAR=value words
    env $envs "$bin" > "$out" 2>&1
    status=$?
    got=$(verdict_of "$status" "$out")
    for log in "$tmp"/race.*; do        # a log_path report
      [ -f "$log" ] || continue
      echo "--- log_path file $(basename "$log"):" >> "$out"; cat "$log" >> "$out"; rm -f "$log"
      [ "$got" = clean ] && got=race
    done
  fi
  if [ -n "${WEFT_TOUR_OUT:-}" ]; then
    cp "$out" "$WEFT_TOUR_OUT/$key.out"
  fi
  if [ "$got" = "$want" ]; then
    pass=$((pass + 1)); colour=$green; mark=ok
  else
    fail=$((fail + 1)); colour=$red; mark=FAIL
  fi
  printf '%-4s %-58s want %-9s got %s%s%s\n' "$mark" "$label" "$want" "$colour" "$got" "$off"
  case "$shown" in *" $got "*) first=no ;; *) first=yes; shown="$shown$got " ;; esac
  if [ "$first" = yes ] || [ "$mark" = FAIL ] || [ -n "$verbose" ]; then
    sed "s/^/     $dim|$off /" "$out"
  fi
done < "$here/tour.list"
echo
if [ "$fail" -eq 0 ]; then
  echo "tour: ${green}all $pass verdicts as expected$off"
else
  echo "tour: $pass as expected, ${red}$fail not$off"
fi
[ "$fail" -eq 0 ]
