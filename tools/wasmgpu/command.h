// Subcommands of the `wasmgpu` CLI register themselves, one file each (cmd_info.cpp, cmd_run.cpp,
// ...), so main.cpp never changes when a command is added.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace wasmgpu::cli {

// Adds the command's options to `sub` and returns what runs it once parsing succeeded; the
// returned int is the process exit code.
using CommandRunner = std::function<int()>;
using CommandSetup = CommandRunner (*)(CLI::App& sub);

struct CommandRegistration {
  CommandRegistration(const char* name, const char* help, CommandSetup setup);
};

// Options every command shares, set by main before a command runs.
struct GlobalOptions {
  int verbose = 0;
};
const GlobalOptions& Globals();

}  // namespace wasmgpu::cli

// WASMGPU_COMMAND(info, "Show the adapters", SetupInfo);
#define WASMGPU_COMMAND(name, help, setup) \
  static const ::wasmgpu::cli::CommandRegistration kRegistration_##name(#name, help, setup)
