#include "host/state.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "gpu/embedder.h"
#include "host/native.h"

namespace wasmgpu::host {
namespace {

// Distinct per instance in a process (splitmix64 of a counter), so handles of one instance
// decode to garbage in another.
uint32_t NextKey() {
  static std::atomic<uint64_t> counter{0x9E3779B97F4A7C15ull};
  uint64_t z = counter.fetch_add(0x9E3779B97F4A7C15ull) + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return static_cast<uint32_t>(z ^ (z >> 31));
}

// Children before parents, so each native release drops the last reference bottom-up.
constexpr Kind kTeardownOrder[] = {
    Kind::kComputePassEncoder, Kind::kCommandEncoder,  Kind::kCommandBuffer,
    Kind::kBindGroup,          Kind::kComputePipeline, Kind::kPipelineLayout,
    Kind::kBindGroupLayout,    Kind::kShaderModule,    Kind::kQuerySet,
    Kind::kBuffer,             Kind::kQueue,           Kind::kDevice,
    Kind::kAdapter,
};

// How long teardown waits for the GPU to let go of guest memory.
constexpr auto kDisposeWait = std::chrono::seconds(20);

}  // namespace

GpuState::GpuState(wasm::Instance* instance) : handles(NextKey()), instance_(instance) {
  zero_copy_off_ = instance->options().gpu.zero_copy == wasm::GpuOptions::ZeroCopy::kOff;
  adapter_override_ = instance->options().gpu.adapter;
}

GpuState& GpuState::Of(wasm::Instance* instance) {
  auto* state = static_cast<GpuState*>(instance->host_state(wasm::kGpuStateSlot));
  if (state == nullptr) {
    auto owned = std::make_unique<GpuState>(instance);
    state = owned.get();
    instance->SetHostState(wasm::kGpuStateSlot, std::move(owned));
  }
  return *state;
}

GpuState::~GpuState() {
  // The guest is gone (returned, exited, trapped or timed out): no more guest callbacks.
  tearing_down = true;
  deliveries.clear();
  std::vector<uint32_t> live = handles.LiveHandles();
  std::vector<WGPUInstance> instances;
  for (uint32_t h : live) {
    if (auto* inst = Native<WGPUInstance>(h, Kind::kInstance)) instances.push_back(inst);
  }
  // 1. Wait for the GPU: destroying a device waits (bounded by the GPU timeout) for its work,
  //    then destroys its buffers, which queues their dispose callbacks.
  for (uint32_t h : live) {
    if (auto* device = Native<WGPUDevice>(h, Kind::kDevice)) wgpuDeviceDestroy(device);
  }
  // 2. Drop every reference the guest still holds, children first.
  for (Kind kind : kTeardownOrder) {
    for (uint32_t h : live) {
      const HandleTable::Slot* slot = handles.Find(h, kind);
      if (slot == nullptr) continue;
      void* object = handles.Remove(h);
      NativeRelease(kind, object);
    }
  }
  // 3. Only when every host-mapped buffer's dispose callback ran may the memory go.
  if (device_lost_unexpectedly && !host_mapped.empty()) {
    // A device lost to a hang abandons its work, which may still run on the guest's memory
    // (lavapipe keeps executing it on its threads); neither libwasmgpu's dispose callbacks nor
    // the engine's unmapping can know when it stops.
    // So the memory stays mapped (leaked) for the life of the process.
    instance_->KeepMemoryMappedAfterExit();
    std::fprintf(stderr,
                 "wasmgpu: a device of this guest was lost while %zu host-mapped buffer(s) "
                 "aliased its memory; abandoned GPU work may still write to it, so that memory "
                 "stays mapped (%llu bytes leaked) until the process exits.\n",
                 host_mapped.size(), static_cast<unsigned long long>(instance_->memory_size()));
  }
  auto deadline = std::chrono::steady_clock::now() + kDisposeWait;
  auto pending = [this] {
    size_t n = 0;
    for (auto& [begin, range] : host_mapped) n += range.disposed ? 0 : 1;
    return n;
  };
  while (pending() > 0 && std::chrono::steady_clock::now() < deadline) {
    for (WGPUInstance inst : instances) wgpuInstanceProcessEvents(inst);
    if (pending() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (size_t n = pending(); n > 0) {
    // A device lost to the GPU timeout abandons its work, which may still run on guest memory:
    // keep that memory mapped (leaked) rather than let the work write into a later mapping.
    instance_->KeepMemoryMappedAfterExit();
    std::fprintf(stderr,
                 "wasmgpu: %zu host-mapped buffer(s) were still in use by the GPU %lld s after "
                 "the guest ended (abandoned work of a lost device?); their guest memory stays "
                 "mapped until the process exits.\n",
                 n, static_cast<long long>(kDisposeWait.count()));
  }
  // 4. Instances last: releasing one cancels its remaining callbacks.
  for (uint32_t h : live) {
    if (handles.Find(h, Kind::kInstance) != nullptr) NativeRelease(Kind::kInstance, handles.Remove(h));
  }
}

uint32_t GpuState::Adopt(Kind kind, void* object, uint32_t device) {
  if (object == nullptr) return 0;
  bool existing = false;
  uint32_t handle = handles.Insert(kind, object, device, &existing);
  if (existing || handle == 0) NativeRelease(kind, object);  // the table keeps one reference
  if (handle != 0 && kind == Kind::kBuffer && !existing) buffers[handle].device = device;
  return handle;
}

namespace {

struct MallocResult {
  bool ok;
  bool trapped;
  uint32_t ptr;
};

// Kept out of GuestMalloc so the Result (which has a destructor) never lives in a frame that a
// later trap unwinds.
MallocResult CallMalloc(wasm::Instance* instance, uint32_t size, std::string* error) {
  Result<uint32_t> r = instance->Call<uint32_t>("malloc", size);
  if (!r.ok()) {
    *error = r.error().message;
    return {false, instance->trapped(), 0};
  }
  return {true, false, *r};
}

}  // namespace

uint32_t GpuState::GuestMalloc(uint32_t size, std::string* error) {
  if (has_malloc_ < 0) {
    const wasm::abi::ExportDesc* m = instance_->module().FindExport("malloc");
    const wasm::abi::ExportDesc* f = instance_->module().FindExport("free");
    has_malloc_ = (m != nullptr && f != nullptr) ? 1 : 0;
  }
  if (has_malloc_ == 0) {
    *error =
        "the guest exports no 'malloc' and 'free', which the host needs to hand it memory "
        "(link with -Wl,--export=malloc,--export=free)";
    return 0;
  }
  MallocResult r = CallMalloc(instance_, size == 0 ? 1 : size, error);
  if (!r.ok) {
    if (r.trapped) unwind_resume_ = true;
    return 0;
  }
  if (r.ptr == 0 || !instance_->InBounds(r.ptr, size)) {
    *error = fmt::format("the guest's malloc({}) returned {:#x}, which is not {} bytes of linear "
                         "memory ({} bytes)",
                         size, r.ptr, size, instance_->memory_size());
    return 0;
  }
  return r.ptr;
}

void GpuState::GuestFree(uint32_t ptr) {
  if (ptr == 0 || has_malloc_ != 1) return;
  Result<void> r = instance_->Call<void>("free", ptr);
  if (!r.ok() && instance_->trapped()) unwind_resume_ = true;
}

void GpuState::ValidationErrorOn(uint32_t device, std::string message) {
  // Into the native device, so that it reaches the guest's error scopes or, through
  // OnUncapturedError, its uncaptured-error callback, exactly like an error libwasmgpu found.
  auto* native = Native<WGPUDevice>(device, Kind::kDevice);
  WGPUStringView text{message.data(), message.size()};
  if (native == nullptr ||
      wasmgpuDeviceInjectError(native, WGPUErrorType_Validation, text) != WGPUStatus_Success) {
    // No live device to report on (the object's device is gone): nowhere else to say it.
    std::fprintf(stderr, "wasmgpu: uncaptured validation error: %s\n", message.c_str());
  }
}

bool GpuState::Deliver() {
  while (!deliveries.empty()) {
    current = std::move(deliveries.front());
    deliveries.pop_front();
    if (!DeliverOne()) return false;
  }
  return true;
}

void GpuState::Unwind() {
  if (unwind_resume_) instance_->ResumeUnwind();
  instance_->Trap(trap_message);
}

}  // namespace wasmgpu::host

namespace wasmgpu::host {

WGPUStringView GuestCall::String(guest::StringView view, std::string_view what) {
  if (failed()) return {nullptr, 0};
  if (view.data == 0) {
    if (view.length == guest::kStrlen || view.length == 0) return {nullptr, WGPU_STRLEN};
    Fail("{} has a null data pointer but length {}.", what, view.length);
    return {nullptr, 0};
  }
  const uint8_t* base = instance()->memory_base();
  uint64_t size = instance()->memory_size();
  if (view.length == guest::kStrlen) {
    if (view.data >= size) {
      Fail("{} (ptr {:#x}, NUL-terminated) is outside linear memory ({} bytes).", what,
           view.data, size);
      return {nullptr, 0};
    }
    const void* nul = std::memchr(base + view.data, 0, size - view.data);
    if (nul == nullptr) {
      Fail("{} (ptr {:#x}) has no terminating NUL before the end of linear memory ({} bytes).",
           what, view.data, size);
      return {nullptr, 0};
    }
    return {reinterpret_cast<const char*>(base + view.data),
            static_cast<size_t>(static_cast<const uint8_t*>(nul) - (base + view.data))};
  }
  if (!Check(view.data, view.length, what)) return {nullptr, 0};
  return {reinterpret_cast<const char*>(base + view.data), view.length};
}

}  // namespace wasmgpu::host
