#include "nn/gpu/weight_layout.h"

#include <cstring>

namespace wasmgpu::nn {
namespace {

// GPU bytes of one row.
uint64_t PackedRowBytes(GgmlType type, uint64_t n_in) {
  const uint64_t blocks = n_in / 32;
  switch (type) {
    case GgmlType::kF32: return n_in * 4;
    case GgmlType::kF16: return n_in * 2;
    case GgmlType::kQ8_0: return blocks * (2 + 32);
    case GgmlType::kQ4_0: return blocks * (2 + 16);
    default: return 0;
  }
}

}  // namespace

Result<uint64_t> RowsPerChunk(const TensorView& t, uint64_t max_binding_bytes) {
  const uint64_t row_bytes = PackedRowBytes(t.type, t.ne[0]);
  if (row_bytes == 0 || t.ne[0] % 32 != 0) {
    return MakeError("Tensor '", t.name, "' (", GgmlTypeName(t.type), ", rows of ", t.ne[0],
                     ") has no GPU layout: F32, F16, Q8_0 and Q4_0 with rows a multiple of 32 do.");
  }
  // Scales are padded to 16 bytes and the chunk to a multiple of 16 bytes (PackRows): leave room.
  const uint64_t rows = max_binding_bytes > 32 ? (max_binding_bytes - 32) / row_bytes : 0;
  if (rows == 0) {
    return MakeError("One row of tensor '", t.name, "' (", row_bytes,
                     " bytes) exceeds the storage binding limit (", max_binding_bytes, " bytes).");
  }
  return rows;
}

WeightChunk PackRows(const TensorView& t, uint64_t first_row, uint64_t rows) {
  WeightChunk c;
  c.first_row = first_row;
  c.rows = rows;
  const uint64_t n_in = t.ne[0];
  const uint64_t src_row_bytes = t.row_bytes();
  const uint8_t* src = t.row(first_row);
  if (t.type == GgmlType::kF32 || t.type == GgmlType::kF16) {
    const uint64_t bytes = rows * src_row_bytes;
    c.words.resize((bytes + 15) / 16 * 4);
    std::memcpy(c.words.data(), src, bytes);
    return c;
  }
  // Quantized: split each ggml block into its f16 scale and its quants.
  const uint64_t blocks = rows * (n_in / 32);
  const uint64_t block_bytes = t.type == GgmlType::kQ8_0 ? 34 : 18;
  const uint64_t quant_bytes = block_bytes - 2;
  // Scales take (blocks + 1) / 2 words, rounded up to 4 so that quants start 16-byte aligned
  // (matvec_wide.glsl reads a block's quants with 16-byte loads); the whole chunk is a multiple
  // of 16 bytes for the same reason.
  c.qoff = static_cast<uint32_t>(((blocks + 1) / 2 + 3) / 4 * 4);
  c.words.assign(c.qoff + (blocks * quant_bytes / 4 + 3) / 4 * 4, 0);
  auto* scales = reinterpret_cast<uint16_t*>(c.words.data());
  auto* quants = reinterpret_cast<uint8_t*>(c.words.data() + c.qoff);
  for (uint64_t b = 0; b < blocks; ++b) {
    const uint8_t* block = src + b * block_bytes;
    std::memcpy(&scales[b], block, 2);
    std::memcpy(quants + b * quant_bytes, block + 2, quant_bytes);
  }
  return c;
}

float PackedWeight(GgmlType type, const WeightChunk& c, uint64_t n_in, uint64_t row, uint64_t j) {
  const uint64_t b = row * (n_in / 32) + j / 32;
  const uint64_t k = j % 32;
  const uint32_t* w = c.words.data();
  auto half = [&](uint64_t word, uint64_t which) {
    return Fp16ToFp32(static_cast<uint16_t>(w[word] >> (16 * which)));
  };
  switch (type) {
    case GgmlType::kF32: {
      float f;
      std::memcpy(&f, &w[b * 32 + k], 4);
      return f;
    }
    case GgmlType::kF16: return half(b * 16 + k / 2, k % 2);
    case GgmlType::kQ8_0: {
      const uint32_t word = w[c.qoff + b * 8 + k / 4];
      return half(b / 2, b % 2) * static_cast<float>(static_cast<int8_t>(word >> (8 * (k % 4))));
    }
    case GgmlType::kQ4_0: {
      const uint64_t byte_index = k % 16;
      const uint32_t byte = (w[c.qoff + b * 4 + byte_index / 4] >> (8 * (byte_index % 4))) & 0xFF;
      const uint32_t nibble = k < 16 ? (byte & 0xF) : (byte >> 4);
      return half(b / 2, b % 2) * static_cast<float>(static_cast<int>(nibble) - 8);
    }
    default: return 0.0f;
  }
}

}  // namespace wasmgpu::nn
