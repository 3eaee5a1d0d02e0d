#include "nn/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace wasmgpu::nn {
namespace {

TEST(Pcg32, MatchesTheReferenceSequence) {
  // pcg32_srandom(42, 54) from the PCG reference implementation's demo.
  Pcg32 rng(42, 54);
  const uint32_t expected[] = {0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e};
  for (uint32_t e : expected) EXPECT_EQ(rng.Next(), e);
}

TEST(DeterministicExp, MatchesLibmClosely) {
  for (double x = -100.0; x <= 80.0; x += 0.37) {
    const double want = std::exp(x);
    EXPECT_NEAR(DeterministicExp(x) / want, 1.0, 1e-15) << x;
  }
  EXPECT_EQ(DeterministicExp(0.0), 1.0);
  EXPECT_EQ(DeterministicExp(-800.0), 0.0);
}

std::vector<float> Logits() {
  return {0.1f, 2.0f, -1.0f, 1.9f, 0.5f, 1.0f, -3.0f, 0.0f};
}

TEST(Sampler, GreedyIsArgmax) {
  SamplerParams p;
  p.temperature = 0.0f;
  Sampler s(p);
  EXPECT_EQ(s.Sample(Logits(), {}), 1);
  EXPECT_EQ(Sampler::Argmax(Logits()), 1);
  EXPECT_EQ(Sampler::Argmax(std::vector<float>{3.0f, 3.0f}), 0);  // lowest id on ties
}

// Argmax keeps eight running maxima; it must pick what one running maximum picks: the lowest
// index of the largest value, never a NaN, 0 when logits[0] is NaN.
TEST(Sampler, ArgmaxEqualsOneRunningMaximum) {
  auto simple = [](const std::vector<float>& v) {
    size_t best = 0;
    for (size_t i = 1; i < v.size(); ++i) {
      if (v[i] > v[best]) best = i;
    }
    return static_cast<int32_t>(best);
  };
  Pcg32 rng(7);
  for (size_t n : {1u, 2u, 7u, 8u, 9u, 17u, 100u, 32000u}) {
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<float> v(n);
      // Few distinct values, so ties across lanes are common.
      for (float& x : v) x = static_cast<float>(rng.Next() % 5);
      if (trial % 4 == 1) v[rng.Next() % n] = std::nanf("");
      if (trial % 4 == 2) v[0] = std::nanf("");
      if (trial % 4 == 3) v.assign(n, -std::numeric_limits<float>::infinity());
      EXPECT_EQ(Sampler::Argmax(v), simple(v)) << "n " << n << " trial " << trial;
    }
  }
}

TEST(Sampler, SameSeedSameTokensOtherSeedOtherTokens) {
  SamplerParams p;
  p.temperature = 1.5f;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  auto run = [&](uint64_t seed) {
    p.seed = seed;
    Sampler s(p);
    std::vector<int32_t> out;
    for (int i = 0; i < 64; ++i) out.push_back(s.Sample(Logits(), out));
    return out;
  };
  EXPECT_EQ(run(7), run(7));
  EXPECT_NE(run(7), run(8));
}

TEST(Sampler, TopKOneTopPTinyAndMinPOneAreGreedy) {
  for (int which = 0; which < 3; ++which) {
    SamplerParams p;
    p.temperature = 5.0f;
    p.top_k = which == 0 ? 1 : 0;
    p.top_p = which == 1 ? 0.01f : 1.0f;
    p.min_p = which == 2 ? 1.0f : 0.0f;
    Sampler s(p);
    for (int i = 0; i < 50; ++i) ASSERT_EQ(s.Sample(Logits(), {}), 1) << "case " << which;
  }
}

TEST(Sampler, TopKLimitsTheCandidates) {
  SamplerParams p;
  p.temperature = 10.0f;  // nearly uniform over what is left
  p.top_k = 3;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  Sampler s(p);
  std::vector<int> counts(8, 0);
  for (int i = 0; i < 3000; ++i) ++counts[static_cast<size_t>(s.Sample(Logits(), {}))];
  EXPECT_GT(counts[1], 800);
  EXPECT_GT(counts[3], 800);
  EXPECT_GT(counts[5], 800);
  EXPECT_EQ(counts[0] + counts[2] + counts[4] + counts[6] + counts[7], 0);
}

TEST(Sampler, FrequenciesFollowTheSoftmax) {
  SamplerParams p;
  p.temperature = 1.0f;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  p.seed = 99;
  Sampler s(p);
  const std::vector<float> logits = {std::log(0.5f), std::log(0.3f), std::log(0.2f)};
  std::vector<int> counts(3, 0);
  const int n = 20000;
  for (int i = 0; i < n; ++i) ++counts[static_cast<size_t>(s.Sample(logits, {}))];
  EXPECT_NEAR(counts[0] / double(n), 0.5, 0.015);
  EXPECT_NEAR(counts[1] / double(n), 0.3, 0.015);
  EXPECT_NEAR(counts[2] / double(n), 0.2, 0.015);
}

TEST(Sampler, RepetitionPenaltyDividesPositiveAndMultipliesNegative) {
  SamplerParams p;
  p.temperature = 0.0f;
  p.repeat_penalty = 1.1f;
  Sampler s(p);
  // 2.0 / 1.1 = 1.818 < 1.9: the repeated token loses.
  EXPECT_EQ(s.Sample(std::vector<float>{2.0f, 1.9f}, std::vector<int32_t>{0}), 1);
  // -1.0 * 1.1 = -1.1 < -1.05: a negative repeated logit moves further down.
  EXPECT_EQ(s.Sample(std::vector<float>{-1.0f, -1.05f}, std::vector<int32_t>{0}), 1);
  // Outside the window (repeat_last_n = 1), no penalty.
  p.repeat_last_n = 1;
  Sampler windowed(p);
  EXPECT_EQ(windowed.Sample(std::vector<float>{2.0f, 1.9f}, std::vector<int32_t>{0, 1}), 0);
}

}  // namespace
}  // namespace wasmgpu::nn
