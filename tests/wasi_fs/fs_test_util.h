// Fixture for the FdTable tests: a temporary tree
//   base/outside/secret.txt      what no guest may read, write or see changed
//   base/sandbox/                the read-write preopen, guest fd 3, "/sandbox"
//   base/ro/data.txt, ro/sub/    the read-only preopen, guest fd 4, "/ro"
//   base/other/                  a second read-write preopen, guest fd 5, "/other"
// Every test runs twice, with openat2 and with the component-walk fallback, and TearDown checks
// that nothing outside sandbox/ and other/ changed (names, types, contents, link targets).
#pragma once

#include <gtest/gtest.h>

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
