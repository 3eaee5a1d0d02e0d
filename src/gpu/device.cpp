#include "gpu/device.h"

#include <shaderc/shaderc.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "gpu/buffer.h"
#include "gpu/command_encoder.h"
#include "gpu/queue.h"
#include "gpu/vk/vk_check.h"

namespace wasmgpu::gpu {
namespace {

WGPUErrorType ToErrorType(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kValidation: return WGPUErrorType_Validation;
    case ErrorKind::kOutOfMemory: return WGPUErrorType_OutOfMemory;
    default: return WGPUErrorType_Internal;
  }
}

bool FilterMatches(WGPUErrorFilter filter, WGPUErrorType type) {
  switch (filter) {
    case WGPUErrorFilter_Validation: return type == WGPUErrorType_Validation;
    case WGPUErrorFilter_OutOfMemory: return type == WGPUErrorType_OutOfMemory;
    case WGPUErrorFilter_Internal: return type == WGPUErrorType_Internal;
    default: return false;
  }
}

}  // namespace

void RecordCommandBarrier(VkCommandBuffer cmd) {
  VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT |
                          VK_ACCESS_UNIFORM_READ_BIT | VK_ACCESS_TRANSFER_READ_BIT |
                          VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_INDIRECT_COMMAND_READ_BIT;
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                       VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT |
                           VK_PIPELINE_STAGE_DRAW_INDIRECT_BIT,
                       0, 1, &barrier, 0, nullptr, 0, nullptr);
}

void RecordDispatchBarrier(VkCommandBuffer cmd) {
  VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
  barrier.dstAccessMask =
      VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_UNIFORM_READ_BIT;
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                       VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &barrier, 0, nullptr, 0,
                       nullptr);
}

void RecordEndBarrier(VkCommandBuffer cmd) {
  // The second scope of a barrier covers every later command in submission order on the queue,
  // including later submits: one barrier here serves both the host (mapped reads, host-mapped
  // buffers, after the fence) and the next command buffer, which therefore needs no barrier of
  // its own before its first command.
  VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT | VK_ACCESS_SHADER_READ_BIT |
                          VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_UNIFORM_READ_BIT |
                          VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT |
                          VK_ACCESS_INDIRECT_COMMAND_READ_BIT;
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                       VK_PIPELINE_STAGE_HOST_BIT | VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT |
                           VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_DRAW_INDIRECT_BIT,
                       0, 1, &barrier, 0, nullptr, 0, nullptr);
}

Device::Device(Adapter* adapter, uint64_t lost_event_id)
    : adapter_(adapter), lost_event_id_(lost_event_id) {
  adapter_->AddRef();
  if (const char* env = std::getenv("WASMGPU_GPU_TIMEOUT_MS")) {
    long ms = std::strtol(env, nullptr, 10);
    if (ms > 0) gpu_timeout_ = std::chrono::milliseconds(ms);
  }
  // A wait polls its fence this long before it blocks: on the H100, a decode step that returns
  // its logits to the host (~0.8 ms of GPU work) was waited for in 1.9-2.6 ms when the host
  // blocked at once and 0.75-0.89 ms when it polled (bench/results/llama-h100-wait-spin.jsonl).
  // Not on CPU adapters, whose work runs on the cores the poll would take.
  wait_spin_ = adapter_->type() == WGPUAdapterType_CPU ? std::chrono::microseconds(0)
                                                       : std::chrono::microseconds(3000);
  if (const char* env = std::getenv("WASMGPU_WAIT_SPIN_US")) {
    long us = std::strtol(env, nullptr, 10);
    if (us >= 0) wait_spin_ = std::chrono::microseconds(us);
  }
}

Result<Ref<Device>> Device::Create(Adapter* adapter, const WGPUDeviceDescriptor* desc,
                                   uint64_t lost_event_id) {
  Ref<Device> device = Ref<Device>::Adopt(new Device(adapter, lost_event_id));
  device->features_.push_back(WGPUFeatureName_CoreFeaturesAndLimits);
  const WGPULimits* required = nullptr;
  if (desc != nullptr) {
    for (size_t i = 0; i < desc->requiredFeatureCount; ++i) {
      WGPUFeatureName f = desc->requiredFeatures[i];
      if (!adapter->HasFeature(f)) {
        return ValidationError("Required feature {} (0x{:x}) is not supported by adapter \"{}\".",
                               FeatureName(f), static_cast<uint32_t>(f),
                               adapter->info().properties.deviceName);
      }
      if (!device->HasFeature(f)) device->features_.push_back(f);
    }
    required = desc->requiredLimits;
    device->SetUncapturedCallback(desc->uncapturedErrorCallbackInfo);
  }
  TRY_ASSIGN(device->limits_, adapter->ResolveLimits(required));
  TRY_ASSIGN(device->vk_,
             vk::Device::Create(adapter->info(),
                                device->HasFeature(WGPUFeatureName_HostMappedPointer)));
  device->queue_ = std::make_unique<Queue>(device.get());
  adapter->instance()->RegisterDevice(device.get());
  device->registered_ = true;
  return device;
}

Device::~Device() {
  if (registered_) instance()->UnregisterDevice(this);
  {
    std::lock_guard lock(mutex_);
    // vk_ is null when requestDevice failed: there is no work and no Vulkan object to wait for.
    if (vk_ && !lost()) {
      // Let submitted work finish so objects can be destroyed; bounded by the GPU timeout.
      (void)FlushPending();
      WaitForSerialLocked(last_submitted_serial_, UINT64_MAX);
    }
    if (vk_) RetireSubmissions(false, 0);
    if (vk_ && !vk_->abandoned()) {
      for (auto& [serial, fn] : deferred_) fn();
      deferred_.clear();
    }
    if (pending_cmd_ != VK_NULL_HANDLE && vk_ && !vk_->abandoned()) {
      vkEndCommandBuffer(pending_cmd_);
      vk_->RecycleCommandBuffer(pending_cmd_);
    }
    for (Staging& s : staging_) {
      if (vk_) vk::DestroyBuffer(*vk_, s.allocation);
    }
    if (vk_) {
      vk::Destroy(*vk_, indirect_validator_.pipeline);
      vk::Destroy(*vk_, indirect_validator_.layout);
      vk::Destroy(*vk_, indirect_validator_.set_layout);
    }
    if (shaderc_ != nullptr) shaderc_compiler_release(static_cast<shaderc_compiler_t>(shaderc_));
  }
  if (!lost()) {
    lost_.store(true);
    instance()->ResolveDeviceLost(lost_event_id_, WGPUDeviceLostReason_Destroyed,
                                  "The device was released.", nullptr);
  }
  queue_.reset();
  vk_.reset();
  adapter_->Release();
}

bool Device::HasFeature(WGPUFeatureName feature) const {
  return std::find(features_.begin(), features_.end(), feature) != features_.end();
}

void Device::ConsumeError(Error error) {
  if (error.kind == ErrorKind::kDeviceLost) {
    Lose(WGPUDeviceLostReason_Unknown, error.message);
    return;
  }
  if (lost()) return;  // WebGPU: a lost device reports no further errors.
  WGPUErrorType type = ToErrorType(error.kind);
  {
    std::lock_guard lock(mutex_);
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
      if (!FilterMatches(it->filter, type)) continue;
      if (!it->has_error) {
        it->has_error = true;
        it->type = type;
        it->message = std::move(error.message);
      }
      return;
    }
  }
  if (uncaptured_.callback != nullptr) {
    WGPUDevice handle = reinterpret_cast<WGPUDevice>(this);
    uncaptured_.callback(&handle, type, ToView(error.message), uncaptured_.userdata1,
                         uncaptured_.userdata2);
  }
}

void Device::PushErrorScope(WGPUErrorFilter filter) {
  std::lock_guard lock(mutex_);
  scopes_.push_back(Scope{filter});
}

WGPUFuture Device::PopErrorScope(const WGPUPopErrorScopeCallbackInfo& info) {
  Event e{EventKind::kPopErrorScope};
  e.mode = info.mode;
  e.callback = reinterpret_cast<void (*)()>(info.callback);
  e.userdata1 = info.userdata1;
  e.userdata2 = info.userdata2;
  e.resolved = true;
  {
    std::lock_guard lock(mutex_);
    if (scopes_.empty()) {
      e.status = WGPUPopErrorScopeStatus_Error;
      e.type = WGPUErrorType_NoError;
      e.message = "No error scope to pop: the error scope stack is empty.";
    } else {
      Scope scope = std::move(scopes_.back());
      scopes_.pop_back();
      e.status = WGPUPopErrorScopeStatus_Success;
      // A lost device reports no errors, even ones captured before the loss.
      e.type = scope.has_error && !lost() ? scope.type : WGPUErrorType_NoError;
      if (e.type != WGPUErrorType_NoError) e.message = std::move(scope.message);
    }
  }
  return instance()->AddEvent(std::move(e));
}

void Device::Lose(WGPUDeviceLostReason reason, std::string message) {
  if (lost_.exchange(true)) return;
  instance()->ResolveDeviceLost(lost_event_id_, reason, std::move(message),
                                reinterpret_cast<WGPUDevice>(this));
}

void Device::Destroy() {
  Ref<Device> keep(this);
  std::lock_guard lock(mutex_);
  if (!lost()) {
    (void)FlushPending();
    WaitForSerialLocked(last_submitted_serial_, UINT64_MAX);
  }
  // Destroying a buffer unregisters it, so iterate over a copy.
  std::vector<Ref<Buffer>> buffers;
  for (Buffer* b : buffers_) {
    if (b->TryAddRef()) buffers.push_back(Ref<Buffer>::Adopt(b));
  }
  Lose(WGPUDeviceLostReason_Destroyed, "The device was destroyed.");
  for (auto& b : buffers) b->Destroy();
  RetireSubmissions(false, 0);
}

void Device::RetireSubmissions(bool wait, uint64_t timeout_ns) {
  auto now = std::chrono::steady_clock::now();
  while (!in_flight_.empty() && !vk_->abandoned()) {
    Submission& s = in_flight_.front();
    uint64_t wait_ns = 0;
    if (wait) {
      auto deadline = front_started_ + gpu_timeout_;
      auto left = std::max<std::chrono::nanoseconds>(deadline - now, std::chrono::nanoseconds(0));
      wait_ns = std::min<uint64_t>(timeout_ns, static_cast<uint64_t>(left.count()));
    }
    Result<bool> done = vk_->WaitFence(s.fence, 0);
    if (wait && done.ok() && !*done && wait_spin_.count() > 0) {
      // Poll before blocking (wait_spin_): a blocking fence wait can wake up late.
      const auto spin_end = now + std::min<std::chrono::nanoseconds>(
                                      wait_spin_, std::chrono::nanoseconds(wait_ns));
      while (done.ok() && !*done && std::chrono::steady_clock::now() < spin_end) {
        done = vk_->WaitFence(s.fence, 0);
      }
    }
    if (wait && done.ok() && !*done) done = vk_->WaitFence(s.fence, wait_ns);
    if (!done.ok()) {
      ConsumeError(std::move(done).error());  // device lost: Lose() via kDeviceLost
      if (!lost()) Lose(WGPUDeviceLostReason_Unknown, "Waiting for a submission failed.");
      vk_->Abandon();
      break;
    }
    now = std::chrono::steady_clock::now();
    if (!*done) {
      if (now - front_started_ >= gpu_timeout_) {
        // A shader that never ends (or a hung GPU): the device is lost. The Vulkan objects are
        // abandoned, not destroyed, because the GPU (or on lavapipe a CPU thread) may still run.
        Lose(WGPUDeviceLostReason_Unknown,
             fmt::format("A submission did not finish within {} ms (WASMGPU_GPU_TIMEOUT_MS); the "
                         "device is lost.",
                         std::chrono::duration_cast<std::chrono::milliseconds>(gpu_timeout_).count()));
        vk_->Abandon();
      }
      break;
    }
    vk_->RecycleFence(s.fence);
    for (VkCommandBuffer cmd : s.internal_cmds) vk_->RecycleCommandBuffer(cmd);
    completed_serial_.store(s.serial, std::memory_order_release);
    Submission retired = std::move(s);
    in_flight_.pop_front();
    front_started_ = now;
    retired.keep.clear();  // may destroy command buffers, bind groups, buffers
    if (wait) break;       // WaitForSerial loops; it re-checks the target between fences
  }
  if (vk_->abandoned() && !in_flight_.empty()) {
    // Nothing in flight will ever be known to finish: release the objects (their Vulkan handles
    // are leaked by the abandoned device) so that the API keeps working on error objects.
    std::deque<Submission> dropped = std::move(in_flight_);
    in_flight_.clear();
  }
  RunDeferred();
}

void Device::RunDeferred() {
  if (deferred_.empty()) return;
  uint64_t done = completed_serial();
  bool all = vk_->abandoned();
  std::vector<std::function<void()>> ready;
  auto it = std::stable_partition(deferred_.begin(), deferred_.end(),
                                  [&](const auto& d) { return !(all || d.first <= done); });
  for (auto i = it; i != deferred_.end(); ++i) ready.push_back(std::move(i->second));
  deferred_.erase(it, deferred_.end());
  for (auto& fn : ready) fn();
}

void Device::Tick() {
  Ref<Device> keep(this);
  std::lock_guard lock(mutex_);
  RetireSubmissions(false, 0);
}

bool Device::WaitForSerial(uint64_t serial, uint64_t timeout_ns) {
  Ref<Device> keep(this);
  std::lock_guard lock(mutex_);
  return WaitForSerialLocked(serial, timeout_ns);
}

bool Device::WaitForSerialLocked(uint64_t serial, uint64_t timeout_ns) {
  if (serial > last_submitted_serial_ && has_pending() && !lost()) {
    if (!Check(FlushPending())) return true;
  }
  auto start = std::chrono::steady_clock::now();
  while (completed_serial() < serial && !lost() && !in_flight_.empty()) {
    uint64_t elapsed = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                             start)
            .count());
    if (elapsed >= timeout_ns && timeout_ns != UINT64_MAX) {
      RetireSubmissions(false, 0);
      break;
    }
    RetireSubmissions(true, timeout_ns == UINT64_MAX ? UINT64_MAX : timeout_ns - elapsed);
    if (timeout_ns == 0) break;
  }
  return completed_serial() >= serial || lost();
}

Result<VkCommandBuffer> Device::PendingCommands() {
  if (pending_cmd_ == VK_NULL_HANDLE) {
    TRY_ASSIGN(pending_cmd_, vk_->BeginCommandBuffer());
  }
  return pending_cmd_;
}

Status Device::FlushPending() {
  if (pending_cmd_ == VK_NULL_HANDLE) return {};
  Result<uint64_t> serial = SubmitCommands({}, {});
  if (!serial.ok()) return std::move(serial).error();
  return {};
}

Result<uint64_t> Device::SubmitCommands(std::span<const VkCommandBuffer> cmds,
                                        std::vector<Ref<CommandBuffer>> keep) {
  VkCommandBuffer batch[16];
  std::vector<VkCommandBuffer> large;
  VkCommandBuffer* list = batch;
  size_t count = cmds.size() + (pending_cmd_ ? 1 : 0);
  if (count > 16) {
    large.resize(count);
    list = large.data();
  }
  Submission s;
  size_t n = 0;
  if (pending_cmd_ != VK_NULL_HANDLE) {
    RecordEndBarrier(pending_cmd_);
    TRY(vk::CheckVk(vkEndCommandBuffer(pending_cmd_), "vkEndCommandBuffer"));
    list[n++] = pending_cmd_;
    s.internal_cmds.push_back(pending_cmd_);
    pending_cmd_ = VK_NULL_HANDLE;
  }
  for (VkCommandBuffer c : cmds) list[n++] = c;
  TRY_ASSIGN(s.fence, vk_->AcquireFence());
  Status status = vk_->Submit(list, static_cast<uint32_t>(n), s.fence);
  if (!status.ok()) {
    vk_->RecycleFence(s.fence);
    for (VkCommandBuffer c : s.internal_cmds) vk_->RecycleCommandBuffer(c);
    return std::move(status).error();
  }
  s.serial = ++last_submitted_serial_;
  s.keep = std::move(keep);
  if (in_flight_.empty()) front_started_ = std::chrono::steady_clock::now();
  in_flight_.push_back(std::move(s));
  return last_submitted_serial_;
}

void Device::DeferUntil(uint64_t serial, std::function<void()> fn) {
  std::lock_guard lock(mutex_);
  if (serial <= completed_serial() || (vk_ && vk_->abandoned() && serial == 0)) {
    fn();
    return;
  }
  deferred_.emplace_back(serial, std::move(fn));
}

Result<StagingSlice> Device::AcquireStaging(uint64_t size) {
  uint64_t done = completed_serial();
  size_t best = SIZE_MAX;
  for (size_t i = 0; i < staging_.size(); ++i) {
    Staging& s = staging_[i];
    if (s.in_use && s.busy_until > done) continue;
    if (s.allocation.size < size) continue;
    if (best == SIZE_MAX || s.allocation.size < staging_[best].allocation.size) best = i;
  }
  if (best == SIZE_MAX) {
    uint64_t rounded = 64 * 1024;
    while (rounded < size) rounded *= 2;
    TRY_ASSIGN(vk::BufferAllocation a, vk::CreateBuffer(*vk_, rounded, vk::MemoryKind::kUpload));
    staging_.push_back(Staging{a});
    best = staging_.size() - 1;
  }
  Staging& s = staging_[best];
  s.in_use = true;
  s.busy_until = UINT64_MAX;
  return StagingSlice{s.allocation.buffer, s.allocation.mapped, best};
}

void Device::ReleaseStaging(const StagingSlice& slice, uint64_t serial) {
  staging_[slice.index].busy_until = serial;
}

void Device::RegisterBuffer(Buffer* buffer) {
  std::lock_guard lock(mutex_);
  buffers_.insert(buffer);
}

void Device::UnregisterBuffer(Buffer* buffer) {
  std::lock_guard lock(mutex_);
  buffers_.erase(buffer);
}

void* Device::shaderc_compiler() {
  std::lock_guard lock(mutex_);
  if (shaderc_ == nullptr) shaderc_ = shaderc_compiler_initialize();
  return shaderc_;
}

Result<const Device::IndirectValidator*> Device::indirect_validator() {
  std::lock_guard lock(mutex_);
  if (indirect_validator_.pipeline != VK_NULL_HANDLE) return &indirect_validator_;
  static const char* kSource = R"(#version 450
layout(local_size_x = 1) in;
layout(set = 0, binding = 0) readonly buffer Src { uint src[]; };
layout(set = 0, binding = 1) buffer Dst { uint dst[]; };
layout(push_constant) uniform P { uint src_word; uint dst_word; uint max_count; } p;
void main() {
  uint x = src[p.src_word], y = src[p.src_word + 1u], z = src[p.src_word + 2u];
  bool ok = x <= p.max_count && y <= p.max_count && z <= p.max_count;
  dst[p.dst_word] = ok ? x : 0u;
  dst[p.dst_word + 1u] = ok ? y : 0u;
  dst[p.dst_word + 2u] = ok ? z : 0u;
}
)";
  auto compiler = static_cast<shaderc_compiler_t>(shaderc_compiler());
  shaderc_compile_options_t options = shaderc_compile_options_initialize();
  shaderc_compile_options_set_target_env(options, shaderc_target_env_vulkan,
                                         shaderc_env_version_vulkan_1_1);
  shaderc_compilation_result_t result = shaderc_compile_into_spv(
      compiler, kSource, std::strlen(kSource), shaderc_compute_shader, "indirect.comp", "main",
      options);
  shaderc_compile_options_release(options);
  if (shaderc_result_get_compilation_status(result) != shaderc_compilation_status_success) {
    std::string log = shaderc_result_get_error_message(result);
    shaderc_result_release(result);
    return MakeError(ErrorKind::kInternal, "The indirect-dispatch validation shader failed to "
                                           "compile: {}", log);
  }
  const auto* words = reinterpret_cast<const uint32_t*>(shaderc_result_get_bytes(result));
  std::vector<uint32_t> spirv(words, words + shaderc_result_get_length(result) / 4);
  shaderc_result_release(result);
  vk::LayoutBinding bindings[2] = {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER},
                                   {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER}};
  IndirectValidator v;
  TRY_ASSIGN(v.set_layout, vk::CreateDescriptorSetLayout(*vk_, bindings));
  Result<VkPipelineLayout> layout = vk::CreatePipelineLayout(*vk_, {&v.set_layout, 1}, 12);
  if (!layout.ok()) {
    vk::Destroy(*vk_, v.set_layout);
    return std::move(layout).error();
  }
  v.layout = *layout;
  Result<VkPipeline> pipeline = vk::CreateComputePipeline(*vk_, v.layout, spirv, "main", nullptr);
  if (!pipeline.ok()) {
    vk::Destroy(*vk_, v.layout);
    vk::Destroy(*vk_, v.set_layout);
    return std::move(pipeline).error();
  }
  v.pipeline = *pipeline;
  indirect_validator_ = v;
  return &indirect_validator_;
}

}  // namespace wasmgpu::gpu
