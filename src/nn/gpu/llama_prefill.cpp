// LlamaGpu::Prefill: the prompt through the model. (Batched matrix-matrix kernels land here.)
#include "nn/gpu/llama_gpu.h"

namespace wasmgpu::nn {

Result<std::span<const float>> LlamaGpu::Prefill(std::span<const int32_t> tokens,
                                                 uint32_t start_pos) {
  return RunSteps(tokens, start_pos);
}

}  // namespace wasmgpu::nn
