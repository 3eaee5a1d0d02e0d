// Host errno -> WASI errno, and the names of the WASI errnos.
#include <cerrno>
#include <climits>

#include "wasi/fs/internal.h"

namespace wasmgpu::wasi {

const char* ErrnoName(Errno e) {
  static constexpr const char* kNames[] = {
      "SUCCESS",     "2BIG",           "ACCES",       "ADDRINUSE",   "ADDRNOTAVAIL",
      "AFNOSUPPORT", "AGAIN",          "ALREADY",     "BADF",        "BADMSG",
      "BUSY",        "CANCELED",       "CHILD",       "CONNABORTED", "CONNREFUSED",
      "CONNRESET",   "DEADLK",         "DESTADDRREQ", "DOM",         "DQUOT",
      "EXIST",       "FAULT",          "FBIG",        "HOSTUNREACH", "IDRM",
      "ILSEQ",       "INPROGRESS",     "INTR",        "INVAL",       "IO",
      "ISCONN",      "ISDIR",          "LOOP",        "MFILE",       "MLINK",
      "MSGSIZE",     "MULTIHOP",       "NAMETOOLONG", "NETDOWN",     "NETRESET",
      "NETUNREACH",  "NFILE",          "NOBUFS",      "NODEV",       "NOENT",
      "NOEXEC",      "NOLCK",          "NOLINK",      "NOMEM",       "NOMSG",
      "NOPROTOOPT",  "NOSPC",          "NOSYS",       "NOTCONN",     "NOTDIR",
      "NOTEMPTY",    "NOTRECOVERABLE", "NOTSOCK",     "NOTSUP",      "NOTTY",
      "NXIO",        "OVERFLOW",       "OWNERDEAD",   "PERM",        "PIPE",
      "PROTO",       "PROTONOSUPPORT", "PROTOTYPE",   "RANGE",       "ROFS",
      "SPIPE",       "SRCH",           "STALE",       "TIMEDOUT",    "TXTBSY",
      "XDEV",        "NOTCAPABLE"};
  static_assert(sizeof(kNames) / sizeof(kNames[0]) == 77);
  auto i = static_cast<size_t>(e);
  return i < 77 ? kNames[i] : "UNKNOWN";
}

namespace internal {

Errno ErrnoFromHost(int e) {
  // One mapping per line reads best.
  // clang-format off
  switch (e) {
    case 0: return Errno::kSuccess;
    case E2BIG: return Errno::k2big;
    case EACCES: return Errno::kAcces;
    case EADDRINUSE: return Errno::kAddrinuse;
    case EADDRNOTAVAIL: return Errno::kAddrnotavail;
    case EAFNOSUPPORT: return Errno::kAfnosupport;
    case EAGAIN: return Errno::kAgain;
    case EALREADY: return Errno::kAlready;
    case EBADF: return Errno::kBadf;
    case EBADMSG: return Errno::kBadmsg;
    case EBUSY: return Errno::kBusy;
    case ECANCELED: return Errno::kCanceled;
    case ECHILD: return Errno::kChild;
    case ECONNABORTED: return Errno::kConnaborted;
    case ECONNREFUSED: return Errno::kConnrefused;
    case ECONNRESET: return Errno::kConnreset;
    case EDEADLK: return Errno::kDeadlk;
    case EDESTADDRREQ: return Errno::kDestaddrreq;
    case EDOM: return Errno::kDom;
    case EDQUOT: return Errno::kDquot;
    case EEXIST: return Errno::kExist;
    case EFAULT: return Errno::kFault;
    case EFBIG: return Errno::kFbig;
    case EHOSTUNREACH: return Errno::kHostunreach;
    case EIDRM: return Errno::kIdrm;
    case EILSEQ: return Errno::kIlseq;
    case EINPROGRESS: return Errno::kInprogress;
    case EINTR: return Errno::kIntr;
    case EINVAL: return Errno::kInval;
    case EIO: return Errno::kIo;
    case EISCONN: return Errno::kIsconn;
    case EISDIR: return Errno::kIsdir;
    case ELOOP: return Errno::kLoop;
    case EMFILE: return Errno::kMfile;
    case EMLINK: return Errno::kMlink;
    case EMSGSIZE: return Errno::kMsgsize;
    case EMULTIHOP: return Errno::kMultihop;
    case ENAMETOOLONG: return Errno::kNametoolong;
    case ENETDOWN: return Errno::kNetdown;
    case ENETRESET: return Errno::kNetreset;
    case ENETUNREACH: return Errno::kNetunreach;
    case ENFILE: return Errno::kNfile;
    case ENOBUFS: return Errno::kNobufs;
    case ENODEV: return Errno::kNodev;
    case ENOENT: return Errno::kNoent;
    case ENOEXEC: return Errno::kNoexec;
    case ENOLCK: return Errno::kNolck;
    case ENOLINK: return Errno::kNolink;
    case ENOMEM: return Errno::kNomem;
    case ENOMSG: return Errno::kNomsg;
    case ENOPROTOOPT: return Errno::kNoprotoopt;
    case ENOSPC: return Errno::kNospc;
    case ENOSYS: return Errno::kNosys;
    case ENOTCONN: return Errno::kNotconn;
    case ENOTDIR: return Errno::kNotdir;
    case ENOTEMPTY: return Errno::kNotempty;
    case ENOTRECOVERABLE: return Errno::kNotrecoverable;
    case ENOTSOCK: return Errno::kNotsock;
    case ENOTSUP: return Errno::kNotsup;  // == EOPNOTSUPP on Linux
    case ENOTTY: return Errno::kNotty;
    case ENXIO: return Errno::kNxio;
    case EOVERFLOW: return Errno::kOverflow;
    case EOWNERDEAD: return Errno::kOwnerdead;
    case EPERM: return Errno::kPerm;
    case EPIPE: return Errno::kPipe;
    case EPROTO: return Errno::kProto;
    case EPROTONOSUPPORT: return Errno::kProtonosupport;
    case EPROTOTYPE: return Errno::kPrototype;
    case ERANGE: return Errno::kRange;
    case EROFS: return Errno::kRofs;
    case ESPIPE: return Errno::kSpipe;
    case ESRCH: return Errno::kSrch;
    case ESTALE: return Errno::kStale;
    case ETIMEDOUT: return Errno::kTimedout;
    case ETXTBSY: return Errno::kTxtbsy;
    case EXDEV: return Errno::kXdev;
    default: return Errno::kIo;
  }
  // clang-format on
}

Errno CheckGuestPath(std::string_view path) {
  if (path.empty()) return Errno::kNoent;
  if (path.find('\0') != std::string_view::npos) return Errno::kInval;
  if (path.size() >= PATH_MAX) return Errno::kNametoolong;
  if (path.front() == '/') return Errno::kNotcapable;
  return Errno::kSuccess;
}

}  // namespace internal
}  // namespace wasmgpu::wasi
