// Bind group layouts (buffer bindings only: wasmgpu is compute-only) and pipeline layouts.
#pragma once

#include <vector>

#include "base/result.h"
#include "gpu/object.h"
#include "gpu/vk/vk_resources.h"

namespace wasmgpu::gpu {

struct BindingLayout {
  uint32_t binding;
  WGPUBufferBindingType type;  // Uniform, Storage or ReadOnlyStorage
  bool dynamic;
  uint64_t min_binding_size;
  WGPUShaderStage visibility;
  bool operator==(const BindingLayout&) const = default;
};

class BindGroupLayout : public DeviceObject {
 public:
  static Ref<BindGroupLayout> Create(Device* device, const WGPUBindGroupLayoutDescriptor* desc);
  // For "auto" layouts: `owner` is the pipeline whose layout this is (WebGPU makes such layouts
  // compatible only with that pipeline's bind groups).
  static Result<Ref<BindGroupLayout>> CreateFromBindings(Device* device,
                                                         std::vector<BindingLayout> bindings,
                                                         const void* owner);
  ~BindGroupLayout() override;
  static Ref<BindGroupLayout> MakeInvalid(Ref<BindGroupLayout> layout) {
    layout->Invalidate();
    return layout;
  }

  const std::vector<BindingLayout>& bindings() const { return bindings_; }  // sorted by binding
  const BindingLayout* Find(uint32_t binding) const;
  uint32_t dynamic_count() const { return dynamic_count_; }
  VkDescriptorSetLayout vk_layout() const { return vk_layout_; }
  bool CompatibleWith(const BindGroupLayout& other) const;

 private:
  BindGroupLayout(Device* device, std::string label, bool valid);
  Status Initialize(std::vector<BindingLayout> bindings);

  std::vector<BindingLayout> bindings_;
  uint32_t dynamic_count_ = 0;
  const void* owner_ = nullptr;
  VkDescriptorSetLayout vk_layout_ = VK_NULL_HANDLE;
};

class PipelineLayout : public DeviceObject {
 public:
  static Ref<PipelineLayout> Create(Device* device, const WGPUPipelineLayoutDescriptor* desc);
  static Result<Ref<PipelineLayout>> CreateFromLayouts(Device* device,
                                                       std::vector<Ref<BindGroupLayout>> layouts,
                                                       uint32_t immediate_size);
  ~PipelineLayout() override;

  // One per bind group index in [0, group_count()); never null (unused slots are empty layouts).
  const std::vector<Ref<BindGroupLayout>>& groups() const { return groups_; }
  uint32_t immediate_size() const { return immediate_size_; }
  VkPipelineLayout vk_layout() const { return vk_layout_; }

 private:
  PipelineLayout(Device* device, std::string label, bool valid);
  Status Initialize(std::vector<Ref<BindGroupLayout>> layouts, uint32_t immediate_size);

  std::vector<Ref<BindGroupLayout>> groups_;
  uint32_t immediate_size_ = 0;
  VkPipelineLayout vk_layout_ = VK_NULL_HANDLE;
};

// Per-stage and per-layout binding counts against the device limits.
Status ValidateBindingCounts(const WGPULimits& limits,
                             const std::vector<const std::vector<BindingLayout>*>& layouts);

}  // namespace wasmgpu::gpu
