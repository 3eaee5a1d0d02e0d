// WASI preview1 constants and the structs the filesystem calls exchange with the guest, with the
// values and layouts of the preview1 witx (`wasi_snapshot_preview1.witx`, as mirrored by
// wasi-libc's <wasi/api.h>). Every struct here has exactly the guest's layout (wasm32, little
// endian, natural alignment), checked by static_assert, so the import glue can memcpy one into
// guest memory after bounds-checking the destination. Padding bytes are always zero: a
// value-initialized struct (`Filestat st{};`) never leaks host bytes into the guest.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

namespace wasmgpu::wasi {

static_assert(std::endian::native == std::endian::little,
              "The guest structs below are memcpy'd into little-endian wasm memory.");

// errno (u16). The glue returns these as the i32 result of each import.
enum class Errno : uint16_t {
  kSuccess = 0,
  k2big = 1,
  kAcces = 2,
  kAddrinuse = 3,
  kAddrnotavail = 4,
  kAfnosupport = 5,
  kAgain = 6,
  kAlready = 7,
  kBadf = 8,
  kBadmsg = 9,
  kBusy = 10,
  kCanceled = 11,
  kChild = 12,
  kConnaborted = 13,
  kConnrefused = 14,
  kConnreset = 15,
  kDeadlk = 16,
  kDestaddrreq = 17,
  kDom = 18,
  kDquot = 19,
  kExist = 20,
  kFault = 21,
  kFbig = 22,
  kHostunreach = 23,
  kIdrm = 24,
  kIlseq = 25,
  kInprogress = 26,
  kIntr = 27,
  kInval = 28,
  kIo = 29,
  kIsconn = 30,
  kIsdir = 31,
  kLoop = 32,
  kMfile = 33,
  kMlink = 34,
  kMsgsize = 35,
  kMultihop = 36,
  kNametoolong = 37,
  kNetdown = 38,
  kNetreset = 39,
  kNetunreach = 40,
  kNfile = 41,
  kNobufs = 42,
  kNodev = 43,
  kNoent = 44,
  kNoexec = 45,
  kNolck = 46,
  kNolink = 47,
  kNomem = 48,
  kNomsg = 49,
  kNoprotoopt = 50,
  kNospc = 51,
  kNosys = 52,
  kNotconn = 53,
  kNotdir = 54,
  kNotempty = 55,
  kNotrecoverable = 56,
  kNotsock = 57,
  kNotsup = 58,
  kNotty = 59,
  kNxio = 60,
  kOverflow = 61,
  kOwnerdead = 62,
  kPerm = 63,
  kPipe = 64,
  kProto = 65,
  kProtonosupport = 66,
  kPrototype = 67,
  kRange = 68,
  kRofs = 69,
  kSpipe = 70,
  kSrch = 71,
  kStale = 72,
  kTimedout = 73,
  kTxtbsy = 74,
  kXdev = 75,
  kNotcapable = 76,
};

// The errno's name as wasi-libc spells it without the prefix ("NOTCAPABLE"), for messages/tests.
const char* ErrnoName(Errno e);

// filetype (u8).
using Filetype = uint8_t;
inline constexpr Filetype kFiletypeUnknown = 0;
inline constexpr Filetype kFiletypeBlockDevice = 1;
inline constexpr Filetype kFiletypeCharacterDevice = 2;
inline constexpr Filetype kFiletypeDirectory = 3;
inline constexpr Filetype kFiletypeRegularFile = 4;
inline constexpr Filetype kFiletypeSocketDgram = 5;
inline constexpr Filetype kFiletypeSocketStream = 6;
inline constexpr Filetype kFiletypeSymbolicLink = 7;

// fdflags (u16).
using Fdflags = uint16_t;
inline constexpr Fdflags kFdflagsAppend = 1 << 0;
inline constexpr Fdflags kFdflagsDsync = 1 << 1;
inline constexpr Fdflags kFdflagsNonblock = 1 << 2;
inline constexpr Fdflags kFdflagsRsync = 1 << 3;
inline constexpr Fdflags kFdflagsSync = 1 << 4;
inline constexpr Fdflags kFdflagsAll = 0x1f;

// oflags (u16).
using Oflags = uint16_t;
inline constexpr Oflags kOflagsCreat = 1 << 0;
inline constexpr Oflags kOflagsDirectory = 1 << 1;
inline constexpr Oflags kOflagsExcl = 1 << 2;
inline constexpr Oflags kOflagsTrunc = 1 << 3;
inline constexpr Oflags kOflagsAll = 0xf;

// lookupflags (u32).
using Lookupflags = uint32_t;
inline constexpr Lookupflags kLookupflagsSymlinkFollow = 1 << 0;

// whence (u8).
using Whence = uint8_t;
inline constexpr Whence kWhenceSet = 0;
inline constexpr Whence kWhenceCur = 1;
inline constexpr Whence kWhenceEnd = 2;

// fstflags (u16).
using Fstflags = uint16_t;
inline constexpr Fstflags kFstflagsAtim = 1 << 0;
inline constexpr Fstflags kFstflagsAtimNow = 1 << 1;
inline constexpr Fstflags kFstflagsMtim = 1 << 2;
inline constexpr Fstflags kFstflagsMtimNow = 1 << 3;
inline constexpr Fstflags kFstflagsAll = 0xf;

// advice (u8).
using Advice = uint8_t;
inline constexpr Advice kAdviceNormal = 0;
inline constexpr Advice kAdviceSequential = 1;
inline constexpr Advice kAdviceRandom = 2;
inline constexpr Advice kAdviceWillneed = 3;
inline constexpr Advice kAdviceDontneed = 4;
inline constexpr Advice kAdviceNoreuse = 5;

// preopentype (u8).
inline constexpr uint8_t kPreopentypeDir = 0;

// rights (u64), bit i in witx order.
using Rights = uint64_t;
inline constexpr Rights kRightFdDatasync = 1ull << 0;
inline constexpr Rights kRightFdRead = 1ull << 1;
inline constexpr Rights kRightFdSeek = 1ull << 2;
inline constexpr Rights kRightFdFdstatSetFlags = 1ull << 3;
inline constexpr Rights kRightFdSync = 1ull << 4;
inline constexpr Rights kRightFdTell = 1ull << 5;
inline constexpr Rights kRightFdWrite = 1ull << 6;
inline constexpr Rights kRightFdAdvise = 1ull << 7;
inline constexpr Rights kRightFdAllocate = 1ull << 8;
inline constexpr Rights kRightPathCreateDirectory = 1ull << 9;
inline constexpr Rights kRightPathCreateFile = 1ull << 10;
inline constexpr Rights kRightPathLinkSource = 1ull << 11;
inline constexpr Rights kRightPathLinkTarget = 1ull << 12;
inline constexpr Rights kRightPathOpen = 1ull << 13;
inline constexpr Rights kRightFdReaddir = 1ull << 14;
inline constexpr Rights kRightPathReadlink = 1ull << 15;
inline constexpr Rights kRightPathRenameSource = 1ull << 16;
inline constexpr Rights kRightPathRenameTarget = 1ull << 17;
inline constexpr Rights kRightPathFilestatGet = 1ull << 18;
inline constexpr Rights kRightPathFilestatSetSize = 1ull << 19;
inline constexpr Rights kRightPathFilestatSetTimes = 1ull << 20;
inline constexpr Rights kRightFdFilestatGet = 1ull << 21;
inline constexpr Rights kRightFdFilestatSetSize = 1ull << 22;
inline constexpr Rights kRightFdFilestatSetTimes = 1ull << 23;
inline constexpr Rights kRightPathSymlink = 1ull << 24;
inline constexpr Rights kRightPathRemoveDirectory = 1ull << 25;
inline constexpr Rights kRightPathUnlinkFile = 1ull << 26;
inline constexpr Rights kRightPollFdReadwrite = 1ull << 27;
inline constexpr Rights kRightSockShutdown = 1ull << 28;
inline constexpr Rights kRightSockAccept = 1ull << 29;
inline constexpr Rights kRightsAll = (1ull << 30) - 1;

// fdstat: size 24, align 8.
//   offset 0  u8  fs_filetype
//   offset 2  u16 fs_flags (fdflags)
//   offset 8  u64 fs_rights_base
//   offset 16 u64 fs_rights_inheriting
struct Fdstat {
  uint8_t fs_filetype = 0;
  uint8_t pad0 = 0;
  uint16_t fs_flags = 0;
  uint32_t pad1 = 0;
  uint64_t fs_rights_base = 0;
  uint64_t fs_rights_inheriting = 0;
};
static_assert(sizeof(Fdstat) == 24 && alignof(Fdstat) == 8);
static_assert(offsetof(Fdstat, fs_flags) == 2 && offsetof(Fdstat, fs_rights_base) == 8 &&
              offsetof(Fdstat, fs_rights_inheriting) == 16);

// filestat: size 64, align 8. Timestamps are nanoseconds since the Unix epoch.
//   offset 0  u64 dev      offset 8  u64 ino     offset 16 u8 filetype
//   offset 24 u64 nlink    offset 32 u64 size    offset 40 u64 atim
//   offset 48 u64 mtim     offset 56 u64 ctim
struct Filestat {
  uint64_t dev = 0;
  uint64_t ino = 0;
  uint8_t filetype = 0;
  uint8_t pad[7] = {};
  uint64_t nlink = 0;
  uint64_t size = 0;
  uint64_t atim = 0;
  uint64_t mtim = 0;
  uint64_t ctim = 0;
};
static_assert(sizeof(Filestat) == 64 && alignof(Filestat) == 8);
static_assert(offsetof(Filestat, filetype) == 16 && offsetof(Filestat, nlink) == 24 &&
              offsetof(Filestat, size) == 32 && offsetof(Filestat, atim) == 40 &&
              offsetof(Filestat, mtim) == 48 && offsetof(Filestat, ctim) == 56);

// prestat: size 8, align 4. A tagged union whose only variant is `dir` (tag 0).
//   offset 0 u8  tag (preopentype)
//   offset 4 u32 pr_name_len (length of the guest path, without a terminating NUL)
struct Prestat {
  uint8_t tag = kPreopentypeDir;
  uint8_t pad[3] = {};
  uint32_t pr_name_len = 0;
};
static_assert(sizeof(Prestat) == 8 && alignof(Prestat) == 4);
static_assert(offsetof(Prestat, pr_name_len) == 4);

// dirent: size 24, align 8; in fd_readdir's buffer each one is followed immediately by its
// d_namlen name bytes (no NUL), and the next dirent starts right after them (unaligned).
//   offset 0  u64 d_next (cookie of the next entry)
//   offset 8  u64 d_ino
//   offset 16 u32 d_namlen
//   offset 20 u8  d_type (filetype)
struct Dirent {
  uint64_t d_next = 0;
  uint64_t d_ino = 0;
  uint32_t d_namlen = 0;
  uint8_t d_type = 0;
  uint8_t pad[3] = {};
};
static_assert(sizeof(Dirent) == 24 && alignof(Dirent) == 8);
static_assert(offsetof(Dirent, d_ino) == 8 && offsetof(Dirent, d_namlen) == 16 &&
              offsetof(Dirent, d_type) == 20);

// The guest's iovec/ciovec is {u32 buf, u32 buf_len} (size 8, align 4); the glue translates each
// one into a host span after checking [buf, buf+buf_len) lies inside guest memory.
inline constexpr size_t kGuestIovecSize = 8;

}  // namespace wasmgpu::wasi
