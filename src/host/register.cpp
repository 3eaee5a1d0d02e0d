#include "host/register.h"

#include "host/host.h"

namespace wasmgpu::host {

void RegisterImports(wasm::HostRegistry& registry) {
  RegisterInstanceImports(registry);
  RegisterDeviceImports(registry);
  RegisterBufferImports(registry);
  RegisterEncoderImports(registry);
  RegisterAsyncImports(registry);
}

}  // namespace wasmgpu::host
