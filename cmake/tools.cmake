# The `weft` command (tools/, docs/cli.md) and its tests (tests/tools/).
#
# The driver is built as ${CMAKE_BINARY_DIR}/weft, beside libweft.a, so that
# `./build/weft run x.c` works without installing: tools/weft_config.h
# (generated from tools/weft_config.h.in) records this build folder, the
# source include folder, the relative install folders and whether the
# library uses libdw; tools/layout.c decides at run time whether the binary
# is the one in this build folder or an installed copy.
#
# Tests (shell scripts driven by ctest, so they drive the command as a user
# does):
#   tools/driver   run, build -o, exit statuses, error messages, -race end to end
#   tools/install  install into a temporary prefix, then build one program
#                  with the driver, with pkg-config and with find_package(weft)
# Neither is registered when cross-compiling (the driver would have to run
# the target's compiler under the emulator) nor in WEFT_SANITIZE builds (the
# driver and the programs it builds would mix sanitizer runtimes, and
# libweft-race is not built there).
if(TARGET weft-race)
  set(WEFT_TOOL_HAVE_RACE 1)
else()
  set(WEFT_TOOL_HAVE_RACE 0)
endif()
configure_file(${CMAKE_SOURCE_DIR}/tools/weft_config.h.in ${CMAKE_BINARY_DIR}/tools/weft_config.h @ONLY)

file(GLOB WEFT_TOOL_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tools/*.c)
add_executable(weft_driver ${WEFT_TOOL_SOURCES})
target_compile_options(weft_driver PRIVATE ${WEFT_WARNINGS})
target_compile_definitions(weft_driver PRIVATE _GNU_SOURCE)
target_include_directories(weft_driver PRIVATE ${CMAKE_BINARY_DIR}/tools ${CMAKE_SOURCE_DIR}/tools)
set_target_properties(weft_driver PROPERTIES OUTPUT_NAME weft RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
# `weft run` links the libraries, so building the driver builds them.
add_dependencies(weft_driver weft)
if(TARGET weft-race)
  add_dependencies(weft_driver weft-race)
endif()

if(CMAKE_CROSSCOMPILING OR NOT WEFT_SANITIZE STREQUAL "")
  return()
endif()

add_test(NAME tools/driver
         COMMAND sh ${CMAKE_SOURCE_DIR}/tests/tools/driver.sh $<TARGET_FILE:weft_driver>
                 ${CMAKE_SOURCE_DIR}/tests/tools ${CMAKE_C_COMPILER} ${WEFT_TOOL_HAVE_RACE})
set_tests_properties(tools/driver PROPERTIES TIMEOUT 300)
add_test(NAME tools/install
         COMMAND sh ${CMAKE_SOURCE_DIR}/tests/tools/install.sh ${CMAKE_BINARY_DIR}
                 ${CMAKE_SOURCE_DIR}/tests/tools ${CMAKE_C_COMPILER} ${CMAKE_COMMAND})
set_tests_properties(tools/install PROPERTIES TIMEOUT 300)
