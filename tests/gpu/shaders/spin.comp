#version 450
// Keeps the queue busy for a while (`iterations` steps of an LCG in every invocation), then each
// invocation writes its result, so a test can act while GPU work that uses the buffer is still
// in flight. Width rather than length: llvmpipe stops a loop after 65535 iterations.
layout(local_size_x = 64) in;
layout(push_constant) uniform Params { uint iterations; } p;
layout(std430, set = 0, binding = 0) buffer Out { uint v[]; } o;
void main() {
  uint acc = 1u;
  for (uint k = 0u; k < p.iterations; ++k) acc = acc * 1664525u + 1013904223u;
  o.v[gl_GlobalInvocationID.x] = acc;
}
