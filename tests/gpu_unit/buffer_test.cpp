// Buffers: creation, zero-init, mapping state machine, writeBuffer, copies, clears.
#include <cstring>

#include "gpu_test_util.h"

namespace wasmgpu::testing {
namespace {

using BufferTest = GpuTest;

TEST_F(BufferTest, NewBuffersReadAsZeros) {
  WGPUBuffer b = MakeBuffer(256, WGPUBufferUsage_Storage | WGPUBufferUsage_CopySrc);
  std::vector<uint8_t> data = ReadBack(b, 256);
  EXPECT_EQ(data, std::vector<uint8_t>(256, 0));
  wgpuBufferRelease(b);
}

TEST_F(BufferTest, WriteCopyClearRoundTrip) {
  WGPUBuffer a = MakeBuffer(64, WGPUBufferUsage_CopyDst | WGPUBufferUsage_CopySrc);
  WGPUBuffer b = MakeBuffer(64, WGPUBufferUsage_CopyDst | WGPUBufferUsage_CopySrc);
  uint32_t values[16];
  for (uint32_t i = 0; i < 16; ++i) values[i] = i * 7 + 1;
  wgpuQueueWriteBuffer(queue_, a, 0, values, sizeof(values));
  WGPUCommandEncoder enc = wgpuDeviceCreateCommandEncoder(device_, nullptr);
  wgpuCommandEncoderCopyBufferToBuffer(enc, a, 0, b, 0, 64);
  wgpuCommandEncoderClearBuffer(enc, b, 16, 16);
  SubmitAndWait(enc);
  std::vector<uint8_t> out = ReadBack(b, 64);
  uint32_t got[16];
  std::memcpy(got, out.data(), 64);
  for (uint32_t i = 0; i < 16; ++i) {
    EXPECT_EQ(got[i], (i >= 4 && i < 8) ? 0u : values[i]) << "index " << i;
  }
  wgpuBufferRelease(a);
  wgpuBufferRelease(b);
}

TEST_F(BufferTest, MappedAtCreationUploads) {
  WGPUBuffer b = MakeBuffer(16, WGPUBufferUsage_Storage | WGPUBufferUsage_CopySrc, true);
  auto* p = static_cast<uint32_t*>(wgpuBufferGetMappedRange(b, 0, 16));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(wgpuBufferGetMapState(b), WGPUBufferMapState_Mapped);
  for (uint32_t i = 0; i < 4; ++i) p[i] = 100 + i;
  wgpuBufferUnmap(b);
  EXPECT_EQ(wgpuBufferGetMapState(b), WGPUBufferMapState_Unmapped);
  std::vector<uint8_t> out = ReadBack(b, 16);
  uint32_t got[4];
  std::memcpy(got, out.data(), 16);
  EXPECT_EQ(got[0], 100u);
  EXPECT_EQ(got[3], 103u);
  wgpuBufferRelease(b);
}

TEST_F(BufferTest, MapStateMachine) {
  WGPUBuffer b = MakeBuffer(16, WGPUBufferUsage_MapWrite | WGPUBufferUsage_CopySrc);
  WGPUMapAsyncStatus status = WGPUMapAsyncStatus_Force32;
  WGPUBufferMapCallbackInfo info{};
  info.mode = WGPUCallbackMode_AllowProcessEvents;
  info.callback = [](WGPUMapAsyncStatus s, WGPUStringView, void* u1, void*) {
    *static_cast<WGPUMapAsyncStatus*>(u1) = s;
  };
  info.userdata1 = &status;
  WGPUFuture f = wgpuBufferMapAsync(b, WGPUMapMode_Write, 0, 16, info);
  EXPECT_EQ(wgpuBufferGetMapState(b), WGPUBufferMapState_Pending);
  // Unmapping a pending map aborts it.
  wgpuBufferUnmap(b);
  Wait(f);
  EXPECT_EQ(status, WGPUMapAsyncStatus_Aborted);
  EXPECT_EQ(wgpuBufferGetMapState(b), WGPUBufferMapState_Unmapped);
  // A second map works; a map while mapped is a validation error with an Error callback.
  Wait(wgpuBufferMapAsync(b, WGPUMapMode_Write, 0, 16, info));
  EXPECT_EQ(status, WGPUMapAsyncStatus_Success);
  EXPECT_NE(wgpuBufferGetMappedRange(b, 0, 16), nullptr);
  // Overlapping ranges are refused.
  EXPECT_EQ(wgpuBufferGetMappedRange(b, 8, 8), nullptr);
  PushScope();
  Wait(wgpuBufferMapAsync(b, WGPUMapMode_Write, 0, 16, info));
  EXPECT_EQ(status, WGPUMapAsyncStatus_Error);
  CapturedError e = PopScope();
  EXPECT_EQ(e.type, WGPUErrorType_Validation);
  EXPECT_EQ(e.message.substr(0, e.message.find('\n')), "[Buffer] is already mapped.");
  wgpuBufferDestroy(b);
  EXPECT_EQ(wgpuBufferGetMapState(b), WGPUBufferMapState_Unmapped);
  wgpuBufferRelease(b);
}

TEST_F(BufferTest, ReadMappedRangeSeesCopiedData) {
  WGPUBuffer src = MakeBuffer(32, WGPUBufferUsage_CopyDst | WGPUBufferUsage_CopySrc);
  uint32_t values[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  wgpuQueueWriteBuffer(queue_, src, 0, values, sizeof(values));
  std::vector<uint8_t> out = ReadBack(src, 32);
  EXPECT_EQ(std::memcmp(out.data(), values, 32), 0);
  wgpuBufferRelease(src);
}

}  // namespace
}  // namespace wasmgpu::testing
