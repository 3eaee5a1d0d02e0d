// Shader modules from SPIR-V (validated, see spirv.h) or GLSL (compiled with shaderc).
#pragma once

#include <vector>

#include "gpu/object.h"
#include "gpu/spirv.h"

namespace wasmgpu::gpu {

class ShaderModule : public DeviceObject {
 public:
  static Ref<ShaderModule> Create(Device* device, const WGPUShaderModuleDescriptor* desc);

  const SpirvModule& spirv() const { return module_; }
  WGPUFuture GetCompilationInfo(const WGPUCompilationInfoCallbackInfo& info);

 private:
  ShaderModule(Device* device, std::string label, bool valid);
  Status Initialize(const WGPUShaderModuleDescriptor* desc);
  Result<std::vector<uint32_t>> CompileGlsl(const std::string& source);

  struct Message {
    WGPUCompilationMessageType type;
    std::string text;
    uint64_t line;
  };
  SpirvModule module_;
  std::vector<Message> messages_;
};

}  // namespace wasmgpu::gpu
