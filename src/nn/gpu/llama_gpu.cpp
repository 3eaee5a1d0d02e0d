#include "nn/gpu/llama_gpu.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "nn/gpu/weight_layout.h"
#include "nn/reference/llama_cpu.h"
#include "nn/sampler.h"
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
struct MatVecParams {
  uint32_t rows, n_in, qoff, out_offset, accumulate, norm_offset;
  float eps;
  uint32_t pairs;  // matvec_wide.glsl only: row pairs per row group
};
struct EmbedParams { uint32_t row, n, qoff; };
struct ArgmaxParams { uint32_t n, slot; };
struct EmbedTokenParams { uint32_t first_row, n, qoff, rows; };
struct AttentionDecodeParams {
  uint32_t n_head, n_head_kv, head_dim, n_rot, pos, max_seq, neox;
  float scale;
  uint32_t n_split;
};

using Clock = std::chrono::steady_clock;
double Micros(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

// A 2-D tensor made of other tensors' rows, owning its bytes: [wq; wk; wv] for the fused QKV
// product, or gate and up rows interleaved for the fused FFN.
struct CombinedTensor {
  std::vector<uint8_t> bytes;
  TensorView view;
};

Result<CombinedTensor> CombineRows(const std::string& name, std::vector<const TensorView*> parts,
                                   bool interleave) {
  for (const TensorView* t : parts) {
    if (t->type != parts[0]->type || t->ne[0] != parts[0]->ne[0]) {
      return MakeError("The GPU path needs '", parts[0]->name, "' and '", t->name,
                       "' to share a type and row length (they are ", GgmlTypeName(parts[0]->type),
                       " and ", GgmlTypeName(t->type), ").");
    }
  }
  CombinedTensor c;
  const uint64_t row_bytes = parts[0]->row_bytes();
  uint64_t rows = 0;
  for (const TensorView* t : parts) rows += t->rows();
  c.bytes.resize(rows * row_bytes);
  uint8_t* out = c.bytes.data();
  if (interleave) {  // parts have equal row counts: row r of each, in turn
    for (uint64_t r = 0; r < parts[0]->rows(); ++r) {
      for (const TensorView* t : parts) {
        std::memcpy(out, t->row(r), row_bytes);
        out += row_bytes;
      }
    }
  } else {
    for (const TensorView* t : parts) {
      std::memcpy(out, t->data, t->rows() * row_bytes);
      out += t->rows() * row_bytes;
    }
  }
  c.view = *parts[0];
  c.view.name = name;
  c.view.n_dims = 2;
  c.view.ne[1] = rows;
  c.view.ne[2] = c.view.ne[3] = 1;
  c.view.data = c.bytes.data();
  c.view.n_bytes = c.bytes.size();
  return c;
}

// Outputs per matvec workgroup: matvec.glsl, 256 threads, 16 per row; matvec_wide.glsl, 4 row
// groups of two weight rows each (two outputs, or one gate/up pair).
constexpr uint64_t kPortableRowsPerGroup = 16;
constexpr uint64_t kWideWeightRowsPerGroup = 8;
// matvec_dot8_*.comp: 8 row groups of 4 weight rows, rows of at most 2048 inputs (JMAX 2);
// matvec_dot8_long_*.comp (Q4_0): 8 row groups of 2 weight rows, rows of up to 4096 (JMAX 4).
constexpr uint64_t kDot8WeightRowsPerGroup = 32;
constexpr uint64_t kDot8MaxInputs = 2048;
constexpr uint64_t kDot8LongWeightRowsPerGroup = 16;
constexpr uint64_t kDot8LongMaxInputs = 4096;

// Which bindings of a matvec kernel of `kind` (MatVecKind) the kernel writes: weights, x, y,
// and (norm and ffn kinds) the norm weight; every matvec family has this layout.
std::vector<bool> MatVecWritable(int kind) {
  if (kind == 0) return {false, false, true};
  return {false, false, true, false};
}

// Workgroup counts for one workgroup per item, folded into 2-D past the per-dimension limit.
void Dispatch1D(WGPUComputePassEncoder pass, uint64_t groups, uint32_t max_per_dim) {
  const uint64_t x = std::min<uint64_t>(groups, max_per_dim);
  const uint64_t y = (groups + x - 1) / x;
  wgpuComputePassEncoderDispatchWorkgroups(pass, static_cast<uint32_t>(x),
                                           static_cast<uint32_t>(y), 1);
}

}  // namespace

Result<std::unique_ptr<LlamaGpu>> LlamaGpu::Create(GpuContext& ctx, const LlamaModel& model,
                                                   uint32_t max_seq, uint64_t max_binding_bytes,
                                                   bool use_host_mapped) {
  if (max_seq == 0 || max_seq > model.hp.n_ctx) {
    return MakeError("KV cache length (", max_seq, ") must be between 1 and the context length (",
                     model.hp.n_ctx, ").");
  }
  std::unique_ptr<LlamaGpu> g(new LlamaGpu(ctx, model, max_seq));
  const uint64_t limit = std::min(ctx.limits().maxStorageBufferBindingSize, ctx.limits().maxBufferSize);
  NN_TRY(g->Init(max_binding_bytes != 0 ? std::min(max_binding_bytes, limit) : limit,
                 use_host_mapped));
  NN_TRY(ctx.TakeErrors("While loading the model onto the GPU"));
  return g;
}

LlamaGpu::~LlamaGpu() {
  (void)SettleGreedy();  // the queued step uses the buffers released below
  DropAhead();
  for (WGPUBindGroup g : owned_groups_) wgpuBindGroupRelease(g);
  for (WGPUBuffer b : owned_buffers_) {
    wgpuBufferDestroy(b);
    wgpuBufferRelease(b);
  }
  if (query_set_ != nullptr) {
    wgpuQuerySetDestroy(query_set_);
    wgpuQuerySetRelease(query_set_);
  }
  std::vector<Kernel*> kernels = {&attention_decode_, &argmax_};
  for (int t = 0; t < 4; ++t) {
    kernels.push_back(&embed_[t]);
    kernels.push_back(&embed_tok_[t]);
  }
  for (auto* family : {&matvec_, &wide_}) {
    for (auto& by_type : *family) {
      for (Kernel& k : by_type) kernels.push_back(&k);
    }
  }
  for (auto& by_kind : pipe_) {
    for (Kernel& k : by_kind) kernels.push_back(&k);
  }
  for (Kernel& k : dot8_long_) kernels.push_back(&k);
  for (auto& by_kind : dot8_) {
    for (Kernel& k : by_kind) kernels.push_back(&k);
  }
  for (Kernel* k : PrefillKernels()) kernels.push_back(k);
  for (Kernel* k : kernels) {
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

Result<LlamaGpu::Matrix*> LlamaGpu::Upload(const TensorView& t, uint64_t max_binding_bytes,
                                           uint64_t row_multiple) {
  matrices_.push_back(std::make_unique<Matrix>());
  Matrix& m = *matrices_.back();
  m.type = t.type;
  m.n_in = t.ne[0];
  m.n_out = t.rows();
  NN_TRY_ASSIGN(uint64_t per_chunk, RowsPerChunk(t, max_binding_bytes));
  per_chunk -= per_chunk % row_multiple;
  if (per_chunk == 0) {
    return MakeError("Tensor '", t.name, "': ", row_multiple,
                     " rows do not fit one storage binding (", max_binding_bytes, " bytes).");
  }
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
    m.bytes += packed.words.size() * 4;
    m.chunks.push_back(c);
  }
  return &m;
}

LlamaGpu::MatVecOp LlamaGpu::MakeMatVec(const Matrix& m, MatVecKind kind, WGPUBuffer x,
                                        WGPUBuffer y, bool accumulate, WGPUBuffer norm,
                                        uint32_t norm_offset) {
  MatVecOp op;
  op.matrix = &m;
  op.kind = kind;
  op.accumulate = accumulate;
  op.norm_offset = norm_offset;
  op.wide = use_wide_ && (!mixed_ || m.n_in >= ctx_.matvec_wide_min_inputs());
  // matvec_pipe for quantized matrices large enough for several row pairs per workgroup at
  // about matvec_target_groups_ workgroups (x staged once for them all, the next pair's weights
  // loaded while this one's are used): on the H100 the tinyllama-1.1b Q4_0 classifier (32000
  // rows, 3 pairs) took 49-50 us alone against 58-59 with matvec_wide, Q8_0 52-54 against 61.
  // For smaller matrices it was no faster (qkv, down) or slower (wo, ffn: 1-2 us), so they keep
  // matvec_wide, one pair per row group (bench/results/llama-h100-matvec-pipe.md).
  const uint64_t groups = (m.n_out + kWideWeightRowsPerGroup - 1) / kWideWeightRowsPerGroup;
  const uint64_t pipe_pairs = std::clamp<uint64_t>(groups / matvec_target_groups_, 1, 8);
  op.pipe = op.wide && pipe_mode_ != 0 &&
            (m.type == GgmlType::kQ8_0 || m.type == GgmlType::kQ4_0) &&
            (pipe_pairs > 1 || pipe_mode_ == 2);
  op.dot8 = op.wide && QuantizesActivations(m.type, m.n_in) &&
            !(&m == output_ && dot8_mode_ == 2);
  // On the H100 the tinyllama-1.1b Q4_0 ffn product took 9.5 us against matvec_wide's 12.3 and
  // the classifier 20.1 against 27.9; the other products the same within 0.3 us; Q8_0 the same
  // or faster (bench/results/matvec-kernels-h100.md).
  // Rows of 2049-4096 inputs (Q4_0 only): on the H100, llama-7B-shaped products took 18.5 us
  // against matvec_wide's 21.6 (qkv), 8.5 against 9.4 (wo), 30.2 against 34.6 (ffn); Q8_0 was
  // no faster there (bench/results/matvec-kernels-h100-sweep7b.txt).
  op.dot8_long = op.dot8 && m.n_in > kDot8MaxInputs;
  if (op.dot8) op.pipe = false;
  op.pairs = op.pipe ? static_cast<uint32_t>(pipe_pairs) : 1;
  if (op.wide && ctx_.matvec_pairs() != 0) op.pairs = ctx_.matvec_pairs();
  for (const Chunk& c : m.chunks) {
    std::vector<WGPUBuffer> buffers = {c.buffer, x, y};
    if (kind != MatVecKind::kPlain) buffers.push_back(norm);
    op.groups.push_back(Bind(MatVecKernel(op), buffers));
  }
  return op;
}

const LlamaGpu::Kernel& LlamaGpu::MatVecKernel(const MatVecOp& op) const {
  const int t = TypeIndex(op.matrix->type), kind = static_cast<int>(op.kind);
  if (op.dot8_long) return dot8_long_[kind];
  if (op.dot8) return dot8_[kind][t - 2];
  if (op.pipe) return pipe_[kind][t - 2];
  return (op.wide ? wide_ : matvec_)[kind][t];
}

const char* LlamaGpu::matvec_kernels() const {
  if (!use_wide_) return "portable";
  if (mixed_) return wide_subgroups_ ? "mixed+subgroups" : "mixed";
  return wide_subgroups_ ? "wide+subgroups" : "wide";
}

bool LlamaGpu::QuantizesActivations(GgmlType type, uint64_t n_in) const {
  const bool fits = (type == GgmlType::kQ8_0 && n_in <= kDot8MaxInputs) ||
                    (type == GgmlType::kQ4_0 && n_in <= kDot8LongMaxInputs);
  return use_dot8_ && fits && (!mixed_ || n_in >= ctx_.matvec_wide_min_inputs());
}

const char* LlamaGpu::OpName(Op op) {
  static const char* const kNames[kOpCount] = {"embed", "qkv",  "attention", "wo",
                                               "ffn",   "down", "output"};
  return kNames[static_cast<int>(op)];
}

Status LlamaGpu::Init(uint64_t max_binding_bytes, bool use_host_mapped) {
  const LlamaHParams& hp = model_.hp;
  const uint32_t mv = sizeof(MatVecParams);
  const std::span<const uint32_t> matvec_spirv[3][4] = {
      {Words(kSpirv_matvec_f32), Words(kSpirv_matvec_f16), Words(kSpirv_matvec_q8_0),
       Words(kSpirv_matvec_q4_0)},
      {Words(kSpirv_matvec_norm_f32), Words(kSpirv_matvec_norm_f16),
       Words(kSpirv_matvec_norm_q8_0), Words(kSpirv_matvec_norm_q4_0)},
      {Words(kSpirv_matvec_ffn_f32), Words(kSpirv_matvec_ffn_f16), Words(kSpirv_matvec_ffn_q8_0),
       Words(kSpirv_matvec_ffn_q4_0)}};
  const std::span<const uint32_t> embed_spirv[4] = {
      Words(kSpirv_embed_f32), Words(kSpirv_embed_f16), Words(kSpirv_embed_q8_0),
      Words(kSpirv_embed_q4_0)};
  // The GPU kernels (wide), with subgroup shuffles where the device has subgroups.
  const std::span<const uint32_t> wide_spirv[2][3][4] = {
      {{Words(kSpirv_matvec_wide_f32), Words(kSpirv_matvec_wide_f16),
        Words(kSpirv_matvec_wide_q8_0), Words(kSpirv_matvec_wide_q4_0)},
       {Words(kSpirv_matvec_wide_norm_f32), Words(kSpirv_matvec_wide_norm_f16),
        Words(kSpirv_matvec_wide_norm_q8_0), Words(kSpirv_matvec_wide_norm_q4_0)},
       {Words(kSpirv_matvec_wide_ffn_f32), Words(kSpirv_matvec_wide_ffn_f16),
        Words(kSpirv_matvec_wide_ffn_q8_0), Words(kSpirv_matvec_wide_ffn_q4_0)}},
      {{Words(kSpirv_matvec_wide_f32_sg), Words(kSpirv_matvec_wide_f16_sg),
        Words(kSpirv_matvec_wide_q8_0_sg), Words(kSpirv_matvec_wide_q4_0_sg)},
       {Words(kSpirv_matvec_wide_norm_f32_sg), Words(kSpirv_matvec_wide_norm_f16_sg),
        Words(kSpirv_matvec_wide_norm_q8_0_sg), Words(kSpirv_matvec_wide_norm_q4_0_sg)},
       {Words(kSpirv_matvec_wide_ffn_f32_sg), Words(kSpirv_matvec_wide_ffn_f16_sg),
        Words(kSpirv_matvec_wide_ffn_q8_0_sg), Words(kSpirv_matvec_wide_ffn_q4_0_sg)}}};
  use_wide_ = ctx_.matvec_path() != GpuContext::MatVecPath::kPortable;
  mixed_ = ctx_.matvec_path() == GpuContext::MatVecPath::kMixed;
  wide_subgroups_ = use_wide_ && ctx_.has_subgroups();
  // matvec_wide keeps one row pair per row group: on the H100, tinyllama-1.1b Q4_0 decoded at
  // 712 tok/s with one and 688 with several for large matrices (as many as kept 512 workgroups).
  if (const char* env = std::getenv("WASMGPU_MATVEC_PIPE"); env != nullptr) {
    pipe_mode_ = static_cast<uint32_t>(std::strtoul(env, nullptr, 10));
  }
  if (!wide_subgroups_) pipe_mode_ = 0;
  if (const char* env = std::getenv("WASMGPU_MATVEC_GROUPS"); env != nullptr) {
    matvec_target_groups_ = std::max<uint64_t>(1, std::strtoull(env, nullptr, 10));
  }
  use_dot8_ = wide_subgroups_ && ctx_.matvec_dot8() && ctx_.has_integer_dot() &&
              ctx_.subgroup_min_size() >= 8;
  if (const char* env = std::getenv("WASMGPU_MATVEC_DOT8"); env != nullptr) {
    dot8_mode_ = static_cast<uint32_t>(std::strtoul(env, nullptr, 10));
    if (dot8_mode_ == 0) use_dot8_ = false;
  }
  // The quantized-only families ([plain, norm, ffn][Q8_0, Q4_0]).
  auto make_quantized = [&](Kernel (&family)[3][2],
                            const std::span<const uint32_t> (&spirv)[3][2],
                            const char* label) -> Status {
    for (int kind = 0; kind < 3; ++kind) {
      for (int t = 0; t < 2; ++t) {
        NN_TRY_ASSIGN(family[kind][t], MakeKernel(spirv[kind][t], MatVecWritable(kind), mv, label));
      }
    }
    return {};
  };
  if (use_dot8_) {
    const std::span<const uint32_t> dot8_spirv[3][2] = {
        {Words(kSpirv_matvec_dot8_q8_0), Words(kSpirv_matvec_dot8_q4_0)},
        {Words(kSpirv_matvec_dot8_norm_q8_0), Words(kSpirv_matvec_dot8_norm_q4_0)},
        {Words(kSpirv_matvec_dot8_ffn_q8_0), Words(kSpirv_matvec_dot8_ffn_q4_0)}};
    NN_TRY(make_quantized(dot8_, dot8_spirv, "matvec_dot8"));
    const std::span<const uint32_t> long_spirv[3] = {Words(kSpirv_matvec_dot8_long_q4_0),
                                                     Words(kSpirv_matvec_dot8_long_norm_q4_0),
                                                     Words(kSpirv_matvec_dot8_long_ffn_q4_0)};
    for (int kind = 0; kind < 3; ++kind) {
      NN_TRY_ASSIGN(dot8_long_[kind],
                    MakeKernel(long_spirv[kind], MatVecWritable(kind), mv, "matvec_dot8"));
    }
  }
  if (pipe_mode_ != 0) {
    const std::span<const uint32_t> pipe_spirv[3][2] = {
        {Words(kSpirv_matvec_pipe_q8_0), Words(kSpirv_matvec_pipe_q4_0)},
        {Words(kSpirv_matvec_pipe_norm_q8_0), Words(kSpirv_matvec_pipe_norm_q4_0)},
        {Words(kSpirv_matvec_pipe_ffn_q8_0), Words(kSpirv_matvec_pipe_ffn_q4_0)}};
    NN_TRY(make_quantized(pipe_, pipe_spirv, "matvec_pipe"));
  }

  for (int kind = 0; kind < 3; ++kind) {
    const std::vector<bool> writable = MatVecWritable(kind);
    for (int t = 0; t < 4; ++t) {
      if (use_wide_) {
        const int sg = wide_subgroups_ ? 1 : 0;
        NN_TRY_ASSIGN(wide_[kind][t],
                      MakeKernel(wide_spirv[sg][kind][t], writable, mv, "matvec_wide"));
      }
      if (!use_wide_ || mixed_) {
        NN_TRY_ASSIGN(matvec_[kind][t], MakeKernel(matvec_spirv[kind][t], writable, mv, "matvec"));
      }
    }
  }
  const std::span<const uint32_t> embed_tok_spirv[4] = {
      Words(kSpirv_embed_tok_f32), Words(kSpirv_embed_tok_f16), Words(kSpirv_embed_tok_q8_0),
      Words(kSpirv_embed_tok_q4_0)};
  for (int t = 0; t < 4; ++t) {
    NN_TRY_ASSIGN(embed_[t], MakeKernel(embed_spirv[t], {false, true}, sizeof(EmbedParams), "embed"));
    NN_TRY_ASSIGN(embed_tok_[t], MakeKernel(embed_tok_spirv[t], {false, true, false},
                                            sizeof(EmbedTokenParams), "embed_tok"));
  }
  if (hp.head_dim > 256 || hp.head_dim % 4 != 0) {
    return MakeError("The GPU path needs a head_dim that is a multiple of 4 and at most 256 (the "
                     "model has ", hp.head_dim, ").");
  }
  // A score's partial dots meet through subgroup shuffles where the device has them; CPU
  // adapters take small workgroups (attention_decode_cpu.comp says why).
  NN_TRY_ASSIGN(attention_decode_,
                MakeKernel(ctx_.is_cpu()           ? Words(kSpirv_attention_decode_cpu)
                           : ctx_.has_subgroups() ? Words(kSpirv_attention_decode_sg)
                                                  : Words(kSpirv_attention_decode),
                           {false, true, true, false, true, true, true},
                           sizeof(AttentionDecodeParams),
                           "attention_decode"));
  if (const char* env = std::getenv("WASMGPU_ATTN_SPLIT"); env != nullptr) {
    NN_TRY(SetAttentionSplit(static_cast<uint32_t>(std::strtoul(env, nullptr, 10))));
  }

  const uint64_t q_dim = uint64_t{hp.n_head} * hp.head_dim;
  const uint64_t kv_dim = uint64_t{hp.n_head_kv} * hp.head_dim;
  x_ = MakeBuffer(hp.n_embd * 4, "x");
  qkv_ = MakeBuffer((q_dim + 2 * kv_dim) * 4, "qkv");
  attn_out_ = MakeBuffer(kMaxAttentionSplit * q_dim * 4, "attn_out");
  attn_ml_ = MakeBuffer(uint64_t{kMaxAttentionSplit} * hp.n_head * 8, "attn_ml");
  {
    const std::vector<uint32_t> zeros(hp.n_head, 0);  // the kernel leaves them 0 too
    attn_arrivals_ = MakeBuffer(zeros.size() * 4, "attn_arrivals", zeros.data());
  }
  hb_ = MakeBuffer(uint64_t{hp.n_ff} * 4, "hb");
  const uint32_t align = ctx_.host_mapped_alignment();
  if (use_host_mapped && align != 0) {
    // The classifier writes straight into host memory: no copy, no map (DESIGN.md decision 9).
    NN_TRY_ASSIGN(GpuContext::HostMapped m,
                  ctx_.CreateHostMappedBuffer(
                      uint64_t{hp.n_vocab} * 4,
                      WGPUBufferUsage_Storage | WGPUBufferUsage_CopyDst | WGPUBufferUsage_CopySrc,
                      "logits (host-mapped)"));
    logits_ = m.buffer;
    owned_buffers_.push_back(logits_);
    logits_mapped_ = static_cast<float*>(m.memory);
  } else {
    logits_ = MakeBuffer(uint64_t{hp.n_vocab} * 4, "logits");
    readback_ = ctx_.CreateBuffer(uint64_t{hp.n_vocab} * 4,
                                  WGPUBufferUsage_MapRead | WGPUBufferUsage_CopyDst, "readback");
    owned_buffers_.push_back(readback_);
    logits_host_.resize(hp.n_vocab);
  }
  // The token id of a step recorded ahead (SetRecordAhead): written by the host just before the
  // submit, through host memory where the device can, else with writeBuffer.
  if (use_host_mapped && align != 0) {
    NN_TRY_ASSIGN(GpuContext::HostMapped m,
                  ctx_.CreateHostMappedBuffer(4, WGPUBufferUsage_Storage | WGPUBufferUsage_CopyDst,
                                              "token (host-mapped)"));
    token_buf_ = m.buffer;
    owned_buffers_.push_back(token_buf_);
    token_mapped_ = static_cast<uint32_t*>(m.memory);
  } else {
    token_buf_ = MakeBuffer(16, "token");
  }

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
  std::vector<float> inv_freq(std::max(1u, hp.n_rot / 2));
  for (uint32_t i = 0; i < hp.n_rot / 2; ++i) {
    inv_freq[i] = static_cast<float>(std::pow(double{hp.rope_freq_base}, -2.0 * i / hp.n_rot));
  }
  inv_freq_ = MakeBuffer(inv_freq.size() * 4, "inv_freq", inv_freq.data());

  NN_TRY_ASSIGN(token_embd_, Upload(model_.token_embd, max_binding_bytes));
  for (const Chunk& c : token_embd_->chunks) {
    embed_groups_.push_back(Bind(embed_[TypeIndex(token_embd_->type)], {c.buffer, x_}));
    embed_tok_groups_.push_back(
        Bind(embed_tok_[TypeIndex(token_embd_->type)], {c.buffer, x_, token_buf_}));
  }
  layers_.resize(hp.n_layer);
  for (uint32_t l = 0; l < hp.n_layer; ++l) {
    const LlamaLayer& src = model_.layers[l];
    Layer& L = layers_[l];
    const uint32_t norm_offset = l * hp.n_embd;
    L.k_cache = MakeBuffer(uint64_t{max_seq_} * kv_dim * 4, "k_cache");
    L.v_cache = MakeBuffer(uint64_t{max_seq_} * kv_dim * 4, "v_cache");
    Matrix* m = nullptr;
    {
      NN_TRY_ASSIGN(CombinedTensor qkv, CombineRows(StrCat("blk.", l, ".attn_qkv"),
                                                    {&src.wq, &src.wk, &src.wv}, false));
      NN_TRY_ASSIGN(m, Upload(qkv.view, max_binding_bytes));
    }
    L.qkv = MakeMatVec(*m, MatVecKind::kNorm, x_, qkv_, false, attn_norms_, norm_offset);
    NN_TRY_ASSIGN(m, Upload(src.wo, max_binding_bytes));
    L.wo = MakeMatVec(*m, MatVecKind::kPlain, attn_out_, x_, true);
    {
      NN_TRY_ASSIGN(CombinedTensor ffn, CombineRows(StrCat("blk.", l, ".ffn_gate_up"),
                                                    {&src.ffn_gate, &src.ffn_up}, true));
      NN_TRY_ASSIGN(m, Upload(ffn.view, max_binding_bytes, 2));
    }
    L.ffn = MakeMatVec(*m, MatVecKind::kFfn, x_, hb_, false, ffn_norms_, norm_offset);
    NN_TRY_ASSIGN(m, Upload(src.ffn_down, max_binding_bytes));
    L.down = MakeMatVec(*m, MatVecKind::kPlain, hb_, x_, true);
    L.attention_decode =
        Bind(attention_decode_,
             {qkv_, L.k_cache, L.v_cache, inv_freq_, attn_out_, attn_ml_, attn_arrivals_});
    matvec_bytes_ += L.qkv.matrix->bytes + L.wo.matrix->bytes + L.ffn.matrix->bytes +
                     L.down.matrix->bytes;
  }
  if (model_.tied_embeddings) {
    output_ = token_embd_;
  } else {
    NN_TRY_ASSIGN(output_, Upload(model_.output, max_binding_bytes));
  }
  output_op_ = MakeMatVec(*output_, MatVecKind::kNorm, x_, logits_, false, output_norm_, 0);
  matvec_bytes_ += output_->bytes;
  if (use_host_mapped && align != 0) NN_TRY(InitGreedy());

  // What one decode step dispatches (benchmarks report it): embedding, per layer attention plus
  // one per matrix chunk, and the classifier's chunks.
  dispatches_per_token_ = 1 + output_op_.groups.size();
  for (const Layer& L : layers_) {
    dispatches_per_token_ += 1 + L.qkv.groups.size() + L.wo.groups.size() +
                             L.ffn.groups.size() + L.down.groups.size();
  }
  return InitPrefill();
}

void LlamaGpu::RecordMatVec(WGPUComputePassEncoder pass, const MatVecOp& op, uint32_t out_offset) {
  const Matrix& m = *op.matrix;
  // kFfn chunks hold gate/up row pairs and produce one output per pair.
  const uint64_t per_output = op.kind == MatVecKind::kFfn ? 2 : 1;
  wgpuComputePassEncoderSetPipeline(pass, MatVecKernel(op).pipeline);
  for (size_t i = 0; i < m.chunks.size(); ++i) {
    const Chunk& c = m.chunks[i];
    const uint64_t outputs = c.rows / per_output;
    const uint64_t pairs = op.pairs;
    MatVecParams p{static_cast<uint32_t>(outputs), static_cast<uint32_t>(m.n_in), c.qoff,
                   out_offset + static_cast<uint32_t>(c.first_row / per_output),
                   op.accumulate ? 1u : 0u, op.norm_offset, model_.hp.norm_eps,
                   static_cast<uint32_t>(pairs)};
    wgpuComputePassEncoderSetBindGroup(pass, 0, op.groups[i], 0, nullptr);
    wgpuComputePassEncoderSetImmediateData(pass, 0, &p, sizeof(p));
    const uint64_t per_group = op.dot8_long ? kDot8LongWeightRowsPerGroup / per_output
                               : op.dot8    ? kDot8WeightRowsPerGroup / per_output
                               : op.wide ? pairs * kWideWeightRowsPerGroup / per_output
                                         : kPortableRowsPerGroup;
    Dispatch1D(pass, (outputs + per_group - 1) / per_group,
               ctx_.limits().maxComputeWorkgroupsPerDimension);
  }
}

WGPUComputePassEncoder LlamaGpu::NextOp(WGPUComputePassEncoder pass, Op op) {
  if (profiled_encoder_ == nullptr) return pass;
  if (pass != nullptr) {
    wgpuComputePassEncoderEnd(pass);
    wgpuComputePassEncoderRelease(pass);
  }
  const uint32_t i = static_cast<uint32_t>(profiled_ops_.size());
  profiled_ops_.push_back(op);
  WGPUPassTimestampWrites ts{nullptr, query_set_, 2 * i, 2 * i + 1};
  WGPUComputePassDescriptor d{};
  d.timestampWrites = &ts;
  return wgpuCommandEncoderBeginComputePass(profiled_encoder_, &d);
}

WGPUComputePassEncoder LlamaGpu::RecordStep(WGPUComputePassEncoder pass, int32_t token,
                                            uint32_t pos, bool logits) {
  const LlamaHParams& hp = model_.hp;
  pass = NextOp(pass, Op::kEmbed);
  if (token == kTokenFromBuffer || token == kTokenFromGreedy) {
    // x = token_embd[token_buf_[0]] (greedy_token_[0]): every chunk's dispatch, the one holding
    // the row writes.
    const std::vector<WGPUBindGroup>& groups =
        token == kTokenFromBuffer ? embed_tok_groups_ : embed_greedy_groups_;
    wgpuComputePassEncoderSetPipeline(pass, embed_tok_[TypeIndex(token_embd_->type)].pipeline);
    for (size_t ci = 0; ci < token_embd_->chunks.size(); ++ci) {
      const Chunk& c = token_embd_->chunks[ci];
      const EmbedTokenParams ep{static_cast<uint32_t>(c.first_row), hp.n_embd, c.qoff,
                                static_cast<uint32_t>(c.rows)};
      wgpuComputePassEncoderSetBindGroup(pass, 0, groups[ci], 0, nullptr);
      wgpuComputePassEncoderSetImmediateData(pass, 0, &ep, sizeof(ep));
      wgpuComputePassEncoderDispatchWorkgroups(pass, (hp.n_embd + 63) / 64, 1, 1);
    }
  } else {
    // x = token_embd[token], from the chunk that holds its row.
    size_t ci = 0;
    while (token_embd_->chunks[ci].first_row + token_embd_->chunks[ci].rows <= uint64_t(token)) ++ci;
    const Chunk& ec = token_embd_->chunks[ci];
    const EmbedParams ep{static_cast<uint32_t>(token - ec.first_row), hp.n_embd, ec.qoff};
    wgpuComputePassEncoderSetPipeline(pass, embed_[TypeIndex(token_embd_->type)].pipeline);
    wgpuComputePassEncoderSetBindGroup(pass, 0, embed_groups_[ci], 0, nullptr);
    wgpuComputePassEncoderSetImmediateData(pass, 0, &ep, sizeof(ep));
    wgpuComputePassEncoderDispatchWorkgroups(pass, (hp.n_embd + 63) / 64, 1, 1);
  }

  const uint32_t n_split = AttentionSplit(pos + 1);
  const AttentionDecodeParams ap{hp.n_head, hp.n_head_kv, hp.head_dim, hp.n_rot, pos, max_seq_,
                                 hp.rope_type == RopeType::kNeox ? 1u : 0u,
                                 1.0f / std::sqrt(static_cast<float>(hp.head_dim)), n_split};
  for (uint32_t l = 0; l < hp.n_layer; ++l) {
    const Layer& L = layers_[l];
    // qkv = [Wq; Wk; Wv] rmsnorm(x) * attn_norm
    pass = NextOp(pass, Op::kQkv);
    RecordMatVec(pass, L.qkv, 0);
    // attn_out = softmax(rope(q) rope(k)^T / sqrt(d)) v per head, k and v stored at pos; split:
    // n_split workgroups per head over slices of the positions, the last combining them
    pass = NextOp(pass, Op::kAttention);
    wgpuComputePassEncoderSetPipeline(pass, attention_decode_.pipeline);
    wgpuComputePassEncoderSetBindGroup(pass, 0, L.attention_decode, 0, nullptr);
    wgpuComputePassEncoderSetImmediateData(pass, 0, &ap, sizeof(ap));
    wgpuComputePassEncoderDispatchWorkgroups(pass, hp.n_head, n_split, 1);
    // x += Wo attn_out
    pass = NextOp(pass, Op::kWo);
    RecordMatVec(pass, L.wo, 0);
    // hb = silu(W1 xb) * W3 xb with xb = rmsnorm(x) * ffn_norm; x += W2 hb
    pass = NextOp(pass, Op::kFfn);
    RecordMatVec(pass, L.ffn, 0);
    pass = NextOp(pass, Op::kDown);
    RecordMatVec(pass, L.down, 0);
  }
  // logits = W_out rmsnorm(x) * output_norm
  if (logits) {
    pass = NextOp(pass, Op::kOutput);
    RecordMatVec(pass, output_op_, 0);
  }
  return pass;
}

Status LlamaGpu::CheckTokens(std::span<const int32_t> tokens, uint32_t start_pos) const {
  const LlamaHParams& hp = model_.hp;
  if (tokens.empty()) return MakeError("Prefill needs at least one token.");
  for (int32_t token : tokens) {
    if (token < 0 || static_cast<uint32_t>(token) >= hp.n_vocab) {
      return MakeError("Token id (", token, ") is outside the vocabulary (", hp.n_vocab, ").");
    }
  }
  if (start_pos >= max_seq_ || tokens.size() > max_seq_ - start_pos) {
    return MakeError("Positions ", start_pos, " to ", uint64_t{start_pos} + tokens.size() - 1,
                     " go past the KV cache length (", max_seq_, ").");
  }
  return {};
}

bool LlamaGpu::SetProfiling(Profiling mode) {
  if (mode == Profiling::kOff || !ctx_.has_timestamps()) {
    profiling_ = Profiling::kOff;
    return mode == Profiling::kOff;
  }
  if (query_set_ == nullptr) {
    query_count_ = 2 * (2 + 5 * model_.hp.n_layer);  // a pair per op of one step
    WGPUQuerySetDescriptor qd{};
    qd.label = View("step timestamps");
    qd.type = WGPUQueryType_Timestamp;
    qd.count = query_count_;
    query_set_ = wgpuDeviceCreateQuerySet(ctx_.device(), &qd);
    const uint64_t bytes = uint64_t{query_count_} * 8;
    query_resolve_ = ctx_.CreateBuffer(bytes, WGPUBufferUsage_QueryResolve | WGPUBufferUsage_CopySrc,
                                       "timestamps");
    query_readback_ = ctx_.CreateBuffer(bytes, WGPUBufferUsage_MapRead | WGPUBufferUsage_CopyDst,
                                        "timestamps readback");
    owned_buffers_.push_back(query_resolve_);
    owned_buffers_.push_back(query_readback_);
    if (!ctx_.TakeErrors("While creating the timestamp queries").ok()) return false;
  }
  profiling_ = mode;
  return true;
}

Status LlamaGpu::SetAttentionSplit(uint32_t split) {
  if (split > kMaxAttentionSplit) {
    return MakeError("Attention split (", split, ") is larger than its maximum (",
                     kMaxAttentionSplit, ").");
  }
  NN_TRY(SettleGreedy());  // so is a step queued by ForwardGreedy
  attention_split_ = split;
  DropAhead();  // a step recorded ahead has the old split
  return {};
}

uint32_t LlamaGpu::AttentionSplit(uint32_t n_pos) const {
  if (attention_split_ != 0) return attention_split_;
  // Lavapipe runs workgroups on a few CPU threads: more of them only add work there. The split
  // is for GPUs, where 32 heads occupy a fraction of the SMs.
  if (!use_wide_) return 1;  // also keeps lavapipe as fast as before
  // Combining the partials costs about as much as two passes of the kernel, so split only past
  // two passes, then one workgroup per pass up to kAutoMaxSplit.
  const uint32_t per_pass = AttentionPositionsPerPass(model_.hp.head_dim);
  if (n_pos <= 2 * per_pass) return 1;
  return std::min<uint32_t>((n_pos + per_pass - 1) / per_pass, kAutoMaxSplit);
}

void LlamaGpu::SetRecordAhead(bool on) {
  record_ahead_ = on;
  if (!on) DropAhead();
}

void LlamaGpu::DropAhead() {
  if (ahead_cmd_ != nullptr) wgpuCommandBufferRelease(ahead_cmd_);
  ahead_cmd_ = nullptr;
}

Status LlamaGpu::ReadTimestamps(StepTimes* times) {
  const uint64_t bytes = profiled_ops_.size() * 16;  // kStep: one "op" for the whole step
  WGPUMapAsyncStatus status = WGPUMapAsyncStatus_Error;
  WGPUBufferMapCallbackInfo cb{};
  cb.mode = WGPUCallbackMode_WaitAnyOnly;
  cb.callback = [](WGPUMapAsyncStatus s, WGPUStringView, void* u1, void*) {
    *static_cast<WGPUMapAsyncStatus*>(u1) = s;
  };
  cb.userdata1 = &status;
  NN_TRY(ctx_.Wait(wgpuBufferMapAsync(query_readback_, WGPUMapMode_Read, 0, bytes, cb),
                   "the timestamps"));
  if (status != WGPUMapAsyncStatus_Success) return MakeError("Mapping the timestamps failed.");
  std::vector<uint64_t> ticks(profiled_ops_.size() * 2);
  std::memcpy(ticks.data(), wgpuBufferGetConstMappedRange(query_readback_, 0, bytes), bytes);
  wgpuBufferUnmap(query_readback_);
  auto span = [&](size_t i) {
    return ticks[2 * i + 1] > ticks[2 * i] ? static_cast<double>(ticks[2 * i + 1] - ticks[2 * i])
                                           : 0.0;
  };
  if (profiling_ == Profiling::kStep) {
    times->gpu_step_ns = span(0);
    times->has_gpu_step = true;
    return {};
  }
  for (double& ns : times->gpu_ns) ns = 0;
  for (size_t i = 0; i < profiled_ops_.size(); ++i) {
    times->gpu_ns[static_cast<int>(profiled_ops_[i])] += span(i);
  }
  times->has_gpu_ops = true;
  return {};
}

std::vector<uint64_t> LlamaGpu::matvec_op_bytes() const {
  std::vector<uint64_t> bytes(kOpCount, 0);
  const Layer& L = layers_[0];
  bytes[static_cast<int>(Op::kQkv)] = L.qkv.matrix->bytes;
  bytes[static_cast<int>(Op::kWo)] = L.wo.matrix->bytes;
  bytes[static_cast<int>(Op::kFfn)] = L.ffn.matrix->bytes;
  bytes[static_cast<int>(Op::kDown)] = L.down.matrix->bytes;
  bytes[static_cast<int>(Op::kOutput)] = output_op_.matrix->bytes;
  return bytes;
}

Result<std::vector<double>> LlamaGpu::TimeMatVecs(uint32_t reps) {
  const Profiling was = profiling_;
  if (!SetProfiling(Profiling::kOps)) return MakeError("The device has no timestamp queries.");
  profiling_ = was;
  DropAhead();  // the activations it would start from are overwritten
  const Layer& L = layers_[0];
  const std::pair<Op, const MatVecOp*> ops[] = {{Op::kQkv, &L.qkv},
                                                {Op::kWo, &L.wo},
                                                {Op::kFfn, &L.ffn},
                                                {Op::kDown, &L.down},
                                                {Op::kOutput, &output_op_}};
  WGPUCommandEncoder enc = wgpuDeviceCreateCommandEncoder(ctx_.device(), nullptr);
  uint32_t q = 0;
  for (const auto& [op, mv] : ops) {
    WGPUPassTimestampWrites ts{nullptr, query_set_, q, q + 1};
    WGPUComputePassDescriptor d{};
    d.timestampWrites = &ts;
    WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(enc, &d);
    for (uint32_t r = 0; r < reps; ++r) RecordMatVec(pass, *mv, 0);
    wgpuComputePassEncoderEnd(pass);
    wgpuComputePassEncoderRelease(pass);
    q += 2;
  }
  wgpuCommandEncoderResolveQuerySet(enc, query_set_, 0, q, query_resolve_, 0);
  wgpuCommandEncoderCopyBufferToBuffer(enc, query_resolve_, 0, query_readback_, 0,
                                       uint64_t{q} * 8);
  {
    auto done = SubmitAndReadLogits(enc, nullptr);
    if (!done.ok()) return std::move(done).error();
  }
  WGPUMapAsyncStatus status = WGPUMapAsyncStatus_Error;
  WGPUBufferMapCallbackInfo cb{};
  cb.mode = WGPUCallbackMode_WaitAnyOnly;
  cb.callback = [](WGPUMapAsyncStatus st, WGPUStringView, void* u1, void*) {
    *static_cast<WGPUMapAsyncStatus*>(u1) = st;
  };
  cb.userdata1 = &status;
  NN_TRY(ctx_.Wait(wgpuBufferMapAsync(query_readback_, WGPUMapMode_Read, 0, uint64_t{q} * 8, cb),
                   "the timestamps"));
  if (status != WGPUMapAsyncStatus_Success) return MakeError("Mapping the timestamps failed.");
  std::vector<uint64_t> ticks(q);
  std::memcpy(ticks.data(), wgpuBufferGetConstMappedRange(query_readback_, 0, uint64_t{q} * 8),
              uint64_t{q} * 8);
  wgpuBufferUnmap(query_readback_);
  std::vector<double> ns(kOpCount, 0.0);
  for (size_t i = 0; i < std::size(ops); ++i) {
    const uint64_t a = ticks[2 * i], b = ticks[2 * i + 1];
    ns[static_cast<int>(ops[i].first)] = b > a ? static_cast<double>(b - a) / reps : 0.0;
  }
  return ns;
}

WGPUCommandBuffer LlamaGpu::RecordDecode(uint32_t pos) {
  WGPUCommandEncoder enc = wgpuDeviceCreateCommandEncoder(ctx_.device(), nullptr);
  WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(enc, nullptr);
  pass = RecordStep(pass, kTokenFromBuffer, pos, true);
  wgpuComputePassEncoderEnd(pass);
  wgpuComputePassEncoderRelease(pass);
  return FinishStep(enc);
}

Result<std::span<const float>> LlamaGpu::Forward(int32_t token, uint32_t pos) {
  NN_TRY(CheckTokens(std::span<const int32_t>(&token, 1), pos));
  NN_TRY(SettleGreedy());
  if (profiling_ != Profiling::kOff) return ForwardProfiled(token, pos);
  StepTimes times;
  const Clock::time_point t0 = Clock::now();
  WGPUCommandBuffer cmd = nullptr;
  if (ahead_cmd_ != nullptr && ahead_pos_ == pos) {
    cmd = ahead_cmd_;
    ahead_cmd_ = nullptr;
  } else {
    DropAhead();
    cmd = RecordDecode(pos);
  }
  const Clock::time_point t1 = Clock::now();
  times.record_us = Micros(t0, t1);
  // No GPU work is in flight here (every step waits for its logits), so the host may write the
  // host-mapped token buffer (DESIGN.md decision 4).
  const uint32_t id = static_cast<uint32_t>(token);
  if (token_mapped_ != nullptr) {
    *token_mapped_ = id;
  } else {
    wgpuQueueWriteBuffer(ctx_.queue(), token_buf_, 0, &id, sizeof(id));
  }
  wgpuQueueSubmit(ctx_.queue(), 1, &cmd);
  wgpuCommandBufferRelease(cmd);
  const Clock::time_point t2 = Clock::now();
  times.submit_us = Micros(t1, t2);
  if (record_ahead_ && pos + 1 < max_seq_) {
    ahead_cmd_ = RecordDecode(pos + 1);
    ahead_pos_ = pos + 1;
    times.record_ahead_us = Micros(t2, Clock::now());
  }
  NN_TRY_ASSIGN(std::span<const float> logits, WaitForLogits(&times, t2));
  last_step_ = times;
  return logits;
}

Status LlamaGpu::InitGreedy() {
  const LlamaHParams& hp = model_.hp;
  NN_TRY_ASSIGN(argmax_, MakeKernel(Words(kSpirv_argmax), {false, true, true},
                                    sizeof(ArgmaxParams), "argmax"));
  greedy_logits_ = MakeBuffer(uint64_t{hp.n_vocab} * 4, "greedy logits");
  greedy_token_ = MakeBuffer(16, "greedy token");
  NN_TRY_ASSIGN(GpuContext::HostMapped m,
                ctx_.CreateHostMappedBuffer(8, WGPUBufferUsage_Storage | WGPUBufferUsage_CopyDst,
                                            "greedy picks (host-mapped)"));
  picks_ = m.buffer;
  owned_buffers_.push_back(picks_);
  picks_mapped_ = static_cast<const uint32_t*>(m.memory);
  argmax_group_ = Bind(argmax_, {greedy_logits_, greedy_token_, picks_});
  for (const Chunk& c : token_embd_->chunks) {
    embed_greedy_groups_.push_back(
        Bind(embed_tok_[TypeIndex(token_embd_->type)], {c.buffer, x_, greedy_token_}));
  }
  greedy_output_op_ =
      MakeMatVec(*output_, MatVecKind::kNorm, x_, greedy_logits_, false, output_norm_, 0);
  return {};
}

WGPUCommandBuffer LlamaGpu::RecordGreedy(int32_t token, uint32_t pos) {
  WGPUCommandEncoder enc = wgpuDeviceCreateCommandEncoder(ctx_.device(), nullptr);
  WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(enc, nullptr);
  pass = RecordStep(pass, token, pos, false);
  RecordMatVec(pass, greedy_output_op_, 0);
  const ArgmaxParams ap{model_.hp.n_vocab, pos % 2};
  wgpuComputePassEncoderSetPipeline(pass, argmax_.pipeline);
  wgpuComputePassEncoderSetBindGroup(pass, 0, argmax_group_, 0, nullptr);
  wgpuComputePassEncoderSetImmediateData(pass, 0, &ap, sizeof(ap));
  wgpuComputePassEncoderDispatchWorkgroups(pass, 1, 1, 1);
  wgpuComputePassEncoderEnd(pass);
  wgpuComputePassEncoderRelease(pass);
  WGPUCommandBuffer cmd = wgpuCommandEncoderFinish(enc, nullptr);
  wgpuCommandEncoderRelease(enc);
  return cmd;
}

void LlamaGpu::SubmitGreedy(WGPUCommandBuffer cmd, GreedyStep* step) {
  wgpuQueueSubmit(ctx_.queue(), 1, &cmd);
  wgpuCommandBufferRelease(cmd);
  // Taken right after this submit, the future completes with this step, not with any queued
  // behind it (the runtime tracks work done per submission).
  WGPUQueueWorkDoneCallbackInfo cb{};
  cb.mode = WGPUCallbackMode_WaitAnyOnly;
  cb.callback = [](WGPUQueueWorkDoneStatus status, WGPUStringView, void* u1, void*) {
    *static_cast<WGPUQueueWorkDoneStatus*>(u1) = status;
  };
  cb.userdata1 = &greedy_status_;
  step->future = wgpuQueueOnSubmittedWorkDone(ctx_.queue(), cb);
  step->valid = true;
}

Status LlamaGpu::WaitGreedy(GreedyStep* step) {
  step->valid = false;
  greedy_status_ = WGPUQueueWorkDoneStatus_Error;
  NN_TRY(ctx_.Wait(step->future, "the decode step"));
  NN_TRY(ctx_.TakeErrors("While running a decode step"));
  if (greedy_status_ != WGPUQueueWorkDoneStatus_Success) {
    return MakeError("The decode step failed on the GPU (status ",
                     static_cast<int>(greedy_status_), ").");
  }
  return {};
}

Status LlamaGpu::SettleGreedy() {
  if (!greedy_spec_.valid) return {};
  return WaitGreedy(&greedy_spec_);
}

Result<int32_t> LlamaGpu::ForwardGreedy(int32_t token, uint32_t pos) {
  NN_TRY(CheckTokens(std::span<const int32_t>(&token, 1), pos));
  if (!greedy_pipelined()) {
    NN_TRY_ASSIGN(std::span<const float> logits, Forward(token, pos));
    return Sampler::Argmax(logits);
  }
  StepTimes times;
  const Clock::time_point t0 = Clock::now();
  // Step pos: the one queued by the last call when it runs this token, else a new one with the
  // token in its immediate data (queued behind a discarded speculative step, which it redoes).
  GreedyStep current, discarded;
  if (greedy_spec_.valid && greedy_spec_.pos == pos && greedy_spec_.token == token) {
    current = greedy_spec_;
  } else {
    discarded = greedy_spec_;
    SubmitGreedy(RecordGreedy(token, pos), &current);
    current.pos = pos;
  }
  greedy_spec_.valid = false;
  const Clock::time_point t1 = Clock::now();
  times.submit_us = Micros(t0, t1);
  // Step pos + 1, speculatively, its token the one step pos picks (greedy_token_).
  if (pos + 1 < max_seq_) {
    SubmitGreedy(RecordGreedy(kTokenFromGreedy, pos + 1), &greedy_spec_);
    greedy_spec_.pos = pos + 1;
    times.record_ahead_us = Micros(t1, Clock::now());
  }
  // A discarded step completes before `current` (queue order); its future is waited for so that
  // no wait is left pending.
  if (discarded.valid) NN_TRY(WaitGreedy(&discarded));
  NN_TRY(WaitGreedy(&current));
  times.wait_us = Micros(t1, Clock::now());
  // The pick of step pos; step pos + 1, still running, writes the other slot.
  const int32_t picked = static_cast<int32_t>(picks_mapped_[pos % 2]);
  greedy_spec_.token = picked;
  last_step_ = times;
  return picked;
}

Result<std::span<const float>> LlamaGpu::ForwardProfiled(int32_t token, uint32_t pos) {
  StepTimes times;
  const Clock::time_point t0 = Clock::now();
  WGPUCommandEncoder enc = wgpuDeviceCreateCommandEncoder(ctx_.device(), nullptr);
  WGPUComputePassEncoder pass = nullptr;
  profiled_ops_.clear();
  if (profiling_ == Profiling::kOps) {
    profiled_encoder_ = enc;
  } else {
    profiled_ops_.push_back(Op::kEmbed);  // one pair around the whole step
    WGPUPassTimestampWrites ts{nullptr, query_set_, 0, 1};
    WGPUComputePassDescriptor d{};
    d.timestampWrites = &ts;
    pass = wgpuCommandEncoderBeginComputePass(enc, &d);
  }
  pass = RecordStep(pass, token, pos, true);
  profiled_encoder_ = nullptr;
  wgpuComputePassEncoderEnd(pass);
  wgpuComputePassEncoderRelease(pass);
  const uint32_t queries = static_cast<uint32_t>(profiled_ops_.size() * 2);
  wgpuCommandEncoderResolveQuerySet(enc, query_set_, 0, queries, query_resolve_, 0);
  wgpuCommandEncoderCopyBufferToBuffer(enc, query_resolve_, 0, query_readback_, 0,
                                       uint64_t{queries} * 8);
  times.record_us = Micros(t0, Clock::now());
  NN_TRY_ASSIGN(std::span<const float> logits, SubmitAndReadLogits(enc, &times));
  NN_TRY(ReadTimestamps(&times));
  last_step_ = times;
  return logits;
}

Result<std::span<const float>> LlamaGpu::RunSteps(std::span<const int32_t> tokens,
                                                  uint32_t start_pos) {
  NN_TRY(CheckTokens(tokens, start_pos));
  // Every token's step in one pass and one submit (steps_per_submit_ == 0), or that many per
  // submit, queued back to back; only the last step runs the classifier.
  const size_t per_submit = steps_per_submit_ == 0 ? tokens.size() : steps_per_submit_;
  WGPUCommandEncoder enc = nullptr;
  for (size_t first = 0; first < tokens.size(); first += per_submit) {
    if (enc != nullptr) SubmitWithoutWaiting(enc);
    enc = wgpuDeviceCreateCommandEncoder(ctx_.device(), nullptr);
    WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(enc, nullptr);
    for (size_t i = first; i < std::min(tokens.size(), first + per_submit); ++i) {
      pass = RecordStep(pass, tokens[i], start_pos + static_cast<uint32_t>(i),
                        i + 1 == tokens.size());
    }
    wgpuComputePassEncoderEnd(pass);
    wgpuComputePassEncoderRelease(pass);
  }
  return SubmitAndReadLogits(enc, nullptr);
}

void LlamaGpu::SubmitWithoutWaiting(WGPUCommandEncoder enc) {
  (void)SettleGreedy();  // its errors come back from the wait that follows these submits
  WGPUCommandBuffer cmd = wgpuCommandEncoderFinish(enc, nullptr);
  wgpuCommandEncoderRelease(enc);
  wgpuQueueSubmit(ctx_.queue(), 1, &cmd);
  wgpuCommandBufferRelease(cmd);
}

Result<std::span<const float>> LlamaGpu::SubmitAndReadLogits(WGPUCommandEncoder enc,
                                                             StepTimes* times) {
  NN_TRY(SettleGreedy());
  const Clock::time_point t0 = Clock::now();
  WGPUCommandBuffer cmd = FinishStep(enc);
  wgpuQueueSubmit(ctx_.queue(), 1, &cmd);
  wgpuCommandBufferRelease(cmd);
  const Clock::time_point t1 = Clock::now();
  if (times != nullptr) times->submit_us = Micros(t0, t1);
  return WaitForLogits(times, t1);
}

WGPUCommandBuffer LlamaGpu::FinishStep(WGPUCommandEncoder enc) {
  if (logits_mapped_ == nullptr) {
    wgpuCommandEncoderCopyBufferToBuffer(enc, logits_, 0, readback_, 0,
                                         uint64_t{model_.hp.n_vocab} * 4);
  }
  WGPUCommandBuffer cmd = wgpuCommandEncoderFinish(enc, nullptr);
  wgpuCommandEncoderRelease(enc);
  return cmd;
}

Result<std::span<const float>> LlamaGpu::WaitForLogits(StepTimes* times,
                                                       Clock::time_point submitted) {
  const LlamaHParams& hp = model_.hp;
  const uint64_t bytes = uint64_t{hp.n_vocab} * 4;
  const Clock::time_point t1 = submitted;
  if (logits_mapped_ != nullptr) {
    // The logits are in host memory once the submitted work is done.
    WGPUQueueWorkDoneStatus done = WGPUQueueWorkDoneStatus_Error;
    WGPUQueueWorkDoneCallbackInfo wcb{};
    wcb.mode = WGPUCallbackMode_WaitAnyOnly;
    wcb.callback = [](WGPUQueueWorkDoneStatus status, WGPUStringView, void* u1, void*) {
      *static_cast<WGPUQueueWorkDoneStatus*>(u1) = status;
    };
    wcb.userdata1 = &done;
    NN_TRY(ctx_.Wait(wgpuQueueOnSubmittedWorkDone(ctx_.queue(), wcb), "the decode step"));
    NN_TRY(ctx_.TakeErrors("While running a decode step"));
    if (done != WGPUQueueWorkDoneStatus_Success) {
      return MakeError("The decode step failed on the GPU (status ", static_cast<int>(done), ").");
    }
    if (times != nullptr) times->wait_us = Micros(t1, Clock::now());
    return std::span<const float>(logits_mapped_, hp.n_vocab);
  }

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
  if (times != nullptr) times->wait_us = Micros(t1, Clock::now());
  return std::span<const float>(logits_host_);
}

}  // namespace wasmgpu::nn
