// y[out_offset + row] (+)= dot(W row, x), the decode-time matrix-vector product for GPUs (the
// kPortable variant, matvec.glsl, is tuned for lavapipe). Same parameters, bindings and variants
// (NORM, SWIGLU, accumulate) as matvec.glsl; what differs is how it reaches memory bandwidth:
//
// - A row group of 32 threads (one NVIDIA subgroup) computes two weight rows: its lanes take
//   neighbouring 32-blocks, so each 16-byte weight load of a subgroup reads 512 contiguous bytes
//   (Q4_0), and every x value read from shared memory serves both rows.
// - x goes through shared memory in tiles of 64 blocks (2 per lane), padded to 9 vec4 per block so
//   that lanes reading the same offset of neighbouring blocks hit different banks; a lane issues
//   the loads of both its blocks of both rows before it uses them.
// - With USE_SUBGROUPS the lanes' partial sums meet through subgroup shuffles; without, through
//   shared memory. Threads are numbered by subgroup (gl_SubgroupID, gl_SubgroupInvocationID) so
//   that a row group's lanes are consecutive invocations of one subgroup whatever the mapping.
//
// - A workgroup takes `pairs` row pairs per row group (GROUPS * pairs pairs): when x fits one
//   tile, it is loaded (and, NORM, its squares summed) once for all of them, so large matrices
//   read x from L2 fewer times (a workgroup loads x, and the norm weight, whole: 16 KB for
//   n_in = 2048, more than the 9 KB of Q4_0 weights of 8 rows).
//
// - Q4_0 kernels define Q4_SCALED_X: x is staged pre-scaled by powers of two so that nibbles need
//   no shifts (weights.glsl); the products are bit-identical.
//
// Rows per workgroup: 2 * GROUPS * pairs weight rows (plain, NORM: as many outputs; SWIGLU: half).
#if defined(USE_SUBGROUPS)
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#endif
#define THREADS 128
#define LANES 32
#define GROUPS (THREADS / LANES)
#define XT_BLOCKS (2 * LANES)
layout(local_size_x = THREADS) in;

#include "matvec_wide_io.glsl"

shared vec4 xs[XT_BLOCKS * 9];
shared vec3 red[THREADS];  // per thread or subgroup: (dot of row 0, of row 1, sum of x^2)

void main() {
#if defined(USE_SUBGROUPS)
  const uint t = gl_SubgroupID * gl_SubgroupSize + gl_SubgroupInvocationID;
  const uint per = min(gl_SubgroupSize, uint(LANES));  // threads summed by the shuffles
#else
  const uint t = gl_LocalInvocationID.x;
  const uint per = 1;
#endif
  const uint lane = t % LANES, g = t / LANES;
  const uint wg = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  const uint wrows = p.rows * ROWS_PER_OUTPUT;
  const uint nb = p.n_in / 32;
  // x stays in shared memory across the row pairs when one tile holds all of it.
  const bool one_tile = nb <= XT_BLOCKS;
  float ss = 0.0;  // NORM: sum(x^2) over the whole row, found with the first pair
  for (uint k = 0; k < p.pairs; ++k) {
    // Row pair `pair` = weight rows 2 pair and 2 pair + 1, clamped: a pair past the end still
    // loads (harmlessly, a valid row) and takes part in the barriers; it writes nothing.
    const uint pair = (wg * p.pairs + k) * GROUPS + g;
    const uint r0 = min(2 * pair, wrows - 1), r1 = min(2 * pair + 1, wrows - 1);
    vec3 s = vec3(0.0);
    for (uint tb = 0; tb < nb; tb += XT_BLOCKS) {
      const uint tile_blocks = min(XT_BLOCKS, nb - tb);
      if (k == 0 || !one_tile) {
        if (tb != 0 || k != 0) barrier();  // everyone is done reading the previous tile
        for (uint i = t; i < tile_blocks * 8; i += THREADS) {
          vec4 v = x4[tb * 8 + i];
#if defined(NORM)
          s.z += dot(v, v);
          v *= nw4[p.norm_offset / 4 + tb * 8 + i];
#endif
#if defined(Q4X_SCALED)
          v *= WideXScale(i & 7);  // Q4_SCALED_X (weights.glsl)
#endif
          xs[(i >> 3) * 9 + (i & 7)] = v;
        }
        barrier();
      }
      // Blocks lane and lane + 32 of the tile; the second may not exist (then the first is
      // loaded twice and the copy ignored).
      const uint b0 = lane, b1 = lane + LANES < tile_blocks ? lane + LANES : lane;
      if (b0 < tile_blocks) {
        const WideBlock a0 = LoadWide(r0 * nb + tb + b0), a1 = LoadWide(r1 * nb + tb + b0);
        const WideBlock c0 = LoadWide(r0 * nb + tb + b1), c1 = LoadWide(r1 * nb + tb + b1);
        vec4 xv[8];
        for (uint i = 0; i < 8; ++i) xv[i] = xs[b0 * 9 + i];
        s.x += DotWide(a0, xv);
        s.y += DotWide(a1, xv);
        if (b1 != b0) {
          for (uint i = 0; i < 8; ++i) xv[i] = xs[b1 * 9 + i];
          s.x += DotWide(c0, xv);
          s.y += DotWide(c1, xv);
        }
      }
    }
#if defined(USE_SUBGROUPS)
    for (uint o = LANES / 2; o > 0; o >>= 1) {
      if (o < gl_SubgroupSize) s += subgroupShuffleXor(s, o);
    }
#endif
    if (t % per == 0) red[t / per] = s;
    barrier();
    if (lane == 0) {
      const uint parts = LANES / per;
      vec3 r = vec3(0.0);
      for (uint i = 0; i < parts; ++i) r += red[g * parts + i];
#if defined(NORM)
      // sum(x^2) over the whole workgroup: every part holds its threads' share of the loads.
      if (k == 0) {
        for (uint i = 0; i < THREADS / per; ++i) ss += red[i].z;
      }
      r.xy *= inversesqrt(ss / float(p.n_in) + p.eps);
#endif
#if defined(SWIGLU)
      if (pair < p.rows) {
        const float result = r.x / (1.0 + exp(-r.x)) * r.y;
        const uint i = p.out_offset + pair;
        y[i] = p.accumulate != 0 ? y[i] + result : result;
      }
#else
      for (uint j = 0; j < 2; ++j) {
        const uint row = 2 * pair + j;
        if (row < p.rows) {
          const float result = j == 0 ? r.x : r.y;
          const uint i = p.out_offset + row;
          y[i] = p.accumulate != 0 ? y[i] + result : result;
        }
      }
#endif
    }
    barrier();  // red[] is read before the next pair writes it
  }
}
