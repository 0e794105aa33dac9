# Cross toolchain: Linux on aarch64 with Debian's gcc-aarch64-linux-gnu.
#
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
#   cmake --build build-aarch64 && (cd build-aarch64 && ctest)
#
# ctest runs every test through CMAKE_CROSSCOMPILING_EMULATOR, qemu-user with
# the cross sysroot as its library prefix (-L), so the aarch64 context switch
# (src/runtime/switch_aarch64.S) is executed, not just compiled. Packages:
# gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user (see docs/building.md).
#
# The compiler and the emulator can be overridden from the command line,
# e.g. -DWEFT_QEMU_AARCH64=qemu-aarch64-static, or clang with
# -DCMAKE_C_COMPILER=clang -DCMAKE_C_COMPILER_TARGET=aarch64-linux-gnu
# -DCMAKE_ASM_COMPILER_TARGET=aarch64-linux-gnu.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(WEFT_CROSS_TRIPLE aarch64-linux-gnu)
set(WEFT_CROSS_SYSROOT /usr/${WEFT_CROSS_TRIPLE})

if(NOT CMAKE_C_COMPILER)
  set(CMAKE_C_COMPILER ${WEFT_CROSS_TRIPLE}-gcc)
endif()
if(NOT CMAKE_ASM_COMPILER)
  set(CMAKE_ASM_COMPILER ${CMAKE_C_COMPILER})
endif()

if(NOT WEFT_QEMU_AARCH64)
  set(WEFT_QEMU_AARCH64 qemu-aarch64)
endif()
set(CMAKE_CROSSCOMPILING_EMULATOR "${WEFT_QEMU_AARCH64};-L;${WEFT_CROSS_SYSROOT}")

# Look for libraries and headers (libdw, ...) in the aarch64 sysroot only,
# never the host's x86-64 ones; programs (cmake, the compiler) on the host.
set(CMAKE_FIND_ROOT_PATH ${WEFT_CROSS_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
