// The llama forward pass on the GPU, through webgpu.h only. Everything is made at load time:
// weights uploaded once (quantized types stay quantized, src/nn/gpu/weight_layout.h), the KV
// cache resident, pipelines and bind groups created; a decode step records one command buffer,
// submits it and reads back the logits. Computes what LlamaCpu computes (the tests compare them).
#pragma once

#include <chrono>
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
  // `use_host_mapped`: read the logits through a buffer over host memory when the device can
  // (zero copies); false forces the standard copy + mapAsync path.
  static Result<std::unique_ptr<LlamaGpu>> Create(GpuContext& ctx, const LlamaModel& model,
                                                  uint32_t max_seq, uint64_t max_binding_bytes = 0,
                                                  bool use_host_mapped = true);
  ~LlamaGpu();
  LlamaGpu(const LlamaGpu&) = delete;
  LlamaGpu& operator=(const LlamaGpu&) = delete;

  // Runs `token` at `pos` (positions in order) and returns the logits [n_vocab], valid until the
  // next call.
  Result<std::span<const float>> Forward(int32_t token, uint32_t pos);
  // Runs `tokens` at positions start_pos, start_pos + 1, ... in batches of prefill_batch()
  // tokens (matrix-matrix kernels, one submit per batch, one wait) and returns the logits of the
  // last (the prompt: no per-token round trip, no classifier for the tokens before the last).
  Result<std::span<const float>> Prefill(std::span<const int32_t> tokens, uint32_t start_pos);
  // Greedy decoding without the host in the loop. Runs `token` at `pos` (positions in order, as
  // Forward) and returns the index of the largest of that step's logits, the token
  // Sampler::Argmax would pick (lowest index among equal maxima), chosen on the GPU by a kernel
  // at the end of the step. Before waiting for step `pos`, it queues step pos + 1 speculatively,
  // its token read on the GPU from what step pos picked: the next call, ForwardGreedy(the
  // returned token, pos + 1), then finds that step already running and only queues pos + 2,
  // so the GPU never waits for the host. A next call with another token or position (a forced
  // token, a stop, a restart), or a call of Forward, Prefill or TimeMatVecs, discards the
  // speculative step: it wrote only the activations, KV-cache position pos + 1 and its own pick,
  // all of which the next step at pos + 1 rewrites, and positions past a step are not read by
  // it. The logits stay on the GPU (Forward's span is not updated). Where the device cannot map
  // host memory into buffers, or while profiling, it runs Forward and Sampler::Argmax instead.
  Result<int32_t> ForwardGreedy(int32_t token, uint32_t pos);
  // ForwardGreedy picks on the GPU and queues the next step ahead (false: Forward + argmax).
  bool greedy_pipelined() const { return picks_mapped_ != nullptr && profiling_ == Profiling::kOff; }

  // Tokens per prefill batch: at most the batch the activation buffers were sized for at load
  // (min(512, max_seq), or WASMGPU_PREFILL_BATCH); 0 runs the prompt token by token through the
  // decode kernels. Tests lower it to split prompts into several batches.
  Status SetPrefillBatch(uint32_t tokens);
  uint32_t prefill_batch() const { return prefill_batch_; }
  // Whether the prefill products other than down run in f16 arithmetic (GpuContext::prefill_f16;
  // WASMGPU_PREFILL_F16=0 or 1 at load overrides it, 1 only where the device has ShaderF16).
  bool prefill_f16() const { return prefill_f16_; }

  size_t dispatches_per_token() const { return dispatches_per_token_; }
  bool logits_host_mapped() const { return logits_mapped_ != nullptr; }
  uint64_t weight_bytes() const { return weight_bytes_; }
  // Weight bytes the matrix-vector products of one decode step read (every layer's matrices and
  // the classifier; not the embedding table, of which one row is read).
  uint64_t matvec_bytes() const { return matvec_bytes_; }
  // "portable", "wide" (+subgroups), "mixed" (wide for long rows, + subgroups): the matvec
  // kernels in use (GpuContext::MatVecPath).
  const char* matvec_kernels() const;
  // Whether the decode products over a matrix of `type` with rows of `n_in` inputs quantize x to
  // 8 bits per block (matvec_dot8.glsl; the CPU reference mirrors it with
  // LlamaCpu::set_quantized_activations).
  bool QuantizesActivations(GgmlType type, uint64_t n_in) const;

  // Where a decode step's time goes (wasmgpu bench llama). The op families of one step:
  enum class Op { kEmbed = 0, kQkv, kAttention, kWo, kFfn, kDown, kOutput };
  static constexpr int kOpCount = 7;
  static const char* OpName(Op op);
  struct StepTimes {
    double record_us = 0;  // recording the step before its submit (0 when recorded ahead)
    double submit_us = 0;  // finishing the command buffer and wgpuQueueSubmit
    double record_ahead_us = 0;  // recording the next step while this one runs on the GPU
    double wait_us = 0;    // from the submit until the logits can be read (record_ahead_us too)
    bool has_gpu_step = false;  // gpu_step_ns is valid (Profiling::kStep)
    double gpu_step_ns = 0;     // GPU time of the whole step, one timestamp pair around it
    bool has_gpu_ops = false;   // gpu_ns is valid (Profiling::kOps)
    double gpu_ns[kOpCount] = {};  // GPU time per op family, summed over the layers
  };
  // GPU timestamps in Forward. kStep: a timestamp pair around the whole step. kOps: every op in
  // its own compute pass with a timestamp pair, which adds a few microseconds per op. Either way
  // the step also maps the timestamps and is recorded when submitted (not ahead). Returns false
  // (and stays off) when the device has no TimestampQuery. Timestamps are read as nanoseconds
  // (the timestampPeriod of NVIDIA GPUs and lavapipe is 1).
  enum class Profiling { kOff, kStep, kOps };
  bool SetProfiling(Profiling mode);
  // Forward records the command buffer of step pos + 1 (with the token read from a buffer on the
  // GPU) while step pos runs, so recording leaves the critical path; on by default.
  void SetRecordAhead(bool on);
  // Workgroups per query head of the decode attention (flash-decoding: each takes a slice of the
  // positions; the head's last workgroup to finish combines their partial outputs, no extra
  // dispatch). N forces N, at most kMaxAttentionSplit, even past the position count (the extra
  // workgroups get no positions); 1 is one workgroup per head; 0, the default, picks it from
  // the position count (AttentionSplit). WASMGPU_ATTN_SPLIT=N at load sets it. On an H200,
  // tinyllama-1.1b Q4_0 decode with the previous kernel, same call: automatic 672-685 tok/s
  // against 608-617 unsplit after a 512-token prompt, 676-680 against 645-669 after 64
  // (bench/results/llama-h200-all.md).
  static constexpr uint32_t kMaxAttentionSplit = 16;
  Status SetAttentionSplit(uint32_t split);
  // The split a decode step over positions 0..n_pos - 1 uses. Automatic (0): 1 (the unsplit
  // kernel) on CPU adapters (portable matvec kernels) and up to two passes of the kernel
  // (2 AttentionPositionsPerPass positions), else one workgroup per pass, at most
  // kAutoMaxSplit. On the H100, tinyllama-1.1b heads, the kernel alone with cold caches
  // (bench/results/llama-h100-attention.md): unsplit 8.5 us at 256 positions against 9.5 split
  // in 2; at 512, 10.5 unsplit, 10.6 in 2, 9.6 in 4, 13.0 in 5 (the 256-thread workgroups run
  // one per SM: 160 of them take two waves on 132 SMs).
  static constexpr uint32_t kAutoMaxSplit = 4;
  // Positions one workgroup of attention_decode.glsl covers per memory round trip: its 256
  // threads form slices of head_dim / 4 threads, each loading the k and v of 8 positions at once.
  static constexpr uint32_t AttentionPositionsPerPass(uint32_t head_dim) {
    return 256 / (head_dim / 4) * 8;
  }
  uint32_t AttentionSplit(uint32_t n_pos) const;
  // Times of the last Forward (not Prefill).
  const StepTimes& last_step() const { return last_step_; }
  // GPU time of one dispatch of each matrix-vector op of layer 0 (qkv, wo, ffn, down) and of the
  // classifier (output): `reps` back-to-back dispatches of it in one pass between two timestamps,
  // each waiting for the one before as in a step. Nanoseconds per dispatch (chunks together),
  // indexed by Op; embed and attention are 0. Leaves the activations undefined (the next step
  // recomputes them; the KV cache is not touched). Needs TimestampQuery.
  Result<std::vector<double>> TimeMatVecs(uint32_t reps);
  // Weight bytes of each op's matrix in TimeMatVecs (layer 0; output: the classifier).
  std::vector<uint64_t> matvec_op_bytes() const;

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
    uint64_t bytes = 0;  // on the GPU, all chunks
    std::vector<Chunk> chunks;
  };
  // matvec.glsl's variants: plain, RMSNorm folded in, and RMSNorm + gate/up pairs + SwiGLU.
  enum class MatVecKind { kPlain = 0, kNorm = 1, kFfn = 2 };
  // One matrix-vector product: per chunk its bind group over (weights, x, y[, norm weight]).
  struct MatVecOp {
    const Matrix* matrix = nullptr;
    MatVecKind kind = MatVecKind::kPlain;
    bool wide = false;  // wide_ kernels (else matvec_)
    bool pipe = false;   // pipe_ kernels (wide, quantized, large, subgroups)
    bool dot8 = false;   // dot8_ kernels (QuantizesActivations)
    bool dot8_long = false;  // dot8_long_ (rows over 2048 inputs)
    uint32_t pairs = 1;  // wide and pipe kernels: row pairs per row group
    std::vector<WGPUBindGroup> groups;
    bool accumulate = false;
    uint32_t norm_offset = 0;
  };
  // Five dispatches per layer: qkv (norm folded in), attention_decode (RoPE and the KV-cache
  // store folded in), wo (+= x), ffn (norm, gate, up, SwiGLU), down (+= x).
  struct Layer {
    MatVecOp qkv, wo, ffn, down;
    WGPUBindGroup attention_decode = nullptr;
    WGPUBuffer k_cache = nullptr, v_cache = nullptr;
  };

  LlamaGpu(GpuContext& ctx, const LlamaModel& model, uint32_t max_seq)
      : ctx_(ctx), model_(model), max_seq_(max_seq) {}
  Status Init(uint64_t max_binding_bytes, bool use_host_mapped);
  Result<Kernel> MakeKernel(std::span<const uint32_t> spirv, std::vector<bool> writable,
                            uint32_t immediate_size, const char* label);
  // `row_multiple`: chunks hold whole groups of rows (2 for interleaved gate/up).
  Result<Matrix*> Upload(const TensorView& t, uint64_t max_binding_bytes, uint64_t row_multiple = 1);
  WGPUBuffer MakeBuffer(uint64_t bytes, const char* label, const void* data = nullptr);
  WGPUBindGroup Bind(const Kernel& k, std::vector<WGPUBuffer> buffers);
  MatVecOp MakeMatVec(const Matrix& m, MatVecKind kind, WGPUBuffer x, WGPUBuffer y,
                      bool accumulate, WGPUBuffer norm = nullptr, uint32_t norm_offset = 0);
  void RecordMatVec(WGPUComputePassEncoder pass, const MatVecOp& op, uint32_t out_offset);
  // One token's dispatches; the classifier only when `logits`; `token` kTokenFromBuffer: the
  // embedding reads the id from token_buf_, kTokenFromGreedy: from greedy_token_ (the previous
  // step's GPU pick). Returns the pass to continue in (a new one when profiling split the step
  // into passes).
  static constexpr int32_t kTokenFromBuffer = -1;
  static constexpr int32_t kTokenFromGreedy = -2;
  WGPUComputePassEncoder RecordStep(WGPUComputePassEncoder pass, int32_t token, uint32_t pos,
                                    bool logits);
  // A decode step at `pos` whose token comes from token_buf_, finished (logits copy included).
  WGPUCommandBuffer RecordDecode(uint32_t pos);
  void DropAhead();
  // A ForwardGreedy step at `pos`: the classifier into greedy_logits_, then the argmax into
  // greedy_token_ and picks_[pos % 2]. `token` as RecordStep's.
  WGPUCommandBuffer RecordGreedy(int32_t token, uint32_t pos);
  // A submitted step ForwardGreedy will wait for: the queue's work-done future after its submit.
  struct GreedyStep {
    bool valid = false;
    uint32_t pos = 0;
    int32_t token = 0;  // speculative steps: the token they run (what step pos - 1 returned)
    WGPUFuture future{};
  };
  void SubmitGreedy(WGPUCommandBuffer cmd, GreedyStep* step);
  Status WaitGreedy(GreedyStep* step);
  // Waits for a speculative step still queued and forgets it (every other entry point first).
  Status SettleGreedy();
  // ForwardGreedy's kernel, buffers and bind groups (Init, where host memory maps into buffers).
  Status InitGreedy();
  Result<std::span<const float>> ForwardProfiled(int32_t token, uint32_t pos);
  // Before each op of a step: while a profiled step is recorded, ends `pass` and begins the op's
  // own pass with timestamp writes; otherwise returns `pass`.
  WGPUComputePassEncoder NextOp(WGPUComputePassEncoder pass, Op op);
  // Token ids in the vocabulary and positions inside the cache, else the error.
  Status CheckTokens(std::span<const int32_t> tokens, uint32_t start_pos) const;
  // Every token's decode step in one command buffer (the classifier for the last only).
  Result<std::span<const float>> RunSteps(std::span<const int32_t> tokens, uint32_t start_pos);
  // Finishes and submits `enc` (releasing it); the next submit queues behind it. Long prompts
  // go in several submits so that none runs past the runtime's GPU timeout.
  void SubmitWithoutWaiting(WGPUCommandEncoder enc);
  // Finishes `enc` (releasing it; adding the logits copy on the mapAsync path), submits it,
  // waits, and returns the logits it computed; `times` (optional) gets submit_us and wait_us.
  Result<std::span<const float>> SubmitAndReadLogits(WGPUCommandEncoder enc,
                                                     StepTimes* times = nullptr);
  // Adds the logits copy on the mapAsync path and finishes `enc` (releasing it).
  WGPUCommandBuffer FinishStep(WGPUCommandEncoder enc);
  // Waits for the submitted step and returns its logits; times->wait_us from `submitted`.
  Result<std::span<const float>> WaitForLogits(StepTimes* times, std::chrono::steady_clock::time_point submitted);
  Status ReadTimestamps(StepTimes* times);
  const Kernel& MatVecKernel(const MatVecOp& op) const;

  // ---- Batched prefill (llama_prefill.cpp) ----
  // One matrix-matrix product over a batch: per weight chunk its bind group over (W, X, Y).
  struct MatMulOp {
    const Matrix* matrix = nullptr;
    bool swiglu = false, accumulate = false;
    bool f16 = false;  // f16 arithmetic (matmul_[1])
    uint32_t ldy = 0;  // row stride of Y
    std::vector<WGPUBindGroup> groups;
  };
  // Eight dispatches per layer and batch: rmsnorm, qkv, rope_store_batch, attention_prefill,
  // wo (+= x), rmsnorm, gate/up + SwiGLU, down (+= x); plus one per weight chunk beyond the first.
  struct PrefillLayer {
    MatMulOp qkv, wo, ffn, down;
    WGPUBindGroup attn_norm = nullptr, ffn_norm = nullptr, rope = nullptr, attention = nullptr;
  };
  // Kernels, activation buffers for `prefill_capacity_` tokens and bind groups (MakePrefill),
  // then waits for the weight uploads (end of Init).
  Status InitPrefill();
  Status MakePrefill();
  // `f16`: in f16 arithmetic (matmul_[1]), for products whose input is bounded (see MakePrefill).
  MatMulOp MakeMatMul(const Matrix& m, bool swiglu, bool f16, WGPUBuffer x, WGPUBuffer y,
                      uint32_t ldy, bool accumulate);
  void RecordMatMul(WGPUComputePassEncoder pass, const MatMulOp& op, uint32_t n_tokens);
  // The dispatches of `n` tokens at positions pos0.. whose ids are p_tokens_[first ..].
  void RecordPrefillBatch(WGPUComputePassEncoder pass, uint32_t first, uint32_t n, uint32_t pos0);
  std::vector<Kernel*> PrefillKernels();  // for the destructor
  Kernel matmul_[2][2][4];  // [f16 arithmetic][swiglu][type]; f16 only where prefill_f16_
  Kernel embed_batch_[4], rmsnorm_batch_, rope_batch_, attention_prefill_;
  std::vector<PrefillLayer> prefill_layers_;
  std::vector<WGPUBindGroup> embed_batch_groups_;  // per token_embd chunk
  WGPUBuffer p_tokens_ = nullptr;  // [max_seq] the prompt's ids
  WGPUBuffer p_x_ = nullptr;       // [B][n_embd]  residual stream of the batch
  WGPUBuffer p_xn_ = nullptr;      // [B][n_embd]  rmsnorm(x) * norm weight
  WGPUBuffer p_qkv_ = nullptr;     // [B][q_dim + 2 kv_dim]
  WGPUBuffer p_attn_ = nullptr;    // [B][q_dim]
  WGPUBuffer p_h_ = nullptr;       // [B][n_ff]  silu(gate) * up
  uint32_t prefill_capacity_ = 0;  // B: the batch the buffers hold
  bool prefill_f16_ = false;       // qkv, wo and ffn take matmul_[1] (F16_MATH)
  uint32_t prefill_batch_ = 0;
  // Token-by-token prompt steps per submit (0: all in one). Set on CPU adapters for models too
  // large to batch there, so that no submit runs past the runtime's GPU timeout.
  uint32_t steps_per_submit_ = 0;
  // ---- end of batched prefill ----

  GpuContext& ctx_;
  const LlamaModel& model_;
  uint32_t max_seq_;
  Kernel matvec_[3][4], wide_[3][4], embed_[4], embed_tok_[4], attention_decode_;
  // matvec_pipe_<kind>_<type> for Q8_0 and Q4_0 ([plain, norm, ffn][Q8_0, Q4_0]): the
  // wide kernels' products with their loads issued ahead and several row pairs per row group,
  // for large quantized matrices (MakeMatVec) where the device has subgroups.
  // pipe_mode_ (WASMGPU_MATVEC_PIPE=N at load): 0 never, 1 large matrices (the default), 2
  // every quantized wide product (benchmarks).
  Kernel pipe_[3][2];
  uint32_t pipe_mode_ = 1;
  // matvec_dot8_<kind>_<type> ([plain, norm, ffn][Q8_0, Q4_0]): x quantized to 8 bits per block
  // and integer dot products, for Q8_0 and Q4_0 wide products with rows of up to 2048 inputs
  // (Q4_0 up to 4096: dot8_long_)
  // where the device has ShaderIntegerDotProduct and subgroups of at least 8 invocations
  // (WASMGPU_MATVEC_DOT8=0 at load turns them off, =2 keeps them off the classifier, for
  // benchmarks; with 2 QuantizesActivations does not describe the classifier).
  Kernel dot8_[3][2];
  Kernel dot8_long_[3];  // matvec_dot8_long_<kind>_q4_0: Q4_0 rows of 2049-4096 inputs
  bool use_dot8_ = false;
  uint32_t dot8_mode_ = 1;
  // Workgroups a pipe product aims at (its pairs per row group; WASMGPU_MATVEC_GROUPS=N at load).
  uint64_t matvec_target_groups_ = 1024;
  uint32_t attention_split_ = 0;  // SetAttentionSplit (0: automatic)
  // Which matvec kernels: matvec_ (portable) or wide_ (matvec_wide).
  bool use_wide_ = false, mixed_ = false, wide_subgroups_ = false;
  std::vector<std::unique_ptr<Matrix>> matrices_;  // every uploaded matrix; ops point at them
  Matrix* token_embd_ = nullptr;
  Matrix* output_ = nullptr;
  std::vector<WGPUBindGroup> embed_groups_, embed_tok_groups_;  // per token_embd chunk
  // ForwardGreedy (made where the device maps host memory into buffers): the classifier writes
  // greedy_logits_ on the GPU (not the host-mapped logits_, which the argmax would read back over
  // the bus), argmax_ picks from it into greedy_token_ (device memory, read by the next step's
  // embedding through embed_greedy_groups_) and picks_ (host-mapped, two slots by position parity:
  // the host reads step pos's pick while step pos + 1, which writes the other slot, runs).
  Kernel argmax_;
  WGPUBuffer greedy_logits_ = nullptr, greedy_token_ = nullptr, picks_ = nullptr;
  volatile const uint32_t* picks_mapped_ = nullptr;
  WGPUBindGroup argmax_group_ = nullptr;
  std::vector<WGPUBindGroup> embed_greedy_groups_;  // per token_embd chunk
  MatVecOp greedy_output_op_;  // output_op_ into greedy_logits_
  GreedyStep greedy_spec_;     // the step queued ahead by the last ForwardGreedy
  // Set by the work-done callback, which runs inside the wait for its future (WaitAnyOnly).
  WGPUQueueWorkDoneStatus greedy_status_ = WGPUQueueWorkDoneStatus_Error;
  WGPUBuffer token_buf_ = nullptr;     // [1] the token id of a step recorded ahead
  uint32_t* token_mapped_ = nullptr;   // token_buf_'s memory when it is host-mapped
  std::vector<Layer> layers_;
  MatVecOp output_op_;  // final norm folded in
  // Activations.
  WGPUBuffer x_ = nullptr;         // [n_embd]  residual stream
  WGPUBuffer qkv_ = nullptr;       // [q_dim + 2 kv_dim]  this token's q | k | v
  WGPUBuffer attn_out_ = nullptr;  // [kMaxAttentionSplit][q_dim]  [0]: output; split: partials
  WGPUBuffer attn_ml_ = nullptr;   // [kMaxAttentionSplit][n_head]  partials' (max, sum of exp)
  WGPUBuffer attn_arrivals_ = nullptr;  // [n_head]  split: workgroups done per head (0 between)
  WGPUBuffer hb_ = nullptr;        // [n_ff]   silu(gate) * up
  WGPUBuffer logits_ = nullptr, readback_ = nullptr;
  WGPUBuffer attn_norms_ = nullptr, ffn_norms_ = nullptr, output_norm_ = nullptr,
             inv_freq_ = nullptr;
  std::vector<WGPUBuffer> owned_buffers_;
  std::vector<WGPUBindGroup> owned_groups_;
  std::vector<float> logits_host_;     // the mapAsync path's copy
  float* logits_mapped_ = nullptr;     // the host-mapped path: logits_ is this memory
  size_t dispatches_per_token_ = 0;
  uint64_t weight_bytes_ = 0, matvec_bytes_ = 0;
  bool record_ahead_ = true;
  WGPUCommandBuffer ahead_cmd_ = nullptr;  // step ahead_pos_, recorded ahead
  uint32_t ahead_pos_ = 0;
  // Profiling (SetProfiling): a query pair per op of one step.
  Profiling profiling_ = Profiling::kOff;
  WGPUQuerySet query_set_ = nullptr;
  WGPUBuffer query_resolve_ = nullptr, query_readback_ = nullptr;
  uint32_t query_count_ = 0;
  WGPUCommandEncoder profiled_encoder_ = nullptr;  // while a profiled step is recorded
  std::vector<Op> profiled_ops_;
  StepTimes last_step_;
};

}  // namespace wasmgpu::nn
