// FdTable behaviour inside a read-write preopen: files, directories, links, fd bookkeeping.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "fs_test_util.h"

namespace wasmgpu::wasi {
namespace {

using namespace testing_util;  // NOLINT

using FdTableTest = FsTest;

std::span<const std::span<uint8_t>> One(std::span<uint8_t>& s) { return {&s, 1}; }

TEST_P(FdTableTest, ResolverIsTheOneAskedFor) {
  if (GetParam()) {
    EXPECT_FALSE(UsingOpenat2());
  } else if (!UsingOpenat2()) {
    GTEST_SKIP() << "This kernel has no usable openat2; both runs use the fallback.";
  }
}

TEST_P(FdTableTest, CreateWriteReadSeekTell) {
  uint32_t fd = 0;
  ASSERT_EQ(Open(kSandbox, "hello.txt", kOflagsCreat | kOflagsExcl, kReadWriteRights, &fd),
            Errno::kSuccess);
  EXPECT_EQ(fd, 6u);  // Lowest free after stdio and three preopens.
  ASSERT_EQ(Write(fd, "hello, world"), Errno::kSuccess);
  EXPECT_EQ(testing_util::ReadHostFile(Host("sandbox/hello.txt")), "hello, world");

  uint64_t pos = 99;
  ASSERT_EQ(table_->FdTell(fd, &pos), Errno::kSuccess);
  EXPECT_EQ(pos, 12u);
  ASSERT_EQ(table_->FdSeek(fd, 7, kWhenceSet, &pos), Errno::kSuccess);
  EXPECT_EQ(pos, 7u);
  EXPECT_EQ(Read(fd), "world");
  ASSERT_EQ(table_->FdSeek(fd, -5, kWhenceEnd, &pos), Errno::kSuccess);
  EXPECT_EQ(pos, 7u);
  ASSERT_EQ(table_->FdSeek(fd, -2, kWhenceCur, &pos), Errno::kSuccess);
  EXPECT_EQ(pos, 5u);
  EXPECT_EQ(Read(fd, 2), ", ");
  EXPECT_EQ(table_->FdSeek(fd, -100, kWhenceCur, &pos), Errno::kInval);
  EXPECT_EQ(table_->FdSeek(fd, 0, 3, &pos), Errno::kInval);

  // O_EXCL on an existing file.
  uint32_t again = 0;
  EXPECT_EQ(Open(kSandbox, "hello.txt", kOflagsCreat | kOflagsExcl, kReadWriteRights, &again),
            Errno::kExist);
  ASSERT_EQ(table_->FdClose(fd), Errno::kSuccess);
  EXPECT_EQ(table_->FdClose(fd), Errno::kBadf);
  EXPECT_EQ(table_->FdTell(fd, &pos), Errno::kBadf);
}

TEST_P(FdTableTest, ScatterGatherAndPositionalIo) {
  uint32_t fd = 0;
  ASSERT_EQ(Open(kSandbox, "v.bin", kOflagsCreat, kReadWriteRights, &fd), Errno::kSuccess);
  const std::string a = "abc", b = "defgh";
  std::span<const uint8_t> parts[2] = {{reinterpret_cast<const uint8_t*>(a.data()), a.size()},
                                       {reinterpret_cast<const uint8_t*>(b.data()), b.size()}};
  uint32_t n = 0;
  ASSERT_EQ(table_->FdWrite(fd, parts, &n), Errno::kSuccess);
  EXPECT_EQ(n, 8u);
  const std::string x = "XY";
  std::span<const uint8_t> xs(reinterpret_cast<const uint8_t*>(x.data()), x.size());
  ASSERT_EQ(table_->FdPwrite(fd, {&xs, 1}, 2, &n), Errno::kSuccess);
  EXPECT_EQ(n, 2u);
  uint64_t pos = 0;
  ASSERT_EQ(table_->FdTell(fd, &pos), Errno::kSuccess);
  EXPECT_EQ(pos, 8u);  // pwrite leaves the offset alone.
  uint8_t r1[3], r2[4];
  std::span<uint8_t> rs[2] = {r1, r2};
  ASSERT_EQ(table_->FdPread(fd, rs, 1, &n), Errno::kSuccess);
  EXPECT_EQ(n, 7u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(r1), 3), "bXY");
  EXPECT_EQ(std::string(reinterpret_cast<char*>(r2), 4), "efgh");
  ASSERT_EQ(table_->FdPread(fd, rs, 100, &n), Errno::kSuccess);
  EXPECT_EQ(n, 0u);
  EXPECT_EQ(table_->FdPread(fd, rs, uint64_t{1} << 63, &n), Errno::kInval);
  EXPECT_EQ(testing_util::ReadHostFile(Host("sandbox/v.bin")), "abXYefgh");
}

TEST_P(FdTableTest, TruncateAndAppend) {
  CreateFile("t.txt", "0123456789");
  uint32_t fd = 0;
  ASSERT_EQ(Open(kSandbox, "t.txt", kOflagsTrunc, kReadWriteRights, &fd), Errno::kSuccess);
  EXPECT_EQ(testing_util::ReadHostFile(Host("sandbox/t.txt")), "");
  ASSERT_EQ(table_->FdClose(fd), Errno::kSuccess);

  CreateFile("a.txt", "one");
  ASSERT_EQ(
      Open(kSandbox, "a.txt", 0, kReadWriteRights, &fd, kLookupflagsSymlinkFollow, kFdflagsAppend),
      Errno::kSuccess);
  ASSERT_EQ(Write(fd, "two"), Errno::kSuccess);
  Fdstat st;
  ASSERT_EQ(table_->FdFdstatGet(fd, &st), Errno::kSuccess);
  EXPECT_EQ(st.fs_flags, kFdflagsAppend);
  ASSERT_EQ(table_->FdFdstatSetFlags(fd, 0), Errno::kSuccess);
  uint64_t pos = 0;
  ASSERT_EQ(table_->FdSeek(fd, 0, kWhenceSet, &pos), Errno::kSuccess);
  ASSERT_EQ(Write(fd, "O"), Errno::kSuccess);
  EXPECT_EQ(testing_util::ReadHostFile(Host("sandbox/a.txt")), "Onetwo");
  ASSERT_EQ(table_->FdFdstatGet(fd, &st), Errno::kSuccess);
  EXPECT_EQ(st.fs_flags, 0);
  EXPECT_EQ(table_->FdFdstatSetFlags(fd, kFdflagsSync), Errno::kNotsup);
  EXPECT_EQ(table_->FdFdstatSetFlags(fd, 0x20), Errno::kInval);
}

TEST_P(FdTableTest, FilestatGetAndSet) {
  CreateFile("s.txt", "12345");
  uint32_t fd = 0;
  ASSERT_EQ(Open(kSandbox, "s.txt", 0, kReadWriteRights, &fd), Errno::kSuccess);
  Filestat fs;
  ASSERT_EQ(table_->FdFilestatGet(fd, &fs), Errno::kSuccess);
  struct stat host;
  ASSERT_EQ(stat(Host("sandbox/s.txt").c_str(), &host), 0);
  EXPECT_EQ(fs.filetype, kFiletypeRegularFile);
  EXPECT_EQ(fs.size, 5u);
  EXPECT_EQ(fs.ino, host.st_ino);
  EXPECT_EQ(fs.dev, host.st_dev);
  EXPECT_EQ(fs.nlink, 1u);

  ASSERT_EQ(table_->FdFilestatSetSize(fd, 2), Errno::kSuccess);
  EXPECT_EQ(testing_util::ReadHostFile(Host("sandbox/s.txt")), "12");
  ASSERT_EQ(table_->FdFilestatSetSize(fd, 4), Errno::kSuccess);
  EXPECT_EQ(testing_util::ReadHostFile(Host("sandbox/s.txt")), std::string("12\0\0", 4));

  const uint64_t t1 = 1'000'000'000ull * 1'600'000'000ull + 123;
  const uint64_t t2 = 1'000'000'000ull * 1'700'000'000ull + 456;
  ASSERT_EQ(table_->FdFilestatSetTimes(fd, t1, t2, kFstflagsAtim | kFstflagsMtim), Errno::kSuccess);
  ASSERT_EQ(table_->FdFilestatGet(fd, &fs), Errno::kSuccess);
  EXPECT_EQ(fs.atim, t1);
  EXPECT_EQ(fs.mtim, t2);
  // Only mtime; atime left alone.
  ASSERT_EQ(table_->FdFilestatSetTimes(fd, 0, t1, kFstflagsMtim), Errno::kSuccess);
  ASSERT_EQ(table_->FdFilestatGet(fd, &fs), Errno::kSuccess);
  EXPECT_EQ(fs.atim, t1);
  EXPECT_EQ(fs.mtim, t1);
  EXPECT_EQ(table_->FdFilestatSetTimes(fd, 0, 0, kFstflagsAtim | kFstflagsAtimNow), Errno::kInval);
  EXPECT_EQ(table_->FdFilestatSetTimes(fd, 0, 0, 0x10), Errno::kInval);

  // path_filestat_get/set_times, following and not following a symlink.
  ASSERT_EQ(table_->PathSymlink("s.txt", kSandbox, "s.lnk"), Errno::kSuccess);
  ASSERT_EQ(table_->PathFilestatSetTimes(kSandbox, kLookupflagsSymlinkFollow, "s.lnk", 0, t2,
                                         kFstflagsMtim),
            Errno::kSuccess);
  ASSERT_EQ(table_->PathFilestatGet(kSandbox, kLookupflagsSymlinkFollow, "s.lnk", &fs),
            Errno::kSuccess);
  EXPECT_EQ(fs.filetype, kFiletypeRegularFile);
  EXPECT_EQ(fs.mtim, t2);
  ASSERT_EQ(table_->PathFilestatGet(kSandbox, 0, "s.lnk", &fs), Errno::kSuccess);
  EXPECT_EQ(fs.filetype, kFiletypeSymbolicLink);
  EXPECT_EQ(fs.size, 5u);  // strlen("s.txt")
  ASSERT_EQ(table_->PathFilestatSetTimes(kSandbox, 0, "s.lnk", 0, t1, kFstflagsMtim),
            Errno::kSuccess);
  ASSERT_EQ(table_->PathFilestatGet(kSandbox, 0, "s.lnk", &fs), Errno::kSuccess);
  EXPECT_EQ(fs.mtim, t1);
  ASSERT_EQ(table_->PathFilestatGet(kSandbox, 0, "s.txt", &fs), Errno::kSuccess);
  EXPECT_EQ(fs.mtim, t2);
  EXPECT_EQ(table_->PathFilestatGet(kSandbox, 0, "missing", &fs), Errno::kNoent);
}

TEST_P(FdTableTest, FdstatReportsTypeAndRights) {
  Fdstat st;
  ASSERT_EQ(table_->FdFdstatGet(kSandbox, &st), Errno::kSuccess);
  EXPECT_EQ(st.fs_filetype, kFiletypeDirectory);
  EXPECT_NE(st.fs_rights_base & kRightPathOpen, 0u);
  EXPECT_NE(st.fs_rights_inheriting & kRightFdWrite, 0u);
  CreateFile("f", "x");
  uint32_t fd = 0;
  ASSERT_EQ(Open(kSandbox, "f", 0, kReadOnlyRights, &fd), Errno::kSuccess);
  ASSERT_EQ(table_->FdFdstatGet(fd, &st), Errno::kSuccess);
  EXPECT_EQ(st.fs_filetype, kFiletypeRegularFile);
  EXPECT_EQ(st.fs_rights_base, kReadOnlyRights);
  EXPECT_EQ(table_->FdFdstatSetRights(fd, kRightFdRead, 0), Errno::kSuccess);
  EXPECT_EQ(table_->FdFdstatSetRights(fd, kRightFdRead | kRightFdWrite, 0), Errno::kNotcapable);
  ASSERT_EQ(table_->FdFdstatGet(fd, &st), Errno::kSuccess);
  EXPECT_EQ(st.fs_rights_base, kRightFdRead);
  // Opened for reading only: writing fails in the kernel.
  EXPECT_EQ(Write(fd, "y"), Errno::kBadf);
  EXPECT_EQ(table_->FdFdstatGet(99, &st), Errno::kBadf);
}

TEST_P(FdTableTest, MkdirRmdirAndDirectoryFds) {
  ASSERT_EQ(table_->PathCreateDirectory(kSandbox, "d"), Errno::kSuccess);
  ASSERT_EQ(table_->PathCreateDirectory(kSandbox, "d/e/"), Errno::kSuccess);
  EXPECT_EQ(table_->PathCreateDirectory(kSandbox, "d"), Errno::kExist);
  EXPECT_EQ(table_->PathCreateDirectory(kSandbox, "nope/x"), Errno::kNoent);
  struct stat st;
  ASSERT_EQ(stat(Host("sandbox/d/e").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));

  // A directory fd from path_open is a new root for relative paths.
  uint32_t dfd = 0;
  ASSERT_EQ(Open(kSandbox, "d", kOflagsDirectory, kReadOnlyRights, &dfd), Errno::kSuccess);
  Fdstat fst;
  ASSERT_EQ(table_->FdFdstatGet(dfd, &fst), Errno::kSuccess);
  EXPECT_EQ(fst.fs_filetype, kFiletypeDirectory);
  uint32_t f = 0;
  ASSERT_EQ(Open(dfd, "e/inner.txt", kOflagsCreat, kReadWriteRights, &f), Errno::kSuccess);
  ASSERT_EQ(Write(f, "in"), Errno::kSuccess);
  EXPECT_EQ(testing_util::ReadHostFile(Host("sandbox/d/e/inner.txt")), "in");
  uint8_t b[4];
  std::span<uint8_t> bs(b);
  uint32_t n = 0;
  EXPECT_EQ(table_->FdRead(dfd, One(bs), &n), Errno::kBadf);
  uint64_t pos = 0;
  EXPECT_EQ(table_->FdSeek(dfd, 0, kWhenceSet, &pos), Errno::kBadf);
  // path_* on a file fd.
  EXPECT_EQ(table_->PathCreateDirectory(f, "x"), Errno::kNotdir);
  EXPECT_EQ(Open(kSandbox, "d/e/inner.txt", kOflagsDirectory, kReadOnlyRights, &f), Errno::kNotdir);

  EXPECT_EQ(table_->PathRemoveDirectory(kSandbox, "d"), Errno::kNotempty);
  EXPECT_EQ(table_->PathRemoveDirectory(kSandbox, "d/e/inner.txt"), Errno::kNotdir);
  EXPECT_EQ(table_->PathUnlinkFile(kSandbox, "d/e"), Errno::kIsdir);
  ASSERT_EQ(table_->PathUnlinkFile(kSandbox, "d/e/inner.txt"), Errno::kSuccess);
  EXPECT_EQ(table_->PathUnlinkFile(kSandbox, "d/e/inner.txt"), Errno::kNoent);
  ASSERT_EQ(table_->PathRemoveDirectory(kSandbox, "d/e/"), Errno::kSuccess);
  ASSERT_EQ(table_->PathRemoveDirectory(dfd, "."), Errno::kInval);
  ASSERT_EQ(table_->PathRemoveDirectory(kSandbox, "d"), Errno::kSuccess);
  EXPECT_NE(stat(Host("sandbox/d").c_str(), &st), 0);
}

// Parses fd_readdir's buffer the way wasi-libc does.
struct ParsedDirent {
  uint64_t next;
  uint64_t ino;
  uint8_t type;
  std::string name;
};
std::vector<ParsedDirent> ParseDirents(std::span<const uint8_t> buf, bool* truncated) {
  std::vector<ParsedDirent> out;
  size_t off = 0;
  *truncated = false;
  while (off < buf.size()) {
    if (buf.size() - off < sizeof(Dirent)) {
      *truncated = true;
      break;
    }
    Dirent d;
    std::memcpy(&d, buf.data() + off, sizeof d);
    off += sizeof d;
    if (buf.size() - off < d.d_namlen) {
      *truncated = true;
      break;
    }
    out.push_back({d.d_next, d.d_ino, d.d_type,
                   std::string(reinterpret_cast<const char*>(buf.data() + off), d.d_namlen)});
    off += d.d_namlen;
  }
  return out;
}

TEST_P(FdTableTest, ReaddirWithCookiesAndSmallBuffers) {
  CreateFile("file1", "1");
  CreateFile("a-much-longer-file-name-number-two", "2");
  ASSERT_EQ(table_->PathCreateDirectory(kSandbox, "subdir"), Errno::kSuccess);
  ASSERT_EQ(table_->PathSymlink("file1", kSandbox, "link"), Errno::kSuccess);
  const std::map<std::string, uint8_t> expected = {
      {".", kFiletypeDirectory},       {"..", kFiletypeDirectory},
      {"file1", kFiletypeRegularFile}, {"a-much-longer-file-name-number-two", kFiletypeRegularFile},
      {"subdir", kFiletypeDirectory},  {"link", kFiletypeSymbolicLink}};

  // One big buffer.
  std::vector<uint8_t> big(4096);
  uint32_t used = 0;
  ASSERT_EQ(table_->FdReaddir(kSandbox, big, 0, &used), Errno::kSuccess);
  ASSERT_LT(used, big.size());
  bool truncated = false;
  auto all = ParseDirents(std::span(big.data(), used), &truncated);
  EXPECT_FALSE(truncated);
  std::map<std::string, uint8_t> got;
  for (size_t i = 0; i < all.size(); ++i) {
    got[all[i].name] = all[i].type;
    EXPECT_EQ(all[i].next, i + 1);
  }
  EXPECT_EQ(got, expected);
  struct stat st;
  ASSERT_EQ(stat(Host("sandbox/file1").c_str(), &st), 0);
  auto it = std::find_if(all.begin(), all.end(), [](auto& d) { return d.name == "file1"; });
  ASSERT_NE(it, all.end());
  EXPECT_EQ(it->ino, st.st_ino);

  // A 40-byte buffer, resumed from the last complete entry's d_next as wasi-libc does.
  for (size_t size : {40u, 24u + 5u, 64u}) {
    std::vector<std::string> names;
    uint64_t cookie = 0;
    for (int rounds = 0; rounds < 100; ++rounds) {
      std::vector<uint8_t> small(size);
      ASSERT_EQ(table_->FdReaddir(kSandbox, small, cookie, &used), Errno::kSuccess);
      auto part = ParseDirents(std::span(small.data(), used), &truncated);
      if (part.empty() && truncated) {
        // An entry bigger than the buffer: the guest must grow it (wasi-libc does).
        size *= 2;
        continue;
      }
      for (auto& d : part) {
        names.push_back(d.name);
        cookie = d.next;
      }
      if (used < small.size()) break;
    }
    std::sort(names.begin(), names.end());
    std::vector<std::string> want;
    for (auto& [name, type] : expected) want.push_back(name);
    EXPECT_EQ(names, want) << "buffer size " << size;
  }

  // Past the end: nothing.
  ASSERT_EQ(table_->FdReaddir(kSandbox, big, 1000, &used), Errno::kSuccess);
  EXPECT_EQ(used, 0u);
  // A file is not a directory.
  uint32_t fd = 0;
  ASSERT_EQ(Open(kSandbox, "file1", 0, kReadOnlyRights, &fd), Errno::kSuccess);
  EXPECT_EQ(table_->FdReaddir(fd, big, 0, &used), Errno::kNotdir);
  EXPECT_EQ(table_->FdReaddir(77, big, 0, &used), Errno::kBadf);
}

TEST_P(FdTableTest, RenameUnlinkLink) {
  CreateFile("old.txt", "payload");
  ASSERT_EQ(table_->PathCreateDirectory(kSandbox, "dir"), Errno::kSuccess);
  ASSERT_EQ(table_->PathRename(kSandbox, "old.txt", kSandbox, "dir/new.txt"), Errno::kSuccess);
  EXPECT_EQ(testing_util::ReadHostFile(Host("sandbox/dir/new.txt")), "payload");
  struct stat st;
  EXPECT_NE(stat(Host("sandbox/old.txt").c_str(), &st), 0);
  EXPECT_EQ(table_->PathRename(kSandbox, "old.txt", kSandbox, "x"), Errno::kNoent);
  // Rename a directory; onto a non-empty directory fails.
  ASSERT_EQ(table_->PathRename(kSandbox, "dir", kSandbox, "dir2"), Errno::kSuccess);
  ASSERT_EQ(table_->PathCreateDirectory(kSandbox, "full"), Errno::kSuccess);
  CreateFile("full/x", "x");
  EXPECT_EQ(table_->PathRename(kSandbox, "dir2", kSandbox, "full"), Errno::kNotempty);

  ASSERT_EQ(table_->PathLink(kSandbox, 0, "dir2/new.txt", kSandbox, "hard.txt"), Errno::kSuccess);
  ASSERT_EQ(stat(Host("sandbox/hard.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 2u);
  EXPECT_EQ(table_->PathLink(kSandbox, 0, "dir2/new.txt", kSandbox, "hard.txt"), Errno::kExist);
  EXPECT_EQ(table_->PathLink(kSandbox, kLookupflagsSymlinkFollow, "dir2/new.txt", kSandbox, "h2"),
            Errno::kInval);
  EXPECT_EQ(table_->PathLink(kSandbox, 0, "dir2", kSandbox, "dirlink"), Errno::kPerm);
  EXPECT_EQ(table_->PathLink(kSandbox, 0, "dir2/", kSandbox, "dirlink"), Errno::kPerm);
  EXPECT_EQ(table_->PathLink(kSandbox, 0, "hard.txt/", kSandbox, "h3"), Errno::kNotdir);
  ASSERT_EQ(table_->PathUnlinkFile(kSandbox, "hard.txt"), Errno::kSuccess);
  EXPECT_EQ(table_->PathUnlinkFile(kSandbox, "dir2/new.txt/"), Errno::kNotdir);
  ASSERT_EQ(table_->PathUnlinkFile(kSandbox, "dir2/new.txt"), Errno::kSuccess);
  EXPECT_EQ(table_->PathUnlinkFile(kSandbox, ""), Errno::kNoent);
}

TEST_P(FdTableTest, SymlinkAndReadlink) {
  CreateFile("target.txt", "via link");
  ASSERT_EQ(table_->PathCreateDirectory(kSandbox, "sub"), Errno::kSuccess);
  ASSERT_EQ(table_->PathSymlink("target.txt", kSandbox, "l1"), Errno::kSuccess);
  ASSERT_EQ(table_->PathSymlink("../target.txt", kSandbox, "sub/l2"), Errno::kSuccess);
  ASSERT_EQ(table_->PathSymlink("./sub/../target.txt", kSandbox, "l3"), Errno::kSuccess);
  ASSERT_EQ(table_->PathSymlink("does-not-exist", kSandbox, "dangling"), Errno::kSuccess);
  EXPECT_EQ(table_->PathSymlink("x", kSandbox, "l1"), Errno::kExist);
  char host_target[64] = {};
  ASSERT_GT(readlink(Host("sandbox/sub/l2").c_str(), host_target, sizeof host_target), 0);
  EXPECT_STREQ(host_target, "../target.txt");

  for (const char* l : {"l1", "sub/l2", "l3"}) {
    uint32_t fd = 0;
    ASSERT_EQ(Open(kSandbox, l, 0, kReadOnlyRights, &fd), Errno::kSuccess) << l;
    EXPECT_EQ(Read(fd), "via link");
    // Not following the final symlink: ELOOP, as O_NOFOLLOW.
    EXPECT_EQ(Open(kSandbox, l, 0, kReadOnlyRights, &fd, 0), Errno::kLoop) << l;
  }
  uint32_t fd = 0;
  EXPECT_EQ(Open(kSandbox, "dangling", 0, kReadOnlyRights, &fd), Errno::kNoent);
  // O_CREAT through a dangling link inside the sandbox creates its target, as POSIX does.
  ASSERT_EQ(Open(kSandbox, "dangling", kOflagsCreat, kReadWriteRights, &fd), Errno::kSuccess);
  struct stat st;
  EXPECT_EQ(stat(Host("sandbox/does-not-exist").c_str(), &st), 0);

  uint8_t buf[64];
  uint32_t used = 0;
  ASSERT_EQ(table_->PathReadlink(kSandbox, "sub/l2", buf, &used), Errno::kSuccess);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), used), "../target.txt");
  // Too small a buffer truncates, as readlink(2).
  ASSERT_EQ(table_->PathReadlink(kSandbox, "sub/l2", std::span<uint8_t>(buf, 4), &used),
            Errno::kSuccess);
  EXPECT_EQ(used, 4u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), used), "../t");
  EXPECT_EQ(table_->PathReadlink(kSandbox, "target.txt", buf, &used), Errno::kInval);
  EXPECT_EQ(table_->PathReadlink(kSandbox, "nothing", buf, &used), Errno::kNoent);
  // Unlinking a symlink removes the link, not the target.
  ASSERT_EQ(table_->PathUnlinkFile(kSandbox, "l1"), Errno::kSuccess);
  EXPECT_EQ(stat(Host("sandbox/target.txt").c_str(), &st), 0);
}

TEST_P(FdTableTest, RenumberAndClose) {
  CreateFile("a", "AAA");
  CreateFile("b", "BBB");
  uint32_t fa = 0, fb = 0;
  ASSERT_EQ(Open(kSandbox, "a", 0, kReadOnlyRights, &fa), Errno::kSuccess);
  ASSERT_EQ(Open(kSandbox, "b", 0, kReadOnlyRights, &fb), Errno::kSuccess);
  EXPECT_EQ(fa, 6u);
  EXPECT_EQ(fb, 7u);
  size_t open_before = table_->OpenCount();
  ASSERT_EQ(table_->FdRenumber(fa, fb), Errno::kSuccess);
  EXPECT_EQ(table_->OpenCount(), open_before - 1);
  EXPECT_EQ(Read(fb), "AAA");
  uint64_t pos = 0;
  EXPECT_EQ(table_->FdTell(fa, &pos), Errno::kBadf);
  EXPECT_EQ(table_->FdRenumber(fa, fb), Errno::kBadf);
  EXPECT_EQ(table_->FdRenumber(fb, 100), Errno::kBadf);
  ASSERT_EQ(table_->FdRenumber(fb, fb), Errno::kSuccess);
  // The freed number is reused first.
  uint32_t fc = 0;
  ASSERT_EQ(Open(kSandbox, "b", 0, kReadOnlyRights, &fc), Errno::kSuccess);
  EXPECT_EQ(fc, 6u);
  EXPECT_EQ(Read(fc), "BBB");
  // Closing a preopen removes it; its number is then free.
  ASSERT_EQ(table_->FdClose(kOther), Errno::kSuccess);
  Prestat p;
  EXPECT_EQ(table_->FdPrestatGet(kOther, &p), Errno::kBadf);
  uint32_t fd = 0;
  ASSERT_EQ(Open(kSandbox, "a", 0, kReadOnlyRights, &fd), Errno::kSuccess);
  EXPECT_EQ(fd, kOther);
}

TEST_P(FdTableTest, SyncAdviseAllocate) {
  CreateFile("s", "data");
  uint32_t fd = 0;
  ASSERT_EQ(Open(kSandbox, "s", 0, kReadWriteRights, &fd), Errno::kSuccess);
  EXPECT_EQ(table_->FdSync(fd), Errno::kSuccess);
  EXPECT_EQ(table_->FdDatasync(fd), Errno::kSuccess);
  EXPECT_EQ(table_->FdSync(kSandbox), Errno::kSuccess);
  EXPECT_EQ(table_->FdAdvise(fd, 0, 4, kAdviceSequential), Errno::kSuccess);
  EXPECT_EQ(table_->FdAdvise(fd, 0, 4, 6), Errno::kInval);
  ASSERT_EQ(table_->FdAllocate(fd, 0, 100), Errno::kSuccess);
  Filestat fs;
  ASSERT_EQ(table_->FdFilestatGet(fd, &fs), Errno::kSuccess);
  EXPECT_EQ(fs.size, 100u);
  EXPECT_EQ(table_->FdAllocate(fd, 0, 0), Errno::kInval);
  EXPECT_EQ(table_->FdAllocate(kSandbox, 0, 1), Errno::kBadf);
}

TEST_P(FdTableTest, StdioGoesToTheHostFdsGiven) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  table_.reset();
  auto t = FdTable::Create({}, StdioFds{0, p[1], 2});
  ASSERT_TRUE(t.ok());
  FdTable& table = **t;
  const std::string msg = "to stdout";
  std::span<const uint8_t> s(reinterpret_cast<const uint8_t*>(msg.data()), msg.size());
  uint32_t n = 0;
  ASSERT_EQ(table.FdWrite(1, {&s, 1}, &n), Errno::kSuccess);
  EXPECT_EQ(n, msg.size());
  char buf[32] = {};
  ASSERT_EQ(read(p[0], buf, sizeof buf), static_cast<ssize_t>(msg.size()));
  EXPECT_EQ(std::string(buf), msg);
  uint64_t pos = 0;
  EXPECT_EQ(table.FdSeek(1, 0, kWhenceCur, &pos), Errno::kSpipe);
  // Closing the guest's stdout leaves the host fd open.
  ASSERT_EQ(table.FdClose(1), Errno::kSuccess);
  EXPECT_EQ(table.FdWrite(1, {&s, 1}, &n), Errno::kBadf);
  EXPECT_EQ(write(p[1], "x", 1), 1);
  close(p[0]);
  close(p[1]);
  auto again = FdTable::Create(std::vector<PreopenSpec>{{Host("sandbox"), "/sandbox", false},
                                                        {Host("ro"), "/ro", true},
                                                        {Host("other"), "/other", false}});
  ASSERT_TRUE(again.ok());
  table_ = std::move(*again);
}

TEST_P(FdTableTest, BadPathsAndFlags) {
  uint32_t fd = 0;
  EXPECT_EQ(Open(kSandbox, "", 0, kReadOnlyRights, &fd), Errno::kNoent);
  EXPECT_EQ(Open(kSandbox, std::string_view("a\0b", 3), kOflagsCreat, kReadWriteRights, &fd),
            Errno::kInval);
  EXPECT_EQ(Open(kSandbox, std::string(5000, 'a'), 0, kReadOnlyRights, &fd), Errno::kNametoolong);
  EXPECT_EQ(Open(kSandbox, "x", 0x10, kReadOnlyRights, &fd), Errno::kInval);
  EXPECT_EQ(Open(42, "x", 0, kReadOnlyRights, &fd), Errno::kBadf);
  EXPECT_EQ(Open(1, "x", 0, kReadOnlyRights, &fd), Errno::kNotdir);
  struct stat st;
  EXPECT_NE(stat(Host("sandbox/a").c_str(), &st), 0);
}

TEST_P(FdTableTest, HostFdForPollAnswersLikeReadAndWrite) {
  CreateFile("p.txt", "12345");
  uint32_t fd = 0;
  ASSERT_EQ(Open(kSandbox, "p.txt", 0, kReadWriteRights, &fd), Errno::kSuccess);
  int host = -1;
  ASSERT_EQ(table_->HostFdForPoll(fd, false, &host), Errno::kSuccess);
  struct stat by_fd, by_path;
  ASSERT_EQ(fstat(host, &by_fd), 0);
  ASSERT_EQ(stat(Host("sandbox/p.txt").c_str(), &by_path), 0);
  EXPECT_EQ(by_fd.st_ino, by_path.st_ino);  // the very file the guest opened
  EXPECT_EQ(table_->HostFdForPoll(fd, true, &host), Errno::kSuccess);
  // Not open, a directory (a preopen), and writing through a read-only preopen: EBADF, as
  // fd_read / fd_write answer.
  EXPECT_EQ(table_->HostFdForPoll(42, false, &host), Errno::kBadf);
  EXPECT_EQ(table_->HostFdForPoll(kSandbox, false, &host), Errno::kBadf);
  uint32_t ro = 0;
  ASSERT_EQ(Open(kRo, "data.txt", 0, kReadOnlyRights, &ro), Errno::kSuccess);
  EXPECT_EQ(table_->HostFdForPoll(ro, false, &host), Errno::kSuccess);
  EXPECT_EQ(table_->HostFdForPoll(ro, true, &host), Errno::kBadf);
  ASSERT_EQ(table_->FdClose(fd), Errno::kSuccess);
  EXPECT_EQ(table_->HostFdForPoll(fd, false, &host), Errno::kBadf);
  EXPECT_EQ(table_->HostFdForPoll(1, true, &host), Errno::kSuccess);  // stdout
}

TEST_P(FdTableTest, OpenFdLimit) {
  CreateFile("f", "");
  // A soft limit that puts GuestFdBudget() above the table's cap, where the hard limit allows;
  // else the process-wide budget is what stops the opens.
  FdLimit limit(4 * FdTable::kMaxOpenFds);
  const bool table_cap_first =
      GuestFdBudget() - GuestFdsHeld() > FdTable::kMaxOpenFds - table_->OpenCount();
  uint32_t fd = 0;
  Errno last = Errno::kSuccess;
  size_t opened = 0;
  while (opened < FdTable::kMaxOpenFds + 5) {
    last = Open(kSandbox, "f", 0, kReadOnlyRights, &fd);
    if (last != Errno::kSuccess) break;
    ++opened;
  }
  if (table_cap_first) {
    EXPECT_EQ(last, Errno::kMfile);
    EXPECT_EQ(table_->OpenCount(), FdTable::kMaxOpenFds);
  } else {
    EXPECT_EQ(last, Errno::kNfile) << "hard RLIMIT_NOFILE under " << 4 * FdTable::kMaxOpenFds;
    EXPECT_EQ(GuestFdsHeld(), GuestFdBudget());
  }
}

// Guests together hold at most GuestFdBudget() host fds, half the soft RLIMIT_NOFILE, below each
// table's own cap: past it path_open returns NFILE in every table, the host can still open fds of
// its own, and a close in one table makes room in another.
TEST_P(FdTableTest, GuestFdBudgetIsSharedByTables) {
  CreateFile("f", "");
  auto second = FdTable::Create(std::vector<PreopenSpec>{{Host("sandbox"), "/sandbox", false}});
  ASSERT_TRUE(second.ok());
  std::unique_ptr<FdTable> other = std::move(*second);
  auto open_other = [&](uint32_t* fd) {
    return other->PathOpen(kSandbox, kLookupflagsSymlinkFollow, "f", 0, kReadOnlyRights, 0, 0, fd);
  };
  int max_fd = 0;
  CountOpenFds(&max_fd);
  // Budget: max_fd + 1 + 200, so the host keeps ~200 fds whatever it holds already.
  FdLimit limit(2 * (static_cast<rlim_t>(max_fd) + 1) + 400);
  const size_t budget = GuestFdBudget();
  ASSERT_GT(budget, GuestFdsHeld());
  ASSERT_LT(budget, FdTable::kMaxOpenFds);  // the process-wide bound is the one reached
  const size_t room = budget - GuestFdsHeld();
  size_t opened[2] = {0, 0};
  uint32_t mine = 0, fd = 0;
  Errno last = Errno::kSuccess;
  for (size_t i = 0; i < 2 * FdTable::kMaxOpenFds; ++i) {
    const bool first = i % 2 == 0;
    last = first ? Open(kSandbox, "f", 0, kReadOnlyRights, &fd) : open_other(&fd);
    if (last != Errno::kSuccess) break;
    ++opened[first ? 0 : 1];
    if (first) mine = fd;
  }
  EXPECT_EQ(last, Errno::kNfile);
  EXPECT_EQ(opened[0] + opened[1], room);
  EXPECT_GT(opened[1], 0u);
  EXPECT_EQ(GuestFdsHeld(), budget);
  EXPECT_EQ(Open(kSandbox, "f", 0, kReadOnlyRights, &fd), Errno::kNfile);
  EXPECT_EQ(open_other(&fd), Errno::kNfile);
  // The other half is the host's.
  std::vector<int> host;
  for (int i = 0; i < 100; ++i) {
    const int h = open("/dev/null", O_RDONLY | O_CLOEXEC);
    EXPECT_GE(h, 0) << "host open " << i << ": " << std::strerror(errno);
    if (h >= 0) host.push_back(h);
  }
  for (int h : host) close(h);
  // A close in this table makes room in the other; dropping a table returns all of its fds.
  ASSERT_EQ(table_->FdClose(mine), Errno::kSuccess);
  EXPECT_EQ(open_other(&fd), Errno::kSuccess);
  EXPECT_EQ(open_other(&fd), Errno::kNfile);
  other.reset();
  EXPECT_EQ(GuestFdsHeld(), budget - opened[1] - 1);
}

INSTANTIATE_TEST_SUITE_P(Resolver, FdTableTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "walk" : "openat2"; });

}  // namespace
}  // namespace wasmgpu::wasi
