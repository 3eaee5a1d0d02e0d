#version 450
#extension GL_GOOGLE_include_directive : require
// RMSNorm + matrix-vector product over F16 weights for GPUs (matvec_coal.glsl).
#define W_F16
#define NORM
#include "matvec_coal.glsl"
