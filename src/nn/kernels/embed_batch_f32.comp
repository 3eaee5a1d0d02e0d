#version 450
#extension GL_GOOGLE_include_directive : require
// Batched embedding lookup over F32 weights (embed_batch.glsl).
#define W_F32
#include "embed_batch.glsl"
