#version 450
#extension GL_GOOGLE_include_directive : require
// Batched embedding lookup over Q8_0 weights (embed_batch.glsl).
#define W_Q8_0
#include "embed_batch.glsl"
