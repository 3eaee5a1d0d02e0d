#version 450
#extension GL_GOOGLE_include_directive : require
// Decode attention with RoPE and the KV-cache store (attention_decode.glsl) for CPU adapters:
// shared-memory reductions and 64-thread workgroups. On lavapipe a thread's fixed work (RoPE of
// its dims, its share of the final merge) is what costs, and a workgroup runs its threads one
// SIMD batch after another. Tinyllama heads on a loaded 2-core VM: 64 threads took 2.3 ms at 64
// positions against 9.3 for 256 and 2.6 for the previous kernel; at 512 positions 19 ms against
// 23 and 9.8 (still slower there).
#define THREADS 64
#include "attention_decode.glsl"
