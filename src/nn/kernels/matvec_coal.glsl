// y[out_offset + row] (+)= dot(W row, x): a second GPU variant of the decode matrix-vector
// product (GpuContext::MatVecPath::kCoalesced), same parameters, bindings and variants (NORM,
// SWIGLU, accumulate) as matvec.glsl and matvec_wide.glsl. No shared-memory staging of x and no
// barrier before the weight loads:
//
// - A row group of 32 threads computes two weight rows. Four neighbouring lanes share a 32-block
//   (a lane takes 8 of its weights, weights.glsl's Quarter), so a subgroup's weight loads and its
//   loads of x (straight from the buffer, cached) are contiguous: 8 blocks per step.
// - A lane first issues the weight loads of 8 steps (64 blocks) of both rows, then reads x and
//   computes: many loads in flight per thread, which is what reaches memory bandwidth.
// - NORM: each lane sums the squares of the x values it reads; a row group reads x once, so its
//   reduction gives the whole sum of squares without any workgroup-wide step.
// - The partial sums meet through subgroup shuffles (USE_SUBGROUPS) or shared memory.
#extension GL_EXT_control_flow_attributes : require
#if defined(USE_SUBGROUPS)
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#endif
#define THREADS 128
#define LANES 32
#define GROUPS (THREADS / LANES)
#define STEPS 8   // steps of 8 blocks whose weights are loaded before use
layout(local_size_x = THREADS) in;

layout(std430, binding = 0) readonly buffer Weights { uvec4 w4[]; };
layout(std430, binding = 1) readonly buffer Xs { vec4 x4[]; };
layout(std430, binding = 2) buffer Y { float y[]; };
#if defined(NORM)
layout(std430, binding = 3) readonly buffer NormWeight { vec4 nw4[]; };
#endif

layout(push_constant) uniform Params {
  uint rows;         // output rows in this chunk
  uint n_in;         // row length (multiple of 32)
  uint qoff;         // word offset of the quants region (quantized types; a multiple of 4)
  uint out_offset;   // y index of the chunk's first output row
  uint accumulate;   // 1: y += result
  uint norm_offset;  // NORM: element offset of the norm weight in nw (a multiple of 4)
  float eps;         // NORM: RMSNorm epsilon
} p;

#define qoff p.qoff
#define WEIGHTS_WIDE
#include "weights.glsl"

#if defined(SWIGLU)
#define ROWS_PER_OUTPUT 2
#else
#define ROWS_PER_OUTPUT 1
#endif

shared vec3 red[THREADS];

void main() {
#if defined(USE_SUBGROUPS)
  const uint t = gl_SubgroupID * gl_SubgroupSize + gl_SubgroupInvocationID;
#else
  const uint t = gl_LocalInvocationID.x;
#endif
  const uint lane = t % LANES;
  const uint q = lane & 3u, bl = lane >> 2;  // quarter and block of this lane within a step
  const uint group = (gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x) * GROUPS +
                     t / LANES;
  // Weight rows 2 group and 2 group + 1, clamped: a group past the end loads a valid row and
  // writes nothing.
  const uint wrows = p.rows * ROWS_PER_OUTPUT;
  const uint r0 = min(2 * group, wrows - 1), r1 = min(2 * group + 1, wrows - 1);
  const uint nb = p.n_in / 32;
  vec3 s = vec3(0.0);
  for (uint tb = 0; tb < nb; tb += 8 * STEPS) {
    Quarter a[STEPS], c[STEPS];
    [[unroll]] for (uint st = 0; st < STEPS; ++st) {
      const uint b = min(tb + st * 8 + bl, nb - 1);  // past the row: a repeat, ignored below
      a[st] = LoadQuarter(r0 * nb + b, q);
      c[st] = LoadQuarter(r1 * nb + b, q);
    }
    [[unroll]] for (uint st = 0; st < STEPS; ++st) {
      const uint b = tb + st * 8 + bl;
      if (b < nb) {
        const uint e0 = b * 32 + QuarterX(q, 0), e1 = b * 32 + QuarterX(q, 1);
        vec4 xa = x4[e0 >> 2], xb = x4[e1 >> 2];
#if defined(NORM)
        s.z += dot(xa, xa) + dot(xb, xb);
        xa *= nw4[(p.norm_offset + e0) >> 2];
        xb *= nw4[(p.norm_offset + e1) >> 2];
#endif
        s.x += DotQuarter(a[st], xa, xb);
        s.y += DotQuarter(c[st], xa, xb);
      }
    }
  }
#if defined(USE_SUBGROUPS)
  for (uint o = LANES / 2; o > 0; o >>= 1) {
    if (o < gl_SubgroupSize) s += subgroupShuffleXor(s, o);
  }
  const uint per = min(gl_SubgroupSize, uint(LANES));  // threads already summed together
#else
  const uint per = 1;
#endif
  if (t % per == 0) red[t / per] = s;
  barrier();
  if (lane != 0) return;
  const uint parts = LANES / per;
  vec3 r = vec3(0.0);
  for (uint i = 0; i < parts; ++i) r += red[(t / LANES) * parts + i];
#if defined(NORM)
  r.xy *= inversesqrt(r.z / float(p.n_in) + p.eps);
#endif
#if defined(SWIGLU)
  if (group < p.rows) {
    const float result = r.x / (1.0 + exp(-r.x)) * r.y;
    const uint i = p.out_offset + group;
    y[i] = p.accumulate != 0 ? y[i] + result : result;
  }
#else
  for (uint k = 0; k < 2; ++k) {
    const uint row = 2 * group + k;
    if (row < p.rows) {
      const float result = k == 0 ? r.x : r.y;
      const uint i = p.out_offset + row;
      y[i] = p.accumulate != 0 ? y[i] + result : result;
    }
  }
#endif
}
