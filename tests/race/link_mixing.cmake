# Links an instrumented object with the plain libweft (must fail, naming
# weft_link_error_instrumented_code_needs_libweft_race), then with
# libweft-race (must succeed).
file(MAKE_DIRECTORY ${WORK})
set(libs -lpthread -ldl)
if(LIBDW)
  list(APPEND libs ${LIBDW})
endif()
execute_process(COMMAND ${CC} -fsanitize=thread -g -I${INCLUDE} -c ${SRC} -o ${WORK}/mix.o
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "compiling ${SRC} failed: ${err}")
endif()
execute_process(COMMAND ${CC} ${WORK}/mix.o ${LIBWEFT} ${libs} -o ${WORK}/mix_plain
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("plain libweft: status ${rc}\n${err}")
if(rc EQUAL 0)
  message(FATAL_ERROR "instrumented code linked with plain libweft")
endif()
if(NOT err MATCHES "weft_link_error_instrumented_code_needs_libweft_race")
  message(FATAL_ERROR "the link error does not name weft_link_error_instrumented_code_needs_libweft_race")
endif()
execute_process(COMMAND ${CC} ${WORK}/mix.o ${LIBWEFT_RACE} ${libs} -o ${WORK}/mix_race
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "instrumented code does not link with libweft-race: ${err}")
endif()
