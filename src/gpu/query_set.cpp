#include "gpu/query_set.h"

#include "gpu/device.h"

namespace wasmgpu::gpu {

constexpr uint32_t kMaxQueries = 4096;  // WebGPU's limit on a query set's count

QuerySet::QuerySet(Device* device, const WGPUQuerySetDescriptor* desc)
    : DeviceObject(device, "QuerySet", ToString(desc->label), true),
      type_(desc->type),
      count_(desc->count) {}

QuerySet::~QuerySet() { Destroy(); }

Ref<QuerySet> QuerySet::Create(Device* device, const WGPUQuerySetDescriptor* desc) {
  Ref<QuerySet> set = Ref<QuerySet>::Adopt(new QuerySet(device, desc));
  auto build = [&]() -> Status {
    if (device->lost()) return MakeError(ErrorKind::kDeviceLost, "");
    if (desc->type == WGPUQueryType_Occlusion) {
      return ValidationError("Occlusion query sets need render passes, which wasmgpu does not "
                             "support.");
    }
    if (desc->type != WGPUQueryType_Timestamp) {
      return ValidationError("Query type (0x{:x}) is not valid.", static_cast<uint32_t>(desc->type));
    }
    if (!device->HasFeature(WGPUFeatureName_TimestampQuery)) {
      return ValidationError("Timestamp query sets require the TimestampQuery feature, which is "
                             "not enabled on this device.");
    }
    if (desc->count > kMaxQueries) {
      return ValidationError("Query set count ({}) exceeds the maximum ({}).", desc->count,
                             kMaxQueries);
    }
    std::lock_guard lock(device->mutex());
    TRY_ASSIGN(set->pool_, vk::CreateTimestampQueryPool(device->vk(), std::max(desc->count, 1u)));
    // Queries start unavailable; reset once so resolving an unwritten query reads 0.
    TRY_ASSIGN(VkCommandBuffer cmd, device->PendingCommands());
    vkCmdResetQueryPool(cmd, set->pool_, 0, std::max(desc->count, 1u));
    set->last_use_serial = device->pending_serial();
    return {};
  };
  Status status = build();
  if (!status.ok()) {
    set->Invalidate();
    if (status.error().kind != ErrorKind::kDeviceLost) {
      device->ConsumeError(std::move(status).error().With(
          fmt::format("While calling wgpuDeviceCreateQuerySet({}).", set->Name())));
    }
  }
  return set;
}

void QuerySet::Destroy() {
  if (destroyed_) return;
  destroyed_ = true;
  if (pool_ == VK_NULL_HANDLE) return;
  Device* d = device();
  VkQueryPool pool = std::exchange(pool_, VK_NULL_HANDLE);
  vk::Device* vkd = &d->vk();
  d->DeferUntil(last_use_serial, [vkd, pool] { vk::Destroy(*vkd, pool); });
}

}  // namespace wasmgpu::gpu
