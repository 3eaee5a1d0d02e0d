// The one file that knows wasm2c 1.0.32's name mangling. Everything the engine needs from a
// compiled module goes through the ModuleDesc of abi.h, which the shim below fills in.
#include "wasm/codegen.h"

#include <wabt/c-writer.h>
#include <wabt/ir.h>
#include <wabt/stream.h>

#include <set>

namespace wasmgpu::wasm {
namespace {

// The name given to wasm2c for every module, so the symbols are predictable: Z_m_instantiate...
constexpr char kModuleName[] = "m";
// Exports added to the IR so the shim can reach the memory and the table without knowing the
// (debug-name-dependent) field names wasm2c gives them inside the instance struct.
constexpr char kMemoryExport[] = "__wasmgpu_memory";
constexpr char kTableExport[] = "__wasmgpu_table";

// wasm2c 1.0.32, CWriter::MangleName: "Z_" then the name with every byte that is not [A-Za-z0-9_]
// or that is 'Z' written as 'Z' and two upper-case hex digits.
std::string Mangle(std::string_view name) {
  std::string out = "Z_";
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    bool plain = (std::isalnum(u) != 0 && c != 'Z') || c == '_';
    if (plain && u < 0x80) {
      out += c;
    } else {
      out += fmt::format("Z{:02X}", u);
    }
  }
  return out;
}

std::string ExportSymbol(std::string_view export_name) {
  return Mangle(kModuleName) + Mangle(export_name);
}

const char* CType(ValType t) {
  switch (t) {
    case ValType::kI32: return "u32";
    case ValType::kI64: return "u64";
    case ValType::kF32: return "f32";
    case ValType::kF64: return "f64";
  }
  return "void";
}

// A C string literal for arbitrary bytes (octal escapes never swallow following digits).
std::string CString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && c != '"' && c != '\\' && c != '?') {
      out += c;
    } else {
      out += fmt::format("\\{:03o}", u);
    }
  }
  out += '"';
  return out;
}

void ReplaceAll(std::string* s, std::string_view from, std::string_view to) {
  for (size_t at = s->find(from); at != std::string::npos; at = s->find(from, at + to.size())) {
    s->replace(at, from.size(), to);
  }
}

// f32.demote_f64 and f64.promote_f32 come out of wasm2c 1.0.32 as "(f32)wasm_quiet(x)" and
// "(f64)wasm_quietf(x)": a NaN test and branch before each conversion, so that a signalling NaN
// becomes quiet. On x86-64 (cvtsd2ss/cvtss2sd) and AArch64 (fcvt) the conversion instruction
// itself returns the quiet NaN with the same truncated/extended payload, so the test is
// redundant there; in float-heavy loops (dot products accumulated in double) it cost ~20 %.
void DropRedundantNanQuieting(std::string* source) {
#if defined(__x86_64__) || defined(__aarch64__)
  ReplaceAll(source, "(f32)wasm_quiet(", "(f32)(");
  ReplaceAll(source, "(f64)wasm_quietf(", "(f64)(");
#else
  (void)source;
#endif
}

Status AddExport(wabt::Module& m, const char* name, wabt::ExternalKind kind) {
  if (m.GetExport(name) != nullptr) {
    return ValidationError("The module exports the reserved name '{}'.", name);
  }
  auto field = std::make_unique<wabt::ExportModuleField>();
  field->export_.name = name;
  field->export_.kind = kind;
  field->export_.var = wabt::Var(0, wabt::Location());
  m.AppendField(std::move(field));
  return {};
}

// Mirrors abi.h.
constexpr char kShimPrelude[] = R"(
/* ---- wasmgpu ABI shim (src/wasm/codegen.cpp, ABI version 1) ---- */
#include <stddef.h>
typedef void (*wasmgpu_fn)(void);
typedef struct { void* instance; const wasmgpu_fn* fns; } wasmgpu_import_ctx;
typedef struct { const char* module; const char* name; const char* type; } wasmgpu_import_desc;
typedef struct { const char* name; const char* type; wasmgpu_fn fn; } wasmgpu_export_desc;
typedef struct {
  unsigned abi_version;
  unsigned num_imports;
  const wasmgpu_import_desc* imports;
  unsigned num_exports;
  const wasmgpu_export_desc* exports;
  size_t instance_size;
  void (*init_module)(void);
  void (*instantiate)(void*, wasmgpu_import_ctx*);
  void (*free)(void*);
  wasm_rt_memory_t* (*memory)(void*);
  wasm_rt_funcref_table_t* (*table)(void*);
} wasmgpu_module_desc;
#define WASMGPU_CTX(p) ((const wasmgpu_import_ctx*)(const void*)(p))
)";

}  // namespace

std::string WasmNameOfSymbol(std::string_view symbol) {
  std::string name(symbol);
  // wasm2c 1.0.32 names a module's functions "w2c_" + the (legalized) wasm name.
  if (name.rfind("w2c_", 0) == 0) name = name.substr(4);
  if (size_t dot = name.find('.'); dot != std::string::npos) name.resize(dot);
  return name;
}

Result<GeneratedC> GenerateC(ParsedModule& module) {
  wabt::Module& m = module.ir();
  bool has_memory = !m.memories.empty();
  bool has_table = !m.tables.empty() && m.tables[0]->elem_type == wabt::Type::FuncRef;
  if (has_memory) TRY(AddExport(m, kMemoryExport, wabt::ExternalKind::Memory));
  if (has_table) TRY(AddExport(m, kTableExport, wabt::ExternalKind::Table));

  wabt::MemoryStream c_stream;
  wabt::MemoryStream h_stream;
  wabt::WriteCOptions options;
  options.module_name = kModuleName;
  if (wabt::Failed(wabt::WriteC(&c_stream, &h_stream, kGeneratedHeaderName, &m, options))) {
    return MakeError(ErrorKind::kInternal, "wasm2c could not translate the module.");
  }
  GeneratedC out;
  const auto& h = h_stream.output_buffer().data;
  const auto& c = c_stream.output_buffer().data;
  out.header.assign(h.begin(), h.end());
  out.source.assign(c.begin(), c.end());

  std::string& s = out.source;
  DropRedundantNanQuieting(&s);
  s += kShimPrelude;
  const std::string instance_type = Mangle(kModuleName) + "_instance_t";

  // Import thunks: wasm2c declares `R Z_modZ_name(struct Z_mod_instance_t*, params...)`; the
  // pointer it passes is our wasmgpu_import_ctx, shared by every import module.
  std::set<std::string> import_modules;
  std::set<std::string> defined;
  std::string import_table;
  const auto& imports = module.imports();
  for (size_t i = 0; i < imports.size(); ++i) {
    const ImportDecl& imp = imports[i];
    import_modules.insert(imp.module);
    import_table += fmt::format("  {{{}, {}, \"{}\"}},\n", CString(imp.module), CString(imp.name),
                                imp.type.Code());
    std::string symbol = Mangle(imp.module) + Mangle(imp.name);
    if (!defined.insert(symbol).second) continue;  // the same import twice: one thunk
    const char* ret = imp.type.results.empty() ? "void" : CType(imp.type.results[0]);
    std::string params = fmt::format("struct {}_instance_t* ctx", Mangle(imp.module));
    std::string ptr_params = "void*";
    std::string args = "WASMGPU_CTX(ctx)->instance";
    for (size_t p = 0; p < imp.type.params.size(); ++p) {
      params += fmt::format(", {} a{}", CType(imp.type.params[p]), p);
      ptr_params += fmt::format(", {}", CType(imp.type.params[p]));
      args += fmt::format(", a{}", p);
    }
    s += fmt::format("{} {}({}) {{\n  {}(({} (*)({}))WASMGPU_CTX(ctx)->fns[{}])({});\n}}\n", ret,
                     symbol, params, imp.type.results.empty() ? "" : "return ", ret, ptr_params,
                     i, args);
  }

  std::string export_table;
  for (const ExportDecl& e : module.exports()) {
    export_table += fmt::format("  {{{}, \"{}\", (wasmgpu_fn)&{}}},\n", CString(e.name),
                                e.type.Code(), ExportSymbol(e.name));
  }
  // Zero-length arrays are not C; a sentinel entry keeps the tables valid and is never counted.
  s += fmt::format("static const wasmgpu_import_desc wasmgpu_imports[] = {{\n{}  {{0, 0, 0}}\n}};\n",
                   import_table);
  s += fmt::format("static const wasmgpu_export_desc wasmgpu_exports[] = {{\n{}  {{0, 0, 0}}\n}};\n",
                   export_table);

  std::string instantiate_args = fmt::format("({}*)inst", instance_type);
  for (size_t i = 0; i < import_modules.size(); ++i) instantiate_args += ", (void*)ctx";
  s += fmt::format(
      "static void wasmgpu_instantiate(void* inst, wasmgpu_import_ctx* ctx) {{\n"
      "  (void)ctx;\n  {}_instantiate({});\n}}\n",
      Mangle(kModuleName), instantiate_args);
  s += fmt::format("static void wasmgpu_free(void* inst) {{ {}_free(({}*)inst); }}\n",
                   Mangle(kModuleName), instance_type);
  if (has_memory) {
    s += fmt::format(
        "static wasm_rt_memory_t* wasmgpu_memory(void* inst) {{ return {}(({}*)inst); }}\n",
        ExportSymbol(kMemoryExport), instance_type);
  }
  if (has_table) {
    s += fmt::format(
        "static wasm_rt_funcref_table_t* wasmgpu_table(void* inst) {{ return {}(({}*)inst); }}\n",
        ExportSymbol(kTableExport), instance_type);
  }
  s += fmt::format(
      "static const wasmgpu_module_desc wasmgpu_desc = {{\n"
      "  1, {}, wasmgpu_imports, {}, wasmgpu_exports, sizeof({}),\n"
      "  {}_init_module, wasmgpu_instantiate, wasmgpu_free, {}, {}\n}};\n"
      "__attribute__((visibility(\"default\"))) const wasmgpu_module_desc* "
      "wasmgpu_module_v1(void) {{ return &wasmgpu_desc; }}\n",
      imports.size(), module.exports().size(), instance_type, Mangle(kModuleName),
      has_memory ? "wasmgpu_memory" : "NULL", has_table ? "wasmgpu_table" : "NULL");
  return out;
}

}  // namespace wasmgpu::wasm
