// y[out_offset + row] (+)= dot(W row, x) for GPUs with subgroups, built to stream weights: the
// same parameters, bindings and variants (NORM, SWIGLU, accumulate) as matvec_wide.glsl
// (matvec_wide_io.glsl), a different schedule:
//
// - A row group of 32 lanes computes ROWS weight rows; lane l takes blocks l, l + 32, l + 64, ...
//   of each, so every 16-byte weight load of a row group reads 512 contiguous bytes (Q4_0), and
//   each x value read from shared memory serves ROWS rows.
// - A thread issues every weight load it will make (ROWS x ceil(blocks / 32) blocks) first, then
//   stages x: the whole of x, once, padded to 9 vec4 per block so that lanes reading the same
//   offset of neighbouring blocks hit different banks. One wait for memory per dispatch, and x is
//   read from L2 once per GROUPS * ROWS rows (matvec_wide: once per 8).
// - Sums meet through subgroup shuffles where subgroups have at least 32 lanes, else through
//   shared memory (lavapipe: 8 lanes).
//
// Rows of at most 32 * 32 * JMAX inputs (JMAX blocks per lane per row); LlamaGpu picks the build
// whose JMAX fits, or matvec_wide. Rows per workgroup: GROUPS * ROWS weight rows (SWIGLU: half as
// many outputs; ROWS is even there, so a gate/up pair never straddles two row groups).
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#extension GL_EXT_control_flow_attributes : require
#if !defined(THREADS)
#define THREADS 128
#endif
#if !defined(ROWS)
#define ROWS 4
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

#if defined(SWIGLU) && (ROWS % 2) != 0
#error "SWIGLU needs an even ROWS"
#endif

shared vec4 xs[XS_BLOCKS * 9];
shared float red[THREADS * ROWS];  // narrow subgroups: per subgroup, its partial sum of each row
shared float ssum[THREADS];        // NORM: per subgroup, its threads' sum(x^2)

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
  float y_old[ROWS / ROWS_PER_OUTPUT];
  [[unroll]] for (uint o = 0; o < ROWS / ROWS_PER_OUTPUT; ++o) {
    y_old[o] = 0.0;
    if (p.accumulate != 0 && lane == o) {
      y_old[o] = y[p.out_offset + min(row0 / ROWS_PER_OUTPUT + o, p.rows - 1)];
    }
  }

  // Stage x (NORM: times the norm weight, summing x^2 on the way), all loads before any store.
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
      if (i < n4) {
#if defined(NORM)
        sq += dot(v[k], v[k]);
        v[k] *= nw[k];
#endif
#if defined(Q4X_SCALED)
        v[k] *= WideXScale(i & 7);
#endif
        xs[(i >> 3) * 9 + (i & 7)] = v[k];
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
      vec4 xv[8];
      [[unroll]] for (uint i = 0; i < 8; ++i) xv[i] = xs[b * 9 + i];
      [[unroll]] for (uint r = 0; r < ROWS; ++r) s[r] += DotWide(wb[j][r], xv);
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
  const float inv = inversesqrt(ss / float(p.n_in) + p.eps);
  [[unroll]] for (uint r = 0; r < ROWS; ++r) s[r] *= inv;
#endif
  // Lane o writes output o of the row group.
  [[unroll]] for (uint o = 0; o < ROWS / ROWS_PER_OUTPUT; ++o) {
    const uint oi = row0 / ROWS_PER_OUTPUT + o;
    if (lane == o && oi < p.rows) {
#if defined(SWIGLU)
      const float gate = s[2 * o], up = s[2 * o + 1];
      y[p.out_offset + oi] = y_old[o] + gate / (1.0 + exp(-gate)) * up;
#else
      y[p.out_offset + oi] = y_old[o] + s[o];
#endif
    }
  }
}
