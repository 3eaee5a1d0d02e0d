// `wasmgpu version`: the version, for bug reports and bench records.
#include <fmt/format.h>

#include "command.h"

namespace wasmgpu::cli {
namespace {
CommandRunner SetupVersion(CLI::App&) {
  return [] {
    fmt::print("wasmgpu {}\n", WASMGPU_VERSION);
    return 0;
  };
}
WASMGPU_COMMAND(version, "Print the version", SetupVersion);
}  // namespace
}  // namespace wasmgpu::cli
