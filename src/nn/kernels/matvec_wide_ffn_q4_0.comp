#version 450
#extension GL_GOOGLE_include_directive : require
// RMSNorm + gate/up products + SwiGLU over Q4_0 weights for GPUs (matvec_wide.glsl).
#define W_Q4_0
#define Q4_SCALED_X
#define NORM
#define SWIGLU
#include "matvec_wide.glsl"
