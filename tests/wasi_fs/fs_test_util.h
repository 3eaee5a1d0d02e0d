// Fixture for the FdTable tests: a temporary tree
//   base/outside/secret.txt      what no guest may read, write or see changed
//   base/sandbox/                the read-write preopen, guest fd 3, "/sandbox"
//   base/ro/data.txt, ro/sub/    the read-only preopen, guest fd 4, "/ro"
//   base/other/                  a second read-write preopen, guest fd 5, "/other"
// Every test runs twice, with openat2 and with the component-walk fallback, and TearDown checks
// that nothing outside sandbox/ and other/ changed (names, types, contents, link targets).
#pragma once

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <map>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "wasi/fs/fd_table.h"

namespace wasmgpu::wasi {

inline void PrintTo(Errno e, std::ostream* os) {
  *os << ErrnoName(e) << " (" << static_cast<int>(e) << ")";
}

namespace testing_util {

constexpr uint32_t kSandbox = 3;
constexpr uint32_t kRo = 4;
constexpr uint32_t kOther = 5;

// What wasi-libc's open() asks for (see fd_table.h, PathOpen).
constexpr Rights kReadOnlyRights =
    kRightFdRead | kRightFdSeek | kRightFdTell | kRightFdFilestatGet | kRightFdReaddir;
constexpr Rights kReadWriteRights = kReadOnlyRights | kRightFdWrite | kRightFdDatasync |
                                    kRightFdAllocate | kRightFdFilestatSetSize |
                                    kRightFdFilestatSetTimes;

std::string ReadHostFile(const std::string& path);
void WriteHostFile(const std::string& path, std::string_view contents);
// Every entry under `root` (relative path -> "file:<contents>", "dir", "link:<target>").
std::map<std::string, std::string> Snapshot(const std::string& root,
                                            const std::vector<std::string>& skip = {});

// The fds this process holds: the entries of /proc/self/fd, less the one reading them. `max_fd`
// gets the highest fd number, which is what RLIMIT_NOFILE bounds.
inline size_t CountOpenFds(int* max_fd = nullptr) {
  DIR* dir = opendir("/proc/self/fd");
  EXPECT_NE(dir, nullptr);
  if (dir == nullptr) return 0;
  size_t n = 0;
  int highest = -1;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    ++n;
    highest = std::max(highest, std::stoi(e->d_name));
  }
  closedir(dir);
  if (max_fd != nullptr) *max_fd = highest;
  return n - 1;
}

// Sets the soft RLIMIT_NOFILE for one scope (at most the hard limit): lowered, holding more fds
// than it allows fails with EMFILE inside the call under test instead of going unnoticed; it also
// sets GuestFdBudget() to half of it.
class FdLimit {
 public:
  explicit FdLimit(rlim_t soft) {
    EXPECT_EQ(getrlimit(RLIMIT_NOFILE, &saved_), 0);
    rlimit changed = saved_;
    changed.rlim_cur = std::min<rlim_t>(soft, saved_.rlim_max);
    EXPECT_EQ(setrlimit(RLIMIT_NOFILE, &changed), 0);
  }
  ~FdLimit() { EXPECT_EQ(setrlimit(RLIMIT_NOFILE, &saved_), 0); }
  FdLimit(const FdLimit&) = delete;
  FdLimit& operator=(const FdLimit&) = delete;

 private:
  rlimit saved_{};
};

class FsTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override;
  void TearDown() override;

  std::string Host(std::string_view rel) const { return base_ + "/" + std::string(rel); }

  // path_open; returns the errno and stores the fd in *fd.
  Errno Open(uint32_t dir, std::string_view path, Oflags oflags, Rights rights, uint32_t* fd,
             Lookupflags lookup = kLookupflagsSymlinkFollow, Fdflags fdflags = 0);
  Errno Write(uint32_t fd, std::string_view data);
  std::string Read(uint32_t fd, size_t max = 4096);
  // Creates sandbox-relative `path` with `contents` through the table.
  void CreateFile(std::string_view path, std::string_view contents);

  std::string base_;
  std::unique_ptr<FdTable> table_;
  std::map<std::string, std::string> outside_before_;
};

}  // namespace testing_util
}  // namespace wasmgpu::wasi
