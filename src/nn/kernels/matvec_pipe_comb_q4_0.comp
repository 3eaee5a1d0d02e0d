#version 450
#extension GL_GOOGLE_include_directive : require
// x += Wo attn (split attention partials combined) over Q4_0 weights, GPUs with subgroups
// (matvec_pipe.glsl).
#define W_Q4_0
#define Q4_SCALED_X
#define COMBINE
#include "matvec_pipe.glsl"
