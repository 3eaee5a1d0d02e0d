// y[out_offset + row] (+)= dot(W row, x) for quantized weights on GPUs with subgroups: the
// wide kernels' product (matvec_wide.glsl: same parameters, bindings, variants NORM, SWIGLU
// and accumulate, same row groups of 32 lanes computing two weight rows from blocks lane
// and lane + 32 of each 64-block step, x staged in padded shared tiles) reordered so that a
// dispatch waits for memory about once:
//
// - A thread issues its first weight loads before it stages x, and the next step's (or next row
//   pair's) before it computes this one; it never loads weights it will not use.
// - The tile is staged with all of a thread's x (and norm weight) loads issued before any store.
// - The outputs' previous y (accumulate) are read at the start, not waited for at the end.
// - Dot products are summed by subgroup shuffles only, with no barrier, where subgroups have at
//   least 32 lanes; NORM's sum(x^2) meets through shared memory under the staging barrier.
//   Narrower subgroups (lavapipe: 8) finish the sums through shared memory.
// - Q4_0 (Q4_SCALED_X): x is staged pre-scaled so that nibbles need no shifts (weights.glsl).
//
// LlamaGpu uses it for quantized matrices large enough for several row pairs per row group (the
// classifier): x is then staged once for them all. For smaller matrices it measured no faster
// than matvec_wide on the H100, whose fixed cost per dispatch dominates there.
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#define THREADS 128
#define LANES 32
#define GROUPS (THREADS / LANES)
#define CHUNK (2 * LANES)
#define XS_BLOCKS CHUNK
#define STAGE_LOADS (XS_BLOCKS * 8 / THREADS)  // vec4 per thread per tile
layout(local_size_x = THREADS) in;

#include "matvec_wide_io.glsl"

shared vec4 xs[XS_BLOCKS * 9];
shared vec3 red[THREADS];     // narrow subgroups: per subgroup (row 0, row 1, 0)
shared float ssum[THREADS];   // NORM: per subgroup, its threads' sum(x^2)

struct Step { WideBlock a0, a1, c0, c1; };

// Blocks cb + lane and cb + lane + LANES of rows r0 and r1 (clamped to the row: a block past
// its end is loaded from a valid address and not used).
Step LoadStep(uint r0, uint r1, uint nb, uint cb, uint lane) {
  const uint b0 = min(cb + lane, nb - 1), b1 = min(cb + lane + LANES, nb - 1);
  Step s;
  s.a0 = LoadWide(r0 * nb + b0);
  s.a1 = LoadWide(r1 * nb + b0);
  s.c0 = LoadWide(r0 * nb + b1);
  s.c1 = LoadWide(r1 * nb + b1);
  return s;
}

// The previous y of the outputs of row pair `pair` (accumulate), clamped to valid indices.
vec2 OldY(uint pair) {
#if defined(SWIGLU)
  return vec2(y[p.out_offset + min(pair, p.rows - 1)], 0.0);
#else
  return vec2(y[p.out_offset + min(2 * pair, p.rows - 1)],
              y[p.out_offset + min(2 * pair + 1, p.rows - 1)]);
#endif
}

void main() {
  const uint t = gl_SubgroupID * gl_SubgroupSize + gl_SubgroupInvocationID;
  const uint lane = t % LANES, g = t / LANES;
  const uint wg = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  const uint wrows = p.rows * ROWS_PER_OUTPUT;
  const uint nb = p.n_in / 32;
  const uint steps = (nb + CHUNK - 1) / CHUNK;  // per row pair; a step's blocks are one tile
  const bool narrow = gl_SubgroupSize < LANES;  // uniform
  uint pair = wg * p.pairs * GROUPS + g;
  Step cur = LoadStep(min(2 * pair, wrows - 1), min(2 * pair + 1, wrows - 1), nb, 0, lane);
  vec2 y_old = vec2(0.0);
  if (p.accumulate != 0 && lane == 0) y_old = OldY(pair);
  float sq = 0.0;  // NORM: this thread's share of sum(x^2)
  float ss = 0.0;  // NORM: sum(x^2) of the whole row
  for (uint k = 0; k < p.pairs; ++k, pair += GROUPS) {
    vec3 s = vec3(0.0);
    for (uint c = 0; c < steps; ++c) {
      // The next step's weights (the next pair's first after the last), if this thread has one.
      const bool last = c + 1 == steps;
      Step nxt = cur;
      if (!last || k + 1 < p.pairs) {
        const uint np = last ? pair + GROUPS : pair;
        nxt = LoadStep(min(2 * np, wrows - 1), min(2 * np + 1, wrows - 1), nb,
                       last ? 0 : (c + 1) * CHUNK, lane);
      }
      const uint cb = c * CHUNK;
      if (k == 0 || steps > 1) {  // stage the tile (once when it is the whole row)
        if (k + c != 0) barrier();  // everyone is done reading the previous tile
        const uint n4 = min(uint(XS_BLOCKS), nb - cb) * 8;
        vec4 v[STAGE_LOADS];
        for (uint j = 0; j < STAGE_LOADS; ++j) {
          const uint i = min(t + j * THREADS, n4 - 1);
          v[j] = x4[cb * 8 + i];
        }
#if defined(NORM)
        vec4 nw[STAGE_LOADS];
        for (uint j = 0; j < STAGE_LOADS; ++j) {
          nw[j] = nw4[p.norm_offset / 4 + cb * 8 + min(t + j * THREADS, n4 - 1)];
        }
#endif
        for (uint j = 0; j < STAGE_LOADS; ++j) {
          const uint i = t + j * THREADS;
          if (i < n4) {
#if defined(NORM)
            if (k == 0) sq += dot(v[j], v[j]);
            v[j] *= nw[j];
#endif
#if defined(Q4X_SCALED)
            v[j] *= WideXScale(i & 7);
#endif
            xs[(i >> 3) * 9 + (i & 7)] = v[j];
          }
        }
#if defined(NORM)
        if (k == 0 && last) {  // the row's last tile: every thread's share is in sq
          const float part = subgroupAdd(sq);
          if (subgroupElect()) ssum[gl_SubgroupID] = part;
        }
#endif
        barrier();
#if defined(NORM)
        if (k == 0 && last) {
          for (uint i = 0; i < gl_NumSubgroups; ++i) ss += ssum[i];
        }
#endif
      }
      // Blocks lane and lane + 32 of the step; either may be past the row's end.
      const uint x0 = lane, x1 = lane + LANES;
      if (cb + x0 < nb) {
        vec4 xv[8];
        for (uint i = 0; i < 8; ++i) xv[i] = xs[x0 * 9 + i];
        s.x += DotWide(cur.a0, xv);
        s.y += DotWide(cur.a1, xv);
        if (cb + x1 < nb) {
          for (uint i = 0; i < 8; ++i) xv[i] = xs[x1 * 9 + i];
          s.x += DotWide(cur.c0, xv);
          s.y += DotWide(cur.c1, xv);
        }
      }
      cur = nxt;
    }
    for (uint o = LANES / 2; o > 0; o >>= 1) {
      if (o < gl_SubgroupSize) s += subgroupShuffleXor(s, o);
    }
    if (narrow) {  // sum the row group's subgroups through shared memory
      const uint per = gl_SubgroupSize;
      if (t % per == 0) red[t / per] = s;
      barrier();
      s = vec3(0.0);
      for (uint i = 0; i < LANES / per; ++i) s += red[g * (LANES / per) + i];
      barrier();  // red[] is read before the next pair writes it
    }
#if defined(NORM)
    s.xy *= inversesqrt(ss / float(p.n_in) + p.eps);
#endif
    if (lane == 0) {
#if defined(SWIGLU)
      if (pair < p.rows) y[p.out_offset + pair] = y_old.x + s.x / (1.0 + exp(-s.x)) * s.y;
#else
      if (2 * pair < p.rows) y[p.out_offset + 2 * pair] = y_old.x + s.x;
      if (2 * pair + 1 < p.rows) y[p.out_offset + 2 * pair + 1] = y_old.y + s.y;
#endif
      if (p.accumulate != 0 && k + 1 < p.pairs) y_old = OldY(pair + GROUPS);
    }
  }
}
