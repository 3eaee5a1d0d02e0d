#include "gpu/vk/vk_device.h"

#include "gpu/vk/vk_check.h"

namespace wasmgpu::vk {

Result<std::unique_ptr<Device>> Device::Create(const PhysicalDeviceInfo& info,
                                               bool import_host_memory) {
  if (!info.robust_buffer_access2) {
    return ValidationError(
        "Adapter \"{}\" does not support robustBufferAccess2 (VK_EXT_robustness2), which wasmgpu "
        "requires so that out-of-bounds shader accesses can never reach other memory.",
        info.properties.deviceName);
  }
  std::unique_ptr<Device> device(new Device(info));
  float priority = 1.0f;
  VkDeviceQueueCreateInfo queue_info{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  queue_info.queueFamilyIndex = info.queue_family;
  queue_info.queueCount = 1;
  queue_info.pQueuePriorities = &priority;

  std::vector<const char*> extensions = {VK_EXT_ROBUSTNESS_2_EXTENSION_NAME};
  if (info.shader_integer_dot_product) {
    extensions.push_back(VK_KHR_SHADER_INTEGER_DOT_PRODUCT_EXTENSION_NAME);
  }
  if (import_host_memory) {
    extensions.push_back(VK_KHR_EXTERNAL_MEMORY_EXTENSION_NAME);
    extensions.push_back(VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME);
  }

  VkPhysicalDeviceRobustness2FeaturesEXT robustness2{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ROBUSTNESS_2_FEATURES_EXT};
  robustness2.robustBufferAccess2 = VK_TRUE;
  VkPhysicalDeviceVulkan11Features f11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
  VkPhysicalDeviceVulkan12Features f12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
  VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  features.pNext = &robustness2;
  features.features.robustBufferAccess = VK_TRUE;
  features.features.shaderInt16 = info.shader_int16;
  features.features.shaderInt64 = info.shader_int64;
  features.features.shaderFloat64 = info.shader_float64;
  if (info.properties.apiVersion >= VK_API_VERSION_1_2) {
    robustness2.pNext = &f11;
    f11.pNext = &f12;
    f11.storageBuffer16BitAccess = info.storage_buffer_16bit;
    f11.uniformAndStorageBuffer16BitAccess = info.uniform_and_storage_buffer_16bit;
    f11.storagePushConstant16 = info.storage_push_constant_16;
    f12.shaderFloat16 = info.shader_float16;
    f12.shaderInt8 = info.shader_int8;
    f12.storageBuffer8BitAccess = info.storage_buffer_8bit;
    f12.uniformAndStorageBuffer8BitAccess = info.uniform_and_storage_buffer_8bit;
    f12.vulkanMemoryModel = info.vulkan_memory_model;
    f12.vulkanMemoryModelDeviceScope = info.vulkan_memory_model_device_scope;
  }

  VkPhysicalDeviceShaderIntegerDotProductFeaturesKHR dot{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_FEATURES_KHR};
  if (info.shader_integer_dot_product) {
    dot.shaderIntegerDotProduct = VK_TRUE;
    dot.pNext = features.pNext;
    features.pNext = &dot;
  }

  VkDeviceCreateInfo create{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  create.pNext = &features;
  create.queueCreateInfoCount = 1;
  create.pQueueCreateInfos = &queue_info;
  create.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
  create.ppEnabledExtensionNames = extensions.data();
  VK_TRY(vkCreateDevice(info.handle, &create, nullptr, &device->device_));
  vkGetDeviceQueue(device->device_, info.queue_family, 0, &device->queue_);
  if (import_host_memory) {
    device->get_memory_host_pointer_properties =
        reinterpret_cast<PFN_vkGetMemoryHostPointerPropertiesEXT>(
            vkGetDeviceProcAddr(device->device_, "vkGetMemoryHostPointerPropertiesEXT"));
  }
  VkCommandPoolCreateInfo pool{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  pool.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pool.queueFamilyIndex = info.queue_family;
  VK_TRY(vkCreateCommandPool(device->device_, &pool, nullptr, &device->command_pool_));
  return device;
}

Device::~Device() {
  if (device_ == VK_NULL_HANDLE || abandoned_) return;
  for (VkFence fence : all_fences_) vkDestroyFence(device_, fence, nullptr);
  for (VkDescriptorPool pool : descriptor_pools_) vkDestroyDescriptorPool(device_, pool, nullptr);
  if (command_pool_) vkDestroyCommandPool(device_, command_pool_, nullptr);
  vkDestroyDevice(device_, nullptr);
}

Result<VkCommandBuffer> Device::BeginCommandBuffer() {
  VkCommandBuffer cmd;
  if (!free_command_buffers_.empty()) {
    cmd = free_command_buffers_.back();
    free_command_buffers_.pop_back();
  } else {
    VkCommandBufferAllocateInfo alloc{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    alloc.commandPool = command_pool_;
    alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    alloc.commandBufferCount = 1;
    VK_TRY(vkAllocateCommandBuffers(device_, &alloc, &cmd));
  }
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  Status status = CheckVk(vkBeginCommandBuffer(cmd, &begin), "vkBeginCommandBuffer");
  if (!status.ok()) {
    free_command_buffers_.push_back(cmd);
    return std::move(status).error();
  }
  return cmd;
}

void Device::RecycleCommandBuffer(VkCommandBuffer cmd) {
  // Encoders dropped mid-recording leave the buffer recording; a reset makes any state reusable.
  if (vkResetCommandBuffer(cmd, 0) == VK_SUCCESS) free_command_buffers_.push_back(cmd);
}

Result<VkFence> Device::AcquireFence() {
  if (!free_fences_.empty()) {
    VkFence fence = free_fences_.back();
    free_fences_.pop_back();
    return fence;
  }
  VkFenceCreateInfo info{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  VkFence fence;
  VK_TRY(vkCreateFence(device_, &info, nullptr, &fence));
  all_fences_.push_back(fence);
  return fence;
}

void Device::RecycleFence(VkFence fence) {
  // A failed reset leaves the fence signaled; dropping it from the pool is the safe answer.
  if (vkResetFences(device_, 1, &fence) == VK_SUCCESS) free_fences_.push_back(fence);
}

Status Device::Submit(const VkCommandBuffer* cmds, uint32_t count, VkFence fence) {
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.commandBufferCount = count;
  submit.pCommandBuffers = cmds;
  return CheckVk(vkQueueSubmit(queue_, 1, &submit, fence), "vkQueueSubmit");
}

Result<bool> Device::WaitFence(VkFence fence, uint64_t timeout_ns) {
  VkResult result = timeout_ns == 0 ? vkGetFenceStatus(device_, fence)
                                    : vkWaitForFences(device_, 1, &fence, VK_TRUE, timeout_ns);
  if (result == VK_TIMEOUT || result == VK_NOT_READY) return false;
  TRY(CheckVk(result, "vkWaitForFences"));
  return true;
}

Status Device::WaitIdle() { return CheckVk(vkDeviceWaitIdle(device_), "vkDeviceWaitIdle"); }

int32_t Device::FindMemoryType(uint32_t type_bits, VkMemoryPropertyFlags required,
                               VkMemoryPropertyFlags preferred,
                               VkMemoryPropertyFlags avoided) const {
  int32_t best = -1;
  int best_score = -1;
  for (uint32_t i = 0; i < info_.memory.memoryTypeCount; ++i) {
    if ((type_bits & (1u << i)) == 0) continue;
    VkMemoryPropertyFlags flags = info_.memory.memoryTypes[i].propertyFlags;
    if ((flags & required) != required) continue;
    int score = ((flags & preferred) == preferred ? 2 : 0) + ((flags & avoided) == 0 ? 1 : 0);
    if (score > best_score) {
      best = static_cast<int32_t>(i);
      best_score = score;
    }
  }
  return best;
}

Result<DescriptorSet> Device::AllocateDescriptorSet(VkDescriptorSetLayout layout) {
  VkDescriptorSetAllocateInfo alloc{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
  alloc.descriptorSetCount = 1;
  alloc.pSetLayouts = &layout;
  DescriptorSet result;
  if (!descriptor_pools_.empty()) {
    alloc.descriptorPool = descriptor_pools_.back();
    VkResult r = vkAllocateDescriptorSets(device_, &alloc, &result.set);
    if (r == VK_SUCCESS) {
      result.pool = alloc.descriptorPool;
      return result;
    }
    if (r != VK_ERROR_OUT_OF_POOL_MEMORY && r != VK_ERROR_FRAGMENTED_POOL) {
      TRY(CheckVk(r, "vkAllocateDescriptorSets"));
    }
  }
  // The last pool is full: start a new one. Older pools still get space back from frees, but
  // only the newest is tried, which keeps allocation O(1).
  constexpr uint32_t kSets = 1024;
  VkDescriptorPoolSize sizes[] = {
      {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, kSets * 4},
      {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC, kSets},
      {VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, kSets},
      {VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC, kSets},
  };
  VkDescriptorPoolCreateInfo pool_info{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  pool_info.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT;
  pool_info.maxSets = kSets;
  pool_info.poolSizeCount = 4;
  pool_info.pPoolSizes = sizes;
  VkDescriptorPool pool;
  VK_TRY(vkCreateDescriptorPool(device_, &pool_info, nullptr, &pool));
  descriptor_pools_.push_back(pool);
  alloc.descriptorPool = pool;
  VK_TRY(vkAllocateDescriptorSets(device_, &alloc, &result.set));
  result.pool = pool;
  return result;
}

void Device::FreeDescriptorSet(const DescriptorSet& set) {
  if (set.set == VK_NULL_HANDLE || abandoned_) return;
  vkFreeDescriptorSets(device_, set.pool, 1, &set.set);
}

}  // namespace wasmgpu::vk
