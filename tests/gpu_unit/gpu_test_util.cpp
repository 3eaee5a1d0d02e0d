#include "gpu_test_util.h"

#include <cstring>

namespace wasmgpu::testing {

void GpuTest::SetUp() {
  WGPUInstanceFeatureName features[] = {WGPUInstanceFeatureName_TimedWaitAny};
  WGPUInstanceDescriptor idesc{};
  idesc.requiredFeatureCount = 1;
  idesc.requiredFeatures = features;
  instance_ = wgpuCreateInstance(&idesc);
  ASSERT_NE(instance_, nullptr);
  WGPURequestAdapterCallbackInfo ainfo{};
  ainfo.mode = WGPUCallbackMode_WaitAnyOnly;
  ainfo.callback = [](WGPURequestAdapterStatus status, WGPUAdapter adapter, WGPUStringView message,
                      void* u1, void*) {
    ASSERT_EQ(status, WGPURequestAdapterStatus_Success) << Str(message);
    *static_cast<WGPUAdapter*>(u1) = adapter;
  };
  ainfo.userdata1 = &adapter_;
  Wait(wgpuInstanceRequestAdapter(instance_, nullptr, ainfo));
  ASSERT_NE(adapter_, nullptr);

  std::vector<WGPUFeatureName> wanted;
  if (wgpuAdapterHasFeature(adapter_, WGPUFeatureName_HostMappedPointer)) {
    wanted.push_back(WGPUFeatureName_HostMappedPointer);
  }
  if (wgpuAdapterHasFeature(adapter_, WGPUFeatureName_TimestampQuery)) {
    wanted.push_back(WGPUFeatureName_TimestampQuery);
  }
  WGPUDeviceDescriptor ddesc{};
  ddesc.requiredFeatureCount = wanted.size();
  ddesc.requiredFeatures = wanted.data();
  ddesc.uncapturedErrorCallbackInfo.callback = [](WGPUDevice const*, WGPUErrorType type,
                                                  WGPUStringView message, void* u1, void*) {
    static_cast<std::vector<CapturedError>*>(u1)->push_back({type, Str(message)});
  };
  ddesc.uncapturedErrorCallbackInfo.userdata1 = &uncaptured_;
  WGPURequestDeviceCallbackInfo dinfo{};
  dinfo.mode = WGPUCallbackMode_WaitAnyOnly;
  dinfo.callback = [](WGPURequestDeviceStatus status, WGPUDevice device, WGPUStringView message,
                      void* u1, void*) {
    ASSERT_EQ(status, WGPURequestDeviceStatus_Success) << Str(message);
    *static_cast<WGPUDevice*>(u1) = device;
  };
  dinfo.userdata1 = &device_;
  Wait(wgpuAdapterRequestDevice(adapter_, &ddesc, dinfo));
  ASSERT_NE(device_, nullptr);
  queue_ = wgpuDeviceGetQueue(device_);
}

void GpuTest::TearDown() {
  if (queue_) wgpuQueueRelease(queue_);
  if (device_) wgpuDeviceRelease(device_);
  if (adapter_) wgpuAdapterRelease(adapter_);
  if (instance_) {
    wgpuInstanceProcessEvents(instance_);
    wgpuInstanceRelease(instance_);
  }
  EXPECT_TRUE(uncaptured_.empty()) << "uncaptured error: " << uncaptured_[0].message;
}

void GpuTest::Wait(WGPUFuture future) {
  WGPUFutureWaitInfo info{future, WGPU_FALSE};
  ASSERT_EQ(wgpuInstanceWaitAny(instance_, 1, &info, UINT64_MAX), WGPUWaitStatus_Success);
  ASSERT_TRUE(info.completed);
}

CapturedError GpuTest::PopScope() {
  CapturedError result;
  WGPUPopErrorScopeCallbackInfo info{};
  info.mode = WGPUCallbackMode_WaitAnyOnly;
  info.callback = [](WGPUPopErrorScopeStatus status, WGPUErrorType type, WGPUStringView message,
                     void* u1, void*) {
    EXPECT_EQ(status, WGPUPopErrorScopeStatus_Success);
    auto* r = static_cast<CapturedError*>(u1);
    r->type = type;
    r->message = Str(message);
  };
  info.userdata1 = &result;
  Wait(wgpuDevicePopErrorScope(device_, info));
  return result;
}

WGPUBuffer GpuTest::MakeBuffer(uint64_t size, WGPUBufferUsage usage, bool mapped) {
  WGPUBufferDescriptor desc{};
  desc.size = size;
  desc.usage = usage;
  desc.mappedAtCreation = mapped;
  return wgpuDeviceCreateBuffer(device_, &desc);
}

WGPUShaderModule GpuTest::Glsl(const char* source) {
  WGPUShaderSourceGLSL glsl{};
  glsl.chain.sType = WGPUSType_ShaderSourceGLSL;
  glsl.code = Sv(source);
  WGPUShaderModuleDescriptor desc{};
  desc.nextInChain = &glsl.chain;
  return wgpuDeviceCreateShaderModule(device_, &desc);
}

void GpuTest::SubmitAndWait(WGPUCommandEncoder encoder) {
  WGPUCommandBuffer cb = wgpuCommandEncoderFinish(encoder, nullptr);
  wgpuQueueSubmit(queue_, 1, &cb);
  wgpuCommandBufferRelease(cb);
  wgpuCommandEncoderRelease(encoder);
  WGPUQueueWorkDoneCallbackInfo info{};
  info.mode = WGPUCallbackMode_WaitAnyOnly;
  Wait(wgpuQueueOnSubmittedWorkDone(queue_, info));
}

std::vector<uint8_t> GpuTest::ReadBack(WGPUBuffer buffer, uint64_t size) {
  WGPUBuffer staging = MakeBuffer(size, WGPUBufferUsage_MapRead | WGPUBufferUsage_CopyDst);
  WGPUCommandEncoder encoder = wgpuDeviceCreateCommandEncoder(device_, nullptr);
  wgpuCommandEncoderCopyBufferToBuffer(encoder, buffer, 0, staging, 0, size);
  SubmitAndWait(encoder);
  WGPUBufferMapCallbackInfo info{};
  info.mode = WGPUCallbackMode_WaitAnyOnly;
  info.callback = [](WGPUMapAsyncStatus status, WGPUStringView message, void*, void*) {
    EXPECT_EQ(status, WGPUMapAsyncStatus_Success) << Str(message);
  };
  Wait(wgpuBufferMapAsync(staging, WGPUMapMode_Read, 0, size, info));
  std::vector<uint8_t> out(size);
  const void* p = wgpuBufferGetConstMappedRange(staging, 0, size);
  EXPECT_NE(p, nullptr);
  if (p) std::memcpy(out.data(), p, size);
  wgpuBufferUnmap(staging);
  wgpuBufferRelease(staging);
  return out;
}

}  // namespace wasmgpu::testing
