// GGUF reader, versions 2 and 3 (the model format of llama.cpp / ggml).
//
// Layout (all integers little-endian; version 3 only added big-endian files, which we refuse):
//
//   u32    magic            "GGUF" = 0x46554747
//   u32    version          2 or 3 (version 1 used u32 counts and is refused)
//   u64    tensor_count
//   u64    metadata_kv_count
//   metadata_kv_count x {
//     string key            string = { u64 length; u8 bytes[length] } (UTF-8, no terminator)
//     u32    value_type     0 u8, 1 i8, 2 u16, 3 i16, 4 u32, 5 i32, 6 f32, 7 bool (u8 0/1),
//                           8 string, 9 array, 10 u64, 11 i64, 12 f64
//     value                 an array is { u32 element_type; u64 count; count x element }
//   }
//   tensor_count x {
//     string name
//     u32    n_dims         1..4
//     u64    ne[n_dims]     ne[0] is the contiguous dimension (a row of a matrix)
//     u32    type           ggml type id (tensor_types.h)
//     u64    offset         from the start of the data section; a multiple of the alignment
//   }
//   padding to a multiple of `general.alignment` (u32 metadata, default 32)
//   data section            tensor bytes; quantized types in ggml's block layouts
//
// The file is untrusted. Every count, length and offset is checked against the bytes left in the
// file before anything is allocated for it, so a 100-byte file claiming 2^60 strings costs nothing;
// every failure is an Error whose message names the value, the limit and the byte offset.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "nn/byte_source.h"
#include "nn/status.h"
#include "nn/tensor_types.h"

namespace wasmgpu::nn {

constexpr uint32_t kGgufMagic = 0x46554747;  // "GGUF" read as a little-endian u32
constexpr uint32_t kGgufDefaultAlignment = 32;
constexpr uint32_t kGgufMaxAlignment = 1u << 16;  // larger than any page size we map with
constexpr uint32_t kGgufMaxDims = 4;
// Caps on what a header may declare, far above any real model (a 405B llama has ~1,100 tensors
// and ~40 keys; the largest vocabularies and merge lists ~10^6 strings together). Each parsed
// entry costs some 10-20 times its smallest encoding in memory, so without them a large file made
// of tiny entries would need many times its size in RAM and end in an allocation failure.
constexpr uint64_t kGgufMaxMetadataCount = 1u << 16;
constexpr uint64_t kGgufMaxTensorCount = 1u << 16;
constexpr uint64_t kGgufMaxArrayStrings = 1u << 23;  // over all string arrays of a file

enum class GgufValueType : uint32_t {
  kUint8 = 0,
  kInt8 = 1,
  kUint16 = 2,
  kInt16 = 3,
  kUint32 = 4,
  kInt32 = 5,
  kFloat32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kUint64 = 10,
  kInt64 = 11,
  kFloat64 = 12,
};
std::string_view GgufValueTypeName(GgufValueType type);
// Size in bytes of a scalar of this type (0 for string and array).
uint32_t GgufScalarSize(GgufValueType type);

// One metadata value. Scalars and numeric arrays keep their little-endian element bytes in
// `bytes`; strings and string arrays keep `strings`.
struct GgufValue {
  GgufValueType type = GgufValueType::kUint8;
  GgufValueType element_type = GgufValueType::kUint8;  // arrays only
  uint64_t count = 1;                                  // elements of an array; 1 for scalars
  std::vector<uint8_t> bytes;
  std::vector<std::string> strings;

  bool is_array() const { return type == GgufValueType::kArray; }
  // "FLOAT32", "array of INT8".
  std::string TypeName() const;
};

struct GgufKeyValue {
  std::string key;
  GgufValue value;
};

struct GgufTensorInfo {
  std::string name;
  uint32_t n_dims = 0;
  uint64_t ne[kGgufMaxDims] = {1, 1, 1, 1};
  GgmlType type = GgmlType::kF32;
  uint64_t offset = 0;     // from the start of the data section
  uint64_t n_elements = 0;
  uint64_t n_bytes = 0;

  // "[288, 32000]"
  std::string ShapeString() const;
};

class GgufFile {
 public:
  // Opens and parses `path` (memory-mapped natively, stdio on wasm32-wasi).
  static Result<GgufFile> Open(const std::string& path);
  // Parses the header of `source`; tensor data is read later through TensorData.
  static Result<GgufFile> Parse(std::unique_ptr<ByteSource> source);

  uint32_t version() const { return version_; }
  uint32_t alignment() const { return alignment_; }
  uint64_t data_offset() const { return data_offset_; }  // absolute file offset of tensor data
  uint64_t file_size() const { return source_->size(); }
  ByteSource& source() { return *source_; }

  const std::vector<GgufKeyValue>& metadata() const { return metadata_; }
  const GgufValue* FindValue(std::string_view key) const;
  const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }
  const GgufTensorInfo* FindTensor(std::string_view name) const;

  // Typed metadata getters for model loaders: an absent key or a value of the wrong type is an
  // Error naming the key and both types. Integer getters accept any integer type whose value
  // fits (files disagree on u32 vs i32 for the same key); floats accept FLOAT32 and FLOAT64.
  Result<std::string> GetString(std::string_view key) const;
  Result<uint64_t> GetUint(std::string_view key, uint64_t max_value) const;
  Result<float> GetFloat(std::string_view key) const;
  Result<bool> GetBool(std::string_view key) const;
  Result<std::vector<std::string>> GetStringArray(std::string_view key) const;
  Result<std::vector<float>> GetFloatArray(std::string_view key) const;
  Result<std::vector<int32_t>> GetIntArray(std::string_view key) const;

  // The bytes of a tensor: a view into the mapping when the source is in memory, otherwise read
  // into `*storage` (which then backs the returned span).
  Result<std::span<const uint8_t>> TensorData(const GgufTensorInfo& tensor,
                                             std::vector<uint8_t>* storage);

 private:
  friend class GgufParser;
  std::unique_ptr<ByteSource> source_;
  uint32_t version_ = 0;
  uint32_t alignment_ = kGgufDefaultAlignment;
  uint64_t data_offset_ = 0;
  std::vector<GgufKeyValue> metadata_;
  std::unordered_map<std::string, size_t> metadata_index_;
  std::vector<GgufTensorInfo> tensors_;
  std::unordered_map<std::string, size_t> tensor_index_;
};

}  // namespace wasmgpu::nn
