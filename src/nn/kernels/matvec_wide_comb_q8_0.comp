#version 450
#extension GL_GOOGLE_include_directive : require
// x += Wo attn for GPUs (matvec_wide.glsl) over Q8_0 weights, reading the split attention's
// partials combined.
#define W_Q8_0
#define COMBINE
#include "matvec_wide.glsl"
