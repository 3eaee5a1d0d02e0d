#version 450
#extension GL_GOOGLE_include_directive : require
// RMSNorm + matrix-vector product over Q4_0 weights (matvec.glsl).
#define W_Q4_0
#define NORM
#include "matvec.glsl"
