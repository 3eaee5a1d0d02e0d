#version 450
#extension GL_GOOGLE_include_directive : require
// Decode attention with RoPE and the KV-cache store (attention_decode.glsl), shared-memory
// reductions: for adapters without subgroups.
#include "attention_decode.glsl"
