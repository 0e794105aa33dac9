# What `cmake --install` (make install PREFIX=...) puts under the prefix,
# beyond the headers and libweft installed by CMakeLists.txt:
#
#   bin/weft                         the driver (tools/, docs/cli.md)
#   <libdir>/libweft-race.{a,so*}    the race flavour
#   <libdir>/pkgconfig/weft.pc       pkg-config --cflags --libs weft
#   <libdir>/pkgconfig/weft-race.pc  ... weft-race (compile flags include -fsanitize=thread)
#   <libdir>/cmake/weft/             find_package(weft): imported targets
#       weft::weft  weft::weft_shared    static / shared libweft
#       weft::race  weft::race_shared    static / shared libweft-race; linking
#                                        weft::race adds the race compile flags
#                                        (-fsanitize=thread at compile only)
#
# The .pc files find their prefix from their own location (${pcfiledir}),
# and the CMake package from its own, so an installed tree can be moved.
# Not installed in sanitizer builds' race parts (libweft-race is not built).
install(TARGETS weft_driver RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set_target_properties(weft PROPERTIES EXPORT_NAME weft)
set_target_properties(weft_shared PROPERTIES EXPORT_NAME weft_shared)
set(WEFT_PC_PRIVATE "-pthread -ldl")
if(WEFT_HAVE_LIBDW)
  string(APPEND WEFT_PC_PRIVATE " -ldw")
endif()
file(RELATIVE_PATH WEFT_PC_TO_PREFIX "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
set(WEFT_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
set(WEFT_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
configure_file(${CMAKE_SOURCE_DIR}/cmake/weft.pc.in ${CMAKE_BINARY_DIR}/pkgconfig/weft.pc @ONLY)
set(WEFT_PC_FILES ${CMAKE_BINARY_DIR}/pkgconfig/weft.pc)

if(TARGET weft-race)
  set_target_properties(weft-race PROPERTIES EXPORT_NAME race)
  set_target_properties(weft-race_shared PROPERTIES EXPORT_NAME race_shared)
  install(TARGETS weft-race weft-race_shared EXPORT weftTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  configure_file(${CMAKE_SOURCE_DIR}/cmake/weft-race.pc.in ${CMAKE_BINARY_DIR}/pkgconfig/weft-race.pc @ONLY)
  list(APPEND WEFT_PC_FILES ${CMAKE_BINARY_DIR}/pkgconfig/weft-race.pc)
endif()
install(FILES ${WEFT_PC_FILES} DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

include(CMakePackageConfigHelpers)
install(EXPORT weftTargets NAMESPACE weft:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/weft)
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/weftConfig.cmake.in
    ${CMAKE_BINARY_DIR}/cmake/weftConfig.cmake
    INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/weft)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/cmake/weftConfigVersion.cmake
    VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/cmake/weftConfig.cmake ${CMAKE_BINARY_DIR}/cmake/weftConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/weft)
