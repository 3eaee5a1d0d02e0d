// The examples, run in both zero-copy modes, with their results verified by the guests
// themselves (they compare against a CPU computation and exit non-zero on a mismatch) and the
// output's numbers checked here.
#include <gtest/gtest.h>

#include <regex>

#include "guest_runner.h"

namespace wasmgpu::host::testing {
namespace {

class Examples : public ::testing::TestWithParam<bool> {
 protected:
  bool off() const { return GetParam(); }
  const char* path() const { return off() ? "standard" : "zero-copy"; }
  GuestRunner runner_;
};

TEST_P(Examples, Vecadd) {
  GuestRun r = runner_.Run(ExamplePath("vecadd"), {"100000"}, {.zero_copy_off = off()});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.exit_code, 0) << r.out;
  // sum of i + 2*(i % 1000) for i < 100000: 4999950000 + 2*100*499500.
  EXPECT_EQ(r.out, fmt::format("vecadd: n=100000 path={} checksum=5099850000 wrong=0\n", path()));
}

TEST_P(Examples, Matmul) {
  GuestRun r = runner_.Run(ExamplePath("matmul"), {"100"}, {.zero_copy_off = off()});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(std::regex_search(
      r.out, std::regex(fmt::format("^matmul: n=100 path={} gpu_ms=[0-9.]+ checksum=-?[0-9]+ "
                                    "wrong=0\n$",
                                    path()))))
      << r.out;
}

TEST_P(Examples, GuestIo) {
  GuestRun r = runner_.Run(ExamplePath("guest-io"),
                           {"--max-floats", "65536", "--iterations", "3", "--warmup-ms", "0"},
                           {.zero_copy_off = off()});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.exit_code, 0) << r.out;
  // Three rows (256, 4096, 65536), each verified; zero_copy_us is null exactly when it is off.
  std::string row = off() ? R"(\{"floats":\d+,"copy_us":[0-9.]+,"zero_copy_us":null,"resident_us":[0-9.]+,"ok":true\})"
                          : R"(\{"floats":\d+,"copy_us":[0-9.]+,"zero_copy_us":[0-9.]+,"resident_us":[0-9.]+,"ok":true\})";
  std::regex re(fmt::format(R"(^\{{"adapter":"[^"]*","zero_copy":{},"iterations":3,"max_workgroups":\d+,"rows":\[{},{},{}\]\}}\n$)",
                            off() ? "false" : "true", row, row, row));
  EXPECT_TRUE(std::regex_search(r.out, re)) << r.out;
}

INSTANTIATE_TEST_SUITE_P(ZeroCopy, Examples, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? std::string("Off") : std::string("Auto");
                         });

}  // namespace
}  // namespace wasmgpu::host::testing
