// The instance: adapter discovery and the event loop behind WGPUFuture. Every asynchronous result
// (adapter/device requests, mapAsync, onSubmittedWorkDone, popErrorScope, compilation info,
// async pipelines, device loss) is an Event; its callback runs inside wgpuInstanceProcessEvents
// or wgpuInstanceWaitAny (AllowSpontaneous callbacks may also run as soon as they are ready,
// from inside the call that made them ready), never while a lock is held.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "gpu/object.h"
#include "gpu/vk/vk_instance.h"

namespace wasmgpu::gpu {

class Adapter;
class Buffer;

enum class EventKind {
  kRequestAdapter,
  kRequestDevice,
  kMapAsync,
  kWorkDone,
  kPopErrorScope,
  kCompilationInfo,
  kCreateComputePipeline,
  kDeviceLost,
};

struct Event {
  EventKind kind;
  WGPUCallbackMode mode = WGPUCallbackMode_AllowProcessEvents;
  void (*callback)() = nullptr;  // the user's callback, cast back by kind when fired
  void* userdata1 = nullptr;
  void* userdata2 = nullptr;

  // Completion: `resolved` events are ready now; otherwise, with a device, the event is ready
  // once the device's completed serial reaches `serial` or the device is lost. The device is not
  // referenced (an unconsumed future must not keep it alive): its destructor resolves its events
  // and clears this pointer, under the instance lock.
  bool resolved = false;
  Device* device = nullptr;
  uint64_t serial = 0;

  // Results, by kind.
  uint32_t status = 0;
  uint32_t type = 0;  // WGPUErrorType for PopErrorScope, WGPUDeviceLostReason for DeviceLost
  std::string message;
  Ref<RefCounted> object;  // adapter, device, pipeline, or the buffer being mapped
  WGPUDevice lost_device = nullptr;  // the device a DeviceLost callback reports
  std::vector<WGPUCompilationMessage> compilation_messages;
  std::vector<std::string> compilation_texts;
};

class Instance : public RefCounted {
 public:
  static Result<Ref<Instance>> Create(const WGPUInstanceDescriptor* descriptor);

  bool timed_wait_any() const { return timed_wait_any_; }
  size_t timed_wait_any_max_count() const { return timed_wait_any_max_count_; }

  // Adds an event and returns its future. An AllowSpontaneous event that is already resolved
  // fires before this returns.
  WGPUFuture AddEvent(Event event);
  // Marks a pending event resolved with `status`/`message` (e.g. a map aborted by unmap).
  // No-op when the event already fired.
  void ResolveEvent(uint64_t id, uint32_t status, std::string message);
  // Resolves a device-lost event (reason, message; `device` may be null once released).
  void ResolveDeviceLost(uint64_t id, WGPUDeviceLostReason reason, std::string message,
                         WGPUDevice device);

  // Live devices, ticked by ProcessEvents (retire work, run dispose callbacks, detect hangs).
  void RegisterDevice(Device* device);
  // Also resolves the device's pending events (its work is finished or abandoned by then).
  void UnregisterDevice(Device* device);

  void ProcessEvents();
  WGPUWaitStatus WaitAny(size_t count, WGPUFutureWaitInfo* futures, uint64_t timeout_ns);

  // Adapters, in vk::EnumeratePhysicalDevices order.
  Result<std::vector<Ref<Adapter>>> EnumerateAdapters();
  // Picks per DESIGN.md decision 2: an explicit choice (options chain, else WASMGPU_ADAPTER),
  // else forceFallbackAdapter -> the CPU adapter, else first discrete, integrated, CPU, other.
  // Adapters without robustBufferAccess2 are skipped unless chosen explicitly.
  Result<Ref<Adapter>> SelectAdapter(const WGPURequestAdapterOptions* options);
  // Index of the adapter SelectAdapter(nullptr) returns, or -1.
  int DefaultAdapterIndex();

 private:
  Instance() = default;
  bool IsReady(const Event& e) const;
  // Moves ready events (all, or those in `ids`) out of the table; fires nothing.
  void TakeReady(bool process_events, std::vector<Event>* out);
  static void Fire(Event& e);
  void ProcessEventsTickOnly();

  bool timed_wait_any_ = false;
  size_t timed_wait_any_max_count_ = 64;
  std::mutex mutex_;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, Event> events_;
  std::vector<Device*> devices_;
};

// Called when an event fires, before its callback: lets objects finish state changes (a buffer
// becomes Mapped). Returns the final status.
uint32_t CompleteMapEvent(Event& e);

}  // namespace wasmgpu::gpu
