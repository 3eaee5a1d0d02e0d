#version 450
#extension GL_GOOGLE_include_directive : require
// Prefill gate/up product + SwiGLU over F16 weights (matmul.glsl).
#define W_F16
#define SWIGLU
#include "matmul.glsl"
