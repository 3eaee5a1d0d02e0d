// Bind groups: buffers bound to a layout's bindings, with offsets, sizes and dynamic offsets.
#pragma once

#include <vector>

#include "gpu/bind_group_layout.h"
#include "gpu/buffer.h"
#include "gpu/object.h"
#include "gpu/vk/vk_device.h"

namespace wasmgpu::gpu {

struct BoundBuffer {
  Ref<Buffer> buffer;
  uint64_t offset;
  uint64_t size;
  BindingLayout layout;
};

class BindGroup : public DeviceObject {
 public:
  static Ref<BindGroup> Create(Device* device, const WGPUBindGroupDescriptor* desc);
  ~BindGroup() override;

  BindGroupLayout* layout() const { return layout_.get(); }
  // Sorted by binding number, so dynamic bindings appear in dynamic-offset order.
  const std::vector<BoundBuffer>& buffers() const { return buffers_; }
  VkDescriptorSet vk_set() const { return set_.set; }
  uint64_t encoder_stamp = 0;

 private:
  BindGroup(Device* device, std::string label, bool valid);
  Status Initialize(const WGPUBindGroupDescriptor* desc);

  Ref<BindGroupLayout> layout_;
  std::vector<BoundBuffer> buffers_;
  vk::DescriptorSet set_;
};

}  // namespace wasmgpu::gpu
