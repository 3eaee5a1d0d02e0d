// Dispatches (CTS api/operation/compute/basic, api/validation/encoding/cmds/compute_pass):
// direct and indirect dispatch results, workgroup-count limits, indirect buffer rules, pipeline
// state rules, immediate data.
#include <numeric>

#include "gpu_test.h"
#include "test_shaders.h"

namespace wasmgpu::gputest {
namespace {

class ComputeTest : public GpuTest {
 protected:
  void SetUp() override {
    GpuTest::SetUp();
    if (HasFatalFailure()) return;
    layout_ = CreateLayout({WGPUBufferBindingType_Storage});
    pipeline_ = CreatePipeline(Shader(kSpirv_fill_index), CreatePipelineLayout({layout_}));
    ASSERT_NE(pipeline_, nullptr);
  }
  // Fills `out` (count words) after dispatching (x, y, z) of fill_index directly or indirectly.
  std::vector<uint32_t> RunFill(uint32_t count, const std::function<void(WGPUComputePassEncoder)>& dispatch) {
    WGPUBuffer out = CreateBuffer(count * 4, WGPUBufferUsage_Storage | WGPUBufferUsage_CopySrc);
    WGPUBindGroup group = CreateBindGroup(layout_, {{out}});
    Submit([&](WGPUCommandEncoder e) {
      WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(e, nullptr);
      wgpuComputePassEncoderSetPipeline(pass, pipeline_);
      wgpuComputePassEncoderSetBindGroup(pass, 0, group, 0, nullptr);
      dispatch(pass);
      wgpuComputePassEncoderEnd(pass);
      wgpuComputePassEncoderRelease(pass);
    });
    return ReadAs<uint32_t>(out, 0, count);
  }
  static std::vector<uint32_t> Expected(uint32_t count, uint32_t set) {
    std::vector<uint32_t> v(count, 0);
    std::iota(v.begin(), v.begin() + set, 1u);
    return v;
  }
  // Records a pass with the fill pipeline and a valid group set (unless `set_state` is false),
  // then `body`, and expects exactly one validation error (not submitted).
  void ExpectFillPassError(std::initializer_list<std::string_view> needles,
                           const std::function<void(WGPUComputePassEncoder)>& body,
                           bool set_state = true) {
    WGPUBuffer out = CreateBuffer(64, WGPUBufferUsage_Storage);
    WGPUBindGroup group = CreateBindGroup(layout_, {{out}});
    ExpectPassError(needles, [&](WGPUComputePassEncoder pass) {
      if (set_state) {
        wgpuComputePassEncoderSetPipeline(pass, pipeline_);
        wgpuComputePassEncoderSetBindGroup(pass, 0, group, 0, nullptr);
      }
      body(pass);
    });
  }
  WGPUBindGroupLayout layout_ = nullptr;
  WGPUComputePipeline pipeline_ = nullptr;
};

TEST_F(ComputeTest, DispatchSetsExactlyTheInvocations) {
  struct Dims {
    uint32_t x, y, z;
  };
  for (Dims d : {Dims{1, 1, 1}, Dims{7, 1, 1}, Dims{3, 5, 1}, Dims{2, 3, 4}, Dims{300, 1, 2}}) {
    SCOPED_TRACE(::testing::Message() << d.x << "x" << d.y << "x" << d.z);
    const uint32_t n = d.x * d.y * d.z;
    EXPECT_EQ(RunFill(n + 16, [&](WGPUComputePassEncoder p) {
                wgpuComputePassEncoderDispatchWorkgroups(p, d.x, d.y, d.z);
              }),
              Expected(n + 16, n));
  }
}

// A dispatch with a zero dimension is valid and does nothing.
TEST_F(ComputeTest, EmptyDispatch) {
  ExpectNoError([&] {
    EXPECT_EQ(RunFill(16, [&](WGPUComputePassEncoder p) {
                wgpuComputePassEncoderDispatchWorkgroups(p, 0, 5, 5);
                wgpuComputePassEncoderDispatchWorkgroups(p, 5, 0, 1);
              }),
              Expected(16, 0));
  });
}

// The largest allowed count in each dimension runs (on one axis at a time).
TEST_F(ComputeTest, DispatchAtTheLimit) {
  const uint32_t max = limits_.maxComputeWorkgroupsPerDimension;
  ASSERT_GE(max, 65535u);
  EXPECT_EQ(RunFill(max + 4, [&](WGPUComputePassEncoder p) {
              wgpuComputePassEncoderDispatchWorkgroups(p, 1, max, 1);
            }),
            Expected(max + 4, max));
}

TEST_F(ComputeTest, DispatchOverTheLimit) {
  const uint32_t max = limits_.maxComputeWorkgroupsPerDimension;
  const std::string over = std::to_string(max + 1), limit = std::to_string(max);
  ExpectFillPassError({over, limit}, [&](WGPUComputePassEncoder p) {
    wgpuComputePassEncoderDispatchWorkgroups(p, max + 1, 1, 1);
  });
  ExpectFillPassError({over, limit}, [&](WGPUComputePassEncoder p) {
    wgpuComputePassEncoderDispatchWorkgroups(p, 1, max + 1, 1);
  });
  ExpectFillPassError({"4294967295", limit}, [&](WGPUComputePassEncoder p) {
    wgpuComputePassEncoderDispatchWorkgroups(p, 1, 1, UINT32_MAX);
  });
}

TEST_F(ComputeTest, DispatchWithoutPipeline) {
  ExpectFillPassError({"pipeline"}, [&](WGPUComputePassEncoder p) {
    wgpuComputePassEncoderDispatchWorkgroups(p, 1, 1, 1);
  }, /*set_state=*/false);
}

TEST_F(ComputeTest, DispatchWithoutBindGroup) {
  ExpectFillPassError({"0"}, [&](WGPUComputePassEncoder p) {
    wgpuComputePassEncoderSetPipeline(p, pipeline_);
    wgpuComputePassEncoderDispatchWorkgroups(p, 1, 1, 1);
  }, /*set_state=*/false);
}

TEST_F(ComputeTest, IndirectDispatchResults) {
  const uint32_t args[] = {99, 99, 99, 4, 3, 2, 0, 0, 0};
  WGPUBuffer indirect = CreateBufferWith(args, sizeof(args), WGPUBufferUsage_Indirect);
  ExpectNoError([&] {
    EXPECT_EQ(RunFill(40, [&](WGPUComputePassEncoder p) {
                wgpuComputePassEncoderDispatchWorkgroupsIndirect(p, indirect, 12);
              }),
              Expected(40, 24));
    // The all-zero triple dispatches nothing.
    EXPECT_EQ(RunFill(8, [&](WGPUComputePassEncoder p) {
                wgpuComputePassEncoderDispatchWorkgroupsIndirect(p, indirect, 24);
              }),
              Expected(8, 0));
  });
}

// Indirect arguments over maxComputeWorkgroupsPerDimension make the dispatch a no-op (the GPU
// reads them, so there is no validation error), and the device keeps working.
TEST_F(ComputeTest, IndirectDispatchOverTheLimitIsNoop) {
  const uint32_t max = limits_.maxComputeWorkgroupsPerDimension;
  for (int axis = 0; axis < 3; ++axis) {
    SCOPED_TRACE(axis);
    uint32_t args[3] = {1, 1, 1};
    args[axis] = max + 1;
    WGPUBuffer indirect = CreateBufferWith(args, sizeof(args), WGPUBufferUsage_Indirect);
    ExpectNoError([&] {
      EXPECT_EQ(RunFill(16, [&](WGPUComputePassEncoder p) {
                  wgpuComputePassEncoderDispatchWorkgroupsIndirect(p, indirect, 0);
                }),
                Expected(16, 0));
    });
  }
  const uint32_t ok[3] = {2, 1, 1};
  WGPUBuffer indirect = CreateBufferWith(ok, sizeof(ok), WGPUBufferUsage_Indirect);
  EXPECT_EQ(RunFill(4, [&](WGPUComputePassEncoder p) {
              wgpuComputePassEncoderDispatchWorkgroupsIndirect(p, indirect, 0);
            }),
            Expected(4, 2));
}

TEST_F(ComputeTest, IndirectBufferRules) {
  WGPUBuffer indirect = CreateBuffer(32, WGPUBufferUsage_Indirect);
  WGPUBuffer storage = CreateBuffer(32, WGPUBufferUsage_Storage);
  ExpectFillPassError({"Indirect"}, [&](WGPUComputePassEncoder p) {
    wgpuComputePassEncoderDispatchWorkgroupsIndirect(p, storage, 0);
  });
  ExpectFillPassError({"offset", "2", "4"}, [&](WGPUComputePassEncoder p) {
    wgpuComputePassEncoderDispatchWorkgroupsIndirect(p, indirect, 2);
  });
  // 24 + 12 > 32.
  ExpectFillPassError({"24", "32"}, [&](WGPUComputePassEncoder p) {
    wgpuComputePassEncoderDispatchWorkgroupsIndirect(p, indirect, 24);
  });
  ExpectFillPassError({"32"}, [&](WGPUComputePassEncoder p) {
    wgpuComputePassEncoderDispatchWorkgroupsIndirect(p, indirect, UINT64_MAX - 3);
  });
  // The last valid offset.
  ExpectNoError([&] {
    RunFill(4, [&](WGPUComputePassEncoder p) {
      wgpuComputePassEncoderDispatchWorkgroupsIndirect(p, indirect, 20);
    });
  });
}

// Commands on the encoder while a pass is open are errors; so is finishing with an open pass.
TEST_F(ComputeTest, EncoderLockedWhilePassOpen) {
  WGPUBuffer b = CreateBuffer(16, WGPUBufferUsage_CopyDst);
  ExpectValidationError({"pass"}, [&] {
    WGPUCommandEncoder e = wgpuDeviceCreateCommandEncoder(device_, nullptr);
    WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(e, nullptr);
    wgpuCommandEncoderClearBuffer(e, b, 0, 16);
    wgpuComputePassEncoderEnd(pass);
    wgpuComputePassEncoderRelease(pass);
    WGPUCommandBuffer cb = wgpuCommandEncoderFinish(e, nullptr);
    if (cb != nullptr) wgpuCommandBufferRelease(cb);
    wgpuCommandEncoderRelease(e);
  });
  ExpectValidationError({"pass"}, [&] {
    WGPUCommandEncoder e = wgpuDeviceCreateCommandEncoder(device_, nullptr);
    WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(e, nullptr);
    WGPUCommandBuffer cb = wgpuCommandEncoderFinish(e, nullptr);
    if (cb != nullptr) wgpuCommandBufferRelease(cb);
    wgpuComputePassEncoderRelease(pass);
    wgpuCommandEncoderRelease(e);
  });
}

// y = a*x + b with a, b, n as immediate data; every element checked.
TEST_F(ComputeTest, ImmediateData) {
  const uint32_t n = 1000;
  std::vector<float> x(n);
  for (uint32_t i = 0; i < n; ++i) x[i] = static_cast<float>(i) * 0.5f - 7.0f;
  WGPUBuffer xb = CreateBufferWith(x, WGPUBufferUsage_Storage);
  WGPUBuffer yb = CreateBuffer(n * 4 + 64, WGPUBufferUsage_Storage | WGPUBufferUsage_CopySrc);
  WGPUBindGroupLayout layout =
      CreateLayout({WGPUBufferBindingType_ReadOnlyStorage, WGPUBufferBindingType_Storage});
  WGPUComputePipeline pipeline =
      CreatePipeline(Shader(kSpirv_saxpy), CreatePipelineLayout({layout}, 12));
  ASSERT_NE(pipeline, nullptr);
  WGPUBindGroup group = CreateBindGroup(layout, {{xb}, {yb}});
  struct {
    float a, b;
    uint32_t n;
  } params{3.0f, 0.25f, n};
  ExpectNoError([&] { Dispatch(pipeline, group, (n + 63) / 64, 1, 1, &params, sizeof(params)); });
  std::vector<float> y = ReadAs<float>(yb, 0, n + 16);
  for (uint32_t i = 0; i < n; ++i) ASSERT_EQ(y[i], 3.0f * x[i] + 0.25f) << "i=" << i;
  for (uint32_t i = n; i < n + 16; ++i) ASSERT_EQ(y[i], 0.0f) << "i=" << i;
}

TEST_F(ComputeTest, ImmediateDataRules) {
  WGPUBindGroupLayout layout =
      CreateLayout({WGPUBufferBindingType_ReadOnlyStorage, WGPUBufferBindingType_Storage});
  WGPUComputePipeline pipeline =
      CreatePipeline(Shader(kSpirv_saxpy), CreatePipelineLayout({layout}, 12));
  uint32_t data[64] = {};
  auto with_pipeline = [&](const std::function<void(WGPUComputePassEncoder)>& f) {
    return [&, f](WGPUComputePassEncoder p) {
      wgpuComputePassEncoderSetPipeline(p, pipeline);
      f(p);
    };
  };
  // Standard setImmediates semantics: the range is checked against maxImmediateSize (values
  // persist across pipeline changes, so not against the current layout).
  const uint32_t max = limits_.maxImmediateSize;
  ASSERT_LE(max + 4, sizeof(data));
  SCOPED_TRACE("range past maxImmediateSize");
  ExpectFillPassError({std::to_string(max + 4), std::to_string(max)},
                      with_pipeline([&](WGPUComputePassEncoder p) {
    wgpuComputePassEncoderSetImmediateData(p, 0, data, max + 4);
  }), false);
  ExpectFillPassError({std::to_string(max + 8), std::to_string(max)},
                      with_pipeline([&](WGPUComputePassEncoder p) {
    wgpuComputePassEncoderSetImmediateData(p, 8, data, max);
  }), false);
  SCOPED_TRACE("offset 2");
  ExpectFillPassError({"offset", "2"}, with_pipeline([&](WGPUComputePassEncoder p) {
    wgpuComputePassEncoderSetImmediateData(p, 2, data, 4);
  }), false);
  SCOPED_TRACE("size 6");
  ExpectFillPassError({"size", "6"}, with_pipeline([&](WGPUComputePassEncoder p) {
    wgpuComputePassEncoderSetImmediateData(p, 0, data, 6);
  }), false);
  // A layout asking for more than maxImmediateSize.
  SCOPED_TRACE("layout immediateSize over maxImmediateSize");
  const uint32_t too_big = max + 4;
  ExpectValidationError({std::to_string(too_big), std::to_string(max)},
                        [&] { CreatePipelineLayout({layout}, too_big); });
}

// A compute pass whose dispatch is followed by a copy of its output sees the results (the
// implementation inserts the barrier).
TEST_F(ComputeTest, DispatchThenCopyInOneCommandBuffer) {
  WGPUBuffer out = CreateBuffer(64, WGPUBufferUsage_Storage | WGPUBufferUsage_CopySrc);
  WGPUBuffer copy = CreateBuffer(64, WGPUBufferUsage_CopyDst | WGPUBufferUsage_CopySrc);
  WGPUBindGroup group = CreateBindGroup(layout_, {{out}});
  Submit([&](WGPUCommandEncoder e) {
    WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(e, nullptr);
    wgpuComputePassEncoderSetPipeline(pass, pipeline_);
    wgpuComputePassEncoderSetBindGroup(pass, 0, group, 0, nullptr);
    wgpuComputePassEncoderDispatchWorkgroups(pass, 16, 1, 1);
    wgpuComputePassEncoderEnd(pass);
    wgpuComputePassEncoderRelease(pass);
    wgpuCommandEncoderCopyBufferToBuffer(e, out, 0, copy, 0, 64);
  });
  EXPECT_EQ(ReadAs<uint32_t>(copy, 0, 16), Expected(16, 16));
}

}  // namespace
}  // namespace wasmgpu::gputest
