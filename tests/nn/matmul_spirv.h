// The batched matrix-matrix kernels by weight type, for the prefill kernel test and benchmark.
#pragma once

#include <span>

#include "nn/tensor_types.h"
#include "nn_kernels.h"
#include "storage_kernel.h"

namespace wasmgpu::nn::test {

// matmul_<type> (swiglu: matmul_ffn_<type>, the SwiGLU epilogue over interleaved gate/up rows;
// f16: matmul_h_..., the same in f16 arithmetic, which needs the ShaderF16 feature).
inline std::span<const uint32_t> MatMulSpirv(GgmlType t, bool swiglu, bool f16 = false) {
  const std::span<const uint32_t> k[2][2][4] = {
      {{Words(kSpirv_matmul_f32), Words(kSpirv_matmul_f16), Words(kSpirv_matmul_q8_0),
        Words(kSpirv_matmul_q4_0)},
       {Words(kSpirv_matmul_ffn_f32), Words(kSpirv_matmul_ffn_f16),
        Words(kSpirv_matmul_ffn_q8_0), Words(kSpirv_matmul_ffn_q4_0)}},
      {{Words(kSpirv_matmul_h_f32), Words(kSpirv_matmul_h_f16), Words(kSpirv_matmul_h_q8_0),
        Words(kSpirv_matmul_h_q4_0)},
       {Words(kSpirv_matmul_h_ffn_f32), Words(kSpirv_matmul_h_ffn_f16),
        Words(kSpirv_matmul_h_ffn_q8_0), Words(kSpirv_matmul_h_ffn_q4_0)}}};
  const int ti = t == GgmlType::kF32 ? 0 : t == GgmlType::kF16 ? 1 : t == GgmlType::kQ8_0 ? 2 : 3;
  return k[f16 ? 1 : 0][swiglu ? 1 : 0][ti];
}

}  // namespace wasmgpu::nn::test
