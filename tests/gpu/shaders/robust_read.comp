#version 450
// results[i] = data[indices[i]] for every index of the list, in-bounds or not. The indices come
// from a buffer so the compiler cannot prove anything about them.
layout(local_size_x = 16) in;
layout(std430, set = 0, binding = 0) readonly buffer Indices { int v[]; } indices;
layout(std430, set = 0, binding = 1) readonly buffer Data { uint v[]; } data;
layout(std430, set = 0, binding = 2) buffer Results { uint v[]; } results;
void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i < indices.v.length()) results.v[i] = data.v[indices.v[i]];
}
