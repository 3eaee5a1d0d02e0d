#include "host/handles.h"

#include <fmt/format.h>

#include <algorithm>

namespace wasmgpu::host {

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kNone: return "nothing";
    case Kind::kInstance: return "WGPUInstance";
    case Kind::kAdapter: return "WGPUAdapter";
    case Kind::kDevice: return "WGPUDevice";
    case Kind::kQueue: return "WGPUQueue";
    case Kind::kBuffer: return "WGPUBuffer";
    case Kind::kShaderModule: return "WGPUShaderModule";
    case Kind::kBindGroupLayout: return "WGPUBindGroupLayout";
    case Kind::kBindGroup: return "WGPUBindGroup";
    case Kind::kPipelineLayout: return "WGPUPipelineLayout";
    case Kind::kComputePipeline: return "WGPUComputePipeline";
    case Kind::kCommandEncoder: return "WGPUCommandEncoder";
    case Kind::kComputePassEncoder: return "WGPUComputePassEncoder";
    case Kind::kCommandBuffer: return "WGPUCommandBuffer";
    case Kind::kQuerySet: return "WGPUQuerySet";
  }
  return "an unknown kind";
}

bool HandleTable::Decode(uint32_t handle, uint32_t* index, uint8_t* generation,
                         Kind* kind) const {
  uint32_t raw = handle ^ key_;
  uint32_t k = raw >> 28;
  if (k == 0 || k >= static_cast<uint32_t>(kKindCount)) return false;
  *kind = static_cast<Kind>(k);
  *generation = static_cast<uint8_t>(raw >> 20);
  *index = raw & (kMaxSlots - 1);
  return *index < slots_.size();
}

uint32_t HandleTable::Insert(Kind kind, void* object, uint32_t device, bool* existing) {
  *existing = false;
  if (auto it = by_object_.find(object); it != by_object_.end()) {
    Slot& slot = slots_[it->second];
    if (slot.kind == kind) {
      *existing = true;
      ++slot.refs;
      return Encode(it->second, slot.generation, kind);
    }
  }
  uint32_t index;
  if (free_head_ < free_.size() && free_.size() - free_head_ > 64) {
    // Reuse only once enough slots are free, so a released handle stays detectably stale.
    index = free_[free_head_++];
    if (free_head_ > 4096 && free_head_ * 2 > free_.size()) {
      free_.erase(free_.begin(), free_.begin() + static_cast<ptrdiff_t>(free_head_));
      free_head_ = 0;
    }
  } else if (slots_.size() < kMaxSlots) {
    index = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  } else {
    return 0;
  }
  Slot& slot = slots_[index];
  slot.object = object;
  slot.kind = kind;
  slot.refs = 1;
  slot.device = device;
  by_object_[object] = index;
  return Encode(index, slot.generation, kind);
}

HandleTable::Slot* HandleTable::Find(uint32_t handle, Kind kind) {
  uint32_t index;
  uint8_t generation;
  Kind decoded;
  if (handle == 0 || !Decode(handle, &index, &generation, &decoded)) return nullptr;
  Slot& slot = slots_[index];
  if (decoded != kind || slot.object == nullptr || slot.kind != kind ||
      slot.generation != generation) {
    return nullptr;
  }
  return &slot;
}

std::string HandleTable::Describe(uint32_t handle, Kind kind) const {
  if (handle == 0) return "is null";
  uint32_t index;
  uint8_t generation;
  Kind decoded;
  if (!Decode(handle, &index, &generation, &decoded)) {
    return "is not a handle of this instance (forged, or from another instance)";
  }
  const Slot& slot = slots_[index];
  if (slot.generation != generation || slot.object == nullptr) {
    // The kind bits still say what it was.
    return fmt::format("was released (a stale {} handle)", KindName(decoded));
  }
  if (decoded != kind) return fmt::format("is a {}, not a {}", KindName(decoded), KindName(kind));
  return "is valid";
}

bool HandleTable::AddRef(uint32_t handle, Kind kind) {
  Slot* slot = Find(handle, kind);
  if (slot == nullptr) return false;
  ++slot->refs;
  return true;
}

void* HandleTable::Release(uint32_t handle, Kind kind, bool* ok) {
  Slot* slot = Find(handle, kind);
  *ok = slot != nullptr;
  if (slot == nullptr || --slot->refs > 0) return nullptr;
  return Remove(handle);
}

void* HandleTable::Remove(uint32_t handle) {
  uint32_t index;
  uint8_t generation;
  Kind kind;
  if (!Decode(handle, &index, &generation, &kind)) return nullptr;
  Slot& slot = slots_[index];
  if (slot.object == nullptr || slot.generation != generation) return nullptr;
  void* object = slot.object;
  by_object_.erase(object);
  slot.object = nullptr;
  slot.kind = Kind::kNone;
  slot.refs = 0;
  slot.device = 0;
  ++slot.generation;
  free_.push_back(index);
  return object;
}

uint32_t HandleTable::HandleOf(void* object) const {
  auto it = by_object_.find(object);
  if (it == by_object_.end()) return 0;
  const Slot& s = slots_[it->second];
  return Encode(it->second, s.generation, s.kind);
}

std::vector<uint32_t> HandleTable::LiveHandles() const {
  std::vector<uint32_t> out;
  for (uint32_t i = static_cast<uint32_t>(slots_.size()); i-- > 0;) {
    const Slot& s = slots_[i];
    if (s.object != nullptr) out.push_back(Encode(i, s.generation, s.kind));
  }
  return out;
}

}  // namespace wasmgpu::host
