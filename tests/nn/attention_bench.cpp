// Times the decode attention kernel (attention_decode.glsl) at tinyllama-1.1b's heads (32 query
// heads on 4 KV heads of 64, 2048-position caches) for several positions and splits, and prints
// microseconds per dispatch (a benchmark, not a test: nothing is asserted;
// bench/results/llama-h100-attention.md records the figures). Each timing is the median of 5
// submits of `reps` back-to-back dispatches (each waits for the one before, as in a decode step),
// waited on. The dispatches cycle through kLayers layers' caches (96 MiB in all, more than an
// H100's L2) so that, as in a decode step, the caches are mostly read from memory.
//
//   nn_attention_bench [REPS [OTHER.spv...]]     (REPS: default 200)
//
// OTHER.spv: other builds of the kernel with the same bindings and push constants (an older
// version, variants; compiled with glslc) timed the same way, for side-by-side figures.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "nn/gpu/gpu_context.h"
#include "nn_kernels.h"
#include "storage_kernel.h"

namespace wasmgpu::nn {
namespace {

using test::MakeStorageKernel;
using test::MedianDispatchMicros;
using test::Words;

WGPUBuffer Buffer(GpuContext& c, const std::vector<float>& data) {
  WGPUBuffer b = c.CreateBuffer(data.size() * 4, WGPUBufferUsage_Storage | WGPUBufferUsage_CopyDst,
                                "bench");
  wgpuQueueWriteBuffer(c.queue(), b, 0, data.data(), data.size() * 4);
  return b;
}

std::vector<float> Random(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

int Main(int argc, char** argv) {
  const int reps = argc > 1 ? std::atoi(argv[1]) : 200;
  auto ctx = GpuContext::Create();
  if (!ctx.ok()) {
    std::fprintf(stderr, "%s\n", ctx.error().message.c_str());
    return 1;
  }
  GpuContext& c = *ctx;
  const uint32_t n_head = 32, n_kv = 4, hd = 64, max_seq = 2048, n_rot = 64;
  const uint32_t q_dim = n_head * hd, kv_dim = n_kv * hd, max_split = 16;
  std::vector<float> inv(n_rot / 2);
  for (uint32_t i = 0; i < inv.size(); ++i) inv[i] = std::pow(10000.0f, -2.0f * i / n_rot);
  constexpr uint32_t kLayers = 24;
  const WGPUBuffer qkv = Buffer(c, Random(q_dim + 2 * kv_dim, 1)), inv_b = Buffer(c, inv),
                   out = Buffer(c, std::vector<float>(max_split * q_dim)),
                   ml = Buffer(c, std::vector<float>(max_split * n_head * 2)),
                   arrivals = Buffer(c, std::vector<float>(n_head, 0.0f));  // 0 bits: 0u
  std::vector<WGPUBuffer> all = {qkv, inv_b, out, ml, arrivals};
  std::vector<std::vector<WGPUBuffer>> layers;
  for (uint32_t l = 0; l < kLayers; ++l) {
    const WGPUBuffer k = Buffer(c, Random(max_seq * kv_dim, 2 + 2 * l)),
                     v = Buffer(c, Random(max_seq * kv_dim, 3 + 2 * l));
    layers.push_back({qkv, k, v, inv_b, out, ml, arrivals});
    all.push_back(k);
    all.push_back(v);
  }
  std::printf("adapter: %s, %d dispatches per submit; us per dispatch\n", c.adapter_name().c_str(),
              reps);
  std::vector<std::vector<uint32_t>> others;
  for (int a = 2; a < argc; ++a) {
    std::ifstream f(argv[a], std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(f)), {});
    std::vector<uint32_t>& words = others.emplace_back(bytes.size() / 4);
    std::memcpy(words.data(), bytes.data(), words.size() * 4);
    if (words.empty()) {
      std::fprintf(stderr, "Reading SPIR-V from '%s' failed.\n", argv[a]);
      return 1;
    }
  }
  const uint32_t positions[] = {0, 63, 255, 511, 600, 1023, 2047};
  const uint32_t splits[] = {1, 2, 3, 4, 5, 8};
  for (size_t variant = 0; variant < 3 + others.size(); ++variant) {
    if (variant == 1 && !c.has_subgroups()) continue;
    const std::span<const uint32_t> spirv =
        variant == 0   ? Words(kSpirv_attention_decode)
        : variant == 1 ? Words(kSpirv_attention_decode_sg)
        : variant == 2 ? Words(kSpirv_attention_decode_cpu)
                       : std::span<const uint32_t>(others[variant - 3]);
    // (Kernels with six bindings, older ones, leave the seventh unused.)
    test::StorageKernel k = MakeStorageKernel(
        c, spirv, {false, true, true, false, true, true, true}, 36, layers, "bench");
    const std::string name = variant == 0   ? "portable"
                             : variant == 1 ? "subgroups"
                             : variant == 2 ? "cpu (64 threads)"
                                            : argv[variant - 1];
    std::printf("%s\n  pos:         ", name.c_str());
    for (uint32_t pos : positions) std::printf(" %7u", pos);
    std::printf("\n");
    for (uint32_t split : splits) {
      std::printf("  split %2u:     ", split);
      for (uint32_t pos : positions) {
        const float scale = 0.125f;
        uint32_t p[9] = {n_head, n_kv, hd, n_rot, pos, max_seq, 0, 0, split};
        std::memcpy(&p[7], &scale, 4);
        std::printf(" %7.2f", MedianDispatchMicros(c, k, p, sizeof(p), n_head, split, reps));
      }
      std::printf("\n");
      std::fflush(stdout);
    }
    k.Release();
  }
  for (WGPUBuffer b : all) wgpuBufferRelease(b);
  return 0;
}

}  // namespace
}  // namespace wasmgpu::nn

int main(int argc, char** argv) { return wasmgpu::nn::Main(argc, argv); }
