#include "nn/tensor_types.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace wasmgpu::nn {
namespace {

// Sizes follow ggml's block structs (ggml-common.h): e.g. block_q4_K = half d, half dmin,
// 12 scale bytes, 128 nibble bytes = 144.
constexpr GgmlTypeInfo kTypes[] = {
    {GgmlType::kF32, "F32", 1, 4, true},       {GgmlType::kF16, "F16", 1, 2, true},
    {GgmlType::kQ4_0, "Q4_0", 32, 18, true},   {GgmlType::kQ4_1, "Q4_1", 32, 20, false},
    {GgmlType::kQ5_0, "Q5_0", 32, 22, false},  {GgmlType::kQ5_1, "Q5_1", 32, 24, false},
    {GgmlType::kQ8_0, "Q8_0", 32, 34, true},   {GgmlType::kQ8_1, "Q8_1", 32, 36, false},
    {GgmlType::kQ2_K, "Q2_K", 256, 84, false}, {GgmlType::kQ3_K, "Q3_K", 256, 110, false},
    {GgmlType::kQ4_K, "Q4_K", 256, 144, false}, {GgmlType::kQ5_K, "Q5_K", 256, 176, false},
    {GgmlType::kQ6_K, "Q6_K", 256, 210, false}, {GgmlType::kQ8_K, "Q8_K", 256, 292, false},
    {GgmlType::kI8, "I8", 1, 1, false},        {GgmlType::kI16, "I16", 1, 2, false},
    {GgmlType::kI32, "I32", 1, 4, false},      {GgmlType::kI64, "I64", 1, 8, false},
    {GgmlType::kF64, "F64", 1, 8, false},      {GgmlType::kBF16, "BF16", 1, 2, false},
};

uint32_t FloatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
float BitsFloat(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
uint16_t LoadU16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
void StoreU16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}

// --- F32: 4 bytes little-endian per element.
void DequantizeF32(const uint8_t* src, float* dst, int64_t n) {
  std::memcpy(dst, src, static_cast<size_t>(n) * 4);
}
void QuantizeF32(const float* src, uint8_t* dst, int64_t n) {
  std::memcpy(dst, src, static_cast<size_t>(n) * 4);
}

// --- F16: 2 bytes little-endian per element.
void DequantizeF16(const uint8_t* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = Fp16ToFp32(LoadU16(src + 2 * i));
}
void QuantizeF16(const float* src, uint8_t* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) StoreU16(dst + 2 * i, Fp32ToFp16(src[i]));
}

// --- Q8_0: blocks of 32 weights, 34 bytes: { f16 d; int8 qs[32]; },  x[j] = d * qs[j].
constexpr int kQ8_0Block = 32;
constexpr int kQ8_0Bytes = 34;
void DequantizeQ8_0(const uint8_t* src, float* dst, int64_t n) {
  for (int64_t b = 0; b < n / kQ8_0Block; ++b) {
    const uint8_t* block = src + b * kQ8_0Bytes;
    const float d = Fp16ToFp32(LoadU16(block));
    for (int j = 0; j < kQ8_0Block; ++j) {
      dst[b * kQ8_0Block + j] = d * static_cast<float>(static_cast<int8_t>(block[2 + j]));
    }
  }
}
// ggml's reference quantizer: d = amax / 127, q = round(x / d).
void QuantizeQ8_0(const float* src, uint8_t* dst, int64_t n) {
  for (int64_t b = 0; b < n / kQ8_0Block; ++b) {
    const float* x = src + b * kQ8_0Block;
    uint8_t* block = dst + b * kQ8_0Bytes;
    float amax = 0.0f;
    for (int j = 0; j < kQ8_0Block; ++j) amax = std::fmax(amax, std::fabs(x[j]));
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    StoreU16(block, Fp32ToFp16(d));
    for (int j = 0; j < kQ8_0Block; ++j) {
      block[2 + j] = static_cast<uint8_t>(static_cast<int8_t>(std::round(x[j] * id)));
    }
  }
}

// --- Q4_0: blocks of 32 weights, 18 bytes: { f16 d; uint8 qs[16]; }. Byte j holds weight j in
// its low nibble and weight j + 16 in its high nibble; x = d * (nibble - 8).
constexpr int kQ4_0Block = 32;
constexpr int kQ4_0Bytes = 18;
void DequantizeQ4_0(const uint8_t* src, float* dst, int64_t n) {
  for (int64_t b = 0; b < n / kQ4_0Block; ++b) {
    const uint8_t* block = src + b * kQ4_0Bytes;
    const float d = Fp16ToFp32(LoadU16(block));
    float* y = dst + b * kQ4_0Block;
    for (int j = 0; j < kQ4_0Block / 2; ++j) {
      const uint8_t q = block[2 + j];
      y[j] = d * static_cast<float>((q & 0x0F) - 8);
      y[j + 16] = d * static_cast<float>((q >> 4) - 8);
    }
  }
}
// ggml's reference quantizer: the signed value of largest magnitude maps to -8, so d = max / -8.
void QuantizeQ4_0(const float* src, uint8_t* dst, int64_t n) {
  for (int64_t b = 0; b < n / kQ4_0Block; ++b) {
    const float* x = src + b * kQ4_0Block;
    uint8_t* block = dst + b * kQ4_0Bytes;
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < kQ4_0Block; ++j) {
      if (std::fabs(x[j]) > amax) {
        amax = std::fabs(x[j]);
        max = x[j];
      }
    }
    const float d = max / -8.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    StoreU16(block, Fp32ToFp16(d));
    for (int j = 0; j < kQ4_0Block / 2; ++j) {
      const int lo = std::min(15, static_cast<int>(x[j] * id + 8.5f));
      const int hi = std::min(15, static_cast<int>(x[j + 16] * id + 8.5f));
      block[2 + j] = static_cast<uint8_t>(lo | (hi << 4));
    }
  }
}

}  // namespace

const GgmlTypeInfo* FindGgmlType(uint32_t id) {
  for (const GgmlTypeInfo& t : kTypes) {
    if (static_cast<uint32_t>(t.type) == id) return &t;
  }
  return nullptr;
}

const GgmlTypeInfo& GetGgmlType(GgmlType type) { return *FindGgmlType(static_cast<uint32_t>(type)); }
std::string_view GgmlTypeName(GgmlType type) { return GetGgmlType(type).name; }

std::optional<GgmlType> ParseGgmlType(std::string_view name) {
  for (const GgmlTypeInfo& t : kTypes) {
    if (t.name.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i) {
      char c = name[i];
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      same = c == t.name[i];
    }
    if (same) return t.type;
  }
  return std::nullopt;
}

uint64_t RowBytes(GgmlType type, uint64_t n) {
  const GgmlTypeInfo& t = GetGgmlType(type);
  return n / t.block_size * t.block_bytes;
}

float Fp16ToFp32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  const uint32_t exp = (h >> 10) & 0x1F;
  uint32_t mant = h & 0x3FF;
  if (exp == 0x1F) return BitsFloat(sign | 0x7F800000u | (mant << 13));  // inf / NaN
  if (exp != 0) return BitsFloat(sign | ((exp + 112) << 23) | (mant << 13));
  if (mant == 0) return BitsFloat(sign);
  // Subnormal half: normalise into a float exponent.
  int e = -1;
  do {
    ++e;
    mant <<= 1;
  } while ((mant & 0x400) == 0);
  return BitsFloat(sign | (static_cast<uint32_t>(112 - e) << 23) | ((mant & 0x3FF) << 13));
}

uint16_t Fp32ToFp16(float f) {
  const uint32_t u = FloatBits(f);
  const uint16_t sign = static_cast<uint16_t>((u >> 16) & 0x8000);
  const uint32_t abs = u & 0x7FFFFFFF;
  if (abs >= 0x7F800000u) {  // inf or NaN (keep NaN quiet and non-zero)
    return static_cast<uint16_t>(sign | 0x7C00 | (abs > 0x7F800000u ? 0x200 : 0));
  }
  if (abs >= 0x477FF000u) return static_cast<uint16_t>(sign | 0x7C00);  // rounds past 65504
  if (abs < 0x38800000u) {
    // Result is subnormal (or zero): value / 2^-24, rounded to nearest even.
    if (abs < 0x33000000u) return sign;  // below half the smallest subnormal
    const uint32_t exp = abs >> 23;
    const uint32_t mant = (abs & 0x7FFFFF) | 0x800000;
    const uint32_t shift = 126 - exp;  // 14..24
    uint32_t q = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1);
    const uint32_t half = 1u << (shift - 1);
    if (rem > half || (rem == half && (q & 1))) ++q;
    return static_cast<uint16_t>(sign | q);
  }
  // Normal: rebias the exponent, round the 13 dropped mantissa bits to nearest even; a carry
  // out of the mantissa correctly bumps the exponent.
  uint32_t h = ((abs >> 23) - 112) << 10 | ((abs >> 13) & 0x3FF);
  const uint32_t rem = abs & 0x1FFF;
  if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) ++h;
  return static_cast<uint16_t>(sign | h);
}

float Bf16ToFp32(uint16_t h) { return BitsFloat(static_cast<uint32_t>(h) << 16); }

bool DequantizeRow(GgmlType type, const uint8_t* src, float* dst, int64_t n) {
  switch (type) {
    case GgmlType::kF32: DequantizeF32(src, dst, n); return true;
    case GgmlType::kF16: DequantizeF16(src, dst, n); return true;
    case GgmlType::kQ8_0: DequantizeQ8_0(src, dst, n); return true;
    case GgmlType::kQ4_0: DequantizeQ4_0(src, dst, n); return true;
    default: return false;
  }
}

bool QuantizeRow(GgmlType type, const float* src, uint8_t* dst, int64_t n) {
  switch (type) {
    case GgmlType::kF32: QuantizeF32(src, dst, n); return true;
    case GgmlType::kF16: QuantizeF16(src, dst, n); return true;
    case GgmlType::kQ8_0: QuantizeQ8_0(src, dst, n); return true;
    case GgmlType::kQ4_0: QuantizeQ4_0(src, dst, n); return true;
    default: return false;
  }
}

}  // namespace wasmgpu::nn
