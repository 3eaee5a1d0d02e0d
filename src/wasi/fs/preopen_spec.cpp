// Parsing of `--dir HOST[::GUEST][:ro]`.
#include "wasi/fs/fd_table.h"

namespace wasmgpu::wasi {

Result<PreopenSpec> ParsePreopenSpec(std::string_view spec) {
  constexpr std::string_view kForm = "expected HOST[::GUEST][:ro]";
  if (spec.empty()) return ValidationError("--dir value '' is empty; {}.", kForm);
  if (spec.find('\0') != std::string_view::npos) {
    return ValidationError("--dir value contains a NUL byte; {}.", kForm);
  }
  PreopenSpec out;
  std::string_view rest = spec;
  if (rest.size() >= 3 && rest.substr(rest.size() - 3) == ":ro") {
    out.read_only = true;
    rest.remove_suffix(3);
  }
  size_t sep = rest.find("::");
  std::string_view host = sep == std::string_view::npos ? rest : rest.substr(0, sep);
  std::string_view guest = sep == std::string_view::npos ? rest : rest.substr(sep + 2);
  if (host.empty()) {
    return ValidationError("--dir value '{}' names no host directory; {}.", spec, kForm);
  }
  if (guest.empty()) {
    return ValidationError("--dir value '{}' names no guest path after '::'; {}.", spec, kForm);
  }
  if (guest.find("::") != std::string_view::npos) {
    return ValidationError("--dir value '{}' has more than one '::'; {}.", spec, kForm);
  }
  out.host_path = std::string(host);
  out.guest_path = std::string(guest);
  return out;
}

}  // namespace wasmgpu::wasi
