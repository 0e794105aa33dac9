# Benchmarks: every bench/<name>.c is one program, built into
# ${CMAKE_BINARY_DIR}/bench/<name>, linked with the static weft library, at
# -O2 with the project's warnings. Each prints `BENCH <name> <value> <unit>`
# lines; bench/run.sh runs them beside their Go twins (bench/go/<name>/) and
# prints the comparison table (`make bench`).
#
# They are part of the default build, so that a change which breaks one is
# caught by `make`, not first by `make bench`. Sanitizer builds compile them
# too (they must stay valid code) but their figures mean nothing there.
#
# The race flavour: BUILD/bench/<name>-race, the same source compiled with
# the race flags (-fsanitize=thread at compile time only) and linked with
# weft-race; bench/run.sh runs it beside `go build -race` twins and shows
# each side's slowdown against its own normal build.
#
# And race_sweep against the compiler's own ThreadSanitizer runtime: the
# same loop on two pthreads (-DRACE_SWEEP_PTHREADS), built plain
# (race_sweep-pthreads) and with -fsanitize=thread at compile and link time
# (race_sweep-tsan), when the compiler can link a TSan program.
file(GLOB WEFT_BENCH_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/bench/*.c)

# weft_bench_flavour(<library target> <file name suffix> <extra compile flags>...)
function(weft_bench_flavour lib suffix)
  foreach(src ${WEFT_BENCH_SOURCES})
    get_filename_component(name ${src} NAME_WE)
    set(target bench_${name}${suffix})
    add_executable(${target} ${src})
    target_compile_options(${target} PRIVATE ${WEFT_WARNINGS} -O2 ${ARGN})
    target_compile_definitions(${target} PRIVATE _GNU_SOURCE)
    target_link_libraries(${target} PRIVATE ${lib})
    set_target_properties(${target} PROPERTIES
        OUTPUT_NAME ${name}${suffix}
        RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
  endforeach()
endfunction()

weft_bench_flavour(weft "")

if(TARGET weft-race AND WEFT_SANITIZE STREQUAL "")
  set(WEFT_BENCH_RACE_FLAGS -fsanitize=thread -g -fno-builtin)
  if(CMAKE_C_COMPILER_ID MATCHES "Clang" AND CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
    list(APPEND WEFT_BENCH_RACE_FLAGS -mcx16)
  endif()
  weft_bench_flavour(weft-race "-race" ${WEFT_BENCH_RACE_FLAGS})

  include(CheckCSourceCompiles)
  set(CMAKE_REQUIRED_FLAGS -fsanitize=thread)
  set(CMAKE_REQUIRED_LINK_OPTIONS -fsanitize=thread)
  check_c_source_compiles("int main(void) { return 0; }" WEFT_CC_LINKS_TSAN)
  unset(CMAKE_REQUIRED_FLAGS)
  unset(CMAKE_REQUIRED_LINK_OPTIONS)
  set(src ${CMAKE_SOURCE_DIR}/bench/race_sweep.c)
  foreach(kind pthreads tsan)
    if(kind STREQUAL "tsan" AND NOT WEFT_CC_LINKS_TSAN)
      continue()
    endif()
    set(target bench_race_sweep_${kind})
    add_executable(${target} ${src})
    target_compile_options(${target} PRIVATE ${WEFT_WARNINGS} -O2 -pthread)
    target_compile_definitions(${target} PRIVATE _GNU_SOURCE RACE_SWEEP_PTHREADS)
    target_link_options(${target} PRIVATE -pthread)
    if(kind STREQUAL "tsan")
      target_compile_options(${target} PRIVATE -fsanitize=thread -g)
      target_link_options(${target} PRIVATE -fsanitize=thread)
    endif()
    set_target_properties(${target} PROPERTIES
        OUTPUT_NAME race_sweep-${kind}
        RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
  endforeach()
endif()
