// The mapping state machine (CTS api/validation/buffer/mapping, api/operation/buffers/map,
// map_state): mapAsync usage, state and range rules, pending maps cancelled by unmap or destroy,
// getMappedRange ranges and alignment.
#include "gpu_test.h"

namespace wasmgpu::gputest {
namespace {

class BufferMappingTest : public GpuTest {
 protected:
  WGPUBuffer Mappable(WGPUMapMode mode, uint64_t size) {
    return CreateBuffer(size, mode == WGPUMapMode_Read ? WGPUBufferUsage_MapRead
                                                       : WGPUBufferUsage_MapWrite);
  }
  // Expects mapAsync to fail with a validation error naming `needles` and its callback to
  // report WGPUMapAsyncStatus_Error.
  void ExpectMapFails(WGPUBuffer b, WGPUMapMode mode, size_t offset, size_t size,
                      std::initializer_list<std::string_view> needles) {
    MapResult r;
    WGPUFuture f{};
    ExpectValidationError(needles, [&] { f = MapAsync(b, mode, offset, size, &r); });
    Wait(f);
    EXPECT_TRUE(r.called);
    EXPECT_EQ(r.status, WGPUMapAsyncStatus_Error) << r.message;
    EXPECT_NE(wgpuBufferGetMapState(b), WGPUBufferMapState_Pending);
  }
};

// mapAsync needs the matching map usage; mode 0 and both modes at once are invalid.
TEST_F(BufferMappingTest, MapAsyncUsage) {
  ExpectMapFails(Mappable(WGPUMapMode_Write, 16), WGPUMapMode_Read, 0, 16, {"MapRead"});
  ExpectMapFails(Mappable(WGPUMapMode_Read, 16), WGPUMapMode_Write, 0, 16, {"MapWrite"});
  ExpectMapFails(CreateBuffer(16, WGPUBufferUsage_Storage | WGPUBufferUsage_CopySrc),
                 WGPUMapMode_Read, 0, 16, {"MapRead"});
  ExpectMapFails(Mappable(WGPUMapMode_Read, 16), WGPUMapMode_None, 0, 16, {"mode"});
  ExpectMapFails(Mappable(WGPUMapMode_Read, 16), WGPUMapMode_Read | WGPUMapMode_Write, 0, 16,
                 {"mode"});
}

TEST_F(BufferMappingTest, MapAsyncSuccessAndState) {
  for (WGPUMapMode mode : {WGPUMapMode_Read, WGPUMapMode_Write}) {
    WGPUBuffer b = Mappable(mode, 64);
    MapResult r;
    WGPUFuture f = MapAsync(b, mode, 0, 64, &r);
    EXPECT_EQ(wgpuBufferGetMapState(b), WGPUBufferMapState_Pending);
    Wait(f);
    ASSERT_EQ(r.status, WGPUMapAsyncStatus_Success) << r.message;
    EXPECT_EQ(wgpuBufferGetMapState(b), WGPUBufferMapState_Mapped);
    wgpuBufferUnmap(b);
    EXPECT_EQ(wgpuBufferGetMapState(b), WGPUBufferMapState_Unmapped);
    // A buffer can be mapped again once unmapped.
    EXPECT_EQ(MapAndWait(b, mode, 0, 64).status, WGPUMapAsyncStatus_Success);
    wgpuBufferUnmap(b);
  }
}

// offset must be a multiple of 8, size a multiple of 4, and the range inside the buffer.
TEST_F(BufferMappingTest, MapAsyncOffsetAndSizeRules) {
  WGPUBuffer b = Mappable(WGPUMapMode_Read, 1024);
  ExpectMapFails(b, WGPUMapMode_Read, 4, 8, {"offset", "4", "8"});
  ExpectMapFails(b, WGPUMapMode_Read, 8, 6, {"size", "6", "4"});
  ExpectMapFails(b, WGPUMapMode_Read, 512, 516, {"[512, 1028)", "1024"});
  ExpectMapFails(b, WGPUMapMode_Read, 1032, 0, {"1032", "1024"});
  ExpectMapFails(b, WGPUMapMode_Read, 1024, 4, {"1024"});
  // WGPU_WHOLE_MAP_SIZE from an offset past the end.
  ExpectMapFails(b, WGPUMapMode_Read, 1032, WGPU_WHOLE_MAP_SIZE, {"1032", "1024"});
  // Valid edge cases: empty ranges at 0 and at the end, a full range, a tail with WHOLE size.
  for (auto [offset, size] : std::vector<std::pair<size_t, size_t>>{
           {0, 0}, {1024, 0}, {0, 1024}, {512, 512}, {1016, WGPU_WHOLE_MAP_SIZE}}) {
    SCOPED_TRACE(::testing::Message() << "offset " << offset << " size " << size);
    ExpectNoError([&] {
      EXPECT_EQ(MapAndWait(b, WGPUMapMode_Read, offset, size).status,
                WGPUMapAsyncStatus_Success);
      wgpuBufferUnmap(b);
    });
  }
}

// A zero-sized buffer maps only as an empty range at 0.
TEST_F(BufferMappingTest, MapAsyncZeroSizedBuffer) {
  WGPUBuffer b = Mappable(WGPUMapMode_Write, 0);
  ExpectNoError([&] {
    EXPECT_EQ(MapAndWait(b, WGPUMapMode_Write, 0, WGPU_WHOLE_MAP_SIZE).status,
              WGPUMapAsyncStatus_Success);
    wgpuBufferUnmap(b);
  });
  ExpectMapFails(b, WGPUMapMode_Write, 0, 4, {"4", "0"});
  ExpectMapFails(b, WGPUMapMode_Write, 8, 0, {"8", "0"});
}

TEST_F(BufferMappingTest, MapAsyncWhileMappedIsError) {
  WGPUBuffer b = Mappable(WGPUMapMode_Read, 16);
  ASSERT_EQ(MapAndWait(b, WGPUMapMode_Read, 0, 16).status, WGPUMapAsyncStatus_Success);
  ExpectMapFails(b, WGPUMapMode_Read, 0, 16, {"mapped"});
  // The first mapping is still there.
  EXPECT_EQ(wgpuBufferGetMapState(b), WGPUBufferMapState_Mapped);
  EXPECT_NE(wgpuBufferGetConstMappedRange(b, 0, 16), nullptr);
  wgpuBufferUnmap(b);
}

TEST_F(BufferMappingTest, MapAsyncWhileMappedAtCreationIsError) {
  WGPUBuffer b = CreateBuffer(16, WGPUBufferUsage_MapRead, /*mapped_at_creation=*/true);
  ExpectMapFails(b, WGPUMapMode_Read, 0, 16, {"mapped"});
  wgpuBufferUnmap(b);
  ExpectNoError([&] {
    EXPECT_EQ(MapAndWait(b, WGPUMapMode_Read, 0, 16).status, WGPUMapAsyncStatus_Success);
  });
}

// A second mapAsync while one is pending fails; the first still completes.
TEST_F(BufferMappingTest, MapAsyncWhilePendingIsError) {
  WGPUBuffer b = Mappable(WGPUMapMode_Write, 16);
  MapResult first;
  WGPUFuture f = MapAsync(b, WGPUMapMode_Write, 0, 16, &first);
  // The message should say a map is pending; "already" is what every wording shares.
  ExpectMapFails(b, WGPUMapMode_Write, 0, 16, {"already"});
  Wait(f);
  EXPECT_EQ(first.status, WGPUMapAsyncStatus_Success) << first.message;
  EXPECT_EQ(wgpuBufferGetMapState(b), WGPUBufferMapState_Mapped);
}

// unmap() while a map is pending aborts it; the buffer can be mapped again afterwards.
TEST_F(BufferMappingTest, UnmapWhilePendingAborts) {
  WGPUBuffer b = Mappable(WGPUMapMode_Read, 16);
  MapResult r;
  WGPUFuture f{};
  ExpectNoError([&] {
    f = MapAsync(b, WGPUMapMode_Read, 0, 16, &r);
    wgpuBufferUnmap(b);
  });
  Wait(f);
  EXPECT_EQ(r.status, WGPUMapAsyncStatus_Aborted) << r.message;
  EXPECT_EQ(wgpuBufferGetMapState(b), WGPUBufferMapState_Unmapped);
  EXPECT_EQ(wgpuBufferGetConstMappedRange(b, 0, 16), nullptr);
  ExpectNoError([&] {
    EXPECT_EQ(MapAndWait(b, WGPUMapMode_Read, 0, 16).status, WGPUMapAsyncStatus_Success);
  });
}

// destroy() while a map is pending aborts it too.
TEST_F(BufferMappingTest, DestroyWhilePendingAborts) {
  WGPUBuffer b = Mappable(WGPUMapMode_Write, 16);
  MapResult r;
  WGPUFuture f{};
  ExpectNoError([&] {
    f = MapAsync(b, WGPUMapMode_Write, 0, 16, &r);
    wgpuBufferDestroy(b);
  });
  Wait(f);
  EXPECT_EQ(r.status, WGPUMapAsyncStatus_Aborted) << r.message;
  EXPECT_EQ(wgpuBufferGetMapState(b), WGPUBufferMapState_Unmapped);
}

TEST_F(BufferMappingTest, MapAsyncOnDestroyedBufferIsError) {
  WGPUBuffer b = Mappable(WGPUMapMode_Read, 16);
  wgpuBufferDestroy(b);
  ExpectMapFails(b, WGPUMapMode_Read, 0, 16, {"destroyed"});
}

// unmap() on an unmapped buffer, or a destroyed one, is not an error.
TEST_F(BufferMappingTest, UnmapWhenUnmappedIsNoop) {
  ExpectNoError([&] {
    WGPUBuffer b = Mappable(WGPUMapMode_Read, 16);
    wgpuBufferUnmap(b);
    wgpuBufferUnmap(b);
    wgpuBufferDestroy(b);
    wgpuBufferUnmap(b);
  });
}

TEST_F(BufferMappingTest, GetMappedRangeStates) {
  WGPUBuffer b = Mappable(WGPUMapMode_Read, 16);
  // Unmapped at creation.
  EXPECT_EQ(wgpuBufferGetConstMappedRange(b, 0, 16), nullptr);
  // Pending.
  MapResult r;
  WGPUFuture f = MapAsync(b, WGPUMapMode_Read, 0, 16, &r);
  EXPECT_EQ(wgpuBufferGetConstMappedRange(b, 0, 16), nullptr);
  Wait(f);
  ASSERT_EQ(r.status, WGPUMapAsyncStatus_Success);
  // Mapped.
  EXPECT_NE(wgpuBufferGetConstMappedRange(b, 0, 16), nullptr);
  // Unmapped after a mapping.
  wgpuBufferUnmap(b);
  EXPECT_EQ(wgpuBufferGetConstMappedRange(b, 0, 16), nullptr);
  // Destroyed while mapped.
  ASSERT_EQ(MapAndWait(b, WGPUMapMode_Read, 0, 16).status, WGPUMapAsyncStatus_Success);
  wgpuBufferDestroy(b);
  EXPECT_EQ(wgpuBufferGetConstMappedRange(b, 0, 16), nullptr);
  // Mapped at creation, then unmapped.
  WGPUBuffer c = CreateBuffer(16, WGPUBufferUsage_Storage, true);
  EXPECT_NE(wgpuBufferGetMappedRange(c, 0, 16), nullptr);
  wgpuBufferUnmap(c);
  EXPECT_EQ(wgpuBufferGetMappedRange(c, 0, 16), nullptr);
}

// A read mapping gives no writable range; a write mapping gives both kinds. Ranges handed out
// may not overlap (webgpu.h "Mapped Range Behavior": every call reserves its range).
TEST_F(BufferMappingTest, GetMappedRangeOfReadMappingIsConstOnly) {
  WGPUBuffer r = Mappable(WGPUMapMode_Read, 16);
  ASSERT_EQ(MapAndWait(r, WGPUMapMode_Read, 0, 16).status, WGPUMapAsyncStatus_Success);
  EXPECT_EQ(wgpuBufferGetMappedRange(r, 0, 16), nullptr);
  EXPECT_NE(wgpuBufferGetConstMappedRange(r, 0, 16), nullptr);
  WGPUBuffer w = Mappable(WGPUMapMode_Write, 16);
  ASSERT_EQ(MapAndWait(w, WGPUMapMode_Write, 0, 16).status, WGPUMapAsyncStatus_Success);
  EXPECT_NE(wgpuBufferGetMappedRange(w, 0, 8), nullptr);
  EXPECT_NE(wgpuBufferGetConstMappedRange(w, 8, 8), nullptr);
  ProcessEvents();
  TakeErrors();  // getMappedRange reports through its return value; errors are optional.
}

// getMappedRange: offset multiple of 8, size multiple of 4, inside the mapped range, not
// overlapping a range handed out before; what is written through the ranges lands.
TEST_F(BufferMappingTest, GetMappedRangeRanges) {
  WGPUBuffer b = CreateBuffer(256, WGPUBufferUsage_MapWrite | WGPUBufferUsage_CopySrc);
  ASSERT_EQ(MapAndWait(b, WGPUMapMode_Write, 64, 128).status, WGPUMapAsyncStatus_Success);
  EXPECT_EQ(wgpuBufferGetMappedRange(b, 68, 8), nullptr);   // offset not a multiple of 8
  EXPECT_EQ(wgpuBufferGetMappedRange(b, 72, 6), nullptr);   // size not a multiple of 4
  EXPECT_EQ(wgpuBufferGetMappedRange(b, 56, 16), nullptr);  // starts before the mapping
  EXPECT_EQ(wgpuBufferGetMappedRange(b, 184, 16), nullptr); // ends after the mapping
  EXPECT_EQ(wgpuBufferGetMappedRange(b, 200, 0), nullptr);  // past the end
  EXPECT_EQ(wgpuBufferGetMappedRange(b, 64, SIZE_MAX - 3), nullptr);  // overflows
  auto* first = static_cast<uint32_t*>(wgpuBufferGetMappedRange(b, 64, 8));
  auto* second = static_cast<uint32_t*>(wgpuBufferGetMappedRange(b, 72, 8));
  auto* tail = static_cast<uint32_t*>(wgpuBufferGetMappedRange(b, 128, WGPU_WHOLE_MAP_SIZE));
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  ASSERT_NE(tail, nullptr);
  EXPECT_EQ(wgpuBufferGetMappedRange(b, 72, 4), nullptr);   // overlaps `second`
  EXPECT_EQ(wgpuBufferGetMappedRange(b, 64, 128), nullptr); // overlaps everything
  first[0] = 11;
  first[1] = 12;
  second[0] = 13;
  tail[15] = 14;  // bytes [188, 192)
  wgpuBufferUnmap(b);
  std::vector<uint32_t> got = ReadAs<uint32_t>(b, 0, 64);
  std::vector<uint32_t> want(64, 0);
  want[16] = 11;
  want[17] = 12;
  want[18] = 13;
  want[47] = 14;
  EXPECT_EQ(got, want);
  ProcessEvents();
  TakeErrors();  // getMappedRange reports through its return value; errors are optional.
}

// Data written through a write mapping reaches the buffer, and a read mapping sees GPU writes.
TEST_F(BufferMappingTest, WriteMappingThenReadMapping) {
  std::vector<uint32_t> data(256);
  for (size_t i = 0; i < data.size(); ++i) data[i] = 0xA0000000u + static_cast<uint32_t>(i);
  WGPUBuffer up = CreateBuffer(1024, WGPUBufferUsage_MapWrite | WGPUBufferUsage_CopySrc);
  ASSERT_EQ(MapAndWait(up, WGPUMapMode_Write, 0, 1024).status, WGPUMapAsyncStatus_Success);
  std::memcpy(wgpuBufferGetMappedRange(up, 0, 1024), data.data(), 1024);
  wgpuBufferUnmap(up);
  WGPUBuffer down = CreateBuffer(1024, WGPUBufferUsage_MapRead | WGPUBufferUsage_CopyDst);
  Submit([&](WGPUCommandEncoder e) {
    wgpuCommandEncoderCopyBufferToBuffer(e, up, 0, down, 0, 1024);
  });
  ASSERT_EQ(MapAndWait(down, WGPUMapMode_Read, 256, 512).status, WGPUMapAsyncStatus_Success);
  const auto* p = static_cast<const uint32_t*>(wgpuBufferGetConstMappedRange(down, 256, 512));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(std::vector<uint32_t>(p, p + 128),
            std::vector<uint32_t>(data.begin() + 64, data.begin() + 192));
}

// Submitting work that uses a buffer while it is mapped is a validation error.
TEST_F(BufferMappingTest, SubmitWhileMappedIsError) {
  WGPUBuffer b = CreateBuffer(16, WGPUBufferUsage_MapRead | WGPUBufferUsage_CopyDst);
  WGPUBuffer src = CreateBuffer(16, WGPUBufferUsage_CopySrc);
  ASSERT_EQ(MapAndWait(b, WGPUMapMode_Read, 0, 16).status, WGPUMapAsyncStatus_Success);
  ExpectValidationError({"mapped"}, [&] {
    Submit([&](WGPUCommandEncoder e) {
      wgpuCommandEncoderCopyBufferToBuffer(e, src, 0, b, 0, 16);
    });
  });
}

}  // namespace
}  // namespace wasmgpu::gputest
