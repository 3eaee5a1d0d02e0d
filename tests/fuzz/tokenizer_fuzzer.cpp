// libFuzzer harness for the tokenizers: arbitrary bytes as text to encode, or as token ids to
// decode. The first byte picks the tokenizer and the mode; the rest is the text or the ids
// (little-endian int32, so out-of-range and negative ids are common).
//
// Tokenizers: the synthetic SentencePiece vocabulary of `wasmgpu-gguf synth`, the trained
// models/brown tokenizer (when the file is there), and the synthetic byte-level BPE vocabulary
// under each pre-tokenizer (gpt-2, llama-bpe, qwen2, smollm).
//
// Properties checked beyond "no crash": every encoded id is inside the vocabulary, and decoding
// the encoding gives the text back (byte-level BPE: always; SentencePiece with byte fallback:
// unless the text itself contains U+2581, which decodes as a space by design).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "llama_gguf.h"
#include "nn/gguf.h"
#include "nn/tokenizer.h"

namespace nn = wasmgpu::nn;

namespace {

struct Entry {
  std::unique_ptr<nn::Tokenizer> tokenizer;
  bool byte_level;  // exact round trip of any bytes
};

std::vector<Entry>& Tokenizers() {
  static std::vector<Entry>* all = [] {
    auto* v = new std::vector<Entry>;
    auto add = [&](nn::Vocab vocab, bool byte_level) {
      auto t = nn::Tokenizer::FromVocab(std::move(vocab));
      if (!t.ok()) {
        std::fprintf(stderr, "tokenizer_fuzzer: %s\n", t.error().message.c_str());
        std::abort();
      }
      v->push_back({std::move(t).value(), byte_level});
    };
    nn::Vocab spm = wasmgpu::gguf::SyntheticVocab(600);
    spm.bos_id = 1;
    spm.eos_id = 2;
    spm.unk_id = 0;
    add(spm, false);
    for (const char* pre : {"gpt-2", "llama-bpe", "qwen2", "smollm"}) {
      nn::Vocab bpe = wasmgpu::gguf::SyntheticBpeVocab(1024);
      bpe.pre = pre;
      add(std::move(bpe), true);
    }
    auto brown = nn::GgufFile::Open(WASMGPU_SOURCE_DIR "/models/brown/brown-f16.gguf");
    if (brown.ok()) {
      auto t = nn::Tokenizer::FromGguf(*brown);
      if (t.ok()) v->push_back({std::move(t).value(), false});
    }
    return v;
  }();
  return *all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::vector<Entry>& all = Tokenizers();
  const Entry& e = all[data[0] % all.size()];
  const nn::Tokenizer& t = *e.tokenizer;
  const bool decode = (data[0] & 0x80) != 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);

  if (decode) {
    std::vector<int32_t> ids(rest.size() / 4);
    if (!ids.empty()) std::memcpy(ids.data(), rest.data(), ids.size() * 4);
    (void)t.Decode(ids);
    int32_t prev = -1;
    for (int32_t id : ids) {
      (void)t.DecodeToken(prev, id);
      (void)t.EndsGeneration(id);
      prev = id;
    }
    return 0;
  }

  const std::vector<int32_t> ids = t.Encode(rest, (data[0] & 0x40) != 0, (data[0] & 0x20) != 0);
  for (int32_t id : ids) {
    if (id < 0 || id >= t.n_vocab()) {
      std::fprintf(stderr, "Encode produced id %d outside the vocabulary (%d)\n", id, t.n_vocab());
      std::abort();
    }
  }
  const std::vector<int32_t> plain = t.Encode(rest, false, false);
  const std::string back = t.Decode(plain);
  const bool check = e.byte_level || rest.find("\xE2\x96\x81") == std::string_view::npos;
  if (check && back != rest) {
    std::fprintf(stderr, "Round trip differs: %zu bytes in, %zu bytes out\n", rest.size(),
                 back.size());
    std::abort();
  }
  return 0;
}
