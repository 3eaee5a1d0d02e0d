// y[out_offset + row] (+)= dot(W row, x) for the rows of one weight chunk: the decode-time
// matrix-vector product. One workgroup per row; its threads stride over the row's 32-blocks and
// reduce in shared memory. With `accumulate` the result is added to y (the residual add of
// attn_output and ffn_down, fused).

layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer Weights { uint w[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) buffer Y { float y[]; };

layout(push_constant) uniform Params {
  uint rows;        // rows in this chunk
  uint n_in;        // row length (multiple of 32)
  uint qoff;        // word offset of the quants region (quantized types)
  uint out_offset;  // y index of the chunk's first row
  uint accumulate;  // 1: y += result
} p;

#define qoff p.qoff
#include "weights.glsl"

shared float partial[64];

void main() {
  const uint row = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  if (row >= p.rows) return;  // uniform per workgroup
  const uint nb = p.n_in / 32;
  float s = 0.0;
  for (uint b = gl_LocalInvocationID.x; b < nb; b += 64) s += BlockDot(row * nb + b, b * 32);
  partial[gl_LocalInvocationID.x] = s;
  barrier();
  for (uint stride = 32; stride > 0; stride >>= 1) {
    if (gl_LocalInvocationID.x < stride) {
      partial[gl_LocalInvocationID.x] += partial[gl_LocalInvocationID.x + stride];
    }
    barrier();
  }
  if (gl_LocalInvocationID.x == 0) {
    const uint i = p.out_offset + row;
    y[i] = p.accumulate != 0 ? y[i] + partial[0] : partial[0];
  }
}
