// More CPU kernels beside matmul.c, reported alongside it (bench/wasm/run.sh), never instead:
// the same C built natively with `cc -O2` and for wasm32, each kernel timed inside the program
// (CLOCK_MONOTONIC, median of the repetitions after a warm-up).
//   matmul_ikj  128x128 float matmul in i-k-j order on global arrays: the inner loop updates a
//               row of c in place (c is loaded and stored), GCC vectorizes it natively.
//   stencil     a 3-point float stencil over 16384 floats, global arrays, out of place.
//   saxpy_ptr   y = a*x + y through pointer parameters of a function the compiler does not
//               inline, so the addresses are not constants in the guest.
//
//   kernels [reps]   prints one line per kernel: <name> reps=R median_ms=M checksum=C
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define N 128
#define LEN 16384

static float a[N * N], b[N * N], c[N * N];
static float in[LEN + 2], out[LEN];
static float xs[LEN], ys[LEN];

static double NowMs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

__attribute__((noinline)) static void MatmulIkj(void) {
  for (int i = 0; i < N * N; ++i) c[i] = 0.0f;
  for (int i = 0; i < N; ++i) {
    for (int k = 0; k < N; ++k) {
      float aik = a[i * N + k];
      for (int j = 0; j < N; ++j) c[i * N + j] += aik * b[k * N + j];
    }
  }
}

__attribute__((noinline)) static void Stencil(void) {
  for (int i = 0; i < LEN; ++i) out[i] = 0.25f * in[i] + 0.5f * in[i + 1] + 0.25f * in[i + 2];
}

__attribute__((noinline)) void SaxpyPtr(float alpha, const float* x, float* y, int n) {
  for (int i = 0; i < n; ++i) y[i] = alpha * x[i] + y[i];
}

static int CompareDouble(const void* p, const void* q) {
  double x = *(const double*)p, y = *(const double*)q;
  return (x > y) - (x < y);
}

typedef double (*Kernel)(int rep);

static double RunMatmul(int rep) {
  MatmulIkj();
  a[rep % (N * N)] += 1e-3f;
  return c[(rep * 131) % (N * N)];
}
static double RunStencil(int rep) {
  Stencil();
  in[rep % LEN] += 1e-3f;
  return out[(rep * 131) % LEN];
}
static double RunSaxpy(int rep) {
  SaxpyPtr(1.0001f, xs, ys, LEN);
  return ys[(rep * 131) % LEN];
}

static void Time(const char* name, Kernel k, int reps, double* times) {
  for (int w = 0; w < 10; ++w) k(w);  // warm-up
  double checksum = 0;
  for (int r = 0; r < reps; ++r) {
    double t0 = NowMs();
    double v = k(10 + r);
    times[r] = NowMs() - t0;
    checksum += v;
  }
  qsort(times, (size_t)reps, sizeof(double), CompareDouble);
  printf("%s reps=%d median_ms=%.4f checksum=%.6f\n", name, reps, times[reps / 2], checksum);
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
  for (int i = 0; i < LEN + 2; ++i) {
    seed = seed * 1664525u + 1013904223u;
    in[i] = (float)(seed >> 8) / 16777216.0f;
  }
  for (int i = 0; i < LEN; ++i) {
    xs[i] = (float)(i % 97) * 0.01f;
    ys[i] = (float)(i % 89) * 0.02f;
  }
  double* times = malloc(sizeof(double) * (size_t)reps);
  Time("matmul_ikj", RunMatmul, reps, times);
  Time("stencil", RunStencil, reps, times);
  Time("saxpy_ptr", RunSaxpy, reps, times);
  free(times);
  return 0;
}
