#version 450
#extension GL_GOOGLE_include_directive : require
// Prefill matrix-matrix product over F32 weights (matmul.glsl).
#define W_F32
#include "matmul.glsl"
