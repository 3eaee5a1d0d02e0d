// Timestamp query sets (the TimestampQuery feature). Occlusion queries need render passes,
// which wasmgpu does not have.
#pragma once

#include "gpu/object.h"
#include "gpu/vk/vk_resources.h"

namespace wasmgpu::gpu {

class QuerySet : public DeviceObject {
 public:
  static Ref<QuerySet> Create(Device* device, const WGPUQuerySetDescriptor* desc);
  ~QuerySet() override;

  WGPUQueryType type() const { return type_; }
  uint32_t count() const { return count_; }
  bool destroyed() const { return destroyed_; }
  void Destroy();
  VkQueryPool vk_pool() const { return pool_; }
  uint64_t encoder_stamp = 0;
  uint64_t last_use_serial = 0;

 private:
  QuerySet(Device* device, const WGPUQuerySetDescriptor* desc);
  WGPUQueryType type_;
  uint32_t count_;
  bool destroyed_ = false;
  VkQueryPool pool_ = VK_NULL_HANDLE;
};

}  // namespace wasmgpu::gpu
