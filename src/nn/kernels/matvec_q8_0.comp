#version 450
#extension GL_GOOGLE_include_directive : require
// Matrix-vector product over Q8_0 weights (matvec.glsl).
#define W_Q8_0
#include "matvec.glsl"
