#version 450
#extension GL_GOOGLE_include_directive : require
// RMSNorm + gate/up products + SwiGLU over F32 weights for GPUs (matvec_coal.glsl), subgroup reductions.
#define W_F32
#define NORM
#define SWIGLU
#define USE_SUBGROUPS
#include "matvec_coal.glsl"
