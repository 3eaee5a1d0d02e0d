#version 450
#extension GL_GOOGLE_include_directive : require
// Embedding lookup over Q8_0 weights (embed.glsl).
#define W_Q8_0
#include "embed.glsl"
