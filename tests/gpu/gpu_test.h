// The fixture of the GPU conformance suite (tests modelled on the WebGPU CTS: api/validation/
// buffer, api/operation/buffers, api/operation/compute, shader/execution/robust_access).
//
// Every test gets its own device on the default adapter (lavapipe on CI). Errors that reach the
// uncaptured-error callback are recorded; `ExpectError` checks that a block produced exactly one
// error of a kind with a message containing given substrings, and TearDown fails the test on any
// error nobody expected. Helpers block on futures with wgpuInstanceWaitAny.
#pragma once

#include <gtest/gtest.h>
#include <wasmgpu/webgpu.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace wasmgpu::gputest {

std::string ToString(WGPUStringView s);
WGPUStringView Sv(std::string_view s);
const char* ErrorTypeName(WGPUErrorType type);

// True when `haystack` contains `needle`, ignoring ASCII case.
bool ContainsI(std::string_view haystack, std::string_view needle);

struct CapturedError {
  WGPUErrorType type;
  std::string message;
};

// gtest assertion: `message` contains every needle (case-insensitive).
::testing::AssertionResult MessageHas(const std::string& message,
                                      std::initializer_list<std::string_view> needles);

class GpuTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Overridable: the features the device is created with. Default: every optional feature the
  // adapter has that the suite uses (HostMappedPointer, TimestampQuery).
  virtual std::vector<WGPUFeatureName> RequiredFeatures();

  // Creates a device on `adapter_` with `features`; errors go to `errors_`.
  WGPUDevice CreateDevice(const std::vector<WGPUFeatureName>& features);

  // Runs `fn`, flushes events and expects exactly one uncaptured error of `type` whose message
  // contains every needle (case-insensitive). Returns the message ("" when none arrived).
  std::string ExpectError(WGPUErrorType type, std::initializer_list<std::string_view> needles,
                          const std::function<void()>& fn);
  std::string ExpectValidationError(std::initializer_list<std::string_view> needles,
                                    const std::function<void()>& fn) {
    return ExpectError(WGPUErrorType_Validation, needles, fn);
  }
  // Runs `fn`, flushes events and expects no uncaptured error.
  void ExpectNoError(const std::function<void()>& fn);
  // Errors recorded so far and not consumed by ExpectError; clears them.
  std::vector<CapturedError> TakeErrors();

  // Blocks until `future` completes (fails the test after ~10 s).
  void Wait(WGPUFuture future);
  // Waits until all work submitted so far has finished.
  void WaitIdle();
  void ProcessEvents() { wgpuInstanceProcessEvents(instance_); }

  WGPUBuffer CreateBuffer(uint64_t size, WGPUBufferUsage usage, bool mapped_at_creation = false);
  // A buffer holding `data` (made with mappedAtCreation), with `usage` | CopySrc | CopyDst.
  WGPUBuffer CreateBufferWith(const void* data, uint64_t size, WGPUBufferUsage usage);
  template <typename T>
  WGPUBuffer CreateBufferWith(const std::vector<T>& v, WGPUBufferUsage usage) {
    return CreateBufferWith(v.data(), v.size() * sizeof(T), usage);
  }
  // Copies [offset, offset + size) of `buffer` (CopySrc) into a MapRead buffer and maps it.
  std::vector<uint8_t> ReadBuffer(WGPUBuffer buffer, uint64_t offset, uint64_t size);
  template <typename T>
  std::vector<T> ReadAs(WGPUBuffer buffer, uint64_t offset, uint64_t count) {
    std::vector<uint8_t> bytes = ReadBuffer(buffer, offset, count * sizeof(T));
    std::vector<T> out(count);
    if (!bytes.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
    return out;
  }

  // Maps `buffer` and returns the callback's status and message.
  struct MapResult {
    bool called = false;
    WGPUMapAsyncStatus status = WGPUMapAsyncStatus_Force32;
    std::string message;
  };
  // Starts a map; `result` is written by the callback (AllowProcessEvents mode).
  WGPUFuture MapAsync(WGPUBuffer buffer, WGPUMapMode mode, size_t offset, size_t size,
                      MapResult* result);
  MapResult MapAndWait(WGPUBuffer buffer, WGPUMapMode mode, size_t offset, size_t size);

  WGPUShaderModule ShaderFromSpirv(const uint32_t* words, size_t byte_size);
  template <size_t N>
  WGPUShaderModule Shader(const uint32_t (&words)[N]) {
    return ShaderFromSpirv(words, sizeof(words));
  }
  WGPUShaderModule ShaderFromGlsl(std::string_view code);

  // Bind group layout of `types` at bindings 0..n-1, visible to compute.
  WGPUBindGroupLayout CreateLayout(std::initializer_list<WGPUBufferBindingType> types,
                                   bool dynamic = false, uint64_t min_binding_size = 0);
  WGPUPipelineLayout CreatePipelineLayout(std::initializer_list<WGPUBindGroupLayout> groups,
                                          uint32_t immediate_size = 0);
  WGPUComputePipeline CreatePipeline(WGPUShaderModule module, WGPUPipelineLayout layout,
                                     std::vector<WGPUConstantEntry> constants = {});
  struct Binding {
    WGPUBuffer buffer;
    uint64_t offset = 0;
    uint64_t size = WGPU_WHOLE_SIZE;
  };
  // Bind group on `layout` with bindings 0..n-1.
  WGPUBindGroup CreateBindGroup(WGPUBindGroupLayout layout, std::initializer_list<Binding> b);

  // One compute pass with `pipeline`, `group` at index 0 and dispatch(x, y, z), submitted.
  void Dispatch(WGPUComputePipeline pipeline, WGPUBindGroup group, uint32_t x, uint32_t y = 1,
                uint32_t z = 1, const void* immediates = nullptr, size_t immediate_size = 0);
  // Encodes with `record(encoder)`, finishes and submits.
  void Submit(const std::function<void(WGPUCommandEncoder)>& record);
  // Encodes with `record` and finishes WITHOUT submitting (submitting an invalid command buffer
  // is a second error), expecting exactly one validation error from the recording or finish
  // (WebGPU defers encoding errors to finish; either place is accepted, not both).
  void ExpectEncodeError(std::initializer_list<std::string_view> needles,
                         const std::function<void(WGPUCommandEncoder)>& record);
  // Same, for the body of one compute pass.
  void ExpectPassError(std::initializer_list<std::string_view> needles,
                       const std::function<void(WGPUComputePassEncoder)>& body);

  // Every object made through the helpers is released in TearDown (before the device).
  template <typename T>
  T Track(T object);

  WGPUInstance instance_ = nullptr;
  WGPUAdapter adapter_ = nullptr;
  WGPUDevice device_ = nullptr;
  WGPUQueue queue_ = nullptr;
  WGPULimits limits_{};
  uint32_t host_alignment_ = 0;  // hostMappedPointerAlignment of the device (0: no feature)
  bool has_host_mapped_ = false;
  bool has_timestamps_ = false;

 private:
  static void OnError(WGPUDevice const* device, WGPUErrorType type, WGPUStringView message,
                      void* userdata1, void* userdata2);
  std::vector<CapturedError> errors_;
  std::vector<std::function<void()>> releases_;
  std::vector<WGPUDevice> extra_devices_;
};

template <typename T>
T GpuTest::Track(T object) {
  if (object == nullptr) return object;
  if constexpr (std::is_same_v<T, WGPUBuffer>) {
    releases_.push_back([object] { wgpuBufferRelease(object); });
  } else if constexpr (std::is_same_v<T, WGPUShaderModule>) {
    releases_.push_back([object] { wgpuShaderModuleRelease(object); });
  } else if constexpr (std::is_same_v<T, WGPUBindGroupLayout>) {
    releases_.push_back([object] { wgpuBindGroupLayoutRelease(object); });
  } else if constexpr (std::is_same_v<T, WGPUPipelineLayout>) {
    releases_.push_back([object] { wgpuPipelineLayoutRelease(object); });
  } else if constexpr (std::is_same_v<T, WGPUComputePipeline>) {
    releases_.push_back([object] { wgpuComputePipelineRelease(object); });
  } else if constexpr (std::is_same_v<T, WGPUBindGroup>) {
    releases_.push_back([object] { wgpuBindGroupRelease(object); });
  } else if constexpr (std::is_same_v<T, WGPUCommandBuffer>) {
    releases_.push_back([object] { wgpuCommandBufferRelease(object); });
  } else if constexpr (std::is_same_v<T, WGPUCommandEncoder>) {
    releases_.push_back([object] { wgpuCommandEncoderRelease(object); });
  } else if constexpr (std::is_same_v<T, WGPUComputePassEncoder>) {
    releases_.push_back([object] { wgpuComputePassEncoderRelease(object); });
  } else if constexpr (std::is_same_v<T, WGPUQuerySet>) {
    releases_.push_back([object] { wgpuQuerySetRelease(object); });
  } else {
    static_assert(sizeof(T) == 0, "Track: unsupported type");
  }
  return object;
}

// Memory for host-mapped buffers: `size` bytes aligned to `alignment`, freed on destruction
// (the suite frees only after the dispose callback ran or the buffer was never created).
class AlignedMemory {
 public:
  AlignedMemory(size_t alignment, size_t size);
  ~AlignedMemory();
  AlignedMemory(const AlignedMemory&) = delete;
  AlignedMemory& operator=(const AlignedMemory&) = delete;
  uint8_t* data() { return data_; }
  size_t size() const { return size_; }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace wasmgpu::gputest
