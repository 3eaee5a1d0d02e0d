#version 450
#extension GL_GOOGLE_include_directive : require
// Prefill gate/up product + SwiGLU over F32 weights, 16 x 4 outputs per thread (matmul.glsl).
#define W_F32
#define TM 16
#define SWIGLU
#include "matmul.glsl"
