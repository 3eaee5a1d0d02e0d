// A GGUF byte builder for tests: writes a file field by field, so each test can break exactly one
// thing (layout: src/nn/gguf.h). Shared by the malformed-file tests and the fuzzing regressions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nn/gguf.h"

namespace wasmgpu::nn {

struct Raw {
  std::vector<uint8_t> b;
  Raw& U32(uint32_t v) {
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return *this;
  }
  Raw& U64(uint64_t v) {
    for (int i = 0; i < 8; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return *this;
  }
  Raw& Str(const std::string& s) {
    U64(s.size());
    b.insert(b.end(), s.begin(), s.end());
    return *this;
  }
  Raw& Header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
    return U32(kGgufMagic).U32(version).U64(n_tensors).U64(n_kv);
  }
  Raw& KvU32(const std::string& key, uint32_t v) { return Str(key).U32(4).U32(v); }
  Raw& KvStr(const std::string& key, const std::string& v) { return Str(key).U32(8).Str(v); }
  Raw& Tensor(const std::string& name, std::vector<uint64_t> dims, uint32_t type, uint64_t offset) {
    Str(name).U32(static_cast<uint32_t>(dims.size()));
    for (uint64_t d : dims) U64(d);
    return U32(type).U64(offset);
  }
  Raw& PadTo(size_t alignment) {
    while (b.size() % alignment) b.push_back(0);
    return *this;
  }
  Raw& Data(size_t n) {
    b.resize(b.size() + n, 0);
    return *this;
  }
};

}  // namespace wasmgpu::nn
