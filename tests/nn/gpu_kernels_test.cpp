// Every GPU kernel (src/nn/kernels/) on random inputs against the CPU reference, per weight type,
// with a per-op NMSE bound (ggml's test-backend-ops pattern). Runs on lavapipe here.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include "gpu_test_util.h"
#include "nn_kernels.h"

namespace wasmgpu::nn {
namespace {

using namespace test;  // NOLINT: the helpers of every kernel test

std::span<const uint32_t> MatVecSpirv(GgmlType t) {
  switch (t) {
    case GgmlType::kF32: return Words(kSpirv_matvec_f32);
    case GgmlType::kF16: return Words(kSpirv_matvec_f16);
    case GgmlType::kQ8_0: return Words(kSpirv_matvec_q8_0);
    default: return Words(kSpirv_matvec_q4_0);
  }
}
std::span<const uint32_t> EmbedSpirv(GgmlType t) {
  switch (t) {
    case GgmlType::kF32: return Words(kSpirv_embed_f32);
    case GgmlType::kF16: return Words(kSpirv_embed_f16);
    case GgmlType::kQ8_0: return Words(kSpirv_embed_q8_0);
    default: return Words(kSpirv_embed_q4_0);
  }
}

TEST(GpuKernels, MatVecEveryTypeWithOffsetAndAccumulate) {
  const uint64_t n_in = 160, n_out = 37;
  for (GgmlType type : kTypes) {
    for (uint32_t accumulate : {0u, 1u}) {
      Matrix m = RandomMatrix(type, n_in, n_out, 3);
      const std::vector<float> x = Random(n_in, 4);
      std::vector<float> y0 = Random(n_out + 5, 5);
      std::vector<float> want = y0;
      std::vector<float> dot(n_out);
      MatVec(m.view, x.data(), dot.data());
      for (uint64_t r = 0; r < n_out; ++r) want[5 + r] = accumulate ? want[5 + r] + dot[r] : dot[r];
      WeightChunk c = PackRows(m.view, 0, n_out);
      std::vector<uint32_t> xw = Floats(x), yw = Floats(y0);
      Dispatch run{MatVecSpirv(type), {&c.words, &xw, &yw}, {false, false, true},
              {uint32_t(n_out), uint32_t(n_in), c.qoff, 5, accumulate, 0, 0}, (n_out + 3) / 4, 1};
      run.Go();
      const std::vector<float> got = AsFloats(yw);
      EXPECT_LT(Nmse(want, got), 1e-12) << GgmlTypeName(type) << " accumulate " << accumulate;
      for (int i = 0; i < 5; ++i) EXPECT_EQ(got[i], y0[i]) << "wrote outside its rows";
    }
  }
}

TEST(GpuKernels, MatVecTwoDimensionalGrid) {
  // 70 rows, 4 per workgroup, over a 3 x 6 grid: the row index folds gl_WorkGroupID.y in.
  Matrix m = RandomMatrix(GgmlType::kQ8_0, 64, 70, 8);
  const std::vector<float> x = Random(64, 9);
  std::vector<float> want(70);
  MatVec(m.view, x.data(), want.data());
  WeightChunk c = PackRows(m.view, 0, 70);
  std::vector<uint32_t> xw = Floats(x), yw(70, 0);
  Dispatch run{MatVecSpirv(GgmlType::kQ8_0), {&c.words, &xw, &yw}, {false, false, true},
          {70, 64, c.qoff, 0, 0, 0, 0}, 3, 6};
  run.Go();
  EXPECT_LT(Nmse(want, AsFloats(yw)), 1e-12);
}

TEST(GpuKernels, EmbedEveryType) {
  for (GgmlType type : kTypes) {
    Matrix m = RandomMatrix(type, 96, 11, 10);
    std::vector<float> want(96);
    DequantizeTensorRow(m.view, 7, want.data());
    WeightChunk c = PackRows(m.view, 0, 11);
    std::vector<uint32_t> out(96, 0);
    Dispatch run{EmbedSpirv(type), {&c.words, &out}, {false, true}, {7, 96, c.qoff}, 2, 1};
    run.Go();
    EXPECT_EQ(AsFloats(out), want) << GgmlTypeName(type);
  }
}

std::span<const uint32_t> NormSpirv(GgmlType t) {
  switch (t) {
    case GgmlType::kF32: return Words(kSpirv_matvec_norm_f32);
    case GgmlType::kF16: return Words(kSpirv_matvec_norm_f16);
    case GgmlType::kQ8_0: return Words(kSpirv_matvec_norm_q8_0);
    default: return Words(kSpirv_matvec_norm_q4_0);
  }
}
std::span<const uint32_t> FfnSpirv(GgmlType t) {
  switch (t) {
    case GgmlType::kF32: return Words(kSpirv_matvec_ffn_f32);
    case GgmlType::kF16: return Words(kSpirv_matvec_ffn_f16);
    case GgmlType::kQ8_0: return Words(kSpirv_matvec_ffn_q8_0);
    default: return Words(kSpirv_matvec_ffn_q4_0);
  }
}

// matvec_norm: W (rmsnorm(x) * w), the norm folded into the product.
TEST(GpuKernels, MatVecWithRmsNormEveryType) {
  const uint32_t n_in = 288, n_out = 21;
  for (GgmlType type : kTypes) {
    Matrix m = RandomMatrix(type, n_in, n_out, 20);
    const std::vector<float> x = Random(n_in, 21, 3.0f);
    const std::vector<float> nw = Random(2 * n_in, 22);  // two layers' norms; use the second
    std::vector<float> normed(n_in), want(n_out);
    RmsNorm(x.data(), &nw[n_in], normed.data(), n_in, 1e-5f);
    MatVec(m.view, normed.data(), want.data());
    WeightChunk c = PackRows(m.view, 0, n_out);
    std::vector<uint32_t> xw = Floats(x), yw(n_out, 0), nww = Floats(nw);
    Dispatch run{NormSpirv(type), {&c.words, &xw, &yw, &nww}, {false, false, true, false},
                 {n_out, n_in, c.qoff, 0, 0, n_in, Bits(1e-5f)}, (n_out + 3) / 4, 1};
    run.Go();
    EXPECT_LT(Nmse(want, AsFloats(yw)), 1e-12) << GgmlTypeName(type);
  }
}

// matvec_ffn: silu(Wg xn) * (Wu xn) from interleaved gate/up rows, xn = rmsnorm(x) * w.
TEST(GpuKernels, FusedFfnEveryType) {
  const uint32_t n_in = 64, n_ff = 19;
  for (GgmlType type : kTypes) {
    Matrix gate = RandomMatrix(type, n_in, n_ff, 23), up = RandomMatrix(type, n_in, n_ff, 24);
    const std::vector<float> x = Random(n_in, 25), nw = Random(n_in, 26);
    std::vector<float> normed(n_in), g(n_ff), u(n_ff), want(n_ff);
    RmsNorm(x.data(), nw.data(), normed.data(), n_in, 1e-6f);
    MatVec(gate.view, normed.data(), g.data());
    MatVec(up.view, normed.data(), u.data());
    for (uint32_t i = 0; i < n_ff; ++i) want[i] = g[i] / (1.0f + std::exp(-g[i])) * u[i];
    // Interleave: weight row 2i = gate row i, 2i + 1 = up row i.
    Matrix both = RandomMatrix(type, n_in, 2 * n_ff, 0);
    const uint64_t rb = RowBytes(type, n_in);
    for (uint32_t i = 0; i < n_ff; ++i) {
      std::memcpy(both.bytes.data() + 2 * i * rb, gate.view.row(i), rb);
      std::memcpy(both.bytes.data() + (2 * i + 1) * rb, up.view.row(i), rb);
    }
    WeightChunk c = PackRows(both.view, 0, 2 * n_ff);
    std::vector<uint32_t> xw = Floats(x), yw(n_ff, 0), nww = Floats(nw);
    Dispatch run{FfnSpirv(type), {&c.words, &xw, &yw, &nww}, {false, false, true, false},
                 {n_ff, n_in, c.qoff, 0, 0, 0, Bits(1e-6f)}, (n_ff + 3) / 4, 1};
    run.Go();
    EXPECT_LT(Nmse(want, AsFloats(yw)), 1e-12) << GgmlTypeName(type);
  }
}

// rope_store: q rotated in place, k rotated into the cache at pos, v copied; partial rotation.
TEST(GpuKernels, RopeStoreNormalAndNeox) {
  const uint32_t n_head = 3, n_kv = 1, hd = 16, n_rot = 8, pos = 37, base = 10000;
  const uint32_t q_dim = n_head * hd, kv_dim = n_kv * hd;
  for (uint32_t neox : {0u, 1u}) {
    const std::vector<float> qkv = Random(q_dim + 2 * kv_dim, 13);
    const std::vector<float> k0 = Random(4 * kv_dim, 14), v0 = Random(4 * kv_dim, 15);
    const RopeType type = neox ? RopeType::kNeox : RopeType::kNormal;
    std::vector<float> want_qkv = qkv, want_k = k0, want_v = v0;
    for (uint32_t h = 0; h < n_head; ++h) Rope(&want_qkv[h * hd], n_rot, pos, base, type);
    std::vector<float> k(qkv.begin() + q_dim, qkv.begin() + q_dim + kv_dim);
    Rope(k.data(), n_rot, pos, base, type);
    std::copy(k.begin(), k.end(), want_k.begin() + 2 * kv_dim);  // position 2 of the cache
    std::copy(qkv.begin() + q_dim + kv_dim, qkv.end(), want_v.begin() + 2 * kv_dim);
    std::vector<float> inv(n_rot / 2);
    for (uint32_t i = 0; i < inv.size(); ++i) inv[i] = float(std::pow(double(base), -2.0 * i / n_rot));
    std::vector<uint32_t> qw = Floats(qkv), kw = Floats(k0), vw = Floats(v0), iw = Floats(inv);
    const uint32_t threads = (n_head + n_kv) * hd / 2 + kv_dim;
    Dispatch run{Words(kSpirv_rope_store), {&qw, &kw, &vw, &iw}, {true, true, true, false},
                 {n_head, n_kv, hd, n_rot, pos, 2 * kv_dim, neox}, (threads + 63) / 64, 1};
    run.Go();
    const std::vector<float> got_q = AsFloats(qw);
    EXPECT_LT(Nmse(std::vector<float>(want_qkv.begin(), want_qkv.begin() + q_dim),
                   std::vector<float>(got_q.begin(), got_q.begin() + q_dim)), 1e-10) << neox;
    EXPECT_LT(Nmse(want_k, AsFloats(kw)), 1e-10) << "neox " << neox;
    EXPECT_EQ(AsFloats(vw), want_v) << "neox " << neox;
    EXPECT_EQ(got_q[hd - 1], qkv[hd - 1]);  // past n_rot: untouched
  }
}

TEST(GpuKernels, AttentionWithGroupedQueries) {
  const uint32_t n_head = 4, n_kv = 2, hd = 32, n_pos = 70, max_seq = 80;
  const uint32_t kv_dim = n_kv * hd;
  const std::vector<float> q = Random(n_head * hd, 15);
  const std::vector<float> k = Random(max_seq * kv_dim, 16);
  const std::vector<float> v = Random(max_seq * kv_dim, 17);
  const float scale = 1.0f / std::sqrt(float(hd));
  std::vector<float> want(n_head * hd, 0.0f);
  for (uint32_t h = 0; h < n_head; ++h) {
    const uint32_t kvh = h / (n_head / n_kv);
    std::vector<float> att(n_pos);
    for (uint32_t t = 0; t < n_pos; ++t) {
      double s = 0;
      for (uint32_t i = 0; i < hd; ++i) s += q[h * hd + i] * double(k[t * kv_dim + kvh * hd + i]);
      att[t] = float(s) * scale;
    }
    Softmax(att.data(), int(n_pos));
    for (uint32_t t = 0; t < n_pos; ++t) {
      for (uint32_t i = 0; i < hd; ++i) want[h * hd + i] += att[t] * v[t * kv_dim + kvh * hd + i];
    }
  }
  std::vector<uint32_t> qw = Floats(q), kw = Floats(k), vw = Floats(v),
                        aw(n_head * max_seq, 0), out(n_head * hd, 0);
  Dispatch run{Words(kSpirv_attention), {&qw, &kw, &vw, &aw, &out}, {false, false, false, true, true},
          {n_head, n_kv, hd, n_pos, max_seq, 0, Bits(scale)}, n_head, 1};
  run.Go();
  EXPECT_LT(Nmse(want, AsFloats(out)), 1e-11);
}


// matvec_wide.glsl, every kind and type, with and without subgroup shuffles: several x tiles
// (70 blocks: a full tile of 64 and a partial one of 6, where most lanes have one block or none),
// an odd row count (the last row group's second row is clamped) and an output offset.
std::span<const uint32_t> WideSpirv(int kind, GgmlType t, bool sg) {
  static const std::span<const uint32_t> k[2][3][4] = {
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
  const int ti = t == GgmlType::kF32 ? 0 : t == GgmlType::kF16 ? 1 : t == GgmlType::kQ8_0 ? 2 : 3;
  return k[sg ? 1 : 0][kind][ti];
}

// What a matvec_wide/pipe kernel of `kind` (0 plain, 1 NORM, 2 NORM + SWIGLU over interleaved
// gate/up rows) leaves in y: y0 with outputs 3 .. 3 + outputs - 1 stored or accumulated, where
// the kernel reads x normalized with nw[8..] for the NORM kinds. The CPU reference of the wide
// and pipe kernel tests.
std::vector<float> WideMatVecWant(const Matrix& m, int kind, const std::vector<float>& x,
                                  const std::vector<float>& nw, float eps,
                                  const std::vector<float>& y0, uint64_t outputs,
                                  bool accumulate, bool quantized_x = false) {
  const uint64_t n_in = x.size();
  std::vector<float> xn = x;
  if (kind != 0) {
    double ss = 0;
    for (float v : x) ss += double(v) * v;
    const float r = float(1.0 / std::sqrt(ss / double(n_in) + eps));
    for (uint64_t i = 0; i < n_in; ++i) xn[i] = x[i] * r * nw[8 + i];
  }
  std::vector<float> dot(kind == 2 ? 2 * outputs : outputs);
  if (quantized_x) {
    MatVecQuantizedX(m.view, xn.data(), dot.data());
  } else {
    MatVec(m.view, xn.data(), dot.data());
  }
  std::vector<float> want = y0;
  for (uint64_t o = 0; o < outputs; ++o) {
    float r = dot[o];
    if (kind == 2) {
      const float g = dot[2 * o], u = dot[2 * o + 1];
      r = g / (1.0f + std::exp(-g)) * u;
    }
    want[3 + o] = accumulate ? want[3 + o] + r : r;
  }
  return want;
}

// One dispatch of a kernel with matvec_wide's bindings and parameters (matvec_wide, _pipe,
// _dot8) over all of m, into outputs 3 .. 3 + outputs of y0 (offset 3: the first three must stay);
// a workgroup takes weight_rows * pairs weight rows. Returns y.
std::vector<float> RunWideLayoutMatVec(std::span<const uint32_t> spirv, const Matrix& m, int kind,
                                       const std::vector<float>& x, const std::vector<float>& nw,
                                       float eps, const std::vector<float>& y0, uint64_t outputs,
                                       uint32_t accumulate, uint32_t pairs, uint32_t weight_rows) {
  WeightChunk c = PackRows(m.view, 0, m.view.ne[1]);
  std::vector<uint32_t> xw = Floats(x), yw = Floats(y0), nww = Floats(nw);
  std::vector<std::vector<uint32_t>*> bufs = {&c.words, &xw, &yw};
  std::vector<bool> writable = {false, false, true};
  if (kind != 0) {
    bufs.push_back(&nww);
    writable.push_back(false);
  }
  const uint32_t per_group = weight_rows * pairs / (kind == 2 ? 2 : 1);
  Dispatch run{spirv, bufs, writable,
               {uint32_t(outputs), uint32_t(x.size()), c.qoff, 3, accumulate, 8, Bits(eps), pairs},
               (uint32_t(outputs) + per_group - 1) / per_group, 1};
  run.Go();
  return AsFloats(yw);
}

TEST(GpuKernels, WideMatVecEveryKindTypeAndReduction) {
  ASSERT_TRUE(Ctx().has_subgroups()) << "lavapipe has subgroups";
  const uint64_t outputs = 13;
  const float eps = 1e-5f;
  // 70 blocks: two x tiles, reloaded for every row pair; 40: one tile, loaded once for 3 pairs.
  for (uint64_t n_in : {32 * 70, 32 * 40})
  for (uint32_t pairs : {1u, 3u})
  for (bool sg : {false, true}) {
    if (n_in == 32 * 40 && pairs == 1) continue;
    for (int kind = 0; kind < 3; ++kind) {
      for (GgmlType type : kTypes) {
        const uint64_t rows = kind == 2 ? 2 * outputs : outputs;
        Matrix m = RandomMatrix(type, n_in, rows, 31 + kind);
        const std::vector<float> x = Random(n_in, 32), nw = Random(n_in + 8, 33);
        const std::vector<float> y0 = Random(outputs + 3, 34);
        const std::vector<float> want = WideMatVecWant(m, kind, x, nw, eps, y0, outputs, true);
        const std::vector<float> got =
            RunWideLayoutMatVec(WideSpirv(kind, type, sg), m, kind, x, nw, eps, y0, outputs, 1,
                                pairs, 8);
        EXPECT_LT(Nmse(want, got), 1e-10)
            << GgmlTypeName(type) << " kind " << kind << " subgroups " << sg << " pairs " << pairs
            << " n_in " << n_in;
        for (int i = 0; i < 3; ++i) EXPECT_EQ(got[i], y0[i]) << "wrote outside its rows";
      }
    }
  }
}

// matvec_pipe.glsl (quantized types, subgroups; lavapipe's are 8 lanes, so the sums also go
// through shared memory), every kind: rows of 40 blocks (one tile, lanes 8..31 without a second
// block), 70 (two tiles, the second partial) and 176 (tinyllama's FFN down product); 1 and 3 row
// pairs per row group (x staged once for all pairs in one-tile rows, the next pair's weights
// loaded ahead), storing and accumulating, an odd output count (the last row group's second row
// is clamped) and an output offset.
std::span<const uint32_t> PipeSpirv(int kind, GgmlType t) {
  static const std::span<const uint32_t> k[3][2] = {
      {Words(kSpirv_matvec_pipe_q8_0), Words(kSpirv_matvec_pipe_q4_0)},
      {Words(kSpirv_matvec_pipe_norm_q8_0), Words(kSpirv_matvec_pipe_norm_q4_0)},
      {Words(kSpirv_matvec_pipe_ffn_q8_0), Words(kSpirv_matvec_pipe_ffn_q4_0)}};
  return k[kind][t == GgmlType::kQ8_0 ? 0 : 1];
}

TEST(GpuKernels, PipeMatVecEveryKindAndQuantizedType) {
  ASSERT_TRUE(Ctx().has_subgroups()) << "lavapipe has subgroups";
  const uint64_t outputs = 13;
  const float eps = 1e-5f;
  for (uint64_t n_in : {32 * 40, 32 * 70, 32 * 176})
  for (uint32_t pairs : {1u, 3u})
  for (uint32_t accumulate : {0u, 1u}) {
    if (n_in == 32 * 176 && pairs == 3) continue;  // keeps the test short on lavapipe
    for (int kind = 0; kind < 3; ++kind) {
      for (GgmlType type : {GgmlType::kQ8_0, GgmlType::kQ4_0}) {
        const uint64_t rows = kind == 2 ? 2 * outputs : outputs;
        Matrix m = RandomMatrix(type, n_in, rows, 61 + kind);
        const std::vector<float> x = Random(n_in, 62), nw = Random(n_in + 8, 63);
        const std::vector<float> y0 = Random(outputs + 3, 64);
        const std::vector<float> want =
            WideMatVecWant(m, kind, x, nw, eps, y0, outputs, accumulate != 0);
        const std::vector<float> got = RunWideLayoutMatVec(PipeSpirv(kind, type), m, kind, x, nw,
                                                           eps, y0, outputs, accumulate, pairs, 8);
        EXPECT_LT(Nmse(want, got), 1e-10)
            << GgmlTypeName(type) << " kind " << kind << " pairs " << pairs << " n_in " << n_in
            << " accumulate " << accumulate;
        for (int i = 0; i < 3; ++i) EXPECT_EQ(got[i], y0[i]) << "wrote outside its rows";
      }
    }
  }
}

// matvec_dot8.glsl (x quantized to 8 bits per block, integer dot products; Q8_0 and Q4_0), every
// kind, against the CPU's MatVecQuantizedX: rows of 9 blocks (stories15m; lanes 9..31 idle), 40
// (lanes 8..31 without a second block) and 64 (tinyllama-1.1b, two blocks per lane), storing and
// accumulating, 13 outputs (a partial workgroup of 32 weight rows) at an output offset. The
// products must also differ from the float-x ones (by x's quantization error), or x was not
// quantized.
std::span<const uint32_t> Dot8Spirv(int kind, GgmlType t) {
  static const std::span<const uint32_t> k[3][2] = {
      {Words(kSpirv_matvec_dot8_q8_0), Words(kSpirv_matvec_dot8_q4_0)},
      {Words(kSpirv_matvec_dot8_norm_q8_0), Words(kSpirv_matvec_dot8_norm_q4_0)},
      {Words(kSpirv_matvec_dot8_ffn_q8_0), Words(kSpirv_matvec_dot8_ffn_q4_0)}};
  return k[kind][t == GgmlType::kQ8_0 ? 0 : 1];
}

std::span<const uint32_t> Dot8LongSpirv(int kind) {
  static const std::span<const uint32_t> k[3] = {Words(kSpirv_matvec_dot8_long_q4_0),
                                                 Words(kSpirv_matvec_dot8_long_norm_q4_0),
                                                 Words(kSpirv_matvec_dot8_long_ffn_q4_0)};
  return k[kind];
}

TEST(GpuKernels, Dot8MatVecEveryKindAndQuantizedType) {
  ASSERT_TRUE(Ctx().has_integer_dot()) << "lavapipe has ShaderIntegerDotProduct";
  ASSERT_GE(Ctx().subgroup_min_size(), 8u);
  const uint64_t outputs = 13;
  const float eps = 1e-5f;
  // The long build (Q4_0 only, up to 4096 inputs, 16 weight rows per workgroup) over rows of 65
  // blocks (lane 0 alone with a third block) and 128 (four per lane).
  for (uint64_t n_in : {32 * 9, 32 * 40, 32 * 64, 32 * 65, 32 * 128})
  for (uint32_t accumulate : {0u, 1u}) {
    const bool long_rows = n_in > 2048;
    for (int kind = 0; kind < 3; ++kind) {
      for (GgmlType type : {GgmlType::kQ8_0, GgmlType::kQ4_0}) {
        if (long_rows && type == GgmlType::kQ8_0) continue;
        const uint64_t rows = kind == 2 ? 2 * outputs : outputs;
        Matrix m = RandomMatrix(type, n_in, rows, 71 + kind);
        const std::vector<float> x = Random(n_in, 72), nw = Random(n_in + 8, 73);
        const std::vector<float> y0 = Random(outputs + 3, 74);
        const std::vector<float> want =
            WideMatVecWant(m, kind, x, nw, eps, y0, outputs, accumulate != 0, true);
        const std::vector<float> want_float =
            WideMatVecWant(m, kind, x, nw, eps, y0, outputs, accumulate != 0, false);
        const std::vector<float> got =
            long_rows ? RunWideLayoutMatVec(Dot8LongSpirv(kind), m, kind, x, nw, eps, y0, outputs,
                                            accumulate, 1, 16)
                      : RunWideLayoutMatVec(Dot8Spirv(kind, type), m, kind, x, nw, eps, y0, outputs,
                                            accumulate, 1, 32);
        const std::string what = std::string(GgmlTypeName(type)) + " kind " +
                                 std::to_string(kind) + " n_in " + std::to_string(n_in) +
                                 " accumulate " + std::to_string(accumulate);
        EXPECT_LT(Nmse(want, got), 1e-10) << what;
        EXPECT_GT(Nmse(want_float, got), 1e-8) << what << ": x was not quantized";
        for (int i = 0; i < 3; ++i) EXPECT_EQ(got[i], y0[i]) << "wrote outside its rows";
      }
    }
  }
}

// attention_decode: RoPE of q and of this position's k, the cache store at pos (only by the first
// query head of each KV group), attention over positions 0..pos, split or not, against the CPU
// reference.
struct DecodeCase {
  uint32_t n_head, n_kv, hd, n_rot, neox, pos, max_seq, n_split;
};

enum class DecodeKernel { kPortable, kSubgroups, kCpu };

std::string Describe(const DecodeCase& d, DecodeKernel k) {
  return "heads " + std::to_string(d.n_head) + "/" + std::to_string(d.n_kv) + " hd " +
         std::to_string(d.hd) + " n_rot " + std::to_string(d.n_rot) + " neox " +
         std::to_string(d.neox) + " pos " + std::to_string(d.pos) + " n_split " +
         std::to_string(d.n_split) + " kernel " + std::to_string(static_cast<int>(k));
}

void CheckAttentionDecode(const DecodeCase& d, DecodeKernel k) {
  const uint32_t base = 10000, n_head = d.n_head, n_kv = d.n_kv, hd = d.hd, pos = d.pos;
  const uint32_t q_dim = n_head * hd, kv_dim = n_kv * hd, n_split = d.n_split;
  const RopeType rope = d.neox ? RopeType::kNeox : RopeType::kNormal;
  const std::vector<float> qkv = Random(q_dim + 2 * kv_dim, 40);
  const std::vector<float> k0 = Random(d.max_seq * kv_dim, 41), v0 = Random(d.max_seq * kv_dim, 42);
  // Reference: the caches with position pos written, then attention per head.
  std::vector<float> want_k = k0, want_v = v0, q(qkv.begin(), qkv.begin() + q_dim);
  for (uint32_t h = 0; h < n_head; ++h) Rope(&q[h * hd], d.n_rot, pos, base, rope);
  for (uint32_t kvh = 0; kvh < n_kv; ++kvh) {
    std::vector<float> k(qkv.begin() + q_dim + kvh * hd, qkv.begin() + q_dim + (kvh + 1) * hd);
    Rope(k.data(), d.n_rot, pos, base, rope);
    std::copy(k.begin(), k.end(), want_k.begin() + pos * kv_dim + kvh * hd);
    std::copy(qkv.begin() + q_dim + kv_dim + kvh * hd,
              qkv.begin() + q_dim + kv_dim + (kvh + 1) * hd,
              want_v.begin() + pos * kv_dim + kvh * hd);
  }
  const float scale = 1.0f / std::sqrt(float(hd));
  std::vector<float> want(q_dim, 0.0f);
  for (uint32_t h = 0; h < n_head; ++h) {
    const uint32_t kvh = h / (n_head / n_kv);
    std::vector<float> att(pos + 1);
    for (uint32_t t = 0; t <= pos; ++t) {
      double s = 0;
      for (uint32_t i = 0; i < hd; ++i) s += q[h * hd + i] * double(want_k[t * kv_dim + kvh * hd + i]);
      att[t] = float(s) * scale;
    }
    Softmax(att.data(), int(pos + 1));
    for (uint32_t t = 0; t <= pos; ++t) {
      for (uint32_t i = 0; i < hd; ++i) want[h * hd + i] += att[t] * want_v[t * kv_dim + kvh * hd + i];
    }
  }
  std::vector<float> inv(d.n_rot / 2);
  for (uint32_t i = 0; i < inv.size(); ++i) inv[i] = float(std::pow(double(base), -2.0 * i / d.n_rot));
  std::vector<uint32_t> qw = Floats(qkv), kw = Floats(k0), vw = Floats(v0), iw = Floats(inv),
                        out(n_split * q_dim, 0), ml(n_split * n_head * 2, 0), arrivals(n_head, 0);
  Dispatch run{k == DecodeKernel::kSubgroups ? Words(kSpirv_attention_decode_sg)
               : k == DecodeKernel::kCpu      ? Words(kSpirv_attention_decode_cpu)
                                              : Words(kSpirv_attention_decode),
               {&qw, &kw, &vw, &iw, &out, &ml, &arrivals},
               {false, true, true, false, true, true, true},
               {n_head, n_kv, hd, d.n_rot, pos, d.max_seq, d.neox, Bits(scale), n_split}, n_head,
               n_split};
  run.Go();
  const std::string what = Describe(d, k);
  // The head's last workgroup combined the partials into out[0]; every workgroup's (max, sum of
  // exp) stays in ml, and the arrival counts are back to 0 for the next dispatch.
  const std::vector<float> all = AsFloats(out);
  const std::vector<float> got(all.begin(), all.begin() + q_dim);
  if (n_split > 1) {
    const std::vector<float> mlf = AsFloats(ml);
    const uint32_t span = (pos + n_split) / n_split;
    for (uint32_t h = 0; h < n_head; ++h) {
      for (uint32_t sp = 0; sp < n_split; ++sp) {
        const float m = mlf[2 * (sp * n_head + h)], l = mlf[2 * (sp * n_head + h) + 1];
        if (sp * span > pos) {  // no positions: the neutral partial
          EXPECT_EQ(m, -3e38f) << "slice " << sp << ", " << what;
          EXPECT_EQ(l, 0.0f) << "slice " << sp << ", " << what;
        } else {
          EXPECT_GE(l, 1.0f) << "slice " << sp << ", " << what;  // its max contributes exp(0)
        }
      }
    }
  }
  EXPECT_EQ(arrivals, std::vector<uint32_t>(n_head, 0)) << what;
  // The float angle pos * inv_freq and GPU sin/cos (NVIDIA's lose accuracy on large angles)
  // against the CPU's double angle: relative errors ~1e-5 at pos 1100, so NMSE bounds of 1e-8
  // (1e-10 failed on the H100; a wrong rotation or position gives ~1).
  EXPECT_LT(Nmse(want, got), 1e-8) << what;
  EXPECT_LT(Nmse(want_k, AsFloats(kw)), 1e-8) << what;
  EXPECT_EQ(AsFloats(vw), want_v) << what;
}

// The kernel's passes take 256 / (hd / 4) slices x 8 positions: 64 at hd 128, 128 at hd 64, 256
// at hd 32. hd 32: 70 positions in one pass, unsplit and in 3 (not a multiple) and 7 slices;
// 1101 in 16; 2501 unsplit (ten passes of the online softmax) and in 2 (slices of 1251, the
// second not starting on a pass boundary); 3 positions in 5 and 1 in 16 (slices without
// positions). Both RoPE layouts throughout. Then the head sizes of real models: 64 (tinyllama:
// 32 heads on 4 KV heads, past lavapipe's subgroup of 8 lanes, so the shared-memory sums of the
// subgroup kernel), 80 (not a power of two: 12 slices, 16 threads idle), 128 with n_rot 64 < hd,
// 256 (4 slices). Each in the portable kernel, the CPU one (64 threads: at hd 256 one slice)
// and, where the adapter has subgroups, the subgroup one.
TEST(GpuKernels, AttentionDecodeRopeStoreAndGroupedQueries) {
  const std::vector<DecodeCase> cases = {
      {4, 2, 32, 16, 0, 69, 80, 1},    {4, 2, 32, 16, 1, 69, 80, 1},
      {4, 2, 32, 16, 0, 1100, 1104, 1}, {4, 2, 32, 16, 0, 69, 80, 3},
      {4, 2, 32, 16, 1, 69, 80, 7},    {4, 2, 32, 16, 0, 1100, 1104, 16},
      {4, 2, 32, 16, 1, 2500, 2504, 2}, {4, 2, 32, 16, 0, 2500, 2504, 1},
      {4, 2, 32, 16, 0, 2, 8, 5},      {4, 2, 32, 16, 1, 0, 4, 16},
      {32, 4, 64, 64, 0, 600, 640, 1}, {32, 4, 64, 64, 1, 600, 640, 5},
      {4, 1, 80, 32, 1, 300, 304, 2},  {4, 2, 128, 64, 0, 140, 144, 3},
      {2, 2, 256, 256, 1, 100, 104, 1}, {2, 1, 256, 128, 0, 100, 104, 2}};
  for (DecodeKernel k : {DecodeKernel::kPortable, DecodeKernel::kSubgroups, DecodeKernel::kCpu}) {
    if (k == DecodeKernel::kSubgroups && !Ctx().has_subgroups()) continue;
    for (const DecodeCase& d : cases) CheckAttentionDecode(d, k);
  }
}

}  // namespace
}  // namespace wasmgpu::nn
