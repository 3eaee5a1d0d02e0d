// LlamaGpu::Prefill: the prompt in batches of up to B tokens, each layer a handful of
// dispatches over the whole batch, one submit per batch and one wait, logits only for the last
// token. The weight products are matrix-matrix (kernels/matmul.glsl): a weight
// is read and dequantized once per 64-token tile instead of once per token as at decode time.
//
// Per batch of n tokens at positions pos0 .. pos0 + n - 1 (shapes per token row):
//   X    = token_embd[tokens]                          embed_batch_<type>, per table chunk
//   per layer:
//     XN   = rmsnorm(X) * attn_norm                    rmsnorm_batch
//     QKV  = XN [Wq; Wk; Wv]^T                         matmul_<type>, per chunk
//     rotate q in QKV; k (rotated), v -> cache[pos]    rope_store_batch
//     A    = causal softmax(q k^T / sqrt(d)) v (GQA)   attention_prefill
//     X   += A Wo^T                                    matmul_<type>
//     XN   = rmsnorm(X) * ffn_norm                     rmsnorm_batch
//     H    = silu(XN Wg^T) * (XN Wu^T)                 matmul_ffn_<type> (gate/up interleaved)
//     X   += H Wd^T                                    matmul_<type>
// then the last row of X goes to the decode path's x and through its classifier (final norm
// folded in), so the logits come back as a decode step's do.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "nn/gpu/llama_gpu.h"
#include "nn_kernels.h"  // generated: kSpirv_<kernel> arrays (src/nn/CMakeLists.txt)

namespace wasmgpu::nn {
namespace {

int TypeIndex(GgmlType t) {
  switch (t) {
    case GgmlType::kF32:
      return 0;
    case GgmlType::kF16:
      return 1;
    case GgmlType::kQ8_0:
      return 2;
    default:
      return 3;  // Q4_0 (others are refused at upload)
  }
}

template <size_t N>
std::span<const uint32_t> Words(const uint32_t (&a)[N]) {
  return std::span<const uint32_t>(a, N);
}

// Immediate data of each kernel, matching the GLSL push-constant blocks.
struct MatMulParams {
  uint32_t m, rows, n_in, qoff, ldy, out_offset, accumulate;
};
struct EmbedBatchParams {
  uint32_t n, qoff, first_row, rows, token_offset;
};
struct RmsNormParams {
  uint32_t n, norm_offset;
  float eps;
};
struct RopeBatchParams {
  uint32_t n_head, n_head_kv, head_dim, n_rot, pos0, neox;
};
struct AttentionPrefillParams {
  uint32_t n_head, n_head_kv, head_dim, n_q, pos0, bkv;
  float scale;
};

// matmul.glsl's output tile (tokens x weight rows).
constexpr uint32_t kTileTokens = 64, kTileRows = 64;
// The default batch: big enough that a 64-token tile row of the grid is full several times over,
// and the activations for tinyllama-1.1b (n_ff 5632) stay ~30 MB.
constexpr uint32_t kDefaultBatch = 512;
// Matmul work per prefill submit on CPU adapters (see MakePrefill).
constexpr uint64_t kCpuBatchFlops = 2'000'000'000;
constexpr uint64_t kCpuMinBatch = 8;
// attention_prefill.comp: 16 queries per workgroup; the queries and one tile of keys share 3264
// floats of shared memory, keys padded to head_dim + 4; heads of up to 128, multiples of 4.
constexpr uint32_t kAttnRows = 16, kAttnPoolFloats = 3264, kAttnMaxHeadDim = 128;

uint32_t CeilDiv(uint64_t a, uint64_t b) { return static_cast<uint32_t>((a + b - 1) / b); }

}  // namespace

std::vector<LlamaGpu::Kernel*> LlamaGpu::PrefillKernels() {
  std::vector<Kernel*> k = {&rmsnorm_batch_, &rope_batch_, &attention_prefill_};
  for (int t = 0; t < 4; ++t) {
    k.insert(k.end(), {&matmul_[0][0][t], &matmul_[0][1][t], &matmul_[1][0][t],
                       &matmul_[1][1][t], &embed_batch_[t]});
  }
  return k;
}

Status LlamaGpu::SetPrefillBatch(uint32_t tokens) {
  if (tokens > prefill_capacity_) {
    return MakeError("Prefill batch (", tokens,
                     " tokens) exceeds the batch the buffers were made "
                     "for (",
                     prefill_capacity_, ").");
  }
  prefill_batch_ = tokens;
  return {};
}

Status LlamaGpu::InitPrefill() {
  NN_TRY(MakePrefill());
  // The weights went up through wgpuQueueWriteBuffer, whose copies run with the next submit: run
  // them now, at load, so that the first prompt's time is its own (a 1B model's upload takes tens
  // of milliseconds, as long as the whole batched prefill).
  WGPUCommandEncoder enc = wgpuDeviceCreateCommandEncoder(ctx_.device(), nullptr);
  WGPUCommandBuffer cmd = wgpuCommandEncoderFinish(enc, nullptr);
  wgpuCommandEncoderRelease(enc);
  wgpuQueueSubmit(ctx_.queue(), 1, &cmd);
  wgpuCommandBufferRelease(cmd);
  WGPUQueueWorkDoneStatus done = WGPUQueueWorkDoneStatus_Error;
  WGPUQueueWorkDoneCallbackInfo cb{};
  cb.mode = WGPUCallbackMode_WaitAnyOnly;
  cb.callback = [](WGPUQueueWorkDoneStatus status, WGPUStringView, void* u1, void*) {
    *static_cast<WGPUQueueWorkDoneStatus*>(u1) = status;
  };
  cb.userdata1 = &done;
  NN_TRY(ctx_.Wait(wgpuQueueOnSubmittedWorkDone(ctx_.queue(), cb), "the weight uploads"));
  if (done != WGPUQueueWorkDoneStatus_Success) {
    return MakeError("Uploading the weights failed on the GPU (status ", static_cast<int>(done),
                     ").");
  }
  return {};
}

Status LlamaGpu::MakePrefill() {
  const LlamaHParams& hp = model_.hp;
  if (hp.head_dim > kAttnMaxHeadDim || hp.head_dim % 4 != 0) return {};  // token by token
  const uint64_t q_dim = uint64_t{hp.n_head} * hp.head_dim;
  const uint64_t kv_dim = uint64_t{hp.n_head_kv} * hp.head_dim;
  const uint64_t widest = std::max({uint64_t{hp.n_embd}, q_dim + 2 * kv_dim, uint64_t{hp.n_ff}});
  const uint64_t limit =
      std::min(ctx_.limits().maxStorageBufferBindingSize, ctx_.limits().maxBufferSize);
  uint64_t batch = std::min<uint64_t>(kDefaultBatch, max_seq_);
  if (const char* env = std::getenv("WASMGPU_PREFILL_BATCH"); env != nullptr) {
    // Benchmarks compare batch sizes and the token-by-token path (0) with one binary.
    batch = std::min<uint64_t>(std::strtoul(env, nullptr, 10), max_seq_);
  } else if (ctx_.is_cpu()) {
    // A CPU adapter (lavapipe) runs the batched matmuls at ~1-2 GFLOP/s on 2 cores, and past
    // the runtime's GPU timeout (WASMGPU_GPU_TIMEOUT_MS, 10 s by default) a submit loses the
    // device. Cap a batch's work at kCpuBatchFlops (~1-2 s there): the shipped 4.5 M model
    // still takes 512 tokens a batch. Below kCpuMinBatch tokens the 64-token tiles would be
    // mostly idle, so larger models (1B) go token by token, one submit per step.
    const uint64_t per_layer = uint64_t{hp.n_embd} * (q_dim + 2 * kv_dim) + q_dim * hp.n_embd +
                               3 * uint64_t{hp.n_embd} * hp.n_ff;
    const uint64_t flops_per_token = std::max<uint64_t>(1, 2 * per_layer * hp.n_layer);
    const uint64_t cpu_batch = kCpuBatchFlops / flops_per_token;
    if (cpu_batch < kCpuMinBatch) {
      steps_per_submit_ = static_cast<uint32_t>(std::max<uint64_t>(1, cpu_batch));
      batch = 0;
    } else {
      batch = std::min(batch, cpu_batch);
    }
  }
  batch = std::min(batch, limit / (widest * 4));  // each activation is one binding
  if (batch == 0) return {};

  const uint32_t mm = sizeof(MatMulParams);
  prefill_f16_ = ctx_.prefill_f16();
  if (const char* env = std::getenv("WASMGPU_PREFILL_F16"); env != nullptr) {
    prefill_f16_ = std::strtoul(env, nullptr, 10) != 0 && ctx_.has_f16();
  }
  const std::span<const uint32_t> matmul_spirv[2][2][4] = {
      {{Words(kSpirv_matmul_f32), Words(kSpirv_matmul_f16), Words(kSpirv_matmul_q8_0),
        Words(kSpirv_matmul_q4_0)},
       {Words(kSpirv_matmul_ffn_f32), Words(kSpirv_matmul_ffn_f16), Words(kSpirv_matmul_ffn_q8_0),
        Words(kSpirv_matmul_ffn_q4_0)}},
      {{Words(kSpirv_matmul_h_f32), Words(kSpirv_matmul_h_f16), Words(kSpirv_matmul_h_q8_0),
        Words(kSpirv_matmul_h_q4_0)},
       {Words(kSpirv_matmul_h_ffn_f32), Words(kSpirv_matmul_h_ffn_f16),
        Words(kSpirv_matmul_h_ffn_q8_0), Words(kSpirv_matmul_h_ffn_q4_0)}}};
  static const char* const kMatMulLabels[2][2] = {{"matmul", "matmul_ffn"},
                                                  {"matmul_h", "matmul_h_ffn"}};
  const std::span<const uint32_t> embed_spirv[4] = {
      Words(kSpirv_embed_batch_f32), Words(kSpirv_embed_batch_f16), Words(kSpirv_embed_batch_q8_0),
      Words(kSpirv_embed_batch_q4_0)};
  for (int h = 0; h < (prefill_f16_ ? 2 : 1); ++h) {
    for (int kind = 0; kind < 2; ++kind) {
      for (int t = 0; t < 4; ++t) {
        NN_TRY_ASSIGN(
            matmul_[h][kind][t],
            MakeKernel(matmul_spirv[h][kind][t], {false, false, true}, mm, kMatMulLabels[h][kind]));
      }
    }
  }
  for (int t = 0; t < 4; ++t) {
    NN_TRY_ASSIGN(embed_batch_[t], MakeKernel(embed_spirv[t], {false, false, true},
                                              sizeof(EmbedBatchParams), "embed_batch"));
  }
  NN_TRY_ASSIGN(rmsnorm_batch_, MakeKernel(Words(kSpirv_rmsnorm_batch), {false, true, false},
                                           sizeof(RmsNormParams), "rmsnorm_batch"));
  NN_TRY_ASSIGN(rope_batch_, MakeKernel(Words(kSpirv_rope_store_batch), {true, true, true, false},
                                        sizeof(RopeBatchParams), "rope_store_batch"));
  NN_TRY_ASSIGN(attention_prefill_,
                MakeKernel(Words(kSpirv_attention_prefill), {false, false, false, true},
                           sizeof(AttentionPrefillParams), "attention_prefill"));

  p_tokens_ = MakeBuffer(uint64_t{max_seq_} * 4, "prefill tokens");
  p_x_ = MakeBuffer(batch * hp.n_embd * 4, "prefill x");
  p_xn_ = MakeBuffer(batch * hp.n_embd * 4, "prefill xn");
  p_qkv_ = MakeBuffer(batch * (q_dim + 2 * kv_dim) * 4, "prefill qkv");
  p_attn_ = MakeBuffer(batch * q_dim * 4, "prefill attn");
  p_h_ = MakeBuffer(batch * hp.n_ff * 4, "prefill h");

  for (const Chunk& c : token_embd_->chunks) {
    embed_batch_groups_.push_back(
        Bind(embed_batch_[TypeIndex(token_embd_->type)], {c.buffer, p_tokens_, p_x_}));
  }
  prefill_layers_.resize(hp.n_layer);
  for (uint32_t l = 0; l < hp.n_layer; ++l) {
    const Layer& L = layers_[l];  // the decode path's ops hold the uploaded matrices
    PrefillLayer& P = prefill_layers_[l];
    P.attn_norm = Bind(rmsnorm_batch_, {p_x_, p_xn_, attn_norms_});
    P.ffn_norm = Bind(rmsnorm_batch_, {p_x_, p_xn_, ffn_norms_});
    // f16 arithmetic (where prefill_f16_) for the products whose input is bounded: rmsnorm(x)
    // for qkv and ffn, the attention output (a weighted mean of v) for wo. Down's input,
    // silu(gate) * up, is not: large models have outliers there that a block's f16 sums
    // could overflow (65504), so down stays f32.
    const bool h = prefill_f16_;
    P.qkv = MakeMatMul(*L.qkv.matrix, false, h, p_xn_, p_qkv_,
                       static_cast<uint32_t>(q_dim + 2 * kv_dim), false);
    P.rope = Bind(rope_batch_, {p_qkv_, L.k_cache, L.v_cache, inv_freq_});
    P.attention = Bind(attention_prefill_, {p_qkv_, L.k_cache, L.v_cache, p_attn_});
    P.wo = MakeMatMul(*L.wo.matrix, false, h, p_attn_, p_x_, hp.n_embd, true);
    P.ffn = MakeMatMul(*L.ffn.matrix, true, h, p_xn_, p_h_, hp.n_ff, false);
    P.down = MakeMatMul(*L.down.matrix, false, false, p_h_, p_x_, hp.n_embd, true);
  }
  prefill_capacity_ = prefill_batch_ = static_cast<uint32_t>(batch);
  return {};
}

LlamaGpu::MatMulOp LlamaGpu::MakeMatMul(const Matrix& m, bool swiglu, bool f16, WGPUBuffer x,
                                        WGPUBuffer y, uint32_t ldy, bool accumulate) {
  MatMulOp op;
  op.matrix = &m;
  op.swiglu = swiglu;
  op.f16 = f16;
  op.accumulate = accumulate;
  op.ldy = ldy;
  for (const Chunk& c : m.chunks) {
    op.groups.push_back(Bind(matmul_[f16][swiglu][TypeIndex(m.type)], {c.buffer, x, y}));
  }
  return op;
}

void LlamaGpu::RecordMatMul(WGPUComputePassEncoder pass, const MatMulOp& op, uint32_t n_tokens) {
  const Matrix& m = *op.matrix;
  const uint64_t per_output = op.swiglu ? 2 : 1;  // gate/up row pairs give one output each
  wgpuComputePassEncoderSetPipeline(pass, matmul_[op.f16][op.swiglu][TypeIndex(m.type)].pipeline);
  for (size_t i = 0; i < m.chunks.size(); ++i) {
    const Chunk& c = m.chunks[i];
    const MatMulParams p{n_tokens,
                         static_cast<uint32_t>(c.rows),
                         static_cast<uint32_t>(m.n_in),
                         c.qoff,
                         op.ldy,
                         static_cast<uint32_t>(c.first_row / per_output),
                         op.accumulate ? 1u : 0u};
    wgpuComputePassEncoderSetBindGroup(pass, 0, op.groups[i], 0, nullptr);
    wgpuComputePassEncoderSetImmediateData(pass, 0, &p, sizeof(p));
    wgpuComputePassEncoderDispatchWorkgroups(pass, CeilDiv(c.rows, kTileRows),
                                             CeilDiv(n_tokens, kTileTokens), 1);
  }
}

void LlamaGpu::RecordPrefillBatch(WGPUComputePassEncoder pass, uint32_t first, uint32_t n,
                                  uint32_t pos0) {
  const LlamaHParams& hp = model_.hp;
  const uint32_t kv_dim = hp.n_head_kv * hp.head_dim;
  // X = token_embd[tokens]: every chunk of the table writes the rows of the tokens it holds.
  wgpuComputePassEncoderSetPipeline(pass, embed_batch_[TypeIndex(token_embd_->type)].pipeline);
  for (size_t i = 0; i < token_embd_->chunks.size(); ++i) {
    const Chunk& c = token_embd_->chunks[i];
    const EmbedBatchParams ep{hp.n_embd, c.qoff, static_cast<uint32_t>(c.first_row),
                              static_cast<uint32_t>(c.rows), first};
    wgpuComputePassEncoderSetBindGroup(pass, 0, embed_batch_groups_[i], 0, nullptr);
    wgpuComputePassEncoderSetImmediateData(pass, 0, &ep, sizeof(ep));
    wgpuComputePassEncoderDispatchWorkgroups(pass, CeilDiv(hp.n_embd, 64), n, 1);
  }
  const uint32_t bkv =
      std::min(32u, (kAttnPoolFloats - kAttnRows * hp.head_dim) / (hp.head_dim + 4));
  const AttentionPrefillParams ap{hp.n_head,
                                  hp.n_head_kv,
                                  hp.head_dim,
                                  n,
                                  pos0,
                                  bkv,
                                  1.0f / std::sqrt(static_cast<float>(hp.head_dim))};
  const RopeBatchParams rp{hp.n_head, hp.n_head_kv, hp.head_dim,
                           hp.n_rot,  pos0,         hp.rope_type == RopeType::kNeox ? 1u : 0u};
  const uint32_t rope_threads = (hp.n_head + hp.n_head_kv) * (hp.head_dim / 2) + kv_dim;
  auto norm = [&](WGPUBindGroup group, uint32_t layer) {
    const RmsNormParams np{hp.n_embd, layer * hp.n_embd, hp.norm_eps};
    wgpuComputePassEncoderSetPipeline(pass, rmsnorm_batch_.pipeline);
    wgpuComputePassEncoderSetBindGroup(pass, 0, group, 0, nullptr);
    wgpuComputePassEncoderSetImmediateData(pass, 0, &np, sizeof(np));
    wgpuComputePassEncoderDispatchWorkgroups(pass, n, 1, 1);
  };
  for (uint32_t l = 0; l < hp.n_layer; ++l) {
    const PrefillLayer& P = prefill_layers_[l];
    norm(P.attn_norm, l);
    RecordMatMul(pass, P.qkv, n);
    wgpuComputePassEncoderSetPipeline(pass, rope_batch_.pipeline);
    wgpuComputePassEncoderSetBindGroup(pass, 0, P.rope, 0, nullptr);
    wgpuComputePassEncoderSetImmediateData(pass, 0, &rp, sizeof(rp));
    wgpuComputePassEncoderDispatchWorkgroups(pass, CeilDiv(rope_threads, 64), n, 1);
    wgpuComputePassEncoderSetPipeline(pass, attention_prefill_.pipeline);
    wgpuComputePassEncoderSetBindGroup(pass, 0, P.attention, 0, nullptr);
    wgpuComputePassEncoderSetImmediateData(pass, 0, &ap, sizeof(ap));
    wgpuComputePassEncoderDispatchWorkgroups(pass, CeilDiv(n, kAttnRows), hp.n_head, 1);
    RecordMatMul(pass, P.wo, n);
    norm(P.ffn_norm, l);
    RecordMatMul(pass, P.ffn, n);
    RecordMatMul(pass, P.down, n);
  }
}

Result<std::span<const float>> LlamaGpu::Prefill(std::span<const int32_t> tokens,
                                                 uint32_t start_pos) {
  if (prefill_batch_ == 0) return RunSteps(tokens, start_pos);
  NN_TRY(CheckTokens(tokens, start_pos));
  const LlamaHParams& hp = model_.hp;
  // Ids are < n_vocab (checked), so their bits are the uint32 the kernel reads.
  wgpuQueueWriteBuffer(ctx_.queue(), p_tokens_, 0, tokens.data(), tokens.size_bytes());
  // One submit per batch, queued back to back without waiting: a submit's work stays bounded
  // by one batch (the runtime declares a device lost when one runs past its GPU timeout, 10 s
  // by default, which a long prompt on a CPU adapter could reach), at the cost of a submit
  // per 512 tokens.
  const uint32_t total = static_cast<uint32_t>(tokens.size());
  WGPUCommandEncoder enc = nullptr;
  uint32_t n = 0;
  for (uint32_t first = 0; first < total; first += n) {
    if (enc != nullptr) SubmitWithoutWaiting(enc);
    enc = wgpuDeviceCreateCommandEncoder(ctx_.device(), nullptr);
    WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(enc, nullptr);
    n = std::min(prefill_batch_, total - first);
    RecordPrefillBatch(pass, first, n, start_pos + first);
    wgpuComputePassEncoderEnd(pass);
    wgpuComputePassEncoderRelease(pass);
  }
  // The last token's residual row into the decode path's x, then its classifier.
  wgpuCommandEncoderCopyBufferToBuffer(enc, p_x_, uint64_t{n - 1} * hp.n_embd * 4, x_, 0,
                                       uint64_t{hp.n_embd} * 4);
  WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(enc, nullptr);
  RecordMatVec(pass, output_op_, 0);
  wgpuComputePassEncoderEnd(pass);
  wgpuComputePassEncoderRelease(pass);
  return SubmitAndReadLogits(enc);
}

}  // namespace wasmgpu::nn
