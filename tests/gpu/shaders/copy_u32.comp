#version 450
// dst[i] = src[i] over the destination binding; used to observe which bytes a binding sees.
layout(local_size_x = 64) in;
layout(std430, set = 0, binding = 0) readonly buffer Src { uint v[]; } src;
layout(std430, set = 0, binding = 1) buffer Dst { uint v[]; } dst;
void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i < dst.v.length()) dst.v[i] = src.v[i];
}
