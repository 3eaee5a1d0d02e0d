#include <gtest/gtest.h>

#include "fs_test_util.h"

namespace wasmgpu::wasi {
namespace {

TEST(ParsePreopenSpec, HostOnlyIsAlsoTheGuestPath) {
  auto s = ParsePreopenSpec("data");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->host_path, "data");
  EXPECT_EQ(s->guest_path, "data");
  EXPECT_FALSE(s->read_only);
}

TEST(ParsePreopenSpec, HostAndGuest) {
  auto s = ParsePreopenSpec("/srv/in::/in");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->host_path, "/srv/in");
  EXPECT_EQ(s->guest_path, "/in");
  EXPECT_FALSE(s->read_only);
}

TEST(ParsePreopenSpec, ReadOnlySuffix) {
  auto s = ParsePreopenSpec("/srv/in::/in:ro");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->host_path, "/srv/in");
  EXPECT_EQ(s->guest_path, "/in");
  EXPECT_TRUE(s->read_only);
  auto t = ParsePreopenSpec(".:ro");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->host_path, ".");
  EXPECT_EQ(t->guest_path, ".");
  EXPECT_TRUE(t->read_only);
}

TEST(ParsePreopenSpec, SingleColonsBelongToThePath) {
  auto s = ParsePreopenSpec("a:b::c:d");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->host_path, "a:b");
  EXPECT_EQ(s->guest_path, "c:d");
  EXPECT_FALSE(s->read_only);
}

TEST(ParsePreopenSpec, Errors) {
  struct Case {
    const char* spec;
    const char* message;
  };
  const Case cases[] = {
      {"", "--dir value '' is empty; expected HOST[::GUEST][:ro]."},
      {":ro", "--dir value ':ro' names no host directory; expected HOST[::GUEST][:ro]."},
      {"::/in", "--dir value '::/in' names no host directory; expected HOST[::GUEST][:ro]."},
      {"/srv::",
       "--dir value '/srv::' names no guest path after '::'; expected "
       "HOST[::GUEST][:ro]."},
      {"/srv:::ro",
       "--dir value '/srv:::ro' names no guest path after '::'; expected "
       "HOST[::GUEST][:ro]."},
      {"a::b::c", "--dir value 'a::b::c' has more than one '::'; expected HOST[::GUEST][:ro]."},
  };
  for (const Case& c : cases) {
    auto s = ParsePreopenSpec(c.spec);
    ASSERT_FALSE(s.ok()) << c.spec;
    EXPECT_EQ(s.error().kind, ErrorKind::kValidation);
    EXPECT_EQ(s.error().message, c.message);
  }
}

TEST(FdTableCreate, MissingHostDirectoryIsAnErrorNamingIt) {
  std::vector<PreopenSpec> specs = {{"/nonexistent/wasmgpu-test-dir", "/d", false}};
  auto t = FdTable::Create(specs);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().message,
            "Cannot open the --dir host directory '/nonexistent/wasmgpu-test-dir': No such file "
            "or directory (errno 2).");
}

TEST(FdTableCreate, HostFileIsNotADirectory) {
  std::vector<PreopenSpec> specs = {{"/proc/self/status", "/d", false}};
  auto t = FdTable::Create(specs);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().message,
            "Cannot open the --dir host directory '/proc/self/status': Not a directory (errno "
            "20).");
}

TEST(FdTableCreate, StdioThenPreopensInOrder) {
  std::vector<PreopenSpec> specs = {{"/", "/a", false}, {"/", "/bb", true}};
  auto t = FdTable::Create(specs);
  ASSERT_TRUE(t.ok()) << t.error().message;
  FdTable& table = **t;
  EXPECT_EQ(table.OpenCount(), 5u);
  Prestat p;
  EXPECT_EQ(table.FdPrestatGet(0, &p), Errno::kBadf);
  EXPECT_EQ(table.FdPrestatGet(2, &p), Errno::kBadf);
  EXPECT_EQ(table.FdPrestatGet(5, &p), Errno::kBadf);
  ASSERT_EQ(table.FdPrestatGet(4, &p), Errno::kSuccess);
  EXPECT_EQ(p.tag, kPreopentypeDir);
  EXPECT_EQ(p.pr_name_len, 3u);
  uint8_t name[3];
  ASSERT_EQ(table.FdPrestatDirName(4, name), Errno::kSuccess);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(name), 3), "/bb");
  EXPECT_EQ(table.FdPrestatDirName(4, std::span<uint8_t>(name, 2)), Errno::kNametoolong);
  ASSERT_EQ(table.FdPrestatGet(3, &p), Errno::kSuccess);
  EXPECT_EQ(p.pr_name_len, 2u);
}

TEST(FdTableCreate, ErrnoNames) {
  EXPECT_STREQ(ErrnoName(Errno::kNotcapable), "NOTCAPABLE");
  EXPECT_STREQ(ErrnoName(Errno::kRofs), "ROFS");
  EXPECT_STREQ(ErrnoName(Errno::kSuccess), "SUCCESS");
  EXPECT_STREQ(ErrnoName(static_cast<Errno>(77)), "UNKNOWN");
}

}  // namespace
}  // namespace wasmgpu::wasi
