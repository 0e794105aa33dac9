# Tests: every tests/<area>/test_*.c is one executable and one ctest test,
# named <area>/<file>. A test links the static library and the small
# assertion header tests/check.h. Tests that must not run in some flavour say
# so in their own source (see tests/check.h: CHECK_SKIP_UNLESS).
file(GLOB WEFT_TEST_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/*/test_*.c)
foreach(src ${WEFT_TEST_SOURCES})
  get_filename_component(name ${src} NAME_WE)
  get_filename_component(dir ${src} DIRECTORY)
  get_filename_component(area ${dir} NAME)
  set(target ${area}_${name})
  add_executable(${target} ${src})
  target_compile_options(${target} PRIVATE ${WEFT_WARNINGS} -g)
  target_compile_definitions(${target} PRIVATE _GNU_SOURCE ${WEFT_SAN_DEFS}
      WEFT_TEST_SCALE=${WEFT_TEST_SCALE})
  target_include_directories(${target} PRIVATE ${CMAKE_SOURCE_DIR}/tests ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(${target} PRIVATE weft)
  set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/${area})
  add_test(NAME ${area}/${name} COMMAND ${target})
  set_tests_properties(${area}/${name} PROPERTIES TIMEOUT 300
      ENVIRONMENT "WEFT_TEST_SCALE=${WEFT_TEST_SCALE}")
endforeach()
