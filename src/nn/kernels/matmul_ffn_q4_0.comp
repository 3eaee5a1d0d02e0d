#version 450
#extension GL_GOOGLE_include_directive : require
// Prefill gate/up product + SwiGLU over Q4_0 weights (matmul.glsl).
#define W_Q4_0
#define SWIGLU
#include "matmul.glsl"
