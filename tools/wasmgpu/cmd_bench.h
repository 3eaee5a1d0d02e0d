// `wasmgpu bench <name> [options]`: each benchmark registers itself as a subcommand of `bench`,
// from its own file, the way commands register with WASMGPU_COMMAND (command.h):
//
//   CommandRunner SetupMyBench(CLI::App& sub);   // adds options, returns the runner
//   WASMGPU_BENCH(my_bench, "my-bench", "What it measures", SetupMyBench);
//
// `bench` itself lives in cmd_bench.cpp (with the `zero-copy` and `floor` benches).
#pragma once

#include "command.h"

namespace wasmgpu::cli {

struct BenchRegistration {
  BenchRegistration(const char* name, const char* help, CommandSetup setup);
};

}  // namespace wasmgpu::cli

// The name is a string so that it may contain '-'; `id` only makes the registration unique.
#define WASMGPU_BENCH(id, name, help, setup) \
  static const ::wasmgpu::cli::BenchRegistration kBenchRegistration_##id(name, help, setup)
