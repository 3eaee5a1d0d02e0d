#version 450
#extension GL_GOOGLE_include_directive : require
// Embedding lookup over Q4_0 weights (embed.glsl).
#define W_Q4_0
#include "embed.glsl"
