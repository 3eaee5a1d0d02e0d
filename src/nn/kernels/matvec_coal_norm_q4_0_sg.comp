#version 450
#extension GL_GOOGLE_include_directive : require
// RMSNorm + matrix-vector product over Q4_0 weights for GPUs (matvec_coal.glsl), subgroup reductions.
#define W_Q4_0
#define NORM
#define USE_SUBGROUPS
#include "matvec_coal.glsl"
