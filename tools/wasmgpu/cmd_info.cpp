// `wasmgpu info [--json]`: every Vulkan adapter, which one wasmgpu would pick, its WebGPU
// features and the limits that matter for compute.
#include <fmt/format.h>
#include <wasmgpu/webgpu.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "command.h"

namespace wasmgpu::cli {
namespace {

std::string Str(WGPUStringView v) {
  if (v.data == nullptr) return {};
  return v.length == WGPU_STRLEN ? std::string(v.data) : std::string(v.data, v.length);
}

const char* TypeName(WGPUAdapterType type) {
  switch (type) {
    case WGPUAdapterType_CPU: return "cpu";
    case WGPUAdapterType_DiscreteGPU: return "discrete";
    case WGPUAdapterType_IntegratedGPU: return "integrated";
    default: return "other";
  }
}

nlohmann::ordered_json Describe(WGPUAdapter adapter) {
  WGPUAdapterPropertiesWasmgpu props{};
  props.chain.sType = WGPUSType_AdapterPropertiesWasmgpu;
  WGPUAdapterInfo info{};
  info.nextInChain = &props.chain;
  wgpuAdapterGetInfo(adapter, &info);
  WGPUHostMappedPointerLimits host{};
  host.chain.sType = WGPUSType_HostMappedPointerLimits;
  WGPULimits limits{};
  limits.nextInChain = &host.chain;
  wgpuAdapterGetLimits(adapter, &limits);

  nlohmann::ordered_json a;
  a["index"] = props.adapterIndex;
  a["name"] = Str(info.device);
  a["type"] = TypeName(info.adapterType);
  a["driver"] = Str(info.description);
  a["vendor"] = Str(info.vendor);
  a["selected"] = props.isDefault != 0;
  a["robustBufferAccess2"] = props.robustBufferAccess2 != 0;
  a["features"] = {
      {"hostMappedPointer", wgpuAdapterHasFeature(adapter, WGPUFeatureName_HostMappedPointer) != 0},
      {"timestampQuery", wgpuAdapterHasFeature(adapter, WGPUFeatureName_TimestampQuery) != 0},
      {"shaderF16", wgpuAdapterHasFeature(adapter, WGPUFeatureName_ShaderF16) != 0},
      {"subgroups", wgpuAdapterHasFeature(adapter, WGPUFeatureName_Subgroups) != 0},
      {"shaderIntegerDotProduct",
       wgpuAdapterHasFeature(adapter, WGPUFeatureName_ShaderIntegerDotProduct) != 0},
  };
  a["limits"] = {
      {"hostMappedPointerAlignment", host.hostMappedPointerAlignment},
      {"maxBufferSize", limits.maxBufferSize},
      {"maxStorageBufferBindingSize", limits.maxStorageBufferBindingSize},
      {"maxUniformBufferBindingSize", limits.maxUniformBufferBindingSize},
      {"maxStorageBuffersPerShaderStage", limits.maxStorageBuffersPerShaderStage},
      {"maxComputeWorkgroupStorageSize", limits.maxComputeWorkgroupStorageSize},
      {"maxComputeInvocationsPerWorkgroup", limits.maxComputeInvocationsPerWorkgroup},
      {"maxComputeWorkgroupsPerDimension", limits.maxComputeWorkgroupsPerDimension},
      {"minStorageBufferOffsetAlignment", limits.minStorageBufferOffsetAlignment},
      {"maxImmediateSize", limits.maxImmediateSize},
      {"subgroupSize", info.subgroupMinSize},
  };
  wgpuAdapterInfoFreeMembers(info);
  return a;
}

CommandRunner SetupInfo(CLI::App& sub) {
  auto json = std::make_shared<bool>(false);
  sub.add_flag("--json", *json, "Print JSON on stdout");
  return [json] {
    WGPUInstance instance = wgpuCreateInstance(nullptr);
    if (instance == nullptr) {
      fmt::print(stderr, "wasmgpu info: no Vulkan loader or driver could be initialised.\n");
      return 1;
    }
    size_t count = wgpuInstanceEnumerateAdapters(instance, nullptr, nullptr);
    std::vector<WGPUAdapter> adapters(count);
    if (count > 0) wgpuInstanceEnumerateAdapters(instance, nullptr, adapters.data());
    nlohmann::ordered_json out;
    out["adapters"] = nlohmann::ordered_json::array();
    for (WGPUAdapter a : adapters) {
      out["adapters"].push_back(Describe(a));
      wgpuAdapterRelease(a);
    }
    wgpuInstanceRelease(instance);
    if (*json) {
      fmt::print("{}\n", out.dump(2));
      return count > 0 ? 0 : 1;
    }
    if (count == 0) fmt::print("No Vulkan adapters found.\n");
    for (const auto& a : out["adapters"]) {
      fmt::print("{} [{}] {} ({}){}\n", a["selected"].get<bool>() ? "*" : " ",
                 a["index"].get<uint32_t>(), a["name"].get<std::string>(),
                 a["type"].get<std::string>(), a["selected"].get<bool>() ? "  <- selected" : "");
      fmt::print("      driver: {}\n", a["driver"].get<std::string>());
      std::string features;
      for (const auto& [name, on] : a["features"].items()) {
        if (on.get<bool>()) features += (features.empty() ? "" : ", ") + name;
      }
      fmt::print("      features: {}\n", features.empty() ? "none" : features);
      for (const auto& [name, value] : a["limits"].items()) {
        fmt::print("      {}: {}\n", name, value.dump());
      }
      if (!a["robustBufferAccess2"].get<bool>()) {
        fmt::print("      (no robustBufferAccess2: wasmgpu cannot create devices here)\n");
      }
    }
    return count > 0 ? 0 : 1;
  };
}

WASMGPU_COMMAND(info, "Show the Vulkan adapters, their WebGPU features and limits", SetupInfo);

}  // namespace
}  // namespace wasmgpu::cli
