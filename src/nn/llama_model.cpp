#include "nn/llama_model.h"

#include <limits>

namespace wasmgpu::nn {
namespace {

constexpr uint64_t kMaxU32 = std::numeric_limits<uint32_t>::max();
// Limits that keep every derived size (KV cache, activations) far from overflow.
constexpr uint64_t kMaxDim = 1u << 20;

Result<uint32_t> GetDim(const GgufFile& f, const std::string& key, uint64_t max = kMaxDim) {
  NN_TRY_ASSIGN(uint64_t v, f.GetUint(key, max));
  if (v == 0) return MakeError("Metadata key '", key, "' is 0; expected a positive value.");
  return static_cast<uint32_t>(v);
}

Result<uint32_t> GetDimOr(const GgufFile& f, const std::string& key, uint32_t fallback) {
  if (f.FindValue(key) == nullptr) return fallback;
  return GetDim(f, key);
}

std::string ShapeString(std::span<const uint64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += StrCat(i ? ", " : "", shape[i]);
  return s + "]";
}

}  // namespace

Result<LlamaHParams> ReadLlamaHParams(const GgufFile& f) {
  LlamaHParams hp;
  NN_TRY_ASSIGN(hp.architecture, f.GetString("general.architecture"));
  if (hp.architecture != "llama") {
    return MakeError("Architecture '", hp.architecture, "' is not supported (supported: llama).");
  }
  const std::string a = hp.architecture + ".";
  NN_TRY_ASSIGN(hp.n_embd, GetDim(f, a + "embedding_length"));
  NN_TRY_ASSIGN(hp.n_layer, GetDim(f, a + "block_count", 4096));
  NN_TRY_ASSIGN(hp.n_ff, GetDim(f, a + "feed_forward_length"));
  NN_TRY_ASSIGN(hp.n_head, GetDim(f, a + "attention.head_count", 4096));
  NN_TRY_ASSIGN(hp.n_head_kv, GetDimOr(f, a + "attention.head_count_kv", hp.n_head));
  NN_TRY_ASSIGN(hp.n_ctx, GetDim(f, a + "context_length", kMaxU32));
  if (hp.n_head % hp.n_head_kv != 0) {
    return MakeError("Head count (", hp.n_head, ") is not a multiple of the KV head count (",
                     hp.n_head_kv, ").");
  }
  if (f.FindValue(a + "attention.key_length") == nullptr && hp.n_embd % hp.n_head != 0) {
    return MakeError("Embedding length (", hp.n_embd, ") is not a multiple of the head count (",
                     hp.n_head, ").");
  }
  NN_TRY_ASSIGN(hp.head_dim, GetDimOr(f, a + "attention.key_length", hp.n_embd / hp.n_head));
  NN_TRY_ASSIGN(hp.n_rot, GetDimOr(f, a + "rope.dimension_count", hp.head_dim));
  if (hp.n_rot > hp.head_dim || hp.n_rot % 2 != 0) {
    return MakeError("RoPE dimension count (", hp.n_rot, ") must be even and at most the head ",
                     "dimension (", hp.head_dim, ").");
  }
  NN_TRY_ASSIGN(hp.norm_eps, f.GetFloat(a + "attention.layer_norm_rms_epsilon"));
  if (f.FindValue(a + "rope.freq_base") != nullptr) {
    NN_TRY_ASSIGN(hp.rope_freq_base, f.GetFloat(a + "rope.freq_base"));
  }
  if (!(hp.norm_eps > 0.0f) || !(hp.rope_freq_base > 0.0f)) {
    return MakeError("RMS norm epsilon (", hp.norm_eps, ") and RoPE base (", hp.rope_freq_base,
                     ") must be positive.");
  }
  // The vocabulary size comes from the embedding table (llama.vocab_size is optional).
  const GgufTensorInfo* embd = f.FindTensor("token_embd.weight");
  if (embd == nullptr) return MakeError("Tensor 'token_embd.weight' is missing.");
  if (embd->n_dims != 2 || embd->ne[1] > kMaxU32) {
    return MakeError("Tensor 'token_embd.weight' has shape ", embd->ShapeString(),
                     "; expected [", hp.n_embd, ", n_vocab].");
  }
  hp.n_vocab = static_cast<uint32_t>(embd->ne[1]);
  hp.rope_type = RopeType::kNormal;  // what GGML uses for arch llama
  return hp;
}

Result<LlamaModel> LoadLlamaModel(std::shared_ptr<GgufFile> file) {
  LlamaModel m;
  NN_TRY_ASSIGN(m.hp, ReadLlamaHParams(*file));
  const LlamaHParams& hp = m.hp;

  // Without a mapping (WASI), read the whole data section once; views point into it.
  const uint8_t* data_base = nullptr;
  if (file->source().data() != nullptr) {
    data_base = file->source().data() + file->data_offset();
  } else {
    const uint64_t size = file->file_size() - file->data_offset();
    if (size > std::numeric_limits<size_t>::max()) {
      return MakeError("Tensor data (", size, " bytes) does not fit in this address space.");
    }
    m.data_copy.resize(static_cast<size_t>(size));
    NN_TRY(file->source().Read(file->data_offset(), m.data_copy.data(), m.data_copy.size()));
    data_base = m.data_copy.data();
  }

  auto get = [&](const std::string& name, std::initializer_list<uint64_t> shape,
                 bool is_norm) -> Result<TensorView> {
    const GgufTensorInfo* t = file->FindTensor(name);
    if (t == nullptr) return MakeError("Tensor '", name, "' is missing.");
    std::vector<uint64_t> want(shape);
    bool same = t->n_dims == want.size();
    for (size_t d = 0; same && d < want.size(); ++d) same = t->ne[d] == want[d];
    if (!same) {
      return MakeError("Tensor '", name, "' has shape ", t->ShapeString(), "; expected ",
                       ShapeString(want), ".");
    }
    const bool ok_type = is_norm ? (t->type == GgmlType::kF32 || t->type == GgmlType::kF16)
                                 : GetGgmlType(t->type).computable;
    if (!ok_type) {
      return MakeError("Tensor '", name, "' has type ", GgmlTypeName(t->type),
                       ", which is not supported (F32, F16, Q8_0 and Q4_0 are", 
                       is_norm ? "; norms must be F32 or F16" : "", ").");
    }
    TensorView v;
    v.name = name;
    v.type = t->type;
    v.n_dims = t->n_dims;
    for (int d = 0; d < 4; ++d) v.ne[d] = t->ne[d];
    v.data = data_base + t->offset;
    v.n_bytes = t->n_bytes;
    return v;
  };

  const uint64_t q_dim = static_cast<uint64_t>(hp.n_head) * hp.head_dim;
  const uint64_t kv_dim = static_cast<uint64_t>(hp.n_head_kv) * hp.head_dim;
  NN_TRY_ASSIGN(m.token_embd, get("token_embd.weight", {hp.n_embd, hp.n_vocab}, false));
  m.layers.resize(hp.n_layer);
  for (uint32_t l = 0; l < hp.n_layer; ++l) {
    LlamaLayer& L = m.layers[l];
    const std::string p = StrCat("blk.", l, ".");
    NN_TRY_ASSIGN(L.attn_norm, get(p + "attn_norm.weight", {hp.n_embd}, true));
    NN_TRY_ASSIGN(L.wq, get(p + "attn_q.weight", {hp.n_embd, q_dim}, false));
    NN_TRY_ASSIGN(L.wk, get(p + "attn_k.weight", {hp.n_embd, kv_dim}, false));
    NN_TRY_ASSIGN(L.wv, get(p + "attn_v.weight", {hp.n_embd, kv_dim}, false));
    NN_TRY_ASSIGN(L.wo, get(p + "attn_output.weight", {q_dim, hp.n_embd}, false));
    NN_TRY_ASSIGN(L.ffn_norm, get(p + "ffn_norm.weight", {hp.n_embd}, true));
    NN_TRY_ASSIGN(L.ffn_gate, get(p + "ffn_gate.weight", {hp.n_embd, hp.n_ff}, false));
    NN_TRY_ASSIGN(L.ffn_up, get(p + "ffn_up.weight", {hp.n_embd, hp.n_ff}, false));
    NN_TRY_ASSIGN(L.ffn_down, get(p + "ffn_down.weight", {hp.n_ff, hp.n_embd}, false));
  }
  NN_TRY_ASSIGN(m.output_norm, get("output_norm.weight", {hp.n_embd}, true));
  if (file->FindTensor("output.weight") != nullptr) {
    NN_TRY_ASSIGN(m.output, get("output.weight", {hp.n_embd, hp.n_vocab}, false));
  } else {
    m.output = m.token_embd;  // tied embeddings: the classifier reuses the embedding table
    m.tied_embeddings = true;
  }
  m.file = std::move(file);
  return m;
}

}  // namespace wasmgpu::nn
