// Weight access per type, the GPU half of src/nn/tensor_types.cpp. Weights live in `w[]` in the
// layouts src/nn/gpu/weights.cpp uploads them in: F32 and F16 as in GGUF; Q8_0 and Q4_0 split into
// a region of f16 scales (two per word, one per 32-weight block) followed, at word `qoff`, by the
// quants (Q8_0: 8 words of int8 per block; Q4_0: 4 words of nibbles per block, byte j holding
// weight j low and weight j + 16 high, as in ggml). Every row is a whole number of 32-blocks.
//
// Define exactly one of W_F32, W_F16, W_Q8_0, W_Q4_0 before including this file, and declare
// `w` (readonly uint buffer) and `qoff` (uint). BlockDot reads the input vector through X(i),
// `x[i]` unless the includer defines it (matvec.glsl folds the RMSNorm weight in there).
#if !defined(X)
#define X(i) x[i]
#endif
// XE(xb, c): element xb + c of the input vector, for a 32-aligned xb and constant c < 32, so an
// includer that keeps x in a blocked (padded) layout can index it without dividing xb + c.
#if !defined(XE)
#define XE(xb, c) X((xb) + (c))
#endif

#if !defined(WEIGHTS_NO_DOT)
// dot(block `b` of the weights, x[xb .. xb + 32)); needs a float array `x`.
float BlockDot(uint b, uint xb) {
  float s = 0.0;
#if defined(W_F32)
  for (uint j = 0; j < 32; ++j) s += uintBitsToFloat(w[b * 32 + j]) * XE(xb, j);
#elif defined(W_F16)
  for (uint j = 0; j < 16; ++j) {
    vec2 v = unpackHalf2x16(w[b * 16 + j]);
    s += v.x * XE(xb, 2 * j) + v.y * XE(xb, 2 * j + 1);
  }
#elif defined(W_Q8_0)
  const float d = unpackHalf2x16(w[b >> 1])[b & 1];
  for (uint k = 0; k < 8; ++k) {
    const int q = int(w[qoff + b * 8 + k]);
    s += float(bitfieldExtract(q, 0, 8)) * XE(xb, 4 * k) +
         float(bitfieldExtract(q, 8, 8)) * XE(xb, 4 * k + 1) +
         float(bitfieldExtract(q, 16, 8)) * XE(xb, 4 * k + 2) +
         float(bitfieldExtract(q, 24, 8)) * XE(xb, 4 * k + 3);
  }
  s *= d;
#elif defined(W_Q4_0)
  const float d = unpackHalf2x16(w[b >> 1])[b & 1];
  for (uint k = 0; k < 4; ++k) {
    const uint q = w[qoff + b * 4 + k];
    for (uint i = 0; i < 4; ++i) {
      const uint byte = (q >> (8 * i)) & 0xFFu;
      s += float(int(byte & 0xFu) - 8) * XE(xb, 4 * k + i) +
           float(int(byte >> 4) - 8) * XE(xb, 4 * k + i + 16);
    }
  }
  s *= d;
#else
#error "define one of W_F32, W_F16, W_Q8_0, W_Q4_0"
#endif
  return s;
}
#endif

// Weight `j` (0..31) of block `b`, for embedding lookups.
float BlockWeight(uint b, uint j) {
#if defined(W_F32)
  return uintBitsToFloat(w[b * 32 + j]);
#elif defined(W_F16)
  return unpackHalf2x16(w[b * 16 + (j >> 1)])[j & 1];
#elif defined(W_Q8_0)
  const float d = unpackHalf2x16(w[b >> 1])[b & 1];
  return d * float(bitfieldExtract(int(w[qoff + b * 8 + (j >> 2)]), int(8 * (j & 3)), 8));
#elif defined(W_Q4_0)
  const float d = unpackHalf2x16(w[b >> 1])[b & 1];
  const uint k = j & 15;
  const uint byte = (w[qoff + b * 4 + (k >> 2)] >> (8 * (k & 3))) & 0xFFu;
  return d * float(int(j < 16 ? (byte & 0xFu) : (byte >> 4)) - 8);
#endif
}
