// Test helpers for the gpu unit tests: a device on the default adapter (lavapipe here), waiting
// on futures, and capturing errors through error scopes.
#pragma once

#include <gtest/gtest.h>
#include <wasmgpu/webgpu.h>

#include <string>
#include <vector>

namespace wasmgpu::testing {

inline WGPUStringView Sv(const char* s) { return {s, WGPU_STRLEN}; }
inline std::string Str(WGPUStringView v) {
  if (v.data == nullptr) return {};
  return v.length == WGPU_STRLEN ? std::string(v.data) : std::string(v.data, v.length);
}

struct CapturedError {
  WGPUErrorType type = WGPUErrorType_NoError;
  std::string message;
};

class GpuTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  void Wait(WGPUFuture future);
  void PushScope() { wgpuDevicePushErrorScope(device_, WGPUErrorFilter_Validation); }
  CapturedError PopScope();
  WGPUBuffer MakeBuffer(uint64_t size, WGPUBufferUsage usage, bool mapped = false);
  WGPUShaderModule Glsl(const char* source);
  // Submits and waits for the queue to finish.
  void SubmitAndWait(WGPUCommandEncoder encoder);
  // Copies `buffer` through a MapRead buffer into host memory.
  std::vector<uint8_t> ReadBack(WGPUBuffer buffer, uint64_t size);

  WGPUInstance instance_ = nullptr;
  WGPUAdapter adapter_ = nullptr;
  WGPUDevice device_ = nullptr;
  WGPUQueue queue_ = nullptr;
  std::vector<CapturedError> uncaptured_;
};

}  // namespace wasmgpu::testing
