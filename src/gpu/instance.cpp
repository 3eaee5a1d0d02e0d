#include "gpu/instance.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "gpu/adapter.h"
#include "gpu/buffer.h"
#include "gpu/compute_pipeline.h"
#include "gpu/device.h"

namespace wasmgpu::gpu {

std::string ToString(WGPUStringView view) {
  if (view.data == nullptr) return {};
  if (view.length == WGPU_STRLEN) return std::string(view.data);
  return std::string(view.data, view.length);
}

Result<Ref<Instance>> Instance::Create(const WGPUInstanceDescriptor* descriptor) {
  Ref<Instance> instance = Ref<Instance>::Adopt(new Instance);
  if (descriptor != nullptr) {
    for (size_t i = 0; i < descriptor->requiredFeatureCount; ++i) {
      switch (descriptor->requiredFeatures[i]) {
        case WGPUInstanceFeatureName_TimedWaitAny:
          instance->timed_wait_any_ = true;
          break;
        case WGPUInstanceFeatureName_ShaderSourceSPIRV:
        case WGPUInstanceFeatureName_MultipleDevicesPerAdapter:
          break;
        default:
          return ValidationError("Instance feature 0x{:x} is not supported.",
                                 static_cast<uint32_t>(descriptor->requiredFeatures[i]));
      }
    }
    if (descriptor->requiredLimits != nullptr) {
      size_t count = descriptor->requiredLimits->timedWaitAnyMaxCount;
      if (count > instance->timed_wait_any_max_count_) {
        return ValidationError("Required timedWaitAnyMaxCount ({}) exceeds the supported {}.",
                               count, instance->timed_wait_any_max_count_);
      }
    }
  }
  // Fail early when there is no Vulkan at all.
  TRY(vk::GetInstance());
  return instance;
}

void Instance::RegisterDevice(Device* device) {
  std::lock_guard lock(mutex_);
  devices_.push_back(device);
}

void Instance::UnregisterDevice(Device* device) {
  std::lock_guard lock(mutex_);
  devices_.erase(std::remove(devices_.begin(), devices_.end(), device), devices_.end());
  for (auto& [id, e] : events_) {
    if (e.device == device) {
      e.device = nullptr;
      e.resolved = true;
    }
  }
}

WGPUFuture Instance::AddEvent(Event event) {
  uint64_t id;
  bool fire_now = event.mode == WGPUCallbackMode_AllowSpontaneous && IsReady(event);
  {
    std::lock_guard lock(mutex_);
    id = next_id_++;
    if (!fire_now) events_.emplace(id, std::move(event));
  }
  if (fire_now) Fire(event);
  return WGPUFuture{id};
}

void Instance::ResolveEvent(uint64_t id, uint32_t status, std::string message) {
  std::lock_guard lock(mutex_);
  auto it = events_.find(id);
  if (it == events_.end()) return;
  it->second.resolved = true;
  it->second.status = status;
  it->second.message = std::move(message);
  // Nothing is left to complete: drop the references so an unconsumed future holds nothing.
  it->second.object = Ref<RefCounted>();
  it->second.device = nullptr;
}

void Instance::ResolveDeviceLost(uint64_t id, WGPUDeviceLostReason reason, std::string message,
                                 WGPUDevice device) {
  std::lock_guard lock(mutex_);
  auto it = events_.find(id);
  if (it == events_.end()) return;
  Event& e = it->second;
  if (e.resolved) return;
  e.resolved = true;
  e.type = reason;
  e.message = std::move(message);
  e.lost_device = device;
}

bool Instance::IsReady(const Event& e) const {
  if (e.resolved) return true;
  if (!e.device) return false;
  return e.device->completed_serial() >= e.serial || e.device->lost();
}

void Instance::TakeReady(bool process_events, std::vector<Event>* out) {
  std::lock_guard lock(mutex_);
  for (auto it = events_.begin(); it != events_.end();) {
    Event& e = it->second;
    if ((!process_events || e.mode != WGPUCallbackMode_WaitAnyOnly) && IsReady(e)) {
      out->push_back(std::move(e));
      it = events_.erase(it);
    } else {
      ++it;
    }
  }
}

void Instance::ProcessEvents() {
  std::vector<Ref<Device>> devices;
  {
    std::lock_guard lock(mutex_);
    for (Device* d : devices_) {
      if (d->TryAddRef()) devices.push_back(Ref<Device>::Adopt(d));
    }
  }
  for (auto& d : devices) d->Tick();
  std::vector<Event> ready;
  TakeReady(true, &ready);
  for (Event& e : ready) Fire(e);
}

WGPUWaitStatus Instance::WaitAny(size_t count, WGPUFutureWaitInfo* futures, uint64_t timeout_ns) {
  if (count > 0 && futures == nullptr) return WGPUWaitStatus_Error;
  if (timeout_ns > 0 && !timed_wait_any_) return WGPUWaitStatus_Error;
  if (timeout_ns > 0 && count > timed_wait_any_max_count_) return WGPUWaitStatus_Error;
  auto start = std::chrono::steady_clock::now();
  for (int pass = 0;; ++pass) {
    std::vector<Event> ready;
    std::vector<std::pair<Ref<Device>, uint64_t>> targets;
    bool any = false;
    {
      std::lock_guard lock(mutex_);
      for (size_t i = 0; i < count; ++i) {
        auto it = events_.find(futures[i].future.id);
        if (it == events_.end()) {
          // Ids this instance handed out but no longer holds completed earlier (their callback
          // already ran): the fast path. Any other id is not a future of this instance.
          uint64_t id = futures[i].future.id;
          if (id == 0 || id >= next_id_) return WGPUWaitStatus_Error;
          futures[i].completed = WGPU_TRUE;
          any = true;
          continue;
        }
        if (IsReady(it->second)) {
          ready.push_back(std::move(it->second));
          events_.erase(it);
          futures[i].completed = WGPU_TRUE;
          any = true;
        } else {
          futures[i].completed = WGPU_FALSE;
          Device* d = it->second.device;
          if (d != nullptr && d->TryAddRef()) {
            targets.emplace_back(Ref<Device>::Adopt(d), it->second.serial);
          }
        }
      }
    }
    for (Event& e : ready) Fire(e);
    if (any) return WGPUWaitStatus_Success;
    if (pass == 0) {
      // Poll once without blocking: cheap fence status checks find finished work.
      for (auto& [device, serial] : targets) device->Tick();
      continue;
    }
    uint64_t elapsed = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                             start)
            .count());
    if (timeout_ns == 0 || elapsed >= timeout_ns) return WGPUWaitStatus_TimedOut;
    uint64_t left = timeout_ns == UINT64_MAX ? UINT64_MAX : timeout_ns - elapsed;
    if (!targets.empty()) {
      auto best = std::min_element(targets.begin(), targets.end(),
                                   [](const auto& a, const auto& b) { return a.second < b.second; });
      best->first->WaitForSerial(best->second, left);
    } else {
      // Only non-GPU events (a device-lost future): nothing to wait on but time.
      std::this_thread::sleep_for(std::chrono::nanoseconds(std::min<uint64_t>(left, 1000000)));
      ProcessEventsTickOnly();
    }
  }
}

void Instance::ProcessEventsTickOnly() {
  std::vector<Ref<Device>> devices;
  {
    std::lock_guard lock(mutex_);
    for (Device* d : devices_) {
      if (d->TryAddRef()) devices.push_back(Ref<Device>::Adopt(d));
    }
  }
  for (auto& d : devices) d->Tick();
}

void Instance::Fire(Event& e) {
  WGPUStringView message = ToView(e.message);
  switch (e.kind) {
    case EventKind::kRequestAdapter: {
      auto cb = reinterpret_cast<WGPURequestAdapterCallback>(e.callback);
      WGPUAdapter adapter = reinterpret_cast<WGPUAdapter>(static_cast<Adapter*>(e.object.Detach()));
      if (cb) {
        cb(static_cast<WGPURequestAdapterStatus>(e.status), adapter, message, e.userdata1,
           e.userdata2);
      } else if (adapter) {
        reinterpret_cast<Adapter*>(adapter)->Release();
      }
      break;
    }
    case EventKind::kRequestDevice: {
      auto cb = reinterpret_cast<WGPURequestDeviceCallback>(e.callback);
      WGPUDevice device = reinterpret_cast<WGPUDevice>(static_cast<Device*>(e.object.Detach()));
      if (cb) {
        cb(static_cast<WGPURequestDeviceStatus>(e.status), device, message, e.userdata1,
           e.userdata2);
      } else if (device) {
        reinterpret_cast<Device*>(device)->Release();
      }
      break;
    }
    case EventKind::kMapAsync: {
      uint32_t status = CompleteMapEvent(e);
      message = ToView(e.message);
      if (auto cb = reinterpret_cast<WGPUBufferMapCallback>(e.callback)) {
        cb(static_cast<WGPUMapAsyncStatus>(status), message, e.userdata1, e.userdata2);
      }
      break;
    }
    case EventKind::kWorkDone:
      if (auto cb = reinterpret_cast<WGPUQueueWorkDoneCallback>(e.callback)) {
        cb(static_cast<WGPUQueueWorkDoneStatus>(e.status),
           message, e.userdata1, e.userdata2);
      }
      break;
    case EventKind::kPopErrorScope:
      if (auto cb = reinterpret_cast<WGPUPopErrorScopeCallback>(e.callback)) {
        cb(static_cast<WGPUPopErrorScopeStatus>(e.status), static_cast<WGPUErrorType>(e.type),
           message, e.userdata1, e.userdata2);
      }
      break;
    case EventKind::kCompilationInfo:
      if (auto cb = reinterpret_cast<WGPUCompilationInfoCallback>(e.callback)) {
        for (size_t i = 0; i < e.compilation_messages.size(); ++i) {
          e.compilation_messages[i].message = ToView(e.compilation_texts[i]);
        }
        WGPUCompilationInfo info{nullptr, e.compilation_messages.size(),
                                 e.compilation_messages.data()};
        cb(static_cast<WGPUCompilationInfoRequestStatus>(e.status), &info, e.userdata1,
           e.userdata2);
      }
      break;
    case EventKind::kCreateComputePipeline: {
      auto cb = reinterpret_cast<WGPUCreateComputePipelineAsyncCallback>(e.callback);
      WGPUComputePipeline pipeline = reinterpret_cast<WGPUComputePipeline>(
          static_cast<ComputePipeline*>(e.object.Detach()));
      if (cb) {
        cb(static_cast<WGPUCreatePipelineAsyncStatus>(e.status), pipeline, message, e.userdata1,
           e.userdata2);
      } else if (pipeline) {
        reinterpret_cast<ComputePipeline*>(pipeline)->Release();
      }
      break;
    }
    case EventKind::kDeviceLost:
      if (auto cb = reinterpret_cast<WGPUDeviceLostCallback>(e.callback)) {
        cb(&e.lost_device, static_cast<WGPUDeviceLostReason>(e.type), message, e.userdata1,
           e.userdata2);
      }
      break;
  }
}

// --- Adapters ---

namespace {

bool MatchesChoice(const vk::PhysicalDeviceInfo& info, const std::string& choice) {
  if (!choice.empty() && std::all_of(choice.begin(), choice.end(),
                                     [](unsigned char c) { return std::isdigit(c); })) {
    return std::strtoul(choice.c_str(), nullptr, 10) == info.index;
  }
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  std::string needle = lower(choice);
  return lower(info.properties.deviceName).find(needle) != std::string::npos ||
         lower(info.driver_name).find(needle) != std::string::npos;
}

int TypeRank(VkPhysicalDeviceType type) {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 0;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 1;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return 2;
    default: return 3;
  }
}

// Index of the adapter to use, or an error naming the failed choice.
Result<size_t> Choose(const std::vector<vk::PhysicalDeviceInfo>& devices,
                      const WGPURequestAdapterOptions* options) {
  std::string choice, source;
  if (const char* env = std::getenv("WASMGPU_ADAPTER"); env != nullptr && *env != '\0') {
    choice = env;
    source = "WASMGPU_ADAPTER";
  }
  if (options != nullptr) {
    for (const WGPUChainedStruct* c = options->nextInChain; c != nullptr; c = c->next) {
      if (c->sType == WGPUSType_RequestAdapterOptionsWasmgpu) {
        std::string s =
            ToString(reinterpret_cast<const WGPURequestAdapterOptionsWasmgpu*>(c)->adapter);
        if (!s.empty()) {
          choice = s;
          source = "The adapter option";
        }
      }
    }
  }
  if (!choice.empty()) {
    for (size_t i = 0; i < devices.size(); ++i) {
      if (MatchesChoice(devices[i], choice)) return i;
    }
    std::string available;
    for (const auto& d : devices) {
      available += fmt::format("{}{} \"{}\"", available.empty() ? "" : ", ", d.index,
                               d.properties.deviceName);
    }
    return ValidationError("{} \"{}\" matches no adapter (available: {}).", source, choice,
                           available.empty() ? "none" : available);
  }
  bool fallback = options != nullptr && options->forceFallbackAdapter;
  bool low_power = options != nullptr && options->powerPreference == WGPUPowerPreference_LowPower;
  size_t best = SIZE_MAX;
  int best_rank = 100;
  for (size_t i = 0; i < devices.size(); ++i) {
    const auto& d = devices[i];
    if (!d.robust_buffer_access2) continue;
    if (fallback && d.properties.deviceType != VK_PHYSICAL_DEVICE_TYPE_CPU) continue;
    int rank = TypeRank(d.properties.deviceType);
    if (low_power && rank <= 1) rank = 1 - rank;  // integrated before discrete
    if (rank < best_rank) {
      best = i;
      best_rank = rank;
    }
  }
  if (best == SIZE_MAX) {
    if (fallback) {
      return ValidationError("No CPU (fallback) adapter with robustBufferAccess2 is available; "
                             "install Mesa's lavapipe (mesa-vulkan-drivers).");
    }
    return ValidationError("No Vulkan adapter with robustBufferAccess2 is available.");
  }
  return best;
}

}  // namespace

Result<std::vector<Ref<Adapter>>> Instance::EnumerateAdapters() {
  TRY_ASSIGN(const std::vector<vk::PhysicalDeviceInfo>* devices, vk::EnumeratePhysicalDevices());
  int default_index = DefaultAdapterIndex();
  std::vector<Ref<Adapter>> adapters;
  for (const auto& d : *devices) {
    adapters.push_back(Ref<Adapter>::Adopt(
        new Adapter(this, &d, static_cast<int>(d.index) == default_index)));
  }
  return adapters;
}

int Instance::DefaultAdapterIndex() {
  auto devices = vk::EnumeratePhysicalDevices();
  if (!devices.ok()) return -1;
  Result<size_t> chosen = Choose(**devices, nullptr);
  return chosen.ok() ? static_cast<int>(*chosen) : -1;
}

Result<Ref<Adapter>> Instance::SelectAdapter(const WGPURequestAdapterOptions* options) {
  if (options != nullptr && options->backendType != WGPUBackendType_Undefined &&
      options->backendType != WGPUBackendType_Vulkan) {
    return ValidationError("Backend type 0x{:x} is not available; wasmgpu runs on Vulkan only.",
                           static_cast<uint32_t>(options->backendType));
  }
  TRY_ASSIGN(const std::vector<vk::PhysicalDeviceInfo>* devices, vk::EnumeratePhysicalDevices());
  TRY_ASSIGN(size_t index, Choose(*devices, options));
  int default_index = DefaultAdapterIndex();
  return Ref<Adapter>::Adopt(
      new Adapter(this, &(*devices)[index], static_cast<int>(index) == default_index));
}

}  // namespace wasmgpu::gpu
