// Entry points of libwasmgpu for embedders (src/host), exported but not part of webgpu.h: what a
// runtime that stands between an untrusted caller and the device needs beyond the public API.
#pragma once

#include <wasmgpu/webgpu.h>

extern "C" {
// Reports an error the embedder found before reaching libwasmgpu (a forged handle inside a
// descriptor, say) on `device`, exactly as if the device itself had found it: it goes to the
// innermost error scope whose filter matches `type`, else to the device's uncaptured-error
// callback, and is dropped once the device is lost. `type` must be Validation, OutOfMemory or
// Internal; returns WGPUStatus_Error (and reports nothing) for a null device or another type.
__attribute__((visibility("default"))) WGPUStatus wasmgpuDeviceInjectError(WGPUDevice device,
                                                                           WGPUErrorType type,
                                                                           WGPUStringView message);
}
