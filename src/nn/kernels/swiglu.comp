#version 450
// gate[i] = silu(gate[i]) * up[i]: the SwiGLU of the FFN, in place.
layout(local_size_x = 256) in;

layout(std430, binding = 0) buffer Gate { float gate[]; };
layout(std430, binding = 1) readonly buffer Up { float up[]; };

layout(push_constant) uniform Params { uint n; } p;

void main() {
  const uint i = gl_GlobalInvocationID.x;
  if (i >= p.n) return;
  const float g = gate[i];
  gate[i] = g / (1.0 + exp(-g)) * up[i];
}
