// Test guest that talks to the host only through the test's own import module ("test"), so the
// engine tests do not depend on WASI's fd layer.
#include <stdint.h>

__attribute__((import_module("test"), import_name("report"))) void report(const char* s,
                                                                           uint32_t len);
__attribute__((import_module("test"), import_name("call_back"))) int32_t call_back(
    int32_t (*fn)(int32_t), int32_t arg);

static int32_t Twice(int32_t x) { return 2 * x; }

__attribute__((export_name("run_callback"))) int32_t RunCallback(int32_t x) {
  return call_back(&Twice, x);
}

__attribute__((export_name("say"))) void Say(void) { report("hello from the guest", 20); }

int main(void) {
  report("main ran", 8);
  return 0;
}
