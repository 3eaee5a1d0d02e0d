#version 450
#extension GL_GOOGLE_include_directive : require
// Batched embedding lookup over F16 weights (embed_batch.glsl).
#define W_F16
#include "embed_batch.glsl"
