// Waits that poll their fence before blocking (Device::wait_spin_: 3 ms on GPUs, 0 on CPU
// adapters, WASMGPU_WAIT_SPIN_US overrides). Lavapipe does not poll by default, so this suite
// turns polling on and checks that waits still return the finished work's results, whether the
// work ends within the polling time or after it.
#include <cstdlib>
#include <numeric>

#include "gpu_test.h"
#include "test_shaders.h"

namespace wasmgpu::gputest {
namespace {

class WaitSpinTest : public GpuTest {
 protected:
  void SetUp() override {
    setenv("WASMGPU_WAIT_SPIN_US", spin_us(), 1);
    GpuTest::SetUp();
    unsetenv("WASMGPU_WAIT_SPIN_US");
  }
  virtual const char* spin_us() const { return "20000"; }

  // Fills `count` (<= 65535) words with fill_index (one workgroup per word), `rounds` dispatches
  // in one submit, and reads them back.
  void FillAndCheck(uint32_t count, int rounds) {
    WGPUBindGroupLayout layout = CreateLayout({WGPUBufferBindingType_Storage});
    WGPUComputePipeline pipeline =
        CreatePipeline(Shader(kSpirv_fill_index), CreatePipelineLayout({layout}));
    ASSERT_NE(pipeline, nullptr);
    WGPUBuffer out =
        CreateBuffer(uint64_t{count} * 4, WGPUBufferUsage_Storage | WGPUBufferUsage_CopySrc);
    WGPUBindGroup group = CreateBindGroup(layout, {{out}});
    ExpectNoError([&] {
      Submit([&](WGPUCommandEncoder e) {
        WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(e, nullptr);
        wgpuComputePassEncoderSetPipeline(pass, pipeline);
        wgpuComputePassEncoderSetBindGroup(pass, 0, group, 0, nullptr);
        for (int r = 0; r < rounds; ++r) wgpuComputePassEncoderDispatchWorkgroups(pass, count, 1, 1);
        wgpuComputePassEncoderEnd(pass);
        wgpuComputePassEncoderRelease(pass);
      });
    });
    std::vector<uint32_t> want(count);
    std::iota(want.begin(), want.end(), 1u);
    EXPECT_EQ(ReadAs<uint32_t>(out, 0, count), want);
  }
};

// Work that ends within the 20 ms of polling.
TEST_F(WaitSpinTest, ShortWorkIsWaitedForByPolling) { FillAndCheck(4096, 1); }

// Polling for 1 us, then a blocking wait: work that outlasts the poll.
class WaitSpinShortTest : public WaitSpinTest {
  const char* spin_us() const override { return "1"; }
};
TEST_F(WaitSpinShortTest, LongerWorkIsWaitedForAfterThePoll) { FillAndCheck(65535, 50); }

}  // namespace
}  // namespace wasmgpu::gputest
