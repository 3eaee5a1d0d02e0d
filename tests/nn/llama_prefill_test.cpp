// Batched prefill (LlamaGpu::Prefill, src/nn/gpu/llama_prefill.cpp) against the CPU reference:
// the last prompt token's logits, and the decode steps after it, which read the KV cache the
// prefill wrote. Prompt lengths 1, 7, 33 and longer than the batch (several batches in one
// submit), every weight type, weights split across bindings, prompts continued from a position.
#include <gtest/gtest.h>

#include <memory>

#include "gpu_test_util.h"
#include "llama_gguf.h"
#include "nn/gpu/llama_gpu.h"
#include "nn/reference/llama_cpu.h"
#include "nn/sampler.h"

namespace wasmgpu::nn {
namespace {

using test::Ctx;

Result<LlamaModel> Synth(GgmlType type) {
  gguf::LlamaConfig c = test::TinyLlama();
  c.max_seq_len = 64;
  return test::SynthLlama(c, type);
}

std::vector<int32_t> Prompt(size_t n) {
  std::vector<int32_t> t(n);
  for (size_t i = 0; i < n; ++i) t[i] = static_cast<int32_t>((i * 37 + 1) % 320);
  return t;
}

double Nmse(std::span<const float> want, std::span<const float> got) {
  double err = 0, norm = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    err += (want[i] - got[i]) * double(want[i] - got[i]);
    norm += want[i] * double(want[i]);
  }
  return err / norm;
}

// `f16`: the prefill products in f16 arithmetic (the default on GPUs); the exact comparisons
// below take f32, as the CPU computes.
std::unique_ptr<LlamaGpu> Gpu(const LlamaModel& m, uint64_t max_binding_bytes = 0,
                              bool f16 = false) {
  Ctx().set_prefill_f16(f16 ? GpuContext::F16Prefill::kOn : GpuContext::F16Prefill::kOff);
  auto gpu = LlamaGpu::Create(Ctx(), m, 64, max_binding_bytes);
  Ctx().set_prefill_f16(GpuContext::F16Prefill::kAuto);
  EXPECT_TRUE(gpu.ok()) << gpu.error().message;
  return gpu.ok() ? std::move(*gpu) : nullptr;
}

// Prefills `prompt` from position 0 (in calls of `split` tokens from successive positions; 0:
// one call), then decodes 3 more tokens; returns the worst logits NMSE against the CPU reference.
double PrefillVsCpu(const LlamaModel& m, LlamaGpu* gpu, const std::vector<int32_t>& prompt,
                    uint32_t batch, size_t split = 0) {
  if (gpu == nullptr) return 1e9;
  const Status set = gpu->SetPrefillBatch(batch);
  EXPECT_TRUE(set.ok()) << set.error().message;
  auto cpu = LlamaCpu::Create(m, 64);
  std::vector<float> want;
  for (uint32_t pos = 0; pos < prompt.size(); ++pos) {
    auto c = cpu->Forward(prompt[pos], pos);
    want.assign(c->begin(), c->end());
  }
  if (split == 0) split = prompt.size();
  Result<std::span<const float>> got = MakeError("no call");
  for (size_t first = 0; first < prompt.size(); first += split) {
    const size_t n = std::min(split, prompt.size() - first);
    got = gpu->Prefill(std::span<const int32_t>(prompt).subspan(first, n),
                       static_cast<uint32_t>(first));
    EXPECT_TRUE(got.ok()) << got.error().message;
    if (!got.ok()) return 1e9;
  }
  double worst = Nmse(want, *got);
  test::MirrorActivationQuantization(*gpu, *cpu);  // decode products may quantize x; prefill's not
  for (uint32_t pos = static_cast<uint32_t>(prompt.size()); pos < prompt.size() + 3; ++pos) {
    const int32_t token = static_cast<int32_t>(pos * 11 % 320);
    auto c = cpu->Forward(token, pos);
    auto g = gpu->Forward(token, pos);
    EXPECT_TRUE(g.ok()) << g.error().message;
    if (!g.ok()) return 1e9;
    worst = std::max(worst, Nmse(*c, *g));
  }
  return worst;
}

TEST(LlamaPrefill, EveryTypeAndLengthMatchesCpu) {
  for (GgmlType type : {GgmlType::kF32, GgmlType::kF16, GgmlType::kQ8_0, GgmlType::kQ4_0}) {
    auto m = Synth(type);
    ASSERT_TRUE(m.ok()) << m.error().message;
    auto gpu = Gpu(*m);  // one model for every prompt: each overwrites the cache from 0
    for (size_t n : {1, 7, 33}) {
      const double nmse = PrefillVsCpu(*m, gpu.get(), Prompt(n), 64);
      EXPECT_LT(nmse, 1e-9) << GgmlTypeName(type) << ", " << n << " tokens";
    }
    // 40 tokens in batches of 16: three batches, the last one partial.
    const double nmse = PrefillVsCpu(*m, gpu.get(), Prompt(40), 16);
    std::printf("%s prefill (40 tokens, batches of 16) vs CPU logits NMSE %.3g\n",
                std::string(GgmlTypeName(type)).c_str(), nmse);
    EXPECT_LT(nmse, 1e-9) << GgmlTypeName(type);
  }
}

TEST(LlamaPrefill, WeightsSplitAcrossBindingsMatchCpu) {
  auto m = Synth(GgmlType::kQ8_0);
  ASSERT_TRUE(m.ok());
  // 2 KiB per binding: token_embd and every matrix span several chunks (several dispatches per
  // product, outputs at each chunk's offset; the gate/up chunks hold whole pairs).
  EXPECT_LT(PrefillVsCpu(*m, Gpu(*m, 2048).get(), Prompt(33), 16), 1e-9);
}

// A prompt given in pieces (7 + 7 + ... from successive positions, as a chat continues): each
// batch attends to the keys earlier calls left in the cache.
TEST(LlamaPrefill, ContinuedFromEarlierPositionsMatchesCpu) {
  auto m = Synth(GgmlType::kQ4_0);
  ASSERT_TRUE(m.ok());
  EXPECT_LT(PrefillVsCpu(*m, Gpu(*m).get(), Prompt(33), 64, 7), 1e-9);
}

// f16 arithmetic in the prefill products (matmul.glsl F16_MATH; the default on GPUs with
// ShaderF16, which lavapipe has too): X and W rounded to f16 and f16 sums per 32-block put the
// last token's logits ~2e-7 (NMSE) from the f32 CPU reference, with the same top token, and the
// decode steps after it, which read the KV cache the f16 prefill wrote, as near.
TEST(LlamaPrefill, F16ArithmeticNearCpu) {
  if (!Ctx().has_f16()) {  // lavapipe has ShaderF16; elsewhere, asking for f16 gets f32
    auto m = Synth(GgmlType::kQ4_0);
    ASSERT_TRUE(m.ok());
    auto gpu = Gpu(*m, 0, /*f16=*/true);
    ASSERT_NE(gpu, nullptr);
    EXPECT_FALSE(gpu->prefill_f16());
    EXPECT_LT(PrefillVsCpu(*m, gpu.get(), Prompt(33), 16), 1e-9);
    return;
  }
  for (GgmlType type : {GgmlType::kF32, GgmlType::kF16, GgmlType::kQ8_0, GgmlType::kQ4_0}) {
    auto m = Synth(type);
    ASSERT_TRUE(m.ok()) << m.error().message;
    auto gpu = Gpu(*m, 0, /*f16=*/true);
    ASSERT_NE(gpu, nullptr);
    EXPECT_TRUE(gpu->prefill_f16());
    const std::vector<int32_t> prompt = Prompt(40);
    const double nmse = PrefillVsCpu(*m, gpu.get(), prompt, 16);
    std::printf("%s f16 prefill (40 tokens, batches of 16) vs CPU logits NMSE %.3g\n",
                std::string(GgmlTypeName(type)).c_str(), nmse);
    EXPECT_LT(nmse, 1e-5) << GgmlTypeName(type);
    EXPECT_GT(nmse, 1e-12) << GgmlTypeName(type) << ": the f16 path was not taken";
    // The top token of the last prompt position.
    auto cpu = LlamaCpu::Create(*m, 64);
    std::span<const float> want;
    for (uint32_t pos = 0; pos < prompt.size(); ++pos) want = *cpu->Forward(prompt[pos], pos);
    auto got = gpu->Prefill(prompt, 0);
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(Sampler::Argmax(*got), Sampler::Argmax(want)) << GgmlTypeName(type);
  }
  auto m = Synth(GgmlType::kQ4_0);
  ASSERT_TRUE(m.ok());
  auto off = Gpu(*m);
  ASSERT_NE(off, nullptr);
  EXPECT_FALSE(off->prefill_f16());
  // kAuto: f16 on GPUs, not on CPU adapters.
  auto gpu = LlamaGpu::Create(Ctx(), *m, 64);
  ASSERT_TRUE(gpu.ok());
  EXPECT_EQ((*gpu)->prefill_f16(), !Ctx().is_cpu());
}

// Batch 0 is the token-by-token path through the decode kernels: the same numbers.
TEST(LlamaPrefill, TokenByTokenPathMatchesCpu) {
  auto m = Synth(GgmlType::kF16);
  ASSERT_TRUE(m.ok());
  EXPECT_LT(PrefillVsCpu(*m, Gpu(*m).get(), Prompt(9), 0), 1e-9);
}

TEST(LlamaPrefill, RefusesBadBatchesAndPositions) {
  auto m = Synth(GgmlType::kQ8_0);
  ASSERT_TRUE(m.ok());
  auto gpu = LlamaGpu::Create(Ctx(), *m, 40);
  ASSERT_TRUE(gpu.ok()) << gpu.error().message;
  EXPECT_EQ((*gpu)->prefill_batch(), 40u);  // min(512, max_seq)
  EXPECT_EQ((*gpu)->SetPrefillBatch(41).error().message,
            "Prefill batch (41 tokens) exceeds the batch the buffers were made for (40).");
  EXPECT_EQ((*gpu)->Prefill(Prompt(39), 2).error().message,
            "Positions 2 to 40 go past the KV cache length (40).");
  const std::vector<int32_t> bad = {1, 320};
  EXPECT_EQ((*gpu)->Prefill(bad, 0).error().message,
            "Token id (320) is outside the vocabulary (320).");
  EXPECT_EQ((*gpu)->Prefill({}, 0).error().message, "Prefill needs at least one token.");
}

}  // namespace
}  // namespace wasmgpu::nn
