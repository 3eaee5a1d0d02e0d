#version 450
#extension GL_GOOGLE_include_directive : require
// Prefill matrix-matrix product over Q4_0 weights (matmul.glsl).
#define W_Q4_0
#include "matmul.glsl"
