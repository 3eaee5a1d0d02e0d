// Regressions from fuzzing and reviewing the GGUF reader, the llama loader and the tokenizers
// (tests/fuzz, docs/fuzzing.md): each input here was accepted or crashed before its fix.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "gguf_raw.h"
#include "nn/byte_source.h"
#include "nn/gguf.h"

namespace wasmgpu::nn {
namespace {

std::string FirstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

// A file of `size` bytes that starts with `head` and is zeros after it, without the memory: the
// count caps only matter for files far larger than a test should allocate.
class SparseSource final : public ByteSource {
 public:
  SparseSource(std::vector<uint8_t> head, uint64_t size) : head_(std::move(head)), size_(size) {}
  uint64_t size() const override { return size_; }
  Status Read(uint64_t offset, void* dst, size_t n) override {
    auto* out = static_cast<uint8_t*>(dst);
    for (size_t i = 0; i < n; ++i) {
      out[i] = offset + i < head_.size() ? head_[static_cast<size_t>(offset + i)] : 0;
    }
    return {};
  }

 private:
  std::vector<uint8_t> head_;
  uint64_t size_;
};

std::string RefuseSparse(const Raw& raw, uint64_t size) {
  auto f = GgufFile::Parse(std::make_unique<SparseSource>(raw.b, size));
  EXPECT_FALSE(f.ok());
  return f.ok() ? "(parsed)" : FirstLine(f.error().message);
}

// A 1 GiB file has room for 76 million 14-byte metadata entries, each of which costs some 200
// bytes once parsed: the counts are capped, not only checked against the file size.
TEST(GgufFuzzRegress, MetadataCountIsCapped) {
  Raw r;
  r.Header(0, kGgufMaxMetadataCount + 1);
  EXPECT_EQ(RefuseSparse(r, 1ull << 30),
            "Metadata count (65537) is larger than the maximum (65536).");
}

TEST(GgufFuzzRegress, TensorCountIsCapped) {
  Raw r;
  r.Header(kGgufMaxTensorCount + 1, 0);
  EXPECT_EQ(RefuseSparse(r, 1ull << 30),
            "Tensor count (65537) is larger than the maximum (65536).");
}

TEST(GgufFuzzRegress, ArrayStringsAreCapped) {
  Raw r;  // 2^23 + 1 empty strings fit in 64 MiB of file and take 256 MiB as std::string
  r.Header(0, 1).Str("tokenizer.ggml.tokens").U32(9).U32(8).U64(kGgufMaxArrayStrings + 1);
  EXPECT_EQ(RefuseSparse(r, 1ull << 30),
            "Array of 8388609 strings brings the file's array strings to more than the maximum "
            "(8388608).");
}

// Two tensors over the same bytes: a small file could otherwise declare thousands of layers over
// one block of data and make the loader allocate and upload far more than the file holds.
TEST(GgufFuzzRegress, OverlappingTensorsAreRefused) {
  Raw r;
  r.Header(2, 0).Tensor("a", {8}, 0, 0).Tensor("b", {4}, 0, 0).PadTo(32).Data(32);
  auto f = GgufFile::Parse(MakeMemorySource(r.b));
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(FirstLine(f.error().message),
            "Tensor 'b' data [0, 16) overlaps tensor 'a' data [0, 32); tensors may not share "
            "bytes.");
}

TEST(GgufFuzzRegress, PartlyOverlappingTensorsAreRefused) {
  Raw r;  // 'late' is listed first but lies second; it starts inside 'early'
  r.Header(2, 0).Tensor("late", {8}, 0, 32).Tensor("early", {16}, 0, 0).PadTo(32).Data(96);
  auto f = GgufFile::Parse(MakeMemorySource(r.b));
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(FirstLine(f.error().message),
            "Tensor 'late' data [32, 64) overlaps tensor 'early' data [0, 64); tensors may not "
            "share bytes.");
}

TEST(GgufFuzzRegress, AdjacentTensorsParse) {
  Raw r;
  r.Header(2, 0).Tensor("b", {8}, 0, 32).Tensor("a", {8}, 0, 0).PadTo(32).Data(64);
  auto f = GgufFile::Parse(MakeMemorySource(r.b));
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->tensors().size(), 2u);
}

}  // namespace
}  // namespace wasmgpu::nn
