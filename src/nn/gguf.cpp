#include "nn/gguf.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace wasmgpu::nn {
namespace {

// The smallest encodings, used to bound claimed counts by the bytes left before allocating:
// a key/value is at least an 8-byte key length, one key byte and a 4-byte type, plus a 1-byte value;
// a tensor info at least an 8-byte name length, n_dims, one dim, type and offset.
constexpr uint64_t kMinKeyValueBytes = 8 + 1 + 4 + 1;
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;
constexpr uint64_t kStringHeaderBytes = 8;

bool IsKnownValueType(uint32_t t) { return t <= static_cast<uint32_t>(GgufValueType::kFloat64); }

bool IsIntegerType(GgufValueType t) {
  switch (t) {
    case GgufValueType::kUint8: case GgufValueType::kInt8: case GgufValueType::kUint16:
    case GgufValueType::kInt16: case GgufValueType::kUint32: case GgufValueType::kInt32:
    case GgufValueType::kUint64: case GgufValueType::kInt64:
      return true;
    default:
      return false;
  }
}

bool IsSignedType(GgufValueType t) {
  return t == GgufValueType::kInt8 || t == GgufValueType::kInt16 ||
         t == GgufValueType::kInt32 || t == GgufValueType::kInt64;
}

// Reads element `i` of a little-endian integer payload as a signed 128-bit-safe pair.
struct IntValue {
  bool negative = false;
  uint64_t magnitude = 0;
};
IntValue ReadInt(const uint8_t* p, GgufValueType t) {
  const uint32_t size = GgufScalarSize(t);
  uint64_t raw = 0;
  for (uint32_t b = 0; b < size; ++b) raw |= static_cast<uint64_t>(p[b]) << (8 * b);
  if (!IsSignedType(t)) return {false, raw};
  const int shift = 64 - static_cast<int>(size) * 8;
  const int64_t v = static_cast<int64_t>(raw << shift) >> shift;  // sign-extend
  if (v < 0) return {true, static_cast<uint64_t>(-(v + 1)) + 1};
  return {false, static_cast<uint64_t>(v)};
}

float ReadFloat(const uint8_t* p, GgufValueType t) {
  if (t == GgufValueType::kFloat32) {
    float f;
    std::memcpy(&f, p, 4);
    return f;
  }
  double d;
  std::memcpy(&d, p, 8);
  return static_cast<float>(d);
}

bool CheckedMul(uint64_t a, uint64_t b, uint64_t* out) {
  if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a) return false;
  *out = a * b;
  return true;
}

}  // namespace

std::string_view GgufValueTypeName(GgufValueType type) {
  static constexpr std::string_view kNames[] = {"UINT8",  "INT8",    "UINT16", "INT16", "UINT32",
                                                "INT32",  "FLOAT32", "BOOL",   "STRING", "ARRAY",
                                                "UINT64", "INT64",   "FLOAT64"};
  const uint32_t i = static_cast<uint32_t>(type);
  return i < std::size(kNames) ? kNames[i] : std::string_view("UNKNOWN");
}

uint32_t GgufScalarSize(GgufValueType type) {
  switch (type) {
    case GgufValueType::kUint8: case GgufValueType::kInt8: case GgufValueType::kBool: return 1;
    case GgufValueType::kUint16: case GgufValueType::kInt16: return 2;
    case GgufValueType::kUint32: case GgufValueType::kInt32: case GgufValueType::kFloat32: return 4;
    case GgufValueType::kUint64: case GgufValueType::kInt64: case GgufValueType::kFloat64: return 8;
    default: return 0;
  }
}

std::string GgufValue::TypeName() const {
  if (!is_array()) return std::string(GgufValueTypeName(type));
  return StrCat("array of ", GgufValueTypeName(element_type));
}

std::string GgufTensorInfo::ShapeString() const {
  std::string s = "[";
  for (uint32_t d = 0; d < n_dims; ++d) s += StrCat(d ? ", " : "", ne[d]);
  return s + "]";
}

// Reads the header front to back. Every read is checked against the file size; counts and
// lengths are checked against the bytes that remain before anything is allocated for them.
class GgufParser {
 public:
  explicit GgufParser(ByteSource& source) : source_(source), size_(source.size()) {}

  Status Parse(GgufFile& file) {
    uint32_t magic = 0;
    NN_TRY(ReadU32(&magic, "the magic number"));
    if (magic != kGgufMagic) {
      return MakeError("Not a GGUF file: the magic number is 0x", Hex(magic),
                       ", expected 0x46554747 (\"GGUF\").");
    }
    NN_TRY(ReadU32(&file.version_, "the version"));
    if (file.version_ != 2 && file.version_ != 3) {
      if (file.version_ == 0x02000000 || file.version_ == 0x03000000) {
        return MakeError("GGUF version ", file.version_,
                         " looks byte-swapped: big-endian GGUF files are not supported.");
      }
      return MakeError("GGUF version ", file.version_, " is not supported (versions 2 and 3 are).");
    }
    uint64_t tensor_count = 0, kv_count = 0;
    NN_TRY(ReadU64(&tensor_count, "the tensor count"));
    NN_TRY(ReadU64(&kv_count, "the metadata count"));
    if (kv_count > Remaining() / kMinKeyValueBytes) {
      return MakeError("Metadata count (", kv_count, ") cannot fit in the ", Remaining(),
                       " bytes left in the file (each entry takes at least ", kMinKeyValueBytes,
                       " bytes).");
    }
    if (tensor_count > Remaining() / kMinTensorInfoBytes) {
      return MakeError("Tensor count (", tensor_count, ") cannot fit in the ", Remaining(),
                       " bytes left in the file (each tensor takes at least ",
                       kMinTensorInfoBytes, " bytes).");
    }

    if (kv_count > kGgufMaxMetadataCount) {
      return MakeError("Metadata count (", kv_count, ") is larger than the maximum (",
                       kGgufMaxMetadataCount, ").");
    }
    if (tensor_count > kGgufMaxTensorCount) {
      return MakeError("Tensor count (", tensor_count, ") is larger than the maximum (",
                       kGgufMaxTensorCount, ").");
    }

    file.metadata_.reserve(kv_count);
    for (uint64_t i = 0; i < kv_count; ++i) {
      GgufKeyValue kv;
      const uint64_t at = pos_;
      NN_TRY(ReadString(&kv.key, "a metadata key"));
      auto inserted = file.metadata_index_.emplace(kv.key, file.metadata_.size());
      if (!inserted.second) {
        return MakeError("Metadata key '", kv.key, "' appears twice (entries ",
                         inserted.first->second, " and ", i, ").");
      }
      uint32_t type = 0;
      NN_TRY(ReadU32(&type, "a metadata value type"));
      Status s = ReadValue(type, &kv.value);
      if (!s.ok()) {
        return std::move(s).error().With(
            StrCat("While reading metadata key '", kv.key, "' at offset ", at));
      }
      file.metadata_.push_back(std::move(kv));
    }

    // general.alignment must be a UINT32 power of two (ggml writes it as UINT32).
    if (const GgufValue* a = file.FindValue("general.alignment")) {
      if (a->type != GgufValueType::kUint32) {
        return MakeError("Metadata key 'general.alignment' is ", a->TypeName(),
                         "; expected UINT32.");
      }
      uint32_t alignment = 0;
      std::memcpy(&alignment, a->bytes.data(), 4);
      if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
        return MakeError("Alignment (", alignment, ") is not a power of two.");
      }
      if (alignment > kGgufMaxAlignment) {
        return MakeError("Alignment (", alignment, ") is larger than the maximum (",
                         kGgufMaxAlignment, ").");
      }
      file.alignment_ = alignment;
    }

    file.tensors_.reserve(tensor_count);
    for (uint64_t i = 0; i < tensor_count; ++i) {
      GgufTensorInfo t;
      Status s = ReadTensorInfo(&t, file.alignment_);
      if (!s.ok()) return std::move(s).error().With(StrCat("While reading tensor info ", i));
      auto inserted = file.tensor_index_.emplace(t.name, file.tensors_.size());
      if (!inserted.second) {
        return MakeError("Tensor name '", t.name, "' appears twice (tensors ",
                         inserted.first->second, " and ", i, ").");
      }
      file.tensors_.push_back(std::move(t));
    }

    // The data section starts at the next multiple of the alignment.
    const uint64_t a = file.alignment_;
    file.data_offset_ = pos_ + (a - pos_ % a) % a;
    const uint64_t data_size = file.data_offset_ <= size_ ? size_ - file.data_offset_ : 0;
    for (const GgufTensorInfo& t : file.tensors_) {
      if (t.offset > data_size || t.n_bytes > data_size - t.offset) {
        return MakeError("Tensor '", t.name, "' data [", t.offset, ", ", t.offset, " + ",
                         t.n_bytes, ") lies outside the data section, which holds ", data_size,
                         " bytes (file size ", size_, ", data starts at ", file.data_offset_,
                         ").");
      }
    }
    // Tensors may not share bytes (ggml's writer lays them out one after another). Otherwise a
    // small file could declare thousands of layers over the same few megabytes, and everything
    // sized from the tensors (GPU buffers, uploads) would grow far past the file's size.
    std::vector<const GgufTensorInfo*> by_offset;
    by_offset.reserve(file.tensors_.size());
    for (const GgufTensorInfo& t : file.tensors_) by_offset.push_back(&t);
    std::stable_sort(by_offset.begin(), by_offset.end(),
                     [](const GgufTensorInfo* a, const GgufTensorInfo* b) {
                       return a->offset < b->offset;
                     });
    for (size_t i = 1; i < by_offset.size(); ++i) {
      const GgufTensorInfo& a = *by_offset[i - 1];
      const GgufTensorInfo& b = *by_offset[i];
      if (b.offset < a.offset + a.n_bytes) {  // in range: both lie inside the data section
        return MakeError("Tensor '", b.name, "' data [", b.offset, ", ", b.offset + b.n_bytes,
                         ") overlaps tensor '", a.name, "' data [", a.offset, ", ",
                         a.offset + a.n_bytes, "); tensors may not share bytes.");
      }
    }
    return {};
  }

 private:
  uint64_t Remaining() const { return size_ - pos_; }

  static std::string Hex(uint32_t v) {
    static const char* kDigits = "0123456789ABCDEF";
    std::string s(8, '0');
    for (int i = 7; i >= 0; --i, v >>= 4) s[static_cast<size_t>(i)] = kDigits[v & 0xF];
    return s;
  }

  Status ReadRaw(void* dst, uint64_t n, std::string_view what) {
    if (n > Remaining()) {
      return MakeError("Unexpected end of file at offset ", pos_, " while reading ", what, " (",
                       n, " bytes needed, ", Remaining(), " left).");
    }
    NN_TRY(source_.Read(pos_, dst, static_cast<size_t>(n)));
    pos_ += n;
    return {};
  }
  Status ReadU32(uint32_t* v, std::string_view what) {
    uint8_t b[4];
    NN_TRY(ReadRaw(b, 4, what));
    *v = static_cast<uint32_t>(b[0]) | static_cast<uint32_t>(b[1]) << 8 |
         static_cast<uint32_t>(b[2]) << 16 | static_cast<uint32_t>(b[3]) << 24;
    return {};
  }
  Status ReadU64(uint64_t* v, std::string_view what) {
    uint8_t b[8];
    NN_TRY(ReadRaw(b, 8, what));
    *v = 0;
    for (int i = 7; i >= 0; --i) *v = (*v << 8) | b[i];
    return {};
  }
  Status ReadString(std::string* s, std::string_view what) {
    const uint64_t at = pos_;
    uint64_t len = 0;
    NN_TRY(ReadU64(&len, what));
    if (len > Remaining()) {
      return MakeError("String at offset ", at, " (", what, ") claims ", len,
                       " bytes, but only ", Remaining(), " bytes are left in the file (size ",
                       size_, ").");
    }
    s->resize(static_cast<size_t>(len));
    return ReadRaw(s->data(), len, what);
  }

  Status ReadValue(uint32_t type_id, GgufValue* v) {
    if (!IsKnownValueType(type_id)) {
      return MakeError("Metadata value type ", type_id, " at offset ", pos_ - 4,
                       " is unknown (the types are 0 to 12).");
    }
    v->type = static_cast<GgufValueType>(type_id);
    if (v->type == GgufValueType::kString) {
      v->strings.resize(1);
      return ReadString(&v->strings[0], "a string value");
    }
    if (v->type != GgufValueType::kArray) {
      v->bytes.resize(GgufScalarSize(v->type));
      return ReadRaw(v->bytes.data(), v->bytes.size(), "a metadata value");
    }
    uint32_t element = 0;
    NN_TRY(ReadU32(&element, "an array element type"));
    if (!IsKnownValueType(element)) {
      return MakeError("Array element type ", element, " at offset ", pos_ - 4,
                       " is unknown (the types are 0 to 12).");
    }
    v->element_type = static_cast<GgufValueType>(element);
    if (v->element_type == GgufValueType::kArray) {
      return MakeError("Nested arrays (at offset ", pos_ - 4, ") are not supported.");
    }
    NN_TRY(ReadU64(&v->count, "an array length"));
    if (v->element_type == GgufValueType::kString) {
      if (v->count > Remaining() / kStringHeaderBytes) {
        return MakeError("Array of ", v->count, " strings cannot fit in the ", Remaining(),
                         " bytes left in the file (each string takes at least 8 bytes).");
      }
      if (v->count > kGgufMaxArrayStrings - array_strings_) {
        return MakeError("Array of ", v->count, " strings brings the file's array strings to more ",
                         "than the maximum (", kGgufMaxArrayStrings, ").");
      }
      array_strings_ += v->count;
      v->strings.resize(static_cast<size_t>(v->count));
      for (std::string& s : v->strings) NN_TRY(ReadString(&s, "an array string"));
      return {};
    }
    const uint32_t elem_size = GgufScalarSize(v->element_type);
    if (v->count > Remaining() / elem_size) {
      return MakeError("Array of ", v->count, " ", GgufValueTypeName(v->element_type),
                       " values (", elem_size, " bytes each) cannot fit in the ", Remaining(),
                       " bytes left in the file.");
    }
    v->bytes.resize(static_cast<size_t>(v->count * elem_size));
    return ReadRaw(v->bytes.data(), v->bytes.size(), "array values");
  }

  Status ReadTensorInfo(GgufTensorInfo* t, uint32_t alignment) {
    NN_TRY(ReadString(&t->name, "a tensor name"));
    NN_TRY(ReadU32(&t->n_dims, "a tensor's dimension count"));
    if (t->n_dims == 0 || t->n_dims > kGgufMaxDims) {
      return MakeError("Tensor '", t->name, "' has ", t->n_dims,
                       " dimensions; between 1 and 4 are supported.");
    }
    uint64_t n_elements = 1;
    for (uint32_t d = 0; d < t->n_dims; ++d) {
      NN_TRY(ReadU64(&t->ne[d], "a tensor dimension"));
      if (t->ne[d] == 0 || t->ne[d] > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return MakeError("Tensor '", t->name, "' dimension ", d, " is ", t->ne[d],
                         "; dimensions must be between 1 and 2^63 - 1.");
      }
      if (!CheckedMul(n_elements, t->ne[d], &n_elements) ||
          n_elements > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return MakeError("Tensor '", t->name, "' element count overflows: the product of its ",
                         "dimensions up to ", d, " exceeds 2^63 - 1.");
      }
    }
    t->n_elements = n_elements;
    uint32_t type_id = 0;
    NN_TRY(ReadU32(&type_id, "a tensor type"));
    const GgmlTypeInfo* info = FindGgmlType(type_id);
    if (info == nullptr) {
      return MakeError("Tensor '", t->name, "' has unknown type ", type_id, ".");
    }
    t->type = info->type;
    if (t->ne[0] % info->block_size != 0) {
      return MakeError("Tensor '", t->name, "' row length (", t->ne[0],
                       ") is not a multiple of the ", info->name, " block size (",
                       info->block_size, ").");
    }
    if (!CheckedMul(n_elements / info->block_size, info->block_bytes, &t->n_bytes)) {
      return MakeError("Tensor '", t->name, "' byte size overflows: ", n_elements / info->block_size,
                       " blocks of ", info->block_bytes, " bytes exceed 2^64 - 1.");
    }
    NN_TRY(ReadU64(&t->offset, "a tensor data offset"));
    if (t->offset % alignment != 0) {
      return MakeError("Tensor '", t->name, "' data offset (", t->offset,
                       ") is not a multiple of the alignment (", alignment, ").");
    }
    return {};
  }

  ByteSource& source_;
  uint64_t size_;
  uint64_t pos_ = 0;
  uint64_t array_strings_ = 0;  // strings in the string arrays read so far
};

Result<GgufFile> GgufFile::Open(const std::string& path) {
  NN_TRY_ASSIGN(std::unique_ptr<ByteSource> source, OpenByteSource(path));
  Result<GgufFile> file = Parse(std::move(source));
  if (!file.ok()) return std::move(file).error().With(StrCat("While reading '", path, "'"));
  return file;
}

Result<GgufFile> GgufFile::Parse(std::unique_ptr<ByteSource> source) {
  GgufFile file;
  file.source_ = std::move(source);
  GgufParser parser(*file.source_);
  NN_TRY(parser.Parse(file));
  return file;
}

const GgufValue* GgufFile::FindValue(std::string_view key) const {
  auto it = metadata_index_.find(std::string(key));
  return it == metadata_index_.end() ? nullptr : &metadata_[it->second].value;
}

const GgufTensorInfo* GgufFile::FindTensor(std::string_view name) const {
  auto it = tensor_index_.find(std::string(name));
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

namespace {
Error MissingKey(std::string_view key) {
  return MakeError("Metadata key '", key, "' is missing.");
}
Error WrongType(std::string_view key, const GgufValue& v, std::string_view expected) {
  return MakeError("Metadata key '", key, "' is ", v.TypeName(), "; expected ", expected, ".");
}
}  // namespace

Result<std::string> GgufFile::GetString(std::string_view key) const {
  const GgufValue* v = FindValue(key);
  if (v == nullptr) return MissingKey(key);
  if (v->type != GgufValueType::kString) return WrongType(key, *v, "STRING");
  return v->strings[0];
}

Result<uint64_t> GgufFile::GetUint(std::string_view key, uint64_t max_value) const {
  const GgufValue* v = FindValue(key);
  if (v == nullptr) return MissingKey(key);
  if (!IsIntegerType(v->type)) return WrongType(key, *v, "an integer");
  const IntValue i = ReadInt(v->bytes.data(), v->type);
  if (i.negative || i.magnitude > max_value) {
    return MakeError("Metadata key '", key, "' is ", i.negative ? "-" : "", i.magnitude,
                     "; expected a value between 0 and ", max_value, ".");
  }
  return i.magnitude;
}

Result<float> GgufFile::GetFloat(std::string_view key) const {
  const GgufValue* v = FindValue(key);
  if (v == nullptr) return MissingKey(key);
  if (v->type != GgufValueType::kFloat32 && v->type != GgufValueType::kFloat64) {
    return WrongType(key, *v, "FLOAT32");
  }
  return ReadFloat(v->bytes.data(), v->type);
}

Result<bool> GgufFile::GetBool(std::string_view key) const {
  const GgufValue* v = FindValue(key);
  if (v == nullptr) return MissingKey(key);
  if (v->type != GgufValueType::kBool) return WrongType(key, *v, "BOOL");
  return v->bytes[0] != 0;
}

Result<std::vector<std::string>> GgufFile::GetStringArray(std::string_view key) const {
  const GgufValue* v = FindValue(key);
  if (v == nullptr) return MissingKey(key);
  if (!v->is_array() || v->element_type != GgufValueType::kString) {
    return WrongType(key, *v, "an array of STRING");
  }
  return v->strings;
}

Result<std::vector<float>> GgufFile::GetFloatArray(std::string_view key) const {
  const GgufValue* v = FindValue(key);
  if (v == nullptr) return MissingKey(key);
  if (!v->is_array() || (v->element_type != GgufValueType::kFloat32 &&
                         v->element_type != GgufValueType::kFloat64)) {
    return WrongType(key, *v, "an array of FLOAT32");
  }
  const uint32_t size = GgufScalarSize(v->element_type);
  std::vector<float> out(static_cast<size_t>(v->count));
  for (size_t i = 0; i < out.size(); ++i) out[i] = ReadFloat(&v->bytes[i * size], v->element_type);
  return out;
}

Result<std::vector<int32_t>> GgufFile::GetIntArray(std::string_view key) const {
  const GgufValue* v = FindValue(key);
  if (v == nullptr) return MissingKey(key);
  if (!v->is_array() || !IsIntegerType(v->element_type)) {
    return WrongType(key, *v, "an array of INT32");
  }
  const uint32_t size = GgufScalarSize(v->element_type);
  std::vector<int32_t> out(static_cast<size_t>(v->count));
  for (size_t i = 0; i < out.size(); ++i) {
    const IntValue x = ReadInt(&v->bytes[i * size], v->element_type);
    if (x.magnitude > (x.negative ? 0x80000000ull : 0x7FFFFFFFull)) {
      return MakeError("Metadata key '", key, "' element ", i, " (", x.negative ? "-" : "",
                       x.magnitude, ") does not fit in INT32.");
    }
    out[i] = x.negative ? static_cast<int32_t>(-static_cast<int64_t>(x.magnitude))
                        : static_cast<int32_t>(x.magnitude);
  }
  return out;
}

Result<std::span<const uint8_t>> GgufFile::TensorData(const GgufTensorInfo& tensor,
                                                      std::vector<uint8_t>* storage) {
  // Parse checked that [data_offset_ + offset, + n_bytes) lies inside the file.
  const uint64_t begin = data_offset_ + tensor.offset;
  if (tensor.n_bytes > std::numeric_limits<size_t>::max()) {
    return MakeError("Tensor '", tensor.name, "' (", tensor.n_bytes,
                     " bytes) does not fit in this process's address space.");
  }
  if (const uint8_t* base = source_->data()) {
    return std::span<const uint8_t>(base + begin, static_cast<size_t>(tensor.n_bytes));
  }
  storage->resize(static_cast<size_t>(tensor.n_bytes));
  Status s = source_->Read(begin, storage->data(), storage->size());
  if (!s.ok()) return std::move(s).error().With(StrCat("While reading tensor '", tensor.name, "'"));
  return std::span<const uint8_t>(*storage);
}

}  // namespace wasmgpu::nn
