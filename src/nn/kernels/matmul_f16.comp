#version 450
#extension GL_GOOGLE_include_directive : require
// Prefill matrix-matrix product over F16 weights (matmul.glsl).
#define W_F16
#include "matmul.glsl"
