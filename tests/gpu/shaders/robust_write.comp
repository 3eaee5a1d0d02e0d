#version 450
// data[indices[i]] = 0xC0FFEE00 + i for every index of the list, in-bounds or not.
layout(local_size_x = 16) in;
layout(std430, set = 0, binding = 0) readonly buffer Indices { int v[]; } indices;
layout(std430, set = 0, binding = 1) buffer Data { uint v[]; } data;
void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i < indices.v.length()) data.v[indices.v[i]] = 0xC0FFEE00u + i;
}
