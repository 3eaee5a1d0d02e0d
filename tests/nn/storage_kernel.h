// A compute pipeline over storage buffers, for the kernel tests and the kernel benchmarks: one
// bind group layout whose binding i is read-write storage when writable[i], else read-only, and
// `immediate_bytes` of immediate data; one bind group per buffer set (binding order).
#pragma once

#include <algorithm>
#include <chrono>
#include <span>
#include <vector>

#include "nn/gpu/gpu_context.h"
#include "wasmgpu/webgpu.h"

namespace wasmgpu::nn::test {

// A SPIR-V array of nn_kernels.h as words.
template <size_t N>
std::span<const uint32_t> Words(const uint32_t (&a)[N]) {
  return {a, N};
}

struct StorageKernel {
  WGPUComputePipeline pipeline = nullptr;
  std::vector<WGPUBindGroup> groups;  // one per buffer set

  void Release() const {
    for (WGPUBindGroup g : groups) wgpuBindGroupRelease(g);
    wgpuComputePipelineRelease(pipeline);
  }
};

// From a shader module (the caller keeps its reference).
inline StorageKernel MakeStorageKernel(GpuContext& c, WGPUShaderModule module,
                                       const std::vector<bool>& writable, uint32_t immediate_bytes,
                                       const std::vector<std::vector<WGPUBuffer>>& buffer_sets) {
  std::vector<WGPUBindGroupLayoutEntry> le(writable.size());
  std::vector<WGPUBindGroupEntry> be(writable.size());
  for (size_t i = 0; i < writable.size(); ++i) {
    le[i].binding = be[i].binding = static_cast<uint32_t>(i);
    le[i].visibility = WGPUShaderStage_Compute;
    le[i].buffer.type =
        writable[i] ? WGPUBufferBindingType_Storage : WGPUBufferBindingType_ReadOnlyStorage;
    be[i].size = WGPU_WHOLE_SIZE;
  }
  WGPUBindGroupLayoutDescriptor ld{};
  ld.entryCount = le.size();
  ld.entries = le.data();
  WGPUBindGroupLayout bgl = wgpuDeviceCreateBindGroupLayout(c.device(), &ld);
  WGPUPipelineLayoutDescriptor pld{};
  pld.bindGroupLayoutCount = 1;
  pld.bindGroupLayouts = &bgl;
  pld.immediateSize = immediate_bytes;
  WGPUPipelineLayout pl = wgpuDeviceCreatePipelineLayout(c.device(), &pld);
  WGPUComputePipelineDescriptor pd{};
  pd.layout = pl;
  pd.compute.module = module;
  StorageKernel k;
  k.pipeline = wgpuDeviceCreateComputePipeline(c.device(), &pd);
  for (const std::vector<WGPUBuffer>& buffers : buffer_sets) {
    for (size_t i = 0; i < be.size(); ++i) be[i].buffer = buffers[i];
    WGPUBindGroupDescriptor bd{};
    bd.layout = bgl;
    bd.entryCount = be.size();
    bd.entries = be.data();
    k.groups.push_back(wgpuDeviceCreateBindGroup(c.device(), &bd));
  }
  wgpuPipelineLayoutRelease(pl);
  wgpuBindGroupLayoutRelease(bgl);
  return k;
}

inline StorageKernel MakeStorageKernel(GpuContext& c, std::span<const uint32_t> spirv,
                                       const std::vector<bool>& writable, uint32_t immediate_bytes,
                                       const std::vector<std::vector<WGPUBuffer>>& buffer_sets,
                                       const char* label) {
  WGPUShaderModule module = c.CreateSpirvModule(spirv, label);
  StorageKernel k = MakeStorageKernel(c, module, writable, immediate_bytes, buffer_sets);
  wgpuShaderModuleRelease(module);
  return k;
}

// Median microseconds per dispatch over 5 submits (after one to warm up) of `reps` dependent
// dispatches of `k` in one pass, with `bytes` of immediate data. With several bind groups the
// dispatches cycle through them (e.g. one per layer, so caches hold no single layer's data).
inline double MedianDispatchMicros(GpuContext& c, const StorageKernel& k, const void* params,
                                   uint32_t bytes, uint32_t gx, uint32_t gy, int reps) {
  std::vector<double> us;
  for (int trial = 0; trial < 6; ++trial) {
    WGPUCommandEncoder enc = wgpuDeviceCreateCommandEncoder(c.device(), nullptr);
    WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(enc, nullptr);
    wgpuComputePassEncoderSetPipeline(pass, k.pipeline);
    if (k.groups.size() == 1) wgpuComputePassEncoderSetBindGroup(pass, 0, k.groups[0], 0, nullptr);
    wgpuComputePassEncoderSetImmediateData(pass, 0, params, bytes);
    for (int r = 0; r < reps; ++r) {
      if (k.groups.size() > 1) {
        wgpuComputePassEncoderSetBindGroup(pass, 0, k.groups[r % k.groups.size()], 0, nullptr);
      }
      wgpuComputePassEncoderDispatchWorkgroups(pass, gx, gy, 1);
    }
    wgpuComputePassEncoderEnd(pass);
    WGPUCommandBuffer cmd = wgpuCommandEncoderFinish(enc, nullptr);
    const auto start = std::chrono::steady_clock::now();
    wgpuQueueSubmit(c.queue(), 1, &cmd);
    WGPUQueueWorkDoneCallbackInfo cb{};
    cb.mode = WGPUCallbackMode_WaitAnyOnly;
    cb.callback = [](WGPUQueueWorkDoneStatus, WGPUStringView, void*, void*) {};
    (void)c.Wait(wgpuQueueOnSubmittedWorkDone(c.queue(), cb), "bench");
    const double t =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
    if (trial > 0) us.push_back(t / reps);  // the first warms up
    wgpuCommandBufferRelease(cmd);
    wgpuComputePassEncoderRelease(pass);
    wgpuCommandEncoderRelease(enc);
  }
  std::sort(us.begin(), us.end());
  return us[us.size() / 2];
}

}  // namespace wasmgpu::nn::test
