// Internal: our implementation of wasm2c's runtime (wasm-rt.h) with per-thread trap state, and
// the trap scopes that Instance uses. Debian's libwasm-rt-impl keeps one global jmp_buf; ours
// keeps a per-thread chain of TrapFrames, so several threads can run guests at once.
#pragma once

#include <csetjmp>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include <wasm-rt.h>

#include "wasm/types.h"

namespace wasmgpu::wasm {
class Instance;
}

namespace wasmgpu::wasm::internal {

// Codes passed through siglongjmp. 1..8 are wasm_rt_trap_t.
enum TrapCode : int {
  kTrapNone = 0,
  kTrapHost = 100,     // Instance::Trap
  kTrapExit = 101,     // Instance::Exit (proc_exit): not an error
  kTrapTimeout = 102,  // the watchdog interrupted guest code
};

// 8 GiB: any i32 address plus any i32 offset (plus an 8-byte access) lands inside the
// reservation, so the generated code needs no bounds checks; what lies beyond the accessible
// pages is PROT_NONE and faults into the signal handler.
inline constexpr uint64_t kReservationBytes = (8ull << 30) + (64ull << 10);
inline constexpr uint64_t kPageBytes = 65536;
// wasm_rt_memory_t.size is a uint32_t in wasm2c 1.0.32, so 65536 pages (4 GiB) cannot be
// represented: the largest memory is one page less.
inline constexpr uint32_t kMaxPages = 65535;

// Per-instance state that signal handlers and the wasm-rt functions read. Plain data only.
struct RuntimeState {
  Instance* instance = nullptr;
  uintptr_t code_begin = 0;  // executable segment of the module's shared object
  uintptr_t code_end = 0;
  wasm_rt_memory_t* memory = nullptr;  // set by wasm_rt_allocate_memory during instantiation
  uint32_t max_pages = kMaxPages;      // InstanceOptions cap
  std::atomic<bool> timeout_requested{false};
  uintptr_t trap_pc = 0;  // where the last trap was raised, 0 if unknown
  void (*on_grow)(Instance*, uint64_t old_bytes, uint64_t new_bytes) = nullptr;
  // Set before unwinding with kTrapHost from runtime code that has no Instance API at hand.
  char runtime_message[200] = {};
};

// Installs the SIGSEGV/SIGBUS/timeout handlers once per process.
void EnsureRuntime();

// Runs body(arg) in a trap scope for `rt`. Returns 0 when body returned, else the TrapCode or
// wasm_rt_trap_t that ended it. `timeout` (> 0) arms a watchdog for this call.
int RunGuarded(RuntimeState* rt, void (*body)(void*), void* arg,
               std::chrono::milliseconds timeout);

// Unwinds to the innermost trap scope of this thread with `code`.
[[noreturn]] void Unwind(int code);

// The runtime-wide index of a function type, as wasm2c's call_indirect compares it.
uint32_t FuncTypeIndex(const FuncType& type);
// "(i32) -> ()" for a registered index, "an unknown type" otherwise.
std::string FuncTypeIndexName(uint32_t index);

// The real-time signal the watchdog uses to interrupt guest code.
int TimeoutSignal();

}  // namespace wasmgpu::wasm::internal
