// The bindings, push constants and weight access shared by matvec_wide.glsl and
// matvec_pipe.glsl (the same layout, so LlamaGpu records both with one parameter struct):
// binding 0 the weight chunk as uvec4, 1 x as vec4, 2 y, 3 (NORM) the norm weights as vec4.
layout(std430, binding = 0) readonly buffer Weights { uvec4 w4[]; };
layout(std430, binding = 1) readonly buffer Xs { vec4 x4[]; };
layout(std430, binding = 2) buffer Y { float y[]; };
#if defined(NORM)
layout(std430, binding = 3) readonly buffer NormWeight { vec4 nw4[]; };
#endif

layout(push_constant) uniform Params {
  uint rows;         // output rows in this chunk
  uint n_in;         // row length (multiple of 32)
  uint qoff;         // word offset of the quants region (quantized types; a multiple of 4)
  uint out_offset;   // y index of the chunk's first output row
  uint accumulate;   // 1: y += result
  uint norm_offset;  // NORM: element offset of the norm weight in nw (a multiple of 4)
  float eps;         // NORM: RMSNorm epsilon
  uint pairs;        // row pairs per row group (workgroup: GROUPS * pairs), at least 1
} p;

#define qoff p.qoff
#define WEIGHTS_WIDE
#include "weights.glsl"

#if defined(SWIGLU)
#define ROWS_PER_OUTPUT 2
#else
#define ROWS_PER_OUTPUT 1
#endif
