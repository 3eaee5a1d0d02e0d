// SPIR-V checks and reflection. A module passes SPIRV-Tools' validator, then wasmgpu's own rules
// (DESIGN.md decision 3: Logical addressing only; no PhysicalStorageBuffer, VariablePointers or
// pointer casts; only capabilities the device enabled), and is reflected for what pipelines need:
// compute entry points and workgroup sizes, buffer resources, push constants, spec constants.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"

namespace wasmgpu::gpu {

struct SpirvResource {
  uint32_t set;
  uint32_t binding;
  enum Kind { kUniform, kStorage, kReadOnlyStorage } kind;
};

struct SpirvSpecConstant {
  uint32_t id = 0;           // result id
  uint32_t spec_id = 0;      // SpecId decoration
  std::string name;          // OpName, may be empty
  enum Type { kBool, kInt, kUint, kFloat } type = kUint;
  uint32_t width = 32;       // bits
  uint64_t default_bits = 0;
};

struct SpirvEntryPoint {
  std::string name;
  // Each workgroup dimension is a literal or refers to a spec constant (SpecId), which
  // specialization may change.
  uint32_t local_size[3] = {1, 1, 1};
  int32_t local_size_spec_id[3] = {-1, -1, -1};
};

struct SpirvOptions {
  uint32_t vulkan_api_version;  // the device's, picks the validator environment
  bool shader_f16 = false;      // WebGPU feature ShaderF16 enabled
  bool subgroups = false;       // WebGPU feature Subgroups enabled
  bool int8 = false, int16 = false, int64 = false, float64 = false;
  bool storage_8bit = false, storage_16bit = false, vulkan_memory_model = false;
  bool integer_dot_product = false;  // wasmgpu feature ShaderIntegerDotProduct enabled
};

struct SpirvModule {
  std::vector<uint32_t> words;
  std::vector<SpirvEntryPoint> entry_points;  // GLCompute ones
  std::vector<SpirvResource> resources;
  uint32_t push_constant_size = 0;  // bytes used by the push-constant block, 0 if none
  std::vector<SpirvSpecConstant> spec_constants;
};

Result<SpirvModule> ParseSpirv(std::span<const uint32_t> words, const SpirvOptions& options);

}  // namespace wasmgpu::gpu
