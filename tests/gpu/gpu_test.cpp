// See gpu_test.h.
#include "gpu_test.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <thread>

namespace wasmgpu::gputest {

std::string ToString(WGPUStringView s) {
  if (s.data == nullptr) return "";
  if (s.length == WGPU_STRLEN) return std::string(s.data);
  return std::string(s.data, s.length);
}

WGPUStringView Sv(std::string_view s) { return WGPUStringView{s.data(), s.size()}; }

const char* ErrorTypeName(WGPUErrorType type) {
  switch (type) {
    case WGPUErrorType_NoError: return "NoError";
    case WGPUErrorType_Validation: return "Validation";
    case WGPUErrorType_OutOfMemory: return "OutOfMemory";
    case WGPUErrorType_Internal: return "Internal";
    case WGPUErrorType_Unknown: return "Unknown";
    default: return "(invalid WGPUErrorType)";
  }
}

bool ContainsI(std::string_view haystack, std::string_view needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char a, char b) {
                          return std::tolower(static_cast<unsigned char>(a)) ==
                                 std::tolower(static_cast<unsigned char>(b));
                        });
  return it != haystack.end();
}

::testing::AssertionResult MessageHas(const std::string& message,
                                      std::initializer_list<std::string_view> needles) {
  for (std::string_view n : needles) {
    if (!ContainsI(message, n)) {
      return ::testing::AssertionFailure()
             << "message \"" << message << "\" does not contain \"" << n << "\"";
    }
  }
  return ::testing::AssertionSuccess();
}

void GpuTest::OnError(WGPUDevice const*, WGPUErrorType type, WGPUStringView message,
                      void* userdata1, void*) {
  static_cast<GpuTest*>(userdata1)->errors_.push_back({type, ToString(message)});
}

std::vector<WGPUFeatureName> GpuTest::RequiredFeatures() {
  std::vector<WGPUFeatureName> f;
  if (wgpuAdapterHasFeature(adapter_, WGPUFeatureName_HostMappedPointer)) {
    f.push_back(WGPUFeatureName_HostMappedPointer);
  }
  if (wgpuAdapterHasFeature(adapter_, WGPUFeatureName_TimestampQuery)) {
    f.push_back(WGPUFeatureName_TimestampQuery);
  }
  return f;
}

void GpuTest::SetUp() {
  WGPUInstanceDescriptor idesc{};
  WGPUInstanceFeatureName timed = WGPUInstanceFeatureName_TimedWaitAny;
  if (wgpuHasInstanceFeature(timed)) {
    idesc.requiredFeatureCount = 1;
    idesc.requiredFeatures = &timed;
  }
  instance_ = wgpuCreateInstance(&idesc);
  ASSERT_NE(instance_, nullptr);

  struct AdapterResult {
    WGPURequestAdapterStatus status = WGPURequestAdapterStatus_Force32;
    WGPUAdapter adapter = nullptr;
    std::string message;
  } ar;
  WGPURequestAdapterCallbackInfo acb{};
  acb.mode = WGPUCallbackMode_AllowProcessEvents;
  acb.callback = [](WGPURequestAdapterStatus status, WGPUAdapter adapter, WGPUStringView message,
                    void* u1, void*) {
    auto* r = static_cast<AdapterResult*>(u1);
    r->status = status;
    r->adapter = adapter;
    r->message = ToString(message);
  };
  acb.userdata1 = &ar;
  Wait(wgpuInstanceRequestAdapter(instance_, nullptr, acb));
  ASSERT_EQ(ar.status, WGPURequestAdapterStatus_Success) << ar.message;
  adapter_ = ar.adapter;

  device_ = CreateDevice(RequiredFeatures());
  ASSERT_NE(device_, nullptr);
  queue_ = wgpuDeviceGetQueue(device_);
  has_host_mapped_ = wgpuDeviceHasFeature(device_, WGPUFeatureName_HostMappedPointer);
  has_timestamps_ = wgpuDeviceHasFeature(device_, WGPUFeatureName_TimestampQuery);
  WGPUHostMappedPointerLimits host_limits{};
  host_limits.chain.sType = WGPUSType_HostMappedPointerLimits;
  limits_.nextInChain = &host_limits.chain;
  ASSERT_EQ(wgpuDeviceGetLimits(device_, &limits_), WGPUStatus_Success);
  limits_.nextInChain = nullptr;
  host_alignment_ = host_limits.hostMappedPointerAlignment;
}

WGPUDevice GpuTest::CreateDevice(const std::vector<WGPUFeatureName>& features) {
  struct DeviceResult {
    WGPURequestDeviceStatus status = WGPURequestDeviceStatus_Force32;
    WGPUDevice device = nullptr;
    std::string message;
  } dr;
  WGPUDeviceDescriptor ddesc{};
  ddesc.requiredFeatureCount = features.size();
  ddesc.requiredFeatures = features.data();
  ddesc.uncapturedErrorCallbackInfo.callback = &GpuTest::OnError;
  ddesc.uncapturedErrorCallbackInfo.userdata1 = this;
  ddesc.deviceLostCallbackInfo.mode = WGPUCallbackMode_AllowProcessEvents;
  ddesc.deviceLostCallbackInfo.callback = [](WGPUDevice const*, WGPUDeviceLostReason,
                                             WGPUStringView, void*, void*) {};
  WGPURequestDeviceCallbackInfo dcb{};
  dcb.mode = WGPUCallbackMode_AllowProcessEvents;
  dcb.callback = [](WGPURequestDeviceStatus status, WGPUDevice device, WGPUStringView message,
                    void* u1, void*) {
    auto* r = static_cast<DeviceResult*>(u1);
    r->status = status;
    r->device = device;
    r->message = ToString(message);
  };
  dcb.userdata1 = &dr;
  Wait(wgpuAdapterRequestDevice(adapter_, &ddesc, dcb));
  EXPECT_EQ(dr.status, WGPURequestDeviceStatus_Success) << dr.message;
  if (dr.device != nullptr && device_ != nullptr) extra_devices_.push_back(dr.device);
  return dr.device;
}

void GpuTest::TearDown() {
  if (device_ != nullptr) {
    WaitIdle();
    ProcessEvents();
  }
  for (const CapturedError& e : errors_) {
    ADD_FAILURE() << "Unexpected " << ErrorTypeName(e.type) << " error: " << e.message;
  }
  errors_.clear();
  for (auto it = releases_.rbegin(); it != releases_.rend(); ++it) (*it)();
  releases_.clear();
  for (WGPUDevice d : extra_devices_) wgpuDeviceRelease(d);
  if (queue_ != nullptr) wgpuQueueRelease(queue_);
  if (device_ != nullptr) wgpuDeviceRelease(device_);
  if (adapter_ != nullptr) wgpuAdapterRelease(adapter_);
  if (instance_ != nullptr) {
    wgpuInstanceProcessEvents(instance_);
    wgpuInstanceRelease(instance_);
  }
}

std::string GpuTest::ExpectError(WGPUErrorType type,
                                 std::initializer_list<std::string_view> needles,
                                 const std::function<void()>& fn) {
  ProcessEvents();
  std::vector<CapturedError> before = TakeErrors();
  for (const CapturedError& e : before) {
    ADD_FAILURE() << "Unexpected " << ErrorTypeName(e.type) << " error before the block: "
                  << e.message;
  }
  fn();
  ProcessEvents();
  std::vector<CapturedError> got = TakeErrors();
  if (got.size() != 1) {
    std::string all;
    for (const CapturedError& e : got) {
      all += std::string("\n  ") + ErrorTypeName(e.type) + ": " + e.message;
    }
    ADD_FAILURE() << "Expected exactly one " << ErrorTypeName(type) << " error, got "
                  << got.size() << all;
    return got.empty() ? "" : got[0].message;
  }
  EXPECT_EQ(got[0].type, type) << "error type " << ErrorTypeName(got[0].type) << ": "
                               << got[0].message;
  EXPECT_TRUE(MessageHas(got[0].message, needles));
  return got[0].message;
}

void GpuTest::ExpectNoError(const std::function<void()>& fn) {
  fn();
  ProcessEvents();
  for (const CapturedError& e : TakeErrors()) {
    ADD_FAILURE() << "Unexpected " << ErrorTypeName(e.type) << " error: " << e.message;
  }
}

std::vector<CapturedError> GpuTest::TakeErrors() {
  std::vector<CapturedError> out;
  out.swap(errors_);
  return out;
}

void GpuTest::Wait(WGPUFuture future) {
  WGPUFutureWaitInfo info{future, WGPU_FALSE};
  const bool timed = wgpuHasInstanceFeature(WGPUInstanceFeatureName_TimedWaitAny);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!info.completed) {
    WGPUWaitStatus s = wgpuInstanceWaitAny(instance_, 1, &info, timed ? 100'000'000 : 0);
    if (s == WGPUWaitStatus_Error) {
      ADD_FAILURE() << "wgpuInstanceWaitAny returned WGPUWaitStatus_Error";
      return;
    }
    if (info.completed) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "Future " << future.id << " did not complete within 20 s";
      return;
    }
    if (!timed) std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
}

void GpuTest::WaitIdle() {
  WGPUQueueWorkDoneCallbackInfo cb{};
  cb.mode = WGPUCallbackMode_AllowProcessEvents;
  cb.callback = [](WGPUQueueWorkDoneStatus, WGPUStringView, void*, void*) {};
  Wait(wgpuQueueOnSubmittedWorkDone(queue_, cb));
}

WGPUBuffer GpuTest::CreateBuffer(uint64_t size, WGPUBufferUsage usage, bool mapped_at_creation) {
  WGPUBufferDescriptor desc{};
  desc.size = size;
  desc.usage = usage;
  desc.mappedAtCreation = mapped_at_creation ? WGPU_TRUE : WGPU_FALSE;
  return Track(wgpuDeviceCreateBuffer(device_, &desc));
}

WGPUBuffer GpuTest::CreateBufferWith(const void* data, uint64_t size, WGPUBufferUsage usage) {
  WGPUBuffer b =
      CreateBuffer(size, usage | WGPUBufferUsage_CopySrc | WGPUBufferUsage_CopyDst, true);
  void* p = wgpuBufferGetMappedRange(b, 0, size);
  EXPECT_NE(p, nullptr);
  if (p != nullptr) std::memcpy(p, data, size);
  wgpuBufferUnmap(b);
  return b;
}

std::vector<uint8_t> GpuTest::ReadBuffer(WGPUBuffer buffer, uint64_t offset, uint64_t size) {
  WGPUBuffer staging = CreateBuffer(size, WGPUBufferUsage_MapRead | WGPUBufferUsage_CopyDst);
  Submit([&](WGPUCommandEncoder e) {
    wgpuCommandEncoderCopyBufferToBuffer(e, buffer, offset, staging, 0, size);
  });
  MapResult r = MapAndWait(staging, WGPUMapMode_Read, 0, size);
  EXPECT_EQ(r.status, WGPUMapAsyncStatus_Success) << r.message;
  std::vector<uint8_t> out(size);
  const void* p = wgpuBufferGetConstMappedRange(staging, 0, size);
  EXPECT_NE(p, nullptr);
  if (p != nullptr && size > 0) std::memcpy(out.data(), p, size);
  wgpuBufferUnmap(staging);
  return out;
}

WGPUFuture GpuTest::MapAsync(WGPUBuffer buffer, WGPUMapMode mode, size_t offset, size_t size,
                             MapResult* result) {
  WGPUBufferMapCallbackInfo cb{};
  cb.mode = WGPUCallbackMode_AllowProcessEvents;
  cb.callback = [](WGPUMapAsyncStatus status, WGPUStringView message, void* u1, void*) {
    auto* r = static_cast<MapResult*>(u1);
    EXPECT_FALSE(r->called) << "map callback called twice";
    r->called = true;
    r->status = status;
    r->message = ToString(message);
  };
  cb.userdata1 = result;
  return wgpuBufferMapAsync(buffer, mode, offset, size, cb);
}

GpuTest::MapResult GpuTest::MapAndWait(WGPUBuffer buffer, WGPUMapMode mode, size_t offset,
                                       size_t size) {
  MapResult r;
  Wait(MapAsync(buffer, mode, offset, size, &r));
  EXPECT_TRUE(r.called);
  return r;
}

WGPUShaderModule GpuTest::ShaderFromSpirv(const uint32_t* words, size_t byte_size) {
  WGPUShaderSourceSPIRV src{};
  src.chain.sType = WGPUSType_ShaderSourceSPIRV;
  src.codeSize = static_cast<uint32_t>(byte_size / 4);
  src.code = words;
  WGPUShaderModuleDescriptor desc{};
  desc.nextInChain = &src.chain;
  return Track(wgpuDeviceCreateShaderModule(device_, &desc));
}

WGPUShaderModule GpuTest::ShaderFromGlsl(std::string_view code) {
  WGPUShaderSourceGLSL src{};
  src.chain.sType = WGPUSType_ShaderSourceGLSL;
  src.code = Sv(code);
  WGPUShaderModuleDescriptor desc{};
  desc.nextInChain = &src.chain;
  return Track(wgpuDeviceCreateShaderModule(device_, &desc));
}

WGPUBindGroupLayout GpuTest::CreateLayout(std::initializer_list<WGPUBufferBindingType> types,
                                          bool dynamic, uint64_t min_binding_size) {
  std::vector<WGPUBindGroupLayoutEntry> entries;
  uint32_t binding = 0;
  for (WGPUBufferBindingType t : types) {
    WGPUBindGroupLayoutEntry e{};
    e.binding = binding++;
    e.visibility = WGPUShaderStage_Compute;
    e.buffer.type = t;
    e.buffer.hasDynamicOffset = dynamic ? WGPU_TRUE : WGPU_FALSE;
    e.buffer.minBindingSize = min_binding_size;
    entries.push_back(e);
  }
  WGPUBindGroupLayoutDescriptor desc{};
  desc.entryCount = entries.size();
  desc.entries = entries.data();
  return Track(wgpuDeviceCreateBindGroupLayout(device_, &desc));
}

WGPUPipelineLayout GpuTest::CreatePipelineLayout(
    std::initializer_list<WGPUBindGroupLayout> groups, uint32_t immediate_size) {
  std::vector<WGPUBindGroupLayout> v(groups);
  WGPUPipelineLayoutDescriptor desc{};
  desc.bindGroupLayoutCount = v.size();
  desc.bindGroupLayouts = v.data();
  desc.immediateSize = immediate_size;
  return Track(wgpuDeviceCreatePipelineLayout(device_, &desc));
}

WGPUComputePipeline GpuTest::CreatePipeline(WGPUShaderModule module, WGPUPipelineLayout layout,
                                            std::vector<WGPUConstantEntry> constants) {
  WGPUComputePipelineDescriptor desc{};
  desc.layout = layout;
  desc.compute.module = module;
  desc.compute.entryPoint = WGPUStringView{nullptr, WGPU_STRLEN};
  desc.compute.constantCount = constants.size();
  desc.compute.constants = constants.data();
  return Track(wgpuDeviceCreateComputePipeline(device_, &desc));
}

WGPUBindGroup GpuTest::CreateBindGroup(WGPUBindGroupLayout layout,
                                       std::initializer_list<Binding> bindings) {
  std::vector<WGPUBindGroupEntry> entries;
  uint32_t i = 0;
  for (const Binding& b : bindings) {
    WGPUBindGroupEntry e{};
    e.binding = i++;
    e.buffer = b.buffer;
    e.offset = b.offset;
    e.size = b.size;
    entries.push_back(e);
  }
  WGPUBindGroupDescriptor desc{};
  desc.layout = layout;
  desc.entryCount = entries.size();
  desc.entries = entries.data();
  return Track(wgpuDeviceCreateBindGroup(device_, &desc));
}

void GpuTest::Dispatch(WGPUComputePipeline pipeline, WGPUBindGroup group, uint32_t x, uint32_t y,
                       uint32_t z, const void* immediates, size_t immediate_size) {
  Submit([&](WGPUCommandEncoder e) {
    WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(e, nullptr);
    wgpuComputePassEncoderSetPipeline(pass, pipeline);
    if (group != nullptr) wgpuComputePassEncoderSetBindGroup(pass, 0, group, 0, nullptr);
    if (immediates != nullptr) {
      wgpuComputePassEncoderSetImmediateData(pass, 0, immediates, immediate_size);
    }
    wgpuComputePassEncoderDispatchWorkgroups(pass, x, y, z);
    wgpuComputePassEncoderEnd(pass);
    wgpuComputePassEncoderRelease(pass);
  });
}

void GpuTest::Submit(const std::function<void(WGPUCommandEncoder)>& record) {
  WGPUCommandEncoder e = wgpuDeviceCreateCommandEncoder(device_, nullptr);
  record(e);
  WGPUCommandBuffer cb = wgpuCommandEncoderFinish(e, nullptr);
  wgpuQueueSubmit(queue_, 1, &cb);
  wgpuCommandBufferRelease(cb);
  wgpuCommandEncoderRelease(e);
}

void GpuTest::ExpectEncodeError(std::initializer_list<std::string_view> needles,
                                const std::function<void(WGPUCommandEncoder)>& record) {
  ExpectValidationError(needles, [&] {
    WGPUCommandEncoder e = wgpuDeviceCreateCommandEncoder(device_, nullptr);
    record(e);
    WGPUCommandBuffer cb = wgpuCommandEncoderFinish(e, nullptr);
    if (cb != nullptr) wgpuCommandBufferRelease(cb);
    wgpuCommandEncoderRelease(e);
  });
}

void GpuTest::ExpectPassError(std::initializer_list<std::string_view> needles,
                              const std::function<void(WGPUComputePassEncoder)>& body) {
  ExpectEncodeError(needles, [&](WGPUCommandEncoder e) {
    WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(e, nullptr);
    body(pass);
    wgpuComputePassEncoderEnd(pass);
    wgpuComputePassEncoderRelease(pass);
  });
}

AlignedMemory::AlignedMemory(size_t alignment, size_t size) : size_(size) {
  // aligned_alloc wants a size that is a multiple of the alignment.
  size_t rounded = (size + alignment - 1) / alignment * alignment;
  data_ = static_cast<uint8_t*>(std::aligned_alloc(alignment, rounded == 0 ? alignment : rounded));
}

AlignedMemory::~AlignedMemory() { std::free(data_); }

}  // namespace wasmgpu::gputest
