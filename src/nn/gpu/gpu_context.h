// A WebGPU device for inference, through webgpu.h only (the same code runs natively on
// libwasmgpu and inside a wasm32 guest on the `wasmgpu` imports), and small synchronous helpers
// over its asynchronous calls.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "nn/status.h"
#include "wasmgpu/webgpu.h"

namespace wasmgpu::nn {

class GpuContext {
 public:
  // `adapter`: an enumeration index or a name substring ("llvmpipe"); empty: the default.
  static Result<GpuContext> Create(const std::string& adapter = "");
  GpuContext(GpuContext&& other) noexcept;
  GpuContext& operator=(GpuContext&&) = delete;
  ~GpuContext();

  WGPUInstance instance() const { return instance_; }
  WGPUDevice device() const { return device_; }
  WGPUQueue queue() const { return queue_; }
  const WGPULimits& limits() const { return limits_; }
  const std::string& adapter_name() const { return adapter_name_; }
  bool has_subgroups() const { return has_subgroups_; }
  bool has_f16() const { return has_f16_; }
  bool has_timestamps() const { return has_timestamps_; }
  // Shaders may use integer dot products (wasmgpu feature ShaderIntegerDotProduct).
  bool has_integer_dot() const { return has_integer_dot_; }
  bool is_cpu() const { return is_cpu_; }
  uint32_t subgroup_min_size() const { return subgroup_min_size_; }

  // Which matrix-vector kernels LlamaGpu uses. kPortable: matvec.glsl, 16 lanes per row and x in
  // padded shared tiles, tuned on lavapipe (where workgroup count is what costs). kWide:
  // matvec_wide.glsl, 32 lanes per row, two rows per thread, 16-byte weight loads, x in shared
  // tiles, reducing with subgroup shuffles where the device has subgroups. kMixed: kWide for
  // matrices with rows of at least matvec_wide_min_inputs() inputs, kPortable for shorter rows (a
  // wide row group of 32 lanes idles on a row of 9 blocks; on the H100 stories15m decoded faster
  // with the portable kernels, tinyllama-1.1b with the wide ones). kAuto picks kPortable on CPU
  // adapters, kMixed on GPUs.
  enum class MatVecPath { kAuto, kPortable, kWide, kMixed };
  void set_matvec_path(MatVecPath path) { matvec_path_ = path; }
  // kWide: row pairs per row group of a workgroup (0: the default, 1; benchmarks and tests).
  void set_matvec_pairs(uint32_t pairs) { matvec_pairs_ = pairs; }
  uint32_t matvec_pairs() const { return matvec_pairs_; }
  MatVecPath matvec_path() const {
    if (matvec_path_ != MatVecPath::kAuto) return matvec_path_;
    return is_cpu_ ? MatVecPath::kPortable : MatVecPath::kMixed;
  }
  // Whether LlamaGpu may use the integer-dot-product kernels (matvec_dot8.glsl) where the device
  // allows them (default true; tests whose subject is elsewhere turn them off to compare with a
  // float-x CPU reference exactly).
  void set_matvec_dot8(bool on) { matvec_dot8_ = on; }
  bool matvec_dot8() const { return matvec_dot8_; }
  // Whether LlamaGpu's prefill products use f16 arithmetic (matmul.glsl F16_MATH), where the
  // device has ShaderF16: kAuto on GPUs only (CPU adapters gain nothing from it, and lavapipe's
  // tests compare prefill with the f32 CPU reference exactly); kOn and kOff for tests.
  enum class F16Prefill { kAuto, kOn, kOff };
  void set_prefill_f16(F16Prefill mode) { prefill_f16_ = mode; }
  bool prefill_f16() const {
    return has_f16_ && (prefill_f16_ == F16Prefill::kOn ||
                        (prefill_f16_ == F16Prefill::kAuto && !is_cpu_));
  }
  void set_matvec_wide_min_inputs(uint32_t n) { matvec_wide_min_inputs_ = n; }
  uint32_t matvec_wide_min_inputs() const { return matvec_wide_min_inputs_; }
  // hostMappedPointerAlignment when buffers over host memory are available, else 0.
  uint32_t host_mapped_alignment() const { return host_mapped_alignment_; }

  // Blocks until `future` completes (wgpuInstanceWaitAny without timeout).
  Status Wait(WGPUFuture future, const char* what);
  // Errors raised since the last call (the uncaptured-error callback collects them).
  Status TakeErrors(const char* context);

  WGPUBuffer CreateBuffer(uint64_t size, WGPUBufferUsage usage, const char* label);
  // A buffer over fresh zeroed host memory (BufferHostMappedPointer), `size` rounded up to
  // host_mapped_alignment(), which must not be 0; the memory is freed with the buffer. The
  // GPU and the host see each other's writes through it (DESIGN.md decision 9).
  struct HostMapped {
    WGPUBuffer buffer = nullptr;
    void* memory = nullptr;
  };
  Result<HostMapped> CreateHostMappedBuffer(uint64_t size, WGPUBufferUsage usage,
                                            const char* label);
  WGPUShaderModule CreateSpirvModule(std::span<const uint32_t> words, const char* label);

 private:
  GpuContext() = default;
  static void OnError(WGPUDevice const* device, WGPUErrorType type, WGPUStringView message,
                      void* userdata1, void* userdata2);

  WGPUInstance instance_ = nullptr;
  WGPUAdapter adapter_ = nullptr;
  WGPUDevice device_ = nullptr;
  WGPUQueue queue_ = nullptr;
  WGPULimits limits_{};
  std::string adapter_name_;
  bool has_subgroups_ = false;
  bool has_f16_ = false;
  bool has_timestamps_ = false;
  bool has_integer_dot_ = false;
  bool is_cpu_ = false;
  uint32_t subgroup_min_size_ = 0;
  MatVecPath matvec_path_ = MatVecPath::kAuto;
  uint32_t matvec_pairs_ = 0;
  uint32_t matvec_wide_min_inputs_ = 1024;
  bool matvec_dot8_ = true;
  F16Prefill prefill_f16_ = F16Prefill::kAuto;
  uint32_t host_mapped_alignment_ = 0;
  // Heap-allocated so the device callback's userdata survives moves of the context.
  std::unique_ptr<std::string> errors_ = std::make_unique<std::string>();
};

}  // namespace wasmgpu::nn
