#include "nn/reference/llama_cpu.h"

#include <algorithm>
#include <cmath>

namespace wasmgpu::nn {

void DequantizeTensorRow(const TensorView& w, uint64_t row, float* out) {
  DequantizeRow(w.type, w.row(row), out, static_cast<int64_t>(w.ne[0]));
}

void MatVec(const TensorView& w, const float* x, float* y) {
  const uint64_t n_in = w.ne[0];
  std::vector<float> row(n_in);
  for (uint64_t r = 0; r < w.rows(); ++r) {
    DequantizeTensorRow(w, r, row.data());
    double sum = 0.0;  // double: this is the reference, accuracy first
    for (uint64_t c = 0; c < n_in; ++c) sum += static_cast<double>(row[c]) * x[c];
    y[r] = static_cast<float>(sum);
  }
}

QuantizedActivations QuantizeActivations(const float* x, uint64_t n) {
  QuantizedActivations a;
  a.q.resize(n);
  a.d.resize(n / 32);
  for (uint64_t b = 0; b < n / 32; ++b) {
    float amax = 0.0f;
    for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[b * 32 + j]));
    const float inv = amax > 0.0f ? 127.0f / amax : 0.0f;
    for (int j = 0; j < 32; ++j) {
      // nearbyint rounds half to even in the default rounding mode, as GLSL roundEven.
      const float q = std::clamp(std::nearbyint(x[b * 32 + j] * inv), -127.0f, 127.0f);
      a.q[b * 32 + j] = static_cast<int8_t>(q);
    }
    a.d[b] = amax / 127.0f;
  }
  return a;
}

void MatVecQuantizedX(const TensorView& w, const float* x, float* y) {
  if (w.type != GgmlType::kQ8_0 && w.type != GgmlType::kQ4_0) return MatVec(w, x, y);
  const uint64_t n_in = w.ne[0], nb = n_in / 32;
  const QuantizedActivations a = QuantizeActivations(x, n_in);
  for (uint64_t r = 0; r < w.rows(); ++r) {
    const uint8_t* row = w.row(r);
    double sum = 0.0;
    for (uint64_t b = 0; b < nb; ++b) {
      // GGUF blocks: an f16 scale, then Q8_0 32 int8; Q4_0 16 bytes, byte j holding weight j in
      // its low nibble and weight j + 16 in its high one, each stored plus 8.
      const uint8_t* block = row + b * (w.type == GgmlType::kQ8_0 ? 34 : 18);
      const float dw = Fp16ToFp32(static_cast<uint16_t>(block[0] | (block[1] << 8)));
      const int8_t* q = &a.q[b * 32];
      int32_t s = 0;
      if (w.type == GgmlType::kQ8_0) {
        for (int j = 0; j < 32; ++j) s += static_cast<int8_t>(block[2 + j]) * q[j];
      } else {
        for (int j = 0; j < 16; ++j) {
          s += ((block[2 + j] & 0xF) - 8) * q[j] + ((block[2 + j] >> 4) - 8) * q[j + 16];
        }
      }
      sum += static_cast<double>(dw) * a.d[b] * s;
    }
    y[r] = static_cast<float>(sum);
  }
}

void RmsNorm(const float* x, const float* weight, float* out, int n, float eps) {
  double ss = 0.0;
  for (int i = 0; i < n; ++i) ss += static_cast<double>(x[i]) * x[i];
  const float scale = static_cast<float>(1.0 / std::sqrt(ss / n + eps));
  for (int i = 0; i < n; ++i) out[i] = x[i] * scale * weight[i];
}

void Rope(float* head, int n_rot, int pos, float freq_base, RopeType type) {
  // theta_i = pos * base^(-2i / n_rot) for pair i; dims at and after n_rot pass through.
  for (int i = 0; i < n_rot / 2; ++i) {
    const double theta = pos * std::pow(static_cast<double>(freq_base), -2.0 * i / n_rot);
    const float c = static_cast<float>(std::cos(theta));
    const float s = static_cast<float>(std::sin(theta));
    const int a = type == RopeType::kNormal ? 2 * i : i;
    const int b = type == RopeType::kNormal ? 2 * i + 1 : i + n_rot / 2;
    const float x0 = head[a], x1 = head[b];
    head[a] = x0 * c - x1 * s;
    head[b] = x0 * s + x1 * c;
  }
}

void Softmax(float* x, int n) {
  const float max = *std::max_element(x, x + n);
  double sum = 0.0;
  for (int i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - max);
    sum += x[i];
  }
  for (int i = 0; i < n; ++i) x[i] = static_cast<float>(x[i] / sum);
}

LlamaCpu::LlamaCpu(const LlamaModel& model, uint32_t max_seq) : model_(&model), max_seq_(max_seq) {
  const LlamaHParams& hp = model.hp;
  const size_t q_dim = static_cast<size_t>(hp.n_head) * hp.head_dim;
  const size_t kv_dim = static_cast<size_t>(hp.n_head_kv) * hp.head_dim;
  x_.resize(hp.n_embd);
  xb_.resize(std::max<size_t>(hp.n_embd, q_dim));
  xb2_.resize(hp.n_embd);
  hb_.resize(hp.n_ff);
  hb2_.resize(hp.n_ff);
  q_.resize(q_dim);
  att_.resize(max_seq);
  norm_w_.resize(hp.n_embd);
  logits_.resize(hp.n_vocab);
  key_cache_.resize(static_cast<size_t>(hp.n_layer) * max_seq * kv_dim);
  value_cache_.resize(key_cache_.size());
}

Result<LlamaCpu> LlamaCpu::Create(const LlamaModel& model, uint32_t max_seq) {
  if (max_seq == 0 || max_seq > model.hp.n_ctx) {
    return MakeError("KV cache length (", max_seq, ") must be between 1 and the context length (",
                     model.hp.n_ctx, ").");
  }
  return LlamaCpu(model, max_seq);
}

Result<std::span<const float>> LlamaCpu::Forward(int32_t token, uint32_t pos) {
  const LlamaModel& m = *model_;
  const LlamaHParams& hp = m.hp;
  if (token < 0 || static_cast<uint32_t>(token) >= hp.n_vocab) {
    return MakeError("Token id (", token, ") is outside the vocabulary (", hp.n_vocab, ").");
  }
  if (pos >= max_seq_) {
    return MakeError("Position (", pos, ") is past the KV cache length (", max_seq_, ").");
  }
  const int dim = static_cast<int>(hp.n_embd);
  const int hd = static_cast<int>(hp.head_dim);
  const int kv_dim = static_cast<int>(hp.n_head_kv * hp.head_dim);
  const int kv_mul = static_cast<int>(hp.n_head / hp.n_head_kv);  // query heads per KV head
  const float att_scale = 1.0f / std::sqrt(static_cast<float>(hd));

  DequantizeTensorRow(m.token_embd, static_cast<uint64_t>(token), x_.data());

  for (uint32_t l = 0; l < hp.n_layer; ++l) {
    const LlamaLayer& L = m.layers[l];
    // Attention: xb = rmsnorm(x); q, k, v = Wq xb, Wk xb, Wv xb (k, v straight into the cache).
    DequantizeTensorRow(L.attn_norm, 0, norm_w_.data());
    RmsNorm(x_.data(), norm_w_.data(), xb_.data(), dim, hp.norm_eps);
    const size_t cache_row = (static_cast<size_t>(l) * max_seq_ + pos) * kv_dim;
    float* k = &key_cache_[cache_row];
    float* v = &value_cache_[cache_row];
    Mul(L.wq, xb_.data(), q_.data());
    Mul(L.wk, xb_.data(), k);
    Mul(L.wv, xb_.data(), v);
    for (uint32_t h = 0; h < hp.n_head; ++h) {
      Rope(&q_[h * hd], static_cast<int>(hp.n_rot), static_cast<int>(pos), hp.rope_freq_base,
           hp.rope_type);
    }
    for (uint32_t h = 0; h < hp.n_head_kv; ++h) {
      Rope(&k[h * hd], static_cast<int>(hp.n_rot), static_cast<int>(pos), hp.rope_freq_base,
           hp.rope_type);
    }
    // Per query head: causal scores over positions 0..pos, softmax, weighted sum of values.
    for (uint32_t h = 0; h < hp.n_head; ++h) {
      const float* qh = &q_[h * hd];
      const size_t kv_off = static_cast<size_t>(h / kv_mul) * hd;
      for (uint32_t t = 0; t <= pos; ++t) {
        const float* kt = &key_cache_[(static_cast<size_t>(l) * max_seq_ + t) * kv_dim + kv_off];
        double score = 0.0;
        for (int i = 0; i < hd; ++i) score += static_cast<double>(qh[i]) * kt[i];
        att_[t] = static_cast<float>(score) * att_scale;
      }
      Softmax(att_.data(), static_cast<int>(pos) + 1);
      float* out = &xb_[h * hd];
      std::fill(out, out + hd, 0.0f);
      for (uint32_t t = 0; t <= pos; ++t) {
        const float* vt =
            &value_cache_[(static_cast<size_t>(l) * max_seq_ + t) * kv_dim + kv_off];
        for (int i = 0; i < hd; ++i) out[i] += att_[t] * vt[i];
      }
    }
    Mul(L.wo, xb_.data(), xb2_.data());
    for (int i = 0; i < dim; ++i) x_[i] += xb2_[i];

    // FFN (SwiGLU): x += W2 (silu(W1 xb) * W3 xb), xb = rmsnorm(x).
    DequantizeTensorRow(L.ffn_norm, 0, norm_w_.data());
    RmsNorm(x_.data(), norm_w_.data(), xb_.data(), dim, hp.norm_eps);
    Mul(L.ffn_gate, xb_.data(), hb_.data());
    Mul(L.ffn_up, xb_.data(), hb2_.data());
    for (uint32_t i = 0; i < hp.n_ff; ++i) {
      const float g = hb_[i];
      hb_[i] = g / (1.0f + std::exp(-g)) * hb2_[i];
    }
    Mul(L.ffn_down, hb_.data(), xb2_.data());
    for (int i = 0; i < dim; ++i) x_[i] += xb2_[i];
  }

  DequantizeTensorRow(m.output_norm, 0, norm_w_.data());
  RmsNorm(x_.data(), norm_w_.data(), x_.data(), dim, hp.norm_eps);
  Mul(m.output, x_.data(), logits_.data());
  return std::span<const float>(logits_);
}

}  // namespace wasmgpu::nn
