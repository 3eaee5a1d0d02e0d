// The llama architecture as GGUF describes it: hyper-parameters from `llama.*` metadata and the
// weight tensors by their GGUF names, each shape checked against the hyper-parameters. Shared by
// the CPU reference and the GPU path, so both refuse the same files with the same messages.
//
// Shapes are written in GGUF order, ne0 first: ne0 is the contiguous dimension, so a matrix
// [n_in, n_out] is n_out rows of n_in weights and y = W x is y[r] = dot(row r, x).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "nn/gguf.h"
#include "nn/status.h"
#include "nn/tensor_types.h"

namespace wasmgpu::nn {

// GGML's two RoPE layouts: kNormal rotates adjacent pairs (x[2i], x[2i+1]) and is what arch llama
// uses; kNeox rotates (x[i], x[i + n_rot/2]) (GPT-NeoX, Qwen, ...).
enum class RopeType { kNormal, kNeox };

struct LlamaHParams {
  std::string architecture;  // "llama"
  uint32_t n_vocab = 0;
  uint32_t n_ctx = 0;        // llama.context_length: the trained context
  uint32_t n_embd = 0;       // llama.embedding_length
  uint32_t n_layer = 0;      // llama.block_count
  uint32_t n_ff = 0;         // llama.feed_forward_length
  uint32_t n_head = 0;       // llama.attention.head_count
  uint32_t n_head_kv = 0;    // llama.attention.head_count_kv (GQA); defaults to n_head
  uint32_t head_dim = 0;     // llama.attention.key_length; defaults to n_embd / n_head
  uint32_t n_rot = 0;        // llama.rope.dimension_count; defaults to head_dim
  float norm_eps = 1e-5f;    // llama.attention.layer_norm_rms_epsilon
  float rope_freq_base = 10000.0f;  // llama.rope.freq_base
  RopeType rope_type = RopeType::kNormal;
};

// A tensor inside the loaded file: type, GGUF shape and its bytes (owned by LlamaModel).
struct TensorView {
  std::string name;
  GgmlType type = GgmlType::kF32;
  uint32_t n_dims = 0;
  uint64_t ne[4] = {1, 1, 1, 1};
  const uint8_t* data = nullptr;
  uint64_t n_bytes = 0;

  uint64_t rows() const { return ne[1] * ne[2] * ne[3]; }
  uint64_t row_bytes() const { return RowBytes(type, ne[0]); }
  const uint8_t* row(uint64_t r) const { return data + r * row_bytes(); }
};

struct LlamaLayer {
  TensorView attn_norm;    // [n_embd]                     F32
  TensorView wq;           // [n_embd, n_head * head_dim]
  TensorView wk;           // [n_embd, n_head_kv * head_dim]
  TensorView wv;           // [n_embd, n_head_kv * head_dim]
  TensorView wo;           // [n_head * head_dim, n_embd]
  TensorView ffn_norm;     // [n_embd]                     F32
  TensorView ffn_gate;     // [n_embd, n_ff]   w1
  TensorView ffn_up;       // [n_embd, n_ff]   w3
  TensorView ffn_down;     // [n_ff, n_embd]   w2
};

struct LlamaModel {
  LlamaHParams hp;
  TensorView token_embd;   // [n_embd, n_vocab]  one row per token
  std::vector<LlamaLayer> layers;
  TensorView output_norm;  // [n_embd]
  TensorView output;       // [n_embd, n_vocab]; token_embd itself when the file has no output.weight
  bool tied_embeddings = false;

  // Keeps the tensor bytes alive: the file (mapped) or a copy of its data section (WASI reads).
  std::shared_ptr<GgufFile> file;
  std::vector<uint8_t> data_copy;
};

// Reads the hyper-parameters. Refuses architectures other than llama by name.
Result<LlamaHParams> ReadLlamaHParams(const GgufFile& file);

// Loads hyper-parameters and weights. Every tensor must exist with the expected shape and a type
// the compute code handles (F32, F16, Q8_0, Q4_0; norms F32 or F16).
Result<LlamaModel> LoadLlamaModel(std::shared_ptr<GgufFile> file);

}  // namespace wasmgpu::nn
