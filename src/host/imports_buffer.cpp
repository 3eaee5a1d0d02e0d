// Buffer and queue imports. Mapped ranges reach the guest as copies in its own heap
// (wgpuBufferGet(Const)MappedRange), written back on unmap; wgpuBufferRead/WriteMappedRange and
// host-mapped buffers avoid that copy.
#include "host/imports.h"
#include "host/register.h"

namespace wasmgpu::host {
namespace {

void BufferDestroy(GpuState& s, uint32_t buffer) {
  GuestCall c(s, "wgpuBufferDestroy");
  auto* native = Receiver<WGPUBuffer>(c, buffer, Kind::kBuffer, "buffer");
  if (c.failed()) return;
  wgpuBufferDestroy(native);
}

uint32_t GetMappedRange(GpuState& s, const char* function, uint32_t buffer, uint32_t offset,
                        uint32_t size, bool writable) {
  GuestCall c(s, function);
  auto* native = Receiver<WGPUBuffer>(c, buffer, Kind::kBuffer, "buffer");
  if (c.failed()) return 0;
  size_t native_size = FromGuestSize(size, guest::kWholeMapSize);
  if (native_size == SIZE_MAX) {
    uint64_t total = wgpuBufferGetSize(native);
    native_size = offset <= total ? static_cast<size_t>(total - offset) : 0;
  }
  void* mapped = writable ? wgpuBufferGetMappedRange(native, offset, native_size)
                          : const_cast<void*>(wgpuBufferGetConstMappedRange(native, offset,
                                                                            native_size));
  if (mapped == nullptr) return 0;
  if (native_size > UINT32_MAX) return 0;
  BufferInfo& info = s.buffers[buffer];
  for (const BufferInfo::Shadow& sh : info.shadows) {
    if (sh.native == mapped && sh.size == native_size) return sh.guest;
  }
  std::string error;
  uint32_t guest_ptr = s.GuestMalloc(static_cast<uint32_t>(native_size), &error);
  if (guest_ptr == 0) {
    c.Fail("cannot return the mapped range ({} bytes): {}.", native_size, error);
    return 0;
  }
  std::memcpy(s.instance()->memory_base() + guest_ptr, mapped, native_size);
  info.shadows.push_back({guest_ptr, mapped, static_cast<uint32_t>(native_size), writable});
  return guest_ptr;
}

uint32_t BufferGetMappedRange(GpuState& s, uint32_t buffer, uint32_t offset, uint32_t size) {
  return GetMappedRange(s, "wgpuBufferGetMappedRange", buffer, offset, size, true);
}
uint32_t BufferGetConstMappedRange(GpuState& s, uint32_t buffer, uint32_t offset, uint32_t size) {
  return GetMappedRange(s, "wgpuBufferGetConstMappedRange", buffer, offset, size, false);
}

void BufferUnmap(GpuState& s, uint32_t buffer) {
  GuestCall c(s, "wgpuBufferUnmap");
  auto* native = Receiver<WGPUBuffer>(c, buffer, Kind::kBuffer, "buffer");
  if (c.failed()) return;
  if (auto it = s.buffers.find(buffer); it != s.buffers.end()) {
    for (const BufferInfo::Shadow& sh : it->second.shadows) {
      // Guest memory never shrinks, so the copy is still in bounds.
      if (sh.writable) std::memcpy(sh.native, s.instance()->memory_base() + sh.guest, sh.size);
    }
    std::vector<BufferInfo::Shadow> shadows = std::move(it->second.shadows);
    it->second.shadows.clear();
    for (const BufferInfo::Shadow& sh : shadows) s.GuestFree(sh.guest);
  }
  wgpuBufferUnmap(native);
}

uint32_t BufferGetMapState(GpuState& s, uint32_t buffer) {
  GuestCall c(s, "wgpuBufferGetMapState");
  auto* native = Receiver<WGPUBuffer>(c, buffer, Kind::kBuffer, "buffer");
  return c.failed() ? 0 : wgpuBufferGetMapState(native);
}
uint64_t BufferGetSize(GpuState& s, uint32_t buffer) {
  GuestCall c(s, "wgpuBufferGetSize");
  auto* native = Receiver<WGPUBuffer>(c, buffer, Kind::kBuffer, "buffer");
  return c.failed() ? 0 : wgpuBufferGetSize(native);
}
uint64_t BufferGetUsage(GpuState& s, uint32_t buffer) {
  GuestCall c(s, "wgpuBufferGetUsage");
  auto* native = Receiver<WGPUBuffer>(c, buffer, Kind::kBuffer, "buffer");
  return c.failed() ? 0 : wgpuBufferGetUsage(native);
}

uint64_t BufferMapAsync(GpuState& s, uint32_t buffer, uint64_t mode, uint32_t offset,
                        uint32_t size, uint32_t info_ptr) {
  GuestCall c(s, "wgpuBufferMapAsync");
  auto* native = Receiver<WGPUBuffer>(c, buffer, Kind::kBuffer, "buffer");
  guest::CallbackInfo info = ReadCallbackInfo(c, info_ptr);
  if (c.failed()) return 0;
  WGPUBufferMapCallbackInfo cb{};
  cb.mode = kNativeMode;
  cb.callback = &OnMap;
  cb.userdata1 = NewCtx(s, info, DeviceOf(s, buffer, Kind::kBuffer), buffer);
  return wgpuBufferMapAsync(native, mode, offset, FromGuestSize(size, guest::kWholeMapSize), cb)
      .id;
}

uint32_t BufferReadMappedRange(GpuState& s, uint32_t buffer, uint32_t offset, uint32_t data,
                               uint32_t size) {
  GuestCall c(s, "wgpuBufferReadMappedRange");
  auto* native = Receiver<WGPUBuffer>(c, buffer, Kind::kBuffer, "buffer");
  uint8_t* dst = c.Span(data, size, "data");
  if (c.failed()) return WGPUStatus_Error;
  return wgpuBufferReadMappedRange(native, offset, dst, size);
}

uint32_t BufferWriteMappedRange(GpuState& s, uint32_t buffer, uint32_t offset, uint32_t data,
                                uint32_t size) {
  GuestCall c(s, "wgpuBufferWriteMappedRange");
  auto* native = Receiver<WGPUBuffer>(c, buffer, Kind::kBuffer, "buffer");
  uint8_t* src = c.Span(data, size, "data");
  if (c.failed()) return WGPUStatus_Error;
  return wgpuBufferWriteMappedRange(native, offset, src, size);
}

// ---- Queue ------------------------------------------------------------------------------------

uint64_t QueueOnSubmittedWorkDone(GpuState& s, uint32_t queue, uint32_t info_ptr) {
  GuestCall c(s, "wgpuQueueOnSubmittedWorkDone");
  auto* native = Receiver<WGPUQueue>(c, queue, Kind::kQueue, "queue");
  guest::CallbackInfo info = ReadCallbackInfo(c, info_ptr);
  if (c.failed()) return 0;
  WGPUQueueWorkDoneCallbackInfo cb{};
  cb.mode = kNativeMode;
  cb.callback = &OnWorkDone;
  cb.userdata1 = NewCtx(s, info, DeviceOf(s, queue, Kind::kQueue));
  return wgpuQueueOnSubmittedWorkDone(native, cb).id;
}

void QueueSubmit(GpuState& s, uint32_t queue, uint32_t count, uint32_t commands) {
  GuestCall c(s, "wgpuQueueSubmit");
  auto* native = Receiver<WGPUQueue>(c, queue, Kind::kQueue, "queue");
  c.CheckArray(commands, count, 4, "commands");
  if (c.failed()) return;
  uint32_t device = DeviceOf(s, queue, Kind::kQueue);
  bool bad = false;
  std::vector<WGPUCommandBuffer> list(count);
  for (uint32_t i = 0; i < count && !bad; ++i) {
    uint32_t h;
    std::memcpy(&h, s.instance()->memory_base() + commands + 4 * i, 4);
    // The name is formatted only for the error: this runs on every submit.
    list[i] = s.Native<WGPUCommandBuffer>(h, Kind::kCommandBuffer);
    if (list[i] == nullptr) {
      Argument<WGPUCommandBuffer>(c, device, h, Kind::kCommandBuffer, false,
                                  fmt::format("commands[{}]", i), &bad);
    }
  }
  if (bad) return;
  wgpuQueueSubmit(native, list.size(), list.data());
}

void QueueWriteBuffer(GpuState& s, uint32_t queue, uint32_t buffer, uint64_t offset,
                      uint32_t data, uint32_t size) {
  GuestCall c(s, "wgpuQueueWriteBuffer");
  auto* native = Receiver<WGPUQueue>(c, queue, Kind::kQueue, "queue");
  uint8_t* src = c.Span(data, size, "data");
  if (c.failed()) return;
  bool bad = false;
  auto* dst = Argument<WGPUBuffer>(c, DeviceOf(s, queue, Kind::kQueue), buffer, Kind::kBuffer,
                                   false, "buffer", &bad);
  if (bad) return;
  wgpuQueueWriteBuffer(native, dst, offset, src, size);
}

}  // namespace

void RegisterBufferImports(wasm::HostRegistry& r) {
  Add<&BufferDestroy>(r, "wgpuBufferDestroy");
  Add<&BufferGetMappedRange>(r, "wgpuBufferGetMappedRange");
  Add<&BufferGetConstMappedRange>(r, "wgpuBufferGetConstMappedRange");
  Add<&BufferUnmap>(r, "wgpuBufferUnmap");
  Add<&BufferGetMapState>(r, "wgpuBufferGetMapState");
  Add<&BufferGetSize>(r, "wgpuBufferGetSize");
  Add<&BufferGetUsage>(r, "wgpuBufferGetUsage");
  Add<&BufferMapAsync>(r, "wgpuBufferMapAsync");
  Add<&BufferReadMappedRange>(r, "wgpuBufferReadMappedRange");
  Add<&BufferWriteMappedRange>(r, "wgpuBufferWriteMappedRange");
  Add<&QueueOnSubmittedWorkDone>(r, "wgpuQueueOnSubmittedWorkDone");
  Add<&QueueSubmit>(r, "wgpuQueueSubmit");
  Add<&QueueWriteBuffer>(r, "wgpuQueueWriteBuffer");
}

}  // namespace wasmgpu::host
