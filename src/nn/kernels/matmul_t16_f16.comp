#version 450
#extension GL_GOOGLE_include_directive : require
// Prefill matrix-matrix product over F16 weights, 16 x 4 outputs per thread (matmul.glsl).
#define W_F16
#define TM 16
#include "matmul.glsl"
