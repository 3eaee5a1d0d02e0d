#version 450
#extension GL_GOOGLE_include_directive : require
// x += Wo attn for GPUs (matvec_wide.glsl) over F32 weights, reading the split attention's
// partials combined; subgroup reductions.
#define W_F32
#define COMBINE
#define USE_SUBGROUPS
#include "matvec_wide.glsl"
