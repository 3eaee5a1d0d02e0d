// Making llama GGUF files: random-weight models of named shapes (`synth`) and conversion of the
// training export (`convert`). Both fill the same metadata and tensor list, so a trained model
// and a synthetic one differ only in their numbers.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gguf_writer.h"
#include "nn/tokenizer.h"

namespace wasmgpu::gguf {

struct LlamaConfig {
  std::string name;
  uint32_t dim = 0;          // n_embd
  uint32_t n_layers = 0;
  uint32_t n_heads = 0;
  uint32_t n_kv_heads = 0;
  uint32_t ffn_dim = 0;
  uint32_t vocab_size = 0;
  uint32_t max_seq_len = 0;
  float norm_eps = 1e-5f;
  float rope_theta = 10000.0f;
  bool tied_embeddings = false;
};

// The named shapes of issue 5: stories15m, stories110m, tinyllama-1.1b, llama3.2-1b.
std::optional<LlamaConfig> FindShape(const std::string& name);
std::vector<std::string> ShapeNames();

// A generated SentencePiece-style vocabulary of `size` tokens: <unk>, <s>, </s>, the 256 byte
// tokens, single characters, then letter strings in order of length with scores -rank, so every
// piece is reachable by merges as in a trained vocabulary.
nn::Vocab SyntheticVocab(uint32_t size);

// Declares metadata (general.*, llama.*, tokenizer.ggml.*) and the tensor list on `w`. 2-D weights
// get `type`, norms stay F32 (as llama.cpp's quantizer leaves them).
void DeclareLlama(GgufWriter& w, const LlamaConfig& c, const nn::Vocab& vocab, nn::GgmlType type);

struct SynthOptions {
  LlamaConfig config;
  nn::GgmlType type = nn::GgmlType::kF16;
  uint64_t seed = 1;
  unsigned threads = 0;  // 0: all hardware threads
};
// Random weights: matrices ~ N(0, 0.02), norms ~ 1 + N(0, 0.02). Each row is generated from its
// own seed (tensor index, row), so output does not depend on the thread count.
Status WriteSyntheticLlama(const SynthOptions& options, Sink& sink);

// Reads a training export directory (config.json, tokenizer.json, tensors.json, tensors.bin;
// see docs/nn.md) and writes it as GGUF with 2-D weights in `type`.
Status ConvertExport(const std::string& dir, nn::GgmlType type, Sink& sink, unsigned threads = 0);

}  // namespace wasmgpu::gguf
