// Bind groups (CTS api/validation/createBindGroup, api/validation/encoding/programmable/
// pipeline_bind_group_compat, dynamic offsets): offset alignment, sizes, usages, groups that do
// not match their layout, layouts that do not match the pipeline, dynamic offsets.
#include <numeric>

#include "gpu_test.h"
#include "test_shaders.h"

namespace wasmgpu::gputest {
namespace {

class BindGroupTest : public GpuTest {
 protected:
  WGPUBindGroup Group(WGPUBindGroupLayout layout, std::vector<WGPUBindGroupEntry> entries) {
    WGPUBindGroupDescriptor desc{};
    desc.layout = layout;
    desc.entryCount = entries.size();
    desc.entries = entries.data();
    return Track(wgpuDeviceCreateBindGroup(device_, &desc));
  }
  static WGPUBindGroupEntry Entry(uint32_t binding, WGPUBuffer b, uint64_t offset = 0,
                                  uint64_t size = WGPU_WHOLE_SIZE) {
    WGPUBindGroupEntry e{};
    e.binding = binding;
    e.buffer = b;
    e.offset = offset;
    e.size = size;
    return e;
  }
  // A copy_u32 pipeline reading binding 0 and writing binding 1.
  WGPUComputePipeline CopyPipeline(WGPUBindGroupLayout layout) {
    return CreatePipeline(Shader(kSpirv_copy_u32), CreatePipelineLayout({layout}));
  }
};

TEST_F(BindGroupTest, StorageOffsetAlignment) {
  const uint32_t align = limits_.minStorageBufferOffsetAlignment;
  ASSERT_GT(align, 4u);
  WGPUBindGroupLayout layout = CreateLayout({WGPUBufferBindingType_Storage});
  WGPUBuffer b = CreateBuffer(4 * align, WGPUBufferUsage_Storage);
  ExpectValidationError({"offset", std::to_string(align / 2), std::to_string(align)},
                        [&] { Group(layout, {Entry(0, b, align / 2, 16)}); });
  ExpectValidationError({"offset", "4", std::to_string(align)},
                        [&] { Group(layout, {Entry(0, b, 4, 16)}); });
  ExpectNoError([&] { Group(layout, {Entry(0, b, align, 16)}); });
}

TEST_F(BindGroupTest, UniformOffsetAlignment) {
  const uint32_t align = limits_.minUniformBufferOffsetAlignment;
  WGPUBindGroupLayout layout = CreateLayout({WGPUBufferBindingType_Uniform});
  WGPUBuffer b = CreateBuffer(4 * align, WGPUBufferUsage_Uniform);
  ExpectValidationError({"offset", std::to_string(align / 2), std::to_string(align)},
                        [&] { Group(layout, {Entry(0, b, align / 2, 16)}); });
  ExpectNoError([&] { Group(layout, {Entry(0, b, 2 * align, 16)}); });
}

TEST_F(BindGroupTest, BindingRange) {
  const uint32_t align = limits_.minStorageBufferOffsetAlignment;
  WGPUBindGroupLayout layout = CreateLayout({WGPUBufferBindingType_Storage});
  WGPUBuffer b = CreateBuffer(1024, WGPUBufferUsage_Storage);
  // offset + size past the end.
  ExpectValidationError({std::to_string(align), "1024"},
                        [&] { Group(layout, {Entry(0, b, align, 1024)}); });
  // offset past the end with WHOLE size.
  ExpectValidationError({"1280", "1024"},
                        [&] { Group(layout, {Entry(0, b, 1280, WGPU_WHOLE_SIZE)}); });
  // offset == size with WHOLE size leaves an empty binding, which is invalid.
  ExpectValidationError({"0"}, [&] { Group(layout, {Entry(0, b, 1024, WGPU_WHOLE_SIZE)}); });
  // An explicit zero size.
  ExpectValidationError({"0"}, [&] { Group(layout, {Entry(0, b, 0, 0)}); });
  // Storage bindings are a multiple of 4 bytes.
  ExpectValidationError({"6", "4"}, [&] { Group(layout, {Entry(0, b, 0, 6)}); });
  // offset + size overflows.
  ExpectValidationError({"1024"}, [&] { Group(layout, {Entry(0, b, align, UINT64_MAX - 8)}); });
  ExpectNoError([&] {
    Group(layout, {Entry(0, b, 1024 - align, align)});
    Group(layout, {Entry(0, b, 0, WGPU_WHOLE_SIZE)});
  });
}

TEST_F(BindGroupTest, BindingSizeOverMaxStorageBufferBindingSize) {
  const uint64_t max = limits_.maxStorageBufferBindingSize;
  if (max + 256 > limits_.maxBufferSize || max > (512ull << 20)) {
    GTEST_SKIP() << "maxStorageBufferBindingSize " << max << " too large to exceed here";
  }
  WGPUBindGroupLayout layout = CreateLayout({WGPUBufferBindingType_Storage});
  WGPUBuffer b = CreateBuffer(max + 256, WGPUBufferUsage_Storage);
  ASSERT_NE(b, nullptr);
  ExpectValidationError({std::to_string(max + 4), std::to_string(max)},
                        [&] { Group(layout, {Entry(0, b, 0, max + 4)}); });
  ExpectNoError([&] { Group(layout, {Entry(0, b, 0, max)}); });
}

TEST_F(BindGroupTest, MinBindingSize) {
  WGPUBindGroupLayout layout =
      CreateLayout({WGPUBufferBindingType_Storage}, /*dynamic=*/false, /*min_binding_size=*/64);
  WGPUBuffer b = CreateBuffer(1024, WGPUBufferUsage_Storage);
  ExpectValidationError({"60", "64"}, [&] { Group(layout, {Entry(0, b, 0, 60)}); });
  ExpectNoError([&] { Group(layout, {Entry(0, b, 0, 64)}); });
}

TEST_F(BindGroupTest, BufferUsageMustMatchBindingType) {
  WGPUBindGroupLayout storage = CreateLayout({WGPUBufferBindingType_Storage});
  WGPUBindGroupLayout read_only = CreateLayout({WGPUBufferBindingType_ReadOnlyStorage});
  WGPUBindGroupLayout uniform = CreateLayout({WGPUBufferBindingType_Uniform});
  WGPUBuffer u = CreateBuffer(256, WGPUBufferUsage_Uniform | WGPUBufferUsage_CopyDst);
  WGPUBuffer s = CreateBuffer(256, WGPUBufferUsage_Storage);
  ExpectValidationError({"Storage"}, [&] { Group(storage, {Entry(0, u)}); });
  ExpectValidationError({"Storage"}, [&] { Group(read_only, {Entry(0, u)}); });
  ExpectValidationError({"Uniform"}, [&] { Group(uniform, {Entry(0, s)}); });
}

// Groups that do not match their layout: wrong count, unknown or duplicate bindings.
TEST_F(BindGroupTest, EntriesMustMatchLayout) {
  WGPUBindGroupLayout two =
      CreateLayout({WGPUBufferBindingType_ReadOnlyStorage, WGPUBufferBindingType_Storage});
  WGPUBuffer b = CreateBuffer(256, WGPUBufferUsage_Storage);
  ExpectValidationError({"1", "2"}, [&] { Group(two, {Entry(0, b)}); });
  ExpectValidationError({"3", "2"}, [&] { Group(two, {Entry(0, b), Entry(1, b), Entry(2, b)}); });
  ExpectValidationError({"5"}, [&] { Group(two, {Entry(0, b), Entry(5, b)}); });
  ExpectValidationError({"0"}, [&] { Group(two, {Entry(0, b), Entry(0, b)}); });
  ExpectValidationError({"buffer"}, [&] { Group(two, {Entry(0, b), Entry(1, nullptr)}); });
  ExpectNoError([&] { Group(two, {Entry(1, b), Entry(0, b)}); });
}

TEST_F(BindGroupTest, DestroyedBufferInBindGroupFailsAtSubmit) {
  WGPUBindGroupLayout layout =
      CreateLayout({WGPUBufferBindingType_ReadOnlyStorage, WGPUBufferBindingType_Storage});
  WGPUComputePipeline pipeline = CopyPipeline(layout);
  WGPUBuffer src = CreateBuffer(256, WGPUBufferUsage_Storage);
  WGPUBuffer dst = CreateBuffer(256, WGPUBufferUsage_Storage);
  WGPUBindGroup group = CreateBindGroup(layout, {{src}, {dst}});
  wgpuBufferDestroy(src);
  ExpectValidationError({"destroyed"}, [&] { Dispatch(pipeline, group, 1); });
}

// A bind group whose layout differs from the pipeline's group layout is rejected at dispatch.
TEST_F(BindGroupTest, GroupLayoutMustMatchPipeline) {
  WGPUBindGroupLayout pipeline_layout =
      CreateLayout({WGPUBufferBindingType_ReadOnlyStorage, WGPUBufferBindingType_Storage});
  WGPUBindGroupLayout other =
      CreateLayout({WGPUBufferBindingType_Storage, WGPUBufferBindingType_Storage});
  WGPUComputePipeline pipeline = CopyPipeline(pipeline_layout);
  WGPUBuffer b0 = CreateBuffer(256, WGPUBufferUsage_Storage);
  WGPUBuffer b1 = CreateBuffer(256, WGPUBufferUsage_Storage);
  WGPUBindGroup group = CreateBindGroup(other, {{b0}, {b1}});
  ExpectPassError({"0"}, [&](WGPUComputePassEncoder pass) {
    wgpuComputePassEncoderSetPipeline(pass, pipeline);
    wgpuComputePassEncoderSetBindGroup(pass, 0, group, 0, nullptr);
    wgpuComputePassEncoderDispatchWorkgroups(pass, 1, 1, 1);
  });
  // An identical layout made separately is compatible (layouts compare by content).
  WGPUBindGroupLayout same =
      CreateLayout({WGPUBufferBindingType_ReadOnlyStorage, WGPUBufferBindingType_Storage});
  WGPUBindGroup ok = CreateBindGroup(same, {{b0}, {b1}});
  ExpectNoError([&] { Dispatch(pipeline, ok, 1); });
}

// A pipeline whose shader uses a binding the layout lacks (or a wrong type) fails to create.
TEST_F(BindGroupTest, PipelineLayoutMustMatchShader) {
  WGPUBindGroupLayout one = CreateLayout({WGPUBufferBindingType_ReadOnlyStorage});
  ExpectValidationError({"1"}, [&] { CopyPipeline(one); });
  WGPUBindGroupLayout uniform =
      CreateLayout({WGPUBufferBindingType_ReadOnlyStorage, WGPUBufferBindingType_Uniform});
  ExpectValidationError({"1"}, [&] { CopyPipeline(uniform); });
}

// The bound sub-range is what the shader sees: binding 0 at an offset reads from there.
TEST_F(BindGroupTest, OffsetBindingReadsAtOffset) {
  const uint32_t align = limits_.minStorageBufferOffsetAlignment;
  std::vector<uint32_t> src_data(3 * align / 4);
  std::iota(src_data.begin(), src_data.end(), 1000u);
  WGPUBuffer src = CreateBufferWith(src_data, WGPUBufferUsage_Storage);
  WGPUBuffer dst = CreateBuffer(64 * 4, WGPUBufferUsage_Storage | WGPUBufferUsage_CopySrc);
  WGPUBindGroupLayout layout =
      CreateLayout({WGPUBufferBindingType_ReadOnlyStorage, WGPUBufferBindingType_Storage});
  WGPUComputePipeline pipeline = CopyPipeline(layout);
  WGPUBindGroup group = CreateBindGroup(layout, {{src, align, 64 * 4}, {dst}});
  ExpectNoError([&] { Dispatch(pipeline, group, 1); });
  std::vector<uint32_t> want(src_data.begin() + align / 4, src_data.begin() + align / 4 + 64);
  EXPECT_EQ(ReadAs<uint32_t>(dst, 0, 64), want);
}

class DynamicOffsetTest : public BindGroupTest {
 protected:
  void SetUp() override {
    BindGroupTest::SetUp();
    if (HasFatalFailure()) return;
    align_ = limits_.minStorageBufferOffsetAlignment;
    layout_ = CreateLayout({WGPUBufferBindingType_ReadOnlyStorage, WGPUBufferBindingType_Storage},
                           /*dynamic=*/true);
    pipeline_ = CopyPipeline(layout_);
    std::vector<uint32_t> data(4 * align_ / 4);
    std::iota(data.begin(), data.end(), 0u);
    src_ = CreateBufferWith(data, WGPUBufferUsage_Storage);
    dst_ = CreateBuffer(4 * align_, WGPUBufferUsage_Storage | WGPUBufferUsage_CopySrc);
    // 64-byte bindings, moved by the dynamic offsets.
    group_ = CreateBindGroup(layout_, {{src_, 0, 64}, {dst_, 0, 64}});
    ASSERT_NE(group_, nullptr);
  }
  void Body(WGPUComputePassEncoder pass, const std::vector<uint32_t>& offsets) {
    wgpuComputePassEncoderSetPipeline(pass, pipeline_);
    wgpuComputePassEncoderSetBindGroup(pass, 0, group_, offsets.size(), offsets.data());
    wgpuComputePassEncoderDispatchWorkgroups(pass, 1, 1, 1);
  }
  void Run(const std::vector<uint32_t>& offsets) {
    Submit([&](WGPUCommandEncoder e) {
      WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(e, nullptr);
      Body(pass, offsets);
      wgpuComputePassEncoderEnd(pass);
      wgpuComputePassEncoderRelease(pass);
    });
  }
  void ExpectOffsetsError(std::initializer_list<std::string_view> needles,
                          const std::vector<uint32_t>& offsets) {
    ExpectPassError(needles, [&](WGPUComputePassEncoder pass) { Body(pass, offsets); });
  }
  uint32_t align_ = 0;
  WGPUBindGroupLayout layout_ = nullptr;
  WGPUComputePipeline pipeline_ = nullptr;
  WGPUBuffer src_ = nullptr, dst_ = nullptr;
  WGPUBindGroup group_ = nullptr;
};

TEST_F(DynamicOffsetTest, OffsetsMoveTheBindings) {
  ExpectNoError([&] { Run({2 * align_, align_}); });
  std::vector<uint32_t> got = ReadAs<uint32_t>(dst_, 0, 2 * align_ / 4);
  for (uint32_t i = 0; i < 2 * align_ / 4; ++i) {
    uint32_t want = (i >= align_ / 4 && i < align_ / 4 + 16) ? 2 * align_ / 4 + (i - align_ / 4) : 0;
    ASSERT_EQ(got[i], want) << "word " << i;
  }
}

TEST_F(DynamicOffsetTest, WrongCount) {
  ExpectOffsetsError({"1", "2"}, {0});
  ExpectOffsetsError({"3", "2"}, {0, 0, 0});
}

TEST_F(DynamicOffsetTest, Unaligned) {
  ExpectOffsetsError({std::to_string(align_ / 2), std::to_string(align_)}, {0, align_ / 2});
}

// offset + binding size past the end of the buffer.
TEST_F(DynamicOffsetTest, OutOfRange) {
  const uint32_t off = 4 * align_;  // + 64 > 4 * align_
  ExpectOffsetsError({std::to_string(off), std::to_string(4 * align_)}, {off, 0});
  ExpectNoError([&] { Run({3 * align_, 3 * align_}); });
}

// A dynamic layout entry needs dynamic offsets; a static one accepts none.
TEST_F(DynamicOffsetTest, StaticLayoutTakesNoOffsets) {
  WGPUBindGroupLayout fixed =
      CreateLayout({WGPUBufferBindingType_ReadOnlyStorage, WGPUBufferBindingType_Storage});
  WGPUComputePipeline pipeline = CopyPipeline(fixed);
  WGPUBindGroup group = CreateBindGroup(fixed, {{src_, 0, 64}, {dst_, 0, 64}});
  uint32_t offsets[1] = {0};
  ExpectPassError({"1", "0"}, [&](WGPUComputePassEncoder pass) {
    wgpuComputePassEncoderSetPipeline(pass, pipeline);
    wgpuComputePassEncoderSetBindGroup(pass, 0, group, 1, offsets);
    wgpuComputePassEncoderDispatchWorkgroups(pass, 1, 1, 1);
  });
}

}  // namespace
}  // namespace wasmgpu::gputest
