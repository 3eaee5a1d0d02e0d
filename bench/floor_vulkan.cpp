// See floor_vulkan.h. Raw Vulkan on purpose: this is the reference the WebGPU layer is judged by.
#include "floor_vulkan.h"

#include "stats.h"

#include <vulkan/vulkan.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <utility>
#include <vector>

namespace wasmgpu::bench {
namespace {

Error VkError(VkResult r, std::string_view what) {
  return MakeError(ErrorKind::kInternal, "{} failed with VkResult {}.", what, static_cast<int>(r));
}

// Owns every Vulkan object of the measurement and destroys them in reverse order.
struct FloorContext {
  VkInstance instance = VK_NULL_HANDLE;
  VkDevice device = VK_NULL_HANDLE;
  VkCommandPool pool = VK_NULL_HANDLE;
  VkFence fence = VK_NULL_HANDLE;

  ~FloorContext() {
    if (device != VK_NULL_HANDLE) {
      vkDeviceWaitIdle(device);
      if (fence != VK_NULL_HANDLE) vkDestroyFence(device, fence, nullptr);
      if (pool != VK_NULL_HANDLE) vkDestroyCommandPool(device, pool, nullptr);
      vkDestroyDevice(device, nullptr);
    }
    if (instance != VK_NULL_HANDLE) vkDestroyInstance(instance, nullptr);
  }
};

int DefaultRank(VkPhysicalDeviceType type) {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 0;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 1;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return 3;
    default: return 4;
  }
}

Result<VkPhysicalDevice> ChoosePhysicalDevice(VkInstance instance, std::string_view name,
                                              std::string* chosen_name) {
  uint32_t count = 0;
  vkEnumeratePhysicalDevices(instance, &count, nullptr);
  std::vector<VkPhysicalDevice> devices(count);
  if (VkResult r = vkEnumeratePhysicalDevices(instance, &count, devices.data()); r < 0) {
    return VkError(r, "vkEnumeratePhysicalDevices");
  }
  VkPhysicalDevice best = VK_NULL_HANDLE;
  int best_rank = 1 << 30;
  std::string names;
  for (VkPhysicalDevice d : devices) {
    VkPhysicalDeviceProperties p;
    vkGetPhysicalDeviceProperties(d, &p);
    names += names.empty() ? "" : ", ";
    names += p.deviceName;
    int rank = name.empty() ? DefaultRank(p.deviceType) : (name == p.deviceName ? 0 : -1);
    if (rank >= 0 && rank < best_rank) {
      best = d;
      best_rank = rank;
      *chosen_name = p.deviceName;
    }
  }
  if (best == VK_NULL_HANDLE) {
    return MakeError(ErrorKind::kOther, "No Vulkan device named '{}' among the {} found ({}).",
                     name, count, names);
  }
  return best;
}

}  // namespace

Result<FloorResult> MeasureVulkanFloor(std::string_view device_name, int iterations) {
  if (iterations < 1) {
    return MakeError(ErrorKind::kOther, "The iteration count ({}) must be at least 1.", iterations);
  }
  FloorContext ctx;
  FloorResult result;

  VkApplicationInfo app{};

  app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
  app.pApplicationName = "wasmgpu-bench-floor";
  app.apiVersion = VK_API_VERSION_1_2;
  VkInstanceCreateInfo ici{};
  ici.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
  ici.pApplicationInfo = &app;
  if (VkResult r = vkCreateInstance(&ici, nullptr, &ctx.instance); r != VK_SUCCESS) {
    return VkError(r, "vkCreateInstance");
  }
  TRY_ASSIGN(VkPhysicalDevice phys,
             ChoosePhysicalDevice(ctx.instance, device_name, &result.device_name));

  uint32_t family_count = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(phys, &family_count, nullptr);
  std::vector<VkQueueFamilyProperties> families(family_count);
  vkGetPhysicalDeviceQueueFamilyProperties(phys, &family_count, families.data());
  uint32_t family = UINT32_MAX;
  for (uint32_t i = 0; i < family_count; ++i) {
    if (families[i].queueFlags & VK_QUEUE_COMPUTE_BIT) {
      family = i;
      break;
    }
  }
  if (family == UINT32_MAX) {
    return MakeError(ErrorKind::kOther, "Device '{}' has no compute queue.", result.device_name);
  }

  float priority = 1.0f;
  VkDeviceQueueCreateInfo qci{};
  qci.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
  qci.queueFamilyIndex = family;
  qci.queueCount = 1;
  qci.pQueuePriorities = &priority;
  VkDeviceCreateInfo dci{};
  dci.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
  dci.queueCreateInfoCount = 1;
  dci.pQueueCreateInfos = &qci;
  if (VkResult r = vkCreateDevice(phys, &dci, nullptr, &ctx.device); r != VK_SUCCESS) {
    return VkError(r, "vkCreateDevice");
  }
  VkQueue queue;
  vkGetDeviceQueue(ctx.device, family, 0, &queue);

  VkCommandPoolCreateInfo pci{};

  pci.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
  pci.queueFamilyIndex = family;
  if (VkResult r = vkCreateCommandPool(ctx.device, &pci, nullptr, &ctx.pool); r != VK_SUCCESS) {
    return VkError(r, "vkCreateCommandPool");
  }
  VkCommandBufferAllocateInfo cai{};
  cai.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
  cai.commandPool = ctx.pool;
  cai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  cai.commandBufferCount = 1;
  VkCommandBuffer cmd;
  if (VkResult r = vkAllocateCommandBuffers(ctx.device, &cai, &cmd); r != VK_SUCCESS) {
    return VkError(r, "vkAllocateCommandBuffers");
  }
  // Recorded once and resubmitted: recording is not part of the floor.
  VkCommandBufferBeginInfo begin{};
  begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
  vkBeginCommandBuffer(cmd, &begin);
  if (VkResult r = vkEndCommandBuffer(cmd); r != VK_SUCCESS) {
    return VkError(r, "vkEndCommandBuffer");
  }
  VkFenceCreateInfo fci{};
  fci.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
  if (VkResult r = vkCreateFence(ctx.device, &fci, nullptr, &ctx.fence); r != VK_SUCCESS) {
    return VkError(r, "vkCreateFence");
  }

  VkSubmitInfo submit{};

  submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &cmd;
  // Warm-up: at least 3 submits and 200 ms, so that the device leaves its idle clocks.
  std::vector<double> samples;
  samples.reserve(iterations);
  const auto warmup_end = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
  bool warming = true;
  for (int i = 0; static_cast<int>(samples.size()) < iterations; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    if (VkResult r = vkQueueSubmit(queue, 1, &submit, ctx.fence); r != VK_SUCCESS) {
      return VkError(r, "vkQueueSubmit");
    }
    if (VkResult r = vkWaitForFences(ctx.device, 1, &ctx.fence, VK_TRUE, UINT64_MAX);
        r != VK_SUCCESS) {
      return VkError(r, "vkWaitForFences");
    }
    auto t1 = std::chrono::steady_clock::now();
    vkResetFences(ctx.device, 1, &ctx.fence);
    if (warming && i >= 3 && t1 >= warmup_end) warming = false;
    if (!warming) samples.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  result.median_us = Median(std::move(samples));
  return result;
}

}  // namespace wasmgpu::bench
