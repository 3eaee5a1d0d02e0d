// X[t][i] = token_embd[tokens[token_offset + t]][i] for the T tokens of a prefill batch, from one
// chunk of the table: tokens whose row another chunk holds are left to that chunk's dispatch.
// Grid: (n / 64, T).
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer Weights { uint w[]; };
layout(std430, binding = 1) readonly buffer Tokens { uint tokens[]; };
layout(std430, binding = 2) writeonly buffer Out { float out_x[]; };  // [T][n]

layout(push_constant) uniform Params {
  uint n;             // embedding length (multiple of 32)
  uint qoff;
  uint first_row;     // the chunk's first row of the table
  uint rows;          // rows in the chunk
  uint token_offset;  // the batch's first entry in `tokens`
} p;

#define qoff p.qoff
#define WEIGHTS_NO_DOT
#include "weights.glsl"

void main() {
  const uint i = gl_GlobalInvocationID.x;
  const uint t = gl_WorkGroupID.y;
  if (i >= p.n) return;
  const uint token = tokens[p.token_offset + t];
  if (token < p.first_row || token - p.first_row >= p.rows) return;
  const uint nb = p.n / 32;
  out_x[t * p.n + i] = BlockWeight((token - p.first_row) * nb + i / 32, i % 32);
}
