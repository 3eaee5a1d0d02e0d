// `wasmgpu bench <name>`: the parent command of every benchmark (see cmd_bench.h), and the
// benches of issue 2: `zero-copy` (copy vs zero-copy vs resident) and `floor` (bare Vulkan).
#include "cmd_bench.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bench/floor_vulkan.h"
#ifdef WASMGPU_BENCH_HAVE_GPU
#include "bench/zero_copy.h"
#endif

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

#ifdef WASMGPU_BENCH_HAVE_GPU
// `wasmgpu bench zero-copy`: see bench/zero_copy.h and docs/bench.md.
struct ZeroCopyCliOptions {
  bool json = false;
  int iterations = 30;
  std::vector<uint64_t> sizes;
  uint32_t max_workgroups = 0;
};

nlohmann::json OptionalJson(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

void PrintZeroCopyJson(const bench::ZeroCopyReport& r) {
  nlohmann::json rows = nlohmann::json::array();
  for (const bench::ZeroCopyRow& row : r.rows) {
    nlohmann::json j = {{"floats", row.floats},
                        {"copy_us", row.copy_us},
                        {"zero_copy_us", OptionalJson(row.zero_copy_us)},
                        {"resident_us", row.resident_us},
                        {"kernel_us", OptionalJson(row.kernel_us)},
                        {"zero_copy_over_copy",
                         row.zero_copy_us ? nlohmann::json(*row.zero_copy_us / row.copy_us)
                                          : nlohmann::json(nullptr)},
                        {"ok", row.ok}};
    if (!row.ok) j["error"] = row.error;
    rows.push_back(std::move(j));
  }
  nlohmann::json j = {{"adapter", r.adapter},     {"adapter_type", r.adapter_type},
                      {"driver", r.driver},       {"floor_us", r.floor_us},
                      {"iterations", r.iterations}, {"max_workgroups", r.max_workgroups},
                      {"rows", std::move(rows)}};
  fmt::print("{}\n", j.dump(2));
}

std::string Cell(const std::optional<double>& v, int precision) {
  return v ? fmt::format("{:.{}f}", *v, precision) : "-";
}

void PrintZeroCopyTable(const bench::ZeroCopyReport& r) {
  fmt::print("adapter: {} ({})\ndriver: {}\n", r.adapter, r.adapter_type, r.driver);
  fmt::print("floor_us (bare Vulkan empty submit + fence wait): {:.1f}\n", r.floor_us);
  fmt::print("median of {} iterations per path; y = a*x + b, at most {} workgroups of 256; "
             "every element checked\n\n",
             r.iterations, r.max_workgroups);
  fmt::print("{:>10} {:>11} {:>13} {:>12} {:>15} {:>10}  {}\n", "floats", "copy_us",
             "zero_copy_us", "resident_us", "zero_copy/copy", "kernel_us", "ok");
  for (const bench::ZeroCopyRow& row : r.rows) {
    std::optional<double> ratio;
    if (row.zero_copy_us) ratio = *row.zero_copy_us / row.copy_us;
    fmt::print("{:>10} {:>11.1f} {:>13} {:>12.1f} {:>15} {:>10}  {}\n", row.floats, row.copy_us,
               Cell(row.zero_copy_us, 1), row.resident_us, Cell(ratio, 3), Cell(row.kernel_us, 1),
               row.ok ? "yes" : "NO: " + row.error);
  }
  for (const bench::ZeroCopyRow& row : r.rows) {
    if (row.floats != 256) continue;
    const double budget = r.floor_us + row.kernel_us.value_or(0);
    fmt::print("\nresident at 256 floats: {:.1f} us = {:.2f} x (floor_us + kernel_us = {:.1f} us)\n",
               row.resident_us, row.resident_us / budget, budget);
  }
}

CommandRunner SetupZeroCopy(CLI::App& app) {
  static ZeroCopyCliOptions opts;
  app.add_flag("--json", opts.json, "JSON on stdout");
  app.add_option("--iterations", opts.iterations, "Timed iterations per path and size")
      ->check(CLI::PositiveNumber);
  app.add_option("--sizes", opts.sizes, "Float counts (default: 256 4096 65536 1Mi 4Mi 16Mi)");
  app.add_option("--max-workgroups", opts.max_workgroups,
                 "Workgroups per dispatch at most (0: 4096 on GPUs, 4 per thread on the CPU)");
  return [] {
    bench::ZeroCopyOptions o;
    o.iterations = opts.iterations;
    o.max_workgroups = opts.max_workgroups;
    if (!opts.sizes.empty()) o.sizes = opts.sizes;
    Result<bench::ZeroCopyReport> r = bench::RunZeroCopyBench(o);
    if (!r.ok()) {
      PrintError(r.error());
      return 1;
    }
    if (opts.json) {
      PrintZeroCopyJson(*r);
    } else {
      PrintZeroCopyTable(*r);
    }
    for (const bench::ZeroCopyRow& row : r->rows) {
      if (!row.ok) return 1;
    }
    return 0;
  };
}
WASMGPU_BENCH(zero_copy, "zero-copy",
              "y = a*x + b three ways: copy (writeBuffer + mapAsync), zero-copy (host-mapped), "
              "resident",
              SetupZeroCopy);
#endif  // WASMGPU_BENCH_HAVE_GPU

}  // namespace

BenchRegistration::BenchRegistration(const char* name, const char* help, CommandSetup setup) {
  BenchRegistry().push_back({name, help, setup});
}

}  // namespace wasmgpu::cli
