// Asynchronous results: native callbacks queue a Delivery; the guest's callbacks run only inside
// wgpuInstanceProcessEvents / wgpuInstanceWaitAny (DESIGN.md decision 8), from the import's own
// frame, after every native call has returned, so a guest trap in a callback never unwinds
// through libwasmgpu.
#include <algorithm>
#include <chrono>

#include "host/imports.h"
#include "host/native.h"
#include "host/register.h"

namespace wasmgpu::host {
namespace {

std::string ToString(WGPUStringView v) {
  if (v.data == nullptr) return {};
  return v.length == WGPU_STRLEN ? std::string(v.data) : std::string(v.data, v.length);
}

void Queue(CallbackCtx* ctx, Delivery d) {
  GpuState& s = *ctx->state;
  d.fn = ctx->info.callback;
  d.userdata1 = ctx->info.userdata1;
  d.userdata2 = ctx->info.userdata2;
  if (!s.tearing_down && d.fn != 0) s.deliveries.push_back(std::move(d));
}

}  // namespace

CallbackCtx* NewCtx(GpuState& s, const guest::CallbackInfo& info, uint32_t device,
                    uint32_t buffer) {
  return new CallbackCtx{&s, info, device, buffer};
}

guest::CallbackInfo ReadCallbackInfo(GuestCall& c, uint32_t ptr) {
  return c.ReadRequired<guest::CallbackInfo>(ptr, "callbackInfo");
}

void OnRequestAdapter(WGPURequestAdapterStatus status, WGPUAdapter adapter, WGPUStringView message,
                      void* p, void*) {
  auto* ctx = static_cast<CallbackCtx*>(p);
  GpuState& s = *ctx->state;
  uint32_t handle = 0;
  if (adapter != nullptr) {
    if (s.tearing_down) {
      wgpuAdapterRelease(adapter);
    } else {
      handle = s.Adopt(Kind::kAdapter, adapter, 0);
    }
  }
  Delivery d;
  d.shape = Delivery::Shape::kStatusObjectMessage;
  d.what = "WGPURequestAdapterCallback";
  d.status = status;
  d.value = handle;
  d.message = ToString(message);
  Queue(ctx, std::move(d));
  delete ctx;
}

void OnRequestDevice(WGPURequestDeviceStatus status, WGPUDevice device, WGPUStringView message,
                     void* p, void*) {
  auto* ctx = static_cast<CallbackCtx*>(p);
  GpuState& s = *ctx->state;
  uint32_t handle = 0;
  if (device != nullptr) {
    if (s.tearing_down) {
      wgpuDeviceRelease(device);
    } else {
      handle = s.Adopt(Kind::kDevice, device, 0);
    }
  }
  Delivery d;
  d.shape = Delivery::Shape::kStatusObjectMessage;
  d.what = "WGPURequestDeviceCallback";
  d.status = status;
  d.value = handle;
  d.message = ToString(message);
  Queue(ctx, std::move(d));
  delete ctx;
}

void OnDeviceLost(WGPUDevice const* device, WGPUDeviceLostReason reason, WGPUStringView message,
                  void* p, void*) {
  auto* ctx = static_cast<CallbackCtx*>(p);
  GpuState& s = *ctx->state;
  Delivery d;
  d.shape = Delivery::Shape::kDeviceTypeMessage;
  d.what = "WGPUDeviceLostCallback";
  d.status = (device != nullptr && *device != nullptr) ? s.handles.HandleOf(*device) : 0;
  d.value = reason;
  d.message = ToString(message);
  if (reason == WGPUDeviceLostReason_Unknown) s.device_lost_unexpectedly = true;
  if (ctx->info.callback == 0 && !s.tearing_down && reason != WGPUDeviceLostReason_Destroyed &&
      reason != WGPUDeviceLostReason_CallbackCancelled) {
    // Nobody listens: a lost device must not go unnoticed.
    std::fprintf(stderr, "wasmgpu: the guest's device was lost: %s\n", d.message.c_str());
  }
  Queue(ctx, std::move(d));
  delete ctx;
}

void OnUncapturedError(WGPUDevice const* device, WGPUErrorType type, WGPUStringView message,
                       void* p, void* info_p) {
  auto* s = static_cast<GpuState*>(p);
  const auto& info = *static_cast<const guest::UncapturedErrorCallbackInfo*>(info_p);
  uint32_t handle = (device != nullptr && *device != nullptr) ? s->handles.HandleOf(*device) : 0;
  if (info.callback == 0) {
    static const char* kTypes[] = {"", "no error", "validation", "out-of-memory", "internal",
                                   "unknown"};
    const char* name = type >= 1 && type <= 5 ? kTypes[type] : "unknown";
    std::fprintf(stderr, "wasmgpu: uncaptured %s error: %s\n", name, ToString(message).c_str());
    return;
  }
  if (s->tearing_down) return;
  Delivery d;
  d.shape = Delivery::Shape::kDeviceTypeMessage;
  d.what = "WGPUUncapturedErrorCallback";
  d.fn = info.callback;
  d.userdata1 = info.userdata1;
  d.userdata2 = info.userdata2;
  d.status = handle;
  d.value = type;
  d.message = ToString(message);
  s->deliveries.push_back(std::move(d));
}

void OnMap(WGPUMapAsyncStatus status, WGPUStringView message, void* p, void*) {
  auto* ctx = static_cast<CallbackCtx*>(p);
  Delivery d;
  d.what = "WGPUBufferMapCallback";
  d.status = status;
  d.message = ToString(message);
  Queue(ctx, std::move(d));
  delete ctx;
}

void OnWorkDone(WGPUQueueWorkDoneStatus status, WGPUStringView message, void* p, void*) {
  auto* ctx = static_cast<CallbackCtx*>(p);
  Delivery d;
  d.what = "WGPUQueueWorkDoneCallback";
  d.status = status;
  d.message = ToString(message);
  Queue(ctx, std::move(d));
  delete ctx;
}

void OnPopErrorScope(WGPUPopErrorScopeStatus status, WGPUErrorType type, WGPUStringView message,
                     void* p, void*) {
  auto* ctx = static_cast<CallbackCtx*>(p);
  Delivery d;
  d.shape = Delivery::Shape::kStatusTypeMessage;
  d.what = "WGPUPopErrorScopeCallback";
  d.status = status;
  d.value = type;
  d.message = ToString(message);
  Queue(ctx, std::move(d));
  delete ctx;
}

void OnCreatePipeline(WGPUCreatePipelineAsyncStatus status, WGPUComputePipeline pipeline,
                      WGPUStringView message, void* p, void*) {
  auto* ctx = static_cast<CallbackCtx*>(p);
  GpuState& s = *ctx->state;
  uint32_t handle = 0;
  if (pipeline != nullptr) {
    if (s.tearing_down) {
      wgpuComputePipelineRelease(pipeline);
    } else {
      handle = s.Adopt(Kind::kComputePipeline, pipeline, ctx->device);
    }
  }
  Delivery d;
  d.shape = Delivery::Shape::kStatusObjectMessage;
  d.what = "WGPUCreateComputePipelineAsyncCallback";
  d.status = status;
  d.value = handle;
  d.message = ToString(message);
  Queue(ctx, std::move(d));
  delete ctx;
}

void OnCompilationInfo(WGPUCompilationInfoRequestStatus status, const WGPUCompilationInfo* info,
                       void* p, void*) {
  auto* ctx = static_cast<CallbackCtx*>(p);
  Delivery d;
  d.shape = Delivery::Shape::kCompilationInfo;
  d.what = "WGPUCompilationInfoCallback";
  d.status = status;
  if (info != nullptr) {
    for (size_t i = 0; i < info->messageCount; ++i) {
      d.compilation.push_back(info->messages[i]);
      d.compilation_texts.push_back(ToString(info->messages[i].message));
    }
  }
  Queue(ctx, std::move(d));
  delete ctx;
}

// Context of a host-mapped buffer's native dispose callback.
struct DisposeCtx {
  GpuState* state;
  uint32_t begin;
};

void OnDispose(void* p) {
  auto* ctx = static_cast<DisposeCtx*>(p);
  GpuState& s = *ctx->state;
  auto it = s.host_mapped.find(ctx->begin);
  if (it != s.host_mapped.end()) {
    it->second.disposed = true;
    if (!s.tearing_down) {
      if (it->second.dispose_fn != 0) {
        Delivery d;
        d.shape = Delivery::Shape::kUserdata;
        d.what = "WGPUCallback (disposeCallback)";
        d.fn = it->second.dispose_fn;
        d.userdata1 = it->second.dispose_userdata;
        s.deliveries.push_back(std::move(d));
      }
      s.host_mapped.erase(it);  // the range is the guest's again
    }
  }
  delete ctx;
}

void* NewDisposeCtx(GpuState& s, uint32_t begin) { return new DisposeCtx{&s, begin}; }

// ---- Delivery -------------------------------------------------------------------------------

namespace {

// The guest call itself, kept in its own frame so its Result is destroyed before any unwind.
// Returns 0 when the callback returned, 1 when it trapped or exited (resume the unwind), 2 when
// it could not be called (trap with the message).
template <typename... A>
int CallGuest(GpuState& s, uint32_t fn, A... args) {
  Result<void> r = s.instance()->template CallIndirect<void>(fn, args...);
  if (r.ok()) return 0;
  if (r.error().kind == ErrorKind::kValidation && !s.instance()->trapped()) {
    s.trap_message = fmt::format("{}: the {} {}", "wgpuInstanceProcessEvents", s.current.what,
                                 r.error().message);
    return 2;
  }
  return 1;
}

}  // namespace

bool GpuState::DeliverOne() {
  Delivery& d = current;
  if (d.fn == 0) return true;
  if (d.shape == Delivery::Shape::kUserdata) {
    int rc = CallGuest(*this, d.fn, d.userdata1);
    if (rc == 1) unwind_resume_ = true;
    return rc == 0;
  }
  // Scratch in the guest heap: [0,8) the WGPUStringView, [8,12) the device handle,
  // [16, ...) the message text, then (compilation info) the WGPUCompilationInfo, its messages
  // and their texts.
  uint64_t bytes = 16 + d.message.size() + 1;
  uint64_t info_at = 0, messages_at = 0, texts_at = 0;
  if (d.shape == Delivery::Shape::kCompilationInfo) {
    info_at = (bytes + 7) & ~7ull;
    messages_at = info_at + 16;
    texts_at = messages_at + sizeof(guest::CompilationMessage) * d.compilation.size();
    bytes = texts_at;
    for (const std::string& t : d.compilation_texts) bytes += t.size() + 1;
  }
  if (bytes > 64u << 20) {
    d.message.resize(1024);  // pathological messages are cut, not delivered whole
    bytes = 16 + d.message.size() + 1;
  }
  std::string error;
  uint32_t scratch = 0;
  bool own_block = scratch_busy_;  // nested delivery: don't reuse the outer callback's block
  if (!own_block && bytes <= scratch_size_) {
    scratch = scratch_ptr_;
  } else {
    uint32_t size = static_cast<uint32_t>(own_block ? bytes : std::max<uint64_t>(bytes, 4096));
    scratch = GuestMalloc(size, &error);
    if (scratch != 0 && !own_block) {
      if (scratch_ptr_ != 0) GuestFree(scratch_ptr_);
      scratch_ptr_ = scratch;
      scratch_size_ = size;
    }
  }
  if (scratch == 0 || unwind_resume_) {
    if (unwind_resume_) return false;
    trap_message = fmt::format("wgpuInstanceProcessEvents: cannot deliver the {}: {}.", d.what,
                               error);
    return false;
  }
  uint8_t* base = instance()->memory_base() + scratch;
  guest::StringView view{scratch + 16, static_cast<uint32_t>(d.message.size())};
  std::memcpy(base, &view, sizeof(view));
  std::memcpy(base + 8, &d.status, 4);
  std::memcpy(base + 16, d.message.data(), d.message.size());
  base[16 + d.message.size()] = 0;
  uint32_t view_ptr = scratch;
  int rc = 0;
  bool was_busy = scratch_busy_;
  scratch_busy_ = true;
  switch (d.shape) {
    case Delivery::Shape::kStatusMessage:
      rc = CallGuest(*this, d.fn, d.status, view_ptr, d.userdata1, d.userdata2);
      break;
    case Delivery::Shape::kStatusObjectMessage:
    case Delivery::Shape::kStatusTypeMessage:
      rc = CallGuest(*this, d.fn, d.status, d.value, view_ptr, d.userdata1, d.userdata2);
      break;
    case Delivery::Shape::kDeviceTypeMessage:
      rc = CallGuest(*this, d.fn, scratch + 8, d.value, view_ptr, d.userdata1, d.userdata2);
      break;
    case Delivery::Shape::kCompilationInfo: {
      uint64_t text = texts_at;
      for (size_t i = 0; i < d.compilation.size(); ++i) {
        const WGPUCompilationMessage& m = d.compilation[i];
        const std::string& t = d.compilation_texts[i];
        guest::CompilationMessage gm{};
        gm.message = {static_cast<uint32_t>(scratch + text), static_cast<uint32_t>(t.size())};
        gm.type = m.type;
        gm.lineNum = m.lineNum;
        gm.linePos = m.linePos;
        gm.offset = m.offset;
        gm.length = m.length;
        std::memcpy(base + messages_at + i * sizeof(gm), &gm, sizeof(gm));
        std::memcpy(base + text, t.data(), t.size());
        base[text + t.size()] = 0;
        text += t.size() + 1;
      }
      guest::CompilationInfo gi{0, static_cast<uint32_t>(d.compilation.size()),
                                static_cast<uint32_t>(scratch + messages_at)};
      std::memcpy(base + info_at, &gi, sizeof(gi));
      rc = CallGuest(*this, d.fn, d.status, static_cast<uint32_t>(scratch + info_at), d.userdata1,
                     d.userdata2);
      break;
    }
    case Delivery::Shape::kUserdata:
      break;
  }
  scratch_busy_ = was_busy;
  if (rc == 1) {
    unwind_resume_ = true;
    return false;
  }
  if (rc == 2) return false;
  if (own_block) GuestFree(scratch);
  return !unwind_resume_;
}

// ---- The imports ----------------------------------------------------------------------------

void InstanceProcessEvents(GpuState& s, uint32_t instance) {
  GuestCall c(s, "wgpuInstanceProcessEvents");
  auto* native = Receiver<WGPUInstance>(c, instance, Kind::kInstance, "instance");
  if (c.failed()) return;
  wgpuInstanceProcessEvents(native);
  s.deliver_pending = true;
}

uint32_t InstanceWaitAny(GpuState& s, uint32_t instance, uint32_t count, uint32_t futures,
                         uint64_t timeout_ns) {
  GuestCall c(s, "wgpuInstanceWaitAny");
  auto* native = Receiver<WGPUInstance>(c, instance, Kind::kInstance, "instance");
  c.CheckArray(futures, count, sizeof(guest::FutureWaitInfo), "futures");
  if (c.failed()) return 0;
  std::vector<WGPUFutureWaitInfo> infos(count);
  const uint8_t* src = s.instance()->memory_base() + futures;
  for (uint32_t i = 0; i < count; ++i) {
    guest::FutureWaitInfo g;
    std::memcpy(&g, src + i * sizeof(g), sizeof(g));
    infos[i] = WGPUFutureWaitInfo{WGPUFuture{g.future}, g.completed};
  }
  // Long waits go in slices so that --timeout can still stop the guest.
  constexpr uint64_t kSliceNs = 50'000'000;
  WGPUWaitStatus status;
  uint64_t left = timeout_ns;
  for (;;) {
    uint64_t slice = left > kSliceNs && left != UINT64_MAX ? kSliceNs
                     : left == UINT64_MAX                  ? kSliceNs
                                                           : left;
    status = wgpuInstanceWaitAny(native, count, infos.data(), slice);
    if (status != WGPUWaitStatus_TimedOut || slice == left) break;
    if (s.instance()->interrupt_requested()) break;
    if (left != UINT64_MAX) left -= slice;
  }
  uint8_t* dst = s.instance()->memory_base() + futures;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t completed = infos[i].completed;
    std::memcpy(dst + i * sizeof(guest::FutureWaitInfo) + offsetof(guest::FutureWaitInfo, completed),
                &completed, 4);
  }
  s.deliver_pending = true;
  return status;
}

}  // namespace wasmgpu::host

namespace wasmgpu::host {

void RegisterAsyncImports(wasm::HostRegistry& r) {
  Add<&InstanceProcessEvents>(r, "wgpuInstanceProcessEvents");
  Add<&InstanceWaitAny>(r, "wgpuInstanceWaitAny");
}

}  // namespace wasmgpu::host
