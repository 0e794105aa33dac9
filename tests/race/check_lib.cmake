# The verdict on one accuracy-suite program (used by check.cmake and
# suite.cmake).
#
# A program's name says what it must do:
#   race_*     print at least one "WARNING: DATA RACE" report, then
#              "Found N data race(s)", and exit with status 66;
#   norace_*   print no report and exit 0.
# Comment lines in the program's source refine that:
#   // env: NAME=VALUE     run with this environment variable (repeatable)
#   // exit: N             expected exit status instead of 66 / 0
#   // reports: N          exactly N reports
#   // expect: REGEX       the output (stderr, then stdout) must match (\n: newline)
#   // expect-not: REGEX   ... must not match
#   // needs: symbols       the expectations need function names and
#                          file:line (libdw); without it (SYMBOLS=0, e.g. a
#                          cross build) only the status and the number of
#                          reports are checked
function(weft_race_check prog src ok_var why_var)
  get_filename_component(name ${src} NAME_WE)
  if(name MATCHES "^race_")
    set(want_exit 66)
    set(want_race TRUE)
  else()
    set(want_exit 0)
    set(want_race FALSE)
  endif()
  set(env "")
  set(want_reports "")
  set(expects "")
  set(expect_nots "")
  set(needs_symbols FALSE)
  file(STRINGS ${src} lines REGEX "^// (env|exit|reports|expect|expect-not|needs): ")
  foreach(line IN LISTS lines)
    if(line MATCHES "^// env: (.*)$")
      list(APPEND env "${CMAKE_MATCH_1}")
    elseif(line MATCHES "^// needs: symbols")
      set(needs_symbols TRUE)
    elseif(line MATCHES "^// exit: ([0-9]+)")
      set(want_exit ${CMAKE_MATCH_1})
    elseif(line MATCHES "^// reports: ([0-9]+)")
      set(want_reports ${CMAKE_MATCH_1})
    elseif(line MATCHES "^// expect: (.*)$")
      string(REPLACE "\\n" "\n" re "${CMAKE_MATCH_1}")
      list(APPEND expects "${re}")
    elseif(line MATCHES "^// expect-not: (.*)$")
      string(REPLACE "\\n" "\n" re "${CMAKE_MATCH_1}")
      list(APPEND expect_nots "${re}")
    endif()
  endforeach()
  # EMULATOR: a ;-list such as "qemu-aarch64;-L;/usr/aarch64-linux-gnu"
  # (cross builds), empty otherwise.
  if(needs_symbols AND DEFINED SYMBOLS AND NOT SYMBOLS)
    set(expects "")
    set(expect_nots "")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E env ${env} ${EMULATOR} ${prog}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 100)
  set(all "${err}${out}")
  string(REGEX MATCHALL "WARNING: DATA RACE" found "${all}")
  list(LENGTH found nreports)
  set(why "")
  if(NOT rc STREQUAL "${want_exit}")
    string(APPEND why "exit status ${rc}, want ${want_exit}; ")
  endif()
  if(want_race AND nreports EQUAL 0)
    string(APPEND why "no report; ")
  endif()
  if(NOT want_race AND NOT want_reports AND nreports GREATER 0)
    string(APPEND why "${nreports} unexpected report(s); ")
  endif()
  if(NOT want_reports STREQUAL "" AND NOT nreports EQUAL want_reports)
    string(APPEND why "${nreports} report(s), want ${want_reports}; ")
  endif()
  if(nreports GREATER 0 AND NOT all MATCHES "Found ${nreports} data race\\(s\\)")
    string(APPEND why "no 'Found ${nreports} data race(s)'; ")
  endif()
  foreach(re IN LISTS expects)
    if(NOT all MATCHES "${re}")
      string(APPEND why "output does not match '${re}'; ")
    endif()
  endforeach()
  foreach(re IN LISTS expect_nots)
    if(all MATCHES "${re}")
      string(APPEND why "output matches '${re}'; ")
    endif()
  endforeach()
  if(why STREQUAL "")
    set(${ok_var} TRUE PARENT_SCOPE)
  else()
    set(${ok_var} FALSE PARENT_SCOPE)
  endif()
  set(${why_var} "${why}" PARENT_SCOPE)
  set(WEFT_RACE_LAST_OUTPUT "${all}" PARENT_SCOPE)
endfunction()
