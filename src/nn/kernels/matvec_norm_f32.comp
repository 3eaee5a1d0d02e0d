#version 450
#extension GL_GOOGLE_include_directive : require
// RMSNorm + matrix-vector product over F32 weights (matvec.glsl).
#define W_F32
#define NORM
#include "matvec.glsl"
