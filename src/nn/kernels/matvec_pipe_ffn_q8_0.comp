#version 450
#extension GL_GOOGLE_include_directive : require
// RMSNorm + gate/up products + SwiGLU over Q8_0 weights, GPUs with subgroups (matvec_pipe.glsl).
#define W_Q8_0
#define NORM
#define SWIGLU
#include "matvec_pipe.glsl"
