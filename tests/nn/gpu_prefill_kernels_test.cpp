// The batched prefill kernels (src/nn/kernels/matmul.glsl, embed_batch.glsl, rmsnorm_batch,
// rope_store_batch, attention_prefill) on random inputs against the CPU reference, per weight
// type, with per-op NMSE bounds. Sizes are not multiples of the tiles, so edges are covered.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "gpu_test_util.h"
#include "matmul_spirv.h"
#include "nn_kernels.h"

namespace wasmgpu::nn {
namespace {

using namespace test;  // NOLINT: the helpers of every kernel test

std::span<const uint32_t> EmbedBatchSpirv(GgmlType t) {
  switch (t) {
    case GgmlType::kF32:
      return Words(kSpirv_embed_batch_f32);
    case GgmlType::kF16:
      return Words(kSpirv_embed_batch_f16);
    case GgmlType::kQ8_0:
      return Words(kSpirv_embed_batch_q8_0);
    default:
      return Words(kSpirv_embed_batch_q4_0);
  }
}
uint32_t CeilDiv(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

// The f16-arithmetic kernels' bound against the f32 CPU (X and W rounded to f16, f16 sums per
// block; f32: the order of the sums only).
double MatMulBound(bool f16) { return f16 ? 1e-5 : 1e-12; }

// Y[m][3 + n] (+)= X[m] . W[n] for 70 tokens x 100 rows (partial 64 x 64 tiles on both axes),
// rows of 96 (three 32-blocks), Y rows of 107 with columns outside the product left alone; in
// f32 arithmetic and in f16 (matmul_h_).
TEST(GpuPrefillKernels, MatMulEveryTypeWithOffsetAndAccumulate) {
  const uint32_t T = 70, n_in = 96, n_out = 100, ldy = 107, off = 3;
  for (bool f16 : {false, true}) {
    for (GgmlType type : kTypes) {
      for (uint32_t accumulate : {0u, 1u}) {
        Matrix w = RandomMatrix(type, n_in, n_out, 31);
        const std::vector<float> x = Random(uint64_t{T} * n_in, 32);
        const std::vector<float> y0 = Random(uint64_t{T} * ldy, 33);
        std::vector<float> want = y0, dot(n_out);
        for (uint32_t m = 0; m < T; ++m) {
          MatVec(w.view, &x[m * n_in], dot.data());
          for (uint32_t n = 0; n < n_out; ++n) {
            float& y = want[m * ldy + off + n];
            y = accumulate ? y + dot[n] : dot[n];
          }
        }
        WeightChunk c = PackRows(w.view, 0, n_out);
        std::vector<uint32_t> xw = Floats(x), yw = Floats(y0);
        Dispatch run{MatMulSpirv(type, false, f16),
                     {&c.words, &xw, &yw},
                     {false, false, true},
                     {T, n_out, n_in, c.qoff, ldy, off, accumulate},
                     CeilDiv(n_out, 64),
                     CeilDiv(T, 64)};
        run.Go();
        const std::vector<float> got = AsFloats(yw);
        const double nmse = Nmse(want, got);
        EXPECT_LT(nmse, MatMulBound(f16))
            << GgmlTypeName(type) << " accumulate " << accumulate << " f16 " << f16;
        if (f16) EXPECT_GT(nmse, 1e-12) << GgmlTypeName(type) << ": not f16 arithmetic";
        for (uint32_t m = 0; m < T; ++m) {
          for (uint32_t n : {0u, 1u, 2u, 103u, 104u, 105u, 106u}) {
            ASSERT_EQ(got[m * ldy + n], y0[m * ldy + n]) << "wrote outside the product: " << m;
          }
        }
      }
    }
  }
}

// One token (the decode-sized edge of the batch) and a long row (5 tiles of K).
TEST(GpuPrefillKernels, MatMulOneTokenLongRows) {
  const uint32_t T = 1, n_in = 160, n_out = 64;
  Matrix w = RandomMatrix(GgmlType::kQ4_0, n_in, n_out, 34);
  const std::vector<float> x = Random(n_in, 35);
  std::vector<float> want(n_out);
  MatVec(w.view, x.data(), want.data());
  WeightChunk c = PackRows(w.view, 0, n_out);
  std::vector<uint32_t> xw = Floats(x), yw(n_out, 0);
  Dispatch run{MatMulSpirv(GgmlType::kQ4_0, false),
               {&c.words, &xw, &yw},
               {false, false, true},
               {T, n_out, n_in, c.qoff, n_out, 0, 0},
               1,
               1};
  run.Go();
  EXPECT_LT(Nmse(want, AsFloats(yw)), 1e-12);
}

// matmul_ffn: H[m][off + i] = silu(gate_i . X[m]) * (up_i . X[m]) over gate/up rows interleaved
// as LlamaGpu uploads them, 37 tokens x 45 outputs (90 weight rows: two column tiles).
TEST(GpuPrefillKernels, MatMulSwiGluEveryType) {
  const uint32_t T = 37, n_in = 64, n_ff = 45, ldy = 50, off = 2;
  for (bool f16 : {false, true}) {
    for (GgmlType type : kTypes) {
      Matrix gate = RandomMatrix(type, n_in, n_ff, 36), up = RandomMatrix(type, n_in, n_ff, 37);
      Matrix both = RandomMatrix(type, n_in, 2 * n_ff, 0);
      const uint64_t rb = RowBytes(type, n_in);
      for (uint32_t i = 0; i < n_ff; ++i) {
        std::memcpy(both.bytes.data() + 2 * i * rb, gate.view.row(i), rb);
        std::memcpy(both.bytes.data() + (2 * i + 1) * rb, up.view.row(i), rb);
      }
      const std::vector<float> x = Random(uint64_t{T} * n_in, 38);
      std::vector<float> want(uint64_t{T} * ldy, 0.0f), g(n_ff), u(n_ff);
      for (uint32_t m = 0; m < T; ++m) {
        MatVec(gate.view, &x[m * n_in], g.data());
        MatVec(up.view, &x[m * n_in], u.data());
        for (uint32_t i = 0; i < n_ff; ++i) {
          want[m * ldy + off + i] = g[i] / (1.0f + std::exp(-g[i])) * u[i];
        }
      }
      WeightChunk c = PackRows(both.view, 0, 2 * n_ff);
      std::vector<uint32_t> xw = Floats(x), yw(want.size(), 0);
      Dispatch run{MatMulSpirv(type, true, f16), {&c.words, &xw, &yw},
                   {false, false, true},         {T, 2 * n_ff, n_in, c.qoff, ldy, off, 0},
                   CeilDiv(2 * n_ff, 64),        1};
      run.Go();
      const double nmse = Nmse(want, AsFloats(yw));
      EXPECT_LT(nmse, f16 ? MatMulBound(true) : 1e-11) << GgmlTypeName(type) << " f16 " << f16;
      if (f16) EXPECT_GT(nmse, 1e-12) << GgmlTypeName(type) << ": not f16 arithmetic";
    }
  }
}

// The rows of tokens [1, 9, 3, 10, 0] held by a chunk of rows 3..9 of an 11-row table; rows of
// other tokens are left as they were.
TEST(GpuPrefillKernels, EmbedBatchEveryTypeFromOneChunk) {
  const uint32_t n = 96, first_row = 3, rows = 7;
  const std::vector<uint32_t> tokens = {77, 1, 9, 3, 10, 0};  // the batch starts at entry 1
  for (GgmlType type : kTypes) {
    Matrix m = RandomMatrix(type, n, 11, 39);
    const std::vector<float> before = Random(5 * n, 40);
    std::vector<float> want = before;
    for (uint32_t t = 0; t < 5; ++t) {
      const uint32_t token = tokens[1 + t];
      if (token >= first_row && token < first_row + rows) {
        DequantizeTensorRow(m.view, token, &want[t * n]);
      }
    }
    WeightChunk c = PackRows(m.view, first_row, rows);
    std::vector<uint32_t> tw = tokens, out = Floats(before);
    Dispatch run{EmbedBatchSpirv(type),           {&c.words, &tw, &out}, {false, false, true},
                 {n, c.qoff, first_row, rows, 1}, CeilDiv(n, 64),        5};
    run.Go();
    EXPECT_EQ(AsFloats(out), want) << GgmlTypeName(type);
  }
}

TEST(GpuPrefillKernels, RmsNormBatch) {
  const uint32_t T = 5, n = 288;
  const std::vector<float> x = Random(T * n, 41, 3.0f), nw = Random(2 * n, 42);
  std::vector<float> want(T * n);
  for (uint32_t t = 0; t < T; ++t) RmsNorm(&x[t * n], &nw[n], &want[t * n], n, 1e-5f);
  std::vector<uint32_t> xw = Floats(x), out(T * n, 0), nww = Floats(nw);
  Dispatch run{Words(kSpirv_rmsnorm_batch),
               {&xw, &out, &nww},
               {false, true, false},
               {n, n, Bits(1e-5f)},
               T,
               1};
  run.Go();
  EXPECT_LT(Nmse(want, AsFloats(out)), 1e-12);
}

// 3 tokens at positions 37..39: q rotated in place per token, k rotated and v copied into the
// cache rows 37..39; partial rotation (n_rot < head_dim) in both layouts.
TEST(GpuPrefillKernels, RopeStoreBatchNormalAndNeox) {
  const uint32_t n_head = 3, n_kv = 1, hd = 16, n_rot = 8, pos0 = 37, base = 10000, T = 3;
  const uint32_t q_dim = n_head * hd, kv_dim = n_kv * hd, row = q_dim + 2 * kv_dim;
  for (uint32_t neox : {0u, 1u}) {
    const RopeType type = neox ? RopeType::kNeox : RopeType::kNormal;
    const std::vector<float> qkv = Random(T * row, 43);
    const std::vector<float> k0 = Random(41 * kv_dim, 44), v0 = Random(41 * kv_dim, 45);
    std::vector<float> want_q(T * q_dim), want_k = k0, want_v = v0;
    for (uint32_t t = 0; t < T; ++t) {
      const int pos = static_cast<int>(pos0 + t);
      std::copy_n(&qkv[t * row], q_dim, &want_q[t * q_dim]);
      for (uint32_t h = 0; h < n_head; ++h)
        Rope(&want_q[t * q_dim + h * hd], n_rot, pos, base, type);
      std::copy_n(&qkv[t * row + q_dim], kv_dim, &want_k[pos * kv_dim]);
      Rope(&want_k[pos * kv_dim], n_rot, pos, base, type);
      std::copy_n(&qkv[t * row + q_dim + kv_dim], kv_dim, &want_v[pos * kv_dim]);
    }
    std::vector<float> inv(n_rot / 2);
    for (uint32_t i = 0; i < inv.size(); ++i)
      inv[i] = float(std::pow(double(base), -2.0 * i / n_rot));
    std::vector<uint32_t> qw = Floats(qkv), kw = Floats(k0), vw = Floats(v0), iw = Floats(inv);
    const uint32_t threads = (n_head + n_kv) * hd / 2 + kv_dim;
    Dispatch run{Words(kSpirv_rope_store_batch), {&qw, &kw, &vw, &iw},
                 {true, true, true, false},      {n_head, n_kv, hd, n_rot, pos0, neox},
                 CeilDiv(threads, 64),           T};
    run.Go();
    const std::vector<float> got = AsFloats(qw);
    std::vector<float> got_q(T * q_dim);
    for (uint32_t t = 0; t < T; ++t) std::copy_n(&got[t * row], q_dim, &got_q[t * q_dim]);
    EXPECT_LT(Nmse(want_q, got_q), 1e-10) << "neox " << neox;
    EXPECT_LT(Nmse(want_k, AsFloats(kw)), 1e-10) << "neox " << neox;
    EXPECT_EQ(AsFloats(vw), want_v) << "neox " << neox;
  }
}

// Causal attention of T queries at positions pos0.. over a cache holding pos0 + T positions, GQA
// (4 query heads on 2 KV heads), against the plain per-query softmax of the CPU reference. Head
// sizes 16, 48 (stories15m) and 128 (9 keys per tile; the largest the kernel takes); T = 37 ends
// in a partial group of 16 queries.
TEST(GpuPrefillKernels, AttentionPrefillCausalWithGroupedQueries) {
  const uint32_t n_head = 4, n_kv = 2;
  for (uint32_t hd : {16u, 48u, 128u}) {
    for (uint32_t pos0 : {0u, 45u}) {
      const uint32_t T = 37, kv_dim = n_kv * hd, q_dim = n_head * hd, row = q_dim + 2 * kv_dim;
      const uint32_t n_pos = pos0 + T;
      const std::vector<float> qkv = Random(T * row, 46);
      const std::vector<float> k = Random(n_pos * kv_dim, 47), v = Random(n_pos * kv_dim, 48);
      const float scale = 1.0f / std::sqrt(float(hd));
      std::vector<float> want(T * q_dim, 0.0f);
      for (uint32_t t = 0; t < T; ++t) {
        for (uint32_t h = 0; h < n_head; ++h) {
          const uint32_t kvh = h / (n_head / n_kv);
          std::vector<float> att(pos0 + t + 1);
          for (uint32_t s = 0; s < att.size(); ++s) {
            double d = 0;
            for (uint32_t i = 0; i < hd; ++i) {
              d += qkv[t * row + h * hd + i] * double(k[s * kv_dim + kvh * hd + i]);
            }
            att[s] = float(d) * scale;
          }
          Softmax(att.data(), int(att.size()));
          for (uint32_t s = 0; s < att.size(); ++s) {
            for (uint32_t i = 0; i < hd; ++i) {
              want[t * q_dim + h * hd + i] += att[s] * v[s * kv_dim + kvh * hd + i];
            }
          }
        }
      }
      const uint32_t bkv = std::min(32u, (3264 - 16 * hd) / (hd + 4));
      std::vector<uint32_t> qw = Floats(qkv), kw = Floats(k), vw = Floats(v), out(T * q_dim, 0);
      Dispatch run{Words(kSpirv_attention_prefill),
                   {&qw, &kw, &vw, &out},
                   {false, false, false, true},
                   {n_head, n_kv, hd, T, pos0, bkv, Bits(scale)},
                   CeilDiv(T, 16),
                   n_head};
      run.Go();
      EXPECT_LT(Nmse(want, AsFloats(out)), 1e-11) << "head_dim " << hd << " pos0 " << pos0;
    }
  }
}

}  // namespace
}  // namespace wasmgpu::nn
