# `cmake --install`: the public header, libwasmgpu, a CMake package (find_package(wasmgpu) ->
# wasmgpu::wasmgpu) and wasmgpu.pc for pkg-config. Everything is in the COMPONENT `wasmgpu`, so
# `cmake --install build --component wasmgpu` installs just the library and its interface.
if(NOT TARGET libwasmgpu)
  return()
endif()
include(CMakePackageConfigHelpers)

set_target_properties(libwasmgpu PROPERTIES EXPORT_NAME wasmgpu)
install(TARGETS libwasmgpu EXPORT wasmgpuTargets COMPONENT wasmgpu
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_SOURCE_DIR}/include/wasmgpu/webgpu.h COMPONENT wasmgpu
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/wasmgpu)

set(wasmgpu_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/wasmgpu)
install(EXPORT wasmgpuTargets NAMESPACE wasmgpu:: DESTINATION ${wasmgpu_cmake_dir}
        COMPONENT wasmgpu)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/wasmgpuConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/wasmgpuConfig.cmake
                              INSTALL_DESTINATION ${wasmgpu_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/wasmgpuConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/wasmgpuConfig.cmake
              ${PROJECT_BINARY_DIR}/wasmgpuConfigVersion.cmake
        DESTINATION ${wasmgpu_cmake_dir} COMPONENT wasmgpu)

# The .pc file finds its prefix relative to itself, so `cmake --install --prefix X` works.
file(RELATIVE_PATH wasmgpu_pc_to_prefix /root/${CMAKE_INSTALL_LIBDIR}/pkgconfig /root)
string(REGEX REPLACE "/$" "" wasmgpu_pc_to_prefix "${wasmgpu_pc_to_prefix}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/wasmgpu.pc.in ${PROJECT_BINARY_DIR}/wasmgpu.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/wasmgpu.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
        COMPONENT wasmgpu)

# The installed CLI finds the installed libwasmgpu next to it (prefix/bin -> prefix/lib).
if(TARGET wasmgpu-cli)
  file(RELATIVE_PATH wasmgpu_bin_to_lib /root/${CMAKE_INSTALL_BINDIR} /root/${CMAKE_INSTALL_LIBDIR})
  set_target_properties(wasmgpu-cli PROPERTIES INSTALL_RPATH "$ORIGIN/${wasmgpu_bin_to_lib}")
endif()
