// Command encoder and compute pass imports.
#include "host/imports.h"
#include "host/register.h"

namespace wasmgpu::host {
namespace {

uint32_t EncoderBeginComputePass(GpuState& s, uint32_t encoder, uint32_t desc_ptr) {
  GuestCall c(s, "wgpuCommandEncoderBeginComputePass");
  auto* native = Receiver<WGPUCommandEncoder>(c, encoder, Kind::kCommandEncoder, "commandEncoder");
  uint32_t device = DeviceOf(s, encoder, Kind::kCommandEncoder);
  WGPUComputePassDescriptor desc{};
  guest::PassTimestampWrites tw{};
  bool has_tw = false;
  if (desc_ptr != 0) {
    auto g = c.Read<guest::ComputePassDescriptor>(desc_ptr, "descriptor");
    desc.label = c.String(g.label, "descriptor.label");
    if (g.timestampWrites != 0) {
      tw = c.Read<guest::PassTimestampWrites>(g.timestampWrites, "descriptor.timestampWrites");
      has_tw = true;
    }
  }
  if (c.failed()) return 0;
  WGPUPassTimestampWrites native_tw{};
  if (has_tw) {
    bool bad = false;
    native_tw.querySet = Argument<WGPUQuerySet>(c, device, tw.querySet, Kind::kQuerySet, false,
                                                "descriptor.timestampWrites.querySet", &bad);
    if (bad) return 0;
    native_tw.beginningOfPassWriteIndex = tw.beginningOfPassWriteIndex;
    native_tw.endOfPassWriteIndex = tw.endOfPassWriteIndex;
    desc.timestampWrites = &native_tw;
  }
  return s.Adopt(Kind::kComputePassEncoder,
                 wgpuCommandEncoderBeginComputePass(native, desc_ptr != 0 ? &desc : nullptr),
                 device);
}

void EncoderClearBuffer(GpuState& s, uint32_t encoder, uint32_t buffer, uint64_t offset,
                        uint64_t size) {
  GuestCall c(s, "wgpuCommandEncoderClearBuffer");
  auto* native = Receiver<WGPUCommandEncoder>(c, encoder, Kind::kCommandEncoder, "commandEncoder");
  if (c.failed()) return;
  bool bad = false;
  auto* b = Argument<WGPUBuffer>(c, DeviceOf(s, encoder, Kind::kCommandEncoder), buffer,
                                 Kind::kBuffer, false, "buffer", &bad);
  if (!bad) wgpuCommandEncoderClearBuffer(native, b, offset, size);
}

void EncoderCopyBufferToBuffer(GpuState& s, uint32_t encoder, uint32_t src, uint64_t src_offset,
                               uint32_t dst, uint64_t dst_offset, uint64_t size) {
  GuestCall c(s, "wgpuCommandEncoderCopyBufferToBuffer");
  auto* native = Receiver<WGPUCommandEncoder>(c, encoder, Kind::kCommandEncoder, "commandEncoder");
  if (c.failed()) return;
  uint32_t device = DeviceOf(s, encoder, Kind::kCommandEncoder);
  bool bad = false;
  auto* a = Argument<WGPUBuffer>(c, device, src, Kind::kBuffer, false, "source", &bad);
  auto* b = Argument<WGPUBuffer>(c, device, dst, Kind::kBuffer, false, "destination", &bad);
  if (!bad) wgpuCommandEncoderCopyBufferToBuffer(native, a, src_offset, b, dst_offset, size);
}

uint32_t EncoderFinish(GpuState& s, uint32_t encoder, uint32_t desc_ptr) {
  GuestCall c(s, "wgpuCommandEncoderFinish");
  auto* native = Receiver<WGPUCommandEncoder>(c, encoder, Kind::kCommandEncoder, "commandEncoder");
  WGPUCommandBufferDescriptor desc{};
  if (desc_ptr != 0) {
    auto g = c.Read<guest::LabelDescriptor>(desc_ptr, "descriptor");
    desc.label = c.String(g.label, "descriptor.label");
  }
  if (c.failed()) return 0;
  return s.Adopt(Kind::kCommandBuffer,
                 wgpuCommandEncoderFinish(native, desc_ptr != 0 ? &desc : nullptr),
                 DeviceOf(s, encoder, Kind::kCommandEncoder));
}

void EncoderResolveQuerySet(GpuState& s, uint32_t encoder, uint32_t set, uint32_t first,
                            uint32_t count, uint32_t dst, uint64_t dst_offset) {
  GuestCall c(s, "wgpuCommandEncoderResolveQuerySet");
  auto* native = Receiver<WGPUCommandEncoder>(c, encoder, Kind::kCommandEncoder, "commandEncoder");
  if (c.failed()) return;
  uint32_t device = DeviceOf(s, encoder, Kind::kCommandEncoder);
  bool bad = false;
  auto* q = Argument<WGPUQuerySet>(c, device, set, Kind::kQuerySet, false, "querySet", &bad);
  auto* b = Argument<WGPUBuffer>(c, device, dst, Kind::kBuffer, false, "destination", &bad);
  if (!bad) wgpuCommandEncoderResolveQuerySet(native, q, first, count, b, dst_offset);
}

void EncoderWriteTimestamp(GpuState& s, uint32_t encoder, uint32_t set, uint32_t index) {
  GuestCall c(s, "wgpuCommandEncoderWriteTimestamp");
  auto* native = Receiver<WGPUCommandEncoder>(c, encoder, Kind::kCommandEncoder, "commandEncoder");
  if (c.failed()) return;
  bool bad = false;
  auto* q = Argument<WGPUQuerySet>(c, DeviceOf(s, encoder, Kind::kCommandEncoder), set,
                                   Kind::kQuerySet, false, "querySet", &bad);
  if (!bad) wgpuCommandEncoderWriteTimestamp(native, q, index);
}

// ---- Compute pass -----------------------------------------------------------------------------

WGPUComputePassEncoder Pass(GuestCall& c, uint32_t pass) {
  return Receiver<WGPUComputePassEncoder>(c, pass, Kind::kComputePassEncoder,
                                          "computePassEncoder");
}

void PassDispatch(GpuState& s, uint32_t pass, uint32_t x, uint32_t y, uint32_t z) {
  GuestCall c(s, "wgpuComputePassEncoderDispatchWorkgroups");
  auto* native = Pass(c, pass);
  if (!c.failed()) wgpuComputePassEncoderDispatchWorkgroups(native, x, y, z);
}

void PassDispatchIndirect(GpuState& s, uint32_t pass, uint32_t buffer, uint64_t offset) {
  GuestCall c(s, "wgpuComputePassEncoderDispatchWorkgroupsIndirect");
  auto* native = Pass(c, pass);
  if (c.failed()) return;
  bool bad = false;
  auto* b = Argument<WGPUBuffer>(c, DeviceOf(s, pass, Kind::kComputePassEncoder), buffer,
                                 Kind::kBuffer, false, "indirectBuffer", &bad);
  if (!bad) wgpuComputePassEncoderDispatchWorkgroupsIndirect(native, b, offset);
}

void PassEnd(GpuState& s, uint32_t pass) {
  GuestCall c(s, "wgpuComputePassEncoderEnd");
  auto* native = Pass(c, pass);
  if (!c.failed()) wgpuComputePassEncoderEnd(native);
}

void PassSetBindGroup(GpuState& s, uint32_t pass, uint32_t index, uint32_t group, uint32_t count,
                      uint32_t offsets) {
  GuestCall c(s, "wgpuComputePassEncoderSetBindGroup");
  auto* native = Pass(c, pass);
  c.CheckArray(offsets, count, 4, "dynamicOffsets");
  if (c.failed()) return;
  bool bad = false;
  auto* g = Argument<WGPUBindGroup>(c, DeviceOf(s, pass, Kind::kComputePassEncoder), group,
                                    Kind::kBindGroup, true, "group", &bad);
  if (bad) return;
  std::vector<uint32_t> list(count);
  if (count > 0) std::memcpy(list.data(), s.instance()->memory_base() + offsets, 4ull * count);
  wgpuComputePassEncoderSetBindGroup(native, index, g, list.size(), list.data());
}

void PassSetImmediateData(GpuState& s, uint32_t pass, uint32_t offset, uint32_t data,
                          uint32_t size) {
  GuestCall c(s, "wgpuComputePassEncoderSetImmediateData");
  auto* native = Pass(c, pass);
  uint8_t* src = c.Span(data, size, "data");
  if (!c.failed()) wgpuComputePassEncoderSetImmediateData(native, offset, src, size);
}

void PassSetPipeline(GpuState& s, uint32_t pass, uint32_t pipeline) {
  GuestCall c(s, "wgpuComputePassEncoderSetPipeline");
  auto* native = Pass(c, pass);
  if (c.failed()) return;
  bool bad = false;
  auto* p = Argument<WGPUComputePipeline>(c, DeviceOf(s, pass, Kind::kComputePassEncoder),
                                          pipeline, Kind::kComputePipeline, false, "pipeline",
                                          &bad);
  if (!bad) wgpuComputePassEncoderSetPipeline(native, p);
}

}  // namespace

void RegisterEncoderImports(wasm::HostRegistry& r) {
  Add<&EncoderBeginComputePass>(r, "wgpuCommandEncoderBeginComputePass");
  Add<&EncoderClearBuffer>(r, "wgpuCommandEncoderClearBuffer");
  Add<&EncoderCopyBufferToBuffer>(r, "wgpuCommandEncoderCopyBufferToBuffer");
  Add<&EncoderFinish>(r, "wgpuCommandEncoderFinish");
  Add<&EncoderResolveQuerySet>(r, "wgpuCommandEncoderResolveQuerySet");
  Add<&EncoderWriteTimestamp>(r, "wgpuCommandEncoderWriteTimestamp");
  Add<&PassDispatch>(r, "wgpuComputePassEncoderDispatchWorkgroups");
  Add<&PassDispatchIndirect>(r, "wgpuComputePassEncoderDispatchWorkgroupsIndirect");
  Add<&PassEnd>(r, "wgpuComputePassEncoderEnd");
  Add<&PassSetBindGroup>(r, "wgpuComputePassEncoderSetBindGroup");
  Add<&PassSetImmediateData>(r, "wgpuComputePassEncoderSetImmediateData");
  Add<&PassSetPipeline>(r, "wgpuComputePassEncoderSetPipeline");
}

}  // namespace wasmgpu::host
