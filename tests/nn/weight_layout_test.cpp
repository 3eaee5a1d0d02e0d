// The GPU weight layout (src/nn/gpu/weight_layout.h): every weight read back from the packed
// chunks, the way the kernels read it, equals the CPU dequantization; chunks respect the limit.
#include "nn/gpu/weight_layout.h"

#include <gtest/gtest.h>

#include <random>

namespace wasmgpu::nn {
namespace {

struct Owned {
  std::vector<uint8_t> bytes;
  TensorView view;
};

Owned RandomMatrix(GgmlType type, uint64_t n_in, uint64_t n_out, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  Owned o;
  o.bytes.resize(RowBytes(type, n_in) * n_out);
  std::vector<float> row(n_in);
  for (uint64_t r = 0; r < n_out; ++r) {
    for (float& v : row) v = dist(rng);
    QuantizeRow(type, row.data(), o.bytes.data() + r * RowBytes(type, n_in),
                static_cast<int64_t>(n_in));
  }
  o.view.name = std::string(1, 'w');  // (a plain "w" trips a GCC 12 -Wrestrict false positive)
  o.view.type = type;
  o.view.n_dims = 2;
  o.view.ne[0] = n_in;
  o.view.ne[1] = n_out;
  o.view.data = o.bytes.data();
  o.view.n_bytes = o.bytes.size();
  return o;
}

TEST(WeightLayout, PackedWeightsEqualCpuDequantization) {
  for (GgmlType type : {GgmlType::kF32, GgmlType::kF16, GgmlType::kQ8_0, GgmlType::kQ4_0}) {
    const uint64_t n_in = 96, n_out = 37;  // odd block and row counts
    Owned m = RandomMatrix(type, n_in, n_out, 5);
    // A limit that forces several chunks of a few rows each.
    auto per_chunk = RowsPerChunk(m.view, 1000);
    ASSERT_TRUE(per_chunk.ok()) << per_chunk.error().message;
    ASSERT_LT(*per_chunk, n_out) << GgmlTypeName(type);
    std::vector<float> want(n_in);
    uint64_t chunks = 0;
    for (uint64_t first = 0; first < n_out; first += *per_chunk) {
      const uint64_t rows = std::min(*per_chunk, n_out - first);
      const WeightChunk c = PackRows(m.view, first, rows);
      ++chunks;
      EXPECT_LE(c.words.size() * 4, 1000u) << GgmlTypeName(type);
      // matvec_wide.glsl reads quants and whole chunks with 16-byte loads.
      EXPECT_EQ(c.qoff % 4, 0u) << GgmlTypeName(type);
      EXPECT_EQ(c.words.size() % 4, 0u) << GgmlTypeName(type);
      for (uint64_t r = 0; r < rows; ++r) {
        DequantizeRow(type, m.view.row(first + r), want.data(), static_cast<int64_t>(n_in));
        for (uint64_t j = 0; j < n_in; ++j) {
          ASSERT_EQ(PackedWeight(type, c, n_in, r, j), want[j])
              << GgmlTypeName(type) << " row " << first + r << " col " << j;
        }
      }
    }
    EXPECT_GT(chunks, 1u);
  }
}

TEST(WeightLayout, RefusesRowsThatCannotBeBoundOrLaidOut) {
  Owned m = RandomMatrix(GgmlType::kF32, 64, 2, 1);
  EXPECT_EQ(RowsPerChunk(m.view, 200).error().message,
            "One row of tensor 'w' (256 bytes) exceeds the storage binding limit (200 bytes).");
  m.view.type = GgmlType::kQ4_K;
  m.view.ne[0] = 256;
  EXPECT_EQ(RowsPerChunk(m.view, 1 << 20).error().message,
            "Tensor 'w' (Q4_K, rows of 256) has no GPU layout: F32, F16, Q8_0 and Q4_0 with rows a "
            "multiple of 32 do.");
}

}  // namespace
}  // namespace wasmgpu::nn
