// Every function of include/wasmgpu/webgpu.h is an import of module "wasmgpu" with the signature
// a wasm32 guest's call has (the engine refuses a module whose import types differ).
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "host/host.h"
#include "wasm/host_registry.h"

namespace wasmgpu::host::testing {
namespace {

TEST(Registry, EveryWebgpuFunctionIsAnImport) {
  std::ifstream in(std::string(HOST_SOURCE_DIR) + "/include/wasmgpu/webgpu.h");
  ASSERT_TRUE(in) << "cannot read webgpu.h";
  std::stringstream text;
  text << in.rdbuf();
  std::string header = text.str();
  wasm::HostRegistry registry;
  RegisterImports(registry);
  std::regex decl(R"(WGPU_EXPORT[^;(]*?\b(wgpu[A-Z]\w*)\()");
  int count = 0;
  for (auto it = std::sregex_iterator(header.begin(), header.end(), decl);
       it != std::sregex_iterator(); ++it) {
    std::string name = (*it)[1];
    ++count;
    EXPECT_NE(registry.Find("wasmgpu", name), nullptr) << name << " is not registered";
  }
  EXPECT_GE(count, 100);
  EXPECT_EQ(static_cast<size_t>(count), registry.size());
}

// A few signatures, as clang lays out the calls for wasm32 (see docs/host.md, "The guest ABI").
TEST(Registry, Wasm32Signatures) {
  wasm::HostRegistry registry;
  RegisterImports(registry);
  auto type = [&](const char* name) {
    const wasm::HostFunction* f = registry.Find("wasmgpu", name);
    return f != nullptr ? f->type.ToString() : std::string("missing");
  };
  // (buffer, mode: u64, offset, size, callbackInfo*) -> future id
  EXPECT_EQ(type("wgpuBufferMapAsync"), "(i32, i64, i32, i32, i32) -> i64");
  // (queue, buffer, offset: u64, data*, size)
  EXPECT_EQ(type("wgpuQueueWriteBuffer"), "(i32, i32, i64, i32, i32) -> ()");
  // (instance, count, futures*, timeout: u64) -> status
  EXPECT_EQ(type("wgpuInstanceWaitAny"), "(i32, i32, i32, i64) -> i32");
  // (buffer, label: WGPUStringView by value = pointer)
  EXPECT_EQ(type("wgpuBufferSetLabel"), "(i32, i32) -> ()");
  EXPECT_EQ(type("wgpuBufferGetSize"), "(i32) -> i64");
  EXPECT_EQ(type("wgpuCommandEncoderCopyBufferToBuffer"), "(i32, i32, i64, i32, i64, i64) -> ()");
}

}  // namespace
}  // namespace wasmgpu::host::testing
