#include "gpu/spirv.h"

#include <spirv-tools/libspirv.h>
#include <spirv/unified1/spirv.hpp>
#include <vulkan/vulkan.h>

#include <cstring>
#include <unordered_map>
#include <unordered_set>

namespace wasmgpu::gpu {
namespace {

struct TypeInfo {
  uint32_t opcode = 0;
  std::vector<uint32_t> operands;  // words after the result id
};

struct MemberDecorations {
  std::map<uint32_t, uint32_t> offset;        // member -> Offset
  std::map<uint32_t, uint32_t> matrix_stride;  // member -> MatrixStride
  std::unordered_set<uint32_t> non_writable;
};

struct Parser {
  SpirvOptions options;
  std::string error;  // first rule violation

  std::unordered_map<uint32_t, TypeInfo> types;
  std::unordered_map<uint32_t, uint32_t> result_types;  // id -> type id
  std::unordered_map<uint32_t, uint64_t> constants;     // id -> literal bits (scalars)
  std::unordered_map<uint32_t, std::vector<uint32_t>> composites;  // (spec) constant composites
  std::unordered_map<uint32_t, std::string> names;
  std::unordered_map<uint32_t, uint32_t> set_of, binding_of, spec_id_of, array_stride;
  std::unordered_set<uint32_t> block, buffer_block, non_writable_var;
  std::unordered_map<uint32_t, MemberDecorations> members;
  uint32_t workgroup_size_id = 0;
  struct Var { uint32_t id, pointer_type, storage_class; };
  std::vector<Var> variables;
  struct Entry { uint32_t function; std::string name; };
  std::vector<Entry> entries;
  std::unordered_map<uint32_t, SpirvEntryPoint> local_sizes;  // function id -> sizes
  std::vector<SpirvSpecConstant> spec_constants;

  void Fail(std::string message) {
    if (error.empty()) error = std::move(message);
  }

  bool IsPointer(uint32_t type_id) const {
    auto it = types.find(type_id);
    return it != types.end() && it->second.opcode == spv::OpTypePointer;
  }

  void CheckCapability(uint32_t cap) {
    auto need = [&](bool ok, const char* what) {
      if (!ok) Fail(fmt::format("SPIR-V capability {} needs {}, which is not enabled.", cap, what));
    };
    switch (cap) {
      case spv::CapabilityMatrix:
      case spv::CapabilityShader:
        return;
      case spv::CapabilityFloat16: return need(options.shader_f16, "the ShaderF16 feature");
      case spv::CapabilityStorageBuffer16BitAccess:
      case spv::CapabilityUniformAndStorageBuffer16BitAccess:
      case spv::CapabilityStoragePushConstant16:
        return need(options.storage_16bit, "16-bit storage support");
      case spv::CapabilityInt8: return need(options.int8, "shaderInt8 support");
      case spv::CapabilityStorageBuffer8BitAccess:
      case spv::CapabilityUniformAndStorageBuffer8BitAccess:
      case spv::CapabilityStoragePushConstant8:
        return need(options.storage_8bit, "8-bit storage support");
      case spv::CapabilityInt16: return need(options.int16, "shaderInt16 support");
      case spv::CapabilityInt64: return need(options.int64, "shaderInt64 support");
      case spv::CapabilityFloat64: return need(options.float64, "shaderFloat64 support");
      case spv::CapabilityGroupNonUniform:
      case spv::CapabilityGroupNonUniformVote:
      case spv::CapabilityGroupNonUniformArithmetic:
      case spv::CapabilityGroupNonUniformBallot:
      case spv::CapabilityGroupNonUniformShuffle:
      case spv::CapabilityGroupNonUniformShuffleRelative:
        return need(options.subgroups, "the Subgroups feature");
      case spv::CapabilityDotProductInputAll:
      case spv::CapabilityDotProductInput4x8Bit:
      case spv::CapabilityDotProductInput4x8BitPacked:
      case spv::CapabilityDotProduct:
        return need(options.integer_dot_product, "the ShaderIntegerDotProduct feature");
      case spv::CapabilityVulkanMemoryModel:
      case spv::CapabilityVulkanMemoryModelDeviceScope:
        return need(options.vulkan_memory_model, "vulkanMemoryModel support");
      case spv::CapabilityAddresses:
        return Fail("SPIR-V capability Addresses is not allowed: only Logical addressing is.");
      case spv::CapabilityPhysicalStorageBufferAddresses:
        return Fail("SPIR-V capability PhysicalStorageBufferAddresses is not allowed: shaders may "
                    "not form pointers from integers.");
      case spv::CapabilityVariablePointers:
      case spv::CapabilityVariablePointersStorageBuffer:
        return Fail(fmt::format("SPIR-V capability {} is not allowed.",
                                cap == spv::CapabilityVariablePointers
                                    ? "VariablePointers"
                                    : "VariablePointersStorageBuffer"));
      default:
        return Fail(fmt::format("SPIR-V capability {} is not supported by wasmgpu.", cap));
    }
  }

  static std::string LiteralString(const uint32_t* words, size_t max_words) {
    const char* s = reinterpret_cast<const char*>(words);
    return std::string(s, strnlen(s, max_words * 4));
  }

  void Instruction(const spv_parsed_instruction_t* inst) {
    const uint32_t* w = inst->words;
    uint32_t op = inst->opcode;
    if (inst->result_id != 0 && inst->type_id != 0) result_types[inst->result_id] = inst->type_id;
    switch (op) {
      case spv::OpCapability: CheckCapability(w[1]); break;
      case spv::OpMemoryModel:
        if (w[1] != spv::AddressingModelLogical) {
          Fail(fmt::format("SPIR-V addressing model {} is not allowed: only Logical is.", w[1]));
        }
        break;
      case spv::OpName: names[w[1]] = LiteralString(w + 2, inst->num_words - 2); break;
      case spv::OpEntryPoint:
        if (w[1] == spv::ExecutionModelGLCompute) {
          entries.push_back({w[2], LiteralString(w + 3, inst->num_words - 3)});
        }
        break;
      case spv::OpExecutionMode:
        if (w[2] == spv::ExecutionModeLocalSize) {
          SpirvEntryPoint& e = local_sizes[w[1]];
          for (int i = 0; i < 3; ++i) e.local_size[i] = w[3 + i];
        }
        break;
      case spv::OpDecorate:
        switch (w[2]) {
          case spv::DecorationDescriptorSet: set_of[w[1]] = w[3]; break;
          case spv::DecorationBinding: binding_of[w[1]] = w[3]; break;
          case spv::DecorationSpecId: spec_id_of[w[1]] = w[3]; break;
          case spv::DecorationBlock: block.insert(w[1]); break;
          case spv::DecorationBufferBlock: buffer_block.insert(w[1]); break;
          case spv::DecorationArrayStride: array_stride[w[1]] = w[3]; break;
          case spv::DecorationNonWritable: non_writable_var.insert(w[1]); break;
          case spv::DecorationBuiltIn:
            if (w[3] == spv::BuiltInWorkgroupSize) workgroup_size_id = w[1];
            break;
          default: break;
        }
        break;
      case spv::OpMemberDecorate:
        switch (w[3]) {
          case spv::DecorationOffset: members[w[1]].offset[w[2]] = w[4]; break;
          case spv::DecorationMatrixStride: members[w[1]].matrix_stride[w[2]] = w[4]; break;
          case spv::DecorationNonWritable: members[w[1]].non_writable.insert(w[2]); break;
          default: break;
        }
        break;
      case spv::OpTypeBool: case spv::OpTypeInt: case spv::OpTypeFloat: case spv::OpTypeVector:
      case spv::OpTypeMatrix: case spv::OpTypeArray: case spv::OpTypeRuntimeArray:
      case spv::OpTypeStruct: case spv::OpTypePointer: {
        TypeInfo t;
        t.opcode = op;
        t.operands.assign(w + 2, w + inst->num_words);
        types[w[1]] = std::move(t);
        if (op == spv::OpTypePointer && w[2] == spv::StorageClassPhysicalStorageBuffer) {
          Fail("SPIR-V PhysicalStorageBuffer pointers are not allowed.");
        }
        break;
      }
      case spv::OpTypeForwardPointer:
        Fail("SPIR-V OpTypeForwardPointer is not allowed.");
        break;
      case spv::OpConstant:
      case spv::OpSpecConstant: {
        uint64_t bits = w[3];
        if (inst->num_words > 4) bits |= uint64_t{w[4]} << 32;
        constants[w[2]] = bits;
        if (op == spv::OpSpecConstant) AddSpecConstant(w[2], w[1], bits);
        break;
      }
      case spv::OpConstantTrue: case spv::OpConstantFalse:
        constants[w[2]] = op == spv::OpConstantTrue;
        break;
      case spv::OpSpecConstantTrue: case spv::OpSpecConstantFalse:
        constants[w[2]] = op == spv::OpSpecConstantTrue;
        AddSpecConstant(w[2], w[1], op == spv::OpSpecConstantTrue);
        break;
      case spv::OpConstantComposite: case spv::OpSpecConstantComposite:
        composites[w[2]].assign(w + 3, w + inst->num_words);
        break;
      case spv::OpVariable:
        variables.push_back({w[2], w[1], w[3]});
        break;
      case spv::OpConvertPtrToU: case spv::OpConvertUToPtr: case spv::OpPtrCastToGeneric:
      case spv::OpGenericCastToPtr: case spv::OpGenericCastToPtrExplicit:
        Fail(fmt::format("SPIR-V pointer conversion (opcode {}) is not allowed.", op));
        break;
      case spv::OpBitcast: {
        uint32_t operand_type = result_types.count(w[3]) ? result_types[w[3]] : 0;
        if (IsPointer(w[1]) || IsPointer(operand_type)) {
          Fail("SPIR-V OpBitcast of a pointer is not allowed (pointer casts).");
        }
        break;
      }
      default: break;
    }
  }

  void AddSpecConstant(uint32_t id, uint32_t type_id, uint64_t bits) {
    SpirvSpecConstant c;
    c.id = id;
    c.default_bits = bits;
    auto it = types.find(type_id);
    if (it != types.end()) {
      const TypeInfo& t = it->second;
      if (t.opcode == spv::OpTypeBool) {
        c.type = SpirvSpecConstant::kBool;
      } else if (t.opcode == spv::OpTypeFloat) {
        c.type = SpirvSpecConstant::kFloat;
        c.width = t.operands[0];
      } else if (t.opcode == spv::OpTypeInt) {
        c.type = t.operands[1] ? SpirvSpecConstant::kInt : SpirvSpecConstant::kUint;
        c.width = t.operands[0];
      }
    }
    spec_constants.push_back(c);
  }

  // Size in bytes of a type inside an explicitly laid-out block (0 for runtime arrays).
  uint64_t SizeOf(uint32_t type_id, uint32_t matrix_stride, int depth = 0) {
    auto it = types.find(type_id);
    if (it == types.end() || depth > 32) return 0;
    const TypeInfo& t = it->second;
    switch (t.opcode) {
      case spv::OpTypeBool: return 4;
      case spv::OpTypeInt: case spv::OpTypeFloat: return t.operands[0] / 8;
      case spv::OpTypeVector: return t.operands[1] * SizeOf(t.operands[0], 0, depth + 1);
      case spv::OpTypeMatrix:
        return t.operands[1] * (matrix_stride ? matrix_stride : SizeOf(t.operands[0], 0, depth + 1));
      case spv::OpTypeArray: {
        uint64_t length = constants.count(t.operands[1]) ? constants[t.operands[1]] : 0;
        uint64_t stride = array_stride.count(type_id) ? array_stride[type_id]
                                                      : SizeOf(t.operands[0], 0, depth + 1);
        return length * stride;
      }
      case spv::OpTypeStruct: {
        uint64_t size = 0;
        MemberDecorations& m = members[type_id];
        for (uint32_t i = 0; i < t.operands.size(); ++i) {
          uint64_t offset = m.offset.count(i) ? m.offset[i] : size;
          uint32_t stride = m.matrix_stride.count(i) ? m.matrix_stride[i] : 0;
          size = std::max(size, offset + SizeOf(t.operands[i], stride, depth + 1));
        }
        return size;
      }
      default: return 0;
    }
  }

  Status Finish(SpirvModule* out) {
    if (!error.empty()) return ValidationError("{}", error);
    for (const Var& v : variables) {
      auto pt = types.find(v.pointer_type);
      if (pt == types.end()) continue;
      uint32_t pointee = pt->second.operands[1];
      // Descriptor arrays are not part of WebGPU's buffer bindings.
      auto ptee = types.find(pointee);
      if (v.storage_class == spv::StorageClassPushConstant) {
        out->push_constant_size = static_cast<uint32_t>(SizeOf(pointee, 0));
        continue;
      }
      bool uniform_class = v.storage_class == spv::StorageClassUniform;
      bool storage_class = v.storage_class == spv::StorageClassStorageBuffer;
      if (v.storage_class == spv::StorageClassUniformConstant) {
        return ValidationError("Shader variable {} is an image or sampler; wasmgpu supports "
                               "buffer bindings only.",
                               names.count(v.id) ? names[v.id] : fmt::format("%{}", v.id));
      }
      if (!uniform_class && !storage_class) continue;
      if (ptee == types.end() || ptee->second.opcode != spv::OpTypeStruct) {
        return ValidationError("Shader variable {} is an array of buffers; wasmgpu supports "
                               "single buffer bindings only.",
                               names.count(v.id) ? names[v.id] : fmt::format("%{}", v.id));
      }
      SpirvResource r;
      r.set = set_of.count(v.id) ? set_of[v.id] : 0;
      r.binding = binding_of.count(v.id) ? binding_of[v.id] : 0;
      bool is_storage = storage_class || buffer_block.count(pointee);
      if (!is_storage) {
        r.kind = SpirvResource::kUniform;
      } else {
        MemberDecorations& m = members[pointee];
        bool all_readonly = non_writable_var.count(v.id) > 0 ||
                            m.non_writable.size() == ptee->second.operands.size();
        r.kind = all_readonly ? SpirvResource::kReadOnlyStorage : SpirvResource::kStorage;
      }
      out->resources.push_back(r);
    }
    for (SpirvSpecConstant& c : spec_constants) {
      c.spec_id = spec_id_of.count(c.id) ? spec_id_of[c.id] : UINT32_MAX;
      if (names.count(c.id)) c.name = names[c.id];
    }
    out->spec_constants = std::move(spec_constants);
    for (const Entry& e : entries) {
      SpirvEntryPoint ep = local_sizes.count(e.function) ? local_sizes[e.function] : SpirvEntryPoint{};
      ep.name = e.name;
      // A WorkgroupSize built-in overrides LocalSize; its components may be spec constants.
      if (workgroup_size_id != 0 && composites.count(workgroup_size_id)) {
        const auto& parts = composites[workgroup_size_id];
        for (size_t i = 0; i < 3 && i < parts.size(); ++i) {
          ep.local_size[i] = static_cast<uint32_t>(constants[parts[i]]);
          if (spec_id_of.count(parts[i])) ep.local_size_spec_id[i] = static_cast<int32_t>(spec_id_of[parts[i]]);
        }
      }
      out->entry_points.push_back(std::move(ep));
    }
    if (out->entry_points.empty()) {
      return ValidationError("The SPIR-V module has no GLCompute entry point.");
    }
    return {};
  }
};

spv_result_t OnInstruction(void* user, const spv_parsed_instruction_t* inst) {
  static_cast<Parser*>(user)->Instruction(inst);
  return SPV_SUCCESS;
}

std::string DiagnosticText(spv_diagnostic diagnostic) {
  if (diagnostic == nullptr || diagnostic->error == nullptr) return "unknown error";
  std::string s = diagnostic->error;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

Result<SpirvModule> ParseSpirv(std::span<const uint32_t> words, const SpirvOptions& options) {
  if (words.size() < 5 || words[0] != spv::MagicNumber) {
    return ValidationError("The SPIR-V code ({} words) does not start with the SPIR-V magic "
                           "number.", words.size());
  }
  spv_target_env env = options.vulkan_api_version >= VK_MAKE_API_VERSION(0, 1, 2, 0)
                           ? SPV_ENV_VULKAN_1_2
                           : SPV_ENV_VULKAN_1_1;
  spv_context context = spvContextCreate(env);
  spv_diagnostic diagnostic = nullptr;
  spv_const_binary_t binary{words.data(), words.size()};
  spv_result_t valid = spvValidate(context, &binary, &diagnostic);
  if (valid != SPV_SUCCESS) {
    std::string text = DiagnosticText(diagnostic);
    spvDiagnosticDestroy(diagnostic);
    spvContextDestroy(context);
    return ValidationError("SPIR-V validation failed: {}", text);
  }
  Parser parser;
  parser.options = options;
  spv_result_t parsed = spvBinaryParse(context, &parser, words.data(), words.size(), nullptr,
                                       OnInstruction, &diagnostic);
  std::string text = parsed == SPV_SUCCESS ? "" : DiagnosticText(diagnostic);
  spvDiagnosticDestroy(diagnostic);
  spvContextDestroy(context);
  if (parsed != SPV_SUCCESS) return ValidationError("SPIR-V parsing failed: {}", text);
  SpirvModule module;
  TRY(parser.Finish(&module));
  module.words.assign(words.begin(), words.end());
  return module;
}

}  // namespace wasmgpu::gpu
