#version 450
#extension GL_GOOGLE_include_directive : require
// Matrix-vector product over Q8_0 weights, GPUs with subgroups (matvec_pipe.glsl).
#define W_Q8_0
#include "matvec_pipe.glsl"
