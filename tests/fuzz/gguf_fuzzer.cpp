// libFuzzer harness: arbitrary bytes as a GGUF file, then everything a model loader does with it.
// Each input is parsed twice, from memory (the mmap path: tensor data used in place) and through
// a FILE* (the WASI path: tensor data read into storage), and every accessor is walked: typed
// metadata getters on every key, tensor data (each byte touched so ASan sees an over-read), the
// llama hyper-parameters and weights, the CPU reference on models small enough to run, and the
// tokenizer with a few encodes and decodes (out-of-range ids included).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "nn/byte_source.h"
#include "nn/gguf.h"
#include "nn/gpu/weight_layout.h"
#include "nn/llama_model.h"
#include "nn/reference/llama_cpu.h"
#include "nn/tensor_types.h"
#include "nn/tokenizer.h"

namespace nn = wasmgpu::nn;

namespace {

// Reads every byte so ASan reports a span that points outside the input.
uint8_t Touch(std::span<const uint8_t> bytes) {
  uint8_t x = 0;
  for (uint8_t b : bytes) x ^= b;
  return x;
}

volatile uint8_t g_sink;

void WalkMetadata(const nn::GgufFile& f) {
  for (const nn::GgufKeyValue& kv : f.metadata()) {
    (void)kv.value.TypeName();
    const std::string& k = kv.key;
    (void)f.GetString(k);
    (void)f.GetUint(k, UINT64_MAX);
    (void)f.GetUint(k, 100);
    (void)f.GetFloat(k);
    (void)f.GetBool(k);
    (void)f.GetStringArray(k);
    (void)f.GetFloatArray(k);
    (void)f.GetIntArray(k);
  }
  (void)f.GetString("absent.key");
}

void WalkTensors(nn::GgufFile& f) {
  for (const nn::GgufTensorInfo& t : f.tensors()) {
    (void)t.ShapeString();
    (void)nn::GgmlTypeName(t.type);
    std::vector<uint8_t> storage;
    auto data = f.TensorData(t, &storage);
    if (!data.ok()) continue;
    g_sink = Touch(*data);
    // Dequantize the first row of computable types (bounded: at most 4096 elements).
    const nn::GgmlTypeInfo& info = nn::GetGgmlType(t.type);
    if (info.computable && t.ne[0] <= 4096) {
      const uint64_t row_bytes = nn::RowBytes(t.type, t.ne[0]);
      if (row_bytes <= data->size()) {
        std::vector<float> row(t.ne[0]);
        nn::DequantizeRow(t.type, data->data(), row.data(), static_cast<int64_t>(t.ne[0]));
      }
    }
  }
}

void PackFirstChunk(const nn::TensorView& t) {
  auto per_chunk = nn::RowsPerChunk(t, 4096);
  if (!per_chunk.ok()) return;
  const uint64_t rows = std::min<uint64_t>(*per_chunk, t.rows());
  nn::WeightChunk chunk = nn::PackRows(t, 0, rows);
  if (rows > 0) {
    (void)nn::PackedWeight(t.type, chunk, t.ne[0], 0, 0);
    (void)nn::PackedWeight(t.type, chunk, t.ne[0], rows - 1, t.ne[0] - 1);
  }
}

uint64_t TotalBytes(const nn::LlamaModel& m) {
  uint64_t total = m.token_embd.n_bytes + m.output.n_bytes;
  for (const nn::LlamaLayer& l : m.layers) {
    for (const nn::TensorView* v :
         {&l.wq, &l.wk, &l.wv, &l.wo, &l.ffn_gate, &l.ffn_up, &l.ffn_down}) {
      total += v->n_bytes;
    }
  }
  return total;
}

void WalkModel(std::shared_ptr<nn::GgufFile> file) {
  (void)nn::ReadLlamaHParams(*file);
  auto model = nn::LoadLlamaModel(file);
  if (!model.ok()) return;
  const nn::LlamaModel& m = *model;
  auto touch = [](const nn::TensorView& v) {
    g_sink = Touch(std::span<const uint8_t>(v.data, static_cast<size_t>(v.n_bytes)));
  };
  touch(m.token_embd);
  touch(m.output);
  touch(m.output_norm);
  for (const nn::LlamaLayer& l : m.layers) {
    for (const nn::TensorView* v : {&l.attn_norm, &l.wq, &l.wk, &l.wv, &l.wo, &l.ffn_norm,
                                    &l.ffn_gate, &l.ffn_up, &l.ffn_down}) {
      touch(*v);
    }
  }
  // The CPU reference on small models only (each forward reads every weight).
  const nn::LlamaHParams& hp = m.hp;
  if (TotalBytes(m) > (1u << 20) || hp.n_vocab > 4096 || hp.n_embd > 1024 || hp.n_ff > 4096 ||
      static_cast<uint64_t>(hp.n_head) * hp.head_dim > 4096 || hp.n_layer > 8) {
    return;
  }
  // The GPU weight layout (CPU side): chunking and packing of every matrix, as llama_gpu.cpp
  // does before uploading, with a small binding limit so tensors split into several chunks.
  for (const nn::TensorView* v : {&m.token_embd, &m.output}) PackFirstChunk(*v);
  for (const nn::LlamaLayer& l : m.layers) {
    for (const nn::TensorView* v :
         {&l.wq, &l.wk, &l.wv, &l.wo, &l.ffn_gate, &l.ffn_up, &l.ffn_down}) {
      PackFirstChunk(*v);
    }
  }
  auto cpu = nn::LlamaCpu::Create(m, 2);
  if (!cpu.ok()) return;
  (void)cpu->Forward(0, 0);
  (void)cpu->Forward(static_cast<int32_t>(hp.n_vocab) - 1, 1);
  (void)cpu->Forward(static_cast<int32_t>(hp.n_vocab), 1);  // out of range: an error
  (void)cpu->Forward(-1, 1);
  (void)cpu->Forward(0, 2);  // past the cache: an error
}

void WalkTokenizer(const nn::GgufFile& f) {
  auto tok = nn::Tokenizer::FromGguf(f);
  if (!tok.ok()) return;
  const nn::Tokenizer& t = **tok;
  for (const char* text :
       {"", "Hello world", " leading  spaces\n\ttabs", "\xE2\x96\x81\xF0\x9F\x98\x80",
        "\xFF\xFE invalid \xC0\x80 utf8", "it's 1234 <s></s>"}) {
    std::vector<int32_t> ids = t.Encode(text, true, true);
    for (int32_t id : ids) {
      if (id < 0 || id >= t.n_vocab()) __builtin_trap();  // Encode must only emit valid ids
    }
    (void)t.Decode(ids);
  }
  const int32_t n = t.n_vocab();
  std::vector<int32_t> ids;
  for (int32_t id = 0; id < n && id < 4096; ++id) ids.push_back(id);
  for (int32_t id : {-1, n, n + 1, INT32_MIN, INT32_MAX}) ids.push_back(id);
  (void)t.Decode(ids);
  for (int32_t id : ids) (void)t.EndsGeneration(id);
}

void Run(std::unique_ptr<nn::ByteSource> source, bool full) {
  auto parsed = nn::GgufFile::Parse(std::move(source));
  if (!parsed.ok()) return;
  auto file = std::make_shared<nn::GgufFile>(std::move(parsed).value());
  (void)file->FindValue("general.architecture");
  (void)file->FindTensor("token_embd.weight");
  WalkMetadata(*file);
  WalkTensors(*file);
  WalkModel(file);
  if (full) WalkTokenizer(*file);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Run(nn::MakeBorrowedSource(std::span<const uint8_t>(data, size)), /*full=*/true);
  // The WASI path: the same bytes through stdio. fmemopen refuses an empty buffer.
  if (size > 0) {
    std::FILE* f = fmemopen(const_cast<uint8_t*>(data), size, "rb");
    if (f != nullptr) {
      auto source = nn::MakeFileSource(f, "fuzz-input");
      if (source.ok()) Run(std::move(source).value(), /*full=*/false);
    }
  }
  return 0;
}
