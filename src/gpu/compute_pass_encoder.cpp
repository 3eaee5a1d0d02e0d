#include "gpu/compute_pass_encoder.h"

#include <cstring>

#include "gpu/bind_group.h"
#include "gpu/buffer.h"
#include "gpu/compute_pipeline.h"
#include "gpu/device.h"
#include "gpu/query_set.h"

namespace wasmgpu::gpu {

ComputePassEncoder::ComputePassEncoder(CommandEncoder* encoder, std::string label, bool valid)
    : DeviceObject(encoder->device(), "ComputePassEncoder", std::move(label), valid),
      encoder_(encoder) {}

Ref<ComputePassEncoder> ComputePassEncoder::Create(CommandEncoder* encoder, std::string label,
                                                   const WGPUPassTimestampWrites* timestamps,
                                                   bool valid, bool ended) {
  Ref<ComputePassEncoder> pass =
      Ref<ComputePassEncoder>::Adopt(new ComputePassEncoder(encoder, std::move(label), valid));
  pass->ended_ = ended;
  if (timestamps != nullptr && timestamps->endOfPassWriteIndex != WGPU_QUERY_SET_INDEX_UNDEFINED) {
    pass->end_timestamp_set_ = reinterpret_cast<QuerySet*>(timestamps->querySet);
    pass->end_timestamp_index_ = timestamps->endOfPassWriteIndex;
  }
  return pass;
}

bool ComputePassEncoder::CheckUsable(const char* call) {
  if (ended_) {
    device()->ConsumeError(ValidationError("{} has already ended.", Name())
                               .With(fmt::format("While calling {}.", call)));
    return false;
  }
  return valid() && encoder_->ok();
}

void ComputePassEncoder::Fail(Error error, const char* call) {
  encoder_->SetError(std::move(error).With(fmt::format("While encoding {} in {}.", call, Name())));
}

void ComputePassEncoder::SetPipeline(ComputePipeline* pipeline) {
  const char* call = "wgpuComputePassEncoderSetPipeline";
  if (!CheckUsable(call)) return;
  if (pipeline == nullptr) return Fail(ValidationError("The pipeline is null."), call);
  if (pipeline->device() != device()) {
    return Fail(ValidationError("{} belongs to another device.", pipeline->Name()), call);
  }
  if (!pipeline->valid()) return Fail(ValidationError("{} is invalid.", pipeline->Name()), call);
  encoder_->UsePipeline(pipeline);
  if (pipeline != pipeline_) {
    pipeline_ = pipeline;
    pipeline_dirty_ = true;
  }
}

void ComputePassEncoder::SetBindGroup(uint32_t index, BindGroup* group, size_t dynamic_count,
                                      const uint32_t* dynamic_offsets) {
  const char* call = "wgpuComputePassEncoderSetBindGroup";
  if (!CheckUsable(call)) return;
  const WGPULimits& limits = device()->limits();
  if (index >= limits.maxBindGroups || index >= kMaxGroups) {
    return Fail(ValidationError("Bind group index ({}) exceeds maxBindGroups ({}).", index,
                                limits.maxBindGroups), call);
  }
  if (group == nullptr) {
    if (dynamic_count != 0) {
      return Fail(ValidationError("dynamicOffsetCount ({}) must be 0 when unsetting bind group {}.",
                                  dynamic_count, index), call);
    }
    groups_[index] = nullptr;
    groups_dirty_ |= 1u << index;
    return;
  }
  if (group->device() != device()) {
    return Fail(ValidationError("{} belongs to another device.", group->Name()), call);
  }
  if (!group->valid()) return Fail(ValidationError("{} is invalid.", group->Name()), call);
  if (dynamic_count != group->layout()->dynamic_count()) {
    return Fail(ValidationError("dynamicOffsetCount ({}) does not match the number of dynamic "
                                "bindings ({}) in {}.",
                                dynamic_count, group->layout()->dynamic_count(), group->Name()),
                call);
  }
  if (dynamic_count > 0 && dynamic_offsets == nullptr) {
    return Fail(ValidationError("dynamicOffsets is null."), call);
  }
  size_t i = 0;
  for (const BoundBuffer& b : group->buffers()) {
    if (!b.layout.dynamic) continue;
    uint32_t offset = dynamic_offsets[i];
    bool uniform = b.layout.type == WGPUBufferBindingType_Uniform;
    uint32_t align = uniform ? limits.minUniformBufferOffsetAlignment
                             : limits.minStorageBufferOffsetAlignment;
    if (offset % align != 0) {
      return Fail(ValidationError("Dynamic offset [{}] ({}) is not a multiple of {} ({}).", i,
                                  offset,
                                  uniform ? "minUniformBufferOffsetAlignment"
                                          : "minStorageBufferOffsetAlignment",
                                  align), call);
    }
    uint64_t end = b.offset + uint64_t{offset} + b.size;
    if (end > b.buffer->size()) {
      return Fail(ValidationError("Dynamic offset [{}] ({}) moves binding {} to [{}, {}), past the "
                                  "end of {} (size {}).",
                                  i, offset, b.layout.binding, b.offset + offset, end,
                                  b.buffer->Name(), b.buffer->size()), call);
    }
    ++i;
  }
  encoder_->UseBindGroup(group);
  groups_[index] = group;
  offsets_[index].assign(dynamic_offsets, dynamic_offsets + dynamic_count);
  groups_dirty_ |= 1u << index;
}

void ComputePassEncoder::SetImmediateData(uint32_t offset, const void* data, size_t size) {
  const char* call = "wgpuComputePassEncoderSetImmediateData";
  if (!CheckUsable(call)) return;
  uint32_t max = device()->limits().maxImmediateSize;
  if (offset % 4 != 0 || size % 4 != 0) {
    return Fail(ValidationError("Immediate data offset ({}) and size ({}) must be multiples of 4.",
                                offset, size), call);
  }
  if (offset > max || size > max - offset) {
    return Fail(ValidationError("Immediate data range [{}, {}) exceeds maxImmediateSize ({}).",
                                offset, uint64_t{offset} + size, max), call);
  }
  if (size > 0 && data == nullptr) return Fail(ValidationError("Immediate data is null."), call);
  std::memcpy(immediates_.data() + offset, data, size);
  immediates_dirty_ = true;
}

Status ComputePassEncoder::ValidateDispatch(Buffer* indirect) {
  if (pipeline_ == nullptr) return ValidationError("No pipeline is set.");
  PipelineLayout* layout = pipeline_->layout();
  const auto& layouts = layout->groups();
  // Usage scope of this dispatch: a buffer written as storage may not also be read as uniform,
  // read-only storage or indirect arguments (WebGPU "writable usage" rule).
  struct Use {
    Buffer* buffer;
    bool writable;
    uint64_t begin, end;
  };
  Use uses[64];
  size_t use_count = 0;
  for (uint32_t g = 0; g < layouts.size(); ++g) {
    BindGroup* group = groups_[g];
    if (group == nullptr) {
      if (layouts[g]->bindings().empty()) continue;
      return ValidationError("Bind group {} is not set but {} uses it.", g, pipeline_->Name());
    }
    if (!group->layout()->CompatibleWith(*layouts[g])) {
      return ValidationError("{} at index {} has a layout incompatible with {}'s layout at that "
                             "index.", group->Name(), g, pipeline_->Name());
    }
    for (const BoundBuffer& b : group->buffers()) {
      if (use_count < 64) {
        uses[use_count++] = {b.buffer.get(), b.layout.type == WGPUBufferBindingType_Storage, 0, 0};
      }
    }
  }
  if (indirect != nullptr && use_count < 64) uses[use_count++] = {indirect, false, 0, 0};
  for (size_t i = 0; i < use_count; ++i) {
    if (!uses[i].writable) continue;
    for (size_t j = 0; j < use_count; ++j) {
      if (uses[j].buffer == uses[i].buffer && !uses[j].writable) {
        return ValidationError("{} is used as writable storage and as {} in the same dispatch.",
                               uses[i].buffer->Name(),
                               uses[j].buffer == indirect && j == use_count - 1
                                   ? "indirect arguments"
                                   : "a read-only binding");
      }
    }
  }
  return {};
}

void ComputePassEncoder::RecordBinds(CommandEncoder::CommandKind kind) {
  PipelineLayout* layout = pipeline_->layout();
  const auto& layouts = layout->groups();
  VkCommandBuffer cmd = encoder_->cmd();
  encoder_->BeforeCommand(kind);
  if (pipeline_dirty_) {
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline_->vk_pipeline());
    pipeline_dirty_ = false;
  }
  if (layout->vk_layout() != bound_layout_) {
    // A different layout may disturb earlier bindings: bind everything again.
    bound_layout_ = layout->vk_layout();
    groups_dirty_ = ~0u;
    immediates_dirty_ = true;
  }
  for (uint32_t g = 0; g < layouts.size(); ++g) {
    if (!(groups_dirty_ & (1u << g)) || groups_[g] == nullptr) continue;
    VkDescriptorSet set = groups_[g]->vk_set();
    vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, bound_layout_, g, 1, &set,
                            static_cast<uint32_t>(offsets_[g].size()), offsets_[g].data());
  }
  groups_dirty_ = 0;
  if (immediates_dirty_ && layout->immediate_size() > 0) {
    vkCmdPushConstants(cmd, bound_layout_, VK_SHADER_STAGE_COMPUTE_BIT, 0, layout->immediate_size(),
                       immediates_.data());
    immediates_dirty_ = false;
  }
}

void ComputePassEncoder::Dispatch(uint32_t x, uint32_t y, uint32_t z) {
  const char* call = "wgpuComputePassEncoderDispatchWorkgroups";
  if (!CheckUsable(call)) return;
  uint32_t max = device()->limits().maxComputeWorkgroupsPerDimension;
  const uint32_t counts[3] = {x, y, z};
  for (int i = 0; i < 3; ++i) {
    if (counts[i] > max) {
      return Fail(ValidationError("Dispatch workgroup count {} ({}) exceeds "
                                  "maxComputeWorkgroupsPerDimension ({}).",
                                  "XYZ"[i], counts[i], max), call);
    }
  }
  Status status = ValidateDispatch(nullptr);
  if (!status.ok()) return Fail(std::move(status).error(), call);
  if (x == 0 || y == 0 || z == 0) return;
  RecordBinds(CommandEncoder::CommandKind::kDirectDispatch);
  vkCmdDispatch(encoder_->cmd(), x, y, z);
}

void ComputePassEncoder::DispatchIndirect(Buffer* buffer, uint64_t offset) {
  const char* call = "wgpuComputePassEncoderDispatchWorkgroupsIndirect";
  if (!CheckUsable(call)) return;
  auto validate = [&]() -> Status {
    if (buffer == nullptr) return ValidationError("The indirect buffer is null.");
    if (buffer->device() != device()) return ValidationError("{} belongs to another device.", buffer->Name());
    if (!buffer->valid()) return ValidationError("{} is invalid.", buffer->Name());
    if (!(buffer->usage() & WGPUBufferUsage_Indirect)) {
      return ValidationError("{} usage ({}) does not contain Indirect.", buffer->Name(),
                             UsageString(buffer->usage()));
    }
    if (offset % 4 != 0) return ValidationError("Indirect offset ({}) is not a multiple of 4.", offset);
    if (offset > buffer->size() || buffer->size() - offset < 12) {
      return ValidationError("Indirect range [{}, {}) does not fit in {} of size {}.", offset,
                             offset + 12, buffer->Name(), buffer->size());
    }
    return {};
  };
  Status status = validate();
  if (status.ok()) status = ValidateDispatch(buffer);
  if (!status.ok()) return Fail(std::move(status).error(), call);
  encoder_->UseBuffer(buffer);
  if (buffer->vk_buffer() == VK_NULL_HANDLE) return;  // destroyed: the submit fails
  // The GPU reads the arguments, so they are checked on the GPU: copied into scratch space,
  // zeroed when over the limit (VUID-VkDispatchIndirectCommand-x-00417 and y/z).
  Result<std::pair<VkBuffer, uint64_t>> checked = encoder_->RecordIndirectValidation(buffer, offset);
  if (!checked.ok()) return Fail(std::move(checked).error(), call);
  // The validation pipeline replaced ours: bind everything again.
  pipeline_dirty_ = true;
  bound_layout_ = VK_NULL_HANDLE;
  RecordBinds(CommandEncoder::CommandKind::kOther);
  vkCmdDispatchIndirect(encoder_->cmd(), checked->first, checked->second);
}

void ComputePassEncoder::End() {
  if (ended_) {
    device()->ConsumeError(ValidationError("{} has already ended.", Name())
                               .With("While calling wgpuComputePassEncoderEnd."));
    return;
  }
  ended_ = true;
  if (end_timestamp_set_ && encoder_->ok()) {
    encoder_->RecordTimestamp(end_timestamp_set_.get(), end_timestamp_index_);
  }
  encoder_->EndPass();
}

}  // namespace wasmgpu::gpu
