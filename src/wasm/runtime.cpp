// Our wasm-rt implementation (the functions declared in wasm-rt.h, called by generated code),
// the per-thread trap scopes, the fault and timeout signal handlers, and the watchdog.
//
// Why our own: Debian's libwasm-rt-impl keeps its trap jmp_buf and its signal alt-stack in
// globals, which allows one guest thread per process, and allocates memory its own way. Here:
//  - traps unwind to the innermost TrapFrame of the calling thread (thread_local chain);
//  - each thread that runs guest code gets its own sigaltstack, so stack exhaustion is caught;
//  - linear memory is an 8 GiB PROT_NONE reservation (see runtime.h) grown with mprotect: the
//    base never moves, which is what zero-copy GPU buffers over guest memory rely on;
//  - a fault is turned into a trap only when it hits the running instance's reservation or the
//    thread's stack guard; any other fault is a host bug and goes to the previous handler.
#include "wasm/runtime.h"

#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace wasmgpu::wasm::internal {
namespace {

struct TrapFrame {
  sigjmp_buf buf;
  TrapFrame* prev;
  RuntimeState* rt;
};

// initial-exec: read from signal handlers, must never allocate lazily.
__attribute__((tls_model("initial-exec"))) thread_local TrapFrame* t_frame = nullptr;
__attribute__((tls_model("initial-exec"))) thread_local uintptr_t t_stack_lo = 0;
__attribute__((tls_model("initial-exec"))) thread_local uintptr_t t_stack_hi = 0;

// Frees this thread's alternate signal stack when the thread ends.
struct AltStack {
  void* mem = nullptr;
  size_t size = 0;
  ~AltStack() {
    if (mem == nullptr) return;
    stack_t ss{};
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, nullptr);
    munmap(mem, size);
  }
};
thread_local AltStack t_alt_stack;

struct sigaction g_old_segv;
struct sigaction g_old_bus;

void SetUpThread() {
  if (t_stack_hi != 0) return;
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    void* addr = nullptr;
    size_t size = 0;
    if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
      t_stack_lo = reinterpret_cast<uintptr_t>(addr);
      t_stack_hi = t_stack_lo + size;
    }
    pthread_attr_destroy(&attr);
  }
  if (t_stack_hi == 0) t_stack_hi = 1;  // unknown: rely on the stack-pointer test alone
  stack_t old{};
  if (sigaltstack(nullptr, &old) == 0 && (old.ss_flags & SS_DISABLE) != 0) {
    size_t size = 64 * 1024;
    if (static_cast<size_t>(SIGSTKSZ) > size) size = SIGSTKSZ;
    void* mem = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem != MAP_FAILED) {
      stack_t ss{};
      ss.ss_sp = mem;
      ss.ss_size = size;
      if (sigaltstack(&ss, nullptr) == 0) {
        t_alt_stack.mem = mem;
        t_alt_stack.size = size;
      } else {
        munmap(mem, size);
      }
    }
  }
}

uintptr_t ContextPc(void* context) {
  auto* uc = static_cast<ucontext_t*>(context);
#if defined(__x86_64__)
  return static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
#elif defined(__aarch64__)
  return static_cast<uintptr_t>(uc->uc_mcontext.pc);
#else
  (void)uc;
  return 0;
#endif
}

uintptr_t ContextSp(void* context) {
  auto* uc = static_cast<ucontext_t*>(context);
#if defined(__x86_64__)
  return static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RSP]);
#elif defined(__aarch64__)
  return static_cast<uintptr_t>(uc->uc_mcontext.sp);
#else
  (void)uc;
  return 0;
#endif
}

void Chain(const struct sigaction& old, int sig, siginfo_t* info, void* context) {
  if ((old.sa_flags & SA_SIGINFO) != 0 && old.sa_sigaction != nullptr) {
    old.sa_sigaction(sig, info, context);
    return;
  }
  if (old.sa_handler == SIG_IGN) return;
  if (old.sa_handler != SIG_DFL && old.sa_handler != nullptr) {
    old.sa_handler(sig);
    return;
  }
  // Default action: restore it and return; the faulting instruction runs again and the
  // process dies with the usual signal, as it would have without us.
  signal(sig, SIG_DFL);
}

void FaultHandler(int sig, siginfo_t* info, void* context) {
  TrapFrame* frame = t_frame;
  if (frame != nullptr) {
    RuntimeState* rt = frame->rt;
    auto addr = reinterpret_cast<uintptr_t>(info->si_addr);
    uintptr_t pc = ContextPc(context);
    wasm_rt_memory_t* mem = rt->memory;
    if (mem != nullptr) {
      auto base = reinterpret_cast<uintptr_t>(mem->data);
      if (addr >= base && addr - base < kReservationBytes) {
        rt->trap_pc = pc;
        siglongjmp(frame->buf, WASM_RT_TRAP_OOB);
      }
    }
    uintptr_t sp = ContextSp(context);
    bool near_sp = addr + 65536 >= sp && addr <= sp + 65536;
    bool in_guard = t_stack_lo != 0 && addr < t_stack_lo + 65536 && addr + (4u << 20) >= t_stack_lo;
    if (near_sp || in_guard) {
      rt->trap_pc = pc;
      siglongjmp(frame->buf, WASM_RT_TRAP_EXHAUSTION);
    }
  }
  Chain(sig == SIGBUS ? g_old_bus : g_old_segv, sig, info, context);
}

// Interrupts guest code only: if the thread is inside a host function or libc, nothing happens
// and the watchdog signals again shortly, so no host frame is ever unwound by a timeout.
void TimeoutHandler(int, siginfo_t*, void* context) {
  TrapFrame* frame = t_frame;
  if (frame == nullptr) return;
  RuntimeState* rt = frame->rt;
  if (!rt->timeout_requested.load(std::memory_order_relaxed)) return;
  uintptr_t pc = ContextPc(context);
  if (pc >= rt->code_begin && pc < rt->code_end) {
    rt->trap_pc = pc;
    siglongjmp(frame->buf, kTrapTimeout);
  }
}

class Watchdog {
 public:
  Watchdog(RuntimeState* rt, std::chrono::milliseconds timeout)
      : rt_(rt), target_(pthread_self()), thread_([this, timeout] { Loop(timeout); }) {}
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  void Loop(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    if (cv_.wait_for(lock, timeout, [this] { return done_; })) return;
    rt_->timeout_requested.store(true);
    while (!done_) {
      // The guest thread is alive: its RunGuarded is blocked joining us until done_.
      pthread_kill(target_, TimeoutSignal());
      cv_.wait_for(lock, std::chrono::milliseconds(2), [this] { return done_; });
    }
  }

  RuntimeState* rt_;
  pthread_t target_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;  // last: started once the members above exist
};

struct RawFuncType {
  std::vector<int> params;
  std::vector<int> results;
  bool operator==(const RawFuncType&) const = default;
};

std::mutex g_types_mu;
std::vector<RawFuncType>& Types() {
  static auto* types = new std::vector<RawFuncType>();
  return *types;
}

uint32_t Intern(RawFuncType type) {
  std::lock_guard<std::mutex> lock(g_types_mu);
  auto& types = Types();
  for (size_t i = 0; i < types.size(); ++i) {
    if (types[i] == type) return static_cast<uint32_t>(i + 1);
  }
  types.push_back(std::move(type));
  return static_cast<uint32_t>(types.size());
}

std::once_flag g_init_once;
std::atomic<bool> g_initialized{false};

}  // namespace

int TimeoutSignal() { return SIGRTMIN + 5; }

void EnsureRuntime() {
  std::call_once(g_init_once, [] {
    struct sigaction sa{};
    sa.sa_sigaction = FaultHandler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &g_old_segv);
    sigaction(SIGBUS, &sa, &g_old_bus);
    struct sigaction ta{};
    ta.sa_sigaction = TimeoutHandler;
    ta.sa_flags = SA_SIGINFO | SA_ONSTACK;  // no SA_RESTART: blocking host calls see EINTR
    sigemptyset(&ta.sa_mask);
    sigaction(TimeoutSignal(), &ta, nullptr);
    g_initialized = true;
  });
}

int RunGuarded(RuntimeState* rt, void (*body)(void*), void* arg,
               std::chrono::milliseconds timeout) {
  EnsureRuntime();
  SetUpThread();
  TrapFrame frame;
  frame.prev = t_frame;
  frame.rt = rt;
  std::optional<Watchdog> watchdog;
  if (timeout.count() > 0) watchdog.emplace(rt, timeout);
  t_frame = &frame;
  int code = sigsetjmp(frame.buf, 1);
  if (code == 0) body(arg);
  t_frame = frame.prev;
  return code;
}

void Unwind(int code) {
  TrapFrame* frame = t_frame;
  if (frame == nullptr) {
    std::fprintf(stderr, "wasmgpu: a trap (code %d) was raised outside guest code; aborting.\n",
                 code);
    std::abort();
  }
  siglongjmp(frame->buf, code);
}

uint32_t FuncTypeIndex(const FuncType& type) {
  RawFuncType raw;
  auto conv = [](ValType t) {
    switch (t) {
      case ValType::kI32: return static_cast<int>(WASM_RT_I32);
      case ValType::kI64: return static_cast<int>(WASM_RT_I64);
      case ValType::kF32: return static_cast<int>(WASM_RT_F32);
      case ValType::kF64: return static_cast<int>(WASM_RT_F64);
    }
    return -1;
  };
  for (ValType t : type.params) raw.params.push_back(conv(t));
  for (ValType t : type.results) raw.results.push_back(conv(t));
  return Intern(std::move(raw));
}

std::string FuncTypeIndexName(uint32_t index) {
  RawFuncType raw;
  {
    std::lock_guard<std::mutex> lock(g_types_mu);
    if (index == 0 || index > Types().size()) return "an unknown type";
    raw = Types()[index - 1];
  }
  auto name = [](int t) -> std::string {
    switch (t) {
      case WASM_RT_I32: return "i32";
      case WASM_RT_I64: return "i64";
      case WASM_RT_F32: return "f32";
      case WASM_RT_F64: return "f64";
      case WASM_RT_FUNCREF: return "funcref";
      case WASM_RT_EXTERNREF: return "externref";
      default: return "?";
    }
  };
  std::string out = "(";
  for (size_t i = 0; i < raw.params.size(); ++i) out += (i ? ", " : "") + name(raw.params[i]);
  out += ") -> ";
  if (raw.results.size() == 1) return out + name(raw.results[0]);
  out += "(";
  for (size_t i = 0; i < raw.results.size(); ++i) out += (i ? ", " : "") + name(raw.results[i]);
  return out + ")";
}

}  // namespace wasmgpu::wasm::internal

// ---- wasm-rt.h, called by generated code -------------------------------------------------------
using wasmgpu::wasm::internal::kMaxPages;
using wasmgpu::wasm::internal::kPageBytes;
using wasmgpu::wasm::internal::kReservationBytes;
using wasmgpu::wasm::internal::RuntimeState;
using wasmgpu::wasm::internal::t_frame;

extern "C" {

void wasm_rt_init(void) { wasmgpu::wasm::internal::EnsureRuntime(); }
bool wasm_rt_is_initialized(void) { return wasmgpu::wasm::internal::g_initialized.load(); }
void wasm_rt_free(void) {}

void wasm_rt_trap(wasm_rt_trap_t code) {
  // The caller is generated code (TRAP() is a call), so the return address names the function.
  if (t_frame != nullptr) {
    // -1: the call may be the function's last instruction, so its return address can lie
    // past the end of the function.
    t_frame->rt->trap_pc = reinterpret_cast<uintptr_t>(__builtin_return_address(0)) - 1;
  }
  wasmgpu::wasm::internal::Unwind(static_cast<int>(code));
}

const char* wasm_rt_strerror(wasm_rt_trap_t trap) {
  switch (trap) {
    case WASM_RT_TRAP_NONE: return "no trap";
    case WASM_RT_TRAP_OOB: return "out of bounds memory access";
    case WASM_RT_TRAP_INT_OVERFLOW: return "integer overflow";
    case WASM_RT_TRAP_DIV_BY_ZERO: return "integer divide by zero";
    case WASM_RT_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
    case WASM_RT_TRAP_UNREACHABLE: return "unreachable executed";
    case WASM_RT_TRAP_CALL_INDIRECT:
      return "indirect call through a null or out-of-range table entry, or with a mismatched "
             "signature";
    case WASM_RT_TRAP_UNCAUGHT_EXCEPTION: return "uncaught exception";
    case WASM_RT_TRAP_EXHAUSTION: return "call stack exhausted";
  }
  return "unknown trap";
}

uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...) {
  wasmgpu::wasm::internal::RawFuncType raw;
  va_list args;
  va_start(args, results);
  for (uint32_t i = 0; i < params; ++i) raw.params.push_back(va_arg(args, int));
  for (uint32_t i = 0; i < results; ++i) raw.results.push_back(va_arg(args, int));
  va_end(args);
  return wasmgpu::wasm::internal::Intern(std::move(raw));
}

// Exceptions are refused before compilation; these exist so that any generated object links.
uint32_t wasm_rt_register_tag(uint32_t) { wasm_rt_trap(WASM_RT_TRAP_UNCAUGHT_EXCEPTION); }
void wasm_rt_load_exception(uint32_t, uint32_t, const void*) {
  wasm_rt_trap(WASM_RT_TRAP_UNCAUGHT_EXCEPTION);
}
void wasm_rt_throw(void) { wasm_rt_trap(WASM_RT_TRAP_UNCAUGHT_EXCEPTION); }
WASM_RT_UNWIND_TARGET* wasm_rt_get_unwind_target(void) { return nullptr; }
void wasm_rt_set_unwind_target(WASM_RT_UNWIND_TARGET*) {}
uint32_t wasm_rt_exception_tag(void) { return 0; }
uint32_t wasm_rt_exception_size(void) { return 0; }
void* wasm_rt_exception(void) { return nullptr; }

void wasm_rt_allocate_memory(wasm_rt_memory_t* memory, uint32_t initial_pages,
                             uint32_t max_pages) {
  RuntimeState* rt = t_frame != nullptr ? t_frame->rt : nullptr;
  uint32_t cap = rt != nullptr ? rt->max_pages : kMaxPages;
  if (max_pages > cap) max_pages = cap;
  if (initial_pages > max_pages) {
    std::memset(memory, 0, sizeof(*memory));
    if (rt == nullptr) wasmgpu::wasm::internal::Unwind(WASM_RT_TRAP_OOB);
    std::snprintf(rt->runtime_message, sizeof(rt->runtime_message),
                  "The module's initial memory (%u pages) exceeds the maximum allowed (%u pages).",
                  initial_pages, max_pages);
    wasmgpu::wasm::internal::Unwind(wasmgpu::wasm::internal::kTrapHost);
  }
  // Over-reserve by one wasm page and trim, so the base is 64 KiB aligned: any guest range that
  // starts on a wasm page is then aligned for every host-pointer import alignment up to 64 KiB.
  void* raw = mmap(nullptr, kReservationBytes + kPageBytes, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (raw == MAP_FAILED) {
    std::memset(memory, 0, sizeof(*memory));
    if (rt == nullptr) wasmgpu::wasm::internal::Unwind(WASM_RT_TRAP_OOB);
    std::snprintf(rt->runtime_message, sizeof(rt->runtime_message),
                  "Could not reserve %llu bytes of address space for linear memory.",
                  static_cast<unsigned long long>(kReservationBytes));
    wasmgpu::wasm::internal::Unwind(wasmgpu::wasm::internal::kTrapHost);
  }
  auto raw_addr = reinterpret_cast<uintptr_t>(raw);
  uintptr_t aligned = (raw_addr + kPageBytes - 1) & ~uintptr_t{kPageBytes - 1};
  if (aligned > raw_addr) munmap(raw, aligned - raw_addr);
  uintptr_t tail = aligned + kReservationBytes;
  if (raw_addr + kReservationBytes + kPageBytes > tail) {
    munmap(reinterpret_cast<void*>(tail), raw_addr + kReservationBytes + kPageBytes - tail);
  }
  void* base = reinterpret_cast<void*>(aligned);
  uint64_t bytes = uint64_t{initial_pages} * kPageBytes;
  if (bytes != 0 && mprotect(base, bytes, PROT_READ | PROT_WRITE) != 0) {
    munmap(base, kReservationBytes);
    std::memset(memory, 0, sizeof(*memory));
    wasmgpu::wasm::internal::Unwind(WASM_RT_TRAP_OOB);
  }
  memory->data = static_cast<uint8_t*>(base);
  memory->pages = initial_pages;
  memory->max_pages = max_pages;
  memory->size = static_cast<uint32_t>(bytes);
  if (rt != nullptr) rt->memory = memory;
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t* memory, uint32_t delta) {
  uint32_t old_pages = memory->pages;
  if (delta == 0) return old_pages;
  uint64_t new_pages = uint64_t{old_pages} + delta;
  if (new_pages > memory->max_pages || new_pages > kMaxPages) return UINT32_MAX;
  if (mprotect(memory->data + uint64_t{old_pages} * kPageBytes, uint64_t{delta} * kPageBytes,
               PROT_READ | PROT_WRITE) != 0) {
    return UINT32_MAX;
  }
  uint64_t old_bytes = memory->size;
  memory->pages = static_cast<uint32_t>(new_pages);
  memory->size = static_cast<uint32_t>(new_pages * kPageBytes);
  RuntimeState* rt = t_frame != nullptr ? t_frame->rt : nullptr;
  if (rt != nullptr && rt->memory == memory && rt->on_grow != nullptr) {
    rt->on_grow(rt->instance, old_bytes, memory->size);
  }
  return old_pages;
}

void wasm_rt_free_memory(wasm_rt_memory_t* memory) {
  if (memory->data != nullptr) munmap(memory->data, kReservationBytes);
  memory->data = nullptr;
  memory->size = 0;
  memory->pages = 0;
}

#define WASMGPU_DEFINE_TABLE(type)                                                             \
  void wasm_rt_allocate_##type##_table(wasm_rt_##type##_table_t* table, uint32_t elements,     \
                                       uint32_t max_elements) {                                \
    table->size = elements;                                                                    \
    table->max_size = max_elements;                                                            \
    table->data = static_cast<wasm_rt_##type##_t*>(                                            \
        std::calloc(elements == 0 ? 1 : elements, sizeof(wasm_rt_##type##_t)));               \
    if (table->data == nullptr) wasm_rt_trap(WASM_RT_TRAP_OOB);                                \
  }                                                                                            \
  void wasm_rt_free_##type##_table(wasm_rt_##type##_table_t* table) {                          \
    std::free(table->data);                                                                    \
    table->data = nullptr;                                                                     \
    table->size = 0;                                                                           \
  }                                                                                            \
  uint32_t wasm_rt_grow_##type##_table(wasm_rt_##type##_table_t* table, uint32_t delta,        \
                                       wasm_rt_##type##_t init) {                              \
    uint32_t old_elems = table->size;                                                          \
    uint64_t new_elems = uint64_t{table->size} + delta;                                        \
    if (delta == 0) return old_elems;                                                          \
    /* 10 M entries (160 MB) is far beyond any real table; refuse instead of thrashing. */     \
    if (new_elems > table->max_size || new_elems > 10000000u) return UINT32_MAX;              \
    void* data = std::realloc(table->data, new_elems * sizeof(wasm_rt_##type##_t));           \
    if (data == nullptr) return UINT32_MAX;                                                    \
    table->data = static_cast<wasm_rt_##type##_t*>(data);                                      \
    for (uint64_t i = old_elems; i < new_elems; ++i) table->data[i] = init;                   \
    table->size = static_cast<uint32_t>(new_elems);                                            \
    return old_elems;                                                                          \
  }

WASMGPU_DEFINE_TABLE(funcref)
WASMGPU_DEFINE_TABLE(externref)

}  // extern "C"
