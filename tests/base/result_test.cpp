#include "base/result.h"

#include <gtest/gtest.h>

namespace wasmgpu {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return ValidationError("Value ({}) is not even.", x);
  return x / 2;
}

Result<int> Quarter(int x) {
  TRY_ASSIGN(int h, Half(x));
  TRY_ASSIGN(int q, Half(h));
  return q;
}

Status CheckQuarter(int x) {
  TRY(Quarter(x));
  return {};
}

TEST(ResultTest, PropagatesValueAndError) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kValidation);
  EXPECT_EQ(r.error().message, "Value (3) is not even.");
  EXPECT_TRUE(CheckQuarter(4).ok());
  Status s = CheckQuarter(2);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "Value (1) is not even.");
}

TEST(ResultTest, ContextLines) {
  Error e = ValidationError("Size ({}) is too big.", 5).With("While validating bindings[2]");
  EXPECT_EQ(e.message, "Size (5) is too big.\n - While validating bindings[2]");
}

}  // namespace
}  // namespace wasmgpu
