#include "nn/tensor_types.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

namespace wasmgpu::nn {
namespace {

TEST(Fp16, KnownValues) {
  EXPECT_EQ(Fp16ToFp32(0x3C00), 1.0f);
  EXPECT_EQ(Fp16ToFp32(0xC000), -2.0f);
  EXPECT_EQ(Fp16ToFp32(0x7BFF), 65504.0f);
  EXPECT_EQ(Fp16ToFp32(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_EQ(Fp16ToFp32(0x03FF), std::ldexp(1023.0f, -24));
  EXPECT_TRUE(std::isinf(Fp16ToFp32(0x7C00)));
  EXPECT_TRUE(std::isnan(Fp16ToFp32(0x7E00)));
  EXPECT_EQ(Fp32ToFp16(1.0f / 3.0f), 0x3555);
  EXPECT_EQ(Fp32ToFp16(65519.0f), 0x7BFF);          // rounds down to the largest half
  EXPECT_EQ(Fp32ToFp16(65520.0f), 0x7C00);          // ties to even: up to infinity
  EXPECT_EQ(Fp32ToFp16(std::ldexp(1.0f, -25)), 0);  // tie between 0 and 2^-24: even is 0
  EXPECT_EQ(Fp32ToFp16(std::ldexp(1.5f, -25)), 1);
  EXPECT_EQ(Fp32ToFp16(1.0f + std::ldexp(1.0f, -11)), 0x3C00);  // tie: stays even
  EXPECT_EQ(Fp32ToFp16(1.0f + std::ldexp(3.0f, -11)), 0x3C02);  // tie: rounds to even
  EXPECT_EQ(Fp32ToFp16(-0.0f), 0x8000);
}

TEST(Fp16, EveryHalfRoundTrips) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = Fp16ToFp32(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    ASSERT_EQ(Fp32ToFp16(f), h) << "half 0x" << std::hex << h;
  }
}

TEST(Dequantize, Q8_0HandComputedBlock) {
  uint8_t block[34] = {};
  block[0] = 0x00;  // d = 0.5 = 0x3800, little-endian
  block[1] = 0x38;
  const int8_t qs[4] = {1, -2, 127, -128};
  std::memcpy(block + 2, qs, 4);
  float out[32];
  ASSERT_TRUE(DequantizeRow(GgmlType::kQ8_0, block, out, 32));
  EXPECT_EQ(out[0], 0.5f);
  EXPECT_EQ(out[1], -1.0f);
  EXPECT_EQ(out[2], 63.5f);
  EXPECT_EQ(out[3], -64.0f);
  for (int i = 4; i < 32; ++i) EXPECT_EQ(out[i], 0.0f);
}

TEST(Dequantize, Q4_0HandComputedBlock) {
  uint8_t block[18] = {};
  block[0] = 0x00;  // d = 2.0 = 0x4000
  block[1] = 0x40;
  for (int j = 0; j < 16; ++j) block[2 + j] = 0x88;  // both nibbles 8 -> 0
  block[2] = 0x9F;   // weight 0: 15 -> 14, weight 16: 9 -> 2
  block[3] = 0x08;   // weight 1: 8 -> 0, weight 17: 0 -> -16
  float out[32];
  ASSERT_TRUE(DequantizeRow(GgmlType::kQ4_0, block, out, 32));
  EXPECT_EQ(out[0], 14.0f);
  EXPECT_EQ(out[16], 2.0f);
  EXPECT_EQ(out[1], 0.0f);
  EXPECT_EQ(out[17], -16.0f);
  for (int j : {2, 15, 18, 31}) EXPECT_EQ(out[j], 0.0f);
}

TEST(Dequantize, F16AndF32) {
  const uint8_t f16[4] = {0x00, 0x3C, 0x00, 0xC0};
  float out[2];
  ASSERT_TRUE(DequantizeRow(GgmlType::kF16, f16, out, 2));
  EXPECT_EQ(out[0], 1.0f);
  EXPECT_EQ(out[1], -2.0f);
  const float f32[2] = {3.25f, -7.5f};
  ASSERT_TRUE(DequantizeRow(GgmlType::kF32, reinterpret_cast<const uint8_t*>(f32), out, 2));
  EXPECT_EQ(out[0], 3.25f);
  EXPECT_EQ(out[1], -7.5f);
}

TEST(Dequantize, UncomputableTypesRefused) {
  uint8_t block[144] = {};
  float out[256];
  EXPECT_FALSE(DequantizeRow(GgmlType::kQ4_K, block, out, 256));
  EXPECT_FALSE(GetGgmlType(GgmlType::kQ4_K).computable);
  EXPECT_EQ(RowBytes(GgmlType::kQ4_K, 512), 288u);
}

TEST(Quantize, Q4_0MatchesGgmlReferenceRule) {
  // The signed value of largest magnitude (-16) maps to nibble 0: d = -16 / -8 = 2.
  float x[32] = {};
  x[0] = -16.0f;
  x[1] = 14.0f;   // 14 / 2 + 8.5 = 15.5 -> 15
  x[2] = 3.0f;    // 1.5 + 8.5 = 10
  x[16] = -2.9f;  // -1.45 + 8.5 = 7.05 -> 7
  uint8_t block[18];
  ASSERT_TRUE(QuantizeRow(GgmlType::kQ4_0, x, block, 32));
  EXPECT_EQ(Fp16ToFp32(static_cast<uint16_t>(block[0] | block[1] << 8)), 2.0f);
  EXPECT_EQ(block[2], 0x70);  // weight 0 -> 0, weight 16 -> 7
  EXPECT_EQ(block[3] & 0x0F, 15);
  EXPECT_EQ(block[4] & 0x0F, 10);
}

double Nmse(const std::vector<float>& ref, const std::vector<float>& got) {
  double err = 0, norm = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    err += (ref[i] - got[i]) * static_cast<double>(ref[i] - got[i]);
    norm += ref[i] * static_cast<double>(ref[i]);
  }
  return err / norm;
}

TEST(Quantize, RoundTripErrorPerType) {
  std::mt19937 rng(7);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> x(4096);
  for (float& v : x) v = dist(rng);
  // Expected NMSE of a uniform quantizer with step d over N(0,1) blocks: Q8_0 ~ 2e-5,
  // Q4_0 ~ 5e-3; F16 ~ 1e-8. The bounds leave 2-4x headroom.
  const struct { GgmlType type; double bound; } cases[] = {
      {GgmlType::kF32, 0.0}, {GgmlType::kF16, 1e-7}, {GgmlType::kQ8_0, 1e-4}, {GgmlType::kQ4_0, 2e-2}};
  for (const auto& c : cases) {
    std::vector<uint8_t> q(RowBytes(c.type, x.size()));
    std::vector<float> back(x.size());
    ASSERT_TRUE(QuantizeRow(c.type, x.data(), q.data(), 4096));
    ASSERT_TRUE(DequantizeRow(c.type, q.data(), back.data(), 4096));
    EXPECT_LE(Nmse(x, back), c.bound) << GgmlTypeName(c.type);
    if (c.type != GgmlType::kF32) {
      EXPECT_GT(Nmse(x, back), 0.0) << GgmlTypeName(c.type);
    }
  }
}

TEST(TypeNames, ParseIsCaseInsensitive) {
  EXPECT_EQ(ParseGgmlType("q8_0"), GgmlType::kQ8_0);
  EXPECT_EQ(ParseGgmlType("F16"), GgmlType::kF16);
  EXPECT_FALSE(ParseGgmlType("q9_0").has_value());
}

}  // namespace
}  // namespace wasmgpu::nn
