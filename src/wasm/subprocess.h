// Running a helper program and reading what it prints: the engine asks addr2line for trap
// names, `wasmgpu bench cpu` runs the native builds and node.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace wasmgpu::wasm {

// Runs argv (argv[0] looked up on PATH) with stdin on /dev/null and returns its stdout. stderr
// goes to ours, or to /dev/null when `quiet_stderr`. An error when it cannot start, or does not
// exit with status 0.
Result<std::string> RunCapture(const std::vector<std::string>& argv, bool quiet_stderr = false);

}  // namespace wasmgpu::wasm
