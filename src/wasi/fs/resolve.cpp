// Path resolution beneath a directory fd: openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) where
// the kernel has it (Linux >= 5.6), else a component-by-component walk that never follows a
// symlink without reading it first, never climbs above the starting directory, and holds at most
// kWalkRetraceLevels + 1 directory fds however deep the guest's tree is.
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <deque>
#include <string>
#include <vector>

#include "wasi/fs/fd_table.h"
#include "wasi/fs/internal.h"

namespace wasmgpu::wasi {
namespace {

std::atomic<bool> g_force_fallback{false};
std::atomic<int> g_openat2_state{0};  // 0: not probed yet, 1: usable, 2: missing.

// A kernel without openat2 answers ENOSYS; seccomp filters (containers) often answer EPERM or
// ENOSYS; a kernel that has openat2 but not one of our RESOLVE_ flags answers EINVAL.
bool ProbeOpenat2() {
  internal::UniqueFd root(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return false;
  open_how how{};
  how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  long fd = syscall(SYS_openat2, root.get(), ".", &how, sizeof how);
  if (fd < 0) return false;
  close(static_cast<int>(fd));
  return true;
}

bool Openat2Usable() {
  if (g_force_fallback.load(std::memory_order_relaxed)) return false;
  int state = g_openat2_state.load(std::memory_order_relaxed);
  if (state == 0) {
    state = ProbeOpenat2() ? 1 : 2;
    g_openat2_state.store(state, std::memory_order_relaxed);
  }
  return state == 1;
}

internal::OpenResult Fail(Errno e) { return {internal::UniqueFd(), e}; }

internal::OpenResult Openat2Beneath(int dirfd, const std::string& path, int flags, mode_t mode,
                                    bool follow_final) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC | (follow_final ? 0 : O_NOFOLLOW));
  how.mode = (flags & O_CREAT) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  // RESOLVE_BENEATH answers EAGAIN when a concurrent rename raced a ".." step; retrying is the
  // documented remedy.
  for (int attempt = 0;; ++attempt) {
    long fd = syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how);
    if (fd >= 0) return {internal::UniqueFd(static_cast<int>(fd)), Errno::kSuccess};
    int e = errno;
    if ((e == EAGAIN || e == EINTR) && attempt < 16) continue;
    // EXDEV is how RESOLVE_BENEATH reports an escape (absolute symlink, ".." above dirfd).
    return Fail(e == EXDEV ? Errno::kNotcapable : internal::ErrnoFromHost(e));
  }
}

// Splits a path into components, dropping empty ones; a trailing slash becomes a final "." so
// the component before it is resolved as a directory (and followed if it is a symlink).
void PrependComponents(std::deque<std::string>& todo, std::string_view path) {
  std::vector<std::string> comps;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) comps.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  if (!path.empty() && path.back() == '/') comps.emplace_back(".");
  todo.insert(todo.begin(), comps.begin(), comps.end());
}

constexpr int kMaxSymlinks = 40;  // Linux's MAXSYMLINKS.

internal::OpenResult WalkBeneath(int dirfd, std::string_view path, int flags, mode_t mode,
                                 bool follow_final) {
  std::deque<std::string> todo;
  PrependComponents(todo, path);
  // The directories entered below dirfd, innermost last. ".." pops this stack instead of asking
  // the kernel for "..": a directory that a concurrent rename moves out of the sandbox has a
  // physical parent outside it, and the stack still remembers the way the walk came in. Only the
  // innermost kWalkRetraceLevels + 1 levels keep their fds, so a guest that builds a tree
  // thousands of levels deep cannot make one call hold thousands of host fds (the process's
  // RLIMIT_NOFILE is shared with everything else the runtime does). `dropped` counts the
  // outermost levels whose fds were closed: the walk still knows how deep it is, so ".." above
  // dirfd is still refused, but it cannot reopen a dropped level without the kernel's "..", so
  // using one again fails (kNametoolong) rather than weakening the guarantee.
  std::deque<internal::UniqueFd> stack;
  size_t dropped = 0;
  int links = 0;
  // The directory the walk is in; -1 when that is a dropped level.
  auto cur = [&] {
    if (!stack.empty()) return stack.back().get();
    return dropped == 0 ? dirfd : -1;
  };
  // Replaces a symlink, opened as `link` (O_PATH | O_NOFOLLOW), by its target's components.
  // Reading through the fd, not the name, reads the very link that was checked even if the name
  // is swapped meanwhile.
  auto expand = [&](int link) -> Errno {
    if (++links > kMaxSymlinks) return Errno::kLoop;
    char buf[PATH_MAX];
    ssize_t n = readlinkat(link, "", buf, sizeof buf);
    if (n < 0) return internal::ErrnoFromHost(errno);
    if (static_cast<size_t>(n) == sizeof buf) return Errno::kNametoolong;
    std::string_view target(buf, static_cast<size_t>(n));
    if (target.empty()) return Errno::kNoent;
    if (target.front() == '/') return Errno::kNotcapable;
    PrependComponents(todo, target);
    return Errno::kSuccess;
  };

  if (todo.empty()) todo.emplace_back(".");
  while (!todo.empty()) {
    std::string comp = std::move(todo.front());
    todo.pop_front();
    const bool last = todo.empty();
    if (comp == "..") {
      if (!stack.empty()) {
        stack.pop_back();
      } else if (dropped > 0) {
        --dropped;  // Back into a level whose fd is gone; fails below only if it is used.
      } else {
        return Fail(Errno::kNotcapable);
      }
      if (!last) continue;
      comp.assign(1, '.');  // Not = ".": GCC 12 -Wrestrict false positive (PR 105329).
    }
    if (comp == "." && !last) continue;
    if (cur() < 0) return Fail(Errno::kNametoolong);
    if (comp == ".") {
      int fd = openat(cur(), ".", flags | O_CLOEXEC, mode);
      if (fd < 0) return Fail(internal::ErrnoFromHost(errno));
      return {internal::UniqueFd(fd), Errno::kSuccess};
    }
    if (!last) {
      internal::UniqueFd next(openat(cur(), comp.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
      if (!next.valid()) return Fail(internal::ErrnoFromHost(errno));
      struct stat st;
      if (fstat(next.get(), &st) != 0) return Fail(internal::ErrnoFromHost(errno));
      if (S_ISLNK(st.st_mode)) {
        if (Errno e = expand(next.get()); e != Errno::kSuccess) return Fail(e);
        continue;
      }
      if (!S_ISDIR(st.st_mode)) return Fail(Errno::kNotdir);
      if (stack.size() > kWalkRetraceLevels) {
        stack.pop_front();
        ++dropped;
      }
      stack.push_back(std::move(next));
      continue;
    }
    // The last component, opened without following; a symlink is expanded only if asked.
    int fd = openat(cur(), comp.c_str(), flags | O_CLOEXEC | O_NOFOLLOW, mode);
    int e = fd < 0 ? errno : 0;
    internal::UniqueFd opened(fd);
    bool maybe_link = false;
    if (fd < 0) {
      maybe_link = e == ELOOP || e == ENOTDIR;
    } else if (flags & O_PATH) {
      struct stat st;
      maybe_link = fstat(fd, &st) == 0 && S_ISLNK(st.st_mode);
    }
    if (maybe_link && follow_final) {
      internal::UniqueFd link(openat(cur(), comp.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
      struct stat st;
      if (link.valid() && fstat(link.get(), &st) == 0 && S_ISLNK(st.st_mode)) {
        if (Errno err = expand(link.get()); err != Errno::kSuccess) return Fail(err);
        continue;
      }
    }
    if (fd < 0) return Fail(internal::ErrnoFromHost(e));
    return {std::move(opened), Errno::kSuccess};
  }
  return Fail(Errno::kNoent);  // Unreachable: the loop returns at the last component.
}

}  // namespace

void ForceOpenat2FallbackForTesting(bool force) { g_force_fallback.store(force); }
bool UsingOpenat2() { return Openat2Usable(); }

namespace internal {

OpenResult OpenBeneath(int dirfd, std::string_view path, int flags, mode_t mode,
                       bool follow_final) {
  if (path.empty() || path.front() == '/') return Fail(Errno::kNotcapable);
  if (Openat2Usable()) return Openat2Beneath(dirfd, std::string(path), flags, mode, follow_final);
  return WalkBeneath(dirfd, path, flags, mode, follow_final);
}

ParentResult OpenParentBeneath(int dirfd, std::string_view path) {
  ParentResult r;
  size_t end = path.size();
  while (end > 0 && path[end - 1] == '/') --end;
  if (end == 0) {
    r.err = Errno::kNotcapable;  // Only slashes: an absolute path.
    return r;
  }
  r.trailing_slash = end != path.size();
  std::string_view base = path.substr(0, end);
  size_t slash = base.rfind('/');
  std::string_view name = slash == std::string_view::npos ? base : base.substr(slash + 1);
  if (name == "." || name == "..") {
    OpenResult whole = OpenBeneath(dirfd, base, O_PATH | O_DIRECTORY, 0, true);
    r.err = whole.err;
    r.parent = std::move(whole.fd);
    r.name.assign(1, '.');
    return r;
  }
  if (r.trailing_slash) {
    // "name/" means "the directory name resolves to": when name is a symlink that leads out of
    // the sandbox (or loops), report that, as every other call naming it does. The kernel's *at()
    // call below never follows it, so this is about the errno, not about safety.
    OpenResult whole = OpenBeneath(dirfd, path, O_PATH, 0, true);
    if (whole.err == Errno::kNotcapable || whole.err == Errno::kLoop) {
      r.err = whole.err;
      return r;
    }
  }
  std::string_view parent = slash == std::string_view::npos ? "." : base.substr(0, slash + 1);
  OpenResult p = OpenBeneath(dirfd, parent, O_PATH | O_DIRECTORY, 0, true);
  r.err = p.err;
  r.parent = std::move(p.fd);
  r.name = std::string(name);
  if (r.trailing_slash) r.name += '/';
  return r;
}

}  // namespace internal
}  // namespace wasmgpu::wasi
