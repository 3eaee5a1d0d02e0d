// `wasmgpu bench zero-copy`: one dispatch of y = a*x + b over N floats, three ways, in one run
// (issue 2, DESIGN.md decision 10):
//   copy       the standard path: writeBuffer x, dispatch, copy y into a MapRead buffer,
//              mapAsync, memcpy y out;
//   zero_copy  x and y are host-mapped buffers (WGPUBufferHostMappedPointer): dispatch, wait for
//              onSubmittedWorkDone, y is already in host memory;
//   resident   x and y are device buffers: dispatch, wait.
// Each is timed per iteration (median), every element of y is checked after every timed
// iteration (outside the timer), and floor_us (bench/floor_vulkan.h) is measured on the same
// Vulkan device. See docs/bench.md for what is inside each timer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace wasmgpu::bench {

struct ZeroCopyOptions {
  int iterations = 30;  // timed iterations per path and size (after 3 warm-up iterations)
  std::vector<uint64_t> sizes = {256, 4096, 65536, 1u << 20, 4u << 20, 16u << 20};
  // Workgroups of 256 invocations per dispatch at most; the kernel strides over the rest.
  // 0: 4096 on GPUs, 4 per hardware thread on the CPU adapter (lavapipe runs each workgroup as
  // a task on its thread pool, so a few large ones beat thousands of small ones).
  uint32_t max_workgroups = 0;
};

struct ZeroCopyRow {
  uint64_t floats = 0;
  double copy_us = 0;
  std::optional<double> zero_copy_us;  // absent without the host-mapped pointer feature
  double resident_us = 0;
  std::optional<double> kernel_us;     // GPU time of the dispatch (timestamp queries), median
  bool ok = true;                      // every element of every checked result matched
  std::string error;                   // the first mismatch or failure, when !ok
};

struct ZeroCopyReport {
  std::string adapter;  // adapter name
  std::string driver;   // adapter description (driver name and version)
  std::string adapter_type;
  double floor_us = 0;
  int iterations = 0;
  uint32_t max_workgroups = 0;  // as used
  std::vector<ZeroCopyRow> rows;
};

Result<ZeroCopyReport> RunZeroCopyBench(const ZeroCopyOptions& options);

}  // namespace wasmgpu::bench
