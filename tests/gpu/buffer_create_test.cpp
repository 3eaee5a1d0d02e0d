// Buffer creation (CTS api/validation/buffer/create, api/operation/buffers/create_mapped,
// map_state): usage rules, sizes, mappedAtCreation, initial contents, getters, destroy.
#include <algorithm>

#include "gpu_test.h"

namespace wasmgpu::gputest {
namespace {

class BufferCreateTest : public GpuTest {};

// Every single usage bit, and the combinations the spec allows, create a buffer without error.
TEST_F(BufferCreateTest, ValidUsages) {
  const WGPUBufferUsage valid[] = {
      WGPUBufferUsage_MapRead,
      WGPUBufferUsage_MapWrite,
      WGPUBufferUsage_CopySrc,
      WGPUBufferUsage_CopyDst,
      WGPUBufferUsage_Index,
      WGPUBufferUsage_Vertex,
      WGPUBufferUsage_Uniform,
      WGPUBufferUsage_Storage,
      WGPUBufferUsage_Indirect,
      WGPUBufferUsage_QueryResolve,
      WGPUBufferUsage_MapRead | WGPUBufferUsage_CopyDst,
      WGPUBufferUsage_MapWrite | WGPUBufferUsage_CopySrc,
      WGPUBufferUsage_Storage | WGPUBufferUsage_Uniform | WGPUBufferUsage_Indirect |
          WGPUBufferUsage_CopySrc | WGPUBufferUsage_CopyDst | WGPUBufferUsage_QueryResolve,
  };
  for (WGPUBufferUsage u : valid) {
    SCOPED_TRACE(::testing::Message() << "usage 0x" << std::hex << u);
    ExpectNoError([&] {
      WGPUBuffer b = CreateBuffer(16, u);
      ASSERT_NE(b, nullptr);
      EXPECT_EQ(wgpuBufferGetUsage(b), u);
      EXPECT_EQ(wgpuBufferGetSize(b), 16u);
      EXPECT_EQ(wgpuBufferGetMapState(b), WGPUBufferMapState_Unmapped);
    });
  }
}

TEST_F(BufferCreateTest, ZeroUsageIsInvalid) {
  ExpectValidationError({"usage"}, [&] { CreateBuffer(16, WGPUBufferUsage_None); });
}

// MapRead may only be combined with CopyDst, MapWrite only with CopySrc.
TEST_F(BufferCreateTest, MapUsageCombinations) {
  struct Case {
    WGPUBufferUsage usage;
    std::string_view other;  // the usage the message must name
  };
  const Case map_read[] = {
      {WGPUBufferUsage_MapRead | WGPUBufferUsage_CopySrc, "CopySrc"},
      {WGPUBufferUsage_MapRead | WGPUBufferUsage_Storage, "Storage"},
      {WGPUBufferUsage_MapRead | WGPUBufferUsage_Uniform, "Uniform"},
      {WGPUBufferUsage_MapRead | WGPUBufferUsage_MapWrite, "MapWrite"},
      {WGPUBufferUsage_MapRead | WGPUBufferUsage_CopyDst | WGPUBufferUsage_Indirect, "Indirect"},
  };
  for (const Case& c : map_read) {
    SCOPED_TRACE(::testing::Message() << "usage 0x" << std::hex << c.usage);
    ExpectValidationError({"MapRead", c.other}, [&] { CreateBuffer(16, c.usage); });
  }
  const Case map_write[] = {
      {WGPUBufferUsage_MapWrite | WGPUBufferUsage_CopyDst, "CopyDst"},
      {WGPUBufferUsage_MapWrite | WGPUBufferUsage_Storage, "Storage"},
      {WGPUBufferUsage_MapWrite | WGPUBufferUsage_CopySrc | WGPUBufferUsage_Uniform, "Uniform"},
  };
  for (const Case& c : map_write) {
    SCOPED_TRACE(::testing::Message() << "usage 0x" << std::hex << c.usage);
    ExpectValidationError({"MapWrite", c.other}, [&] { CreateBuffer(16, c.usage); });
  }
}

TEST_F(BufferCreateTest, UnknownUsageBitIsInvalid) {
  ExpectValidationError({"usage"},
                        [&] { CreateBuffer(16, WGPUBufferUsage_Storage | (1ull << 20)); });
}

TEST_F(BufferCreateTest, SizeOverMaxBufferSize) {
  const uint64_t too_big = limits_.maxBufferSize + 4;
  ExpectValidationError({std::to_string(too_big), std::to_string(limits_.maxBufferSize)},
                        [&] { CreateBuffer(too_big, WGPUBufferUsage_Storage); });
}

TEST_F(BufferCreateTest, ZeroSizedBuffersAreValid) {
  ExpectNoError([&] {
    WGPUBuffer b = CreateBuffer(0, WGPUBufferUsage_Storage | WGPUBufferUsage_CopyDst);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(wgpuBufferGetSize(b), 0u);
    WGPUBuffer m = CreateBuffer(0, WGPUBufferUsage_MapRead, /*mapped_at_creation=*/true);
    ASSERT_NE(m, nullptr);
    wgpuBufferUnmap(m);
  });
}

TEST_F(BufferCreateTest, MappedAtCreationSizeMustBeMultipleOf4) {
  for (uint64_t size : {1ull, 2ull, 3ull, 4099ull}) {
    SCOPED_TRACE(size);
    ExpectValidationError({"mappedAtCreation", std::to_string(size), "4"}, [&] {
      CreateBuffer(size, WGPUBufferUsage_MapWrite, /*mapped_at_creation=*/true);
    });
  }
  ExpectNoError([&] { CreateBuffer(4100, WGPUBufferUsage_MapWrite, true); });
}

// mappedAtCreation works for every usage, map usage or not, and the data written lands.
TEST_F(BufferCreateTest, MappedAtCreationWithoutMapUsage) {
  std::vector<uint32_t> pattern(64);
  for (size_t i = 0; i < pattern.size(); ++i) pattern[i] = 0x1000u + static_cast<uint32_t>(i);
  WGPUBuffer b = CreateBuffer(256, WGPUBufferUsage_Storage | WGPUBufferUsage_CopySrc, true);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(wgpuBufferGetMapState(b), WGPUBufferMapState_Mapped);
  void* p = wgpuBufferGetMappedRange(b, 0, 256);
  ASSERT_NE(p, nullptr);
  // The mapping reads as zeros before it is written.
  EXPECT_TRUE(std::all_of(static_cast<uint8_t*>(p), static_cast<uint8_t*>(p) + 256,
                          [](uint8_t v) { return v == 0; }));
  std::memcpy(p, pattern.data(), 256);
  wgpuBufferUnmap(b);
  EXPECT_EQ(wgpuBufferGetMapState(b), WGPUBufferMapState_Unmapped);
  EXPECT_EQ(ReadAs<uint32_t>(b, 0, 64), pattern);
}

// New buffers read as zeros, through every path (copy + map, mapAsync read and write).
TEST_F(BufferCreateTest, NewBuffersAreZero) {
  const uint64_t size = 64 * 1024 + 12;
  WGPUBuffer storage = CreateBuffer(size, WGPUBufferUsage_Storage | WGPUBufferUsage_CopySrc);
  std::vector<uint8_t> bytes = ReadBuffer(storage, 0, size);
  EXPECT_TRUE(std::all_of(bytes.begin(), bytes.end(), [](uint8_t v) { return v == 0; }));

  for (WGPUMapMode mode : {WGPUMapMode_Read, WGPUMapMode_Write}) {
    WGPUBuffer b = CreateBuffer(size, mode == WGPUMapMode_Read ? WGPUBufferUsage_MapRead
                                                               : WGPUBufferUsage_MapWrite);
    MapResult r = MapAndWait(b, mode, 0, size);
    ASSERT_EQ(r.status, WGPUMapAsyncStatus_Success) << r.message;
    const auto* p = static_cast<const uint8_t*>(wgpuBufferGetConstMappedRange(b, 0, size));
    ASSERT_NE(p, nullptr);
    EXPECT_TRUE(std::all_of(p, p + size, [](uint8_t v) { return v == 0; })) << "mode " << mode;
    wgpuBufferUnmap(b);
  }
}

// destroy() is idempotent and a destroyed buffer keeps its size and usage.
TEST_F(BufferCreateTest, DestroyTwiceAndGetters) {
  ExpectNoError([&] {
    WGPUBuffer b = CreateBuffer(32, WGPUBufferUsage_Storage);
    wgpuBufferDestroy(b);
    wgpuBufferDestroy(b);
    EXPECT_EQ(wgpuBufferGetSize(b), 32u);
    EXPECT_EQ(wgpuBufferGetUsage(b), WGPUBufferUsage_Storage);
    // Destroying a buffer mapped at creation unmaps it.
    WGPUBuffer m = CreateBuffer(32, WGPUBufferUsage_MapWrite, true);
    wgpuBufferDestroy(m);
    EXPECT_EQ(wgpuBufferGetMapState(m), WGPUBufferMapState_Unmapped);
  });
}

// An invalid buffer (failed creation) is still an object; using it is a validation error, not a
// crash.
TEST_F(BufferCreateTest, ErrorBufferUsedInWriteBuffer) {
  WGPUBuffer bad = nullptr;
  ExpectValidationError({"MapRead", "Storage"}, [&] {
    bad = CreateBuffer(16, WGPUBufferUsage_MapRead | WGPUBufferUsage_Storage);
  });
  ASSERT_NE(bad, nullptr) << "a failed creation must still return an (error) object";
  uint32_t v = 1;
  ExpectValidationError({"invalid"}, [&] { wgpuQueueWriteBuffer(queue_, bad, 0, &v, 4); });
}

}  // namespace
}  // namespace wasmgpu::gputest
