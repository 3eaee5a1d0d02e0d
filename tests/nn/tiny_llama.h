// The tiny llama shape of the CPU and GPU model tests. No GPU code here: the CPU-only nn_test
// includes it too.
#pragma once

#include "llama_gguf.h"

namespace wasmgpu::nn::test {

// A llama small enough for lavapipe tests: 2 layers, GQA (4 heads, 2 KV heads), vocab 320,
// untied embeddings, the default norm_eps and rope_theta.
inline gguf::LlamaConfig TinyLlama() {
  gguf::LlamaConfig c;
  c.name = "tiny";
  c.dim = 64;
  c.n_layers = 2;
  c.n_heads = 4;
  c.n_kv_heads = 2;
  c.ffn_dim = 96;
  c.vocab_size = 320;
  c.max_seq_len = 32;
  return c;
}

}  // namespace wasmgpu::nn::test
