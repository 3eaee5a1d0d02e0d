#include "gpu/buffer.h"

#include <cstring>

#include "gpu/device.h"
#include "gpu/instance.h"
#include "gpu/vk/vk_check.h"

namespace wasmgpu::gpu {
namespace {

constexpr WGPUBufferUsage kAllUsages = 0x3FF;
constexpr WGPUBufferUsage kHostMappedUsages =
    WGPUBufferUsage_Storage | WGPUBufferUsage_CopySrc | WGPUBufferUsage_CopyDst;

uint64_t VkSize(uint64_t size) { return size < 4 ? 4 : (size + 3) & ~uint64_t{3}; }

}  // namespace

std::string UsageString(WGPUBufferUsage usage) {
  static const std::pair<WGPUBufferUsage, const char*> kNames[] = {
      {WGPUBufferUsage_MapRead, "MapRead"},   {WGPUBufferUsage_MapWrite, "MapWrite"},
      {WGPUBufferUsage_CopySrc, "CopySrc"},   {WGPUBufferUsage_CopyDst, "CopyDst"},
      {WGPUBufferUsage_Index, "Index"},       {WGPUBufferUsage_Vertex, "Vertex"},
      {WGPUBufferUsage_Uniform, "Uniform"},   {WGPUBufferUsage_Storage, "Storage"},
      {WGPUBufferUsage_Indirect, "Indirect"}, {WGPUBufferUsage_QueryResolve, "QueryResolve"},
  };
  std::string s;
  for (const auto& [bit, name] : kNames) {
    if (usage & bit) s += (s.empty() ? "" : "|") + std::string(name);
  }
  if (usage & ~kAllUsages) s += fmt::format("{}0x{:x}", s.empty() ? "" : "|", usage & ~kAllUsages);
  return s.empty() ? "None" : s;
}

Buffer::Buffer(Device* device, const WGPUBufferDescriptor* desc, bool valid)
    : DeviceObject(device, "Buffer", ToString(desc->label), valid),
      size_(desc->size),
      usage_(desc->usage) {}

Status Buffer::ValidateDescriptor(const WGPUBufferDescriptor* desc,
                                  const WGPUBufferHostMappedPointer* host) const {
  const WGPULimits& limits = device()->limits();
  if (desc->usage == WGPUBufferUsage_None) return ValidationError("Buffer usage must not be None.");
  if (desc->usage & ~kAllUsages) {
    return ValidationError("Buffer usage ({}) contains unknown bits.", UsageString(desc->usage));
  }
  if ((desc->usage & WGPUBufferUsage_MapRead) &&
      (desc->usage & ~(WGPUBufferUsage_MapRead | WGPUBufferUsage_CopyDst))) {
    return ValidationError(
        "Buffer usage ({}) combines MapRead with usages other than CopyDst.",
        UsageString(desc->usage));
  }
  if ((desc->usage & WGPUBufferUsage_MapWrite) &&
      (desc->usage & ~(WGPUBufferUsage_MapWrite | WGPUBufferUsage_CopySrc))) {
    return ValidationError(
        "Buffer usage ({}) combines MapWrite with usages other than CopySrc.",
        UsageString(desc->usage));
  }
  if (desc->mappedAtCreation && desc->size % 4 != 0) {
    return ValidationError("Buffer size ({}) is not a multiple of 4, which mappedAtCreation requires.",
                           desc->size);
  }
  if (desc->size > limits.maxBufferSize) {
    return ValidationError("Buffer size ({}) exceeds maxBufferSize ({}).", desc->size,
                           limits.maxBufferSize);
  }
  if (host != nullptr) {
    uint32_t align = device()->host_mapped_pointer_alignment();
    if (!device()->HasFeature(WGPUFeatureName_HostMappedPointer)) {
      return ValidationError(
          "WGPUBufferHostMappedPointer requires the HostMappedPointer feature, which is not "
          "enabled on this device.");
    }
    auto address = reinterpret_cast<uintptr_t>(host->pointer);
    if (host->pointer == nullptr) return ValidationError("Host-mapped pointer is null.");
    if (address % align != 0) {
      return ValidationError(
          "Host-mapped pointer (0x{:x}) is not a multiple of hostMappedPointerAlignment ({}).",
          address, align);
    }
    if (desc->size == 0) {
      return ValidationError("Buffer size (0) must be a non-zero multiple of "
                             "hostMappedPointerAlignment ({}) for a host-mapped buffer.",
                             align);
    }
    if (desc->size % align != 0) {
      return ValidationError("Buffer size ({}) is not a multiple of hostMappedPointerAlignment ({}).",
                             desc->size, align);
    }
    if (desc->usage & ~kHostMappedUsages) {
      return ValidationError(
          "Host-mapped buffer usage ({}) may only contain Storage, CopySrc and CopyDst.",
          UsageString(desc->usage));
    }
    if (desc->mappedAtCreation) {
      return ValidationError("A host-mapped buffer cannot be mappedAtCreation: its memory is "
                             "already the host's.");
    }
    if (address > UINTPTR_MAX - desc->size) {
      return ValidationError("Host-mapped range [0x{:x}, +{}) wraps around the address space.",
                             address, desc->size);
    }
  }
  return {};
}

Status Buffer::Initialize(const WGPUBufferDescriptor* desc,
                          const WGPUBufferHostMappedPointer* host) {
  Device* d = device();
  vk::Device& vkd = d->vk();
  if (host != nullptr) {
    Result<vk::BufferAllocation> a = vk::ImportHostBuffer(vkd, host->pointer, desc->size);
    if (!a.ok()) {
      Error e = std::move(a).error();
      return Error{e.kind == ErrorKind::kInternal ? ErrorKind::kOutOfMemory : e.kind,
                   fmt::format("The driver could not import host memory [0x{:x}, +{}) as a "
                               "buffer: {} The device keeps working; retry with a smaller range.",
                               reinterpret_cast<uintptr_t>(host->pointer), desc->size, e.message)};
    }
    allocation_ = *a;
    host_mapped_ = true;
    return {};
  }
  vk::MemoryKind kind = vk::MemoryKind::kDeviceLocal;
  if (usage_ & WGPUBufferUsage_MapRead) kind = vk::MemoryKind::kReadback;
  if (usage_ & WGPUBufferUsage_MapWrite) kind = vk::MemoryKind::kUpload;
  TRY_ASSIGN(allocation_, vk::CreateBuffer(vkd, VkSize(size_), kind));
  // WebGPU: new buffers read as zeros.
  if (allocation_.mapped != nullptr) {
    std::memset(allocation_.mapped, 0, allocation_.size);
  } else {
    TRY_ASSIGN(VkCommandBuffer cmd, d->PendingCommands());
    vkCmdFillBuffer(cmd, allocation_.buffer, 0, VK_WHOLE_SIZE, 0);
    RecordCommandBarrier(cmd);
    last_use_serial_ = d->pending_serial();
  }
  if (desc->mappedAtCreation) {
    if (allocation_.mapped != nullptr) {
      map_base_ = static_cast<uint8_t*>(allocation_.mapped);
    } else {
      TRY_ASSIGN(StagingSlice slice, d->AcquireStaging(allocation_.size));
      std::memset(slice.mapped, 0, allocation_.size);
      has_staging_ = true;
      staging_index_ = slice.index;
      staging_buffer_ = slice.buffer;
      map_base_ = static_cast<uint8_t*>(slice.mapped);
    }
    state_ = State::kMappedAtCreation;
    map_mode_ = WGPUMapMode_Write;
    map_offset_ = 0;
    map_size_ = size_;
  }
  return {};
}

Ref<Buffer> Buffer::Create(Device* device, const WGPUBufferDescriptor* desc) {
  const WGPUBufferHostMappedPointer* host = nullptr;
  for (const WGPUChainedStruct* c = desc->nextInChain; c != nullptr; c = c->next) {
    if (c->sType == WGPUSType_BufferHostMappedPointer) {
      host = reinterpret_cast<const WGPUBufferHostMappedPointer*>(c);
    }
  }
  Ref<Buffer> buffer = Ref<Buffer>::Adopt(new Buffer(device, desc, true));
  if (host != nullptr) {
    buffer->dispose_ = host->disposeCallback;
    buffer->dispose_userdata_ = host->userdata;
  }
  Status status = device->lost() ? Status(MakeError(ErrorKind::kDeviceLost, "The device is lost."))
                                 : buffer->ValidateDescriptor(desc, host);
  if (status.ok()) {
    std::lock_guard lock(device->mutex());
    status = buffer->Initialize(desc, host);
  }
  if (!status.ok()) {
    buffer->ReleaseResources();
    buffer->Invalidate();
    if (status.error().kind != ErrorKind::kDeviceLost) {
      device->ConsumeError(std::move(status).error().With(
          fmt::format("While calling wgpuDeviceCreateBuffer({}).", buffer->Name())));
    }
    buffer->state_ = State::kUnmapped;
    if (desc->mappedAtCreation) {
      // WebGPU still hands out a mapping for an invalid buffer created mapped; it is discarded
      // on unmap. Refuse only sizes no process could allocate.
      if (desc->size > (uint64_t{1} << 32)) return Ref<Buffer>();
      buffer->error_mapping_.assign(VkSize(desc->size), 0);
      buffer->map_base_ = buffer->error_mapping_.data();
      buffer->state_ = State::kMappedAtCreation;
      buffer->map_mode_ = WGPUMapMode_Write;
      buffer->map_size_ = desc->size;
    }
    return buffer;
  }
  device->RegisterBuffer(buffer.get());
  return buffer;
}

Buffer::~Buffer() {
  if (state_ != State::kDestroyed) {
    if (state_ == State::kPending) {
      device()->instance()->ResolveEvent(map_event_, WGPUMapAsyncStatus_Aborted,
                                         "The buffer was released before the mapping completed.");
    }
    device()->UnregisterBuffer(this);
    ReleaseResources();
  }
}

WGPUBufferMapState Buffer::map_state() const {
  switch (state_) {
    case State::kPending: return WGPUBufferMapState_Pending;
    case State::kMapped:
    case State::kMappedAtCreation: return WGPUBufferMapState_Mapped;
    default: return WGPUBufferMapState_Unmapped;
  }
}

Status Buffer::ValidateUsable() const {
  if (!valid()) return ValidationError("{} is invalid.", Name());
  if (state_ == State::kDestroyed) return ValidationError("{} is destroyed.", Name());
  if (state_ != State::kUnmapped) {
    return ValidationError("{} is {}; unmap it before the GPU uses it.", Name(),
                           state_ == State::kPending ? "being mapped" : "mapped");
  }
  return {};
}

WGPUFuture Buffer::MapAsync(WGPUMapMode mode, size_t offset, size_t size,
                            const WGPUBufferMapCallbackInfo& info) {
  Device* d = device();
  Event e{EventKind::kMapAsync};
  e.mode = info.mode;
  e.callback = reinterpret_cast<void (*)()>(info.callback);
  e.userdata1 = info.userdata1;
  e.userdata2 = info.userdata2;
  e.resolved = true;
  e.status = WGPUMapAsyncStatus_Error;

  auto validate = [&]() -> Status {
    if (!valid()) return ValidationError("{} is invalid.", Name());
    if (state_ == State::kDestroyed) return ValidationError("{} is destroyed.", Name());
    if (host_mapped_) {
      return ValidationError("{} is host-mapped: its memory is always the host's, so it cannot "
                             "be mapped.", Name());
    }
    if (state_ == State::kPending) return ValidationError("{} already has a pending map.", Name());
    if (state_ != State::kUnmapped) return ValidationError("{} is already mapped.", Name());
    if (mode != WGPUMapMode_Read && mode != WGPUMapMode_Write) {
      return ValidationError("Map mode (0x{:x}) must be exactly one of Read or Write.", mode);
    }
    WGPUBufferUsage needed = mode == WGPUMapMode_Read ? WGPUBufferUsage_MapRead
                                                      : WGPUBufferUsage_MapWrite;
    if (!(usage_ & needed)) {
      return ValidationError("Map mode {} requires usage {}, but {} has usage {}.",
                             mode == WGPUMapMode_Read ? "Read" : "Write", UsageString(needed),
                             Name(), UsageString(usage_));
    }
    if (offset % 8 != 0) return ValidationError("Map offset ({}) is not a multiple of 8.", offset);
    if (offset > size_) {
      return ValidationError("Map offset ({}) is larger than the buffer size ({}).", offset, size_);
    }
    if (size == WGPU_WHOLE_MAP_SIZE) size = static_cast<size_t>(size_ - offset);
    if (size % 4 != 0) return ValidationError("Map size ({}) is not a multiple of 4.", size);
    if (size > size_ - offset) {
      return ValidationError("Map range [{}, {}) does not fit in {} of size {}.", offset,
                             static_cast<uint64_t>(offset) + size, Name(), size_);
    }
    return {};
  };
  if (d->lost()) {
    e.message = "The device is lost.";
    return d->instance()->AddEvent(std::move(e));
  }
  Status status = validate();
  if (!status.ok()) {
    e.message = status.error().message;
    d->ConsumeError(std::move(status).error().With("While calling wgpuBufferMapAsync."));
    return d->instance()->AddEvent(std::move(e));
  }
  std::lock_guard lock(d->mutex());
  state_ = State::kPending;
  map_mode_ = mode;
  map_offset_ = offset;
  map_size_ = size;
  e.resolved = false;
  e.device = d;
  e.serial = last_use_serial_;
  e.object = Ref<RefCounted>(this);
  if (last_use_serial_ > d->last_submitted_serial()) d->Check(d->FlushPending());
  WGPUFuture future = d->instance()->AddEvent(std::move(e));
  map_event_ = future.id;
  return future;
}

uint32_t Buffer::CompleteMap(Event& e) {
  if (e.resolved) return e.status;  // aborted by unmap/destroy, status and message already set
  if (state_ != State::kPending) return WGPUMapAsyncStatus_Aborted;
  if (device()->lost()) {
    state_ = State::kUnmapped;
    e.message = "The device was lost before the mapping completed.";
    return WGPUMapAsyncStatus_Error;
  }
  state_ = State::kMapped;
  map_base_ = static_cast<uint8_t*>(allocation_.mapped);
  handed_out_.clear();
  return WGPUMapAsyncStatus_Success;
}

uint32_t CompleteMapEvent(Event& e) {
  // Maps refused up front (validation, lost device) carry their status and no buffer.
  if (!e.object) return e.status;
  return static_cast<Buffer*>(e.object.get())->CompleteMap(e);
}

void* Buffer::GetMappedRange(size_t offset, size_t size, bool writable) {
  if (state_ != State::kMapped && state_ != State::kMappedAtCreation) return nullptr;
  if (writable && map_mode_ != WGPUMapMode_Write) return nullptr;
  if (offset % 8 != 0 || offset < map_offset_) return nullptr;
  size_t map_end = map_offset_ + map_size_;
  if (offset > map_end) return nullptr;
  if (size == WGPU_WHOLE_MAP_SIZE) size = map_end - offset;
  if (size % 4 != 0 || size > map_end - offset) return nullptr;
  for (const auto& [start, end] : handed_out_) {
    if (offset < end && start < offset + size) return nullptr;  // overlaps an earlier range
  }
  handed_out_.emplace_back(offset, offset + size);
  return map_base_ + offset;
}

void Buffer::Unmap() {
  Device* d = device();
  if (!error_mapping_.empty() || (!valid() && state_ == State::kMappedAtCreation)) {
    error_mapping_.clear();
    error_mapping_.shrink_to_fit();
    state_ = State::kUnmapped;
    map_base_ = nullptr;
    return;
  }
  if (!valid()) {
    d->ConsumeError(ValidationError("{} is invalid.", Name()).With("While calling wgpuBufferUnmap."));
    return;
  }
  std::lock_guard lock(d->mutex());
  switch (state_) {
    case State::kPending:
      d->instance()->ResolveEvent(map_event_, WGPUMapAsyncStatus_Aborted,
                                  "The mapping was aborted by wgpuBufferUnmap.");
      break;
    case State::kMappedAtCreation:
      if (has_staging_) {
        Result<VkCommandBuffer> cmd = d->PendingCommands();
        if (d->Check(cmd.ok() ? Status() : Status(Error(cmd.error())))) {
          VkBufferCopy region{0, 0, allocation_.size};
          vkCmdCopyBuffer(*cmd, staging_buffer_, allocation_.buffer, 1, &region);
          last_use_serial_ = d->pending_serial();
        }
        d->ReleaseStaging(StagingSlice{staging_buffer_, nullptr, staging_index_},
                          d->pending_serial());
        has_staging_ = false;
      }
      break;
    default:
      break;  // kMapped: coherent memory, nothing to flush; kUnmapped/kDestroyed: no-op
  }
  if (state_ != State::kDestroyed) state_ = State::kUnmapped;
  map_base_ = nullptr;
  handed_out_.clear();
}

void Buffer::Destroy() {
  if (state_ == State::kDestroyed) return;
  if (state_ != State::kUnmapped) Unmap();
  if (!valid()) {
    state_ = State::kDestroyed;
    return;
  }
  device()->UnregisterBuffer(this);
  ReleaseResources();
  state_ = State::kDestroyed;
}

void Buffer::ReleaseResources() {
  Device* d = device();
  std::lock_guard lock(d->mutex());
  if (has_staging_) {
    d->ReleaseStaging(StagingSlice{staging_buffer_, nullptr, staging_index_}, 0);
    has_staging_ = false;
  }
  WGPUCallback dispose = std::exchange(dispose_, nullptr);
  void* userdata = dispose_userdata_;
  if (allocation_.buffer == VK_NULL_HANDLE) {
    // Never imported (validation failed): the memory was never the GPU's; hand it back now.
    if (dispose != nullptr) dispose(userdata);
    return;
  }
  vk::BufferAllocation allocation = std::exchange(allocation_, vk::BufferAllocation{});
  vk::Device* vkd = &d->vk();
  // Free the Vulkan objects, then hand host memory back, once the GPU no longer uses them. On a
  // device abandoned after a hang this never runs: the memory may still be written.
  d->DeferUntil(last_use_serial_, [vkd, allocation, dispose, userdata]() mutable {
    vk::DestroyBuffer(*vkd, allocation);
    if (dispose != nullptr) dispose(userdata);
  });
}

Status Buffer::Write(uint64_t offset, const void* data, size_t size) {
  if (size == 0) return {};
  Device* d = device();
  if (allocation_.mapped != nullptr && last_use_serial_ <= d->completed_serial()) {
    // Idle and host-visible: the write lands directly, no staging copy.
    std::memcpy(static_cast<uint8_t*>(allocation_.mapped) + offset, data, size);
    return {};
  }
  TRY_ASSIGN(StagingSlice slice, d->AcquireStaging(size));
  std::memcpy(slice.mapped, data, size);
  Result<VkCommandBuffer> cmd = d->PendingCommands();
  if (!cmd.ok()) {
    d->ReleaseStaging(slice, 0);
    return std::move(cmd).error();
  }
  VkBufferCopy region{0, offset, size};
  vkCmdCopyBuffer(*cmd, slice.buffer, allocation_.buffer, 1, &region);
  // Later pending copies/commands may touch the same range: keep them ordered.
  RecordCommandBarrier(*cmd);
  last_use_serial_ = d->pending_serial();
  d->ReleaseStaging(slice, d->pending_serial());
  return {};
}

}  // namespace wasmgpu::gpu
