// x[i] = W[row][i]: the embedding lookup of one token (its row in this chunk of token_embd).
// With TOKEN_BUFFER the token id comes from a buffer, so a decode step can be recorded before
// its token is known; every chunk's dispatch runs and only the chunk holding the row writes.
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer Weights { uint w[]; };
layout(std430, binding = 1) buffer Out { float out_x[]; };
#if defined(TOKEN_BUFFER)
layout(std430, binding = 2) readonly buffer Token { uint token[]; };  // token[0]: the id
#endif

layout(push_constant) uniform Params {
  uint row;   // the token's row within this chunk; TOKEN_BUFFER: the chunk's first row
  uint n;     // embedding length (multiple of 32)
  uint qoff;
#if defined(TOKEN_BUFFER)
  uint rows;  // rows in this chunk
#endif
} p;

#define qoff p.qoff
#define WEIGHTS_NO_DOT
#include "weights.glsl"

void main() {
  const uint i = gl_GlobalInvocationID.x;
  if (i >= p.n) return;
  const uint nb = p.n / 32;
#if defined(TOKEN_BUFFER)
  const uint row = token[0] - p.row;  // wraps past rows for tokens before the chunk
  if (row >= p.rows) return;
#else
  const uint row = p.row;
#endif
  out_x[i] = BlockWeight(row * nb + i / 32, i % 32);
}
