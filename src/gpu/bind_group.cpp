#include "gpu/bind_group.h"

#include <algorithm>

#include "gpu/device.h"

namespace wasmgpu::gpu {

BindGroup::BindGroup(Device* device, std::string label, bool valid)
    : DeviceObject(device, "BindGroup", std::move(label), valid) {}

BindGroup::~BindGroup() {
  if (set_.set != VK_NULL_HANDLE) {
    std::lock_guard lock(device()->mutex());
    device()->vk().FreeDescriptorSet(set_);
  }
}

Status BindGroup::Initialize(const WGPUBindGroupDescriptor* desc) {
  Device* d = device();
  const WGPULimits& limits = d->limits();
  auto* layout = reinterpret_cast<BindGroupLayout*>(desc->layout);
  if (layout == nullptr) return ValidationError("The bind group layout is null.");
  if (layout->device() != d) return ValidationError("{} belongs to another device.", layout->Name());
  if (!layout->valid()) return ValidationError("{} is invalid.", layout->Name());
  layout_ = layout;
  if (desc->entryCount > 0 && desc->entries == nullptr) {
    return ValidationError("entryCount is {} but entries is null.", desc->entryCount);
  }
  if (desc->entryCount != layout->bindings().size()) {
    return ValidationError("The number of entries ({}) does not match the number of bindings in "
                           "{} ({}).",
                           desc->entryCount, layout->Name(), layout->bindings().size());
  }
  for (size_t i = 0; i < desc->entryCount; ++i) {
    const WGPUBindGroupEntry& e = desc->entries[i];
    auto where = [&](Error error) {
      return std::move(error).With(fmt::format("While validating entries[{}] (binding {}).", i, e.binding));
    };
    const BindingLayout* b = layout->Find(e.binding);
    if (b == nullptr) {
      return where(ValidationError("Binding {} is not in {}.", e.binding, layout->Name()));
    }
    for (const BoundBuffer& prev : buffers_) {
      if (prev.layout.binding == e.binding) {
        return where(ValidationError("Binding {} appears more than once.", e.binding));
      }
    }
    auto* buffer = reinterpret_cast<Buffer*>(e.buffer);
    if (buffer == nullptr) return where(ValidationError("Binding {} has no buffer.", e.binding));
    if (buffer->device() != d) return where(ValidationError("{} belongs to another device.", buffer->Name()));
    if (!buffer->valid()) return where(ValidationError("{} is invalid.", buffer->Name()));
    bool uniform = b->type == WGPUBufferBindingType_Uniform;
    WGPUBufferUsage needed = uniform ? WGPUBufferUsage_Uniform : WGPUBufferUsage_Storage;
    if (!(buffer->usage() & needed)) {
      return where(ValidationError("{} usage ({}) does not contain {}, which a {} binding needs.",
                                   buffer->Name(), UsageString(buffer->usage()),
                                   UsageString(needed), uniform ? "Uniform" : "storage"));
    }
    uint32_t align = uniform ? limits.minUniformBufferOffsetAlignment
                             : limits.minStorageBufferOffsetAlignment;
    if (e.offset % align != 0) {
      return where(ValidationError("Offset ({}) is not a multiple of {} ({}).", e.offset,
                                   uniform ? "minUniformBufferOffsetAlignment"
                                           : "minStorageBufferOffsetAlignment",
                                   align));
    }
    if (e.offset > buffer->size()) {
      return where(ValidationError("Offset ({}) is larger than the size ({}) of {}.", e.offset,
                                   buffer->size(), buffer->Name()));
    }
    uint64_t size = e.size == WGPU_WHOLE_SIZE ? buffer->size() - e.offset : e.size;
    if (size > buffer->size() - e.offset) {
      return where(ValidationError("Binding range [{}, {}) does not fit in {} of size {}.",
                                   e.offset, e.offset + size, buffer->Name(), buffer->size()));
    }
    if (size == 0) return where(ValidationError("Binding size is 0."));
    if (size < b->min_binding_size) {
      return where(ValidationError("Binding size ({}) is smaller than minBindingSize ({}).", size,
                                   b->min_binding_size));
    }
    if (uniform && size > limits.maxUniformBufferBindingSize) {
      return where(ValidationError("Binding size ({}) exceeds maxUniformBufferBindingSize ({}).",
                                   size, limits.maxUniformBufferBindingSize));
    }
    if (!uniform && size > limits.maxStorageBufferBindingSize) {
      return where(ValidationError("Binding size ({}) exceeds maxStorageBufferBindingSize ({}).",
                                   size, limits.maxStorageBufferBindingSize));
    }
    if (!uniform && size % 4 != 0) {
      return where(ValidationError("Storage binding size ({}) is not a multiple of 4.", size));
    }
    buffers_.push_back({Ref<Buffer>(buffer), e.offset, size, *b});
  }
  std::sort(buffers_.begin(), buffers_.end(),
            [](const auto& a, const auto& b) { return a.layout.binding < b.layout.binding; });

  std::lock_guard lock(d->mutex());
  TRY_ASSIGN(set_, d->vk().AllocateDescriptorSet(layout->vk_layout()));
  std::vector<VkDescriptorBufferInfo> infos(buffers_.size());
  std::vector<VkWriteDescriptorSet> writes(buffers_.size());
  for (size_t i = 0; i < buffers_.size(); ++i) {
    const BoundBuffer& bb = buffers_[i];
    // A destroyed buffer may still be bound (the error comes at submit); give Vulkan a live one.
    infos[i] = {bb.buffer->vk_buffer(), bb.offset, bb.size};
    VkWriteDescriptorSet& w = writes[i];
    w = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    w.dstSet = set_.set;
    w.dstBinding = bb.layout.binding;
    w.descriptorCount = 1;
    bool uniform = bb.layout.type == WGPUBufferBindingType_Uniform;
    w.descriptorType = uniform ? (bb.layout.dynamic ? VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC
                                                    : VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER)
                               : (bb.layout.dynamic ? VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC
                                                    : VK_DESCRIPTOR_TYPE_STORAGE_BUFFER);
    w.pBufferInfo = &infos[i];
    if (infos[i].buffer == VK_NULL_HANDLE) {
      return ValidationError("{} is destroyed.", bb.buffer->Name());
    }
  }
  vkUpdateDescriptorSets(d->vk().handle(), static_cast<uint32_t>(writes.size()), writes.data(), 0,
                         nullptr);
  return {};
}

Ref<BindGroup> BindGroup::Create(Device* device, const WGPUBindGroupDescriptor* desc) {
  Ref<BindGroup> group = Ref<BindGroup>::Adopt(new BindGroup(device, ToString(desc->label), true));
  Status status = device->lost() ? Status(MakeError(ErrorKind::kDeviceLost, ""))
                                 : group->Initialize(desc);
  if (!status.ok()) {
    group->Invalidate();
    if (status.error().kind != ErrorKind::kDeviceLost) {
      device->ConsumeError(std::move(status).error().With(
          fmt::format("While calling wgpuDeviceCreateBindGroup({}).", group->Name())));
    }
  }
  return group;
}

}  // namespace wasmgpu::gpu
