// Helpers of the GPU kernel and model tests: one dispatch of one kernel over host vectors, random
// inputs, random matrices per weight type and the NMSE they are compared by; tiny synthetic
// llama models.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "llama_gguf.h"
#include "nn/byte_source.h"
#include "nn/gpu/gpu_context.h"
#include "nn/gpu/llama_gpu.h"
#include "nn/gpu/weight_layout.h"
#include "nn/reference/llama_cpu.h"
#include "nn/tensor_types.h"
#include "storage_kernel.h"
#include "tiny_llama.h"

namespace wasmgpu::nn::test {

inline GpuContext& Ctx() {
  static GpuContext* ctx = [] {
    auto c = GpuContext::Create();
    EXPECT_TRUE(c.ok()) << c.error().message;
    return c.ok() ? new GpuContext(std::move(*c)) : nullptr;
  }();
  return *ctx;
}

// One dispatch of one kernel over host vectors: uploads them, runs, reads the writable ones back.
struct Dispatch {
  std::span<const uint32_t> spirv;
  std::vector<std::vector<uint32_t>*> buffers;  // binding order
  std::vector<bool> writable;
  std::vector<uint32_t> params;
  uint32_t gx = 1, gy = 1;

  void Go() {
    GpuContext& c = Ctx();
    std::vector<WGPUBuffer> bufs;
    for (size_t i = 0; i < buffers.size(); ++i) {
      const uint64_t bytes = buffers[i]->size() * 4;
      bufs.push_back(c.CreateBuffer(bytes, WGPUBufferUsage_Storage | WGPUBufferUsage_CopyDst |
                                               WGPUBufferUsage_CopySrc, "test"));
      wgpuQueueWriteBuffer(c.queue(), bufs[i], 0, buffers[i]->data(), bytes);
    }
    const StorageKernel kernel = MakeStorageKernel(
        c, spirv, writable, static_cast<uint32_t>(params.size() * 4), {bufs}, "kernel");

    WGPUCommandEncoder enc = wgpuDeviceCreateCommandEncoder(c.device(), nullptr);
    WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(enc, nullptr);
    wgpuComputePassEncoderSetPipeline(pass, kernel.pipeline);
    wgpuComputePassEncoderSetBindGroup(pass, 0, kernel.groups[0], 0, nullptr);
    wgpuComputePassEncoderSetImmediateData(pass, 0, params.data(), params.size() * 4);
    wgpuComputePassEncoderDispatchWorkgroups(pass, gx, gy, 1);
    wgpuComputePassEncoderEnd(pass);
    std::vector<WGPUBuffer> reads(buffers.size(), nullptr);
    for (size_t i = 0; i < buffers.size(); ++i) {
      if (!writable[i]) continue;
      reads[i] = c.CreateBuffer(buffers[i]->size() * 4,
                                WGPUBufferUsage_MapRead | WGPUBufferUsage_CopyDst, "read");
      wgpuCommandEncoderCopyBufferToBuffer(enc, bufs[i], 0, reads[i], 0, buffers[i]->size() * 4);
    }
    WGPUCommandBuffer cmd = wgpuCommandEncoderFinish(enc, nullptr);
    wgpuQueueSubmit(c.queue(), 1, &cmd);
    for (size_t i = 0; i < buffers.size(); ++i) {
      if (reads[i] == nullptr) continue;
      WGPUBufferMapCallbackInfo cb{};
      cb.mode = WGPUCallbackMode_WaitAnyOnly;
      cb.callback = [](WGPUMapAsyncStatus, WGPUStringView, void*, void*) {};
      const size_t bytes = buffers[i]->size() * 4;
      ASSERT_TRUE(c.Wait(wgpuBufferMapAsync(reads[i], WGPUMapMode_Read, 0, bytes, cb), "read").ok());
      std::memcpy(buffers[i]->data(), wgpuBufferGetConstMappedRange(reads[i], 0, bytes), bytes);
      wgpuBufferUnmap(reads[i]);
      wgpuBufferRelease(reads[i]);
    }
    const Status errors = c.TakeErrors("kernel test");
    EXPECT_TRUE(errors.ok()) << errors.error().message;
    wgpuCommandBufferRelease(cmd);
    wgpuComputePassEncoderRelease(pass);
    wgpuCommandEncoderRelease(enc);
    kernel.Release();
    for (WGPUBuffer b : bufs) wgpuBufferRelease(b);
  }
};

inline std::vector<uint32_t> Floats(const std::vector<float>& v) {
  std::vector<uint32_t> w(v.size());
  std::memcpy(w.data(), v.data(), v.size() * 4);
  return w;
}
inline std::vector<float> AsFloats(const std::vector<uint32_t>& w) {
  std::vector<float> v(w.size());
  std::memcpy(v.data(), w.data(), w.size() * 4);
  return v;
}
inline uint32_t Bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
inline std::vector<float> Random(size_t n, uint32_t seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}
inline double Nmse(const std::vector<float>& ref, const std::vector<float>& got) {
  double err = 0, norm = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    err += (ref[i] - got[i]) * double(ref[i] - got[i]);
    norm += ref[i] * double(ref[i]);
  }
  return err / norm;
}

struct Matrix {
  std::vector<uint8_t> bytes;
  TensorView view;
};
inline Matrix RandomMatrix(GgmlType type, uint64_t n_in, uint64_t n_out, uint32_t seed) {
  Matrix m;
  m.bytes.resize(RowBytes(type, n_in) * n_out);
  const std::vector<float> v = Random(n_in * n_out, seed);
  for (uint64_t r = 0; r < n_out; ++r) {
    QuantizeRow(type, &v[r * n_in], m.bytes.data() + r * RowBytes(type, n_in), int64_t(n_in));
  }
  m.view.name = std::string(1, 'm');
  m.view.type = type;
  m.view.n_dims = 2;
  m.view.ne[0] = n_in;
  m.view.ne[1] = n_out;
  m.view.data = m.bytes.data();
  m.view.n_bytes = m.bytes.size();
  return m;
}

constexpr GgmlType kTypes[] = {GgmlType::kF32, GgmlType::kF16, GgmlType::kQ8_0, GgmlType::kQ4_0};

// A synthetic model of shape `c` in `type` (seed 21), written to memory and loaded.
inline Result<LlamaModel> SynthLlama(const gguf::LlamaConfig& c, GgmlType type) {
  gguf::VectorSink sink;
  NN_TRY(gguf::WriteSyntheticLlama({c, type, 21, 2}, sink));
  NN_TRY_ASSIGN(GgufFile f, GgufFile::Parse(MakeMemorySource(std::move(sink.bytes()))));
  return LoadLlamaModel(std::make_shared<GgufFile>(std::move(f)));
}

// From now on `cpu` quantizes x for the products `gpu`'s decode steps quantize it for
// (LlamaGpu::QuantizesActivations), so that the two compute the same sums.
inline void MirrorActivationQuantization(const LlamaGpu& gpu, LlamaCpu& cpu) {
  cpu.set_quantized_activations(
      [&gpu](const TensorView& w) { return gpu.QuantizesActivations(w.type, w.ne[0]); });
}

}  // namespace wasmgpu::nn::test
