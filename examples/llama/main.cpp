// llama: text generation from a GGUF llama model on the GPU, through webgpu.h only.
//
// One source, two builds: natively (build/bin/llama, on libwasmgpu) and as a WebAssembly guest
// (build/examples/llama.wasm, on the `wasmgpu` imports):
//
//   build/bin/llama --model models/brown/brown-f16.gguf --prompt "The jury said" -n 64
//   build/bin/wasmgpu run --dir models build/examples/llama.wasm --
//       --model models/brown/brown-f16.gguf --prompt "The jury said" -n 64
//
// Options use llama.cpp's spellings. Text streams to stdout; stderr gets a progress bar while
// loading (when it is a terminal) and one closing line of timings. With greedy sampling
// (--temp 0) both builds generate the same tokens: the sampler is bit-reproducible.
//
// The program is plain C++ with no dependency beyond src/nn, because it also builds for
// wasm32-wasi (no exceptions, no threads): hence the small hand-written option parser and JSON.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "nn/generate.h"
#include "nn/gguf.h"
#include "nn/gpu/gpu_context.h"
#include "nn/gpu/llama_gpu.h"
#include "nn/llama_model.h"
#include "nn/sampler.h"
#include "nn/tokenizer.h"

namespace {

using wasmgpu::nn::Result;

struct Options {
  std::string model;
  std::string prompt;
  std::string stop;      // stop when the generated text contains it
  std::string adapter;   // WASMGPU_ADAPTER-style selection (native only)
  int n_predict = 64;
  int logits_k = 0;      // --json: top-K logits at every generated position
  bool json = false;
  wasmgpu::nn::SamplerParams sampling;
};

const char kUsage[] =
    "usage: llama --model FILE.gguf [--prompt TEXT] [-n N] [--temp T] [--top-k K] [--top-p P]\n"
    "             [--min-p P] [--repeat-penalty R] [--seed S] [--stop TEXT] [--json]\n"
    "             [--logits K] [--adapter NAME]\n"
    "  -n N               tokens to generate (default 64)\n"
    "  --temp T           temperature; 0 is greedy (default 0.8)\n"
    "  --top-k K          keep the K most likely tokens; 0 is off (default 40)\n"
    "  --top-p P          nucleus sampling; 1 is off (default 0.95)\n"
    "  --min-p P          drop tokens below P x the top probability; 0 is off (default 0.05)\n"
    "  --repeat-penalty R penalty for the last 64 tokens; 1 is off (default 1.0)\n"
    "  --seed S           sampling seed (default 0)\n"
    "  --stop TEXT        stop once the generated text contains TEXT\n"
    "  --json             print one JSON object: tokens, text, timings\n"
    "  --logits K         with --json: the top-K logits at every generated position\n";

// Parses a number in full or fails with a message naming the option.
template <typename T>
bool ParseNumber(const char* option, const char* text, T* out) {
  char* end = nullptr;
  if constexpr (std::is_floating_point_v<T>) {
    *out = static_cast<T>(std::strtod(text, &end));
  } else {
    *out = static_cast<T>(std::strtoll(text, &end, 10));
  }
  if (end == text || *end != '\0') {
    std::fprintf(stderr, "llama: %s expects a number, not '%s'\n", option, text);
    return false;
  }
  return true;
}

bool ParseOptions(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (a == "--json") {
      o->json = true;
      continue;
    }
    if (a == "--") continue;
    if (i + 1 >= argc) {
      std::fprintf(stderr, "llama: %s needs a value (or is unknown)\n%s", argv[i], kUsage);
      return false;
    }
    const char* v = argv[++i];
    bool ok = true;
    if (a == "-m" || a == "--model") o->model = v;
    else if (a == "-p" || a == "--prompt") o->prompt = v;
    else if (a == "--stop") o->stop = v;
    else if (a == "--adapter") o->adapter = v;
    else if (a == "-n" || a == "--n-predict") ok = ParseNumber(argv[i - 1], v, &o->n_predict);
    else if (a == "--temp") ok = ParseNumber(argv[i - 1], v, &o->sampling.temperature);
    else if (a == "--top-k") ok = ParseNumber(argv[i - 1], v, &o->sampling.top_k);
    else if (a == "--top-p") ok = ParseNumber(argv[i - 1], v, &o->sampling.top_p);
    else if (a == "--min-p") ok = ParseNumber(argv[i - 1], v, &o->sampling.min_p);
    else if (a == "--repeat-penalty") ok = ParseNumber(argv[i - 1], v, &o->sampling.repeat_penalty);
    else if (a == "--seed") ok = ParseNumber(argv[i - 1], v, &o->sampling.seed);
    else if (a == "--logits") ok = ParseNumber(argv[i - 1], v, &o->logits_k);
    else {
      std::fprintf(stderr, "llama: unknown option '%s'\n%s", argv[i - 1], kUsage);
      return false;
    }
    if (!ok) return false;
  }
  if (o->model.empty()) {
    std::fprintf(stderr, "llama: --model is required\n%s", kUsage);
    return false;
  }
  if (o->n_predict < 0 || o->logits_k < 0 || o->sampling.temperature < 0) {
    std::fprintf(stderr, "llama: -n, --logits and --temp must not be negative\n");
    return false;
  }
  return true;
}

void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          *out += buf;
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

std::string JsonNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

// The K largest logits as {"id":..,"logit":..} pairs, largest first (lowest id on ties).
std::string TopLogitsJson(std::span<const float> logits, int k) {
  std::vector<int32_t> ids(logits.size());
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int32_t>(i);
  k = std::min<int>(k, static_cast<int>(ids.size()));
  std::partial_sort(ids.begin(), ids.begin() + k, ids.end(), [&](int32_t a, int32_t b) {
    return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
  });
  std::string out = "[";
  for (int i = 0; i < k; ++i) {
    if (i) out += ",";
    out += "{\"id\":" + std::to_string(ids[i]) + ",\"logit\":" + JsonNumber(logits[ids[i]]) + "}";
  }
  return out + "]";
}

double Seconds(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

int Fail(const char* what, const wasmgpu::nn::Error& e) {
  std::fprintf(stderr, "llama: %s: %s\n", what, e.message.c_str());
  return 1;
}

void Progress(bool tty, const char* stage, int step, int steps) {
  if (!tty) return;
  const int width = 30, filled = steps ? width * step / steps : width;
  std::fprintf(stderr, "\r%-10s [%.*s%*s] %d/%d", stage, filled,
               "##############################", width - filled, "", step, steps);
  if (step == steps) std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseOptions(argc, argv, &o)) return 2;
  const bool tty = isatty(2) && !o.json;
  const auto t_start = std::chrono::steady_clock::now();

  Progress(tty, "loading", 0, 3);
  auto file = wasmgpu::nn::GgufFile::Open(o.model);
  if (!file.ok()) return Fail(o.model.c_str(), file.error());
  auto shared = std::make_shared<wasmgpu::nn::GgufFile>(std::move(*file));
  auto tokenizer = wasmgpu::nn::Tokenizer::FromGguf(*shared);
  if (!tokenizer.ok()) return Fail("tokenizer", tokenizer.error());
  auto model = wasmgpu::nn::LoadLlamaModel(shared);
  if (!model.ok()) return Fail("model", model.error());
  Progress(tty, "loading", 1, 3);

  std::vector<int32_t> tokens = (*tokenizer)->Encode(o.prompt, true);
  const size_t n_prompt = tokens.size();
  const uint32_t max_seq = std::min<uint32_t>(
      model->hp.n_ctx, static_cast<uint32_t>(n_prompt + static_cast<size_t>(o.n_predict)));
  if (n_prompt > max_seq) {
    std::fprintf(stderr, "llama: the prompt (%zu tokens) is longer than the context (%u)\n",
                 n_prompt, model->hp.n_ctx);
    return 1;
  }
  auto ctx = wasmgpu::nn::GpuContext::Create(o.adapter);
  if (!ctx.ok()) return Fail("GPU", ctx.error());
  Progress(tty, "loading", 2, 3);
  auto gpu = wasmgpu::nn::LlamaGpu::Create(*ctx, *model, max_seq);
  if (!gpu.ok()) return Fail("GPU model", gpu.error());
  Progress(tty, "loading", 3, 3);
  const auto t_loaded = std::chrono::steady_clock::now();

  wasmgpu::nn::Sampler sampler(o.sampling);
  std::string logits_json;
  // The prompt in one submit (only the last position's logits come back), then one submit per
  // generated token.
  wasmgpu::nn::LogitSource source;
  source.prefill = [&](std::span<const int32_t> prompt) { return (*gpu)->Prefill(prompt, 0); };
  source.forward = [&](int32_t token, uint32_t pos) { return (*gpu)->Forward(token, pos); };
  // Greedy without --logits: the GPU picks each token and runs the next step without waiting
  // for the host (LlamaGpu::ForwardGreedy); the same tokens as Forward + the sampler's argmax.
  source.forward_greedy = [&](int32_t token, uint32_t pos) {
    return (*gpu)->ForwardGreedy(token, pos);
  };
  wasmgpu::nn::GenerateParams params;
  params.logits_per_step = o.json && o.logits_k > 0;
  params.n_predict = o.n_predict;
  params.max_seq = max_seq;
  params.stop = o.stop;
  auto run = wasmgpu::nn::Generate(
      source, **tokenizer, sampler, tokens, params,
      [&](int32_t, const std::string& piece, std::span<const float> logits) {
        if (o.json && o.logits_k > 0) {
          if (!logits_json.empty()) logits_json += ",";
          logits_json += TopLogitsJson(logits, o.logits_k);
        }
        if (!o.json) {
          std::fwrite(piece.data(), 1, piece.size(), stdout);
          std::fflush(stdout);
        }
      });
  if (!run.ok()) return Fail("generate", run.error());
  const std::vector<int32_t>& generated = run->tokens;
  const std::string& text = run->text;
  const double load_s = Seconds(t_start, t_loaded), prompt_s = run->prompt_s,
               gen_s = run->generate_s;
  const double prompt_tps = n_prompt / std::max(prompt_s, 1e-9);
  const double gen_tps = generated.size() / std::max(gen_s, 1e-9);

  if (o.json) {
    std::string out = "{\"model\":";
    AppendJsonString(&out, o.model);
    out += ",\"adapter\":";
    AppendJsonString(&out, ctx->adapter_name());
    out += ",\"prompt_tokens\":[";
    for (size_t i = 0; i < n_prompt; ++i) out += (i ? "," : "") + std::to_string(tokens[i]);
    out += "],\"tokens\":[";
    for (size_t i = 0; i < generated.size(); ++i) out += (i ? "," : "") + std::to_string(generated[i]);
    out += "],\"text\":";
    AppendJsonString(&out, text);
    out += ",\"timings\":{\"load_s\":" + JsonNumber(load_s) + ",\"prompt_s\":" +
           JsonNumber(prompt_s) + ",\"prompt_tok_s\":" + JsonNumber(prompt_tps) +
           ",\"generate_s\":" + JsonNumber(gen_s) + ",\"generate_tok_s\":" + JsonNumber(gen_tps) +
           "},\"logits_host_mapped\":" + ((*gpu)->logits_host_mapped() ? "true" : "false");
    if (o.logits_k > 0) out += ",\"logits\":[" + logits_json + "]";
    out += "}\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
  } else {
    std::fputc('\n', stdout);
    std::fflush(stdout);
  }
  std::fprintf(stderr,
               "llama: %s; load %.2f s, prompt %zu tokens %.1f tok/s, generated %zu tokens "
               "%.1f tok/s\n",
               ctx->adapter_name().c_str(), load_s, n_prompt, prompt_tps, generated.size(), gen_tps);
  return 0;
}
