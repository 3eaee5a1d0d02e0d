// `wasmgpu bench <name>`: the parent command of every benchmark (see cmd_bench.h), and the
// benches of issue 2: `zero-copy` (copy vs zero-copy vs resident) and `floor` (bare Vulkan).
#include "cmd_bench.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "bench/floor_vulkan.h"

namespace wasmgpu::cli {
namespace {

struct BenchEntry {
  const char* name;
  const char* help;
  CommandSetup setup;
};

std::vector<BenchEntry>& BenchRegistry() {
  static std::vector<BenchEntry> entries;
  return entries;
}

std::map<std::string, CommandRunner>& BenchRunners() {
  static std::map<std::string, CommandRunner> runners;
  return runners;
}

CommandRunner SetupBench(CLI::App& app) {
  app.require_subcommand(1);
  for (const BenchEntry& e : BenchRegistry()) {
    CLI::App* sub = app.add_subcommand(e.name, e.help);
    BenchRunners()[e.name] = e.setup(*sub);
  }
  return [&app] {
    for (CLI::App* sub : app.get_subcommands()) return BenchRunners()[sub->get_name()]();
    return 2;
  };
}
WASMGPU_COMMAND(bench, "Run a benchmark (see `wasmgpu bench --help`)", SetupBench);

void PrintError(const Error& e) { fmt::print(stderr, "wasmgpu bench: {}\n", e.message); }

// `wasmgpu bench floor`: the bare Vulkan submit + fence wait the zero-copy bench reports as
// floor_us, alone, for checking a machine quickly.
struct FloorOptions {
  bool json = false;
  int iterations = 1000;
  std::string device;
};

CommandRunner SetupFloor(CLI::App& app) {
  static FloorOptions opts;
  app.add_flag("--json", opts.json, "JSON on stdout");
  app.add_option("--iterations", opts.iterations, "Timed submits")->check(CLI::PositiveNumber);
  app.add_option("--device", opts.device, "Vulkan device name (default: wasmgpu's choice)");
  return [] {
    Result<bench::FloorResult> r = bench::MeasureVulkanFloor(opts.device, opts.iterations);
    if (!r.ok()) {
      PrintError(r.error());
      return 1;
    }
    if (opts.json) {
      nlohmann::json j = {{"device", r->device_name}, {"floor_us", r->median_us}};
      fmt::print("{}\n", j.dump());
    } else {
      fmt::print("{}: empty submit + fence wait, median of {}: {:.1f} us\n", r->device_name,
                 opts.iterations, r->median_us);
    }
    return 0;
  };
}
WASMGPU_BENCH(floor, "floor", "Bare Vulkan submit of an empty command buffer + fence wait",
              SetupFloor);

}  // namespace

BenchRegistration::BenchRegistration(const char* name, const char* help, CommandSetup setup) {
  BenchRegistry().push_back({name, help, setup});
}

}  // namespace wasmgpu::cli
