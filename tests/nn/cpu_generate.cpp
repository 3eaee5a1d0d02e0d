// Generates text with the CPU reference, or with the GPU path when the 6th argument is "gpu"
// (builds with WASMGPU_NN_GPU). Built natively and for wasm32-wasi (no mmap: the FILE* path;
// webgpu.h calls become `wasmgpu` imports), so the parity tests can check every build produces
// the same tokens. Usage: cpu_generate MODEL.gguf PROMPT N_TOKENS TEMPERATURE SEED [gpu]
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "nn/gguf.h"
#include "nn/llama_model.h"
#include "nn/reference/llama_cpu.h"
#include "nn/sampler.h"
#include "nn/tokenizer.h"
#if defined(WASMGPU_NN_GPU)
#include <functional>

#include "nn/gpu/llama_gpu.h"
#endif

using namespace wasmgpu::nn;

static int Fail(const Error& e) {
  std::fprintf(stderr, "cpu_generate: %s\n", e.message.c_str());
  return 1;
}

int main(int argc, char** argv) {
  if (argc != 6 && argc != 7) {
    std::fprintf(stderr, "usage: cpu_generate MODEL PROMPT N TEMPERATURE SEED [gpu]\n");
    return 2;
  }
  const bool gpu = argc == 7 && std::string(argv[6]) == "gpu";
  auto file = GgufFile::Open(argv[1]);
  if (!file.ok()) return Fail(file.error());
  auto shared = std::make_shared<GgufFile>(std::move(*file));
  auto tokenizer = Tokenizer::FromGguf(*shared);
  if (!tokenizer.ok()) return Fail(tokenizer.error());
  auto model = LoadLlamaModel(shared);
  if (!model.ok()) return Fail(model.error());
  std::vector<int32_t> tokens = (*tokenizer)->Encode(argv[2], true);
  const int n = std::atoi(argv[3]);
  SamplerParams params;
  params.temperature = static_cast<float>(std::atof(argv[4]));
  params.seed = std::strtoull(argv[5], nullptr, 10);
  Sampler sampler(params);
  const uint32_t max_seq = static_cast<uint32_t>(tokens.size()) + static_cast<uint32_t>(n);
  auto cpu = LlamaCpu::Create(*model, std::min(max_seq, model->hp.n_ctx));
  if (!cpu.ok()) return Fail(cpu.error());
  auto forward = [&](int32_t token, uint32_t pos) { return cpu->Forward(token, pos); };
#if defined(WASMGPU_NN_GPU)
  std::unique_ptr<GpuContext> ctx;
  std::unique_ptr<LlamaGpu> g;
  std::function<Result<std::span<const float>>(int32_t, uint32_t)> run = forward;
  if (gpu) {
    auto c = GpuContext::Create();
    if (!c.ok()) return Fail(c.error());
    ctx = std::make_unique<GpuContext>(std::move(*c));
    auto made = LlamaGpu::Create(*ctx, *model, std::min(max_seq, model->hp.n_ctx));
    if (!made.ok()) return Fail(made.error());
    g = std::move(*made);
    run = [&](int32_t token, uint32_t pos) { return g->Forward(token, pos); };
  }
#else
  if (gpu) {
    std::fprintf(stderr, "cpu_generate: built without the GPU path\n");
    return 2;
  }
  auto run = forward;
#endif
  std::string text;
  for (uint32_t pos = 0; pos + 1 < max_seq && pos < model->hp.n_ctx; ++pos) {
    auto logits = run(tokens[pos], pos);
    if (!logits.ok()) return Fail(logits.error());
    if (pos + 1 < tokens.size()) continue;  // still reading the prompt
    const int32_t next = sampler.Sample(*logits, tokens);
    text += (*tokenizer)->DecodeToken(tokens.back(), next);
    tokens.push_back(next);
    if (next == (*tokenizer)->eos()) break;
  }
  std::printf("tokens:");
  for (int32_t t : tokens) std::printf(" %d", t);
  std::printf("\ntext: %s\n", text.c_str());
  return 0;
}
