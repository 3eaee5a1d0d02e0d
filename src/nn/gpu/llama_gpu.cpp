#include "nn/gpu/llama_gpu.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "nn/gpu/weight_layout.h"
#include "nn/reference/llama_cpu.h"
#include "nn_kernels.h"  // generated: kSpirv_<kernel> arrays (src/nn/CMakeLists.txt)

namespace wasmgpu::nn {
namespace {

WGPUStringView View(const char* s) { return WGPUStringView{s, WGPU_STRLEN}; }

int TypeIndex(GgmlType t) {
  switch (t) {
    case GgmlType::kF32: return 0;
    case GgmlType::kF16: return 1;
    case GgmlType::kQ8_0: return 2;
    default: return 3;  // Q4_0 (others are refused at upload)
  }
}

template <size_t N>
std::span<const uint32_t> Words(const uint32_t (&a)[N]) {
  return std::span<const uint32_t>(a, N);
}

// Immediate data of each kernel, matching the GLSL push-constant blocks.
struct MatVecParams { uint32_t rows, n_in, qoff, out_offset, accumulate; };
struct EmbedParams { uint32_t row, n, qoff; };
struct RmsNormParams { uint32_t n; float eps; uint32_t weight_offset; };
struct RopeParams { uint32_t n_head, n_head_kv, head_dim, n_rot, pos, k_offset, neox; };
struct AttentionParams {
  uint32_t n_head, n_head_kv, head_dim, n_pos, max_seq, layer_offset;
  float scale;
};
struct SwigluParams { uint32_t n; };

// Workgroup counts for one workgroup per item, folded into 2-D past the per-dimension limit.
void Dispatch1D(WGPUComputePassEncoder pass, uint64_t groups, uint32_t max_per_dim) {
  const uint64_t x = std::min<uint64_t>(groups, max_per_dim);
  const uint64_t y = (groups + x - 1) / x;
  wgpuComputePassEncoderDispatchWorkgroups(pass, static_cast<uint32_t>(x),
                                           static_cast<uint32_t>(y), 1);
}

}  // namespace

Result<std::unique_ptr<LlamaGpu>> LlamaGpu::Create(GpuContext& ctx, const LlamaModel& model,
                                                   uint32_t max_seq, uint64_t max_binding_bytes) {
  if (max_seq == 0 || max_seq > model.hp.n_ctx) {
    return MakeError("KV cache length (", max_seq, ") must be between 1 and the context length (",
                     model.hp.n_ctx, ").");
  }
  std::unique_ptr<LlamaGpu> g(new LlamaGpu(ctx, model, max_seq));
  const uint64_t limit = std::min(ctx.limits().maxStorageBufferBindingSize, ctx.limits().maxBufferSize);
  NN_TRY(g->Init(max_binding_bytes != 0 ? std::min(max_binding_bytes, limit) : limit));
  NN_TRY(ctx.TakeErrors("While loading the model onto the GPU"));
  return g;
}

LlamaGpu::~LlamaGpu() {
  for (WGPUBindGroup g : owned_groups_) wgpuBindGroupRelease(g);
  for (WGPUBuffer b : owned_buffers_) {
    wgpuBufferDestroy(b);
    wgpuBufferRelease(b);
  }
  for (Kernel* k : {&matvec_[0], &matvec_[1], &matvec_[2], &matvec_[3], &embed_[0], &embed_[1],
                    &embed_[2], &embed_[3], &rmsnorm_, &rope_, &attention_, &swiglu_}) {
    if (k->pipeline != nullptr) wgpuComputePipelineRelease(k->pipeline);
    if (k->layout != nullptr) wgpuBindGroupLayoutRelease(k->layout);
  }
}

Result<LlamaGpu::Kernel> LlamaGpu::MakeKernel(std::span<const uint32_t> spirv,
                                              std::vector<bool> writable, uint32_t immediate_size,
                                              const char* label) {
  Kernel k;
  k.writable = std::move(writable);
  std::vector<WGPUBindGroupLayoutEntry> entries(k.writable.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    entries[i].binding = static_cast<uint32_t>(i);
    entries[i].visibility = WGPUShaderStage_Compute;
    entries[i].buffer.type = k.writable[i] ? WGPUBufferBindingType_Storage
                                           : WGPUBufferBindingType_ReadOnlyStorage;
  }
  WGPUBindGroupLayoutDescriptor bgl{};
  bgl.label = View(label);
  bgl.entryCount = entries.size();
  bgl.entries = entries.data();
  k.layout = wgpuDeviceCreateBindGroupLayout(ctx_.device(), &bgl);
  WGPUPipelineLayoutDescriptor pl{};
  pl.bindGroupLayoutCount = 1;
  pl.bindGroupLayouts = &k.layout;
  pl.immediateSize = immediate_size;
  WGPUPipelineLayout layout = wgpuDeviceCreatePipelineLayout(ctx_.device(), &pl);
  WGPUShaderModule module = ctx_.CreateSpirvModule(spirv, label);
  WGPUComputePipelineDescriptor pd{};
  pd.label = View(label);
  pd.layout = layout;
  pd.compute.module = module;
  k.pipeline = wgpuDeviceCreateComputePipeline(ctx_.device(), &pd);
  wgpuShaderModuleRelease(module);
  wgpuPipelineLayoutRelease(layout);
  NN_TRY(ctx_.TakeErrors(label));
  if (k.pipeline == nullptr) return MakeError("Creating the '", label, "' pipeline failed.");
  return k;
}

WGPUBuffer LlamaGpu::MakeBuffer(uint64_t bytes, const char* label, const void* data) {
  WGPUBuffer b = ctx_.CreateBuffer(
      std::max<uint64_t>(bytes, 4),
      WGPUBufferUsage_Storage | WGPUBufferUsage_CopyDst | WGPUBufferUsage_CopySrc, label);
  if (data != nullptr && bytes != 0) wgpuQueueWriteBuffer(ctx_.queue(), b, 0, data, bytes);
  owned_buffers_.push_back(b);
  return b;
}

WGPUBindGroup LlamaGpu::Bind(const Kernel& k, std::vector<WGPUBuffer> buffers) {
  std::vector<WGPUBindGroupEntry> entries(buffers.size());
  for (size_t i = 0; i < buffers.size(); ++i) {
    entries[i].binding = static_cast<uint32_t>(i);
    entries[i].buffer = buffers[i];
    entries[i].size = WGPU_WHOLE_SIZE;
  }
  WGPUBindGroupDescriptor d{};
  d.layout = k.layout;
  d.entryCount = entries.size();
  d.entries = entries.data();
  WGPUBindGroup g = wgpuDeviceCreateBindGroup(ctx_.device(), &d);
  owned_groups_.push_back(g);
  return g;
}

Result<LlamaGpu::Matrix> LlamaGpu::Upload(const TensorView& t, uint64_t max_binding_bytes) {
  Matrix m;
  m.type = t.type;
  m.n_in = t.ne[0];
  m.n_out = t.rows();
  NN_TRY_ASSIGN(const uint64_t per_chunk, RowsPerChunk(t, max_binding_bytes));
  for (uint64_t first = 0; first < m.n_out; first += per_chunk) {
    const uint64_t rows = std::min(per_chunk, m.n_out - first);
    // Pack one chunk at a time: a 1B model's table never exists twice in host memory.
    WeightChunk packed = PackRows(t, first, rows);
    Chunk c;
    c.first_row = first;
    c.rows = rows;
    c.qoff = packed.qoff;
    c.buffer = MakeBuffer(packed.words.size() * 4, t.name.c_str(), packed.words.data());
    weight_bytes_ += packed.words.size() * 4;
    m.chunks.push_back(c);
  }
  return m;
}

LlamaGpu::MatVecOp LlamaGpu::MakeMatVec(const Matrix& m, WGPUBuffer x, WGPUBuffer y,
                                        bool accumulate) {
  MatVecOp op;
  op.matrix = &m;
  op.accumulate = accumulate;
  for (const Chunk& c : m.chunks) op.groups.push_back(Bind(MatVecKernel(m.type), {c.buffer, x, y}));
  return op;
}

const LlamaGpu::Kernel& LlamaGpu::MatVecKernel(GgmlType type) const {
  return matvec_[TypeIndex(type)];
}

Status LlamaGpu::Init(uint64_t max_binding_bytes) {
  const LlamaHParams& hp = model_.hp;
  const uint32_t mv = sizeof(MatVecParams);
  NN_TRY_ASSIGN(matvec_[0], MakeKernel(Words(kSpirv_matvec_f32), {false, false, true}, mv, "matvec_f32"));
  NN_TRY_ASSIGN(matvec_[1], MakeKernel(Words(kSpirv_matvec_f16), {false, false, true}, mv, "matvec_f16"));
  NN_TRY_ASSIGN(matvec_[2], MakeKernel(Words(kSpirv_matvec_q8_0), {false, false, true}, mv, "matvec_q8_0"));
  NN_TRY_ASSIGN(matvec_[3], MakeKernel(Words(kSpirv_matvec_q4_0), {false, false, true}, mv, "matvec_q4_0"));
  const uint32_t em = sizeof(EmbedParams);
  NN_TRY_ASSIGN(embed_[0], MakeKernel(Words(kSpirv_embed_f32), {false, true}, em, "embed_f32"));
  NN_TRY_ASSIGN(embed_[1], MakeKernel(Words(kSpirv_embed_f16), {false, true}, em, "embed_f16"));
  NN_TRY_ASSIGN(embed_[2], MakeKernel(Words(kSpirv_embed_q8_0), {false, true}, em, "embed_q8_0"));
  NN_TRY_ASSIGN(embed_[3], MakeKernel(Words(kSpirv_embed_q4_0), {false, true}, em, "embed_q4_0"));
  NN_TRY_ASSIGN(rmsnorm_, MakeKernel(Words(kSpirv_rmsnorm), {false, false, true},
                                     sizeof(RmsNormParams), "rmsnorm"));
  NN_TRY_ASSIGN(rope_, MakeKernel(Words(kSpirv_rope), {true, true, false}, sizeof(RopeParams), "rope"));
  NN_TRY_ASSIGN(attention_, MakeKernel(Words(kSpirv_attention), {false, false, false, true, true},
                                       sizeof(AttentionParams), "attention"));
  NN_TRY_ASSIGN(swiglu_, MakeKernel(Words(kSpirv_swiglu), {true, false}, sizeof(SwigluParams), "swiglu"));

  const uint64_t q_dim = uint64_t{hp.n_head} * hp.head_dim;
  const uint64_t kv_dim = uint64_t{hp.n_head_kv} * hp.head_dim;
  x_ = MakeBuffer(hp.n_embd * 4, "x");
  xb_ = MakeBuffer(hp.n_embd * 4, "xb");
  q_ = MakeBuffer(q_dim * 4, "q");
  attn_out_ = MakeBuffer(q_dim * 4, "attn_out");
  hb_ = MakeBuffer(uint64_t{hp.n_ff} * 4, "hb");
  hb2_ = MakeBuffer(uint64_t{hp.n_ff} * 4, "hb2");
  att_ = MakeBuffer(uint64_t{hp.n_head} * max_seq_ * 4, "att");
  logits_ = MakeBuffer(uint64_t{hp.n_vocab} * 4, "logits");
  readback_ = ctx_.CreateBuffer(uint64_t{hp.n_vocab} * 4,
                                WGPUBufferUsage_MapRead | WGPUBufferUsage_CopyDst, "readback");
  owned_buffers_.push_back(readback_);
  logits_host_.resize(hp.n_vocab);

  // Norm weights of all layers in one F32 buffer each (F16 norms are widened here).
  std::vector<float> attn_norms(uint64_t{hp.n_layer} * hp.n_embd), ffn_norms(attn_norms.size()),
      out_norm(hp.n_embd);
  for (uint32_t l = 0; l < hp.n_layer; ++l) {
    DequantizeTensorRow(model_.layers[l].attn_norm, 0, &attn_norms[uint64_t{l} * hp.n_embd]);
    DequantizeTensorRow(model_.layers[l].ffn_norm, 0, &ffn_norms[uint64_t{l} * hp.n_embd]);
  }
  DequantizeTensorRow(model_.output_norm, 0, out_norm.data());
  attn_norms_ = MakeBuffer(attn_norms.size() * 4, "attn_norms", attn_norms.data());
  ffn_norms_ = MakeBuffer(ffn_norms.size() * 4, "ffn_norms", ffn_norms.data());
  output_norm_ = MakeBuffer(out_norm.size() * 4, "output_norm", out_norm.data());
  // inv_freq[i] = base^(-2i / n_rot), in double on the host as LlamaCpu does.
  std::vector<float> inv_freq(hp.n_rot / 2);
  for (uint32_t i = 0; i < inv_freq.size(); ++i) {
    inv_freq[i] = static_cast<float>(std::pow(double{hp.rope_freq_base}, -2.0 * i / hp.n_rot));
  }
  inv_freq_ = MakeBuffer(inv_freq.size() * 4, "inv_freq", inv_freq.data());

  auto upload = [&](const TensorView& t) -> Result<Matrix*> {
    NN_TRY_ASSIGN(Matrix m, Upload(t, max_binding_bytes));
    matrices_.push_back(std::make_unique<Matrix>(std::move(m)));
    return matrices_.back().get();
  };
  NN_TRY_ASSIGN(token_embd_, upload(model_.token_embd));
  for (const Chunk& c : token_embd_->chunks) {
    embed_groups_.push_back(Bind(embed_[TypeIndex(token_embd_->type)], {c.buffer, x_}));
  }
  layers_.resize(hp.n_layer);
  for (uint32_t l = 0; l < hp.n_layer; ++l) {
    const LlamaLayer& src = model_.layers[l];
    Layer& L = layers_[l];
    L.k_cache = MakeBuffer(uint64_t{max_seq_} * kv_dim * 4, "k_cache");
    L.v_cache = MakeBuffer(uint64_t{max_seq_} * kv_dim * 4, "v_cache");
    Matrix* m = nullptr;
    NN_TRY_ASSIGN(m, upload(src.wq));
    L.wq = MakeMatVec(*m, xb_, q_, false);
    NN_TRY_ASSIGN(m, upload(src.wk));
    L.wk = MakeMatVec(*m, xb_, L.k_cache, false);
    NN_TRY_ASSIGN(m, upload(src.wv));
    L.wv = MakeMatVec(*m, xb_, L.v_cache, false);
    NN_TRY_ASSIGN(m, upload(src.wo));
    L.wo = MakeMatVec(*m, attn_out_, x_, true);
    NN_TRY_ASSIGN(m, upload(src.ffn_gate));
    L.gate = MakeMatVec(*m, xb_, hb_, false);
    NN_TRY_ASSIGN(m, upload(src.ffn_up));
    L.up = MakeMatVec(*m, xb_, hb2_, false);
    NN_TRY_ASSIGN(m, upload(src.ffn_down));
    L.down = MakeMatVec(*m, hb_, x_, true);
    L.attn_norm = Bind(rmsnorm_, {x_, attn_norms_, xb_});
    L.ffn_norm = Bind(rmsnorm_, {x_, ffn_norms_, xb_});
    L.rope = Bind(rope_, {q_, L.k_cache, inv_freq_});
    L.attention = Bind(attention_, {q_, L.k_cache, L.v_cache, att_, attn_out_});
  }
  if (model_.tied_embeddings) {
    output_ = token_embd_;
  } else {
    NN_TRY_ASSIGN(output_, upload(model_.output));
  }
  output_norm_group_ = Bind(rmsnorm_, {x_, output_norm_, xb_});
  output_op_ = MakeMatVec(*output_, xb_, logits_, false);
  swiglu_group_ = Bind(swiglu_, {hb_, hb2_});

  // Count what one decode step dispatches (reported by benchmarks).
  auto chunks = [](const MatVecOp& op) { return op.groups.size(); };
  dispatches_per_token_ = 2 + chunks(output_op_);  // embed, final norm, output
  for (const Layer& L : layers_) {
    dispatches_per_token_ += 6 + chunks(L.wq) + chunks(L.wk) + chunks(L.wv) + chunks(L.wo) +
                             chunks(L.gate) + chunks(L.up) + chunks(L.down);
  }
  return {};
}

void LlamaGpu::RecordMatVec(WGPUComputePassEncoder pass, const MatVecOp& op, uint32_t out_offset) {
  const Matrix& m = *op.matrix;
  wgpuComputePassEncoderSetPipeline(pass, MatVecKernel(m.type).pipeline);
  for (size_t i = 0; i < m.chunks.size(); ++i) {
    const Chunk& c = m.chunks[i];
    const MatVecParams p{static_cast<uint32_t>(c.rows), static_cast<uint32_t>(m.n_in), c.qoff,
                         out_offset + static_cast<uint32_t>(c.first_row),
                         op.accumulate ? 1u : 0u};
    wgpuComputePassEncoderSetBindGroup(pass, 0, op.groups[i], 0, nullptr);
    wgpuComputePassEncoderSetImmediateData(pass, 0, &p, sizeof(p));
    Dispatch1D(pass, c.rows, ctx_.limits().maxComputeWorkgroupsPerDimension);
  }
}

Result<std::span<const float>> LlamaGpu::Forward(int32_t token, uint32_t pos) {
  const LlamaHParams& hp = model_.hp;
  if (token < 0 || static_cast<uint32_t>(token) >= hp.n_vocab) {
    return MakeError("Token id (", token, ") is outside the vocabulary (", hp.n_vocab, ").");
  }
  if (pos >= max_seq_) {
    return MakeError("Position (", pos, ") is past the KV cache length (", max_seq_, ").");
  }
  const uint32_t kv_dim = hp.n_head_kv * hp.head_dim;
  WGPUCommandEncoder enc = wgpuDeviceCreateCommandEncoder(ctx_.device(), nullptr);
  WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(enc, nullptr);

  // x = token_embd[token], from the chunk that holds its row.
  size_t ci = 0;
  while (token_embd_->chunks[ci].first_row + token_embd_->chunks[ci].rows <= uint64_t(token)) ++ci;
  const Chunk& ec = token_embd_->chunks[ci];
  const EmbedParams ep{static_cast<uint32_t>(token - ec.first_row), hp.n_embd, ec.qoff};
  wgpuComputePassEncoderSetPipeline(pass, embed_[TypeIndex(token_embd_->type)].pipeline);
  wgpuComputePassEncoderSetBindGroup(pass, 0, embed_groups_[ci], 0, nullptr);
  wgpuComputePassEncoderSetImmediateData(pass, 0, &ep, sizeof(ep));
  wgpuComputePassEncoderDispatchWorkgroups(pass, (hp.n_embd + 63) / 64, 1, 1);

  for (uint32_t l = 0; l < hp.n_layer; ++l) {
    const Layer& L = layers_[l];
    // xb = rmsnorm(x) * attn_norm
    const RmsNormParams np{hp.n_embd, hp.norm_eps, l * hp.n_embd};
    wgpuComputePassEncoderSetPipeline(pass, rmsnorm_.pipeline);
    wgpuComputePassEncoderSetBindGroup(pass, 0, L.attn_norm, 0, nullptr);
    wgpuComputePassEncoderSetImmediateData(pass, 0, &np, sizeof(np));
    wgpuComputePassEncoderDispatchWorkgroups(pass, 1, 1, 1);
    // q = Wq xb; k, v = Wk xb, Wv xb straight into the cache at pos
    RecordMatVec(pass, L.wq, 0);
    RecordMatVec(pass, L.wk, pos * kv_dim);
    RecordMatVec(pass, L.wv, pos * kv_dim);
    // RoPE on q and on this position's keys
    const RopeParams rp{hp.n_head, hp.n_head_kv, hp.head_dim, hp.n_rot, pos, pos * kv_dim,
                        hp.rope_type == RopeType::kNeox ? 1u : 0u};
    wgpuComputePassEncoderSetPipeline(pass, rope_.pipeline);
    wgpuComputePassEncoderSetBindGroup(pass, 0, L.rope, 0, nullptr);
    wgpuComputePassEncoderSetImmediateData(pass, 0, &rp, sizeof(rp));
    wgpuComputePassEncoderDispatchWorkgroups(pass, ((hp.n_head + hp.n_head_kv) * hp.n_rot / 2 + 63) / 64, 1, 1);
    // attn_out = softmax(q k^T / sqrt(d)) v, per head
    const AttentionParams ap{hp.n_head, hp.n_head_kv, hp.head_dim, pos + 1, max_seq_, 0,
                             1.0f / std::sqrt(static_cast<float>(hp.head_dim))};
    wgpuComputePassEncoderSetPipeline(pass, attention_.pipeline);
    wgpuComputePassEncoderSetBindGroup(pass, 0, L.attention, 0, nullptr);
    wgpuComputePassEncoderSetImmediateData(pass, 0, &ap, sizeof(ap));
    wgpuComputePassEncoderDispatchWorkgroups(pass, hp.n_head, 1, 1);
    // x += Wo attn_out
    RecordMatVec(pass, L.wo, 0);
    // xb = rmsnorm(x) * ffn_norm; x += W2 (silu(W1 xb) * W3 xb)
    wgpuComputePassEncoderSetPipeline(pass, rmsnorm_.pipeline);
    wgpuComputePassEncoderSetBindGroup(pass, 0, L.ffn_norm, 0, nullptr);
    wgpuComputePassEncoderSetImmediateData(pass, 0, &np, sizeof(np));
    wgpuComputePassEncoderDispatchWorkgroups(pass, 1, 1, 1);
    RecordMatVec(pass, L.gate, 0);
    RecordMatVec(pass, L.up, 0);
    const SwigluParams sp{hp.n_ff};
    wgpuComputePassEncoderSetPipeline(pass, swiglu_.pipeline);
    wgpuComputePassEncoderSetBindGroup(pass, 0, swiglu_group_, 0, nullptr);
    wgpuComputePassEncoderSetImmediateData(pass, 0, &sp, sizeof(sp));
    wgpuComputePassEncoderDispatchWorkgroups(pass, (hp.n_ff + 255) / 256, 1, 1);
    RecordMatVec(pass, L.down, 0);
  }
  const RmsNormParams fp{hp.n_embd, hp.norm_eps, 0};
  wgpuComputePassEncoderSetPipeline(pass, rmsnorm_.pipeline);
  wgpuComputePassEncoderSetBindGroup(pass, 0, output_norm_group_, 0, nullptr);
  wgpuComputePassEncoderSetImmediateData(pass, 0, &fp, sizeof(fp));
  wgpuComputePassEncoderDispatchWorkgroups(pass, 1, 1, 1);
  RecordMatVec(pass, output_op_, 0);
  wgpuComputePassEncoderEnd(pass);
  wgpuComputePassEncoderRelease(pass);

  const uint64_t bytes = uint64_t{hp.n_vocab} * 4;
  wgpuCommandEncoderCopyBufferToBuffer(enc, logits_, 0, readback_, 0, bytes);
  WGPUCommandBuffer cmd = wgpuCommandEncoderFinish(enc, nullptr);
  wgpuCommandEncoderRelease(enc);
  wgpuQueueSubmit(ctx_.queue(), 1, &cmd);
  wgpuCommandBufferRelease(cmd);

  WGPUMapAsyncStatus map_status = WGPUMapAsyncStatus_Error;
  WGPUBufferMapCallbackInfo cb{};
  cb.mode = WGPUCallbackMode_WaitAnyOnly;
  cb.callback = [](WGPUMapAsyncStatus status, WGPUStringView, void* u1, void*) {
    *static_cast<WGPUMapAsyncStatus*>(u1) = status;
  };
  cb.userdata1 = &map_status;
  NN_TRY(ctx_.Wait(wgpuBufferMapAsync(readback_, WGPUMapMode_Read, 0, bytes, cb), "the logits"));
  NN_TRY(ctx_.TakeErrors("While running a decode step"));
  if (map_status != WGPUMapAsyncStatus_Success) {
    return MakeError("Mapping the logits for reading failed (status ", static_cast<int>(map_status), ").");
  }
  const void* mapped = wgpuBufferGetConstMappedRange(readback_, 0, bytes);
  if (mapped == nullptr) return MakeError("The mapped logits range is null.");
  std::memcpy(logits_host_.data(), mapped, bytes);
  wgpuBufferUnmap(readback_);
  return std::span<const float>(logits_host_);
}

}  // namespace wasmgpu::nn
