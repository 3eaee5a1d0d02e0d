// Helpers for the engine tests: WAT assembly, guest paths, running the CLI.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace wasmgpu::wasm::testing {

// Assembles WAT text (all proposals enabled, so refused features can be written). Fails the
// current test on a parse error.
std::vector<uint8_t> Wat(const std::string& text);

// build/tests/wasm/guests/<name>.wasm
std::string GuestPath(const std::string& name);
bool GuestsBuilt();

// A fresh empty directory under the test temp dir.
std::string MakeTempDir(const std::string& prefix);

// Collects what this process writes to file descriptor 2 (stderr) from construction until
// Finish(), which restores stderr and returns the text. For code that prints with fprintf(stderr),
// such as wabt's C writer.
class StderrCapture {
 public:
  StderrCapture();
  ~StderrCapture();
  StderrCapture(const StderrCapture&) = delete;
  StderrCapture& operator=(const StderrCapture&) = delete;
  std::string Finish();

 private:
  int saved_fd_ = -1;
  std::string path_;
};

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs build/bin/wasmgpu with `args`, environment `env` (KEY=VALUE, added to a minimal one:
// XDG_CACHE_HOME=the tests' cache, PATH; an entry of `env` replaces the default of its key).
CliResult RunCli(const std::vector<std::string>& args, const std::vector<std::string>& env = {});

}  // namespace wasmgpu::wasm::testing
