#version 450
#extension GL_GOOGLE_include_directive : require
// x += Wo attn: the matrix-vector product over F16 weights (matvec.glsl) reading the split
// attention's partials combined.
#define W_F16
#define COMBINE
#include "matvec.glsl"
