// Reading a .wasm file: decode, refuse features the wasm2c of Debian (wabt 1.0.32) cannot
// translate, validate, and list imports and exports with their signatures. Nothing here compiles.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "wasm/types.h"

namespace wabt {
struct Module;
}

namespace wasmgpu::wasm {

struct ImportDecl {
  std::string module;
  std::string name;
  FuncType type;
};

struct ExportDecl {
  std::string name;
  FuncType type;
};

// A decoded and validated module. Owns the wabt IR, which codegen.cpp translates to C.
class ParsedModule {
 public:
  ParsedModule();
  ~ParsedModule();
  ParsedModule(ParsedModule&&) noexcept;
  ParsedModule& operator=(ParsedModule&&) noexcept;

  const std::vector<ImportDecl>& imports() const { return imports_; }
  // Exported functions only (memories, tables and globals are not callable).
  const std::vector<ExportDecl>& exports() const { return exports_; }
  size_t code_size() const { return code_size_; }
  wabt::Module& ir() { return *ir_; }

 private:
  friend Result<ParsedModule> ParseModule(const uint8_t* data, size_t size);
  std::unique_ptr<wabt::Module> ir_;
  std::vector<ImportDecl> imports_;
  std::vector<ExportDecl> exports_;
  size_t code_size_ = 0;
};

// Decodes and validates `data`. Errors (kind kValidation) are one sentence:
//   "The module uses SIMD (opcode v128.load at byte offset 0x4a), which wasmgpu does not support."
//   "The module is not valid WebAssembly: <reason> (at byte offset 0x8)."
// Only function imports are accepted; the other import kinds are refused by name.
Result<ParsedModule> ParseModule(const uint8_t* data, size_t size);

}  // namespace wasmgpu::wasm
