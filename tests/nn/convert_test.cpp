// `wasmgpu-gguf convert`: a synthetic model written out in the training export format and
// converted back must give the same GGUF tensors and the same logits.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "llama_gguf.h"
#include "nn/reference/llama_cpu.h"
#include "tiny_llama.h"

namespace wasmgpu::nn {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// TinyLlama with a norm_eps and rope_theta other than the defaults, so that the round trip has
// to carry them over.
gguf::LlamaConfig Tiny() {
  gguf::LlamaConfig c = test::TinyLlama();
  c.norm_eps = 1e-6f;
  c.rope_theta = 5000.0f;
  return c;
}

class ConvertTest : public testing::Test {
 protected:
  void SetUp() override {
    // One directory per test: ctest runs the tests of this binary in parallel processes.
    dir_ = fs::path(testing::TempDir()) /
           (std::string("nn_convert_") + testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes `model` (an F32 GGUF) as an export directory.
  void Export(GgufFile& f, const gguf::LlamaConfig& c, bool tied) {
    json config = {{"dim", c.dim}, {"n_layers", c.n_layers}, {"n_heads", c.n_heads},
                   {"n_kv_heads", c.n_kv_heads}, {"ffn_dim", c.ffn_dim},
                   {"vocab_size", c.vocab_size}, {"max_seq_len", c.max_seq_len},
                   {"norm_eps", c.norm_eps}, {"rope_theta", c.rope_theta},
                   {"tied_embeddings", tied}};
    std::ofstream(dir_ / "config.json") << config.dump();
    auto vocab = ReadVocab(f);
    ASSERT_TRUE(vocab.ok());
    std::vector<int> types;
    for (TokenType t : vocab->types) types.push_back(static_cast<int>(t));
    json tok = {{"model", "llama"}, {"tokens", vocab->tokens}, {"scores", vocab->scores},
                {"token_types", types}, {"bos_id", 1}, {"eos_id", 2}, {"unk_id", 0},
                {"add_bos", true}};
    std::ofstream(dir_ / "tokenizer.json") << tok.dump();
    json list = json::array();
    std::ofstream bin(dir_ / "tensors.bin", std::ios::binary);
    uint64_t offset = 0;
    for (const GgufTensorInfo& t : f.tensors()) {
      std::vector<uint8_t> storage;
      auto data = f.TensorData(t, &storage);
      ASSERT_TRUE(data.ok());
      std::vector<uint64_t> shape(t.ne, t.ne + t.n_dims);
      list.push_back({{"name", t.name}, {"shape", shape}, {"offset", offset}, {"dtype", "f32"}});
      bin.write(reinterpret_cast<const char*>(data->data()), static_cast<std::streamsize>(data->size()));
      offset += data->size();
    }
    std::ofstream(dir_ / "tensors.json") << list.dump();
  }

  fs::path dir_;
};

TEST_F(ConvertTest, RoundTripGivesTheSameLogits) {
  gguf::LlamaConfig c = Tiny();
  c.tied_embeddings = false;
  gguf::VectorSink original;
  ASSERT_TRUE(gguf::WriteSyntheticLlama({c, GgmlType::kF32, 9, 2}, original).ok());
  auto src = GgufFile::Parse(MakeMemorySource(original.bytes()));
  ASSERT_TRUE(src.ok());
  Export(*src, c, false);

  gguf::VectorSink converted;
  const Status s = gguf::ConvertExport(dir_.string(), GgmlType::kF32, converted, 2);
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto a = LoadLlamaModel(std::make_shared<GgufFile>(std::move(*src)));
  auto bf = GgufFile::Parse(MakeMemorySource(converted.bytes()));
  ASSERT_TRUE(bf.ok());
  auto b = LoadLlamaModel(std::make_shared<GgufFile>(std::move(*bf)));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(b->hp.norm_eps, 1e-6f);
  EXPECT_EQ(b->hp.rope_freq_base, 5000.0f);
  EXPECT_EQ(b->hp.n_head_kv, 2u);
  EXPECT_FALSE(b->tied_embeddings);
  auto ca = LlamaCpu::Create(*a, 4);
  auto cb = LlamaCpu::Create(*b, 4);
  for (uint32_t pos = 0; pos < 4; ++pos) {
    auto la = ca->Forward(static_cast<int32_t>(7 + pos), pos);
    std::vector<float> first(la->begin(), la->end());
    auto lb = cb->Forward(static_cast<int32_t>(7 + pos), pos);
    EXPECT_EQ(first, std::vector<float>(lb->begin(), lb->end())) << "position " << pos;
  }
}

TEST_F(ConvertTest, QuantizesWhenAsked) {
  gguf::LlamaConfig c = Tiny();
  c.tied_embeddings = true;
  gguf::VectorSink original;
  ASSERT_TRUE(gguf::WriteSyntheticLlama({c, GgmlType::kF32, 9, 2}, original).ok());
  auto src = GgufFile::Parse(MakeMemorySource(original.bytes()));
  ASSERT_TRUE(src.ok());
  Export(*src, c, true);
  gguf::VectorSink converted;
  ASSERT_TRUE(gguf::ConvertExport(dir_.string(), GgmlType::kQ4_0, converted, 2).ok());
  auto f = GgufFile::Parse(MakeMemorySource(converted.bytes()));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->FindTensor("blk.1.ffn_down.weight")->type, GgmlType::kQ4_0);
  EXPECT_EQ(f->FindTensor("blk.1.ffn_norm.weight")->type, GgmlType::kF32);
  EXPECT_EQ(f->FindTensor("output.weight"), nullptr);
}

TEST_F(ConvertTest, WrongShapeIsRefusedBeforeWriting) {
  gguf::LlamaConfig c = Tiny();
  c.tied_embeddings = true;
  gguf::VectorSink original;
  ASSERT_TRUE(gguf::WriteSyntheticLlama({c, GgmlType::kF32, 9, 2}, original).ok());
  auto src = GgufFile::Parse(MakeMemorySource(original.bytes()));
  ASSERT_TRUE(src.ok());
  Export(*src, c, true);
  // PyTorch order [out, in] instead of GGUF order [in, out].
  std::ifstream in(dir_ / "tensors.json");
  json list = json::parse(in);
  for (json& e : list) {
    if (e["name"] == "blk.0.attn_k.weight") e["shape"] = {32, 64};
  }
  std::ofstream(dir_ / "tensors.json") << list.dump();
  gguf::VectorSink converted;
  const Status s = gguf::ConvertExport(dir_.string(), GgmlType::kF16, converted, 2);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "Tensor 'blk.0.attn_k.weight' has shape [32, 64]; expected "
                               "[64, 32] (GGUF order, ne0 first).");
  EXPECT_TRUE(converted.bytes().empty());
}

TEST_F(ConvertTest, MissingConfigFieldIsNamed) {
  std::ofstream(dir_ / "config.json") << R"({"dim": 64})";
  gguf::VectorSink out;
  const Status s = gguf::ConvertExport(dir_.string(), GgmlType::kF16, out, 1);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "'" + (dir_ / "config.json").string() + "' has no field \"n_layers\".");
}

}  // namespace
}  // namespace wasmgpu::nn
