#version 450
#extension GL_GOOGLE_include_directive : require
// x += Wo attn: the matrix-vector product over F32 weights (matvec.glsl) reading the split
// attention's partials combined.
#define W_F32
#define COMBINE
#include "matvec.glsl"
