// nn::Generate, the loop every front end shares, against a scripted model: each step's logits
// put all weight on the next token of a script, so the expected output follows by hand.
#include "nn/generate.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wasmgpu::nn {
namespace {

// Vocabulary: 0 <unk>, 1 <s>, 2 </s>, 3 <|eot|> (control), then "a", "b", "c" as 4, 5, 6.
std::unique_ptr<Tokenizer> MakeTokenizer(bool with_eot) {
  Vocab v;
  v.model = "llama";
  auto add = [&](const char* piece, TokenType t) {
    v.tokens.emplace_back(piece);
    v.scores.push_back(0.0f);
    v.types.push_back(t);
  };
  add("<unk>", TokenType::kUnknown);
  add("<s>", TokenType::kControl);
  add("</s>", TokenType::kControl);
  add("<|eot|>", TokenType::kControl);
  for (const char* p : {"a", "b", "c"}) add(p, TokenType::kNormal);
  v.unk_id = 0;
  v.bos_id = 1;
  v.eos_id = 2;
  if (with_eot) v.eot_id = 3;
  auto t = Tokenizer::FromVocab(std::move(v));
  EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().message);
  return std::move(*t);
}

// Logits that make greedy sampling pick script[i] at step i (the prompt's logits are step 0).
struct Scripted {
  std::vector<int32_t> script;
  std::vector<float> logits = std::vector<float>(7, 0.0f);
  std::vector<uint32_t> positions;  // the positions forward() was called with
  size_t step = 0;
  std::span<const float> Next() {
    std::fill(logits.begin(), logits.end(), 0.0f);
    logits[script.at(step++)] = 10.0f;
    return logits;
  }
  LogitSource Source() {
    LogitSource s;
    s.prefill = [this](std::span<const int32_t>) -> Result<std::span<const float>> { return Next(); };
    s.forward = [this](int32_t, uint32_t pos) -> Result<std::span<const float>> {
      positions.push_back(pos);
      return Next();
    };
    return s;
  }
};

Result<Generation> RunScript(Scripted& m, const Tokenizer& t, int n, uint32_t max_seq,
                       std::string stop = "") {
  SamplerParams sp;
  sp.temperature = 0.0f;
  Sampler sampler(sp);
  GenerateParams p;
  p.n_predict = n;
  p.max_seq = max_seq;
  p.stop = std::move(stop);
  const std::vector<int32_t> prompt = {1, 4};  // <s> a
  return Generate(m.Source(), t, sampler, prompt, p);
}

TEST(Generate, StopsAtNPredictAndStepsPositionsInOrder) {
  auto t = MakeTokenizer(false);
  Scripted m{{5, 6, 4, 5, 6}};
  auto g = RunScript(m, *t, 3, 64);
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_EQ(g->tokens, (std::vector<int32_t>{5, 6, 4}));
  EXPECT_EQ(g->text, "bca");
  // The prompt fills positions 0 and 1; the generated tokens go in at 2 and 3 (the third
  // needs no step: n_predict is reached).
  EXPECT_EQ(m.positions, (std::vector<uint32_t>{2, 3}));
}

TEST(Generate, StopsAtEosWithoutEmittingIt) {
  auto t = MakeTokenizer(false);
  Scripted m{{5, 2, 6}};
  auto g = RunScript(m, *t, 10, 64);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->tokens, (std::vector<int32_t>{5}));
}

TEST(Generate, StopsAtEndOfTurnOnlyWhenTheModelHasOne) {
  Scripted with{{5, 3, 6}};
  auto g = RunScript(with, *MakeTokenizer(true), 10, 64);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->tokens, (std::vector<int32_t>{5}));
  // Without tokenizer.ggml.eot_token_id, token 3 is just a control token (no text).
  Scripted without{{5, 3, 6}};
  g = RunScript(without, *MakeTokenizer(false), 3, 64);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->tokens, (std::vector<int32_t>{5, 3, 6}));
  EXPECT_EQ(g->text, "bc");
}

TEST(Generate, StopsOnStopStringAndWhenTheContextIsFull) {
  auto t = MakeTokenizer(false);
  Scripted m{{5, 6, 4, 5, 6, 4}};
  auto g = RunScript(m, *t, 10, 64, "ca");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->text, "bca");
  // max_seq 4: the prompt holds 0-1, generated tokens go to 2 and 3, and the token sampled
  // after position 3 has nowhere to go.
  Scripted full{{5, 6, 4, 5, 6, 4}};
  g = RunScript(full, *t, 10, 4);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->tokens, (std::vector<int32_t>{5, 6, 4}));
  EXPECT_EQ(full.positions, (std::vector<uint32_t>{2, 3}));
}

TEST(Generate, RefusesAnEmptyOrTooLongPrompt) {
  auto t = MakeTokenizer(false);
  Scripted m{{5}};
  Sampler sampler(SamplerParams{});
  GenerateParams p;
  p.max_seq = 1;
  auto g = Generate(m.Source(), *t, sampler, std::vector<int32_t>{}, p);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().message, "The prompt has no tokens.");
  g = Generate(m.Source(), *t, sampler, std::vector<int32_t>{1, 4}, p);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().message, "The prompt (2 tokens) is longer than the context (1).");
}

// LogitSource::forward_greedy replaces forward only for plain greedy sampling without per-step
// logits, and generates the same tokens; the callback then gets the prompt's logits for the first
// token and none after.
TEST(Generate, UsesForwardGreedyOnlyForPlainGreedyWithoutLogits) {
  auto t = MakeTokenizer(false);
  struct Run {
    float temperature, repeat_penalty;
    bool logits_per_step, want_greedy;
  };
  for (const Run& run : {Run{0.0f, 1.0f, false, true}, Run{0.0f, 1.0f, true, false},
                         Run{0.0f, 1.3f, false, false}, Run{0.7f, 1.0f, false, false}}) {
    Scripted m{{5, 6, 4, 5, 6}};
    std::vector<uint32_t> greedy_positions;
    LogitSource source = m.Source();
    source.forward_greedy = [&](int32_t, uint32_t pos) -> Result<int32_t> {
      greedy_positions.push_back(pos);
      return m.script.at(m.step++);
    };
    SamplerParams sp;
    sp.temperature = run.temperature;
    sp.repeat_penalty = run.repeat_penalty;
    sp.top_k = 1;  // the scripted token whatever the temperature
    Sampler sampler(sp);
    GenerateParams p;
    p.n_predict = 4;
    p.max_seq = 64;
    p.logits_per_step = run.logits_per_step;
    std::vector<size_t> logits_sizes;
    auto g = Generate(source, *t, sampler, std::vector<int32_t>{1, 4}, p,
                      [&](int32_t, const std::string&, std::span<const float> logits) {
                        logits_sizes.push_back(logits.size());
                      });
    ASSERT_TRUE(g.ok()) << g.error().message;
    EXPECT_EQ(g->tokens, (std::vector<int32_t>{5, 6, 4, 5})) << run.temperature;
    const std::vector<uint32_t> steps = {2, 3, 4};
    EXPECT_EQ(greedy_positions, run.want_greedy ? steps : std::vector<uint32_t>{});
    EXPECT_EQ(m.positions, run.want_greedy ? std::vector<uint32_t>{} : steps);
    EXPECT_EQ(logits_sizes, run.want_greedy ? (std::vector<size_t>{7, 0, 0, 0})
                                            : (std::vector<size_t>{7, 7, 7, 7}));
  }
}

}  // namespace
}  // namespace wasmgpu::nn
