// Tensor element types, numbered and laid out as ggml (llama.cpp) defines them, because GGUF files
// store ggml's type ids and block layouts verbatim. Every type the reader can size is listed so a
// file with, say, Q4_K tensors parses; only the types with a `Dequantize`/`Quantize` branch below
// can be computed with. Adding a type (K-quants, BF16 compute) means one table row and one branch in
// each of DequantizeRow/QuantizeRow in tensor_types.cpp, where each type's block layout is spelled
// out beside its code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace wasmgpu::nn {

enum class GgmlType : uint32_t {
  kF32 = 0,
  kF16 = 1,
  kQ4_0 = 2,
  kQ4_1 = 3,
  kQ5_0 = 6,
  kQ5_1 = 7,
  kQ8_0 = 8,
  kQ8_1 = 9,
  kQ2_K = 10,
  kQ3_K = 11,
  kQ4_K = 12,
  kQ5_K = 13,
  kQ6_K = 14,
  kQ8_K = 15,
  kI8 = 24,
  kI16 = 25,
  kI32 = 26,
  kI64 = 27,
  kF64 = 28,
  kBF16 = 30,
};

struct GgmlTypeInfo {
  GgmlType type;
  std::string_view name;   // ggml's spelling: "Q8_0"
  uint32_t block_size;     // elements per block (1 for plain types)
  uint32_t block_bytes;    // bytes per block
  bool computable;         // DequantizeRow/QuantizeRow handle it
};

// The table row for a ggml type id from a file, or nullptr when the id is unknown to this reader.
const GgmlTypeInfo* FindGgmlType(uint32_t id);
const GgmlTypeInfo& GetGgmlType(GgmlType type);
std::string_view GgmlTypeName(GgmlType type);
// "f32" / "Q8_0" / "q8_0" -> type (case-insensitive), for command lines.
std::optional<GgmlType> ParseGgmlType(std::string_view name);

// Bytes of one row of `n` elements; `n` must be a multiple of the block size (callers check).
uint64_t RowBytes(GgmlType type, uint64_t n);

// IEEE 754 binary16 <-> binary32, round to nearest even, with subnormals, inf and NaN.
float Fp16ToFp32(uint16_t h);
uint16_t Fp32ToFp16(float f);
float Bf16ToFp32(uint16_t h);

// The one place per type that knows its block layout. `n` is a multiple of the block size;
// `src` holds RowBytes(type, n) bytes. Returns false for types that are not computable.
bool DequantizeRow(GgmlType type, const uint8_t* src, float* dst, int64_t n);
bool QuantizeRow(GgmlType type, const float* src, uint8_t* dst, int64_t n);

}  // namespace wasmgpu::nn
