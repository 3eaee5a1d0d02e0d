#version 450
#extension GL_GOOGLE_include_directive : require
// Matrix-vector product over Q4_0 weights with integer dot products
// (matvec_dot8.glsl) for rows of 2049 to 4096 inputs: 256 threads, 2 weight rows per row group.
#define W_Q4_0
#define THREADS 256
#define ROWS 2
#define JMAX 4
#include "matvec_dot8.glsl"
