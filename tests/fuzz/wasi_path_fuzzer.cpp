// libFuzzer harness for the WASI filesystem sandbox (src/wasi/fs): arbitrary sequences of path_*
// and fd_* calls with hostile paths, run against a temporary tree
//   ROOT/outside/secret.txt, outside/dir/   what no guest may read, change or see
//   ROOT/sandbox/                             read-write preopen, guest fd 3
//   ROOT/ro/data.txt                          read-only preopen, guest fd 4
// The sandbox is reset before each input with links a sloppy host could have left in it
// (absolute and relative links out, loops, a magic link). After each input the harness checks
// that nothing outside sandbox/ changed (names, types, contents, link targets, nothing new in
// ROOT), that no call ever returned data or an inode from outside/, and that the table leaked no
// host file descriptor. The first input byte also picks openat2 or the component-walk fallback.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "wasi/fs/fd_table.h"

namespace wasi = wasmgpu::wasi;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSecret = "OUTSIDE-SECRET";

struct World {
  std::string root;
  std::map<std::string, std::string> outside_snapshot;  // outside/ and ro/
  std::set<uint64_t> outside_inodes;
  dev_t outside_dev = 0;
};

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "wasi_path_fuzzer: %s\n", what);
    std::abort();
  }
}

void WriteFile(const std::string& path, std::string_view text) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  Check(f != nullptr, "cannot create a fixture file");
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
}

// Every entry under ROOT except sandbox/: relative path -> kind and contents.
std::map<std::string, std::string> Snapshot(const std::string& root) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string rel = fs::relative(it->path(), root, ec).string();
    if (rel == "sandbox") {
      it.disable_recursion_pending();
      continue;
    }
    const fs::file_status st = it->symlink_status(ec);
    if (fs::is_symlink(st)) {
      out[rel] = "link:" + fs::read_symlink(it->path(), ec).string();
    } else if (fs::is_directory(st)) {
      out[rel] = "dir";
    } else {
      std::string text = "file:";
      if (std::FILE* f = std::fopen(it->path().c_str(), "rb")) {
        char buf[256];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) text.append(buf, n);
        std::fclose(f);
      }
      out[rel] = text;
    }
  }
  return out;
}

int CountOpenFds() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (readdir(d) != nullptr) ++n;
    closedir(d);
  }
  return n;
}

World& GetWorld() {
  static World* w = [] {
    auto* world = new World;
    char tmpl[] = "/tmp/wasmgpu-fuzz-wasi-XXXXXX";
    Check(mkdtemp(tmpl) != nullptr, "mkdtemp failed");
    world->root = tmpl;
    const std::string& r = world->root;
    Check(mkdir((r + "/outside").c_str(), 0755) == 0, "mkdir outside");
    Check(mkdir((r + "/outside/dir").c_str(), 0755) == 0, "mkdir outside/dir");
    WriteFile(r + "/outside/secret.txt", kSecret);
    WriteFile(r + "/outside/dir/secret2.txt", kSecret);
    Check(mkdir((r + "/ro").c_str(), 0755) == 0, "mkdir ro");
    WriteFile(r + "/ro/data.txt", "read-only data");
    Check(mkdir((r + "/sandbox").c_str(), 0755) == 0, "mkdir sandbox");
    world->outside_snapshot = Snapshot(r);
    for (const char* p :
         {"/outside", "/outside/dir", "/outside/secret.txt", "/outside/dir/secret2.txt", ""}) {
      struct stat st;
      Check(stat((r + p).c_str(), &st) == 0, "stat fixture");
      world->outside_inodes.insert(st.st_ino);  // "" is ROOT itself, also outside the preopens
      world->outside_dev = st.st_dev;
    }
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(GetWorld().root, ec);
    });
    return world;
  }();
  return *w;
}

void ResetSandbox(const World& w) {
  const std::string s = w.root + "/sandbox";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(s, ec)) fs::remove_all(e.path(), ec);
  WriteFile(s + "/inside.txt", "inside");
  mkdir((s + "/sub").c_str(), 0755);
  WriteFile(s + "/sub/f.txt", "sub file");
  const std::pair<std::string, const char*> links[] = {
      {w.root + "/outside", "abs"},
      {w.root + "/outside/secret.txt", "abs_file"},
      {"../outside", "rel"},
      {"../outside/secret.txt", "rel_file"},
      {"../outside/new.txt", "dangling"},
      {"loop_b", "loop_a"},
      {"loop_a", "loop_b"},
      {"..", "sub/up"},
      {"../..", "sub/up2"},
      {"up2/outside", "sub/chain"},
      {"/proc/self/root", "magic"},
      {"inside.txt", "ok_link"},
      {"sub", "ok_dir"},
      {"../ro", "ro_link"},
  };
  for (const auto& [target, name] : links) symlink(target.c_str(), (s + "/" + name).c_str());
}

// Paths the fuzzer can name with one byte; other values spell a raw path from the input.
constexpr std::string_view kPaths[] = {
    "",
    ".",
    "..",
    "/",
    "inside.txt",
    "sub",
    "sub/f.txt",
    "sub/..",
    "sub/../..",
    "../outside",
    "../outside/secret.txt",
    "abs",
    "abs/secret.txt",
    "abs_file",
    "rel",
    "rel/secret.txt",
    "rel_file",
    "dangling",
    "loop_a",
    "loop_a/x",
    "sub/up",
    "sub/up/inside.txt",
    "sub/up2",
    "sub/up2/outside/secret.txt",
    "sub/chain",
    "sub/chain/secret.txt",
    "magic",
    "magic/etc",
    "ok_link",
    "ok_dir",
    "ok_dir/f.txt",
    "ok_dir/../..",
    "ro_link",
    "ro_link/data.txt",
    "new",
    "new/",
    "new.txt",
    "a/b",
    "sub/new",
    "sub/./new//x",
    "inside.txt/",
    "sub/",
    "//",
    "./.",
    "data.txt",
    "x/../..",
    "sub/up/..",
    "/tmp",
    "\xff\xfe",
    std::string_view("n\0ul", 4),
};

class Input {
 public:
  Input(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
  bool empty() const { return p_ >= end_; }
  uint8_t Byte() { return p_ < end_ ? *p_++ : 0; }
  uint64_t U64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | Byte();
    return v;
  }
  std::string Path() {
    const uint8_t b = Byte();
    if (b < 0xC0) return std::string(kPaths[b % std::size(kPaths)]);
    std::string s;
    const size_t n = b & 0x3F;
    for (size_t i = 0; i < n && !empty(); ++i) s += static_cast<char>(Byte());
    return s;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

void CheckNotOutside(const World& w, const wasi::Filestat& st) {
  if (st.dev == static_cast<uint64_t>(w.outside_dev) && w.outside_inodes.count(st.ino) != 0) {
    Check(false, "a call returned the inode of something outside the preopens");
  }
}

void ReadAndCheck(wasi::FdTable& t, uint32_t fd) {
  uint8_t buf[256];
  std::span<uint8_t> iov(buf);
  uint32_t n = 0;
  if (t.FdRead(fd, std::span<const std::span<uint8_t>>(&iov, 1), &n) == wasi::Errno::kSuccess) {
    const std::string_view got(reinterpret_cast<const char*>(buf), n);
    Check(got.find(kSecret) == std::string_view::npos, "read data from outside the preopens");
  }
}

void RunOps(const World& w, wasi::FdTable& t, Input& in) {
  std::vector<uint32_t> fds = {3, 4};
  auto pick_fd = [&]() -> uint32_t {
    const uint8_t b = in.Byte();
    if (b >= 0xF0) return b;  // mostly invalid fds
    return fds[b % fds.size()];
  };
  for (int op = 0; op < 48 && !in.empty(); ++op) {
    const uint8_t code = in.Byte();
    switch (code % 16) {
      case 0: {  // path_open
        const uint32_t dir = pick_fd();
        const wasi::Lookupflags lf = in.Byte() & 1;
        const std::string path = in.Path();
        const wasi::Oflags of = in.Byte() & 0xF;
        const wasi::Rights rights = in.U64();
        const wasi::Fdflags ff = in.Byte() & 0x1F;
        uint32_t fd = 0;
        const wasi::Errno e = t.PathOpen(dir, lf, path, of, rights, rights, ff, &fd);
        if (std::getenv("WASI_FUZZ_TRACE") != nullptr) {
          std::fprintf(stderr, "path_open(%u, '%s', oflags %u) = %d -> fd %u\n", dir, path.c_str(),
                       of, static_cast<int>(e), fd);
        }
        if (e == wasi::Errno::kSuccess) {
          fds.push_back(fd);
          wasi::Filestat st;
          if (t.FdFilestatGet(fd, &st) == wasi::Errno::kSuccess) CheckNotOutside(w, st);
          ReadAndCheck(t, fd);
        }
        break;
      }
      case 1:
        (void)t.PathCreateDirectory(pick_fd(), in.Path());
        break;
      case 2:
        (void)t.PathUnlinkFile(pick_fd(), in.Path());
        break;
      case 3:
        (void)t.PathRemoveDirectory(pick_fd(), in.Path());
        break;
      case 4: {
        const uint32_t a = pick_fd();
        const std::string p = in.Path();
        const uint32_t b = pick_fd();
        (void)t.PathRename(a, p, b, in.Path());
        break;
      }
      case 5: {
        const std::string target = in.Path();
        const uint32_t fd = pick_fd();
        (void)t.PathSymlink(target, fd, in.Path());
        break;
      }
      case 6: {
        const uint32_t a = pick_fd();
        const std::string p = in.Path();
        const uint32_t b = pick_fd();
        (void)t.PathLink(a, in.Byte() & 1, p, b, in.Path());
        break;
      }
      case 7: {
        uint8_t buf[512];
        uint32_t used = 0;
        const uint32_t fd = pick_fd();
        (void)t.PathReadlink(fd, in.Path(), std::span<uint8_t>(buf, in.Byte() % sizeof(buf)),
                             &used);
        break;
      }
      case 8: {
        wasi::Filestat st;
        const uint32_t fd = pick_fd();
        const wasi::Lookupflags lf = in.Byte() & 1;
        if (t.PathFilestatGet(fd, lf, in.Path(), &st) == wasi::Errno::kSuccess) {
          CheckNotOutside(w, st);
        }
        break;
      }
      case 9: {
        const uint32_t fd = pick_fd();
        const wasi::Lookupflags lf = in.Byte() & 1;
        (void)t.PathFilestatSetTimes(fd, lf, in.Path(), 1, 2, in.Byte() & 0xF);
        break;
      }
      case 10:
        (void)t.FdClose(pick_fd());
        break;
      case 11: {
        uint8_t buf[1024];
        uint32_t used = 0;
        const uint32_t fd = pick_fd();
        const size_t len = in.Byte() * 4u;
        if (t.FdReaddir(fd, std::span<uint8_t>(buf, len), in.Byte() % 8, &used) ==
            wasi::Errno::kSuccess) {
          // Each entry: a dirent then its name; the entry of ".." may be ROOT (a preopen's
          // parent), so only outside/'s own inodes count here.
          for (size_t off = 0; off + sizeof(wasi::Dirent) <= used;) {
            wasi::Dirent d;
            std::memcpy(&d, buf + off, sizeof(d));
            const std::string_view name(reinterpret_cast<const char*>(buf + off + sizeof(d)),
                                        std::min<size_t>(d.d_namlen, used - off - sizeof(d)));
            if (std::getenv("WASI_FUZZ_TRACE") != nullptr) {
              std::fprintf(stderr, "readdir fd %u: '%.*s' ino %llu\n", fd,
                           static_cast<int>(name.size()), name.data(),
                           static_cast<unsigned long long>(d.d_ino));
            }
            // A truncated last entry has lost (part of) its name; ".." is the preopen's parent.
            const bool whole = off + sizeof(d) + d.d_namlen <= used;
            if (whole && name != ".." && name != ".") {
              Check(w.outside_inodes.count(d.d_ino) == 0,
                    "fd_readdir listed an entry from outside the preopens");
            }
            off += sizeof(d) + d.d_namlen;
          }
        }
        break;
      }
      case 12: {
        const uint32_t a = pick_fd();
        (void)t.FdRenumber(a, pick_fd());
        break;
      }
      case 13: {
        const uint32_t fd = pick_fd();
        (void)t.FdFilestatSetSize(fd, in.Byte());
        break;
      }
      case 14: {  // write through an fd (must only ever reach files inside the sandbox)
        const uint32_t fd = pick_fd();
        const uint8_t text[] = "fuzz";
        std::span<const uint8_t> iov(text, 4);
        uint32_t n = 0;
        (void)t.FdWrite(fd, std::span<const std::span<const uint8_t>>(&iov, 1), &n);
        break;
      }
      case 15:
        ReadAndCheck(t, pick_fd());
        break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World& w = GetWorld();
  if (size == 0) return 0;
  ResetSandbox(w);
  Input in(data, size);
  wasi::ForceOpenat2FallbackForTesting((in.Byte() & 1) != 0);
  const int fds_before = CountOpenFds();
  {
    const wasi::PreopenSpec preopens[] = {{w.root + "/sandbox", "/sandbox", false},
                                          {w.root + "/ro", "/ro", true}};
    auto table = wasi::FdTable::Create(preopens);
    Check(table.ok(), "FdTable::Create failed");
    RunOps(w, **table, in);
  }
  Check(CountOpenFds() == fds_before, "the FdTable leaked a host file descriptor");
  Check(Snapshot(w.root) == w.outside_snapshot, "something outside the sandbox changed");
  return 0;
}
