// The C ABI between the engine and a compiled module (.so). codegen.cpp appends a shim to the
// wasm2c output that exports one symbol, `wasmgpu_module_v1`, returning a ModuleDesc; the engine
// touches nothing else in the shared object. This keeps the mangled names of wasm2c in
// codegen.cpp alone, and lets a cache hit link imports without decoding the .wasm again.
//
// The layout must match kShimPrelude in codegen.cpp; bump kAbiVersion when either changes (the
// version is part of the cache key, so stale objects are recompiled, never misread).
#pragma once

#include <wasm-rt.h>

#include <cstddef>
#include <cstdint>

namespace wasmgpu::wasm::abi {

inline constexpr uint32_t kAbiVersion = 1;
inline constexpr char kEntrySymbol[] = "wasmgpu_module_v1";

using RawFn = void (*)();

// What an import thunk receives as its wasm2c "import module instance" pointer: the engine's
// Instance and the host functions bound to the module's imports, in import order.
struct ImportContext {
  void* instance;
  const RawFn* fns;
};

struct ImportDesc {
  const char* module;
  const char* name;
  const char* type;  // FuncType::Code(), e.g. "ii:i"
};

struct ExportDesc {
  const char* name;
  const char* type;
  RawFn fn;  // C signature: result fn(void* module_instance, params...)
};

struct ModuleDesc {
  uint32_t abi_version;
  uint32_t num_imports;
  const ImportDesc* imports;
  uint32_t num_exports;
  const ExportDesc* exports;
  size_t instance_size;
  void (*init_module)();
  // Initialises memories, tables, globals and data, then runs the start function, if any.
  void (*instantiate)(void* module_instance, ImportContext* imports);
  void (*free)(void* module_instance);
  wasm_rt_memory_t* (*memory)(void* module_instance);          // null: no memory
  wasm_rt_funcref_table_t* (*table)(void* module_instance);    // null: no table
};

using EntryFn = const ModuleDesc* (*)();

}  // namespace wasmgpu::wasm::abi
