// y[out_offset + row] (+)= dot(W row, x) over the rows of one weight chunk: the decode-time
// matrix-vector product. A workgroup computes 16 output rows with 16 threads each; a row's
// threads stride over its 32-blocks (neighbouring threads read neighbouring blocks, so a row is
// read contiguously) and reduce in shared memory. Several rows per workgroup keep short rows
// (n_in = 256 is 8 blocks) from idling most of a workgroup, and cut the workgroup count, which
// is what costs most on lavapipe.
//
// x goes through shared memory in tiles of XT_BLOCKS 32-blocks: the workgroup loads a tile once
// (norm folded in), then every row reads it from there, instead of one global load of x per
// weight. A tile is stored 9 vec4 per block (one vec4 of padding) so that the 16 lanes of a row,
// which read the same offset of consecutive blocks, hit different banks. The tile (9 KiB) and the
// reduction array keep the kernel inside WebGPU's default 16 KiB of workgroup storage.
//
// Variants (defines):
//   NORM    x is first RMS-normalized with weight nw[norm_offset..]: the norm is folded in, so the
//           layer's rmsnorm costs no dispatch (every workgroup sums x^2 while it loads x; the
//           1/rms scale is applied to the finished dot products, which are linear in x).
//   SWIGLU  (with NORM) the chunk interleaves gate and up rows; output row r = silu(dot(gate r))
//           * dot(up r) from weight rows 2r and 2r + 1: the whole FFN input side in one dispatch.
// With `accumulate` the result is added to y (the residual adds of attn_output and ffn_down).
#define THREADS 256
layout(local_size_x = THREADS) in;

layout(std430, binding = 0) readonly buffer Weights { uint w[]; };
layout(std430, binding = 1) readonly buffer Xs { float x[]; };
layout(std430, binding = 2) buffer Y { float y[]; };
#if defined(NORM)
layout(std430, binding = 3) readonly buffer NormWeight { float nw[]; };
#endif

layout(push_constant) uniform Params {
  uint rows;         // output rows in this chunk
  uint n_in;         // row length (multiple of 32)
  uint qoff;         // word offset of the quants region (quantized types)
  uint out_offset;   // y index of the chunk's first output row
  uint accumulate;   // 1: y += result
  uint norm_offset;  // NORM: element offset of the norm weight in nw
  float eps;         // NORM: RMSNorm epsilon
} p;

#define XT_BLOCKS 64  // 32-blocks of x per shared tile
shared vec4 xs[XT_BLOCKS * 9];
#define qoff p.qoff
// xb is the tile-relative element offset of a block (a multiple of 32).
#define XE(xb, c) xs[((xb) >> 5) * 9 + ((c) >> 2)][(c) & 3]
#include "weights.glsl"

#if defined(SWIGLU)
#define ROWS_PER_OUTPUT 2
#else
#define ROWS_PER_OUTPUT 1
#endif

#define LANES 16  // threads per output row; THREADS / LANES rows per workgroup

shared vec3 partial[THREADS];  // per thread: (dot of weight row 0, of weight row 1, sum of x^2)

void main() {
  const uint t = gl_LocalInvocationID.x;
  const uint lane = t % LANES;
  const uint row = (gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x) * (THREADS / LANES) +
                   t / LANES;
  // Rows past the end still load x and take part in the barriers; they just compute nothing.
  const bool valid = row < p.rows;
  const uint nb = p.n_in / 32;
  const uint wrow = row * ROWS_PER_OUTPUT;
  vec3 s = vec3(0.0);
  for (uint tb = 0; tb < nb; tb += XT_BLOCKS) {
    const uint tile_blocks = min(XT_BLOCKS, nb - tb);
    const uint base = tb * 32;
    if (tb != 0) barrier();  // everyone is done reading the previous tile
    for (uint i = t; i < tile_blocks * 32; i += THREADS) {
      float v = x[base + i];
#if defined(NORM)
      s.z += v * v;
      v *= nw[p.norm_offset + base + i];
#endif
      xs[(i >> 5) * 9 + ((i & 31) >> 2)][i & 3] = v;
    }
    barrier();
    if (valid) {
      for (uint b = lane; b < tile_blocks; b += LANES) {
        s.x += BlockDot(wrow * nb + tb + b, b * 32);
#if defined(SWIGLU)
        s.y += BlockDot((wrow + 1) * nb + tb + b, b * 32);
#endif
      }
    }
  }
  partial[t] = s;
  barrier();
  for (uint stride = LANES / 2; stride > 0; stride >>= 1) {
    if (lane < stride) partial[t] += partial[t + stride];
    barrier();
  }
  // Thread o < 16 stores the workgroup's output row o (row o's sum is in partial[o * LANES]):
  // one contiguous run, so that where y is host memory (the classifier's logits) a few wide
  // writes cross the bus instead of one narrow write per row.
  const uint out_row = row - t / LANES + t;
  if (t < THREADS / LANES && out_row < p.rows) {
    vec3 r = partial[t * LANES];
#if defined(NORM)
    // sum(x^2) over the whole workgroup: every row group's lane 0 holds its 16 threads' share.
    float ss = 0.0;
    for (uint g = 0; g < THREADS; g += LANES) ss += partial[g].z;
    r.xy *= inversesqrt(ss / float(p.n_in) + p.eps);
#endif
#if defined(SWIGLU)
    const float result = r.x / (1.0 + exp(-r.x)) * r.y;
#else
    const float result = r.x;
#endif
    const uint i = p.out_offset + out_row;
    y[i] = p.accumulate != 0 ? y[i] + result : result;
  }
}
