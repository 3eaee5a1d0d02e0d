#version 450
#extension GL_GOOGLE_include_directive : require
// Batched embedding lookup over Q4_0 weights (embed_batch.glsl).
#define W_Q4_0
#include "embed_batch.glsl"
