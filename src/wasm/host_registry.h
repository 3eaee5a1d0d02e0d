// The host-function registry: how layers outside the engine provide a module's imports.
//
// A host function is a plain C++ function whose first parameter is the calling Instance and whose
// other parameters and result are wasm number types:
//
//   uint32_t / int32_t -> i32     uint64_t / int64_t -> i64     float -> f32     double -> f64
//
//   uint32_t FdWrite(wasm::Instance* instance, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
//                    uint32_t nwritten_ptr);
//   registry.Add("wasi_snapshot_preview1", "fd_write", &FdWrite);
//
// The signature is deduced from the C++ type, so the registry always knows the exact wasm type
// of what it hands out. Before a module is compiled or instantiated, every import it declares is
// looked up here by (module, name) and its type compared; an unknown import or a different type
// is refused with both signatures (see CheckImports).
//
// Rules for host functions (they run on the guest's thread, between guest frames):
//  - Never throw: no C++ exception may leave a host function (declare them noexcept).
//  - A trap (Instance::Trap, Instance::Exit, or a trap inside Instance::CallIndirect's callee
//    when you resume it) longjmps over your frame: check every guest input first, and trap
//    before anything with a destructor is alive in your frame. See instance.h.
//  - Guest pointers are offsets into linear memory; check them with Instance::InBounds or use
//    the Instance::Load/Store/Span helpers, which are overflow-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "base/result.h"
#include "wasm/abi.h"
#include "wasm/types.h"

namespace wasmgpu::wasm {

class Instance;

template <typename T>
constexpr ValType ValTypeOf() {
  if constexpr (std::is_same_v<T, uint32_t> || std::is_same_v<T, int32_t>) {
    return ValType::kI32;
  } else if constexpr (std::is_same_v<T, uint64_t> || std::is_same_v<T, int64_t>) {
    return ValType::kI64;
  } else if constexpr (std::is_same_v<T, float>) {
    return ValType::kF32;
  } else {
    static_assert(std::is_same_v<T, double>, "host function types must be i32/i64/f32/f64");
    return ValType::kF64;
  }
}

template <typename R, typename... P>
FuncType FuncTypeOf() {
  FuncType type;
  type.params = {ValTypeOf<P>()...};
  if constexpr (!std::is_void_v<R>) type.results = {ValTypeOf<R>()};
  return type;
}

struct HostFunction {
  std::string module;
  std::string name;
  FuncType type;
  abi::RawFn fn;  // C signature: R fn(Instance*, P...)
};

class HostRegistry {
 public:
  // Registers a typed host function; a later registration of the same (module, name) replaces
  // the earlier one (tests use that to stub functions).
  template <typename R, typename... P>
  void Add(std::string_view module, std::string_view name, R (*fn)(Instance*, P...)) {
    AddRaw(HostFunction{std::string(module), std::string(name), FuncTypeOf<R, P...>(),
                        reinterpret_cast<abi::RawFn>(fn)});
  }

  // For generated bindings that know the wasm type themselves. The caller guarantees that `fn`
  // has the C signature that `type` describes.
  void AddRaw(HostFunction function);

  const HostFunction* Find(std::string_view module, std::string_view name) const;
  size_t size() const { return functions_.size(); }

 private:
  std::map<std::pair<std::string, std::string>, HostFunction, std::less<>> functions_;
};

// Checks one import against the registry. Errors (kValidation):
//   "The module imports 'env'.'foo' with type (i32) -> i32, which the host does not provide."
//   "Incompatible import type for 'wasi_snapshot_preview1'.'fd_write': the module expects
//    (i32, i32) -> i32 but the host provides (i32, i32, i32, i32) -> i32."
Result<const HostFunction*> ResolveImport(const HostRegistry& registry, std::string_view module,
                                          std::string_view name, const FuncType& type);

}  // namespace wasmgpu::wasm
