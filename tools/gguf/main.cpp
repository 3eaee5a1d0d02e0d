// `wasmgpu-gguf`: makes and inspects GGUF models.
//   wasmgpu-gguf synth --shape stories15m --type q8_0 [--seed N] -o out.gguf
//   wasmgpu-gguf convert EXPORT_DIR --type f16 -o out.gguf
//   wasmgpu-gguf info model.gguf
//   wasmgpu-gguf generate model.gguf -p "Once upon a time" -n 32 [--gpu]
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <cstdio>
#include <memory>

#include "llama_gguf.h"
#include "nn/generate.h"
#include "nn/gguf.h"
#include "nn/reference/llama_cpu.h"
#include "nn/sampler.h"
#include "nn/tokenizer.h"
#if defined(WASMGPU_NN_GPU)
#include "nn/gpu/llama_gpu.h"
#endif

namespace {

using namespace wasmgpu;

int Fail(const nn::Error& e) {
  fmt::print(stderr, "wasmgpu-gguf: {}\n", e.message);
  return 1;
}

std::string ShapeList() {
  std::string s;
  for (const std::string& n : gguf::ShapeNames()) s += (s.empty() ? "" : "|") + n;
  return s;
}

int WriteFile(const std::string& path,
              const std::function<nn::Status(gguf::Sink&)>& write) {
  auto sink = gguf::FileSink::Create(path);
  if (!sink.ok()) return Fail(sink.error());
  const auto start = std::chrono::steady_clock::now();
  nn::Status s = write(**sink);
  if (!s.ok()) return Fail(s.error());
  s = (*sink)->Close();
  if (!s.ok()) return Fail(s.error());
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print(stderr, "wrote {} in {:.2f} s\n", path, secs);
  return 0;
}

int Info(const std::string& path, bool all) {
  auto file = nn::GgufFile::Open(path);
  if (!file.ok()) return Fail(file.error());
  fmt::print("GGUF v{}, {} bytes, alignment {}, {} metadata keys, {} tensors, data at {}\n",
             file->version(), file->file_size(), file->alignment(), file->metadata().size(),
             file->tensors().size(), file->data_offset());
  for (const nn::GgufKeyValue& kv : file->metadata()) {
    const nn::GgufValue& v = kv.value;
    std::string text;
    if (v.type == nn::GgufValueType::kString) {
      text = "\"" + v.strings[0] + "\"";
    } else if (v.is_array()) {
      text = fmt::format("[{} values]", v.count);
    } else if (v.type == nn::GgufValueType::kFloat32) {
      auto f = file->GetFloat(kv.key);
      text = fmt::format("{}", *f);
    } else if (v.type == nn::GgufValueType::kBool) {
      text = v.bytes[0] ? "true" : "false";
    } else {
      auto u = file->GetUint(kv.key, UINT64_MAX);
      text = u.ok() ? fmt::format("{}", *u) : v.TypeName();
    }
    fmt::print("  {:<45} {:<8} {}\n", kv.key, v.TypeName(), text);
  }
  size_t shown = 0;
  for (const nn::GgufTensorInfo& t : file->tensors()) {
    if (!all && shown++ >= 12) {
      fmt::print("  ... {} more tensors (--all)\n", file->tensors().size() - 12);
      break;
    }
    fmt::print("  {:<32} {:<5} {:<16} offset {}\n", t.name, nn::GgmlTypeName(t.type),
               t.ShapeString(), t.offset);
  }
  return 0;
}

// Generates text with the CPU reference or (--gpu) the GPU path; prints the text to stdout and
// prompt/decode timings to stderr. A development tool: examples/llama is the user-facing program.
int Generate(const std::string& path, const std::string& prompt, int n, float temperature,
             uint64_t seed, bool gpu) {
  auto file = nn::GgufFile::Open(path);
  if (!file.ok()) return Fail(file.error());
  auto shared = std::make_shared<nn::GgufFile>(std::move(*file));
  auto tokenizer = nn::Tokenizer::FromGguf(*shared);
  if (!tokenizer.ok()) return Fail(tokenizer.error());
  auto model = nn::LoadLlamaModel(shared);
  if (!model.ok()) return Fail(model.error());
  const std::vector<int32_t> tokens = (*tokenizer)->Encode(prompt, true);
  const uint32_t max_seq =
      std::min<uint32_t>(model->hp.n_ctx, static_cast<uint32_t>(tokens.size() + n));
  const auto t0 = std::chrono::steady_clock::now();
  nn::LogitSource source;
  std::unique_ptr<nn::LlamaCpu> cpu;
#if defined(WASMGPU_NN_GPU)
  std::unique_ptr<nn::GpuContext> ctx;
  std::unique_ptr<nn::LlamaGpu> g;
  if (gpu) {
    auto c = nn::GpuContext::Create();
    if (!c.ok()) return Fail(c.error());
    ctx = std::make_unique<nn::GpuContext>(std::move(*c));
    auto made = nn::LlamaGpu::Create(*ctx, *model, max_seq);
    if (!made.ok()) return Fail(made.error());
    g = std::move(*made);
    fmt::print(stderr, "GPU: {}, {} dispatches per token, {:.1f} MiB of weights\n",
               ctx->adapter_name(), g->dispatches_per_token(), g->weight_bytes() / 1048576.0);
    // The GPU runs the whole prompt in one submit.
    source.prefill = [&](std::span<const int32_t> p) { return g->Prefill(p, 0); };
    source.forward = [&](int32_t t, uint32_t p) { return g->Forward(t, p); };
  }
#else
  if (gpu) {
    fmt::print(stderr, "wasmgpu-gguf: built without libwasmgpu; no --gpu\n");
    return 1;
  }
#endif
  if (!gpu) {
    auto c = nn::LlamaCpu::Create(*model, max_seq);
    if (!c.ok()) return Fail(c.error());
    cpu = std::make_unique<nn::LlamaCpu>(std::move(*c));
    source.forward = [&](int32_t t, uint32_t p) { return cpu->Forward(t, p); };
    // The CPU reference has no batched path: the prompt goes token by token.
    source.prefill = [&](std::span<const int32_t> p) -> nn::Result<std::span<const float>> {
      std::span<const float> last;
      for (uint32_t i = 0; i < p.size(); ++i) {
        NN_TRY_ASSIGN(last, cpu->Forward(p[i], i));
      }
      return last;
    };
  }
  const auto t1 = std::chrono::steady_clock::now();
  nn::SamplerParams sampling;
  sampling.temperature = temperature;
  sampling.seed = seed;
  nn::Sampler sampler(sampling);
  nn::GenerateParams params;
  params.n_predict = n;
  params.max_seq = max_seq;
  auto run = nn::Generate(source, **tokenizer, sampler, tokens, params,
                          [](int32_t, const std::string& piece, std::span<const float>) {
                            fmt::print("{}", piece);
                            std::fflush(stdout);
                          });
  if (!run.ok()) return Fail(run.error());
  fmt::print("\n");
  std::fflush(stdout);  // the text before the timings when both go to one pipe
  const double load_s = std::chrono::duration<double>(t1 - t0).count();
  fmt::print(stderr, "load {:.2f} s, prompt {} tokens {:.1f} tok/s, generated {} tokens {:.1f} tok/s\n",
             load_s, tokens.size(), tokens.size() / std::max(1e-9, run->prompt_s),
             run->tokens.size(), run->tokens.size() / std::max(1e-9, run->generate_s));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Makes and inspects GGUF models."};
  app.require_subcommand(1);

  std::string shape, type_name = "f16", out, dir, path;
  uint64_t seed = 1;
  unsigned threads = 0;
  bool all = false;
  auto type_check = [](const std::string& s) -> std::string {
    auto t = nn::ParseGgmlType(s);
    if (!t || !nn::GetGgmlType(*t).computable) return "type must be f32, f16, q8_0 or q4_0";
    return {};
  };

  CLI::App* synth = app.add_subcommand("synth", "Write a random-weight llama model");
  synth->add_option("--shape", shape, ShapeList())->required();
  synth->add_option("--type", type_name, "f32|f16|q8_0|q4_0")->check(type_check);
  synth->add_option("--seed", seed, "random seed");
  synth->add_option("--threads", threads, "worker threads (0: all)");
  synth->add_option("-o,--output", out, "output .gguf")->required();

  CLI::App* convert = app.add_subcommand("convert", "Convert a training export to GGUF");
  convert->add_option("dir", dir, "export directory")->required();
  convert->add_option("--type", type_name, "f32|f16|q8_0|q4_0")->check(type_check);
  convert->add_option("--threads", threads, "worker threads (0: all)");
  convert->add_option("-o,--output", out, "output .gguf")->required();

  CLI::App* info = app.add_subcommand("info", "Print a GGUF file's metadata and tensors");
  info->add_option("file", path, "model.gguf")->required();
  info->add_flag("--all", all, "list every tensor");

  std::string prompt = "Once upon a time";
  int n_predict = 32;
  float temperature = 0.0f;
  bool use_gpu = false;
  CLI::App* generate = app.add_subcommand("generate", "Generate text (CPU reference or --gpu)");
  generate->add_option("model", path, "model.gguf")->required();
  generate->add_option("-p,--prompt", prompt, "prompt");
  generate->add_option("-n", n_predict, "tokens to generate");
  generate->add_option("--temp", temperature, "temperature (0: greedy)");
  generate->add_option("--seed", seed, "sampling seed");
  generate->add_flag("--gpu", use_gpu, "run on the GPU through webgpu.h");

  CLI11_PARSE(app, argc, argv);
  if (generate->parsed()) return Generate(path, prompt, n_predict, temperature, seed, use_gpu);
  const nn::GgmlType type = *nn::ParseGgmlType(type_name);

  if (synth->parsed()) {
    auto config = gguf::FindShape(shape);
    if (!config) {
      fmt::print(stderr, "wasmgpu-gguf: unknown shape '{}' (shapes: {})\n", shape, ShapeList());
      return 1;
    }
    gguf::SynthOptions options{*config, type, seed, threads};
    return WriteFile(out, [&](gguf::Sink& sink) { return gguf::WriteSyntheticLlama(options, sink); });
  }
  if (convert->parsed()) {
    return WriteFile(out, [&](gguf::Sink& sink) {
      return gguf::ConvertExport(dir, type, sink, threads);
    });
  }
  return Info(path, all);
}
