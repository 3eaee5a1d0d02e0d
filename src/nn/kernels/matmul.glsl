// Y[m][out_offset + n] (+)= dot(X row m, W row n) for the T token rows of a prefill batch and the
// rows of one weight chunk: the prefill-time matrix-matrix product Y = X W^T. Weights stay in
// their GPU layout (weights.glsl, read through BlockWeight) and are dequantized once per tile
// into shared memory, where every token row of the tile uses them; at decode time (matvec.glsl)
// each weight is used once per token instead.
//
// A workgroup computes a 64 (tokens) x 64 (weight rows) tile of Y; each of its 128 threads an
// 8 x 4 block of it (register blocking: 8 x 4 x 4 FMAs per 8 + 4 shared loads of vec4). On the
// H100, 4 x 4 blocks (256 threads) gave 13-15 % fewer prefill tok/s and 16 x 4 (64 threads)
// 32-36 % fewer (bench/results/llama-h100-prefill.md). K goes in steps of one 32-block: the
// step's X tile and W tile (64 x 32 floats each, 16 KiB together: WebGPU's default workgroup
// storage) are stored as rows of 8 vec4 whose slots are XOR-swizzled by the row, so the vec4
// reads of the compute loop hit 8 different bank groups without padding.
//
// A thread's weight rows are 2 tn, 2 tn + 1, 2 tn + 32 and 2 tn + 33: adjacent pairs, so that
// with SWIGLU (rows interleaved gate/up at load, see CombineRows) the thread holds both halves of
// each of its outputs: Y[m][out_offset + n / 2] = silu(gate) * up.
// With `accumulate` the result is added to Y (the residual adds of attn_output and ffn_down).
//
// F16_MATH (wasmgpu feature ShaderF16; LlamaGpu uses it on GPUs for the products whose input is
// bounded, not for down): the tiles hold X and the dequantized W as f16 (4 per uvec2, half the
// shared-memory traffic) and the products run as packed f16 FMAs, twice the f32 rate, into f16
// sums of one 32-block's 16 products per lane, which are added into the f32 accumulators after
// each block. X and W are rounded to f16 (relative 2^-11), each block's sums carry f16 rounding,
// and products under f16's normal range (6.1e-5) may flush to 0: results differ from f32
// arithmetic by ~1e-3 relative where the terms are of ordinary size. Values past 65504 become
// infinite: the input must be bounded (normalized activations are).
#define TM 8  // token rows per thread
#define BM 64
#define BN 64
#define THREADS (BM / TM * 16)
layout(local_size_x = THREADS) in;

layout(std430, binding = 0) readonly buffer Weights { uint w[]; };
layout(std430, binding = 1) readonly buffer Xs { vec4 x4[]; };  // [m][n_in]
layout(std430, binding = 2) buffer Y { float y[]; };             // [m][ldy]

layout(push_constant) uniform Params {
  uint m;           // token rows in the batch
  uint rows;        // weight rows in this chunk
  uint n_in;        // row length (multiple of 32)
  uint qoff;        // word offset of the quants region (quantized types)
  uint ldy;         // row stride of Y
  uint out_offset;  // Y column of the chunk's first output
  uint accumulate;  // 1: Y += result
} p;

#define qoff p.qoff
#define WEIGHTS_NO_DOT
#include "weights.glsl"

#if defined(F16_MATH)
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
shared uvec2 xs[BM * 8];
shared uvec2 ws[BN * 8];
uvec2 ToTile(vec4 v) { return uvec2(packHalf2x16(v.xy), packHalf2x16(v.zw)); }
#else
shared vec4 xs[BM * 8];  // [token row][k4 ^ (row & 7)]
shared vec4 ws[BN * 8];  // [weight row][k4 ^ ((row >> 1) & 7)]
vec4 ToTile(vec4 v) { return v; }
#endif

uint XSlot(uint r, uint k4) { return r * 8 + (k4 ^ (r & 7)); }
// Weight rows are read in pairs (2 tn, 2 tn + 1) by 8 consecutive tn: key on row / 2.
uint WSlot(uint r, uint k4) { return r * 8 + (k4 ^ ((r >> 1) & 7)); }
uint WRow(uint tn, uint j) { return 2 * tn + (j & 1) + 32 * (j >> 1); }

void main() {
  const uint t = gl_LocalInvocationID.x;
  const uint tm = t / 16, tn = t % 16;
  const uint m0 = gl_WorkGroupID.y * BM, n0 = gl_WorkGroupID.x * BN;
  const uint nb = p.n_in / 32;
  // Loaders. X: vec4 v % 8 of tile row v / 8 for v = t, t + THREADS, ... (a row's 8 threads read
  // its 128 contiguous bytes). Rows past the batch or the chunk repeat the last one; never stored.
  uint x_src[BM * 8 / THREADS];
  for (uint r = 0; r < BM * 8 / THREADS; ++r) {
    const uint v = t + r * THREADS;
    x_src[r] = min(m0 + (v >> 3), p.m - 1) * (p.n_in / 4) + (v & 7);
  }
  // W: for v = t, t + THREADS, ...: tile row v / 4, weights 4 q .. 4 q + 3 and 16 + 4 q ..
  // 16 + 4 q + 3 of the block (q = v % 4): for Q4_0 the low and high nibbles of one quant word.
  uint w_src[BN * 4 / THREADS];
  for (uint r = 0; r < BN * 4 / THREADS; ++r) {
    w_src[r] = min(n0 + ((t + r * THREADS) >> 2), p.rows - 1) * nb;
  }

  vec4 acc[TM];  // acc[i][j]: token row tm * TM + i, weight row WRow(tn, j)
  for (uint i = 0; i < TM; ++i) acc[i] = vec4(0.0);
  for (uint kb = 0; kb < nb; ++kb) {
    for (uint r = 0; r < BM * 8 / THREADS; ++r) {
      const uint v = t + r * THREADS;
      xs[XSlot(v >> 3, v & 7)] = ToTile(x4[x_src[r] + kb * 8]);
    }
    for (uint r = 0; r < BN * 4 / THREADS; ++r) {
      const uint v = t + r * THREADS, q = v & 3, b = w_src[r] + kb;
      vec4 lo, hi;
      for (uint i = 0; i < 4; ++i) {
        lo[i] = BlockWeight(b, 4 * q + i);
        hi[i] = BlockWeight(b, 16 + 4 * q + i);
      }
      ws[WSlot(v >> 2, q)] = ToTile(lo);
      ws[WSlot(v >> 2, q + 4)] = ToTile(hi);
    }
    barrier();
#if defined(F16_MATH)
    f16vec2 h[TM][4];  // this block's sums, two lanes each
    for (uint i = 0; i < TM; ++i) {
      for (uint j = 0; j < 4; ++j) h[i][j] = f16vec2(0.0hf);
    }
    for (uint k4 = 0; k4 < 8; ++k4) {
      f16vec2 c0[4], c1[4];
      for (uint j = 0; j < 4; ++j) {
        const uvec2 w = ws[WSlot(WRow(tn, j), k4)];
        c0[j] = unpackFloat2x16(w.x);
        c1[j] = unpackFloat2x16(w.y);
      }
      for (uint i = 0; i < TM; ++i) {
        const uvec2 a = xs[XSlot(tm * TM + i, k4)];
        const f16vec2 a0 = unpackFloat2x16(a.x), a1 = unpackFloat2x16(a.y);
        for (uint j = 0; j < 4; ++j) h[i][j] = fma(a1, c1[j], fma(a0, c0[j], h[i][j]));
      }
    }
    for (uint i = 0; i < TM; ++i) {
      for (uint j = 0; j < 4; ++j) acc[i][j] += float(h[i][j].x) + float(h[i][j].y);
    }
#else
    for (uint k4 = 0; k4 < 8; ++k4) {
      vec4 c[4];
      for (uint j = 0; j < 4; ++j) c[j] = ws[WSlot(WRow(tn, j), k4)];
      for (uint i = 0; i < TM; ++i) {
        const vec4 a = xs[XSlot(tm * TM + i, k4)];
        acc[i] += vec4(dot(a, c[0]), dot(a, c[1]), dot(a, c[2]), dot(a, c[3]));
      }
    }
#endif
    barrier();
  }

  for (uint i = 0; i < TM; ++i) {
    const uint m = m0 + tm * TM + i;
    if (m >= p.m) break;
    const uint yrow = m * p.ldy + p.out_offset;
#if defined(SWIGLU)
    for (uint h = 0; h < 2; ++h) {
      const uint n = n0 + WRow(tn, 2 * h);  // even: the gate row; n + 1 is its up row
      if (n >= p.rows) continue;
      const float g = acc[i][2 * h], u = acc[i][2 * h + 1];
      const uint k = yrow + n / 2;
      const float r = g / (1.0 + exp(-g)) * u;
      y[k] = p.accumulate != 0 ? y[k] + r : r;
    }
#else
    for (uint j = 0; j < 4; ++j) {
      const uint n = n0 + WRow(tn, j);
      if (n >= p.rows) continue;
      const uint k = yrow + n;
      y[k] = p.accumulate != 0 ? y[k] + acc[i][j] : acc[i][j];
    }
#endif
  }
}
