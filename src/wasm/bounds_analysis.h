// A static bounds and alias analysis of each wasm function, so that codegen.cpp may emit C that
// GCC can vectorize for exactly the functions where that is proven to mean the same thing.
//
// wasm2c's C keeps three things that stop GCC's vectorizer (docs/wasm.md, "Performance"): an
// empty asm after every load (so an unused out-of-bounds load still traps), 32-bit wrapping
// address arithmetic, and one linear memory for all arrays. For a function in which this
// analysis proves, by interval arithmetic over constants and bounded induction variables,
//   (a) every memory access lies inside the memory's initial size (memory never shrinks, so no
//       access can trap and a load needs no barrier),
//   (b) every i32 value the function computes is, as an exact integer, in [0, 2^32) (so doing
//       the i32 arithmetic in 64-bit variables gives the same values: nothing wraps), and
//   (c) optionally, no byte it stores is a byte it loads (so the stores may go through a
//       `restrict` pointer distinct from the loads'),
// the generated C drops the barrier, declares the i32 variables 64-bit and, with (c), passes the
// memory base as two restrict pointers. Anything not proven keeps wasm2c's exact C.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace wabt {
struct Module;
struct Func;
}  // namespace wabt

namespace wasmgpu::wasm {

struct FunctionProof {
  bool in_bounds = false;  // (a) and (b) hold
  bool disjoint = false;   // (a), (b) and (c) hold
  std::string reason;      // why (a)/(b) do not hold, or why (c) does not: a sentence
};

// Proves (a), (b), (c) for one defined function; `memory_bytes` is the memory's initial size.
FunctionProof ProveFunction(const wabt::Module& module, const wabt::Func& func,
                            uint64_t memory_bytes);

// One entry per defined (not imported) function, in the module's order. Nothing is proven for
// modules whose memory is imported or that have several memories.
std::vector<FunctionProof> ProveFunctions(const wabt::Module& module);

}  // namespace wasmgpu::wasm
