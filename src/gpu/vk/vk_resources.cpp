#include "gpu/vk/vk_resources.h"

#include <vector>

#include "gpu/vk/vk_check.h"

namespace wasmgpu::vk {
namespace {

constexpr VkBufferUsageFlags kAllBufferUsages =
    VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT |
    VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT |
    VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT;

Status AllocateAndBind(Device& device, BufferAllocation& a, uint32_t type,
                       VkDeviceSize alloc_size, const void* pnext) {
  VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  alloc.pNext = pnext;
  alloc.allocationSize = alloc_size;
  alloc.memoryTypeIndex = type;
  VK_TRY(vkAllocateMemory(device.handle(), &alloc, nullptr, &a.memory));
  VK_TRY(vkBindBufferMemory(device.handle(), a.buffer, a.memory, 0));
  return {};
}

}  // namespace

Result<BufferAllocation> CreateBuffer(Device& device, uint64_t size, MemoryKind kind) {
  BufferAllocation a;
  a.size = size;
  VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  info.size = size;
  info.usage = kAllBufferUsages;
  info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VK_TRY(vkCreateBuffer(device.handle(), &info, nullptr, &a.buffer));
  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(device.handle(), a.buffer, &req);

  constexpr VkMemoryPropertyFlags kHost =
      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  bool discrete = device.info().properties.deviceType == VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU;
  int32_t type = -1;
  switch (kind) {
    case MemoryKind::kDeviceLocal:
      // On a discrete GPU keep resident data out of the small BAR window; elsewhere all memory
      // is host-visible and mapping it lets writeBuffer skip the staging copy.
      type = discrete ? device.FindMemoryType(req.memoryTypeBits,
                                              VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0,
                                              VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT)
                      : device.FindMemoryType(req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT,
                                              kHost, 0);
      if (type < 0) type = device.FindMemoryType(req.memoryTypeBits, 0, 0, 0);
      break;
    case MemoryKind::kUpload:
      type = device.FindMemoryType(req.memoryTypeBits, kHost, 0, VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
      break;
    case MemoryKind::kReadback:
      type = device.FindMemoryType(req.memoryTypeBits, kHost, VK_MEMORY_PROPERTY_HOST_CACHED_BIT, 0);
      break;
  }
  if (type < 0) {
    DestroyBuffer(device, a);
    return MakeError(ErrorKind::kInternal, "No Vulkan memory type fits a buffer of {} bytes.", size);
  }
  Status status = AllocateAndBind(device, a, static_cast<uint32_t>(type), req.size, nullptr);
  VkMemoryPropertyFlags flags = device.info().memory.memoryTypes[type].propertyFlags;
  if (status.ok() && (flags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) &&
      (flags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT)) {
    status = CheckVk(vkMapMemory(device.handle(), a.memory, 0, VK_WHOLE_SIZE, 0, &a.mapped),
                     "vkMapMemory");
  }
  if (!status.ok()) {
    DestroyBuffer(device, a);
    return std::move(status).error();
  }
  return a;
}

Result<BufferAllocation> ImportHostBuffer(Device& device, void* pointer, uint64_t size) {
  BufferAllocation a;
  a.size = size;
  VkExternalMemoryBufferCreateInfo external{VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO};
  external.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;
  VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  info.pNext = &external;
  info.size = size;
  info.usage = kAllBufferUsages;
  info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VK_TRY(vkCreateBuffer(device.handle(), &info, nullptr, &a.buffer));

  VkMemoryHostPointerPropertiesEXT host_props{
      VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT};
  Status status = CheckVk(device.get_memory_host_pointer_properties(
                              device.handle(), VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT,
                              pointer, &host_props),
                          "vkGetMemoryHostPointerPropertiesEXT");
  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(device.handle(), a.buffer, &req);
  int32_t type = -1;
  if (status.ok()) {
    uint32_t bits = host_props.memoryTypeBits & req.memoryTypeBits;
    // Coherent memory is required: the owner reads results directly, with no invalidate call
    // in between. HOST_CACHED makes those CPU reads fast (uncached reads are ~10x slower).
    type = device.FindMemoryType(
        bits, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
        VK_MEMORY_PROPERTY_HOST_CACHED_BIT, 0);
    if (type < 0) {
      status = MakeError(ErrorKind::kInternal,
                         "The driver allows no host-coherent memory type for importing host "
                         "pointer memory (allowed types 0x{:x}).",
                         bits);
    }
  }
  if (status.ok()) {
    VkImportMemoryHostPointerInfoEXT import{VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT};
    import.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;
    import.pHostPointer = pointer;
    status = AllocateAndBind(device, a, static_cast<uint32_t>(type), size, &import);
  }
  if (!status.ok()) {
    DestroyBuffer(device, a);
    return std::move(status).error();
  }
  a.mapped = pointer;
  return a;
}

void DestroyBuffer(Device& device, BufferAllocation& a) {
  if (device.abandoned()) return;
  if (a.buffer) vkDestroyBuffer(device.handle(), a.buffer, nullptr);
  // Unmapping is implicit in vkFreeMemory; imported memory was never mapped by us.
  if (a.memory) vkFreeMemory(device.handle(), a.memory, nullptr);
  a = BufferAllocation{};
}

Result<VkDescriptorSetLayout> CreateDescriptorSetLayout(Device& device,
                                                        std::span<const LayoutBinding> bindings) {
  std::vector<VkDescriptorSetLayoutBinding> vk_bindings;
  vk_bindings.reserve(bindings.size());
  for (const LayoutBinding& b : bindings) {
    vk_bindings.push_back({b.binding, b.type, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr});
  }
  VkDescriptorSetLayoutCreateInfo info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  info.bindingCount = static_cast<uint32_t>(vk_bindings.size());
  info.pBindings = vk_bindings.data();
  VkDescriptorSetLayout layout;
  VK_TRY(vkCreateDescriptorSetLayout(device.handle(), &info, nullptr, &layout));
  return layout;
}

Result<VkPipelineLayout> CreatePipelineLayout(Device& device,
                                              std::span<const VkDescriptorSetLayout> sets,
                                              uint32_t push_constant_size) {
  VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, push_constant_size};
  VkPipelineLayoutCreateInfo info{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  info.setLayoutCount = static_cast<uint32_t>(sets.size());
  info.pSetLayouts = sets.data();
  info.pushConstantRangeCount = push_constant_size > 0 ? 1 : 0;
  info.pPushConstantRanges = &range;
  VkPipelineLayout layout;
  VK_TRY(vkCreatePipelineLayout(device.handle(), &info, nullptr, &layout));
  return layout;
}

Result<VkPipeline> CreateComputePipeline(Device& device, VkPipelineLayout layout,
                                         std::span<const uint32_t> spirv, const char* entry_point,
                                         const VkSpecializationInfo* specialization) {
  VkShaderModuleCreateInfo module_info{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  module_info.codeSize = spirv.size() * sizeof(uint32_t);
  module_info.pCode = spirv.data();
  VkShaderModule module;
  VK_TRY(vkCreateShaderModule(device.handle(), &module_info, nullptr, &module));
  VkComputePipelineCreateInfo info{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  info.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
  info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  info.stage.module = module;
  info.stage.pName = entry_point;
  info.stage.pSpecializationInfo = specialization;
  info.layout = layout;
  VkPipeline pipeline;
  VkResult result =
      vkCreateComputePipelines(device.handle(), VK_NULL_HANDLE, 1, &info, nullptr, &pipeline);
  // The module is only needed while the pipeline is compiled.
  vkDestroyShaderModule(device.handle(), module, nullptr);
  TRY(CheckVk(result, "vkCreateComputePipelines"));
  return pipeline;
}

Result<VkQueryPool> CreateTimestampQueryPool(Device& device, uint32_t count) {
  VkQueryPoolCreateInfo info{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
  info.queryType = VK_QUERY_TYPE_TIMESTAMP;
  info.queryCount = count;
  VkQueryPool pool;
  VK_TRY(vkCreateQueryPool(device.handle(), &info, nullptr, &pool));
  return pool;
}

void Destroy(Device& device, VkDescriptorSetLayout layout) {
  if (!device.abandoned() && layout) vkDestroyDescriptorSetLayout(device.handle(), layout, nullptr);
}
void Destroy(Device& device, VkPipelineLayout layout) {
  if (!device.abandoned() && layout) vkDestroyPipelineLayout(device.handle(), layout, nullptr);
}
void Destroy(Device& device, VkPipeline pipeline) {
  if (!device.abandoned() && pipeline) vkDestroyPipeline(device.handle(), pipeline, nullptr);
}
void Destroy(Device& device, VkQueryPool pool) {
  if (!device.abandoned() && pool) vkDestroyQueryPool(device.handle(), pool, nullptr);
}

}  // namespace wasmgpu::vk
