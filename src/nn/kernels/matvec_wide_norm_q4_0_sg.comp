#version 450
#extension GL_GOOGLE_include_directive : require
// RMSNorm + matrix-vector product over Q4_0 weights for GPUs (matvec_wide.glsl), subgroup reductions.
#define W_Q4_0
#define Q4_SCALED_X
#define NORM
#define USE_SUBGROUPS
#include "matvec_wide.glsl"
