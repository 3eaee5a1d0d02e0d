#include "nn/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstring>

namespace wasmgpu::nn {

Pcg32::Pcg32(uint64_t seed, uint64_t stream) {
  inc_ = (stream << 1) | 1;
  Next();
  state_ += seed;
  Next();
}

uint32_t Pcg32::Next() {
  const uint64_t old = state_;
  state_ = old * 6364136223846793005ull + inc_;
  const auto xorshifted = static_cast<uint32_t>(((old >> 18) ^ old) >> 27);
  const auto rot = static_cast<uint32_t>(old >> 59);
  return (xorshifted >> rot) | (xorshifted << ((32 - rot) & 31));
}

float Pcg32::NextFloat() { return static_cast<float>(Next() >> 8) * (1.0f / 16777216.0f); }

double DeterministicExp(double x) {
  // exp(x) = 2^k * exp(r), r = x - k ln2 in [-ln2/2, ln2/2]; exp(r) by its Taylor series to
  // degree 13 (error < 1e-16 on that interval). Only +, *, and exact scaling: IEEE-exact
  // everywhere, unlike libm's exp.
  if (x < -745.0) return 0.0;
  if (x > 709.0) return HUGE_VAL;
  // ln 2 split in two (Cody-Waite): k * kLn2Hi is exact for |k| < 2^11, so r keeps its bits.
  const double kLn2Hi = 6.93147180369123816490e-01;
  const double kLn2Lo = 1.90821492927058770002e-10;
  const double k = std::nearbyint(x * 1.4426950408889634);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;
  double term = 1.0, sum = 1.0;
  for (int i = 1; i <= 13; ++i) {
    term = term * r / i;
    sum += term;
  }
  return std::ldexp(sum, static_cast<int>(k));
}

Sampler::Sampler(const SamplerParams& params) : params_(params), rng_(params.seed) {}

int32_t Sampler::Argmax(std::span<const float> logits) {
  // Eight running maxima over interleaved elements, then the best of them: one running maximum
  // is a serial chain of dependent compares, ~110 us over 32000 logits, in the decode loop.
  // Same result as one chain: the lowest index of the largest value, NaNs never chosen, and 0
  // when logits[0] is NaN or nothing is larger than it.
  if (logits.empty() || std::isnan(logits[0])) return 0;
  constexpr size_t kLanes = 8;
  float value[kLanes];
  int64_t index[kLanes];
  for (size_t l = 0; l < kLanes; ++l) {
    value[l] = -std::numeric_limits<float>::infinity();
    index[l] = -1;
  }
  const size_t n = logits.size();
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (size_t l = 0; l < kLanes; ++l) {
      const float v = logits[i + l];
      const bool better = v > value[l];
      value[l] = better ? v : value[l];
      index[l] = better ? static_cast<int64_t>(i + l) : index[l];
    }
  }
  for (; i < n; ++i) {
    if (logits[i] > value[i % kLanes]) {
      value[i % kLanes] = logits[i];
      index[i % kLanes] = static_cast<int64_t>(i);
    }
  }
  int64_t best = -1;
  float best_value = -std::numeric_limits<float>::infinity();
  for (size_t l = 0; l < kLanes; ++l) {
    if (index[l] < 0) continue;
    if (value[l] > best_value || (value[l] == best_value && index[l] < best)) {
      best_value = value[l];
      best = index[l];
    }
  }
  return best < 0 ? 0 : static_cast<int32_t>(best);
}

int32_t Sampler::Sample(std::span<const float> logits, std::span<const int32_t> history) {
  const size_t n = logits.size();
  candidates_.resize(n);
  for (size_t i = 0; i < n; ++i) candidates_[i] = {static_cast<int32_t>(i), logits[i], 0.0};

  // Repetition penalty over the last repeat_last_n tokens (each token penalized once).
  if (params_.repeat_penalty != 1.0f && params_.repeat_last_n != 0) {
    const size_t last =
        params_.repeat_last_n < 0 ? history.size()
                                  : std::min(history.size(), static_cast<size_t>(params_.repeat_last_n));
    std::vector<bool> seen(n, false);
    for (size_t i = history.size() - last; i < history.size(); ++i) {
      const int32_t t = history[i];
      if (t < 0 || static_cast<size_t>(t) >= n || seen[static_cast<size_t>(t)]) continue;
      seen[static_cast<size_t>(t)] = true;
      float& l = candidates_[static_cast<size_t>(t)].logit;
      l = l > 0.0f ? l / params_.repeat_penalty : l * params_.repeat_penalty;
    }
  }

  if (params_.temperature <= 0.0f) {
    int32_t best = 0;
    for (size_t i = 1; i < n; ++i) {
      if (candidates_[i].logit > candidates_[static_cast<size_t>(best)].logit) {
        best = static_cast<int32_t>(i);
      }
    }
    return best;
  }

  // Sort by logit, a total order so every build agrees.
  auto by_logit = [](const Candidate& a, const Candidate& b) {
    return a.logit != b.logit ? a.logit > b.logit : a.id < b.id;
  };
  size_t keep = n;
  if (params_.top_k > 0 && static_cast<size_t>(params_.top_k) < n) {
    keep = static_cast<size_t>(params_.top_k);
    std::partial_sort(candidates_.begin(), candidates_.begin() + static_cast<ptrdiff_t>(keep),
                      candidates_.end(), by_logit);
  } else {
    std::sort(candidates_.begin(), candidates_.end(), by_logit);
  }
  candidates_.resize(keep);

  // Probabilities at temperature 1 for top-p and min-p (llama.cpp applies temperature last).
  auto softmax = [&](double temperature) {
    const double max = candidates_[0].logit;
    double sum = 0.0;
    for (Candidate& c : candidates_) {
      c.p = DeterministicExp((c.logit - max) / temperature);
      sum += c.p;
    }
    for (Candidate& c : candidates_) c.p /= sum;
  };
  softmax(1.0);
  if (params_.top_p < 1.0f) {
    double cum = 0.0;
    size_t cut = candidates_.size();
    for (size_t i = 0; i < candidates_.size(); ++i) {
      cum += candidates_[i].p;
      if (cum >= params_.top_p) {
        cut = i + 1;
        break;
      }
    }
    candidates_.resize(cut);
  }
  if (params_.min_p > 0.0f) {
    const double threshold = candidates_[0].p * params_.min_p;
    size_t cut = 1;
    while (cut < candidates_.size() && candidates_[cut].p >= threshold) ++cut;
    candidates_.resize(cut);
  }
  softmax(params_.temperature);

  const double r = rng_.NextFloat();
  double cum = 0.0;
  for (const Candidate& c : candidates_) {
    cum += c.p;
    if (r < cum) return c.id;
  }
  return candidates_.back().id;
}

}  // namespace wasmgpu::nn
