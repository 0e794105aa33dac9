# Tests: every tests/<area>/test_*.c is one executable and two ctest tests,
# named <area>/<file> and <area>/<file>@procs1. A test links the static library and the small
# assertion header tests/check.h. Tests that must not run in some flavour say
# so in their own source (see tests/check.h: CHECK_SKIP_UNLESS).
file(GLOB WEFT_TEST_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/*/test_*.c)
# Seconds before ctest kills a test as hung. CI lowers it so that a hang
# fails the run in minutes, not after 300 s per test.
set(WEFT_TEST_TIMEOUT "300" CACHE STRING "ctest timeout per test, seconds")
foreach(src ${WEFT_TEST_SOURCES})
  get_filename_component(name ${src} NAME_WE)
  get_filename_component(dir ${src} DIRECTORY)
  get_filename_component(area ${dir} NAME)
  set(target ${area}_${name})
  add_executable(${target} ${src})
  target_compile_options(${target} PRIVATE ${WEFT_WARNINGS} -g)
  # WEFT_HAVE_LIBDW: without libdw (e.g. the aarch64 cross build) stacks
  # have no file:line, and tests that match them must know.
  target_compile_definitions(${target} PRIVATE _GNU_SOURCE ${WEFT_SAN_DEFS}
      WEFT_TEST_SCALE=${WEFT_TEST_SCALE} WEFT_HAVE_LIBDW=${WEFT_HAVE_LIBDW})
  target_include_directories(${target} PRIVATE ${CMAKE_SOURCE_DIR}/tests ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(${target} PRIVATE weft)
  set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/${area})
  # Each test runs twice: on one worker (every interleaving is a
  # cooperative one) and on the default number of workers (real parallelism).
  # WEFT_TEST_LAUNCHER (optional) wraps each run, e.g. "setarch;-R" for TSan;
  # a plain target name lets CMAKE_CROSSCOMPILING_EMULATOR (qemu) apply.
  if(WEFT_TEST_LAUNCHER)
    set(cmd ${WEFT_TEST_LAUNCHER} $<TARGET_FILE:${target}>)
  else()
    set(cmd ${target})
  endif()
  add_test(NAME ${area}/${name} COMMAND ${cmd})
  set_tests_properties(${area}/${name} PROPERTIES TIMEOUT ${WEFT_TEST_TIMEOUT}
      ENVIRONMENT "WEFT_TEST_SCALE=${WEFT_TEST_SCALE}")
  add_test(NAME ${area}/${name}@procs1 COMMAND ${cmd})
  set_tests_properties(${area}/${name}@procs1 PROPERTIES TIMEOUT ${WEFT_TEST_TIMEOUT}
      ENVIRONMENT "WEFT_TEST_SCALE=${WEFT_TEST_SCALE};WEFT_PROCS=1")
endforeach()

# The shared library must export the whole public API (the library builds
# with -fvisibility=hidden; public headers mark their declarations): one
# test program per area linked against libweft.so instead of libweft.a.
if(TARGET weft_shared AND NOT WEFT_SANITIZE)
  foreach(src ${CMAKE_SOURCE_DIR}/tests/runtime/test_goroutines.c)
    add_executable(runtime_test_shared_link ${src})
    target_compile_options(runtime_test_shared_link PRIVATE ${WEFT_WARNINGS} -g)
    target_compile_definitions(runtime_test_shared_link PRIVATE _GNU_SOURCE)
    target_include_directories(runtime_test_shared_link PRIVATE ${CMAKE_SOURCE_DIR}/tests ${CMAKE_SOURCE_DIR}/src)
    target_link_libraries(runtime_test_shared_link PRIVATE weft_shared)
    set_target_properties(runtime_test_shared_link PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/runtime)
    add_test(NAME runtime/test_shared_link COMMAND runtime_test_shared_link)
  endforeach()
endif()
