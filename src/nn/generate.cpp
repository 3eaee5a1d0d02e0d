#include "nn/generate.h"

#include <algorithm>
#include <chrono>

namespace wasmgpu::nn {
namespace {

double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

Result<Generation> Generate(const LogitSource& model, const Tokenizer& tokenizer, Sampler& sampler,
                            std::span<const int32_t> prompt, const GenerateParams& params,
                            const TokenCallback& on_token) {
  if (prompt.empty()) return MakeError("The prompt has no tokens.");
  if (prompt.size() > params.max_seq) {
    return MakeError("The prompt (", prompt.size(), " tokens) is longer than the context (",
                     params.max_seq, ").");
  }
  Generation g;
  // The sampler's repetition penalty looks at the whole history, prompt included.
  std::vector<int32_t> history(prompt.begin(), prompt.end());
  auto t = std::chrono::steady_clock::now();
  NN_TRY_ASSIGN(std::span<const float> logits, model.prefill(prompt));
  g.prompt_s = Since(t);
  t = std::chrono::steady_clock::now();
  // Greedy picks on the model's side where nothing needs the logits: the sampler would pick the
  // argmax anyway.
  const bool on_model = model.forward_greedy && sampler.plain_greedy() && !params.logits_per_step;
  int32_t next = 0;
  if (params.n_predict > 0) next = sampler.Sample(logits, history);
  while (g.tokens.size() < static_cast<size_t>(std::max(params.n_predict, 0))) {
    if (tokenizer.EndsGeneration(next)) break;
    const std::string piece = tokenizer.DecodeToken(history.back(), next);
    history.push_back(next);
    g.tokens.push_back(next);
    g.text += piece;
    if (on_token) on_token(next, piece, logits);
    if (g.tokens.size() >= static_cast<size_t>(params.n_predict)) break;
    if (!params.stop.empty() && g.text.find(params.stop) != std::string::npos) break;
    const uint32_t pos = static_cast<uint32_t>(history.size() - 1);
    if (pos >= params.max_seq) break;  // the context is full
    if (on_model) {
      NN_TRY_ASSIGN(next, model.forward_greedy(next, pos));
      logits = {};
    } else {
      NN_TRY_ASSIGN(logits, model.forward(next, pos));
      next = sampler.Sample(logits, history);
    }
  }
  g.generate_s = Since(t);
  return g;
}

}  // namespace wasmgpu::nn
