// Tokenizers built from GGUF metadata (`tokenizer.ggml.*`). One interface for every model kind:
// "llama" (SentencePiece-style BPE over scores with byte fallback, below) and "gpt2" (byte-level
// BPE over merges: GPT-2, Llama 3, SmolLM, Qwen2; bpe_tokenizer.h). Others are refused by name.
//
// The llama algorithm (the training scripts in models/ implement the same in Python; both must
// agree token for token):
//  1. Normalize: replace every ' ' with U+2581 '▁' and prepend one '▁' (add_dummy_prefix).
//  2. Split into UTF-8 code points. A code point that is a vocabulary piece becomes that token;
//     any other becomes its UTF-8 bytes as byte tokens `<0xXX>` (or <unk> when the vocabulary
//     has no byte tokens). Byte tokens never merge.
//  3. Repeatedly merge the adjacent pair whose concatenation is a vocabulary piece with the
//     highest score (ties: the leftmost pair) until no pair merges.
// Decoding maps '▁' to ' ', byte tokens to their raw byte, control tokens to nothing, and drops
// the leading space of the first piece after BOS (or at the start of the text).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "nn/gguf.h"
#include "nn/status.h"

namespace wasmgpu::nn {

// tokenizer.ggml.token_type values (llama.cpp's llama_token_type).
enum class TokenType : int32_t {
  kUndefined = 0,
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,
  kUserDefined = 4,
  kUnused = 5,
  kByte = 6,
};

struct Vocab {
  std::string model;                  // "llama" or "gpt2"
  std::vector<std::string> tokens;    // pieces: '▁' for spaces (llama), byte characters (gpt2)
  std::vector<float> scores;          // llama: merge priority, higher merges first
  std::vector<TokenType> types;
  std::string pre;                    // gpt2: tokenizer.ggml.pre, the pre-tokenizer's name
  std::vector<std::string> merges;    // gpt2: "left right", rank = index (lowest merges first)
  int32_t bos_id = -1;
  int32_t eos_id = -1;
  int32_t eot_id = -1;  // end of a turn (Llama 3's <|eot_id|>): generation stops there too
  int32_t unk_id = -1;
  // tokenizer.ggml.add_bos_token; when absent: true for llama, for gpt2 llama.cpp's default per
  // pre-tokenizer (true for llama-bpe only).
  bool add_bos = true;
  bool add_eos = false;
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // Builds the tokenizer that `tokenizer.ggml.model` names from the file's metadata.
  static Result<std::unique_ptr<Tokenizer>> FromGguf(const GgufFile& file);
  static Result<std::unique_ptr<Tokenizer>> FromVocab(Vocab vocab);

  // Token ids of `text`, with BOS first when `add_bos` and the model adds one (vocab().add_bos:
  // Qwen2-style models have none), and EOS last when `add_eos`. Special tokens are never
  // recognized inside `text`: "<s>" in text is three characters.
  virtual std::vector<int32_t> Encode(std::string_view text, bool add_bos,
                                      bool add_eos = false) const = 0;
  // The bytes that `token` adds to the text after `prev` (-1 at the start): streaming output.
  // Control tokens add nothing. A byte-level token may end inside a UTF-8 sequence: its bytes are
  // returned as they are, and the next token completes the character.
  virtual std::string DecodeToken(int32_t prev, int32_t token) const = 0;
  // The whole text of a token sequence (concatenated DecodeToken).
  std::string Decode(const std::vector<int32_t>& tokens) const;

  const Vocab& vocab() const { return vocab_; }
  int32_t n_vocab() const { return static_cast<int32_t>(vocab_.tokens.size()); }
  int32_t bos() const { return vocab_.bos_id; }
  int32_t eos() const { return vocab_.eos_id; }
  // Whether generation ends at `token`: EOS, or the end-of-turn token where the model has one.
  bool EndsGeneration(int32_t token) const {
    return token >= 0 && (token == vocab_.eos_id || token == vocab_.eot_id);
  }

 protected:
  explicit Tokenizer(Vocab vocab) : vocab_(std::move(vocab)) {}
  Vocab vocab_;
};

// Reads the `tokenizer.ggml.*` keys, checking lengths agree and ids are in range.
Result<Vocab> ReadVocab(const GgufFile& file);

}  // namespace wasmgpu::nn
