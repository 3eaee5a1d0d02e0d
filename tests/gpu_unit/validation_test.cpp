// Validation: each case checks the error kind and the message (first line; context lines follow).
#include <spirv-tools/libspirv.h>
#include <stdlib.h>

#include <cstdio>
#include <cstring>

#include "gpu/testing.h"
#include "gpu_test_util.h"

namespace wasmgpu::testing {
namespace {

using ValidationTest = GpuTest;

std::string FirstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

std::vector<uint32_t> Assemble(const char* text) {
  spv_context context = spvContextCreate(SPV_ENV_VULKAN_1_2);
  spv_binary binary = nullptr;
  spv_diagnostic diagnostic = nullptr;
  spv_result_t r = spvTextToBinary(context, text, std::strlen(text), &binary, &diagnostic);
  EXPECT_EQ(r, SPV_SUCCESS) << (diagnostic ? diagnostic->error : "");
  std::vector<uint32_t> words;
  if (r == SPV_SUCCESS) words.assign(binary->code, binary->code + binary->wordCount);
  spvBinaryDestroy(binary);
  spvDiagnosticDestroy(diagnostic);
  spvContextDestroy(context);
  return words;
}

TEST_F(ValidationTest, BufferUsageRules) {
  PushScope();
  WGPUBuffer b = MakeBuffer(16, WGPUBufferUsage_MapRead | WGPUBufferUsage_Storage);
  CapturedError e = PopScope();
  EXPECT_EQ(e.type, WGPUErrorType_Validation);
  EXPECT_EQ(FirstLine(e.message),
            "Buffer usage (MapRead|Storage) combines MapRead with usages other than CopyDst.");
  // An invalid buffer is still an object; using it is another validation error.
  PushScope();
  uint32_t word = 0;
  wgpuQueueWriteBuffer(queue_, b, 0, &word, 4);
  e = PopScope();
  EXPECT_EQ(e.type, WGPUErrorType_Validation);
  EXPECT_EQ(FirstLine(e.message), "[Buffer] is invalid.");
  wgpuBufferRelease(b);

  PushScope();
  b = MakeBuffer(5, WGPUBufferUsage_CopyDst, /*mapped=*/true);
  e = PopScope();
  EXPECT_EQ(FirstLine(e.message),
            "Buffer size (5) is not a multiple of 4, which mappedAtCreation requires.");
  // WebGPU still hands out a mapping for it.
  EXPECT_NE(wgpuBufferGetMappedRange(b, 0, 4), nullptr);
  wgpuBufferUnmap(b);
  wgpuBufferRelease(b);
}

TEST_F(ValidationTest, WriteBufferAlignmentAndRange) {
  WGPUBuffer b = MakeBuffer(16, WGPUBufferUsage_CopyDst);
  uint32_t data[8] = {};
  PushScope();
  wgpuQueueWriteBuffer(queue_, b, 2, data, 4);
  CapturedError e = PopScope();
  EXPECT_EQ(e.type, WGPUErrorType_Validation);
  EXPECT_EQ(FirstLine(e.message), "Buffer offset (2) is not a multiple of 4.");
  PushScope();
  wgpuQueueWriteBuffer(queue_, b, 8, data, 16);
  e = PopScope();
  EXPECT_EQ(FirstLine(e.message), "Write range [8, 24) does not fit in [Buffer] of size 16.");
  wgpuBufferDestroy(b);
  PushScope();
  wgpuQueueWriteBuffer(queue_, b, 0, data, 4);
  e = PopScope();
  EXPECT_EQ(FirstLine(e.message), "[Buffer] is destroyed.");
  wgpuBufferRelease(b);
}

TEST_F(ValidationTest, HostMappedPointerRules) {
  void* memory = aligned_alloc(4096, 3 * 4096);
  auto create = [&](void* p, uint64_t size, WGPUBufferUsage usage) {
    WGPUBufferHostMappedPointer hmp{};
    hmp.chain.sType = WGPUSType_BufferHostMappedPointer;
    hmp.pointer = p;
    WGPUBufferDescriptor desc{};
    desc.nextInChain = &hmp.chain;
    desc.size = size;
    desc.usage = usage;
    PushScope();
    wgpuBufferRelease(wgpuDeviceCreateBuffer(device_, &desc));
    return PopScope();
  };
  CapturedError e = create(memory, 4097, WGPUBufferUsage_Storage);
  EXPECT_EQ(e.type, WGPUErrorType_Validation);
  EXPECT_EQ(FirstLine(e.message), "Buffer size (4097) is not a multiple of hostMappedPointerAlignment (4096).");
  e = create(memory, 4095, WGPUBufferUsage_Storage);
  EXPECT_EQ(FirstLine(e.message), "Buffer size (4095) is not a multiple of hostMappedPointerAlignment (4096).");
  e = create(memory, 0, WGPUBufferUsage_Storage);
  EXPECT_EQ(FirstLine(e.message), "Buffer size (0) must be a non-zero multiple of "
                                  "hostMappedPointerAlignment (4096) for a host-mapped buffer.");
  char* unaligned = static_cast<char*>(memory) + 64;
  e = create(unaligned, 4096, WGPUBufferUsage_Storage);
  char expected[160];
  std::snprintf(expected, sizeof(expected),
                "Host-mapped pointer (0x%zx) is not a multiple of hostMappedPointerAlignment (4096).",
                reinterpret_cast<size_t>(unaligned));
  EXPECT_EQ(FirstLine(e.message), expected);
  e = create(memory, 4096, WGPUBufferUsage_Storage | WGPUBufferUsage_Uniform);
  EXPECT_EQ(FirstLine(e.message),
            "Host-mapped buffer usage (Uniform|Storage) may only contain Storage, CopySrc and CopyDst.");
  e = create(memory, 4096, WGPUBufferUsage_Storage | WGPUBufferUsage_CopyDst);
  EXPECT_EQ(e.type, WGPUErrorType_NoError) << e.message;
  free(memory);
}

TEST_F(ValidationTest, DispatchCountOverLimitFailsAtFinish) {
  WGPUShaderModule module = Glsl("#version 450\nlayout(local_size_x = 1) in;\nvoid main() {}\n");
  WGPUComputePipelineDescriptor pdesc{};
  pdesc.compute.module = module;
  WGPUComputePipeline pipeline = wgpuDeviceCreateComputePipeline(device_, &pdesc);
  WGPUCommandEncoder enc = wgpuDeviceCreateCommandEncoder(device_, nullptr);
  WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(enc, nullptr);
  wgpuComputePassEncoderSetPipeline(pass, pipeline);
  wgpuComputePassEncoderDispatchWorkgroups(pass, 65536, 1, 1);
  wgpuComputePassEncoderEnd(pass);
  PushScope();
  WGPUCommandBuffer cb = wgpuCommandEncoderFinish(enc, nullptr);
  CapturedError e = PopScope();
  EXPECT_EQ(e.type, WGPUErrorType_Validation);
  EXPECT_EQ(FirstLine(e.message),
            "Dispatch workgroup count X (65536) exceeds maxComputeWorkgroupsPerDimension (65535).");
  // Submitting the invalid command buffer is an error too, and does not run anything.
  PushScope();
  wgpuQueueSubmit(queue_, 1, &cb);
  e = PopScope();
  EXPECT_EQ(FirstLine(e.message), "[CommandBuffer] (commands[0]) is invalid.");
  wgpuCommandBufferRelease(cb);
  wgpuComputePassEncoderRelease(pass);
  wgpuCommandEncoderRelease(enc);
  wgpuComputePipelineRelease(pipeline);
  wgpuShaderModuleRelease(module);
}

TEST_F(ValidationTest, GlslErrorsCarryTheCompilerMessage) {
  PushScope();
  WGPUShaderModule module = Glsl("#version 450\nlayout(local_size_x = 1) in;\nvoid main() { x = 1; }\n");
  CapturedError e = PopScope();
  EXPECT_EQ(e.type, WGPUErrorType_Validation);
  EXPECT_EQ(FirstLine(e.message), "GLSL compilation failed:");
  EXPECT_NE(e.message.find("shader.comp:3: error: 'x' : undeclared identifier"), std::string::npos)
      << e.message;
  wgpuShaderModuleRelease(module);
}

// A minimal valid compute module with extra capability/memory-model lines spliced in.
std::string ComputeModule(const char* capabilities, const char* memory_model) {
  return std::string("OpCapability Shader\n") + capabilities + memory_model +
         "OpEntryPoint GLCompute %main \"main\"\n"
         "OpExecutionMode %main LocalSize 1 1 1\n"
         "%void = OpTypeVoid\n%fn = OpTypeFunction %void\n"
         "%main = OpFunction %void None %fn\n%entry = OpLabel\nOpReturn\nOpFunctionEnd\n";
}

// Creates a module inside a new validation error scope; the caller pops it.
void CreateSpirvInScope(WGPUDevice device, const std::vector<uint32_t>& words) {
  WGPUShaderSourceSPIRV spirv{};
  spirv.chain.sType = WGPUSType_ShaderSourceSPIRV;
  spirv.codeSize = static_cast<uint32_t>(words.size());
  spirv.code = words.data();
  WGPUShaderModuleDescriptor desc{};
  desc.nextInChain = &spirv.chain;
  wgpuDevicePushErrorScope(device, WGPUErrorFilter_Validation);
  wgpuShaderModuleRelease(wgpuDeviceCreateShaderModule(device, &desc));
}

TEST_F(ValidationTest, SpirvRulesRejectPointerTricks) {
  auto check = [&](const std::string& text, const std::string& expected) {
    std::vector<uint32_t> words = Assemble(text.c_str());
    ASSERT_FALSE(words.empty());
    CreateSpirvInScope(device_, words);
    CapturedError e = PopScope();
    EXPECT_EQ(e.type, expected.empty() ? WGPUErrorType_NoError : WGPUErrorType_Validation);
    EXPECT_EQ(FirstLine(e.message), expected);
  };
  check(ComputeModule("", "OpMemoryModel Logical GLSL450\n"), "");
  check(ComputeModule("OpCapability PhysicalStorageBufferAddresses\n",
                      "OpMemoryModel PhysicalStorageBuffer64 GLSL450\n"),
        "SPIR-V capability PhysicalStorageBufferAddresses is not allowed: shaders may not form "
        "pointers from integers.");
  check(ComputeModule("OpCapability VariablePointers\n", "OpMemoryModel Logical GLSL450\n"),
        "SPIR-V capability VariablePointers is not allowed.");
  std::vector<uint32_t> garbage = {0x07230203, 0x00010300, 0, 10, 0, 0xdeadbeef};
  CreateSpirvInScope(device_, garbage);
  CapturedError e = PopScope();
  EXPECT_EQ(e.type, WGPUErrorType_Validation);
  EXPECT_EQ(FirstLine(e.message).rfind("SPIR-V validation failed: ", 0), 0u) << e.message;
}

TEST_F(ValidationTest, RobustBufferAccessKeepsWritesInsideTheBinding) {
  // Writes at indices {0, len-1, -1, len, +1e6, INT_MAX, INT_MIN} of a 16-float binding in the
  // middle of a 256-float buffer: only [0, len) of the binding may change.
  WGPUShaderModule module = Glsl(R"(#version 450
layout(local_size_x = 1) in;
layout(set = 0, binding = 0) buffer B { float v[]; };
void main() {
  int len = v.length();
  int idx[7] = int[7](0, len - 1, -1, len, 1000000, 2147483647, -2147483648);
  for (int i = 0; i < 7; ++i) v[idx[i]] = 7.0;
}
)");
  WGPUComputePipelineDescriptor pdesc{};
  pdesc.compute.module = module;
  WGPUComputePipeline pipeline = wgpuDeviceCreateComputePipeline(device_, &pdesc);
  WGPUBuffer buffer = MakeBuffer(1024, WGPUBufferUsage_Storage | WGPUBufferUsage_CopySrc |
                                           WGPUBufferUsage_CopyDst);
  std::vector<float> pattern(256);
  for (int i = 0; i < 256; ++i) pattern[i] = static_cast<float>(i);
  wgpuQueueWriteBuffer(queue_, buffer, 0, pattern.data(), 1024);
  WGPULimits limits{};
  wgpuDeviceGetLimits(device_, &limits);
  uint64_t offset = 256;  // the default minStorageBufferOffsetAlignment
  ASSERT_EQ(offset % limits.minStorageBufferOffsetAlignment, 0u);
  WGPUBindGroupLayout bgl = wgpuComputePipelineGetBindGroupLayout(pipeline, 0);
  WGPUBindGroupEntry entry{};
  entry.buffer = buffer;
  entry.offset = offset;
  entry.size = 64;
  WGPUBindGroupDescriptor gdesc{};
  gdesc.layout = bgl;
  gdesc.entryCount = 1;
  gdesc.entries = &entry;
  WGPUBindGroup group = wgpuDeviceCreateBindGroup(device_, &gdesc);
  WGPUCommandEncoder enc = wgpuDeviceCreateCommandEncoder(device_, nullptr);
  WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(enc, nullptr);
  wgpuComputePassEncoderSetPipeline(pass, pipeline);
  wgpuComputePassEncoderSetBindGroup(pass, 0, group, 0, nullptr);
  wgpuComputePassEncoderDispatchWorkgroups(pass, 1, 1, 1);
  wgpuComputePassEncoderEnd(pass);
  wgpuComputePassEncoderRelease(pass);
  SubmitAndWait(enc);
  std::vector<uint8_t> bytes = ReadBack(buffer, 1024);
  std::vector<float> got(256);
  std::memcpy(got.data(), bytes.data(), 1024);
  for (int i = 0; i < 256; ++i) {
    bool inside = i >= 64 && i < 80;
    if (!inside) {
      EXPECT_EQ(got[i], static_cast<float>(i)) << "byte outside the binding changed at " << i;
    }
  }
  EXPECT_EQ(got[64], 7.0f);
  EXPECT_EQ(got[79], 7.0f);
  wgpuBindGroupRelease(group);
  wgpuBindGroupLayoutRelease(bgl);
  wgpuBufferRelease(buffer);
  wgpuComputePipelineRelease(pipeline);
  wgpuShaderModuleRelease(module);
}

TEST_F(ValidationTest, InjectedOutOfMemoryIsReportedAndTheDeviceKeepsWorking) {
  wasmgpuTestingFailVulkanCall("vkAllocateMemory", VK_ERROR_OUT_OF_DEVICE_MEMORY);
  wgpuDevicePushErrorScope(device_, WGPUErrorFilter_OutOfMemory);
  WGPUBuffer b = MakeBuffer(1024, WGPUBufferUsage_Storage);
  CapturedError e = PopScope();
  wasmgpuTestingFailVulkanCall(nullptr, VK_SUCCESS);
  EXPECT_EQ(e.type, WGPUErrorType_OutOfMemory);
  EXPECT_EQ(FirstLine(e.message), "vkAllocateMemory failed with VK_ERROR_OUT_OF_DEVICE_MEMORY.");
  wgpuBufferRelease(b);
  WGPUBuffer ok = MakeBuffer(64, WGPUBufferUsage_Storage | WGPUBufferUsage_CopySrc);
  EXPECT_EQ(ReadBack(ok, 64), std::vector<uint8_t>(64, 0));
  wgpuBufferRelease(ok);
}

}  // namespace
}  // namespace wasmgpu::testing
