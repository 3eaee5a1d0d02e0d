// How weights are laid out in GPU buffers (the layout src/nn/kernels/weights.glsl reads), and the
// split of a tensor into row chunks that each fit one storage binding: lavapipe binds at most
// 128 MiB, less than one F16 embedding table of a 1B model.
//
// F32, F16: the GGUF bytes as they are. Q8_0, Q4_0: the blocks' f16 scales first (two per 32-bit
// word), then, from word `qoff` (a multiple of 4), their quants (Q8_0: 32 int8; Q4_0: 16 bytes of
// nibbles), so the kernels read aligned words, or whole blocks' quants with 16-byte loads, instead
// of ggml's 34- and 18-byte blocks. Every chunk is a multiple of 16 bytes. Still quantized: the
// kernels dequantize. src/nn/kernels/weights.glsl is the kernels' only reader of this layout.
#pragma once

#include <cstdint>
#include <vector>

#include "nn/llama_model.h"
#include "nn/status.h"

namespace wasmgpu::nn {

struct WeightChunk {
  uint64_t first_row = 0;
  uint64_t rows = 0;
  uint32_t qoff = 0;          // word offset of the quants (quantized types), else 0
  std::vector<uint32_t> words;  // the chunk in GPU layout
};

// Rows per chunk so one chunk's GPU bytes stay within `max_binding_bytes`.
Result<uint64_t> RowsPerChunk(const TensorView& t, uint64_t max_binding_bytes);

// Packs rows [first_row, first_row + rows) of `t` (a 2-D tensor with ne0 % 32 == 0).
WeightChunk PackRows(const TensorView& t, uint64_t first_row, uint64_t rows);

// Element `j` of row `row` of a packed chunk, computed as the kernels do (for tests).
float PackedWeight(GgmlType type, const WeightChunk& chunk, uint64_t n_in, uint64_t row, uint64_t j);

}  // namespace wasmgpu::nn
