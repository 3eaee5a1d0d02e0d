#version 450
#extension GL_GOOGLE_include_directive : require
// Prefill matrix-matrix product over F16 weights in f16
// arithmetic (matmul.glsl, F16_MATH).
#define W_F16
#define F16_MATH
#include "matmul.glsl"
