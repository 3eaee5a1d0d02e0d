// Wraps an import implementation `R Impl(GpuState&, A...)` into the engine's host-function
// shape `R Fn(wasm::Instance*, A...)` with the trap protocol of state.h: the implementation
// returns normally (its destructors run), then the wrapper traps with the recorded message, or
// runs the guest callbacks the implementation made ready.
#pragma once

#include <type_traits>

#include "host/state.h"
#include "wasm/host_registry.h"

namespace wasmgpu::host {

inline void AfterImport(GpuState& s) {
  if (s.unwinding()) s.Unwind();
  if (!s.trap_message.empty()) s.instance()->Trap(s.trap_message);
  if (s.deliver_pending) {
    s.deliver_pending = false;
    if (!s.Deliver()) s.Unwind();
  }
}

template <auto Impl>
struct Import;

template <typename R, typename... A, R (*Impl)(GpuState&, A...)>
struct Import<Impl> {
  static R Fn(wasm::Instance* instance, A... args) noexcept {
    GpuState& s = GpuState::Of(instance);
    if constexpr (std::is_void_v<R>) {
      Impl(s, args...);
      AfterImport(s);
    } else {
      R result = Impl(s, args...);
      AfterImport(s);
      return result;
    }
  }
};

template <auto Impl>
void Add(wasm::HostRegistry& registry, const char* name) {
  registry.Add("wasmgpu", name, &Import<Impl>::Fn);
}

void RegisterInstanceImports(wasm::HostRegistry& registry);
void RegisterDeviceImports(wasm::HostRegistry& registry);
void RegisterBufferImports(wasm::HostRegistry& registry);
void RegisterEncoderImports(wasm::HostRegistry& registry);
void RegisterAsyncImports(wasm::HostRegistry& registry);

}  // namespace wasmgpu::host
