#!/usr/bin/env bash
# Installs the `wasmgpu` component into a temporary prefix, then builds and runs a C program the
# way the README says users do: cc app.c $(pkg-config --cflags --libs wasmgpu). Also checks that
# find_package(wasmgpu) resolves wasmgpu::wasmgpu.
set -euo pipefail
build_dir=$1
source_dir=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build_dir" --prefix "$prefix" --component wasmgpu >/dev/null
pcdir=$(dirname "$(find "$prefix" -name wasmgpu.pc)")
flags=$(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs wasmgpu)
libdir=$(PKG_CONFIG_PATH="$pcdir" pkg-config --variable=libdir wasmgpu)
cc -std=c11 -o "$prefix/app" "$source_dir/install_app.c" $flags
out=$(LD_LIBRARY_PATH="$libdir" "$prefix/app")
[ "$out" = "ok" ] || { echo "app printed: $out"; exit 1; }
config=$(find "$prefix" -name wasmgpuConfig.cmake)
[ -f "$(dirname "$config")/wasmgpuTargets.cmake" ] || { echo "wasmgpuTargets.cmake missing"; exit 1; }
grep -q "wasmgpu::wasmgpu" "$(dirname "$config")/wasmgpuTargets.cmake"
echo "installed to $prefix: pkg-config flags '$flags'; app ran ok"
