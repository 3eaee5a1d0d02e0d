#version 450
#extension GL_GOOGLE_include_directive : require
// Embedding lookup over F16 weights (embed.glsl).
#define W_F16
#include "embed.glsl"
