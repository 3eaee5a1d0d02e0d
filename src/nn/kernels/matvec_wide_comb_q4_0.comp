#version 450
#extension GL_GOOGLE_include_directive : require
// x += Wo attn for GPUs (matvec_wide.glsl) over Q4_0 weights, reading the split attention's
// partials combined.
#define W_Q4_0
#define Q4_SCALED_X
#define COMBINE
#include "matvec_wide.glsl"
