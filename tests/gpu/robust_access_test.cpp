// Robust buffer access (CTS shader/execution/robust_access): a GLSL kernel indexes a bound
// sub-range of a pattern-filled buffer at {0, len-1, -1, len, +-1e6, +-INT_MAX}. Reads outside
// the binding return zero or a value from inside the binding (WebGPU's rule; with
// robustBufferAccess2 it is zero), writes outside it are dropped, and every byte of the buffer
// outside the binding keeps its pattern.
#include <climits>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include "gpu_test.h"
#include "test_shaders.h"

namespace wasmgpu::gputest {
namespace {

constexpr uint32_t kWords = 1024;  // the whole buffer

uint32_t Pattern(uint32_t word) { return 0xA5000000u | word; }

constexpr uint32_t kAtEnd = UINT32_MAX;  // a binding that ends where the buffer ends

struct Range {
  uint32_t first_word;  // binding offset / 4
  uint32_t len;         // binding size / 4
};

// How the kernel reaches the device: SPIR-V compiled by glslc at build time, or the same GLSL
// compiled by the implementation (shaderc) at run time.
enum class Source { kSpirv, kRuntimeGlsl };

class RobustAccessTest : public GpuTest,
                         public ::testing::WithParamInterface<std::tuple<Range, Source>> {
 protected:
  void SetUp() override {
    GpuTest::SetUp();
    if (HasFatalFailure()) return;
    const uint32_t align = limits_.minStorageBufferOffsetAlignment;
    range_ = std::get<0>(GetParam());
    range_.first_word = range_.first_word == kAtEnd ? kWords - range_.len
                                                    : range_.first_word * align / 4;
    ASSERT_LE(range_.first_word + range_.len, kWords);
    std::vector<uint32_t> pattern(kWords);
    for (uint32_t i = 0; i < kWords; ++i) pattern[i] = Pattern(i);
    data_ = CreateBufferWith(pattern, WGPUBufferUsage_Storage);
    const int32_t len = static_cast<int32_t>(range_.len);
    indices_ = {0, len - 1, -1, len, 1000000, -1000000, INT_MAX, -INT_MAX, INT_MIN, len + 1};
    indices_buffer_ = CreateBufferWith(indices_, WGPUBufferUsage_Storage);
  }
  template <size_t N>
  WGPUShaderModule Kernel(const uint32_t (&spirv)[N], const char* glsl_file) {
    if (std::get<1>(GetParam()) == Source::kSpirv) return Shader(spirv);
    std::ifstream in(std::string(WASMGPU_GPU_TEST_SHADER_DIR) + "/" + glsl_file);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_FALSE(text.str().empty()) << "cannot read " << glsl_file;
    return ShaderFromGlsl(text.str());
  }
  bool InBinding(int32_t index) const {
    return index >= 0 && static_cast<uint32_t>(index) < range_.len;
  }
  Range range_{};
  WGPUBuffer data_ = nullptr;
  std::vector<int32_t> indices_;
  WGPUBuffer indices_buffer_ = nullptr;
};

TEST_P(RobustAccessTest, Read) {
  WGPUBindGroupLayout layout =
      CreateLayout({WGPUBufferBindingType_ReadOnlyStorage, WGPUBufferBindingType_ReadOnlyStorage,
                    WGPUBufferBindingType_Storage});
  WGPUComputePipeline pipeline =
      CreatePipeline(Kernel(kSpirv_robust_read, "robust_read.comp"), CreatePipelineLayout({layout}));
  ASSERT_NE(pipeline, nullptr);
  const uint32_t n = static_cast<uint32_t>(indices_.size());
  WGPUBuffer results = CreateBufferWith(std::vector<uint32_t>(n, 0x5EEDu), WGPUBufferUsage_Storage);
  WGPUBindGroup group = CreateBindGroup(
      layout, {{indices_buffer_}, {data_, range_.first_word * 4ull, range_.len * 4ull}, {results}});
  ExpectNoError([&] { Dispatch(pipeline, group, 1); });
  std::set<uint32_t> inside;
  for (uint32_t i = 0; i < range_.len; ++i) inside.insert(Pattern(range_.first_word + i));
  std::vector<uint32_t> got = ReadAs<uint32_t>(results, 0, n);
  for (uint32_t i = 0; i < n; ++i) {
    SCOPED_TRACE(::testing::Message() << "index " << indices_[i]);
    if (InBinding(indices_[i])) {
      EXPECT_EQ(got[i], Pattern(range_.first_word + static_cast<uint32_t>(indices_[i])));
    } else {
      EXPECT_TRUE(got[i] == 0 || inside.count(got[i]) == 1)
          << "out-of-bounds read returned 0x" << std::hex << got[i]
          << ", which is neither zero nor a value inside the binding";
    }
  }
  // Reading changed nothing.
  std::vector<uint32_t> after = ReadAs<uint32_t>(data_, 0, kWords);
  for (uint32_t w = 0; w < kWords; ++w) ASSERT_EQ(after[w], Pattern(w)) << "word " << w;
}

TEST_P(RobustAccessTest, Write) {
  WGPUBindGroupLayout layout =
      CreateLayout({WGPUBufferBindingType_ReadOnlyStorage, WGPUBufferBindingType_Storage});
  WGPUComputePipeline pipeline =
      CreatePipeline(Kernel(kSpirv_robust_write, "robust_write.comp"), CreatePipelineLayout({layout}));
  ASSERT_NE(pipeline, nullptr);
  WGPUBindGroup group = CreateBindGroup(
      layout, {{indices_buffer_}, {data_, range_.first_word * 4ull, range_.len * 4ull}});
  ExpectNoError([&] { Dispatch(pipeline, group, 1); });
  std::vector<uint32_t> after = ReadAs<uint32_t>(data_, 0, kWords);
  for (uint32_t w = 0; w < kWords; ++w) {
    SCOPED_TRACE(::testing::Message() << "word " << w);
    const bool in_binding = w >= range_.first_word && w < range_.first_word + range_.len;
    if (!in_binding) {
      ASSERT_EQ(after[w], Pattern(w)) << "a write outside the binding landed";
      continue;
    }
    // Inside the binding: the in-bounds writes landed; an out-of-bounds write may land
    // somewhere inside the binding (WebGPU allows it), so other words hold the pattern or a
    // marker of an out-of-bounds index.
    uint32_t idx = w - range_.first_word;
    bool written_in_bounds = false;
    for (uint32_t i = 0; i < indices_.size(); ++i) {
      if (InBinding(indices_[i]) && static_cast<uint32_t>(indices_[i]) == idx) {
        written_in_bounds = true;
        EXPECT_GE(after[w], 0xC0FFEE00u);
      }
    }
    if (!written_in_bounds && after[w] != Pattern(w)) {
      bool oob_marker = false;
      for (uint32_t i = 0; i < indices_.size(); ++i) {
        oob_marker |= !InBinding(indices_[i]) && after[w] == 0xC0FFEE00u + i;
      }
      EXPECT_TRUE(oob_marker) << "unexpected value 0x" << std::hex << after[w];
    }
  }
}

std::string RangeName(const ::testing::TestParamInfo<std::tuple<Range, Source>>& info) {
  const Range& r = std::get<0>(info.param);
  std::string at = r.first_word == kAtEnd ? "end" : std::to_string(r.first_word);
  return "at" + at + "_len" + std::to_string(r.len);
}

// Bindings at the start, in the middle and at the end of the buffer; odd and one-word lengths.
// first_word is in units of minStorageBufferOffsetAlignment.
INSTANTIATE_TEST_SUITE_P(Spirv, RobustAccessTest,
                         ::testing::Combine(::testing::Values(Range{0, 16}, Range{1, 7},
                                                              Range{1, 1}, Range{3, 33},
                                                              Range{kAtEnd, 64}),
                                            ::testing::Values(Source::kSpirv)),
                         RangeName);
// The run-time GLSL path on two of them (shaderc costs ~0.5 s per test on lavapipe's machine).
INSTANTIATE_TEST_SUITE_P(RuntimeGlsl, RobustAccessTest,
                         ::testing::Combine(::testing::Values(Range{1, 7}, Range{kAtEnd, 64}),
                                            ::testing::Values(Source::kRuntimeGlsl)),
                         RangeName);

}  // namespace
}  // namespace wasmgpu::gputest
