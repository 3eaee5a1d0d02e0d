// x[i] = W[row][i]: the embedding lookup of one token (its row in this chunk of token_embd).
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer Weights { uint w[]; };
layout(std430, binding = 1) buffer Out { float out_x[]; };

layout(push_constant) uniform Params {
  uint row;   // the token's row within this chunk
  uint n;     // embedding length (multiple of 32)
  uint qoff;
} p;

#define qoff p.qoff
#define WEIGHTS_NO_DOT
#include "weights.glsl"

void main() {
  const uint i = gl_GlobalInvocationID.x;
  if (i >= p.n) return;
  const uint nb = p.n / 32;
  out_x[i] = BlockWeight(p.row * nb + i / 32, i % 32);
}
