#version 450
#extension GL_GOOGLE_include_directive : require
// Prefill matrix-matrix product over Q8_0 weights (matmul.glsl).
#define W_Q8_0
#include "matmul.glsl"
