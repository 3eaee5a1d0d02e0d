// `wasmgpu compile app.wasm [-o out.so]`: validates, links and compiles a module ahead of time,
// into the cache that `wasmgpu run` uses, or to a file.
#include <unistd.h>

#include <fmt/format.h>

#include "command.h"
#include "wasm/engine.h"

namespace wasmgpu::cli {

wasm::HostRegistry BuildHostRegistry();  // cmd_run.cpp
void PrintError(const Error& error);     // cmd_run.cpp
extern int g_command_verbose;            // cmd_run.cpp

namespace {

struct CompileOptions {
  std::string module;
  std::string output;
};

CommandRunner SetupCompile(CLI::App& sub) {
  auto o = std::make_shared<CompileOptions>();
  sub.add_option("module", o->module, "The WebAssembly module (.wasm)")->required();
  sub.add_flag("-v,--verbose", g_command_verbose, "More detail on errors");
  sub.add_option("-o,--output", o->output,
                 "Write the compiled shared object here instead of into the cache");
  return [o] {
    wasm::EngineOptions options;
    options.progress = isatty(2) != 0;
    wasm::Engine engine(options);
    wasm::HostRegistry registry = BuildHostRegistry();
    Result<std::string> path = engine.CompileFile(o->module, registry, o->output);
    if (!path.ok()) {
      PrintError(path.error());
      return 2;
    }
    fmt::print("{}\n", *path);
    return 0;
  };
}

WASMGPU_COMMAND(compile, "Compile a module ahead of time (into the cache, or -o FILE)",
                SetupCompile);

}  // namespace
}  // namespace wasmgpu::cli
