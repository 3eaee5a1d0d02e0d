// The per-instance WASI fd table. See fd_table.h for the contract and docs/wasi-fs.md for the
// sandbox rules and errno choices.
#include "wasi/fs/fd_table.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>

#include "wasi/fs/internal.h"

namespace wasmgpu::wasi {

using internal::ErrnoFromHost;
using internal::UniqueFd;

namespace {

constexpr Rights kFileRights =
    kRightFdDatasync | kRightFdRead | kRightFdSeek | kRightFdFdstatSetFlags | kRightFdSync |
    kRightFdTell | kRightFdWrite | kRightFdAdvise | kRightFdAllocate | kRightFdFilestatGet |
    kRightFdFilestatSetSize | kRightFdFilestatSetTimes | kRightPollFdReadwrite;
constexpr Rights kDirRights =
    kRightFdFdstatSetFlags | kRightFdSync | kRightFdDatasync | kRightPathCreateDirectory |
    kRightPathCreateFile | kRightPathLinkSource | kRightPathLinkTarget | kRightPathOpen |
    kRightFdReaddir | kRightPathReadlink | kRightPathRenameSource | kRightPathRenameTarget |
    kRightPathFilestatGet | kRightPathFilestatSetSize | kRightPathFilestatSetTimes |
    kRightFdFilestatGet | kRightFdFilestatSetTimes | kRightPathSymlink | kRightPathRemoveDirectory |
    kRightPathUnlinkFile;
// Rights that make path_open ask for a writable host fd (the rule other runtimes follow).
constexpr Rights kWriteRights =
    kRightFdWrite | kRightFdDatasync | kRightFdAllocate | kRightFdFilestatSetSize;
constexpr Rights kReadRights = kRightFdRead | kRightFdReaddir;

// Deepest directory walk when checking where a new symlink would live.
constexpr int kMaxDepth = 4096;

Errno LastError() { return ErrnoFromHost(errno); }

Filetype FiletypeFromMode(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFBLK:
      return kFiletypeBlockDevice;
    case S_IFCHR:
      return kFiletypeCharacterDevice;
    case S_IFDIR:
      return kFiletypeDirectory;
    case S_IFREG:
      return kFiletypeRegularFile;
    case S_IFSOCK:
      return kFiletypeSocketStream;
    case S_IFLNK:
      return kFiletypeSymbolicLink;
    default:
      return kFiletypeUnknown;  // FIFOs have no preview1 filetype.
  }
}

Filetype FiletypeFromDirentType(unsigned char type) {
  switch (type) {
    case DT_BLK:
      return kFiletypeBlockDevice;
    case DT_CHR:
      return kFiletypeCharacterDevice;
    case DT_DIR:
      return kFiletypeDirectory;
    case DT_REG:
      return kFiletypeRegularFile;
    case DT_SOCK:
      return kFiletypeSocketStream;
    case DT_LNK:
      return kFiletypeSymbolicLink;
    default:
      return kFiletypeUnknown;
  }
}

uint64_t Nanoseconds(const timespec& ts) {
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

Filestat FilestatFromStat(const struct stat& st) {
  Filestat out{};
  out.dev = st.st_dev;
  out.ino = st.st_ino;
  out.filetype = FiletypeFromMode(st.st_mode);
  out.nlink = st.st_nlink;
  out.size = static_cast<uint64_t>(st.st_size);
  out.atim = Nanoseconds(st.st_atim);
  out.mtim = Nanoseconds(st.st_mtim);
  out.ctim = Nanoseconds(st.st_ctim);
  return out;
}

// fstflags -> the two timespecs of utimensat; kInval for unknown bits or "set and now" together.
Errno TimesFromFlags(uint64_t atim, uint64_t mtim, Fstflags flags, timespec out[2]) {
  if ((flags & ~kFstflagsAll) != 0) return Errno::kInval;
  if ((flags & kFstflagsAtim) && (flags & kFstflagsAtimNow)) return Errno::kInval;
  if ((flags & kFstflagsMtim) && (flags & kFstflagsMtimNow)) return Errno::kInval;
  auto one = [](uint64_t ns, bool set, bool now, timespec* ts) {
    if (now) {
      *ts = {0, UTIME_NOW};
    } else if (set) {
      ts->tv_sec = static_cast<time_t>(ns / 1000000000ull);
      ts->tv_nsec = static_cast<long>(ns % 1000000000ull);
    } else {
      *ts = {0, UTIME_OMIT};
    }
  };
  one(atim, flags & kFstflagsAtim, flags & kFstflagsAtimNow, &out[0]);
  one(mtim, flags & kFstflagsMtim, flags & kFstflagsMtimNow, &out[1]);
  return Errno::kSuccess;
}

// Host iovecs for readv/writev; beyond IOV_MAX the rest is left for the guest's next call, which
// a short read or write permits.
template <typename T>
std::vector<iovec> ToIovecs(std::span<const std::span<T>> iovs) {
  std::vector<iovec> out;
  out.reserve(std::min<size_t>(iovs.size(), IOV_MAX));
  for (const auto& s : iovs) {
    if (out.size() == IOV_MAX) break;
    out.push_back({const_cast<uint8_t*>(s.data()), s.size()});  // NOLINT: writev takes non-const
  }
  return out;
}

// How many directories `fd` lies below the directory (root_dev, root_ino), walking ".." (the
// physical parent); -1 if the walk reaches "/" or kMaxDepth without meeting it.
int DepthBelow(int fd, dev_t root_dev, ino_t root_ino) {
  UniqueFd cur(openat(fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!cur.valid()) return -1;
  for (int depth = 0; depth < kMaxDepth; ++depth) {
    struct stat st;
    if (fstat(cur.get(), &st) != 0) return -1;
    if (st.st_dev == root_dev && st.st_ino == root_ino) return depth;
    UniqueFd up(openat(cur.get(), "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
    struct stat up_st;
    if (!up.valid() || fstat(up.get(), &up_st) != 0) return -1;
    if (up_st.st_dev == st.st_dev && up_st.st_ino == st.st_ino) return -1;  // Reached "/".
    cur = std::move(up);
  }
  return -1;
}

// Whether a symlink with contents `target`, created `depth` directories below the preopen root,
// stays inside the preopen when read lexically ("." skipped, each ".." climbs one level).
bool SymlinkTargetStaysInside(std::string_view target, int depth) {
  size_t i = 0;
  while (i <= target.size()) {
    size_t j = target.find('/', i);
    if (j == std::string_view::npos) j = target.size();
    std::string_view comp = target.substr(i, j - i);
    if (comp == "..") {
      if (--depth < 0) return false;
    } else if (!comp.empty() && comp != ".") {
      ++depth;
    }
    i = j + 1;
  }
  return true;
}

// Host fds held by the guest-opened entries (path_open) of every FdTable in the process.
std::atomic<size_t> g_guest_fds{0};

}  // namespace

size_t GuestFdsHeld() { return g_guest_fds.load(); }

size_t GuestFdBudget() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur == RLIM_INFINITY) return SIZE_MAX;
  return static_cast<size_t>(r.rlim_cur / 2);
}

// One guest-opened host fd counted in g_guest_fds while it lives (an Entry's, from path_open).
class FdTable::GuestFd {
 public:
  GuestFd() = default;
  ~GuestFd() {
    if (held_) g_guest_fds.fetch_sub(1);
  }
  GuestFd(const GuestFd&) = delete;
  GuestFd& operator=(const GuestFd&) = delete;
  // Counts one more fd unless that would pass GuestFdBudget().
  bool Acquire() {
    const size_t budget = GuestFdBudget();
    size_t held = g_guest_fds.load();
    do {
      if (held >= budget) return false;
    } while (!g_guest_fds.compare_exchange_weak(held, held + 1));
    held_ = true;
    return true;
  }

 private:
  bool held_ = false;
};

struct FdTable::Entry {
  struct Listed {
    std::string name;
    uint64_t ino;
    Filetype type;
  };

  // path_open's entries: counted against GuestFdBudget() until `owned` is closed (declared first,
  // so destroyed after it).
  GuestFd counted;
  UniqueFd owned;  // Empty for stdio, whose host fds are borrowed.
  int fd = -1;
  bool is_dir = false;
  bool is_stdio = false;
  Filetype filetype = kFiletypeUnknown;
  Fdflags fdflags = 0;
  Rights base = 0;
  Rights inheriting = 0;
  // The preopen this fd lies beneath (its index in --dir order), its root's identity and mode.
  int preopen = -1;
  dev_t root_dev = 0;
  ino_t root_ino = 0;
  bool read_only = false;
  bool is_preopen = false;
  std::string preopen_name;  // The guest path, for a preopen itself.
  // fd_readdir's listing, taken at cookie 0 so later cookies index a stable snapshot.
  std::vector<Listed> listing;
  bool listing_valid = false;
  size_t listing_bytes = 0;   // What `listing` holds, for the table's budget.
  uint64_t listing_used = 0;  // FdTable::readdir_clock_ at its last read.

  void DropListing() {
    std::vector<Listed>().swap(listing);  // clear() would keep the capacity
    listing_valid = false;
    listing_bytes = 0;
  }
};

namespace {
size_t readdir_budget_for_testing = 0;
}  // namespace

void SetReaddirSnapshotBudgetForTesting(size_t bytes) { readdir_budget_for_testing = bytes; }

size_t FdTable::ReaddirSnapshotBytes() const {
  size_t total = 0;
  for (const auto& e : entries_) {
    if (e != nullptr) total += e->listing_bytes;
  }
  return total;
}

void FdTable::TrimReaddirSnapshots(const Entry* keep) {
  const size_t budget = readdir_budget_for_testing != 0 ? readdir_budget_for_testing
                                                        : kReaddirSnapshotBudget;
  size_t total = ReaddirSnapshotBytes();
  while (total > budget) {
    Entry* oldest = nullptr;
    for (const auto& e : entries_) {
      if (e == nullptr || e.get() == keep || e->listing_bytes == 0) continue;
      if (oldest == nullptr || e->listing_used < oldest->listing_used) oldest = e.get();
    }
    if (oldest == nullptr) return;  // `keep` alone is over: it is kept
    total -= oldest->listing_bytes;
    oldest->DropListing();
  }
}

FdTable::FdTable() = default;
FdTable::~FdTable() = default;

Result<std::unique_ptr<FdTable>> FdTable::Create(std::span<const PreopenSpec> preopens,
                                                 StdioFds stdio) {
  std::unique_ptr<FdTable> table(new FdTable());
  for (int host_fd : {stdio.stdin_fd, stdio.stdout_fd, stdio.stderr_fd}) {
    auto e = std::make_unique<Entry>();
    e->fd = host_fd;
    e->is_stdio = true;
    e->base = kFileRights;
    struct stat st;
    if (fstat(host_fd, &st) == 0) {
      e->filetype = FiletypeFromMode(st.st_mode);
      // wasi-libc's isatty() reads "character device without seek/tell rights" as a terminal.
      if (e->filetype == kFiletypeCharacterDevice) e->base &= ~(kRightFdSeek | kRightFdTell);
    }
    int fl = fcntl(host_fd, F_GETFL);
    if (fl >= 0 && (fl & O_APPEND)) e->fdflags |= kFdflagsAppend;
    if (fl >= 0 && (fl & O_NONBLOCK)) e->fdflags |= kFdflagsNonblock;
    table->entries_.push_back(std::move(e));
  }
  for (size_t i = 0; i < preopens.size(); ++i) {
    const PreopenSpec& spec = preopens[i];
    UniqueFd fd(open(spec.host_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) {
      int e = errno;
      return ValidationError("Cannot open the --dir host directory '{}': {} (errno {}).",
                             spec.host_path, std::strerror(e), e);
    }
    struct stat st;
    if (fstat(fd.get(), &st) != 0) {
      int e = errno;
      return ValidationError("Cannot stat the --dir host directory '{}': {} (errno {}).",
                             spec.host_path, std::strerror(e), e);
    }
    auto e = std::make_unique<Entry>();
    e->fd = fd.get();
    e->owned = std::move(fd);
    e->is_dir = true;
    e->filetype = kFiletypeDirectory;
    e->base = kDirRights;
    e->inheriting = kDirRights | kFileRights;
    e->preopen = static_cast<int>(i);
    e->root_dev = st.st_dev;
    e->root_ino = st.st_ino;
    e->read_only = spec.read_only;
    e->is_preopen = true;
    e->preopen_name = spec.guest_path;
    table->entries_.push_back(std::move(e));
  }
  return table;
}

size_t FdTable::OpenCount() const {
  return static_cast<size_t>(
      std::count_if(entries_.begin(), entries_.end(), [](const auto& e) { return e != nullptr; }));
}

FdTable::Entry* FdTable::Get(uint32_t fd) {
  return fd < entries_.size() ? entries_[fd].get() : nullptr;
}

FdTable::Entry* FdTable::GetDir(uint32_t fd, Errno* err) {
  Entry* e = Get(fd);
  if (e == nullptr) {
    *err = Errno::kBadf;
  } else if (!e->is_dir) {
    *err = Errno::kNotdir;
    e = nullptr;
  }
  return e;
}

uint32_t FdTable::Insert(std::unique_ptr<Entry> entry) {
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i] == nullptr) {
      entries_[i] = std::move(entry);
      return static_cast<uint32_t>(i);
    }
  }
  entries_.push_back(std::move(entry));
  return static_cast<uint32_t>(entries_.size() - 1);
}

// ---- fd_* ----------------------------------------------------------------------------------

Errno FdTable::FdAdvise(uint32_t fd, uint64_t offset, uint64_t len, Advice advice) {
  Entry* e = Get(fd);
  if (e == nullptr || e->is_dir) return Errno::kBadf;
  static constexpr int kHost[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                  POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,   POSIX_FADV_NOREUSE};
  if (advice > kAdviceNoreuse) return Errno::kInval;
  if (offset > INT64_MAX || len > INT64_MAX) return Errno::kInval;
  int r = posix_fadvise(e->fd, static_cast<off_t>(offset), static_cast<off_t>(len), kHost[advice]);
  return ErrnoFromHost(r);
}

Errno FdTable::FdAllocate(uint32_t fd, uint64_t offset, uint64_t len) {
  Entry* e = Get(fd);
  if (e == nullptr || e->is_dir) return Errno::kBadf;
  if (e->read_only) return Errno::kRofs;
  if (offset > INT64_MAX || len > INT64_MAX || offset + len > INT64_MAX) return Errno::kFbig;
  if (len == 0) return Errno::kInval;  // As posix_fallocate(3).
  return ErrnoFromHost(posix_fallocate(e->fd, static_cast<off_t>(offset), static_cast<off_t>(len)));
}

Errno FdTable::FdClose(uint32_t fd) {
  if (Get(fd) == nullptr) return Errno::kBadf;
  entries_[fd].reset();
  return Errno::kSuccess;
}

Errno FdTable::FdDatasync(uint32_t fd) {
  Entry* e = Get(fd);
  if (e == nullptr) return Errno::kBadf;
  return fdatasync(e->fd) == 0 ? Errno::kSuccess : LastError();
}

Errno FdTable::FdSync(uint32_t fd) {
  Entry* e = Get(fd);
  if (e == nullptr) return Errno::kBadf;
  return fsync(e->fd) == 0 ? Errno::kSuccess : LastError();
}

Errno FdTable::FdFdstatGet(uint32_t fd, Fdstat* out) {
  Entry* e = Get(fd);
  if (e == nullptr) return Errno::kBadf;
  *out = Fdstat{};
  out->fs_filetype = e->filetype;
  out->fs_flags = e->fdflags;
  out->fs_rights_base = e->base;
  out->fs_rights_inheriting = e->inheriting;
  return Errno::kSuccess;
}

Errno FdTable::FdFdstatSetFlags(uint32_t fd, Fdflags flags) {
  Entry* e = Get(fd);
  if (e == nullptr) return Errno::kBadf;
  if ((flags & ~kFdflagsAll) != 0) return Errno::kInval;
  // Linux's F_SETFL cannot change the sync flags; asking for a change there is unsupported.
  constexpr Fdflags kSync = kFdflagsDsync | kFdflagsRsync | kFdflagsSync;
  if ((flags & kSync) != (e->fdflags & kSync)) return Errno::kNotsup;
  int fl = fcntl(e->fd, F_GETFL);
  if (fl < 0) return LastError();
  fl &= ~(O_APPEND | O_NONBLOCK);
  if (flags & kFdflagsAppend) fl |= O_APPEND;
  if (flags & kFdflagsNonblock) fl |= O_NONBLOCK;
  if (fcntl(e->fd, F_SETFL, fl) != 0) return LastError();
  e->fdflags = flags;
  return Errno::kSuccess;
}

Errno FdTable::FdFdstatSetRights(uint32_t fd, Rights base, Rights inheriting) {
  Entry* e = Get(fd);
  if (e == nullptr) return Errno::kBadf;
  if ((base & ~e->base) != 0 || (inheriting & ~e->inheriting) != 0) return Errno::kNotcapable;
  e->base = base;
  e->inheriting = inheriting;
  return Errno::kSuccess;
}

Errno FdTable::FdFilestatGet(uint32_t fd, Filestat* out) {
  Entry* e = Get(fd);
  if (e == nullptr) return Errno::kBadf;
  struct stat st;
  if (fstat(e->fd, &st) != 0) return LastError();
  *out = FilestatFromStat(st);
  return Errno::kSuccess;
}

Errno FdTable::FdFilestatSetSize(uint32_t fd, uint64_t size) {
  Entry* e = Get(fd);
  if (e == nullptr) return Errno::kBadf;
  if (e->is_dir) return Errno::kIsdir;
  if (e->read_only) return Errno::kRofs;
  if (size > INT64_MAX) return Errno::kFbig;
  return ftruncate(e->fd, static_cast<off_t>(size)) == 0 ? Errno::kSuccess : LastError();
}

Errno FdTable::FdFilestatSetTimes(uint32_t fd, uint64_t atim, uint64_t mtim, Fstflags flags) {
  Entry* e = Get(fd);
  if (e == nullptr) return Errno::kBadf;
  timespec ts[2];
  if (Errno err = TimesFromFlags(atim, mtim, flags, ts); err != Errno::kSuccess) return err;
  if (e->read_only) return Errno::kRofs;
  return futimens(e->fd, ts) == 0 ? Errno::kSuccess : LastError();
}

Errno FdTable::FdPread(uint32_t fd, std::span<const std::span<uint8_t>> iovs, uint64_t offset,
                       uint32_t* nread) {
  Entry* e = Get(fd);
  if (e == nullptr || e->is_dir) return Errno::kBadf;
  if (offset > INT64_MAX) return Errno::kInval;
  std::vector<iovec> v = ToIovecs(iovs);
  ssize_t n = preadv(e->fd, v.data(), static_cast<int>(v.size()), static_cast<off_t>(offset));
  if (n < 0) return LastError();
  *nread = static_cast<uint32_t>(n);  // Linux moves at most 0x7ffff000 bytes per call.
  return Errno::kSuccess;
}

Errno FdTable::FdRead(uint32_t fd, std::span<const std::span<uint8_t>> iovs, uint32_t* nread) {
  Entry* e = Get(fd);
  if (e == nullptr || e->is_dir) return Errno::kBadf;
  std::vector<iovec> v = ToIovecs(iovs);
  ssize_t n = readv(e->fd, v.data(), static_cast<int>(v.size()));
  if (n < 0) return LastError();
  *nread = static_cast<uint32_t>(n);
  return Errno::kSuccess;
}

Errno FdTable::FdPwrite(uint32_t fd, std::span<const std::span<const uint8_t>> iovs,
                        uint64_t offset, uint32_t* nwritten) {
  Entry* e = Get(fd);
  if (e == nullptr || e->is_dir) return Errno::kBadf;
  if (e->read_only) return Errno::kBadf;  // Never opened for writing (path_open refuses).
  if (offset > INT64_MAX) return Errno::kInval;
  std::vector<iovec> v = ToIovecs(iovs);
  ssize_t n = pwritev(e->fd, v.data(), static_cast<int>(v.size()), static_cast<off_t>(offset));
  if (n < 0) return LastError();
  *nwritten = static_cast<uint32_t>(n);
  return Errno::kSuccess;
}

Errno FdTable::HostFdForPoll(uint32_t fd, bool for_write, int* host_fd) {
  Entry* e = Get(fd);
  if (e == nullptr || e->is_dir || (for_write && e->read_only)) return Errno::kBadf;
  *host_fd = e->fd;
  return Errno::kSuccess;
}

Errno FdTable::FdWrite(uint32_t fd, std::span<const std::span<const uint8_t>> iovs,
                       uint32_t* nwritten) {
  Entry* e = Get(fd);
  if (e == nullptr || e->is_dir) return Errno::kBadf;
  if (e->read_only) return Errno::kBadf;
  std::vector<iovec> v = ToIovecs(iovs);
  ssize_t n = writev(e->fd, v.data(), static_cast<int>(v.size()));
  if (n < 0) return LastError();
  *nwritten = static_cast<uint32_t>(n);
  return Errno::kSuccess;
}

Errno FdTable::FdPrestatGet(uint32_t fd, Prestat* out) {
  Entry* e = Get(fd);
  if (e == nullptr || !e->is_preopen) return Errno::kBadf;
  *out = Prestat{};
  out->tag = kPreopentypeDir;
  out->pr_name_len = static_cast<uint32_t>(e->preopen_name.size());
  return Errno::kSuccess;
}

Errno FdTable::FdPrestatDirName(uint32_t fd, std::span<uint8_t> out) {
  Entry* e = Get(fd);
  if (e == nullptr || !e->is_preopen) return Errno::kBadf;
  if (out.size() < e->preopen_name.size()) return Errno::kNametoolong;
  std::memcpy(out.data(), e->preopen_name.data(), e->preopen_name.size());
  return Errno::kSuccess;
}

Errno FdTable::FdReaddir(uint32_t fd, std::span<uint8_t> buf, uint64_t cookie, uint32_t* bufused) {
  Entry* e = Get(fd);
  if (e == nullptr) return Errno::kBadf;
  if (!e->is_dir) return Errno::kNotdir;
  if (cookie == 0 || !e->listing_valid) {
    // A fresh open file description, so the guest's fd keeps no hidden directory offset.
    int dfd = openat(e->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return LastError();
    DIR* dir = fdopendir(dfd);
    if (dir == nullptr) {
      Errno err = LastError();
      close(dfd);
      return err;
    }
    e->DropListing();
    errno = 0;
    while (struct dirent* d = readdir(dir)) {
      Filetype type = FiletypeFromDirentType(d->d_type);
      if (d->d_type == DT_UNKNOWN) {
        struct stat st;
        if (fstatat(dfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
          type = FiletypeFromMode(st.st_mode);
        }
      }
      e->listing.push_back({d->d_name, d->d_ino, type});
      errno = 0;  // a failed fstatat above is not a readdir error
    }
    Errno err = errno != 0 ? LastError() : Errno::kSuccess;
    closedir(dir);
    if (err != Errno::kSuccess) {
      e->DropListing();
      return err;
    }
    e->listing_valid = true;
    e->listing_bytes = e->listing.capacity() * sizeof(Entry::Listed);
    for (const Entry::Listed& item : e->listing) e->listing_bytes += item.name.size();
    TrimReaddirSnapshots(e);
  }
  e->listing_used = ++readdir_clock_;
  size_t used = 0;
  for (uint64_t i = cookie; i < e->listing.size() && used < buf.size(); ++i) {
    const Entry::Listed& item = e->listing[i];
    Dirent d{};
    d.d_next = i + 1;
    d.d_ino = item.ino;
    d.d_namlen = static_cast<uint32_t>(item.name.size());
    d.d_type = item.type;
    size_t n = std::min(sizeof d, buf.size() - used);
    std::memcpy(buf.data() + used, &d, n);
    used += n;
    n = std::min(item.name.size(), buf.size() - used);
    std::memcpy(buf.data() + used, item.name.data(), n);
    used += n;
  }
  *bufused = static_cast<uint32_t>(used);
  return Errno::kSuccess;
}

Errno FdTable::FdRenumber(uint32_t from, uint32_t to) {
  if (Get(from) == nullptr || Get(to) == nullptr) return Errno::kBadf;
  if (from != to) entries_[to] = std::move(entries_[from]);
  return Errno::kSuccess;
}

Errno FdTable::FdSeek(uint32_t fd, int64_t offset, Whence whence, uint64_t* newoffset) {
  Entry* e = Get(fd);
  if (e == nullptr || e->is_dir) return Errno::kBadf;
  int host_whence;
  switch (whence) {
    case kWhenceSet:
      host_whence = SEEK_SET;
      break;
    case kWhenceCur:
      host_whence = SEEK_CUR;
      break;
    case kWhenceEnd:
      host_whence = SEEK_END;
      break;
    default:
      return Errno::kInval;
  }
  off_t r = lseek(e->fd, static_cast<off_t>(offset), host_whence);
  if (r < 0) return LastError();
  *newoffset = static_cast<uint64_t>(r);
  return Errno::kSuccess;
}

Errno FdTable::FdTell(uint32_t fd, uint64_t* offset) { return FdSeek(fd, 0, kWhenceCur, offset); }

// ---- path_* --------------------------------------------------------------------------------

Errno FdTable::PathCreateDirectory(uint32_t fd, std::string_view path) {
  Errno err = Errno::kSuccess;
  Entry* dir = GetDir(fd, &err);
  if (dir == nullptr) return err;
  if (dir->read_only) return Errno::kRofs;
  if ((err = internal::CheckGuestPath(path)) != Errno::kSuccess) return err;
  internal::ParentResult p = internal::OpenParentBeneath(dir->fd, path);
  if (p.err != Errno::kSuccess) return p.err;
  return mkdirat(p.parent.get(), p.name.c_str(), 0777) == 0 ? Errno::kSuccess : LastError();
}

Errno FdTable::PathFilestatGet(uint32_t fd, Lookupflags flags, std::string_view path,
                               Filestat* out) {
  Errno err = Errno::kSuccess;
  Entry* dir = GetDir(fd, &err);
  if (dir == nullptr) return err;
  if ((err = internal::CheckGuestPath(path)) != Errno::kSuccess) return err;
  internal::OpenResult r =
      internal::OpenBeneath(dir->fd, path, O_PATH, 0, flags & kLookupflagsSymlinkFollow);
  if (r.err != Errno::kSuccess) return r.err;
  struct stat st;
  if (fstat(r.fd.get(), &st) != 0) return LastError();
  *out = FilestatFromStat(st);
  return Errno::kSuccess;
}

Errno FdTable::PathFilestatSetTimes(uint32_t fd, Lookupflags flags, std::string_view path,
                                    uint64_t atim, uint64_t mtim, Fstflags fst_flags) {
  Errno err = Errno::kSuccess;
  Entry* dir = GetDir(fd, &err);
  if (dir == nullptr) return err;
  timespec ts[2];
  if ((err = TimesFromFlags(atim, mtim, fst_flags, ts)) != Errno::kSuccess) return err;
  if (dir->read_only) return Errno::kRofs;
  if ((err = internal::CheckGuestPath(path)) != Errno::kSuccess) return err;
  // The file itself is opened beneath the directory (O_PATH), then its times are set through
  // that fd, so no second path lookup can be redirected.
  internal::OpenResult r =
      internal::OpenBeneath(dir->fd, path, O_PATH, 0, flags & kLookupflagsSymlinkFollow);
  if (r.err != Errno::kSuccess) return r.err;
  if (utimensat(r.fd.get(), "", ts, AT_EMPTY_PATH) != 0) return LastError();
  return Errno::kSuccess;
}

Errno FdTable::PathLink(uint32_t old_fd, Lookupflags old_flags, std::string_view old_path,
                        uint32_t new_fd, std::string_view new_path) {
  Errno err = Errno::kSuccess;
  Entry* old_dir = GetDir(old_fd, &err);
  if (old_dir == nullptr) return err;
  Entry* new_dir = GetDir(new_fd, &err);
  if (new_dir == nullptr) return err;
  if (old_dir->read_only || new_dir->read_only) return Errno::kRofs;
  if (old_dir->preopen != new_dir->preopen) return Errno::kXdev;
  if (old_flags & kLookupflagsSymlinkFollow) return Errno::kInval;
  if ((err = internal::CheckGuestPath(old_path)) != Errno::kSuccess) return err;
  if ((err = internal::CheckGuestPath(new_path)) != Errno::kSuccess) return err;
  internal::ParentResult from = internal::OpenParentBeneath(old_dir->fd, old_path);
  if (from.err != Errno::kSuccess) return from.err;
  if (from.trailing_slash || from.name == ".") {
    // linkat(2) would follow a symlink named with a trailing slash; resolve it beneath instead.
    // Whatever it names must be a directory, and directories cannot be hard-linked.
    internal::OpenResult r = internal::OpenBeneath(old_dir->fd, old_path, O_PATH, 0, true);
    if (r.err != Errno::kSuccess) return r.err;
    struct stat st;
    if (fstat(r.fd.get(), &st) != 0) return LastError();
    return S_ISDIR(st.st_mode) ? Errno::kPerm : Errno::kNotdir;
  }
  internal::ParentResult to = internal::OpenParentBeneath(new_dir->fd, new_path);
  if (to.err != Errno::kSuccess) return to.err;
  if (linkat(from.parent.get(), from.name.c_str(), to.parent.get(), to.name.c_str(), 0) != 0) {
    return LastError();
  }
  return Errno::kSuccess;
}

Errno FdTable::PathOpen(uint32_t fd, Lookupflags dirflags, std::string_view path, Oflags oflags,
                        Rights fs_rights_base, Rights fs_rights_inheriting, Fdflags fdflags,
                        uint32_t* opened_fd) {
  Errno err = Errno::kSuccess;
  Entry* dir = GetDir(fd, &err);
  if (dir == nullptr) return err;
  if ((err = internal::CheckGuestPath(path)) != Errno::kSuccess) return err;
  if ((oflags & ~kOflagsAll) != 0 || (fdflags & ~kFdflagsAll) != 0) return Errno::kInval;
  const bool want_read = (fs_rights_base & kReadRights) != 0;
  const bool want_write = (fs_rights_base & kWriteRights) != 0;
  if (dir->read_only && (want_write || (oflags & (kOflagsCreat | kOflagsTrunc)))) {
    return Errno::kRofs;
  }
  if (OpenCount() >= kMaxOpenFds) return Errno::kMfile;
  auto e = std::make_unique<Entry>();
  if (!e->counted.Acquire()) return Errno::kNfile;
  // Linux refuses O_CREAT on "name/" before resolving anything; say so for both resolvers.
  if ((oflags & kOflagsCreat) && path.back() == '/') return Errno::kIsdir;

  int flags = O_NOCTTY;
  flags |= want_write ? (want_read ? O_RDWR : O_WRONLY) : O_RDONLY;
  if (oflags & kOflagsCreat) flags |= O_CREAT;
  if (oflags & kOflagsDirectory) flags |= O_DIRECTORY;
  if (oflags & kOflagsExcl) flags |= O_EXCL;
  if (oflags & kOflagsTrunc) flags |= O_TRUNC;
  if (fdflags & kFdflagsAppend) flags |= O_APPEND;
  if (fdflags & kFdflagsDsync) flags |= O_DSYNC;
  if (fdflags & kFdflagsNonblock) flags |= O_NONBLOCK;
  if (fdflags & kFdflagsRsync) flags |= O_RSYNC;
  if (fdflags & kFdflagsSync) flags |= O_SYNC;
  internal::OpenResult r =
      internal::OpenBeneath(dir->fd, path, flags, 0666, dirflags & kLookupflagsSymlinkFollow);
  if (r.err != Errno::kSuccess) return r.err;
  struct stat st;
  if (fstat(r.fd.get(), &st) != 0) return LastError();

  e->fd = r.fd.get();
  e->owned = std::move(r.fd);
  e->is_dir = S_ISDIR(st.st_mode);
  e->filetype = FiletypeFromMode(st.st_mode);
  e->fdflags = fdflags;
  e->base = fs_rights_base & dir->inheriting;
  e->inheriting = fs_rights_inheriting & dir->inheriting;
  e->preopen = dir->preopen;
  e->root_dev = dir->root_dev;
  e->root_ino = dir->root_ino;
  e->read_only = dir->read_only;
  *opened_fd = Insert(std::move(e));
  return Errno::kSuccess;
}

Errno FdTable::PathReadlink(uint32_t fd, std::string_view path, std::span<uint8_t> buf,
                            uint32_t* bufused) {
  Errno err = Errno::kSuccess;
  Entry* dir = GetDir(fd, &err);
  if (dir == nullptr) return err;
  if ((err = internal::CheckGuestPath(path)) != Errno::kSuccess) return err;
  internal::OpenResult r = internal::OpenBeneath(dir->fd, path, O_PATH, 0, false);
  if (r.err != Errno::kSuccess) return r.err;
  struct stat st;
  if (fstat(r.fd.get(), &st) != 0) return LastError();
  if (!S_ISLNK(st.st_mode)) return Errno::kInval;
  char target[PATH_MAX];
  ssize_t n = readlinkat(r.fd.get(), "", target, sizeof target);
  if (n < 0) return LastError();
  size_t copied = std::min(static_cast<size_t>(n), buf.size());
  std::memcpy(buf.data(), target, copied);
  *bufused = static_cast<uint32_t>(copied);
  return Errno::kSuccess;
}

Errno FdTable::PathRemoveDirectory(uint32_t fd, std::string_view path) {
  Errno err = Errno::kSuccess;
  Entry* dir = GetDir(fd, &err);
  if (dir == nullptr) return err;
  if (dir->read_only) return Errno::kRofs;
  if ((err = internal::CheckGuestPath(path)) != Errno::kSuccess) return err;
  internal::ParentResult p = internal::OpenParentBeneath(dir->fd, path);
  if (p.err != Errno::kSuccess) return p.err;
  return unlinkat(p.parent.get(), p.name.c_str(), AT_REMOVEDIR) == 0 ? Errno::kSuccess
                                                                     : LastError();
}

Errno FdTable::PathRename(uint32_t fd, std::string_view old_path, uint32_t new_fd,
                          std::string_view new_path) {
  Errno err = Errno::kSuccess;
  Entry* old_dir = GetDir(fd, &err);
  if (old_dir == nullptr) return err;
  Entry* new_dir = GetDir(new_fd, &err);
  if (new_dir == nullptr) return err;
  if (old_dir->read_only || new_dir->read_only) return Errno::kRofs;
  if (old_dir->preopen != new_dir->preopen) return Errno::kXdev;
  if ((err = internal::CheckGuestPath(old_path)) != Errno::kSuccess) return err;
  if ((err = internal::CheckGuestPath(new_path)) != Errno::kSuccess) return err;
  internal::ParentResult from = internal::OpenParentBeneath(old_dir->fd, old_path);
  if (from.err != Errno::kSuccess) return from.err;
  internal::ParentResult to = internal::OpenParentBeneath(new_dir->fd, new_path);
  if (to.err != Errno::kSuccess) return to.err;
  if (renameat(from.parent.get(), from.name.c_str(), to.parent.get(), to.name.c_str()) != 0) {
    return LastError();
  }
  return Errno::kSuccess;
}

Errno FdTable::PathSymlink(std::string_view old_path, uint32_t fd, std::string_view new_path) {
  Errno err = Errno::kSuccess;
  Entry* dir = GetDir(fd, &err);
  if (dir == nullptr) return err;
  if (dir->read_only) return Errno::kRofs;
  if ((err = internal::CheckGuestPath(new_path)) != Errno::kSuccess) return err;
  // The target is stored, not resolved, but a link pointing out of the sandbox is refused at
  // creation so the guest cannot plant one for the host (or another runtime) to follow later.
  if ((err = internal::CheckGuestPath(old_path)) != Errno::kSuccess) return err;
  internal::ParentResult p = internal::OpenParentBeneath(dir->fd, new_path);
  if (p.err != Errno::kSuccess) return p.err;
  int depth = DepthBelow(p.parent.get(), dir->root_dev, dir->root_ino);
  if (depth < 0 || !SymlinkTargetStaysInside(old_path, depth)) return Errno::kNotcapable;
  std::string target(old_path);
  if (symlinkat(target.c_str(), p.parent.get(), p.name.c_str()) != 0) return LastError();
  return Errno::kSuccess;
}

Errno FdTable::PathUnlinkFile(uint32_t fd, std::string_view path) {
  Errno err = Errno::kSuccess;
  Entry* dir = GetDir(fd, &err);
  if (dir == nullptr) return err;
  if (dir->read_only) return Errno::kRofs;
  if ((err = internal::CheckGuestPath(path)) != Errno::kSuccess) return err;
  internal::ParentResult p = internal::OpenParentBeneath(dir->fd, path);
  if (p.err != Errno::kSuccess) return p.err;
  return unlinkat(p.parent.get(), p.name.c_str(), 0) == 0 ? Errno::kSuccess : LastError();
}

}  // namespace wasmgpu::wasi
