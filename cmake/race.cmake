# The race detector's build rules and its accuracy suite (tests/race/).
#
# libweft-race itself is declared in CMakeLists.txt (weft_library(weft-race 1));
# here:
#   - the race flavour of the library is compiled without sibling-call
#     optimisation, so that a runtime function never tail-calls memcpy from
#     its caller's frame (src/race/intercept.c tells instrumented callers
#     apart by their frame), and with frame pointers, so that an allocation
#     or a spawn made inside weft on the user's behalf can be traced back to
#     the user's line (src/race/depot.c, stack_walk);
#   - every tests/race/race_*.c and norace_*.c is built with
#     -fsanitize=thread at compile time only, linked with weft-race, and run
#     by tests/race/check.cmake: race_* must print a report and exit 66,
#     norace_* must exit 0 and print nothing (plus the expectations written
#     in the program's own comments, see check.cmake);
#   - race/suite runs them all again and prints the score;
#   - tests/chan/race/*.c (the channel rules' own programs) join the
#     accuracy suite as race/chan_<name>;
#   - race/all_constructs: a program using every construct the compilers
#     instrument links with no undefined symbol;
#   - race/in_race_build/<area>/<test>: the rest of the suite's tests
#     (tests/*/test_*.c but a few white-box ones, listed below) built with
#     the race flags and linked with weft-race, run on the default workers
#     and on one (@procs1) at WEFT_TEST_SCALE 0.3: no report may appear (no
#     false positive in weft's own edges), and the test must pass as usual;
#   - race/link_mixing: an instrumented object linked with plain libweft
#     fails with a link error that names the mistake.
# Nothing here is built in sanitizer builds: their own TSan/ASan runtimes
# define the same symbols.
if(NOT WEFT_SANITIZE STREQUAL "" OR NOT TARGET weft-race)
  return()
endif()

target_compile_options(weft-race_objs PRIVATE -fno-optimize-sibling-calls -fno-omit-frame-pointer)

# -fno-builtin: gcc must not expand memcpy/strcpy/... inline after the
# instrumentation pass (docs/race.md), or those copies go unchecked.
set(WEFT_RACE_CFLAGS -fsanitize=thread -g -O1 -fno-builtin)
if(CMAKE_C_COMPILER_ID MATCHES "Clang" AND CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  # 16-byte atomics as instructions (and so as __tsan_atomic128_*), not libatomic calls.
  list(APPEND WEFT_RACE_CFLAGS -mcx16)
endif()

function(weft_race_program target src)
  add_executable(${target} ${src})
  target_compile_options(${target} PRIVATE ${WEFT_RACE_CFLAGS} -Wall -Wextra -Werror
      -Wno-unused-parameter)
  target_compile_definitions(${target} PRIVATE _GNU_SOURCE)
  target_include_directories(${target} PRIVATE ${CMAKE_SOURCE_DIR}/tests/race)
  target_link_libraries(${target} PRIVATE weft-race)
  set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/race)
endfunction()

file(GLOB WEFT_RACE_CASES CONFIGURE_DEPENDS
     ${CMAKE_SOURCE_DIR}/tests/race/race_*.c ${CMAKE_SOURCE_DIR}/tests/race/norace_*.c)
# The channel rules' programs (tests/chan/race/README.md), under a prefix:
# some share a name with a case here.
file(GLOB WEFT_RACE_CHAN_CASES CONFIGURE_DEPENDS
     ${CMAKE_SOURCE_DIR}/tests/chan/race/race_*.c ${CMAKE_SOURCE_DIR}/tests/chan/race/norace_*.c)
set(WEFT_RACE_CASE_LIST "")
foreach(src ${WEFT_RACE_CASES} ${WEFT_RACE_CHAN_CASES})
  get_filename_component(name ${src} NAME_WE)
  get_filename_component(dir ${src} DIRECTORY)
  if(dir MATCHES "/tests/chan/race$")
    set(name chan_${name})
  endif()
  weft_race_program(race_case_${name} ${src})
  target_include_directories(race_case_${name} PRIVATE ${dir})
  add_test(NAME race/${name}
           COMMAND ${CMAKE_COMMAND} -DPROG=$<TARGET_FILE:race_case_${name}> -DSRC=${src}
                   "-DEMULATOR=${CMAKE_CROSSCOMPILING_EMULATOR}" -DSYMBOLS=${WEFT_HAVE_LIBDW}
                   -P ${CMAKE_SOURCE_DIR}/tests/race/check.cmake)
  set_tests_properties(race/${name} PROPERTIES TIMEOUT 120)
  list(APPEND WEFT_RACE_CASE_LIST "$<TARGET_FILE:race_case_${name}>=${src}")
endforeach()

if(WEFT_RACE_CASES)
  string(REPLACE ";" "|" cases "${WEFT_RACE_CASE_LIST}")
  add_test(NAME race/suite
           COMMAND ${CMAKE_COMMAND} "-DCASES=${cases}" "-DEMULATOR=${CMAKE_CROSSCOMPILING_EMULATOR}"
                   -DSYMBOLS=${WEFT_HAVE_LIBDW} -P ${CMAKE_SOURCE_DIR}/tests/race/suite.cmake)
  set_tests_properties(race/suite PROPERTIES TIMEOUT 600)
endif()

# The suite's own tests (tests/*/test_*.c) in the race build: no false
# positive. Tests left out, and why:
#   context/test_signal  its handler increments a volatile sig_atomic_t
#                        that the main goroutine reads on another thread: a
#                        data race by C11's rules, reported (docs/race.md,
#                        "What is not detected": signal handlers);
#   runtime/test_foreign, test_main, test_stress
#                        white-box tests that synchronise with the runtime's
#                        internal locks and rt_park/rt_ready, which make no
#                        happens-before edge for the detector (users cannot
#                        reach them).
set(WEFT_RACE_SUITE_SKIP context/test_signal runtime/test_foreign runtime/test_main
    runtime/test_stress)
file(GLOB WEFT_RACE_SUITE_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/*/test_*.c)
foreach(src ${WEFT_RACE_SUITE_SOURCES})
  string(REGEX REPLACE "^.*/tests/([^/]+/test_[^/]+)\\.c$" "\\1" t ${src})
  if(t IN_LIST WEFT_RACE_SUITE_SKIP)
    continue()
  endif()
  string(REPLACE "/" "_" target race_suite_${t})
  weft_race_program(${target} ${src})
  target_compile_definitions(${target} PRIVATE WEFT_TEST_SCALE=0.3 WEFT_HAVE_LIBDW=${WEFT_HAVE_LIBDW})
  target_include_directories(${target} PRIVATE ${CMAKE_SOURCE_DIR}/tests ${CMAKE_SOURCE_DIR}/src)
  # Like the normal suite: on the default workers, and on one (@procs1).
  add_test(NAME race/in_race_build/${t} COMMAND ${target})
  add_test(NAME race/in_race_build/${t}@procs1 COMMAND ${target})
  set_tests_properties(race/in_race_build/${t} race/in_race_build/${t}@procs1 PROPERTIES
      TIMEOUT 120 FAIL_REGULAR_EXPRESSION "WARNING: DATA RACE")
  set_tests_properties(race/in_race_build/${t} PROPERTIES
      ENVIRONMENT "WEFT_TEST_SCALE=0.3;WEFT_RACE=atexit_sleep_ms=0")
  set_tests_properties(race/in_race_build/${t}@procs1 PROPERTIES
      ENVIRONMENT "WEFT_TEST_SCALE=0.3;WEFT_RACE=atexit_sleep_ms=0;WEFT_PROCS=1")
endforeach()

# Every construct both compilers instrument, linked with libweft-race only.
weft_race_program(race_all_constructs ${CMAKE_SOURCE_DIR}/tests/race/all_constructs.c)
if(CMAKE_C_COMPILER_ID MATCHES "Clang")
  target_compile_options(race_all_constructs PRIVATE -Wno-atomic-alignment)
endif()
add_test(NAME race/all_constructs COMMAND race_all_constructs)

# Instrumented code + plain libweft: a link error naming the mistake.
# (Native builds only: the script drives the compiler itself.)
if(NOT CMAKE_CROSSCOMPILING)
add_test(NAME race/link_mixing
         COMMAND ${CMAKE_COMMAND} -DCC=${CMAKE_C_COMPILER} -DINCLUDE=${CMAKE_SOURCE_DIR}/include
                 -DLIBWEFT=$<TARGET_FILE:weft> -DLIBWEFT_RACE=$<TARGET_FILE:weft-race>
                 -DLIBDW=${WEFT_LIBDW} -DWORK=${CMAKE_BINARY_DIR}/tests/race/link_mixing
                 -DSRC=${CMAKE_SOURCE_DIR}/tests/race/link_mixing.c
                 -P ${CMAKE_SOURCE_DIR}/tests/race/link_mixing.cmake)
endif()

# Every WEFT_RACE option is documented (docs/race.md) with its help text.
add_test(NAME race/options_doc
         COMMAND ${CMAKE_COMMAND} -DHEADER=${CMAKE_SOURCE_DIR}/src/race/race_private.h
                 -DDOC=${CMAKE_SOURCE_DIR}/docs/race.md -P ${CMAKE_SOURCE_DIR}/tests/race/options_doc.cmake)
