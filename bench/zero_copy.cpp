// See zero_copy.h. Uses only the public webgpu.h API (plus the floor, raw Vulkan).
#include "zero_copy.h"

#include <wasmgpu/webgpu.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <thread>

#include "bench_shaders.h"
#include "floor_vulkan.h"
#include "stats.h"

namespace wasmgpu::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Warm-up per path and size: at least this many iterations and this long, so that a GPU coming
// out of idle clocks (seen on the H100: +20-50 us on the first rows) does not skew the medians.
constexpr int kWarmup = 3;
constexpr auto kWarmupTime = std::chrono::milliseconds(200);
constexpr uint32_t kWorkgroupSize = 256;
constexpr float kA = 3.0f;

std::string ToString(WGPUStringView s) {
  if (s.data == nullptr) return "";
  if (s.length == WGPU_STRLEN) return std::string(s.data);
  return std::string(s.data, s.length);
}

double Micros(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

// x[i] and b are small integers, so a*x + b is exact in float with or without FMA contraction,
// and the check below can demand bit equality.
float XValue(uint64_t i) { return static_cast<float>(static_cast<int>(i & 1023) - 512); }
float BValue(int iteration) { return static_cast<float>(iteration % 997); }

struct Immediates {
  float a, b;
  uint32_t n;
};

// Page-aligned host memory for host-mapped buffers; freed only after the dispose callback ran.
struct HostMemory {
  uint8_t* data = nullptr;
  size_t size = 0;
  bool disposed = false;
  HostMemory(size_t alignment, size_t bytes) {
    size = std::max(alignment, (bytes + alignment - 1) / alignment * alignment);
    data = static_cast<uint8_t*>(std::aligned_alloc(alignment, size));
    if (data != nullptr) std::memset(data, 0, size);  // fault the pages in outside the timer
  }
  ~HostMemory() {
    if (disposed || data == nullptr) std::free(data);
    // Otherwise the buffer may still alias it: leak rather than free memory the GPU may use.
  }
  static void OnDispose(void* self) { static_cast<HostMemory*>(self)->disposed = true; }
};

// The device and the blocking helpers the bench needs.
class Gpu {
 public:
  ~Gpu() {
    if (queue_ != nullptr) wgpuQueueRelease(queue_);
    if (device_ != nullptr) wgpuDeviceRelease(device_);
    if (adapter_ != nullptr) wgpuAdapterRelease(adapter_);
    if (instance_ != nullptr) wgpuInstanceRelease(instance_);
  }

  Status Init() {
    timed_wait_ = wgpuHasInstanceFeature(WGPUInstanceFeatureName_TimedWaitAny);
    WGPUInstanceDescriptor idesc{};
    WGPUInstanceFeatureName timed = WGPUInstanceFeatureName_TimedWaitAny;
    if (timed_wait_) {
      idesc.requiredFeatureCount = 1;
      idesc.requiredFeatures = &timed;
    }
    instance_ = wgpuCreateInstance(&idesc);
    if (instance_ == nullptr) return MakeError(ErrorKind::kInternal, "wgpuCreateInstance failed.");

    std::string message;
    WGPURequestAdapterCallbackInfo acb{};
    acb.mode = WGPUCallbackMode_AllowProcessEvents;
    acb.callback = [](WGPURequestAdapterStatus status, WGPUAdapter adapter, WGPUStringView msg,
                      void* u1, void* u2) {
      if (status == WGPURequestAdapterStatus_Success) *static_cast<WGPUAdapter*>(u1) = adapter;
      *static_cast<std::string*>(u2) = ToString(msg);
    };
    acb.userdata1 = &adapter_;
    acb.userdata2 = &message;
    Wait(wgpuInstanceRequestAdapter(instance_, nullptr, acb));
    if (adapter_ == nullptr) {
      return MakeError(ErrorKind::kOther, "No adapter: {}", message);
    }

    std::vector<WGPUFeatureName> features;
    for (WGPUFeatureName f : {WGPUFeatureName_HostMappedPointer, WGPUFeatureName_TimestampQuery}) {
      if (wgpuAdapterHasFeature(adapter_, f)) features.push_back(f);
    }
    WGPUDeviceDescriptor ddesc{};
    ddesc.requiredFeatureCount = features.size();
    ddesc.requiredFeatures = features.data();
    ddesc.uncapturedErrorCallbackInfo.callback = [](WGPUDevice const*, WGPUErrorType,
                                                    WGPUStringView msg, void* u1, void*) {
      static_cast<Gpu*>(u1)->errors_.push_back(ToString(msg));
    };
    ddesc.uncapturedErrorCallbackInfo.userdata1 = this;
    WGPURequestDeviceCallbackInfo dcb{};
    dcb.mode = WGPUCallbackMode_AllowProcessEvents;
    dcb.callback = [](WGPURequestDeviceStatus status, WGPUDevice device, WGPUStringView msg,
                      void* u1, void* u2) {
      if (status == WGPURequestDeviceStatus_Success) *static_cast<WGPUDevice*>(u1) = device;
      *static_cast<std::string*>(u2) = ToString(msg);
    };
    dcb.userdata1 = &device_;
    dcb.userdata2 = &message;
    Wait(wgpuAdapterRequestDevice(adapter_, &ddesc, dcb));
    if (device_ == nullptr) return MakeError(ErrorKind::kOther, "No device: {}", message);
    queue_ = wgpuDeviceGetQueue(device_);
    host_mapped_ = wgpuDeviceHasFeature(device_, WGPUFeatureName_HostMappedPointer);
    timestamps_ = wgpuDeviceHasFeature(device_, WGPUFeatureName_TimestampQuery);
    WGPUHostMappedPointerLimits host_limits{};
    host_limits.chain.sType = WGPUSType_HostMappedPointerLimits;
    WGPULimits limits{};
    limits.nextInChain = &host_limits.chain;
    wgpuDeviceGetLimits(device_, &limits);
    host_alignment_ = host_limits.hostMappedPointerAlignment;
    if (host_alignment_ == 0) host_mapped_ = false;
    return {};
  }

  void Wait(WGPUFuture future) {
    WGPUFutureWaitInfo info{future, WGPU_FALSE};
    while (!info.completed) {
      if (wgpuInstanceWaitAny(instance_, 1, &info, timed_wait_ ? UINT64_MAX : 0) ==
          WGPUWaitStatus_Error) {
        errors_.push_back("wgpuInstanceWaitAny failed.");
        return;
      }
    }
  }

  void WaitIdle() {
    WGPUQueueWorkDoneCallbackInfo cb{};
    cb.mode = WGPUCallbackMode_AllowProcessEvents;
    cb.callback = [](WGPUQueueWorkDoneStatus, WGPUStringView, void*, void*) {};
    Wait(wgpuQueueOnSubmittedWorkDone(queue_, cb));
  }

  bool MapRead(WGPUBuffer buffer, size_t size) {
    WGPUMapAsyncStatus status = WGPUMapAsyncStatus_Force32;
    WGPUBufferMapCallbackInfo cb{};
    cb.mode = WGPUCallbackMode_AllowProcessEvents;
    cb.callback = [](WGPUMapAsyncStatus s, WGPUStringView, void* u1, void*) {
      *static_cast<WGPUMapAsyncStatus*>(u1) = s;
    };
    cb.userdata1 = &status;
    Wait(wgpuBufferMapAsync(buffer, WGPUMapMode_Read, 0, size, cb));
    return status == WGPUMapAsyncStatus_Success;
  }

  WGPUBuffer Buffer(uint64_t size, WGPUBufferUsage usage) {
    WGPUBufferDescriptor desc{};
    desc.size = size;
    desc.usage = usage;
    return wgpuDeviceCreateBuffer(device_, &desc);
  }

  WGPUBuffer HostMapped(HostMemory& mem, WGPUBufferUsage usage) {
    WGPUBufferHostMappedPointer host{};
    host.chain.sType = WGPUSType_BufferHostMappedPointer;
    host.pointer = mem.data;
    host.disposeCallback = &HostMemory::OnDispose;
    host.userdata = &mem;
    WGPUBufferDescriptor desc{};
    desc.nextInChain = &host.chain;
    desc.size = mem.size;
    desc.usage = usage;
    return wgpuDeviceCreateBuffer(device_, &desc);
  }

  // Returns and clears the errors reported so far.
  std::vector<std::string> TakeErrors() {
    wgpuInstanceProcessEvents(instance_);
    std::vector<std::string> out;
    out.swap(errors_);
    return out;
  }

  WGPUInstance instance_ = nullptr;
  WGPUAdapter adapter_ = nullptr;
  WGPUDevice device_ = nullptr;
  WGPUQueue queue_ = nullptr;
  bool timed_wait_ = false;
  bool host_mapped_ = false;
  bool timestamps_ = false;
  uint32_t host_alignment_ = 0;
  std::vector<std::string> errors_;
};

// The saxpy pipeline and its layout, made once for every size and path.
struct Kernel {
  WGPUBindGroupLayout group_layout = nullptr;
  WGPUPipelineLayout layout = nullptr;
  WGPUComputePipeline pipeline = nullptr;
  WGPUQuerySet queries = nullptr;
  uint32_t max_workgroups = 4096;
  ~Kernel() {
    if (queries != nullptr) wgpuQuerySetRelease(queries);
    if (pipeline != nullptr) wgpuComputePipelineRelease(pipeline);
    if (layout != nullptr) wgpuPipelineLayoutRelease(layout);
    if (group_layout != nullptr) wgpuBindGroupLayoutRelease(group_layout);
  }
};

Status MakeKernel(Gpu& gpu, Kernel& k) {
  WGPUShaderSourceSPIRV src{};
  src.chain.sType = WGPUSType_ShaderSourceSPIRV;
  src.codeSize = sizeof(kSpirv_bench_saxpy) / 4;
  src.code = kSpirv_bench_saxpy;
  WGPUShaderModuleDescriptor sdesc{};
  sdesc.nextInChain = &src.chain;
  WGPUShaderModule module = wgpuDeviceCreateShaderModule(gpu.device_, &sdesc);

  WGPUBindGroupLayoutEntry entries[2] = {};
  for (uint32_t i = 0; i < 2; ++i) {
    entries[i].binding = i;
    entries[i].visibility = WGPUShaderStage_Compute;
    entries[i].buffer.type =
        i == 0 ? WGPUBufferBindingType_ReadOnlyStorage : WGPUBufferBindingType_Storage;
  }
  WGPUBindGroupLayoutDescriptor bdesc{};
  bdesc.entryCount = 2;
  bdesc.entries = entries;
  k.group_layout = wgpuDeviceCreateBindGroupLayout(gpu.device_, &bdesc);
  WGPUPipelineLayoutDescriptor pdesc{};
  pdesc.bindGroupLayoutCount = 1;
  pdesc.bindGroupLayouts = &k.group_layout;
  pdesc.immediateSize = sizeof(Immediates);
  k.layout = wgpuDeviceCreatePipelineLayout(gpu.device_, &pdesc);
  WGPUComputePipelineDescriptor cdesc{};
  cdesc.layout = k.layout;
  cdesc.compute.module = module;
  cdesc.compute.entryPoint = WGPUStringView{nullptr, WGPU_STRLEN};
  k.pipeline = wgpuDeviceCreateComputePipeline(gpu.device_, &cdesc);
  wgpuShaderModuleRelease(module);
  if (gpu.timestamps_) {
    WGPUQuerySetDescriptor qdesc{};
    qdesc.type = WGPUQueryType_Timestamp;
    qdesc.count = 2;
    k.queries = wgpuDeviceCreateQuerySet(gpu.device_, &qdesc);
  }
  std::vector<std::string> errors = gpu.TakeErrors();
  if (!errors.empty()) {
    return MakeError(ErrorKind::kInternal, "Creating the kernel failed: {}", errors[0]);
  }
  return {};
}

WGPUBindGroup MakeGroup(Gpu& gpu, Kernel& k, WGPUBuffer x, WGPUBuffer y, uint64_t bytes) {
  WGPUBindGroupEntry e[2] = {};
  e[0].binding = 0;
  e[0].buffer = x;
  e[0].size = bytes;
  e[1].binding = 1;
  e[1].buffer = y;
  e[1].size = bytes;
  WGPUBindGroupDescriptor desc{};
  desc.layout = k.group_layout;
  desc.entryCount = 2;
  desc.entries = e;
  return wgpuDeviceCreateBindGroup(gpu.device_, &desc);
}

// Records the dispatch into `encoder` (with timestamps around it when `timestamps`).
void RecordDispatch(Kernel& k, WGPUCommandEncoder encoder, WGPUBindGroup group, uint64_t n,
                    float b, bool timestamps) {
  WGPUComputePassDescriptor pdesc{};
  WGPUPassTimestampWrites ts{};
  if (timestamps) {
    ts.querySet = k.queries;
    ts.beginningOfPassWriteIndex = 0;
    ts.endOfPassWriteIndex = 1;
    pdesc.timestampWrites = &ts;
  }
  WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(encoder, &pdesc);
  wgpuComputePassEncoderSetPipeline(pass, k.pipeline);
  wgpuComputePassEncoderSetBindGroup(pass, 0, group, 0, nullptr);
  Immediates imm{kA, b, static_cast<uint32_t>(n)};
  wgpuComputePassEncoderSetImmediateData(pass, 0, &imm, sizeof(imm));
  uint64_t groups =
      std::min<uint64_t>((n + kWorkgroupSize - 1) / kWorkgroupSize, k.max_workgroups);
  wgpuComputePassEncoderDispatchWorkgroups(pass, static_cast<uint32_t>(groups), 1, 1);
  wgpuComputePassEncoderEnd(pass);
  wgpuComputePassEncoderRelease(pass);
}

void SubmitOne(Gpu& gpu, WGPUCommandEncoder encoder) {
  WGPUCommandBuffer cb = wgpuCommandEncoderFinish(encoder, nullptr);
  wgpuQueueSubmit(gpu.queue_, 1, &cb);
  wgpuCommandBufferRelease(cb);
  wgpuCommandEncoderRelease(encoder);
}

// Checks every element; on the first mismatch records it in `row` and returns false.
bool Check(const float* y, uint64_t n, float b, const char* path, int iteration,
           ZeroCopyRow& row) {
  for (uint64_t i = 0; i < n; ++i) {
    const float want = kA * XValue(i) + b;
    if (y[i] != want) {
      row.ok = false;
      if (row.error.empty()) {
        row.error = fmt::format("{}: y[{}] = {} after iteration {}, expected {}.", path, i, y[i],
                                iteration, want);
      }
      return false;
    }
  }
  return true;
}

void NoteErrors(Gpu& gpu, const char* path, ZeroCopyRow& row) {
  std::vector<std::string> errors = gpu.TakeErrors();
  if (!errors.empty()) {
    row.ok = false;
    if (row.error.empty()) row.error = fmt::format("{}: {}", path, errors[0]);
  }
}

// Runs `iteration(i)` for the warm-up (kWarmup iterations and kWarmupTime at least), then
// `iterations` more, and returns the median of those.
double TimeLoop(int iterations, const std::function<double(int)>& iteration) {
  int i = 0;
  for (auto start = Clock::now(); i < kWarmup || Clock::now() - start < kWarmupTime; ++i) {
    iteration(i);
  }
  std::vector<double> samples;
  for (int end = i + iterations; i < end; ++i) samples.push_back(iteration(i));
  return Median(std::move(samples));
}

void RunCopy(Gpu& gpu, Kernel& k, const std::vector<float>& x, int iterations, ZeroCopyRow& row) {
  const uint64_t n = x.size(), bytes = n * 4;
  WGPUBuffer xd = gpu.Buffer(bytes, WGPUBufferUsage_Storage | WGPUBufferUsage_CopyDst);
  WGPUBuffer yd = gpu.Buffer(bytes, WGPUBufferUsage_Storage | WGPUBufferUsage_CopySrc);
  WGPUBuffer yr = gpu.Buffer(bytes, WGPUBufferUsage_MapRead | WGPUBufferUsage_CopyDst);
  WGPUBindGroup group = MakeGroup(gpu, k, xd, yd, bytes);
  std::vector<float> y(n);
  row.copy_us = TimeLoop(iterations, [&](int it) {
    const float b = BValue(it);
    auto t0 = Clock::now();
    wgpuQueueWriteBuffer(gpu.queue_, xd, 0, x.data(), bytes);
    WGPUCommandEncoder e = wgpuDeviceCreateCommandEncoder(gpu.device_, nullptr);
    RecordDispatch(k, e, group, n, b, false);
    wgpuCommandEncoderCopyBufferToBuffer(e, yd, 0, yr, 0, bytes);
    SubmitOne(gpu, e);
    bool mapped = gpu.MapRead(yr, bytes);
    const void* p = mapped ? wgpuBufferGetConstMappedRange(yr, 0, bytes) : nullptr;
    if (p != nullptr) std::memcpy(y.data(), p, bytes);
    wgpuBufferUnmap(yr);
    auto t1 = Clock::now();
    if (p == nullptr) {
      row.ok = false;
      if (row.error.empty()) row.error = "copy: mapAsync of the readback buffer failed.";
    } else {
      Check(y.data(), n, b, "copy", it, row);
    }
    return Micros(t0, t1);
  });
  NoteErrors(gpu, "copy", row);
  wgpuBindGroupRelease(group);
  for (WGPUBuffer buf : {xd, yd, yr}) {
    wgpuBufferDestroy(buf);
    wgpuBufferRelease(buf);
  }
}

void RunZeroCopy(Gpu& gpu, Kernel& k, const std::vector<float>& x, int iterations,
                 ZeroCopyRow& row) {
  const uint64_t n = x.size(), bytes = n * 4;
  // Owned by heap objects so that a late dispose callback never writes to a dead stack frame.
  auto xm = std::make_unique<HostMemory>(gpu.host_alignment_, bytes);
  auto ym = std::make_unique<HostMemory>(gpu.host_alignment_, bytes);
  // The producer writes x straight into the buffer's memory (outside the timer, like the copy
  // path's source array).
  std::memcpy(xm->data, x.data(), bytes);
  WGPUBuffer xb = gpu.HostMapped(*xm, WGPUBufferUsage_Storage);
  WGPUBuffer yb = gpu.HostMapped(*ym, WGPUBufferUsage_Storage);
  WGPUBindGroup group = MakeGroup(gpu, k, xb, yb, bytes);
  const float* y = reinterpret_cast<const float*>(ym->data);
  row.zero_copy_us = TimeLoop(iterations, [&](int it) {
    const float b = BValue(it);
    auto t0 = Clock::now();
    WGPUCommandEncoder e = wgpuDeviceCreateCommandEncoder(gpu.device_, nullptr);
    RecordDispatch(k, e, group, n, b, false);
    SubmitOne(gpu, e);
    gpu.WaitIdle();
    auto t1 = Clock::now();
    Check(y, n, b, "zero_copy", it, row);  // y is read in place
    return Micros(t0, t1);
  });
  NoteErrors(gpu, "zero_copy", row);
  wgpuBindGroupRelease(group);
  for (WGPUBuffer buf : {xb, yb}) {
    wgpuBufferDestroy(buf);
    wgpuBufferRelease(buf);
  }
  gpu.WaitIdle();
  wgpuInstanceProcessEvents(gpu.instance_);
  if (!xm->disposed || !ym->disposed) {
    row.ok = false;
    if (row.error.empty()) row.error = "zero_copy: disposeCallback did not run after destroy.";
    xm.release();  // leaked on purpose: the GPU side may still alias it
    ym.release();
  }
}

void RunResident(Gpu& gpu, Kernel& k, const std::vector<float>& x, int iterations,
                 ZeroCopyRow& row) {
  const uint64_t n = x.size(), bytes = n * 4;
  WGPUBuffer xd = gpu.Buffer(bytes, WGPUBufferUsage_Storage | WGPUBufferUsage_CopyDst);
  WGPUBuffer yd = gpu.Buffer(bytes, WGPUBufferUsage_Storage | WGPUBufferUsage_CopySrc);
  WGPUBuffer yr = gpu.Buffer(bytes, WGPUBufferUsage_MapRead | WGPUBufferUsage_CopyDst);
  wgpuQueueWriteBuffer(gpu.queue_, xd, 0, x.data(), bytes);
  WGPUBindGroup group = MakeGroup(gpu, k, xd, yd, bytes);
  int last = 0;
  row.resident_us = TimeLoop(iterations, [&](int it) {
    last = it;
    auto t0 = Clock::now();
    WGPUCommandEncoder e = wgpuDeviceCreateCommandEncoder(gpu.device_, nullptr);
    RecordDispatch(k, e, group, n, BValue(it), false);
    SubmitOne(gpu, e);
    gpu.WaitIdle();
    return Micros(t0, Clock::now());
  });
  // The results stay on the device; check the last iteration's through a readback.
  WGPUCommandEncoder e = wgpuDeviceCreateCommandEncoder(gpu.device_, nullptr);
  wgpuCommandEncoderCopyBufferToBuffer(e, yd, 0, yr, 0, bytes);
  SubmitOne(gpu, e);
  if (gpu.MapRead(yr, bytes)) {
    Check(static_cast<const float*>(wgpuBufferGetConstMappedRange(yr, 0, bytes)), n,
          BValue(last), "resident", last, row);
    wgpuBufferUnmap(yr);
  } else {
    row.ok = false;
    if (row.error.empty()) row.error = "resident: mapAsync of the readback buffer failed.";
  }

  // The kernel's own GPU time, from timestamp queries (separate dispatches: the resolve and
  // readback would otherwise land inside the resident timer).
  if (k.queries != nullptr) {
    WGPUBuffer resolved = gpu.Buffer(16, WGPUBufferUsage_QueryResolve | WGPUBufferUsage_CopySrc);
    WGPUBuffer readback = gpu.Buffer(16, WGPUBufferUsage_MapRead | WGPUBufferUsage_CopyDst);
    std::vector<double> samples;
    for (int it = 0; it < std::min(iterations, 20); ++it) {
      WGPUCommandEncoder te = wgpuDeviceCreateCommandEncoder(gpu.device_, nullptr);
      RecordDispatch(k, te, group, n, BValue(it), true);
      wgpuCommandEncoderResolveQuerySet(te, k.queries, 0, 2, resolved, 0);
      wgpuCommandEncoderCopyBufferToBuffer(te, resolved, 0, readback, 0, 16);
      SubmitOne(gpu, te);
      if (!gpu.MapRead(readback, 16)) break;
      uint64_t t[2];
      std::memcpy(t, wgpuBufferGetConstMappedRange(readback, 0, 16), 16);
      wgpuBufferUnmap(readback);
      if (t[1] >= t[0]) samples.push_back(static_cast<double>(t[1] - t[0]) / 1000.0);
    }
    if (!samples.empty()) row.kernel_us = Median(std::move(samples));
    for (WGPUBuffer buf : {resolved, readback}) {
      wgpuBufferDestroy(buf);
      wgpuBufferRelease(buf);
    }
  }
  NoteErrors(gpu, "resident", row);
  wgpuBindGroupRelease(group);
  for (WGPUBuffer buf : {xd, yd, yr}) {
    wgpuBufferDestroy(buf);
    wgpuBufferRelease(buf);
  }
}

const char* AdapterTypeName(WGPUAdapterType t) {
  switch (t) {
    case WGPUAdapterType_DiscreteGPU: return "discrete";
    case WGPUAdapterType_IntegratedGPU: return "integrated";
    case WGPUAdapterType_CPU: return "cpu";
    default: return "other";
  }
}

}  // namespace

Result<ZeroCopyReport> RunZeroCopyBench(const ZeroCopyOptions& options) {
  if (options.iterations < 1) {
    return MakeError(ErrorKind::kOther, "The iteration count ({}) must be at least 1.",
                     options.iterations);
  }
  Gpu gpu;
  TRY(gpu.Init());
  ZeroCopyReport report;
  report.iterations = options.iterations;
  WGPUAdapterInfo info{};
  if (wgpuAdapterGetInfo(gpu.adapter_, &info) == WGPUStatus_Success) {
    report.adapter = ToString(info.device);
    report.driver = ToString(info.description);
    report.adapter_type = AdapterTypeName(info.adapterType);
    wgpuAdapterInfoFreeMembers(info);
  }

  // The floor first, on the same Vulkan device, while nothing else runs.
  const int floor_iterations = std::max(500, options.iterations * 20);
  Result<FloorResult> floor = MeasureVulkanFloor(report.adapter, floor_iterations);
  if (!floor.ok()) floor = MeasureVulkanFloor("", floor_iterations);
  TRY(floor);
  report.floor_us = floor->median_us;

  Kernel kernel;
  TRY(MakeKernel(gpu, kernel));
  kernel.max_workgroups = options.max_workgroups;
  if (kernel.max_workgroups == 0) {
    kernel.max_workgroups =
        report.adapter_type == "cpu" ? 4 * std::max(1u, std::thread::hardware_concurrency()) : 4096;
  }
  report.max_workgroups = kernel.max_workgroups;
  for (uint64_t n : options.sizes) {
    std::vector<float> x(n);
    for (uint64_t i = 0; i < n; ++i) x[i] = XValue(i);
    ZeroCopyRow row;
    row.floats = n;
    RunCopy(gpu, kernel, x, options.iterations, row);
    if (gpu.host_mapped_) RunZeroCopy(gpu, kernel, x, options.iterations, row);
    RunResident(gpu, kernel, x, options.iterations, row);
    report.rows.push_back(std::move(row));
  }
  return report;
}

}  // namespace wasmgpu::bench
