#include "gguf_writer.h"

#include <cerrno>
#include <cstring>
#include <memory>

namespace wasmgpu::gguf {

using nn::GgufValue;
using nn::GgufValueType;
using nn::MakeError;
using nn::StrCat;

Status VectorSink::Write(const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  bytes_.insert(bytes_.end(), p, p + n);
  return {};
}

nn::Result<std::unique_ptr<FileSink>> FileSink::Create(const std::string& path) {
  std::FILE* f = std::fopen((path + ".tmp").c_str(), "wb");
  if (f == nullptr) {
    return MakeError("Cannot create '", path, ".tmp': ", std::strerror(errno), ".");
  }
  std::setvbuf(f, nullptr, _IOFBF, 1 << 20);
  return std::unique_ptr<FileSink>(new FileSink(f, path));
}

FileSink::~FileSink() {
  if (file_ != nullptr) {
    std::fclose(file_);
    std::remove((path_ + ".tmp").c_str());
  }
}

Status FileSink::Write(const void* data, size_t n) {
  if (std::fwrite(data, 1, n, file_) != n) {
    return MakeError("Writing ", n, " bytes to '", path_, ".tmp' failed: ", std::strerror(errno),
                     ".");
  }
  return {};
}

Status FileSink::Close() {
  const bool ok = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!ok || std::rename((path_ + ".tmp").c_str(), path_.c_str()) != 0) {
    return MakeError("Cannot finish '", path_, "': ", std::strerror(errno), ".");
  }
  return {};
}

namespace {

void PutU32(std::vector<uint8_t>& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void PutU64(std::vector<uint8_t>& b, uint64_t v) {
  for (int i = 0; i < 8; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void PutString(std::vector<uint8_t>& b, const std::string& s) {
  PutU64(b, s.size());
  b.insert(b.end(), s.begin(), s.end());
}

GgufValue Scalar(GgufValueType type, const void* p, size_t n) {
  GgufValue v;
  v.type = type;
  v.bytes.assign(static_cast<const uint8_t*>(p), static_cast<const uint8_t*>(p) + n);
  return v;
}

template <typename T>
GgufValue NumericArray(GgufValueType type, const std::vector<T>& values) {
  GgufValue v;
  v.type = GgufValueType::kArray;
  v.element_type = type;
  v.count = values.size();
  v.bytes.resize(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(v.bytes.data(), values.data(), v.bytes.size());
  return v;
}

}  // namespace

GgufWriter::GgufWriter(uint32_t alignment) : alignment_(alignment) {
  if (alignment != nn::kGgufDefaultAlignment) SetU32("general.alignment", alignment);
}

void GgufWriter::SetValue(const std::string& key, GgufValue value) {
  for (nn::GgufKeyValue& kv : metadata_) {
    if (kv.key == key) {
      kv.value = std::move(value);
      return;
    }
  }
  metadata_.push_back({key, std::move(value)});
}

void GgufWriter::SetString(const std::string& key, const std::string& value) {
  GgufValue v;
  v.type = GgufValueType::kString;
  v.strings = {value};
  SetValue(key, std::move(v));
}
void GgufWriter::SetU32(const std::string& key, uint32_t value) {
  SetValue(key, Scalar(GgufValueType::kUint32, &value, 4));
}
void GgufWriter::SetI32(const std::string& key, int32_t value) {
  SetValue(key, Scalar(GgufValueType::kInt32, &value, 4));
}
void GgufWriter::SetU64(const std::string& key, uint64_t value) {
  SetValue(key, Scalar(GgufValueType::kUint64, &value, 8));
}
void GgufWriter::SetF32(const std::string& key, float value) {
  SetValue(key, Scalar(GgufValueType::kFloat32, &value, 4));
}
void GgufWriter::SetBool(const std::string& key, bool value) {
  const uint8_t b = value ? 1 : 0;
  SetValue(key, Scalar(GgufValueType::kBool, &b, 1));
}
void GgufWriter::SetStringArray(const std::string& key, const std::vector<std::string>& values) {
  GgufValue v;
  v.type = GgufValueType::kArray;
  v.element_type = GgufValueType::kString;
  v.count = values.size();
  v.strings = values;
  SetValue(key, std::move(v));
}
void GgufWriter::SetF32Array(const std::string& key, const std::vector<float>& values) {
  SetValue(key, NumericArray(GgufValueType::kFloat32, values));
}
void GgufWriter::SetI32Array(const std::string& key, const std::vector<int32_t>& values) {
  SetValue(key, NumericArray(GgufValueType::kInt32, values));
}

size_t GgufWriter::AddTensor(const std::string& name, nn::GgmlType type,
                             std::vector<uint64_t> shape) {
  nn::GgufTensorInfo t;
  t.name = name;
  t.type = type;
  t.n_dims = static_cast<uint32_t>(shape.size());
  t.n_elements = 1;
  for (size_t d = 0; d < shape.size(); ++d) {
    t.ne[d] = shape[d];
    t.n_elements *= shape[d];
  }
  t.n_bytes = nn::RowBytes(type, t.ne[0]) * (t.n_elements / t.ne[0]);
  t.offset = data_size_;
  data_size_ += (t.n_bytes + alignment_ - 1) / alignment_ * alignment_;
  tensors_.push_back(std::move(t));
  return tensors_.size() - 1;
}

Status GgufWriter::WriteHeader(Sink& sink) {
  std::vector<uint8_t> b;
  PutU32(b, nn::kGgufMagic);
  PutU32(b, 3);
  PutU64(b, tensors_.size());
  PutU64(b, metadata_.size());
  for (const nn::GgufKeyValue& kv : metadata_) {
    PutString(b, kv.key);
    const GgufValue& v = kv.value;
    PutU32(b, static_cast<uint32_t>(v.type));
    if (v.type == GgufValueType::kString) {
      PutString(b, v.strings[0]);
    } else if (v.type == GgufValueType::kArray) {
      PutU32(b, static_cast<uint32_t>(v.element_type));
      PutU64(b, v.count);
      if (v.element_type == GgufValueType::kString) {
        for (const std::string& s : v.strings) PutString(b, s);
      } else {
        b.insert(b.end(), v.bytes.begin(), v.bytes.end());
      }
    } else {
      b.insert(b.end(), v.bytes.begin(), v.bytes.end());
    }
  }
  for (const nn::GgufTensorInfo& t : tensors_) {
    PutString(b, t.name);
    PutU32(b, t.n_dims);
    for (uint32_t d = 0; d < t.n_dims; ++d) PutU64(b, t.ne[d]);
    PutU32(b, static_cast<uint32_t>(t.type));
    PutU64(b, t.offset);
  }
  b.resize((b.size() + alignment_ - 1) / alignment_ * alignment_, 0);
  return sink.Write(b.data(), b.size());
}

Status GgufWriter::WriteTensorData(Sink& sink, std::span<const uint8_t> bytes) {
  while (!bytes.empty()) {
    if (current_ >= tensors_.size()) {
      return MakeError("Writing ", bytes.size(), " bytes past the last tensor.");
    }
    const nn::GgufTensorInfo& t = tensors_[current_];
    const uint64_t take = std::min<uint64_t>(bytes.size(), t.n_bytes - current_written_);
    NN_TRY(sink.Write(bytes.data(), static_cast<size_t>(take)));
    bytes = bytes.subspan(static_cast<size_t>(take));
    current_written_ += take;
    if (current_written_ == t.n_bytes) {
      const uint64_t pad = (alignment_ - t.n_bytes % alignment_) % alignment_;
      static const uint8_t kZeros[nn::kGgufMaxAlignment] = {};
      NN_TRY(sink.Write(kZeros, static_cast<size_t>(pad)));
      ++current_;
      current_written_ = 0;
    }
  }
  return {};
}

Status GgufWriter::Finish() {
  // Zero-byte tensors cannot exist (dims > 0), so current_ counts completed tensors.
  if (current_ != tensors_.size()) {
    return MakeError("Only ", current_, " of ", tensors_.size(), " tensors were written.");
  }
  return {};
}

}  // namespace wasmgpu::gguf
