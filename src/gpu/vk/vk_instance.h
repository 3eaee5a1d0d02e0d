// Process-wide VkInstance and what wasmgpu needs to know about each physical device.
#pragma once

#include <vulkan/vulkan.h>

#include <string>
#include <vector>

#include "base/result.h"

namespace wasmgpu::vk {

// Everything the frontend reads about one physical device, gathered once at enumeration.
struct PhysicalDeviceInfo {
  VkPhysicalDevice handle = VK_NULL_HANDLE;
  uint32_t index = 0;  // position in EnumeratePhysicalDevices()
  VkPhysicalDeviceProperties properties{};
  VkPhysicalDeviceMemoryProperties memory{};
  std::string driver_name;  // "llvmpipe", "NVIDIA", ...
  std::string driver_info;  // "Mesa 22.3.6 (LLVM 15.0.6)", "550.54.15", ...
  uint64_t max_memory_allocation_size = 0;
  uint32_t queue_family = UINT32_MAX;  // a family with COMPUTE
  uint32_t timestamp_valid_bits = 0;
  uint32_t subgroup_size = 0;
  VkShaderStageFlags subgroup_stages = 0;
  VkSubgroupFeatureFlags subgroup_operations = 0;
  uint64_t min_imported_host_pointer_alignment = 0;  // 0 without VK_EXT_external_memory_host

  // Extensions and features wasmgpu uses.
  bool has_robustness2 = false;
  bool robust_buffer_access2 = false;
  bool has_external_memory_host = false;
  bool has_integer_dot_product = false;  // VK_KHR_shader_integer_dot_product
  bool shader_float16 = false;
  bool shader_int8 = false;
  bool shader_int16 = false;
  bool shader_int64 = false;
  bool shader_float64 = false;
  bool storage_buffer_16bit = false;
  bool uniform_and_storage_buffer_16bit = false;
  bool storage_push_constant_16 = false;
  bool storage_buffer_8bit = false;
  bool uniform_and_storage_buffer_8bit = false;
  bool vulkan_memory_model = false;
  bool vulkan_memory_model_device_scope = false;
  bool shader_integer_dot_product = false;
  // The 4x8-bit packed dot products (signed, and signed x unsigned) are single instructions.
  bool integer_dot_product_4x8_packed_accelerated = false;
};

// The process-wide instance, created on first use and kept until exit (creating one per
// WGPUInstance would pay the loader's driver scan every time). Fails when no Vulkan 1.1 loader
// is present.
Result<VkInstance> GetInstance();

// All physical devices with Vulkan 1.1+ and a compute queue, in the loader's order; enumerated
// once per process.
Result<const std::vector<PhysicalDeviceInfo>*> EnumeratePhysicalDevices();

}  // namespace wasmgpu::vk
