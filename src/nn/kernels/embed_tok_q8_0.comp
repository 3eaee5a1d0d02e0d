#version 450
#extension GL_GOOGLE_include_directive : require
// Embedding lookup over Q8_0 weights, the token id read from a buffer (embed.glsl).
#define W_Q8_0
#define TOKEN_BUFFER
#include "embed.glsl"
