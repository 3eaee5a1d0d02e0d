// The device: limits and features, the error model (error scopes, uncaptured errors, loss), and
// the queue timeline (serials, in-flight submissions, deferred work, staging memory).
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <unordered_set>
#include <vector>

#include "base/result.h"
#include "gpu/adapter.h"
#include "gpu/object.h"
#include "gpu/vk/vk_device.h"
#include "gpu/vk/vk_resources.h"

namespace wasmgpu::gpu {

class Buffer;
class CommandBuffer;
class Queue;

// Host-visible memory for one writeBuffer or mappedAtCreation upload.
struct StagingSlice {
  VkBuffer buffer = VK_NULL_HANDLE;
  void* mapped = nullptr;
  size_t index = 0;  // into the device's staging pool
};

class Device : public RefCounted {
 public:
  // Creates the device and its queue. On failure the error says why (missing
  // robustBufferAccess2, unsupported feature, limit above the adapter's, Vulkan failure).
  static Result<Ref<Device>> Create(Adapter* adapter, const WGPUDeviceDescriptor* descriptor,
                                    uint64_t lost_event_id);
  ~Device() override;

  Instance* instance() const { return adapter_->instance(); }
  Adapter* adapter() const { return adapter_; }
  vk::Device& vk() { return *vk_; }
  Queue* queue() const { return queue_.get(); }
  const WGPULimits& limits() const { return limits_; }
  uint32_t host_mapped_pointer_alignment() const {
    return HasFeature(WGPUFeatureName_HostMappedPointer)
               ? adapter_->host_mapped_pointer_alignment()
               : 0;
  }
  const std::vector<WGPUFeatureName>& features() const { return features_; }
  bool HasFeature(WGPUFeatureName feature) const;
  uint64_t lost_event_id() const { return lost_event_id_; }

  // --- Errors (WebGPU's error model) ---
  // Routes an error to the innermost matching error scope, else the uncaptured-error callback.
  // Dropped once the device is lost. A kDeviceLost error loses the device instead.
  void ConsumeError(Error error);
  // Convenience: consumes the error of a failed status; returns status.ok().
  bool Check(Status status) {
    if (status.ok()) return true;
    ConsumeError(std::move(status).error());
    return false;
  }
  void PushErrorScope(WGPUErrorFilter filter);
  WGPUFuture PopErrorScope(const WGPUPopErrorScopeCallbackInfo& info);

  // --- Loss ---
  bool lost() const { return lost_.load(std::memory_order_acquire); }
  // Marks the device lost (once), resolves its lost future and fails pending work.
  void Lose(WGPUDeviceLostReason reason, std::string message);
  // wgpuDeviceDestroy: waits for the GPU (bounded by the GPU timeout), destroys every buffer,
  // then loses the device with reason Destroyed.
  void Destroy();

  // --- Queue timeline. All of these take the device lock. ---
  std::recursive_mutex& mutex() { return mutex_; }
  uint64_t completed_serial() const { return completed_serial_.load(std::memory_order_acquire); }
  uint64_t last_submitted_serial() const { return last_submitted_serial_; }
  // The serial the next submission will get; work recorded now completes with it.
  uint64_t pending_serial() const { return last_submitted_serial_ + 1; }
  // Polls fences, retires finished submissions, runs deferred work, detects a hung GPU.
  void Tick();
  // Waits until `serial` completed, the device is lost, or `timeout_ns` passed. Returns whether
  // the serial completed (or the device is lost). Submits pending writes first if needed.
  bool WaitForSerial(uint64_t serial, uint64_t timeout_ns);
  // A command buffer whose commands run before the next submission (writeBuffer copies, buffer
  // zeroing, mappedAtCreation uploads). Requires the device lock.
  Result<VkCommandBuffer> PendingCommands();
  // Submits the pending commands on their own, if any.
  Status FlushPending();
  bool has_pending() const { return pending_cmd_ != VK_NULL_HANDLE; }
  // Submits pending commands plus `cmds` in order under one fence; `keep` stays referenced
  // until the GPU finished. Requires the device lock; returns the serial.
  Result<uint64_t> SubmitCommands(std::span<const VkCommandBuffer> cmds,
                                  std::vector<Ref<CommandBuffer>> keep);
  // Runs `fn` once `serial` completed (immediately when it already has).
  void DeferUntil(uint64_t serial, std::function<void()> fn);
  Result<StagingSlice> AcquireStaging(uint64_t size);
  // Requires: the slice is used by commands that complete with `serial`.
  void ReleaseStaging(const StagingSlice& slice, uint64_t serial);

  // Buffers alive on this device, for Destroy().
  void RegisterBuffer(Buffer* buffer);
  void UnregisterBuffer(Buffer* buffer);

  // The shaderc compiler, created on first use.
  void* shaderc_compiler();

  // The internal pipeline that copies indirect dispatch arguments into a scratch buffer, zeroing
  // them when any exceeds maxComputeWorkgroupsPerDimension (WebGPU: such a dispatch is a no-op).
  // Bindings: 0 = source buffer (whole), 1 = scratch; push constants {src_word, dst_word, max}.
  struct IndirectValidator {
    VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
    VkPipelineLayout layout = VK_NULL_HANDLE;
    VkPipeline pipeline = VK_NULL_HANDLE;
  };
  Result<const IndirectValidator*> indirect_validator();

 private:
  Device(Adapter* adapter, uint64_t lost_event_id);
  void RetireSubmissions(bool wait, uint64_t timeout_ns);
  bool WaitForSerialLocked(uint64_t serial, uint64_t timeout_ns);
  void RunDeferred();
  void SetUncapturedCallback(const WGPUUncapturedErrorCallbackInfo& info) { uncaptured_ = info; }

  struct Submission {
    uint64_t serial;
    VkFence fence;
    std::vector<VkCommandBuffer> internal_cmds;  // pending-write buffers to recycle
    std::vector<Ref<CommandBuffer>> keep;
  };
  struct Scope {
    WGPUErrorFilter filter;
    bool has_error = false;
    WGPUErrorType type = WGPUErrorType_NoError;
    std::string message;
  };
  struct Staging {
    vk::BufferAllocation allocation;
    uint64_t busy_until = 0;  // serial
    bool in_use = false;
  };

  Adapter* adapter_;  // holds a reference
  std::unique_ptr<vk::Device> vk_;
  std::unique_ptr<Queue> queue_;
  WGPULimits limits_{};
  std::vector<WGPUFeatureName> features_;
  uint64_t lost_event_id_;
  WGPUUncapturedErrorCallbackInfo uncaptured_{};
  std::chrono::nanoseconds gpu_timeout_{std::chrono::seconds(10)};
  // How long a wait polls its fence before it blocks: 3 ms on GPUs, 0 on CPU adapters
  // (WASMGPU_WAIT_SPIN_US overrides).
  std::chrono::nanoseconds wait_spin_{0};

  std::recursive_mutex mutex_;
  std::atomic<bool> lost_{false};
  std::vector<Scope> scopes_;
  std::atomic<uint64_t> completed_serial_{0};
  uint64_t last_submitted_serial_ = 0;
  std::deque<Submission> in_flight_;
  std::chrono::steady_clock::time_point front_started_;  // when in_flight_.front() began to run
  VkCommandBuffer pending_cmd_ = VK_NULL_HANDLE;
  std::vector<std::pair<uint64_t, std::function<void()>>> deferred_;
  std::vector<Staging> staging_;
  std::unordered_set<Buffer*> buffers_;
  void* shaderc_ = nullptr;
  bool registered_ = false;
  IndirectValidator indirect_validator_;
};

// The memory barrier recorded between commands of one command buffer: all compute/transfer
// writes become visible to later compute/transfer/indirect reads.
void RecordCommandBarrier(VkCommandBuffer cmd);
// The narrower barrier between two direct dispatches: compute-shader writes become visible to
// later compute-shader reads and writes. Waiting for the draw-indirect and transfer stages as
// well costs ~2.7 us per dispatch on NVIDIA (docs/decode-matvec.md), ~300 us of a 1B model's
// decode step.
void RecordDispatchBarrier(VkCommandBuffer cmd);
// Recorded at the end of every command buffer: GPU writes become visible to the host (mapped
// reads, host-mapped buffers) once the fence signaled, and to every later command buffer.
void RecordEndBarrier(VkCommandBuffer cmd);

}  // namespace wasmgpu::gpu
