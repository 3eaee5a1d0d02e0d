#include "guest_runner.h"

#include <gtest/gtest.h>

#include "host/host.h"
#include "wasi/wasi.h"

namespace wasmgpu::host::testing {

GuestRunner::GuestRunner()
    : engine_([] {
        wasm::EngineOptions o;
        o.cache_dir = HOST_TEST_CACHE_DIR;
        return o;
      }()) {
  wasi::RegisterWasi(registry_);
  RegisterImports(registry_);
}

Result<std::shared_ptr<wasm::Module>> GuestRunner::Load(const std::string& path) {
  return engine_.LoadFile(path, registry_);
}

Result<std::unique_ptr<wasm::Instance>> GuestRunner::Instantiate(
    const std::string& path, const std::vector<std::string>& args, const RunOptions& options) {
  TRY_ASSIGN(std::shared_ptr<wasm::Module> module, Load(path));
  wasm::InstanceOptions io;
  io.timeout = std::chrono::milliseconds(static_cast<int64_t>(options.timeout_s * 1000));
  io.gpu.zero_copy =
      options.zero_copy_off ? wasm::GpuOptions::ZeroCopy::kOff : wasm::GpuOptions::ZeroCopy::kAuto;
  TRY_ASSIGN(std::unique_ptr<wasm::Instance> instance,
             wasm::Instance::Create(module, registry_, io));
  wasi::WasiConfig config;
  config.args.push_back(path);
  for (const std::string& a : args) config.args.push_back(a);
  TRY_ASSIGN(std::unique_ptr<wasi::WasiState> state, wasi::WasiState::Create(std::move(config)));
  instance->SetHostState(wasm::kWasiStateSlot, std::move(state));
  return instance;
}

GuestRun GuestRunner::Run(const std::string& path, const std::vector<std::string>& args,
                          const RunOptions& options) {
  GuestRun run;
  Result<std::unique_ptr<wasm::Instance>> instance = Instantiate(path, args, options);
  if (!instance.ok()) {
    run.error = instance.error().message;
    return run;
  }
  ::testing::internal::CaptureStdout();
  Result<int> code = (*instance)->RunStart();
  std::fflush(stdout);
  run.trap = (*instance)->trap_kind();
  instance->reset();  // the GPU teardown runs here, before the next guest
  run.out = ::testing::internal::GetCapturedStdout();
  if (code.ok()) {
    run.ok = true;
    run.exit_code = *code;
  } else {
    run.error = code.error().message;
  }
  return run;
}

std::string ExamplePath(const std::string& name) {
  return std::string(HOST_EXAMPLES_DIR) + "/" + name + ".wasm";
}
std::string TestGuestPath(const std::string& name) {
  return std::string(HOST_TEST_GUEST_DIR) + "/" + name + ".wasm";
}

}  // namespace wasmgpu::host::testing
