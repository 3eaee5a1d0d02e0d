#include "fs_test_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace wasmgpu::wasi::testing_util {

std::string ReadHostFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteHostFile(const std::string& path, std::string_view contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
}

std::map<std::string, std::string> Snapshot(const std::string& root,
                                            const std::vector<std::string>& skip) {
  namespace fs = std::filesystem;
  std::map<std::string, std::string> out;
  auto it = fs::recursive_directory_iterator(root);
  for (; it != fs::recursive_directory_iterator(); ++it) {
    std::string rel = fs::relative(it->path(), root).string();
    if (std::find(skip.begin(), skip.end(), rel) != skip.end()) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_symlink()) {
      out[rel] = "link:" + fs::read_symlink(it->path()).string();
    } else if (it->is_directory()) {
      out[rel] = "dir";
    } else {
      out[rel] = "file:" + ReadHostFile(it->path().string());
    }
  }
  return out;
}

void FsTest::SetUp() {
  ForceOpenat2FallbackForTesting(GetParam());
  char tmpl[] = "/tmp/wasmgpu-wasi-fs-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  base_ = tmpl;
  for (const char* d : {"outside", "sandbox", "ro", "ro/sub", "other"}) {
    ASSERT_EQ(mkdir(Host(d).c_str(), 0755), 0) << d;
  }
  WriteHostFile(Host("outside/secret.txt"), "secret");
  WriteHostFile(Host("ro/data.txt"), "read me");
  WriteHostFile(Host("ro/sub/deep.txt"), "deep");
  std::vector<PreopenSpec> specs = {{Host("sandbox"), "/sandbox", false},
                                    {Host("ro"), "/ro", true},
                                    {Host("other"), "/other", false}};
  auto table = FdTable::Create(specs);
  ASSERT_TRUE(table.ok()) << table.error().message;
  table_ = std::move(*table);
  outside_before_ = Snapshot(base_, {"sandbox", "other"});
}

void FsTest::TearDown() {
  table_.reset();
  if (!base_.empty()) {
    EXPECT_EQ(Snapshot(base_, {"sandbox", "other"}), outside_before_)
        << "something outside the read-write preopens changed";
    std::filesystem::remove_all(base_);
  }
  ForceOpenat2FallbackForTesting(false);
}

Errno FsTest::Open(uint32_t dir, std::string_view path, Oflags oflags, Rights rights, uint32_t* fd,
                   Lookupflags lookup, Fdflags fdflags) {
  return table_->PathOpen(dir, lookup, path, oflags, rights, rights, fdflags, fd);
}

Errno FsTest::Write(uint32_t fd, std::string_view data) {
  std::span<const uint8_t> s(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  uint32_t n = 0;
  Errno e = table_->FdWrite(fd, std::span<const std::span<const uint8_t>>(&s, 1), &n);
  if (e == Errno::kSuccess) {
    EXPECT_EQ(n, data.size());
  }
  return e;
}

std::string FsTest::Read(uint32_t fd, size_t max) {
  std::string buf(max, '\0');
  std::span<uint8_t> s(reinterpret_cast<uint8_t*>(buf.data()), buf.size());
  uint32_t n = 0;
  EXPECT_EQ(table_->FdRead(fd, std::span<const std::span<uint8_t>>(&s, 1), &n), Errno::kSuccess);
  buf.resize(n);
  return buf;
}

void FsTest::CreateFile(std::string_view path, std::string_view contents) {
  uint32_t fd = 0;
  ASSERT_EQ(Open(kSandbox, path, kOflagsCreat | kOflagsTrunc, kReadWriteRights, &fd),
            Errno::kSuccess)
      << path;
  ASSERT_EQ(Write(fd, contents), Errno::kSuccess);
  ASSERT_EQ(table_->FdClose(fd), Errno::kSuccess);
}

}  // namespace wasmgpu::wasi::testing_util
