// Device imports: object creation (descriptors marshalled from guest memory), limits, features,
// error scopes; plus the shader module, pipeline and query set getters.
#include "host/imports.h"
#include "host/native.h"
#include "host/register.h"

namespace wasmgpu::host {

void* NewDisposeCtx(GpuState& s, uint32_t begin);  // imports_async.cpp

namespace {

// hostMappedPointerAlignment of a device (0 without the feature or with --zero-copy=off).
uint32_t DeviceAlignment(GpuState& s, uint32_t device, WGPUDevice native) {
  if (s.zero_copy_off()) return 0;
  if (auto it = s.device_alignment.find(device); it != s.device_alignment.end()) {
    return it->second;
  }
  WGPUHostMappedPointerLimits hm{};
  hm.chain.sType = WGPUSType_HostMappedPointerLimits;
  WGPULimits l{};
  l.nextInChain = &hm.chain;
  wgpuDeviceGetLimits(native, &l);
  s.device_alignment[device] = hm.hostMappedPointerAlignment;
  return hm.hostMappedPointerAlignment;
}

// ---- Buffers ----------------------------------------------------------------------------------

uint32_t DeviceCreateBuffer(GpuState& s, uint32_t device, uint32_t desc_ptr) {
  GuestCall c(s, "wgpuDeviceCreateBuffer");
  auto* native = Receiver<WGPUDevice>(c, device, Kind::kDevice, "device");
  guest::BufferDescriptor g = c.ReadRequired<guest::BufferDescriptor>(desc_ptr, "descriptor");
  WGPUStringView label = c.String(g.label, "descriptor.label");
  guest::BufferHostMappedPointer hm{};
  bool has_hm = false;
  uint32_t unknown_stype = 0;
  WalkChain(c, g.nextInChain, "descriptor.nextInChain", [&](uint32_t stype, uint32_t link) {
    if (stype == WGPUSType_BufferHostMappedPointer) {
      hm = c.Read<guest::BufferHostMappedPointer>(link, "WGPUBufferHostMappedPointer");
      has_hm = true;
    } else if (unknown_stype == 0) {
      unknown_stype = stype == 0 ? 0xFFFFFFFFu : stype;
    }
  });
  // A host-mapped range must be guest memory: a bad pointer traps like any other.
  if (has_hm && hm.pointer != 0) {
    c.Check(hm.pointer, g.size, "WGPUBufferHostMappedPointer.pointer");
  }
  if (c.failed()) return 0;

  WGPUBufferDescriptor desc{};
  desc.label = label;
  desc.usage = g.usage;
  desc.size = g.size;
  desc.mappedAtCreation = g.mappedAtCreation;
  if (unknown_stype != 0) {
    s.ValidationErrorOn(device, fmt::format("wgpuDeviceCreateBuffer: descriptor.nextInChain has "
                                            "an unknown sType ({:#x}).",
                                            unknown_stype));
    return 0;
  }
  if (!has_hm) {
    return s.Adopt(Kind::kBuffer, wgpuDeviceCreateBuffer(native, &desc), device);
  }

  // Zero-copy: the checks that need guest terms (the native side only sees host addresses).
  auto refuse = [&](std::string message) {
    s.ValidationErrorOn(device, "wgpuDeviceCreateBuffer: " + message);
    return 0u;
  };
  if (s.zero_copy_off()) {
    return refuse(
        "WGPUBufferHostMappedPointer needs the HostMappedPointer feature, which this run hides "
        "(--zero-copy=off).");
  }
  uint32_t alignment = DeviceAlignment(s, device, native);
  if (alignment == 0) {
    return refuse(
        "WGPUBufferHostMappedPointer needs the HostMappedPointer feature, which the device was "
        "not created with.");
  }
  if (g.size == 0) return refuse("a host-mapped buffer's size must not be 0.");
  if (hm.pointer == 0) return refuse("WGPUBufferHostMappedPointer.pointer is null.");
  if (hm.pointer % alignment != 0) {
    return refuse(fmt::format("WGPUBufferHostMappedPointer.pointer ({:#x}) is not a multiple of "
                              "hostMappedPointerAlignment ({}).",
                              hm.pointer, alignment));
  }
  if (g.size % alignment != 0) {
    return refuse(fmt::format("Buffer size ({}) is not a multiple of hostMappedPointerAlignment "
                              "({}).",
                              g.size, alignment));
  }
  uint64_t begin = hm.pointer, end = begin + g.size;
  auto next = s.host_mapped.lower_bound(hm.pointer);
  if (next != s.host_mapped.end() && next->first < end) {
    return refuse(fmt::format("the range [{:#x}, {:#x}) overlaps the live host-mapped range "
                              "[{:#x}, {:#x}).",
                              begin, end, next->first, next->second.end));
  }
  if (next != s.host_mapped.begin()) {
    auto prev = std::prev(next);
    if (prev->second.end > begin) {
      return refuse(fmt::format("the range [{:#x}, {:#x}) overlaps the live host-mapped range "
                                "[{:#x}, {:#x}).",
                                begin, end, prev->first, prev->second.end));
    }
  }
  // Reserve the range first: a failed creation runs the dispose callback at once.
  HostMappedRange& range = s.host_mapped[hm.pointer];
  range = HostMappedRange{end, 0, hm.disposeCallback, hm.userdata, false};
  WGPUBufferHostMappedPointer native_hm{};
  native_hm.chain.sType = WGPUSType_BufferHostMappedPointer;
  native_hm.pointer = s.instance()->memory_base() + hm.pointer;
  native_hm.disposeCallback = &OnDispose;
  native_hm.userdata = NewDisposeCtx(s, hm.pointer);
  desc.nextInChain = &native_hm.chain;
  WGPUBuffer buffer = wgpuDeviceCreateBuffer(native, &desc);
  uint32_t handle = s.Adopt(Kind::kBuffer, buffer, device);
  if (auto it = s.host_mapped.find(hm.pointer); it != s.host_mapped.end() && handle != 0) {
    it->second.buffer = handle;
    BufferInfo& info = s.buffers[handle];
    info.host_mapped = true;
    info.range_begin = hm.pointer;
  }
  return handle;
}

// ---- Shader modules ---------------------------------------------------------------------------

uint32_t DeviceCreateShaderModule(GpuState& s, uint32_t device, uint32_t desc_ptr) {
  GuestCall c(s, "wgpuDeviceCreateShaderModule");
  auto* native = Receiver<WGPUDevice>(c, device, Kind::kDevice, "device");
  auto g = c.ReadRequired<guest::ShaderModuleDescriptor>(desc_ptr, "descriptor");
  WGPUShaderModuleDescriptor desc{};
  desc.label = c.String(g.label, "descriptor.label");
  WGPUShaderSourceSPIRV spirv{};
  WGPUShaderSourceGLSL glsl{};
  WGPUShaderSourceWGSL wgsl{};
  WGPUChainedStruct* last = nullptr;
  uint32_t unknown_stype = 0;
  auto link_in = [&](WGPUChainedStruct* chain) {
    if (last == nullptr) {
      desc.nextInChain = chain;
    } else {
      last->next = chain;
    }
    last = chain;
  };
  WalkChain(c, g.nextInChain, "descriptor.nextInChain", [&](uint32_t stype, uint32_t link) {
    if (stype == WGPUSType_ShaderSourceSPIRV) {
      auto src = c.Read<guest::ShaderSourceSPIRV>(link, "WGPUShaderSourceSPIRV");
      // Not copied, so not capped: any size that lies in memory.
      if (src.codeSize > 0 && src.code == 0) {
        c.Fail("WGPUShaderSourceSPIRV.code is null but codeSize is {}.", src.codeSize);
      }
      c.Check(src.code, 4ull * src.codeSize, "WGPUShaderSourceSPIRV.code");
      spirv.chain.sType = WGPUSType_ShaderSourceSPIRV;
      spirv.codeSize = src.codeSize;
      spirv.code = reinterpret_cast<const uint32_t*>(s.instance()->memory_base() + src.code);
      link_in(&spirv.chain);
    } else if (stype == WGPUSType_ShaderSourceGLSL) {
      auto src = c.Read<guest::ShaderSourceText>(link, "WGPUShaderSourceGLSL");
      glsl.chain.sType = WGPUSType_ShaderSourceGLSL;
      glsl.code = c.String(src.code, "WGPUShaderSourceGLSL.code");
      link_in(&glsl.chain);
    } else if (stype == WGPUSType_ShaderSourceWGSL) {
      auto src = c.Read<guest::ShaderSourceText>(link, "WGPUShaderSourceWGSL");
      wgsl.chain.sType = WGPUSType_ShaderSourceWGSL;
      wgsl.code = c.String(src.code, "WGPUShaderSourceWGSL.code");
      link_in(&wgsl.chain);
    } else if (unknown_stype == 0) {
      unknown_stype = stype == 0 ? 0xFFFFFFFFu : stype;
    }
  });
  if (c.failed()) return 0;
  if (unknown_stype != 0) {
    s.ValidationErrorOn(device, fmt::format("wgpuDeviceCreateShaderModule: descriptor.nextInChain "
                                            "has an unknown sType ({:#x}).",
                                            unknown_stype));
    return 0;
  }
  return s.Adopt(Kind::kShaderModule, wgpuDeviceCreateShaderModule(native, &desc), device);
}

uint64_t ShaderModuleGetCompilationInfo(GpuState& s, uint32_t module, uint32_t info_ptr) {
  GuestCall c(s, "wgpuShaderModuleGetCompilationInfo");
  auto* native = Receiver<WGPUShaderModule>(c, module, Kind::kShaderModule, "shaderModule");
  guest::CallbackInfo info = ReadCallbackInfo(c, info_ptr);
  if (c.failed()) return 0;
  WGPUCompilationInfoCallbackInfo cb{};
  cb.mode = kNativeMode;
  cb.callback = &OnCompilationInfo;
  cb.userdata1 = NewCtx(s, info);
  return wgpuShaderModuleGetCompilationInfo(native, cb).id;
}

// ---- Layouts, bind groups, pipelines ----------------------------------------------------------

uint32_t DeviceCreateBindGroupLayout(GpuState& s, uint32_t device, uint32_t desc_ptr) {
  GuestCall c(s, "wgpuDeviceCreateBindGroupLayout");
  auto* native = Receiver<WGPUDevice>(c, device, Kind::kDevice, "device");
  auto g = c.ReadRequired<guest::BindGroupLayoutDescriptor>(desc_ptr, "descriptor");
  WGPUStringView label = c.String(g.label, "descriptor.label");
  c.CheckArray(g.entries, g.entryCount, sizeof(guest::BindGroupLayoutEntry), "descriptor.entries");
  if (c.failed()) return 0;
  std::vector<WGPUBindGroupLayoutEntry> entries(g.entryCount);
  for (uint32_t i = 0; i < g.entryCount; ++i) {
    guest::BindGroupLayoutEntry e;
    std::memcpy(&e, s.instance()->memory_base() + g.entries + i * sizeof(e), sizeof(e));
    WGPUBindGroupLayoutEntry& n = entries[i];
    n.binding = e.binding;
    n.visibility = e.visibility;
    n.bindingArraySize = e.bindingArraySize;
    n.buffer.type = static_cast<WGPUBufferBindingType>(e.buffer.type);
    n.buffer.hasDynamicOffset = e.buffer.hasDynamicOffset;
    n.buffer.minBindingSize = e.buffer.minBindingSize;
  }
  WGPUBindGroupLayoutDescriptor desc{};
  desc.label = label;
  desc.entryCount = entries.size();
  desc.entries = entries.data();
  return s.Adopt(Kind::kBindGroupLayout, wgpuDeviceCreateBindGroupLayout(native, &desc), device);
}

uint32_t DeviceCreateBindGroup(GpuState& s, uint32_t device, uint32_t desc_ptr) {
  GuestCall c(s, "wgpuDeviceCreateBindGroup");
  auto* native = Receiver<WGPUDevice>(c, device, Kind::kDevice, "device");
  auto g = c.ReadRequired<guest::BindGroupDescriptor>(desc_ptr, "descriptor");
  WGPUStringView label = c.String(g.label, "descriptor.label");
  c.CheckArray(g.entries, g.entryCount, sizeof(guest::BindGroupEntry), "descriptor.entries");
  if (c.failed()) return 0;
  bool bad = false;
  WGPUBindGroupDescriptor desc{};
  desc.label = label;
  desc.layout = Argument<WGPUBindGroupLayout>(c, device, g.layout, Kind::kBindGroupLayout, false,
                                              "descriptor.layout", &bad);
  std::vector<WGPUBindGroupEntry> entries(g.entryCount);
  for (uint32_t i = 0; i < g.entryCount && !bad; ++i) {
    guest::BindGroupEntry e;
    std::memcpy(&e, s.instance()->memory_base() + g.entries + i * sizeof(e), sizeof(e));
    entries[i].binding = e.binding;
    entries[i].buffer = Argument<WGPUBuffer>(c, device, e.buffer, Kind::kBuffer, false,
                                             fmt::format("descriptor.entries[{}].buffer", i), &bad);
    entries[i].offset = e.offset;
    entries[i].size = e.size;
  }
  if (bad) return 0;
  desc.entryCount = entries.size();
  desc.entries = entries.data();
  return s.Adopt(Kind::kBindGroup, wgpuDeviceCreateBindGroup(native, &desc), device);
}

uint32_t DeviceCreatePipelineLayout(GpuState& s, uint32_t device, uint32_t desc_ptr) {
  GuestCall c(s, "wgpuDeviceCreatePipelineLayout");
  auto* native = Receiver<WGPUDevice>(c, device, Kind::kDevice, "device");
  auto g = c.ReadRequired<guest::PipelineLayoutDescriptor>(desc_ptr, "descriptor");
  WGPUStringView label = c.String(g.label, "descriptor.label");
  c.CheckArray(g.bindGroupLayouts, g.bindGroupLayoutCount, 4, "descriptor.bindGroupLayouts");
  if (c.failed()) return 0;
  bool bad = false;
  std::vector<WGPUBindGroupLayout> layouts(g.bindGroupLayoutCount);
  for (uint32_t i = 0; i < g.bindGroupLayoutCount && !bad; ++i) {
    uint32_t h;
    std::memcpy(&h, s.instance()->memory_base() + g.bindGroupLayouts + 4 * i, 4);
    layouts[i] = Argument<WGPUBindGroupLayout>(c, device, h, Kind::kBindGroupLayout, true,
                                               fmt::format("descriptor.bindGroupLayouts[{}]", i),
                                               &bad);
  }
  if (bad) return 0;
  WGPUPipelineLayoutDescriptor desc{};
  desc.label = label;
  desc.bindGroupLayoutCount = layouts.size();
  desc.bindGroupLayouts = layouts.data();
  desc.immediateSize = g.immediateSize;
  return s.Adopt(Kind::kPipelineLayout, wgpuDeviceCreatePipelineLayout(native, &desc), device);
}

// Reads a compute pipeline descriptor; returns false (after reporting) when it cannot be used.
// `constants` and `keys` own what desc points to.
bool ReadPipelineDescriptor(GuestCall& c, uint32_t device, uint32_t desc_ptr,
                            WGPUComputePipelineDescriptor* desc,
                            std::vector<WGPUConstantEntry>* constants) {
  GpuState& s = c.state();
  auto g = c.ReadRequired<guest::ComputePipelineDescriptor>(desc_ptr, "descriptor");
  desc->label = c.String(g.label, "descriptor.label");
  desc->compute.entryPoint = c.String(g.compute.entryPoint, "descriptor.compute.entryPoint");
  c.CheckArray(g.compute.constants, g.compute.constantCount, sizeof(guest::ConstantEntry),
               "descriptor.compute.constants");
  for (uint32_t i = 0; i < g.compute.constantCount && !c.failed(); ++i) {
    guest::ConstantEntry e;
    std::memcpy(&e, s.instance()->memory_base() + g.compute.constants + i * sizeof(e), sizeof(e));
    c.String(e.key, "descriptor.compute.constants[].key");
  }
  if (c.failed()) return false;
  bool bad = false;
  desc->layout = Argument<WGPUPipelineLayout>(c, device, g.layout, Kind::kPipelineLayout, true,
                                              "descriptor.layout", &bad);
  desc->compute.module = Argument<WGPUShaderModule>(c, device, g.compute.module,
                                                    Kind::kShaderModule, false,
                                                    "descriptor.compute.module", &bad);
  if (bad) return false;
  constants->resize(g.compute.constantCount);
  for (uint32_t i = 0; i < g.compute.constantCount; ++i) {
    guest::ConstantEntry e;
    std::memcpy(&e, s.instance()->memory_base() + g.compute.constants + i * sizeof(e), sizeof(e));
    (*constants)[i].key = c.String(e.key, "key");
    (*constants)[i].value = e.value;
  }
  desc->compute.constantCount = constants->size();
  desc->compute.constants = constants->data();
  return true;
}

uint32_t DeviceCreateComputePipeline(GpuState& s, uint32_t device, uint32_t desc_ptr) {
  GuestCall c(s, "wgpuDeviceCreateComputePipeline");
  auto* native = Receiver<WGPUDevice>(c, device, Kind::kDevice, "device");
  WGPUComputePipelineDescriptor desc{};
  std::vector<WGPUConstantEntry> constants;
  if (c.failed() || !ReadPipelineDescriptor(c, device, desc_ptr, &desc, &constants)) return 0;
  return s.Adopt(Kind::kComputePipeline, wgpuDeviceCreateComputePipeline(native, &desc), device);
}

uint64_t DeviceCreateComputePipelineAsync(GpuState& s, uint32_t device, uint32_t desc_ptr,
                                          uint32_t info_ptr) {
  GuestCall c(s, "wgpuDeviceCreateComputePipelineAsync");
  auto* native = Receiver<WGPUDevice>(c, device, Kind::kDevice, "device");
  guest::CallbackInfo info = ReadCallbackInfo(c, info_ptr);
  WGPUComputePipelineDescriptor desc{};
  std::vector<WGPUConstantEntry> constants;
  if (c.failed()) return 0;
  bool usable = ReadPipelineDescriptor(c, device, desc_ptr, &desc, &constants);
  if (c.failed()) return 0;
  if (!usable) desc.compute.module = nullptr;  // the native call reports the failure to the callback
  WGPUCreateComputePipelineAsyncCallbackInfo cb{};
  cb.mode = kNativeMode;
  cb.callback = &OnCreatePipeline;
  cb.userdata1 = NewCtx(s, info, device);
  return wgpuDeviceCreateComputePipelineAsync(native, &desc, cb).id;
}

uint32_t ComputePipelineGetBindGroupLayout(GpuState& s, uint32_t pipeline, uint32_t index) {
  GuestCall c(s, "wgpuComputePipelineGetBindGroupLayout");
  auto* native = Receiver<WGPUComputePipeline>(c, pipeline, Kind::kComputePipeline,
                                               "computePipeline");
  if (c.failed()) return 0;
  return s.Adopt(Kind::kBindGroupLayout, wgpuComputePipelineGetBindGroupLayout(native, index),
                 DeviceOf(s, pipeline, Kind::kComputePipeline));
}

uint32_t DeviceCreateQuerySet(GpuState& s, uint32_t device, uint32_t desc_ptr) {
  GuestCall c(s, "wgpuDeviceCreateQuerySet");
  auto* native = Receiver<WGPUDevice>(c, device, Kind::kDevice, "device");
  auto g = c.ReadRequired<guest::QuerySetDescriptor>(desc_ptr, "descriptor");
  WGPUQuerySetDescriptor desc{};
  desc.label = c.String(g.label, "descriptor.label");
  desc.type = static_cast<WGPUQueryType>(g.type);
  desc.count = g.count;
  if (c.failed()) return 0;
  return s.Adopt(Kind::kQuerySet, wgpuDeviceCreateQuerySet(native, &desc), device);
}

uint32_t DeviceCreateCommandEncoder(GpuState& s, uint32_t device, uint32_t desc_ptr) {
  GuestCall c(s, "wgpuDeviceCreateCommandEncoder");
  auto* native = Receiver<WGPUDevice>(c, device, Kind::kDevice, "device");
  WGPUCommandEncoderDescriptor desc{};
  if (desc_ptr != 0) {
    auto g = c.Read<guest::LabelDescriptor>(desc_ptr, "descriptor");
    desc.label = c.String(g.label, "descriptor.label");
  }
  if (c.failed()) return 0;
  return s.Adopt(Kind::kCommandEncoder,
                 wgpuDeviceCreateCommandEncoder(native, desc_ptr != 0 ? &desc : nullptr), device);
}

// ---- Device state -----------------------------------------------------------------------------

void DeviceDestroy(GpuState& s, uint32_t device) {
  GuestCall c(s, "wgpuDeviceDestroy");
  auto* native = Receiver<WGPUDevice>(c, device, Kind::kDevice, "device");
  if (c.failed()) return;
  wgpuDeviceDestroy(native);
}

uint32_t DeviceGetAdapterInfo(GpuState& s, uint32_t device, uint32_t ptr) {
  GuestCall c(s, "wgpuDeviceGetAdapterInfo");
  auto* native = Receiver<WGPUDevice>(c, device, Kind::kDevice, "device");
  if (c.failed()) return WGPUStatus_Error;
  guest::AdapterInfo g = c.ReadRequired<guest::AdapterInfo>(ptr, "adapterInfo");
  if (c.failed()) return WGPUStatus_Error;
  guest::AdapterInfo out = g;
  std::string error;
  WGPUAdapterInfo info{};
  if (wgpuDeviceGetAdapterInfo(native, &info) != WGPUStatus_Success) return WGPUStatus_Error;
  auto copy = [&](WGPUStringView v) -> guest::StringView {
    if (v.data == nullptr) return {0, 0};
    size_t n = v.length == WGPU_STRLEN ? std::strlen(v.data) : v.length;
    uint32_t p = s.GuestMalloc(static_cast<uint32_t>(n + 1), &error);
    if (p == 0) return {0, 0};
    std::memcpy(s.instance()->memory_base() + p, v.data, n);
    s.instance()->memory_base()[p + n] = 0;
    return {p, static_cast<uint32_t>(n)};
  };
  out.vendor = copy(info.vendor);
  out.architecture = copy(info.architecture);
  out.device = copy(info.device);
  out.description = copy(info.description);
  out.backendType = info.backendType;
  out.adapterType = info.adapterType;
  out.vendorID = info.vendorID;
  out.deviceID = info.deviceID;
  out.subgroupMinSize = info.subgroupMinSize;
  out.subgroupMaxSize = info.subgroupMaxSize;
  wgpuAdapterInfoFreeMembers(info);
  if (!error.empty()) {
    c.Fail("cannot return the adapter info: {}.", error);
    return WGPUStatus_Error;
  }
  c.Write(ptr, out, "adapterInfo");
  return WGPUStatus_Success;
}

void DeviceGetFeatures(GpuState& s, uint32_t device, uint32_t ptr) {
  GuestCall c(s, "wgpuDeviceGetFeatures");
  auto* native = Receiver<WGPUDevice>(c, device, Kind::kDevice, "device");
  if (c.failed()) return;
  WGPUSupportedFeatures f{};
  wgpuDeviceGetFeatures(native, &f);
  WriteFeatures(c, ptr, f);
  wgpuSupportedFeaturesFreeMembers(f);
}

uint32_t DeviceGetLimits(GpuState& s, uint32_t device, uint32_t ptr) {
  GuestCall c(s, "wgpuDeviceGetLimits");
  auto* native = Receiver<WGPUDevice>(c, device, Kind::kDevice, "device");
  if (c.failed()) return WGPUStatus_Error;
  WGPULimits l{};
  WGPUStatus status = wgpuDeviceGetLimits(native, &l);
  WriteLimits(c, ptr, l, DeviceAlignment(s, device, native));
  return status;
}

uint64_t DeviceGetLostFuture(GpuState& s, uint32_t device) {
  GuestCall c(s, "wgpuDeviceGetLostFuture");
  auto* native = Receiver<WGPUDevice>(c, device, Kind::kDevice, "device");
  if (c.failed()) return 0;
  return wgpuDeviceGetLostFuture(native).id;
}

uint32_t DeviceGetQueue(GpuState& s, uint32_t device) {
  GuestCall c(s, "wgpuDeviceGetQueue");
  auto* native = Receiver<WGPUDevice>(c, device, Kind::kDevice, "device");
  if (c.failed()) return 0;
  return s.Adopt(Kind::kQueue, wgpuDeviceGetQueue(native), device);
}

uint32_t DeviceHasFeature(GpuState& s, uint32_t device, uint32_t feature) {
  GuestCall c(s, "wgpuDeviceHasFeature");
  auto* native = Receiver<WGPUDevice>(c, device, Kind::kDevice, "device");
  if (c.failed()) return 0;
  if (s.zero_copy_off() && feature == WGPUFeatureName_HostMappedPointer) return 0;
  return wgpuDeviceHasFeature(native, static_cast<WGPUFeatureName>(feature));
}

uint64_t DevicePopErrorScope(GpuState& s, uint32_t device, uint32_t info_ptr) {
  GuestCall c(s, "wgpuDevicePopErrorScope");
  auto* native = Receiver<WGPUDevice>(c, device, Kind::kDevice, "device");
  guest::CallbackInfo info = ReadCallbackInfo(c, info_ptr);
  if (c.failed()) return 0;
  WGPUPopErrorScopeCallbackInfo cb{};
  cb.mode = kNativeMode;
  cb.callback = &OnPopErrorScope;
  cb.userdata1 = NewCtx(s, info, device);
  return wgpuDevicePopErrorScope(native, cb).id;
}

void DevicePushErrorScope(GpuState& s, uint32_t device, uint32_t filter) {
  GuestCall c(s, "wgpuDevicePushErrorScope");
  auto* native = Receiver<WGPUDevice>(c, device, Kind::kDevice, "device");
  if (c.failed()) return;
  wgpuDevicePushErrorScope(native, static_cast<WGPUErrorFilter>(filter));
}

// ---- Query sets -------------------------------------------------------------------------------

void QuerySetDestroy(GpuState& s, uint32_t set) {
  GuestCall c(s, "wgpuQuerySetDestroy");
  auto* native = Receiver<WGPUQuerySet>(c, set, Kind::kQuerySet, "querySet");
  if (c.failed()) return;
  wgpuQuerySetDestroy(native);
}
uint32_t QuerySetGetCount(GpuState& s, uint32_t set) {
  GuestCall c(s, "wgpuQuerySetGetCount");
  auto* native = Receiver<WGPUQuerySet>(c, set, Kind::kQuerySet, "querySet");
  return c.failed() ? 0 : wgpuQuerySetGetCount(native);
}
uint32_t QuerySetGetType(GpuState& s, uint32_t set) {
  GuestCall c(s, "wgpuQuerySetGetType");
  auto* native = Receiver<WGPUQuerySet>(c, set, Kind::kQuerySet, "querySet");
  return c.failed() ? 0 : wgpuQuerySetGetType(native);
}

}  // namespace

void RegisterDeviceImports(wasm::HostRegistry& r) {
  Add<&DeviceCreateBuffer>(r, "wgpuDeviceCreateBuffer");
  Add<&DeviceCreateShaderModule>(r, "wgpuDeviceCreateShaderModule");
  Add<&ShaderModuleGetCompilationInfo>(r, "wgpuShaderModuleGetCompilationInfo");
  Add<&DeviceCreateBindGroupLayout>(r, "wgpuDeviceCreateBindGroupLayout");
  Add<&DeviceCreateBindGroup>(r, "wgpuDeviceCreateBindGroup");
  Add<&DeviceCreatePipelineLayout>(r, "wgpuDeviceCreatePipelineLayout");
  Add<&DeviceCreateComputePipeline>(r, "wgpuDeviceCreateComputePipeline");
  Add<&DeviceCreateComputePipelineAsync>(r, "wgpuDeviceCreateComputePipelineAsync");
  Add<&ComputePipelineGetBindGroupLayout>(r, "wgpuComputePipelineGetBindGroupLayout");
  Add<&DeviceCreateQuerySet>(r, "wgpuDeviceCreateQuerySet");
  Add<&DeviceCreateCommandEncoder>(r, "wgpuDeviceCreateCommandEncoder");
  Add<&DeviceDestroy>(r, "wgpuDeviceDestroy");
  Add<&DeviceGetAdapterInfo>(r, "wgpuDeviceGetAdapterInfo");
  Add<&DeviceGetFeatures>(r, "wgpuDeviceGetFeatures");
  Add<&DeviceGetLimits>(r, "wgpuDeviceGetLimits");
  Add<&DeviceGetLostFuture>(r, "wgpuDeviceGetLostFuture");
  Add<&DeviceGetQueue>(r, "wgpuDeviceGetQueue");
  Add<&DeviceHasFeature>(r, "wgpuDeviceHasFeature");
  Add<&DevicePopErrorScope>(r, "wgpuDevicePopErrorScope");
  Add<&DevicePushErrorScope>(r, "wgpuDevicePushErrorScope");
  Add<&QuerySetDestroy>(r, "wgpuQuerySetDestroy");
  Add<&QuerySetGetCount>(r, "wgpuQuerySetGetCount");
  Add<&QuerySetGetType>(r, "wgpuQuerySetGetType");
}

}  // namespace wasmgpu::host
