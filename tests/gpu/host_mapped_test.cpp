// Host-mapped buffers (WGPUBufferHostMappedPointer, DESIGN.md decision 4): size and pointer
// alignment, usage restrictions, map calls rejected, GPU writes visible in host memory after
// onSubmittedWorkDone, CPU writes visible to the GPU, disposeCallback once after destroy and GPU
// idle, and the feature being required.
#include <atomic>
#include <memory>

#include "gpu_test.h"
#include "test_shaders.h"

namespace wasmgpu::gputest {
namespace {

struct DisposeCounter {
  std::atomic<int> calls{0};
  static void Callback(void* userdata) { static_cast<DisposeCounter*>(userdata)->calls++; }
};

class HostMappedTest : public GpuTest {
 protected:
  void SetUp() override {
    GpuTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(has_host_mapped_) << "the adapter lacks WGPUFeatureName_HostMappedPointer";
    align_ = host_alignment_;
  }
  WGPUBuffer CreateHostMapped(void* pointer, uint64_t size, WGPUBufferUsage usage,
                              DisposeCounter* counter, WGPUDevice device = nullptr) {
    WGPUBufferHostMappedPointer host{};
    host.chain.sType = WGPUSType_BufferHostMappedPointer;
    host.pointer = pointer;
    host.disposeCallback = counter != nullptr ? &DisposeCounter::Callback : nullptr;
    host.userdata = counter;
    WGPUBufferDescriptor desc{};
    desc.nextInChain = &host.chain;
    desc.size = size;
    desc.usage = usage;
    return Track(wgpuDeviceCreateBuffer(device != nullptr ? device : device_, &desc));
  }
  // Host memory and dispose counters live as long as the fixture: buffers are released in
  // TearDown, after the test body's locals are gone, and may call back or touch memory then.
  uint8_t* Memory(size_t size) {
    memory_.push_back(std::make_unique<AlignedMemory>(align_, size));
    return memory_.back()->data();
  }
  DisposeCounter& Counter() {
    counters_.push_back(std::make_unique<DisposeCounter>());
    return *counters_.back();
  }
  static constexpr WGPUBufferUsage kUsage =
      WGPUBufferUsage_Storage | WGPUBufferUsage_CopySrc | WGPUBufferUsage_CopyDst;
  uint32_t align_ = 0;
  std::vector<std::unique_ptr<DisposeCounter>> counters_;
  std::vector<std::unique_ptr<AlignedMemory>> memory_;
};

TEST_F(HostMappedTest, AlignmentLimitIsReported) {
  EXPECT_EQ(align_, 4096u) << "lavapipe and NVIDIA both import at page granularity";
  EXPECT_EQ(align_ & (align_ - 1), 0u) << "not a power of two";
  EXPECT_LE(align_, 65536u);
}

TEST_F(HostMappedTest, SizeMustBeAMultipleOfTheAlignment) {
  uint8_t* mem = Memory(4 * align_);
  const std::string a = std::to_string(align_);
  for (uint64_t size : {uint64_t{align_} - 1, uint64_t{align_} + 1, uint64_t{align_} + 4}) {
    SCOPED_TRACE(size);
    DisposeCounter& counter = Counter();
    ExpectValidationError({std::to_string(size), a, "hostMappedPointerAlignment"},
                          [&] { CreateHostMapped(mem, size, kUsage, &counter); });
    ProcessEvents();
    EXPECT_EQ(counter.calls.load(), 1) << "a failed creation calls disposeCallback at once";
  }
}

TEST_F(HostMappedTest, ZeroSizeIsInvalid) {
  uint8_t* mem = Memory(align_);
  DisposeCounter& counter = Counter();
  ExpectValidationError({"0"}, [&] { CreateHostMapped(mem, 0, kUsage, &counter); });
  ProcessEvents();
  EXPECT_EQ(counter.calls.load(), 1);
}

TEST_F(HostMappedTest, PointerMustBeAligned) {
  uint8_t* mem = Memory(3 * align_);
  for (size_t misalign : {size_t{16}, size_t{align_ / 2}, size_t{1}}) {
    SCOPED_TRACE(misalign);
    DisposeCounter& counter = Counter();
    ExpectValidationError({"pointer", std::to_string(align_)}, [&] {
      CreateHostMapped(mem + misalign, align_, kUsage, &counter);
    });
    ProcessEvents();
    EXPECT_EQ(counter.calls.load(), 1);
  }
  ExpectValidationError({"pointer"}, [&] { CreateHostMapped(nullptr, align_, kUsage, nullptr); });
}

TEST_F(HostMappedTest, UsageRestrictions) {
  uint8_t* mem = Memory(align_);
  const struct {
    WGPUBufferUsage usage;
    std::string_view name;
  } bad[] = {
      {WGPUBufferUsage_MapRead | WGPUBufferUsage_CopyDst, "MapRead"},
      {WGPUBufferUsage_MapWrite | WGPUBufferUsage_CopySrc, "MapWrite"},
      {WGPUBufferUsage_Storage | WGPUBufferUsage_Uniform, "Uniform"},
      {WGPUBufferUsage_Storage | WGPUBufferUsage_Indirect, "Indirect"},
      {WGPUBufferUsage_Storage | WGPUBufferUsage_QueryResolve, "QueryResolve"},
  };
  for (const auto& c : bad) {
    SCOPED_TRACE(c.name);
    DisposeCounter& counter = Counter();
    ExpectValidationError({c.name}, [&] { CreateHostMapped(mem, align_, c.usage, &counter); });
    ProcessEvents();
    EXPECT_EQ(counter.calls.load(), 1);
  }
  for (WGPUBufferUsage ok : {WGPUBufferUsage_Storage, WGPUBufferUsage_CopySrc,
                             WGPUBufferUsage_CopyDst, kUsage}) {
    ExpectNoError([&] {
      WGPUBuffer b = CreateHostMapped(mem, align_, ok, nullptr);
      ASSERT_NE(b, nullptr);
      EXPECT_EQ(wgpuBufferGetUsage(b), ok);
      EXPECT_EQ(wgpuBufferGetSize(b), align_);
      wgpuBufferDestroy(b);
    });
    WaitIdle();
  }
}

TEST_F(HostMappedTest, MappedAtCreationIsInvalid) {
  uint8_t* mem = Memory(align_);
  WGPUBufferHostMappedPointer host{};
  host.chain.sType = WGPUSType_BufferHostMappedPointer;
  host.pointer = mem;
  WGPUBufferDescriptor desc{};
  desc.nextInChain = &host.chain;
  desc.size = align_;
  desc.usage = kUsage;
  desc.mappedAtCreation = WGPU_TRUE;
  ExpectValidationError({"mappedAtCreation"},
                        [&] { Track(wgpuDeviceCreateBuffer(device_, &desc)); });
}

TEST_F(HostMappedTest, MapCallsAreRejected) {
  uint8_t* mem = Memory(align_);
  WGPUBuffer b = CreateHostMapped(mem, align_, kUsage, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(wgpuBufferGetMapState(b), WGPUBufferMapState_Unmapped);
  for (WGPUMapMode mode : {WGPUMapMode_Read, WGPUMapMode_Write}) {
    MapResult r;
    WGPUFuture f{};
    ExpectValidationError({"host-mapped"}, [&] { f = MapAsync(b, mode, 0, align_, &r); });
    Wait(f);
    EXPECT_EQ(r.status, WGPUMapAsyncStatus_Error);
  }
  EXPECT_EQ(wgpuBufferGetMappedRange(b, 0, align_), nullptr);
  EXPECT_EQ(wgpuBufferGetConstMappedRange(b, 0, align_), nullptr);
  ProcessEvents();
  TakeErrors();  // getMappedRange reports through its return value
}

// The feature must be enabled on the device.
TEST_F(HostMappedTest, FeatureNotEnabled) {
  WGPUDevice plain = CreateDevice({});
  ASSERT_NE(plain, nullptr);
  EXPECT_FALSE(wgpuDeviceHasFeature(plain, WGPUFeatureName_HostMappedPointer));
  uint8_t* mem = Memory(align_);
  DisposeCounter& counter = Counter();
  ExpectValidationError({"HostMappedPointer"},
                        [&] { CreateHostMapped(mem, align_, kUsage, &counter, plain); });
  ProcessEvents();
  EXPECT_EQ(counter.calls.load(), 1);
}

// y = a*x + b on host-mapped x and y: the CPU writes x in place, the GPU's y is in host memory
// once onSubmittedWorkDone fired. Repeated, so the second round reads fresh CPU writes too.
TEST_F(HostMappedTest, GpuAndCpuSeeEachOthersWrites) {
  const uint32_t n = 3 * align_ / 4;  // 3 pages of floats
  uint8_t* xm = Memory(n * 4);
  uint8_t* ym = Memory(n * 4);
  float* x = reinterpret_cast<float*>(xm);
  float* y = reinterpret_cast<float*>(ym);
  for (uint32_t i = 0; i < n; ++i) y[i] = -1.0f;
  DisposeCounter& xc = Counter();
  DisposeCounter& yc = Counter();
  WGPUBuffer xb = CreateHostMapped(xm, n * 4, kUsage, &xc);
  WGPUBuffer yb = CreateHostMapped(ym, n * 4, kUsage, &yc);
  ASSERT_NE(xb, nullptr);
  ASSERT_NE(yb, nullptr);
  WGPUBindGroupLayout layout =
      CreateLayout({WGPUBufferBindingType_ReadOnlyStorage, WGPUBufferBindingType_Storage});
  WGPUComputePipeline pipeline =
      CreatePipeline(Shader(kSpirv_saxpy), CreatePipelineLayout({layout}, 12));
  WGPUBindGroup group = CreateBindGroup(layout, {{xb}, {yb}});
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round);
    for (uint32_t i = 0; i < n; ++i) x[i] = static_cast<float>(i) + 1000.0f * round;
    struct {
      float a, b;
      uint32_t n;
    } params{2.0f, 1.0f + round, n};
    ExpectNoError([&] { Dispatch(pipeline, group, (n + 63) / 64, 1, 1, &params, sizeof(params)); });
    WaitIdle();
    for (uint32_t i = 0; i < n; ++i) {
      ASSERT_EQ(y[i], 2.0f * x[i] + 1.0f + round) << "i=" << i;
    }
  }
  // The buffer's contents through the standard path equal host memory.
  std::vector<float> copy = ReadAs<float>(yb, 0, n);
  EXPECT_EQ(std::memcmp(copy.data(), y, n * 4), 0);
  // writeBuffer into a host-mapped buffer lands in host memory.
  float v[4] = {1.5f, 2.5f, 3.5f, 4.5f};
  ExpectNoError([&] { wgpuQueueWriteBuffer(queue_, yb, 64, v, sizeof(v)); });
  WaitIdle();
  EXPECT_EQ(std::memcmp(y + 16, v, sizeof(v)), 0);
  EXPECT_EQ(xc.calls.load(), 0);
  EXPECT_EQ(yc.calls.load(), 0);
}

// disposeCallback: not before destroy, not while the GPU still uses the buffer, exactly once.
TEST_F(HostMappedTest, DisposeCallbackAfterDestroyAndIdle) {
  // 64 workgroups of 64 invocations, one result word each.
  const uint32_t groups = 64, words = groups * 64, iterations = 60000;
  const uint64_t size = (words * 4 + align_ - 1) / align_ * align_;
  uint8_t* mem = Memory(size);
  DisposeCounter& counter = Counter();
  WGPUBuffer b = CreateHostMapped(mem, size, kUsage, &counter);
  ASSERT_NE(b, nullptr);
  WGPUBindGroupLayout layout = CreateLayout({WGPUBufferBindingType_Storage});
  WGPUComputePipeline pipeline =
      CreatePipeline(Shader(kSpirv_spin), CreatePipelineLayout({layout}, 4));
  WGPUBindGroup group = CreateBindGroup(layout, {{b}});
  // Long enough (milliseconds on lavapipe) that destroy() comes while the dispatch runs.
  Dispatch(pipeline, group, groups, 1, 1, &iterations, sizeof(iterations));
  bool done = false;
  WGPUQueueWorkDoneCallbackInfo cb{};
  cb.mode = WGPUCallbackMode_AllowProcessEvents;
  cb.callback = [](WGPUQueueWorkDoneStatus, WGPUStringView, void* u1, void*) {
    *static_cast<bool*>(u1) = true;
  };
  cb.userdata1 = &done;
  WGPUFuture work = wgpuQueueOnSubmittedWorkDone(queue_, cb);
  ProcessEvents();
  EXPECT_EQ(counter.calls.load(), 0);
  wgpuBufferDestroy(b);
  ProcessEvents();
  RecordProperty("destroyed_while_in_flight", done ? "no" : "yes");
  if (!done) {
    EXPECT_EQ(counter.calls.load(), 0) << "disposeCallback ran while the GPU used the memory";
  }
  Wait(work);
  ProcessEvents();
  EXPECT_EQ(counter.calls.load(), 1);
  wgpuBufferDestroy(b);
  WaitIdle();
  ProcessEvents();
  EXPECT_EQ(counter.calls.load(), 1) << "disposeCallback must fire exactly once";
  // The GPU finished its write before the memory was handed back.
  uint32_t acc = 1;
  for (uint32_t k = 0; k < iterations; ++k) acc = acc * 1664525u + 1013904223u;
  const uint32_t* out = reinterpret_cast<const uint32_t*>(mem);
  for (uint32_t w = 0; w < words; ++w) ASSERT_EQ(out[w], acc) << "word " << w;
}

// Releasing the last reference without destroy() also disposes, once.
TEST_F(HostMappedTest, DisposeCallbackOnRelease) {
  uint8_t* mem = Memory(2 * align_);
  DisposeCounter& counter = Counter();
  WGPUBufferHostMappedPointer host{};
  host.chain.sType = WGPUSType_BufferHostMappedPointer;
  host.pointer = mem;
  host.disposeCallback = &DisposeCounter::Callback;
  host.userdata = &counter;
  WGPUBufferDescriptor desc{};
  desc.nextInChain = &host.chain;
  desc.size = 2 * align_;
  desc.usage = kUsage;
  WGPUBuffer b = wgpuDeviceCreateBuffer(device_, &desc);  // not tracked: released here
  ASSERT_NE(b, nullptr);
  uint32_t v = 7;
  wgpuQueueWriteBuffer(queue_, b, align_, &v, 4);
  wgpuBufferRelease(b);
  WaitIdle();
  ProcessEvents();
  EXPECT_EQ(counter.calls.load(), 1);
  EXPECT_EQ(*reinterpret_cast<uint32_t*>(mem + align_), 7u);
}

// A destroyed host-mapped buffer used in a submit is a validation error like any other.
TEST_F(HostMappedTest, DestroyedHostMappedBufferInSubmit) {
  uint8_t* mem = Memory(align_);
  WGPUBuffer b = CreateHostMapped(mem, align_, kUsage, nullptr);
  WGPUBuffer dst = CreateBuffer(align_, WGPUBufferUsage_CopyDst);
  wgpuBufferDestroy(b);
  ExpectValidationError({"destroyed"}, [&] {
    Submit([&](WGPUCommandEncoder e) {
      wgpuCommandEncoderCopyBufferToBuffer(e, b, 0, dst, 0, align_);
    });
  });
}

}  // namespace
}  // namespace wasmgpu::gputest
