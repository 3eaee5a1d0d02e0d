// Device loss: a shader that never ends is detected by the GPU timeout, reported through the
// device-lost callback, objects then fail cleanly, and a new device works.
#include <stdlib.h>

#include <cstring>

#include "gpu_test_util.h"

namespace wasmgpu::testing {
namespace {

class DeviceLostTest : public GpuTest {
 protected:
  void SetUp() override {
    setenv("WASMGPU_GPU_TIMEOUT_MS", "300", 1);
    GpuTest::SetUp();
  }
  void TearDown() override {
    unsetenv("WASMGPU_GPU_TIMEOUT_MS");
    GpuTest::TearDown();
  }
};

TEST_F(DeviceLostTest, HungShaderLosesTheDeviceAndANewDeviceWorks) {
  struct Lost {
    int calls = 0;
    WGPUDeviceLostReason reason = WGPUDeviceLostReason_Force32;
    std::string message;
  } lost;
  WGPUDeviceLostCallbackInfo lost_info{};
  lost_info.mode = WGPUCallbackMode_AllowProcessEvents;
  lost_info.callback = [](WGPUDevice const*, WGPUDeviceLostReason reason, WGPUStringView message,
                          void* u1, void*) {
    auto* l = static_cast<Lost*>(u1);
    l->calls++;
    l->reason = reason;
    l->message = Str(message);
  };
  lost_info.userdata1 = &lost;
  WGPUDeviceDescriptor desc{};
  desc.deviceLostCallbackInfo = lost_info;
  desc.uncapturedErrorCallbackInfo.callback = [](WGPUDevice const*, WGPUErrorType type,
                                                 WGPUStringView message, void* u1, void*) {
    static_cast<std::vector<CapturedError>*>(u1)->push_back({type, Str(message)});
  };
  desc.uncapturedErrorCallbackInfo.userdata1 = &uncaptured_;
  WGPUDevice device = nullptr;
  WGPURequestDeviceCallbackInfo dinfo{};
  dinfo.mode = WGPUCallbackMode_WaitAnyOnly;
  dinfo.callback = [](WGPURequestDeviceStatus, WGPUDevice d, WGPUStringView, void* u1, void*) {
    *static_cast<WGPUDevice*>(u1) = d;
  };
  dinfo.userdata1 = &device;
  Wait(wgpuAdapterRequestDevice(adapter_, &desc, dinfo));
  ASSERT_NE(device, nullptr);
  WGPUQueue queue = wgpuDeviceGetQueue(device);

  // Far longer than the 300 ms timeout: 2048 x 256 invocations of 65535 multiply-adds (~30 s
  // on 2 cores). A plain infinite loop would not do: llvmpipe ends any loop nest after 65535
  // iterations. This test has its own executable because lavapipe keeps computing the abandoned
  // work until the process exits.
  WGPUShaderSourceGLSL glsl{};
  glsl.chain.sType = WGPUSType_ShaderSourceGLSL;
  glsl.code = Sv(R"(#version 450
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) buffer B { uint flag; uint count; uint out_[2]; };
void main() {
  uint acc = gl_GlobalInvocationID.x;
  for (uint a = flag; a < 0xFFFFFFFFu; ++a) acc = acc * 1664525u + 1013904223u;
  out_[gl_GlobalInvocationID.x & 1u] = acc;
}
)");
  WGPUShaderModuleDescriptor mdesc{};
  mdesc.nextInChain = &glsl.chain;
  WGPUShaderModule module = wgpuDeviceCreateShaderModule(device, &mdesc);
  WGPUComputePipelineDescriptor pdesc{};
  pdesc.compute.module = module;
  WGPUComputePipeline pipeline = wgpuDeviceCreateComputePipeline(device, &pdesc);
  WGPUBufferDescriptor bdesc{};
  bdesc.size = 16;
  bdesc.usage = WGPUBufferUsage_Storage;
  WGPUBuffer buffer = wgpuDeviceCreateBuffer(device, &bdesc);
  WGPUBindGroupLayout bgl = wgpuComputePipelineGetBindGroupLayout(pipeline, 0);
  WGPUBindGroupEntry entry{};
  entry.buffer = buffer;
  entry.size = WGPU_WHOLE_SIZE;
  WGPUBindGroupDescriptor gdesc{};
  gdesc.layout = bgl;
  gdesc.entryCount = 1;
  gdesc.entries = &entry;
  WGPUBindGroup group = wgpuDeviceCreateBindGroup(device, &gdesc);
  WGPUCommandEncoder enc = wgpuDeviceCreateCommandEncoder(device, nullptr);
  WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(enc, nullptr);
  wgpuComputePassEncoderSetPipeline(pass, pipeline);
  wgpuComputePassEncoderSetBindGroup(pass, 0, group, 0, nullptr);
  wgpuComputePassEncoderDispatchWorkgroups(pass, 2048, 1, 1);
  wgpuComputePassEncoderEnd(pass);
  WGPUCommandBuffer cb = wgpuCommandEncoderFinish(enc, nullptr);
  wgpuQueueSubmit(queue, 1, &cb);

  WGPUQueueWorkDoneCallbackInfo done{};
  done.mode = WGPUCallbackMode_WaitAnyOnly;
  Wait(wgpuQueueOnSubmittedWorkDone(queue, done));  // returns once the timeout lost the device
  wgpuInstanceProcessEvents(instance_);
  EXPECT_EQ(lost.calls, 1);
  EXPECT_EQ(lost.reason, WGPUDeviceLostReason_Unknown);
  EXPECT_EQ(lost.message,
            "A submission did not finish within 300 ms (WASMGPU_GPU_TIMEOUT_MS); the device is lost.");

  // Objects fail cleanly: no crash, no errors reported after the loss, invalid results.
  WGPUBufferDescriptor readable{};
  readable.size = 16;
  readable.usage = WGPUBufferUsage_MapRead | WGPUBufferUsage_CopyDst;
  WGPUBuffer after = wgpuDeviceCreateBuffer(device, &readable);
  EXPECT_NE(after, nullptr);
  WGPUBufferMapCallbackInfo map{};
  map.mode = WGPUCallbackMode_WaitAnyOnly;
  WGPUMapAsyncStatus map_status = WGPUMapAsyncStatus_Force32;
  map.callback = [](WGPUMapAsyncStatus s, WGPUStringView, void* u1, void*) {
    *static_cast<WGPUMapAsyncStatus*>(u1) = s;
  };
  map.userdata1 = &map_status;
  Wait(wgpuBufferMapAsync(after, WGPUMapMode_Read, 0, 16, map));
  EXPECT_EQ(map_status, WGPUMapAsyncStatus_Error);
  wgpuQueueSubmit(queue, 1, &cb);
  EXPECT_TRUE(uncaptured_.empty());

  for (WGPUBuffer b : {buffer, after}) wgpuBufferRelease(b);
  wgpuCommandBufferRelease(cb);
  wgpuComputePassEncoderRelease(pass);
  wgpuCommandEncoderRelease(enc);
  wgpuBindGroupRelease(group);
  wgpuBindGroupLayoutRelease(bgl);
  wgpuComputePipelineRelease(pipeline);
  wgpuShaderModuleRelease(module);
  wgpuQueueRelease(queue);
  wgpuDeviceRelease(device);
  EXPECT_EQ(lost.calls, 1);

  // The fixture's own device (created before) still works.
  WGPUBuffer ok = MakeBuffer(16, WGPUBufferUsage_CopySrc | WGPUBufferUsage_CopyDst);
  uint32_t values[4] = {9, 8, 7, 6};
  wgpuQueueWriteBuffer(queue_, ok, 0, values, 16);
  std::vector<uint8_t> out = ReadBack(ok, 16);
  EXPECT_EQ(std::memcmp(out.data(), values, 16), 0);
  wgpuBufferRelease(ok);
}

}  // namespace
}  // namespace wasmgpu::testing
