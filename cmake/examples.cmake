# Examples: every examples/<scenario>/<program>.c builds into
# ${CMAKE_BINARY_DIR}/examples/<scenario>/<program>, linked with libweft.
# examples/demo.sh (make demo) runs them and checks each verdict.
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
endforeach()
