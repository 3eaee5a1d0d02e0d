// CPU benchmark guest: a 128x128 float matrix multiply, repeated. The same file is built for
// wasm32 and natively by bench/wasm/CMakeLists.txt, and `wasmgpu bench cpu` runs the three
// (native, wasmgpu, Node) side by side. Timing is taken inside the program with
// CLOCK_MONOTONIC, after a warm-up, so it measures steady-state code speed, not start-up.
//
// The kernel is the textbook i-j-k loop with a float accumulator. GCC -O2 vectorizes it natively
// over j (outer-loop vectorization: four output columns at once, each summed in the same order,
// so the result is bit-identical), which it may do only because a, b and c are distinct arrays.
// Compiled to wasm32 the three arrays are addresses in one linear memory; the engine's bounds
// and alias analysis (docs/wasm.md, "Proven loops") proves the stores disjoint from the loads,
// so GCC vectorizes the translated loop too (bench/results/wasm-cpu-proven-loops-host.md).
//
//   matmul [reps]   prints: matmul128 reps=R median_ms=M best_ms=B checksum=C
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define N 128

static float a[N * N], b[N * N], c[N * N];

static double NowMs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

__attribute__((noinline)) static void Matmul(const float* x, const float* y, float* out) {
  for (int i = 0; i < N; ++i) {
    for (int j = 0; j < N; ++j) {
      float sum = 0.0f;
      for (int k = 0; k < N; ++k) sum += x[i * N + k] * y[k * N + j];
      out[i * N + j] = sum;
    }
  }
}

static int CompareDouble(const void* p, const void* q) {
  double x = *(const double*)p, y = *(const double*)q;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 200;
  if (reps < 1 || reps > 100000) reps = 200;
  uint32_t seed = 12345;
  for (int i = 0; i < N * N; ++i) {
    seed = seed * 1664525u + 1013904223u;
    a[i] = (float)(seed >> 8) / 16777216.0f - 0.5f;
    seed = seed * 1664525u + 1013904223u;
    b[i] = (float)(seed >> 8) / 16777216.0f - 0.5f;
  }
  for (int w = 0; w < 10; ++w) Matmul(a, b, c);  // warm-up
  double* times = malloc(sizeof(double) * (size_t)reps);
  double checksum = 0;
  for (int r = 0; r < reps; ++r) {
    double t0 = NowMs();
    Matmul(a, b, c);
    times[r] = NowMs() - t0;
    checksum += c[(r * 131) % (N * N)];
    a[r % (N * N)] += 1e-3f;  // keep each repetition's input different
  }
  qsort(times, (size_t)reps, sizeof(double), CompareDouble);
  printf("matmul128 reps=%d median_ms=%.4f best_ms=%.4f checksum=%.6f\n", reps, times[reps / 2],
         times[0], checksum);
  free(times);
  return 0;
}
