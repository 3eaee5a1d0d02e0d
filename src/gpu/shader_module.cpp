#include "gpu/shader_module.h"

#include <shaderc/shaderc.h>

#include <cstdlib>
#include <sstream>

#include "gpu/device.h"
#include "gpu/instance.h"

namespace wasmgpu::gpu {

ShaderModule::ShaderModule(Device* device, std::string label, bool valid)
    : DeviceObject(device, "ShaderModule", std::move(label), valid) {}

Result<std::vector<uint32_t>> ShaderModule::CompileGlsl(const std::string& source) {
  auto compiler = static_cast<shaderc_compiler_t>(device()->shaderc_compiler());
  if (compiler == nullptr) return MakeError(ErrorKind::kInternal, "shaderc failed to initialize.");
  shaderc_compile_options_t options = shaderc_compile_options_initialize();
  shaderc_compile_options_set_target_env(options, shaderc_target_env_vulkan,
                                         shaderc_env_version_vulkan_1_1);
  shaderc_compile_options_set_optimization_level(options, shaderc_optimization_level_performance);
  std::string name = label().empty() ? "shader.comp" : label();
  shaderc_compilation_result_t result =
      shaderc_compile_into_spv(compiler, source.data(), source.size(), shaderc_compute_shader,
                               name.c_str(), "main", options);
  shaderc_compile_options_release(options);
  std::string log = shaderc_result_get_error_message(result);
  // Keep every compiler line ("name:LINE: error: text") as a compilation message.
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    Message m{WGPUCompilationMessageType_Info, line, 0};
    if (line.find(": error:") != std::string::npos) m.type = WGPUCompilationMessageType_Error;
    if (line.find(": warning:") != std::string::npos) m.type = WGPUCompilationMessageType_Warning;
    size_t colon = line.find(':');
    if (colon != std::string::npos) m.line = std::strtoull(line.c_str() + colon + 1, nullptr, 10);
    messages_.push_back(std::move(m));
  }
  if (shaderc_result_get_compilation_status(result) != shaderc_compilation_status_success) {
    shaderc_result_release(result);
    while (!log.empty() && log.back() == '\n') log.pop_back();
    return ValidationError("GLSL compilation failed:\n{}", log);
  }
  const auto* bytes = reinterpret_cast<const uint32_t*>(shaderc_result_get_bytes(result));
  std::vector<uint32_t> words(bytes, bytes + shaderc_result_get_length(result) / 4);
  shaderc_result_release(result);
  return words;
}

Status ShaderModule::Initialize(const WGPUShaderModuleDescriptor* desc) {
  const WGPUShaderSourceSPIRV* spirv = nullptr;
  const WGPUShaderSourceGLSL* glsl = nullptr;
  int sources = 0;
  for (const WGPUChainedStruct* c = desc->nextInChain; c != nullptr; c = c->next) {
    switch (c->sType) {
      case WGPUSType_ShaderSourceSPIRV:
        spirv = reinterpret_cast<const WGPUShaderSourceSPIRV*>(c);
        sources++;
        break;
      case WGPUSType_ShaderSourceGLSL:
        glsl = reinterpret_cast<const WGPUShaderSourceGLSL*>(c);
        sources++;
        break;
      case WGPUSType_ShaderSourceWGSL:
        return ValidationError("WGSL shaders are not supported by wasmgpu; use SPIR-V "
                               "(WGPUShaderSourceSPIRV) or GLSL (WGPUShaderSourceGLSL).");
      default:
        return ValidationError("Unknown chained struct (sType 0x{:x}) on the shader module "
                               "descriptor.", static_cast<uint32_t>(c->sType));
    }
  }
  if (sources != 1) {
    return ValidationError("A shader module needs exactly one source (SPIR-V or GLSL), got {}.",
                           sources);
  }
  std::vector<uint32_t> compiled;
  std::span<const uint32_t> words;
  if (spirv != nullptr) {
    if (spirv->code == nullptr && spirv->codeSize > 0) return ValidationError("SPIR-V code is null.");
    words = {spirv->code, spirv->codeSize};
  } else {
    TRY_ASSIGN(compiled, CompileGlsl(ToString(glsl->code)));
    words = compiled;
  }
  Device* d = device();
  const vk::PhysicalDeviceInfo& info = d->adapter()->info();
  SpirvOptions options;
  options.vulkan_api_version = info.properties.apiVersion;
  options.shader_f16 = d->HasFeature(WGPUFeatureName_ShaderF16);
  options.subgroups = d->HasFeature(WGPUFeatureName_Subgroups);
  options.int8 = info.shader_int8;
  options.int16 = info.shader_int16;
  options.int64 = info.shader_int64;
  options.float64 = info.shader_float64;
  options.storage_8bit = info.storage_buffer_8bit;
  options.storage_16bit = info.storage_buffer_16bit;
  options.vulkan_memory_model = info.vulkan_memory_model;
  options.integer_dot_product = d->HasFeature(WGPUFeatureName_ShaderIntegerDotProduct);
  Result<SpirvModule> module = ParseSpirv(words, options);
  if (!module.ok()) {
    messages_.push_back({WGPUCompilationMessageType_Error, module.error().message, 0});
    return std::move(module).error();
  }
  module_ = std::move(module).value();
  return {};
}

Ref<ShaderModule> ShaderModule::Create(Device* device, const WGPUShaderModuleDescriptor* desc) {
  Ref<ShaderModule> module =
      Ref<ShaderModule>::Adopt(new ShaderModule(device, ToString(desc->label), true));
  Status status = device->lost() ? Status(MakeError(ErrorKind::kDeviceLost, ""))
                                 : module->Initialize(desc);
  if (!status.ok()) {
    module->Invalidate();
    if (status.error().kind != ErrorKind::kDeviceLost) {
      device->ConsumeError(std::move(status).error().With(
          fmt::format("While calling wgpuDeviceCreateShaderModule({}).", module->Name())));
    }
  }
  return module;
}

WGPUFuture ShaderModule::GetCompilationInfo(const WGPUCompilationInfoCallbackInfo& info) {
  Event e{EventKind::kCompilationInfo};
  e.mode = info.mode;
  e.callback = reinterpret_cast<void (*)()>(info.callback);
  e.userdata1 = info.userdata1;
  e.userdata2 = info.userdata2;
  e.resolved = true;
  e.status = WGPUCompilationInfoRequestStatus_Success;
  for (const Message& m : messages_) {
    WGPUCompilationMessage cm{};
    cm.type = m.type;
    cm.lineNum = m.line;
    e.compilation_messages.push_back(cm);
    e.compilation_texts.push_back(m.text);
  }
  return device()->instance()->AddEvent(std::move(e));
}

}  // namespace wasmgpu::gpu
