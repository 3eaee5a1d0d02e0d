#version 450
#extension GL_GOOGLE_include_directive : require
// Matrix-vector product over F32 weights for GPUs (matvec_coal.glsl), subgroup reductions.
#define W_F32
#define USE_SUBGROUPS
#include "matvec_coal.glsl"
