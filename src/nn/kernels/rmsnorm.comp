#version 450
// out = x / sqrt(mean(x^2) + eps) * weight, over one vector; one workgroup.
layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Weight { float weight[]; };
layout(std430, binding = 2) writeonly buffer Out { float out_x[]; };

layout(push_constant) uniform Params {
  uint n;
  float eps;
  uint weight_offset;  // element offset of this layer's norm in `weight`
} p;

shared float partial[256];

void main() {
  const uint t = gl_LocalInvocationID.x;
  float s = 0.0;
  for (uint i = t; i < p.n; i += 256) s += x[i] * x[i];
  partial[t] = s;
  barrier();
  for (uint stride = 128; stride > 0; stride >>= 1) {
    if (t < stride) partial[t] += partial[t + stride];
    barrier();
  }
  const float scale = inversesqrt(partial[0] / float(p.n) + p.eps);
  for (uint i = t; i < p.n; i += 256) out_x[i] = x[i] * scale * weight[p.weight_offset + i];
}
