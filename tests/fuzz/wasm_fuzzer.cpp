// libFuzzer harness for the front end of the Wasm engine: arbitrary bytes through ParseModule
// (wabt decode, the unsupported-feature scan, validation, import/export extraction) and then the
// linker's check of every import against a host registry. Nothing is compiled; built as
// wasm_codegen_fuzzer (WASM_FUZZ_CODEGEN), it also translates valid modules to C in memory.
#include <cstddef>
#include <cstdint>
#include <string>

#if WASM_FUZZ_CODEGEN
#include "wasm/codegen.h"
#endif
#include "wasm/host_registry.h"
#include "wasm/module_reader.h"
#include "wasm/types.h"

namespace wasm = wasmgpu::wasm;

namespace {

uint32_t ArgsSizesGet(wasm::Instance*, uint32_t, uint32_t) { return 0; }
uint32_t FdWrite(wasm::Instance*, uint32_t, uint32_t, uint32_t, uint32_t) { return 0; }
void ProcExit(wasm::Instance*, uint32_t) {}
double Mix(wasm::Instance*, int64_t, float, double) { return 0; }

const wasm::HostRegistry& Registry() {
  static const wasm::HostRegistry* r = [] {
    auto* reg = new wasm::HostRegistry;
    reg->Add("wasi_snapshot_preview1", "args_sizes_get", &ArgsSizesGet);
    reg->Add("wasi_snapshot_preview1", "fd_write", &FdWrite);
    reg->Add("wasi_snapshot_preview1", "proc_exit", &ProcExit);
    reg->Add("env", "mix", &Mix);
    return reg;
  }();
  return *r;
}

void CheckType(const wasm::FuncType& type) {
  (void)type.ToString();
  wasm::FuncType back;
  if (!wasm::FuncType::ParseCode(type.Code(), &back) || !(back == type)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed = wasm::ParseModule(data, size);
  if (!parsed.ok()) {
    if (parsed.error().message.empty()) __builtin_trap();  // every refusal says why
    return 0;
  }
  for (const wasm::ImportDecl& imp : parsed->imports()) {
    CheckType(imp.type);
    (void)wasm::ResolveImport(Registry(), imp.module, imp.name, imp.type);
  }
  for (const wasm::ExportDecl& exp : parsed->exports()) CheckType(exp.type);
  (void)parsed->code_size();
#if WASM_FUZZ_CODEGEN
  // wasm_codegen_fuzzer: also the translation to C (the bounds analysis and wasm2c's writer),
  // in memory; the C is never compiled.
  auto c = wasm::GenerateC(*parsed);
  if (c.ok() && c->source.empty()) __builtin_trap();
#endif
  return 0;
}
