// `wasmgpu run [options] app.wasm [args...]`: runs a WASI command module.
//
// Exit status: the guest's exit code (what `_start` returns through proc_exit, 0 if it returns);
// 124 when --timeout stopped it; 134 when it trapped; 2 when the module could not be loaded,
// linked or started (bad file, unsupported feature, unknown import, bad option). The reason is
// one line on stderr, more with -v.
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "command.h"
#include "wasi/wasi.h"
#include "wasm/engine.h"
#include "wasm/instance.h"
// The `wasmgpu` import module (issue 3). src/host builds wasmgpu_host whenever the engine and
// libwasmgpu exist, and tools/CMakeLists.txt links it into the CLI.
#if __has_include("host/host.h")
#include "host/host.h"
#define WASMGPU_HAVE_HOST 1
#endif

extern char** environ;

namespace wasmgpu::cli {

// The imports every `wasmgpu` command links guests against. Shared with cmd_compile.cpp.
// Issue 3 (src/host) registers the `wasmgpu` import module here as well.
wasm::HostRegistry BuildHostRegistry() {
  wasm::HostRegistry registry;
  wasi::RegisterWasi(registry);
#if WASMGPU_HAVE_HOST
  host::RegisterImports(registry);  // creates its per-instance state on the first wgpu* call
#endif
  return registry;
}

// `-v` given after the command (`wasmgpu run -v app.wasm`) as well as before it.
int g_command_verbose = 0;
bool Verbose() { return Globals().verbose > 0 || g_command_verbose > 0; }

// Prints an error the CLI way: first line always, the rest with -v.
void PrintError(const Error& error) {
  std::string_view msg = error.message;
  size_t nl = msg.find('\n');
  if (Verbose() || nl == std::string_view::npos) {
    fmt::print(stderr, "wasmgpu: {}\n", msg);
  } else {
    fmt::print(stderr, "wasmgpu: {} (-v for details)\n", msg.substr(0, nl));
  }
}

namespace {

constexpr int kExitLoadError = 2;
constexpr int kExitTimeout = 124;
constexpr int kExitTrap = 134;

struct RunOptions {
  std::string module;
  std::vector<std::string> args;
  std::vector<std::string> dirs;
  std::vector<std::string> env;
  bool inherit_env = false;
  double timeout_s = 0;
  std::string zero_copy = "auto";
  std::string adapter;
  uint32_t max_memory_mib = 4095;
};

// Raises the soft RLIMIT_NOFILE to the hard limit: the guest may hold up to half the soft limit
// (wasi::GuestFdBudget), and the common default soft limit of 1024 would leave it 512 and the
// runtime the rest. Failing to raise it only leaves the budget smaller. Child processes (the C
// compiler of ahead-of-time compilation) inherit the raised limit, which does them no harm.
void RaiseOpenFileLimit() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &r);
  }
}

int Run(RunOptions& o) {
  RaiseOpenFileLimit();
  wasi::WasiConfig wasi;
  wasi.args.push_back(o.module);
  for (std::string& a : o.args) wasi.args.push_back(a);
  if (o.inherit_env) {
    for (char** e = environ; *e != nullptr; ++e) wasi.env.emplace_back(*e);
  }
  for (const std::string& e : o.env) {
    if (Status s = wasi::CheckEnvEntry(e); !s.ok()) {
      PrintError(s.error());
      return kExitLoadError;
    }
    wasi.env.push_back(e);
  }
  for (const std::string& d : o.dirs) {
    Result<wasi::PreopenSpec> spec = wasi::ParsePreopenSpec(d);
    if (!spec.ok()) {
      PrintError(spec.error());
      return kExitLoadError;
    }
    wasi.preopens.push_back(*spec);
  }

  wasm::InstanceOptions options;
  if (o.timeout_s < 0) {
    PrintError(ValidationError("--timeout ({}) must not be negative.", o.timeout_s));
    return kExitLoadError;
  }
  options.timeout = std::chrono::milliseconds(static_cast<int64_t>(o.timeout_s * 1000.0 + 0.5));
  if (o.timeout_s > 0 && options.timeout.count() == 0) options.timeout = std::chrono::milliseconds(1);
  options.max_memory_pages = std::min<uint32_t>(o.max_memory_mib * 16, 65535);
  options.gpu.zero_copy =
      o.zero_copy == "off" ? wasm::GpuOptions::ZeroCopy::kOff : wasm::GpuOptions::ZeroCopy::kAuto;
  options.gpu.adapter = o.adapter;

  wasm::EngineOptions engine_options;
  engine_options.progress = isatty(2) != 0;
  wasm::Engine engine(engine_options);
  wasm::HostRegistry registry = BuildHostRegistry();

  Result<std::shared_ptr<wasm::Module>> module = engine.LoadFile(o.module, registry);
  if (!module.ok()) {
    PrintError(module.error());
    return kExitLoadError;
  }
  Result<std::unique_ptr<wasm::Instance>> instance =
      wasm::Instance::Create(*module, registry, options);
  if (!instance.ok()) {
    PrintError(instance.error());
    return kExitLoadError;
  }
  wasm::Instance& inst = **instance;
  Result<std::unique_ptr<wasi::WasiState>> wasi_state = wasi::WasiState::Create(std::move(wasi));
  if (!wasi_state.ok()) {
    PrintError(wasi_state.error());
    return kExitLoadError;
  }
  inst.SetHostState(wasm::kWasiStateSlot, std::move(wasi_state).value());
  // src/host attaches its state (slot kGpuStateSlot) lazily and reads inst.options().gpu.

  Result<int> code = inst.RunStart();
  std::fflush(stdout);
  if (!code.ok()) {
    PrintError(code.error());
    if (Verbose()) {
      fmt::print(stderr, "wasmgpu: module {} (compiled object {}{})\n", o.module,
                 inst.module().object_path(), inst.module().from_cache() ? ", from cache" : "");
    }
    if (inst.trap_kind() == wasm::TrapKind::kTimeout) return kExitTimeout;
    return inst.trapped() ? kExitTrap : kExitLoadError;
  }
  return *code;
}

CommandRunner SetupRun(CLI::App& sub) {
  auto o = std::make_shared<RunOptions>();
  sub.add_flag("-v,--verbose", g_command_verbose, "More detail on errors");
  sub.add_option("--dir", o->dirs,
                 "Preopen a host directory: HOST, HOST::GUEST, or HOST::GUEST:ro (read-only)")
      ->type_name("HOST[::GUEST][:ro]")
      ->allow_extra_args(false);
  sub.add_option("--env", o->env, "Set a guest environment variable (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  sub.add_flag("--inherit-env", o->inherit_env,
               "Pass the host environment to the guest (before any --env)");
  sub.add_option("--timeout", o->timeout_s, "Stop the guest after this many seconds (exit 124)")
      ->type_name("SECONDS");
  sub.add_option("--max-memory", o->max_memory_mib,
                 "Cap the guest's linear memory, in MiB (default and maximum 4095)")
      ->type_name("MIB")
      ->check(CLI::Range(1u, 4095u));
  sub.add_option("--zero-copy", o->zero_copy,
                 "GPU buffers over guest memory: auto (where the adapter allows) or off")
      ->check(CLI::IsMember({"auto", "off"}));
  sub.add_option("--adapter", o->adapter, "GPU adapter to use (name or index; see wasmgpu info)");
  // The module and everything after it belong to the guest, in order, even words that look
  // like options: with prefix_command, CLI11 stops at the first positional and leaves the rest
  // in remaining(). (A positional option would let CLI11 parse options after the module.)
  sub.prefix_command(true);
  sub.footer(
      "Usage: wasmgpu run [OPTIONS] app.wasm [ARGS...]  (ARGS go to the guest unchanged)\n"
      "Exit status: the guest's; 124 on --timeout, 134 on a trap, 2 when the module cannot be "
      "loaded.\nCompiled modules are cached in $XDG_CACHE_HOME/wasmgpu (~/.cache/wasmgpu).");
  return [o, &sub] {
    std::vector<std::string> rest = sub.remaining();
    if (!rest.empty() && rest.front() == "--") rest.erase(rest.begin());
    if (rest.empty()) {
      fmt::print(stderr, "wasmgpu: run needs a module: wasmgpu run [OPTIONS] app.wasm [ARGS...]\n");
      return kExitLoadError;
    }
    if (rest.front().size() > 1 && rest.front()[0] == '-') {
      fmt::print(stderr, "wasmgpu: run has no option '{}' (see wasmgpu run --help).\n",
                 rest.front());
      return kExitLoadError;
    }
    o->module = rest.front();
    o->args.assign(rest.begin() + 1, rest.end());
    return Run(*o);
  };
}

WASMGPU_COMMAND(run, "Run a WASI command module (app.wasm)", SetupRun);

}  // namespace
}  // namespace wasmgpu::cli
