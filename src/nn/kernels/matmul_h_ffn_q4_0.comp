#version 450
#extension GL_GOOGLE_include_directive : require
// Prefill matrix-matrix product with SwiGLU over gate/up row pairs over Q4_0 weights in f16
// arithmetic (matmul.glsl, F16_MATH).
#define W_Q4_0
#define SWIGLU
#define F16_MATH
#include "matmul.glsl"
