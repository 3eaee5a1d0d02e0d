// Vulkan objects behind WebGPU buffers, layouts, pipelines and query sets. Trusting: sizes,
// usages and layouts were validated by src/gpu; each function states what it requires.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <span>

#include "base/result.h"
#include "gpu/vk/vk_device.h"

namespace wasmgpu::vk {

enum class MemoryKind {
  kDeviceLocal,  // GPU-resident; host-mapped too where the memory happens to be host-visible
  kUpload,       // host-visible + coherent, for MapWrite and staging
  kReadback,     // host-visible + coherent, preferably HOST_CACHED, for MapRead
};

struct BufferAllocation {
  VkBuffer buffer = VK_NULL_HANDLE;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  void* mapped = nullptr;  // persistent mapping when the memory is host-visible
  uint64_t size = 0;       // the VkBuffer's size (>= the WebGPU size, multiple of 4)
};

// Creates a buffer of `size` bytes (requires: size > 0, multiple of 4) usable as storage,
// uniform, indirect and transfer source/destination. Contents are undefined.
Result<BufferAllocation> CreateBuffer(Device& device, uint64_t size, MemoryKind kind);

// Wraps host memory [pointer, pointer + size) as a buffer (VK_EXT_external_memory_host).
// Requires: the device was created with import_host_memory; pointer and size are multiples of
// minImportedHostPointerAlignment; the memory stays valid until DestroyBuffer and no pending GPU
// work uses it. Chooses among the memory types the import allows, preferring HOST_CACHED so the
// CPU reads results fast. `mapped` is `pointer`.
Result<BufferAllocation> ImportHostBuffer(Device& device, void* pointer, uint64_t size);

// Requires: no pending GPU work uses the buffer.
void DestroyBuffer(Device& device, BufferAllocation& allocation);

struct LayoutBinding {
  uint32_t binding;
  VkDescriptorType type;  // STORAGE_BUFFER(_DYNAMIC) or UNIFORM_BUFFER(_DYNAMIC)
};
Result<VkDescriptorSetLayout> CreateDescriptorSetLayout(Device& device,
                                                        std::span<const LayoutBinding> bindings);
// `push_constant_size` 0 means no range; otherwise one COMPUTE range [0, size).
Result<VkPipelineLayout> CreatePipelineLayout(Device& device,
                                              std::span<const VkDescriptorSetLayout> sets,
                                              uint32_t push_constant_size);

// Requires: `spirv` passed SPIR-V validation and wasmgpu's checks; `entry_point` is one of its
// GLCompute entry points; `layout` matches its resources.
Result<VkPipeline> CreateComputePipeline(Device& device, VkPipelineLayout layout,
                                         std::span<const uint32_t> spirv, const char* entry_point,
                                         const VkSpecializationInfo* specialization);

Result<VkQueryPool> CreateTimestampQueryPool(Device& device, uint32_t count);

// Destroy helpers; each requires that no pending GPU work uses the object. No-ops on an
// abandoned device (see Device::Abandon).
void Destroy(Device& device, VkDescriptorSetLayout layout);
void Destroy(Device& device, VkPipelineLayout layout);
void Destroy(Device& device, VkPipeline pipeline);
void Destroy(Device& device, VkQueryPool pool);

}  // namespace wasmgpu::vk
