// Token sampling with llama.cpp's options. Deterministic for a seed across native and wasm32
// builds: our own PRNG (PCG32), our own exp (the libm of glibc and wasi-libc may differ in the last
// bit), and a total order for every sort (probability, then token id).
//
// Order of operations, as in llama.cpp's default chain: repetition penalty -> top-k -> top-p ->
// min-p -> temperature -> draw. Temperature 0 is greedy (argmax, lowest id on ties).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace wasmgpu::nn {

// PCG32 (O'Neill, pcg-random.org): 64-bit LCG state, xorshift + rotate output.
class Pcg32 {
 public:
  explicit Pcg32(uint64_t seed, uint64_t stream = 0x14057B7EF767814Full);
  uint32_t Next();
  // Uniform in [0, 1) with 24 random bits, exact in float.
  float NextFloat();

 private:
  uint64_t state_ = 0;
  uint64_t inc_ = 0;
};

// exp(x) for the sampler, bit-identical on every platform (double arithmetic, no libm).
double DeterministicExp(double x);

struct SamplerParams {
  float temperature = 0.8f;    // 0: greedy
  int32_t top_k = 40;          // <= 0: off
  float top_p = 0.95f;         // >= 1: off
  float min_p = 0.05f;         // <= 0: off
  float repeat_penalty = 1.0f; // 1: off; divides positive logits, multiplies negative ones
  int32_t repeat_last_n = 64;  // how many recent tokens the penalty looks at
  uint64_t seed = 0;
};

class Sampler {
 public:
  explicit Sampler(const SamplerParams& params);

  // Picks the next token from `logits` [n_vocab] given the tokens so far (for the penalty).
  int32_t Sample(std::span<const float> logits, std::span<const int32_t> history);

  // The index of the largest logit (lowest index on ties).
  static int32_t Argmax(std::span<const float> logits);
  const SamplerParams& params() const { return params_; }
  // Sample is Argmax whatever the history: temperature 0 and no repetition penalty.
  bool plain_greedy() const {
    return params_.temperature <= 0.0f &&
           (params_.repeat_penalty == 1.0f || params_.repeat_last_n == 0);
  }

 private:
  SamplerParams params_;
  Pcg32 rng_;
  struct Candidate {
    int32_t id;
    float logit;
    double p;
  };
  std::vector<Candidate> candidates_;
};

}  // namespace wasmgpu::nn
