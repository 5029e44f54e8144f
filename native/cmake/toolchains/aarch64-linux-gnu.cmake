# Cross build for Linux aarch64 from an x86_64 Debian/Ubuntu host (gcc-aarch64-linux-gnu,
# g++-aarch64-linux-gnu, qemu-user). ctest runs the target binaries through qemu-aarch64;
# "-cpu max" gives the emulated CPU every optional feature qemu knows (dotprod among them).
#   cmake -S . -B target/native-aarch64 -G Ninja \
#         -DCMAKE_TOOLCHAIN_FILE=native/cmake/toolchains/aarch64-linux-gnu.cmake -DCMAKE_BUILD_TYPE=Release
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(PL_CROSS_TRIPLE aarch64-linux-gnu)
set(PL_CROSS_SYSROOT /usr/${PL_CROSS_TRIPLE} CACHE PATH "target libraries (qemu -L and find_* root)")

set(CMAKE_C_COMPILER ${PL_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${PL_CROSS_TRIPLE}-g++)

find_program(PL_QEMU_AARCH64 NAMES qemu-aarch64 qemu-aarch64-static)
if(PL_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${PL_QEMU_AARCH64};-L;${PL_CROSS_SYSROOT};-cpu;max)
else()
  message(WARNING "no qemu-aarch64 (package qemu-user): the build works, ctest cannot run its binaries")
endif()

# Headers and libraries from the target tree only; programs (ninja, objdump, ...) from the host.
set(CMAKE_FIND_ROOT_PATH ${PL_CROSS_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
