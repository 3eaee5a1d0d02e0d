// Helpers shared by the files of src/wasi/fs; not part of the interface the glue uses.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <string>
#include <string_view>
#include <utility>

#include "wasi/fs/wasi_types.h"

namespace wasmgpu::wasi::internal {

// Owns one host file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      Reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() { return std::exchange(fd_, -1); }
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// Translates a host errno into the WASI one (kIo for anything without a counterpart).
Errno ErrnoFromHost(int host_errno);

// Checks a guest path before any syscall sees it: empty -> kNoent, embedded NUL -> kInval
// (it would silently cut the path short), longer than PATH_MAX -> kNametoolong, absolute ->
// kNotcapable (preview1 paths are always relative to a directory fd).
Errno CheckGuestPath(std::string_view path);

// Opens `path` beneath the directory `dirfd` with open(2) `flags` (O_CLOEXEC is added) and
// `mode` (used with O_CREAT only). Intermediate symlinks are followed while they stay beneath
// dirfd; the last component is followed only when `follow_final` (else O_NOFOLLOW semantics:
// kLoop for a symlink, or the link itself with O_PATH). A trailing slash always follows, as in
// POSIX. Anything that would leave dirfd — `..` above it, an absolute symlink, a relative one that
// climbs out — fails with kNotcapable; nothing is created outside. `path` must have passed
// CheckGuestPath.
struct OpenResult {
  UniqueFd fd;
  Errno err = Errno::kSuccess;
};
OpenResult OpenBeneath(int dirfd, std::string_view path, int flags, mode_t mode, bool follow_final);

// The parent directory of a path's last component, opened (O_PATH) beneath dirfd, and that
// component, for the *at() calls that act on a name without following it (mkdirat, unlinkat,
// renameat, linkat, symlinkat). A trailing slash stays on `name` so the kernel applies its
// directory-only meaning. When the last component is "." or "..", the whole path is opened as
// the directory (so the escape check covers it) and `name` is ".".
struct ParentResult {
  UniqueFd parent;
  std::string name;
  bool trailing_slash = false;
  Errno err = Errno::kSuccess;
};
ParentResult OpenParentBeneath(int dirfd, std::string_view path);

}  // namespace wasmgpu::wasi::internal
