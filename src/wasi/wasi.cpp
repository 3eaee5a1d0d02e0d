// wasi_snapshot_preview1 import glue. Each function: fetch the WasiState, check every guest
// (pointer, length) with Instance::InBounds, convert to host values, call, store results.
// Struct layouts are those of the preview1 witx (wasi_types.h has the fs ones).
#include "wasi/wasi.h"

#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <span>

namespace wasmgpu::wasi {
namespace {

using wasm::Instance;

constexpr uint32_t E(Errno e) { return static_cast<uint32_t>(e); }
constexpr uint32_t kOk = 0;
constexpr uint32_t kFault = static_cast<uint32_t>(Errno::kFault);

WasiState* State(Instance* instance) {
  return static_cast<WasiState*>(instance->host_state(wasm::kWasiStateSlot));
}

// A guest string (not NUL-terminated), or nullopt when out of bounds.
bool GuestString(Instance* inst, uint32_t ptr, uint32_t len, std::string_view* out) {
  const uint8_t* p = inst->Span(ptr, len);
  if (p == nullptr) return false;
  *out = std::string_view(reinterpret_cast<const char*>(p), len);
  return true;
}

// Reads an array of (ptr, len) iovecs and checks every buffer; false on any bad pointer.
template <typename Byte>
uint32_t GuestIovs(Instance* inst, uint32_t iovs, uint32_t count,
                   std::vector<std::span<Byte>>* out) {
  if (!inst->InBounds(iovs, uint64_t{count} * 8)) return kFault;
  if (count > kMaxIovs) return E(Errno::kInval);
  out->reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t ptr = 0;
    uint32_t len = 0;
    inst->Load(iovs + uint64_t{i} * 8, &ptr);
    inst->Load(iovs + uint64_t{i} * 8 + 4, &len);
    uint8_t* p = inst->Span(ptr, len);
    if (p == nullptr) return kFault;
    out->emplace_back(p, len);
  }
  return kOk;
}

// ---- args / environ ---------------------------------------------------------------------------

uint32_t SizesGet(Instance* inst, const std::vector<std::string>& list, uint32_t count_ptr,
                  uint32_t size_ptr) {
  if (!inst->InBounds(count_ptr, 4) || !inst->InBounds(size_ptr, 4)) return kFault;
  uint64_t bytes = 0;
  for (const std::string& s : list) bytes += s.size() + 1;
  if (bytes > UINT32_MAX) return E(Errno::kOverflow);
  inst->Store(count_ptr, static_cast<uint32_t>(list.size()));
  inst->Store(size_ptr, static_cast<uint32_t>(bytes));
  return kOk;
}

uint32_t ListGet(Instance* inst, const std::vector<std::string>& list, uint32_t ptrs,
                 uint32_t buf) {
  uint64_t bytes = 0;
  for (const std::string& s : list) bytes += s.size() + 1;
  if (!inst->InBounds(ptrs, uint64_t{list.size()} * 4) || !inst->InBounds(buf, bytes)) {
    return kFault;
  }
  uint64_t at = buf;
  for (size_t i = 0; i < list.size(); ++i) {
    inst->Store(ptrs + uint64_t{i} * 4, static_cast<uint32_t>(at));
    uint8_t* dst = inst->Span(at, list[i].size() + 1);
    std::memcpy(dst, list[i].data(), list[i].size());
    dst[list[i].size()] = 0;
    at += list[i].size() + 1;
  }
  return kOk;
}

uint32_t ArgsSizesGet(Instance* inst, uint32_t argc_ptr, uint32_t size_ptr) {
  return SizesGet(inst, State(inst)->args(), argc_ptr, size_ptr);
}
uint32_t ArgsGet(Instance* inst, uint32_t argv, uint32_t buf) {
  return ListGet(inst, State(inst)->args(), argv, buf);
}
uint32_t EnvironSizesGet(Instance* inst, uint32_t count_ptr, uint32_t size_ptr) {
  return SizesGet(inst, State(inst)->env(), count_ptr, size_ptr);
}
uint32_t EnvironGet(Instance* inst, uint32_t environ, uint32_t buf) {
  return ListGet(inst, State(inst)->env(), environ, buf);
}

// ---- clocks, random, process ------------------------------------------------------------------

bool HostClock(uint32_t id, clockid_t* out) {
  switch (id) {
    case 0: *out = CLOCK_REALTIME; return true;
    case 1: *out = CLOCK_MONOTONIC; return true;
    case 2: *out = CLOCK_PROCESS_CPUTIME_ID; return true;
    case 3: *out = CLOCK_THREAD_CPUTIME_ID; return true;
    default: return false;
  }
}

uint64_t ToNs(const timespec& ts) {
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

uint32_t ClockResGet(Instance* inst, uint32_t id, uint32_t res_ptr) {
  clockid_t clock;
  if (!HostClock(id, &clock)) return E(Errno::kInval);
  if (!inst->InBounds(res_ptr, 8)) return kFault;
  timespec ts{};
  if (clock_getres(clock, &ts) != 0) return E(Errno::kInval);
  inst->Store(res_ptr, ToNs(ts));
  return kOk;
}

uint32_t ClockTimeGet(Instance* inst, uint32_t id, uint64_t /*precision*/, uint32_t time_ptr) {
  clockid_t clock;
  if (!HostClock(id, &clock)) return E(Errno::kInval);
  if (!inst->InBounds(time_ptr, 8)) return kFault;
  timespec ts{};
  if (clock_gettime(clock, &ts) != 0) return E(Errno::kInval);
  inst->Store(time_ptr, ToNs(ts));
  return kOk;
}

uint32_t RandomGet(Instance* inst, uint32_t buf, uint32_t len) {
  uint8_t* p = inst->Span(buf, len);
  if (p == nullptr) return kFault;
  uint32_t done = 0;
  while (done < len) {
    ssize_t n = getrandom(p + done, len - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return E(Errno::kIo);
    }
    done += static_cast<uint32_t>(n);
  }
  return kOk;
}

void ProcExit(Instance* inst, uint32_t code) { inst->Exit(code); }
uint32_t ProcRaise(Instance*, uint32_t) { return E(Errno::kNosys); }
uint32_t SchedYield(Instance*) {
  sched_yield();
  return kOk;
}

// poll_oneoff: waits with ppoll(2) until one of the fd subscriptions is ready on its host fd or
// the earliest clock deadline passes, then reports everything ready at that moment (each ready
// fd, each clock whose deadline has passed). Bad subscriptions (unknown clock, fd not open or a
// directory) are reported at once with their error. No subscriptions, or more than
// kMaxPollSubscriptions, is EINVAL.
// subscription (48 bytes): userdata u64 @0, tag u8 @8, clock: id u32 @16, timeout u64 @24,
// precision u64 @32, flags u16 @40 (1 = absolute); fd_read/fd_write: fd u32 @16.
// event (32 bytes): userdata u64 @0, error u16 @8, type u8 @10, nbytes u64 @16, flags u16 @24
// (1 = hangup).
uint32_t PollOneoff(Instance* inst, uint32_t in, uint32_t out, uint32_t nsubs,
                    uint32_t nevents_ptr) {
  if (nsubs == 0 || nsubs > kMaxPollSubscriptions) return E(Errno::kInval);
  if (!inst->InBounds(in, uint64_t{nsubs} * 48) || !inst->InBounds(out, uint64_t{nsubs} * 32) ||
      !inst->InBounds(nevents_ptr, 4)) {
    return kFault;
  }
  struct Sub {
    uint64_t userdata;
    uint8_t tag;
    Errno error = Errno::kSuccess;  // reported at once when set
    clockid_t clock = CLOCK_MONOTONIC;
    uint64_t deadline = 0;  // absolute ns on `clock`
    int poll_index = -1;    // into `fds`
  };
  std::vector<Sub> subs(nsubs);  // nsubs <= kMaxPollSubscriptions: at most ~160 KiB
  std::vector<pollfd> fds;
  fds.reserve(nsubs);
  bool any_error = false;
  bool any_clock = false;
  for (uint32_t i = 0; i < nsubs; ++i) {
    uint64_t base = in + uint64_t{i} * 48;
    Sub& s = subs[i];
    inst->Load(base, &s.userdata);
    inst->Load(base + 8, &s.tag);
    if (s.tag == 0) {
      uint32_t id = 0;
      uint64_t timeout = 0;
      uint16_t flags = 0;
      inst->Load(base + 16, &id);
      inst->Load(base + 24, &timeout);
      inst->Load(base + 40, &flags);
      if (!HostClock(id, &s.clock) || s.clock == CLOCK_PROCESS_CPUTIME_ID ||
          s.clock == CLOCK_THREAD_CPUTIME_ID) {
        s.error = Errno::kInval;
        any_error = true;
        continue;
      }
      any_clock = true;
      timespec now{};
      clock_gettime(s.clock, &now);
      s.deadline = (flags & 1) != 0 ? timeout : ToNs(now) + std::min(timeout, UINT64_MAX - ToNs(now));
    } else if (s.tag == 1 || s.tag == 2) {
      uint32_t fd = 0;
      inst->Load(base + 16, &fd);
      int host_fd = -1;
      s.error = State(inst)->fds().HostFdForPoll(fd, s.tag == 2, &host_fd);
      if (s.error != Errno::kSuccess) {
        any_error = true;
        continue;
      }
      s.poll_index = static_cast<int>(fds.size());
      fds.push_back({host_fd, static_cast<short>(s.tag == 1 ? POLLIN : POLLOUT), 0});
    } else {
      return E(Errno::kInval);
    }
  }
  auto clock_due = [](const Sub& s) {
    timespec now{};
    clock_gettime(s.clock, &now);
    return ToNs(now) >= s.deadline;
  };
  for (;;) {
    // The wait: none when an error is to be reported, else until the earliest deadline (each
    // clock's remaining time measured on that clock), else until an fd is ready.
    uint64_t wait_ns = any_error ? 0 : UINT64_MAX;
    for (const Sub& s : subs) {
      if (s.tag != 0 || s.error != Errno::kSuccess) continue;
      timespec now{};
      clock_gettime(s.clock, &now);
      wait_ns = std::min(wait_ns, s.deadline > ToNs(now) ? s.deadline - ToNs(now) : 0);
    }
    timespec ts{static_cast<time_t>(std::min<uint64_t>(wait_ns / 1000000000ull, INT32_MAX)),
                static_cast<long>(wait_ns % 1000000000ull)};
    int ready = ppoll(fds.data(), fds.size(), wait_ns == UINT64_MAX ? nullptr : &ts, nullptr);
    if (ready < 0) {
      if (errno != EINTR) return E(Errno::kIo);
      // The watchdog interrupts waits; give control back so the guest can be stopped.
      if (inst->interrupt_requested()) return E(Errno::kIntr);
      continue;
    }
    if (ready > 0 || any_error) break;
    if (any_clock && std::any_of(subs.begin(), subs.end(), [&](const Sub& s) {
          return s.tag == 0 && s.error == Errno::kSuccess && clock_due(s);
        })) {
      break;
    }
    // Woken early (a realtime clock stepped, say): wait again.
  }
  uint32_t n = 0;
  for (const Sub& s : subs) {
    uint16_t error = static_cast<uint16_t>(s.error);
    uint64_t nbytes = 0;
    uint16_t flags = 0;
    if (s.error == Errno::kSuccess) {
      if (s.tag == 0) {
        if (!clock_due(s)) continue;
      } else {
        const pollfd& p = fds[static_cast<size_t>(s.poll_index)];
        if (p.revents == 0) continue;
        if ((p.revents & POLLNVAL) != 0) {
          error = static_cast<uint16_t>(Errno::kBadf);
        } else if ((p.revents & POLLERR) != 0 && (p.revents & (POLLIN | POLLOUT)) == 0) {
          error = static_cast<uint16_t>(Errno::kIo);
        }
        if ((p.revents & POLLHUP) != 0) flags = 1;
        int available = 0;
        if (s.tag == 1 && ioctl(p.fd, FIONREAD, &available) == 0 && available > 0) {
          nbytes = static_cast<uint64_t>(available);
        }
      }
    }
    uint64_t ev = out + uint64_t{n} * 32;
    std::memset(inst->Span(ev, 32), 0, 32);
    inst->Store(ev, s.userdata);
    inst->Store(ev + 8, error);
    inst->Store(ev + 10, s.tag);
    inst->Store(ev + 16, nbytes);
    inst->Store(ev + 24, flags);
    ++n;
  }
  inst->Store(nevents_ptr, n);
  return kOk;
}

// ---- fd_* -------------------------------------------------------------------------------------

FdTable& Fds(Instance* inst) { return State(inst)->fds(); }

uint32_t FdAdvise(Instance* inst, uint32_t fd, uint64_t offset, uint64_t len, uint32_t advice) {
  if (advice > 0xff) return E(Errno::kInval);
  return E(Fds(inst).FdAdvise(fd, offset, len, static_cast<Advice>(advice)));
}
uint32_t FdAllocate(Instance* inst, uint32_t fd, uint64_t offset, uint64_t len) {
  return E(Fds(inst).FdAllocate(fd, offset, len));
}
uint32_t FdClose(Instance* inst, uint32_t fd) { return E(Fds(inst).FdClose(fd)); }
uint32_t FdDatasync(Instance* inst, uint32_t fd) { return E(Fds(inst).FdDatasync(fd)); }

uint32_t FdFdstatGet(Instance* inst, uint32_t fd, uint32_t out) {
  if (!inst->InBounds(out, sizeof(Fdstat))) return kFault;
  Fdstat st;
  Errno e = Fds(inst).FdFdstatGet(fd, &st);
  if (e == Errno::kSuccess) inst->Store(out, st);
  return E(e);
}
uint32_t FdFdstatSetFlags(Instance* inst, uint32_t fd, uint32_t flags) {
  if (flags > 0xffff) return E(Errno::kInval);
  return E(Fds(inst).FdFdstatSetFlags(fd, static_cast<Fdflags>(flags)));
}
uint32_t FdFdstatSetRights(Instance* inst, uint32_t fd, uint64_t base, uint64_t inheriting) {
  return E(Fds(inst).FdFdstatSetRights(fd, base, inheriting));
}
uint32_t FdFilestatGet(Instance* inst, uint32_t fd, uint32_t out) {
  if (!inst->InBounds(out, sizeof(Filestat))) return kFault;
  Filestat st;
  Errno e = Fds(inst).FdFilestatGet(fd, &st);
  if (e == Errno::kSuccess) inst->Store(out, st);
  return E(e);
}
uint32_t FdFilestatSetSize(Instance* inst, uint32_t fd, uint64_t size) {
  return E(Fds(inst).FdFilestatSetSize(fd, size));
}
uint32_t FdFilestatSetTimes(Instance* inst, uint32_t fd, uint64_t atim, uint64_t mtim,
                            uint32_t flags) {
  if (flags > 0xffff) return E(Errno::kInval);
  return E(Fds(inst).FdFilestatSetTimes(fd, atim, mtim, static_cast<Fstflags>(flags)));
}

uint32_t FdPread(Instance* inst, uint32_t fd, uint32_t iovs, uint32_t count, uint64_t offset,
                 uint32_t nread_ptr) {
  if (!inst->InBounds(nread_ptr, 4)) return kFault;
  std::vector<std::span<uint8_t>> spans;
  if (uint32_t e = GuestIovs(inst, iovs, count, &spans); e != kOk) return e;
  uint32_t n = 0;
  Errno e = Fds(inst).FdPread(fd, spans, offset, &n);
  if (e == Errno::kSuccess) inst->Store(nread_ptr, n);
  return E(e);
}
uint32_t FdPwrite(Instance* inst, uint32_t fd, uint32_t iovs, uint32_t count, uint64_t offset,
                  uint32_t nwritten_ptr) {
  if (!inst->InBounds(nwritten_ptr, 4)) return kFault;
  std::vector<std::span<uint8_t>> spans;
  if (uint32_t e = GuestIovs(inst, iovs, count, &spans); e != kOk) return e;
  std::vector<std::span<const uint8_t>> cspans(spans.begin(), spans.end());
  uint32_t n = 0;
  Errno e = Fds(inst).FdPwrite(fd, cspans, offset, &n);
  if (e == Errno::kSuccess) inst->Store(nwritten_ptr, n);
  return E(e);
}
uint32_t FdRead(Instance* inst, uint32_t fd, uint32_t iovs, uint32_t count, uint32_t nread_ptr) {
  if (!inst->InBounds(nread_ptr, 4)) return kFault;
  std::vector<std::span<uint8_t>> spans;
  if (uint32_t e = GuestIovs(inst, iovs, count, &spans); e != kOk) return e;
  uint32_t n = 0;
  Errno e = Fds(inst).FdRead(fd, spans, &n);
  if (e == Errno::kSuccess) inst->Store(nread_ptr, n);
  return E(e);
}
uint32_t FdWrite(Instance* inst, uint32_t fd, uint32_t iovs, uint32_t count,
                 uint32_t nwritten_ptr) {
  if (!inst->InBounds(nwritten_ptr, 4)) return kFault;
  std::vector<std::span<uint8_t>> spans;
  if (uint32_t e = GuestIovs(inst, iovs, count, &spans); e != kOk) return e;
  std::vector<std::span<const uint8_t>> cspans(spans.begin(), spans.end());
  uint32_t n = 0;
  Errno e = Fds(inst).FdWrite(fd, cspans, &n);
  if (e == Errno::kSuccess) inst->Store(nwritten_ptr, n);
  return E(e);
}

uint32_t FdPrestatGet(Instance* inst, uint32_t fd, uint32_t out) {
  if (!inst->InBounds(out, sizeof(Prestat))) return kFault;
  Prestat st;
  Errno e = Fds(inst).FdPrestatGet(fd, &st);
  if (e == Errno::kSuccess) inst->Store(out, st);
  return E(e);
}
uint32_t FdPrestatDirName(Instance* inst, uint32_t fd, uint32_t path, uint32_t len) {
  uint8_t* p = inst->Span(path, len);
  if (p == nullptr) return kFault;
  return E(Fds(inst).FdPrestatDirName(fd, std::span<uint8_t>(p, len)));
}
uint32_t FdReaddir(Instance* inst, uint32_t fd, uint32_t buf, uint32_t len, uint64_t cookie,
                   uint32_t used_ptr) {
  uint8_t* p = inst->Span(buf, len);
  if (p == nullptr || !inst->InBounds(used_ptr, 4)) return kFault;
  uint32_t used = 0;
  Errno e = Fds(inst).FdReaddir(fd, std::span<uint8_t>(p, len), cookie, &used);
  if (e == Errno::kSuccess) inst->Store(used_ptr, used);
  return E(e);
}
uint32_t FdRenumber(Instance* inst, uint32_t from, uint32_t to) {
  return E(Fds(inst).FdRenumber(from, to));
}
uint32_t FdSeek(Instance* inst, uint32_t fd, uint64_t offset, uint32_t whence, uint32_t out) {
  if (!inst->InBounds(out, 8)) return kFault;
  if (whence > 2) return E(Errno::kInval);
  uint64_t pos = 0;
  Errno e = Fds(inst).FdSeek(fd, static_cast<int64_t>(offset), static_cast<Whence>(whence), &pos);
  if (e == Errno::kSuccess) inst->Store(out, pos);
  return E(e);
}
uint32_t FdSync(Instance* inst, uint32_t fd) { return E(Fds(inst).FdSync(fd)); }
uint32_t FdTell(Instance* inst, uint32_t fd, uint32_t out) {
  if (!inst->InBounds(out, 8)) return kFault;
  uint64_t pos = 0;
  Errno e = Fds(inst).FdTell(fd, &pos);
  if (e == Errno::kSuccess) inst->Store(out, pos);
  return E(e);
}

// ---- path_* -----------------------------------------------------------------------------------

#define WASI_PATH(var, ptr, len)                          \
  std::string_view var;                                   \
  if (!GuestString(inst, ptr, len, &var)) return kFault

uint32_t PathCreateDirectory(Instance* inst, uint32_t fd, uint32_t path, uint32_t len) {
  WASI_PATH(p, path, len);
  return E(Fds(inst).PathCreateDirectory(fd, p));
}
uint32_t PathFilestatGet(Instance* inst, uint32_t fd, uint32_t flags, uint32_t path,
                         uint32_t len, uint32_t out) {
  WASI_PATH(p, path, len);
  if (!inst->InBounds(out, sizeof(Filestat))) return kFault;
  Filestat st;
  Errno e = Fds(inst).PathFilestatGet(fd, flags, p, &st);
  if (e == Errno::kSuccess) inst->Store(out, st);
  return E(e);
}
uint32_t PathFilestatSetTimes(Instance* inst, uint32_t fd, uint32_t flags, uint32_t path,
                              uint32_t len, uint64_t atim, uint64_t mtim, uint32_t fst) {
  WASI_PATH(p, path, len);
  if (fst > 0xffff) return E(Errno::kInval);
  return E(Fds(inst).PathFilestatSetTimes(fd, flags, p, atim, mtim, static_cast<Fstflags>(fst)));
}
uint32_t PathLink(Instance* inst, uint32_t old_fd, uint32_t old_flags, uint32_t old_path,
                  uint32_t old_len, uint32_t new_fd, uint32_t new_path, uint32_t new_len) {
  WASI_PATH(o, old_path, old_len);
  WASI_PATH(n, new_path, new_len);
  return E(Fds(inst).PathLink(old_fd, old_flags, o, new_fd, n));
}
uint32_t PathOpen(Instance* inst, uint32_t fd, uint32_t dirflags, uint32_t path, uint32_t len,
                  uint32_t oflags, uint64_t base, uint64_t inheriting, uint32_t fdflags,
                  uint32_t out) {
  WASI_PATH(p, path, len);
  if (!inst->InBounds(out, 4)) return kFault;
  if (oflags > 0xffff || fdflags > 0xffff) return E(Errno::kInval);
  uint32_t opened = 0;
  Errno e = Fds(inst).PathOpen(fd, dirflags, p, static_cast<Oflags>(oflags), base, inheriting,
                               static_cast<Fdflags>(fdflags), &opened);
  if (e == Errno::kSuccess) inst->Store(out, opened);
  return E(e);
}
uint32_t PathReadlink(Instance* inst, uint32_t fd, uint32_t path, uint32_t len, uint32_t buf,
                      uint32_t buf_len, uint32_t used_ptr) {
  WASI_PATH(p, path, len);
  uint8_t* b = inst->Span(buf, buf_len);
  if (b == nullptr || !inst->InBounds(used_ptr, 4)) return kFault;
  uint32_t used = 0;
  Errno e = Fds(inst).PathReadlink(fd, p, std::span<uint8_t>(b, buf_len), &used);
  if (e == Errno::kSuccess) inst->Store(used_ptr, used);
  return E(e);
}
uint32_t PathRemoveDirectory(Instance* inst, uint32_t fd, uint32_t path, uint32_t len) {
  WASI_PATH(p, path, len);
  return E(Fds(inst).PathRemoveDirectory(fd, p));
}
uint32_t PathRename(Instance* inst, uint32_t fd, uint32_t old_path, uint32_t old_len,
                    uint32_t new_fd, uint32_t new_path, uint32_t new_len) {
  WASI_PATH(o, old_path, old_len);
  WASI_PATH(n, new_path, new_len);
  return E(Fds(inst).PathRename(fd, o, new_fd, n));
}
uint32_t PathSymlink(Instance* inst, uint32_t old_path, uint32_t old_len, uint32_t fd,
                     uint32_t new_path, uint32_t new_len) {
  WASI_PATH(o, old_path, old_len);
  WASI_PATH(n, new_path, new_len);
  return E(Fds(inst).PathSymlink(o, fd, n));
}
uint32_t PathUnlinkFile(Instance* inst, uint32_t fd, uint32_t path, uint32_t len) {
  WASI_PATH(p, path, len);
  return E(Fds(inst).PathUnlinkFile(fd, p));
}

// ---- sockets: not provided --------------------------------------------------------------------

uint32_t SockAccept(Instance*, uint32_t, uint32_t, uint32_t) { return E(Errno::kNosys); }
uint32_t SockRecv(Instance*, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t) {
  return E(Errno::kNosys);
}
uint32_t SockSend(Instance*, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t) {
  return E(Errno::kNosys);
}
uint32_t SockShutdown(Instance*, uint32_t, uint32_t) { return E(Errno::kNosys); }

}  // namespace

Status CheckEnvEntry(std::string_view entry) {
  size_t eq = entry.find('=');
  if (eq == std::string_view::npos) {
    return ValidationError("--env value '{}' has no '='; expected KEY=VALUE.", entry);
  }
  if (eq == 0) return ValidationError("--env value '{}' has an empty KEY.", entry);
  if (entry.find('\0') != std::string_view::npos) {
    return ValidationError("--env value contains a NUL byte.");
  }
  return {};
}

Result<std::unique_ptr<WasiState>> WasiState::Create(WasiConfig config) {
  for (const std::string& e : config.env) TRY(CheckEnvEntry(e));
  std::unique_ptr<WasiState> state(new WasiState());
  state->args_ = std::move(config.args);
  state->env_ = std::move(config.env);
  TRY_ASSIGN(state->fds_, FdTable::Create(config.preopens, config.stdio));
  return state;
}

void RegisterWasi(wasm::HostRegistry& r) {
  const char* m = kWasiModule;
  r.Add(m, "args_get", &ArgsGet);
  r.Add(m, "args_sizes_get", &ArgsSizesGet);
  r.Add(m, "environ_get", &EnvironGet);
  r.Add(m, "environ_sizes_get", &EnvironSizesGet);
  r.Add(m, "clock_res_get", &ClockResGet);
  r.Add(m, "clock_time_get", &ClockTimeGet);
  r.Add(m, "random_get", &RandomGet);
  r.Add(m, "proc_exit", &ProcExit);
  r.Add(m, "proc_raise", &ProcRaise);
  r.Add(m, "sched_yield", &SchedYield);
  r.Add(m, "poll_oneoff", &PollOneoff);
  r.Add(m, "fd_advise", &FdAdvise);
  r.Add(m, "fd_allocate", &FdAllocate);
  r.Add(m, "fd_close", &FdClose);
  r.Add(m, "fd_datasync", &FdDatasync);
  r.Add(m, "fd_fdstat_get", &FdFdstatGet);
  r.Add(m, "fd_fdstat_set_flags", &FdFdstatSetFlags);
  r.Add(m, "fd_fdstat_set_rights", &FdFdstatSetRights);
  r.Add(m, "fd_filestat_get", &FdFilestatGet);
  r.Add(m, "fd_filestat_set_size", &FdFilestatSetSize);
  r.Add(m, "fd_filestat_set_times", &FdFilestatSetTimes);
  r.Add(m, "fd_pread", &FdPread);
  r.Add(m, "fd_prestat_get", &FdPrestatGet);
  r.Add(m, "fd_prestat_dir_name", &FdPrestatDirName);
  r.Add(m, "fd_pwrite", &FdPwrite);
  r.Add(m, "fd_read", &FdRead);
  r.Add(m, "fd_readdir", &FdReaddir);
  r.Add(m, "fd_renumber", &FdRenumber);
  r.Add(m, "fd_seek", &FdSeek);
  r.Add(m, "fd_sync", &FdSync);
  r.Add(m, "fd_tell", &FdTell);
  r.Add(m, "fd_write", &FdWrite);
  r.Add(m, "path_create_directory", &PathCreateDirectory);
  r.Add(m, "path_filestat_get", &PathFilestatGet);
  r.Add(m, "path_filestat_set_times", &PathFilestatSetTimes);
  r.Add(m, "path_link", &PathLink);
  r.Add(m, "path_open", &PathOpen);
  r.Add(m, "path_readlink", &PathReadlink);
  r.Add(m, "path_remove_directory", &PathRemoveDirectory);
  r.Add(m, "path_rename", &PathRename);
  r.Add(m, "path_symlink", &PathSymlink);
  r.Add(m, "path_unlink_file", &PathUnlinkFile);
  r.Add(m, "sock_accept", &SockAccept);
  r.Add(m, "sock_recv", &SockRecv);
  r.Add(m, "sock_send", &SockSend);
  r.Add(m, "sock_shutdown", &SockShutdown);
}

}  // namespace wasmgpu::wasi
