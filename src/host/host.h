// The `wasmgpu` import module: webgpu.h for WebAssembly guests (issue 3, docs/host.md).
//
//   wasm::HostRegistry registry;
//   host::RegisterImports(registry);   // every webgpu.h function, module "wasmgpu"
//
// Per-instance state (handle tables, host-mapped ranges, pending callbacks) is created on the
// guest's first wgpu* call and torn down with the instance, before its memory is unmapped: the
// teardown waits for the GPU, destroys the guest's objects, and waits until no GPU buffer
// aliases guest memory any more. `--zero-copy` and `--adapter` reach it through
// wasm::InstanceOptions::gpu.
#pragma once

#include "wasm/host_registry.h"

namespace wasmgpu::host {

void RegisterImports(wasm::HostRegistry& registry);

}  // namespace wasmgpu::host
