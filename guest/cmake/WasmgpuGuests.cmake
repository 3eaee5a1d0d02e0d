# Host-side helper that builds wasm32 guests as part of the main build (one `make build` builds
# host programs and guests). Each call adds an ExternalProject that configures guest/project
# with the wasm32-wasi toolchain file, so guest and host compilers never mix in one CMake scope.
#
#   wasmgpu_add_guests(<name> SOURCE_DIR <dir> OUTPUT_DIR <dir>)
#
# builds every guest found in SOURCE_DIR (see guest/project/CMakeLists.txt for the layout) into
# OUTPUT_DIR/<guest>.wasm. The target <name> builds them; it is part of `all`.

include(ExternalProject)

set(WASMGPU_GUEST_TOOLCHAIN ${CMAKE_CURRENT_LIST_DIR}/wasm32-wasi.cmake)
set(WASMGPU_GUEST_PROJECT ${CMAKE_CURRENT_LIST_DIR}/../project)

function(wasmgpu_add_guests name)
  cmake_parse_arguments(ARG "" "SOURCE_DIR;OUTPUT_DIR" "" ${ARGN})
  if(NOT WASMGPU_BUILD_GUESTS)
    return()
  endif()
  ExternalProject_Add(${name}
    SOURCE_DIR ${WASMGPU_GUEST_PROJECT}
    BINARY_DIR ${CMAKE_CURRENT_BINARY_DIR}/${name}-build
    CMAKE_GENERATOR ${CMAKE_GENERATOR}
    CMAKE_ARGS
      -DCMAKE_TOOLCHAIN_FILE=${WASMGPU_GUEST_TOOLCHAIN}
      -DCMAKE_BUILD_TYPE=Release
      -DWASMGPU_SOURCE_DIR=${PROJECT_SOURCE_DIR}
      -DWASMGPU_BINARY_DIR=${PROJECT_BINARY_DIR}
      -DGUEST_SOURCE_DIR=${ARG_SOURCE_DIR}
      -DGUEST_OUTPUT_DIR=${ARG_OUTPUT_DIR}
    INSTALL_COMMAND ""
    # The inner build tracks its own sources (GLOB CONFIGURE_DEPENDS); running it every time is
    # a no-op when nothing changed.
    BUILD_ALWAYS ON
    USES_TERMINAL_BUILD OFF)
endfunction()
