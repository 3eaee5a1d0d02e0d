// The trained model (models/brown, made by tools/train) against PyTorch: its logits at every
// prompt position, its greedy continuations and its tokenizer encodings, all saved by the
// training scripts. Registered only when models/brown exists (tests/nn/CMakeLists.txt).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include <functional>

#include "nn/reference/llama_cpu.h"
#if defined(WASMGPU_NN_GPU)
#include "nn/gpu/llama_gpu.h"
#endif
#include "nn/sampler.h"
#include "nn/tokenizer.h"

namespace wasmgpu::nn {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kDir = fs::path(WASMGPU_SOURCE_DIR) / "models" / "brown";

json ReadJson(const fs::path& p) {
  std::ifstream in(p);
  EXPECT_TRUE(in.good()) << p;
  return json::parse(in);
}

// The shipped F16 (or F32) GGUF: the fixtures were computed with weights rounded to f16.
fs::path ModelPath() {
  for (const auto& e : fs::directory_iterator(kDir)) {
    if (e.path().extension() != ".gguf") continue;
    auto f = GgufFile::Open(e.path().string());
    if (!f.ok()) continue;
    const GgufTensorInfo* t = f->FindTensor("token_embd.weight");
    if (t != nullptr && (t->type == GgmlType::kF16 || t->type == GgmlType::kF32)) return e.path();
  }
  return {};
}

class BrownFixtures : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    const fs::path path = ModelPath();
    ASSERT_FALSE(path.empty()) << "no F16/F32 .gguf in " << kDir;
    auto f = GgufFile::Open(path.string());
    ASSERT_TRUE(f.ok()) << f.error().message;
    file_ = std::make_shared<GgufFile>(std::move(*f));
    auto m = LoadLlamaModel(file_);
    ASSERT_TRUE(m.ok()) << m.error().message;
    model_ = new LlamaModel(std::move(*m));
    auto t = Tokenizer::FromGguf(*file_);
    ASSERT_TRUE(t.ok()) << t.error().message;
    tokenizer_ = t->release();
  }
  static void TearDownTestSuite() {
    delete model_;
    delete tokenizer_;
    file_.reset();
  }
  static std::shared_ptr<GgufFile> file_;
  static LlamaModel* model_;
  static Tokenizer* tokenizer_;
};
std::shared_ptr<GgufFile> BrownFixtures::file_;
LlamaModel* BrownFixtures::model_ = nullptr;
Tokenizer* BrownFixtures::tokenizer_ = nullptr;

TEST_F(BrownFixtures, TokenizerMatchesPython) {
  const json cases = ReadJson(kDir / "tokenizer-fixtures.json")["cases"];
  ASSERT_GT(cases.size(), 5u);
  for (const json& c : cases) {
    const std::string text = c["text"].get<std::string>();
    const std::vector<int32_t> ids = c["ids"].get<std::vector<int32_t>>();
    EXPECT_EQ(tokenizer_->Encode(text, true), ids) << "text: " << text;
    EXPECT_EQ(tokenizer_->Decode(ids), c["decoded"].get<std::string>()) << "text: " << text;
  }
}

// A forward pass: logits of `token` at `pos`.
using ForwardFn = std::function<Result<std::span<const float>>(int32_t token, uint32_t pos)>;
using MakeForward = std::function<ForwardFn(uint32_t max_seq)>;

// Logits within tolerance of PyTorch's at every position with the same top-1, and greedy
// generation equal token for token.
void CheckAgainstPyTorch(const MakeForward& make, const Tokenizer& tokenizer, uint32_t n_vocab_model,
                         float bound) {
  const json fixtures = ReadJson(kDir / "fixtures.json");
  std::ifstream bin(kDir / fixtures["logits_file"].get<std::string>(), std::ios::binary);
  ASSERT_TRUE(bin.good());
  std::vector<char> raw((std::istreambuf_iterator<char>(bin)), {});
  ASSERT_EQ(raw.size(), fixtures["logits_bytes"].get<size_t>());
  const size_t n_vocab = fixtures["vocab_size"].get<size_t>();
  ASSERT_EQ(n_vocab, n_vocab_model);
  const int32_t eos = fixtures["eos_id"].get<int32_t>();
  ASSERT_EQ(eos, tokenizer.eos());

  // One forward pass for all prompts: each prompt rewrites the cache from position 0, and
  // attention only reads positions it has written.
  size_t max_seq = 0;
  for (const json& p : fixtures["prompts"]) {
    max_seq = std::max(max_seq, p["ids"].size() + p["greedy_ids"].size());
  }
  ForwardFn forward = make(static_cast<uint32_t>(max_seq));
  ASSERT_TRUE(forward);
  float worst = 0.0f;
  for (const json& p : fixtures["prompts"]) {
    const std::string text = p["text"].get<std::string>();
    const std::vector<int32_t> ids = p["ids"].get<std::vector<int32_t>>();
    const std::vector<int32_t> greedy = p["greedy_ids"].get<std::vector<int32_t>>();
    ASSERT_EQ(tokenizer.Encode(text, true), ids) << text;
    const float* want = reinterpret_cast<const float*>(raw.data() + p["logits_offset"].get<size_t>());
    std::vector<int32_t> tokens = ids;
    std::vector<int32_t> generated;
    for (uint32_t pos = 0; pos < tokens.size(); ++pos) {
      auto logits = forward(tokens[pos], pos);
      ASSERT_TRUE(logits.ok()) << logits.error().message;
      if (pos < ids.size()) {
        std::span<const float> ref(want + pos * n_vocab, n_vocab);
        EXPECT_EQ(Sampler::Argmax(*logits), Sampler::Argmax(ref)) << text << " position " << pos;
        for (size_t v = 0; v < n_vocab; ++v) worst = std::max(worst, std::fabs((*logits)[v] - ref[v]));
      }
      if (pos + 1 < ids.size()) continue;
      if (generated.size() == greedy.size() || (!generated.empty() && generated.back() == eos)) break;
      generated.push_back(Sampler::Argmax(*logits));
      tokens.push_back(generated.back());
    }
    EXPECT_EQ(generated, greedy) << text << " -> " << tokenizer.Decode(generated);
    EXPECT_EQ(tokenizer.Decode(greedy), p["greedy_text"].get<std::string>());
  }
  std::printf("max |logit - PyTorch logit| = %g\n", worst);
  EXPECT_LT(worst, bound);
}

// The CPU reference. Measured max |difference| 1.7e-5 (same f16 weights, f32 vs double sums).
TEST_F(BrownFixtures, CpuLogitsAndGreedyMatchPyTorch) {
  std::shared_ptr<LlamaCpu> cpu;
  CheckAgainstPyTorch(
      [&](uint32_t max_seq) -> ForwardFn {
        auto c = LlamaCpu::Create(*model_, max_seq);
        EXPECT_TRUE(c.ok()) << c.error().message;
        if (!c.ok()) return nullptr;
        cpu = std::make_shared<LlamaCpu>(std::move(*c));
        return [&cpu](int32_t token, uint32_t pos) { return cpu->Forward(token, pos); };
      },
      *tokenizer_, model_->hp.n_vocab, 1e-3f);
}

#if defined(WASMGPU_NN_GPU)
// The GPU forward pass (lavapipe here), against the same fixtures.
TEST_F(BrownFixtures, GpuLogitsAndGreedyMatchPyTorch) {
  auto ctx = GpuContext::Create();
  ASSERT_TRUE(ctx.ok()) << ctx.error().message;
  std::unique_ptr<LlamaGpu> gpu;
  CheckAgainstPyTorch(
      [&](uint32_t max_seq) -> ForwardFn {
        auto g = LlamaGpu::Create(*ctx, *model_, max_seq);
        EXPECT_TRUE(g.ok()) << g.error().message;
        if (!g.ok()) return nullptr;
        gpu = std::move(*g);
        return [&gpu](int32_t token, uint32_t pos) { return gpu->Forward(token, pos); };
      },
      *tokenizer_, model_->hp.n_vocab, 1e-3f);
}
#endif

}  // namespace
}  // namespace wasmgpu::nn
