#include "wasm/types.h"

namespace wasmgpu::wasm {
namespace {

char CodeOf(ValType type) {
  switch (type) {
    case ValType::kI32: return 'i';
    case ValType::kI64: return 'l';
    case ValType::kF32: return 'f';
    case ValType::kF64: return 'd';
  }
  return '?';
}

bool FromCode(char c, ValType* out) {
  switch (c) {
    case 'i': *out = ValType::kI32; return true;
    case 'l': *out = ValType::kI64; return true;
    case 'f': *out = ValType::kF32; return true;
    case 'd': *out = ValType::kF64; return true;
    default: return false;
  }
}

void AppendList(std::string* out, const std::vector<ValType>& types) {
  *out += '(';
  for (size_t i = 0; i < types.size(); ++i) {
    if (i != 0) *out += ", ";
    *out += ValTypeName(types[i]);
  }
  *out += ')';
}

}  // namespace

std::string_view ValTypeName(ValType type) {
  switch (type) {
    case ValType::kI32: return "i32";
    case ValType::kI64: return "i64";
    case ValType::kF32: return "f32";
    case ValType::kF64: return "f64";
  }
  return "?";
}

std::string FuncType::ToString() const {
  std::string out;
  AppendList(&out, params);
  out += " -> ";
  if (results.size() == 1) {
    out += ValTypeName(results[0]);
  } else {
    AppendList(&out, results);
  }
  return out;
}

std::string FuncType::Code() const {
  std::string out;
  for (ValType t : params) out += CodeOf(t);
  out += ':';
  for (ValType t : results) out += CodeOf(t);
  return out;
}

bool FuncType::ParseCode(std::string_view code, FuncType* out) {
  out->params.clear();
  out->results.clear();
  size_t colon = code.find(':');
  if (colon == std::string_view::npos) return false;
  for (size_t i = 0; i < code.size(); ++i) {
    if (i == colon) continue;
    ValType t;
    if (!FromCode(code[i], &t)) return false;
    (i < colon ? out->params : out->results).push_back(t);
  }
  return true;
}

}  // namespace wasmgpu::wasm
