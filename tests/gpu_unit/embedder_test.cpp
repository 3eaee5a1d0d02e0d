// wasmgpuDeviceInjectError (src/gpu/embedder.h): an error found by an embedder reaches error
// scopes and the uncaptured-error callback like one the device found itself.
#include "gpu/embedder.h"

#include "gpu_test_util.h"

namespace wasmgpu::testing {
namespace {

using EmbedderTest = GpuTest;

TEST_F(EmbedderTest, InjectedErrorGoesToTheMatchingScope) {
  wgpuDevicePushErrorScope(device_, WGPUErrorFilter_OutOfMemory);
  PushScope();  // validation, innermost
  EXPECT_EQ(
      wasmgpuDeviceInjectError(device_, WGPUErrorType_OutOfMemory, Sv("Out of guest memory.")),
      WGPUStatus_Success);
  EXPECT_EQ(
      wasmgpuDeviceInjectError(device_, WGPUErrorType_Validation, Sv("Handle 0x7 is forged.")),
      WGPUStatus_Success);
  CapturedError e = PopScope();
  EXPECT_EQ(e.type, WGPUErrorType_Validation);
  EXPECT_EQ(e.message, "Handle 0x7 is forged.");
  e = PopScope();
  EXPECT_EQ(e.type, WGPUErrorType_OutOfMemory);
  EXPECT_EQ(e.message, "Out of guest memory.");
  EXPECT_TRUE(uncaptured_.empty());
}

TEST_F(EmbedderTest, FirstErrorOfAScopeWins) {
  PushScope();
  ASSERT_EQ(wasmgpuDeviceInjectError(device_, WGPUErrorType_Validation, {"first error", 5}),
            WGPUStatus_Success);
  // A device-found error after it does not replace it.
  WGPUBufferDescriptor desc{};
  desc.size = 4;
  desc.usage = WGPUBufferUsage_MapRead | WGPUBufferUsage_MapWrite;
  WGPUBuffer b = wgpuDeviceCreateBuffer(device_, &desc);
  CapturedError e = PopScope();
  EXPECT_EQ(e.type, WGPUErrorType_Validation);
  EXPECT_EQ(e.message, "first");  // the view's length (5) counts, not the NUL
  if (b != nullptr) wgpuBufferRelease(b);
}

TEST_F(EmbedderTest, UncapturedWithoutAScope) {
  ASSERT_EQ(
      wasmgpuDeviceInjectError(device_, WGPUErrorType_Internal, Sv("Host bookkeeping failed.")),
      WGPUStatus_Success);
  wgpuInstanceProcessEvents(instance_);
  ASSERT_EQ(uncaptured_.size(), 1u);
  EXPECT_EQ(uncaptured_[0].type, WGPUErrorType_Internal);
  EXPECT_EQ(uncaptured_[0].message, "Host bookkeeping failed.");
  uncaptured_.clear();  // expected here; TearDown fails on any left
}

TEST_F(EmbedderTest, RefusesOtherTypesAndNullDevices) {
  PushScope();
  EXPECT_EQ(wasmgpuDeviceInjectError(device_, WGPUErrorType_NoError, Sv("x")), WGPUStatus_Error);
  EXPECT_EQ(wasmgpuDeviceInjectError(device_, WGPUErrorType_Unknown, Sv("x")), WGPUStatus_Error);
  EXPECT_EQ(wasmgpuDeviceInjectError(nullptr, WGPUErrorType_Validation, Sv("x")), WGPUStatus_Error);
  CapturedError e = PopScope();
  EXPECT_EQ(e.type, WGPUErrorType_NoError);
  EXPECT_EQ(e.message, "");
}

}  // namespace
}  // namespace wasmgpu::testing
