// vecadd: c = a + b on the GPU, the smallest zero-copy program.
//
// With the HostMappedPointer feature, a, b and c are plain arrays in this guest's memory and the
// GPU reads and writes them in place: no upload, no download. Without it (an adapter that lacks
// the feature, or `wasmgpu run --zero-copy=off`), the same program takes the standard WebGPU
// path: wgpuQueueWriteBuffer up, wgpuBufferMapAsync down. Either way it prints a checksum.
//
//   wasmgpu run build/examples/vecadd.wasm [n]
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wasmgpu/webgpu.h>

static const char kShader[] =
    "#version 450\n"
    "layout(local_size_x = 64) in;\n"
    "layout(std430, binding = 0) readonly buffer A { float a[]; };\n"
    "layout(std430, binding = 1) readonly buffer B { float b[]; };\n"
    "layout(std430, binding = 2) writeonly buffer C { float c[]; };\n"
    "void main() {\n"
    "  uint i = gl_GlobalInvocationID.x;\n"
    "  if (i < c.length()) c[i] = a[i] + b[i];\n"
    "}\n";

// Callbacks run only inside wgpuInstanceWaitAny / wgpuInstanceProcessEvents; userdata1 points
// at where the result goes.
static void OnAdapter(WGPURequestAdapterStatus status, WGPUAdapter adapter, WGPUStringView message,
                      void* out, void* unused) {
  (void)unused;
  if (status != WGPURequestAdapterStatus_Success) {
    fprintf(stderr, "vecadd: no adapter: %.*s\n", (int)message.length, message.data);
  }
  *(WGPUAdapter*)out = adapter;
}
static void OnDevice(WGPURequestDeviceStatus status, WGPUDevice device, WGPUStringView message,
                     void* out, void* unused) {
  (void)unused;
  if (status != WGPURequestDeviceStatus_Success) {
    fprintf(stderr, "vecadd: no device: %.*s\n", (int)message.length, message.data);
  }
  *(WGPUDevice*)out = device;
}
static void OnError(WGPUDevice const* device, WGPUErrorType type, WGPUStringView message,
                    void* failed, void* unused) {
  (void)device, (void)unused;
  fprintf(stderr, "vecadd: GPU error %d: %.*s\n", (int)type, (int)message.length, message.data);
  *(int*)failed = 1;
}
static void OnLost(WGPUDevice const* device, WGPUDeviceLostReason reason, WGPUStringView message,
                   void* failed, void* unused) {
  (void)device, (void)unused;
  if (reason == WGPUDeviceLostReason_Destroyed) return;
  fprintf(stderr, "vecadd: device lost: %.*s\n", (int)message.length, message.data);
  *(int*)failed = 1;
}
static void OnStatus(uint32_t status, WGPUStringView message, void* out, void* unused) {
  (void)message, (void)unused;
  *(uint32_t*)out = status;
}

// Waits for one future (the instance was created with TimedWaitAny).
static void Wait(WGPUInstance instance, WGPUFuture future) {
  WGPUFutureWaitInfo info = {future, 0};
  wgpuInstanceWaitAny(instance, 1, &info, UINT64_MAX);
}

int main(int argc, char** argv) {
  uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 1u << 20;
  size_t bytes = (size_t)n * sizeof(float);

  WGPUInstanceFeatureName timed_wait = WGPUInstanceFeatureName_TimedWaitAny;
  WGPUInstanceDescriptor instance_desc = {.requiredFeatureCount = 1,
                                          .requiredFeatures = &timed_wait};
  WGPUInstance instance = wgpuCreateInstance(&instance_desc);

  WGPUAdapter adapter = NULL;
  Wait(instance, wgpuInstanceRequestAdapter(
                     instance, NULL,
                     (WGPURequestAdapterCallbackInfo){.mode = WGPUCallbackMode_WaitAnyOnly,
                                                      .callback = OnAdapter,
                                                      .userdata1 = &adapter}));
  if (!adapter) return 1;

  // Zero-copy needs the feature and tells its alignment through a chained limits struct.
  WGPUBool zero_copy = wgpuAdapterHasFeature(adapter, WGPUFeatureName_HostMappedPointer);
  WGPUHostMappedPointerLimits host_limits = {.chain.sType = WGPUSType_HostMappedPointerLimits};
  WGPULimits limits = {.nextInChain = &host_limits.chain};
  wgpuAdapterGetLimits(adapter, &limits);
  size_t align = host_limits.hostMappedPointerAlignment;

  int failed = 0;
  WGPUFeatureName feature = WGPUFeatureName_HostMappedPointer;
  WGPUDeviceDescriptor device_desc = {
      .requiredFeatureCount = zero_copy ? 1 : 0,
      .requiredFeatures = &feature,
      .deviceLostCallbackInfo = {.mode = WGPUCallbackMode_AllowProcessEvents,
                                 .callback = OnLost,
                                 .userdata1 = &failed},
      .uncapturedErrorCallbackInfo = {.callback = OnError, .userdata1 = &failed},
  };
  WGPUDevice device = NULL;
  Wait(instance, wgpuAdapterRequestDevice(
                     adapter, &device_desc,
                     (WGPURequestDeviceCallbackInfo){.mode = WGPUCallbackMode_WaitAnyOnly,
                                                     .callback = OnDevice,
                                                     .userdata1 = &device}));
  if (!device) return 1;
  WGPUQueue queue = wgpuDeviceGetQueue(device);

  // Host-mapped buffers need pointer and size aligned: round the allocation up.
  size_t alloc = zero_copy ? (bytes + align - 1) / align * align : bytes;
  float* a = zero_copy ? aligned_alloc(align, alloc) : malloc(alloc);
  float* b = zero_copy ? aligned_alloc(align, alloc) : malloc(alloc);
  float* c = zero_copy ? aligned_alloc(align, alloc) : malloc(alloc);
  if (!a || !b || !c) return 1;
  for (uint32_t i = 0; i < n; ++i) {
    a[i] = (float)i;
    b[i] = (float)(2 * (i % 1000));
  }
  memset(c, 0, alloc);

  WGPUBuffer buffers[3];
  float* arrays[3] = {a, b, c};
  for (int i = 0; i < 3; ++i) {
    WGPUBufferHostMappedPointer host = {.chain.sType = WGPUSType_BufferHostMappedPointer,
                                        .pointer = arrays[i]};
    WGPUBufferDescriptor desc = {
        .nextInChain = zero_copy ? &host.chain : NULL,
        .usage = WGPUBufferUsage_Storage | (i == 2 ? WGPUBufferUsage_CopySrc : WGPUBufferUsage_CopyDst),
        .size = zero_copy ? alloc : bytes,
    };
    buffers[i] = wgpuDeviceCreateBuffer(device, &desc);
  }
  if (!zero_copy) {  // the standard path: upload
    wgpuQueueWriteBuffer(queue, buffers[0], 0, a, bytes);
    wgpuQueueWriteBuffer(queue, buffers[1], 0, b, bytes);
  }

  WGPUShaderSourceGLSL glsl = {.chain.sType = WGPUSType_ShaderSourceGLSL,
                               .code = {kShader, WGPU_STRLEN}};
  WGPUShaderModuleDescriptor module_desc = {.nextInChain = &glsl.chain};
  WGPUShaderModule module = wgpuDeviceCreateShaderModule(device, &module_desc);
  WGPUComputePipelineDescriptor pipeline_desc = {.compute.module = module};
  WGPUComputePipeline pipeline = wgpuDeviceCreateComputePipeline(device, &pipeline_desc);
  WGPUBindGroupEntry entries[3];
  for (int i = 0; i < 3; ++i) {
    entries[i] = (WGPUBindGroupEntry){.binding = (uint32_t)i, .buffer = buffers[i],
                                      .size = bytes};
  }
  WGPUBindGroupDescriptor group_desc = {
      .layout = wgpuComputePipelineGetBindGroupLayout(pipeline, 0),
      .entryCount = 3,
      .entries = entries};
  WGPUBindGroup group = wgpuDeviceCreateBindGroup(device, &group_desc);

  // The standard path reads back through a mappable buffer.
  WGPUBuffer readback = NULL;
  if (!zero_copy) {
    WGPUBufferDescriptor desc = {.usage = WGPUBufferUsage_MapRead | WGPUBufferUsage_CopyDst,
                                 .size = bytes};
    readback = wgpuDeviceCreateBuffer(device, &desc);
  }

  WGPUCommandEncoder encoder = wgpuDeviceCreateCommandEncoder(device, NULL);
  WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(encoder, NULL);
  wgpuComputePassEncoderSetPipeline(pass, pipeline);
  wgpuComputePassEncoderSetBindGroup(pass, 0, group, 0, NULL);
  wgpuComputePassEncoderDispatchWorkgroups(pass, (n + 63) / 64, 1, 1);
  wgpuComputePassEncoderEnd(pass);
  if (!zero_copy) wgpuCommandEncoderCopyBufferToBuffer(encoder, buffers[2], 0, readback, 0, bytes);
  WGPUCommandBuffer commands = wgpuCommandEncoderFinish(encoder, NULL);
  wgpuQueueSubmit(queue, 1, &commands);

  uint32_t status = 0;
  if (zero_copy) {
    // c is written in place; wait until the GPU is done with it before reading.
    Wait(instance, wgpuQueueOnSubmittedWorkDone(
                       queue, (WGPUQueueWorkDoneCallbackInfo){
                                  .mode = WGPUCallbackMode_WaitAnyOnly,
                                  .callback = (WGPUQueueWorkDoneCallback)OnStatus,
                                  .userdata1 = &status}));
  } else {
    Wait(instance, wgpuBufferMapAsync(readback, WGPUMapMode_Read, 0, bytes,
                                      (WGPUBufferMapCallbackInfo){
                                          .mode = WGPUCallbackMode_WaitAnyOnly,
                                          .callback = (WGPUBufferMapCallback)OnStatus,
                                          .userdata1 = &status}));
    if (status == WGPUMapAsyncStatus_Success) {
      memcpy(c, wgpuBufferGetConstMappedRange(readback, 0, bytes), bytes);
      wgpuBufferUnmap(readback);
    }
  }
  wgpuInstanceProcessEvents(instance);  // delivers a device loss or an error, if any
  if (status != 1 || failed) {
    fprintf(stderr, "vecadd: the GPU work failed (status %u)\n", status);
    return 1;
  }

  double checksum = 0;
  uint32_t wrong = 0;
  for (uint32_t i = 0; i < n; ++i) {
    if (c[i] != a[i] + b[i]) ++wrong;
    checksum += c[i];
  }
  printf("vecadd: n=%u path=%s checksum=%.0f wrong=%u\n", n,
         zero_copy ? "zero-copy" : "standard", checksum, wrong);

  // Release in any order; host-mapped memory may be freed once the buffers are released and
  // the GPU is idle (it is: we waited above).
  wgpuBindGroupRelease(group);
  wgpuComputePipelineRelease(pipeline);
  wgpuShaderModuleRelease(module);
  wgpuCommandBufferRelease(commands);
  wgpuComputePassEncoderRelease(pass);
  wgpuCommandEncoderRelease(encoder);
  for (int i = 0; i < 3; ++i) wgpuBufferRelease(buffers[i]);
  if (readback) wgpuBufferRelease(readback);
  wgpuQueueRelease(queue);
  wgpuDeviceRelease(device);
  wgpuAdapterRelease(adapter);
  wgpuInstanceRelease(instance);
  return wrong == 0 ? 0 : 1;
}
