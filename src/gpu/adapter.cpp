#include "gpu/adapter.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "gpu/device.h"

namespace wasmgpu::gpu {

WGPULimits DefaultLimits() {
  WGPULimits l{};
  l.maxTextureDimension1D = 8192;
  l.maxTextureDimension2D = 8192;
  l.maxTextureDimension3D = 2048;
  l.maxTextureArrayLayers = 256;
  l.maxBindGroups = 4;
  l.maxBindGroupsPlusVertexBuffers = 24;
  l.maxBindingsPerBindGroup = 1000;
  l.maxDynamicUniformBuffersPerPipelineLayout = 8;
  l.maxDynamicStorageBuffersPerPipelineLayout = 4;
  l.maxSampledTexturesPerShaderStage = 16;
  l.maxSamplersPerShaderStage = 16;
  l.maxStorageBuffersPerShaderStage = 8;
  l.maxStorageTexturesPerShaderStage = 4;
  l.maxUniformBuffersPerShaderStage = 12;
  l.maxUniformBufferBindingSize = 65536;
  l.maxStorageBufferBindingSize = 134217728;
  l.minUniformBufferOffsetAlignment = 256;
  l.minStorageBufferOffsetAlignment = 256;
  l.maxVertexBuffers = 8;
  l.maxBufferSize = 268435456;
  l.maxVertexAttributes = 16;
  l.maxVertexBufferArrayStride = 2048;
  l.maxInterStageShaderVariables = 16;
  l.maxColorAttachments = 8;
  l.maxColorAttachmentBytesPerSample = 32;
  l.maxComputeWorkgroupStorageSize = 16384;
  l.maxComputeInvocationsPerWorkgroup = 256;
  l.maxComputeWorkgroupSizeX = 256;
  l.maxComputeWorkgroupSizeY = 256;
  l.maxComputeWorkgroupSizeZ = 64;
  l.maxComputeWorkgroupsPerDimension = 65535;
  l.maxImmediateSize = WGPU_WASMGPU_MAX_IMMEDIATE_SIZE;
  return l;
}

const char* FeatureName(WGPUFeatureName feature) {
  switch (feature) {
    case WGPUFeatureName_CoreFeaturesAndLimits: return "core-features-and-limits";
    case WGPUFeatureName_TimestampQuery: return "timestamp-query";
    case WGPUFeatureName_ShaderF16: return "shader-f16";
    case WGPUFeatureName_Subgroups: return "subgroups";
    case WGPUFeatureName_HostMappedPointer: return "host-mapped-pointer";
    case WGPUFeatureName_ShaderIntegerDotProduct: return "shader-integer-dot-product";
    default: return "unknown";
  }
}

Adapter::Adapter(Instance* instance, const vk::PhysicalDeviceInfo* info, bool is_default)
    : instance_(instance), info_(info), is_default_(is_default) {
  instance_->AddRef();
  const VkPhysicalDeviceLimits& v = info->properties.limits;
  WGPULimits l = DefaultLimits();
  l.maxBindGroups = std::min<uint32_t>(v.maxBoundDescriptorSets, 8);
  l.maxDynamicUniformBuffersPerPipelineLayout = v.maxDescriptorSetUniformBuffersDynamic;
  l.maxDynamicStorageBuffersPerPipelineLayout = v.maxDescriptorSetStorageBuffersDynamic;
  l.maxStorageBuffersPerShaderStage =
      std::min(v.maxPerStageDescriptorStorageBuffers, v.maxDescriptorSetStorageBuffers);
  l.maxUniformBuffersPerShaderStage =
      std::min(v.maxPerStageDescriptorUniformBuffers, v.maxDescriptorSetUniformBuffers);
  l.maxUniformBufferBindingSize = v.maxUniformBufferRange;
  l.maxBufferSize = info->max_memory_allocation_size;
  l.maxStorageBufferBindingSize = std::min<uint64_t>(v.maxStorageBufferRange, l.maxBufferSize);
  l.minUniformBufferOffsetAlignment =
      static_cast<uint32_t>(std::max<uint64_t>(v.minUniformBufferOffsetAlignment, 4));
  l.minStorageBufferOffsetAlignment =
      static_cast<uint32_t>(std::max<uint64_t>(v.minStorageBufferOffsetAlignment, 4));
  l.maxComputeWorkgroupStorageSize = v.maxComputeSharedMemorySize;
  l.maxComputeInvocationsPerWorkgroup = v.maxComputeWorkGroupInvocations;
  l.maxComputeWorkgroupSizeX = v.maxComputeWorkGroupSize[0];
  l.maxComputeWorkgroupSizeY = v.maxComputeWorkGroupSize[1];
  l.maxComputeWorkgroupSizeZ = v.maxComputeWorkGroupSize[2];
  l.maxComputeWorkgroupsPerDimension = std::min(
      {v.maxComputeWorkGroupCount[0], v.maxComputeWorkGroupCount[1], v.maxComputeWorkGroupCount[2]});
  l.maxImmediateSize = std::min<uint32_t>(v.maxPushConstantsSize, WGPU_WASMGPU_MAX_IMMEDIATE_SIZE);
  limits_ = l;

  features_.push_back(WGPUFeatureName_CoreFeaturesAndLimits);
  if (info->timestamp_valid_bits > 0 && v.timestampComputeAndGraphics) {
    features_.push_back(WGPUFeatureName_TimestampQuery);
  }
  if (info->shader_float16 && info->storage_buffer_16bit) {
    features_.push_back(WGPUFeatureName_ShaderF16);
  }
  constexpr VkSubgroupFeatureFlags kSubgroupOps =
      VK_SUBGROUP_FEATURE_BASIC_BIT | VK_SUBGROUP_FEATURE_VOTE_BIT |
      VK_SUBGROUP_FEATURE_ARITHMETIC_BIT | VK_SUBGROUP_FEATURE_BALLOT_BIT |
      VK_SUBGROUP_FEATURE_SHUFFLE_BIT | VK_SUBGROUP_FEATURE_SHUFFLE_RELATIVE_BIT;
  if ((info->subgroup_stages & VK_SHADER_STAGE_COMPUTE_BIT) &&
      (info->subgroup_operations & kSubgroupOps) == kSubgroupOps) {
    features_.push_back(WGPUFeatureName_Subgroups);
  }
  if (info->shader_integer_dot_product) {
    features_.push_back(WGPUFeatureName_ShaderIntegerDotProduct);
  }
  // DESIGN.md decision 1: exposed where the import exists and its alignment is at most 64 KiB.
  uint64_t align = info->min_imported_host_pointer_alignment;
  if (info->has_external_memory_host && align > 0 && align <= 65536) {
    host_mapped_pointer_alignment_ = static_cast<uint32_t>(align);
    features_.push_back(WGPUFeatureName_HostMappedPointer);
  }
}

Adapter::~Adapter() { instance_->Release(); }

WGPUAdapterType Adapter::type() const {
  switch (info_->properties.deviceType) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return WGPUAdapterType_DiscreteGPU;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return WGPUAdapterType_IntegratedGPU;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return WGPUAdapterType_CPU;
    default: return WGPUAdapterType_Unknown;
  }
}

bool Adapter::HasFeature(WGPUFeatureName feature) const {
  return std::find(features_.begin(), features_.end(), feature) != features_.end();
}

WGPUStatus Adapter::GetInfo(WGPUAdapterInfo* out) const {
  if (out == nullptr) return WGPUStatus_Error;
  const char* vendor = "unknown";
  switch (info_->properties.vendorID) {
    case 0x10DE: vendor = "nvidia"; break;
    case 0x1002: vendor = "amd"; break;
    case 0x8086: vendor = "intel"; break;
    case 0x13B5: vendor = "arm"; break;
    case 0x5143: vendor = "qualcomm"; break;
    case 0x106B: vendor = "apple"; break;
    case 0x10005: vendor = "mesa"; break;
    default: break;
  }
  std::string description = info_->driver_name;
  if (!info_->driver_info.empty()) description += " " + info_->driver_info;
  const std::string strings[4] = {vendor, "", info_->properties.deviceName, description};
  size_t total = 0;
  for (const auto& s : strings) total += s.size() + 1;
  char* block = static_cast<char*>(std::malloc(total));
  if (block == nullptr) return WGPUStatus_Error;
  WGPUStringView views[4];
  char* p = block;
  for (int i = 0; i < 4; ++i) {
    std::memcpy(p, strings[i].c_str(), strings[i].size() + 1);
    views[i] = {p, strings[i].size()};
    p += strings[i].size() + 1;
  }
  WGPUChainedStruct* chain = out->nextInChain;
  *out = WGPUAdapterInfo{};
  out->nextInChain = chain;
  out->vendor = views[0];  // owns `block`
  out->architecture = views[1];
  out->device = views[2];
  out->description = views[3];
  out->backendType = WGPUBackendType_Vulkan;
  out->adapterType = type();
  out->vendorID = info_->properties.vendorID;
  out->deviceID = info_->properties.deviceID;
  out->subgroupMinSize = info_->subgroup_size;
  out->subgroupMaxSize = info_->subgroup_size;
  for (WGPUChainedStruct* c = chain; c != nullptr; c = c->next) {
    if (c->sType == WGPUSType_AdapterPropertiesWasmgpu) {
      auto* props = reinterpret_cast<WGPUAdapterPropertiesWasmgpu*>(c);
      props->adapterIndex = info_->index;
      props->isDefault = is_default_;
      props->robustBufferAccess2 = info_->robust_buffer_access2;
    }
  }
  return WGPUStatus_Success;
}

WGPUStatus Adapter::WriteLimits(const WGPULimits& source, uint32_t host_mapped_alignment,
                                WGPULimits* limits) {
  if (limits == nullptr) return WGPUStatus_Error;
  WGPUChainedStruct* chain = limits->nextInChain;
  *limits = source;
  limits->nextInChain = chain;
  for (WGPUChainedStruct* c = chain; c != nullptr; c = c->next) {
    if (c->sType == WGPUSType_HostMappedPointerLimits) {
      reinterpret_cast<WGPUHostMappedPointerLimits*>(c)->hostMappedPointerAlignment =
          host_mapped_alignment;
    }
  }
  return WGPUStatus_Success;
}

Result<WGPULimits> Adapter::ResolveLimits(const WGPULimits* required) const {
  WGPULimits result = DefaultLimits();
  if (required == nullptr) return result;
  const WGPULimits& a = limits_;
  // A maximum: undefined or below the default -> default; above the adapter -> error.
#define WASMGPU_MAX_LIMIT(name, undefined)                                                     \
  if (required->name != (undefined)) {                                                        \
    if (required->name > a.name) {                                                            \
      return ValidationError("Required limit {} ({}) exceeds the adapter's limit ({}).", #name, \
                             required->name, a.name);                                         \
    }                                                                                         \
    result.name = std::max(result.name, required->name);                                      \
  }
#define WASMGPU_ALIGN_LIMIT(name)                                                               \
  if (required->name != WGPU_LIMIT_U32_UNDEFINED && required->name != 0) {                     \
    if ((required->name & (required->name - 1)) != 0) {                                        \
      return ValidationError("Required limit {} ({}) is not a power of two.", #name,           \
                             required->name);                                                  \
    }                                                                                          \
    if (required->name < a.name) {                                                             \
      return ValidationError("Required limit {} ({}) is below the adapter's limit ({}).", #name, \
                             required->name, a.name);                                          \
    }                                                                                          \
    result.name = std::min(result.name, required->name);                                       \
  }
  constexpr uint32_t kU32 = WGPU_LIMIT_U32_UNDEFINED;
  constexpr uint64_t kU64 = WGPU_LIMIT_U64_UNDEFINED;
  WASMGPU_MAX_LIMIT(maxTextureDimension1D, kU32)
  WASMGPU_MAX_LIMIT(maxTextureDimension2D, kU32)
  WASMGPU_MAX_LIMIT(maxTextureDimension3D, kU32)
  WASMGPU_MAX_LIMIT(maxTextureArrayLayers, kU32)
  WASMGPU_MAX_LIMIT(maxBindGroups, kU32)
  WASMGPU_MAX_LIMIT(maxBindGroupsPlusVertexBuffers, kU32)
  WASMGPU_MAX_LIMIT(maxBindingsPerBindGroup, kU32)
  WASMGPU_MAX_LIMIT(maxDynamicUniformBuffersPerPipelineLayout, kU32)
  WASMGPU_MAX_LIMIT(maxDynamicStorageBuffersPerPipelineLayout, kU32)
  WASMGPU_MAX_LIMIT(maxSampledTexturesPerShaderStage, kU32)
  WASMGPU_MAX_LIMIT(maxSamplersPerShaderStage, kU32)
  WASMGPU_MAX_LIMIT(maxStorageBuffersPerShaderStage, kU32)
  WASMGPU_MAX_LIMIT(maxStorageTexturesPerShaderStage, kU32)
  WASMGPU_MAX_LIMIT(maxUniformBuffersPerShaderStage, kU32)
  WASMGPU_MAX_LIMIT(maxUniformBufferBindingSize, kU64)
  WASMGPU_MAX_LIMIT(maxStorageBufferBindingSize, kU64)
  WASMGPU_ALIGN_LIMIT(minUniformBufferOffsetAlignment)
  WASMGPU_ALIGN_LIMIT(minStorageBufferOffsetAlignment)
  WASMGPU_MAX_LIMIT(maxVertexBuffers, kU32)
  WASMGPU_MAX_LIMIT(maxBufferSize, kU64)
  WASMGPU_MAX_LIMIT(maxVertexAttributes, kU32)
  WASMGPU_MAX_LIMIT(maxVertexBufferArrayStride, kU32)
  WASMGPU_MAX_LIMIT(maxInterStageShaderVariables, kU32)
  WASMGPU_MAX_LIMIT(maxColorAttachments, kU32)
  WASMGPU_MAX_LIMIT(maxColorAttachmentBytesPerSample, kU32)
  WASMGPU_MAX_LIMIT(maxComputeWorkgroupStorageSize, kU32)
  WASMGPU_MAX_LIMIT(maxComputeInvocationsPerWorkgroup, kU32)
  WASMGPU_MAX_LIMIT(maxComputeWorkgroupSizeX, kU32)
  WASMGPU_MAX_LIMIT(maxComputeWorkgroupSizeY, kU32)
  WASMGPU_MAX_LIMIT(maxComputeWorkgroupSizeZ, kU32)
  WASMGPU_MAX_LIMIT(maxComputeWorkgroupsPerDimension, kU32)
  WASMGPU_MAX_LIMIT(maxImmediateSize, kU32)
#undef WASMGPU_MAX_LIMIT
#undef WASMGPU_ALIGN_LIMIT
  return result;
}

}  // namespace wasmgpu::gpu
