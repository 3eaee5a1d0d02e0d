#version 450
#extension GL_GOOGLE_include_directive : require
// x += Wo attn for GPUs (matvec_wide.glsl) over F16 weights, reading the split attention's
// partials combined.
#define W_F16
#define COMBINE
#include "matvec_wide.glsl"
