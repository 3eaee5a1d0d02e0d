// Writer -> reader round trips, and reading through every ByteSource.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>

#include "gguf_writer.h"
#include "nn/gguf.h"

namespace wasmgpu::nn {
namespace {

std::vector<uint8_t> SampleFile() {
  gguf::GgufWriter w;
  w.SetString("general.architecture", "llama");
  w.SetU32("llama.block_count", 6);
  w.SetI32("some.negative", -5);
  w.SetF32("llama.rope.freq_base", 10000.0f);
  w.SetBool("tokenizer.ggml.add_bos_token", true);
  w.SetStringArray("tokenizer.ggml.tokens", {"<unk>", "\xE2\x96\x81the", ""});
  w.SetF32Array("tokenizer.ggml.scores", {0.0f, -1.5f, 2.0f});
  w.SetI32Array("tokenizer.ggml.token_type", {2, 1, 1});
  w.AddTensor("a", GgmlType::kF32, {3});
  w.AddTensor("b", GgmlType::kQ8_0, {64, 2});
  gguf::VectorSink sink;
  EXPECT_TRUE(w.WriteHeader(sink).ok());
  const float a[3] = {1.0f, 2.0f, 3.0f};
  EXPECT_TRUE(w.WriteTensorData(sink, {reinterpret_cast<const uint8_t*>(a), 12}).ok());
  std::vector<uint8_t> b(4 * 34, 0x11);
  EXPECT_TRUE(w.WriteTensorData(sink, b).ok());
  EXPECT_TRUE(w.Finish().ok());
  return sink.bytes();
}

void ExpectSampleContents(GgufFile& f) {
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.alignment(), 32u);
  EXPECT_EQ(f.data_offset() % 32, 0u);
  EXPECT_EQ(*f.GetString("general.architecture"), "llama");
  EXPECT_EQ(*f.GetUint("llama.block_count", 100), 6u);
  EXPECT_EQ(*f.GetFloat("llama.rope.freq_base"), 10000.0f);
  EXPECT_TRUE(*f.GetBool("tokenizer.ggml.add_bos_token"));
  const auto tokens = *f.GetStringArray("tokenizer.ggml.tokens");
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[1], "\xE2\x96\x81the");
  EXPECT_EQ(tokens[2], "");
  EXPECT_EQ(*f.GetFloatArray("tokenizer.ggml.scores"), (std::vector<float>{0.0f, -1.5f, 2.0f}));
  EXPECT_EQ(*f.GetIntArray("tokenizer.ggml.token_type"), (std::vector<int32_t>{2, 1, 1}));
  ASSERT_EQ(f.tensors().size(), 2u);
  const GgufTensorInfo* b = f.FindTensor("b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->type, GgmlType::kQ8_0);
  EXPECT_EQ(b->ShapeString(), "[64, 2]");
  EXPECT_EQ(b->n_bytes, 4u * 34);
  EXPECT_EQ(b->offset, 32u);  // 12 bytes of "a", padded to the alignment
  std::vector<uint8_t> storage;
  auto a_data = f.TensorData(*f.FindTensor("a"), &storage);
  ASSERT_TRUE(a_data.ok());
  float a[3];
  std::memcpy(a, a_data->data(), 12);
  EXPECT_EQ(a[2], 3.0f);
  auto b_data = f.TensorData(*b, &storage);
  ASSERT_TRUE(b_data.ok());
  EXPECT_EQ((*b_data)[4 * 34 - 1], 0x11);
}

TEST(Gguf, RoundTripInMemory) {
  auto f = GgufFile::Parse(MakeMemorySource(SampleFile()));
  ASSERT_TRUE(f.ok()) << f.error().message;
  ExpectSampleContents(*f);
}

TEST(Gguf, RoundTripThroughMmapAndStdio) {
  const std::vector<uint8_t> bytes = SampleFile();
  const std::string path = testing::TempDir() + "/nn_gguf_roundtrip.gguf";
  std::FILE* out = std::fopen(path.c_str(), "wb");
  ASSERT_NE(out, nullptr);
  ASSERT_EQ(std::fwrite(bytes.data(), 1, bytes.size(), out), bytes.size());
  std::fclose(out);

  auto mapped = GgufFile::Open(path);  // mmap natively
  ASSERT_TRUE(mapped.ok()) << mapped.error().message;
  EXPECT_NE(mapped->source().data(), nullptr);
  ExpectSampleContents(*mapped);

  auto src = MakeFileSource(std::fopen(path.c_str(), "rb"), path);  // the WASI path
  ASSERT_TRUE(src.ok());
  auto read = GgufFile::Parse(std::move(*src));
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->source().data(), nullptr);
  ExpectSampleContents(*read);
  std::remove(path.c_str());
}

TEST(Gguf, MissingFileIsAnError) {
  auto f = GgufFile::Open("/nonexistent/model.gguf");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().message, "Cannot open '/nonexistent/model.gguf': No such file or directory.");
}

TEST(Gguf, TypedGettersRefuseWrongTypes) {
  auto f = GgufFile::Parse(MakeMemorySource(SampleFile()));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->GetFloat("llama.block_count").error().message,
            "Metadata key 'llama.block_count' is UINT32; expected FLOAT32.");
  EXPECT_EQ(f->GetUint("some.negative", 100).error().message,
            "Metadata key 'some.negative' is -5; expected a value between 0 and 100.");
  EXPECT_EQ(f->GetUint("llama.block_count", 5).error().message,
            "Metadata key 'llama.block_count' is 6; expected a value between 0 and 5.");
  EXPECT_EQ(f->GetString("nope").error().message, "Metadata key 'nope' is missing.");
  EXPECT_EQ(f->GetFloatArray("tokenizer.ggml.token_type").error().message,
            "Metadata key 'tokenizer.ggml.token_type' is array of INT32; expected an array of "
            "FLOAT32.");
}

}  // namespace
}  // namespace wasmgpu::nn
