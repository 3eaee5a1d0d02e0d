// GGUF v3 writer (layout: src/nn/gguf.h). Metadata and tensor infos are collected first, so the
// header and every data offset are known before a byte of tensor data exists; tensor data is then
// streamed in order, a chunk at a time, so a multi-gigabyte model never has to sit in memory.
#pragma once

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "nn/gguf.h"
#include "nn/status.h"
#include "nn/tensor_types.h"

namespace wasmgpu::gguf {

using nn::Status;

// Where the bytes go.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual Status Write(const void* data, size_t n) = 0;
};

class VectorSink final : public Sink {
 public:
  Status Write(const void* data, size_t n) override;
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

class FileSink final : public Sink {
 public:
  // Writes to `path` + ".tmp" and renames on Close, so a failed run leaves no half-written model.
  static nn::Result<std::unique_ptr<FileSink>> Create(const std::string& path);
  ~FileSink() override;
  Status Write(const void* data, size_t n) override;
  Status Close();

 private:
  FileSink(std::FILE* f, std::string path) : file_(f), path_(std::move(path)) {}
  std::FILE* file_;
  std::string path_;
};

class GgufWriter {
 public:
  explicit GgufWriter(uint32_t alignment = nn::kGgufDefaultAlignment);

  void SetString(const std::string& key, const std::string& value);
  void SetU32(const std::string& key, uint32_t value);
  void SetI32(const std::string& key, int32_t value);
  void SetU64(const std::string& key, uint64_t value);
  void SetF32(const std::string& key, float value);
  void SetBool(const std::string& key, bool value);
  void SetStringArray(const std::string& key, const std::vector<std::string>& values);
  void SetF32Array(const std::string& key, const std::vector<float>& values);
  void SetI32Array(const std::string& key, const std::vector<int32_t>& values);
  // Any value, raw (tests that need odd types).
  void SetValue(const std::string& key, nn::GgufValue value);

  // Declares a tensor; `shape` in GGUF order (ne0 first). Returns its index.
  size_t AddTensor(const std::string& name, nn::GgmlType type, std::vector<uint64_t> shape);
  const nn::GgufTensorInfo& tensor(size_t i) const { return tensors_[i]; }
  size_t tensor_count() const { return tensors_.size(); }

  // Writes header, metadata, tensor infos and the padding before the data section.
  Status WriteHeader(Sink& sink);
  // Appends bytes of the current tensor (tensors in AddTensor order); after its last byte the
  // padding to the next tensor follows automatically.
  Status WriteTensorData(Sink& sink, std::span<const uint8_t> bytes);
  // Checks every tensor was written completely.
  Status Finish();

 private:
  uint32_t alignment_;
  std::vector<nn::GgufKeyValue> metadata_;
  std::vector<nn::GgufTensorInfo> tensors_;
  uint64_t data_size_ = 0;
  size_t current_ = 0;          // tensor being written
  uint64_t current_written_ = 0;
};

}  // namespace wasmgpu::gguf
