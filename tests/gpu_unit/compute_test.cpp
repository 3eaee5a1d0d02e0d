// Compute: GLSL and SPIR-V pipelines, auto and explicit layouts, dynamic offsets, immediate
// data, specialization, indirect dispatch, host-mapped buffers.
#include <stdlib.h>

#include <atomic>
#include <cstring>

#include "gpu_test_util.h"

namespace wasmgpu::testing {
namespace {

using ComputeTest = GpuTest;

constexpr const char* kSaxpy = R"(#version 450
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) readonly buffer X { float x[]; };
layout(set = 0, binding = 1) buffer Y { float y[]; };
layout(push_constant) uniform P { float a; float b; uint n; } p;
void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i < p.n) y[i] = p.a * x[i] + p.b;
}
)";

struct Saxpy {
  WGPUComputePipeline pipeline;
  WGPUBindGroup group;
};

Saxpy MakeSaxpy(WGPUDevice device, WGPUShaderModule module, WGPUBuffer x, WGPUBuffer y,
                uint64_t bytes) {
  WGPUComputePipelineDescriptor pdesc{};
  pdesc.compute.module = module;
  pdesc.compute.entryPoint = Sv("main");
  WGPUComputePipeline pipeline = wgpuDeviceCreateComputePipeline(device, &pdesc);
  WGPUBindGroupLayout layout = wgpuComputePipelineGetBindGroupLayout(pipeline, 0);
  WGPUBindGroupEntry entries[2] = {};
  entries[0].binding = 0;
  entries[0].buffer = x;
  entries[0].size = bytes;
  entries[1].binding = 1;
  entries[1].buffer = y;
  entries[1].size = WGPU_WHOLE_SIZE;
  WGPUBindGroupDescriptor gdesc{};
  gdesc.layout = layout;
  gdesc.entryCount = 2;
  gdesc.entries = entries;
  WGPUBindGroup group = wgpuDeviceCreateBindGroup(device, &gdesc);
  wgpuBindGroupLayoutRelease(layout);
  return {pipeline, group};
}

void EncodeSaxpy(WGPUCommandEncoder enc, const Saxpy& s, float a, float b, uint32_t n) {
  WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(enc, nullptr);
  wgpuComputePassEncoderSetPipeline(pass, s.pipeline);
  wgpuComputePassEncoderSetBindGroup(pass, 0, s.group, 0, nullptr);
  struct {
    float a, b;
    uint32_t n;
  } params{a, b, n};
  wgpuComputePassEncoderSetImmediateData(pass, 0, &params, sizeof(params));
  wgpuComputePassEncoderDispatchWorkgroups(pass, (n + 63) / 64, 1, 1);
  wgpuComputePassEncoderEnd(pass);
  wgpuComputePassEncoderRelease(pass);
}

TEST_F(ComputeTest, GlslSaxpyWithImmediateData) {
  constexpr uint32_t n = 1000;
  WGPUShaderModule module = Glsl(kSaxpy);
  WGPUBuffer x = MakeBuffer(n * 4, WGPUBufferUsage_Storage | WGPUBufferUsage_CopyDst);
  WGPUBuffer y = MakeBuffer(n * 4, WGPUBufferUsage_Storage | WGPUBufferUsage_CopySrc);
  std::vector<float> xs(n);
  for (uint32_t i = 0; i < n; ++i) xs[i] = static_cast<float>(i);
  wgpuQueueWriteBuffer(queue_, x, 0, xs.data(), n * 4);
  Saxpy s = MakeSaxpy(device_, module, x, y, n * 4);
  WGPUCommandEncoder enc = wgpuDeviceCreateCommandEncoder(device_, nullptr);
  EncodeSaxpy(enc, s, 2.0f, 1.0f, n);
  SubmitAndWait(enc);
  std::vector<uint8_t> out = ReadBack(y, n * 4);
  std::vector<float> ys(n);
  std::memcpy(ys.data(), out.data(), n * 4);
  for (uint32_t i = 0; i < n; ++i) ASSERT_EQ(ys[i], 2.0f * i + 1.0f) << "index " << i;
  wgpuBindGroupRelease(s.group);
  wgpuComputePipelineRelease(s.pipeline);
  wgpuShaderModuleRelease(module);
  wgpuBufferRelease(x);
  wgpuBufferRelease(y);
}

TEST_F(ComputeTest, HostMappedBuffersAreWrittenInPlace) {
  ASSERT_TRUE(wgpuDeviceHasFeature(device_, WGPUFeatureName_HostMappedPointer));
  WGPUHostMappedPointerLimits hm{};
  hm.chain.sType = WGPUSType_HostMappedPointerLimits;
  WGPULimits limits{};
  limits.nextInChain = &hm.chain;
  ASSERT_EQ(wgpuDeviceGetLimits(device_, &limits), WGPUStatus_Success);
  ASSERT_EQ(hm.hostMappedPointerAlignment, 4096u);
  constexpr uint32_t n = 4096;  // 16 KiB per buffer
  const size_t bytes = n * 4;
  float* xs = static_cast<float*>(aligned_alloc(4096, bytes));
  float* ys = static_cast<float*>(aligned_alloc(4096, bytes));
  for (uint32_t i = 0; i < n; ++i) xs[i] = static_cast<float>(i), ys[i] = -1.0f;
  std::atomic<int> disposed{0};
  auto host_buffer = [&](void* p) {
    WGPUBufferHostMappedPointer hmp{};
    hmp.chain.sType = WGPUSType_BufferHostMappedPointer;
    hmp.pointer = p;
    hmp.disposeCallback = [](void* u) { ++*static_cast<std::atomic<int>*>(u); };
    hmp.userdata = &disposed;
    WGPUBufferDescriptor desc{};
    desc.nextInChain = &hmp.chain;
    desc.size = bytes;
    desc.usage = WGPUBufferUsage_Storage;
    return wgpuDeviceCreateBuffer(device_, &desc);
  };
  WGPUBuffer x = host_buffer(xs);
  WGPUBuffer y = host_buffer(ys);
  WGPUShaderModule module = Glsl(kSaxpy);
  Saxpy s = MakeSaxpy(device_, module, x, y, bytes);
  WGPUCommandEncoder enc = wgpuDeviceCreateCommandEncoder(device_, nullptr);
  EncodeSaxpy(enc, s, 3.0f, 0.5f, n);
  SubmitAndWait(enc);
  for (uint32_t i = 0; i < n; ++i) ASSERT_EQ(ys[i], 3.0f * i + 0.5f) << "index " << i;
  // Map calls are refused on host-mapped buffers.
  PushScope();
  WGPUBufferMapCallbackInfo info{};
  info.mode = WGPUCallbackMode_AllowProcessEvents;
  wgpuBufferMapAsync(y, WGPUMapMode_Read, 0, bytes, info);
  CapturedError e = PopScope();
  EXPECT_EQ(e.type, WGPUErrorType_Validation);
  EXPECT_EQ(e.message.substr(0, e.message.find('\n')),
            "[Buffer] is host-mapped: its memory is always the host's, so it cannot be mapped.");
  // disposeCallback: once each, after destroy (the GPU is idle here).
  wgpuBindGroupRelease(s.group);
  wgpuBufferDestroy(x);
  EXPECT_EQ(disposed.load(), 1);
  wgpuBufferRelease(x);
  wgpuBufferRelease(y);
  wgpuInstanceProcessEvents(instance_);
  EXPECT_EQ(disposed.load(), 2);
  wgpuComputePipelineRelease(s.pipeline);
  wgpuShaderModuleRelease(module);
  free(xs);
  free(ys);
}

TEST_F(ComputeTest, DynamicOffsetsSpecializationAndIndirect) {
  // out[k] = k + C for the 4 uints at the dynamic offset; C is a spec constant (id 7).
  WGPUShaderModule module = Glsl(R"(#version 450
layout(local_size_x = 4) in;
layout(constant_id = 7) const uint C = 1;
layout(set = 0, binding = 0) buffer Out { uint v[4]; };
void main() { v[gl_LocalInvocationID.x] = gl_LocalInvocationID.x + C; }
)");
  WGPUBindGroupLayoutEntry entry{};
  entry.binding = 0;
  entry.visibility = WGPUShaderStage_Compute;
  entry.buffer.type = WGPUBufferBindingType_Storage;
  entry.buffer.hasDynamicOffset = WGPU_TRUE;
  entry.buffer.minBindingSize = 16;
  WGPUBindGroupLayoutDescriptor ldesc{};
  ldesc.entryCount = 1;
  ldesc.entries = &entry;
  WGPUBindGroupLayout bgl = wgpuDeviceCreateBindGroupLayout(device_, &ldesc);
  WGPUPipelineLayoutDescriptor pldesc{};
  pldesc.bindGroupLayoutCount = 1;
  pldesc.bindGroupLayouts = &bgl;
  WGPUPipelineLayout pl = wgpuDeviceCreatePipelineLayout(device_, &pldesc);
  WGPUConstantEntry constant{};
  constant.key = Sv("7");
  constant.value = 100;
  WGPUComputePipelineDescriptor pdesc{};
  pdesc.layout = pl;
  pdesc.compute.module = module;
  pdesc.compute.constantCount = 1;
  pdesc.compute.constants = &constant;
  WGPUComputePipeline pipeline = wgpuDeviceCreateComputePipeline(device_, &pdesc);

  WGPULimits limits{};
  wgpuDeviceGetLimits(device_, &limits);
  uint32_t align = limits.minStorageBufferOffsetAlignment;
  WGPUBuffer out = MakeBuffer(align * 2, WGPUBufferUsage_Storage | WGPUBufferUsage_CopySrc);
  WGPUBindGroupEntry bentry{};
  bentry.buffer = out;
  bentry.size = 16;
  WGPUBindGroupDescriptor gdesc{};
  gdesc.layout = bgl;
  gdesc.entryCount = 1;
  gdesc.entries = &bentry;
  WGPUBindGroup group = wgpuDeviceCreateBindGroup(device_, &gdesc);
  WGPUBuffer indirect = MakeBuffer(12, WGPUBufferUsage_Indirect | WGPUBufferUsage_CopyDst);
  uint32_t args[3] = {1, 1, 1};
  wgpuQueueWriteBuffer(queue_, indirect, 0, args, sizeof(args));

  WGPUCommandEncoder enc = wgpuDeviceCreateCommandEncoder(device_, nullptr);
  WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(enc, nullptr);
  wgpuComputePassEncoderSetPipeline(pass, pipeline);
  uint32_t offset = align;
  wgpuComputePassEncoderSetBindGroup(pass, 0, group, 1, &offset);
  wgpuComputePassEncoderDispatchWorkgroupsIndirect(pass, indirect, 0);
  wgpuComputePassEncoderEnd(pass);
  wgpuComputePassEncoderRelease(pass);
  SubmitAndWait(enc);
  std::vector<uint8_t> bytes = ReadBack(out, align * 2);
  uint32_t got[4], untouched[4];
  std::memcpy(got, bytes.data() + align, 16);
  std::memcpy(untouched, bytes.data(), 16);
  for (uint32_t k = 0; k < 4; ++k) {
    EXPECT_EQ(got[k], k + 100);
    EXPECT_EQ(untouched[k], 0u);
  }
  for (auto* b : {out, indirect}) wgpuBufferRelease(b);
  wgpuBindGroupRelease(group);
  wgpuComputePipelineRelease(pipeline);
  wgpuPipelineLayoutRelease(pl);
  wgpuBindGroupLayoutRelease(bgl);
  wgpuShaderModuleRelease(module);
}

}  // namespace
}  // namespace wasmgpu::testing
