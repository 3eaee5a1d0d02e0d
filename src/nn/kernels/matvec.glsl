// y[out_offset + row] (+)= dot(W row, x) over the rows of one weight chunk: the decode-time
// matrix-vector product. A workgroup computes 4 output rows with 16 threads each; a row's
// threads stride over its 32-blocks (neighbouring threads read neighbouring blocks, so a row is
// read contiguously) and reduce in shared memory. Several rows per workgroup keep short rows
// (n_in = 256 is 8 blocks) from idling most of a workgroup, and quarter the workgroup count,
// which is what costs most on lavapipe.
//
// Variants (defines):
//   NORM    x is first RMS-normalized with weight nw[norm_offset..]: the norm is folded in, so the
//           layer's rmsnorm costs no dispatch (every workgroup recomputes sum(x^2) while it reads x).
//   SWIGLU  (with NORM) the chunk interleaves gate and up rows; output row r = silu(dot(gate r))
//           * dot(up r) from weight rows 2r and 2r + 1: the whole FFN input side in one dispatch.
// With `accumulate` the result is added to y (the residual adds of attn_output and ffn_down).
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer Weights { uint w[]; };
layout(std430, binding = 1) readonly buffer Xs { float x[]; };
layout(std430, binding = 2) buffer Y { float y[]; };
#if defined(NORM)
layout(std430, binding = 3) readonly buffer NormWeight { float nw[]; };
#endif

layout(push_constant) uniform Params {
  uint rows;         // output rows in this chunk
  uint n_in;         // row length (multiple of 32)
  uint qoff;         // word offset of the quants region (quantized types)
  uint out_offset;   // y index of the chunk's first output row
  uint accumulate;   // 1: y += result
  uint norm_offset;  // NORM: element offset of the norm weight in nw
  float eps;         // NORM: RMSNorm epsilon
} p;

#define qoff p.qoff
#if defined(NORM)
#define X(i) (x[i] * nw[p.norm_offset + (i)])
#endif
#include "weights.glsl"

#if defined(SWIGLU)
#define ROWS_PER_OUTPUT 2
#else
#define ROWS_PER_OUTPUT 1
#endif

#define LANES 16  // threads per output row; 64 / LANES rows per workgroup

shared vec3 partial[64];  // per thread: (dot of weight row 0, of weight row 1, sum of x^2)

void main() {
  const uint t = gl_LocalInvocationID.x;
  const uint lane = t % LANES;
  const uint row = (gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x) * (64 / LANES) +
                   t / LANES;
  // Rows past the end still take part in the barriers below; they just compute nothing.
  const bool valid = row < p.rows;
  const uint nb = valid ? p.n_in / 32 : 0;
  const uint wrow = row * ROWS_PER_OUTPUT;
  vec3 s = vec3(0.0);
  for (uint b = lane; b < nb; b += LANES) {
    s.x += BlockDot(wrow * nb + b, b * 32);
#if defined(SWIGLU)
    s.y += BlockDot((wrow + 1) * nb + b, b * 32);
#endif
#if defined(NORM)
    for (uint j = 0; j < 32; ++j) s.z += x[b * 32 + j] * x[b * 32 + j];
#endif
  }
  partial[t] = s;
  barrier();
  for (uint stride = LANES / 2; stride > 0; stride >>= 1) {
    if (lane < stride) partial[t] += partial[t + stride];
    barrier();
  }
  if (lane == 0 && valid) {
    vec3 r = partial[t];
#if defined(NORM)
    r.xy *= inversesqrt(r.z / float(p.n_in) + p.eps);
#endif
#if defined(SWIGLU)
    const float result = r.x / (1.0 + exp(-r.x)) * r.y;
#else
    const float result = r.x;
#endif
    const uint i = p.out_offset + row;
    y[i] = p.accumulate != 0 ? y[i] + result : result;
  }
}
