// Small statistics helpers shared by the benches.
#pragma once

#include <algorithm>
#include <vector>

namespace wasmgpu::bench {

// The median of `samples` (the mean of the two middle values for an even count); 0 when empty.
// Takes a copy because it reorders.
inline double Median(std::vector<double> samples) {
  if (samples.empty()) return 0;
  const size_t mid = samples.size() / 2;
  std::nth_element(samples.begin(), samples.begin() + mid, samples.end());
  double upper = samples[mid];
  if (samples.size() % 2 == 1) return upper;
  double lower = *std::max_element(samples.begin(), samples.begin() + mid);
  return (lower + upper) / 2;
}

}  // namespace wasmgpu::bench
