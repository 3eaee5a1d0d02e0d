// Plain scalar CPU forward pass of the llama architecture: the reference the GPU kernels and the
// PyTorch fixtures are compared against. Clarity over speed; one token at a time with a KV cache.
// Weights stay in their file type and are dequantized a row at a time (tensor_types.h), so a
// quantized model is computed exactly as its stored values say.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "nn/llama_model.h"
#include "nn/status.h"

namespace wasmgpu::nn {

// y[r] = dot(row r of w, x) for every row of the matrix w [n_in, n_out] (GGUF order).
void MatVec(const TensorView& w, const float* x, float* y);
// x quantized to 8 bits per block of 32 (n a multiple of 32), as the GPU's integer-dot-product
// kernels do (src/nn/kernels/matvec_dot8.glsl) and llama.cpp does for Q8_0 and Q4_0 products:
// d = max|x| / 127 and q = roundEven(x * (127 / max|x|)) per block (a block of zeros: d = q = 0).
struct QuantizedActivations {
  std::vector<int8_t> q;  // [n]
  std::vector<float> d;   // [n / 32]
};
QuantizedActivations QuantizeActivations(const float* x, uint64_t n);
// MatVec with x quantized by QuantizeActivations and integer block sums, for Q8_0 and Q4_0 w
// (other types: MatVec).
void MatVecQuantizedX(const TensorView& w, const float* x, float* y);
// Row `row` of w as floats (embedding lookup).
void DequantizeTensorRow(const TensorView& w, uint64_t row, float* out);
// out = x / rms(x) * weight, rms(x) = sqrt(mean(x^2) + eps).
void RmsNorm(const float* x, const float* weight, float* out, int n, float eps);
// Rotates the first n_rot dims of one head in place for position `pos`.
void Rope(float* head, int n_rot, int pos, float freq_base, RopeType type);
// In-place softmax over n values.
void Softmax(float* x, int n);

class LlamaCpu {
 public:
  // `max_seq` bounds the KV cache; it may be below the trained context to save memory.
  static Result<LlamaCpu> Create(const LlamaModel& model, uint32_t max_seq);

  // Runs token `token` at position `pos` (0, 1, 2, ... in order; earlier positions must already
  // be in the cache) and returns the logits [n_vocab], valid until the next call.
  Result<std::span<const float>> Forward(int32_t token, uint32_t pos);

  const LlamaHParams& hparams() const { return model_->hp; }

  // Matrices for which `pred` is true are multiplied with quantized activations
  // (MatVecQuantizedX), to mirror a GPU that does so (LlamaGpu::QuantizesActivations).
  void set_quantized_activations(std::function<bool(const TensorView&)> pred) {
    quantized_x_ = std::move(pred);
  }

 private:
  explicit LlamaCpu(const LlamaModel& model, uint32_t max_seq);

  void Mul(const TensorView& w, const float* x, float* y) const {
    if (quantized_x_ && quantized_x_(w)) {
      MatVecQuantizedX(w, x, y);
    } else {
      MatVec(w, x, y);
    }
  }

  const LlamaModel* model_;
  uint32_t max_seq_;
  std::function<bool(const TensorView&)> quantized_x_;
  // Activations, llama2.c style.
  std::vector<float> x_;       // [n_embd]   residual stream
  std::vector<float> xb_;      // [max(n_embd, n_head*head_dim)] normed input / attention output
  std::vector<float> xb2_;     // [n_embd]
  std::vector<float> hb_;      // [n_ff]     gate
  std::vector<float> hb2_;     // [n_ff]     up
  std::vector<float> q_;       // [n_head * head_dim]
  std::vector<float> att_;     // [max_seq]  scores of one head
  std::vector<float> norm_w_;  // [n_embd]   a norm weight as floats
  std::vector<float> logits_;  // [n_vocab]
  // KV cache: [n_layer][max_seq][n_head_kv * head_dim]
  std::vector<float> key_cache_;
  std::vector<float> value_cache_;
};

}  // namespace wasmgpu::nn
