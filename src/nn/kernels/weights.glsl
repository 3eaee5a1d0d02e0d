// Weight access per type, the GPU half of src/nn/tensor_types.cpp. Weights live in `w[]` in the
// layouts src/nn/gpu/weight_layout.cpp uploads them in: F32 and F16 as in GGUF; Q8_0 and Q4_0
// split into a region of f16 scales (two per word, one per 32-weight block), padded to a multiple
// of 4 words, followed, at word `qoff` (a multiple of 4, so a block's quants can be read with
// 16-byte loads), by the quants (Q8_0: 8 words of int8 per block; Q4_0: 4 words of nibbles per
// block, byte j holding weight j low and weight j + 16 high, as in ggml). Every row is a whole
// number of 32-blocks. This file is the only kernel code that knows the layout.
//
// Define exactly one of W_F32, W_F16, W_Q8_0, W_Q4_0 before including this file, and declare
// `qoff` (uint) and either `w` (readonly uint buffer: BlockDot, BlockWeight) or, with
// WEIGHTS_WIDE, `w4` (readonly uvec4 buffer over the same words: WideBlock, LoadWide, DotWide).
// BlockDot reads the input vector through X(i), `x[i]` unless the includer defines it.
#if defined(WEIGHTS_WIDE)
// One 32-weight block as 16-byte loads, and its dot product with 32 inputs held as 8 vec4.
// Small integers become floats through the exponent trick (2^23 + n has the bits 0x4B000000 | n),
// integer logic and one float subtraction, instead of int-to-float conversions, which run at a
// quarter of the FMA rate on NVIDIA GPUs.
#if defined(W_F32)
struct WideBlock { uvec4 v[8]; };
#elif defined(W_F16)
struct WideBlock { uvec4 v[4]; };
#elif defined(W_Q8_0)
struct WideBlock { uvec4 v0, v1; float d; };
#elif defined(W_Q4_0)
struct WideBlock { uvec4 v; float d; };
#else
#error "define one of W_F32, W_F16, W_Q8_0, W_Q4_0"
#endif

#if defined(W_Q8_0) || defined(W_Q4_0)
// The f16 scale of block b: half b & 1 of word b >> 1 of the scales region (at word 0).
float WideScale(uint b) { return unpackHalf2x16(w4[b >> 3][(b >> 1) & 3u])[b & 1u]; }
#endif

WideBlock LoadWide(uint b) {
  WideBlock k;
#if defined(W_F32)
  for (uint i = 0; i < 8; ++i) k.v[i] = w4[b * 8 + i];
#elif defined(W_F16)
  for (uint i = 0; i < 4; ++i) k.v[i] = w4[b * 4 + i];
#elif defined(W_Q8_0)
  k.v0 = w4[(qoff >> 2) + b * 2];
  k.v1 = w4[(qoff >> 2) + b * 2 + 1];
  k.d = WideScale(b);
#else
  k.v = w4[(qoff >> 2) + b];
  k.d = WideScale(b);
#endif
  return k;
}

#if defined(W_Q8_0)
// The 4 int8 of word q (weights 4m .. 4m + 3) as floats: flipping the sign bit of each byte gives
// it biased by 128.
vec4 WideQ8(uint q) {
  return uintBitsToFloat(((uvec4(q) >> uvec4(0, 8, 16, 24)) & 0xFFu) ^ 0x4B000080u) - 8388736.0;
}
#elif defined(W_Q4_0)
// Low (weights 4m .. 4m + 3) or high (4m + 16 ..) nibbles of word m, minus 8, as floats.
vec4 WideQ4(uint q, uint shift) {
  return uintBitsToFloat(((uvec4(q) >> (uvec4(0, 8, 16, 24) + shift)) & 0xFu) | 0x4B000000u) -
         8388616.0;
}
#endif

#if defined(W_Q4_0) && defined(Q4_SCALED_X)
// Q4_0 with fewer integer operations (Q4_SCALED_X): a nibble is masked where it lies, without a
// shift, into the mantissa of 2^23 (the exponent trick), giving 2^23 + n 2^s for its bit offset s;
// x was scaled by 2^-s when staged (WideXScale), so the product is (n - 8) x exactly as with the
// shifted nibble (power-of-two scalings are exact). Nibbles at bits 20 and up, which would reach
// the exponent, come from the word shifted by 12. Per quant word (8 weights): 1 shift and 8
// and-or operations instead of 8 shifts and 8 and-or.
// Bit offsets: low nibbles (inputs 4m .. 4m + 3) 0, 8, 16, 12 (the last after the shift);
// high (inputs 16 + 4m ..) 4, 12 (direct), 8, 16 (after the shift).
#define Q4X_SCALED
const vec4 kQ4XLow = vec4(1.0, 1.0 / 256.0, 1.0 / 65536.0, 1.0 / 4096.0);
const vec4 kQ4XHigh = vec4(1.0 / 16.0, 1.0 / 4096.0, 1.0 / 256.0, 1.0 / 65536.0);
// The factor of inputs 4k .. 4k + 3 of a block (k = 0..7), applied where x is staged.
vec4 WideXScale(uint k) { return k < 4 ? kQ4XLow : kQ4XHigh; }
#endif

// xv[k] = the block's inputs 4k .. 4k + 3 (with Q4X_SCALED, times WideXScale(k)).
float DotWide(WideBlock k, vec4 xv[8]) {
  vec4 s = vec4(0.0);
#if defined(W_F32)
  for (uint i = 0; i < 8; ++i) s += uintBitsToFloat(k.v[i]) * xv[i];
#elif defined(W_F16)
  for (uint i = 0; i < 4; ++i) {
    s += vec4(unpackHalf2x16(k.v[i].x), unpackHalf2x16(k.v[i].y)) * xv[2 * i];
    s += vec4(unpackHalf2x16(k.v[i].z), unpackHalf2x16(k.v[i].w)) * xv[2 * i + 1];
  }
#elif defined(W_Q8_0)
  for (uint i = 0; i < 4; ++i) {
    s += WideQ8(k.v0[i]) * xv[i];
    s += WideQ8(k.v1[i]) * xv[i + 4];
  }
  s *= k.d;
#elif defined(Q4X_SCALED)
  const vec4 lo_bias = 8388608.0 + 8.0 / kQ4XLow, hi_bias = 8388608.0 + 8.0 / kQ4XHigh;
  for (uint i = 0; i < 4; ++i) {
    const uint q = k.v[i], r = q >> 12;
    const vec4 lo = uintBitsToFloat(uvec4(q & 0xFu, q & 0xF00u, q & 0xF0000u, r & 0xF000u) |
                                    0x4B000000u) - lo_bias;
    const vec4 hi = uintBitsToFloat(uvec4(q & 0xF0u, q & 0xF000u, r & 0xF00u, r & 0xF0000u) |
                                    0x4B000000u) - hi_bias;
    s += lo * xv[i];
    s += hi * xv[i + 4];
  }
  s *= k.d;
#else
  for (uint i = 0; i < 4; ++i) {
    s += WideQ4(k.v[i], 0u) * xv[i];
    s += WideQ4(k.v[i], 4u) * xv[i + 4];
  }
  s *= k.d;
#endif
  return (s.x + s.y) + (s.z + s.w);
}
#else  // !WEIGHTS_WIDE

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
#endif  // WEIGHTS_WIDE
