#version 450
#extension GL_GOOGLE_include_directive : require
// x += Wo attn (split attention partials combined) over Q8_0 weights, GPUs with subgroups
// (matvec_pipe.glsl).
#define W_Q8_0
#define COMBINE
#include "matvec_pipe.glsl"
