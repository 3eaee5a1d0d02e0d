// The one file that knows wasm2c 1.0.32's name mangling. Everything the engine needs from a
// compiled module goes through the ModuleDesc of abi.h, which the shim below fills in.
#include "wasm/codegen.h"

#include <wabt/c-writer.h>
#include <wabt/ir.h>
#include <wabt/stream.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wasm/bounds_analysis.h"

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
    case ValType::kI32:
      return "u32";
    case ValType::kI64:
      return "u64";
    case ValType::kF32:
      return "f32";
    case ValType::kF64:
      return "f64";
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

// Loads and stores on the memory base held in a local, read once per function.
//
// wasm2c 1.0.32 writes every access as `i32_load(&instance->w2c_memory, addr)`, which reads the
// base pointer `data` out of the memory struct each time. A store goes through a `u8*`, which
// may alias anything, that struct included, so after every store the C compiler must read the
// base again. Here the base never moves for the life of an instance (runtime.cpp: an 8 GiB
// reservation grown in place), so each function reads it once, at entry, into a local, and the
// accesses take that local. The accessors keep wasm2c's barrier (an empty asm that uses the
// loaded value), so a load whose value is unused still executes and still traps out of bounds.
// ~5 % less CPU on src/nn inference, ~1 % on a float matmul. Little-endian hosts only (wasm2c
// mirrors memory on big-endian ones, with other accessors).
constexpr char kBaseAccessors[] = R"(
/* ---- wasmgpu: accessors on a local memory base (src/wasm/codegen.cpp) ---- */
#define WASMGPU_DEFINE_LOAD(name, t1, t2, t3)                     \
  static inline t3 name##_b(u8* base, u64 addr) {                 \
    t1 result;                                                    \
    wasm_rt_memcpy(&result, base + addr, sizeof(t1));             \
    wasm_asm("" ::"r"(result));                                   \
    return (t3)(t2)result;                                        \
  }
#define WASMGPU_DEFINE_STORE(name, t1, t2)                        \
  static inline void name##_b(u8* base, u64 addr, t2 value) {     \
    t1 wrapped = (t1)value;                                       \
    wasm_rt_memcpy(base + addr, &wrapped, sizeof(t1));            \
  }
WASMGPU_DEFINE_LOAD(i32_load, u32, u32, u32)
WASMGPU_DEFINE_LOAD(i64_load, u64, u64, u64)
WASMGPU_DEFINE_LOAD(f32_load, f32, f32, f32)
WASMGPU_DEFINE_LOAD(f64_load, f64, f64, f64)
WASMGPU_DEFINE_LOAD(i32_load8_s, s8, s32, u32)
WASMGPU_DEFINE_LOAD(i64_load8_s, s8, s64, u64)
WASMGPU_DEFINE_LOAD(i32_load8_u, u8, u32, u32)
WASMGPU_DEFINE_LOAD(i64_load8_u, u8, u64, u64)
WASMGPU_DEFINE_LOAD(i32_load16_s, s16, s32, u32)
WASMGPU_DEFINE_LOAD(i64_load16_s, s16, s64, u64)
WASMGPU_DEFINE_LOAD(i32_load16_u, u16, u32, u32)
WASMGPU_DEFINE_LOAD(i64_load16_u, u16, u64, u64)
WASMGPU_DEFINE_LOAD(i64_load32_s, s32, s64, u64)
WASMGPU_DEFINE_LOAD(i64_load32_u, u32, u64, u64)
WASMGPU_DEFINE_STORE(i32_store, u32, u32)
WASMGPU_DEFINE_STORE(i64_store, u64, u64)
WASMGPU_DEFINE_STORE(f32_store, f32, f32)
WASMGPU_DEFINE_STORE(f64_store, f64, f64)
WASMGPU_DEFINE_STORE(i32_store8, u8, u32)
WASMGPU_DEFINE_STORE(i32_store16, u16, u32)
WASMGPU_DEFINE_STORE(i64_store8, u8, u64)
WASMGPU_DEFINE_STORE(i64_store16, u16, u64)
WASMGPU_DEFINE_STORE(i64_store32, u32, u64)
/* Loads without the barrier, only for accesses proven in bounds (bounds_analysis.h): such a
   load cannot trap, so the compiler may delete, hoist or vectorize it. */
#define WASMGPU_DEFINE_LOAD_NB(name, t1, t2, t3)                  \
  static inline t3 name##_nb(const u8* base, u64 addr) {          \
    t1 result;                                                    \
    wasm_rt_memcpy(&result, base + addr, sizeof(t1));             \
    return (t3)(t2)result;                                        \
  }
WASMGPU_DEFINE_LOAD_NB(i32_load, u32, u32, u32)
WASMGPU_DEFINE_LOAD_NB(i64_load, u64, u64, u64)
WASMGPU_DEFINE_LOAD_NB(f32_load, f32, f32, f32)
WASMGPU_DEFINE_LOAD_NB(f64_load, f64, f64, f64)
WASMGPU_DEFINE_LOAD_NB(i32_load8_s, s8, s32, u32)
WASMGPU_DEFINE_LOAD_NB(i64_load8_s, s8, s64, u64)
WASMGPU_DEFINE_LOAD_NB(i32_load8_u, u8, u32, u32)
WASMGPU_DEFINE_LOAD_NB(i64_load8_u, u8, u64, u64)
WASMGPU_DEFINE_LOAD_NB(i32_load16_s, s16, s32, u32)
WASMGPU_DEFINE_LOAD_NB(i64_load16_s, s16, s64, u64)
WASMGPU_DEFINE_LOAD_NB(i32_load16_u, u16, u32, u32)
WASMGPU_DEFINE_LOAD_NB(i64_load16_u, u16, u64, u64)
WASMGPU_DEFINE_LOAD_NB(i64_load32_s, s32, s64, u64)
WASMGPU_DEFINE_LOAD_NB(i64_load32_u, u32, u64, u64)
)";

// True for the names of wasm2c's scalar accessors: (i32|i64|f32|f64)_(load|store)[0-9a-z_]*.
bool IsAccessorName(std::string_view name) {
  if (name.size() < 8) return false;
  std::string_view type = name.substr(0, 4);
  if (type != "i32_" && type != "i64_" && type != "f32_" && type != "f64_") return false;
  std::string_view rest = name.substr(4);
  return rest.rfind("load", 0) == 0 || rest.rfind("store", 0) == 0;
}

// Leaves `source` as it was when the C does not have the expected shape.
void UseLocalMemoryBase(std::string* source) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  const std::string& in = *source;
  constexpr std::string_view kAnchor = "DEFINE_STORE(i64_store32, u32, u64)\n";
  constexpr std::string_view kPrologue = "  FUNC_PROLOGUE;\n";
  constexpr std::string_view kArg = "(&instance->";
  size_t anchor = in.find(kAnchor);
  if (anchor == std::string::npos) return;
  anchor += kAnchor.size();
  std::string out;
  out.reserve(in.size() + in.size() / 8);
  std::string field;  // the memory's field in the instance struct; one memory only
  size_t copied = 0;
  for (size_t at = in.find(kArg, anchor); at != std::string::npos; at = in.find(kArg, at + 1)) {
    size_t name_begin = at;
    while (name_begin > 0 && (std::isalnum(static_cast<unsigned char>(in[name_begin - 1])) != 0 ||
                              in[name_begin - 1] == '_')) {
      --name_begin;
    }
    if (!IsAccessorName(std::string_view(in).substr(name_begin, at - name_begin))) continue;
    size_t field_begin = at + kArg.size();
    size_t field_end = in.find(", ", field_begin);
    if (field_end == std::string::npos) return;
    std::string_view this_field(in.data() + field_begin, field_end - field_begin);
    if (this_field.empty() ||
        this_field.find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
            std::string_view::npos) {
      return;
    }
    if (field.empty()) field = this_field;
    if (field != this_field) return;
    out.append(in, copied, at - copied);
    out += "_b(wasmgpu_mem, ";
    copied = field_end + 2;
  }
  if (field.empty()) return;  // no memory accesses: nothing to do
  out.append(in, copied, std::string::npos);
  // The accessors go right after wasm2c's own; every function reads the base after its
  // prologue (functions run only once instantiation has allocated the memory).
  out.insert(anchor, kBaseAccessors);
  std::string local = fmt::format("  u8* const wasmgpu_mem = instance->{}.data;\n", field);
  std::string with_locals;
  with_locals.reserve(out.size() + out.size() / 16);
  size_t done = 0;
  for (size_t at = out.find(kPrologue); at != std::string::npos; at = out.find(kPrologue, done)) {
    size_t end = at + kPrologue.size();
    with_locals.append(out, done, end - done);
    with_locals += local;
    done = end;
  }
  with_locals.append(out, done, std::string::npos);
  *source = std::move(with_locals);
#else
  (void)source;
#endif
}

// The fast variant of a function proven by bounds_analysis.h: "wasmgpu_fast_" + its C name.
constexpr std::string_view kFastPrefix = "wasmgpu_fast_";

bool IsIdentifierChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// "  u32 w2c_a, w2c_b = 0, w2c_c;": a declaration of i32 variables (wasm2c declares every local
// and stack variable of a function so, at its top).
bool IsU32Declaration(std::string_view line) {
  constexpr std::string_view kDecl = "  u32 w2c_";
  if (line.rfind(kDecl, 0) != 0 || line.size() < kDecl.size() + 1 || line.back() != ';') {
    return false;
  }
  for (char c : line.substr(6, line.size() - 7)) {
    if (!IsIdentifierChar(c) && c != ' ' && c != ',' && c != '=') return false;
  }
  return true;
}

// "    w2c_i3 = 4294901760u;": wasm2c's form of an i32.const (i32 stack variables are w2c_i<n>;
// i64 constants end in "ull", floats have no suffix). Returns the position of " = " and the
// value, or npos.
size_t I32ConstantAssignment(std::string_view line, uint64_t* value) {
  size_t first = line.find_first_not_of(' ');
  size_t eq = line.find(" = ");
  if (first == std::string_view::npos || eq == std::string_view::npos ||
      line.substr(first, 5) != "w2c_i" || eq == first + 5 || line.size() < eq + 5 ||
      line.substr(line.size() - 2) != "u;") {
    return std::string_view::npos;
  }
  std::string_view var = line.substr(first + 5, eq - first - 5);
  std::string_view digits = line.substr(eq + 3, line.size() - 2 - eq - 3);
  auto all_digits = [](std::string_view d) {
    return !d.empty() && d.size() <= 10 &&
           std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!all_digits(var) || !all_digits(digits)) return std::string_view::npos;
  *value = std::stoull(std::string(digits));
  return *value <= 0xffffffffu ? eq : std::string_view::npos;
}

// Applies the proofs to one function's text (its signature, `signature_size` bytes, then its
// body through the closing "}\n"). wasm2c breaks long parameter lists over several lines.
// Returns the new text: i32 variables 64-bit, loads without barrier, and, when loads and stores
// are disjoint, the body moved into a function taking the base as two restrict pointers, which
// a wrapper under the original name calls (GCC honours restrict on parameters, also once the
// call is inlined, not on local pointers).
std::string RewriteProvenFunction(std::string_view text, size_t signature_size,
                                  const FunctionProof& proof, std::string_view c_name) {
  constexpr std::string_view kMem = "_b(wasmgpu_mem, ";
  std::string body;
  body.reserve(text.size() + 256);
  size_t line_start = 0;
  while (line_start < text.size()) {
    size_t eol = text.find('\n', line_start);
    size_t line_end = eol == std::string_view::npos ? text.size() : eol + 1;
    std::string_view line = text.substr(line_start, line_end - line_start);
    std::string_view bare = line.substr(0, line.size() - (line.back() == '\n' ? 1 : 0));
    uint64_t constant = 0;
    if (IsU32Declaration(bare)) {
      body += "  u64 ";
      body += line.substr(6);
    } else if (size_t eq = I32ConstantAssignment(bare, &constant);
               eq != std::string_view::npos && constant >= 0x80000000u) {
      // The analysis models an i32 constant as its sign extension (bounds_analysis.cpp).
      body += line.substr(0, eq);
      body += fmt::format(" = {}ull;\n", constant | 0xffffffff00000000ull);
    } else {
      body += line;
    }
    line_start = line_end;
  }
  if (!ProvenRewriteIsComplete(std::string_view(body).substr(signature_size))) {
    return std::string(text);  // fail closed: wasm2c wrote something the rewrite did not expect
  }
  const char* load_base = proof.disjoint ? "wasmgpu_ld" : "wasmgpu_mem";
  const char* store_base = proof.disjoint ? "wasmgpu_st" : "wasmgpu_mem";
  std::string out;
  out.reserve(body.size() + 256);
  size_t copied = 0;
  for (size_t at = body.find(kMem); at != std::string::npos; at = body.find(kMem, at + 1)) {
    size_t name_begin = at;
    while (name_begin > 0 && IsIdentifierChar(body[name_begin - 1])) --name_begin;
    std::string_view name(body.data() + name_begin, at - name_begin);
    if (!IsAccessorName(name)) continue;
    bool load = name.find("_load") != std::string_view::npos;
    out.append(body, copied, at - copied);
    out += fmt::format("{}({}, ", load ? "_nb" : "_b", load ? load_base : store_base);
    copied = at + kMem.size();
  }
  out.append(body, copied, std::string::npos);
  if (!proof.disjoint) return out;

  // static RET w2c_NAME(Z_m_instance_t* instance, T w2c_p0, ...) {   (on one line here)
  // Nothing the edits above change is in the signature.
  size_t def_end = signature_size;
  std::string one_line;
  for (size_t i = 0; i < def_end; ++i) {
    if (out[i] != '\n') {
      one_line += out[i];
      continue;
    }
    while (i + 1 < def_end && out[i + 1] == ' ') ++i;
    if (!one_line.empty() && one_line.back() != ' ') one_line += ' ';
  }
  std::string_view def = one_line;  // views into it below
  size_t name_at = def.find(c_name);
  size_t paren = def.find('(', name_at);
  std::string_view params = def.substr(paren + 1, def.rfind(") {") - paren - 1);
  std::string_view ret = def.substr(7, name_at - 1 - 7);  // after "static "
  size_t base_line = out.find("  u8* const wasmgpu_mem = instance->");
  if (base_line == std::string::npos) return out;
  std::string_view base_decl(out.data() + base_line, out.find('\n', base_line) + 1 - base_line);
  std::string args = "instance";
  for (size_t comma = params.find(", "); comma != std::string_view::npos;
       comma = params.find(", ", comma + 1)) {
    size_t end = params.find(',', comma + 1);
    std::string_view param = params.substr(
        comma + 2, end == std::string_view::npos ? std::string_view::npos : end - comma - 2);
    args += ", ";
    args += param.substr(param.rfind(' ') + 1);
  }
  std::string wrapper = fmt::format(
      "static {} {}({}) {{\n{}  {}{}{}(wasmgpu_mem, wasmgpu_mem, {});\n}}\n", ret, c_name, params,
      base_decl, ret == "void" ? "" : "return ", kFastPrefix, c_name, args);
  std::string fast_def =
      fmt::format("static inline {} {}{}(u8* restrict wasmgpu_ld, u8* restrict wasmgpu_st, {}) {{",
                  ret, kFastPrefix, c_name, params);
  return fast_def + out.substr(def_end) + wrapper;
}

}  // namespace

bool ProvenRewriteIsComplete(std::string_view body) {
  for (size_t line = 0; line < body.size();) {
    size_t eol = body.find('\n', line);
    if (eol == std::string_view::npos) eol = body.size();
    std::string_view text = body.substr(line, eol - line);
    size_t first = text.find_first_not_of(' ');
    if (first != std::string_view::npos && text.substr(first).rfind("u32 ", 0) == 0) return false;
    line = eol + 1;
  }
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  for (size_t i = 0; i < body.size(); ++i) {
    if (!digit(body[i]) || (i > 0 && IsIdentifierChar(body[i - 1]))) continue;
    size_t j = i;
    while (j < body.size() && digit(body[j])) ++j;
    const bool u_suffix =
        j < body.size() && body[j] == 'u' && (j + 1 == body.size() || !IsIdentifierChar(body[j + 1]));
    if (u_suffix && (j - i > 10 || std::stoull(std::string(body.substr(i, j - i))) >= 0x80000000u)) {
      return false;
    }
    i = j;
  }
  return true;
}

namespace {

// Rewrites the functions `proofs` proved (one proof per defined function, in module order).
// Leaves the source as it was when its function definitions do not line up with the module's.
void UseProofs(std::string* source, const wabt::Module& m,
               const std::vector<FunctionProof>& proofs) {
  const std::string& in = *source;
  if (in.find("wasmgpu_mem") == std::string::npos) return;  // no memory or no local base
  struct Def {
    size_t begin, body, end;  // signature, body (after ") {\n"), end (after "}\n")
    std::string c_name;
  };
  std::vector<Def> defs;
  constexpr std::string_view kInstance = "(Z_m_instance_t* instance";
  for (size_t at = in.find("\nstatic "); at != std::string::npos;
       at = in.find("\nstatic ", at + 1)) {
    size_t begin = at + 1;
    // A definition's signature ends at ") {\n", a declaration's at ";\n".
    size_t open = in.find(") {\n", begin);
    size_t semi = in.find(";\n", begin);
    if (open == std::string::npos) break;
    if (semi != std::string::npos && semi < open) continue;
    size_t eol = open + 3;
    std::string_view line(in.data() + begin, eol - begin);
    size_t paren = line.find(kInstance);
    size_t space = line.rfind(' ', paren);
    if (paren == std::string_view::npos || space == std::string_view::npos) continue;
    std::string_view name = line.substr(space + 1, paren - space - 1);
    if (name.rfind("w2c_", 0) != 0) continue;
    size_t close = in.find("\n}\n", eol);
    if (close == std::string::npos) return;
    defs.push_back(Def{begin, eol + 1, close + 3, std::string(name)});
  }
  if (defs.size() != proofs.size()) return;
  for (size_t i = 0; i < defs.size(); ++i) {
    const wabt::Func& f = *m.funcs[m.num_func_imports + i];
    std::string_view line(in.data() + defs[i].begin, defs[i].body - defs[i].begin);
    size_t params = 0;
    for (char c : line) params += c == ',' ? 1 : 0;
    if (params != f.GetNumParams()) return;
    // Named functions must carry their name (wasm2c: "w2c_" + the name without '$').
    std::string_view wasm_name = f.name;
    if (!wasm_name.empty() && wasm_name[0] == '$') wasm_name.remove_prefix(1);
    bool plain =
        !wasm_name.empty() && std::all_of(wasm_name.begin(), wasm_name.end(), IsIdentifierChar);
    // (or that name and "_<digits>", wasm2c's suffix for names that collide).
    std::string expect = "w2c_" + std::string(wasm_name);
    std::string_view c_name = defs[i].c_name;
    bool same = c_name == expect;
    if (!same && c_name.rfind(expect + "_", 0) == 0) {
      std::string_view suffix = c_name.substr(expect.size() + 1);
      same = !suffix.empty() &&
             std::all_of(suffix.begin(), suffix.end(), [](char c) { return c >= '0' && c <= '9'; });
    }
    if (plain && !same) return;
  }
  std::string out;
  out.reserve(in.size() + in.size() / 16);
  size_t copied = 0;
  for (size_t i = 0; i < defs.size(); ++i) {
    if (!proofs[i].in_bounds) continue;
    out.append(in, copied, defs[i].begin - copied);
    out += RewriteProvenFunction(
        std::string_view(in).substr(defs[i].begin, defs[i].end - defs[i].begin),
        defs[i].body - 1 - defs[i].begin, proofs[i], defs[i].c_name);
    copied = defs[i].end;
  }
  out.append(in, copied, std::string::npos);
  *source = std::move(out);
}

// wasm2c 1.0.32 names an imported function after its (module, name) pair, so two imports of the
// same pair would share one C declaration, and its writer says so on stderr ("warning: duplicate
// import declaration", CWriter::ComputeUniqueImports) for every module that has them, which wasm
// allows (none of our guests do; hand-written and fuzzed modules did). The engine binds each
// import on its own (the shim below calls fns[i] for import i, each checked against the host
// registry), so each import may as well have a C name of its own: every repeat of a pair is
// renamed in the IR, just before translation, to "<name>#<import index>" (with more '#' until no
// import of that module has the name). The module's import table keeps the real names: the
// renamed IR is used for the C only. Returns each import's name as the C symbol will spell it,
// in import order.
std::vector<std::string> GiveEachImportItsOwnName(wabt::Module& m) {
  std::set<std::pair<std::string, std::string>> taken;
  for (const wabt::Import* import : m.imports) {
    taken.emplace(import->module_name, import->field_name);
  }
  std::set<std::pair<std::string, std::string>> seen;
  std::vector<std::string> names;
  for (size_t i = 0; i < m.imports.size(); ++i) {
    wabt::Import* import = m.imports[i];
    if (!seen.emplace(import->module_name, import->field_name).second) {
      std::string alias = fmt::format("{}#{}", import->field_name, i);
      while (taken.count({import->module_name, alias}) != 0) alias += '#';
      taken.emplace(import->module_name, alias);
      seen.emplace(import->module_name, alias);
      import->field_name = alias;
    }
    names.push_back(import->field_name);
  }
  return names;
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
  if (name.rfind(kFastPrefix, 0) == 0) name = name.substr(kFastPrefix.size());
  // wasm2c 1.0.32 names a module's functions "w2c_" + the (legalized) wasm name.
  if (name.rfind("w2c_", 0) == 0) name = name.substr(4);
  if (size_t dot = name.find('.'); dot != std::string::npos) name.resize(dot);
  return name;
}

bool ProofsEnabled() {
  const char* v = std::getenv("WASMGPU_PROOFS");
  return v == nullptr || std::string_view(v) != "0";
}

Result<GeneratedC> GenerateC(ParsedModule& module) {
  wabt::Module& m = module.ir();
  bool has_memory = !m.memories.empty();
  bool has_table = !m.tables.empty() && m.tables[0]->elem_type == wabt::Type::FuncRef;
  if (has_memory) TRY(AddExport(m, kMemoryExport, wabt::ExternalKind::Memory));
  if (has_table) TRY(AddExport(m, kTableExport, wabt::ExternalKind::Table));

  // Proven on the IR wasm2c is about to translate (the exports added above change no function).
  std::vector<FunctionProof> proofs;
  if (ProofsEnabled()) proofs = ProveFunctions(m);
  if (const char* log = std::getenv("WASMGPU_PROOF_LOG"); log != nullptr && log[0] == '1') {
    // Debugging aid (docs/wasm.md): what the analysis proved about each function, and why not.
    for (size_t i = 0; i < proofs.size(); ++i) {
      const FunctionProof& p = proofs[i];
      fmt::print(stderr, "wasmgpu: proof: {}: {}{}\n", m.funcs[m.num_func_imports + i]->name,
                 p.disjoint    ? "in bounds, loads and stores disjoint"
                 : p.in_bounds ? "in bounds; not disjoint: "
                               : "not proven: ",
                 p.disjoint ? "" : p.reason);
    }
  }
  const auto& imports = module.imports();
  const std::vector<std::string> import_c_names = GiveEachImportItsOwnName(m);
  if (import_c_names.size() != imports.size()) {
    return MakeError(ErrorKind::kInternal,
                     "The module's IR has {} imports but its import list has {}.",
                     import_c_names.size(), imports.size());
  }
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
  UseLocalMemoryBase(&s);
  if (!proofs.empty()) UseProofs(&s, m, proofs);
  s += kShimPrelude;
  const std::string instance_type = Mangle(kModuleName) + "_instance_t";

  // Import thunks: wasm2c declares `R Z_modZ_name(struct Z_mod_instance_t*, params...)`, one per
  // import (GiveEachImportItsOwnName); the pointer it passes is our wasmgpu_import_ctx, shared by
  // every import module.
  std::set<std::string> import_modules;
  std::string import_table;
  for (size_t i = 0; i < imports.size(); ++i) {
    const ImportDecl& imp = imports[i];
    import_modules.insert(imp.module);
    import_table += fmt::format("  {{{}, {}, \"{}\"}},\n", CString(imp.module), CString(imp.name),
                                imp.type.Code());
    std::string symbol = Mangle(imp.module) + Mangle(import_c_names[i]);
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
                     symbol, params, imp.type.results.empty() ? "" : "return ", ret, ptr_params, i,
                     args);
  }

  std::string export_table;
  for (const ExportDecl& e : module.exports()) {
    export_table += fmt::format("  {{{}, \"{}\", (wasmgpu_fn)&{}}},\n", CString(e.name),
                                e.type.Code(), ExportSymbol(e.name));
  }
  // Zero-length arrays are not C; a sentinel entry keeps the tables valid and is never counted.
  s +=
      fmt::format("static const wasmgpu_import_desc wasmgpu_imports[] = {{\n{}  {{0, 0, 0}}\n}};\n",
                  import_table);
  s +=
      fmt::format("static const wasmgpu_export_desc wasmgpu_exports[] = {{\n{}  {{0, 0, 0}}\n}};\n",
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
