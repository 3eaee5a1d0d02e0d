#include "gpu/compute_pipeline.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <map>

#include "gpu/device.h"
#include "gpu/shader_module.h"

namespace wasmgpu::gpu {
namespace {

const char* KindName(SpirvResource::Kind kind) {
  switch (kind) {
    case SpirvResource::kUniform: return "uniform buffer";
    case SpirvResource::kStorage: return "read-write storage buffer";
    default: return "read-only storage buffer";
  }
}

// The bits Vulkan specialization wants for `value` as constant `c`, or an error when the value
// is not representable (WebGPU's rule for pipeline-overridable constants).
Result<uint64_t> ConvertConstant(const SpirvSpecConstant& c, double value, const std::string& key) {
  if (!std::isfinite(value)) {
    return ValidationError("Constant \"{}\" has a non-finite value ({}).", key, value);
  }
  switch (c.type) {
    case SpirvSpecConstant::kBool:
      return uint64_t{value != 0.0};
    case SpirvSpecConstant::kInt: {
      double lo = c.width == 64 ? -9.2233720368547758e18 : std::ldexp(-1.0, static_cast<int>(c.width) - 1);
      double hi = -lo - 1;
      if (value != std::trunc(value) || value < lo || value > hi) {
        return ValidationError("Constant \"{}\" value ({}) is not representable as a {}-bit signed "
                               "integer.", key, value, c.width);
      }
      return static_cast<uint64_t>(static_cast<int64_t>(value));
    }
    case SpirvSpecConstant::kUint: {
      double hi = c.width == 64 ? 1.8446744073709552e19 : std::ldexp(1.0, static_cast<int>(c.width)) - 1;
      if (value != std::trunc(value) || value < 0 || value > hi) {
        return ValidationError("Constant \"{}\" value ({}) is not representable as a {}-bit "
                               "unsigned integer.", key, value, c.width);
      }
      return static_cast<uint64_t>(value);
    }
    case SpirvSpecConstant::kFloat:
      if (c.width == 32) {
        if (std::fabs(value) > std::numeric_limits<float>::max()) {
          return ValidationError("Constant \"{}\" value ({}) is out of range for a 32-bit float.",
                                 key, value);
        }
        float f = static_cast<float>(value);
        uint32_t bits;
        std::memcpy(&bits, &f, 4);
        return uint64_t{bits};
      }
      if (c.width == 64) {
        uint64_t bits;
        std::memcpy(&bits, &value, 8);
        return bits;
      }
      return ValidationError("Constant \"{}\" is a {}-bit float, which cannot be overridden.", key,
                             c.width);
  }
  return uint64_t{0};
}

}  // namespace

ComputePipeline::ComputePipeline(Device* device, std::string label, bool valid)
    : DeviceObject(device, "ComputePipeline", std::move(label), valid) {}

ComputePipeline::~ComputePipeline() { vk::Destroy(device()->vk(), pipeline_); }

Status ComputePipeline::Initialize(const WGPUComputePipelineDescriptor* desc) {
  Device* d = device();
  const WGPULimits& limits = d->limits();
  auto* module = reinterpret_cast<ShaderModule*>(desc->compute.module);
  if (module == nullptr) return ValidationError("compute.module is null.");
  if (module->device() != d) return ValidationError("{} belongs to another device.", module->Name());
  if (!module->valid()) return ValidationError("{} is invalid.", module->Name());
  const SpirvModule& spirv = module->spirv();

  // Entry point.
  std::string entry_name = ToString(desc->compute.entryPoint);
  const SpirvEntryPoint* entry = nullptr;
  if (entry_name.empty()) {
    if (spirv.entry_points.size() != 1) {
      return ValidationError("compute.entryPoint is not given and {} has {} compute entry points.",
                             module->Name(), spirv.entry_points.size());
    }
    entry = &spirv.entry_points[0];
  } else {
    for (const auto& e : spirv.entry_points) {
      if (e.name == entry_name) entry = &e;
    }
    if (entry == nullptr) {
      return ValidationError("Entry point \"{}\" is not a compute entry point of {}.", entry_name,
                             module->Name());
    }
  }

  // Pipeline-overridable constants -> specialization.
  std::map<uint32_t, std::pair<uint64_t, uint32_t>> overrides;  // spec id -> (bits, bytes)
  if (desc->compute.constantCount > 0 && desc->compute.constants == nullptr) {
    return ValidationError("constantCount is {} but constants is null.", desc->compute.constantCount);
  }
  for (size_t i = 0; i < desc->compute.constantCount; ++i) {
    std::string key = ToString(desc->compute.constants[i].key);
    const SpirvSpecConstant* found = nullptr;
    bool numeric = !key.empty() && key.find_first_not_of("0123456789") == std::string::npos;
    for (const auto& c : spirv.spec_constants) {
      if (c.spec_id == UINT32_MAX) continue;
      if ((numeric && std::to_string(c.spec_id) == key) || (!numeric && c.name == key)) found = &c;
    }
    if (found == nullptr) {
      return ValidationError("Pipeline-overridable constant \"{}\" is not defined in {}.", key,
                             module->Name());
    }
    TRY_ASSIGN(uint64_t bits, ConvertConstant(*found, desc->compute.constants[i].value, key));
    uint32_t bytes = found->type == SpirvSpecConstant::kBool ? 4 : found->width / 8;
    overrides[found->spec_id] = {bits, bytes};
  }

  // Workgroup size after specialization.
  uint32_t size[3];
  for (int i = 0; i < 3; ++i) {
    size[i] = entry->local_size[i];
    int32_t id = entry->local_size_spec_id[i];
    if (id >= 0 && overrides.count(static_cast<uint32_t>(id))) {
      size[i] = static_cast<uint32_t>(overrides[static_cast<uint32_t>(id)].first);
    }
  }
  const uint32_t max_size[3] = {limits.maxComputeWorkgroupSizeX, limits.maxComputeWorkgroupSizeY,
                                limits.maxComputeWorkgroupSizeZ};
  const char* axis = "XYZ";
  for (int i = 0; i < 3; ++i) {
    if (size[i] == 0 || size[i] > max_size[i]) {
      return ValidationError("Workgroup size {} ({}) is not in [1, maxComputeWorkgroupSize{} ({})].",
                             axis[i], size[i], axis[i], max_size[i]);
    }
  }
  uint64_t invocations = uint64_t{size[0]} * size[1] * size[2];
  if (invocations > limits.maxComputeInvocationsPerWorkgroup) {
    return ValidationError("Workgroup size ({}x{}x{} = {} invocations) exceeds "
                           "maxComputeInvocationsPerWorkgroup ({}).",
                           size[0], size[1], size[2], invocations,
                           limits.maxComputeInvocationsPerWorkgroup);
  }

  // Layout.
  if (desc->layout != nullptr) {
    auto* layout = reinterpret_cast<PipelineLayout*>(desc->layout);
    if (layout->device() != d) return ValidationError("{} belongs to another device.", layout->Name());
    if (!layout->valid()) return ValidationError("{} is invalid.", layout->Name());
    for (const SpirvResource& r : spirv.resources) {
      if (r.set >= layout->groups().size()) {
        return ValidationError("The shader uses (group {}, binding {}) but {} has {} bind group "
                               "layouts.", r.set, r.binding, layout->Name(), layout->groups().size());
      }
      const BindingLayout* b = layout->groups()[r.set]->Find(r.binding);
      if (b == nullptr) {
        return ValidationError("The shader uses (group {}, binding {}), which is not in {}.", r.set,
                               r.binding, layout->Name());
      }
      bool ok = r.kind == SpirvResource::kUniform ? b->type == WGPUBufferBindingType_Uniform
                : r.kind == SpirvResource::kStorage
                    ? b->type == WGPUBufferBindingType_Storage
                    : b->type != WGPUBufferBindingType_Uniform;
      if (!ok) {
        return ValidationError("The shader declares (group {}, binding {}) as a {}, but the layout "
                               "binding has another type.", r.set, r.binding, KindName(r.kind));
      }
      if (!(b->visibility & WGPUShaderStage_Compute)) {
        return ValidationError("(group {}, binding {}) is not visible to the compute stage.", r.set,
                               r.binding);
      }
    }
    if (spirv.push_constant_size > layout->immediate_size()) {
      return ValidationError("The shader uses {} bytes of immediate data but {} has immediateSize "
                             "{}.", spirv.push_constant_size, layout->Name(),
                             layout->immediate_size());
    }
    layout_ = layout;
  } else {
    std::vector<std::vector<BindingLayout>> groups;
    for (const SpirvResource& r : spirv.resources) {
      if (r.set >= limits.maxBindGroups) {
        return ValidationError("The shader uses bind group {}, beyond maxBindGroups ({}).", r.set,
                               limits.maxBindGroups);
      }
      if (r.binding >= limits.maxBindingsPerBindGroup) {
        return ValidationError("The shader uses binding {}, beyond maxBindingsPerBindGroup ({}).",
                               r.binding, limits.maxBindingsPerBindGroup);
      }
      if (groups.size() <= r.set) groups.resize(r.set + 1);
      WGPUBufferBindingType type = r.kind == SpirvResource::kUniform ? WGPUBufferBindingType_Uniform
                                   : r.kind == SpirvResource::kStorage
                                       ? WGPUBufferBindingType_Storage
                                       : WGPUBufferBindingType_ReadOnlyStorage;
      groups[r.set].push_back({r.binding, type, false, 0, WGPUShaderStage_Compute});
    }
    std::vector<const std::vector<BindingLayout>*> raw;
    for (const auto& g : groups) raw.push_back(&g);
    TRY(ValidateBindingCounts(limits, raw));
    uint32_t immediate = (spirv.push_constant_size + 3) & ~3u;
    if (immediate > limits.maxImmediateSize) {
      return ValidationError("The shader uses {} bytes of immediate data, more than "
                             "maxImmediateSize ({}).", immediate, limits.maxImmediateSize);
    }
    std::vector<Ref<BindGroupLayout>> layouts;
    for (auto& g : groups) {
      TRY_ASSIGN(Ref<BindGroupLayout> l, BindGroupLayout::CreateFromBindings(d, std::move(g), this));
      layouts.push_back(std::move(l));
    }
    TRY_ASSIGN(layout_, PipelineLayout::CreateFromLayouts(d, std::move(layouts), immediate));
  }

  std::vector<VkSpecializationMapEntry> entries;
  std::vector<uint8_t> data;
  for (const auto& [spec_id, value] : overrides) {
    entries.push_back({spec_id, static_cast<uint32_t>(data.size()), value.second});
    data.resize(data.size() + value.second);
    std::memcpy(data.data() + entries.back().offset, &value.first, value.second);
  }
  VkSpecializationInfo spec{static_cast<uint32_t>(entries.size()), entries.data(), data.size(),
                            data.data()};
  std::string name = entry->name;
  TRY_ASSIGN(pipeline_, vk::CreateComputePipeline(d->vk(), layout_->vk_layout(), spirv.words,
                                                  name.c_str(), entries.empty() ? nullptr : &spec));
  return {};
}

Ref<ComputePipeline> ComputePipeline::Create(Device* device,
                                             const WGPUComputePipelineDescriptor* desc,
                                             Error* async_error) {
  Ref<ComputePipeline> pipeline =
      Ref<ComputePipeline>::Adopt(new ComputePipeline(device, ToString(desc->label), true));
  Status status = device->lost() ? Status(MakeError(ErrorKind::kDeviceLost, "The device is lost."))
                                 : pipeline->Initialize(desc);
  if (!status.ok()) {
    pipeline->Invalidate();
    Error error = std::move(status).error().With(
        fmt::format("While calling wgpuDeviceCreateComputePipeline({}).", pipeline->Name()));
    if (async_error != nullptr) {
      *async_error = std::move(error);
    } else if (error.kind != ErrorKind::kDeviceLost) {
      device->ConsumeError(std::move(error));
    }
  }
  return pipeline;
}

Ref<BindGroupLayout> ComputePipeline::GetBindGroupLayout(uint32_t index) {
  Device* d = device();
  Status status;
  if (!valid()) {
    status = ValidationError("{} is invalid.", Name());
  } else if (index >= d->limits().maxBindGroups) {
    status = ValidationError("Bind group index ({}) exceeds maxBindGroups ({}).", index,
                             d->limits().maxBindGroups);
  } else if (index >= layout_->groups().size()) {
    // Indices past the shader's last group have an empty layout.
    auto empty = BindGroupLayout::CreateFromBindings(d, {}, this);
    if (empty.ok()) return *empty;
    status = std::move(empty).error();
  } else {
    return layout_->groups()[index];
  }
  d->ConsumeError(std::move(status).error().With("While calling wgpuComputePipelineGetBindGroupLayout."));
  WGPUBindGroupLayoutDescriptor desc{};
  Ref<BindGroupLayout> invalid = BindGroupLayout::Create(d, &desc);
  // Mark it invalid without reporting a second error.
  return BindGroupLayout::MakeInvalid(std::move(invalid));
}

}  // namespace wasmgpu::gpu
