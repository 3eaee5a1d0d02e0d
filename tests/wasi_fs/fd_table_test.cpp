#include "wasi/fs/fd_table.h"

#include <gtest/gtest.h>

namespace wasmgpu::wasi {
namespace {

TEST(FdTable, CreatesEmptyTable) {
  auto table = FdTable::Create({});
  ASSERT_TRUE(table.ok());
}

}  // namespace
}  // namespace wasmgpu::wasi
