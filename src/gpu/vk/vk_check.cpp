#include "gpu/vk/vk_check.h"

#include <atomic>
#include <string>

namespace wasmgpu::vk {
namespace {
std::atomic<FailureHook> g_hook{nullptr};

// "vkAllocateMemory(device_, &info, nullptr, &memory)" -> "vkAllocateMemory".
std::string_view CallName(std::string_view context) {
  size_t paren = context.find('(');
  return paren == std::string_view::npos ? context : context.substr(0, paren);
}
}  // namespace

void SetFailureHook(FailureHook hook) { g_hook.store(hook); }

const char* VkResultName(VkResult result) {
  switch (result) {
    case VK_SUCCESS: return "VK_SUCCESS";
    case VK_NOT_READY: return "VK_NOT_READY";
    case VK_TIMEOUT: return "VK_TIMEOUT";
    case VK_INCOMPLETE: return "VK_INCOMPLETE";
    case VK_ERROR_OUT_OF_HOST_MEMORY: return "VK_ERROR_OUT_OF_HOST_MEMORY";
    case VK_ERROR_OUT_OF_DEVICE_MEMORY: return "VK_ERROR_OUT_OF_DEVICE_MEMORY";
    case VK_ERROR_INITIALIZATION_FAILED: return "VK_ERROR_INITIALIZATION_FAILED";
    case VK_ERROR_DEVICE_LOST: return "VK_ERROR_DEVICE_LOST";
    case VK_ERROR_MEMORY_MAP_FAILED: return "VK_ERROR_MEMORY_MAP_FAILED";
    case VK_ERROR_EXTENSION_NOT_PRESENT: return "VK_ERROR_EXTENSION_NOT_PRESENT";
    case VK_ERROR_FEATURE_NOT_PRESENT: return "VK_ERROR_FEATURE_NOT_PRESENT";
    case VK_ERROR_INCOMPATIBLE_DRIVER: return "VK_ERROR_INCOMPATIBLE_DRIVER";
    case VK_ERROR_TOO_MANY_OBJECTS: return "VK_ERROR_TOO_MANY_OBJECTS";
    case VK_ERROR_FRAGMENTED_POOL: return "VK_ERROR_FRAGMENTED_POOL";
    case VK_ERROR_OUT_OF_POOL_MEMORY: return "VK_ERROR_OUT_OF_POOL_MEMORY";
    case VK_ERROR_INVALID_EXTERNAL_HANDLE: return "VK_ERROR_INVALID_EXTERNAL_HANDLE";
    case VK_ERROR_FRAGMENTATION: return "VK_ERROR_FRAGMENTATION";
    default: return "VkResult(unknown)";
  }
}

Status CheckVk(VkResult result, std::string_view context) {
  std::string_view name = CallName(context);
  if (FailureHook hook = g_hook.load()) {
    VkResult injected = hook(name);
    if (injected != VK_SUCCESS) result = injected;
  }
  if (result == VK_SUCCESS) return {};
  ErrorKind kind = ErrorKind::kInternal;
  switch (result) {
    case VK_ERROR_OUT_OF_HOST_MEMORY:
    case VK_ERROR_OUT_OF_DEVICE_MEMORY:
    case VK_ERROR_TOO_MANY_OBJECTS:
    case VK_ERROR_OUT_OF_POOL_MEMORY:
    case VK_ERROR_FRAGMENTATION:
    case VK_ERROR_FRAGMENTED_POOL:
      kind = ErrorKind::kOutOfMemory;
      break;
    case VK_ERROR_DEVICE_LOST:
      kind = ErrorKind::kDeviceLost;
      break;
    default:
      break;
  }
  return MakeError(kind, "{} failed with {}.", name, VkResultName(result));
}

}  // namespace wasmgpu::vk

namespace {
std::string g_failing_call;
VkResult g_failing_result = VK_SUCCESS;
VkResult FailNamedCall(std::string_view call) {
  return call == g_failing_call ? g_failing_result : VK_SUCCESS;
}
}  // namespace

extern "C" __attribute__((visibility("default"))) void wasmgpuTestingFailVulkanCall(
    const char* call, VkResult result) {
  if (call == nullptr) {
    wasmgpu::vk::SetFailureHook(nullptr);
    return;
  }
  g_failing_call = call;
  g_failing_result = result;
  wasmgpu::vk::SetFailureHook(FailNamedCall);
}
