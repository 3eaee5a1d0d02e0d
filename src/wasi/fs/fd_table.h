// The WASI preview1 file-descriptor table of one guest instance: stdio, preopened directories and
// everything the guest opens beneath them, with one method per `fd_*` / `path_*` call.
//
// Division of labour with the import glue (src/wasi): the glue reads guest memory, checks every
// (ptr, len) against the memory's bounds, and hands this layer host values only: paths as
// std::string_view (not NUL-terminated, may contain anything), iovecs as host spans, output
// buffers as host spans, and raw integer flags exactly as the guest passed them (this layer
// validates them). Results come back as `Errno` plus plain out-parameters / the structs of
// wasi_types.h, which the glue copies into guest memory. Nothing here touches guest memory, traps
// or throws, so a wasm2c trap's longjmp never unwinds through this code.
//
// Sandbox (docs/wasi-fs.md): every path is resolved beneath the directory fd it is relative to,
// with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) where the kernel has it, else by a
// component walk with O_NOFOLLOW that refuses to leave that directory. Escapes (absolute paths,
// `..`, symlinks pointing out) return kNotcapable; mutations through a read-only preopen return
// kRofs; renames and links between different preopens return kXdev.
//
// Not thread-safe: one table per instance, used from the thread that runs the instance.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "wasi/fs/wasi_types.h"

namespace wasmgpu::wasi {

// One `--dir` argument: `HOST[::GUEST][:ro]`.
//   --dir data            host ./data, seen by the guest as "data"
//   --dir /srv/in::/in    host /srv/in, seen as "/in"
//   --dir /srv/in::/in:ro the same, read-only
//   --dir .::/:ro         the current directory as the guest's "/", read-only
struct PreopenSpec {
  std::string host_path;
  std::string guest_path;
  bool read_only = false;
};

// Parses one `--dir` value. Errors are sentences naming the value, e.g.
// "--dir value '' is empty; expected HOST[::GUEST][:ro]."
Result<PreopenSpec> ParsePreopenSpec(std::string_view spec);

// The host fds that back the guest's fds 0, 1 and 2. They are borrowed: the table never closes
// them (fd_close on 0-2 only removes the guest's entry).
struct StdioFds {
  int stdin_fd = 0;
  int stdout_fd = 1;
  int stderr_fd = 2;
};

// Test hook: forces the component-walk resolver even where openat2 exists (false restores
// auto-detection). Process-wide; only tests call it.
void ForceOpenat2FallbackForTesting(bool force);
// Whether path resolution currently uses openat2.
bool UsingOpenat2();

// The component-walk resolver keeps an fd for the directory it is in and for at most this many
// directories above it along the walk, so a guest's deep tree never makes one call hold more than
// kWalkRetraceLevels + 1 directory fds. A path that, after descending deeper than this, climbs
// back with ".." more than kWalkRetraceLevels levels and then names something there fails with
// kNametoolong (openat2 has no such limit); climbing all the way back to the starting directory
// works, and climbing above it is kNotcapable as always.
inline constexpr size_t kWalkRetraceLevels = 64;

// Test hook: the byte budget of one table's fd_readdir snapshots (0 restores
// FdTable::kReaddirSnapshotBudget). Process-wide; only tests call it.
void SetReaddirSnapshotBudgetForTesting(size_t bytes);

// Host fds that guests opened (path_open), summed over every FdTable in the process, and their
// bound: half the process's soft RLIMIT_NOFILE, read at each open (no bound when unlimited).
// Past it path_open returns kNfile, so guests together leave the other half to the host
// (FdTable::kMaxOpenFds bounds each table as well). `wasmgpu run` raises its soft limit to the
// hard one at start-up.
size_t GuestFdsHeld();
size_t GuestFdBudget();

class FdTable {
 public:
  // Guest fds 0-2 are stdio, then each preopen in order from fd 3. Fails (with the host path and
  // the OS error in the message) if a preopen's host directory cannot be opened.
  static Result<std::unique_ptr<FdTable>> Create(std::span<const PreopenSpec> preopens,
                                                 StdioFds stdio = {});
  ~FdTable();
  FdTable(const FdTable&) = delete;
  FdTable& operator=(const FdTable&) = delete;

  // Most fds one table may hold (stdio and preopens included); path_open beyond it returns
  // kMfile. With GuestFdBudget() it keeps guests from exhausting the host process's descriptors.
  static constexpr size_t kMaxOpenFds = 1024;

  // ---- fd_* ----------------------------------------------------------------------------------
  Errno FdAdvise(uint32_t fd, uint64_t offset, uint64_t len, Advice advice);
  Errno FdAllocate(uint32_t fd, uint64_t offset, uint64_t len);
  Errno FdClose(uint32_t fd);
  Errno FdDatasync(uint32_t fd);
  Errno FdFdstatGet(uint32_t fd, Fdstat* out);
  Errno FdFdstatSetFlags(uint32_t fd, Fdflags flags);
  // Rights may only shrink (kNotcapable otherwise); they are recorded and reported, not enforced
  // beyond what the host fd's open mode enforces.
  Errno FdFdstatSetRights(uint32_t fd, Rights base, Rights inheriting);
  Errno FdFilestatGet(uint32_t fd, Filestat* out);
  Errno FdFilestatSetSize(uint32_t fd, uint64_t size);
  Errno FdFilestatSetTimes(uint32_t fd, uint64_t atim, uint64_t mtim, Fstflags flags);
  // `*nread` / `*nwritten` are set on success only.
  Errno FdPread(uint32_t fd, std::span<const std::span<uint8_t>> iovs, uint64_t offset,
                uint32_t* nread);
  Errno FdPrestatGet(uint32_t fd, Prestat* out);
  // Copies the preopen's guest path (no NUL) into `out`; kNametoolong if it does not fit
  // (pr_name_len tells the size).
  Errno FdPrestatDirName(uint32_t fd, std::span<uint8_t> out);
  Errno FdPwrite(uint32_t fd, std::span<const std::span<const uint8_t>> iovs, uint64_t offset,
                 uint32_t* nwritten);
  Errno FdRead(uint32_t fd, std::span<const std::span<uint8_t>> iovs, uint32_t* nread);
  // Fills `buf` with dirents, each followed by its name, starting at entry `cookie` (0 = start;
  // each dirent's d_next is the cookie of the entry after it). The last entry is truncated if it
  // does not fit; `*bufused == buf.size()` tells the guest there may be more. "." and ".." are
  // listed. Cookie 0 takes a snapshot of the directory that later cookies index; see
  // kReaddirSnapshotBudget for how long it is kept.
  Errno FdReaddir(uint32_t fd, std::span<uint8_t> buf, uint64_t cookie, uint32_t* bufused);

  // The fd_readdir snapshots of one table together hold at most about this many bytes (an entry
  // costs ~48 bytes plus its name). Without a cap a guest could open one large directory on
  // every fd it may hold and list each, making the host hold kMaxOpenFds copies of it. When a
  // new snapshot goes over, the least recently read snapshots of other fds are dropped; a
  // dropped one is taken again when its fd is next read, so its cookies then index the
  // directory as it is at that moment. A single directory larger than the budget is still
  // listed (alone).
  static constexpr size_t kReaddirSnapshotBudget = size_t{64} << 20;
  // Bytes the fd_readdir snapshots of this table hold now, by the accounting above.
  size_t ReaddirSnapshotBytes() const;
  // Moves `from` onto `to` (which must be open; it is closed first). kBadf if either is not open.
  Errno FdRenumber(uint32_t from, uint32_t to);
  Errno FdSeek(uint32_t fd, int64_t offset, Whence whence, uint64_t* newoffset);
  Errno FdSync(uint32_t fd);
  Errno FdTell(uint32_t fd, uint64_t* offset);
  Errno FdWrite(uint32_t fd, std::span<const std::span<const uint8_t>> iovs, uint32_t* nwritten);

  // ---- path_* --------------------------------------------------------------------------------
  // `fd` must be a directory fd (a preopen or a directory opened beneath one); paths are relative
  // to it and may not leave it.
  Errno PathCreateDirectory(uint32_t fd, std::string_view path);
  Errno PathFilestatGet(uint32_t fd, Lookupflags flags, std::string_view path, Filestat* out);
  Errno PathFilestatSetTimes(uint32_t fd, Lookupflags flags, std::string_view path, uint64_t atim,
                             uint64_t mtim, Fstflags fst_flags);
  // Following a symlink at old_path (kLookupflagsSymlinkFollow) is not supported: kInval.
  Errno PathLink(uint32_t old_fd, Lookupflags old_flags, std::string_view old_path, uint32_t new_fd,
                 std::string_view new_path);
  // The access mode comes from the rights, as in other runtimes: read if base has fd_read or
  // fd_readdir, write if it has fd_write, fd_datasync, fd_allocate or fd_filestat_set_size.
  Errno PathOpen(uint32_t fd, Lookupflags dirflags, std::string_view path, Oflags oflags,
                 Rights fs_rights_base, Rights fs_rights_inheriting, Fdflags fdflags,
                 uint32_t* opened_fd);
  // Copies the link's contents (no NUL) into buf, truncated to its size; `*bufused` = bytes copied.
  Errno PathReadlink(uint32_t fd, std::string_view path, std::span<uint8_t> buf, uint32_t* bufused);
  Errno PathRemoveDirectory(uint32_t fd, std::string_view path);
  Errno PathRename(uint32_t fd, std::string_view old_path, uint32_t new_fd,
                   std::string_view new_path);
  // Creates new_path (beneath fd) as a symlink to old_path. Refused with kNotcapable when
  // old_path is absolute or its leading `..`s climb above the preopen.
  Errno PathSymlink(std::string_view old_path, uint32_t fd, std::string_view new_path);
  Errno PathUnlinkFile(uint32_t fd, std::string_view path);

  // ---- poll_oneoff ----------------------------------------------------------------------------
  // The host fd behind guest `fd`, for poll(2): kBadf when it is not open, is a directory, or
  // `for_write` and it was not opened for writing (as fd_read / fd_write would answer).
  Errno HostFdForPoll(uint32_t fd, bool for_write, int* host_fd);

  // Number of open guest fds (stdio included), for tests and diagnostics.
  size_t OpenCount() const;

 private:
  struct Entry;
  class GuestFd;
  FdTable();
  Entry* Get(uint32_t fd);
  // The directory entry `fd`, or null with *err = kBadf (not open) or kNotdir (not a directory).
  Entry* GetDir(uint32_t fd, Errno* err);
  uint32_t Insert(std::unique_ptr<Entry> entry);  // Lowest free guest fd.
  // Drops the least recently read snapshots other than `keep`'s until the rest fit the budget.
  void TrimReaddirSnapshots(const Entry* keep);

  std::vector<std::unique_ptr<Entry>> entries_;  // Index = guest fd; null = free.
  uint64_t readdir_clock_ = 0;                   // Orders snapshots by last use.
};

}  // namespace wasmgpu::wasi
