// The device's one queue: submit, writeBuffer, onSubmittedWorkDone. Not reference counted on its
// own: wgpuQueueAddRef/Release count on the device, which owns the queue.
#pragma once

#include <string>

#include "gpu/object.h"

namespace wasmgpu::gpu {

class Buffer;
class Device;

class Queue {
 public:
  explicit Queue(Device* device) : device_(device) {}
  Device* device() const { return device_; }
  void SetLabel(std::string label) { label_ = std::move(label); }

  void Submit(size_t count, const WGPUCommandBuffer* commands);
  void WriteBuffer(Buffer* buffer, uint64_t offset, const void* data, size_t size);
  WGPUFuture OnSubmittedWorkDone(const WGPUQueueWorkDoneCallbackInfo& info);

 private:
  Device* device_;
  std::string label_;
};

}  // namespace wasmgpu::gpu
