// LlamaGpu::ForwardGreedy: the argmax kernel against Sampler::Argmax (ties, NaNs, infinities),
// greedy decoding with the GPU's picks and the next step queued ahead against Forward + the host
// argmax (token for token over many steps, every weight type), and speculative steps discarded
// by a forced token, a Forward, a Prefill or a restart.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <vector>

#include "gpu_test_util.h"
#include "nn/gpu/llama_gpu.h"
#include "nn/sampler.h"
#include "nn_kernels.h"

namespace wasmgpu::nn {
namespace {

using test::Ctx;
using test::SynthLlama;
using test::TinyLlama;

// One dispatch of argmax.comp over `logits`; returns (token[0], picks[slot]).
std::pair<uint32_t, uint32_t> GpuArgmax(const std::vector<float>& logits, uint32_t slot) {
  std::vector<uint32_t> in = test::Floats(logits), token = {7777}, picks = {5555, 6666};
  test::Dispatch run{test::Words(kSpirv_argmax),
                     {&in, &token, &picks},
                     {false, true, true},
                     {static_cast<uint32_t>(logits.size()), slot}};
  run.Go();
  EXPECT_EQ(picks[1 - slot], slot == 0 ? 6666u : 5555u) << "wrote the other slot";
  return {token[0], picks[slot]};
}

TEST(GreedyArgmax, KernelPicksWhatSamplerArgmaxPicks) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  struct Case {
    const char* what;
    std::vector<float> logits;
  };
  std::vector<Case> cases;
  // Sizes around the kernel's 8 x 256 rounds and the vocabularies of the test models.
  for (size_t n : {1u, 5u, 256u, 2047u, 2048u, 2049u, 4099u, 32000u}) {
    cases.push_back({"random", test::Random(n, static_cast<uint32_t>(n))});
  }
  {
    // Equal maxima in different threads and rounds: the lowest index wins.
    std::vector<float> v = test::Random(32000, 1);
    for (size_t i : {31999u, 20000u, 9000u, 2049u, 777u}) v[i] = 100.0f;
    cases.push_back({"ties", v});
    std::vector<float> w(5000, 0.25f);  // all equal
    cases.push_back({"all equal", w});
    std::vector<float> z = test::Random(3000, 2);
    z[1500] = 50.0f;
    z[700 + 256 * 8] = 50.0f;  // the same thread as 700, a later round
    z[700] = 50.0f;
    cases.push_back({"ties in one thread", z});
  }
  {
    std::vector<float> v = test::Random(4000, 3);
    v[10] = nan;
    v[3000] = nan;
    cases.push_back({"NaNs skipped", v});
    std::vector<float> first = test::Random(4000, 4);
    first[0] = nan;
    cases.push_back({"NaN first: 0", first});
    std::vector<float> all(600, nan);
    cases.push_back({"all NaN: 0", all});
    std::vector<float> ninf(3000, -inf);
    cases.push_back({"all -inf: 0", ninf});
    std::vector<float> mixed(3000, -inf);
    mixed[0] = nan;
    mixed[2999] = -inf;
    for (size_t i = 1; i < 100; ++i) mixed[i] = nan;
    cases.push_back({"-inf and NaN", mixed});
    std::vector<float> pinf = test::Random(3000, 5);
    pinf[2500] = inf;
    pinf[1200] = inf;
    cases.push_back({"+inf", pinf});
    std::vector<float> zeros(3000, -1.0f);
    zeros[900] = 0.0f;
    zeros[400] = -0.0f;  // equal to +0: the lower index
    cases.push_back({"signed zeros", zeros});
  }
  for (const Case& c : cases) {
    const int32_t want = Sampler::Argmax(c.logits);
    for (uint32_t slot : {0u, 1u}) {
      const auto [token, pick] = GpuArgmax(c.logits, slot);
      EXPECT_EQ(token, static_cast<uint32_t>(want)) << c.what << " n " << c.logits.size();
      EXPECT_EQ(pick, static_cast<uint32_t>(want)) << c.what << " n " << c.logits.size();
    }
  }
}

// Forward + Sampler::Argmax fed back, `steps` tokens from `first` at `pos`.
std::vector<int32_t> HostGreedy(LlamaGpu& g, int32_t first, uint32_t pos, uint32_t steps) {
  std::vector<int32_t> out;
  int32_t token = first;
  for (uint32_t i = 0; i < steps; ++i) {
    auto r = g.Forward(token, pos + i);
    EXPECT_TRUE(r.ok()) << r.error().message;
    if (!r.ok()) return out;
    token = Sampler::Argmax(*r);
    out.push_back(token);
  }
  return out;
}

std::vector<int32_t> GpuGreedy(LlamaGpu& g, int32_t first, uint32_t pos, uint32_t steps) {
  std::vector<int32_t> out;
  int32_t token = first;
  for (uint32_t i = 0; i < steps; ++i) {
    auto r = g.ForwardGreedy(token, pos + i);
    EXPECT_TRUE(r.ok()) << r.error().message;
    if (!r.ok()) return out;
    token = *r;
    out.push_back(token);
  }
  return out;
}

// Token for token over 40 steps after a prompt, each weight type, with the classifier split
// across bindings too; on the mapAsync path ForwardGreedy falls back to Forward + the argmax.
TEST(GreedyArgmax, ForwardGreedyEqualsForwardAndHostArgmax) {
  const std::vector<int32_t> prompt = {1, 40, 41, 300, 5};
  const uint32_t steps = 40, max_seq = 48;
  gguf::LlamaConfig c = TinyLlama();
  c.max_seq_len = max_seq;
  for (GgmlType type : {GgmlType::kF32, GgmlType::kF16, GgmlType::kQ8_0, GgmlType::kQ4_0}) {
    auto m = SynthLlama(c, type);
    ASSERT_TRUE(m.ok()) << m.error().message;
    for (uint64_t max_binding : {uint64_t{0}, uint64_t{64} << 10}) {
      for (bool host_mapped : {true, false}) {
        if (!host_mapped && (type != GgmlType::kQ4_0 || max_binding != 0)) continue;
        auto host = LlamaGpu::Create(Ctx(), *m, max_seq, max_binding, host_mapped);
        auto gpu = LlamaGpu::Create(Ctx(), *m, max_seq, max_binding, host_mapped);
        ASSERT_TRUE(host.ok() && gpu.ok());
        EXPECT_EQ((*gpu)->greedy_pipelined(), host_mapped && Ctx().host_mapped_alignment() != 0);
        auto a = (*host)->Prefill(prompt, 0);
        auto b = (*gpu)->Prefill(prompt, 0);
        ASSERT_TRUE(a.ok() && b.ok());
        const int32_t first = Sampler::Argmax(*a);
        ASSERT_EQ(first, Sampler::Argmax(*b));
        const std::vector<int32_t> want = HostGreedy(**host, first, 5, steps);
        const std::vector<int32_t> got = GpuGreedy(**gpu, first, 5, steps);
        EXPECT_EQ(got, want) << GgmlTypeName(type) << " binding " << max_binding << " host-mapped "
                             << host_mapped;
        // Not a constant sequence: the comparison covers several distinct picks.
        EXPECT_GT(std::set<int32_t>(want.begin(), want.end()).size(), 3u) << GgmlTypeName(type);
      }
    }
  }
}

// A vocabulary of 32000 (the kernel's full rounds, as the llama 2 models') over 24 steps.
TEST(GreedyArgmax, LargeVocabularyForwardGreedyEqualsHostArgmax) {
  gguf::LlamaConfig c = TinyLlama();
  c.vocab_size = 32000;
  auto m = SynthLlama(c, GgmlType::kQ4_0);
  ASSERT_TRUE(m.ok()) << m.error().message;
  auto host = LlamaGpu::Create(Ctx(), *m, 32);
  auto gpu = LlamaGpu::Create(Ctx(), *m, 32);
  ASSERT_TRUE(host.ok() && gpu.ok());
  EXPECT_EQ(GpuGreedy(**gpu, 7, 0, 24), HostGreedy(**host, 7, 0, 24));
}

// A speculative step is dropped when the next call wants something else: a forced token at the
// queued position (the KV cache at that position and the activations are rewritten), a Forward,
// a new prompt through Prefill, and a call at an earlier position; each continuation equals the
// same calls on a model that never ran ahead.
TEST(GreedyArgmax, SpeculativeStepDiscardedWhenTheNextCallDiffers) {
  auto m = SynthLlama(TinyLlama(), GgmlType::kQ8_0);
  ASSERT_TRUE(m.ok()) << m.error().message;
  auto gpu = LlamaGpu::Create(Ctx(), *m, 32);
  auto ref = LlamaGpu::Create(Ctx(), *m, 32);
  ASSERT_TRUE(gpu.ok() && ref.ok());
  if (!(*gpu)->greedy_pipelined()) GTEST_SKIP() << "no host-mapped buffers on this adapter";
  LlamaGpu& g = **gpu;
  LlamaGpu& r = **ref;
  auto pick = [](Result<std::span<const float>> l) {
    EXPECT_TRUE(l.ok()) << l.error().message;
    return l.ok() ? Sampler::Argmax(*l) : -1;
  };
  auto greedy = [](Result<int32_t> t) {
    EXPECT_TRUE(t.ok()) << t.error().message;
    return t.ok() ? *t : -1;
  };

  // Positions 0..2 greedy; step 3 is queued with the pick of step 2.
  int32_t t = 3;
  for (uint32_t pos = 0; pos < 3; ++pos) {
    const int32_t want = pick(r.Forward(t, pos));
    t = greedy(g.ForwardGreedy(t, pos));
    ASSERT_EQ(t, want) << pos;
  }
  // A forced token at position 3 (not the pick): step 3 runs again with it.
  const int32_t forced = (t + 17) % static_cast<int32_t>(m->hp.n_vocab);
  ASSERT_NE(forced, t);
  int32_t want = pick(r.Forward(forced, 3));
  int32_t got = greedy(g.ForwardGreedy(forced, 3));
  EXPECT_EQ(got, want);
  // The continuation reads KV position 3 as the forced token left it.
  std::vector<int32_t> gs = GpuGreedy(g, got, 4, 6), rs = HostGreedy(r, want, 4, 6);
  EXPECT_EQ(gs, rs);
  // Step 10 is queued; a Forward at 10 with another token replaces it, logits identical.
  {
    auto a = g.Forward(forced, 10);
    auto b = r.Forward(forced, 10);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(std::vector<float>(a->begin(), a->end()), std::vector<float>(b->begin(), b->end()));
  }
  // Greedy again from 11, then a new prompt at 0: a call with the token and position the last
  // speculative step ran must not take that (stale) step.
  gs = GpuGreedy(g, 9, 11, 3);
  rs = HostGreedy(r, 9, 11, 3);
  ASSERT_EQ(gs, rs);
  const int32_t stale_token = gs.back();  // step 14 was queued with it
  const std::vector<int32_t> prompt = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
  ASSERT_TRUE(g.Prefill(prompt, 0).ok());
  ASSERT_TRUE(r.Prefill(prompt, 0).ok());
  EXPECT_EQ(greedy(g.ForwardGreedy(stale_token, 14)), pick(r.Forward(stale_token, 14)));
  // Back to an earlier position (a restart at 5 over the same prompt): step 15 was queued.
  EXPECT_EQ(GpuGreedy(g, 6, 5, 12), HostGreedy(r, 6, 5, 12));
}

}  // namespace
}  // namespace wasmgpu::nn
