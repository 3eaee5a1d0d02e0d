// y[out_offset + row] (+)= dot(W row, x) for Q8_0 and Q4_0 weights with integer dot products
// (wasmgpu feature ShaderIntegerDotProduct): x is quantized to 8 bits per 32-block in shared
// memory, as llama.cpp does for these types, and each 4 weights cost one packed dot product
// instead of unpacking to floats (3 instructions per weight in matvec_wide: mask, bias, FMA).
// Same parameters, bindings and variants (NORM, SWIGLU, accumulate) as matvec_wide.glsl.
//
// - x quantization (src/nn/reference/llama_cpu.cpp QuantizeActivations is the same on the CPU):
//   per block of 32 inputs, d = max|x| / 127 and q = roundEven(x * (127 / max|x|)), so q is in
//   [-127, 127]; a block of zeros has d = 0 and q = 0. NORM quantizes x * norm weight (the 1 / rms
//   factor is applied to the sums, as in matvec_wide). Q4_0 also keeps sum(q) per block: its
//   nibbles n are dotted unsigned, and sum((n - 8) q) = sum(n q) - 8 sum(q).
// - A row group of 32 lanes computes ROWS weight rows; lane l takes blocks l, l + 32, ... of
//   each, issuing every weight load before it stages x. x is staged whole, once, 48 bytes per
//   block (32 int8, then d and sum(q)), a stride that keeps lanes on distinct banks.
// - Sums meet through subgroup shuffles (narrower subgroups than 32 also through shared memory);
//   quantization needs subgroups of at least 8 invocations (a block's max meets by shuffles among
//   the 8 threads that staged it).
//
// Rows of at most 32 * 32 * JMAX inputs. Rows per workgroup: GROUPS * ROWS weight rows (SWIGLU:
// half as many outputs).
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#extension GL_EXT_control_flow_attributes : require
#extension GL_EXT_spirv_intrinsics : require
#if !defined(THREADS)
#define THREADS 128
#endif
#if !defined(ROWS)
#define ROWS 2
#endif
#if !defined(JMAX)
#define JMAX 2
#endif
#define LANES 32
#define GROUPS (THREADS / LANES)
#define XS_BLOCKS (LANES * JMAX)
#define STAGE_LOADS ((XS_BLOCKS * 8 + THREADS - 1) / THREADS)  // vec4 of x per thread, at most
layout(local_size_x = THREADS) in;

#include "matvec_wide_io.glsl"

#if !defined(W_Q8_0) && !defined(W_Q4_0)
#error "matvec_dot8 is for Q8_0 and Q4_0 weights"
#endif
#if defined(SWIGLU) && (ROWS % 2) != 0
#error "SWIGLU needs an even ROWS"
#endif

// OpSDot / OpSUDot (SPV_KHR_integer_dot_product) on 4 x 8-bit packed operands (format 0):
// sdot both signed; sudot the first signed, the second unsigned.
spirv_instruction(extensions = ["SPV_KHR_integer_dot_product"], capabilities = [6019, 6018], id = 4450)
int sdot(uint a, uint b, spirv_literal int packed_format);
spirv_instruction(extensions = ["SPV_KHR_integer_dot_product"], capabilities = [6019, 6018], id = 4452)
int sudot(uint a, uint b, spirv_literal int packed_format);

shared uvec4 xq[XS_BLOCKS * 3];    // per block: q of inputs 0..15, 16..31, (d, sum(q), 0, 0)
shared float red[THREADS * ROWS];  // narrow subgroups: per subgroup, its partial sum of each row
shared float ssum[THREADS];        // NORM: per subgroup, its threads' sum(x^2)
#define OUTPUTS_PER_GROUP (ROWS / ROWS_PER_OUTPUT)  // outputs of a row group
shared float yout[GROUPS * OUTPUTS_PER_GROUP];  // the workgroup's outputs, in order

// 127 / amax correctly rounded, as the CPU's division gives it: GLSL's division may be 2.5 ulp
// off, and a factor 1 ulp off can flip the rounding of x * factor, one step of one q. Of the
// quotient and its neighbours, the one whose residual 127 - r amax (exact, fused) is smallest.
float Inv127(float amax) {
  float r = 127.0 / amax;
  precise float best = abs(fma(-r, amax, 127.0));
  const int bits = floatBitsToInt(r);
  [[unroll]] for (int k = -3; k <= 3; ++k) {
    const float c = intBitsToFloat(bits + k);
    precise float e = abs(fma(-c, amax, 127.0));
    if (e < best) {
      best = e;
      r = c;
    }
  }
  return r;
}

// The dot product of one weight block with the staged block xb (integers), scaled.
float DotBlock(WideBlock k, uvec4 xa, uvec4 xb, uvec4 xe) {
  int s = 0;
#if defined(W_Q8_0)
  [[unroll]] for (uint m = 0; m < 4; ++m) s += sdot(k.v0[m], xa[m], 0) + sdot(k.v1[m], xb[m], 0);
#else
  [[unroll]] for (uint m = 0; m < 4; ++m) {
    s += sudot(xa[m], k.v[m] & 0x0F0F0F0Fu, 0) + sudot(xb[m], (k.v[m] >> 4) & 0x0F0F0F0Fu, 0);
  }
  s -= 8 * int(xe.y);
#endif
  return k.d * uintBitsToFloat(xe.x) * float(s);
}

void main() {
  const uint t = gl_SubgroupID * gl_SubgroupSize + gl_SubgroupInvocationID;
  const uint lane = t % LANES, g = t / LANES;
  const uint wg = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  const uint wrows = p.rows * ROWS_PER_OUTPUT;
  const uint nb = p.n_in / 32;
  const uint jn = (nb + LANES - 1) / LANES;  // blocks per lane per row (uniform, <= JMAX)
  const uint row0 = (wg * GROUPS + g) * ROWS;

  // Every weight load first. Rows past the end load (harmlessly) the last row and write nothing;
  // a block past the row's end loads the row's last block and is not used.
  WideBlock wb[JMAX][ROWS];
  [[unroll]] for (uint j = 0; j < JMAX; ++j) {
    if (j < jn) {
      const uint b = min(lane + j * LANES, nb - 1);
      [[unroll]] for (uint r = 0; r < ROWS; ++r) wb[j][r] = LoadWide(min(row0 + r, wrows - 1) * nb + b);
    }
  }
  float y_old[OUTPUTS_PER_GROUP];
  [[unroll]] for (uint o = 0; o < OUTPUTS_PER_GROUP; ++o) {
    y_old[o] = 0.0;
    if (p.accumulate != 0 && lane == o) {
      y_old[o] = y[p.out_offset + min(row0 / ROWS_PER_OUTPUT + o, p.rows - 1)];
    }
  }

  // Stage x quantized. Thread t holds vec4 i = t + k THREADS, inputs 4i .. 4i + 3, word i & 7 of
  // block i >> 3; the 8 threads of a block are neighbours in one subgroup.
  {
    const uint n4 = nb * 8;
    vec4 v[STAGE_LOADS];
    [[unroll]] for (uint k = 0; k < STAGE_LOADS; ++k) v[k] = x4[min(t + k * THREADS, n4 - 1)];
#if defined(NORM)
    vec4 nw[STAGE_LOADS];
    [[unroll]] for (uint k = 0; k < STAGE_LOADS; ++k) {
      nw[k] = nw4[p.norm_offset / 4 + min(t + k * THREADS, n4 - 1)];
    }
    float sq = 0.0;
#endif
    [[unroll]] for (uint k = 0; k < STAGE_LOADS; ++k) {
      const uint i = t + k * THREADS;
      const bool used = i < n4;  // uniform per block: n4 is a multiple of 8
      vec4 a = used ? v[k] : vec4(0.0);
#if defined(NORM)
      sq += dot(a, a);
      a *= nw[k];
#endif
      float amax = max(max(abs(a.x), abs(a.y)), max(abs(a.z), abs(a.w)));
      amax = max(amax, subgroupShuffleXor(amax, 1));
      amax = max(amax, subgroupShuffleXor(amax, 2));
      amax = max(amax, subgroupShuffleXor(amax, 4));
      const float inv = amax > 0.0 ? Inv127(amax) : 0.0;
      const ivec4 q = ivec4(clamp(roundEven(a * inv), -127.0, 127.0));
      int qs = q.x + q.y + q.z + q.w;
      qs += subgroupShuffleXor(qs, 1);
      qs += subgroupShuffleXor(qs, 2);
      qs += subgroupShuffleXor(qs, 4);
      if (used) {
        const uint w = i & 7u, b = i >> 3;
        xq[b * 3 + (w >> 2)][w & 3u] = (uint(q.x) & 0xFFu) | ((uint(q.y) & 0xFFu) << 8) |
                                       ((uint(q.z) & 0xFFu) << 16) | (uint(q.w) << 24);
        if (w == 0) xq[b * 3 + 2] = uvec4(floatBitsToUint(amax / 127.0), uint(qs), 0u, 0u);
      }
    }
#if defined(NORM)
    const float part = subgroupAdd(sq);
    if (subgroupElect()) ssum[gl_SubgroupID] = part;
#endif
  }
  barrier();
#if defined(NORM)
  float ss = 0.0;
  for (uint i = 0; i < gl_NumSubgroups; ++i) ss += ssum[i];
#endif

  float s[ROWS];
  [[unroll]] for (uint r = 0; r < ROWS; ++r) s[r] = 0.0;
  [[unroll]] for (uint j = 0; j < JMAX; ++j) {
    const uint b = lane + j * LANES;
    if (j < jn && b < nb) {
      const uvec4 xa = xq[b * 3], xb = xq[b * 3 + 1], xe = xq[b * 3 + 2];
      [[unroll]] for (uint r = 0; r < ROWS; ++r) s[r] += DotBlock(wb[j][r], xa, xb, xe);
    }
  }
  [[unroll]] for (uint o = LANES / 2; o > 0; o >>= 1) {
    if (o < gl_SubgroupSize) {
      [[unroll]] for (uint r = 0; r < ROWS; ++r) s[r] += subgroupShuffleXor(s[r], o);
    }
  }
  if (gl_SubgroupSize < LANES) {  // uniform: sum the row group's subgroups through shared memory
    const uint per = gl_SubgroupSize;
    if (t % per == 0) {
      [[unroll]] for (uint r = 0; r < ROWS; ++r) red[(t / per) * ROWS + r] = s[r];
    }
    barrier();
    [[unroll]] for (uint r = 0; r < ROWS; ++r) {
      s[r] = 0.0;
      for (uint i = 0; i < LANES / per; ++i) s[r] += red[(g * (LANES / per) + i) * ROWS + r];
    }
  }
#if defined(NORM)
  const float inv_rms = inversesqrt(ss / float(p.n_in) + p.eps);
  [[unroll]] for (uint r = 0; r < ROWS; ++r) s[r] *= inv_rms;
#endif
  // The workgroup's outputs meet in shared memory and its first threads store them, one
  // contiguous run: where y is host memory (the classifier's logits), a few wide writes cross the
  // bus instead of one narrow write per row group.
  [[unroll]] for (uint o = 0; o < OUTPUTS_PER_GROUP; ++o) {
    if (lane == o) {
#if defined(SWIGLU)
      const float gate = s[2 * o], up = s[2 * o + 1];
      yout[g * OUTPUTS_PER_GROUP + o] = y_old[o] + gate / (1.0 + exp(-gate)) * up;
#else
      yout[g * OUTPUTS_PER_GROUP + o] = y_old[o] + s[o];
#endif
    }
  }
  barrier();
  const uint oi = wg * GROUPS * OUTPUTS_PER_GROUP + t;
  if (t < GROUPS * OUTPUTS_PER_GROUP && oi < p.rows) y[p.out_offset + oi] = yout[t];
}
