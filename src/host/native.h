// Native (libwasmgpu) calls by handle kind.
#pragma once

#include <wasmgpu/webgpu.h>

#include "host/handles.h"

namespace wasmgpu::host {

inline void NativeRelease(Kind kind, void* object) {
  if (object == nullptr) return;
  switch (kind) {
    case Kind::kNone: return;
    case Kind::kInstance: return wgpuInstanceRelease(static_cast<WGPUInstance>(object));
    case Kind::kAdapter: return wgpuAdapterRelease(static_cast<WGPUAdapter>(object));
    case Kind::kDevice: return wgpuDeviceRelease(static_cast<WGPUDevice>(object));
    case Kind::kQueue: return wgpuQueueRelease(static_cast<WGPUQueue>(object));
    case Kind::kBuffer: return wgpuBufferRelease(static_cast<WGPUBuffer>(object));
    case Kind::kShaderModule: return wgpuShaderModuleRelease(static_cast<WGPUShaderModule>(object));
    case Kind::kBindGroupLayout:
      return wgpuBindGroupLayoutRelease(static_cast<WGPUBindGroupLayout>(object));
    case Kind::kBindGroup: return wgpuBindGroupRelease(static_cast<WGPUBindGroup>(object));
    case Kind::kPipelineLayout:
      return wgpuPipelineLayoutRelease(static_cast<WGPUPipelineLayout>(object));
    case Kind::kComputePipeline:
      return wgpuComputePipelineRelease(static_cast<WGPUComputePipeline>(object));
    case Kind::kCommandEncoder:
      return wgpuCommandEncoderRelease(static_cast<WGPUCommandEncoder>(object));
    case Kind::kComputePassEncoder:
      return wgpuComputePassEncoderRelease(static_cast<WGPUComputePassEncoder>(object));
    case Kind::kCommandBuffer:
      return wgpuCommandBufferRelease(static_cast<WGPUCommandBuffer>(object));
    case Kind::kQuerySet: return wgpuQuerySetRelease(static_cast<WGPUQuerySet>(object));
  }
}

}  // namespace wasmgpu::host
