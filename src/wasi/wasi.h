// WASI preview1 (`wasi_snapshot_preview1`) for wasmgpu guests: args, environment, clocks,
// random, proc_exit, sched_yield, poll_oneoff, and the fd_* / path_* families, which this glue
// forwards to the filesystem layer (src/wasi/fs/fd_table.h) after checking guest memory.
// Sockets and proc_raise return ENOSYS.
//
// Guest pointers: every (pointer, length) the guest passes is checked against the current
// memory size, overflow-safe, before anything is read or written; a bad one returns EFAULT (21)
// to the guest, as other runtimes do. Nothing here traps except proc_exit.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "wasi/fs/fd_table.h"
#include "wasm/host_registry.h"
#include "wasm/instance.h"

namespace wasmgpu::wasi {

inline constexpr char kWasiModule[] = "wasi_snapshot_preview1";

// More iovecs than this in one call is refused (EINVAL), as POSIX IOV_MAX is. The glue holds a
// host span per iovec (16 bytes each), so the cap also bounds what one call allocates.
inline constexpr uint32_t kMaxIovs = 1024;
// More subscriptions than this in one poll_oneoff is refused (EINVAL) before anything is
// allocated: each costs ~40 bytes of host memory, so without a cap a guest with 4 GiB of memory
// could make the host allocate ~3.5 GB in one call. What programs ask for: wasi-libc's poll()
// makes at most 2 subscriptions per pollfd (read, write) plus one clock, select() one per fd
// in each set (FD_SETSIZE 1024) plus one clock, so polling every fd a guest can hold
// (FdTable::kMaxOpenFds, 1024) for both read and write with a timeout takes 2049. 4096 leaves
// room for programs that list an fd more than once. Linux's poll(2) answers EINVAL too when
// nfds exceeds RLIMIT_NOFILE, and wasi-libc hands the errno through to the caller.
inline constexpr uint32_t kMaxPollSubscriptions = 4096;

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
