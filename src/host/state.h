// Per-instance state of the `wasmgpu` import module, and the helpers every import uses to read
// guest memory safely.
//
// Traps: wasm2c traps longjmp through host frames (DESIGN.md decision 6), so imports never trap
// in the middle of their work. Each import is a thin wrapper (register.cpp) around an
// implementation that takes a GuestCall: the implementation reads guest memory through it, and
// the first bad pointer or length records a message and makes every later read return zeros.
// The implementation checks `c.failed()` before it does anything with effects, returns, all its
// destructors run, and only then does the wrapper trap the guest with the recorded message,
// which lives in this state (not in a host frame) until the engine has copied it.
#pragma once

#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <wasmgpu/webgpu.h>

#include "host/guest_abi.h"
#include "host/handles.h"
#include "wasm/instance.h"

namespace wasmgpu::host {

// A guest callback waiting to run inside wgpuInstanceProcessEvents / wgpuInstanceWaitAny.
struct Delivery {
  enum class Shape {
    kStatusMessage,        // (status, message*, ud1, ud2): map, work done
    kStatusObjectMessage,  // (status, object, message*, ud1, ud2): adapter, device, pipeline
    kStatusTypeMessage,    // (status, type, message*, ud1, ud2): pop error scope
    kDeviceTypeMessage,    // (device*, reason/type, message*, ud1, ud2): device lost, uncaptured
    kCompilationInfo,      // (status, info*, ud1, ud2)
    kUserdata,             // (userdata): host-mapped dispose callback
  };
  Shape shape = Shape::kStatusMessage;
  const char* what = "";   // the C callback type, for messages ("WGPUBufferMapCallback")
  uint32_t fn = 0;         // guest function table index
  uint32_t status = 0;     // or the device handle for kDeviceTypeMessage
  uint32_t value = 0;      // object handle / error type / lost reason
  uint32_t userdata1 = 0;
  uint32_t userdata2 = 0;
  std::string message;
  std::vector<WGPUCompilationMessage> compilation;  // kCompilationInfo (message views below)
  std::vector<std::string> compilation_texts;
};

// Bookkeeping of a guest buffer that the native object cannot give back in guest terms.
struct BufferInfo {
  uint32_t device = 0;
  bool host_mapped = false;
  uint32_t range_begin = 0;  // guest range of a host-mapped buffer
  // Guest copies of mapped ranges handed out by wgpuBufferGet(Const)MappedRange, written back
  // to the native mapping on unmap when writable.
  struct Shadow {
    uint32_t guest = 0;
    void* native = nullptr;
    uint32_t size = 0;
    bool writable = false;
  };
  std::vector<Shadow> shadows;
};

// A guest range aliased by a host-mapped buffer, from creation until the native dispose
// callback says the GPU no longer uses it (which can be after the guest released the buffer).
struct HostMappedRange {
  uint64_t end = 0;
  uint32_t buffer = 0;       // guest handle, 0 once released
  uint32_t dispose_fn = 0;   // the guest's disposeCallback (0: none)
  uint32_t dispose_userdata = 0;
  bool disposed = false;
};

class GpuState final : public wasm::HostState {
 public:
  explicit GpuState(wasm::Instance* instance);
  ~GpuState() override;  // waits for the GPU, releases every object, then memory may go

  // The instance's state, created on first use.
  static GpuState& Of(wasm::Instance* instance);

  wasm::Instance* instance() const { return instance_; }
  bool zero_copy_off() const { return zero_copy_off_; }
  const std::string& adapter_override() const { return adapter_override_; }

  HandleTable handles;
  std::unordered_map<uint32_t, BufferInfo> buffers;        // by guest handle
  std::map<uint32_t, HostMappedRange> host_mapped;         // by guest begin address
  std::deque<Delivery> deliveries;                         // ready guest callbacks
  Delivery current;                                        // the one being delivered
  std::unordered_map<uint32_t, uint32_t> device_alignment; // device handle -> alignment
  // The guests' uncaptured-error callbacks, one per device requested (native userdata2).
  std::vector<std::unique_ptr<guest::UncapturedErrorCallbackInfo>> uncaptured;
  bool deliver_pending = false;  // run queued guest callbacks when the import returns
  std::string trap_message;  // set by a GuestCall; the wrapper traps with it
  std::string scratch;       // message text being delivered
  bool tearing_down = false;
  bool device_lost_unexpectedly = false;  // a device was lost to a hang or error, not destroyed

  // Handles: the native object of a live handle, or null.
  template <typename T>
  T Native(uint32_t handle, Kind kind) const {
    const HandleTable::Slot* slot = handles.Find(handle, kind);
    return slot != nullptr ? static_cast<T>(slot->object) : nullptr;
  }
  // Adds a native object returned with one reference; returns its guest handle (0 for null).
  uint32_t Adopt(Kind kind, void* object, uint32_t device);

  // Guest heap (the guest's exported malloc/free), for memory the host hands to the guest:
  // callback messages, mapped ranges, adapter info strings. 0 when the guest exports no malloc
  // or it failed; *error then says why.
  uint32_t GuestMalloc(uint32_t size, std::string* error);
  void GuestFree(uint32_t ptr);

  // A validation error the host found on `device` (a guest handle), reported through the
  // native device (wasmgpuDeviceInjectError): the guest's error scopes capture it, else its
  // uncaptured-error callback gets it. Printed on stderr when the device is not live.
  void ValidationErrorOn(uint32_t device, std::string message);

  // Runs queued guest callbacks. Returns false when a callback trapped or was not callable;
  // the caller (an import wrapper, with nothing destructible in its frame) must then call
  // Unwind().
  bool Deliver();
  [[noreturn]] void Unwind();
  // True when a nested call into the guest (its malloc/free, a callback) trapped or exited: the
  // import must not return to the guest but resume that unwind.
  bool unwinding() const { return unwind_resume_; }

 private:
  bool DeliverOne();

  wasm::Instance* instance_;
  bool zero_copy_off_ = false;
  std::string adapter_override_;
  int has_malloc_ = -1;  // -1 unknown, 0 no, 1 yes
  // A block of the guest heap reused for callback arguments, so that a delivery costs one call
  // into the guest, not three (malloc, callback, free). A callback that itself waits on events
  // gets blocks of its own (scratch_busy_).
  uint32_t scratch_ptr_ = 0;
  uint32_t scratch_size_ = 0;
  bool scratch_busy_ = false;
  bool unwind_resume_ = false;  // Unwind: the engine's unwind (true) or a host trap
};

// Reads guest memory for one import call. See the file comment for the trap protocol.
class GuestCall {
 public:
  GuestCall(GpuState& state, const char* function) : state_(state), function_(function) {}

  GpuState& state() const { return state_; }
  wasm::Instance* instance() const { return state_.instance(); }
  const char* function() const { return function_; }
  bool failed() const { return !state_.trap_message.empty(); }

  // Records a trap message ("<function>: <text>") if none is recorded yet.
  template <typename... Args>
  void Fail(fmt::format_string<Args...> format, Args&&... args) {
    if (failed()) return;
    state_.trap_message = fmt::format("{}: ", function_);
    fmt::format_to(std::back_inserter(state_.trap_message), format, std::forward<Args>(args)...);
  }

  // True when [ptr, ptr + bytes) lies in memory; else records
  // "<what> (ptr 0x..., N bytes) is outside linear memory (M bytes)."
  bool Check(uint64_t ptr, uint64_t bytes, std::string_view what) {
    if (failed()) return false;
    if (instance()->InBounds(ptr, bytes)) return true;
    Fail("{} (ptr {:#x}, {} bytes) is outside linear memory ({} bytes).", what, ptr, bytes,
         instance()->memory_size());
    return false;
  }
  // An array of `count` elements of `elem` bytes at ptr; the byte count is computed in 64 bits
  // (a u32 count times a struct size cannot wrap).
  // Counts above kMaxArrayCount are refused (a trap) before the host allocates for them: no
  // WebGPU limit comes near it, and a guest must not make the host allocate gigabytes.
  static constexpr uint64_t kMaxArrayCount = 1u << 16;
  bool CheckArray(uint32_t ptr, uint64_t count, uint64_t elem, std::string_view what) {
    if (count == 0) return true;
    if (failed()) return false;
    if (count > kMaxArrayCount) {
      Fail("{} has {} elements, more than the host accepts ({}).", what, count, kMaxArrayCount);
      return false;
    }
    if (ptr == 0) {
      Fail("{} is null but its count is {}.", what, count);
      return false;
    }
    return Check(ptr, count * elem, what);
  }

  // Reads a T at ptr (zeros on failure).
  template <typename T>
  T Read(uint64_t ptr, std::string_view what) {
    static_assert(std::is_trivially_copyable_v<T>);
    T value;
    std::memset(&value, 0, sizeof(T));
    if (Check(ptr, sizeof(T), what)) {
      std::memcpy(&value, instance()->memory_base() + ptr, sizeof(T));
    }
    return value;
  }
  // Reads a struct that must not be null.
  template <typename T>
  T ReadRequired(uint32_t ptr, std::string_view what) {
    if (ptr == 0) {
      if (!failed()) Fail("{} is null.", what);
      T value;
      std::memset(&value, 0, sizeof(T));
      return value;
    }
    return Read<T>(ptr, what);
  }
  template <typename T>
  void Write(uint64_t ptr, const T& value, std::string_view what) {
    if (Check(ptr, sizeof(T), what)) std::memcpy(instance()->memory_base() + ptr, &value, sizeof(T));
  }
  // Host pointer to a checked range (null on failure or when bytes == 0 and ptr == 0).
  uint8_t* Span(uint64_t ptr, uint64_t bytes, std::string_view what) {
    if (!Check(ptr, bytes, what)) return nullptr;
    return instance()->memory_base() + ptr;
  }

  // A guest WGPUStringView as a native one pointing into guest memory (valid during this call).
  // {NULL, WGPU_STRLEN} stays the null view; {p, WGPU_STRLEN} must have a NUL before the end of
  // memory; {p, n} must lie in memory.
  WGPUStringView String(guest::StringView view, std::string_view what);
  // The text of a string view ("" for null views).
  std::string_view Text(guest::StringView view, std::string_view what) {
    WGPUStringView v = String(view, what);
    if (v.data == nullptr) return {};
    return std::string_view(v.data, v.length);
  }

 private:
  GpuState& state_;
  const char* function_;
};

// Converts a guest WGPUFuture id / size_t / handles to native and back.
inline WGPUFuture ToFuture(uint64_t id) { return WGPUFuture{id}; }
inline size_t FromGuestSize(uint32_t size, uint32_t whole) {
  return size == whole ? SIZE_MAX : static_cast<size_t>(size);
}

}  // namespace wasmgpu::host
