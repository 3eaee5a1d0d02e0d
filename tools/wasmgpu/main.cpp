// The `wasmgpu` command line: `wasmgpu <command> [options]`. Commands live in cmd_*.cpp.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "command.h"

namespace wasmgpu::cli {
namespace {

struct Entry {
  const char* name;
  const char* help;
  CommandSetup setup;
};

std::vector<Entry>& Registry() {
  static std::vector<Entry> entries;
  return entries;
}

GlobalOptions g_options;

}  // namespace

CommandRegistration::CommandRegistration(const char* name, const char* help, CommandSetup setup) {
  Registry().push_back({name, help, setup});
}

const GlobalOptions& Globals() { return g_options; }

}  // namespace wasmgpu::cli

int main(int argc, char** argv) {
  using namespace wasmgpu::cli;
  CLI::App app{"wasmgpu: WebGPU compute for WebAssembly guests, with zero-copy buffers", "wasmgpu"};
  app.set_version_flag("--version", WASMGPU_VERSION);
  app.add_flag("-v,--verbose", g_options.verbose, "More detail on errors (repeat for more)");
  app.require_subcommand(1);
  std::map<std::string, CommandRunner> runners;
  for (const Entry& e : Registry()) {
    CLI::App* sub = app.add_subcommand(e.name, e.help);
    runners[e.name] = e.setup(*sub);
  }
  CLI11_PARSE(app, argc, argv);
  for (CLI::App* sub : app.get_subcommands()) {
    return runners[sub->get_name()]();
  }
  return 2;
}
