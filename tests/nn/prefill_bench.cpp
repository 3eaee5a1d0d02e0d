// Times the batched prefill kernels one at a time at tinyllama-1.1b's sizes and prints medians
// (a benchmark, not a test: nothing is asserted; bench/results/llama-h100-prefill.md records the
// figures). Each timing is one submit of `reps` back-to-back dispatches of the kernel, waited on.
//
//   nn_prefill_bench [TOKENS]     (default 512)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "nn/gpu/gpu_context.h"
#include "nn/gpu/weight_layout.h"
#include "nn/tensor_types.h"
#include "matmul_spirv.h"
#include "nn_kernels.h"
#include "storage_kernel.h"

namespace wasmgpu::nn {
namespace {

using test::MatMulSpirv;
using test::StorageKernel;
using test::Words;

WGPUBuffer Buffer(GpuContext& c, uint64_t bytes, const void* data = nullptr) {
  WGPUBuffer b = c.CreateBuffer(std::max<uint64_t>(bytes, 4),
                                WGPUBufferUsage_Storage | WGPUBufferUsage_CopyDst, "bench");
  if (data != nullptr) wgpuQueueWriteBuffer(c.queue(), b, 0, data, bytes);
  return b;
}

StorageKernel Make(GpuContext& c, std::span<const uint32_t> spirv, std::vector<WGPUBuffer> buffers,
                   std::vector<bool> writable, uint32_t immediate) {
  StorageKernel k = test::MakeStorageKernel(c, spirv, writable, immediate, {buffers}, "bench");
  const Status errors = c.TakeErrors("Making a kernel");
  if (!errors.ok()) std::fprintf(stderr, "%s\n", errors.error().message.c_str());
  return k;
}

// Median microseconds per dispatch over 5 submits of `reps` dispatches each.
double Time(GpuContext& c, const StorageKernel& k, const void* params, uint32_t bytes,
            uint32_t gx, uint32_t gy, int reps = 10) {
  return test::MedianDispatchMicros(c, k, params, bytes, gx, gy, reps);
}

std::vector<float> Random(size_t n, uint32_t seed, float scale) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

int Main(int argc, char** argv) {
  const uint32_t T = argc > 1 ? static_cast<uint32_t>(std::atoi(argv[1])) : 512;
  auto ctx = GpuContext::Create();
  if (!ctx.ok()) {
    std::fprintf(stderr, "%s\n", ctx.error().message.c_str());
    return 1;
  }
  GpuContext& c = *ctx;
  std::printf("adapter: %s, %u tokens\n", c.adapter_name().c_str(), T);
  struct Shape {
    const char* name;
    uint32_t n, k;
    bool swiglu;
  };
  const Shape shapes[] = {{"qkv", 2560, 2048, false},
                          {"wo", 2048, 2048, false},
                          {"gate_up", 11264, 2048, true},
                          {"down", 2048, 5632, false}};
  const GgmlType types[] = {GgmlType::kQ4_0, GgmlType::kQ8_0, GgmlType::kF16, GgmlType::kF32};
  for (GgmlType type : types) {
    double total_us = 0, total_flop = 0;
    for (const Shape& s : shapes) {
      const std::vector<float> wf = Random(uint64_t{s.n} * s.k, 1, 0.02f);
      std::vector<uint8_t> bytes(RowBytes(type, s.k) * s.n);
      for (uint32_t r = 0; r < s.n; ++r) {
        QuantizeRow(type, &wf[uint64_t{r} * s.k], bytes.data() + r * RowBytes(type, s.k), s.k);
      }
      TensorView view;
      view.name = s.name;
      view.type = type;
      view.n_dims = 2;
      view.ne[0] = s.k;
      view.ne[1] = s.n;
      view.data = bytes.data();
      view.n_bytes = bytes.size();
      const WeightChunk chunk = PackRows(view, 0, s.n);
      const std::vector<float> x = Random(uint64_t{T} * s.k, 2, 1.0f);
      const uint32_t ldy = s.swiglu ? s.n / 2 : s.n;
      WGPUBuffer wb = Buffer(c, chunk.words.size() * 4, chunk.words.data());
      WGPUBuffer xb = Buffer(c, x.size() * 4, x.data());
      WGPUBuffer yb = Buffer(c, uint64_t{T} * ldy * 4);
      const uint32_t p[7] = {T, s.n, s.k, chunk.qoff, ldy, 0, 0};
      const double flop = 2.0 * T * s.n * s.k;
      const StorageKernel k = Make(c, MatMulSpirv(type, s.swiglu), {wb, xb, yb}, {false, false, true}, 28);
      const double us = Time(c, k, p, sizeof(p), (s.n + 63) / 64, (T + 63) / 64);
      total_us += us;
      total_flop += flop;
      std::printf("matmul %-5s %-8s n %5u k %5u: %8.1f us  %7.3f TFLOP/s\n",
                  std::string(GgmlTypeName(type)).c_str(), s.name, s.n, s.k, us, flop / us * 1e-6);
      k.Release();
      for (WGPUBuffer b : {wb, xb, yb}) wgpuBufferRelease(b);
    }
    std::printf("matmul %-5s one layer: %8.1f us  %6.2f TFLOP/s; x22 layers: %.1f ms\n",
                std::string(GgmlTypeName(type)).c_str(), total_us, total_flop / total_us * 1e-6,
                22 * total_us / 1000);
  }
  {  // attention, tinyllama heads: 32 query heads on 4 KV heads of 64
    const uint32_t n_head = 32, n_kv = 4, hd = 64, kv_dim = n_kv * hd, q_dim = n_head * hd;
    const std::vector<float> qkv = Random(uint64_t{T} * (q_dim + 2 * kv_dim), 3, 1.0f);
    const std::vector<float> kv = Random(uint64_t{T} * kv_dim, 4, 1.0f);
    WGPUBuffer qb = Buffer(c, qkv.size() * 4, qkv.data()), kb = Buffer(c, kv.size() * 4, kv.data()),
               vb = Buffer(c, kv.size() * 4, kv.data()), ob = Buffer(c, uint64_t{T} * q_dim * 4);
    const StorageKernel k =
        Make(c, Words(kSpirv_attention_prefill), {qb, kb, vb, ob}, {false, false, false, true}, 28);
    float scale = 0.125f;
    uint32_t p[7] = {n_head, n_kv, hd, T, 0, 32, 0};
    std::memcpy(&p[6], &scale, 4);
    const double us = Time(c, k, p, sizeof(p), (T + 15) / 16, n_head);
    const double flop = 2.0 * 2.0 * n_head * hd * (double(T) * (T + 1) / 2);
    std::printf("attention_prefill 32x64 heads (4 KV): %8.1f us  %6.2f TFLOP/s; x22: %.1f ms\n", us,
                flop / us * 1e-6, 22 * us / 1000);
    const StorageKernel r =
        Make(c, Words(kSpirv_rope_store_batch), {qb, kb, vb, ob}, {true, true, true, false}, 24);
    const uint32_t rp[6] = {n_head, n_kv, hd, hd, 0, 0};
    const uint32_t threads = (n_head + n_kv) * hd / 2 + kv_dim;
    std::printf("rope_store_batch: %8.1f us\n", Time(c, r, rp, sizeof(rp), (threads + 63) / 64, T));
    const StorageKernel n = Make(c, Words(kSpirv_rmsnorm_batch), {qb, ob, kb}, {false, true, false}, 12);
    const uint32_t np[3] = {2048, 0, 0};
    std::printf("rmsnorm_batch: %8.1f us\n", Time(c, n, np, sizeof(np), T, 1));
  }
  return 0;
}

}  // namespace
}  // namespace wasmgpu::nn

int main(int argc, char** argv) { return wasmgpu::nn::Main(argc, argv); }
