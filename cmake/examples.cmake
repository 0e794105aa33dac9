# Examples (the scenario tour, SPEC section 11): every
# examples/<scenario>/<program>.c builds into
# ${CMAKE_BINARY_DIR}/examples/<scenario>/<program>, linked with libweft.
# The scenarios about data races also build each program with the race
# detector, as `weft run -race` would (-fsanitize=thread at compile time
# only, WEFT_RACE_CFLAGS from cmake/race.cmake, linked with libweft-race),
# into .../examples/<scenario>/<program>-race.
#
# examples/demo.sh (make demo) runs them and checks each verdict;
# tests/examples/tour.sh runs the same tour under ctest and also checks the
# key lines of each program's output (test race/examples_tour, see below).
set(WEFT_EXAMPLE_RACE_SCENARIOS counter timer memory raceopts loopvar)

file(GLOB WEFT_EXAMPLE_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/examples/*/*.c)
foreach(src ${WEFT_EXAMPLE_SOURCES})
  get_filename_component(name ${src} NAME_WE)
  get_filename_component(dir ${src} DIRECTORY)
  get_filename_component(scenario ${dir} NAME)
  set(target example_${scenario}_${name})
  add_executable(${target} ${src})
  target_compile_options(${target} PRIVATE ${WEFT_WARNINGS} -g)
  target_link_libraries(${target} PRIVATE weft)
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ${name}
      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/examples/${scenario})
  if(TARGET weft-race AND DEFINED WEFT_RACE_CFLAGS AND scenario IN_LIST WEFT_EXAMPLE_RACE_SCENARIOS)
    add_executable(${target}-race ${src})
    target_compile_options(${target}-race PRIVATE ${WEFT_RACE_CFLAGS} ${WEFT_WARNINGS})
    target_link_libraries(${target}-race PRIVATE weft-race)
    set_target_properties(${target}-race PROPERTIES OUTPUT_NAME ${name}-race
        RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/examples/${scenario})
  endif()
endforeach()

# The tour as a test. Its name starts with race/ because most of its checks
# match race reports down to file:line, which needs libdw: the aarch64 CI
# section (no libdw in its sysroot) excludes ^race/. Not registered when
# libweft-race is not built: in WEFT_SANITIZE builds the sanitizer's own
# runtime would clash with libweft-race, and without the race programs the
# tour cannot give its verdicts; nor when cross-compiling (the script runs
# the programs directly).
if(NOT WEFT_SANITIZE STREQUAL "")
  message(STATUS "weft: race/examples_tour not registered: WEFT_SANITIZE=${WEFT_SANITIZE} builds have no libweft-race")
elseif(CMAKE_CROSSCOMPILING)
  message(STATUS "weft: race/examples_tour not registered: cross-compiling")
elseif(TARGET weft-race AND DEFINED WEFT_RACE_CFLAGS)
  add_test(NAME race/examples_tour
           COMMAND sh ${CMAKE_SOURCE_DIR}/tests/examples/tour.sh ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR})
  set_tests_properties(race/examples_tour PROPERTIES TIMEOUT 300)
endif()
