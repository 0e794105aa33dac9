# One accuracy-suite program: cmake -DPROG=<binary> -DSRC=<source> -P check.cmake
include(${CMAKE_CURRENT_LIST_DIR}/check_lib.cmake)
weft_race_check(${PROG} ${SRC} ok why)
message("${WEFT_RACE_LAST_OUTPUT}")
if(NOT ok)
  message(FATAL_ERROR "FAIL: ${why}")
endif()
