#include "wasm/host_registry.h"

namespace wasmgpu::wasm {

void HostRegistry::AddRaw(HostFunction function) {
  auto key = std::make_pair(function.module, function.name);
  functions_.insert_or_assign(std::move(key), std::move(function));
}

const HostFunction* HostRegistry::Find(std::string_view module, std::string_view name) const {
  auto it = functions_.find(std::make_pair(std::string(module), std::string(name)));
  return it == functions_.end() ? nullptr : &it->second;
}

Result<const HostFunction*> ResolveImport(const HostRegistry& registry, std::string_view module,
                                          std::string_view name, const FuncType& type) {
  const HostFunction* f = registry.Find(module, name);
  if (f == nullptr) {
    return ValidationError(
        "The module imports '{}'.'{}' with type {}, which the host does not provide.", module,
        name, type.ToString());
  }
  if (!(f->type == type)) {
    return ValidationError(
        "Incompatible import type for '{}'.'{}': the module expects {} but the host provides {}.",
        module, name, type.ToString(), f->type.ToString());
  }
  return f;
}

}  // namespace wasmgpu::wasm
