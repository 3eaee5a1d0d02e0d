// Command encoders and command buffers. Commands are validated as they are encoded and recorded
// straight into the encoder's own VkCommandBuffer (one per WGPUCommandBuffer), so finishing and
// submitting cost no replay. An encoding error makes the encoder invalid; it is reported by
// wgpuCommandEncoderFinish, as WebGPU specifies.
#pragma once

#include <optional>
#include <vector>

#include "base/result.h"
#include "gpu/object.h"
#include "gpu/vk/vk_resources.h"

#include <vulkan/vulkan.h>

namespace wasmgpu::gpu {

class BindGroup;
class Buffer;
class ComputePassEncoder;
class ComputePipeline;
class QuerySet;

// Internal Vulkan objects a command buffer used (indirect-argument scratch space), freed once
// the GPU finished with it.
struct InternalResources {
  std::vector<vk::BufferAllocation> buffers;
  std::vector<vk::DescriptorSet> sets;
};

class CommandBuffer : public DeviceObject {
 public:
  CommandBuffer(Device* device, std::string label, bool valid, VkCommandBuffer cmd,
                std::vector<Ref<Buffer>> buffers, std::vector<Ref<QuerySet>> query_sets,
                std::vector<Ref<RefCounted>> keep, InternalResources internal);
  ~CommandBuffer() override;

  bool submitted() const { return submitted_; }
  void MarkSubmitted() { submitted_ = true; }
  VkCommandBuffer vk_command_buffer() const { return cmd_; }
  const std::vector<Ref<Buffer>>& buffers() const { return buffers_; }
  const std::vector<Ref<QuerySet>>& query_sets() const { return query_sets_; }

 private:
  VkCommandBuffer cmd_;
  bool submitted_ = false;
  std::vector<Ref<Buffer>> buffers_;
  std::vector<Ref<QuerySet>> query_sets_;
  std::vector<Ref<RefCounted>> keep_;  // bind groups and pipelines used
  InternalResources internal_;
};

class CommandEncoder : public DeviceObject {
 public:
  static Ref<CommandEncoder> Create(Device* device, const WGPUCommandEncoderDescriptor* desc);
  ~CommandEncoder() override;

  Ref<ComputePassEncoder> BeginComputePass(const WGPUComputePassDescriptor* desc);
  void CopyBufferToBuffer(Buffer* source, uint64_t source_offset, Buffer* destination,
                          uint64_t destination_offset, uint64_t size);
  void ClearBuffer(Buffer* buffer, uint64_t offset, uint64_t size);
  void ResolveQuerySet(QuerySet* set, uint32_t first, uint32_t count, Buffer* destination,
                       uint64_t destination_offset);
  void WriteTimestamp(QuerySet* set, uint32_t index);
  Ref<CommandBuffer> Finish(const WGPUCommandBufferDescriptor* desc);

  // --- For the compute pass ---
  // Records the encoder's first error; the encoder becomes invalid.
  void SetError(Error error);
  void EndPass() { state_ = State::kOpen; }
  bool ok() const { return !error_.has_value(); }
  VkCommandBuffer cmd() const { return cmd_; }
  // What a command touches, for the barrier recorded before the next one. A direct dispatch
  // reads and writes memory only in its compute shader; every other command (copies, clears,
  // query resolves, an indirect dispatch, which reads its arguments at the draw-indirect stage)
  // is kOther.
  enum class CommandKind { kDirectDispatch, kOther };
  // Emits the inter-command barrier when an earlier command may have written: the narrow
  // compute-to-compute one between two direct dispatches, the full one otherwise. (A barrier's
  // first scope is every earlier command, so a full barrier after a run of dispatches also
  // covers the writes of all of them.)
  void BeforeCommand(CommandKind kind = CommandKind::kOther);
  void UseBuffer(Buffer* buffer);
  void UseBindGroup(BindGroup* group);
  void UsePipeline(ComputePipeline* pipeline);
  void UseQuerySet(QuerySet* set);
  // Timestamp write shared by writeTimestamp and pass timestampWrites. Requires validation done.
  void RecordTimestamp(QuerySet* set, uint32_t index);
  Status ValidateTimestamp(QuerySet* set, uint32_t index) const;
  // Records the validation of indirect arguments at (buffer, offset) into a scratch slot and
  // returns where the checked arguments are. Requires: buffer/offset validated.
  Result<std::pair<VkBuffer, uint64_t>> RecordIndirectValidation(Buffer* buffer, uint64_t offset);

 private:
  CommandEncoder(Device* device, std::string label);
  enum class State { kOpen, kInPass, kEnded };
  // True when a command may be encoded now. Calls on an ended encoder are device errors; calls
  // while a pass is open invalidate the encoder.
  bool CheckOpen(const char* call);

  VkCommandBuffer cmd_ = VK_NULL_HANDLE;
  State state_ = State::kOpen;
  std::optional<Error> error_;
  // Earlier command buffers end with RecordEndBarrier, so the first command needs none.
  bool needs_barrier_ = false;
  CommandKind last_kind_ = CommandKind::kOther;
  uint64_t stamp_;
  std::vector<Ref<Buffer>> buffers_;
  std::vector<Ref<QuerySet>> query_sets_;
  std::vector<Ref<RefCounted>> keep_;
  InternalResources internal_;
  uint32_t scratch_slots_used_ = 0;  // in internal_.buffers.back()
  std::vector<std::pair<Buffer*, VkDescriptorSet>> indirect_sets_;  // for the current scratch
};

void ReleaseInternalResources(Device* device, InternalResources& resources);

}  // namespace wasmgpu::gpu
