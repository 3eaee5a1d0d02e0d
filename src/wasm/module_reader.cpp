#include "wasm/module_reader.h"

#include <wabt/apply-names.h>
#include <wabt/binary-reader-ir.h>
#include <wabt/binary-reader-nop.h>
#include <wabt/binary-reader.h>
#include <wabt/cast.h>
#include <wabt/error.h>
#include <wabt/feature.h>
#include <wabt/generate-names.h>
#include <wabt/ir.h>
#include <wabt/validator.h>

#include <optional>

namespace wasmgpu::wasm {
namespace {

// Walks the binary with every proposal enabled and remembers the first use of a feature that the
// wasm2c we translate with (1.0.32) cannot handle, so the refusal names the feature instead of
// showing a decoder error about an unknown opcode.
//
// It also refuses constant expressions that wabt 1.0.32's IR reader mishandles: that reader reads
// an initializer (global, element or data offset) with the instruction decoder and no check of
// what it reads, so a `block`/`if` in one, or one cut off by the end of its section, leaves its
// label stack unbalanced, and the next expression aborts the process (an assertion in
// intrusive_list::back) before the validator can refuse the module.
class FeatureScanner : public wabt::BinaryReaderNop {
 public:
  std::optional<std::string> found;    // "SIMD (opcode i8x16.add at byte offset 0x4a)"
  std::optional<std::string> invalid;  // why the module is not valid WebAssembly

  // Handled: decoding errors are reported by the second pass, not printed here.
  bool OnError(const wabt::Error&) override { return true; }

  wabt::Result OnOpcode(wabt::Opcode op) override {
    switch (op.GetPrefix()) {
      case 0xfd: return Found("SIMD", op);
      case 0xfe: return Found("threads (atomics)", op);
      default: break;
    }
    if (init_expr_offset_) {
      if (op == wabt::Opcode::End) {
        init_expr_ended_ = true;
      } else if (!IsConstantInstruction(op)) {
        return Invalid(fmt::format(
            "the instruction {} at byte offset {:#x} is not allowed in a constant expression",
            op.GetName(), state->offset - OpcodeLength(op)));
      }
    }
    switch (op) {
      case wabt::Opcode::Try:
      case wabt::Opcode::Catch:
      case wabt::Opcode::CatchAll:
      case wabt::Opcode::Throw:
      case wabt::Opcode::Rethrow:
      case wabt::Opcode::Delegate:
        return Found("exceptions", op);
      default:
        return wabt::Result::Ok;
    }
  }
  wabt::Result OnFuncType(wabt::Index, wabt::Index nparams, wabt::Type* params,
                          wabt::Index nresults, wabt::Type* results) override {
    for (wabt::Index i = 0; i < nparams; ++i) TRY_V128(params[i], "a function type");
    for (wabt::Index i = 0; i < nresults; ++i) TRY_V128(results[i], "a function type");
    return wabt::Result::Ok;
  }
  wabt::Result OnLocalDecl(wabt::Index, wabt::Index, wabt::Type type) override {
    TRY_V128(type, "a local");
    return wabt::Result::Ok;
  }
  wabt::Result BeginGlobal(wabt::Index, wabt::Type type, bool) override {
    TRY_V128(type, "a global");
    return wabt::Result::Ok;
  }
  wabt::Result OnOpcodeBlockSig(wabt::Type type) override {
    TRY_V128(type, "a block type");
    return wabt::Result::Ok;
  }
  wabt::Result OnImportMemory(wabt::Index, std::string_view, std::string_view, wabt::Index,
                              const wabt::Limits* limits) override {
    return Memory(limits);
  }
  wabt::Result OnMemory(wabt::Index, const wabt::Limits* limits) override { return Memory(limits); }
  wabt::Result BeginGlobalInitExpr(wabt::Index) override { return BeginInitExpr(); }
  wabt::Result EndGlobalInitExpr(wabt::Index) override { return EndInitExpr(); }
  wabt::Result BeginElemSegmentInitExpr(wabt::Index) override { return BeginInitExpr(); }
  wabt::Result EndElemSegmentInitExpr(wabt::Index) override { return EndInitExpr(); }
  wabt::Result BeginDataSegmentInitExpr(wabt::Index) override { return BeginInitExpr(); }
  wabt::Result EndDataSegmentInitExpr(wabt::Index) override { return EndInitExpr(); }
  wabt::Result OnTagCount(wabt::Index count) override {
    if (count > 0) return Fail("exceptions (a tag section)");
    return wabt::Result::Ok;
  }
  wabt::Result OnImportTag(wabt::Index, std::string_view, std::string_view, wabt::Index,
                           wabt::Index) override {
    return Fail("exceptions (an imported tag)");
  }

 private:
  wabt::Result TRY_V128(wabt::Type type, const char* where) {
    if (type == wabt::Type::V128 && !found) {
      found = fmt::format("SIMD (type v128 in {})", where);
    }
    return found ? wabt::Result::Error : wabt::Result::Ok;
  }
  wabt::Result Memory(const wabt::Limits* limits) {
    if (++memories_ > 1) return Fail("multi-memory (more than one memory)");
    if (limits->is_64) return Fail("memory64 (a 64-bit memory)");
    if (limits->is_shared) return Fail("threads (a shared memory)");
    return wabt::Result::Ok;
  }
  // The reader has consumed the opcode: its encoding is a prefix byte + LEB128, or one byte.
  static size_t OpcodeLength(wabt::Opcode op) {
    size_t length = 1;
    if (op.HasPrefix()) {
      for (uint32_t code = op.GetCode(); ; code >>= 7) {
        ++length;
        if (code < 0x80) break;
      }
    }
    return length;
  }
  wabt::Result Found(const char* feature, wabt::Opcode op) {
    return Fail(fmt::format("{} (opcode {} at byte offset {:#x})", feature, op.GetName(),
                            state->offset - OpcodeLength(op)));
  }
  // What a constant expression may hold: constants, global.get, ref.null, ref.func and the
  // extended-const arithmetic (which the validator then refuses with its own message).
  static bool IsConstantInstruction(wabt::Opcode op) {
    switch (op) {
      case wabt::Opcode::I32Const: case wabt::Opcode::I64Const: case wabt::Opcode::F32Const:
      case wabt::Opcode::F64Const: case wabt::Opcode::GlobalGet: case wabt::Opcode::RefNull:
      case wabt::Opcode::RefFunc: case wabt::Opcode::I32Add: case wabt::Opcode::I32Sub:
      case wabt::Opcode::I32Mul: case wabt::Opcode::I64Add: case wabt::Opcode::I64Sub:
      case wabt::Opcode::I64Mul:
        return true;
      default:
        return false;
    }
  }
  wabt::Result BeginInitExpr() {
    init_expr_offset_ = state->offset;
    init_expr_ended_ = false;
    return wabt::Result::Ok;
  }
  wabt::Result EndInitExpr() {
    const size_t at = *init_expr_offset_;
    init_expr_offset_.reset();
    if (!init_expr_ended_) {
      return Invalid(fmt::format(
          "the constant expression at byte offset {:#x} has no end (its section ends first)", at));
    }
    return wabt::Result::Ok;
  }
  wabt::Result Invalid(std::string why) {
    if (!found && !invalid) invalid = std::move(why);
    return wabt::Result::Error;
  }
  wabt::Result Fail(std::string what) {
    if (!found) found = std::move(what);
    return wabt::Result::Error;
  }
  int memories_ = 0;
  std::optional<size_t> init_expr_offset_;  // set while inside a constant expression
  bool init_expr_ended_ = false;
};

std::string DescribeErrors(const wabt::Errors& errors) {
  if (errors.empty()) return "unknown decoding error";
  const wabt::Error& e = errors.front();
  if (e.loc.offset != wabt::kInvalidOffset) {
    return fmt::format("{} (at byte offset {:#x})", e.message, e.loc.offset);
  }
  return e.message;
}

Result<ValType> ConvertType(wabt::Type type, std::string_view context) {
  switch (type) {
    case wabt::Type::I32: return ValType::kI32;
    case wabt::Type::I64: return ValType::kI64;
    case wabt::Type::F32: return ValType::kF32;
    case wabt::Type::F64: return ValType::kF64;
    default:
      return ValidationError("{} uses the value type {}, which cannot cross the host boundary.",
                             context, type.GetName());
  }
}

Result<FuncType> ConvertSig(const wabt::FuncSignature& sig, std::string_view context) {
  FuncType out;
  for (wabt::Type t : sig.param_types) {
    TRY_ASSIGN(ValType v, ConvertType(t, context));
    out.params.push_back(v);
  }
  for (wabt::Type t : sig.result_types) {
    TRY_ASSIGN(ValType v, ConvertType(t, context));
    out.results.push_back(v);
  }
  return out;
}

// wabt 1.0.32 binds each local name of the "name" custom section to the local index the file
// states, without comparing it to the function's parameter and local count; GenerateNames then
// indexes an array of that count with it (an assertion failure that aborts the host, or a heap
// overflow where assertions are off). The name section is debug information, which engines
// ignore when it is malformed, so names of locals that do not exist are dropped here.
void DropInvalidLocalNames(wabt::Module& module) {
  for (wabt::Func* func : module.funcs) {
    const wabt::Index count = func->GetNumParamsAndLocals();
    for (auto it = func->bindings.begin(); it != func->bindings.end();) {
      if (it->second.index >= count) {
        it = func->bindings.erase(it);
      } else {
        ++it;
      }
    }
  }
}

// wabt 1.0.32 decodes a table or element type of 0x6b, a typed function reference, without the
// function-references proposal enabled, and its validator accepts it, but wasm2c's writer aborts
// the process on any table type other than funcref and externref (found by fuzzing: a 14-byte
// module did it).
// The byte that encodes a type in the binary format (wabt keeps it as a negative number).
unsigned TypeCode(wabt::Type type) {
  return static_cast<unsigned>(static_cast<int32_t>(static_cast<wabt::Type::Enum>(type))) & 0x7f;
}

Status CheckReferenceTypes(const wabt::Module& m) {
  auto supported = [](wabt::Type t) {
    return t == wabt::Type::FuncRef || t == wabt::Type::ExternRef;
  };
  for (size_t i = 0; i < m.tables.size(); ++i) {
    if (!supported(m.tables[i]->elem_type)) {
      return ValidationError(
          "The module uses typed function references (table {} has element type {:#x}), which "
          "wasmgpu does not support (its wasm2c translator lacks it).",
          i, TypeCode(m.tables[i]->elem_type));
    }
  }
  for (size_t i = 0; i < m.elem_segments.size(); ++i) {
    if (!supported(m.elem_segments[i]->elem_type)) {
      return ValidationError(
          "The module uses typed function references (element segment {} has element type "
          "{:#x}), which wasmgpu does not support (its wasm2c translator lacks it).",
          i, TypeCode(m.elem_segments[i]->elem_type));
    }
  }
  return {};
}

const char* KindName(wabt::ExternalKind kind) {
  switch (kind) {
    case wabt::ExternalKind::Func: return "function";
    case wabt::ExternalKind::Table: return "table";
    case wabt::ExternalKind::Memory: return "memory";
    case wabt::ExternalKind::Global: return "global";
    case wabt::ExternalKind::Tag: return "tag";
  }
  return "item";
}

}  // namespace

ParsedModule::ParsedModule() = default;
ParsedModule::~ParsedModule() = default;
ParsedModule::ParsedModule(ParsedModule&&) noexcept = default;
ParsedModule& ParsedModule::operator=(ParsedModule&&) noexcept = default;

Result<ParsedModule> ParseModule(const uint8_t* data, size_t size) {
  if (size < 8 || data[0] != 0 || data[1] != 'a' || data[2] != 's' || data[3] != 'm') {
    return ValidationError(
        "The file is not a WebAssembly module: it is {} bytes long and does not start with the "
        "magic number \\0asm.",
        size);
  }
  // Pass 1: name the unsupported feature, if any, before the real decoder rejects it vaguely.
  {
    wabt::Features all;
    all.EnableAll();
    wabt::ReadBinaryOptions options(all, nullptr, /*read_debug_names=*/false,
                                    /*stop_on_first_error=*/true,
                                    /*fail_on_custom_section_error=*/false);
    FeatureScanner scanner;
    wabt::Result r = wabt::ReadBinary(data, size, &scanner, options);
    if (scanner.found) {
      return ValidationError(
          "The module uses {}, which wasmgpu does not support (its wasm2c translator lacks it).",
          *scanner.found);
    }
    if (scanner.invalid) {
      return ValidationError("The module is not valid WebAssembly: {}.", *scanner.invalid);
    }
    (void)r;  // Decoding errors are reported by pass 2 with the features we do support.
  }

  // Pass 2: decode into IR and validate with the features wasm2c 1.0.32 translates.
  wabt::Features features;
  features.disable_simd();
  wabt::ReadBinaryOptions options(features, nullptr, /*read_debug_names=*/true,
                                  /*stop_on_first_error=*/true,
                                  /*fail_on_custom_section_error=*/false);
  ParsedModule out;
  out.ir_ = std::make_unique<wabt::Module>();
  wabt::Errors errors;
  if (wabt::Failed(wabt::ReadBinaryIr("module.wasm", data, size, options, &errors,
                                      out.ir_.get()))) {
    return ValidationError("The module is not valid WebAssembly: {}.", DescribeErrors(errors));
  }
  wabt::ValidateOptions validate(features);
  if (wabt::Failed(wabt::ValidateModule(out.ir_.get(), &errors, validate))) {
    return ValidationError("The module is not valid WebAssembly: {}.", DescribeErrors(errors));
  }
  DropInvalidLocalNames(*out.ir_);
  if (wabt::Failed(wabt::GenerateNames(out.ir_.get()))) {
    return MakeError(ErrorKind::kInternal, "Naming the module's functions failed.");
  }
  (void)wabt::ApplyNames(out.ir_.get());  // Only fails on indices the validator already refused.

  wabt::Module& m = *out.ir_;
  TRY(CheckReferenceTypes(m));
  for (const wabt::Import* import : m.imports) {
    if (import->kind() != wabt::ExternalKind::Func) {
      return ValidationError(
          "The module imports a {} '{}'.'{}'; wasmgpu only provides function imports.",
          KindName(import->kind()), import->module_name, import->field_name);
    }
    const auto* func_import = wabt::cast<wabt::FuncImport>(import);
    std::string context = fmt::format("The import '{}'.'{}'", import->module_name,
                                      import->field_name);
    TRY_ASSIGN(FuncType type, ConvertSig(func_import->func.decl.sig, context));
    if (type.results.size() > 1) {
      return ValidationError("{} returns {} values; host functions return at most one.", context,
                             type.results.size());
    }
    out.imports_.push_back({import->module_name, import->field_name, std::move(type)});
  }
  for (const wabt::Export* e : m.exports) {
    if (e->kind != wabt::ExternalKind::Func) continue;
    const wabt::Func* func = m.GetFunc(e->var);
    if (func == nullptr) continue;
    std::string context = fmt::format("The export '{}'", e->name);
    Result<FuncType> type = ConvertSig(func->decl.sig, context);
    // Exports with reference types or several results stay callable from inside the module but
    // not from the host; they are left out of the host's export table.
    if (!type.ok() || type->results.size() > 1) continue;
    out.exports_.push_back({e->name, std::move(type).value()});
  }
  for (const wabt::Func* f : m.funcs) out.code_size_ += f->exprs.size();
  return out;
}

}  // namespace wasmgpu::wasm
