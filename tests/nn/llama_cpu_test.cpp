// The CPU reference forward pass on synthetic models made by tools/gguf.
#include "nn/reference/llama_cpu.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>

#include "llama_gguf.h"
#include "nn/tokenizer.h"
#include "tiny_llama.h"

namespace wasmgpu::nn {
namespace {

using test::TinyLlama;

std::vector<uint8_t> Synth(const gguf::LlamaConfig& c, GgmlType type, uint64_t seed = 5) {
  gguf::VectorSink sink;
  gguf::SynthOptions o{c, type, seed, 2};
  const Status s = gguf::WriteSyntheticLlama(o, sink);
  EXPECT_TRUE(s.ok()) << s.error().message;
  return std::move(sink.bytes());
}

Result<LlamaModel> Load(std::vector<uint8_t> bytes) {
  NN_TRY_ASSIGN(GgufFile f, GgufFile::Parse(MakeMemorySource(std::move(bytes))));
  return LoadLlamaModel(std::make_shared<GgufFile>(std::move(f)));
}

// Logits at every position of `tokens`, concatenated.
std::vector<float> RunTokens(const LlamaModel& m, const std::vector<int32_t>& tokens) {
  auto cpu = LlamaCpu::Create(m, static_cast<uint32_t>(tokens.size()));
  EXPECT_TRUE(cpu.ok());
  std::vector<float> all;
  for (size_t pos = 0; pos < tokens.size(); ++pos) {
    auto logits = cpu->Forward(tokens[pos], static_cast<uint32_t>(pos));
    EXPECT_TRUE(logits.ok()) << logits.error().message;
    all.insert(all.end(), logits->begin(), logits->end());
  }
  return all;
}

double Nmse(const std::vector<float>& ref, const std::vector<float>& got) {
  double err = 0, norm = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    err += (ref[i] - got[i]) * static_cast<double>(ref[i] - got[i]);
    norm += ref[i] * static_cast<double>(ref[i]);
  }
  return err / norm;
}

TEST(RopeTest, NormalAndNeoxPairLayouts) {
  // pos 1, n_rot 4, base 10000: pair 0 turns by 1 rad, pair 1 by 1/100 rad.
  float normal[4] = {1, 0, 1, 0};
  Rope(normal, 4, 1, 10000.0f, RopeType::kNormal);  // pairs (0,1), (2,3)
  EXPECT_NEAR(normal[0], std::cos(1.0), 1e-6);
  EXPECT_NEAR(normal[1], std::sin(1.0), 1e-6);
  EXPECT_NEAR(normal[2], std::cos(0.01), 1e-6);
  EXPECT_NEAR(normal[3], std::sin(0.01), 1e-6);
  float neox[4] = {1, 1, 0, 0};
  Rope(neox, 4, 1, 10000.0f, RopeType::kNeox);  // pairs (0,2), (1,3)
  EXPECT_NEAR(neox[0], std::cos(1.0), 1e-6);
  EXPECT_NEAR(neox[2], std::sin(1.0), 1e-6);
  EXPECT_NEAR(neox[1], std::cos(0.01), 1e-6);
  EXPECT_NEAR(neox[3], std::sin(0.01), 1e-6);
  float partial[6] = {1, 2, 3, 4, 5, 6};
  Rope(partial, 2, 0, 10000.0f, RopeType::kNormal);  // position 0 is the identity
  EXPECT_EQ(partial[0], 1.0f);
  EXPECT_EQ(partial[1], 2.0f);
}

TEST(RmsNormTest, HandComputed) {
  const float x[2] = {3, 4};  // mean square 12.5
  const float w[2] = {1, 2};
  float out[2];
  RmsNorm(x, w, out, 2, 0.0f);
  EXPECT_NEAR(out[0], 3 / std::sqrt(12.5), 1e-6);
  EXPECT_NEAR(out[1], 8 / std::sqrt(12.5), 1e-6);
}

// stories15m in every type: runs, and the quantized types stay close to F32 (same seed, so the
// same underlying weights). Measured logits NMSE: F16 4.5e-7, Q8_0 2.3e-4, Q4_0 7.2e-2 (the Q4_0 /
// Q8_0 ratio ~310 matches their step sizes, (127/8)^2 ~ 250); the bounds allow ~3-6x.
TEST(LlamaCpu, Stories15mEveryTypeAgreesWithF32) {
  auto shape = gguf::FindShape("stories15m");
  ASSERT_TRUE(shape.has_value());
  auto f32 = Load(Synth(*shape, GgmlType::kF32));
  ASSERT_TRUE(f32.ok()) << f32.error().message;
  EXPECT_TRUE(f32->tied_embeddings);
  auto tok = Tokenizer::FromGguf(*f32->file);
  ASSERT_TRUE(tok.ok());
  const std::vector<int32_t> tokens = (*tok)->Encode("once upon a time", true);
  ASSERT_GE(tokens.size(), 4u);
  const std::vector<float> ref = RunTokens(*f32, tokens);
  double var = 0;
  for (float v : ref) var += v * static_cast<double>(v);
  EXPECT_GT(var / ref.size(), 1e-3) << "logits are degenerate";
  EXPECT_EQ(RunTokens(*f32, tokens), ref) << "the reference is not deterministic";

  const struct { GgmlType type; double bound; } cases[] = {
      {GgmlType::kF16, 3e-6}, {GgmlType::kQ8_0, 1.5e-3}, {GgmlType::kQ4_0, 0.2}};
  for (const auto& c : cases) {
    auto m = Load(Synth(*shape, c.type));
    ASSERT_TRUE(m.ok()) << m.error().message;
    const double nmse = Nmse(ref, RunTokens(*m, tokens));
    EXPECT_LT(nmse, c.bound) << GgmlTypeName(c.type);
    std::printf("%s logits NMSE vs F32: %.3g\n", std::string(GgmlTypeName(c.type)).c_str(), nmse);
    EXPECT_GT(nmse, 0.0) << GgmlTypeName(c.type);
  }
}

TEST(LlamaCpu, FileHandleReadsGiveTheSameLogitsAsMemory) {
  std::vector<uint8_t> bytes = Synth(TinyLlama(), GgmlType::kQ8_0);
  const std::string path = testing::TempDir() + "/nn_tiny.gguf";
  std::FILE* out = std::fopen(path.c_str(), "wb");
  ASSERT_NE(out, nullptr);
  std::fwrite(bytes.data(), 1, bytes.size(), out);
  std::fclose(out);
  auto src = MakeFileSource(std::fopen(path.c_str(), "rb"), path);
  ASSERT_TRUE(src.ok());
  auto f = GgufFile::Parse(std::move(*src));
  ASSERT_TRUE(f.ok());
  auto from_file = LoadLlamaModel(std::make_shared<GgufFile>(std::move(*f)));
  ASSERT_TRUE(from_file.ok()) << from_file.error().message;
  EXPECT_FALSE(from_file->data_copy.empty());
  auto from_memory = Load(bytes);
  ASSERT_TRUE(from_memory.ok());
  EXPECT_EQ(RunTokens(*from_file, {1, 7, 300, 12}), RunTokens(*from_memory, {1, 7, 300, 12}));
  std::remove(path.c_str());
}

// GQA: a model whose K/V heads are shared by 2 query heads each must equal the MHA model that
// stores every K/V head twice.
TEST(LlamaCpu, GroupedQueryAttentionEqualsExpandedHeads) {
  const gguf::LlamaConfig gqa_config = TinyLlama();
  auto gqa = Load(Synth(gqa_config, GgmlType::kF32));
  ASSERT_TRUE(gqa.ok()) << gqa.error().message;

  gguf::LlamaConfig mha_config = gqa_config;
  mha_config.n_kv_heads = mha_config.n_heads;
  gguf::GgufWriter w;
  auto vocab = ReadVocab(*gqa->file);
  ASSERT_TRUE(vocab.ok());
  gguf::DeclareLlama(w, mha_config, *vocab, GgmlType::kF32);
  gguf::VectorSink sink;
  ASSERT_TRUE(w.WriteHeader(sink).ok());
  const uint32_t head_dim = gqa_config.dim / gqa_config.n_heads;
  const uint32_t group = gqa_config.n_heads / gqa_config.n_kv_heads;
  for (size_t i = 0; i < w.tensor_count(); ++i) {
    const std::string& name = w.tensor(i).name;
    const GgufTensorInfo* src = gqa->file->FindTensor(name);
    ASSERT_NE(src, nullptr);
    std::vector<uint8_t> storage;
    auto data = gqa->file->TensorData(*src, &storage);
    ASSERT_TRUE(data.ok());
    if (name.find("attn_k") != std::string::npos || name.find("attn_v") != std::string::npos) {
      const size_t head_bytes = size_t{head_dim} * gqa_config.dim * 4;  // head_dim rows of dim
      for (uint32_t h = 0; h < gqa_config.n_heads; ++h) {
        ASSERT_TRUE(w.WriteTensorData(sink, data->subspan(h / group * head_bytes, head_bytes)).ok());
      }
    } else {
      ASSERT_TRUE(w.WriteTensorData(sink, *data).ok());
    }
  }
  ASSERT_TRUE(w.Finish().ok());
  auto mha = Load(std::move(sink.bytes()));
  ASSERT_TRUE(mha.ok()) << mha.error().message;
  EXPECT_EQ(mha->hp.n_head_kv, 4u);
  EXPECT_EQ(gqa->hp.n_head_kv, 2u);
  const std::vector<int32_t> tokens = {1, 40, 41, 300, 5, 6};
  const std::vector<float> a = RunTokens(*gqa, tokens);
  const std::vector<float> b = RunTokens(*mha, tokens);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a[i], b[i], 1e-5f) << i;
}

TEST(LlamaCpu, UnknownArchitectureRefusedByName) {
  gguf::GgufWriter w;
  const gguf::LlamaConfig c = TinyLlama();
  gguf::DeclareLlama(w, c, gguf::SyntheticVocab(c.vocab_size), GgmlType::kF32);
  w.SetString("general.architecture", "gpt2");
  gguf::VectorSink sink;
  ASSERT_TRUE(w.WriteHeader(sink).ok());
  for (size_t i = 0; i < w.tensor_count(); ++i) {
    std::vector<uint8_t> zeros(w.tensor(i).n_bytes);
    ASSERT_TRUE(w.WriteTensorData(sink, zeros).ok());
  }
  auto m = Load(std::move(sink.bytes()));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().message, "Architecture 'gpt2' is not supported (supported: llama).");
}

TEST(LlamaCpu, WrongTensorShapeRefused) {
  gguf::GgufWriter w;
  gguf::LlamaConfig c = TinyLlama();
  gguf::DeclareLlama(w, c, gguf::SyntheticVocab(c.vocab_size), GgmlType::kF32);
  w.SetU32("llama.feed_forward_length", 128);  // the tensors say 96
  gguf::VectorSink sink;
  ASSERT_TRUE(w.WriteHeader(sink).ok());
  for (size_t i = 0; i < w.tensor_count(); ++i) {
    std::vector<uint8_t> zeros(w.tensor(i).n_bytes);
    ASSERT_TRUE(w.WriteTensorData(sink, zeros).ok());
  }
  auto m = Load(std::move(sink.bytes()));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().message,
            "Tensor 'blk.0.ffn_gate.weight' has shape [64, 96]; expected [64, 128].");
}

TEST(LlamaCpu, ForwardChecksTokenAndPosition) {
  auto m = Load(Synth(TinyLlama(), GgmlType::kF16));
  ASSERT_TRUE(m.ok());
  auto cpu = LlamaCpu::Create(*m, 4);
  ASSERT_TRUE(cpu.ok());
  EXPECT_EQ(cpu->Forward(320, 0).error().message,
            "Token id (320) is outside the vocabulary (320).");
  EXPECT_EQ(cpu->Forward(1, 4).error().message, "Position (4) is past the KV cache length (4).");
  EXPECT_EQ(LlamaCpu::Create(*m, 33).error().message,
            "KV cache length (33) must be between 1 and the context length (32).");
}

}  // namespace
}  // namespace wasmgpu::nn
