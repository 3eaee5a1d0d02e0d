// The C entry points of webgpu.h: each converts handles and forwards to the object that owns the
// rule. Handles are the C++ objects themselves.
#define WGPU_IMPLEMENTATION
#include <wasmgpu/webgpu.h>

#include <cstdlib>

#include "gpu/adapter.h"
#include "gpu/bind_group.h"
#include "gpu/bind_group_layout.h"
#include "gpu/buffer.h"
#include "gpu/command_encoder.h"
#include "gpu/compute_pass_encoder.h"
#include "gpu/compute_pipeline.h"
#include "gpu/device.h"
#include "gpu/instance.h"
#include "gpu/query_set.h"
#include "gpu/queue.h"
#include "gpu/shader_module.h"

using namespace wasmgpu;       // NOLINT
using namespace wasmgpu::gpu;  // NOLINT

namespace {

#define WASMGPU_HANDLE(Class, Handle)                                             \
  inline Class* From(Handle h) { return reinterpret_cast<Class*>(h); }          \
  inline Handle To##Class(Ref<Class> r) { return reinterpret_cast<Handle>(r.Detach()); }
WASMGPU_HANDLE(Instance, WGPUInstance)
WASMGPU_HANDLE(Adapter, WGPUAdapter)
WASMGPU_HANDLE(Device, WGPUDevice)
WASMGPU_HANDLE(Buffer, WGPUBuffer)
WASMGPU_HANDLE(BindGroup, WGPUBindGroup)
WASMGPU_HANDLE(BindGroupLayout, WGPUBindGroupLayout)
WASMGPU_HANDLE(PipelineLayout, WGPUPipelineLayout)
WASMGPU_HANDLE(ShaderModule, WGPUShaderModule)
WASMGPU_HANDLE(ComputePipeline, WGPUComputePipeline)
WASMGPU_HANDLE(CommandEncoder, WGPUCommandEncoder)
WASMGPU_HANDLE(CommandBuffer, WGPUCommandBuffer)
WASMGPU_HANDLE(ComputePassEncoder, WGPUComputePassEncoder)
WASMGPU_HANDLE(QuerySet, WGPUQuerySet)
#undef WASMGPU_HANDLE
inline Queue* From(WGPUQueue h) { return reinterpret_cast<Queue*>(h); }

template <typename T>
void AddRefOf(T* object) {
  if (object) object->AddRef();
}
template <typename T>
void ReleaseOf(T* object) {
  if (object) object->Release();
}

Event CallbackEvent(EventKind kind, WGPUCallbackMode mode, void (*callback)(), void* u1, void* u2) {
  Event e{kind};
  e.mode = mode;
  e.callback = callback;
  e.userdata1 = u1;
  e.userdata2 = u2;
  e.resolved = true;
  return e;
}

// A null required descriptor is a validation error on the device.
template <typename Desc>
bool RequireDescriptor(Device* device, const Desc* desc, const char* call) {
  if (desc != nullptr) return true;
  device->ConsumeError(ValidationError("The descriptor passed to {} is null.", call));
  return false;
}

}  // namespace

extern "C" {

// --- Instance ---

WGPUInstance wgpuCreateInstance(const WGPUInstanceDescriptor* descriptor) {
  Result<Ref<Instance>> instance = Instance::Create(descriptor);
  if (!instance.ok()) return nullptr;
  return ToInstance(std::move(instance).value());
}

void wgpuGetInstanceFeatures(WGPUSupportedInstanceFeatures* features) {
  if (features == nullptr) return;
  static const WGPUInstanceFeatureName kFeatures[] = {
      WGPUInstanceFeatureName_TimedWaitAny, WGPUInstanceFeatureName_ShaderSourceSPIRV,
      WGPUInstanceFeatureName_MultipleDevicesPerAdapter};
  auto* copy = static_cast<WGPUInstanceFeatureName*>(std::malloc(sizeof(kFeatures)));
  std::memcpy(copy, kFeatures, sizeof(kFeatures));
  features->featureCount = copy ? 3 : 0;
  features->features = copy;
}

WGPUStatus wgpuGetInstanceLimits(WGPUInstanceLimits* limits) {
  if (limits == nullptr) return WGPUStatus_Error;
  limits->timedWaitAnyMaxCount = 64;
  return WGPUStatus_Success;
}

WGPUBool wgpuHasInstanceFeature(WGPUInstanceFeatureName feature) {
  return feature >= WGPUInstanceFeatureName_TimedWaitAny &&
         feature <= WGPUInstanceFeatureName_MultipleDevicesPerAdapter;
}

void wgpuSupportedInstanceFeaturesFreeMembers(WGPUSupportedInstanceFeatures features) {
  std::free(const_cast<WGPUInstanceFeatureName*>(features.features));
}

void wgpuInstanceProcessEvents(WGPUInstance instance) {
  if (instance) From(instance)->ProcessEvents();
}

WGPUFuture wgpuInstanceRequestAdapter(WGPUInstance instance,
                                      const WGPURequestAdapterOptions* options,
                                      WGPURequestAdapterCallbackInfo info) {
  Instance* self = From(instance);
  if (self == nullptr) return WGPUFuture{0};
  Event e = CallbackEvent(EventKind::kRequestAdapter, info.mode,
                          reinterpret_cast<void (*)()>(info.callback), info.userdata1,
                          info.userdata2);
  Result<Ref<Adapter>> adapter = self->SelectAdapter(options);
  if (adapter.ok()) {
    e.status = WGPURequestAdapterStatus_Success;
    e.object = Ref<RefCounted>(std::move(adapter).value());
  } else {
    e.status = WGPURequestAdapterStatus_Unavailable;
    e.message = adapter.error().message;
  }
  return self->AddEvent(std::move(e));
}

WGPUWaitStatus wgpuInstanceWaitAny(WGPUInstance instance, size_t count, WGPUFutureWaitInfo* futures,
                                   uint64_t timeout_ns) {
  if (instance == nullptr) return WGPUWaitStatus_Error;
  return From(instance)->WaitAny(count, futures, timeout_ns);
}

size_t wgpuInstanceEnumerateAdapters(WGPUInstance instance, const WGPURequestAdapterOptions*,
                                     WGPUAdapter* adapters) {
  if (instance == nullptr) return 0;
  Result<std::vector<Ref<Adapter>>> list = From(instance)->EnumerateAdapters();
  if (!list.ok()) return 0;
  if (adapters != nullptr) {
    for (size_t i = 0; i < list->size(); ++i) adapters[i] = ToAdapter(std::move((*list)[i]));
  }
  return list->size();
}

void wgpuInstanceAddRef(WGPUInstance instance) { AddRefOf(From(instance)); }
void wgpuInstanceRelease(WGPUInstance instance) { ReleaseOf(From(instance)); }

// --- Adapter ---

void wgpuAdapterGetFeatures(WGPUAdapter adapter, WGPUSupportedFeatures* features) {
  if (adapter == nullptr || features == nullptr) return;
  const auto& list = From(adapter)->features();
  auto* copy = static_cast<WGPUFeatureName*>(std::malloc(sizeof(WGPUFeatureName) * list.size()));
  if (copy) std::memcpy(copy, list.data(), sizeof(WGPUFeatureName) * list.size());
  features->featureCount = copy ? list.size() : 0;
  features->features = copy;
}

WGPUStatus wgpuAdapterGetInfo(WGPUAdapter adapter, WGPUAdapterInfo* info) {
  if (adapter == nullptr) return WGPUStatus_Error;
  return From(adapter)->GetInfo(info);
}

WGPUStatus wgpuAdapterGetLimits(WGPUAdapter adapter, WGPULimits* limits) {
  if (adapter == nullptr) return WGPUStatus_Error;
  Adapter* a = From(adapter);
  return Adapter::WriteLimits(a->limits(), a->host_mapped_pointer_alignment(), limits);
}

WGPUBool wgpuAdapterHasFeature(WGPUAdapter adapter, WGPUFeatureName feature) {
  return adapter != nullptr && From(adapter)->HasFeature(feature);
}

WGPUFuture wgpuAdapterRequestDevice(WGPUAdapter adapter, const WGPUDeviceDescriptor* descriptor,
                                    WGPURequestDeviceCallbackInfo info) {
  if (adapter == nullptr) return WGPUFuture{0};
  Adapter* a = From(adapter);
  Instance* instance = a->instance();
  // The lost future exists before the device, so a failed creation can resolve it too.
  Event lost = CallbackEvent(EventKind::kDeviceLost,
                             descriptor ? descriptor->deviceLostCallbackInfo.mode
                                        : WGPUCallbackMode_AllowProcessEvents,
                             descriptor ? reinterpret_cast<void (*)()>(
                                              descriptor->deviceLostCallbackInfo.callback)
                                        : nullptr,
                             descriptor ? descriptor->deviceLostCallbackInfo.userdata1 : nullptr,
                             descriptor ? descriptor->deviceLostCallbackInfo.userdata2 : nullptr);
  lost.resolved = false;
  if (lost.mode == 0) lost.mode = WGPUCallbackMode_AllowProcessEvents;
  WGPUFuture lost_future = instance->AddEvent(std::move(lost));

  Event e = CallbackEvent(EventKind::kRequestDevice, info.mode,
                          reinterpret_cast<void (*)()>(info.callback), info.userdata1,
                          info.userdata2);
  Result<Ref<Device>> device = Device::Create(a, descriptor, lost_future.id);
  if (device.ok()) {
    e.status = WGPURequestDeviceStatus_Success;
    e.object = Ref<RefCounted>(std::move(device).value());
  } else {
    e.status = WGPURequestDeviceStatus_Error;
    e.message = device.error().message;
    instance->ResolveDeviceLost(lost_future.id, WGPUDeviceLostReason_FailedCreation, e.message,
                                nullptr);
  }
  return instance->AddEvent(std::move(e));
}

void wgpuAdapterAddRef(WGPUAdapter adapter) { AddRefOf(From(adapter)); }
void wgpuAdapterRelease(WGPUAdapter adapter) { ReleaseOf(From(adapter)); }

void wgpuAdapterInfoFreeMembers(WGPUAdapterInfo info) {
  // GetInfo puts every string in one block that starts at vendor.data.
  std::free(const_cast<char*>(info.vendor.data));
}

void wgpuSupportedFeaturesFreeMembers(WGPUSupportedFeatures features) {
  std::free(const_cast<WGPUFeatureName*>(features.features));
}

// --- BindGroup / BindGroupLayout / PipelineLayout ---

void wgpuBindGroupSetLabel(WGPUBindGroup g, WGPUStringView label) {
  if (g) From(g)->SetLabel(ToString(label));
}
void wgpuBindGroupAddRef(WGPUBindGroup g) { AddRefOf(From(g)); }
void wgpuBindGroupRelease(WGPUBindGroup g) { ReleaseOf(From(g)); }
void wgpuBindGroupLayoutSetLabel(WGPUBindGroupLayout l, WGPUStringView label) {
  if (l) From(l)->SetLabel(ToString(label));
}
void wgpuBindGroupLayoutAddRef(WGPUBindGroupLayout l) { AddRefOf(From(l)); }
void wgpuBindGroupLayoutRelease(WGPUBindGroupLayout l) { ReleaseOf(From(l)); }
void wgpuPipelineLayoutSetLabel(WGPUPipelineLayout l, WGPUStringView label) {
  if (l) From(l)->SetLabel(ToString(label));
}
void wgpuPipelineLayoutAddRef(WGPUPipelineLayout l) { AddRefOf(From(l)); }
void wgpuPipelineLayoutRelease(WGPUPipelineLayout l) { ReleaseOf(From(l)); }

// --- Buffer ---

void wgpuBufferDestroy(WGPUBuffer buffer) {
  if (buffer) From(buffer)->Destroy();
}
const void* wgpuBufferGetConstMappedRange(WGPUBuffer buffer, size_t offset, size_t size) {
  return buffer ? From(buffer)->GetMappedRange(offset, size, false) : nullptr;
}
void* wgpuBufferGetMappedRange(WGPUBuffer buffer, size_t offset, size_t size) {
  return buffer ? From(buffer)->GetMappedRange(offset, size, true) : nullptr;
}
WGPUBufferMapState wgpuBufferGetMapState(WGPUBuffer buffer) {
  return buffer ? From(buffer)->map_state() : WGPUBufferMapState_Unmapped;
}
uint64_t wgpuBufferGetSize(WGPUBuffer buffer) { return buffer ? From(buffer)->size() : 0; }
WGPUBufferUsage wgpuBufferGetUsage(WGPUBuffer buffer) {
  return buffer ? From(buffer)->usage() : WGPUBufferUsage_None;
}
WGPUFuture wgpuBufferMapAsync(WGPUBuffer buffer, WGPUMapMode mode, size_t offset, size_t size,
                              WGPUBufferMapCallbackInfo info) {
  if (buffer == nullptr) return WGPUFuture{0};
  return From(buffer)->MapAsync(mode, offset, size, info);
}
WGPUStatus wgpuBufferReadMappedRange(WGPUBuffer buffer, size_t offset, void* data, size_t size) {
  if (buffer == nullptr || (size > 0 && data == nullptr)) return WGPUStatus_Error;
  const void* src = From(buffer)->GetMappedRange(offset, size, false);
  if (src == nullptr) return WGPUStatus_Error;
  std::memcpy(data, src, size);
  return WGPUStatus_Success;
}
WGPUStatus wgpuBufferWriteMappedRange(WGPUBuffer buffer, size_t offset, const void* data,
                                      size_t size) {
  if (buffer == nullptr || (size > 0 && data == nullptr)) return WGPUStatus_Error;
  void* dst = From(buffer)->GetMappedRange(offset, size, true);
  if (dst == nullptr) return WGPUStatus_Error;
  std::memcpy(dst, data, size);
  return WGPUStatus_Success;
}
void wgpuBufferSetLabel(WGPUBuffer buffer, WGPUStringView label) {
  if (buffer) From(buffer)->SetLabel(ToString(label));
}
void wgpuBufferUnmap(WGPUBuffer buffer) {
  if (buffer) From(buffer)->Unmap();
}
void wgpuBufferAddRef(WGPUBuffer buffer) { AddRefOf(From(buffer)); }
void wgpuBufferRelease(WGPUBuffer buffer) { ReleaseOf(From(buffer)); }

// --- CommandBuffer / CommandEncoder ---

void wgpuCommandBufferSetLabel(WGPUCommandBuffer cb, WGPUStringView label) {
  if (cb) From(cb)->SetLabel(ToString(label));
}
void wgpuCommandBufferAddRef(WGPUCommandBuffer cb) { AddRefOf(From(cb)); }
void wgpuCommandBufferRelease(WGPUCommandBuffer cb) { ReleaseOf(From(cb)); }

WGPUComputePassEncoder wgpuCommandEncoderBeginComputePass(WGPUCommandEncoder encoder,
                                                          const WGPUComputePassDescriptor* desc) {
  if (encoder == nullptr) return nullptr;
  return ToComputePassEncoder(From(encoder)->BeginComputePass(desc));
}
void wgpuCommandEncoderClearBuffer(WGPUCommandEncoder encoder, WGPUBuffer buffer, uint64_t offset,
                                   uint64_t size) {
  if (encoder) From(encoder)->ClearBuffer(From(buffer), offset, size);
}
void wgpuCommandEncoderCopyBufferToBuffer(WGPUCommandEncoder encoder, WGPUBuffer source,
                                          uint64_t source_offset, WGPUBuffer destination,
                                          uint64_t destination_offset, uint64_t size) {
  if (encoder) {
    From(encoder)->CopyBufferToBuffer(From(source), source_offset, From(destination),
                                      destination_offset, size);
  }
}
WGPUCommandBuffer wgpuCommandEncoderFinish(WGPUCommandEncoder encoder,
                                           const WGPUCommandBufferDescriptor* desc) {
  if (encoder == nullptr) return nullptr;
  return ToCommandBuffer(From(encoder)->Finish(desc));
}
void wgpuCommandEncoderResolveQuerySet(WGPUCommandEncoder encoder, WGPUQuerySet set,
                                       uint32_t first, uint32_t count, WGPUBuffer destination,
                                       uint64_t destination_offset) {
  if (encoder) {
    From(encoder)->ResolveQuerySet(From(set), first, count, From(destination), destination_offset);
  }
}
void wgpuCommandEncoderSetLabel(WGPUCommandEncoder encoder, WGPUStringView label) {
  if (encoder) From(encoder)->SetLabel(ToString(label));
}
void wgpuCommandEncoderWriteTimestamp(WGPUCommandEncoder encoder, WGPUQuerySet set,
                                      uint32_t index) {
  if (encoder) From(encoder)->WriteTimestamp(From(set), index);
}
void wgpuCommandEncoderAddRef(WGPUCommandEncoder encoder) { AddRefOf(From(encoder)); }
void wgpuCommandEncoderRelease(WGPUCommandEncoder encoder) { ReleaseOf(From(encoder)); }

// --- ComputePassEncoder ---

void wgpuComputePassEncoderDispatchWorkgroups(WGPUComputePassEncoder pass, uint32_t x, uint32_t y,
                                              uint32_t z) {
  if (pass) From(pass)->Dispatch(x, y, z);
}
void wgpuComputePassEncoderDispatchWorkgroupsIndirect(WGPUComputePassEncoder pass,
                                                      WGPUBuffer buffer, uint64_t offset) {
  if (pass) From(pass)->DispatchIndirect(From(buffer), offset);
}
void wgpuComputePassEncoderEnd(WGPUComputePassEncoder pass) {
  if (pass) From(pass)->End();
}
void wgpuComputePassEncoderSetBindGroup(WGPUComputePassEncoder pass, uint32_t index,
                                        WGPUBindGroup group, size_t count,
                                        const uint32_t* offsets) {
  if (pass) From(pass)->SetBindGroup(index, From(group), count, offsets);
}
void wgpuComputePassEncoderSetImmediateData(WGPUComputePassEncoder pass, uint32_t offset,
                                            const void* data, size_t size) {
  if (pass) From(pass)->SetImmediateData(offset, data, size);
}
void wgpuComputePassEncoderSetLabel(WGPUComputePassEncoder pass, WGPUStringView label) {
  if (pass) From(pass)->SetLabel(ToString(label));
}
void wgpuComputePassEncoderSetPipeline(WGPUComputePassEncoder pass, WGPUComputePipeline pipeline) {
  if (pass) From(pass)->SetPipeline(From(pipeline));
}
void wgpuComputePassEncoderAddRef(WGPUComputePassEncoder pass) { AddRefOf(From(pass)); }
void wgpuComputePassEncoderRelease(WGPUComputePassEncoder pass) { ReleaseOf(From(pass)); }

// --- ComputePipeline ---

WGPUBindGroupLayout wgpuComputePipelineGetBindGroupLayout(WGPUComputePipeline pipeline,
                                                          uint32_t index) {
  if (pipeline == nullptr) return nullptr;
  return ToBindGroupLayout(From(pipeline)->GetBindGroupLayout(index));
}
void wgpuComputePipelineSetLabel(WGPUComputePipeline pipeline, WGPUStringView label) {
  if (pipeline) From(pipeline)->SetLabel(ToString(label));
}
void wgpuComputePipelineAddRef(WGPUComputePipeline pipeline) { AddRefOf(From(pipeline)); }
void wgpuComputePipelineRelease(WGPUComputePipeline pipeline) { ReleaseOf(From(pipeline)); }

// --- Device ---

WGPUBindGroup wgpuDeviceCreateBindGroup(WGPUDevice device, const WGPUBindGroupDescriptor* desc) {
  if (device == nullptr) return nullptr;
  Device* d = From(device);
  WGPUBindGroupDescriptor empty{};
  if (!RequireDescriptor(d, desc, "wgpuDeviceCreateBindGroup")) desc = &empty;
  return ToBindGroup(BindGroup::Create(d, desc));
}
WGPUBindGroupLayout wgpuDeviceCreateBindGroupLayout(WGPUDevice device,
                                                    const WGPUBindGroupLayoutDescriptor* desc) {
  if (device == nullptr) return nullptr;
  Device* d = From(device);
  WGPUBindGroupLayoutDescriptor empty{};
  if (!RequireDescriptor(d, desc, "wgpuDeviceCreateBindGroupLayout")) {
    return ToBindGroupLayout(BindGroupLayout::MakeInvalid(BindGroupLayout::Create(d, &empty)));
  }
  return ToBindGroupLayout(BindGroupLayout::Create(d, desc));
}
WGPUBuffer wgpuDeviceCreateBuffer(WGPUDevice device, const WGPUBufferDescriptor* desc) {
  if (device == nullptr) return nullptr;
  Device* d = From(device);
  WGPUBufferDescriptor empty{};
  if (!RequireDescriptor(d, desc, "wgpuDeviceCreateBuffer")) desc = &empty;
  return ToBuffer(Buffer::Create(d, desc));
}
WGPUCommandEncoder wgpuDeviceCreateCommandEncoder(WGPUDevice device,
                                                  const WGPUCommandEncoderDescriptor* desc) {
  if (device == nullptr) return nullptr;
  return ToCommandEncoder(CommandEncoder::Create(From(device), desc));
}
WGPUComputePipeline wgpuDeviceCreateComputePipeline(WGPUDevice device,
                                                    const WGPUComputePipelineDescriptor* desc) {
  if (device == nullptr) return nullptr;
  Device* d = From(device);
  WGPUComputePipelineDescriptor empty{};
  if (!RequireDescriptor(d, desc, "wgpuDeviceCreateComputePipeline")) desc = &empty;
  return ToComputePipeline(ComputePipeline::Create(d, desc));
}
WGPUFuture wgpuDeviceCreateComputePipelineAsync(WGPUDevice device,
                                                const WGPUComputePipelineDescriptor* desc,
                                                WGPUCreateComputePipelineAsyncCallbackInfo info) {
  if (device == nullptr) return WGPUFuture{0};
  Device* d = From(device);
  Event e = CallbackEvent(EventKind::kCreateComputePipeline, info.mode,
                          reinterpret_cast<void (*)()>(info.callback), info.userdata1,
                          info.userdata2);
  WGPUComputePipelineDescriptor empty{};
  Error error{ErrorKind::kOther, ""};
  Ref<ComputePipeline> pipeline = ComputePipeline::Create(d, desc ? desc : &empty, &error);
  if (pipeline->valid()) {
    e.status = WGPUCreatePipelineAsyncStatus_Success;
    e.object = Ref<RefCounted>(std::move(pipeline));
  } else {
    e.status = error.kind == ErrorKind::kValidation ? WGPUCreatePipelineAsyncStatus_ValidationError
                                                    : WGPUCreatePipelineAsyncStatus_InternalError;
    e.message = error.message;
  }
  return d->instance()->AddEvent(std::move(e));
}
WGPUPipelineLayout wgpuDeviceCreatePipelineLayout(WGPUDevice device,
                                                  const WGPUPipelineLayoutDescriptor* desc) {
  if (device == nullptr) return nullptr;
  Device* d = From(device);
  WGPUPipelineLayoutDescriptor empty{};
  if (!RequireDescriptor(d, desc, "wgpuDeviceCreatePipelineLayout")) desc = &empty;
  return ToPipelineLayout(PipelineLayout::Create(d, desc));
}
WGPUQuerySet wgpuDeviceCreateQuerySet(WGPUDevice device, const WGPUQuerySetDescriptor* desc) {
  if (device == nullptr) return nullptr;
  Device* d = From(device);
  WGPUQuerySetDescriptor empty{};
  if (!RequireDescriptor(d, desc, "wgpuDeviceCreateQuerySet")) desc = &empty;
  return ToQuerySet(QuerySet::Create(d, desc));
}
WGPUShaderModule wgpuDeviceCreateShaderModule(WGPUDevice device,
                                              const WGPUShaderModuleDescriptor* desc) {
  if (device == nullptr) return nullptr;
  Device* d = From(device);
  WGPUShaderModuleDescriptor empty{};
  if (!RequireDescriptor(d, desc, "wgpuDeviceCreateShaderModule")) desc = &empty;
  return ToShaderModule(ShaderModule::Create(d, desc));
}
void wgpuDeviceDestroy(WGPUDevice device) {
  if (device) From(device)->Destroy();
}
WGPUStatus wgpuDeviceGetAdapterInfo(WGPUDevice device, WGPUAdapterInfo* info) {
  if (device == nullptr) return WGPUStatus_Error;
  return From(device)->adapter()->GetInfo(info);
}
void wgpuDeviceGetFeatures(WGPUDevice device, WGPUSupportedFeatures* features) {
  if (device == nullptr || features == nullptr) return;
  const auto& list = From(device)->features();
  auto* copy = static_cast<WGPUFeatureName*>(std::malloc(sizeof(WGPUFeatureName) * list.size()));
  if (copy) std::memcpy(copy, list.data(), sizeof(WGPUFeatureName) * list.size());
  features->featureCount = copy ? list.size() : 0;
  features->features = copy;
}
WGPUStatus wgpuDeviceGetLimits(WGPUDevice device, WGPULimits* limits) {
  if (device == nullptr) return WGPUStatus_Error;
  Device* d = From(device);
  return Adapter::WriteLimits(d->limits(), d->host_mapped_pointer_alignment(), limits);
}
WGPUFuture wgpuDeviceGetLostFuture(WGPUDevice device) {
  return WGPUFuture{device ? From(device)->lost_event_id() : 0};
}
WGPUQueue wgpuDeviceGetQueue(WGPUDevice device) {
  if (device == nullptr) return nullptr;
  From(device)->AddRef();  // the queue's references count on its device
  return reinterpret_cast<WGPUQueue>(From(device)->queue());
}
WGPUBool wgpuDeviceHasFeature(WGPUDevice device, WGPUFeatureName feature) {
  return device != nullptr && From(device)->HasFeature(feature);
}
WGPUFuture wgpuDevicePopErrorScope(WGPUDevice device, WGPUPopErrorScopeCallbackInfo info) {
  if (device == nullptr) return WGPUFuture{0};
  return From(device)->PopErrorScope(info);
}
void wgpuDevicePushErrorScope(WGPUDevice device, WGPUErrorFilter filter) {
  if (device) From(device)->PushErrorScope(filter);
}
void wgpuDeviceSetLabel(WGPUDevice, WGPUStringView) {}
void wgpuDeviceAddRef(WGPUDevice device) { AddRefOf(From(device)); }
void wgpuDeviceRelease(WGPUDevice device) { ReleaseOf(From(device)); }

// --- QuerySet ---

void wgpuQuerySetDestroy(WGPUQuerySet set) {
  if (set) From(set)->Destroy();
}
uint32_t wgpuQuerySetGetCount(WGPUQuerySet set) { return set ? From(set)->count() : 0; }
WGPUQueryType wgpuQuerySetGetType(WGPUQuerySet set) {
  return set ? From(set)->type() : WGPUQueryType_Timestamp;
}
void wgpuQuerySetSetLabel(WGPUQuerySet set, WGPUStringView label) {
  if (set) From(set)->SetLabel(ToString(label));
}
void wgpuQuerySetAddRef(WGPUQuerySet set) { AddRefOf(From(set)); }
void wgpuQuerySetRelease(WGPUQuerySet set) { ReleaseOf(From(set)); }

// --- Queue ---

WGPUFuture wgpuQueueOnSubmittedWorkDone(WGPUQueue queue, WGPUQueueWorkDoneCallbackInfo info) {
  if (queue == nullptr) return WGPUFuture{0};
  return From(queue)->OnSubmittedWorkDone(info);
}
void wgpuQueueSetLabel(WGPUQueue queue, WGPUStringView label) {
  if (queue) From(queue)->SetLabel(ToString(label));
}
void wgpuQueueSubmit(WGPUQueue queue, size_t count, const WGPUCommandBuffer* commands) {
  if (queue) From(queue)->Submit(count, commands);
}
void wgpuQueueWriteBuffer(WGPUQueue queue, WGPUBuffer buffer, uint64_t offset, const void* data,
                          size_t size) {
  if (queue) From(queue)->WriteBuffer(From(buffer), offset, data, size);
}
void wgpuQueueAddRef(WGPUQueue queue) {
  if (queue) From(queue)->device()->AddRef();
}
void wgpuQueueRelease(WGPUQueue queue) {
  if (queue) From(queue)->device()->Release();
}

// --- ShaderModule ---

WGPUFuture wgpuShaderModuleGetCompilationInfo(WGPUShaderModule module,
                                              WGPUCompilationInfoCallbackInfo info) {
  if (module == nullptr) return WGPUFuture{0};
  return From(module)->GetCompilationInfo(info);
}
void wgpuShaderModuleSetLabel(WGPUShaderModule module, WGPUStringView label) {
  if (module) From(module)->SetLabel(ToString(label));
}
void wgpuShaderModuleAddRef(WGPUShaderModule module) { AddRefOf(From(module)); }
void wgpuShaderModuleRelease(WGPUShaderModule module) { ReleaseOf(From(module)); }

}  // extern "C"
