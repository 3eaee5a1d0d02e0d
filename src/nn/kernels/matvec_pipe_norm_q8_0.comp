#version 450
#extension GL_GOOGLE_include_directive : require
// RMSNorm + matrix-vector product over Q8_0 weights, GPUs with subgroups (matvec_pipe.glsl).
#define W_Q8_0
#define NORM
#include "matvec_pipe.glsl"
