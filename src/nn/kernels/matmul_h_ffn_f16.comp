#version 450
#extension GL_GOOGLE_include_directive : require
// Prefill matrix-matrix product with SwiGLU over gate/up row pairs over F16 weights in f16
// arithmetic (matmul.glsl, F16_MATH).
#define W_F16
#define SWIGLU
#define F16_MATH
#include "matmul.glsl"
