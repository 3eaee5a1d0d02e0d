#version 450
#extension GL_GOOGLE_include_directive : require
// Matrix-vector product over Q8_0 weights for GPUs (matvec_coal.glsl).
#define W_Q8_0
#include "matvec_coal.glsl"
