// An adapter: one Vulkan physical device, its WebGPU features and limits, and device requests.
#pragma once

#include <vector>

#include "base/result.h"
#include "gpu/instance.h"
#include "gpu/object.h"
#include "gpu/vk/vk_instance.h"

namespace wasmgpu::gpu {

// WebGPU's default limits (what a device gets unless it asks for more), with wasmgpu's
// maxImmediateSize of 128.
WGPULimits DefaultLimits();

class Adapter : public RefCounted {
 public:
  Adapter(Instance* instance, const vk::PhysicalDeviceInfo* info, bool is_default);
  ~Adapter() override;

  Instance* instance() const { return instance_; }
  const vk::PhysicalDeviceInfo& info() const { return *info_; }
  bool is_default() const { return is_default_; }
  WGPUAdapterType type() const;

  const WGPULimits& limits() const { return limits_; }
  // 0 when the adapter has no usable VK_EXT_external_memory_host.
  uint32_t host_mapped_pointer_alignment() const { return host_mapped_pointer_alignment_; }
  const std::vector<WGPUFeatureName>& features() const { return features_; }
  bool HasFeature(WGPUFeatureName feature) const;

  // Fills `info` (strings in one allocation owned by info->vendor.data, freed by
  // wgpuAdapterInfoFreeMembers) and any WGPUAdapterPropertiesWasmgpu in its chain.
  WGPUStatus GetInfo(WGPUAdapterInfo* info) const;
  // Fills `limits` and any WGPUHostMappedPointerLimits in its chain.
  static WGPUStatus WriteLimits(const WGPULimits& source, uint32_t host_mapped_alignment,
                                WGPULimits* limits);

  // The limits a device gets for `required` (null: defaults); an error names the first limit
  // the adapter cannot meet.
  Result<WGPULimits> ResolveLimits(const WGPULimits* required) const;

 private:
  Instance* instance_;  // holds a reference
  const vk::PhysicalDeviceInfo* info_;
  bool is_default_;
  WGPULimits limits_{};
  uint32_t host_mapped_pointer_alignment_ = 0;
  std::vector<WGPUFeatureName> features_;
};

const char* FeatureName(WGPUFeatureName feature);

}  // namespace wasmgpu::gpu
