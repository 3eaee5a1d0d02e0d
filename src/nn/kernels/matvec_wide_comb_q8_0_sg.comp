#version 450
#extension GL_GOOGLE_include_directive : require
// x += Wo attn for GPUs (matvec_wide.glsl) over Q8_0 weights, reading the split attention's
// partials combined; subgroup reductions.
#define W_Q8_0
#define COMBINE
#define USE_SUBGROUPS
#include "matvec_wide.glsl"
