#!/bin/sh
# tests/tools/install.sh BUILD TESTDIR CC CMAKE - installs the build folder
# into a temporary prefix (cmake --install --prefix, as `make install
# PREFIX=...` does), then builds hello.c three ways against that prefix
# only, and runs each result:
#   1. the installed driver: PREFIX/bin/weft build (finds PREFIX from its own path)
#   2. pkg-config --cflags --libs weft, with PKG_CONFIG_PATH
#   3. a CMake project using find_package(weft) and weft::weft
# and, when libweft-race was installed, the installed driver's -race and
# find_package's weft::race on the racy counter (exit 66).
# The prefix is then moved, and the driver and pkg-config must still work
# (nothing in the install records its prefix). Registered as ctest
# tools/install by cmake/tools.cmake (not when cross-compiling or in
# sanitizer builds).
set -eu
BUILD=$1 T=$2 CC=$3 CMAKE=$4
export CC
unset WEFT_CFLAGS WEFT_LDFLAGS WEFTROOT
W=$(mktemp -d "${TMPDIR:-/tmp}/weft-install-test.XXXXXX")
trap 'rm -rf "$W"' EXIT
P=$W/prefix

step() { echo "== $*"; }

step install into $P
"$CMAKE" --install "$BUILD" --prefix "$P" >"$W/install.log" || { cat "$W/install.log"; exit 1; }
for f in bin/weft include/weft.h; do test -e "$P/$f" || { echo "missing $P/$f"; exit 1; }; done
LIBDIR=$(cd "$P" && ls -d lib*/libweft.a | sed 's,/libweft.a$,,')
for f in libweft.a libweft.so weft.pc; do
  ls "$P/$LIBDIR/$f" "$P/$LIBDIR/pkgconfig/$f" 2>/dev/null | grep -q . || { echo "missing $f in $P/$LIBDIR"; exit 1; }
done
test -f "$P/$LIBDIR/cmake/weft/weftConfig.cmake" || { echo "missing weftConfig.cmake"; exit 1; }
RACE=0
if [ -f "$P/$LIBDIR/libweft-race.a" ]; then
  RACE=1
  for f in libweft-race.so pkgconfig/weft-race.pc; do
    test -e "$P/$LIBDIR/$f" || { echo "missing $P/$LIBDIR/$f"; exit 1; }
  done
fi

check_hello() { # program: must print the greeting and exit 0
  out=$("$@") || { echo "FAIL: $* exited $?"; exit 1; }
  [ "$out" = "hello from a goroutine" ] || { echo "FAIL: $* printed: $out"; exit 1; }
}

step 1. installed driver
[ "$("$P/bin/weft" env WEFT_LAYOUT)" = installed ] || { "$P/bin/weft" env; exit 1; }
"$P/bin/weft" build -o "$W/hello-driver" "$T/hello.c"
check_hello "$W/hello-driver"
check_hello "$P/bin/weft" run "$T/hello.c"

step 2. pkg-config
if command -v pkg-config >/dev/null; then
  flags=$(PKG_CONFIG_PATH="$P/$LIBDIR/pkgconfig" pkg-config --cflags --libs weft)
  echo "pkg-config: $flags"
  # shellcheck disable=SC2086
  $CC -o "$W/hello-pc" "$T/hello.c" $flags
  check_hello env LD_LIBRARY_PATH="$P/$LIBDIR" "$W/hello-pc"
else
  echo "skip: no pkg-config"
fi

step 3. find_package
mkdir -p "$W/proj"
cat >"$W/proj/CMakeLists.txt" <<EOS
cmake_minimum_required(VERSION 3.16)
project(hello C)
find_package(weft 0.1 REQUIRED)
add_executable(hello "$T/hello.c")
target_link_libraries(hello PRIVATE weft::weft)
if(TARGET weft::race)
  add_executable(racy "$T/racy.c")
  target_link_libraries(racy PRIVATE weft::race)
endif()
EOS
"$CMAKE" -S "$W/proj" -B "$W/proj/build" -DCMAKE_C_COMPILER="$CC" -DCMAKE_PREFIX_PATH="$P" >"$W/cmake.log" 2>&1 ||
  { cat "$W/cmake.log"; exit 1; }
"$CMAKE" --build "$W/proj/build" >"$W/cmake-build.log" 2>&1 || { cat "$W/cmake-build.log"; exit 1; }
check_hello "$W/proj/build/hello"

if [ "$RACE" = 1 ]; then
  step race: installed driver and weft::race
  st=0; "$P/bin/weft" run -race "$T/racy.c" >"$W/race.out" 2>&1 || st=$?
  [ "$st" = 66 ] && grep -q '^WARNING: DATA RACE$' "$W/race.out" || { echo "FAIL weft run -race: $st"; cat "$W/race.out"; exit 1; }
  st=0; "$W/proj/build/racy" >"$W/race2.out" 2>&1 || st=$?
  [ "$st" = 66 ] && grep -q '^WARNING: DATA RACE$' "$W/race2.out" || { echo "FAIL weft::race: $st"; cat "$W/race2.out"; exit 1; }
fi

step relocated prefix
mv "$P" "$W/moved"
P=$W/moved
"$P/bin/weft" build -o "$W/hello-moved" "$T/hello.c"
check_hello "$W/hello-moved"
if command -v pkg-config >/dev/null; then
  flags=$(PKG_CONFIG_PATH="$P/$LIBDIR/pkgconfig" pkg-config --cflags --libs weft)
  case $flags in *"$P"*) ;; *) echo "FAIL: pkg-config after move: $flags"; exit 1;; esac
fi
echo "ok"
