// Hostile guests (tests/host/guests/hostile/main.c): each case must end with a clear trap or
// error naming the call and the argument, and the same process must then run a healthy guest.
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>

#include "guest_runner.h"

namespace wasmgpu::host::testing {
namespace {

class Hostile : public ::testing::Test {
 protected:
  GuestRun Run(const std::string& c, std::vector<std::string> extra = {},
               RunOptions options = {}) {
    std::vector<std::string> args = {c};
    for (auto& e : extra) args.push_back(e);
    return runner_.Run(TestGuestPath("hostile"), args, options);
  }
  // The next guest runs normally in the same process.
  void ExpectHealthyNext() {
    GuestRun r = runner_.Run(ExamplePath("vecadd"), {"1000"});
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, "vecadd: n=1000 path=zero-copy checksum=1498500 wrong=0\n");
  }
  // A host trap whose message matches `pattern` (a regex, whole message).
  void ExpectTrap(const GuestRun& r, const std::string& pattern) {
    EXPECT_FALSE(r.ok) << r.out;
    EXPECT_EQ(r.trap, wasm::TrapKind::kHost) << r.error;
    EXPECT_TRUE(std::regex_match(r.error, std::regex(pattern))) << r.error;
    ExpectHealthyNext();
  }
  GuestRunner runner_;
};

constexpr char kMem[] = R"(\d+ bytes\)\.)";  // "... linear memory (N bytes)."

TEST_F(Hostile, StructPointerOutOfBounds) {
  ExpectTrap(Run("struct-oob"),
             std::string(R"(wgpuDeviceCreateBuffer: descriptor \(ptr 0xfffffff0, 40 bytes\) is )"
                         R"(outside linear memory \()") + kMem);
}

TEST_F(Hostile, ArrayCountTooLargeToAllocate) {
  // 0x40000000 entries of 32 bytes (32 GiB, 0 in 32-bit arithmetic): refused before any
  // allocation.
  ExpectTrap(Run("length-wraps"),
             R"(wgpuDeviceCreateBindGroup: descriptor.entries has 1073741824 elements, more than )"
             R"(the host accepts \(65536\)\.)");
}

// 0x1000 + 0xfffff000 is exactly 2^32: 0 in 32-bit arithmetic, so a u32 bounds check would pass.
TEST_F(Hostile, LengthThatWrapsU32) {
  ExpectTrap(Run("write-wraps"),
             std::string(R"(wgpuQueueWriteBuffer: data \(ptr 0x1000, 4294963200 bytes\) is )"
                         R"(outside linear memory \()") + kMem);
}

TEST_F(Hostile, StringViewPastTheEnd) {
  ExpectTrap(Run("string-past-end"),
             std::string(R"(wgpuBufferSetLabel: label \(ptr 0x[0-9a-f]+ffc, 100 bytes\) is )"
                         R"(outside linear memory \()") + kMem);
}

TEST_F(Hostile, StringWithoutNulBeforeTheEnd) {
  ExpectTrap(Run("string-no-nul"),
             std::string(R"(wgpuBufferSetLabel: label \(ptr 0x[0-9a-f]+ff0\) has no terminating )"
                         R"(NUL before the end of linear memory \()") + kMem);
}

TEST_F(Hostile, ForgedHandle) {
  ExpectTrap(Run("forged-handle"),
             R"(wgpuBufferGetSize: buffer \(handle 0x12345678\) is not a handle of this )"
             R"(instance \(forged, or from another instance\)\.)");
}

TEST_F(Hostile, HandleOfAnotherKind) {
  ExpectTrap(Run("wrong-kind"),
             R"(wgpuBufferGetSize: buffer \(handle 0x[0-9a-f]+\) is a WGPUDevice, not a )"
             R"(WGPUBuffer\.)");
}

TEST_F(Hostile, StaleHandle) {
  ExpectTrap(Run("stale-handle"),
             R"(wgpuBufferGetSize: buffer \(handle 0x[0-9a-f]+\) was released \(a stale )"
             R"(WGPUBuffer handle\)\.)");
}

TEST_F(Hostile, ReleasedTooOften) {
  ExpectTrap(Run("double-release"),
             R"(wgpuBufferRelease: buffer \(handle 0x[0-9a-f]+\) was released \(a stale )"
             R"(WGPUBuffer handle\)\.)");
}

TEST_F(Hostile, ForgedHandleInADescriptorIsAValidationError) {
  GuestRun r = Run("forged-in-descriptor");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.out,
            "uncaptured error 2: wgpuDeviceCreateBindGroup: descriptor.entries[0].buffer "
            "(handle 0xbadf00d) is not a handle of this instance (forged, or from another "
            "instance).\nbind group null\nreturned normally\n");
  ExpectHealthyNext();
}

// Host-found errors with an error path reach the device's error scopes, like native ones
// (wasmgpuDeviceInjectError): "status 1" is WGPUPopErrorScopeStatus_Success, "type 2"
// WGPUErrorType_Validation, "type 1" WGPUErrorType_NoError.
TEST_F(Hostile, ForgedHandleErrorIsCapturedByAScope) {
  GuestRun r = Run("scope-forged");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.out,
            "scope validation: status 1, type 2: wgpuDeviceCreateBindGroup: "
            "descriptor.entries[0].buffer (handle 0xbadf00d) is not a handle of this instance "
            "(forged, or from another instance).\nbind group null, uncaptured 0\n");
  ExpectHealthyNext();
}

TEST_F(Hostile, ReleasedHandleErrorIsCapturedByAScope) {
  GuestRun r = Run("scope-released");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(std::regex_match(
      r.out, std::regex(R"(scope validation: status 1, type 2: wgpuDeviceCreateBindGroup: )"
                        R"(descriptor\.entries\[0\]\.buffer \(handle 0x[0-9a-f]+\) was released )"
                        R"(\(a stale WGPUBuffer handle\)\.\nbind group null, uncaptured 0\n)")))
      << r.out;
  ExpectHealthyNext();
}

TEST_F(Hostile, StaleCommandBufferErrorIsCapturedByAScope) {
  GuestRun r = Run("scope-stale-submit");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(std::regex_match(
      r.out, std::regex(R"(scope validation: status 1, type 2: wgpuQueueSubmit: commands\[0\] )"
                        R"(\(handle 0x[0-9a-f]+\) was released \(a stale WGPUCommandBuffer )"
                        R"(handle\)\.\nreturned normally\n)")))
      << r.out;
  ExpectHealthyNext();
}

TEST_F(Hostile, HostFoundErrorSkipsAScopeOfAnotherFilter) {
  GuestRun r = Run("scope-filter");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.out,
            "scope out-of-memory: status 1, type 1: \n"
            "scope validation: status 1, type 2: wgpuDeviceCreateBindGroup: "
            "descriptor.entries[0].buffer (handle 0xbadf00d) is not a handle of this instance "
            "(forged, or from another instance).\nreturned normally\n");
  ExpectHealthyNext();
}

TEST_F(Hostile, AnotherInstancesHandleErrorIsCapturedByAScope) {
  Result<std::unique_ptr<wasm::Instance>> a =
      runner_.Instantiate(TestGuestPath("hostile"), {"print-handle"});
  ASSERT_TRUE(a.ok()) << a.error().message;
  ::testing::internal::CaptureStdout();
  Result<int> code = (*a)->RunStart();
  std::fflush(stdout);
  std::string out = ::testing::internal::GetCapturedStdout();
  ASSERT_TRUE(code.ok()) << code.error().message;
  std::string handle = out.substr(0, out.find('\n'));
  ASSERT_FALSE(handle.empty());
  GuestRun b = Run("scope-foreign", {handle});
  ASSERT_TRUE(b.ok) << b.error;
  EXPECT_TRUE(std::regex_match(
      b.out, std::regex(R"(scope validation: status 1, type 2: wgpuDeviceCreateBindGroup: )"
                        R"(descriptor\.entries\[0\]\.buffer \(handle 0x[0-9a-f]+\) )"
                        R"((is not a handle of this instance \(forged, or from another )"
                        R"(instance\)|was released \(a stale WGPU\w+ handle\)|)"
                        R"(is a WGPU\w+, not a WGPUBuffer)\.\nbind group null, uncaptured 0\n)")))
      << b.out;
  a->reset();
  ExpectHealthyNext();
}

TEST_F(Hostile, AnotherInstancesHandle) {
  // Instance A stays alive with a buffer while instance B is handed A's handle.
  Result<std::unique_ptr<wasm::Instance>> a =
      runner_.Instantiate(TestGuestPath("hostile"), {"print-handle"});
  ASSERT_TRUE(a.ok()) << a.error().message;
  ::testing::internal::CaptureStdout();
  Result<int> code = (*a)->RunStart();
  std::fflush(stdout);
  std::string out = ::testing::internal::GetCapturedStdout();
  ASSERT_TRUE(code.ok()) << code.error().message;
  std::string handle = out.substr(0, out.find('\n'));
  ASSERT_FALSE(handle.empty());
  GuestRun b = Run("use-handle", {handle});
  EXPECT_FALSE(b.ok);
  EXPECT_TRUE(std::regex_match(
      b.error, std::regex(R"(wgpuBufferGetSize: buffer \(handle 0x[0-9a-f]+\) (is not a handle )"
                          R"(of this instance \(forged, or from another instance\)|was released )"
                          R"(\(a stale WGPU\w+ handle\)|is a WGPU\w+, not a WGPUBuffer)\.)")))
      << b.error;
  a->reset();
  ExpectHealthyNext();
}

TEST_F(Hostile, HostMappedRangePastTheEnd) {
  ExpectTrap(Run("host-mapped-past-end"),
             std::string(R"(wgpuDeviceCreateBuffer: WGPUBufferHostMappedPointer.pointer \(ptr )"
                         R"(0x[0-9a-f]+, 8192 bytes\) is outside linear memory \()") + kMem);
}

TEST_F(Hostile, HostMappedUnaligned) {
  GuestRun r = Run("host-mapped-unaligned");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(std::regex_match(
      r.out, std::regex(R"(uncaptured error 2: wgpuDeviceCreateBuffer: )"
                        R"(WGPUBufferHostMappedPointer.pointer \(0x[0-9a-f]+10\) is not a )"
                        R"(multiple of hostMappedPointerAlignment \(4096\)\.\n)"
                        R"(uncaptured error 2: wgpuDeviceCreateBuffer: Buffer size \(4100\) is )"
                        R"(not a multiple of hostMappedPointerAlignment \(4096\)\.\n)"
                        R"(returned normally\n)")))
      << r.out;
  ExpectHealthyNext();
}

TEST_F(Hostile, HostMappedZeroSized) {
  GuestRun r = Run("host-mapped-zero");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.out,
            "uncaptured error 2: wgpuDeviceCreateBuffer: a host-mapped buffer's size must not "
            "be 0.\nreturned normally\n");
  ExpectHealthyNext();
}

TEST_F(Hostile, HostMappedOverlap) {
  GuestRun r = Run("host-mapped-overlap");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(std::regex_match(
      r.out, std::regex(R"(uncaptured error 2: wgpuDeviceCreateBuffer: the range )"
                        R"(\[0x[0-9a-f]+, 0x[0-9a-f]+\) overlaps the live host-mapped range )"
                        R"(\[0x[0-9a-f]+, 0x[0-9a-f]+\)\.\n)"
                        R"(a ok, b null, d ok\nreturned normally\n)")))
      << r.out;
  ExpectHealthyNext();
}

TEST_F(Hostile, MappingAHostMappedBuffer) {
  GuestRun r = Run("host-mapped-map");
  ASSERT_TRUE(r.ok) << r.error;
  // WGPUMapAsyncStatus_Error (3), with the device's validation error.
  EXPECT_TRUE(std::regex_match(
      r.out, std::regex(R"(uncaptured error 2: .*is host-mapped: its memory is always the )"
                        R"(host's, so it cannot be mapped\.\n - While calling wgpuBufferMapAsync\.\n)"
                        R"(map status 3\nreturned normally\n)")))
      << r.out;
  ExpectHealthyNext();
}

TEST_F(Hostile, MemoryGrowWhileHostMapped) {
  GuestRun r = Run("grow");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(std::regex_match(r.out, std::regex(R"(grew (\d+) -> (\d+) bytes, wrong=0 errors=0\n)")))
      << r.out;
  ExpectHealthyNext();
}

TEST_F(Hostile, ExitWithWorkInFlight) {
  GuestRun r = Run("exit-in-flight");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_EQ(r.out, "submitted\n");
  ExpectHealthyNext();
}

TEST_F(Hostile, TrapWithWorkInFlight) {
  GuestRun r = Run("trap-in-flight");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.trap, wasm::TrapKind::kUnreachable) << r.error;
  EXPECT_EQ(r.out, "submitted\n");
  ExpectHealthyNext();
}

TEST_F(Hostile, ReturnWithWorkInFlightAndObjectsAlive) {
  GuestRun r = Run("return-in-flight");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.exit_code, 0);
  ExpectHealthyNext();
}

TEST_F(Hostile, TimeoutWithWorkInFlight) {
  // --timeout stops the guest while it spins in its own code with GPU work on its memory in
  // flight; the teardown still waits for the GPU before the memory goes.
  GuestRun r = Run("spin-in-flight", {}, {.timeout_s = 1});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.trap, wasm::TrapKind::kTimeout) << r.error;
  EXPECT_EQ(r.out, "submitted\n");
  ExpectHealthyNext();
}

TEST_F(Hostile, ShaderThatNeverEnds) {
  setenv("WASMGPU_GPU_TIMEOUT_MS", "1500", 1);
  GuestRun r = Run("never-ends");
  ASSERT_TRUE(r.ok) << r.error;
  // The device is lost after the GPU timeout; the guest's device-lost callback hears why (it
  // runs inside the guest's own wait), and the guest goes on to return.
  EXPECT_TRUE(std::regex_search(
      r.out, std::regex(R"(device lost \(reason 1\): A submission did not finish within 1500 ms )"
                        R"(\(WASMGPU_GPU_TIMEOUT_MS\); the device is lost\.\n)")))
      << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(returned normally\n$)"))) << r.out;
  // The host is intact and runs the next guest to its end. On lavapipe the abandoned kernel
  // keeps the driver's compute threads busy for the rest of this process, so that guest's own
  // work may time out too (its device is lost, and it says so and exits 1); a new process is
  // unaffected (ctest runs every other test here in a process of its own).
  GuestRun next = runner_.Run(ExamplePath("vecadd"), {"1000"});
  unsetenv("WASMGPU_GPU_TIMEOUT_MS");
  ASSERT_TRUE(next.ok) << next.error;
  if (next.exit_code == 0) {
    EXPECT_EQ(next.out, "vecadd: n=1000 path=zero-copy checksum=1498500 wrong=0\n");
  } else {
    EXPECT_EQ(next.exit_code, 1);
    EXPECT_EQ(next.out, "");
  }
}

TEST_F(Hostile, CallbackOfTheWrongType) {
  ExpectTrap(Run("bad-callback-type"),
             R"(wgpuInstanceProcessEvents: the WGPUBufferMapCallback Function pointer \d+ has )"
             R"(type \(i32\) -> \(\), but the host calls it as \(i32, i32, i32, i32\) -> \(\)\.)");
}

TEST_F(Hostile, CallbackIndexOutOfRange) {
  ExpectTrap(Run("bad-callback-index"),
             R"(wgpuInstanceProcessEvents: the WGPUBufferMapCallback Function pointer )"
             R"(2147483647 is out of range \(the table has \d+ entries\)\.)");
}

}  // namespace
}  // namespace wasmgpu::host::testing
