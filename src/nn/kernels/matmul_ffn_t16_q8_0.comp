#version 450
#extension GL_GOOGLE_include_directive : require
// Prefill gate/up product + SwiGLU over Q8_0 weights, 16 x 4 outputs per thread (matmul.glsl).
#define W_Q8_0
#define TM 16
#define SWIGLU
#include "matmul.glsl"
