#include "nn/gpu/gpu_context.h"

#include <cstdlib>
#include <cstring>
#include <memory>

namespace wasmgpu::nn {
namespace {

WGPUStringView View(const char* s) { return WGPUStringView{s, WGPU_STRLEN}; }
std::string ToString(WGPUStringView v) {
  if (v.data == nullptr) return {};
  return v.length == WGPU_STRLEN ? std::string(v.data) : std::string(v.data, v.length);
}

struct AdapterResult {
  WGPURequestAdapterStatus status{};
  WGPUAdapter adapter = nullptr;
  std::string message;
};
struct DeviceResult {
  WGPURequestDeviceStatus status{};
  WGPUDevice device = nullptr;
  std::string message;
};

}  // namespace

void GpuContext::OnError(WGPUDevice const*, WGPUErrorType type, WGPUStringView message,
                         void* userdata1, void*) {
  auto* errors = static_cast<std::string*>(userdata1);
  if (!errors->empty()) *errors += "\n";
  *errors += StrCat("WebGPU error (type ", static_cast<int>(type), "): ", ToString(message));
}

Result<GpuContext> GpuContext::Create(const std::string& adapter_choice) {
  GpuContext ctx;
  // Blocking waits (timeout > 0) need TimedWaitAny on the instance.
  const WGPUInstanceFeatureName timed_wait = WGPUInstanceFeatureName_TimedWaitAny;
  WGPUInstanceDescriptor instance_desc{};
  instance_desc.requiredFeatureCount = 1;
  instance_desc.requiredFeatures = &timed_wait;
  ctx.instance_ = wgpuCreateInstance(&instance_desc);
  if (ctx.instance_ == nullptr) return MakeError("wgpuCreateInstance failed.");

  WGPURequestAdapterOptionsWasmgpu choice{};
  choice.chain.sType = WGPUSType_RequestAdapterOptionsWasmgpu;
  choice.adapter = WGPUStringView{adapter_choice.data(), adapter_choice.size()};
  WGPURequestAdapterOptions options{};
  options.powerPreference = WGPUPowerPreference_HighPerformance;
  if (!adapter_choice.empty()) options.nextInChain = &choice.chain;
  AdapterResult ar;
  WGPURequestAdapterCallbackInfo acb{};
  acb.mode = WGPUCallbackMode_WaitAnyOnly;
  acb.callback = [](WGPURequestAdapterStatus status, WGPUAdapter adapter, WGPUStringView message,
                    void* u1, void*) {
    auto* r = static_cast<AdapterResult*>(u1);
    r->status = status;
    r->adapter = adapter;
    r->message = ToString(message);
  };
  acb.userdata1 = &ar;
  NN_TRY(ctx.Wait(wgpuInstanceRequestAdapter(ctx.instance_, &options, acb), "requesting an adapter"));
  if (ar.status != WGPURequestAdapterStatus_Success || ar.adapter == nullptr) {
    return MakeError("No GPU adapter: ", ar.message.empty() ? "none found" : ar.message, ".");
  }
  ctx.adapter_ = ar.adapter;
  WGPUAdapterInfo info{};
  if (wgpuAdapterGetInfo(ctx.adapter_, &info) == WGPUStatus_Success) {
    ctx.adapter_name_ = ToString(info.device);
    ctx.is_cpu_ = info.adapterType == WGPUAdapterType_CPU;
    ctx.subgroup_min_size_ = info.subgroupMinSize;
    wgpuAdapterInfoFreeMembers(info);
  }

  // Ask for what helps and exists: subgroups, f16, timestamps (benchmarks), and the adapter's
  // largest bindings.
  std::vector<WGPUFeatureName> features;
  for (WGPUFeatureName f : {WGPUFeatureName_Subgroups, WGPUFeatureName_ShaderF16,
                            WGPUFeatureName_HostMappedPointer, WGPUFeatureName_TimestampQuery,
                            WGPUFeatureName_ShaderIntegerDotProduct}) {
    if (wgpuAdapterHasFeature(ctx.adapter_, f)) features.push_back(f);
  }
  WGPULimits adapter_limits{};
  if (wgpuAdapterGetLimits(ctx.adapter_, &adapter_limits) != WGPUStatus_Success) {
    return MakeError("wgpuAdapterGetLimits failed.");
  }
  WGPUDeviceDescriptor desc{};
  desc.label = View("wasmgpu nn");
  desc.requiredFeatureCount = features.size();
  desc.requiredFeatures = features.data();
  desc.requiredLimits = &adapter_limits;
  desc.uncapturedErrorCallbackInfo.callback = &GpuContext::OnError;
  desc.uncapturedErrorCallbackInfo.userdata1 = ctx.errors_.get();
  // A lost device (a submission past WASMGPU_GPU_TIMEOUT_MS, a driver reset) still completes
  // its work-done futures, so without this a decode step would return stale logits with no
  // error: the loss goes into the same error list that every step checks (TakeErrors processes
  // events first, which is when this runs).
  desc.deviceLostCallbackInfo.mode = WGPUCallbackMode_AllowProcessEvents;
  desc.deviceLostCallbackInfo.callback = [](WGPUDevice const*, WGPUDeviceLostReason reason,
                                            WGPUStringView message, void* userdata1, void*) {
    // Destroyed: our own release; CallbackCancelled: the instance is going away.
    if (reason == WGPUDeviceLostReason_Destroyed ||
        reason == WGPUDeviceLostReason_CallbackCancelled) {
      return;
    }
    auto* errors = static_cast<std::string*>(userdata1);
    if (!errors->empty()) *errors += "\n";
    *errors += StrCat("The GPU device was lost: ", ToString(message));
  };
  desc.deviceLostCallbackInfo.userdata1 = ctx.errors_.get();
  DeviceResult dr;
  WGPURequestDeviceCallbackInfo dcb{};
  dcb.mode = WGPUCallbackMode_WaitAnyOnly;
  dcb.callback = [](WGPURequestDeviceStatus status, WGPUDevice device, WGPUStringView message,
                    void* u1, void*) {
    auto* r = static_cast<DeviceResult*>(u1);
    r->status = status;
    r->device = device;
    r->message = ToString(message);
  };
  dcb.userdata1 = &dr;
  NN_TRY(ctx.Wait(wgpuAdapterRequestDevice(ctx.adapter_, &desc, dcb), "requesting a device"));
  if (dr.status != WGPURequestDeviceStatus_Success || dr.device == nullptr) {
    return MakeError("Creating a device on '", ctx.adapter_name_, "' failed: ", dr.message, ".");
  }
  ctx.device_ = dr.device;
  ctx.queue_ = wgpuDeviceGetQueue(ctx.device_);
  WGPUHostMappedPointerLimits host_mapped{};
  host_mapped.chain.sType = WGPUSType_HostMappedPointerLimits;
  ctx.limits_.nextInChain = &host_mapped.chain;
  const WGPUStatus got_limits = wgpuDeviceGetLimits(ctx.device_, &ctx.limits_);
  ctx.limits_.nextInChain = nullptr;  // the chained struct dies here
  if (got_limits != WGPUStatus_Success) return MakeError("wgpuDeviceGetLimits failed.");
  if (wgpuDeviceHasFeature(ctx.device_, WGPUFeatureName_HostMappedPointer)) {
    ctx.host_mapped_alignment_ = host_mapped.hostMappedPointerAlignment;
  }
  ctx.has_subgroups_ = wgpuDeviceHasFeature(ctx.device_, WGPUFeatureName_Subgroups);
  ctx.has_f16_ = wgpuDeviceHasFeature(ctx.device_, WGPUFeatureName_ShaderF16);
  ctx.has_timestamps_ = wgpuDeviceHasFeature(ctx.device_, WGPUFeatureName_TimestampQuery);
  ctx.has_integer_dot_ =
      wgpuDeviceHasFeature(ctx.device_, WGPUFeatureName_ShaderIntegerDotProduct);
  return ctx;
}

GpuContext::GpuContext(GpuContext&& o) noexcept
    : instance_(o.instance_), adapter_(o.adapter_), device_(o.device_), queue_(o.queue_),
      limits_(o.limits_), adapter_name_(std::move(o.adapter_name_)),
      has_subgroups_(o.has_subgroups_), has_f16_(o.has_f16_), has_timestamps_(o.has_timestamps_),
      has_integer_dot_(o.has_integer_dot_), is_cpu_(o.is_cpu_), subgroup_min_size_(o.subgroup_min_size_), matvec_path_(o.matvec_path_),
      matvec_pairs_(o.matvec_pairs_), matvec_wide_min_inputs_(o.matvec_wide_min_inputs_),
      matvec_dot8_(o.matvec_dot8_),
      host_mapped_alignment_(o.host_mapped_alignment_), errors_(std::move(o.errors_)) {
  o.instance_ = nullptr;
  o.adapter_ = nullptr;
  o.device_ = nullptr;
  o.queue_ = nullptr;
}

GpuContext::~GpuContext() {
  if (queue_ != nullptr) wgpuQueueRelease(queue_);
  if (device_ != nullptr) wgpuDeviceRelease(device_);
  if (adapter_ != nullptr) wgpuAdapterRelease(adapter_);
  if (instance_ != nullptr) wgpuInstanceRelease(instance_);
}

Status GpuContext::Wait(WGPUFuture future, const char* what) {
  WGPUFutureWaitInfo info{future, WGPU_FALSE};
  const WGPUWaitStatus s = wgpuInstanceWaitAny(instance_, 1, &info, UINT64_MAX);
  if (s != WGPUWaitStatus_Success || !info.completed) {
    return MakeError("Waiting for ", what, " failed (wait status ", static_cast<int>(s), ").");
  }
  return {};
}

Status GpuContext::TakeErrors(const char* context) {
  // Runs the device-lost callback if the device was lost (WaitAny runs only the waited ones).
  wgpuInstanceProcessEvents(instance_);
  if (errors_->empty()) return {};
  Error e{*errors_};
  errors_->clear();
  return std::move(e).With(context);
}

WGPUBuffer GpuContext::CreateBuffer(uint64_t size, WGPUBufferUsage usage, const char* label) {
  WGPUBufferDescriptor d{};
  d.label = View(label);
  d.usage = usage;
  d.size = (size + 3) / 4 * 4;
  return wgpuDeviceCreateBuffer(device_, &d);
}

Result<GpuContext::HostMapped> GpuContext::CreateHostMappedBuffer(uint64_t size,
                                                                  WGPUBufferUsage usage,
                                                                  const char* label) {
  const uint64_t align = host_mapped_alignment_;
  const uint64_t bytes = (size + align - 1) / align * align;
  void* memory = std::aligned_alloc(align, bytes);
  if (memory == nullptr) return MakeError("Allocating ", bytes, " bytes for the ", label, " failed.");
  std::memset(memory, 0, bytes);
  WGPUBufferHostMappedPointer host{};
  host.chain.sType = WGPUSType_BufferHostMappedPointer;
  host.pointer = memory;
  host.disposeCallback = [](void* p) { std::free(p); };
  host.userdata = memory;
  WGPUBufferDescriptor d{};
  d.nextInChain = &host.chain;
  d.label = View(label);
  d.usage = usage;
  d.size = bytes;
  HostMapped out{wgpuDeviceCreateBuffer(device_, &d), memory};
  NN_TRY(TakeErrors((std::string("While creating the buffer '") + label + "'").c_str()));
  return out;
}

WGPUShaderModule GpuContext::CreateSpirvModule(std::span<const uint32_t> words, const char* label) {
  WGPUShaderSourceSPIRV spirv{};
  spirv.chain.sType = WGPUSType_ShaderSourceSPIRV;
  spirv.codeSize = static_cast<uint32_t>(words.size());
  spirv.code = words.data();
  WGPUShaderModuleDescriptor d{};
  d.nextInChain = &spirv.chain;
  d.label = View(label);
  return wgpuDeviceCreateShaderModule(device_, &d);
}

}  // namespace wasmgpu::nn
