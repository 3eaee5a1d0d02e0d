#include "gpu/vk/vk_instance.h"

#include <cstring>
#include <mutex>

#include "gpu/vk/vk_check.h"

namespace wasmgpu::vk {
namespace {

struct InstanceState {
  Status status;
  VkInstance instance = VK_NULL_HANDLE;
  std::vector<PhysicalDeviceInfo> devices;
};

bool HasExtension(const std::vector<VkExtensionProperties>& extensions, const char* name) {
  for (const auto& e : extensions) {
    if (std::strcmp(e.extensionName, name) == 0) return true;
  }
  return false;
}

PhysicalDeviceInfo Describe(VkPhysicalDevice handle, uint32_t index) {
  PhysicalDeviceInfo info;
  info.handle = handle;
  info.index = index;
  uint32_t count = 0;
  vkEnumerateDeviceExtensionProperties(handle, nullptr, &count, nullptr);
  std::vector<VkExtensionProperties> extensions(count);
  vkEnumerateDeviceExtensionProperties(handle, nullptr, &count, extensions.data());
  info.has_robustness2 = HasExtension(extensions, VK_EXT_ROBUSTNESS_2_EXTENSION_NAME);
  info.has_external_memory_host =
      HasExtension(extensions, VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME);
  info.has_integer_dot_product =
      HasExtension(extensions, VK_KHR_SHADER_INTEGER_DOT_PRODUCT_EXTENSION_NAME);

  VkPhysicalDeviceExternalMemoryHostPropertiesEXT host{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT};
  VkPhysicalDeviceSubgroupProperties subgroup{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
  VkPhysicalDeviceDriverProperties driver{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
  VkPhysicalDeviceMaintenance3Properties maint3{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES};
  VkPhysicalDeviceProperties2 props2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
  vkGetPhysicalDeviceProperties(handle, &info.properties);
  bool v12 = info.properties.apiVersion >= VK_API_VERSION_1_2;
  void** pnext = &props2.pNext;
  auto link = [&pnext](auto& s) {
    *pnext = &s;
    pnext = &s.pNext;
  };
  link(subgroup);
  link(maint3);
  if (v12) link(driver);
  if (info.has_external_memory_host) link(host);
  VkPhysicalDeviceShaderIntegerDotProductPropertiesKHR dot{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_PROPERTIES_KHR};
  if (info.has_integer_dot_product) link(dot);
  vkGetPhysicalDeviceProperties2(handle, &props2);
  info.integer_dot_product_4x8_packed_accelerated =
      info.has_integer_dot_product && dot.integerDotProduct4x8BitPackedSignedAccelerated &&
      dot.integerDotProduct4x8BitPackedMixedSignednessAccelerated;
  info.properties = props2.properties;
  info.driver_name = v12 ? driver.driverName : "unknown";
  info.driver_info = v12 ? driver.driverInfo : "";
  info.max_memory_allocation_size = maint3.maxMemoryAllocationSize;
  info.subgroup_size = subgroup.subgroupSize;
  info.subgroup_stages = subgroup.supportedStages;
  info.subgroup_operations = subgroup.supportedOperations;
  if (info.has_external_memory_host) {
    info.min_imported_host_pointer_alignment = host.minImportedHostPointerAlignment;
  }
  vkGetPhysicalDeviceMemoryProperties(handle, &info.memory);

  // Features.
  VkPhysicalDeviceRobustness2FeaturesEXT robustness2{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ROBUSTNESS_2_FEATURES_EXT};
  VkPhysicalDeviceVulkan12Features f12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
  VkPhysicalDeviceVulkan11Features f11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
  VkPhysicalDeviceFeatures2 features2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  void** next = &features2.pNext;
  if (v12) {
    *next = &f11;
    f11.pNext = &f12;
    next = &f12.pNext;
  }
  VkPhysicalDeviceShaderIntegerDotProductFeaturesKHR dot_features{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_FEATURES_KHR};
  if (info.has_integer_dot_product) {
    *next = &dot_features;
    next = &dot_features.pNext;
  }
  if (info.has_robustness2) *next = &robustness2;
  vkGetPhysicalDeviceFeatures2(handle, &features2);
  info.shader_integer_dot_product =
      info.has_integer_dot_product && dot_features.shaderIntegerDotProduct;
  info.robust_buffer_access2 = info.has_robustness2 && robustness2.robustBufferAccess2 &&
                               features2.features.robustBufferAccess;
  info.shader_int16 = features2.features.shaderInt16;
  info.shader_int64 = features2.features.shaderInt64;
  info.shader_float64 = features2.features.shaderFloat64;
  if (v12) {
    info.shader_float16 = f12.shaderFloat16;
    info.shader_int8 = f12.shaderInt8;
    info.storage_buffer_16bit = f11.storageBuffer16BitAccess;
    info.uniform_and_storage_buffer_16bit = f11.uniformAndStorageBuffer16BitAccess;
    info.storage_push_constant_16 = f11.storagePushConstant16;
    info.storage_buffer_8bit = f12.storageBuffer8BitAccess;
    info.uniform_and_storage_buffer_8bit = f12.uniformAndStorageBuffer8BitAccess;
    info.vulkan_memory_model = f12.vulkanMemoryModel;
    info.vulkan_memory_model_device_scope = f12.vulkanMemoryModelDeviceScope;
  }

  vkGetPhysicalDeviceQueueFamilyProperties(handle, &count, nullptr);
  std::vector<VkQueueFamilyProperties> families(count);
  vkGetPhysicalDeviceQueueFamilyProperties(handle, &count, families.data());
  // Prefer a family with graphics+compute (the "universal" queue: timestamps are always there),
  // else any compute family.
  for (uint32_t i = 0; i < count; ++i) {
    if ((families[i].queueFlags & VK_QUEUE_COMPUTE_BIT) == 0) continue;
    if (info.queue_family == UINT32_MAX || (families[i].queueFlags & VK_QUEUE_GRAPHICS_BIT)) {
      info.queue_family = i;
      info.timestamp_valid_bits = families[i].timestampValidBits;
      if (families[i].queueFlags & VK_QUEUE_GRAPHICS_BIT) break;
    }
  }
  return info;
}

InstanceState* State() {
  static InstanceState* state = [] {
    auto* s = new InstanceState;
    VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
    app.pApplicationName = "wasmgpu";
    app.pEngineName = "wasmgpu";
    app.apiVersion = VK_API_VERSION_1_2;
    VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
    info.pApplicationInfo = &app;
    s->status = CheckVk(vkCreateInstance(&info, nullptr, &s->instance), "vkCreateInstance");
    if (!s->status.ok()) return s;
    uint32_t count = 0;
    s->status = CheckVk(vkEnumeratePhysicalDevices(s->instance, &count, nullptr),
                        "vkEnumeratePhysicalDevices");
    if (!s->status.ok()) return s;
    std::vector<VkPhysicalDevice> handles(count);
    vkEnumeratePhysicalDevices(s->instance, &count, handles.data());
    for (VkPhysicalDevice handle : handles) {
      VkPhysicalDeviceProperties props;
      vkGetPhysicalDeviceProperties(handle, &props);
      if (props.apiVersion < VK_API_VERSION_1_1) continue;
      PhysicalDeviceInfo d = Describe(handle, static_cast<uint32_t>(s->devices.size()));
      if (d.queue_family == UINT32_MAX) continue;
      s->devices.push_back(std::move(d));
    }
    return s;
  }();
  return state;
}

}  // namespace

Result<VkInstance> GetInstance() {
  InstanceState* s = State();
  if (!s->status.ok()) return Error(s->status.error());
  return s->instance;
}

Result<const std::vector<PhysicalDeviceInfo>*> EnumeratePhysicalDevices() {
  InstanceState* s = State();
  if (!s->status.ok()) return Error(s->status.error());
  return &s->devices;
}

}  // namespace wasmgpu::vk
