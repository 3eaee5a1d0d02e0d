// An instance of a Module: its own linear memory, table and globals, and the host state that
// layers above attach to it. This is the interface src/wasi and src/host build on.
//
// Life of an instance:
//
//   TRY_ASSIGN(auto instance, Instance::Create(module, registry, options));  // binds imports
//   instance->SetHostState(kWasiStateSlot, std::make_unique<WasiState>(...)); // attach state
//   TRY(instance->Instantiate());         // memory, tables, data segments, start function
//   TRY_ASSIGN(int exit_code, instance->RunStart());                         // _start
//   instance.reset();  // host states destroyed (highest slot first), THEN memory unmapped
//
// Threads: a guest runs on the thread that calls Instantiate/RunStart/Call. Traps unwind to the
// innermost call on that thread only, so different instances may run on different threads at
// the same time. One instance must not run on two threads at once.
//
// Memory: linear memory is reserved as 8 GiB of address space up front and grown in place with
// mprotect, so memory_base() never changes for the life of the instance (zero-copy GPU buffers
// rely on it). memory.grow past the module's maximum, or past InstanceOptions::max_memory_pages,
// returns -1 to the guest. A host state learns of growth through HostState::OnMemoryGrow.
//
// Traps unwind with siglongjmp through host frames. Host functions must therefore check guest
// input and trap BEFORE anything with a destructor is alive in their frame (see Trapf).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include <fmt/format.h>

#include "base/result.h"
#include "wasm/engine.h"
#include "wasm/host_registry.h"

namespace wasmgpu::wasm {

namespace internal {
struct RuntimeState;
}

// Per-instance state of a host layer (WASI's fd table, the GPU's handle tables). Destroyed
// when the instance is destroyed, before its linear memory is unmapped: that destructor is the
// place to wait for GPU work on guest memory and to release host objects.
class HostState {
 public:
  virtual ~HostState() = default;
  // Linear memory grew from old_bytes to new_bytes; the base address is unchanged. Runs on the
  // guest's thread inside memory.grow: must not trap or block for long.
  virtual void OnMemoryGrow(uint64_t old_bytes, uint64_t new_bytes) {
    (void)old_bytes;
    (void)new_bytes;
  }
};

// Fixed slots: host functions reach their state with one array load.
inline constexpr size_t kWasiStateSlot = 0;
inline constexpr size_t kGpuStateSlot = 1;    // src/host (the `wasmgpu` import module)
inline constexpr size_t kUserStateSlot = 2;   // tests, embedders
inline constexpr size_t kHostStateSlots = 4;

// GPU options that `wasmgpu run` parses for src/host (issue 3), carried per instance.
struct GpuOptions {
  enum class ZeroCopy { kAuto, kOff };
  ZeroCopy zero_copy = ZeroCopy::kAuto;  // --zero-copy=auto|off
  std::string adapter;                   // --adapter NAME (empty: WASMGPU_ADAPTER or default)
};

struct InstanceOptions {
  std::chrono::milliseconds timeout{0};  // > 0: each Instantiate/RunStart/Call ends after this
  uint32_t max_memory_pages = 65535;     // cap under the module's own maximum (64 KiB pages)
  GpuOptions gpu;
};

enum class TrapKind {
  kNone,
  kOutOfBounds,         // memory or table access out of bounds
  kIntegerOverflow,     // signed division overflow, float-to-int truncation out of range
  kDivideByZero,
  kInvalidConversion,   // NaN to integer
  kUnreachable,
  kIndirectCall,        // null / out-of-range table entry or signature mismatch
  kStackExhausted,
  kTimeout,             // InstanceOptions::timeout elapsed
  kHost,                // a host function called Trap / Trapf
};

std::string_view TrapKindName(TrapKind kind);  // "integer divide by zero", ...

class Instance {
 public:
  static Result<std::unique_ptr<Instance>> Create(std::shared_ptr<const Module> module,
                                                  const HostRegistry& registry,
                                                  InstanceOptions options = {});
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  // Allocates memory and tables, copies data segments and runs the start function.
  Status Instantiate();
  // Runs the WASI command entry `_start`. Returns the exit code: 0 when _start returns, the
  // proc_exit code otherwise. A trap is an error:
  //   "The guest trapped: integer divide by zero in function 'divide'."
  Result<int> RunStart();
  // Calls an exported function by name with wasm number arguments, e.g.
  //   TRY_ASSIGN(uint32_t r, instance->Call<uint32_t>("add", 1u, 2u));
  // The export's type must match R(A...) exactly.
  template <typename R, typename... A>
  Result<R> Call(std::string_view name, A... args);

  // ---- Linear memory (valid after Instantiate) ----
  uint8_t* memory_base() const;        // null if the module has no memory
  uint64_t memory_size() const;        // current size in bytes
  // True when [offset, offset + length) lies in memory. Overflow-safe for any inputs.
  bool InBounds(uint64_t offset, uint64_t length) const {
    uint64_t size = memory_size();
    return offset <= size && length <= size - offset;
  }
  // Host pointer to [offset, offset + length), or null when out of bounds.
  uint8_t* Span(uint64_t offset, uint64_t length) const {
    return InBounds(offset, length) ? memory_base() + offset : nullptr;
  }
  // Unaligned little-endian loads and stores of trivially copyable values; false when out of
  // bounds (nothing is written then).
  template <typename T>
  bool Load(uint64_t offset, T* out) const {
    static_assert(std::is_trivially_copyable_v<T>);
    const uint8_t* p = Span(offset, sizeof(T));
    if (p == nullptr) return false;
    std::memcpy(out, p, sizeof(T));
    return true;
  }
  template <typename T>
  bool Store(uint64_t offset, const T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    uint8_t* p = Span(offset, sizeof(T));
    if (p == nullptr) return false;
    std::memcpy(p, &value, sizeof(T));
    return true;
  }

  // ---- Traps and exit (from host functions only, on the guest's thread) ----
  // Ends the guest's run with a host trap carrying `message`. Use Trapf: its formatted string is
  // destroyed before the unwind starts; Trap copies `message` first, but a temporary std::string
  // in the caller's frame would leak.
  [[noreturn]] void Trap(std::string_view message);
  template <typename... Args>
  [[noreturn]] void Trapf(fmt::format_string<Args...> format, Args&&... args) {
    SetTrapMessage(fmt::vformat(format, fmt::make_format_args(args...)));
    RaiseHostTrap();
  }
  // Ends the run as WASI proc_exit does: RunStart returns `code`.
  [[noreturn]] void Exit(uint32_t code);

  bool trapped() const { return trap_kind_ != TrapKind::kNone; }
  TrapKind trap_kind() const { return trap_kind_; }
  // True once the watchdog asked the guest to stop; a blocking host function should return
  // promptly (WASI returns EINTR) so the guest can be interrupted.
  bool interrupt_requested() const;

  // Leaves the linear memory mapped (leaked) when the instance goes, instead of unmapping it:
  // for a host state whose abandoned GPU work (a device lost to a hang) may still write to guest
  // memory through host-mapped buffers. Unmapping it would let that work write into whatever the
  // process maps there next. Call it from a HostState destructor at the latest.
  void KeepMemoryMappedAfterExit() { keep_memory_mapped_ = true; }

  // ---- Calling guest function pointers (async callbacks) ----
  // Calls entry `table_index` of the module's function table (where C function pointers of the
  // guest point) with signature R(A...). The entry must exist and have exactly that type; else
  // an error (kValidation) names the index and both signatures. A trap inside the callee is
  // caught here and returned as an error (the instance is then trapped()); the host function
  // must release what it holds and then call ResumeUnwind(), never return to the guest.
  template <typename R, typename... A>
  Result<R> CallIndirect(uint32_t table_index, A... args);
  [[noreturn]] void ResumeUnwind();

  // ---- Host state ----
  HostState* host_state(size_t slot) const { return host_states_[slot].get(); }
  void SetHostState(size_t slot, std::unique_ptr<HostState> state);

  const InstanceOptions& options() const { return options_; }
  const Module& module() const { return *module_; }

 private:
  Instance() = default;
  void SetTrapMessage(std::string message);
  [[noreturn]] void RaiseHostTrap();
  // Runs body(arg) in a trap scope; returns a Status describing a trap, or ok. Exit is ok, with
  // the code left in exit_code_ and *exited set.
  Status Guard(void (*body)(void*), void* arg, bool* exited, bool top_level);
  Result<const abi::ExportDesc*> FindTypedExport(std::string_view name, const FuncType& type);
  Result<void*> ResolveIndirect(uint32_t table_index, const FuncType& type, void** callee_instance);
  static void OnGrow(Instance* self, uint64_t old_bytes, uint64_t new_bytes);

  std::shared_ptr<const Module> module_;
  InstanceOptions options_;
  std::unique_ptr<internal::RuntimeState> rt_;
  void* module_instance_ = nullptr;  // wasm2c's instance struct, opaque here
  std::vector<abi::RawFn> import_fns_;
  abi::ImportContext import_ctx_{};
  bool instantiated_ = false;
  bool keep_memory_mapped_ = false;
  TrapKind trap_kind_ = TrapKind::kNone;
  int pending_code_ = 0;  // the trap code a guarded CallIndirect caught, for ResumeUnwind
  uint32_t exit_code_ = 0;
  std::string trap_message_;
  std::array<std::unique_ptr<HostState>, kHostStateSlots> host_states_;
};

// ---- templates --------------------------------------------------------------------------------

template <typename R, typename... A>
Result<R> Instance::Call(std::string_view name, A... args) {
  TRY_ASSIGN(const abi::ExportDesc* e, FindTypedExport(name, FuncTypeOf<R, A...>()));
  struct Closure {
    abi::RawFn fn;
    void* inst;
    std::tuple<A...> args;
    std::conditional_t<std::is_void_v<R>, int, R> result{};
  } closure{e->fn, module_instance_, std::tuple<A...>(args...)};
  auto body = [](void* p) {
    auto* c = static_cast<Closure*>(p);
    auto fn = reinterpret_cast<R (*)(void*, A...)>(c->fn);
    if constexpr (std::is_void_v<R>) {
      std::apply([&](A... a) { fn(c->inst, a...); }, c->args);
    } else {
      c->result = std::apply([&](A... a) { return fn(c->inst, a...); }, c->args);
    }
  };
  bool exited = false;
  TRY(Guard(body, &closure, &exited, /*top_level=*/true));
  if (exited) {
    return MakeError(ErrorKind::kOther, "The guest exited with code {} during the call to '{}'.",
                     exit_code_, name);
  }
  if constexpr (std::is_void_v<R>) {
    return {};
  } else {
    return closure.result;
  }
}

template <typename R, typename... A>
Result<R> Instance::CallIndirect(uint32_t table_index, A... args) {
  void* callee_instance = nullptr;
  TRY_ASSIGN(void* fn_ptr, ResolveIndirect(table_index, FuncTypeOf<R, A...>(), &callee_instance));
  struct Closure {
    void* fn;
    void* inst;
    std::tuple<A...> args;
    std::conditional_t<std::is_void_v<R>, int, R> result{};
  } closure{fn_ptr, callee_instance, std::tuple<A...>(args...)};
  auto body = [](void* p) {
    auto* c = static_cast<Closure*>(p);
    auto fn = reinterpret_cast<R (*)(void*, A...)>(c->fn);
    if constexpr (std::is_void_v<R>) {
      std::apply([&](A... a) { fn(c->inst, a...); }, c->args);
    } else {
      c->result = std::apply([&](A... a) { return fn(c->inst, a...); }, c->args);
    }
  };
  bool exited = false;
  TRY(Guard(body, &closure, &exited, /*top_level=*/false));
  if (exited) {
    return MakeError(ErrorKind::kOther,
                     "The guest called proc_exit({}) inside a callback; resume the unwind.",
                     exit_code_);
  }
  if constexpr (std::is_void_v<R>) {
    return {};
  } else {
    return closure.result;
  }
}

}  // namespace wasmgpu::wasm
