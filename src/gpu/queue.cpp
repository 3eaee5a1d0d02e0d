#include "gpu/queue.h"

#include "gpu/buffer.h"
#include "gpu/command_encoder.h"
#include "gpu/device.h"
#include "gpu/query_set.h"

namespace wasmgpu::gpu {

void Queue::Submit(size_t count, const WGPUCommandBuffer* commands) {
  Device* d = device_;
  if (d->lost()) return;
  if (count > 0 && commands == nullptr) {
    d->ConsumeError(ValidationError("wgpuQueueSubmit got {} command buffers but a null array.", count));
    return;
  }
  std::lock_guard lock(d->mutex());
  auto validate = [&]() -> Status {
    for (size_t i = 0; i < count; ++i) {
      auto* cb = reinterpret_cast<CommandBuffer*>(commands[i]);
      if (cb == nullptr) return ValidationError("commands[{}] is null.", i);
      if (cb->device() != d) {
        return ValidationError("{} (commands[{}]) belongs to another device.", cb->Name(), i);
      }
      if (!cb->valid()) return ValidationError("{} (commands[{}]) is invalid.", cb->Name(), i);
      if (cb->submitted()) {
        return ValidationError("{} (commands[{}]) was already submitted.", cb->Name(), i);
      }
      for (const Ref<Buffer>& b : cb->buffers()) {
        TRY(b->ValidateUsable());
      }
      for (const Ref<QuerySet>& q : cb->query_sets()) {
        if (q->destroyed()) return ValidationError("{} is destroyed.", q->Name());
      }
    }
    return {};
  };
  Status status = validate();
  // Command buffers are consumed by a submit whether or not it is valid.
  VkCommandBuffer stack[8];
  std::vector<VkCommandBuffer> heap;
  VkCommandBuffer* list = stack;
  if (count > 8) {
    heap.resize(count);
    list = heap.data();
  }
  std::vector<Ref<CommandBuffer>> keep;
  keep.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    auto* cb = reinterpret_cast<CommandBuffer*>(commands[i]);
    if (cb == nullptr || cb->submitted() || !cb->valid()) continue;
    cb->MarkSubmitted();
    list[keep.size()] = cb->vk_command_buffer();
    keep.emplace_back(cb);
  }
  if (!status.ok()) {
    d->ConsumeError(std::move(status).error().With("While calling wgpuQueueSubmit."));
    return;
  }
  Result<uint64_t> serial = d->SubmitCommands({list, keep.size()}, keep);
  if (!serial.ok()) {
    d->ConsumeError(std::move(serial).error().With("While calling wgpuQueueSubmit."));
    return;
  }
  for (const Ref<CommandBuffer>& cb : keep) {
    for (const Ref<Buffer>& b : cb->buffers()) b->MarkUsed(*serial);
    for (const Ref<QuerySet>& q : cb->query_sets()) q->last_use_serial = *serial;
  }
}

void Queue::WriteBuffer(Buffer* buffer, uint64_t offset, const void* data, size_t size) {
  Device* d = device_;
  if (d->lost()) return;
  auto validate = [&]() -> Status {
    if (buffer == nullptr) return ValidationError("The buffer is null.");
    if (buffer->device() != d) return ValidationError("{} belongs to another device.", buffer->Name());
    TRY(buffer->ValidateUsable());
    if (!(buffer->usage() & WGPUBufferUsage_CopyDst)) {
      return ValidationError("{} usage ({}) does not contain CopyDst.", buffer->Name(),
                             UsageString(buffer->usage()));
    }
    if (offset % 4 != 0) return ValidationError("Buffer offset ({}) is not a multiple of 4.", offset);
    if (size % 4 != 0) return ValidationError("Write size ({}) is not a multiple of 4.", size);
    if (offset > buffer->size() || size > buffer->size() - offset) {
      return ValidationError("Write range [{}, {}) does not fit in {} of size {}.", offset,
                             offset + size, buffer->Name(), buffer->size());
    }
    if (size > 0 && data == nullptr) return ValidationError("Write data is null.");
    return {};
  };
  Status status = validate();
  if (status.ok()) {
    std::lock_guard lock(d->mutex());
    status = buffer->Write(offset, data, size);
  }
  if (!status.ok()) d->ConsumeError(std::move(status).error().With("While calling wgpuQueueWriteBuffer."));
}

WGPUFuture Queue::OnSubmittedWorkDone(const WGPUQueueWorkDoneCallbackInfo& info) {
  Device* d = device_;
  Event e{EventKind::kWorkDone};
  e.mode = info.mode;
  e.callback = reinterpret_cast<void (*)()>(info.callback);
  e.userdata1 = info.userdata1;
  e.userdata2 = info.userdata2;
  e.status = WGPUQueueWorkDoneStatus_Success;
  {
    std::lock_guard lock(d->mutex());
    // Queue writes made so far count as submitted work.
    if (d->has_pending() && !d->lost()) d->Check(d->FlushPending());
    e.device = d;
    e.serial = d->last_submitted_serial();
  }
  return d->instance()->AddEvent(std::move(e));
}

}  // namespace wasmgpu::gpu
