// Unicode classes of code points for the byte-level BPE pre-tokenizers (bpe_tokenizer.cpp), which
// match regular expressions over \p{L}, \p{N} and \s. The table is generated from Python's
// unicodedata by gen_unicode_tables.py (Unicode version: kUnicodeVersion).
#pragma once

#include <cstdint>

namespace wasmgpu::nn {

enum class CodepointClass : uint8_t {
  kOther = 0,   // everything below: marks, punctuation, symbols, other controls, unassigned
  kLetter = 1,  // general category L* (\p{L})
  kNumber = 2,  // general category N* (\p{N})
  kSpace = 3,   // the White_Space property (\s)
};

extern const char kUnicodeVersion[];

// Binary search over the generated table (unicode_tables.cpp); any cp > 0x10FFFF is kOther.
CodepointClass ClassOfSlow(uint32_t cp);

// ASCII, the common case, without the search.
inline CodepointClass ClassOf(uint32_t cp) {
  if (cp >= 0x80) return ClassOfSlow(cp);
  if (cp >= 'a' && cp <= 'z') return CodepointClass::kLetter;
  if (cp >= 'A' && cp <= 'Z') return CodepointClass::kLetter;
  if (cp >= '0' && cp <= '9') return CodepointClass::kNumber;
  if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D)) return CodepointClass::kSpace;
  return CodepointClass::kOther;
}

}  // namespace wasmgpu::nn
