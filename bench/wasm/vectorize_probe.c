// Why the translated matmul stayed scalar, reduced to what GCC sees (not part of the build).
// The engine now removes all three obstacles where src/wasm/bounds_analysis.cpp proves it sound
// (docs/wasm.md, "Proven loops"): no barrier, 64-bit i32 arithmetic, and the stores through a
// second restrict pointer, passed as a parameter as in TwoObjects below.
//
// bench/wasm/guests/matmul.c compiled by clang to wasm32 and by wasm2c back to C has three
// obstacles to GCC's vectorizer. The first two could be engineered around; the third cannot be
// without our own dependence analysis, and it alone keeps the loop scalar:
//   1. every load goes through `wasm_asm("" :: "r"(result))` (wasm-rt), so that a load whose
//      value is unused still executes and still traps when out of bounds: "statement clobbers
//      memory" stops the vectorizer;
//   2. addresses are 32-bit wasm integers that wrap (`(u64)(u32)(p + 512)`): GCC cannot prove
//      that the inner loop's address does not wrap ("evolution of base is not affine");
//   3. a, b and c are offsets into ONE linear memory. GCC vectorizes the native build over j
//      (outer-loop vectorization), which needs the store to c proven independent of the loads
//      of a and b. Natively it knows they are distinct arrays; with one base it would need a
//      runtime alias check, which GCC 12 does not support for outer loops.
//
// The functions below are the loop after obstacles 1 and 2 are removed by hand (no barrier,
// 64-bit affine addresses): `OneMemory` still is not vectorized; `TwoObjects`, identical but
// with the output in a second restrict-qualified object, is. Check with
//   gcc -O2 -ffp-contract=off -fopt-info-vec-all -c bench/wasm/vectorize_probe.c -o /dev/null
// which prints, on GCC 12.2:
//   OneMemory:  missed: runtime alias check not supported for outer loop.
//   TwoObjects: optimized: loop vectorized using 16 byte vectors
#include <stdint.h>
#include <string.h>

static inline float Load(const uint8_t* base, uint64_t at) {
  float v;
  memcpy(&v, base + at, 4);
  return v;
}
static inline void Store(uint8_t* base, uint64_t at, float v) { memcpy(base + at, &v, 4); }

// The addresses clang gave the guest's arrays: a at 3712, b at 69248, c at 134784.
void OneMemory(uint8_t* mem) {
  for (uint64_t i = 0; i < 128; i++) {
    for (uint64_t j = 0; j < 128; j++) {
      float sum = 0;
      for (uint64_t k = 0; k < 128; k++) {
        sum += Load(mem, 3712 + 512 * i + 4 * k) * Load(mem, 69248 + 4 * j + 512 * k);
      }
      Store(mem, 134784 + 512 * i + 4 * j, sum);
    }
  }
}

void TwoObjects(uint8_t* restrict mem, uint8_t* restrict out) {
  for (uint64_t i = 0; i < 128; i++) {
    for (uint64_t j = 0; j < 128; j++) {
      float sum = 0;
      for (uint64_t k = 0; k < 128; k++) {
        sum += Load(mem, 3712 + 512 * i + 4 * k) * Load(mem, 69248 + 4 * j + 512 * k);
      }
      Store(out, 134784 + 512 * i + 4 * j, sum);
    }
  }
}
