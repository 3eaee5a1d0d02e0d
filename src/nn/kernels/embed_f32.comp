#version 450
#extension GL_GOOGLE_include_directive : require
// Embedding lookup over F32 weights (embed.glsl).
#define W_F32
#include "embed.glsl"
