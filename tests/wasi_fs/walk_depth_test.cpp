// A guest can build a directory tree thousands of levels deep in a writable preopen. Resolving a
// path through it must not make the host hold one fd per level (the component walk once did, up
// to the process's RLIMIT_NOFILE, so unrelated host work failed with EMFILE meanwhile); the walk
// keeps at most kWalkRetraceLevels + 1 directory fds and refuses, with kNametoolong, only a ".."
// run that climbs back into a level it no longer holds.
#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "fs_test_util.h"

namespace wasmgpu::wasi {
namespace {

using namespace testing_util;  // NOLINT

std::string Repeat(std::string_view part, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += part;
  return s;
}

// "d/d/.../d", `depth` components.
std::string DeepPath(size_t depth) {
  std::string s = Repeat("d/", depth);
  s.pop_back();
  return s;
}

class WalkDepthTest : public FsTest {
 protected:
  // sandbox/d/d/.../d, `depth` levels, with a file "f" at every level (the sandbox included)
  // holding the level's number. Built through fds, one level at a time, as a guest would.
  void MakeDeepTree(size_t depth) {
    int fd = open(Host("sandbox").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    for (size_t level = 0;; ++level) {
      int f = openat(fd, "f", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      ASSERT_GE(f, 0) << level;
      const std::string n = std::to_string(level);
      ASSERT_EQ(write(f, n.data(), n.size()), static_cast<ssize_t>(n.size()));
      close(f);
      if (level == depth) break;
      ASSERT_EQ(mkdirat(fd, "d", 0755), 0) << level;
      int next = openat(fd, "d", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      close(fd);
      fd = next;
      ASSERT_GE(fd, 0) << level;
    }
    close(fd);
  }

  // Opens `path` beneath the sandbox and returns its contents, or "errno <name>".
  std::string ReadThrough(std::string_view path) {
    uint32_t fd = 0;
    Errno e = Open(kSandbox, path, 0, kReadOnlyRights, &fd);
    if (e != Errno::kSuccess) return std::string("errno ") + ErrnoName(e);
    std::string s = Read(fd);
    EXPECT_EQ(table_->FdClose(fd), Errno::kSuccess);
    return s;
  }
};

// 1000 levels, under a soft fd limit that leaves room for the walk's bound plus a margin but
// nowhere near one fd per level: opening, creating, stat'ing and following a link at the bottom
// all work, and afterwards the process holds exactly the fds it held before (plus the one the
// guest opened).
TEST_P(WalkDepthTest, DeepPathsResolveWithBoundedHostFds) {
  constexpr size_t kDepth = 1000;
  MakeDeepTree(kDepth);
  if (HasFatalFailure()) return;
  const std::string deep = DeepPath(kDepth);
  int max_fd = -1;
  const size_t before = CountOpenFds(&max_fd);
  const rlim_t limit = static_cast<rlim_t>(max_fd) + 1 + kWalkRetraceLevels + 1 + 8;
  ASSERT_LT(limit, kDepth / 2) << "the limit must be far below one fd per level to test anything";
  {
    FdLimit fd_limit(limit);
    uint32_t fd = 0;
    ASSERT_EQ(Open(kSandbox, deep + "/f", 0, kReadOnlyRights, &fd), Errno::kSuccess);
    EXPECT_EQ(Read(fd), "1000");
    EXPECT_EQ(CountOpenFds(), before + 1);
    EXPECT_EQ(table_->FdClose(fd), Errno::kSuccess);

    EXPECT_EQ(table_->PathCreateDirectory(kSandbox, deep + "/new"), Errno::kSuccess);
    Filestat st;
    EXPECT_EQ(table_->PathFilestatGet(kSandbox, 0, deep + "/new", &st), Errno::kSuccess);
    EXPECT_EQ(st.filetype, kFiletypeDirectory);
    // A link at the bottom, expanded by the walk: one level up, then f.
    EXPECT_EQ(table_->PathSymlink("../f", kSandbox, deep + "/new/up"), Errno::kSuccess);
    EXPECT_EQ(ReadThrough(deep + "/new/up"), "1000");
    EXPECT_EQ(table_->PathUnlinkFile(kSandbox, deep + "/new/up"), Errno::kSuccess);
    EXPECT_EQ(table_->PathRemoveDirectory(kSandbox, deep + "/new"), Errno::kSuccess);
  }
  EXPECT_EQ(CountOpenFds(), before);
}

// From 200 levels down, ".." may climb back kWalkRetraceLevels levels and name something there;
// one level more is refused by the walk (it would need a directory fd it closed, and asking the
// kernel for ".." is what the stack exists to avoid), while climbing all the way back to the
// preopen works and one ".." above it is still an escape.
TEST_P(WalkDepthTest, DotDotClimbsBackWithinTheRetainedLevels) {
  constexpr size_t kDepth = 200;
  MakeDeepTree(kDepth);
  if (HasFatalFailure()) return;
  const std::string down = DeepPath(kDepth) + "/";
  const bool walk = !UsingOpenat2();
  int max_fd = -1;
  const size_t before = CountOpenFds(&max_fd);
  FdLimit fd_limit(static_cast<rlim_t>(max_fd) + 1 + kWalkRetraceLevels + 1 + 8);

  const std::string in_reach = std::to_string(kDepth - kWalkRetraceLevels);
  EXPECT_EQ(ReadThrough(down + Repeat("../", kWalkRetraceLevels) + "f"), in_reach);
  const std::string one_more = down + Repeat("../", kWalkRetraceLevels + 1);
  EXPECT_EQ(ReadThrough(one_more + "f"),
            walk ? "errno NAMETOOLONG" : std::to_string(kDepth - kWalkRetraceLevels - 1));
  // The same level named as a directory (the last component ".."), and through a parent lookup.
  uint32_t fd = 0;
  Errno e = Open(kSandbox, one_more, kOflagsDirectory, kReadOnlyRights, &fd);
  EXPECT_EQ(e, walk ? Errno::kNametoolong : Errno::kSuccess);
  if (e == Errno::kSuccess) {
    EXPECT_EQ(table_->FdClose(fd), Errno::kSuccess);
  }
  e = table_->PathCreateDirectory(kSandbox, one_more + "x");
  EXPECT_EQ(e, walk ? Errno::kNametoolong : Errno::kSuccess);
  // Passing through a dropped level without using it is fine: back to the preopen itself.
  EXPECT_EQ(ReadThrough(down + Repeat("../", kDepth) + "f"), "0");
  EXPECT_EQ(ReadThrough(down + Repeat("../", kDepth + 1) + "f"), "errno NOTCAPABLE");
  // A link at the bottom whose target climbs to the top is expanded and resolved the same way.
  EXPECT_EQ(table_->PathSymlink(Repeat("../", kDepth) + "f", kSandbox, down + "top"),
            Errno::kSuccess);
  EXPECT_EQ(ReadThrough(down + "top"), "0");
  EXPECT_EQ(CountOpenFds(), before);
}

// Why the walk never asks the kernel for "..": a host process keeps moving sandbox/d/d out of
// the sandbox (to outside/moved) and back while the guest walks down through it and climbs back.
// A ".." taken from the kernel after the move would land in outside/ and read secret.txt there;
// the walk's stack (within its retained levels) and its refusal beyond them never do.
TEST_P(WalkDepthTest, ConcurrentMoveOutNeverLetsDotDotLeak) {
  constexpr size_t kDepth = kWalkRetraceLevels + 10;
  MakeDeepTree(kDepth);
  if (HasFatalFailure()) return;
  std::atomic<bool> stop{false};
  std::atomic<int> moves{0};
  std::thread mover([&] {
    const std::string in = Host("sandbox/d/d"), out = Host("outside/moved");
    while (!stop.load()) {
      if (rename(in.c_str(), out.c_str()) == 0) {
        moves.fetch_add(1);
        EXPECT_EQ(rename(out.c_str(), in.c_str()), 0);
      }
    }
  });
  // Down to a level below d/d, then back up to d/ (level 1), where no secret.txt exists.
  const std::string near = DeepPath(10) + "/" + Repeat("../", 9) + "secret.txt";
  const std::string far = DeepPath(kDepth) + "/" + Repeat("../", kDepth - 1) + "secret.txt";
  // At least 1000 rounds, and on a loaded machine on until the mover has moved (10 s cap).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int leaked_in_round = -1;
  for (int i = 0; leaked_in_round < 0 && (i < 1000 || (moves.load() < 10 &&
                                                       std::chrono::steady_clock::now() < deadline));
       ++i) {
    for (const std::string* path : {&near, &far}) {
      const std::string got = ReadThrough(*path);
      if (got == "secret") {
        leaked_in_round = i;  // Stop, and join the mover before failing.
        break;
      }
      // NOENT: d/ has no secret.txt, or the walk met the gap d/d leaves. NAMETOOLONG: the far
      // path climbs past the walk's retained levels. openat2 reports the race as EXDEV
      // (NOTCAPABLE) or, after its retries, EAGAIN.
      EXPECT_TRUE(got == "errno NOENT" || got == "errno NAMETOOLONG" ||
                  got == "errno NOTCAPABLE" || got == "errno AGAIN")
          << got;
    }
  }
  stop.store(true);
  mover.join();
  EXPECT_EQ(leaked_in_round, -1) << "a \"..\" left the sandbox and read outside/secret.txt";
  EXPECT_GE(moves.load(), 10);  // The race was real (else the test proves nothing).
}

INSTANTIATE_TEST_SUITE_P(Resolver, WalkDepthTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "walk" : "openat2"; });

}  // namespace
}  // namespace wasmgpu::wasi
