#version 450
#extension GL_GOOGLE_include_directive : require
// Decode attention with RoPE and the KV-cache store (attention_decode.glsl), a score's partial
// dots summed through subgroup shuffles.
#define USE_SUBGROUPS
#include "attention_decode.glsl"
