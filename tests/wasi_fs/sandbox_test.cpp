// Every way out of a preopen is refused with the errno a guest expects, and nothing outside the
// read-write preopens changes (FsTest::TearDown compares the whole tree before and after).
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "fs_test_util.h"

namespace wasmgpu::wasi {
namespace {

using namespace testing_util;  // NOLINT

class SandboxTest : public FsTest {
 protected:
  void SetUp() override {
    FsTest::SetUp();
    if (HasFatalFailure()) return;
    // Links as a host (or an earlier, sloppier runtime) could have left them in the preopen.
    MakeLink(Host("outside"), "abs");                  // absolute, to a directory outside
    MakeLink(Host("outside/secret.txt"), "abs_file");  // absolute, to a file outside
    MakeLink("../outside", "rel");                     // relative, climbing out
    MakeLink("../outside/secret.txt", "rel_file");
    MakeLink("../outside/new.txt", "dangling_rel");  // dangling, would create outside
    MakeLink(Host("outside/new2.txt"), "dangling_abs");
    MakeLink("loop_b", "loop_a");  // a loop
    MakeLink("loop_a", "loop_b");
    MakeLink("self", "self");
    ASSERT_EQ(mkdir(Host("sandbox/sub").c_str(), 0755), 0);
    MakeLink("..", "sub/up");              // inside: sub/up is the sandbox
    MakeLink("../..", "sub/up2");          // out by two levels
    MakeLink("up2/outside", "sub/chain");  // out through another link
    MakeLink("/proc/self/root", "magic");  // a magic link, absolute anyway
    testing_util::WriteHostFile(Host("sandbox/inside.txt"), "inside");
  }

  void MakeLink(const std::string& target, const std::string& name) {
    ASSERT_EQ(symlink(target.c_str(), Host("sandbox/" + name).c_str()), 0) << name;
  }

  bool OutsideExists(const std::string& rel) {
    struct stat st;
    return lstat(Host(rel).c_str(), &st) == 0;
  }
};

TEST_P(SandboxTest, AbsolutePathsAreRefused) {
  uint32_t fd = 0;
  const std::string abs_secret = Host("outside/secret.txt");
  EXPECT_EQ(Open(kSandbox, abs_secret, 0, kReadOnlyRights, &fd), Errno::kNotcapable);
  EXPECT_EQ(Open(kSandbox, "/etc/passwd", 0, kReadOnlyRights, &fd), Errno::kNotcapable);
  EXPECT_EQ(Open(kSandbox, Host("outside/created"), kOflagsCreat, kReadWriteRights, &fd),
            Errno::kNotcapable);
  EXPECT_EQ(Open(kSandbox, "/", kOflagsDirectory, kReadOnlyRights, &fd), Errno::kNotcapable);
  EXPECT_EQ(table_->PathCreateDirectory(kSandbox, Host("outside/d")), Errno::kNotcapable);
  EXPECT_EQ(table_->PathUnlinkFile(kSandbox, abs_secret), Errno::kNotcapable);
  EXPECT_EQ(table_->PathRemoveDirectory(kSandbox, Host("outside")), Errno::kNotcapable);
  EXPECT_EQ(table_->PathRename(kSandbox, abs_secret, kSandbox, "stolen"), Errno::kNotcapable);
  EXPECT_EQ(table_->PathRename(kSandbox, "inside.txt", kSandbox, Host("outside/x")),
            Errno::kNotcapable);
  EXPECT_EQ(table_->PathLink(kSandbox, 0, abs_secret, kSandbox, "hl"), Errno::kNotcapable);
  EXPECT_EQ(table_->PathLink(kSandbox, 0, "inside.txt", kSandbox, Host("outside/hl")),
            Errno::kNotcapable);
  EXPECT_EQ(table_->PathSymlink("inside.txt", kSandbox, Host("outside/sl")), Errno::kNotcapable);
  Filestat fs;
  EXPECT_EQ(table_->PathFilestatGet(kSandbox, 0, abs_secret, &fs), Errno::kNotcapable);
  EXPECT_EQ(table_->PathFilestatSetTimes(kSandbox, 0, abs_secret, 0, 0, kFstflagsMtimNow),
            Errno::kNotcapable);
  uint8_t buf[16];
  uint32_t used = 0;
  EXPECT_EQ(table_->PathReadlink(kSandbox, Host("sandbox/abs"), buf, &used), Errno::kNotcapable);
  EXPECT_TRUE(OutsideExists("sandbox/inside.txt"));
}

TEST_P(SandboxTest, DotDotEscapesAreRefused) {
  uint32_t fd = 0;
  for (const char* p :
       {"../outside/secret.txt", "sub/../../outside/secret.txt", "./../outside/secret.txt",
        "sub/../sub/../../outside/secret.txt", "../sandbox/inside.txt"}) {
    EXPECT_EQ(Open(kSandbox, p, 0, kReadOnlyRights, &fd), Errno::kNotcapable) << p;
  }
  EXPECT_EQ(Open(kSandbox, "..", kOflagsDirectory, kReadOnlyRights, &fd), Errno::kNotcapable);
  EXPECT_EQ(Open(kSandbox, "../outside/new.txt", kOflagsCreat, kReadWriteRights, &fd),
            Errno::kNotcapable);
  EXPECT_EQ(Open(kSandbox, "../outside/secret.txt", kOflagsTrunc, kReadWriteRights, &fd),
            Errno::kNotcapable);
  EXPECT_EQ(table_->PathCreateDirectory(kSandbox, "../evil"), Errno::kNotcapable);
  EXPECT_EQ(table_->PathCreateDirectory(kSandbox, ".."), Errno::kNotcapable);
  EXPECT_EQ(table_->PathUnlinkFile(kSandbox, "../outside/secret.txt"), Errno::kNotcapable);
  EXPECT_EQ(table_->PathRemoveDirectory(kSandbox, "../outside"), Errno::kNotcapable);
  EXPECT_EQ(table_->PathRemoveDirectory(kSandbox, "sub/../.."), Errno::kNotcapable);
  EXPECT_EQ(table_->PathRename(kSandbox, "inside.txt", kSandbox, "../outside/moved"),
            Errno::kNotcapable);
  EXPECT_EQ(table_->PathRename(kSandbox, "../outside/secret.txt", kSandbox, "stolen"),
            Errno::kNotcapable);
  EXPECT_EQ(table_->PathLink(kSandbox, 0, "../outside/secret.txt", kSandbox, "hl"),
            Errno::kNotcapable);
  EXPECT_EQ(table_->PathLink(kSandbox, 0, "inside.txt", kSandbox, "../outside/hl"),
            Errno::kNotcapable);
  EXPECT_EQ(table_->PathSymlink("inside.txt", kSandbox, "../outside/sl"), Errno::kNotcapable);
  Filestat fs;
  EXPECT_EQ(table_->PathFilestatGet(kSandbox, 0, "../outside/secret.txt", &fs), Errno::kNotcapable);
  EXPECT_EQ(table_->PathFilestatGet(kSandbox, 0, "..", &fs), Errno::kNotcapable);
  EXPECT_EQ(table_->PathFilestatSetTimes(kSandbox, 0, "../outside", 0, 0, kFstflagsMtimNow),
            Errno::kNotcapable);
  // Staying inside through ".." is fine.
  ASSERT_EQ(Open(kSandbox, "sub/../inside.txt", 0, kReadOnlyRights, &fd), Errno::kSuccess);
  EXPECT_EQ(Read(fd), "inside");
  // A directory fd is its own root: ".." from it is refused even though the preopen has it.
  uint32_t sub = 0;
  ASSERT_EQ(Open(kSandbox, "sub", kOflagsDirectory, kReadOnlyRights, &sub), Errno::kSuccess);
  EXPECT_EQ(Open(sub, "../inside.txt", 0, kReadOnlyRights, &fd), Errno::kNotcapable);
  EXPECT_EQ(table_->PathCreateDirectory(sub, "../from_sub"), Errno::kNotcapable);
  EXPECT_FALSE(OutsideExists("evil"));
  EXPECT_FALSE(OutsideExists("outside/moved"));
}

TEST_P(SandboxTest, SymlinksLeadingOutAreRefused) {
  uint32_t fd = 0;
  for (const char* p :
       {"abs/secret.txt", "abs_file", "rel/secret.txt", "rel_file", "sub/up2/outside/secret.txt",
        "sub/chain/secret.txt", "sub/up/rel_file", "magic/etc/passwd", "abs/", "rel/", "rel/."}) {
    EXPECT_EQ(Open(kSandbox, p, 0, kReadOnlyRights, &fd), Errno::kNotcapable) << p;
    Filestat fs;
    EXPECT_EQ(table_->PathFilestatGet(kSandbox, kLookupflagsSymlinkFollow, p, &fs),
              Errno::kNotcapable)
        << p;
  }
  // Writes through them.
  EXPECT_EQ(Open(kSandbox, "rel_file", kOflagsTrunc, kReadWriteRights, &fd), Errno::kNotcapable);
  EXPECT_EQ(Open(kSandbox, "abs/created.txt", kOflagsCreat, kReadWriteRights, &fd),
            Errno::kNotcapable);
  EXPECT_EQ(Open(kSandbox, "rel/created.txt", kOflagsCreat, kReadWriteRights, &fd),
            Errno::kNotcapable);
  EXPECT_EQ(Open(kSandbox, "dangling_rel", kOflagsCreat, kReadWriteRights, &fd),
            Errno::kNotcapable);
  EXPECT_EQ(Open(kSandbox, "dangling_abs", kOflagsCreat, kReadWriteRights, &fd),
            Errno::kNotcapable);
  EXPECT_EQ(table_->PathCreateDirectory(kSandbox, "abs/d"), Errno::kNotcapable);
  EXPECT_EQ(table_->PathCreateDirectory(kSandbox, "sub/chain/d"), Errno::kNotcapable);
  EXPECT_EQ(table_->PathUnlinkFile(kSandbox, "rel/secret.txt"), Errno::kNotcapable);
  EXPECT_EQ(table_->PathRemoveDirectory(kSandbox, "sub/up2/outside"), Errno::kNotcapable);
  EXPECT_EQ(table_->PathRename(kSandbox, "inside.txt", kSandbox, "abs/moved"), Errno::kNotcapable);
  EXPECT_EQ(table_->PathRename(kSandbox, "rel/secret.txt", kSandbox, "stolen"), Errno::kNotcapable);
  EXPECT_EQ(table_->PathLink(kSandbox, 0, "abs/secret.txt", kSandbox, "hl"), Errno::kNotcapable);
  EXPECT_EQ(table_->PathSymlink("x", kSandbox, "rel/sl"), Errno::kNotcapable);
  EXPECT_EQ(table_->PathFilestatSetTimes(kSandbox, kLookupflagsSymlinkFollow, "rel_file", 0, 0,
                                         kFstflagsMtimNow),
            Errno::kNotcapable);
  // Trailing slashes follow the link, so they are refused too, whatever the call.
  EXPECT_EQ(table_->PathRemoveDirectory(kSandbox, "rel/"), Errno::kNotcapable);
  EXPECT_EQ(table_->PathUnlinkFile(kSandbox, "abs/"), Errno::kNotcapable);
  EXPECT_EQ(table_->PathCreateDirectory(kSandbox, "rel/"), Errno::kNotcapable);
  EXPECT_EQ(table_->PathRename(kSandbox, "rel/", kSandbox, "moved"), Errno::kNotcapable);
  EXPECT_EQ(table_->PathLink(kSandbox, 0, "abs/", kSandbox, "hl"), Errno::kNotcapable);
  EXPECT_FALSE(OutsideExists("outside/new.txt"));
  EXPECT_FALSE(OutsideExists("outside/new2.txt"));
  EXPECT_FALSE(OutsideExists("outside/created.txt"));

  // The links themselves can be inspected and removed without following them.
  Filestat fs;
  ASSERT_EQ(table_->PathFilestatGet(kSandbox, 0, "abs", &fs), Errno::kSuccess);
  EXPECT_EQ(fs.filetype, kFiletypeSymbolicLink);
  uint8_t buf[256];
  uint32_t used = 0;
  ASSERT_EQ(table_->PathReadlink(kSandbox, "rel", buf, &used), Errno::kSuccess);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), used), "../outside");
  EXPECT_EQ(Open(kSandbox, "rel", 0, kReadOnlyRights, &fd, /*lookup=*/0), Errno::kLoop);
  ASSERT_EQ(table_->PathRename(kSandbox, "rel", kSandbox, "rel_renamed"), Errno::kSuccess);
  ASSERT_EQ(table_->PathUnlinkFile(kSandbox, "rel_renamed"), Errno::kSuccess);
  ASSERT_EQ(table_->PathUnlinkFile(kSandbox, "abs"), Errno::kSuccess);
  EXPECT_TRUE(OutsideExists("outside/secret.txt"));
  // An inside link through ".." still works.
  ASSERT_EQ(Open(kSandbox, "sub/up/inside.txt", 0, kReadOnlyRights, &fd), Errno::kSuccess);
  EXPECT_EQ(Read(fd), "inside");
}

TEST_P(SandboxTest, LoopingSymlinksAreLoops) {
  uint32_t fd = 0;
  for (const char* p : {"loop_a", "loop_b/x", "self", "self/", "sub/up/loop_a"}) {
    EXPECT_EQ(Open(kSandbox, p, 0, kReadOnlyRights, &fd), Errno::kLoop) << p;
    const bool dir_only = std::string_view(p).back() == '/';
    EXPECT_EQ(Open(kSandbox, p, kOflagsCreat, kReadWriteRights, &fd),
              dir_only ? Errno::kIsdir : Errno::kLoop)
        << p;
  }
  EXPECT_EQ(table_->PathCreateDirectory(kSandbox, "loop_a/d"), Errno::kLoop);
  EXPECT_EQ(table_->PathRemoveDirectory(kSandbox, "self/"), Errno::kLoop);
  Filestat fs;
  EXPECT_EQ(table_->PathFilestatGet(kSandbox, kLookupflagsSymlinkFollow, "loop_a", &fs),
            Errno::kLoop);
  ASSERT_EQ(table_->PathFilestatGet(kSandbox, 0, "loop_a", &fs), Errno::kSuccess);
  EXPECT_EQ(fs.filetype, kFiletypeSymbolicLink);
}

TEST_P(SandboxTest, SymlinkCreationPointingOutIsRefused) {
  struct Case {
    const char* target;
    const char* link;
    Errno want;
  };
  const Case cases[] = {
      {"/etc/passwd", "l_abs", Errno::kNotcapable},
      {"/", "l_root", Errno::kNotcapable},
      {"..", "l_up", Errno::kNotcapable},
      {"../outside/secret.txt", "l_rel", Errno::kNotcapable},
      {"sub/../../outside", "l_lex", Errno::kNotcapable},
      {"../../outside", "sub/l_deep", Errno::kNotcapable},
      {"./../x", "l_dot", Errno::kNotcapable},
      {"", "l_empty", Errno::kNoent},
      // Inside: allowed.
      {"..", "sub/l_parent", Errno::kSuccess},
      {"../inside.txt", "sub/l_ok", Errno::kSuccess},
      {"sub/../inside.txt", "l_lex_ok", Errno::kSuccess},
      {"not-there-yet", "l_dangling_inside", Errno::kSuccess},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(table_->PathSymlink(c.target, kSandbox, c.link), c.want) << c.target;
    struct stat st;
    EXPECT_EQ(lstat(Host(std::string("sandbox/") + c.link).c_str(), &st) == 0,
              c.want == Errno::kSuccess)
        << c.link;
  }
  // The depth is the link's real place below the preopen, also from a directory fd, and also
  // when the path to it goes through a symlink ("sub/up" is the sandbox itself).
  uint32_t sub = 0;
  ASSERT_EQ(Open(kSandbox, "sub", kOflagsDirectory, kReadOnlyRights, &sub), Errno::kSuccess);
  EXPECT_EQ(table_->PathSymlink("../inside.txt", sub, "l_from_fd"), Errno::kSuccess);
  EXPECT_EQ(table_->PathSymlink("../../x", sub, "l_from_fd2"), Errno::kNotcapable);
  EXPECT_EQ(table_->PathSymlink("../x", kSandbox, "sub/up/l_via_link"), Errno::kNotcapable);
  uint32_t fd = 0;
  ASSERT_EQ(Open(kSandbox, "sub/l_ok", 0, kReadOnlyRights, &fd), Errno::kSuccess);
  EXPECT_EQ(Read(fd), "inside");

  // A link moved higher up after its creation points out; following it is still refused.
  ASSERT_EQ(table_->PathCreateDirectory(kSandbox, "d"), Errno::kSuccess);
  ASSERT_EQ(table_->PathCreateDirectory(kSandbox, "d/e"), Errno::kSuccess);
  ASSERT_EQ(table_->PathSymlink("../../outside/secret.txt", kSandbox, "d/e/l"), Errno::kSuccess);
  ASSERT_EQ(table_->PathRename(kSandbox, "d/e", kSandbox, "e2"), Errno::kSuccess);
  EXPECT_EQ(Open(kSandbox, "e2/l", 0, kReadOnlyRights, &fd), Errno::kNotcapable);
  EXPECT_EQ(Open(kSandbox, "e2/l", kOflagsTrunc, kReadWriteRights, &fd), Errno::kNotcapable);
}

TEST_P(SandboxTest, ReadOnlyPreopenRefusesEveryMutation) {
  uint32_t fd = 0;
  EXPECT_EQ(Open(kRo, "data.txt", 0, kReadWriteRights, &fd), Errno::kRofs);
  EXPECT_EQ(Open(kRo, "data.txt", 0, kRightFdWrite, &fd), Errno::kRofs);
  EXPECT_EQ(Open(kRo, "data.txt", kOflagsTrunc, kReadOnlyRights, &fd), Errno::kRofs);
  EXPECT_EQ(Open(kRo, "new.txt", kOflagsCreat, kReadOnlyRights, &fd), Errno::kRofs);
  EXPECT_EQ(Open(kRo, "new.txt", kOflagsCreat | kOflagsExcl, kReadWriteRights, &fd), Errno::kRofs);
  EXPECT_EQ(table_->PathCreateDirectory(kRo, "d"), Errno::kRofs);
  EXPECT_EQ(table_->PathUnlinkFile(kRo, "data.txt"), Errno::kRofs);
  EXPECT_EQ(table_->PathRemoveDirectory(kRo, "sub"), Errno::kRofs);
  EXPECT_EQ(table_->PathRename(kRo, "data.txt", kRo, "renamed.txt"), Errno::kRofs);
  EXPECT_EQ(table_->PathLink(kRo, 0, "data.txt", kRo, "hl"), Errno::kRofs);
  EXPECT_EQ(table_->PathSymlink("data.txt", kRo, "sl"), Errno::kRofs);
  EXPECT_EQ(table_->PathFilestatSetTimes(kRo, 0, "data.txt", 0, 0, kFstflagsMtimNow), Errno::kRofs);
  EXPECT_EQ(table_->FdFilestatSetTimes(kRo, 0, 0, kFstflagsMtimNow), Errno::kRofs);

  // Reading works, and fds opened beneath stay read-only.
  ASSERT_EQ(Open(kRo, "data.txt", 0, kReadOnlyRights, &fd), Errno::kSuccess);
  EXPECT_EQ(Read(fd), "read me");
  EXPECT_EQ(Write(fd, "x"), Errno::kBadf);
  const std::string x = "x";
  std::span<const uint8_t> xs(reinterpret_cast<const uint8_t*>(x.data()), 1);
  uint32_t n = 0;
  EXPECT_EQ(table_->FdPwrite(fd, {&xs, 1}, 0, &n), Errno::kBadf);
  EXPECT_EQ(table_->FdFilestatSetSize(fd, 0), Errno::kRofs);
  EXPECT_EQ(table_->FdFilestatSetTimes(fd, 0, 0, kFstflagsMtimNow), Errno::kRofs);
  EXPECT_EQ(table_->FdAllocate(fd, 0, 100), Errno::kRofs);
  uint32_t sub = 0;
  ASSERT_EQ(Open(kRo, "sub", kOflagsDirectory, kReadOnlyRights, &sub), Errno::kSuccess);
  EXPECT_EQ(table_->PathUnlinkFile(sub, "deep.txt"), Errno::kRofs);
  EXPECT_EQ(Open(sub, "deep.txt", 0, kReadWriteRights, &fd), Errno::kRofs);
  EXPECT_EQ(Open(sub, "new", kOflagsCreat, kReadWriteRights, &fd), Errno::kRofs);
  // Renumbering a read-only fd onto a writable one keeps it read-only.
  uint32_t w = 0;
  ASSERT_EQ(Open(kSandbox, "inside.txt", 0, kReadWriteRights, &w), Errno::kSuccess);
  ASSERT_EQ(table_->FdRenumber(sub, w), Errno::kSuccess);
  EXPECT_EQ(table_->PathCreateDirectory(w, "d"), Errno::kRofs);
  std::vector<uint8_t> buf(1024);
  uint32_t used = 0;
  EXPECT_EQ(table_->FdReaddir(kRo, buf, 0, &used), Errno::kSuccess);
  EXPECT_GT(used, 0u);
  Filestat fs;
  EXPECT_EQ(table_->PathFilestatGet(kRo, 0, "sub/deep.txt", &fs), Errno::kSuccess);
  EXPECT_EQ(fs.size, 4u);
}

TEST_P(SandboxTest, RenamesAndLinksAcrossPreopensAreRefused) {
  EXPECT_EQ(table_->PathRename(kSandbox, "inside.txt", kOther, "moved.txt"), Errno::kXdev);
  EXPECT_EQ(table_->PathLink(kSandbox, 0, "inside.txt", kOther, "linked.txt"), Errno::kXdev);
  EXPECT_EQ(table_->PathRename(kRo, "data.txt", kSandbox, "stolen.txt"), Errno::kRofs);
  EXPECT_EQ(table_->PathLink(kRo, 0, "data.txt", kSandbox, "writable-name.txt"), Errno::kRofs);
  // Directories opened beneath a preopen belong to it.
  uint32_t sub = 0;
  ASSERT_EQ(Open(kSandbox, "sub", kOflagsDirectory, kReadOnlyRights, &sub), Errno::kSuccess);
  EXPECT_EQ(table_->PathRename(sub, "../inside.txt", kSandbox, "x"), Errno::kNotcapable);
  ASSERT_EQ(table_->PathRename(kSandbox, "inside.txt", sub, "moved.txt"), Errno::kSuccess);
  EXPECT_EQ(testing_util::ReadHostFile(Host("sandbox/sub/moved.txt")), "inside");
  EXPECT_EQ(table_->PathRename(sub, "moved.txt", kOther, "moved.txt"), Errno::kXdev);
  struct stat st;
  EXPECT_NE(stat(Host("other/moved.txt").c_str(), &st), 0);
  EXPECT_NE(stat(Host("other/linked.txt").c_str(), &st), 0);
}

// A host process swaps a directory and a symlink pointing out, atomically and continuously, while
// the guest creates, stats and removes entries beneath the name: whatever it observes, nothing
// may land outside (TOCTOU; TearDown checks the outside tree).
TEST_P(SandboxTest, ConcurrentSymlinkSwapNeverLeaksOut) {
  ASSERT_EQ(mkdir(Host("sandbox/race").c_str(), 0755), 0);
  MakeLink("../outside", "race_alt");
  std::atomic<bool> stop{false};
  std::atomic<int> swaps{0};
  std::thread swapper([&] {
    const std::string a = Host("sandbox/race"), b = Host("sandbox/race_alt");
    while (!stop.load()) {
      if (syscall(SYS_renameat2, AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) == 0) {
        swaps.fetch_add(1);
      }
    }
  });
  int created = 0, refused = 0;
  // At least 2000 rounds, and on a loaded machine on until both outcomes were seen (10 s cap).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (int i = 0;
       i < 2000 || ((created == 0 || refused == 0) && std::chrono::steady_clock::now() < deadline);
       ++i) {
    uint32_t fd = 0;
    Errno e = Open(kSandbox, "race/new.txt", kOflagsCreat, kReadWriteRights, &fd);
    if (e == Errno::kSuccess) {
      ++created;
      EXPECT_EQ(Write(fd, "x"), Errno::kSuccess);
      EXPECT_EQ(table_->FdClose(fd), Errno::kSuccess);
    } else {
      ++refused;
      EXPECT_TRUE(e == Errno::kNotcapable || e == Errno::kNoent || e == Errno::kLoop)
          << i << " " << ErrnoName(e);
    }
    (void)table_->PathCreateDirectory(kSandbox, "race/d");
    (void)table_->PathRemoveDirectory(kSandbox, "race/d");
    (void)table_->PathUnlinkFile(kSandbox, "race/new.txt");
    (void)table_->PathSymlink("x", kSandbox, "race/l");
    (void)table_->PathUnlinkFile(kSandbox, "race/l");
  }
  stop.store(true);
  swapper.join();
  // Both outcomes happened, so the race was real (else the test proves nothing).
  EXPECT_GT(swaps.load(), 10);
  EXPECT_GT(created, 0);
  EXPECT_GT(refused, 0);
}

INSTANTIATE_TEST_SUITE_P(Resolver, SandboxTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "walk" : "openat2"; });

}  // namespace
}  // namespace wasmgpu::wasi
