#include "gpu/command_encoder.h"

#include <atomic>

#include "gpu/bind_group.h"
#include "gpu/buffer.h"
#include "gpu/compute_pass_encoder.h"
#include "gpu/compute_pipeline.h"
#include "gpu/device.h"
#include "gpu/query_set.h"
#include "gpu/vk/vk_check.h"

namespace wasmgpu::gpu {
namespace {
std::atomic<uint64_t> g_next_stamp{1};
}  // namespace

CommandBuffer::CommandBuffer(Device* device, std::string label, bool valid, VkCommandBuffer cmd,
                             std::vector<Ref<Buffer>> buffers,
                             std::vector<Ref<QuerySet>> query_sets,
                             std::vector<Ref<RefCounted>> keep, InternalResources internal)
    : DeviceObject(device, "CommandBuffer", std::move(label), valid),
      cmd_(cmd),
      buffers_(std::move(buffers)),
      query_sets_(std::move(query_sets)),
      keep_(std::move(keep)),
      internal_(std::move(internal)) {}

void ReleaseInternalResources(Device* device, InternalResources& resources) {
  std::lock_guard lock(device->mutex());
  for (vk::DescriptorSet& set : resources.sets) device->vk().FreeDescriptorSet(set);
  for (vk::BufferAllocation& b : resources.buffers) vk::DestroyBuffer(device->vk(), b);
  resources = InternalResources{};
}

CommandBuffer::~CommandBuffer() {
  ReleaseInternalResources(device(), internal_);
  if (cmd_ == VK_NULL_HANDLE) return;
  std::lock_guard lock(device()->mutex());
  // Only reached once the GPU finished with it: submissions hold a reference until then.
  if (!device()->vk().abandoned()) device()->vk().RecycleCommandBuffer(cmd_);
}

CommandEncoder::CommandEncoder(Device* device, std::string label)
    : DeviceObject(device, "CommandEncoder", std::move(label), true), stamp_(g_next_stamp++) {}

CommandEncoder::~CommandEncoder() {
  ReleaseInternalResources(device(), internal_);
  if (cmd_ == VK_NULL_HANDLE) return;
  std::lock_guard lock(device()->mutex());
  if (!device()->vk().abandoned()) device()->vk().RecycleCommandBuffer(cmd_);
}

Ref<CommandEncoder> CommandEncoder::Create(Device* device,
                                           const WGPUCommandEncoderDescriptor* desc) {
  Ref<CommandEncoder> encoder = Ref<CommandEncoder>::Adopt(
      new CommandEncoder(device, desc ? ToString(desc->label) : std::string()));
  if (device->lost()) {
    encoder->Invalidate();
    return encoder;
  }
  std::lock_guard lock(device->mutex());
  Result<VkCommandBuffer> cmd = device->vk().BeginCommandBuffer();
  if (!cmd.ok()) {
    encoder->Invalidate();
    device->ConsumeError(std::move(cmd).error().With("While calling wgpuDeviceCreateCommandEncoder."));
    return encoder;
  }
  encoder->cmd_ = *cmd;
  return encoder;
}

void CommandEncoder::SetError(Error error) {
  if (!error_) error_ = std::move(error);
}

bool CommandEncoder::CheckOpen(const char* call) {
  if (state_ == State::kEnded) {
    device()->ConsumeError(ValidationError("{} is already finished.", Name())
                               .With(fmt::format("While calling {}.", call)));
    return false;
  }
  if (state_ == State::kInPass) {
    SetError(ValidationError("{} is locked while a compute pass is open.", Name())
                 .With(fmt::format("While calling {}.", call)));
    return false;
  }
  return valid() && ok();
}

void CommandEncoder::BeforeCommand(CommandKind kind) {
  if (needs_barrier_) {
    if (kind == CommandKind::kDirectDispatch && last_kind_ == CommandKind::kDirectDispatch) {
      RecordDispatchBarrier(cmd_);
    } else {
      RecordCommandBarrier(cmd_);
    }
  }
  // Every command may write (dispatches, copies, clears, resolves): the next one must wait.
  needs_barrier_ = true;
  last_kind_ = kind;
}

void CommandEncoder::UseBuffer(Buffer* buffer) {
  if (buffer->encoder_stamp == stamp_) return;
  buffer->encoder_stamp = stamp_;
  buffers_.emplace_back(buffer);
}

void CommandEncoder::UseBindGroup(BindGroup* group) {
  if (group->encoder_stamp == stamp_) return;
  group->encoder_stamp = stamp_;
  keep_.emplace_back(group);
  for (const BoundBuffer& b : group->buffers()) UseBuffer(b.buffer.get());
}

void CommandEncoder::UsePipeline(ComputePipeline* pipeline) {
  if (pipeline->encoder_stamp == stamp_) return;
  pipeline->encoder_stamp = stamp_;
  keep_.emplace_back(pipeline);
}

void CommandEncoder::UseQuerySet(QuerySet* set) {
  if (set->encoder_stamp == stamp_) return;
  set->encoder_stamp = stamp_;
  query_sets_.emplace_back(set);
}

Status CommandEncoder::ValidateTimestamp(QuerySet* set, uint32_t index) const {
  if (set == nullptr) return ValidationError("The query set is null.");
  if (!device()->HasFeature(WGPUFeatureName_TimestampQuery)) {
    return ValidationError("Timestamp writes require the TimestampQuery feature, which is not "
                           "enabled on this device.");
  }
  if (set->device() != device()) return ValidationError("{} belongs to another device.", set->Name());
  if (!set->valid()) return ValidationError("{} is invalid.", set->Name());
  if (set->type() != WGPUQueryType_Timestamp) {
    return ValidationError("{} is not a timestamp query set.", set->Name());
  }
  if (index >= set->count()) {
    return ValidationError("Query index ({}) is not less than the count ({}) of {}.", index,
                           set->count(), set->Name());
  }
  return {};
}

void CommandEncoder::RecordTimestamp(QuerySet* set, uint32_t index) {
  UseQuerySet(set);
  // Vulkan needs a reset before every write (VUID-vkCmdWriteTimestamp-None-00830).
  vkCmdResetQueryPool(cmd_, set->vk_pool(), index, 1);
  vkCmdWriteTimestamp(cmd_, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, set->vk_pool(), index);
}

void CommandEncoder::WriteTimestamp(QuerySet* set, uint32_t index) {
  if (!CheckOpen("wgpuCommandEncoderWriteTimestamp")) return;
  Status status = ValidateTimestamp(set, index);
  if (!status.ok()) return SetError(std::move(status).error());
  RecordTimestamp(set, index);
}

Ref<ComputePassEncoder> CommandEncoder::BeginComputePass(const WGPUComputePassDescriptor* desc) {
  std::string label = desc ? ToString(desc->label) : std::string();
  bool usable = CheckOpen("wgpuCommandEncoderBeginComputePass");
  if (state_ == State::kEnded) {
    return ComputePassEncoder::Create(this, std::move(label), nullptr, /*valid=*/false, true);
  }
  const WGPUPassTimestampWrites* ts = desc ? desc->timestampWrites : nullptr;
  if (usable && ts != nullptr) {
    auto* set = reinterpret_cast<QuerySet*>(ts->querySet);
    auto check = [&]() -> Status {
      uint32_t b = ts->beginningOfPassWriteIndex, e = ts->endOfPassWriteIndex;
      if (b == WGPU_QUERY_SET_INDEX_UNDEFINED && e == WGPU_QUERY_SET_INDEX_UNDEFINED) {
        return ValidationError("timestampWrites has neither a beginning nor an end index.");
      }
      if (b == e) return ValidationError("timestampWrites uses query index {} twice.", b);
      if (b != WGPU_QUERY_SET_INDEX_UNDEFINED) TRY(ValidateTimestamp(set, b));
      if (e != WGPU_QUERY_SET_INDEX_UNDEFINED) TRY(ValidateTimestamp(set, e));
      return {};
    };
    Status status = check();
    if (!status.ok()) {
      SetError(std::move(status).error().With("While validating timestampWrites."));
      usable = false;
    }
  }
  state_ = State::kInPass;
  if (usable && ts != nullptr && ts->beginningOfPassWriteIndex != WGPU_QUERY_SET_INDEX_UNDEFINED) {
    RecordTimestamp(reinterpret_cast<QuerySet*>(ts->querySet), ts->beginningOfPassWriteIndex);
  }
  return ComputePassEncoder::Create(this, std::move(label), usable ? ts : nullptr, usable, false);
}

void CommandEncoder::CopyBufferToBuffer(Buffer* src, uint64_t src_offset, Buffer* dst,
                                        uint64_t dst_offset, uint64_t size) {
  if (!CheckOpen("wgpuCommandEncoderCopyBufferToBuffer")) return;
  auto validate = [&]() -> Status {
    if (src == nullptr || dst == nullptr) return ValidationError("The source or destination is null.");
    for (Buffer* b : {src, dst}) {
      if (b->device() != device()) return ValidationError("{} belongs to another device.", b->Name());
      if (!b->valid()) return ValidationError("{} is invalid.", b->Name());
    }
    if (size == WGPU_WHOLE_SIZE) size = src_offset <= src->size() ? src->size() - src_offset : 0;
    if (!(src->usage() & WGPUBufferUsage_CopySrc)) {
      return ValidationError("Source {} usage ({}) does not contain CopySrc.", src->Name(),
                             UsageString(src->usage()));
    }
    if (!(dst->usage() & WGPUBufferUsage_CopyDst)) {
      return ValidationError("Destination {} usage ({}) does not contain CopyDst.", dst->Name(),
                             UsageString(dst->usage()));
    }
    if (size % 4 != 0) return ValidationError("Copy size ({}) is not a multiple of 4.", size);
    if (src_offset % 4 != 0) {
      return ValidationError("Source offset ({}) is not a multiple of 4.", src_offset);
    }
    if (dst_offset % 4 != 0) {
      return ValidationError("Destination offset ({}) is not a multiple of 4.", dst_offset);
    }
    if (src_offset > src->size() || size > src->size() - src_offset) {
      return ValidationError("Copy range [{}, {}) does not fit in source {} of size {}.",
                             src_offset, src_offset + size, src->Name(), src->size());
    }
    if (dst_offset > dst->size() || size > dst->size() - dst_offset) {
      return ValidationError("Copy range [{}, {}) does not fit in destination {} of size {}.",
                             dst_offset, dst_offset + size, dst->Name(), dst->size());
    }
    if (src == dst) {
      return ValidationError("Source and destination are the same buffer {}.", src->Name());
    }
    return {};
  };
  Status status = validate();
  if (!status.ok()) {
    return SetError(std::move(status).error().With("While encoding wgpuCommandEncoderCopyBufferToBuffer."));
  }
  UseBuffer(src);
  UseBuffer(dst);
  if (size == 0) return;
  if (src->vk_buffer() == VK_NULL_HANDLE || dst->vk_buffer() == VK_NULL_HANDLE) return;  // destroyed: submit fails
  BeforeCommand();
  VkBufferCopy region{src_offset, dst_offset, size};
  vkCmdCopyBuffer(cmd_, src->vk_buffer(), dst->vk_buffer(), 1, &region);
}

void CommandEncoder::ClearBuffer(Buffer* buffer, uint64_t offset, uint64_t size) {
  if (!CheckOpen("wgpuCommandEncoderClearBuffer")) return;
  auto validate = [&]() -> Status {
    if (buffer == nullptr) return ValidationError("The buffer is null.");
    if (buffer->device() != device()) return ValidationError("{} belongs to another device.", buffer->Name());
    if (!buffer->valid()) return ValidationError("{} is invalid.", buffer->Name());
    if (!(buffer->usage() & WGPUBufferUsage_CopyDst)) {
      return ValidationError("{} usage ({}) does not contain CopyDst.", buffer->Name(),
                             UsageString(buffer->usage()));
    }
    if (offset > buffer->size()) {
      return ValidationError("Clear offset ({}) is larger than the size ({}) of {}.", offset,
                             buffer->size(), buffer->Name());
    }
    if (size == WGPU_WHOLE_SIZE) size = buffer->size() - offset;
    if (size % 4 != 0) return ValidationError("Clear size ({}) is not a multiple of 4.", size);
    if (offset % 4 != 0) return ValidationError("Clear offset ({}) is not a multiple of 4.", offset);
    if (size > buffer->size() - offset) {
      return ValidationError("Clear range [{}, {}) does not fit in {} of size {}.", offset,
                             offset + size, buffer->Name(), buffer->size());
    }
    return {};
  };
  Status status = validate();
  if (!status.ok()) {
    return SetError(std::move(status).error().With("While encoding wgpuCommandEncoderClearBuffer."));
  }
  UseBuffer(buffer);
  if (size == 0 || buffer->vk_buffer() == VK_NULL_HANDLE) return;
  BeforeCommand();
  vkCmdFillBuffer(cmd_, buffer->vk_buffer(), offset, size, 0);
}

void CommandEncoder::ResolveQuerySet(QuerySet* set, uint32_t first, uint32_t count,
                                     Buffer* dst, uint64_t dst_offset) {
  if (!CheckOpen("wgpuCommandEncoderResolveQuerySet")) return;
  auto validate = [&]() -> Status {
    if (set == nullptr || dst == nullptr) return ValidationError("The query set or buffer is null.");
    if (set->device() != device() || dst->device() != device()) {
      return ValidationError("The query set or buffer belongs to another device.");
    }
    if (!set->valid()) return ValidationError("{} is invalid.", set->Name());
    if (!dst->valid()) return ValidationError("{} is invalid.", dst->Name());
    if (!(dst->usage() & WGPUBufferUsage_QueryResolve)) {
      return ValidationError("{} usage ({}) does not contain QueryResolve.", dst->Name(),
                             UsageString(dst->usage()));
    }
    if (first >= set->count() && !(first == 0 && count == 0)) {
      return ValidationError("firstQuery ({}) is not less than the count ({}) of {}.", first,
                             set->count(), set->Name());
    }
    if (uint64_t{first} + count > set->count()) {
      return ValidationError("Queries [{}, {}) exceed the count ({}) of {}.", first,
                             uint64_t{first} + count, set->count(), set->Name());
    }
    if (dst_offset % 256 != 0) {
      return ValidationError("Destination offset ({}) is not a multiple of 256.", dst_offset);
    }
    uint64_t bytes = uint64_t{count} * 8;
    if (dst_offset > dst->size() || bytes > dst->size() - dst_offset) {
      return ValidationError("Resolving {} queries needs [{}, {}) but {} has size {}.", count,
                             dst_offset, dst_offset + bytes, dst->Name(), dst->size());
    }
    return {};
  };
  Status status = validate();
  if (!status.ok()) {
    return SetError(std::move(status).error().With("While encoding wgpuCommandEncoderResolveQuerySet."));
  }
  UseQuerySet(set);
  UseBuffer(dst);
  if (count == 0 || dst->vk_buffer() == VK_NULL_HANDLE || set->vk_pool() == VK_NULL_HANDLE) return;
  BeforeCommand();
  // Unwritten queries resolve to 0: clear first, then copy only the available results (no
  // WAIT_BIT, which would block forever on a query that is never written).
  vkCmdFillBuffer(cmd_, dst->vk_buffer(), dst_offset, uint64_t{count} * 8, 0);
  RecordCommandBarrier(cmd_);
  vkCmdCopyQueryPoolResults(cmd_, set->vk_pool(), first, count, dst->vk_buffer(), dst_offset, 8,
                            VK_QUERY_RESULT_64_BIT);
}

Result<std::pair<VkBuffer, uint64_t>> CommandEncoder::RecordIndirectValidation(Buffer* buffer,
                                                                              uint64_t offset) {
  constexpr uint32_t kSlots = 256;  // 16 bytes each
  Device* d = device();
  TRY_ASSIGN(const Device::IndirectValidator* v, d->indirect_validator());
  std::lock_guard lock(d->mutex());
  if (internal_.buffers.empty() || scratch_slots_used_ == kSlots) {
    TRY_ASSIGN(vk::BufferAllocation scratch,
               vk::CreateBuffer(d->vk(), kSlots * 16, vk::MemoryKind::kDeviceLocal));
    internal_.buffers.push_back(scratch);
    scratch_slots_used_ = 0;
    indirect_sets_.clear();
  }
  VkBuffer scratch = internal_.buffers.back().buffer;
  VkDescriptorSet set = VK_NULL_HANDLE;
  for (const auto& [b, s] : indirect_sets_) {
    if (b == buffer) set = s;
  }
  if (set == VK_NULL_HANDLE) {
    TRY_ASSIGN(vk::DescriptorSet ds, d->vk().AllocateDescriptorSet(v->set_layout));
    internal_.sets.push_back(ds);
    VkDescriptorBufferInfo infos[2] = {{buffer->vk_buffer(), 0, VK_WHOLE_SIZE},
                                       {scratch, 0, VK_WHOLE_SIZE}};
    VkWriteDescriptorSet writes[2] = {};
    for (uint32_t i = 0; i < 2; ++i) {
      writes[i].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
      writes[i].dstSet = ds.set;
      writes[i].dstBinding = i;
      writes[i].descriptorCount = 1;
      writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
      writes[i].pBufferInfo = &infos[i];
    }
    vkUpdateDescriptorSets(d->vk().handle(), 2, writes, 0, nullptr);
    set = ds.set;
    indirect_sets_.emplace_back(buffer, set);
  }
  uint32_t slot = scratch_slots_used_++;
  const uint32_t push[3] = {static_cast<uint32_t>(offset / 4), slot * 4,
                            d->limits().maxComputeWorkgroupsPerDimension};
  BeforeCommand();
  vkCmdBindPipeline(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, v->pipeline);
  vkCmdBindDescriptorSets(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, v->layout, 0, 1, &set, 0, nullptr);
  vkCmdPushConstants(cmd_, v->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(push), push);
  vkCmdDispatch(cmd_, 1, 1, 1);
  return std::pair<VkBuffer, uint64_t>{scratch, uint64_t{slot} * 16};
}

Ref<CommandBuffer> CommandEncoder::Finish(const WGPUCommandBufferDescriptor* desc) {
  std::string label = desc ? ToString(desc->label) : std::string();
  Device* d = device();
  auto invalid = [&]() {
    return Ref<CommandBuffer>::Adopt(
        new CommandBuffer(d, label, false, VK_NULL_HANDLE, {}, {}, {}, {}));
  };
  if (state_ == State::kEnded) {
    d->ConsumeError(ValidationError("{} is already finished.", Name())
                        .With("While calling wgpuCommandEncoderFinish."));
    return invalid();
  }
  if (state_ == State::kInPass) {
    SetError(ValidationError("{} cannot finish while a compute pass is open; end the pass first.",
                             Name()));
  }
  state_ = State::kEnded;
  if (!valid() || error_) {
    if (error_) {
      d->ConsumeError(std::move(*error_).With(
          fmt::format("While calling wgpuCommandEncoderFinish({}).", Name())));
    }
    return invalid();
  }
  RecordEndBarrier(cmd_);
  Status status = vk::CheckVk(vkEndCommandBuffer(cmd_), "vkEndCommandBuffer");
  if (!status.ok()) {
    d->ConsumeError(std::move(status).error().With("While calling wgpuCommandEncoderFinish."));
    return invalid();
  }
  VkCommandBuffer cmd = std::exchange(cmd_, VK_NULL_HANDLE);
  return Ref<CommandBuffer>::Adopt(new CommandBuffer(d, label, true, cmd, std::move(buffers_),
                                                     std::move(query_sets_), std::move(keep_),
                                                     std::move(internal_)));
}

}  // namespace wasmgpu::gpu
