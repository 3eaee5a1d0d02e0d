#version 450
#extension GL_GOOGLE_include_directive : require
// RMSNorm + gate/up products + SwiGLU over F32 weights for GPUs (matvec_coal.glsl).
#define W_F32
#define NORM
#define SWIGLU
#include "matvec_coal.glsl"
