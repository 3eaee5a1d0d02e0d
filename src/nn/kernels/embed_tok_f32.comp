#version 450
#extension GL_GOOGLE_include_directive : require
// Embedding lookup over F32 weights, the token id read from a buffer (embed.glsl).
#define W_F32
#define TOKEN_BUFFER
#include "embed.glsl"
