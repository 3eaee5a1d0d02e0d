#include "host/handles.h"

#include <gtest/gtest.h>

#include <set>

namespace wasmgpu::host {
namespace {

int objects[8];  // stand-ins for native objects

TEST(HandleTable, InsertFindRelease) {
  HandleTable table(0x1234567);
  bool existing = true;
  uint32_t h = table.Insert(Kind::kBuffer, &objects[0], 0, &existing);
  EXPECT_FALSE(existing);
  ASSERT_NE(h, 0u);
  ASSERT_NE(table.Find(h, Kind::kBuffer), nullptr);
  EXPECT_EQ(table.Find(h, Kind::kBuffer)->object, &objects[0]);
  EXPECT_EQ(table.Find(h, Kind::kComputePipeline), nullptr);
  EXPECT_EQ(table.Describe(h, Kind::kComputePipeline),
            "is a WGPUBuffer, not a WGPUComputePipeline");
  bool ok = false;
  EXPECT_EQ(table.Release(h, Kind::kBuffer, &ok), &objects[0]);
  EXPECT_TRUE(ok);
  EXPECT_EQ(table.Find(h, Kind::kBuffer), nullptr);
  EXPECT_EQ(table.Describe(h, Kind::kBuffer), "was released (a stale WGPUBuffer handle)");
  EXPECT_EQ(table.Release(h, Kind::kBuffer, &ok), nullptr);
  EXPECT_FALSE(ok);
}

TEST(HandleTable, SameObjectSameHandleCountsReferences) {
  HandleTable table(7);
  bool existing = false;
  uint32_t a = table.Insert(Kind::kQueue, &objects[1], 0, &existing);
  uint32_t b = table.Insert(Kind::kQueue, &objects[1], 0, &existing);
  EXPECT_TRUE(existing);
  EXPECT_EQ(a, b);
  EXPECT_TRUE(table.AddRef(a, Kind::kQueue));
  bool ok = false;
  EXPECT_EQ(table.Release(a, Kind::kQueue, &ok), nullptr);  // 3 -> 2
  EXPECT_EQ(table.Release(a, Kind::kQueue, &ok), nullptr);  // 2 -> 1
  EXPECT_EQ(table.Release(a, Kind::kQueue, &ok), &objects[1]);
  EXPECT_EQ(table.live_count(), 0u);
}

TEST(HandleTable, NullAndForgedHandles) {
  HandleTable table(99);
  bool existing = false;
  table.Insert(Kind::kDevice, &objects[2], 0, &existing);
  EXPECT_EQ(table.Find(0, Kind::kDevice), nullptr);
  EXPECT_EQ(table.Describe(0, Kind::kDevice), "is null");
  for (uint32_t forged : {1u, 2u, 0xFFFFFFFFu, 0xDEADBEEFu, 0x10000000u}) {
    EXPECT_EQ(table.Find(forged, Kind::kDevice), nullptr) << forged;
  }
  EXPECT_EQ(table.Describe(0xFFFFFFFFu, Kind::kDevice),
            "is not a handle of this instance (forged, or from another instance)");
}

TEST(HandleTable, AnotherInstancesHandlesAreRefused) {
  HandleTable a(0x0A5A5A5);
  HandleTable b(0x0123457);
  bool existing = false;
  uint32_t ha = a.Insert(Kind::kBuffer, &objects[3], 0, &existing);
  uint32_t hb = b.Insert(Kind::kBuffer, &objects[4], 0, &existing);
  EXPECT_NE(ha, hb);
  EXPECT_EQ(b.Find(ha, Kind::kBuffer), nullptr);
  EXPECT_EQ(a.Find(hb, Kind::kBuffer), nullptr);
}

TEST(HandleTable, StaleHandleNeverNamesTheSlotsNextObject) {
  HandleTable table(5);
  bool existing = false;
  std::set<uint32_t> seen;
  uint32_t first = table.Insert(Kind::kBuffer, &objects[0], 0, &existing);
  bool ok = false;
  table.Release(first, Kind::kBuffer, &ok);
  // Churn through many create/release cycles: the first handle must stay dead.
  static int many[5000];
  for (int& o : many) {
    uint32_t h = table.Insert(Kind::kBuffer, &o, 0, &existing);
    ASSERT_NE(h, first);
    ASSERT_NE(table.Find(h, Kind::kBuffer), nullptr);
    table.Release(h, Kind::kBuffer, &ok);
    ASSERT_TRUE(ok);
  }
  EXPECT_EQ(table.Find(first, Kind::kBuffer), nullptr);
}

}  // namespace
}  // namespace wasmgpu::host
