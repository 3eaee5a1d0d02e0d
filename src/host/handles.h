// Per-instance handle tables (DESIGN.md decision 7): a guest never sees a host pointer, only a
// u32 handle that this table maps back to a native object.
//
// A handle is (kind:4 | generation:8 | index:20) XOR a per-table key. The kind catches a buffer
// passed where a pipeline is expected; the generation catches a handle kept after its object
// was released (the slot may since hold another object); the key makes another instance's
// handles decode to garbage here, so they are refused instead of naming one of this guest's own
// objects. 0 is never a valid handle (the key leaves the kind nibble, which is never 0, alone),
// so a guest's NULL stays NULL.
//
// Each slot holds exactly one native reference and counts the guest's references
// (wgpu*AddRef / wgpu*Release); the native reference is dropped when the guest's count reaches
// zero. The same native object always maps to the same handle (wgpuDeviceGetQueue twice gives
// one handle with two guest references), so guests may compare handles.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace wasmgpu::host {

enum class Kind : uint8_t {
  kNone = 0,
  kInstance,
  kAdapter,
  kDevice,
  kQueue,
  kBuffer,
  kShaderModule,
  kBindGroupLayout,
  kBindGroup,
  kPipelineLayout,
  kComputePipeline,
  kCommandEncoder,
  kComputePassEncoder,
  kCommandBuffer,
  kQuerySet,
};
inline constexpr int kKindCount = 15;

// "WGPUBuffer", ...
const char* KindName(Kind kind);

class HandleTable {
 public:
  static constexpr uint32_t kMaxSlots = 1u << 20;

  struct Slot {
    void* object = nullptr;  // the native object (one native reference), null when free
    Kind kind = Kind::kNone;
    uint8_t generation = 0;
    uint32_t refs = 0;       // the guest's references
    uint32_t device = 0;     // handle of the device the object belongs to (0: none)
  };

  // `key` distinguishes this table's handles from other instances' (only its low 28 bits are
  // used). Pass a different key to each instance.
  explicit HandleTable(uint32_t key) : key_(key & 0x0FFFFFFFu) {}

  // Returns the handle of `object` with one more guest reference: its existing handle when the
  // object is already in the table (*existing = true; the caller then drops the extra native
  // reference it got), else a new slot. 0 when the table is full.
  uint32_t Insert(Kind kind, void* object, uint32_t device, bool* existing);

  // The live slot of `handle` if it is of `kind`, else null (use Describe for the reason).
  Slot* Find(uint32_t handle, Kind kind);
  const Slot* Find(uint32_t handle, Kind kind) const {
    return const_cast<HandleTable*>(this)->Find(handle, kind);
  }
  // Why Find(handle, kind) failed, as the end of a sentence:
  //   "is null", "was released", "is a WGPUBuffer, not a WGPUComputePipeline",
  //   "is not a handle of this instance (forged, or from another instance)"
  std::string Describe(uint32_t handle, Kind kind) const;

  // Adds a guest reference. False when the handle is not live.
  bool AddRef(uint32_t handle, Kind kind);
  // Drops a guest reference. Returns the native object when this was the last one (the slot is
  // then freed and its generation advanced; the caller releases the native reference), else
  // null. *ok is false when the handle is not live.
  void* Release(uint32_t handle, Kind kind, bool* ok);

  // The handle of a native object in the table, or 0.
  uint32_t HandleOf(void* object) const;

  // Every live slot's handle, newest first (teardown releases children before parents).
  std::vector<uint32_t> LiveHandles() const;
  // Frees a slot regardless of its guest references; returns its native object (or null).
  void* Remove(uint32_t handle);
  size_t live_count() const { return by_object_.size(); }

 private:
  uint32_t Encode(uint32_t index, uint8_t generation, Kind kind) const {
    return ((static_cast<uint32_t>(kind) << 28) | (static_cast<uint32_t>(generation) << 20) |
            index) ^ key_;
  }
  bool Decode(uint32_t handle, uint32_t* index, uint8_t* generation, Kind* kind) const;

  uint32_t key_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;  // reused oldest first, so a stale handle meets its successor late
  size_t free_head_ = 0;
  std::unordered_map<void*, uint32_t> by_object_;  // native object -> slot index
};

}  // namespace wasmgpu::host
