// Compute pipelines: entry point, pipeline-overridable constants (Vulkan specialization),
// workgroup-size limits, and explicit or "auto" layouts (reflected from SPIR-V).
#pragma once

#include "gpu/bind_group_layout.h"
#include "gpu/object.h"

namespace wasmgpu::gpu {

class ComputePipeline : public DeviceObject {
 public:
  // With `async_error` set, a failure is stored there instead of being reported to the device
  // (createComputePipelineAsync reports through its callback).
  static Ref<ComputePipeline> Create(Device* device, const WGPUComputePipelineDescriptor* desc,
                                     Error* async_error = nullptr);
  ~ComputePipeline() override;

  PipelineLayout* layout() const { return layout_.get(); }
  VkPipeline vk_pipeline() const { return pipeline_; }
  Ref<BindGroupLayout> GetBindGroupLayout(uint32_t index);
  uint64_t encoder_stamp = 0;

 private:
  ComputePipeline(Device* device, std::string label, bool valid);
  Status Initialize(const WGPUComputePipelineDescriptor* desc);

  Ref<PipelineLayout> layout_;
  VkPipeline pipeline_ = VK_NULL_HANDLE;
};

}  // namespace wasmgpu::gpu
