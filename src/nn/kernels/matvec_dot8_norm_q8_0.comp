#version 450
#extension GL_GOOGLE_include_directive : require
// RMSNorm + matrix-vector product over Q8_0 weights with integer dot products (matvec_dot8.glsl):
// 256 threads, 4 weight rows per row group, rows of up to 2048 inputs.
#define W_Q8_0
#define NORM
#define THREADS 256
#define ROWS 4
#define JMAX 2
#include "matvec_dot8.glsl"
