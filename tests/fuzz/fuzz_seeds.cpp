// Writes the seed corpus of gguf_fuzzer: tiny llama models made by the project's own GGUF writer
// (tools/gguf), one per weight type and tokenizer, so the fuzzer starts from files that get past
// the parser into the model loader, the CPU reference and the tokenizer builder.
//   fuzz_seeds OUT_DIR
#include <cstdio>
#include <string>

#include "gguf_writer.h"
#include "llama_gguf.h"

namespace gguf = wasmgpu::gguf;
namespace nn = wasmgpu::nn;

namespace {

bool Write(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  return std::fclose(f) == 0 && ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_seeds OUT_DIR\n");
    return 2;
  }
  const std::string out = argv[1];
  int written = 0;
  for (const char* tokenizer : {"llama", "gpt2"}) {
    for (nn::GgmlType type :
         {nn::GgmlType::kF32, nn::GgmlType::kF16, nn::GgmlType::kQ8_0, nn::GgmlType::kQ4_0}) {
      for (bool tied : {false, true}) {
        gguf::SynthOptions o;
        o.config.name = "fuzz-seed";
        o.config.dim = 32;
        o.config.n_layers = 1;
        o.config.n_heads = 2;
        o.config.n_kv_heads = 1;
        o.config.ffn_dim = 32;
        o.config.max_seq_len = 16;
        o.config.tied_embeddings = tied;
        o.config.tokenizer = tokenizer;
        // The smallest vocabularies each tokenizer builds from (BPE needs merges beyond its 256
        // byte characters and 256 control tokens).
        o.config.vocab_size = std::string(tokenizer) == "gpt2" ? 530 : 280;
        o.type = type;
        o.threads = 1;
        gguf::VectorSink sink;
        nn::Status s = gguf::WriteSyntheticLlama(o, sink);
        if (!s.ok()) {
          std::fprintf(stderr, "fuzz_seeds: %s\n", s.error().message.c_str());
          return 1;
        }
        const std::string path = out + "/" + tokenizer + "-" + std::string(nn::GgmlTypeName(type)) +
                                 (tied ? "-tied" : "") + ".gguf";
        if (!Write(path, sink.bytes())) {
          std::fprintf(stderr, "fuzz_seeds: cannot write %s\n", path.c_str());
          return 1;
        }
        ++written;
      }
    }
  }
  // Tokenizer-only files (no tensors): small, so mutations land in the vocabulary.
  for (const char* tokenizer : {"llama", "gpt2"}) {
    const bool bpe = std::string(tokenizer) == "gpt2";
    nn::Vocab vocab = bpe ? gguf::SyntheticBpeVocab(530) : gguf::SyntheticVocab(280);
    if (!bpe) {  // <s>, </s> (SyntheticBpeVocab sets its own)
      vocab.bos_id = 1;
      vocab.eos_id = 2;
    }
    gguf::GgufWriter w;
    gguf::DeclareTokenizer(w, vocab);
    gguf::VectorSink sink;
    nn::Status s = w.WriteHeader(sink);
    if (s.ok()) s = w.Finish();
    if (!s.ok() || !Write(out + "/" + tokenizer + "-vocab-only.gguf", sink.bytes())) {
      std::fprintf(stderr, "fuzz_seeds: cannot write the %s vocabulary\n", tokenizer);
      return 1;
    }
    ++written;
  }
  std::printf("fuzz_seeds: wrote %d files to %s\n", written, out.c_str());
  return 0;
}
