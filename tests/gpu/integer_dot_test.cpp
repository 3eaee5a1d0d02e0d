// The wasmgpu feature ShaderIntegerDotProduct: SPIR-V integer dot products (OpSDot, OpSUDot on
// 4x8-bit packed operands) are refused unless the device requires the feature, and compute the
// exact sums when it does. Lavapipe (Mesa 22.3) supports it, as Vulkan 1.3 requires.
#include <cstdint>
#include <random>

#include "gpu_test.h"

namespace wasmgpu::gputest {
namespace {

// r[i] = sdot(a[i], b[i]) (both signed) and r[n + i] = sudot(a[i], b[i]) (a signed, b unsigned).
constexpr char kDotGlsl[] = R"(#version 450
#extension GL_EXT_spirv_intrinsics : require
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer A { uint a[]; };
layout(std430, binding = 1) readonly buffer B { uint b[]; };
layout(std430, binding = 2) buffer R { int r[]; };
spirv_instruction(extensions = ["SPV_KHR_integer_dot_product"], capabilities = [6019, 6018], id = 4450)
int sdot(uint x, uint y, spirv_literal int packed_format);
spirv_instruction(extensions = ["SPV_KHR_integer_dot_product"], capabilities = [6019, 6018], id = 4452)
int sudot(uint x, uint y, spirv_literal int packed_format);
void main() {
  const uint i = gl_GlobalInvocationID.x, n = a.length();
  if (i >= n) return;
  r[i] = sdot(a[i], b[i], 0);
  r[n + i] = sudot(a[i], b[i], 0);
}
)";

int32_t Dot(uint32_t a, uint32_t b, bool b_signed) {
  int32_t sum = 0;
  for (int k = 0; k < 4; ++k) {
    const int32_t x = static_cast<int8_t>(a >> (8 * k));
    const int32_t y = b_signed ? static_cast<int8_t>(b >> (8 * k))
                               : static_cast<int32_t>((b >> (8 * k)) & 0xFF);
    sum += x * y;
  }
  return sum;
}

class IntegerDotTest : public GpuTest {
 protected:
  std::vector<WGPUFeatureName> RequiredFeatures() override {
    std::vector<WGPUFeatureName> f = GpuTest::RequiredFeatures();
    if (wgpuAdapterHasFeature(adapter_, WGPUFeatureName_ShaderIntegerDotProduct)) {
      f.push_back(WGPUFeatureName_ShaderIntegerDotProduct);
    }
    return f;
  }
};

TEST_F(IntegerDotTest, RefusedWithoutTheFeature) {
  WGPUDevice plain = CreateDevice(GpuTest::RequiredFeatures());
  ASSERT_NE(plain, nullptr);
  EXPECT_FALSE(wgpuDeviceHasFeature(plain, WGPUFeatureName_ShaderIntegerDotProduct));
  WGPUShaderSourceGLSL glsl{};
  glsl.chain.sType = WGPUSType_ShaderSourceGLSL;
  glsl.code = WGPUStringView{kDotGlsl, WGPU_STRLEN};
  WGPUShaderModuleDescriptor desc{};
  desc.nextInChain = &glsl.chain;
  WGPUShaderModule module = nullptr;
  const std::string message = ExpectValidationError(
      {"SPIR-V capability", "needs the ShaderIntegerDotProduct feature"},
      [&] { module = wgpuDeviceCreateShaderModule(plain, &desc); });
  EXPECT_FALSE(message.empty());
  if (module != nullptr) wgpuShaderModuleRelease(module);
  wgpuDeviceRelease(plain);
}

TEST_F(IntegerDotTest, PackedDotProductsAreExact) {
  if (!wgpuAdapterHasFeature(adapter_, WGPUFeatureName_ShaderIntegerDotProduct)) {
    // An adapter without it must refuse a device that requires it.
    WGPUDevice d = CreateDevice({WGPUFeatureName_ShaderIntegerDotProduct});
    EXPECT_EQ(d, nullptr);
    return;
  }
  ASSERT_TRUE(wgpuDeviceHasFeature(device_, WGPUFeatureName_ShaderIntegerDotProduct));
  std::mt19937 rng(11);
  std::vector<uint32_t> a(1000), b(1000);
  for (size_t i = 0; i < a.size(); ++i) {
    a[i] = rng();
    b[i] = rng();
  }
  // The extremes: -128 * -128, -128 * 255, 127 * 255 in every byte.
  a[0] = 0x80808080u, b[0] = 0x80808080u;
  a[1] = 0x80808080u, b[1] = 0xFFFFFFFFu;
  a[2] = 0x7F7F7F7Fu, b[2] = 0xFFFFFFFFu;
  const uint32_t n = static_cast<uint32_t>(a.size());
  WGPUBuffer ab = CreateBufferWith(a, WGPUBufferUsage_Storage);
  WGPUBuffer bb = CreateBufferWith(b, WGPUBufferUsage_Storage);
  WGPUBuffer rb = CreateBuffer(2 * n * 4, WGPUBufferUsage_Storage | WGPUBufferUsage_CopySrc);
  WGPUShaderModule module = ShaderFromGlsl(kDotGlsl);
  ASSERT_NE(module, nullptr);
  WGPUBindGroupLayout layout = CreateLayout({WGPUBufferBindingType_ReadOnlyStorage,
                                             WGPUBufferBindingType_ReadOnlyStorage,
                                             WGPUBufferBindingType_Storage});
  WGPUComputePipeline pipeline = CreatePipeline(module, CreatePipelineLayout({layout}));
  ASSERT_NE(pipeline, nullptr);
  ExpectNoError([&] {
    Dispatch(pipeline, CreateBindGroup(layout, {{ab}, {bb}, {rb}}), (n + 63) / 64);
  });
  const std::vector<int32_t> r = ReadAs<int32_t>(rb, 0, 2 * n);
  for (uint32_t i = 0; i < n; ++i) {
    ASSERT_EQ(r[i], Dot(a[i], b[i], true)) << "sdot " << i;
    ASSERT_EQ(r[n + i], Dot(a[i], b[i], false)) << "sudot " << i;
  }
  EXPECT_EQ(r[0], 4 * 128 * 128);
  EXPECT_EQ(r[n + 1], 4 * -128 * 255);
  EXPECT_EQ(r[n + 2], 4 * 127 * 255);
}

}  // namespace
}  // namespace wasmgpu::gputest
