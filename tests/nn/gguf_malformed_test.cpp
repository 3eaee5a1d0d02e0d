// Malformed GGUF files: one test per check of the reader (src/nn/gguf.h), each refused with its
// message, and the ones that claim huge counts refused without allocating for the claim.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include <random>

#include "gguf_raw.h"
#include "gguf_writer.h"
#include "llama_gguf.h"
#include "nn/reference/llama_cpu.h"
#include "nn/gguf.h"
#include "nn/tokenizer.h"

// Counts heap bytes allocated by this test binary, so a test can bound what a parse allocates.
static std::atomic<uint64_t> g_allocated{0};
void* operator new(size_t n) {
  g_allocated += n;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace wasmgpu::nn {
namespace {

struct Outcome {
  std::string message;
  uint64_t allocated;
};

Outcome Refuse(const Raw& raw) {
  auto source = MakeMemorySource(raw.b);
  const uint64_t before = g_allocated.load();
  auto f = GgufFile::Parse(std::move(source));
  const uint64_t allocated = g_allocated.load() - before;
  EXPECT_FALSE(f.ok());
  if (f.ok()) return {"(parsed)", allocated};
  return {f.error().message, allocated};
}

// The first line of the message must be exactly `expected` (context lines may follow).
#define EXPECT_REFUSED(raw, expected)                                       \
  do {                                                                      \
    const Outcome o = Refuse(raw);                                          \
    EXPECT_EQ(o.message.substr(0, o.message.find('\n')), expected);         \
    EXPECT_LT(o.allocated, 64u * 1024) << "bytes allocated while refusing"; \
  } while (0)

TEST(GgufMalformed, ValidBaselineParses) {
  Raw r;
  r.Header(1, 1).KvStr("general.architecture", "llama").Tensor("t", {4}, 0, 0).PadTo(32).Data(16);
  auto f = GgufFile::Parse(MakeMemorySource(r.b));
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->tensors()[0].n_bytes, 16u);
}

TEST(GgufMalformed, BadMagic) {
  Raw r;
  r.U32(0x46554746).U32(3).U64(0).U64(0);
  EXPECT_REFUSED(r, "Not a GGUF file: the magic number is 0x46554746, expected 0x46554747 (\"GGUF\").");
}

TEST(GgufMalformed, UnsupportedVersion) {
  Raw r;
  r.Header(0, 0, /*version=*/1);
  EXPECT_REFUSED(r, "GGUF version 1 is not supported (versions 2 and 3 are).");
}

TEST(GgufMalformed, BigEndianVersion) {
  Raw r;
  r.Header(0, 0, /*version=*/0x03000000);
  EXPECT_REFUSED(r, "GGUF version 50331648 looks byte-swapped: big-endian GGUF files are not supported.");
}

TEST(GgufMalformed, TruncatedHeader) {
  Raw r;
  r.U32(kGgufMagic).U32(3).U32(0);
  EXPECT_REFUSED(r, "Unexpected end of file at offset 8 while reading the tensor count (8 bytes needed, 4 left).");
}

TEST(GgufMalformed, HugeTensorCountAllocatesNothing) {
  Raw r;
  r.Header(1ull << 60, 0).Data(64);
  EXPECT_REFUSED(r, "Tensor count (1152921504606846976) cannot fit in the 64 bytes left in the "
                    "file (each tensor takes at least 32 bytes).");
}

TEST(GgufMalformed, HugeMetadataCountAllocatesNothing) {
  Raw r;
  r.Header(0, ~0ull).Data(64);
  EXPECT_REFUSED(r, "Metadata count (18446744073709551615) cannot fit in the 64 bytes left in the "
                    "file (each entry takes at least 14 bytes).");
}

TEST(GgufMalformed, StringLongerThanFile) {
  Raw r;
  r.Header(0, 1).U64(1ull << 40).Data(20);  // a key claiming 1 TiB
  EXPECT_REFUSED(r, "String at offset 24 (a metadata key) claims 1099511627776 bytes, but only 20 "
                    "bytes are left in the file (size 52).");
}

TEST(GgufMalformed, StringValueLongerThanFile) {
  Raw r;
  r.Header(0, 1).Str("general.name").U32(8).U64(1000).Data(8);
  EXPECT_REFUSED(r, "String at offset 48 (a string value) claims 1000 bytes, but only 8 bytes are "
                    "left in the file (size 64).");
}

TEST(GgufMalformed, HugeNumericArrayAllocatesNothing) {
  Raw r;
  r.Header(0, 1).Str("tokenizer.ggml.scores").U32(9).U32(6).U64(1ull << 61).Data(16);
  EXPECT_REFUSED(r, "Array of 2305843009213693952 FLOAT32 values (4 bytes each) cannot fit in the "
                    "16 bytes left in the file.");
}

TEST(GgufMalformed, HugeStringArrayAllocatesNothing) {
  Raw r;
  r.Header(0, 1).Str("tokenizer.ggml.tokens").U32(9).U32(8).U64(1ull << 50).Data(100);
  EXPECT_REFUSED(r, "Array of 1125899906842624 strings cannot fit in the 100 bytes left in the "
                    "file (each string takes at least 8 bytes).");
}

TEST(GgufMalformed, UnknownValueType) {
  Raw r;
  r.Header(0, 1).Str("k").U32(13).Data(8);
  EXPECT_REFUSED(r, "Metadata value type 13 at offset 33 is unknown (the types are 0 to 12).");
}

TEST(GgufMalformed, UnknownArrayElementType) {
  Raw r;
  r.Header(0, 1).Str("k").U32(9).U32(200).U64(1).Data(8);
  EXPECT_REFUSED(r, "Array element type 200 at offset 37 is unknown (the types are 0 to 12).");
}

TEST(GgufMalformed, NestedArray) {
  Raw r;
  r.Header(0, 1).Str("k").U32(9).U32(9).U64(1).Data(8);
  EXPECT_REFUSED(r, "Nested arrays (at offset 37) are not supported.");
}

TEST(GgufMalformed, DuplicateKey) {
  Raw r;
  r.Header(0, 2).KvU32("llama.block_count", 1).KvU32("llama.block_count", 2);
  EXPECT_REFUSED(r, "Metadata key 'llama.block_count' appears twice (entries 0 and 1).");
}

TEST(GgufMalformed, AlignmentOfWrongType) {
  Raw r;
  r.Header(0, 1).Str("general.alignment").U32(10).U64(64);
  EXPECT_REFUSED(r, "Metadata key 'general.alignment' is UINT64; expected UINT32.");
}

TEST(GgufMalformed, AlignmentNotPowerOfTwo) {
  Raw r;
  r.Header(0, 1).KvU32("general.alignment", 48);
  EXPECT_REFUSED(r, "Alignment (48) is not a power of two.");
}

TEST(GgufMalformed, AlignmentZero) {
  Raw r;
  r.Header(0, 1).KvU32("general.alignment", 0);
  EXPECT_REFUSED(r, "Alignment (0) is not a power of two.");
}

TEST(GgufMalformed, AlignmentAboveCap) {
  Raw r;
  r.Header(0, 1).KvU32("general.alignment", 1u << 20);
  EXPECT_REFUSED(r, "Alignment (1048576) is larger than the maximum (65536).");
}

TEST(GgufMalformed, TooManyDimensions) {
  Raw r;
  r.Header(1, 0).Tensor("t", {1, 1, 1, 1, 1}, 0, 0).PadTo(32).Data(4);
  EXPECT_REFUSED(r, "Tensor 't' has 5 dimensions; between 1 and 4 are supported.");
}

TEST(GgufMalformed, ZeroDimensions) {
  Raw r;
  r.Header(1, 0).Tensor("t", {}, 0, 0).Data(40);
  EXPECT_REFUSED(r, "Tensor 't' has 0 dimensions; between 1 and 4 are supported.");
}

TEST(GgufMalformed, ZeroSizedDimension) {
  Raw r;
  r.Header(1, 0).Tensor("t", {4, 0}, 0, 0).PadTo(32).Data(16);
  EXPECT_REFUSED(r, "Tensor 't' dimension 1 is 0; dimensions must be between 1 and 2^63 - 1.");
}

TEST(GgufMalformed, ElementCountOverflow) {
  Raw r;
  r.Header(1, 0).Tensor("t", {1ull << 32, 1ull << 32}, 0, 0).PadTo(32).Data(16);
  EXPECT_REFUSED(r, "Tensor 't' element count overflows: the product of its dimensions up to 1 "
                    "exceeds 2^63 - 1.");
}

TEST(GgufMalformed, ByteSizeOverflow) {
  Raw r;  // 2^62 F64 elements are 2^65 bytes
  r.Header(1, 0).Tensor("t", {1ull << 31, 1ull << 31}, 28, 0).PadTo(32).Data(16);
  EXPECT_REFUSED(r, "Tensor 't' byte size overflows: 4611686018427387904 blocks of 8 bytes exceed "
                    "2^64 - 1.");
}

TEST(GgufMalformed, RowNotAMultipleOfTheBlockSize) {
  Raw r;
  r.Header(1, 0).Tensor("t", {33}, 8, 0).PadTo(32).Data(64);
  EXPECT_REFUSED(r, "Tensor 't' row length (33) is not a multiple of the Q8_0 block size (32).");
}

TEST(GgufMalformed, UnknownTensorType) {
  Raw r;
  r.Header(1, 0).Tensor("t", {4}, 99, 0).PadTo(32).Data(16);
  EXPECT_REFUSED(r, "Tensor 't' has unknown type 99.");
}

TEST(GgufMalformed, MisalignedDataOffset) {
  Raw r;
  r.Header(1, 0).Tensor("t", {4}, 0, 4).PadTo(32).Data(32);
  EXPECT_REFUSED(r, "Tensor 't' data offset (4) is not a multiple of the alignment (32).");
}

TEST(GgufMalformed, DataOutsideTheFile) {
  Raw r;
  r.Header(1, 0).Tensor("t", {1024}, 0, 0).PadTo(32).Data(16);
  EXPECT_REFUSED(r, "Tensor 't' data [0, 0 + 4096) lies outside the data section, which holds 16 "
                    "bytes (file size 80, data starts at 64).");
}

TEST(GgufMalformed, DataOffsetPastTheEnd) {
  Raw r;  // the offset alone is past the end; offset + size would also wrap around 2^64
  r.Header(1, 0).Tensor("t", {4}, 0, ~0ull - 31).PadTo(32).Data(16);
  EXPECT_REFUSED(r, "Tensor 't' data [18446744073709551584, 18446744073709551584 + 16) lies "
                    "outside the data section, which holds 16 bytes (file size 80, data starts "
                    "at 64).");
}

TEST(GgufMalformed, DuplicateTensorName) {
  Raw r;
  r.Header(2, 0).Tensor("t", {4}, 0, 0).Tensor("t", {4}, 0, 32).PadTo(32).Data(64);
  EXPECT_REFUSED(r, "Tensor name 't' appears twice (tensors 0 and 1).");
}

// The loader-side check: a key present with the wrong type, as in CVE-2024-21836-style files
// where tokenizer scores are not FLOAT32.
TEST(GgufMalformed, KeyOfWrongTypeRefusedByLoader) {
  Raw r;
  r.Header(0, 3).KvStr("tokenizer.ggml.model", "llama");
  r.Str("tokenizer.ggml.tokens").U32(9).U32(8).U64(2).Str("a").Str("b");
  r.Str("tokenizer.ggml.scores").U32(9).U32(1).U64(2).U32(0x0201).Data(0);
  r.b.resize(r.b.size() - 2);  // the INT8 array holds 2 bytes
  auto f = GgufFile::Parse(MakeMemorySource(r.b));
  ASSERT_TRUE(f.ok()) << f.error().message;
  auto vocab = ReadVocab(*f);
  ASSERT_FALSE(vocab.ok());
  EXPECT_EQ(vocab.error().message,
            "Metadata key 'tokenizer.ggml.scores' is array of INT8; expected an array of FLOAT32.");
}

TEST(GgufMalformed, VersionTwoIsRead) {
  Raw r;
  r.Header(0, 1, /*version=*/2).KvU32("llama.block_count", 3);
  auto f = GgufFile::Parse(MakeMemorySource(r.b));
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->version(), 2u);
}

// Random corruptions of a small valid model, concentrated on the header: every one must either
// load (and then run a token) or be refused, never crash or read out of bounds (run under ASan in
// the asan preset). Deterministic: a fixed seed.
TEST(GgufMalformed, RandomCorruptionsAreRefusedOrRunSafely) {
  gguf::LlamaConfig c;
  c.name = "fuzz";
  c.dim = 32;
  c.n_layers = 1;
  c.n_heads = 2;
  c.n_kv_heads = 1;
  c.ffn_dim = 64;
  c.vocab_size = 300;
  c.max_seq_len = 8;
  gguf::VectorSink sink;
  ASSERT_TRUE(gguf::WriteSyntheticLlama({c, GgmlType::kQ4_0, 1, 1}, sink).ok());
  const std::vector<uint8_t> valid = sink.bytes();
  auto header = GgufFile::Parse(MakeMemorySource(valid));
  ASSERT_TRUE(header.ok());
  const uint64_t header_size = header->data_offset();
  std::mt19937_64 rng(1234);
  int loaded = 0, refused = 0;
  for (int iter = 0; iter < 1500; ++iter) {
    std::vector<uint8_t> bytes = valid;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const uint64_t limit = rng() % 8 == 0 ? bytes.size() : header_size;
      const size_t at = static_cast<size_t>(rng() % limit);
      switch (rng() % 4) {
        case 0: bytes[at] = static_cast<uint8_t>(rng()); break;          // random byte
        case 1: bytes[at] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;  // bit flip
        case 2: bytes[at] = 0xFF; break;                                    // big values
        default: bytes.resize(at); break;                                   // truncation
      }
      if (bytes.empty()) break;
    }
    auto f = GgufFile::Parse(MakeMemorySource(std::move(bytes)));
    if (!f.ok()) {
      ++refused;
      ASSERT_FALSE(f.error().message.empty());
      continue;
    }
    auto shared = std::make_shared<GgufFile>(std::move(*f));
    (void)Tokenizer::FromGguf(*shared);
    auto m = LoadLlamaModel(shared);
    if (!m.ok()) {
      ++refused;
      continue;
    }
    ++loaded;
    auto cpu = LlamaCpu::Create(*m, 1);
    if (cpu.ok()) (void)cpu->Forward(static_cast<int32_t>(m->hp.n_vocab - 1), 0);
  }
  std::printf("corruptions: %d refused, %d loaded\n", refused, loaded);
  EXPECT_GT(refused, 100);
  EXPECT_GT(loaded, 10);  // some corruptions only touch names or values; those still run
}

}  // namespace
}  // namespace wasmgpu::nn
