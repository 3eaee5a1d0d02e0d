// The one place where VkResult becomes a wasmgpu Error (STYLE.md: "VkResult is translated in one
// place"), plus the test hook that makes any checked Vulkan call fail on demand.
#pragma once

#include <vulkan/vulkan.h>

#include <string_view>

#include "base/result.h"

namespace wasmgpu::vk {

// Maps `result` to Ok, or to an Error whose kind follows WebGPU: out-of-memory results become
// kOutOfMemory, VK_ERROR_DEVICE_LOST kDeviceLost, anything else kInternal. `context` names the
// Vulkan call ("vkAllocateMemory") and goes into the message.
Status CheckVk(VkResult result, std::string_view context);

// (optional) Test hook: when set, CheckVk first asks it; a non-VK_SUCCESS return replaces the
// real result, so a test can make e.g. every "vkAllocateMemory" fail. Not thread-safe to change
// while other threads call into the backend.
using FailureHook = VkResult (*)(std::string_view context);
void SetFailureHook(FailureHook hook);

// A short name of a VkResult, for messages.
const char* VkResultName(VkResult result);

}  // namespace wasmgpu::vk

// VK_TRY(call): runs a Vulkan call through CheckVk with the call's text as context.
#define VK_TRY(call) TRY(::wasmgpu::vk::CheckVk((call), #call))
