// Value and function types of the WebAssembly MVP subset this engine runs, shared by the module
// reader, the host-function registry and the generated-code ABI.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wasmgpu::wasm {

// Only the number types: reference types are never passed across the host boundary.
enum class ValType : uint8_t { kI32, kI64, kF32, kF64 };

std::string_view ValTypeName(ValType type);  // "i32", ...

struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;

  bool operator==(const FuncType&) const = default;

  // "(i32, i64) -> i32", "() -> ()": the spelling of every error message that shows a signature.
  std::string ToString() const;

  // The compact code used in the generated-code ABI: one letter per value ('i' i32, 'l' i64,
  // 'f' f32, 'd' f64), params, ':' then results, e.g. "il:i". Parse returns false on a malformed
  // code.
  std::string Code() const;
  static bool ParseCode(std::string_view code, FuncType* out);
};

}  // namespace wasmgpu::wasm
