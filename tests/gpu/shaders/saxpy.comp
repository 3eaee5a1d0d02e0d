#version 450
// y = a * x + b, with a, b and n as immediate data (push constants).
layout(local_size_x = 64) in;
layout(push_constant) uniform Params { float a; float b; uint n; } p;
layout(std430, set = 0, binding = 0) readonly buffer X { float v[]; } x;
layout(std430, set = 0, binding = 1) buffer Y { float v[]; } y;
void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i < p.n) y.v[i] = p.a * x.v[i] + p.b;
}
