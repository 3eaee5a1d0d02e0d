// Where a model file's bytes come from. Natively a file is memory-mapped, so tensor data is used in
// place; inside a wasm32-wasi guest there is no mmap, so the same parser reads through a FILE*
// (WASI fd_read). The GGUF parser only ever asks for ranges it has checked against size().
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "nn/status.h"

namespace wasmgpu::nn {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  // Copies [offset, offset + n) to dst. The caller guarantees offset + n <= size().
  virtual Status Read(uint64_t offset, void* dst, size_t n) = 0;
  // The whole file as one range in memory, or nullptr when it is read through a handle.
  virtual const uint8_t* data() const { return nullptr; }
};

// Owns the bytes (tests, files generated in memory).
std::unique_ptr<ByteSource> MakeMemorySource(std::vector<uint8_t> bytes);
// Borrows the bytes; they must outlive the source.
std::unique_ptr<ByteSource> MakeBorrowedSource(std::span<const uint8_t> bytes);
// Reads through a stdio handle (the WASI path); takes ownership of `file` and closes it.
Result<std::unique_ptr<ByteSource>> MakeFileSource(std::FILE* file, const std::string& name);
// Opens `path`: memory-mapped natively, through stdio on wasm32-wasi (or when mmap fails).
Result<std::unique_ptr<ByteSource>> OpenByteSource(const std::string& path);

}  // namespace wasmgpu::nn
