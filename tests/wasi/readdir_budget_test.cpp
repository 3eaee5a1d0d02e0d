// fd_readdir snapshots are held within a per-table budget (FdTable::kReaddirSnapshotBudget): a
// guest that opens one directory on many fds and lists each does not make the host hold a copy
// per fd, and a snapshot dropped for the budget is taken again, so listings stay complete.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "wasi/fs/fd_table.h"

namespace wasmgpu::wasi {
namespace {

namespace fs = std::filesystem;

constexpr uint32_t kPreopen = 3;
constexpr size_t kFiles = 200;

class ReaddirBudgetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp != nullptr ? tmp : "/tmp") + "/wasmgpu-readdir.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    for (const char* dir : {"a", "b"}) {
      fs::create_directory(root_ + "/" + dir);
      for (size_t i = 0; i < kFiles; ++i) {
        std::ofstream(root_ + "/" + dir + "/" + dir + "-file-" + std::to_string(i));
      }
    }
    PreopenSpec spec{root_, "/", false};
    auto table = FdTable::Create(std::span<const PreopenSpec>(&spec, 1));
    ASSERT_TRUE(table.ok()) << table.error().message;
    table_ = std::move(table).value();
  }
  void TearDown() override {
    SetReaddirSnapshotBudgetForTesting(0);
    table_.reset();
    fs::remove_all(root_);
  }

  uint32_t OpenDir(const char* name) {
    uint32_t fd = 0;
    EXPECT_EQ(table_->PathOpen(kPreopen, 0, name, kOflagsDirectory, kRightFdReaddir, 0, 0, &fd),
              Errno::kSuccess);
    return fd;
  }
  // One fd_readdir call of `size` bytes from `*cookie`: adds the complete entries' names to
  // `names` and moves *cookie past them. False once the directory is exhausted.
  bool ReadSome(uint32_t fd, size_t size, uint64_t* cookie, std::multiset<std::string>* names) {
    std::vector<uint8_t> buf(size);
    uint32_t used = 0;
    EXPECT_EQ(table_->FdReaddir(fd, buf, *cookie, &used), Errno::kSuccess);
    size_t at = 0;
    while (at + sizeof(Dirent) <= used) {
      Dirent d;
      std::memcpy(&d, buf.data() + at, sizeof d);
      if (at + sizeof d + d.d_namlen > used) break;  // cut off: read again from its cookie
      names->emplace(reinterpret_cast<const char*>(buf.data() + at + sizeof d), d.d_namlen);
      *cookie = d.d_next;
      at += sizeof d + d.d_namlen;
    }
    return used == size;
  }
  // The whole listing of `fd` through a buffer of `size` bytes.
  std::multiset<std::string> ReadAll(uint32_t fd, size_t size) {
    std::multiset<std::string> names;
    uint64_t cookie = 0;
    while (ReadSome(fd, size, &cookie, &names)) {
    }
    return names;
  }
  static std::multiset<std::string> Expected(const std::string& dir) {
    std::multiset<std::string> names = {".", ".."};
    for (size_t i = 0; i < kFiles; ++i) names.insert(dir + "-file-" + std::to_string(i));
    return names;
  }

  std::string root_;
  std::unique_ptr<FdTable> table_;
};

TEST_F(ReaddirBudgetTest, OneDirectoryOnManyFdsIsHeldOnceNotOncePerFd) {
  // The size of one snapshot of a/, measured.
  uint32_t first = OpenDir("a");
  EXPECT_EQ(ReadAll(first, 4096), Expected("a"));
  const size_t one = table_->ReaddirSnapshotBytes();
  ASSERT_GT(one, kFiles * sizeof(Dirent));
  EXPECT_EQ(table_->FdClose(first), Errno::kSuccess);
  EXPECT_EQ(table_->ReaddirSnapshotBytes(), 0u);  // closing frees it

  // A budget of two snapshots; fifty fds each start listing a/.
  SetReaddirSnapshotBudgetForTesting(2 * one);
  std::vector<uint32_t> fds;
  std::vector<uint64_t> cookies(50, 0);
  std::vector<std::multiset<std::string>> names(50);
  for (size_t i = 0; i < 50; ++i) {
    fds.push_back(OpenDir("a"));
    ReadSome(fds[i], 512, &cookies[i], &names[i]);
    EXPECT_LE(table_->ReaddirSnapshotBytes(), 2 * one) << "after fd " << i;
  }
  // Every fd still lists the whole directory, each entry once: the ones whose snapshots were
  // dropped take a new one at their next cookie.
  for (size_t i = 0; i < 50; ++i) {
    while (ReadSome(fds[i], 512, &cookies[i], &names[i])) {
    }
    EXPECT_EQ(names[i], Expected("a")) << "fd " << fds[i];
    EXPECT_LE(table_->ReaddirSnapshotBytes(), 2 * one);
  }
}

TEST_F(ReaddirBudgetTest, TheLeastRecentlyReadSnapshotGoesFirst) {
  uint32_t a = OpenDir("a");
  uint32_t b = OpenDir("b");
  std::multiset<std::string> ignored;
  uint64_t cookie_a = 0;
  ReadSome(a, 512, &cookie_a, &ignored);
  const size_t one = table_->ReaddirSnapshotBytes();
  SetReaddirSnapshotBudgetForTesting(one + one / 2);  // room for one snapshot, not two
  uint64_t cookie_b = 0;
  ReadSome(b, 512, &cookie_b, &ignored);
  // b/'s snapshot is the one just taken, so a/'s was dropped: one is held (a/ and b/ have as
  // many entries, with names as long, so their snapshots are the same size).
  EXPECT_EQ(table_->ReaddirSnapshotBytes(), one);
  // a/ again from its cookie: a new snapshot, and b/'s is dropped in turn.
  std::multiset<std::string> rest;
  while (ReadSome(a, 512, &cookie_a, &rest)) {
  }
  EXPECT_EQ(table_->ReaddirSnapshotBytes(), one);
  // A directory larger than the whole budget is still listed, alone.
  SetReaddirSnapshotBudgetForTesting(1);
  EXPECT_EQ(ReadAll(b, 4096), Expected("b"));
  EXPECT_EQ(table_->ReaddirSnapshotBytes(), one);
}

}  // namespace
}  // namespace wasmgpu::wasi
