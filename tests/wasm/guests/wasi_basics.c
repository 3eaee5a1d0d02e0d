// Test guest for the WASI glue and the CLI: `wasi_basics <mode> [...]`. Prints what the host
// test asserts; returns non-zero (with a message) when a check inside the guest fails.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern char** environ;

static int Fail(const char* what) {
  printf("FAIL %s\n", what);
  return 99;
}

static uint64_t Ns(clockid_t clock) {
  struct timespec ts;
  if (clock_gettime(clock, &ts) != 0) return 0;
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "args") == 0) {
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; ++i) printf("argv[%d]=%s\n", i, argv[i]);
    return 0;
  }
  if (strcmp(mode, "env") == 0) {
    int n = 0;
    for (char** e = environ; *e != NULL; ++e, ++n) printf("%s\n", *e);
    printf("count=%d\n", n);
    return 0;
  }
  if (strcmp(mode, "clock") == 0) {
    uint64_t real = Ns(CLOCK_REALTIME);
    // 2020-01-01 .. 2100-01-01
    if (real < 1577836800ull * 1000000000ull || real > 4102444800ull * 1000000000ull) {
      return Fail("realtime clock out of range");
    }
    uint64_t m0 = Ns(CLOCK_MONOTONIC);
    volatile uint64_t spin = 0;
    (void)spin;
    for (int i = 0; i < 2000000; ++i) spin += (uint64_t)i;
    uint64_t m1 = Ns(CLOCK_MONOTONIC);
    if (m0 == 0 || m1 <= m0) return Fail("monotonic clock did not advance");
    if (Ns(CLOCK_PROCESS_CPUTIME_ID) == 0) return Fail("process cputime is zero");
    if (Ns(CLOCK_THREAD_CPUTIME_ID) == 0) return Fail("thread cputime is zero");
    struct timespec res;
    if (clock_getres(CLOCK_MONOTONIC, &res) != 0 || (res.tv_sec == 0 && res.tv_nsec == 0)) {
      return Fail("clock_getres");
    }
    printf("clock ok\n");
    return 0;
  }
  if (strcmp(mode, "sleep") == 0) {
    uint64_t t0 = Ns(CLOCK_MONOTONIC);
    struct timespec d = {0, 30 * 1000 * 1000};
    if (nanosleep(&d, NULL) != 0) return Fail("nanosleep");
    uint64_t t1 = Ns(CLOCK_MONOTONIC);
    if (t1 - t0 < 29 * 1000 * 1000) return Fail("slept less than 30 ms");
    printf("slept ok\n");
    return 0;
  }
  if (strcmp(mode, "sleeplong") == 0) {
    struct timespec d = {10, 0};
    int rc = nanosleep(&d, NULL);
    printf("nanosleep returned %d\n", rc);
    return 0;
  }
  if (strcmp(mode, "random") == 0) {
    unsigned char a[32], b[32];
    if (getentropy(a, sizeof a) != 0 || getentropy(b, sizeof b) != 0) return Fail("getentropy");
    if (memcmp(a, b, sizeof a) == 0) return Fail("two random buffers are equal");
    int nonzero = 0;
    for (size_t i = 0; i < sizeof a; ++i) nonzero += a[i] != 0;
    if (nonzero < 8) return Fail("random buffer is mostly zero");
    printf("random ok\n");
    return 0;
  }
  if (strcmp(mode, "return") == 0 && argc > 2) return atoi(argv[2]);
  if (strcmp(mode, "exit") == 0 && argc > 2) {
    printf("exiting\n");
    exit(atoi(argv[2]));
  }
  if (strcmp(mode, "trap") == 0) __builtin_trap();
  if (strcmp(mode, "oob") == 0) {
    volatile int* p = (volatile int*)(uintptr_t)0xfffffff0u;
    return *p;
  }
  if (strcmp(mode, "spin") == 0) {
    volatile unsigned x = 0;
    for (;;) x++;
  }
  if (strcmp(mode, "stderr") == 0) {
    fprintf(stderr, "to stderr\n");
    return 0;
  }
  printf("usage: wasi_basics args|env|clock|sleep|random|return N|exit N|trap|oob|spin\n");
  return 2;
}
