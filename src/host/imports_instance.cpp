// Instance and adapter imports, the generic AddRef/Release/SetLabel, and the getters that write
// limits, features and adapter info into guest memory.
#include <array>

#include "host/imports.h"
#include "host/native.h"
#include "host/register.h"

namespace wasmgpu::host {

// Every scalar field of WGPULimits (and of its wasm32 mirror guest::Limits), for copies between
// the two; one list so that the guest-to-native and native-to-guest copies cannot disagree.
#define WASMGPU_LIMIT_FIELDS(X) \
  X(maxTextureDimension1D) X(maxTextureDimension2D) X(maxTextureDimension3D) \
  X(maxTextureArrayLayers) X(maxBindGroups) X(maxBindGroupsPlusVertexBuffers) \
  X(maxBindingsPerBindGroup) X(maxDynamicUniformBuffersPerPipelineLayout) \
  X(maxDynamicStorageBuffersPerPipelineLayout) X(maxSampledTexturesPerShaderStage) \
  X(maxSamplersPerShaderStage) X(maxStorageBuffersPerShaderStage) \
  X(maxStorageTexturesPerShaderStage) X(maxUniformBuffersPerShaderStage) \
  X(maxUniformBufferBindingSize) X(maxStorageBufferBindingSize) \
  X(minUniformBufferOffsetAlignment) X(minStorageBufferOffsetAlignment) \
  X(maxVertexBuffers) X(maxBufferSize) X(maxVertexAttributes) \
  X(maxVertexBufferArrayStride) X(maxInterStageShaderVariables) X(maxColorAttachments) \
  X(maxColorAttachmentBytesPerSample) X(maxComputeWorkgroupStorageSize) \
  X(maxComputeInvocationsPerWorkgroup) X(maxComputeWorkgroupSizeX) \
  X(maxComputeWorkgroupSizeY) X(maxComputeWorkgroupSizeZ) \
  X(maxComputeWorkgroupsPerDimension) X(maxImmediateSize)

// ---- Output structs ---------------------------------------------------------------------------

void WriteLimits(GuestCall& c, uint32_t ptr, const WGPULimits& l, uint32_t alignment) {
  guest::Limits g = c.ReadRequired<guest::Limits>(ptr, "limits");
  if (c.failed()) return;
  uint32_t chain = g.nextInChain;
#define COPY(f) g.f = l.f;
  WASMGPU_LIMIT_FIELDS(COPY)
#undef COPY
  g.nextInChain = chain;
  c.Write(ptr, g, "limits");
  WalkChain(c, chain, "limits.nextInChain", [&](uint32_t stype, uint32_t link) {
    if (stype == WGPUSType_HostMappedPointerLimits) {
      guest::HostMappedPointerLimits h =
          c.Read<guest::HostMappedPointerLimits>(link, "WGPUHostMappedPointerLimits");
      h.hostMappedPointerAlignment = alignment;
      c.Write(link, h, "WGPUHostMappedPointerLimits");
    }
  });
}

void WriteFeatures(GuestCall& c, uint32_t ptr, const WGPUSupportedFeatures& features) {
  c.ReadRequired<guest::SupportedFeatures>(ptr, "features");
  if (c.failed()) return;
  GpuState& s = c.state();
  std::vector<uint32_t> list;
  for (size_t i = 0; i < features.featureCount; ++i) {
    if (s.zero_copy_off() && features.features[i] == WGPUFeatureName_HostMappedPointer) continue;
    list.push_back(features.features[i]);
  }
  std::string error;
  uint32_t array = 0;
  if (!list.empty()) {
    array = s.GuestMalloc(static_cast<uint32_t>(list.size() * 4), &error);
    if (array == 0) {
      c.Fail("cannot return the feature list: {}.", error);
      return;
    }
    std::memcpy(s.instance()->memory_base() + array, list.data(), list.size() * 4);
  }
  c.Write(ptr, guest::SupportedFeatures{static_cast<uint32_t>(list.size()), array}, "features");
}

namespace {

// Copies a string into the guest heap; returns its view.
guest::StringView GuestString(GuestCall& c, WGPUStringView v, std::string* error) {
  if (v.data == nullptr) return {0, 0};
  size_t n = v.length == WGPU_STRLEN ? std::strlen(v.data) : v.length;
  uint32_t p = c.state().GuestMalloc(static_cast<uint32_t>(n + 1), error);
  if (p == 0) return {0, 0};
  uint8_t* dst = c.instance()->memory_base() + p;
  std::memcpy(dst, v.data, n);
  dst[n] = 0;
  return {p, static_cast<uint32_t>(n)};
}

}  // namespace

uint32_t WriteAdapterInfo(GuestCall& c, uint32_t ptr, WGPUAdapter adapter) {
  guest::AdapterInfo g = c.ReadRequired<guest::AdapterInfo>(ptr, "info");
  if (c.failed()) return WGPUStatus_Error;
  WGPUAdapterPropertiesWasmgpu props{};
  props.chain.sType = WGPUSType_AdapterPropertiesWasmgpu;
  WGPUAdapterInfo info{};
  info.nextInChain = &props.chain;
  if (wgpuAdapterGetInfo(adapter, &info) != WGPUStatus_Success) return WGPUStatus_Error;
  std::string error;
  g.vendor = GuestString(c, info.vendor, &error);
  g.architecture = GuestString(c, info.architecture, &error);
  g.device = GuestString(c, info.device, &error);
  g.description = GuestString(c, info.description, &error);
  g.backendType = info.backendType;
  g.adapterType = info.adapterType;
  g.vendorID = info.vendorID;
  g.deviceID = info.deviceID;
  g.subgroupMinSize = info.subgroupMinSize;
  g.subgroupMaxSize = info.subgroupMaxSize;
  wgpuAdapterInfoFreeMembers(info);
  if (!error.empty()) {
    c.Fail("cannot return the adapter info: {}.", error);
    return WGPUStatus_Error;
  }
  c.Write(ptr, g, "info");
  WalkChain(c, g.nextInChain, "info.nextInChain", [&](uint32_t stype, uint32_t link) {
    if (stype == WGPUSType_AdapterPropertiesWasmgpu) {
      guest::AdapterPropertiesWasmgpu p =
          c.Read<guest::AdapterPropertiesWasmgpu>(link, "WGPUAdapterPropertiesWasmgpu");
      p.adapterIndex = props.adapterIndex;
      p.isDefault = props.isDefault;
      p.robustBufferAccess2 = props.robustBufferAccess2;
      c.Write(link, p, "WGPUAdapterPropertiesWasmgpu");
    }
  });
  return c.failed() ? WGPUStatus_Error : WGPUStatus_Success;
}

namespace {

// ---- Generic AddRef / Release / SetLabel ------------------------------------------------------

struct KindNames {
  const char* add_ref;
  const char* release;
  const char* set_label;
  const char* arg;
};
constexpr KindNames Names(Kind k) {
  switch (k) {
    case Kind::kInstance: return {"wgpuInstanceAddRef", "wgpuInstanceRelease", "", "instance"};
    case Kind::kAdapter: return {"wgpuAdapterAddRef", "wgpuAdapterRelease", "", "adapter"};
    case Kind::kDevice:
      return {"wgpuDeviceAddRef", "wgpuDeviceRelease", "wgpuDeviceSetLabel", "device"};
    case Kind::kQueue: return {"wgpuQueueAddRef", "wgpuQueueRelease", "wgpuQueueSetLabel", "queue"};
    case Kind::kBuffer:
      return {"wgpuBufferAddRef", "wgpuBufferRelease", "wgpuBufferSetLabel", "buffer"};
    case Kind::kShaderModule:
      return {"wgpuShaderModuleAddRef", "wgpuShaderModuleRelease", "wgpuShaderModuleSetLabel",
              "shaderModule"};
    case Kind::kBindGroupLayout:
      return {"wgpuBindGroupLayoutAddRef", "wgpuBindGroupLayoutRelease",
              "wgpuBindGroupLayoutSetLabel", "bindGroupLayout"};
    case Kind::kBindGroup:
      return {"wgpuBindGroupAddRef", "wgpuBindGroupRelease", "wgpuBindGroupSetLabel", "bindGroup"};
    case Kind::kPipelineLayout:
      return {"wgpuPipelineLayoutAddRef", "wgpuPipelineLayoutRelease",
              "wgpuPipelineLayoutSetLabel", "pipelineLayout"};
    case Kind::kComputePipeline:
      return {"wgpuComputePipelineAddRef", "wgpuComputePipelineRelease",
              "wgpuComputePipelineSetLabel", "computePipeline"};
    case Kind::kCommandEncoder:
      return {"wgpuCommandEncoderAddRef", "wgpuCommandEncoderRelease",
              "wgpuCommandEncoderSetLabel", "commandEncoder"};
    case Kind::kComputePassEncoder:
      return {"wgpuComputePassEncoderAddRef", "wgpuComputePassEncoderRelease",
              "wgpuComputePassEncoderSetLabel", "computePassEncoder"};
    case Kind::kCommandBuffer:
      return {"wgpuCommandBufferAddRef", "wgpuCommandBufferRelease", "wgpuCommandBufferSetLabel",
              "commandBuffer"};
    case Kind::kQuerySet:
      return {"wgpuQuerySetAddRef", "wgpuQuerySetRelease", "wgpuQuerySetSetLabel", "querySet"};
    case Kind::kNone: break;
  }
  return {"", "", "", ""};
}

template <Kind K>
void AddRef(GpuState& s, uint32_t handle) {
  GuestCall c(s, Names(K).add_ref);
  if (!s.handles.AddRef(handle, K)) {
    c.Fail("{} (handle {:#x}) {}.", Names(K).arg, handle, s.handles.Describe(handle, K));
  }
}

template <Kind K>
void Release(GpuState& s, uint32_t handle) {
  GuestCall c(s, Names(K).release);
  bool ok = false;
  void* object = s.handles.Release(handle, K, &ok);
  if (!ok) {
    c.Fail("{} (handle {:#x}) {}.", Names(K).arg, handle, s.handles.Describe(handle, K));
    return;
  }
  if (object == nullptr) return;
  if constexpr (K == Kind::kBuffer) {
    if (auto it = s.buffers.find(handle); it != s.buffers.end()) {
      if (it->second.host_mapped) {
        if (auto r = s.host_mapped.find(it->second.range_begin); r != s.host_mapped.end()) {
          r->second.buffer = 0;  // the range stays reserved until the dispose callback
        }
      }
      s.buffers.erase(it);
    }
  }
  NativeRelease(K, object);
}

void NativeSetLabel(Kind k, void* o, WGPUStringView l) {
  switch (k) {
    case Kind::kDevice: return wgpuDeviceSetLabel(static_cast<WGPUDevice>(o), l);
    case Kind::kQueue: return wgpuQueueSetLabel(static_cast<WGPUQueue>(o), l);
    case Kind::kBuffer: return wgpuBufferSetLabel(static_cast<WGPUBuffer>(o), l);
    case Kind::kShaderModule: return wgpuShaderModuleSetLabel(static_cast<WGPUShaderModule>(o), l);
    case Kind::kBindGroupLayout:
      return wgpuBindGroupLayoutSetLabel(static_cast<WGPUBindGroupLayout>(o), l);
    case Kind::kBindGroup: return wgpuBindGroupSetLabel(static_cast<WGPUBindGroup>(o), l);
    case Kind::kPipelineLayout:
      return wgpuPipelineLayoutSetLabel(static_cast<WGPUPipelineLayout>(o), l);
    case Kind::kComputePipeline:
      return wgpuComputePipelineSetLabel(static_cast<WGPUComputePipeline>(o), l);
    case Kind::kCommandEncoder:
      return wgpuCommandEncoderSetLabel(static_cast<WGPUCommandEncoder>(o), l);
    case Kind::kComputePassEncoder:
      return wgpuComputePassEncoderSetLabel(static_cast<WGPUComputePassEncoder>(o), l);
    case Kind::kCommandBuffer:
      return wgpuCommandBufferSetLabel(static_cast<WGPUCommandBuffer>(o), l);
    case Kind::kQuerySet: return wgpuQuerySetSetLabel(static_cast<WGPUQuerySet>(o), l);
    default: return;
  }
}

template <Kind K>
void SetLabel(GpuState& s, uint32_t handle, uint32_t label) {
  GuestCall c(s, Names(K).set_label);
  void* object = Receiver<void*>(c, handle, K, Names(K).arg);
  WGPUStringView view = c.String(c.Read<guest::StringView>(label, "label"), "label");
  if (c.failed()) return;
  NativeSetLabel(K, object, view);
}

template <Kind K>
void AddLifetime(wasm::HostRegistry& r) {
  Add<&AddRef<K>>(r, Names(K).add_ref);
  Add<&Release<K>>(r, Names(K).release);
  if (Names(K).set_label[0] != '\0') Add<&SetLabel<K>>(r, Names(K).set_label);
}

// ---- Global functions -------------------------------------------------------------------------

uint32_t CreateInstance(GpuState& s, uint32_t desc_ptr) {
  GuestCall c(s, "wgpuCreateInstance");
  WGPUInstanceDescriptor desc{};
  guest::InstanceDescriptor g{};
  guest::InstanceLimits limits{};
  if (desc_ptr != 0) {
    g = c.Read<guest::InstanceDescriptor>(desc_ptr, "descriptor");
    c.CheckArray(g.requiredFeatures, g.requiredFeatureCount, 4, "descriptor.requiredFeatures");
    if (g.requiredLimits != 0) {
      limits = c.Read<guest::InstanceLimits>(g.requiredLimits, "descriptor.requiredLimits");
    }
  }
  if (c.failed()) return 0;
  std::vector<WGPUInstanceFeatureName> features(g.requiredFeatureCount);
  if (!features.empty()) {
    std::memcpy(features.data(), s.instance()->memory_base() + g.requiredFeatures,
                features.size() * 4);
  }
  WGPUInstanceLimits native_limits{nullptr, limits.timedWaitAnyMaxCount};
  desc.requiredFeatureCount = features.size();
  desc.requiredFeatures = features.data();
  desc.requiredLimits = g.requiredLimits != 0 ? &native_limits : nullptr;
  WGPUInstance instance = wgpuCreateInstance(desc_ptr != 0 ? &desc : nullptr);
  return s.Adopt(Kind::kInstance, instance, 0);
}

void GetInstanceFeatures(GpuState& s, uint32_t ptr) {
  GuestCall c(s, "wgpuGetInstanceFeatures");
  c.ReadRequired<guest::SupportedFeatures>(ptr, "features");
  if (c.failed()) return;
  WGPUSupportedInstanceFeatures f{};
  wgpuGetInstanceFeatures(&f);
  WGPUSupportedFeatures as{f.featureCount, reinterpret_cast<const WGPUFeatureName*>(f.features)};
  WriteFeatures(c, ptr, as);
  wgpuSupportedInstanceFeaturesFreeMembers(f);
}

uint32_t GetInstanceLimits(GpuState& s, uint32_t ptr) {
  GuestCall c(s, "wgpuGetInstanceLimits");
  guest::InstanceLimits g = c.ReadRequired<guest::InstanceLimits>(ptr, "limits");
  if (c.failed()) return WGPUStatus_Error;
  WGPUInstanceLimits l{};
  WGPUStatus status = wgpuGetInstanceLimits(&l);
  g.timedWaitAnyMaxCount = static_cast<uint32_t>(l.timedWaitAnyMaxCount);
  c.Write(ptr, g, "limits");
  return status;
}

uint32_t HasInstanceFeature(GpuState&, uint32_t feature) {
  return wgpuHasInstanceFeature(static_cast<WGPUInstanceFeatureName>(feature));
}

void FreeFeatures(GpuState& s, uint32_t ptr) {
  GuestCall c(s, "wgpuSupportedFeaturesFreeMembers");
  guest::SupportedFeatures g = c.ReadRequired<guest::SupportedFeatures>(ptr, "supportedFeatures");
  if (c.failed()) return;
  s.GuestFree(g.features);
}

void FreeAdapterInfo(GpuState& s, uint32_t ptr) {
  GuestCall c(s, "wgpuAdapterInfoFreeMembers");
  guest::AdapterInfo g = c.ReadRequired<guest::AdapterInfo>(ptr, "adapterInfo");
  if (c.failed()) return;
  for (const guest::StringView& v : {g.vendor, g.architecture, g.device, g.description}) {
    s.GuestFree(v.data);
  }
}

// ---- Instance ---------------------------------------------------------------------------------

uint64_t InstanceRequestAdapter(GpuState& s, uint32_t instance, uint32_t options_ptr,
                                uint32_t info_ptr) {
  GuestCall c(s, "wgpuInstanceRequestAdapter");
  auto* native = Receiver<WGPUInstance>(c, instance, Kind::kInstance, "instance");
  guest::CallbackInfo info = ReadCallbackInfo(c, info_ptr);
  WGPURequestAdapterOptions options{};
  WGPURequestAdapterOptionsWasmgpu pick{};
  pick.chain.sType = WGPUSType_RequestAdapterOptionsWasmgpu;
  pick.adapter = {nullptr, WGPU_STRLEN};
  if (options_ptr != 0) {
    guest::RequestAdapterOptions g = c.Read<guest::RequestAdapterOptions>(options_ptr, "options");
    options.featureLevel = static_cast<WGPUFeatureLevel>(g.featureLevel);
    options.powerPreference = static_cast<WGPUPowerPreference>(g.powerPreference);
    options.forceFallbackAdapter = g.forceFallbackAdapter;
    options.backendType = static_cast<WGPUBackendType>(g.backendType);
    WalkChain(c, g.nextInChain, "options.nextInChain", [&](uint32_t stype, uint32_t link) {
      if (stype == WGPUSType_RequestAdapterOptionsWasmgpu) {
        auto w = c.Read<guest::RequestAdapterOptionsWasmgpu>(link, "WGPURequestAdapterOptionsWasmgpu");
        pick.adapter = c.String(w.adapter, "WGPURequestAdapterOptionsWasmgpu.adapter");
      }
    });
  }
  if (c.failed()) return 0;
  // `wasmgpu run --adapter` applies when the guest does not pick one itself.
  if (pick.adapter.data == nullptr && !s.adapter_override().empty()) {
    pick.adapter = {s.adapter_override().data(), s.adapter_override().size()};
  }
  if (pick.adapter.data != nullptr) options.nextInChain = &pick.chain;
  WGPURequestAdapterCallbackInfo cb{};
  cb.mode = kNativeMode;
  cb.callback = &OnRequestAdapter;
  cb.userdata1 = NewCtx(s, info);
  return wgpuInstanceRequestAdapter(native, &options, cb).id;
}

uint32_t InstanceEnumerateAdapters(GpuState& s, uint32_t instance, uint32_t, uint32_t adapters) {
  GuestCall c(s, "wgpuInstanceEnumerateAdapters");
  auto* native = Receiver<WGPUInstance>(c, instance, Kind::kInstance, "instance");
  if (c.failed()) return 0;
  size_t count = wgpuInstanceEnumerateAdapters(native, nullptr, nullptr);
  if (adapters == 0) return static_cast<uint32_t>(count);
  if (!c.CheckArray(adapters, count, 4, "adapters")) return 0;
  std::vector<WGPUAdapter> list(count);
  count = wgpuInstanceEnumerateAdapters(native, nullptr, list.data());
  for (size_t i = 0; i < count; ++i) {
    uint32_t h = s.Adopt(Kind::kAdapter, list[i], 0);
    std::memcpy(s.instance()->memory_base() + adapters + 4 * i, &h, 4);
  }
  return static_cast<uint32_t>(count);
}

// ---- Adapter ----------------------------------------------------------------------------------

void AdapterGetFeatures(GpuState& s, uint32_t adapter, uint32_t ptr) {
  GuestCall c(s, "wgpuAdapterGetFeatures");
  auto* native = Receiver<WGPUAdapter>(c, adapter, Kind::kAdapter, "adapter");
  if (c.failed()) return;
  WGPUSupportedFeatures f{};
  wgpuAdapterGetFeatures(native, &f);
  WriteFeatures(c, ptr, f);
  wgpuSupportedFeaturesFreeMembers(f);
}

uint32_t AdapterGetInfo(GpuState& s, uint32_t adapter, uint32_t ptr) {
  GuestCall c(s, "wgpuAdapterGetInfo");
  auto* native = Receiver<WGPUAdapter>(c, adapter, Kind::kAdapter, "adapter");
  if (c.failed()) return WGPUStatus_Error;
  return WriteAdapterInfo(c, ptr, native);
}

uint32_t AdapterGetLimits(GpuState& s, uint32_t adapter, uint32_t ptr) {
  GuestCall c(s, "wgpuAdapterGetLimits");
  auto* native = Receiver<WGPUAdapter>(c, adapter, Kind::kAdapter, "adapter");
  if (c.failed()) return WGPUStatus_Error;
  WGPUHostMappedPointerLimits hm{};
  hm.chain.sType = WGPUSType_HostMappedPointerLimits;
  WGPULimits l{};
  l.nextInChain = &hm.chain;
  WGPUStatus status = wgpuAdapterGetLimits(native, &l);
  WriteLimits(c, ptr, l, s.zero_copy_off() ? 0 : hm.hostMappedPointerAlignment);
  return status;
}

uint32_t AdapterHasFeature(GpuState& s, uint32_t adapter, uint32_t feature) {
  GuestCall c(s, "wgpuAdapterHasFeature");
  auto* native = Receiver<WGPUAdapter>(c, adapter, Kind::kAdapter, "adapter");
  if (c.failed()) return 0;
  if (s.zero_copy_off() && feature == WGPUFeatureName_HostMappedPointer) return 0;
  return wgpuAdapterHasFeature(native, static_cast<WGPUFeatureName>(feature));
}

uint64_t AdapterRequestDevice(GpuState& s, uint32_t adapter, uint32_t desc_ptr,
                              uint32_t info_ptr) {
  GuestCall c(s, "wgpuAdapterRequestDevice");
  auto* native = Receiver<WGPUAdapter>(c, adapter, Kind::kAdapter, "adapter");
  guest::CallbackInfo info = ReadCallbackInfo(c, info_ptr);
  guest::DeviceDescriptor g{};
  guest::Limits limits{};
  WGPUStringView label{nullptr, WGPU_STRLEN}, queue_label{nullptr, WGPU_STRLEN};
  if (desc_ptr != 0) {
    g = c.Read<guest::DeviceDescriptor>(desc_ptr, "descriptor");
    label = c.String(g.label, "descriptor.label");
    queue_label = c.String(g.defaultQueue.label, "descriptor.defaultQueue.label");
    c.CheckArray(g.requiredFeatures, g.requiredFeatureCount, 4, "descriptor.requiredFeatures");
    if (g.requiredLimits != 0) {
      limits = c.Read<guest::Limits>(g.requiredLimits, "descriptor.requiredLimits");
    }
  }
  if (c.failed()) return 0;
  std::vector<WGPUFeatureName> features;
  for (uint32_t i = 0; i < g.requiredFeatureCount; ++i) {
    uint32_t f;
    std::memcpy(&f, s.instance()->memory_base() + g.requiredFeatures + 4 * i, 4);
    // --zero-copy=off: the feature does not exist for this guest; the buffer import refuses
    // host-mapped pointers with a message that says so.
    if (s.zero_copy_off() && f == WGPUFeatureName_HostMappedPointer) continue;
    features.push_back(static_cast<WGPUFeatureName>(f));
  }
  WGPULimits native_limits{};
#define COPY(f) native_limits.f = limits.f;
  WASMGPU_LIMIT_FIELDS(COPY)
#undef COPY
  WGPUDeviceDescriptor desc{};
  desc.label = label;
  desc.requiredFeatureCount = features.size();
  desc.requiredFeatures = features.data();
  desc.requiredLimits = g.requiredLimits != 0 ? &native_limits : nullptr;
  desc.defaultQueue.label = queue_label;
  desc.deviceLostCallbackInfo.mode = kNativeMode;
  desc.deviceLostCallbackInfo.callback = &OnDeviceLost;
  desc.deviceLostCallbackInfo.userdata1 = NewCtx(s, g.deviceLostCallbackInfo);
  s.uncaptured.push_back(
      std::make_unique<guest::UncapturedErrorCallbackInfo>(g.uncapturedErrorCallbackInfo));
  desc.uncapturedErrorCallbackInfo.callback = &OnUncapturedError;
  desc.uncapturedErrorCallbackInfo.userdata1 = &s;
  desc.uncapturedErrorCallbackInfo.userdata2 = s.uncaptured.back().get();
  WGPURequestDeviceCallbackInfo cb{};
  cb.mode = kNativeMode;
  cb.callback = &OnRequestDevice;
  cb.userdata1 = NewCtx(s, info);
  return wgpuAdapterRequestDevice(native, &desc, cb).id;
}

}  // namespace

void RegisterInstanceImports(wasm::HostRegistry& r) {
  AddLifetime<Kind::kInstance>(r);
  AddLifetime<Kind::kAdapter>(r);
  AddLifetime<Kind::kDevice>(r);
  AddLifetime<Kind::kQueue>(r);
  AddLifetime<Kind::kBuffer>(r);
  AddLifetime<Kind::kShaderModule>(r);
  AddLifetime<Kind::kBindGroupLayout>(r);
  AddLifetime<Kind::kBindGroup>(r);
  AddLifetime<Kind::kPipelineLayout>(r);
  AddLifetime<Kind::kComputePipeline>(r);
  AddLifetime<Kind::kCommandEncoder>(r);
  AddLifetime<Kind::kComputePassEncoder>(r);
  AddLifetime<Kind::kCommandBuffer>(r);
  AddLifetime<Kind::kQuerySet>(r);
  Add<&CreateInstance>(r, "wgpuCreateInstance");
  Add<&GetInstanceFeatures>(r, "wgpuGetInstanceFeatures");
  Add<&GetInstanceLimits>(r, "wgpuGetInstanceLimits");
  Add<&HasInstanceFeature>(r, "wgpuHasInstanceFeature");
  Add<&FreeFeatures>(r, "wgpuSupportedFeaturesFreeMembers");
  Add<&FreeFeatures>(r, "wgpuSupportedInstanceFeaturesFreeMembers");
  Add<&FreeAdapterInfo>(r, "wgpuAdapterInfoFreeMembers");
  Add<&InstanceRequestAdapter>(r, "wgpuInstanceRequestAdapter");
  Add<&InstanceEnumerateAdapters>(r, "wgpuInstanceEnumerateAdapters");
  Add<&AdapterGetFeatures>(r, "wgpuAdapterGetFeatures");
  Add<&AdapterGetInfo>(r, "wgpuAdapterGetInfo");
  Add<&AdapterGetLimits>(r, "wgpuAdapterGetLimits");
  Add<&AdapterHasFeature>(r, "wgpuAdapterHasFeature");
  Add<&AdapterRequestDevice>(r, "wgpuAdapterRequestDevice");
}

}  // namespace wasmgpu::host
