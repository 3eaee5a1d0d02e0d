// Runs guest/fs_guest.c under `wasmgpu run` with real wasi-libc calls: files and directories
// inside a preopen, every escape refused with the errno the guest sees, read-only preopens.
// The tree is FsTest's, so TearDown checks nothing outside the writable preopens changed.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <regex>

#include "fs_test_util.h"

#if !defined(WASMGPU_CLI) || !defined(WASI_FS_GUEST)
#error "WASMGPU_CLI and WASI_FS_GUEST must name the CLI and the guest (tests/wasi_fs/CMakeLists)"
#endif

namespace wasmgpu::wasi {
namespace {

using namespace testing_util;  // NOLINT

class GuestFsTest : public FsTest {
 protected:
  void SetUp() override {
    FsTest::SetUp();
    if (HasFatalFailure()) return;
    table_.reset();  // The guest gets its own table in the wasmgpu process.
    ASSERT_EQ(mkdir(Host("sandbox/sub").c_str(), 0755), 0);
    testing_util::WriteHostFile(Host("sandbox/inside.txt"), "inside");
    MakeLink(Host("outside"), "abs_link");
    MakeLink("../outside", "rel_link");
    MakeLink("../outside/secret.txt", "rel_file_link");
    MakeLink("../outside/new.txt", "dangling_link");
    MakeLink("loop_b", "loop_a");
    MakeLink("loop_a", "loop_b");
  }

  void MakeLink(const std::string& target, const std::string& name) {
    ASSERT_EQ(symlink(target.c_str(), Host("sandbox/" + name).c_str()), 0) << name;
  }

  // Runs the guest in `mode`; returns its exit status and stores stdout+stderr in *output.
  int RunGuest(const std::string& mode, std::string* output) {
    std::string cmd = std::string(WASMGPU_CLI) + " run --dir " + Host("sandbox") +
                      "::/sandbox --dir " + Host("ro") + "::/ro:ro --dir " + Host("other") +
                      "::/other " + WASI_FS_GUEST + " " + mode + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) return -1;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) output->append(buf, n);
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  void ExpectPasses(const std::string& mode) {
    std::string out;
    EXPECT_EQ(RunGuest(mode, &out), 0) << out;
    EXPECT_TRUE(std::regex_match(out, std::regex("fs_guest " + mode + ": [0-9]+ checks passed\n")))
        << out;
  }
};

TEST_P(GuestFsTest, FilesAndDirectoriesInsideAPreopen) {
  ExpectPasses("basic");
  // What the guest left behind, seen from the host.
  EXPECT_EQ(testing_util::ReadHostFile(Host("sandbox/a.txt")), "hello Wo!");
  EXPECT_EQ(testing_util::ReadHostFile(Host("sandbox/moved.txt")), "inner");
  struct stat st;
  EXPECT_EQ(stat(Host("sandbox/dir2").c_str(), &st), -1);
}

TEST_P(GuestFsTest, EscapesAreRefused) {
  ExpectPasses("escape");
  struct stat st;
  EXPECT_EQ(lstat(Host("sandbox/evil_abs").c_str(), &st), -1);
  EXPECT_EQ(lstat(Host("sandbox/evil_rel").c_str(), &st), -1);
  EXPECT_EQ(lstat(Host("other/inside.txt").c_str(), &st), -1);
  EXPECT_EQ(lstat(Host("evil").c_str(), &st), -1);
}

TEST_P(GuestFsTest, ReadOnlyPreopenRefusesMutation) { ExpectPasses("readonly"); }

TEST_P(GuestFsTest, UnknownModeFailsTheGuest) {
  // The harness itself can fail: a guest exiting 2 is reported, not taken for success.
  std::string out;
  EXPECT_EQ(RunGuest("nonsense", &out), 2);
  EXPECT_EQ(out, "unknown mode nonsense\n");
}

INSTANTIATE_TEST_SUITE_P(Cli, GuestFsTest, ::testing::Values(false),
                         [](const auto&) { return "openat2"; });

}  // namespace
}  // namespace wasmgpu::wasi
