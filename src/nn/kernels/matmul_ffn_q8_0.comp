#version 450
#extension GL_GOOGLE_include_directive : require
// Prefill gate/up product + SwiGLU over Q8_0 weights (matmul.glsl).
#define W_Q8_0
#define SWIGLU
#include "matmul.glsl"
