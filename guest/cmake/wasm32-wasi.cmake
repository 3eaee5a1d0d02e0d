# CMake toolchain file for wasmgpu guests: C and C++ compiled to wasm32-wasi with clang, lld
# (wasm-ld) and Debian's wasi-libc (headers in /usr/include/wasm32-wasi, libraries in
# /usr/lib/wasm32-wasi, so the sysroot is /usr) and compiler-rt's wasm32 builtins
# (libclang-rt-14-dev-wasm32), and libc++ for C++ guests.
#
#   cmake -S my-guest -B build-guest -DCMAKE_TOOLCHAIN_FILE=<wasmgpu>/guest/cmake/wasm32-wasi.cmake
#   cmake --build build-guest        # -> build-guest/<target>.wasm
#   wasmgpu run build-guest/<target>.wasm
#
# Overrides: WASI_SYSROOT (default /usr), WASI_CLANG (default: clang-14, else clang).
set(CMAKE_SYSTEM_NAME Generic)   # CMake 3.25 has no WASI platform module; Generic adds no host flags
set(CMAKE_SYSTEM_PROCESSOR wasm32)
set(WASMGPU_GUEST ON)

if(NOT WASI_SYSROOT)
  set(WASI_SYSROOT /usr)
endif()
if(NOT WASI_CLANG)
  find_program(WASI_CLANG NAMES clang-14 clang REQUIRED)
endif()
get_filename_component(_wasi_clang_dir ${WASI_CLANG} DIRECTORY)
get_filename_component(_wasi_clang_name ${WASI_CLANG} NAME)
string(REPLACE "clang" "clang++" _wasi_clangxx_name ${_wasi_clang_name})

set(CMAKE_C_COMPILER ${WASI_CLANG})
set(CMAKE_CXX_COMPILER ${_wasi_clang_dir}/${_wasi_clangxx_name})
set(CMAKE_C_COMPILER_TARGET wasm32-wasi)
set(CMAKE_CXX_COMPILER_TARGET wasm32-wasi)
set(CMAKE_ASM_COMPILER_TARGET wasm32-wasi)
set(CMAKE_SYSROOT ${WASI_SYSROOT})
# C++ guests use libc++ for wasm32 (libc++-14-dev-wasm32, libc++abi-14-dev-wasm32). Wasm
# exceptions are not supported by the engine (wasm2c 1.0.32), hence -fno-exceptions.
set(CMAKE_CXX_FLAGS_INIT "-fno-exceptions")
set(CMAKE_EXECUTABLE_SUFFIX ".wasm")
set(CMAKE_EXECUTABLE_SUFFIX_C ".wasm")
set(CMAKE_EXECUTABLE_SUFFIX_CXX ".wasm")
# wasm-ld: export the function table so the host can call guest function pointers
# (Instance::CallIndirect finds it either way), and strip nothing the host needs.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,--export-table")

set(CMAKE_FIND_ROOT_PATH ${WASI_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# try_compile links a full program, which needs wasi-libc: make that explicit.
set(CMAKE_TRY_COMPILE_TARGET_TYPE EXECUTABLE)
