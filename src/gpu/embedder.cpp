// See embedder.h.
#include "gpu/embedder.h"

#include <string>

#include "gpu/device.h"

extern "C" WGPUStatus wasmgpuDeviceInjectError(WGPUDevice device, WGPUErrorType type,
                                               WGPUStringView message) {
  using wasmgpu::ErrorKind;
  ErrorKind kind;
  switch (type) {
    case WGPUErrorType_Validation:
      kind = ErrorKind::kValidation;
      break;
    case WGPUErrorType_OutOfMemory:
      kind = ErrorKind::kOutOfMemory;
      break;
    case WGPUErrorType_Internal:
      kind = ErrorKind::kInternal;
      break;
    default:
      return WGPUStatus_Error;
  }
  if (device == nullptr) return WGPUStatus_Error;
  std::string text;
  if (message.data != nullptr) {
    text = message.length == WGPU_STRLEN ? std::string(message.data)
                                         : std::string(message.data, message.length);
  }
  // WGPUDevice handles are the Device objects themselves (api.cpp).
  reinterpret_cast<wasmgpu::gpu::Device*>(device)->ConsumeError(
      wasmgpu::Error{kind, std::move(text)});
  return WGPUStatus_Success;
}
