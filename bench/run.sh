#!/bin/sh
# bench/run.sh BUILD_DIR - run weft's benchmarks beside their Go twins and
# print one comparison table. `make bench` calls it after building.
#
# What it runs. Every bench/<name>.c is built by cmake/bench.cmake into
# BUILD_DIR/bench/<name>; its twin bench/go/<name>/main.go (package main,
# standard library only) is built here with `go build` into
# BUILD_DIR/bench/go/<name>. Each program runs twice: with one thread
# (WEFT_PROCS=1, GOMAXPROCS=1) and with as many as there are CPUs (both
# variables set to the same count), weft first, then its twin, so the two
# sides of a row run back to back under the same conditions.
#
# What it reads. Programs print lines `BENCH <benchmark> <value> <unit>`;
# everything else they print is ignored. One program may print several
# benchmarks. The table has one row per benchmark and thread count:
#   benchmark  procs  weft  Go  ratio  unit
# where ratio = weft / Go. Every unit we use is "lower is better" (ns/op,
# KB, ms, us), so a ratio below 1.00 means weft is faster or smaller.
#
# Flavours. The table is built from (flavour, side) columns:
#   plain  weft's normal library against plain `go build`;
#   race   BUILD_DIR/bench/<name>-race (compiled with -fsanitize=thread,
#          linked with weft-race; cmake/bench.cmake) against twins built
#          with `go build -race` into BUILD_DIR/bench/go/<name>-race. Its
#          group adds a "slow" column after each side: that side's race
#          figure divided by its own plain figure (the detector's cost).
# A flavour whose C programs were not built is skipped (sanitizer builds
# have no race flavour). BENCH_FLAVOURS (default "plain race") picks some.
#
# Then race_sweep against the compiler's own ThreadSanitizer runtime: the
# same loop on two pthreads, built plain (race_sweep-pthreads) and with
# -fsanitize=thread linked with the compiler's TSan (race_sweep-tsan), run
# with as many workers as CPUs, beside race_sweep and race_sweep-race at
# the same procs; a few lines after the table compare the two slowdowns.
# If TSan cannot map its shadow under this kernel's address-space
# randomisation, the run is retried under `setarch -R`.
#
# Without Go, the table has weft's column only, and one line says how to
# install Go. Exit status: 1 if any program failed to build or run (its
# error output is shown), 0 otherwise. A run that takes more than
# BENCH_TIMEOUT seconds (default 600) counts as failed.
#
# Environment: WEFT_BENCH_SCALE, passed through to the programs, multiplies
# the workload sizes (e.g. 0.1 for a quick look); GO names the go command
# (default: go from PATH); BENCH_TIMEOUT as above.
set -u

usage() { echo "usage: sh bench/run.sh BUILD_DIR" >&2; exit 2; }
[ $# -eq 1 ] || usage
build=$1
srcdir=$(cd "$(dirname "$0")" && pwd)
bindir=$build/bench
[ -d "$bindir" ] || { echo "bench: $bindir does not exist; build first (make bench)" >&2; exit 1; }
bindir=$(cd "$bindir" && pwd)

# Flavours, one per line: name, C program suffix, go build flags, weft
# column title, Go column title. Fields are separated by '|'; go build
# flags '-' means none.
ALL_FLAVOURS='plain||-|weft|Go
race|-race|-race|weft-race|Go-race'
wanted=${BENCH_FLAVOURS:-plain race}
FLAVOURS=
for f in $ALL_FLAVOURS; do
  case " $wanted " in *" ${f%%|*} "*) FLAVOURS="$FLAVOURS $f" ;; esac
done

cpus=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
if [ "$cpus" -gt 1 ]; then procs_list="1 $cpus"; else procs_list=1; fi
timeout_s=${BENCH_TIMEOUT:-600}
if command -v timeout >/dev/null 2>&1; then limit="timeout $timeout_s"; else limit=; fi

work=$(mktemp -d "${TMPDIR:-/tmp}/weft-bench.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
results=$work/results   # lines: flavour side program procs benchmark value unit
: >"$results"
failures=0

go=${GO:-go}
have_go=0
if command -v "$go" >/dev/null 2>&1; then have_go=1; fi

# go build in GOPATH mode: the twins use the standard library only, so no
# go.mod, no module download, nothing fetched from the network.
go_build() { # dir out flags
  if [ -z "${GOCACHE:-}" ] && [ -z "${XDG_CACHE_HOME:-}" ] && [ -z "${HOME:-}" ]; then
    GOCACHE=$bindir/go/.cache; export GOCACHE
  fi
  if [ "$3" = - ]; then flags=; else flags=$3; fi
  # shellcheck disable=SC2086 # flags is a word list
  (cd "$1" && GO111MODULE=off GOFLAGS='' GOPROXY=off GOTOOLCHAIN=local \
     "$go" build $flags -o "$2" .) >"$work/go-build.log" 2>&1
}

# run_one flavour side program procs executable [launcher words...]
# Returns non-zero (and counts a failure) if the program failed.
run_one() {
  printf 'bench: %-24s procs=%-3s %s\n' "$3" "$4" "$2" >&2
  r_flavour=$1 r_side=$2 r_prog=$3 r_procs=$4 r_exe=$5
  shift 5
  # shellcheck disable=SC2086 # limit is a word list
  WEFT_PROCS=$r_procs GOMAXPROCS=$r_procs $limit "$@" "$r_exe" >"$work/out" 2>"$work/err"
  status=$?
  if [ $status -ne 0 ]; then
    echo "bench: FAILED: $* $r_exe with WEFT_PROCS=GOMAXPROCS=$r_procs (exit status $status)" >&2
    tail -n 20 "$work/err" >&2
    failures=$((failures + 1))
    return 1
  fi
  awk -v f="$r_flavour" -v s="$r_side" -v prog="$r_prog" -v p="$r_procs" \
    '$1 == "BENCH" && NF >= 4 { print f, s, prog, p, $2, $3, $4 }' "$work/out" >>"$results"
}

ran_any=0
for flavour in $FLAVOURS; do
  IFS='|' read -r fname suffix goflags _ _ <<EOF
$flavour
EOF
  for src in "$srcdir"/*.c; do
    [ -e "$src" ] || continue
    prog=$(basename "$src" .c)
    exe=$bindir/$prog$suffix
    if [ ! -x "$exe" ]; then
      if [ "$fname" = plain ]; then
        echo "bench: FAILED: $exe was not built" >&2
        failures=$((failures + 1))
      fi
      continue
    fi
    ran_any=1
    gotwin=
    if [ $have_go = 1 ] && [ -f "$srcdir/go/$prog/main.go" ]; then
      mkdir -p "$bindir/go"
      if go_build "$srcdir/go/$prog" "$bindir/go/$prog$suffix" "$goflags"; then
        gotwin=$bindir/go/$prog$suffix
      else
        echo "bench: FAILED: go build of bench/go/$prog:" >&2
        cat "$work/go-build.log" >&2
        failures=$((failures + 1))
      fi
    fi
    for procs in $procs_list; do
      run_one "$fname" weft "$prog" "$procs" "$exe"
      [ -n "$gotwin" ] && run_one "$fname" go "$prog" "$procs" "$gotwin"
    done
  done
done

# race_sweep against the compiler's TSan (see the top): pthreads, plain and
# instrumented, at procs = CPUs, after race_sweep and race_sweep-race ran
# above. A TSan program that cannot map its shadow (high mmap_rnd_bits)
# runs again under setarch -R.
tsan_procs=$cpus
if [ -x "$bindir/race_sweep-tsan" ] && [ -x "$bindir/race_sweep-pthreads" ] \
   && case " $wanted " in *" race "*) true ;; *) false ;; esac; then
  run_one tsan plain race_sweep "$tsan_procs" "$bindir/race_sweep-pthreads"
  # shellcheck disable=SC2086 # limit is a word list
  if WEFT_PROCS=$tsan_procs $limit "$bindir/race_sweep-tsan" >/dev/null 2>"$work/err"; then
    run_one tsan tsan race_sweep "$tsan_procs" "$bindir/race_sweep-tsan"
  elif grep -q "unexpected memory mapping" "$work/err" && command -v setarch >/dev/null 2>&1; then
    run_one tsan tsan race_sweep "$tsan_procs" "$bindir/race_sweep-tsan" setarch "$(uname -m)" -R
  else
    echo "bench: FAILED: $bindir/race_sweep-tsan:" >&2
    tail -n 20 "$work/err" >&2
    failures=$((failures + 1))
  fi
fi

# The heading: what was compared, on what.
cc=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null)
cc_version=$( ("${cc:-cc}" --version 2>/dev/null || true) | head -n 1)
sanitize=$(sed -n 's/^WEFT_SANITIZE:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null)
cpu_model=$(sed -n 's/^model name[^:]*: *//p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo
echo "weft benchmarks: $cpus CPUs${cpu_model:+ ($cpu_model)}, $(uname -sm)"
echo "  weft: ${cc_version:-unknown compiler}, $build"
if [ $have_go = 1 ]; then echo "  Go:   $("$go" version 2>/dev/null | sed 's/^go version //')"; fi
if [ -n "$sanitize" ]; then
  echo "  NOTE: $build is a WEFT_SANITIZE=$sanitize build; its figures are not meaningful"
fi
echo

# The table. Rows: programs in file order, each program's benchmarks in the
# order it printed them, then thread counts; columns: for each flavour that
# ran, its weft and Go values and their ratio.
awk -v flavours="$FLAVOURS" -v have_go=$have_go '
  $1 == "tsan" { next }
  {
    key = $3 SUBSEP $5
    if (!(key in seen)) { seen[key] = 1; rows[++nrows] = key }
    if (!(($3, $4) in pseen)) { pseen[$3, $4] = 1; plist[$3] = plist[$3] " " $4 }
    val[$1, $2, key, $4] = $6
    unit[key] = $7
    used[$1] = 1
  }
  # x divided by the plain figure of the same side, as "4.2x" ("-": missing).
  function factor(x, side, row, p,    base) {
    if (x == "-" || !(("plain", side, row, p) in val)) return "-"
    base = val["plain", side, row, p]
    return base + 0 != 0 ? sprintf("%.1fx", x / base) : "-"
  }
  END {
    nf = split(flavours, fl, " ")
    ncol = 0
    for (i = 1; i <= nf; i++) {
      split(fl[i], part, "|")
      if (!(part[1] in used)) continue
      ncol++; cf[ncol] = part[1]; cw[ncol] = part[4]; cg[ncol] = part[5]
    }
    if (nrows == 0) exit
    width = 9
    for (r = 1; r <= nrows; r++) {
      split(rows[r], k, SUBSEP)
      if (length(k[2]) > width) width = length(k[2])
    }
    # A flavour other than plain shows, after each side, its slowdown
    # against the plain figure of the same side.
    for (c = 1; c <= ncol; c++) slow[c] = cf[c] != "plain" && ("plain" in used)
    line = sprintf("%-" width "s  %5s", "benchmark", "procs")
    for (c = 1; c <= ncol; c++) {
      line = line sprintf("  %12s", cw[c])
      if (slow[c]) line = line sprintf("  %6s", "slow")
      if (have_go) {
        line = line sprintf("  %12s", cg[c])
        if (slow[c]) line = line sprintf("  %6s", "slow")
        line = line sprintf("  %6s", "ratio")
      }
    }
    print line "  unit"
    gsub(/./, "-", line)
    print line "------"
    for (r = 1; r <= nrows; r++) {
      split(rows[r], k, SUBSEP)
      np = split(substr(plist[k[1]], 2), ps, " ")
      for (j = 1; j <= np; j++) {
        p = ps[j]
        line = sprintf("%-" width "s  %5s", k[2], p)
        for (c = 1; c <= ncol; c++) {
          w = ((cf[c], "weft", rows[r], p) in val) ? val[cf[c], "weft", rows[r], p] : "-"
          g = ((cf[c], "go", rows[r], p) in val) ? val[cf[c], "go", rows[r], p] : "-"
          ratio = (w != "-" && g != "-" && g + 0 != 0) ? sprintf("%.2f", w / g) : "-"
          line = line sprintf("  %12s", w)
          if (slow[c]) line = line sprintf("  %6s", factor(w, "weft", rows[r], p))
          if (have_go) {
            line = line sprintf("  %12s", g)
            if (slow[c]) line = line sprintf("  %6s", factor(g, "go", rows[r], p))
            line = line sprintf("  %6s", ratio)
          }
        }
        print line "  " unit[rows[r]]
      }
    }
  }' "$results"

# race_sweep: weft's detector against the compiler's TSan, if both ran.
awk -v procs="$tsan_procs" '
  $3 == "race_sweep" && $5 == "race_sweep" && $4 == procs { v[$1, $2] = $6 }
  END {
    if (!(("tsan", "tsan") in v) || !(("race", "weft") in v)) exit
    printf "\nrace_sweep at procs=%s, ns per element (two workers each sweeping 32 MiB):\n", procs
    printf "  %-40s %8s %8s %7s\n", "", "plain", "race", "slow"
    if (("plain", "weft") in v)
      printf "  %-40s %8.2f %8.2f %6.1fx\n", "weft goroutines, libweft-race", v["plain", "weft"], v["race", "weft"], v["race", "weft"] / v["plain", "weft"]
    if (("tsan", "plain") in v)
      printf "  %-40s %8.2f %8.2f %6.1fx\n", "pthreads, the compiler'"'"'s own TSan", v["tsan", "plain"], v["tsan", "tsan"], v["tsan", "tsan"] / v["tsan", "plain"]
    printf "  libweft-race / TSan: %.2f (below 1.00 weft'"'"'s detector is faster)\n", v["race", "weft"] / v["tsan", "tsan"]
  }' "$results"

if [ $have_go = 1 ]; then
  echo
  echo "ratio = weft / Go; below 1.00 weft is faster (or smaller). slow = a race build's"
  echo "figure / the same side's normal build (the detector's cost)."
else
  echo
  echo "Go is not installed, so there is no Go column: install it to compare (apt-get install golang-go)."
fi
[ $ran_any = 1 ] || echo "bench: no benchmark programs found in $bindir" >&2
[ $failures -eq 0 ] || { echo "bench: $failures failure(s), see above" >&2; exit 1; }
exit 0
