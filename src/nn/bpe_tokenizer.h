// Byte-level BPE (`tokenizer.ggml.model = "gpt2"`): the tokenizer of GPT-2, Llama 3, SmolLM and
// Qwen2 GGUF files. Tokenizer::FromGguf / FromVocab build it; this header exposes its parts for
// tests and for the synthetic model generator.
//
// The algorithm:
//  1. Pre-tokenize: split the text into pieces with the regular expression that
//     `tokenizer.ggml.pre` names (PreTokenize below; matched by hand, not with std::regex, which
//     has no \p{L}). Unknown names are refused, naming the value.
//  2. Each piece's bytes become characters by the GPT-2 byte mapping (ByteToCharacter): bytes that
//     are printable Latin-1 stand for themselves, the other 68 for U+0100 + n in byte order, so a
//     space is 'Ġ' (U+0120) and '\n' is 'Ċ' (U+010A). Every byte has a token, so any input,
//     invalid UTF-8 included, encodes.
//  3. Merge: start from one symbol per byte and repeatedly apply the adjacent pair whose merge
//     ("left right" in `tokenizer.ggml.merges`) has the lowest rank (index), leftmost first on a
//     tie, until no adjacent pair has a merge. Llama 3 (`llama-bpe`) first looks the whole piece
//     up in the vocabulary and takes it as one token when it is there (ignore_merges, as Hugging
//     Face's tokenizer.json for Llama 3 and llama.cpp do).
// Control and unknown tokens are never produced from text ("<|begin_of_text|>" in a prompt is
// text); BOS/EOS come only from Encode's flags.
//
// Decoding maps each character of a token back to its byte. A token may end inside a UTF-8
// sequence (an emoji is often split over two tokens): DecodeToken then returns the partial bytes
// and the caller's concatenation is the text; nothing is held back or replaced. Control tokens
// decode to nothing, user-defined tokens to their text as written.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nn/status.h"
#include "nn/tokenizer.h"

namespace wasmgpu::nn {

// The pre-tokenizers implemented, by `tokenizer.ggml.pre` value (llama.cpp's names). The
// patterns, in regular-expression syntax with \p{L} letters, \p{N} numbers, \s White_Space:
//  kGpt2   "gpt-2":   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//  kLlama3 "llama-bpe" (also "llama3", "llama-v3"):
//                     (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}
//                     | ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//  kQwen2  "qwen2":   as kLlama3 but \p{N} (one digit per piece) instead of \p{N}{1,3}
//  kSmolLm "smollm":  every \p{N} character is a piece of its own; the text between them is
//                     split by the kGpt2 pattern (which then never sees a digit, and for which
//                     each stretch ends the text: "a  1" is "a", "  ", "1").
// The (?i:...) of Llama 3 is ASCII case folding: "'S", "'Ll".
enum class BpePre { kGpt2, kLlama3, kQwen2, kSmolLm };

Result<BpePre> ParseBpePre(std::string_view name);
const char* BpePreName(BpePre pre);
// llama.cpp's default for tokenizer.ggml.add_bos_token when the file has none: true for the
// Llama 3 group, false for the others.
bool BpePreAddsBos(BpePre pre);

// The pieces of `text` (views into it), in order; concatenated they are `text`. Invalid UTF-8
// bytes are single characters of class "other" (as U+FFFD would be).
std::vector<std::string_view> PreTokenize(BpePre pre, std::string_view text);

// The UTF-8 spelling of the character that stands for byte `b` in byte-level vocabularies.
std::string ByteToCharacter(uint8_t b);
// The byte a character (code point) stands for, or -1 when it stands for none.
int CharacterToByte(uint32_t cp);

// Builds the tokenizer from a "gpt2" vocabulary, checking it: token types one per token, all 256
// byte characters present, every merge two tokens whose concatenation is a token, a known
// pre-tokenizer, BOS/EOS in range.
Result<std::unique_ptr<Tokenizer>> MakeBpeTokenizer(Vocab vocab);

}  // namespace wasmgpu::nn
