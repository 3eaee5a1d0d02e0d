// Compute passes: pipeline and bind group state, immediate data, dispatch validation (the
// per-dispatch usage scope, limits) and recording.
#pragma once

#include <array>
#include <vector>

#include "gpu/command_encoder.h"
#include "gpu/object.h"

namespace wasmgpu::gpu {

class ComputePassEncoder : public DeviceObject {
 public:
  static Ref<ComputePassEncoder> Create(CommandEncoder* encoder, std::string label,
                                        const WGPUPassTimestampWrites* timestamps, bool valid,
                                        bool ended);

  void SetPipeline(ComputePipeline* pipeline);
  void SetBindGroup(uint32_t index, BindGroup* group, size_t dynamic_count,
                    const uint32_t* dynamic_offsets);
  void SetImmediateData(uint32_t offset, const void* data, size_t size);
  void Dispatch(uint32_t x, uint32_t y, uint32_t z);
  void DispatchIndirect(Buffer* buffer, uint64_t offset);
  void End();

 private:
  static constexpr uint32_t kMaxGroups = 8;
  ComputePassEncoder(CommandEncoder* encoder, std::string label, bool valid);
  // False when the pass cannot take commands (ended: device error; else encoder already failed).
  bool CheckUsable(const char* call);
  void Fail(Error error, const char* call);
  // Validates the dispatch state; `indirect` joins the usage scope.
  Status ValidateDispatch(Buffer* indirect);
  // Records the barrier and the binds the next dispatch needs.
  void RecordBinds(CommandEncoder::CommandKind kind);

  Ref<CommandEncoder> encoder_;
  bool ended_ = false;
  Ref<QuerySet> end_timestamp_set_;
  uint32_t end_timestamp_index_ = 0;

  ComputePipeline* pipeline_ = nullptr;  // kept alive by the encoder
  bool pipeline_dirty_ = false;
  std::array<BindGroup*, kMaxGroups> groups_{};
  std::array<std::vector<uint32_t>, kMaxGroups> offsets_;
  uint32_t groups_dirty_ = 0;  // bitmask
  std::array<uint8_t, WGPU_WASMGPU_MAX_IMMEDIATE_SIZE> immediates_{};
  bool immediates_dirty_ = false;
  VkPipelineLayout bound_layout_ = VK_NULL_HANDLE;
};

}  // namespace wasmgpu::gpu
