// Futures, callbacks, error scopes, compilation info, async pipelines, auto-layout rules,
// timestamps and adapter choice.
#include <stdlib.h>

#include <cstring>

#include "gpu_test_util.h"

namespace wasmgpu::testing {
namespace {

using EventsTest = GpuTest;

std::string FirstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

TEST_F(EventsTest, ErrorScopesNestAndUncapturedErrorsReachTheCallback) {
  // Inner OutOfMemory scope does not catch a validation error; the outer validation scope does.
  wgpuDevicePushErrorScope(device_, WGPUErrorFilter_Validation);
  wgpuDevicePushErrorScope(device_, WGPUErrorFilter_OutOfMemory);
  wgpuBufferRelease(MakeBuffer(16, WGPUBufferUsage_None));
  CapturedError inner = PopScope();
  CapturedError outer = PopScope();
  EXPECT_EQ(inner.type, WGPUErrorType_NoError);
  EXPECT_EQ(outer.type, WGPUErrorType_Validation);
  EXPECT_EQ(FirstLine(outer.message), "Buffer usage must not be None.");

  // Without a scope the error goes to the uncaptured-error callback.
  wgpuBufferRelease(MakeBuffer(16, WGPUBufferUsage_None));
  ASSERT_EQ(uncaptured_.size(), 1u);
  EXPECT_EQ(uncaptured_[0].type, WGPUErrorType_Validation);
  EXPECT_EQ(FirstLine(uncaptured_[0].message), "Buffer usage must not be None.");
  uncaptured_.clear();

  // Popping an empty stack is an Error status, not a device error.
  WGPUPopErrorScopeStatus status = WGPUPopErrorScopeStatus_Force32;
  std::string message;
  WGPUPopErrorScopeCallbackInfo info{};
  info.mode = WGPUCallbackMode_AllowProcessEvents;
  info.callback = [](WGPUPopErrorScopeStatus s, WGPUErrorType, WGPUStringView m, void* u1,
                     void* u2) {
    *static_cast<WGPUPopErrorScopeStatus*>(u1) = s;
    *static_cast<std::string*>(u2) = Str(m);
  };
  info.userdata1 = &status;
  info.userdata2 = &message;
  wgpuDevicePopErrorScope(device_, info);
  EXPECT_EQ(status, WGPUPopErrorScopeStatus_Force32);  // not before ProcessEvents
  wgpuInstanceProcessEvents(instance_);
  EXPECT_EQ(status, WGPUPopErrorScopeStatus_Error);
  EXPECT_EQ(message, "No error scope to pop: the error scope stack is empty.");
}

TEST_F(EventsTest, WaitAnyTimesOutAndRejectsForeignFutures) {
  WGPUFutureWaitInfo bogus{{123456789}, WGPU_FALSE};
  EXPECT_EQ(wgpuInstanceWaitAny(instance_, 1, &bogus, 0), WGPUWaitStatus_Error);
  // A map of an idle buffer completes; waiting again on the same future is the fast path.
  WGPUBuffer b = MakeBuffer(16, WGPUBufferUsage_MapRead | WGPUBufferUsage_CopyDst);
  WGPUBufferMapCallbackInfo info{};
  info.mode = WGPUCallbackMode_WaitAnyOnly;
  WGPUFuture f = wgpuBufferMapAsync(b, WGPUMapMode_Read, 0, 16, info);
  wgpuInstanceProcessEvents(instance_);  // WaitAnyOnly: not fired here
  EXPECT_EQ(wgpuBufferGetMapState(b), WGPUBufferMapState_Pending);
  WGPUFutureWaitInfo w{f, WGPU_FALSE};
  EXPECT_EQ(wgpuInstanceWaitAny(instance_, 1, &w, 0), WGPUWaitStatus_Success);
  EXPECT_TRUE(w.completed);
  EXPECT_EQ(wgpuBufferGetMapState(b), WGPUBufferMapState_Mapped);
  w.completed = WGPU_FALSE;
  EXPECT_EQ(wgpuInstanceWaitAny(instance_, 1, &w, 0), WGPUWaitStatus_Success);
  EXPECT_TRUE(w.completed);
  wgpuBufferRelease(b);
  // Timed waits need the TimedWaitAny instance feature.
  WGPUInstance plain = wgpuCreateInstance(nullptr);
  WGPUFutureWaitInfo none{{1}, WGPU_FALSE};
  EXPECT_EQ(wgpuInstanceWaitAny(plain, 1, &none, 1000), WGPUWaitStatus_Error);
  wgpuInstanceRelease(plain);
}

TEST_F(EventsTest, CompilationInfoAndAsyncPipelineReportShaderErrors) {
  wgpuDevicePushErrorScope(device_, WGPUErrorFilter_Validation);
  WGPUShaderModule bad = Glsl("#version 450\nlayout(local_size_x = 1) in;\nvoid main() { y; }\n");
  CapturedError e = PopScope();
  EXPECT_EQ(e.type, WGPUErrorType_Validation);
  struct Info {
    size_t count = 0;
    WGPUCompilationMessageType type = WGPUCompilationMessageType_Force32;
    uint64_t line = 0;
    std::string text;
  } info;
  WGPUCompilationInfoCallbackInfo ci{};
  ci.mode = WGPUCallbackMode_WaitAnyOnly;
  ci.callback = [](WGPUCompilationInfoRequestStatus, const WGPUCompilationInfo* c, void* u1, void*) {
    auto* i = static_cast<Info*>(u1);
    i->count = c->messageCount;
    if (c->messageCount > 0) {
      i->type = c->messages[0].type;
      i->line = c->messages[0].lineNum;
      i->text = Str(c->messages[0].message);
    }
  };
  ci.userdata1 = &info;
  Wait(wgpuShaderModuleGetCompilationInfo(bad, ci));
  ASSERT_GE(info.count, 1u);
  EXPECT_EQ(info.type, WGPUCompilationMessageType_Error);
  EXPECT_EQ(info.line, 3u);
  EXPECT_EQ(info.text, "shader.comp:3: error: 'y' : undeclared identifier");

  // The async pipeline reports through its callback, not the device.
  WGPUComputePipelineDescriptor pdesc{};
  pdesc.compute.module = bad;
  struct Async {
    WGPUCreatePipelineAsyncStatus status = WGPUCreatePipelineAsyncStatus_Force32;
    std::string message;
  } async;
  WGPUCreateComputePipelineAsyncCallbackInfo ai{};
  ai.mode = WGPUCallbackMode_WaitAnyOnly;
  ai.callback = [](WGPUCreatePipelineAsyncStatus s, WGPUComputePipeline p, WGPUStringView m,
                   void* u1, void*) {
    auto* a = static_cast<Async*>(u1);
    a->status = s;
    a->message = Str(m);
    EXPECT_EQ(p, nullptr);
  };
  ai.userdata1 = &async;
  Wait(wgpuDeviceCreateComputePipelineAsync(device_, &pdesc, ai));
  EXPECT_EQ(async.status, WGPUCreatePipelineAsyncStatus_ValidationError);
  EXPECT_EQ(FirstLine(async.message), "[ShaderModule] is invalid.");
  wgpuShaderModuleRelease(bad);
}

TEST_F(EventsTest, AutoLayoutsAreOnlyCompatibleWithTheirPipeline) {
  const char* source = "#version 450\nlayout(local_size_x = 1) in;\n"
                       "layout(set = 0, binding = 0) buffer B { uint v[]; };\n"
                       "void main() { v[0] = 1u; }\n";
  WGPUShaderModule module = Glsl(source);
  WGPUComputePipelineDescriptor pdesc{};
  pdesc.compute.module = module;
  WGPUComputePipeline a = wgpuDeviceCreateComputePipeline(device_, &pdesc);
  WGPUComputePipeline b = wgpuDeviceCreateComputePipeline(device_, &pdesc);
  WGPUBuffer buffer = MakeBuffer(16, WGPUBufferUsage_Storage);
  WGPUBindGroupLayout layout_a = wgpuComputePipelineGetBindGroupLayout(a, 0);
  WGPUBindGroupEntry entry{};
  entry.buffer = buffer;
  entry.size = WGPU_WHOLE_SIZE;
  WGPUBindGroupDescriptor gdesc{};
  gdesc.layout = layout_a;
  gdesc.entryCount = 1;
  gdesc.entries = &entry;
  WGPUBindGroup group = wgpuDeviceCreateBindGroup(device_, &gdesc);
  WGPUCommandEncoder enc = wgpuDeviceCreateCommandEncoder(device_, nullptr);
  WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(enc, nullptr);
  wgpuComputePassEncoderSetPipeline(pass, b);
  wgpuComputePassEncoderSetBindGroup(pass, 0, group, 0, nullptr);
  wgpuComputePassEncoderDispatchWorkgroups(pass, 1, 1, 1);
  wgpuComputePassEncoderEnd(pass);
  PushScope();
  WGPUCommandBuffer cb = wgpuCommandEncoderFinish(enc, nullptr);
  CapturedError e = PopScope();
  EXPECT_EQ(e.type, WGPUErrorType_Validation);
  EXPECT_EQ(FirstLine(e.message), "[BindGroup] at index 0 has a layout incompatible with "
                                  "[ComputePipeline]'s layout at that index.");
  wgpuCommandBufferRelease(cb);
  wgpuComputePassEncoderRelease(pass);
  wgpuCommandEncoderRelease(enc);
  wgpuBindGroupRelease(group);
  wgpuBindGroupLayoutRelease(layout_a);
  wgpuBufferRelease(buffer);
  wgpuComputePipelineRelease(a);
  wgpuComputePipelineRelease(b);
  wgpuShaderModuleRelease(module);
}

TEST_F(EventsTest, TimestampsAreResolvedInOrder) {
  if (!wgpuDeviceHasFeature(device_, WGPUFeatureName_TimestampQuery)) GTEST_SKIP();
  WGPUQuerySetDescriptor qdesc{};
  qdesc.type = WGPUQueryType_Timestamp;
  qdesc.count = 3;
  WGPUQuerySet set = wgpuDeviceCreateQuerySet(device_, &qdesc);
  WGPUShaderModule module = Glsl("#version 450\nlayout(local_size_x = 1) in;\nvoid main() {}\n");
  WGPUComputePipelineDescriptor pdesc{};
  pdesc.compute.module = module;
  WGPUComputePipeline pipeline = wgpuDeviceCreateComputePipeline(device_, &pdesc);
  WGPUBuffer resolve = MakeBuffer(24, WGPUBufferUsage_QueryResolve | WGPUBufferUsage_CopySrc);
  WGPUCommandEncoder enc = wgpuDeviceCreateCommandEncoder(device_, nullptr);
  WGPUPassTimestampWrites writes{};
  writes.querySet = set;
  writes.beginningOfPassWriteIndex = 0;
  writes.endOfPassWriteIndex = 1;
  WGPUComputePassDescriptor pass_desc{};
  pass_desc.timestampWrites = &writes;
  WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(enc, &pass_desc);
  wgpuComputePassEncoderSetPipeline(pass, pipeline);
  wgpuComputePassEncoderDispatchWorkgroups(pass, 1, 1, 1);
  wgpuComputePassEncoderEnd(pass);
  // Query 2 is never written: it resolves to 0.
  wgpuCommandEncoderResolveQuerySet(enc, set, 0, 3, resolve, 0);
  SubmitAndWait(enc);
  std::vector<uint8_t> bytes = ReadBack(resolve, 24);
  uint64_t t[3];
  std::memcpy(t, bytes.data(), 24);
  EXPECT_GT(t[0], 0u);
  EXPECT_GE(t[1], t[0]);
  EXPECT_EQ(t[2], 0u);
  wgpuComputePassEncoderRelease(pass);
  wgpuBufferRelease(resolve);
  wgpuComputePipelineRelease(pipeline);
  wgpuShaderModuleRelease(module);
  wgpuQuerySetRelease(set);
}

TEST_F(EventsTest, AdapterChoiceByOptionAndEnvironment) {
  auto request = [&](const WGPURequestAdapterOptions* options, std::string* message) {
    WGPUAdapter adapter = nullptr;
    struct Out {
      WGPUAdapter* adapter;
      std::string* message;
    } out{&adapter, message};
    WGPURequestAdapterCallbackInfo info{};
    info.mode = WGPUCallbackMode_WaitAnyOnly;
    info.callback = [](WGPURequestAdapterStatus, WGPUAdapter a, WGPUStringView m, void* u1, void*) {
      auto* o = static_cast<Out*>(u1);
      *o->adapter = a;
      *o->message = Str(m);
    };
    info.userdata1 = &out;
    Wait(wgpuInstanceRequestAdapter(instance_, options, info));
    return adapter;
  };
  std::string message;
  WGPURequestAdapterOptions options{};
  options.forceFallbackAdapter = WGPU_TRUE;
  WGPUAdapter cpu = request(&options, &message);
  ASSERT_NE(cpu, nullptr) << message;
  WGPUAdapterInfo info{};
  wgpuAdapterGetInfo(cpu, &info);
  EXPECT_EQ(info.adapterType, WGPUAdapterType_CPU);
  wgpuAdapterInfoFreeMembers(info);
  wgpuAdapterRelease(cpu);

  WGPURequestAdapterOptionsWasmgpu pick{};
  pick.chain.sType = WGPUSType_RequestAdapterOptionsWasmgpu;
  pick.adapter = Sv("no-such-gpu");
  WGPURequestAdapterOptions with_pick{};
  with_pick.nextInChain = &pick.chain;
  EXPECT_EQ(request(&with_pick, &message), nullptr);
  EXPECT_EQ(message.rfind("The adapter option \"no-such-gpu\" matches no adapter (available: 0 \"", 0), 0u)
      << message;

  setenv("WASMGPU_ADAPTER", "0", 1);
  WGPUAdapter by_index = request(nullptr, &message);
  unsetenv("WASMGPU_ADAPTER");
  ASSERT_NE(by_index, nullptr) << message;
  WGPUAdapterPropertiesWasmgpu props{};
  props.chain.sType = WGPUSType_AdapterPropertiesWasmgpu;
  WGPUAdapterInfo info2{};
  info2.nextInChain = &props.chain;
  wgpuAdapterGetInfo(by_index, &info2);
  EXPECT_EQ(props.adapterIndex, 0u);
  EXPECT_TRUE(props.robustBufferAccess2);
  wgpuAdapterInfoFreeMembers(info2);
  wgpuAdapterRelease(by_index);
}

}  // namespace
}  // namespace wasmgpu::testing
