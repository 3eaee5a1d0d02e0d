// The floor of every bench path: one bare Vulkan submit of an empty command buffer followed by a
// fence wait. No WebGPU layer can do less per dispatch, so the bench reports each path against it.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace wasmgpu::bench {

struct FloorResult {
  std::string device_name;  // the VkPhysicalDevice that was measured
  double median_us = 0;     // median of the submit+wait round trips
};

// Measures `iterations` round trips (after a short warm-up) on the Vulkan physical device whose
// name equals `device_name`, or, when it is empty, on the device wasmgpu would choose by default
// (first discrete, then integrated, else the CPU). Uses its own VkInstance and VkDevice, so it
// does not share queues or caches with the device under test.
Result<FloorResult> MeasureVulkanFloor(std::string_view device_name, int iterations);

}  // namespace wasmgpu::bench
