// The generation loop, one for every front end (examples/llama natively and as a guest,
// wasmgpu-gguf generate on the CPU reference or the GPU): the prompt in one call, then per token
// sample, stop checks, one forward step. The model is two functions, so the CPU reference and
// the GPU path share it.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "nn/sampler.h"
#include "nn/status.h"
#include "nn/tokenizer.h"

namespace wasmgpu::nn {

// Logits of the last prompt position, and of one token at a position (positions in order).
// The spans stay valid until the next call.
struct LogitSource {
  std::function<Result<std::span<const float>>(std::span<const int32_t> prompt)> prefill;
  std::function<Result<std::span<const float>>(int32_t token, uint32_t pos)> forward;
  // Optional: runs one token at a position and returns the greedy pick from its logits
  // (Sampler::Argmax's), without handing the logits back (LlamaGpu::ForwardGreedy, which keeps
  // the next step queued on the GPU). Generate uses it instead of `forward` when the sampler is
  // plain greedy (Sampler::plain_greedy) and GenerateParams::logits_per_step is false.
  std::function<Result<int32_t>(int32_t token, uint32_t pos)> forward_greedy;
};

struct GenerateParams {
  int n_predict = 64;  // tokens to generate at most
  uint32_t max_seq = 0;  // the KV cache length: generation stops when it is full
  std::string stop;      // stop once the generated text contains it (empty: never)
  // The TokenCallback needs every step's logits (e.g. --logits K); false lets Generate use
  // LogitSource::forward_greedy, and the callback then gets the logits of the first generated
  // token only (the prompt's) and empty spans after it.
  bool logits_per_step = true;
};

struct Generation {
  std::vector<int32_t> tokens;  // generated ids (the EOS / end-of-turn token is not one of them)
  std::string text;             // their text
  double prompt_s = 0.0, generate_s = 0.0;
};

// Called for each generated token, before the next step runs (with forward_greedy, while it
// runs), with the logits it was sampled from (for --logits K output; empty where
// forward_greedy picked it) and its piece of text (for streaming).
using TokenCallback =
    std::function<void(int32_t token, const std::string& piece, std::span<const float> logits)>;

// Generates from `prompt` (token ids, BOS included if wanted). Stops at EOS or end of turn
// (Tokenizer::EndsGeneration), after n_predict
// tokens, when the text contains `stop`, or when the cache is full.
Result<Generation> Generate(const LogitSource& model, const Tokenizer& tokenizer, Sampler& sampler,
                            std::span<const int32_t> prompt, const GenerateParams& params,
                            const TokenCallback& on_token = nullptr);

}  // namespace wasmgpu::nn
