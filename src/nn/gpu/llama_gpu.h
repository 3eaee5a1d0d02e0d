// The llama forward pass on the GPU, through webgpu.h only. Everything is made at load time:
// weights uploaded once (quantized types stay quantized, src/nn/gpu/weight_layout.h), the KV
// cache resident, pipelines and bind groups created; a decode step records one command buffer,
// submits it and reads back the logits. Computes what LlamaCpu computes (the tests compare them).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "nn/gpu/gpu_context.h"
#include "nn/llama_model.h"
#include "nn/status.h"

namespace wasmgpu::nn {

class LlamaGpu {
 public:
  // `max_binding_bytes` (0: the device's maxStorageBufferBindingSize) bounds each weight chunk;
  // tests lower it to exercise tensors split across bindings.
  static Result<std::unique_ptr<LlamaGpu>> Create(GpuContext& ctx, const LlamaModel& model,
                                                  uint32_t max_seq, uint64_t max_binding_bytes = 0);
  ~LlamaGpu();
  LlamaGpu(const LlamaGpu&) = delete;
  LlamaGpu& operator=(const LlamaGpu&) = delete;

  // Runs `token` at `pos` (positions in order) and returns the logits [n_vocab], valid until the
  // next call.
  Result<std::span<const float>> Forward(int32_t token, uint32_t pos);

  size_t dispatches_per_token() const { return dispatches_per_token_; }
  uint64_t weight_bytes() const { return weight_bytes_; }

 private:
  struct Kernel {
    WGPUComputePipeline pipeline = nullptr;
    WGPUBindGroupLayout layout = nullptr;
    std::vector<bool> writable;  // per binding
  };
  struct Chunk {
    WGPUBuffer buffer = nullptr;
    uint64_t first_row = 0, rows = 0;
    uint32_t qoff = 0;
  };
  struct Matrix {
    GgmlType type = GgmlType::kF32;
    uint64_t n_in = 0, n_out = 0;
    std::vector<Chunk> chunks;
  };
  // One matrix-vector product: per chunk its bind group over (weights, x, y).
  struct MatVecOp {
    const Matrix* matrix = nullptr;
    std::vector<WGPUBindGroup> groups;
    bool accumulate = false;
  };
  struct Layer {
    MatVecOp wq, wk, wv, wo, gate, up, down;
    WGPUBindGroup attn_norm = nullptr, ffn_norm = nullptr, rope = nullptr, attention = nullptr;
    WGPUBuffer k_cache = nullptr, v_cache = nullptr;
  };

  LlamaGpu(GpuContext& ctx, const LlamaModel& model, uint32_t max_seq)
      : ctx_(ctx), model_(model), max_seq_(max_seq) {}
  Status Init(uint64_t max_binding_bytes);
  Result<Kernel> MakeKernel(std::span<const uint32_t> spirv, std::vector<bool> writable,
                            uint32_t immediate_size, const char* label);
  Result<Matrix> Upload(const TensorView& t, uint64_t max_binding_bytes);
  WGPUBuffer MakeBuffer(uint64_t bytes, const char* label, const void* data = nullptr);
  WGPUBindGroup Bind(const Kernel& k, std::vector<WGPUBuffer> buffers);
  MatVecOp MakeMatVec(const Matrix& m, WGPUBuffer x, WGPUBuffer y, bool accumulate);
  void RecordMatVec(WGPUComputePassEncoder pass, const MatVecOp& op, uint32_t out_offset);
  const Kernel& MatVecKernel(GgmlType type) const;

  GpuContext& ctx_;
  const LlamaModel& model_;
  uint32_t max_seq_;
  Kernel matvec_[4], embed_[4], rmsnorm_, rope_, attention_, swiglu_;
  std::vector<std::unique_ptr<Matrix>> matrices_;  // every uploaded matrix; ops point at them
  Matrix* token_embd_ = nullptr;
  Matrix* output_ = nullptr;
  std::vector<WGPUBindGroup> embed_groups_;  // per token_embd chunk
  std::vector<Layer> layers_;
  MatVecOp output_op_;
  WGPUBindGroup output_norm_group_ = nullptr, swiglu_group_ = nullptr;
  // Activations, as in LlamaCpu.
  WGPUBuffer x_ = nullptr, xb_ = nullptr, q_ = nullptr, attn_out_ = nullptr, hb_ = nullptr,
             hb2_ = nullptr, att_ = nullptr, logits_ = nullptr, readback_ = nullptr;
  WGPUBuffer attn_norms_ = nullptr, ffn_norms_ = nullptr, output_norm_ = nullptr,
             inv_freq_ = nullptr;
  std::vector<WGPUBuffer> owned_buffers_;
  std::vector<WGPUBindGroup> owned_groups_;
  std::vector<float> logits_host_;
  size_t dispatches_per_token_ = 0;
  uint64_t weight_bytes_ = 0;
};

}  // namespace wasmgpu::nn
