// The implementations of the `wasmgpu` imports, one per webgpu.h function, in guest terms:
// every pointer, size_t and handle is a uint32_t, every 64-bit integer a uint64_t, a struct
// passed by value arrives as a pointer to it (the wasm32 C ABI passes aggregates of more than
// one field indirectly) and WGPUFuture returns as its uint64_t id. register.cpp wraps each in
// the trap protocol of state.h and registers it under its C name.
#pragma once

#include <cstdint>

#include "host/state.h"

namespace wasmgpu::host {

// Shared helpers for the imports_*.cpp files.

// The native object of a receiver handle (the first argument), or null after recording a trap:
// a call on a handle that is not live has no error path in webgpu.h.
template <typename T>
T Receiver(GuestCall& c, uint32_t handle, Kind kind, const char* what) {
  if (c.failed()) return nullptr;
  T native = c.state().Native<T>(handle, kind);
  if (native == nullptr) {
    c.Fail("{} (handle {:#x}) {}.", what, handle, c.state().handles.Describe(handle, kind));
  }
  return native;
}
// The device (guest handle) that the object behind `handle` belongs to.
inline uint32_t DeviceOf(GpuState& s, uint32_t handle, Kind kind) {
  const HandleTable::Slot* slot = s.handles.Find(handle, kind);
  return slot != nullptr ? slot->device : 0;
}

// An argument handle (inside a descriptor or a command): null when it is not live, after
// reporting a validation error to `device`. *bad is set so the caller skips the native call.
template <typename T>
T Argument(GuestCall& c, uint32_t device, uint32_t handle, Kind kind, bool nullable,
           std::string_view what, bool* bad) {
  if (handle == 0 && nullable) return nullptr;
  T native = c.state().Native<T>(handle, kind);
  if (native == nullptr && !*bad) {
    *bad = true;
    c.state().ValidationErrorOn(
        device, fmt::format("{}: {} (handle {:#x}) {}.", c.function(), what, handle,
                            c.state().handles.Describe(handle, kind)));
  }
  return native;
}

// Walks a guest nextInChain list; calls fn(sType, ptr) for each link. Records a trap when a
// link is out of bounds or the chain is longer than 16 (a cycle).
template <typename Fn>
void WalkChain(GuestCall& c, uint32_t next, std::string_view what, Fn fn) {
  for (int depth = 0; next != 0 && !c.failed(); ++depth) {
    if (depth == 16) {
      c.Fail("{} has more than 16 chained structs (a cycle?).", what);
      return;
    }
    guest::ChainedStruct link = c.Read<guest::ChainedStruct>(next, what);
    if (c.failed()) return;
    fn(link.sType, next);
    next = link.next;
  }
}

// Native callback modes: callbacks fire only inside the host's ProcessEvents/WaitAny calls.
inline constexpr WGPUCallbackMode kNativeMode = WGPUCallbackMode_AllowProcessEvents;

// Context of one native callback: which guest callback to queue when it fires.
struct CallbackCtx {
  GpuState* state;
  guest::CallbackInfo info;
  uint32_t device;  // guest handle of the device concerned, if any
  uint32_t buffer;  // guest handle of the buffer being mapped, if any
};
CallbackCtx* NewCtx(GpuState& s, const guest::CallbackInfo& info, uint32_t device = 0,
                    uint32_t buffer = 0);
// Reads a guest *CallbackInfo passed by value (as a pointer); traps if it is out of bounds.
guest::CallbackInfo ReadCallbackInfo(GuestCall& c, uint32_t ptr);

// Native callbacks (the native side's callback types) that queue deliveries.
void OnRequestAdapter(WGPURequestAdapterStatus status, WGPUAdapter adapter, WGPUStringView message,
                      void* ctx, void*);
void OnRequestDevice(WGPURequestDeviceStatus status, WGPUDevice device, WGPUStringView message,
                     void* ctx, void*);
void OnDeviceLost(WGPUDevice const* device, WGPUDeviceLostReason reason, WGPUStringView message,
                  void* ctx, void*);
void OnUncapturedError(WGPUDevice const* device, WGPUErrorType type, WGPUStringView message,
                       void* state, void*);
void OnMap(WGPUMapAsyncStatus status, WGPUStringView message, void* ctx, void*);
void OnWorkDone(WGPUQueueWorkDoneStatus status, WGPUStringView message, void* ctx, void*);
void OnPopErrorScope(WGPUPopErrorScopeStatus status, WGPUErrorType type, WGPUStringView message,
                     void* ctx, void*);
void OnCreatePipeline(WGPUCreatePipelineAsyncStatus status, WGPUComputePipeline pipeline,
                      WGPUStringView message, void* ctx, void*);
void OnCompilationInfo(WGPUCompilationInfoRequestStatus status, const WGPUCompilationInfo* info,
                       void* ctx, void*);
void OnDispose(void* ctx);

// Fills a guest WGPULimits (and its chained WGPUHostMappedPointerLimits) from native limits.
void WriteLimits(GuestCall& c, uint32_t ptr, const WGPULimits& limits, uint32_t alignment);
// Fills a guest WGPUSupportedFeatures with a guest-heap array (freed by
// wgpuSupportedFeaturesFreeMembers).
void WriteFeatures(GuestCall& c, uint32_t ptr, const WGPUSupportedFeatures& features);
// Fills a guest WGPUAdapterInfo with guest-heap strings (freed by wgpuAdapterInfoFreeMembers).
uint32_t WriteAdapterInfo(GuestCall& c, uint32_t ptr, WGPUAdapter adapter);

}  // namespace wasmgpu::host
