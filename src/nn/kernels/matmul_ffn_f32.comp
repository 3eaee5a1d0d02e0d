#version 450
#extension GL_GOOGLE_include_directive : require
// Prefill gate/up product + SwiGLU over F32 weights (matmul.glsl).
#define W_F32
#define SWIGLU
#include "matmul.glsl"
