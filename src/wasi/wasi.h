// WASI preview1 (`wasi_snapshot_preview1`) for wasmgpu guests: args, environment, clocks,
// random, proc_exit, sched_yield, poll_oneoff, and the fd_* / path_* families, which this glue
// forwards to the filesystem layer (src/wasi/fs/fd_table.h) after checking guest memory.
// Sockets and proc_raise return ENOSYS.
//
// Guest pointers: every (pointer, length) the guest passes is checked against the current
// memory size, overflow-safe, before anything is read or written; a bad one returns EFAULT (21)
// to the guest, as other runtimes do. Nothing here traps except proc_exit.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "wasi/fs/fd_table.h"
#include "wasm/host_registry.h"
#include "wasm/instance.h"

namespace wasmgpu::wasi {

inline constexpr char kWasiModule[] = "wasi_snapshot_preview1";

struct WasiConfig {
  std::vector<std::string> args;     // argv, argv[0] included (the program name)
  std::vector<std::string> env;      // "KEY=VALUE" entries, in order
  std::vector<PreopenSpec> preopens; // guest fds 3, 4, ... in order
  StdioFds stdio;
};

// Per-instance WASI state (slot wasm::kWasiStateSlot).
class WasiState : public wasm::HostState {
 public:
  static Result<std::unique_ptr<WasiState>> Create(WasiConfig config);

  const std::vector<std::string>& args() const { return args_; }
  const std::vector<std::string>& env() const { return env_; }
  FdTable& fds() { return *fds_; }

 private:
  WasiState() = default;
  std::vector<std::string> args_;
  std::vector<std::string> env_;
  std::unique_ptr<FdTable> fds_;
};

// Registers every wasi_snapshot_preview1 function in `registry`.
void RegisterWasi(wasm::HostRegistry& registry);

// Parses "--env K=V": the key must be non-empty and contain no '=' or NUL. Error example:
//   "--env value 'FOO' has no '='; expected KEY=VALUE."
Status CheckEnvEntry(std::string_view entry);

}  // namespace wasmgpu::wasi
