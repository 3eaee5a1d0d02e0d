#version 450
#extension GL_GOOGLE_include_directive : require
// x += Wo attn: the matrix-vector product over Q4_0 weights (matvec.glsl) reading the split
// attention's partials combined.
#define W_Q4_0
#define COMBINE
#include "matvec.glsl"
