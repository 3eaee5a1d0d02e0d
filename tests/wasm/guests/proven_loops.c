// Loops the engine's bounds analysis proves (docs/wasm.md, "Proven loops"), in the shapes clang
// really emits, each checked bit for bit against the same computation written so that the
// analysis cannot prove it (its trip count read through a volatile, so it keeps wasm2c's exact
// C). tests/wasm/bounds_test.cpp runs this guest and checks, from WASMGPU_PROOF_LOG, that the
// kernels were proven. Prints "<kernel> ok" or "<kernel> MISMATCH at <index>" per kernel;
// exits with the number of mismatches.
#include <stdio.h>
#include <string.h>

#define N 48
#define LEN 1024

static float a[N * N], b[N * N], c[N * N], ref[N * N];
static float x[LEN + 8], xr[LEN + 8];
static int ints[LEN], intsr[LEN];
static volatile int opaque_len = LEN;  // a bound the analysis cannot see
static volatile int opaque_n = N;

// ---- proven: constant trip counts over global arrays ----

// Disjoint output: stores go through a restrict pointer.
__attribute__((noinline)) static void MatmulIjk(void) {
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      float s = 0.0f;
      for (int k = 0; k < N; ++k) s += a[i * N + k] * b[k * N + j];
      c[i * N + j] = s;
    }
}
// The output is an input: each row's later sums read the row's earlier results.
__attribute__((noinline)) static void MatmulIntoA(void) {
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      float s = 0.0f;
      for (int k = 0; k < N; ++k) s += a[i * N + k] * b[k * N + j];
      a[i * N + j] = s;
    }
}
__attribute__((noinline)) static void ShiftForward(void) {
  for (int i = 0; i < LEN - 1; ++i) x[i + 1] = x[i] * 0.5f + 1.0f;
}
__attribute__((noinline)) static void ShiftBackward(void) {
  for (int i = 0; i < LEN - 1; ++i) x[i] = x[i + 1] * 0.5f + 1.0f;
}
__attribute__((noinline)) static void Reverse(void) {
  for (int i = 0; i < LEN / 2; ++i) {
    float t = x[i];
    x[i] = x[LEN - 1 - i];
    x[LEN - 1 - i] = t;
  }
}
__attribute__((noinline)) static void Stencil(void) {
  for (int i = 0; i < LEN; ++i) c[i] = 0.25f * x[i] + 0.5f * x[i + 1] + 0.25f * x[i + 2];
}
// Integer arithmetic on loaded values (wraps in 32 bits) with a descending loop.
__attribute__((noinline)) static void IntRecurrence(void) {
  for (int i = LEN - 1; i > 0; --i) ints[i] = ints[i] * 1664525 + ints[i - 1] + 1013904223;
}

// ---- references: the same computations with a bound the analysis cannot see ----

static void MatmulRef(float* in_a, float* out) {
  int n = opaque_n;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      float s = 0.0f;
      for (int k = 0; k < n; ++k) s += in_a[i * n + k] * b[k * n + j];
      out[i * n + j] = s;
    }
}
static void ShiftForwardRef(void) {
  int len = opaque_len;
  for (int i = 0; i < len - 1; ++i) xr[i + 1] = xr[i] * 0.5f + 1.0f;
}
static void ShiftBackwardRef(void) {
  int len = opaque_len;
  for (int i = 0; i < len - 1; ++i) xr[i] = xr[i + 1] * 0.5f + 1.0f;
}
static void ReverseRef(void) {
  int len = opaque_len;
  for (int i = 0; i < len / 2; ++i) {
    float t = xr[i];
    xr[i] = xr[len - 1 - i];
    xr[len - 1 - i] = t;
  }
}
static void StencilRef(void) {
  int len = opaque_len;
  for (int i = 0; i < len; ++i) ref[i] = 0.25f * xr[i] + 0.5f * xr[i + 1] + 0.25f * xr[i + 2];
}
static void IntRecurrenceRef(void) {
  for (int i = opaque_len - 1; i > 0; --i)
    intsr[i] = intsr[i] * 1664525 + intsr[i - 1] + 1013904223;
}

static unsigned seed = 12345;
static float Next(void) {
  seed = seed * 1664525u + 1013904223u;
  return (float)(seed >> 8) / 16777216.0f - 0.5f;
}

static int Check(const char* name, const void* got, const void* want, int count) {
  const unsigned* g = got;
  const unsigned* w = want;
  for (int i = 0; i < count; ++i) {
    if (g[i] != w[i]) {
      printf("%s MISMATCH at %d\n", name, i);
      return 1;
    }
  }
  printf("%s ok\n", name);
  return 0;
}

int main(void) {
  int bad = 0;
  for (int i = 0; i < N * N; ++i) {
    a[i] = Next();
    b[i] = Next();
  }
  for (int i = 0; i < LEN + 8; ++i) xr[i] = x[i] = Next();
  for (int i = 0; i < LEN; ++i) intsr[i] = ints[i] = (int)(Next() * 1e9f);

  MatmulIjk();
  MatmulRef(a, ref);
  bad += Check("MatmulIjk", c, ref, N * N);

  static float a_copy[N * N];
  memcpy(a_copy, a, sizeof a);
  MatmulIntoA();
  MatmulRef(a_copy, a_copy);  // in place too, row by row as above
  bad += Check("MatmulIntoA", a, a_copy, N * N);

  ShiftForward();
  ShiftForwardRef();
  bad += Check("ShiftForward", x, xr, LEN);
  ShiftBackward();
  ShiftBackwardRef();
  bad += Check("ShiftBackward", x, xr, LEN);
  Reverse();
  ReverseRef();
  bad += Check("Reverse", x, xr, LEN);
  Stencil();
  StencilRef();
  bad += Check("Stencil", c, ref, LEN);
  IntRecurrence();
  IntRecurrenceRef();
  bad += Check("IntRecurrence", ints, intsr, LEN);
  return bad;
}
