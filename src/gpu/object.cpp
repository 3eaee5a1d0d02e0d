#include "gpu/object.h"

#include <fmt/format.h>

#include "gpu/device.h"

namespace wasmgpu::gpu {

DeviceObject::DeviceObject(Device* device, std::string_view kind, std::string label, bool valid)
    : device_(device), kind_(kind), label_(std::move(label)), valid_(valid) {
  device_->AddRef();
}

DeviceObject::~DeviceObject() { device_->Release(); }

std::string DeviceObject::Name() const {
  return label_.empty() ? fmt::format("[{}]", kind_) : fmt::format("[{} \"{}\"]", kind_, label_);
}

}  // namespace wasmgpu::gpu
