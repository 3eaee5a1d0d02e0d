#include "nn/byte_source.h"

#include <cerrno>
#include <cstring>

#if !defined(__wasi__)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define NN_HAVE_MMAP 1
#endif

namespace wasmgpu::nn {
namespace {

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::vector<uint8_t> bytes) : owned_(std::move(bytes)), view_(owned_) {}
  explicit MemorySource(std::span<const uint8_t> view) : view_(view) {}
  uint64_t size() const override { return view_.size(); }
  Status Read(uint64_t offset, void* dst, size_t n) override {
    if (n != 0) std::memcpy(dst, view_.data() + offset, n);
    return {};
  }
  const uint8_t* data() const override { return view_.data(); }

 private:
  std::vector<uint8_t> owned_;
  std::span<const uint8_t> view_;
};

class FileSource final : public ByteSource {
 public:
  FileSource(std::FILE* file, uint64_t size, std::string name)
      : file_(file), size_(size), name_(std::move(name)) {}
  ~FileSource() override { std::fclose(file_); }
  uint64_t size() const override { return size_; }
  Status Read(uint64_t offset, void* dst, size_t n) override {
    if (offset != position_) {
      if (fseeko(file_, static_cast<off_t>(offset), SEEK_SET) != 0) {
        return MakeError("Cannot seek to offset ", offset, " in '", name_, "': ",
                         std::strerror(errno), ".");
      }
    }
    const size_t got = std::fread(dst, 1, n, file_);
    position_ = offset + got;
    if (got != n) {
      return MakeError("Reading ", n, " bytes at offset ", offset, " of '", name_, "' returned ",
                       got, " bytes.");
    }
    return {};
  }

 private:
  std::FILE* file_;
  uint64_t size_;
  std::string name_;
  uint64_t position_ = 0;
};

#if NN_HAVE_MMAP
class MmapSource final : public ByteSource {
 public:
  MmapSource(const uint8_t* base, uint64_t size) : base_(base), size_(size) {}
  ~MmapSource() override {
    if (size_ != 0) munmap(const_cast<uint8_t*>(base_), size_);
  }
  uint64_t size() const override { return size_; }
  Status Read(uint64_t offset, void* dst, size_t n) override {
    if (n != 0) std::memcpy(dst, base_ + offset, n);
    return {};
  }
  const uint8_t* data() const override { return base_; }

 private:
  const uint8_t* base_;
  uint64_t size_;
};
#endif

}  // namespace

std::unique_ptr<ByteSource> MakeMemorySource(std::vector<uint8_t> bytes) {
  return std::make_unique<MemorySource>(std::move(bytes));
}

std::unique_ptr<ByteSource> MakeBorrowedSource(std::span<const uint8_t> bytes) {
  return std::make_unique<MemorySource>(bytes);
}

Result<std::unique_ptr<ByteSource>> MakeFileSource(std::FILE* file, const std::string& name) {
  if (fseeko(file, 0, SEEK_END) != 0) {
    std::fclose(file);
    return MakeError("Cannot seek in '", name, "': ", std::strerror(errno), ".");
  }
  const off_t end = ftello(file);
  if (end < 0 || fseeko(file, 0, SEEK_SET) != 0) {
    std::fclose(file);
    return MakeError("Cannot find the size of '", name, "': ", std::strerror(errno), ".");
  }
  return std::unique_ptr<ByteSource>(
      std::make_unique<FileSource>(file, static_cast<uint64_t>(end), name));
}

Result<std::unique_ptr<ByteSource>> OpenByteSource(const std::string& path) {
#if NN_HAVE_MMAP
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return MakeError("Cannot open '", path, "': ", std::strerror(errno), ".");
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return MakeError("Cannot stat '", path, "': ", std::strerror(err), ".");
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return MakeError("'", path, "' is not a regular file.");
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    return std::unique_ptr<ByteSource>(std::make_unique<MemorySource>(std::vector<uint8_t>{}));
  }
  void* base = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);  // the mapping keeps the file alive
  if (base != MAP_FAILED) {
    return std::unique_ptr<ByteSource>(
        std::make_unique<MmapSource>(static_cast<const uint8_t*>(base), size));
  }
#endif
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return MakeError("Cannot open '", path, "': ", std::strerror(errno), ".");
  return MakeFileSource(file, path);
}

}  // namespace wasmgpu::nn
