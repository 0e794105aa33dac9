#!/bin/sh
# tests/tools/driver.sh WEFT TESTDIR CC HAVE_RACE - drives the weft command as
# a user would (registered as ctest tools/driver by cmake/tools.cmake):
# run, build -o / -o=, flags after files, program arguments, exit status
# pass-through (3 -> "exit status 3"; a panic -> 2), unknown flag, missing
# file, compile error (the compiler's message, status 2), no compiler,
# a compiler without -fsanitize=thread, env/version/help, and when
# libweft-race exists a racy counter under -race (66, WARNING: DATA RACE).
# Not registered when cross-compiling or in WEFT_SANITIZE builds (see
# cmake/tools.cmake). Each case prints ok/FAIL; the script exits 1 on any FAIL.
set -u
WEFT=$1 T=$2 CC=$3 HAVE_RACE=${4:-0}
export CC
unset WEFT_CFLAGS WEFT_LDFLAGS WEFTROOT
W=$(mktemp -d "${TMPDIR:-/tmp}/weft-driver-test.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
fails=0

# expect NAME STATUS PATTERN -- command...: the command's status must be
# STATUS and its stdout+stderr must match the extended regex PATTERN.
expect() {
  name=$1 want=$2 pat=$3
  shift 4
  "$@" >"$W/out" 2>&1
  got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL $name: status $got, want $want"; sed 's/^/    /' "$W/out"; fails=$((fails + 1))
  elif [ -n "$pat" ] && ! grep -Eq -- "$pat" "$W/out"; then
    echo "FAIL $name: output does not match /$pat/"; sed 's/^/    /' "$W/out"; fails=$((fails + 1))
  else
    echo "ok   $name"
  fi
}

expect run 0 '^hello from a goroutine$' -- "$WEFT" run "$T/hello.c"
expect run-args 0 '^arg 2: b$' -- "$WEFT" run "$T/hello.c" a b
expect run-dashdash 0 '^arg 1: -x$' -- "$WEFT" run "$T/hello.c" -- -x y
expect run-flag-after-file 0 '^hello from a goroutine$' -- "$WEFT" run "$T/hello.c" -O
expect run-two-files 0 '^hello from another file$' -- env WEFT_CFLAGS=-DGREET_EXTERN "$WEFT" run "$T/greet.c" "$T/hello.c"
expect run-leaves-no-tmp 0 '' -- env TMPDIR="$W" "$WEFT" run "$T/hello.c"
if ls -d "$W"/weft-build-* >/dev/null 2>&1; then echo "FAIL run left its temporary folder"; fails=$((fails + 1)); fi

expect build-o 0 '' -- "$WEFT" build -o "$W/prog" "$T/hello.c"
expect built-program-runs 0 '^hello from a goroutine$' -- "$W/prog"
expect build-o-equals-after-file 0 '' -- "$WEFT" build "$T/exit3.c" -o="$W/e3"
expect built-status 3 '' -- "$W/e3"
expect build-default-name 0 '' -- sh -c "cd '$W' && '$WEFT' build '$T/hello.c' && test -x '$W/hello'"

expect exit-status-3 3 '^exit status 3$' -- "$WEFT" run "$T/exit3.c"
expect panic-status-2 2 '^panic: close of nil channel' -- "$WEFT" run "$T/panic.c"
expect panic-exit-status-line 2 '^exit status 2$' -- "$WEFT" run "$T/panic.c"

expect unknown-flag 2 'flag provided but not defined: -bogus' -- "$WEFT" run -bogus "$T/hello.c"
expect unknown-command 2 'weft frob: unknown command' -- "$WEFT" frob
expect no-files 2 'no C files listed' -- "$WEFT" build
expect missing-file 2 'stat .*nosuch\.c: No such file or directory' -- "$WEFT" run "$W/nosuch.c"
expect compile-error 2 'undeclared_variable_xyz' -- "$WEFT" run "$T/broken.c"
expect no-compiler 2 'C compiler "/nonexistent" not found' -- env CC=/nonexistent "$WEFT" run "$T/hello.c"

# A compiler that rejects -fsanitize=thread (as an old one would).
cat >"$W/oldcc" <<EOS
#!/bin/sh
for a in "\$@"; do
  case \$a in -fsanitize=thread) echo "oldcc: unrecognized option '-fsanitize=thread'" >&2; exit 1;; esac
done
exec $CC "\$@"
EOS
chmod +x "$W/oldcc"
expect old-compiler-race 2 'needs a C compiler that supports -fsanitize=thread' -- env CC="$W/oldcc" "$WEFT" run -race "$T/hello.c"
expect old-compiler-plain 0 '^hello from a goroutine$' -- env CC="$W/oldcc" "$WEFT" run "$T/hello.c"

expect version 0 '^weft version [0-9]+\.[0-9]+\.[0-9]+ linux/' -- "$WEFT" version
expect env 0 "^WEFT_LAYOUT='build-tree'$" -- "$WEFT" env
expect env-name 0 '^-fsanitize=thread -g -O1 -fno-builtin$' -- "$WEFT" env WEFT_RACE_FLAGS
expect help 0 'weft <command> \[arguments\]' -- "$WEFT" help
expect help-run 0 '^usage: weft run' -- "$WEFT" help run
expect help-flag 0 '^usage: weft build' -- "$WEFT" build -h

if [ "$HAVE_RACE" = 1 ]; then
  expect race 66 '^WARNING: DATA RACE$' -- "$WEFT" run -race "$T/racy.c"
  expect race-flag-after-file 66 '^exit status 66$' -- "$WEFT" run "$T/racy.c" --race
  expect race-clean-program 0 '^hello from a goroutine$' -- "$WEFT" run -race "$T/hello.c"
else
  echo "skip race: this build has no libweft-race"
fi

[ "$fails" = 0 ] || { echo "$fails case(s) failed"; exit 1; }
