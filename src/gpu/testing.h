// Test-only entry points of libwasmgpu (exported, not part of webgpu.h).
#pragma once

#include <vulkan/vulkan.h>

extern "C" {
// Makes every later checked Vulkan call named `call` (e.g. "vkAllocateMemory") fail with
// `result`, until called again with call == nullptr. See vk::SetFailureHook.
__attribute__((visibility("default"))) void wasmgpuTestingFailVulkanCall(const char* call,
                                                                          VkResult result);
}
