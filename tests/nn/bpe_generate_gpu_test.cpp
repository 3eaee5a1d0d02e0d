// A byte-level BPE model end to end: a tiny synthetic llama with the "gpt2" vocabulary that
// `synth` writes for llama3.2-1b (same generator, smaller), through GGUF, the tokenizer, the GPU
// path's batched prefill and decode and the CPU reference, greedy.
#include <gtest/gtest.h>

#include "llama_gguf.h"
#include "nn/generate.h"
#include "nn/gpu/llama_gpu.h"
#include "nn/reference/llama_cpu.h"
#include "tiny_llama.h"

namespace wasmgpu::nn {
namespace {

TEST(BpeGenerate, GpuAndCpuGenerateTheSameTokensAndText) {
  gguf::LlamaConfig c = test::TinyLlama();
  c.name = "tiny-bpe";
  c.vocab_size = 1024;  // 768 byte-level tokens, then 256 control tokens
  c.max_seq_len = 64;
  c.tokenizer = "gpt2";
  gguf::VectorSink sink;
  ASSERT_TRUE(gguf::WriteSyntheticLlama({c, GgmlType::kQ8_0, 5, 2}, sink).ok());
  auto parsed = GgufFile::Parse(MakeMemorySource(std::move(sink.bytes())));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  auto file = std::make_shared<GgufFile>(std::move(*parsed));
  auto tokenizer = Tokenizer::FromGguf(*file);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.error().message;
  auto model = LoadLlamaModel(file);
  ASSERT_TRUE(model.ok()) << model.error().message;

  const std::string prompt_text = "The robot and the cat, 2024:";
  const std::vector<int32_t> prompt = (*tokenizer)->Encode(prompt_text, true);
  ASSERT_GE(prompt.size(), 2u);
  EXPECT_EQ(prompt[0], 768);  // <|begin_of_text|>
  EXPECT_EQ((*tokenizer)->Decode(prompt), prompt_text);

  auto cpu = LlamaCpu::Create(*model, c.max_seq_len);
  ASSERT_TRUE(cpu.ok()) << cpu.error().message;
  LogitSource cpu_source;
  cpu_source.forward = [&](int32_t t, uint32_t p) { return cpu->Forward(t, p); };
  cpu_source.prefill = [&](std::span<const int32_t> p) -> Result<std::span<const float>> {
    std::span<const float> last;
    for (uint32_t i = 0; i < p.size(); ++i) {
      NN_TRY_ASSIGN(last, cpu->Forward(p[i], i));
    }
    return last;
  };

  auto ctx = GpuContext::Create();
  ASSERT_TRUE(ctx.ok()) << ctx.error().message;
  // Token for token against the f32 CPU: f32 prefill arithmetic (GPUs default to f16).
  ctx->set_prefill_f16(GpuContext::F16Prefill::kOff);
  auto gpu = LlamaGpu::Create(*ctx, *model, c.max_seq_len);
  ASSERT_TRUE(gpu.ok()) << gpu.error().message;
  LogitSource gpu_source;
  gpu_source.prefill = [&](std::span<const int32_t> p) { return (*gpu)->Prefill(p, 0); };
  gpu_source.forward = [&](int32_t t, uint32_t p) { return (*gpu)->Forward(t, p); };

  GenerateParams params;
  params.n_predict = 12;
  params.max_seq = c.max_seq_len;
  Generation runs[2];
  const LogitSource* sources[2] = {&cpu_source, &gpu_source};
  for (int k = 0; k < 2; ++k) {
    SamplerParams greedy;
    greedy.temperature = 0.0f;
    Sampler sampler(greedy);
    std::string streamed;
    auto g = Generate(
        *sources[k], **tokenizer, sampler, prompt, params,
        [&](int32_t, const std::string& piece, std::span<const float>) { streamed += piece; });
    ASSERT_TRUE(g.ok()) << g.error().message;
    runs[k] = std::move(*g);
    EXPECT_FALSE(runs[k].tokens.empty());
    // The streamed pieces (bytes, possibly partial UTF-8) concatenate to the decoded text.
    EXPECT_EQ(streamed, runs[k].text);
    EXPECT_EQ((*tokenizer)->Decode(runs[k].tokens), runs[k].text);
  }
  EXPECT_EQ(runs[0].tokens, runs[1].tokens);
  EXPECT_EQ(runs[0].text, runs[1].text);
}

}  // namespace
}  // namespace wasmgpu::nn
