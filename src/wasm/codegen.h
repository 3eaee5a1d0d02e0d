// Translation of a parsed module to C: wasm2c's output plus the ABI shim of abi.h. This is the
// only code that knows how wasm2c 1.0.32 mangles names (`Z_...`).
#pragma once

#include <string>

#include "base/result.h"
#include "wasm/module_reader.h"

namespace wasmgpu::wasm {

struct GeneratedC {
  std::string header;       // to be written as "module.h" next to the source
  std::string source;       // includes "module.h"
};

inline constexpr char kGeneratedHeaderName[] = "module.h";

// The wasm function name behind a symbol of the compiled object ("w2c_main" -> "main";
// compiler clones such as "w2c_f.part.0" -> "f"); other symbols are returned unchanged.
std::string WasmNameOfSymbol(std::string_view symbol);

// False when $WASMGPU_PROOFS is "0": the bounds analysis (bounds_analysis.h) is then not used
// and every function keeps wasm2c's exact C. For A/B measurements and for ruling the analysis
// out when a guest misbehaves; part of the compile-cache key.
bool ProofsEnabled();

// True when the C body of a proven function (without its signature), after the rewrite, has no
// i32 variable still declared u32 and no i32 constant of 2^31 or more still written as
// "<digits>u": bounds_analysis.cpp's proofs hold for the C only if the rewrite reached every one
// (they are found by wasm2c 1.0.32's exact forms). A body that fails this keeps wasm2c's exact C.
bool ProvenRewriteIsComplete(std::string_view body);

// Modifies the IR (adds exports that reach the memory and the table) and translates it.
Result<GeneratedC> GenerateC(ParsedModule& module);

}  // namespace wasmgpu::wasm
