// The WASI import glue, driven from WAT so every guest pointer is under the test's control:
// out-of-bounds and overflowing (pointer, length) pairs return EFAULT and write nothing.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "test_util.h"
#include "wasi/wasi.h"
#include "wasm/engine.h"
#include "wasm/instance.h"

namespace wasmgpu::wasi {
namespace {

constexpr uint32_t kEfault = 21;
constexpr uint32_t kEinval = 28;

// One page of memory; each export forwards its arguments to the WASI function of the same name.
const char kGlueWat[] = R"((module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "sock_accept" (func $sock_accept (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "args_sizes_get") (param i32 i32) (result i32) local.get 0 local.get 1 call $args_sizes_get)
  (func (export "args_get") (param i32 i32) (result i32) local.get 0 local.get 1 call $args_get)
  (func (export "environ_get") (param i32 i32) (result i32) local.get 0 local.get 1 call $environ_get)
  (func (export "clock_time_get") (param i32 i32) (result i32) local.get 0 i64.const 0 local.get 1 call $clock_time_get)
  (func (export "random_get") (param i32 i32) (result i32) local.get 0 local.get 1 call $random_get)
  (func (export "fd_write") (param i32 i32 i32 i32) (result i32)
    local.get 0 local.get 1 local.get 2 local.get 3 call $fd_write)
  (func (export "fd_read") (param i32 i32 i32 i32) (result i32)
    local.get 0 local.get 1 local.get 2 local.get 3 call $fd_read)
  (func (export "poll_oneoff") (param i32 i32 i32 i32) (result i32)
    local.get 0 local.get 1 local.get 2 local.get 3 call $poll_oneoff)
  (func (export "proc_exit") (param i32) local.get 0 call $proc_exit)
  (func (export "sock_accept") (result i32) i32.const 0 i32.const 0 i32.const 0 call $sock_accept)
))";

class WasiGlueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterWasi(registry_);
    wasm::EngineOptions options;
    options.cache_dir = WASM_TEST_CACHE_DIR;
    engine_ = std::make_unique<wasm::Engine>(options);
    std::string wat = kGlueWat;
    const std::string one_page = "(memory (export \"memory\") 1)";
    wat.replace(wat.find(one_page), one_page.size(),
                fmt::format("(memory (export \"memory\") {})", MemoryPages()));
    auto module = engine_->LoadBytes(wasm::testing::Wat(wat), "glue.wasm", registry_);
    ASSERT_TRUE(module.ok()) << module.error().message;
    auto inst = wasm::Instance::Create(*module, registry_);
    ASSERT_TRUE(inst.ok()) << inst.error().message;
    inst_ = std::move(inst).value();
    WasiConfig config;
    config.args = {"prog", "arg one"};
    config.env = {"K=V"};
    auto state = WasiState::Create(config);
    ASSERT_TRUE(state.ok()) << state.error().message;
    inst_->SetHostState(wasm::kWasiStateSlot, std::move(state).value());
    ASSERT_TRUE(inst_->Instantiate().ok());
  }

  virtual uint32_t MemoryPages() const { return 1; }

  uint32_t Call2(const char* name, uint32_t a, uint32_t b) {
    Result<uint32_t> r = inst_->Call<uint32_t>(name, a, b);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : 0xdead;
  }
  uint32_t Load32(uint32_t at) {
    uint32_t v = 0;
    EXPECT_TRUE(inst_->Load(at, &v));
    return v;
  }

  wasm::HostRegistry registry_;
  std::unique_ptr<wasm::Engine> engine_;
  std::unique_ptr<wasm::Instance> inst_;
};

TEST_F(WasiGlueTest, ArgsAndEnvironAreCopiedIntoGuestMemory) {
  EXPECT_EQ(Call2("args_sizes_get", 0, 4), 0u);
  EXPECT_EQ(Load32(0), 2u);
  EXPECT_EQ(Load32(4), 5u + 8u);  // "prog\0" "arg one\0"
  EXPECT_EQ(Call2("args_get", 100, 200), 0u);
  EXPECT_EQ(Load32(100), 200u);
  EXPECT_EQ(Load32(104), 205u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(inst_->Span(200, 13)), 13),
            std::string("prog\0arg one\0", 13));
  EXPECT_EQ(Call2("environ_get", 300, 400), 0u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(inst_->Span(400, 4))), "K=V");
}

TEST_F(WasiGlueTest, BadPointersReturnEfaultAndWriteNothing) {
  uint8_t* mem = inst_->memory_base();
  // Results past the end, straddling it, and pointers that overflow when the length is added.
  EXPECT_EQ(Call2("args_sizes_get", 65536, 0), kEfault);
  EXPECT_EQ(Call2("args_sizes_get", 0, 65533), kEfault);
  EXPECT_EQ(Load32(0), 0u);  // the first, valid, pointer was not written either
  EXPECT_EQ(Call2("args_get", 0, 65530), kEfault);  // buffer needs 13 bytes
  EXPECT_EQ(Load32(0), 0u);
  EXPECT_EQ(Call2("args_get", 0xfffffffc, 0), kEfault);
  EXPECT_EQ(Call2("clock_time_get", 1, 65532), kEfault);
  EXPECT_EQ(Call2("clock_time_get", 99, 0), kEinval);
  EXPECT_EQ(Call2("random_get", 65000, 1000), kEfault);
  EXPECT_EQ(Call2("random_get", 0xffffff00, 0x200), kEfault);
  for (int i = 0; i < 64; ++i) EXPECT_EQ(mem[65000 + i % 536], 0) << i;
  // fd_write: iovec array out of bounds; one iovec's buffer out of bounds; nwritten out of bounds.
  auto fd_write = [&](uint32_t iovs, uint32_t n, uint32_t nwritten) {
    Result<uint32_t> r = inst_->Call<uint32_t>("fd_write", 1u, iovs, n, nwritten);
    return r.ok() ? *r : 0xdead;
  };
  EXPECT_EQ(fd_write(65532, 1, 0), kEfault);
  EXPECT_EQ(fd_write(0, 0x20000000, 8), kEfault);  // count * 8 overflows 32 bits: still EFAULT
  inst_->Store<uint32_t>(16, 65000);
  inst_->Store<uint32_t>(20, 1000);  // [65000, 66000) leaves memory
  EXPECT_EQ(fd_write(16, 1, 8), kEfault);
  EXPECT_EQ(fd_write(16, 0, 65534), kEfault);
}

TEST_F(WasiGlueTest, PollOneoffSleepsOnAClockSubscription) {
  // subscription at 0: userdata 77, tag 0 (clock), id 1 (monotonic), timeout 20 ms, relative.
  inst_->Store<uint64_t>(0, 77);
  inst_->Store<uint8_t>(8, 0);
  inst_->Store<uint32_t>(16, 1);
  inst_->Store<uint64_t>(24, 20'000'000);
  inst_->Store<uint16_t>(40, 0);
  auto start = std::chrono::steady_clock::now();
  Result<uint32_t> r = inst_->Call<uint32_t>("poll_oneoff", 0u, 100u, 1u, 200u);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 0u);
  EXPECT_GE(elapsed, std::chrono::milliseconds(20));
  EXPECT_EQ(Load32(200), 1u);  // one event
  uint64_t userdata = 0;
  ASSERT_TRUE(inst_->Load(100, &userdata));
  EXPECT_EQ(userdata, 77u);
}

// poll_oneoff on fds: the guest's stdin is a pipe the test controls.
class PollFdTest : public WasiGlueTest {
 protected:
  void SetUp() override {
    WasiGlueTest::SetUp();
    ASSERT_EQ(pipe(pipe_), 0);
    WasiConfig config;
    config.args = {"prog"};
    config.stdio.stdin_fd = pipe_[0];
    auto state = WasiState::Create(config);
    ASSERT_TRUE(state.ok()) << state.error().message;
    inst_->SetHostState(wasm::kWasiStateSlot, std::move(state).value());
  }
  void TearDown() override {
    inst_.reset();  // the fd table borrows stdin: drop it before closing the pipe
    if (pipe_[0] >= 0) close(pipe_[0]);
    if (pipe_[1] >= 0) close(pipe_[1]);
  }
  // Subscription `i` (of 48 bytes, from address 0): fd_read (tag 1) of `fd`.
  void SubscribeRead(uint32_t i, uint64_t userdata, uint32_t fd) {
    inst_->Store<uint64_t>(i * 48, userdata);
    inst_->Store<uint8_t>(i * 48 + 8, 1);
    inst_->Store<uint32_t>(i * 48 + 16, fd);
  }
  // Subscription `i`: a relative monotonic clock of `ns`.
  void SubscribeClock(uint32_t i, uint64_t userdata, uint64_t ns) {
    inst_->Store<uint64_t>(i * 48, userdata);
    inst_->Store<uint8_t>(i * 48 + 8, 0);
    inst_->Store<uint32_t>(i * 48 + 16, 1);
    inst_->Store<uint64_t>(i * 48 + 24, ns);
    inst_->Store<uint16_t>(i * 48 + 40, 0);
  }
  struct Event {
    uint64_t userdata = 0;
    uint16_t error = 0;
    uint8_t type = 0;
    uint64_t nbytes = 0;
    uint16_t flags = 0;
  };
  // Polls `n` subscriptions; events are written at 1000, their count at 2000.
  std::vector<Event> Poll(uint32_t n, std::chrono::milliseconds* elapsed) {
    auto start = std::chrono::steady_clock::now();
    Result<uint32_t> r = inst_->Call<uint32_t>("poll_oneoff", 0u, 1000u, n, 2000u);
    *elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    EXPECT_TRUE(r.ok() && *r == 0u);
    std::vector<Event> events(Load32(2000));
    for (size_t i = 0; i < events.size(); ++i) {
      uint32_t at = 1000 + static_cast<uint32_t>(i) * 32;
      inst_->Load(at, &events[i].userdata);
      inst_->Load(at + 8, &events[i].error);
      inst_->Load(at + 10, &events[i].type);
      inst_->Load(at + 16, &events[i].nbytes);
      inst_->Load(at + 24, &events[i].flags);
    }
    return events;
  }
  int pipe_[2] = {-1, -1};
};

TEST_F(PollFdTest, AnEmptyPipeIsNotReadySoTheClockFires) {
  SubscribeRead(0, 1, 0);
  SubscribeClock(1, 2, 30'000'000);
  std::chrono::milliseconds elapsed{};
  std::vector<Event> events = Poll(2, &elapsed);
  EXPECT_GE(elapsed.count(), 30);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].userdata, 2u);
  EXPECT_EQ(events[0].type, 0u);
  EXPECT_EQ(events[0].error, 0u);
}

TEST_F(PollFdTest, DataInThePipeIsReportedAtOnceWithItsSize) {
  ASSERT_EQ(write(pipe_[1], "hello", 5), 5);
  SubscribeClock(0, 1, 10'000'000'000);
  SubscribeRead(1, 2, 0);
  std::chrono::milliseconds elapsed{};
  std::vector<Event> events = Poll(2, &elapsed);
  EXPECT_LT(elapsed.count(), 5000);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].userdata, 2u);
  EXPECT_EQ(events[0].type, 1u);
  EXPECT_EQ(events[0].error, 0u);
  EXPECT_EQ(events[0].nbytes, 5u);
  EXPECT_EQ(events[0].flags, 0u);
}

TEST_F(PollFdTest, AClosedWriterIsAHangupAndABadFdIsEbadf) {
  close(pipe_[1]);
  pipe_[1] = -1;
  SubscribeRead(0, 1, 0);
  SubscribeRead(1, 2, 42);  // never opened
  std::chrono::milliseconds elapsed{};
  std::vector<Event> events = Poll(2, &elapsed);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].userdata, 1u);
  EXPECT_EQ(events[0].error, 0u);
  EXPECT_EQ(events[0].flags, 1u);  // __WASI_EVENTRWFLAGS_FD_READWRITE_HANGUP
  EXPECT_EQ(events[1].userdata, 2u);
  EXPECT_EQ(events[1].type, 1u);
  EXPECT_EQ(events[1].error, 8u);  // EBADF
}

// The caps on what one call makes the host allocate (wasi.h): a guest with a large memory may not
// make the host allocate in proportion to it. 8 pages: room for more subscriptions and iovecs
// than the caps allow. The guest's stdout and stdin are pipes the test controls.
class WasiLimitsTest : public WasiGlueTest {
 protected:
  uint32_t MemoryPages() const override { return 8; }
  void SetUp() override {
    WasiGlueTest::SetUp();
    ASSERT_EQ(pipe2(out_pipe_, O_NONBLOCK), 0);
    ASSERT_EQ(pipe2(in_pipe_, O_NONBLOCK), 0);
    WasiConfig config;
    config.args = {"prog"};
    config.stdio.stdin_fd = in_pipe_[0];
    config.stdio.stdout_fd = out_pipe_[1];
    auto state = WasiState::Create(config);
    ASSERT_TRUE(state.ok()) << state.error().message;
    inst_->SetHostState(wasm::kWasiStateSlot, std::move(state).value());
  }
  void TearDown() override {
    inst_.reset();  // the fd table borrows the pipes: drop it before closing them
    for (int fd : {out_pipe_[0], out_pipe_[1], in_pipe_[0], in_pipe_[1]}) {
      if (fd >= 0) close(fd);
    }
  }
  uint32_t Call4(const char* name, uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
    Result<uint32_t> r = inst_->Call<uint32_t>(name, a, b, c, d);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : 0xdead;
  }
  // `n` iovecs from address `at`, each one byte of the buffer at 300000 + i.
  void OneByteIovecs(uint32_t at, uint32_t n) {
    for (uint32_t i = 0; i < n; ++i) {
      inst_->Store<uint32_t>(at + i * 8, 300000 + i);
      inst_->Store<uint32_t>(at + i * 8 + 4, 1);
    }
  }
  // What the guest wrote to its stdout.
  std::string Written() {
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = read(out_pipe_[0], buf, sizeof buf)) > 0;) {
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  int out_pipe_[2] = {-1, -1};
  int in_pipe_[2] = {-1, -1};
};

TEST_F(WasiLimitsTest, PollOneoffTakesAtMostTheCapOfSubscriptions) {
  static_assert(kMaxPollSubscriptions == 4096);
  // Subscriptions from 0 (48 bytes each), events from 200000 (32 bytes each), count at 400000:
  // every subscription a relative realtime clock of 0 ns, due at once.
  constexpr uint32_t kEvents = 200000;
  constexpr uint32_t kCount = 400000;
  const uint32_t n = kMaxPollSubscriptions + 1;
  static_assert((kMaxPollSubscriptions + 1) * 48 <= kEvents);
  static_assert(kEvents + (kMaxPollSubscriptions + 1) * 32 <= kCount);
  for (uint32_t i = 0; i < n; ++i) {
    inst_->Store<uint64_t>(i * 48, 1000 + i);  // userdata
    inst_->Store<uint8_t>(i * 48 + 8, 0);      // clock
    inst_->Store<uint32_t>(i * 48 + 16, 0);    // realtime
    inst_->Store<uint64_t>(i * 48 + 24, 0);    // timeout
  }
  inst_->Store<uint32_t>(kCount, 0xabcdabcd);
  // One more than the cap: refused before anything is read, allocated or written.
  EXPECT_EQ(Call4("poll_oneoff", 0, kEvents, n, kCount), kEinval);
  EXPECT_EQ(Load32(kCount), 0xabcdabcdu);
  uint64_t userdata = 0;
  ASSERT_TRUE(inst_->Load(kEvents, &userdata));
  EXPECT_EQ(userdata, 0u);
  // The same with a count whose buffers would not even fit the memory: EINVAL, not EFAULT.
  EXPECT_EQ(Call4("poll_oneoff", 0, kEvents, 0xffffffffu, kCount), kEinval);
  // Exactly the cap: every clock is due, every one reported in order.
  EXPECT_EQ(Call4("poll_oneoff", 0, kEvents, n - 1, kCount), 0u);
  EXPECT_EQ(Load32(kCount), n - 1);
  ASSERT_TRUE(inst_->Load(kEvents + (n - 2) * 32, &userdata));
  EXPECT_EQ(userdata, 1000u + n - 2);
  ASSERT_TRUE(inst_->Load(kEvents + (n - 1) * 32, &userdata));
  EXPECT_EQ(userdata, 0u);  // nothing past the last event
}

TEST_F(WasiLimitsTest, FdWriteAndFdReadTakeAtMostTheCapOfIovecs) {
  static_assert(kMaxIovs == 1024);
  const uint32_t n = kMaxIovs + 1;
  OneByteIovecs(0, n);
  std::memset(inst_->Span(300000, n), 'x', n);
  inst_->Store<uint32_t>(100000, 0xabcdabcd);
  EXPECT_EQ(Call4("fd_write", 1, 0, n, 100000), kEinval);
  EXPECT_EQ(Load32(100000), 0xabcdabcdu);
  EXPECT_EQ(Written(), "");
  EXPECT_EQ(Call4("fd_write", 1, 0, n - 1, 100000), 0u);
  EXPECT_EQ(Load32(100000), n - 1);
  EXPECT_EQ(Written(), std::string(n - 1, 'x'));

  ASSERT_EQ(write(in_pipe_[1], std::string(n, 'y').data(), n), static_cast<ssize_t>(n));
  std::memset(inst_->Span(300000, n), 0, n);
  EXPECT_EQ(Call4("fd_read", 0, 0, n, 100000), kEinval);
  EXPECT_EQ(Load32(100000), n - 1);  // untouched since the write
  EXPECT_EQ(inst_->Span(300000, 1)[0], 0);
  EXPECT_EQ(Call4("fd_read", 0, 0, n - 1, 100000), 0u);
  EXPECT_EQ(Load32(100000), n - 1);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(inst_->Span(300000, n)), n),
            std::string(n - 1, 'y') + '\0');
}

TEST_F(WasiGlueTest, ProcExitEndsTheCallAndSocketsAreNosys) {
  EXPECT_EQ(*inst_->Call<uint32_t>("sock_accept"), 52u);  // ENOSYS
  Status s = inst_->Call<void>("proc_exit", 3u);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "The guest exited with code 3 during the call to 'proc_exit'.");
  EXPECT_FALSE(inst_->trapped());
}

}  // namespace
}  // namespace wasmgpu::wasi
