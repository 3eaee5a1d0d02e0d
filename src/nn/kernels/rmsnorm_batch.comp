#version 450
// XN[t] = rmsnorm(X[t]) * nw[norm_offset ..], one workgroup per token row of a prefill batch:
// the input of the batched QKV and gate/up products (decode folds this into matvec instead).
layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Xs { float x[]; };      // [T][n]
layout(std430, binding = 1) writeonly buffer Out { float xn[]; };   // [T][n]
layout(std430, binding = 2) readonly buffer NormWeight { float nw[]; };

layout(push_constant) uniform Params {
  uint n;
  uint norm_offset;  // element offset of this layer's norm weight in nw
  float eps;
} p;

shared float red[256];

void main() {
  const uint t = gl_LocalInvocationID.x;
  const uint base = gl_WorkGroupID.x * p.n;
  float s = 0.0;
  for (uint i = t; i < p.n; i += 256) s += x[base + i] * x[base + i];
  red[t] = s;
  barrier();
  for (uint stride = 128; stride > 0; stride >>= 1) {
    if (t < stride) red[t] += red[t + stride];
    barrier();
  }
  const float inv = inversesqrt(red[0] / float(p.n) + p.eps);
  for (uint i = t; i < p.n; i += 256) xn[base + i] = x[base + i] * inv * nw[p.norm_offset + i];
}
