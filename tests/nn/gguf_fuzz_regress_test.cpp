// Regressions from fuzzing and reviewing the GGUF reader, the llama loader and the tokenizers
// (tests/fuzz, docs/fuzzing.md): each input here was accepted or crashed before its fix.
#include <gtest/gtest.h>

#include "gguf_raw.h"
#include "nn/gguf.h"

namespace wasmgpu::nn {
namespace {

std::string FirstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

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
