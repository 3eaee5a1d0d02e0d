// End-to-end tests of `wasmgpu run` / `wasmgpu compile` with a wasi-libc guest: args, env,
// clocks, random, exit codes, trap and timeout messages.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace wasmgpu::wasm {
namespace {

using testing::CliResult;
using testing::GuestPath;
using testing::RunCli;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::GuestsBuilt()) << "the test guests were not built (WASMGPU_BUILD_GUESTS)";
    guest_ = GuestPath("wasi_basics");
  }

  std::string guest_;
};

TEST_F(CliTest, ArgumentsReachTheGuestVerbatim) {
  CliResult r = RunCli({"run", guest_, "args", "--not-an-option", "two words", ""});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "argc=5\nargv[0]=" + guest_ +
                       "\nargv[1]=args\nargv[2]=--not-an-option\nargv[3]=two words\nargv[4]=\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(CliTest, EnvironmentIsOnlyWhatWasPassed) {
  CliResult r = RunCli({"run", "--env", "A=1", "--env", "EMPTY=", "--env", "B=x=y", guest_, "env"},
                       {"HOST_SECRET=should-not-leak"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "A=1\nEMPTY=\nB=x=y\ncount=3\n");
}

TEST_F(CliTest, InheritEnvPassesTheHostEnvironment) {
  CliResult r = RunCli({"run", "--inherit-env", "--env", "A=1", guest_, "env"},
                       {"HOST_VISIBLE=yes"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("HOST_VISIBLE=yes\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("A=1\n"), std::string::npos) << r.out;
}

TEST_F(CliTest, BadEnvValueIsRefused) {
  CliResult r = RunCli({"run", "--env", "NOEQUALS", guest_, "env"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "wasmgpu: --env value 'NOEQUALS' has no '='; expected KEY=VALUE.\n");
}

TEST_F(CliTest, ClocksRandomAndSleep) {
  for (const char* mode : {"clock", "random", "sleep"}) {
    CliResult r = RunCli({"run", guest_, mode});
    EXPECT_EQ(r.exit_code, 0) << mode << ": " << r.out << r.err;
    EXPECT_EQ(r.out, std::string(mode == std::string("sleep") ? "slept" : mode) + " ok\n");
  }
}

TEST_F(CliTest, ExitCodesAreForwarded) {
  CliResult r = RunCli({"run", guest_, "return", "7"});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  r = RunCli({"run", guest_, "exit", "42"});
  EXPECT_EQ(r.exit_code, 42) << r.err;
  EXPECT_EQ(r.out, "exiting\n");  // flushed by the guest's exit()
  r = RunCli({"run", guest_, "return", "0"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(CliTest, TrapExitsWith134AndOneLine) {
  CliResult r = RunCli({"run", guest_, "trap"});
  EXPECT_EQ(r.exit_code, 134);
  EXPECT_EQ(r.err.rfind("wasmgpu: The guest trapped: unreachable executed", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  r = RunCli({"run", guest_, "oob"});
  EXPECT_EQ(r.exit_code, 134);
  EXPECT_EQ(r.err.rfind("wasmgpu: The guest trapped: out of bounds memory access", 0), 0u)
      << r.err;
}

TEST_F(CliTest, VerboseTrapNamesTheCompiledObject) {
  CliResult r = RunCli({"-v", "run", guest_, "trap"});
  EXPECT_EQ(r.exit_code, 134);
  EXPECT_NE(r.err.find("wasmgpu: module " + guest_ + " (compiled object "), std::string::npos)
      << r.err;
  r = RunCli({"run", "-v", guest_, "trap"});  // -v after the command works too
  EXPECT_EQ(r.exit_code, 134);
  EXPECT_NE(r.err.find("wasmgpu: module " + guest_ + " (compiled object "), std::string::npos)
      << r.err;
}

TEST_F(CliTest, TimeoutStopsTheGuest) {
  // Compile first (a cache miss under a loaded machine can take seconds) so the timing below
  // measures the run alone.
  ASSERT_EQ(RunCli({"compile", guest_}).exit_code, 0);
  auto start = std::chrono::steady_clock::now();
  CliResult r = RunCli({"run", "--timeout", "0.3", guest_, "spin"});
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exit_code, 124);
  EXPECT_EQ(r.err.rfind("wasmgpu: The guest ran longer than the timeout (0.3 s) and was stopped",
                        0),
            0u)
      << r.err;
  EXPECT_LT(elapsed, std::chrono::seconds(10));
}

TEST_F(CliTest, TimeoutInterruptsABlockingHostCall) {
  // The guest sleeps 10 s in poll_oneoff; the watchdog interrupts the sleep and the run ends as
  // a timeout even though the guest then returns normally.
  ASSERT_EQ(RunCli({"compile", guest_}).exit_code, 0);
  auto start = std::chrono::steady_clock::now();
  CliResult r = RunCli({"run", "--timeout", "0.3", guest_, "sleeplong"});
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exit_code, 124);
  EXPECT_EQ(r.err, "wasmgpu: The guest ran longer than the timeout (0.3 s) and was stopped.\n");
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST_F(CliTest, MissingAndGarbageFilesAreRefused) {
  CliResult r = RunCli({"run", "/nonexistent/app.wasm"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "wasmgpu: Could not open /nonexistent/app.wasm: No such file or directory.\n");
  r = RunCli({"run", WASMGPU_CLI});  // an ELF file
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("does not start with the magic number"), std::string::npos) << r.err;
}

// What a user saw: `wasmgpu run` of a module that imports one function twice printed wasm2c's
// "warning: duplicate import declaration" before the guest's own output. A fresh cache, so the
// run compiles.
TEST_F(CliTest, ModuleImportingAFunctionTwiceRunsWithoutWarnings) {
  std::string dir = testing::MakeTempDir("wasmgpu-dup");
  std::vector<uint8_t> wasm = testing::Wat(R"((module
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit_a (param i32)))
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit_b (param i32)))
    (memory (export "memory") 1)
    (func (export "_start") i32.const 7 call $exit_b)))");
  std::ofstream(dir + "/dup.wasm", std::ios::binary)
      .write(reinterpret_cast<const char*>(wasm.data()),
             static_cast<std::streamsize>(wasm.size()));
  CliResult r = RunCli({"run", dir + "/dup.wasm"}, {"XDG_CACHE_HOME=" + dir});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_TRUE(std::filesystem::exists(dir + "/wasmgpu")) << "the run did not compile into " << dir;
  std::filesystem::remove_all(dir);
}

TEST_F(CliTest, CompileWritesAnObject) {
  std::string dir = testing::MakeTempDir("wasmgpu-compile");
  CliResult r = RunCli({"compile", guest_, "-o", dir + "/out.so"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, dir + "/out.so\n");
  EXPECT_EQ(access((dir + "/out.so").c_str(), R_OK), 0);
  std::remove((dir + "/out.so").c_str());
  rmdir(dir.c_str());
}

// The plumbing of `wasmgpu bench cpu` (timings are not checked: benchmarks are not tests): every
// runner ran the same matmul and agreed on its checksum.
TEST_F(CliTest, BenchCpuRunsEveryRunnerOnTheSameKernel) {
  CliResult r = RunCli({"bench", "cpu", "--rounds", "1", "--reps", "1", "--startup-runs", "1",
                        "--node", "none", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* key : {"\"native\"", "\"native-scalar\"", "\"wasmgpu\"", "\"checksum\"",
                          "\"wasmgpu_over_native\"", "\"wasmgpu_run_median_ms\""}) {
    EXPECT_NE(r.out.find(key), std::string::npos) << key << " missing in " << r.out;
  }
  EXPECT_NE(r.out.find("\"error\": \"not run (--node none)\""), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\"median_ms\": null"), r.out.rfind("\"median_ms\": null")) << r.out;
}

// `wasmgpu info --json` reports every optional feature by name; lavapipe (Mesa 22.3, Vulkan 1.3)
// has them all.
TEST_F(CliTest, InfoListsTheFeatures) {
  CliResult r = RunCli({"info", "--json"}, {});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* key : {"\"hostMappedPointer\": true", "\"timestampQuery\": true",
                          "\"subgroups\": true", "\"shaderIntegerDotProduct\": true"}) {
    EXPECT_NE(r.out.find(key), std::string::npos) << key << " missing in " << r.out;
  }
}

TEST_F(CliTest, CacheInfoAndClear) {
  std::string dir = testing::MakeTempDir("wasmgpu-xdg");
  std::vector<std::string> env = {"XDG_CACHE_HOME=" + dir, "WASMGPU_CACHE_MAX_MB=64"};
  CliResult r = RunCli({"cache", "info"}, env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, dir + "/wasmgpu: holds 0 compiled modules, 0.0 MiB (cap 64 MiB, least "
                         "recently used evicted first; WASMGPU_CACHE_MAX_MB sets it)\n");
  r = RunCli({"compile", guest_}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunCli({"cache", "info", "--json"}, env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"entries\": 1,"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"max_bytes\": 67108864"), std::string::npos) << r.out;
  r = RunCli({"cache", "clear"}, env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind(dir + "/wasmgpu: deleted 1 compiled module, ", 0), 0u) << r.out;
  r = RunCli({"cache", "info", "--json"}, env);
  EXPECT_NE(r.out.find("\"entries\": 0,"), std::string::npos) << r.out;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace wasmgpu::wasm
