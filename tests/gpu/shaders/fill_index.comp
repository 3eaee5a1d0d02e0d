#version 450
// One invocation per workgroup; workgroup (x, y, z) writes its flattened index + 1, so a
// dispatch of (X, Y, Z) sets exactly the first X*Y*Z words and nothing else.
layout(local_size_x = 1) in;
layout(std430, set = 0, binding = 0) buffer Out { uint v[]; } o;
void main() {
  uvec3 n = gl_NumWorkGroups;
  uvec3 id = gl_WorkGroupID;
  uint i = id.x + n.x * (id.y + n.y * id.z);
  o.v[i] = i + 1u;
}
