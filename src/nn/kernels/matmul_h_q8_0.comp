#version 450
#extension GL_GOOGLE_include_directive : require
// Prefill matrix-matrix product over Q8_0 weights in f16
// arithmetic (matmul.glsl, F16_MATH).
#define W_Q8_0
#define F16_MATH
#include "matmul.glsl"
