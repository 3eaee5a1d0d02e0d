#include "gpu/bind_group_layout.h"

#include <algorithm>

#include "gpu/device.h"

namespace wasmgpu::gpu {

Status ValidateBindingCounts(const WGPULimits& limits,
                             const std::vector<const std::vector<BindingLayout>*>& layouts) {
  uint32_t dyn_uniform = 0, dyn_storage = 0, uniform = 0, storage = 0;
  for (const std::vector<BindingLayout>* l : layouts) {
    if (l == nullptr) continue;
    for (const BindingLayout& b : *l) {
      bool is_uniform = b.type == WGPUBufferBindingType_Uniform;
      (is_uniform ? uniform : storage)++;
      if (b.dynamic) (is_uniform ? dyn_uniform : dyn_storage)++;
    }
  }
  if (dyn_uniform > limits.maxDynamicUniformBuffersPerPipelineLayout) {
    return ValidationError("The number of dynamic uniform buffers ({}) exceeds "
                           "maxDynamicUniformBuffersPerPipelineLayout ({}).",
                           dyn_uniform, limits.maxDynamicUniformBuffersPerPipelineLayout);
  }
  if (dyn_storage > limits.maxDynamicStorageBuffersPerPipelineLayout) {
    return ValidationError("The number of dynamic storage buffers ({}) exceeds "
                           "maxDynamicStorageBuffersPerPipelineLayout ({}).",
                           dyn_storage, limits.maxDynamicStorageBuffersPerPipelineLayout);
  }
  if (storage > limits.maxStorageBuffersPerShaderStage) {
    return ValidationError("The number of storage buffers ({}) in the compute stage exceeds "
                           "maxStorageBuffersPerShaderStage ({}).",
                           storage, limits.maxStorageBuffersPerShaderStage);
  }
  if (uniform > limits.maxUniformBuffersPerShaderStage) {
    return ValidationError("The number of uniform buffers ({}) in the compute stage exceeds "
                           "maxUniformBuffersPerShaderStage ({}).",
                           uniform, limits.maxUniformBuffersPerShaderStage);
  }
  return {};
}

BindGroupLayout::BindGroupLayout(Device* device, std::string label, bool valid)
    : DeviceObject(device, "BindGroupLayout", std::move(label), valid) {}

BindGroupLayout::~BindGroupLayout() { vk::Destroy(device()->vk(), vk_layout_); }

Status BindGroupLayout::Initialize(std::vector<BindingLayout> bindings) {
  std::sort(bindings.begin(), bindings.end(),
            [](const auto& a, const auto& b) { return a.binding < b.binding; });
  bindings_ = std::move(bindings);
  std::vector<vk::LayoutBinding> vk_bindings;
  for (const BindingLayout& b : bindings_) {
    bool uniform = b.type == WGPUBufferBindingType_Uniform;
    if (b.dynamic) dynamic_count_++;
    VkDescriptorType type = uniform ? (b.dynamic ? VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC
                                                 : VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER)
                                    : (b.dynamic ? VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC
                                                 : VK_DESCRIPTOR_TYPE_STORAGE_BUFFER);
    vk_bindings.push_back({b.binding, type});
  }
  TRY_ASSIGN(vk_layout_, vk::CreateDescriptorSetLayout(device()->vk(), vk_bindings));
  return {};
}

Ref<BindGroupLayout> BindGroupLayout::Create(Device* device,
                                             const WGPUBindGroupLayoutDescriptor* desc) {
  Ref<BindGroupLayout> layout =
      Ref<BindGroupLayout>::Adopt(new BindGroupLayout(device, ToString(desc->label), true));
  auto build = [&]() -> Status {
    if (device->lost()) return MakeError(ErrorKind::kDeviceLost, "");
    if (desc->entryCount > 0 && desc->entries == nullptr) {
      return ValidationError("entryCount is {} but entries is null.", desc->entryCount);
    }
    const WGPULimits& limits = device->limits();
    std::vector<BindingLayout> bindings;
    for (size_t i = 0; i < desc->entryCount; ++i) {
      const WGPUBindGroupLayoutEntry& e = desc->entries[i];
      auto where = [&](Error error) { return std::move(error).With(fmt::format("While validating entries[{}].", i)); };
      if (e.binding >= limits.maxBindingsPerBindGroup) {
        return where(ValidationError("Binding number ({}) exceeds maxBindingsPerBindGroup ({}).",
                                     e.binding, limits.maxBindingsPerBindGroup));
      }
      for (const BindingLayout& b : bindings) {
        if (b.binding == e.binding) {
          return where(ValidationError("Binding number ({}) is used more than once.", e.binding));
        }
      }
      if (e.visibility & ~(WGPUShaderStage_Vertex | WGPUShaderStage_Fragment |
                           WGPUShaderStage_Compute)) {
        return where(ValidationError("Visibility (0x{:x}) contains unknown shader stages.",
                                     e.visibility));
      }
      if (e.bindingArraySize > 1) {
        return where(ValidationError("bindingArraySize ({}) must be 0 or 1 for a buffer binding.",
                                     e.bindingArraySize));
      }
      WGPUBufferBindingType type = e.buffer.type;
      if (type == WGPUBufferBindingType_BindingNotUsed) {
        return where(ValidationError("Binding {} has no buffer layout; wasmgpu supports buffer "
                                     "bindings only.", e.binding));
      }
      if (type == WGPUBufferBindingType_Undefined) type = WGPUBufferBindingType_Uniform;
      if (type != WGPUBufferBindingType_Uniform && type != WGPUBufferBindingType_Storage &&
          type != WGPUBufferBindingType_ReadOnlyStorage) {
        return where(ValidationError("Buffer binding type (0x{:x}) is not valid.",
                                     static_cast<uint32_t>(type)));
      }
      if (type == WGPUBufferBindingType_Storage && (e.visibility & WGPUShaderStage_Vertex)) {
        return where(ValidationError("A Storage binding ({}) cannot be visible to the vertex stage.",
                                     e.binding));
      }
      bindings.push_back({e.binding, type, e.buffer.hasDynamicOffset != 0,
                          e.buffer.minBindingSize, e.visibility});
    }
    TRY(ValidateBindingCounts(limits, {&bindings}));
    return layout->Initialize(std::move(bindings));
  };
  Status status = build();
  if (!status.ok()) {
    layout->Invalidate();
    if (status.error().kind != ErrorKind::kDeviceLost) {
      device->ConsumeError(std::move(status).error().With(
          fmt::format("While calling wgpuDeviceCreateBindGroupLayout({}).", layout->Name())));
    }
  }
  return layout;
}

Result<Ref<BindGroupLayout>> BindGroupLayout::CreateFromBindings(
    Device* device, std::vector<BindingLayout> bindings, const void* owner) {
  Ref<BindGroupLayout> layout =
      Ref<BindGroupLayout>::Adopt(new BindGroupLayout(device, "", true));
  layout->owner_ = owner;
  TRY(layout->Initialize(std::move(bindings)));
  return layout;
}

const BindingLayout* BindGroupLayout::Find(uint32_t binding) const {
  auto it = std::lower_bound(bindings_.begin(), bindings_.end(), binding,
                             [](const BindingLayout& b, uint32_t n) { return b.binding < n; });
  return it != bindings_.end() && it->binding == binding ? &*it : nullptr;
}

bool BindGroupLayout::CompatibleWith(const BindGroupLayout& other) const {
  if (this == &other) return true;
  if (owner_ != other.owner_) return false;
  return bindings_ == other.bindings_;
}

PipelineLayout::PipelineLayout(Device* device, std::string label, bool valid)
    : DeviceObject(device, "PipelineLayout", std::move(label), valid) {}

PipelineLayout::~PipelineLayout() { vk::Destroy(device()->vk(), vk_layout_); }

Status PipelineLayout::Initialize(std::vector<Ref<BindGroupLayout>> layouts,
                                  uint32_t immediate_size) {
  std::vector<VkDescriptorSetLayout> sets;
  for (Ref<BindGroupLayout>& l : layouts) {
    if (!l) {
      TRY_ASSIGN(l, BindGroupLayout::CreateFromBindings(device(), {}, nullptr));
    }
    sets.push_back(l->vk_layout());
  }
  groups_ = std::move(layouts);
  immediate_size_ = immediate_size;
  TRY_ASSIGN(vk_layout_, vk::CreatePipelineLayout(device()->vk(), sets, immediate_size));
  return {};
}

Ref<PipelineLayout> PipelineLayout::Create(Device* device,
                                           const WGPUPipelineLayoutDescriptor* desc) {
  Ref<PipelineLayout> layout =
      Ref<PipelineLayout>::Adopt(new PipelineLayout(device, ToString(desc->label), true));
  auto build = [&]() -> Status {
    if (device->lost()) return MakeError(ErrorKind::kDeviceLost, "");
    const WGPULimits& limits = device->limits();
    if (desc->bindGroupLayoutCount > limits.maxBindGroups) {
      return ValidationError("bindGroupLayoutCount ({}) exceeds maxBindGroups ({}).",
                             desc->bindGroupLayoutCount, limits.maxBindGroups);
    }
    if (desc->bindGroupLayoutCount > 0 && desc->bindGroupLayouts == nullptr) {
      return ValidationError("bindGroupLayoutCount is {} but bindGroupLayouts is null.",
                             desc->bindGroupLayoutCount);
    }
    if (desc->immediateSize % 4 != 0) {
      return ValidationError("immediateSize ({}) is not a multiple of 4.", desc->immediateSize);
    }
    if (desc->immediateSize > limits.maxImmediateSize) {
      return ValidationError("immediateSize ({}) exceeds maxImmediateSize ({}).",
                             desc->immediateSize, limits.maxImmediateSize);
    }
    std::vector<Ref<BindGroupLayout>> layouts;
    std::vector<const std::vector<BindingLayout>*> raw;
    for (size_t i = 0; i < desc->bindGroupLayoutCount; ++i) {
      auto* l = reinterpret_cast<BindGroupLayout*>(desc->bindGroupLayouts[i]);
      if (l != nullptr) {
        if (l->device() != device) {
          return ValidationError("bindGroupLayouts[{}] belongs to another device.", i);
        }
        if (!l->valid()) return ValidationError("bindGroupLayouts[{}] {} is invalid.", i, l->Name());
      }
      layouts.emplace_back(l);
      raw.push_back(l ? &l->bindings() : nullptr);
    }
    TRY(ValidateBindingCounts(limits, raw));
    return layout->Initialize(std::move(layouts), desc->immediateSize);
  };
  Status status = build();
  if (!status.ok()) {
    layout->Invalidate();
    if (status.error().kind != ErrorKind::kDeviceLost) {
      device->ConsumeError(std::move(status).error().With(
          fmt::format("While calling wgpuDeviceCreatePipelineLayout({}).", layout->Name())));
    }
  }
  return layout;
}

Result<Ref<PipelineLayout>> PipelineLayout::CreateFromLayouts(
    Device* device, std::vector<Ref<BindGroupLayout>> layouts, uint32_t immediate_size) {
  Ref<PipelineLayout> layout = Ref<PipelineLayout>::Adopt(new PipelineLayout(device, "", true));
  TRY(layout->Initialize(std::move(layouts), immediate_size));
  return layout;
}

}  // namespace wasmgpu::gpu
