// Runs guests in this process with WASI and the `wasmgpu` imports, as `wasmgpu run` does, so a
// test can run several guests one after another (or side by side) and assert what each left
// behind: exit code, trap message, stdout.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "wasm/engine.h"
#include "wasm/instance.h"

namespace wasmgpu::host::testing {

struct GuestRun {
  bool ok = false;        // the guest returned or exited (no trap, no load error)
  int exit_code = -1;
  std::string error;      // the trap or load error, when !ok
  wasm::TrapKind trap = wasm::TrapKind::kNone;
  std::string out;        // what it wrote to stdout
};

struct RunOptions {
  bool zero_copy_off = false;
  double timeout_s = 0;
};

// The engine and registry are shared by every run (modules are compiled once per process and
// cached under the build folder).
class GuestRunner {
 public:
  GuestRunner();
  // Loads `name` (build/examples/<name>.wasm or the test guests folder, by full path).
  Result<std::shared_ptr<wasm::Module>> Load(const std::string& path);
  // Creates an instance with WASI (argv = path + args) and the GPU imports, ready to run.
  Result<std::unique_ptr<wasm::Instance>> Instantiate(const std::string& path,
                                                      const std::vector<std::string>& args,
                                                      const RunOptions& options = {});
  // Runs a guest's _start to the end and tears the instance down (the GPU teardown included).
  GuestRun Run(const std::string& path, const std::vector<std::string>& args,
               const RunOptions& options = {});

 private:
  wasm::Engine engine_;
  wasm::HostRegistry registry_;
};

std::string ExamplePath(const std::string& name);  // build/examples/<name>.wasm
std::string TestGuestPath(const std::string& name);  // build/tests/host/guests/<name>.wasm

}  // namespace wasmgpu::host::testing
