// `wasmgpu bench llama MODEL.gguf`: decode and prefill speed of the GPU llama path (src/nn) run
// natively, and where a decode step's time goes: host recording, submit, the wait for the logits,
// and, from timestamp queries where the device has them, GPU time per kernel family. Every figure
// is a median over steps and says what it covers. No tokenizer: the prompt is synthetic token ids
// and decoding feeds back the argmax (greedy), as examples/llama does at --temp 0: decode_tok_s is
// its path, LlamaGpu::ForwardGreedy (the GPU picks the token and the next step is queued before
// the host waits), where the device has it; forward_decode_tok_s is Forward + a copy of the
// logits + the argmax on the host (the --logits path, and decode_tok_s before ForwardGreedy).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cmd_bench.h"
#include "nn/gguf.h"
#include "nn/gpu/gpu_context.h"
#include "nn/gpu/llama_gpu.h"
#include "nn/llama_model.h"
#include "nn/sampler.h"

namespace wasmgpu::cli {
namespace {

using Clock = std::chrono::steady_clock;
using nn::LlamaGpu;

struct LlamaBenchOptions {
  std::string model;
  std::string adapter;
  std::string matvec = "auto";
  uint32_t matvec_pairs = 0;
  uint32_t decode = 64;
  uint32_t prompt = 128;
  uint32_t prompt_runs = 3;
  uint32_t profile_steps = 16;
  bool json = false;
};

double Micros(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int Fail(const std::string& what, const nn::Error& e) {
  fmt::print(stderr, "wasmgpu bench llama: {}: {}\n", what, e.message);
  return 1;
}

int RunLlamaBench(const LlamaBenchOptions& o) {
  auto file = nn::GgufFile::Open(o.model);
  if (!file.ok()) return Fail(o.model, file.error());
  auto model = nn::LoadLlamaModel(std::make_shared<nn::GgufFile>(std::move(*file)));
  if (!model.ok()) return Fail("model", model.error());
  const nn::LlamaHParams& hp = model->hp;
  auto ctx = nn::GpuContext::Create(o.adapter);
  if (!ctx.ok()) return Fail("GPU", ctx.error());
  if (o.matvec == "portable") ctx->set_matvec_path(nn::GpuContext::MatVecPath::kPortable);
  if (o.matvec == "wide") ctx->set_matvec_path(nn::GpuContext::MatVecPath::kWide);
  if (o.matvec == "mixed") ctx->set_matvec_path(nn::GpuContext::MatVecPath::kMixed);
  ctx->set_matvec_pairs(o.matvec_pairs);

  const uint32_t start = std::max(o.prompt, 1u);  // the first decoded position
  const uint64_t want_seq = uint64_t{start} + 2 * (uint64_t{o.decode} + o.profile_steps) + 1;
  if (want_seq > hp.n_ctx) {
    fmt::print(stderr, "wasmgpu bench llama: {} positions do not fit the context ({}).\n",
               want_seq, hp.n_ctx);
    return 1;
  }
  auto gpu = LlamaGpu::Create(*ctx, *model, static_cast<uint32_t>(want_seq));
  if (!gpu.ok()) return Fail("GPU model", gpu.error());
  LlamaGpu& g = **gpu;

  // Warm-up: first use of every pipeline.
  for (int i = 0; i < 2; ++i) {
    auto r = g.Forward(1, 0);
    if (!r.ok()) return Fail("warm-up", r.error());
  }

  // Prefill: the same synthetic prompt `prompt_runs` times from position 0.
  std::vector<double> prefill_us;
  std::vector<int32_t> prompt(std::max(o.prompt, 1u));
  for (size_t i = 0; i < prompt.size(); ++i) {
    prompt[i] = static_cast<int32_t>((i * 7919 + 1) % hp.n_vocab);
  }
  int32_t token = 1;
  for (uint32_t run = 0; run < (o.prompt > 0 ? o.prompt_runs : 1); ++run) {
    const Clock::time_point t0 = Clock::now();
    auto r = g.Prefill(prompt, 0);
    if (!r.ok()) return Fail("prefill", r.error());
    prefill_us.push_back(Micros(t0, Clock::now()));
    token = nn::Sampler::Argmax(*r);
  }

  // Decode: one Forward, a copy of the logits and an argmax over the copy per step; first with
  // the next step recorded ahead (the default), then recording each step when it is submitted.
  struct Decode {
    std::vector<double> step_us, record_us, submit_us, ahead_us, wait_us, read_us, argmax_us;
    double total_s = 0;
  };
  std::vector<float> logits_copy(hp.n_vocab);
  std::vector<int32_t> generated;
  uint32_t pos = start;
  auto decode = [&](Decode& d, uint32_t steps) -> int {
    const Clock::time_point d0 = Clock::now();
    for (uint32_t i = 0; i < steps; ++i, ++pos) {
      const Clock::time_point t0 = Clock::now();
      auto r = g.Forward(token, pos);
      if (!r.ok()) return Fail("decode", r.error());
      const Clock::time_point t1 = Clock::now();
      std::copy(r->begin(), r->end(), logits_copy.begin());
      const Clock::time_point t2 = Clock::now();
      token = nn::Sampler::Argmax(logits_copy);
      const Clock::time_point t3 = Clock::now();
      generated.push_back(token);
      d.step_us.push_back(Micros(t0, t3));
      d.read_us.push_back(Micros(t1, t2));
      d.argmax_us.push_back(Micros(t2, t3));
      d.record_us.push_back(g.last_step().record_us);
      d.submit_us.push_back(g.last_step().submit_us);
      d.ahead_us.push_back(g.last_step().record_ahead_us);
      d.wait_us.push_back(g.last_step().wait_us);
    }
    d.total_s = Micros(d0, Clock::now()) / 1e6;
    return 0;
  };
  Decode ahead, sync, piped;
  const uint32_t first_pos = pos;
  const int32_t first_token = token;
  if (int rc = decode(ahead, o.decode)) return rc;
  // The same steps again through ForwardGreedy (the caller only hands back each pick); its
  // tokens must be the ones above.
  const std::vector<int32_t> forward_tokens = generated;
  std::vector<int32_t> piped_tokens;
  {
    const uint32_t end_pos = pos;
    pos = first_pos;
    token = first_token;
    const Clock::time_point d0 = Clock::now();
    for (uint32_t i = 0; i < o.decode; ++i, ++pos) {
      const Clock::time_point t0 = Clock::now();
      auto r = g.ForwardGreedy(token, pos);
      if (!r.ok()) return Fail("pipelined decode", r.error());
      token = *r;
      piped.step_us.push_back(Micros(t0, Clock::now()));
      piped.wait_us.push_back(g.last_step().wait_us);
      piped_tokens.push_back(token);
    }
    piped.total_s = Micros(d0, Clock::now()) / 1e6;
    pos = end_pos;
  }
  const bool greedy_tokens_match = piped_tokens == forward_tokens;
  g.SetRecordAhead(false);
  if (int rc = decode(sync, o.decode)) return rc;
  g.SetRecordAhead(true);

  // Timestamped steps: the whole step's GPU time, then GPU time per op family.
  std::vector<double> gpu_step_us, step_wait_us;
  std::vector<std::vector<double>> op_ns(LlamaGpu::kOpCount);
  std::vector<double> profiled_step_us;
  const bool profiled = o.profile_steps > 0 && g.SetProfiling(LlamaGpu::Profiling::kStep);
  if (profiled) {
    for (uint32_t i = 0; i < o.profile_steps; ++i, ++pos) {
      auto r = g.Forward(token, pos);
      if (!r.ok()) return Fail("timestamped decode", r.error());
      token = nn::Sampler::Argmax(*r);
      gpu_step_us.push_back(g.last_step().gpu_step_ns / 1e3);
      step_wait_us.push_back(g.last_step().wait_us);
    }
    g.SetProfiling(LlamaGpu::Profiling::kOps);
    for (uint32_t i = 0; i < o.profile_steps; ++i, ++pos) {
      const Clock::time_point t0 = Clock::now();
      auto r = g.Forward(token, pos);
      if (!r.ok()) return Fail("profiled decode", r.error());
      token = nn::Sampler::Argmax(*r);
      profiled_step_us.push_back(Micros(t0, Clock::now()));
      for (int k = 0; k < LlamaGpu::kOpCount; ++k) op_ns[k].push_back(g.last_step().gpu_ns[k]);
    }
    g.SetProfiling(LlamaGpu::Profiling::kOff);
  }
  // Each matvec of layer 0 and the classifier alone: 20 back-to-back dispatches per op.
  std::vector<double> alone_ns;
  if (profiled) {
    auto r = g.TimeMatVecs(20);
    if (!r.ok()) return Fail("matvec timing", r.error());
    alone_ns = *r;
  }
  const std::vector<uint64_t> op_bytes = g.matvec_op_bytes();

  const double forward_step = Median(ahead.step_us);
  const bool pipelined = g.greedy_pipelined();
  const double step = pipelined ? Median(piped.step_us) : forward_step;
  const double decode_tok_s = 1e6 / step;
  const double decode_tok_s_mean = o.decode / (pipelined ? piped.total_s : ahead.total_s);
  const double prefill = Median(prefill_us);
  const double prefill_tok_s = o.prompt > 0 ? o.prompt / (prefill / 1e6) : 0;
  const uint64_t mv_bytes = g.matvec_bytes();
  std::vector<double> op_med(LlamaGpu::kOpCount);
  double gpu_total_us = 0, matvec_us = 0;
  for (int k = 0; k < LlamaGpu::kOpCount; ++k) {
    op_med[k] = Median(op_ns[k]) / 1e3;
    gpu_total_us += op_med[k];
    const auto op = static_cast<LlamaGpu::Op>(k);
    if (op != LlamaGpu::Op::kEmbed && op != LlamaGpu::Op::kAttention) matvec_us += op_med[k];
  }
  const std::string type(nn::GgmlTypeName(model->layers[0].wq.type));

  if (o.json) {
    nlohmann::json j = {
        {"model", o.model},
        {"weight_type", type},
        {"adapter", ctx->adapter_name()},
        {"matvec_kernels", g.matvec_kernels()},
        // The layers' products quantize x to 8 bits (matvec_dot8.glsl).
        {"matvec_dot8", g.QuantizesActivations(model->layers[0].wq.type, hp.n_embd)},
        {"matvec_pairs", o.matvec_pairs},
        {"dispatches_per_token", g.dispatches_per_token()},
        {"logits_host_mapped", g.logits_host_mapped()},
        // The prefill products run in f16 arithmetic (matmul.glsl F16_MATH).
        {"prefill_f16", g.prefill_f16()},
        {"prompt_tokens", o.prompt},
        {"prefill_median_ms", prefill / 1e3},
        {"prefill_tok_s", prefill_tok_s},
        {"decode_steps", o.decode},
        {"decode_first_pos", start},
        {"decode_path", pipelined ? "pipelined" : "forward"},
        {"decode_step_median_us", step},
        {"decode_tok_s", decode_tok_s},
        {"decode_tok_s_mean", decode_tok_s_mean},
        {"pipelined_wait_median_us", Median(piped.wait_us)},
        {"greedy_tokens_match", greedy_tokens_match},
        {"forward_decode_step_median_us", forward_step},
        {"forward_decode_tok_s", 1e6 / forward_step},
        {"forward_decode_tok_s_mean", o.decode / ahead.total_s},
        {"host_record_median_us", Median(ahead.record_us)},
        {"host_submit_median_us", Median(ahead.submit_us)},
        {"record_ahead_median_us", Median(ahead.ahead_us)},
        {"wait_median_us", Median(ahead.wait_us)},
        {"logits_read_median_us", Median(ahead.read_us)},
        {"argmax_median_us", Median(ahead.argmax_us)},
        {"sync_decode_tok_s", 1e6 / Median(sync.step_us)},
        {"sync_record_median_us", Median(sync.record_us)},
        {"sync_wait_median_us", Median(sync.wait_us)},
        {"matvec_bytes_per_token", mv_bytes},
        {"effective_weight_gb_s", mv_bytes * decode_tok_s / 1e9},
        {"tokens", generated}};
    if (profiled) {
      nlohmann::json ops = nlohmann::json::object();
      for (int k = 0; k < LlamaGpu::kOpCount; ++k) {
        ops[LlamaGpu::OpName(static_cast<LlamaGpu::Op>(k))] = op_med[k];
      }
      j["gpu_op_median_us"] = ops;
      j["gpu_step_median_us"] = Median(gpu_step_us);
      j["timestamped_wait_median_us"] = Median(step_wait_us);
      j["gpu_step_sum_us"] = gpu_total_us;
      j["gpu_matvec_us"] = matvec_us;
      j["gpu_matvec_gb_s"] = matvec_us > 0 ? mv_bytes / (matvec_us * 1e3) : 0;
      j["profiled_steps"] = o.profile_steps;
      j["profiled_step_median_us"] = Median(profiled_step_us);
      nlohmann::json alone = nlohmann::json::object();
      for (int k = 0; k < LlamaGpu::kOpCount; ++k) {
        if (alone_ns[k] <= 0) continue;
        alone[LlamaGpu::OpName(static_cast<LlamaGpu::Op>(k))] = {
            {"us", alone_ns[k] / 1e3}, {"mb", op_bytes[k] / 1e6},
            {"gb_s", op_bytes[k] / alone_ns[k]}};
      }
      j["matvec_alone"] = alone;
    }
    fmt::print("{}\n", j.dump());
    return 0;
  }
  fmt::print("model: {} ({}; {} layers, n_embd {}, n_ff {}, vocab {})\n", o.model, type,
             hp.n_layer, hp.n_embd, hp.n_ff, hp.n_vocab);
  fmt::print("adapter: {}; matvec kernels: {}{}; dispatches per decode step: {}; logits {}\n",
             ctx->adapter_name(), g.matvec_kernels(),
             g.QuantizesActivations(model->layers[0].wq.type, hp.n_embd) ? " (x as int8)" : "",
             g.dispatches_per_token(),
             g.logits_host_mapped() ? "host-mapped" : "through mapAsync");
  if (o.prompt > 0) {
    fmt::print("prefill of {} tokens (one submit), median of {}: {:.2f} ms = {:.0f} tok/s\n",
               o.prompt, prefill_us.size(), prefill / 1e3, prefill_tok_s);
  }
  fmt::print("decode, {} steps from position {}, {}: median step {:.1f} us = {:.1f} tok/s (mean "
             "{:.1f} tok/s); tokens {} Forward's below\n",
             o.decode, start,
             pipelined ? "pipelined greedy (GPU argmax, next step queued before the wait)"
                       : "Forward + host argmax (no host-mapped memory or profiling)",
             step, decode_tok_s, decode_tok_s_mean,
             greedy_tokens_match ? "equal to" : "DIFFERENT from");
  fmt::print("decode, the same steps through Forward + logits copy + host argmax, next step "
             "recorded ahead: median step {:.1f} us = {:.1f} tok/s (mean {:.1f} tok/s)\n",
             forward_step, 1e6 / forward_step, o.decode / ahead.total_s);
  fmt::print("  per step (medians): record {:.1f} us, submit {:.1f} us, wait for logits {:.1f} us "
             "(of which recording the next step {:.1f} us), copy logits {:.1f} us, argmax {:.1f} "
             "us\n",
             Median(ahead.record_us), Median(ahead.submit_us), Median(ahead.wait_us),
             Median(ahead.ahead_us), Median(ahead.read_us), Median(ahead.argmax_us));
  fmt::print("decode, {} more steps, each recorded when submitted: median step {:.1f} us = {:.1f} "
             "tok/s (record {:.1f} us, wait {:.1f} us)\n",
             o.decode, Median(sync.step_us), 1e6 / Median(sync.step_us), Median(sync.record_us),
             Median(sync.wait_us));
  fmt::print("  matvec weights per token {:.1f} MB: effective {:.1f} GB/s at the median step\n",
             mv_bytes / 1e6, mv_bytes * decode_tok_s / 1e9);
  if (!profiled) {
    fmt::print("GPU time per op: no timestamp queries on this device (or --profile-steps 0)\n");
    return 0;
  }
  fmt::print("GPU time of a whole step (one timestamp pair), median of {} steps: {:.1f} us "
             "(their wait for logits {:.1f} us)\n",
             o.profile_steps, Median(gpu_step_us), Median(step_wait_us));
  fmt::print("GPU time per op family, sum over layers, median of {} profiled steps (each op in its "
             "own pass, which adds a few us per op; profiled step median {:.1f} us):\n",
             o.profile_steps, Median(profiled_step_us));
  for (int k = 0; k < LlamaGpu::kOpCount; ++k) {
    fmt::print("  {:<10} {:9.1f} us\n", LlamaGpu::OpName(static_cast<LlamaGpu::Op>(k)), op_med[k]);
  }
  fmt::print("  {:<10} {:9.1f} us\n", "sum", gpu_total_us);
  fmt::print("matvec ops of a step (above): {:.1f} us for {:.1f} MB = {:.1f} GB/s\n", matvec_us,
             mv_bytes / 1e6, matvec_us > 0 ? mv_bytes / (matvec_us * 1e3) : 0.0);
  fmt::print("each matvec alone (layer 0; 20 back-to-back dispatches in one pass, per dispatch):\n");
  for (int k = 0; k < LlamaGpu::kOpCount; ++k) {
    if (alone_ns[k] <= 0) continue;
    fmt::print("  {:<10} {:8.2f} us for {:7.2f} MB = {:7.1f} GB/s\n",
               LlamaGpu::OpName(static_cast<LlamaGpu::Op>(k)), alone_ns[k] / 1e3,
               op_bytes[k] / 1e6, op_bytes[k] / alone_ns[k]);
  }
  return 0;
}

CommandRunner SetupLlamaBench(CLI::App& app) {
  static LlamaBenchOptions opts;
  app.add_option("model", opts.model, "GGUF llama model")->required();
  app.add_option("--adapter", opts.adapter, "Adapter index or name substring");
  app.add_option("--matvec", opts.matvec,
                 "Matrix-vector kernels: auto, portable, wide, mixed")
      ->check(CLI::IsMember({"auto", "portable", "wide", "mixed"}));
  app.add_option("--matvec-pairs", opts.matvec_pairs,
                 "wide kernels: row pairs per row group (0: the default, 1)");
  app.add_option("-n,--decode", opts.decode, "Decode steps timed")->check(CLI::PositiveNumber);
  app.add_option("--prompt", opts.prompt, "Prompt tokens for prefill (0: no prefill timing)");
  app.add_option("--prompt-runs", opts.prompt_runs, "Prefill repetitions")
      ->check(CLI::PositiveNumber);
  app.add_option("--profile-steps", opts.profile_steps,
                 "Decode steps with per-op GPU timestamps (0: none)");
  app.add_flag("--json", opts.json, "One JSON object on stdout");
  return [] { return RunLlamaBench(opts); };
}
WASMGPU_BENCH(llama, "llama",
              "GGUF llama decode and prefill on the GPU: tok/s, host/wait split, GPU time per op",
              SetupLlamaBench);

}  // namespace
}  // namespace wasmgpu::cli
