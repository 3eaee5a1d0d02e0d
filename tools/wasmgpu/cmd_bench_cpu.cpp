// `wasmgpu bench cpu`: steady-state speed of guest code against the same C compiled natively
// and the same .wasm under Node's V8, side by side in one run, plus `wasmgpu run` start-up on a
// cache hit. Issue 4's targets: within 1.3x of `cc -O2`, faster than V8, start-up < 20 ms.
//
// Runners, interleaved round by round so that machine load hits them alike (each reports the
// median of its own timed repetitions; the bench reports the median over rounds):
//   native         build/bin/wasmgpu-bench-matmul-native   (cc -O2; GCC auto-vectorizes it)
//   native-scalar  build/bin/wasmgpu-bench-matmul-scalar   (cc -O2 -fno-tree-vectorize)
//   wasmgpu        build/bench/wasm/matmul.wasm in this process (engine + WASI, cache hit)
//   node           the same .wasm under `node` (node:wasi), when node is on PATH
// All build from bench/wasm/guests/matmul.c (bench/wasm/CMakeLists.txt) and print the same
// checksum; the bench fails if they disagree.
#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bench/stats.h"
#include "cmd_bench.h"
#include "wasi/wasi.h"
#include "wasm/engine.h"
#include "wasm/instance.h"
#include "wasm/subprocess.h"

extern char** environ;

namespace wasmgpu::cli {

wasm::HostRegistry BuildHostRegistry();  // cmd_run.cpp

namespace {

namespace fs = std::filesystem;
using wasm::RunCapture;

// node:wasi runner, CommonJS so that it can be passed with `node -e` (no file to ship):
// argv[1] is the module, the rest go to the guest.
constexpr char kNodeRunner[] = R"JS(
const { WASI } = require('node:wasi');
const fs = require('node:fs');
const args = process.argv.slice(1);
const wasi = new WASI({ version: 'preview1', args, env: {}, returnOnExit: true });
WebAssembly.compile(fs.readFileSync(args[0]))
  .then((m) => WebAssembly.instantiate(m, wasi.getImportObject()))
  .then((i) => { process.exitCode = wasi.start(i); });
)JS";

struct CpuOptions {
  bool json = false;
  int rounds = 5;
  int reps = 200;
  int startup_runs = 30;
  std::string native;
  std::string native_scalar;
  std::string wasm;
  std::string startup_wasm;
  std::string node = "node";
};

struct GuestReport {
  double median_ms = 0;
  std::string checksum;
};

// One runner's results over the rounds.
struct Runner {
  std::string name;
  std::string what;
  std::vector<double> medians;
  std::string checksum;
  std::string error;
  bool available = true;
};

double NowMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string SelfDir() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : self.parent_path().string();
}

// The value of `key=` in the guest's report line ("matmul128 reps=200 median_ms=1.2 ...").
std::string Field(const std::string& text, const std::string& key) {
  size_t at = text.find(" " + key + "=");
  if (at == std::string::npos) return "";
  at += key.size() + 2;
  size_t end = text.find_first_of(" \n", at);
  return text.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

Result<GuestReport> ParseReport(const std::string& text, const std::string& who) {
  GuestReport r;
  std::string median = Field(text, "median_ms");
  r.checksum = Field(text, "checksum");
  char* end = nullptr;
  r.median_ms = std::strtod(median.c_str(), &end);
  if (median.empty() || end == median.c_str() || r.checksum.empty()) {
    return MakeError(ErrorKind::kOther, "{} printed no matmul128 report line; it printed: '{}'.",
                     who, text.substr(0, 200));
  }
  return r;
}

// Runs `module` once in this process with the given guest args; returns what it printed.
Result<std::string> RunInProcess(const std::shared_ptr<wasm::Module>& module,
                                 const wasm::HostRegistry& registry,
                                 const std::vector<std::string>& args) {
  int out_fd = memfd_create("wasmgpu-bench-stdout", MFD_CLOEXEC);
  if (out_fd < 0) return MakeError(ErrorKind::kOther, "memfd_create failed.");
  std::string out;
  Status status = [&]() -> Status {
    wasi::WasiConfig config;
    config.args = args;
    config.stdio.stdout_fd = out_fd;
    TRY_ASSIGN(std::unique_ptr<wasm::Instance> inst, wasm::Instance::Create(module, registry));
    TRY_ASSIGN(std::unique_ptr<wasi::WasiState> state, wasi::WasiState::Create(config));
    inst->SetHostState(wasm::kWasiStateSlot, std::move(state));
    TRY_ASSIGN(int code, inst->RunStart());
    if (code != 0) return MakeError(ErrorKind::kOther, "The guest exited with code {}.", code);
    return {};
  }();
  if (status.ok()) {
    off_t size = lseek(out_fd, 0, SEEK_END);
    out.resize(size > 0 ? static_cast<size_t>(size) : 0);
    if (!out.empty() && pread(out_fd, out.data(), out.size(), 0) != size) out.clear();
  }
  close(out_fd);
  if (!status.ok()) return status.error();
  return out;
}

struct Startup {
  double process_median_ms = 0;
  double process_best_ms = 0;
  double inprocess_median_ms = 0;
  std::optional<double> node_median_ms;
};

int Fail(const std::string& message) {
  fmt::print(stderr, "wasmgpu bench cpu: {}\n", message);
  return 1;
}

// Progress on stderr only when it is a terminal (the CLI's rule).
void Progress(const std::string& line) {
  if (isatty(2) != 0) fmt::print(stderr, "{}\n", line);
}

int RunCpuBench(CpuOptions& o) {
  const std::string dir = SelfDir();
  if (o.native.empty()) o.native = dir + "/wasmgpu-bench-matmul-native";
  if (o.native_scalar.empty()) o.native_scalar = dir + "/wasmgpu-bench-matmul-scalar";
  if (o.wasm.empty()) o.wasm = dir + "/../bench/wasm/matmul.wasm";
  if (o.startup_wasm.empty()) o.startup_wasm = dir + "/../examples/hello.wasm";
  const std::string reps = std::to_string(o.reps);

  wasm::EngineOptions engine_options;
  engine_options.progress = isatty(2) != 0;
  wasm::Engine engine(engine_options);
  wasm::HostRegistry registry = BuildHostRegistry();
  Result<std::shared_ptr<wasm::Module>> module = engine.LoadFile(o.wasm, registry);
  if (!module.ok()) return Fail(module.error().message);

  std::vector<Runner> runners = {
      {"native", "cc -O2 (GCC auto-vectorizes)", {}, "", "", true},
      {"native-scalar", "cc -O2 -fno-tree-vectorize", {}, "", "", true},
      {"wasmgpu", "in-process engine (clang wasm32 -O2, wasm2c, cc)", {}, "", "", true},
      {"node", "node:wasi, same .wasm", {}, "", "", !o.node.empty() && o.node != "none"},
  };
  auto run_one = [&](Runner& r) -> Result<GuestReport> {
    if (r.name == "wasmgpu") {
      TRY_ASSIGN(std::string text, RunInProcess(*module, registry, {"matmul", reps}));
      return ParseReport(text, "The wasmgpu run");
    }
    std::vector<std::string> argv;
    if (r.name == "native") argv = {o.native, reps};
    if (r.name == "native-scalar") argv = {o.native_scalar, reps};
    if (r.name == "node") argv = {o.node, "--no-warnings", "-e", kNodeRunner, o.wasm, reps};
    TRY_ASSIGN(std::string text, RunCapture(argv));
    return ParseReport(text, argv[0]);
  };
  for (int round = 0; round < o.rounds; ++round) {
    // Rotate the order so no runner always follows the same neighbour.
    for (size_t k = 0; k < runners.size(); ++k) {
      Runner& r = runners[(k + static_cast<size_t>(round)) % runners.size()];
      if (!r.available || !r.error.empty()) continue;
      Result<GuestReport> rep = run_one(r);
      if (!rep.ok()) {
        r.error = rep.error().message;
        if (r.name == "node") continue;  // optional: reported, not fatal
        return Fail(r.error);
      }
      r.medians.push_back(rep->median_ms);
      r.checksum = rep->checksum;
    }
    Progress(fmt::format("round {}/{} done", round + 1, o.rounds));
  }
  std::map<std::string, double> median;
  std::string checksum = runners[0].checksum;
  bool checksums_match = true;
  for (const Runner& r : runners) {
    if (r.medians.empty()) continue;
    median[r.name] = bench::Median(r.medians);
    checksums_match = checksums_match && r.checksum == checksum;
  }
  if (!checksums_match) {
    std::string sums;
    for (const Runner& r : runners) {
      if (!r.medians.empty()) sums += fmt::format(" {}={}", r.name, r.checksum);
    }
    return Fail(fmt::format("The runners disagree on the checksum:{}.", sums));
  }

  // Start-up on a cache hit: `wasmgpu run hello.wasm` as a new process (what a user sees), and
  // load + instantiate + run inside this process (what the engine costs).
  Startup st;
  std::vector<std::string> run_argv = {dir + "/wasmgpu", "run", o.startup_wasm};
  if (Result<std::string> warm = RunCapture(run_argv); !warm.ok()) {
    return Fail(warm.error().message);
  }
  std::vector<double> process_ms;
  std::vector<double> inprocess_ms;
  for (int i = 0; i < o.startup_runs; ++i) {
    double t0 = NowMs();
    if (Result<std::string> r = RunCapture(run_argv); !r.ok()) return Fail(r.error().message);
    process_ms.push_back(NowMs() - t0);
    t0 = NowMs();
    Result<std::shared_ptr<wasm::Module>> m = engine.LoadFile(o.startup_wasm, registry);
    if (!m.ok()) return Fail(m.error().message);
    if (Result<std::string> r = RunInProcess(*m, registry, {"hello"}); !r.ok()) {
      return Fail(r.error().message);
    }
    inprocess_ms.push_back(NowMs() - t0);
  }
  st.process_median_ms = bench::Median(process_ms);
  st.process_best_ms = *std::min_element(process_ms.begin(), process_ms.end());
  st.inprocess_median_ms = bench::Median(inprocess_ms);
  if (median.count("node") != 0) {
    std::vector<double> node_ms;
    for (int i = 0; i < 5; ++i) {
      double t0 = NowMs();
      if (!RunCapture({o.node, "--no-warnings", "-e", kNodeRunner, o.startup_wasm}).ok()) break;
      node_ms.push_back(NowMs() - t0);
    }
    if (!node_ms.empty()) st.node_median_ms = bench::Median(node_ms);
  }

  std::string cpu_model = "unknown";
  if (std::FILE* f = std::fopen("/proc/cpuinfo", "r")) {
    char line[512];
    while (std::fgets(line, sizeof(line), f) != nullptr) {
      std::string_view l(line);
      if (l.rfind("model name", 0) != 0 || l.find(": ") == std::string_view::npos) continue;
      l.remove_prefix(l.find(": ") + 2);
      while (!l.empty() && (l.back() == '\n' || l.back() == ' ')) l.remove_suffix(1);
      cpu_model = l;
      break;
    }
    std::fclose(f);
  }
  const unsigned cpus = std::thread::hardware_concurrency();
  double load[3] = {0, 0, 0};
  if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3) load[0] = -1;
    std::fclose(f);
  }
  auto ratio = [&](const char* a, const char* b) -> nlohmann::json {
    if (median.count(a) == 0 || median.count(b) == 0 || median[b] <= 0) return nullptr;
    return median[a] / median[b];
  };
  if (o.json) {
    nlohmann::json runs = nlohmann::json::object();
    for (const Runner& r : runners) {
      nlohmann::json j = {{"what", r.what}, {"round_medians_ms", r.medians}};
      j["median_ms"] = r.medians.empty() ? nlohmann::json(nullptr) : nlohmann::json(median[r.name]);
      if (!r.error.empty()) j["error"] = r.error;
      if (!r.available) j["error"] = "not run (--node none)";
      runs[r.name] = std::move(j);
    }
    nlohmann::json j = {
        {"kernel", "matmul128"},
        {"reps", o.reps},
        {"rounds", o.rounds},
        {"checksum", checksum},
        {"runners", std::move(runs)},
        {"wasmgpu_over_native", ratio("wasmgpu", "native")},
        {"wasmgpu_over_native_scalar", ratio("wasmgpu", "native-scalar")},
        {"wasmgpu_over_node", ratio("wasmgpu", "node")},
        {"node_over_native", ratio("node", "native")},
        {"startup",
         {{"guest", o.startup_wasm},
          {"runs", o.startup_runs},
          {"wasmgpu_run_median_ms", st.process_median_ms},
          {"wasmgpu_run_best_ms", st.process_best_ms},
          {"in_process_median_ms", st.inprocess_median_ms},
          {"node_median_ms", st.node_median_ms ? nlohmann::json(*st.node_median_ms)
                                               : nlohmann::json(nullptr)}}},
        {"cpu", cpu_model},
        {"cpus", cpus},
        {"loadavg", {load[0], load[1], load[2]}},
    };
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  fmt::print("128x128 float matmul, {} rounds x {} timed repetitions (median of round medians)\n",
             o.rounds, o.reps);
  fmt::print("{:<14} {:>10} {:>10} {:>10}  {}\n", "runner", "ms", "/native", "/scalar", "what");
  for (const Runner& r : runners) {
    if (r.medians.empty()) {
      fmt::print("{:<14} {:>10}  {}\n", r.name, "-",
                 r.available ? r.error : std::string("not run (--node none)"));
      continue;
    }
    fmt::print("{:<14} {:>10.4f} {:>10.2f} {:>10.2f}  {}\n", r.name, median[r.name],
               median[r.name] / median["native"], median[r.name] / median["native-scalar"], r.what);
  }
  fmt::print("checksum {} (all runners agree)\n", checksum);
  if (median.count("node") != 0) {
    fmt::print("wasmgpu / node: {:.2f}\n", median["wasmgpu"] / median["node"]);
  }
  fmt::print("\nstart-up on a cache hit ({}, {} runs):\n", o.startup_wasm, o.startup_runs);
  fmt::print("  wasmgpu run (new process): median {:.2f} ms, best {:.2f} ms\n",
             st.process_median_ms, st.process_best_ms);
  fmt::print("  in this process (read + hash + dlopen + instantiate + run): median {:.2f} ms\n",
             st.inprocess_median_ms);
  if (st.node_median_ms) fmt::print("  node: median {:.1f} ms\n", *st.node_median_ms);
  fmt::print("cpu: {} ({} online); load average: {:.2f} {:.2f} {:.2f}\n", cpu_model, cpus, load[0],
             load[1], load[2]);
  return 0;
}

CommandRunner SetupCpu(CLI::App& app) {
  auto o = std::make_shared<CpuOptions>();
  app.add_flag("--json", o->json, "JSON on stdout");
  app.add_option("--rounds", o->rounds, "Interleaved rounds (each runner once per round)")
      ->check(CLI::Range(1, 1000));
  app.add_option("--reps", o->reps, "Timed matmuls per run (after 10 warm-up ones)")
      ->check(CLI::Range(1, 100000));
  app.add_option("--startup-runs", o->startup_runs, "Cache-hit start-ups to time")
      ->check(CLI::Range(1, 10000));
  app.add_option("--native", o->native, "Native -O2 build (default: next to wasmgpu)");
  app.add_option("--native-scalar", o->native_scalar, "Native scalar build");
  app.add_option("--wasm", o->wasm, "The matmul guest (default: build/bench/wasm/matmul.wasm)");
  app.add_option("--startup-wasm", o->startup_wasm,
                 "Small guest for start-up (default: build/examples/hello.wasm)");
  app.add_option("--node", o->node, "Node.js binary, or 'none' to skip it");
  return [o] { return RunCpuBench(*o); };
}

}  // namespace

WASMGPU_BENCH(cpu, "cpu",
              "Guest code speed: matmul under wasmgpu vs native cc -O2 vs Node, and start-up",
              SetupCpu);

}  // namespace wasmgpu::cli
