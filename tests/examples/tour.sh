#!/bin/sh
# tests/examples/tour.sh SRC_DIR BUILD_DIR - the scenario tour as a test
# (ctest race/examples_tour, registered by cmake/examples.cmake).
#
# Runs examples/demo.sh twice, on the default number of workers and with
# WEFT_PROCS=1 (every interleaving cooperative): every verdict must match
# both times (demo.sh exits 0), and each program's output must hold the key
# lines of tests/examples/expect.txt (and none of its "!" lines). Verdicts
# are deterministic by construction (see each example's comments), so
# nothing here is retried.
set -u
src=${1:?usage: tour.sh SRC_DIR BUILD_DIR}
build=${2:?usage: tour.sh SRC_DIR BUILD_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0

key_of() { printf '%s' "$*" | tr -c 'A-Za-z0-9_.-' '_'; }

check_outputs() { # dir label
  dir=$1; label=$2; key=; file=
  while IFS= read -r line; do
    case "$line" in
      ''|'#'*) continue ;;
      '== '*)
        key=$(key_of ${line#== })
        file="$dir/$key.out"
        if [ ! -f "$file" ]; then
          echo "FAIL [$label] no output for $line (not in examples/tour.list?)"; failed=1; file=
        fi ;;
      '!'*)
        [ -n "$file" ] || continue
        if grep -qF -- "${line#!}" "$file"; then
          echo "FAIL [$label] $key: has the line '${line#!}', which it must not"; failed=1
        fi ;;
      *)
        [ -n "$file" ] || continue
        if ! grep -qF -- "$line" "$file"; then
          echo "FAIL [$label] $key: no line contains '$line'"; failed=1
        fi ;;
    esac
  done < "$src/tests/examples/expect.txt"
}

for procs in default 1; do
  out="$work/procs-$procs"
  mkdir -p "$out"
  if [ "$procs" = default ]; then
    WEFT_TOUR_OUT=$out sh "$src/examples/demo.sh" "$build" > "$work/demo.txt" 2>&1
  else
    WEFT_PROCS=1 WEFT_TOUR_OUT=$out sh "$src/examples/demo.sh" "$build" > "$work/demo.txt" 2>&1
  fi
  status=$?
  grep -v '^     |' "$work/demo.txt" | sed "s/^/[procs=$procs] /"
  if [ "$status" -ne 0 ]; then
    echo "FAIL [procs=$procs] demo.sh exited $status; full output:"; cat "$work/demo.txt"; failed=1
  fi
  check_outputs "$out" "procs=$procs"
done
if [ "$failed" -ne 0 ]; then
  for f in "$work"/procs-*/*.out; do echo "---- $f"; cat "$f"; done
  exit 1
fi
echo "tour: every verdict and key line as expected, on the default workers and on one"
