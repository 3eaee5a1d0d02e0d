// Buffers: creation rules, the mapping state machine, and host-mapped (zero-copy) buffers.
#pragma once

#include <vector>

#include "base/result.h"
#include "gpu/object.h"
#include "gpu/vk/vk_resources.h"

namespace wasmgpu::gpu {

class Device;
struct Event;

// "MapRead|CopyDst", for messages.
std::string UsageString(WGPUBufferUsage usage);

class Buffer : public DeviceObject {
 public:
  // Validates `desc` (reporting errors to the device) and returns a buffer, invalid on error.
  // Returns null only when mappedAtCreation asks for a mapping that cannot be allocated.
  static Ref<Buffer> Create(Device* device, const WGPUBufferDescriptor* desc);
  ~Buffer() override;

  enum class State { kUnmapped, kPending, kMapped, kMappedAtCreation, kDestroyed };

  uint64_t size() const { return size_; }
  WGPUBufferUsage usage() const { return usage_; }
  State state() const { return state_; }
  WGPUBufferMapState map_state() const;
  bool host_mapped() const { return host_mapped_; }
  VkBuffer vk_buffer() const { return allocation_.buffer; }

  // Queue-timeline bookkeeping (device lock): the serial of the last submission using it.
  uint64_t last_use_serial() const { return last_use_serial_; }
  void MarkUsed(uint64_t serial) { last_use_serial_ = serial; }
  // Dedupes a buffer within one command encoder (the encoder's unique id).
  uint64_t encoder_stamp = 0;

  // Checks that the buffer may be used by a submission or queue write: valid, not destroyed,
  // not mapped or pending.
  Status ValidateUsable() const;

  WGPUFuture MapAsync(WGPUMapMode mode, size_t offset, size_t size,
                      const WGPUBufferMapCallbackInfo& info);
  // Returns null (no device error, as in webgpu.h) when the range cannot be returned.
  void* GetMappedRange(size_t offset, size_t size, bool writable);
  void Unmap();
  void Destroy();
  // queue.writeBuffer after validation: requires the device lock.
  Status Write(uint64_t offset, const void* data, size_t size);

  // Finishes a map when its event fires; returns the WGPUMapAsyncStatus.
  uint32_t CompleteMap(Event& e);

 private:
  Buffer(Device* device, const WGPUBufferDescriptor* desc, bool valid);
  Status Initialize(const WGPUBufferDescriptor* desc, const WGPUBufferHostMappedPointer* host);
  Status ValidateDescriptor(const WGPUBufferDescriptor* desc,
                            const WGPUBufferHostMappedPointer* host) const;
  void ReleaseResources();

  uint64_t size_;
  WGPUBufferUsage usage_;
  State state_ = State::kUnmapped;
  bool host_mapped_ = false;
  vk::BufferAllocation allocation_;
  uint64_t last_use_serial_ = 0;

  // Mapping.
  WGPUMapMode map_mode_ = WGPUMapMode_None;
  size_t map_offset_ = 0;
  size_t map_size_ = 0;
  uint64_t map_event_ = 0;
  uint8_t* map_base_ = nullptr;  // pointer to byte 0 of the buffer while mapped
  std::vector<std::pair<size_t, size_t>> handed_out_;  // GetMappedRange ranges (overlap rule)
  bool has_staging_ = false;   // mappedAtCreation through a staging buffer
  size_t staging_index_ = 0;
  VkBuffer staging_buffer_ = VK_NULL_HANDLE;
  std::vector<uint8_t> error_mapping_;  // mappedAtCreation of an invalid buffer

  WGPUCallback dispose_ = nullptr;
  void* dispose_userdata_ = nullptr;
};

}  // namespace wasmgpu::gpu
