#version 450
// y = a * x + b over n floats in a grid-stride loop, so a bounded number of workgroups covers
// any n (16 Mi floats would need more than maxComputeWorkgroupsPerDimension groups of 256).
// Scalar on purpose: consecutive invocations touch consecutive floats, which suits GPUs and is
// also faster on lavapipe than vec4 loads (measured: about 2x at 4 Mi floats).
layout(local_size_x = 256) in;
layout(push_constant) uniform Params { float a; float b; uint n; } p;
layout(std430, set = 0, binding = 0) readonly buffer X { float v[]; } x;
layout(std430, set = 0, binding = 1) writeonly buffer Y { float v[]; } y;
void main() {
  uint stride = gl_NumWorkGroups.x * 256u;
  for (uint i = gl_GlobalInvocationID.x; i < p.n; i += stride) y.v[i] = p.a * x.v[i] + p.b;
}
