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
# A second flavour is planned: <name>-race, the same source linked with
# weft-race and compiled with the race flags, which bench/run.sh will run
# beside `go build -race` twins. It belongs here, as another call of
# weft_bench_flavour once the weft-race library target exists.
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
