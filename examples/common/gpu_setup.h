// Shared by the examples: the few lines every WebGPU program starts with (instance, adapter,
// device, waiting on a future), so each example's main.c shows only what it is about.
// Header-only on purpose: copy it next to your own main.c.
#ifndef WASMGPU_EXAMPLES_GPU_SETUP_H_
#define WASMGPU_EXAMPLES_GPU_SETUP_H_

#include <stdint.h>
#include <stdio.h>

#include <wasmgpu/webgpu.h>

typedef struct Gpu {
  WGPUInstance instance;
  WGPUAdapter adapter;
  WGPUDevice device;
  WGPUQueue queue;
  WGPUBool zero_copy;  // the adapter offers WGPUFeatureName_HostMappedPointer
  uint32_t alignment;  // hostMappedPointerAlignment (0 without zero-copy)
  int errors;          // uncaptured GPU errors so far
  char adapter_name[128];
  WGPUAdapterType adapter_type;
} Gpu;

// Callbacks run only inside wgpuInstanceWaitAny / wgpuInstanceProcessEvents; userdata1 points
// at where the result goes.
static inline void GpuOnAdapter(WGPURequestAdapterStatus status, WGPUAdapter adapter,
                         WGPUStringView message, void* out, void* unused) {
  (void)unused;
  if (status != WGPURequestAdapterStatus_Success) {
    fprintf(stderr, "no adapter: %.*s\n", (int)message.length, message.data);
  }
  *(WGPUAdapter*)out = adapter;
}
static inline void GpuOnDevice(WGPURequestDeviceStatus status, WGPUDevice device, WGPUStringView message,
                        void* out, void* unused) {
  (void)unused;
  if (status != WGPURequestDeviceStatus_Success) {
    fprintf(stderr, "no device: %.*s\n", (int)message.length, message.data);
  }
  *(WGPUDevice*)out = device;
}
static inline void GpuOnError(WGPUDevice const* device, WGPUErrorType type, WGPUStringView message,
                       void* gpu, void* unused) {
  (void)device, (void)unused;
  fprintf(stderr, "GPU error (type %d): %.*s\n", (int)type, (int)message.length, message.data);
  ((Gpu*)gpu)->errors++;
}
// A lost device (a GPU timeout, a driver reset) counts as an error: results are not to be trusted.
static inline void GpuOnLost(WGPUDevice const* device, WGPUDeviceLostReason reason,
                             WGPUStringView message, void* gpu, void* unused) {
  (void)device, (void)unused;
  if (reason == WGPUDeviceLostReason_Destroyed || reason == WGPUDeviceLostReason_CallbackCancelled)
    return;
  fprintf(stderr, "device lost: %.*s\n", (int)message.length, message.data);
  ((Gpu*)gpu)->errors++;
}

// For map and work-done callbacks: stores the status.
static inline void GpuOnStatus(uint32_t status, WGPUStringView message, void* out, void* unused) {
  (void)unused;
  if (status != 1) fprintf(stderr, "GPU callback status %u: %.*s\n", status, (int)message.length,
                           message.data);
  *(uint32_t*)out = status;
}

// Blocks until `future` completes (the instance has TimedWaitAny).
static inline void GpuWait(Gpu* gpu, WGPUFuture future) {
  WGPUFutureWaitInfo info = {future, 0};
  wgpuInstanceWaitAny(gpu->instance, 1, &info, UINT64_MAX);
}

// Waits until the queue has finished everything submitted so far; returns the status
// (WGPUQueueWorkDoneStatus_Success is 1), or 0 when the device was lost meanwhile.
static inline uint32_t GpuFinish(Gpu* gpu) {
  uint32_t status = 0;
  int errors = gpu->errors;
  GpuWait(gpu, wgpuQueueOnSubmittedWorkDone(
                   gpu->queue, (WGPUQueueWorkDoneCallbackInfo){
                                   .mode = WGPUCallbackMode_WaitAnyOnly,
                                   .callback = (WGPUQueueWorkDoneCallback)GpuOnStatus,
                                   .userdata1 = &status}));
  wgpuInstanceProcessEvents(gpu->instance);  // runs a device-lost callback, if any
  return gpu->errors > errors ? 0 : status;
}

// Instance, default adapter, and a device with zero-copy enabled when offered. 0 on success.
static inline int GpuInit(Gpu* gpu) {
  *gpu = (Gpu){0};
  WGPUInstanceFeatureName timed_wait = WGPUInstanceFeatureName_TimedWaitAny;
  WGPUInstanceDescriptor instance_desc = {.requiredFeatureCount = 1,
                                          .requiredFeatures = &timed_wait};
  gpu->instance = wgpuCreateInstance(&instance_desc);
  if (!gpu->instance) return 1;
  GpuWait(gpu, wgpuInstanceRequestAdapter(
                   gpu->instance, NULL,
                   (WGPURequestAdapterCallbackInfo){.mode = WGPUCallbackMode_WaitAnyOnly,
                                                    .callback = GpuOnAdapter,
                                                    .userdata1 = &gpu->adapter}));
  if (!gpu->adapter) return 1;
  WGPUAdapterInfo info = {0};
  if (wgpuAdapterGetInfo(gpu->adapter, &info) == WGPUStatus_Success) {
    snprintf(gpu->adapter_name, sizeof gpu->adapter_name, "%.*s", (int)info.device.length,
             info.device.data);
    gpu->adapter_type = info.adapterType;
    wgpuAdapterInfoFreeMembers(info);
  }
  // Zero-copy is a feature; its alignment comes in a struct chained on the limits.
  gpu->zero_copy = wgpuAdapterHasFeature(gpu->adapter, WGPUFeatureName_HostMappedPointer);
  WGPUHostMappedPointerLimits host = {.chain.sType = WGPUSType_HostMappedPointerLimits};
  WGPULimits limits = {.nextInChain = &host.chain};
  wgpuAdapterGetLimits(gpu->adapter, &limits);
  gpu->alignment = gpu->zero_copy ? host.hostMappedPointerAlignment : 0;

  WGPUFeatureName feature = WGPUFeatureName_HostMappedPointer;
  WGPUDeviceDescriptor device_desc = {
      .requiredFeatureCount = gpu->zero_copy ? 1 : 0,
      .requiredFeatures = &feature,
      .deviceLostCallbackInfo = {.mode = WGPUCallbackMode_AllowProcessEvents,
                                 .callback = GpuOnLost,
                                 .userdata1 = gpu},
      .uncapturedErrorCallbackInfo = {.callback = GpuOnError, .userdata1 = gpu},
  };
  GpuWait(gpu, wgpuAdapterRequestDevice(
                   gpu->adapter, &device_desc,
                   (WGPURequestDeviceCallbackInfo){.mode = WGPUCallbackMode_WaitAnyOnly,
                                                   .callback = GpuOnDevice,
                                                   .userdata1 = &gpu->device}));
  if (!gpu->device) return 1;
  gpu->queue = wgpuDeviceGetQueue(gpu->device);
  return 0;
}

// A compute pipeline from GLSL source, with its layout reflected from the shader.
static inline WGPUComputePipeline GpuPipeline(Gpu* gpu, const char* glsl, size_t constant_count,
                                       const WGPUConstantEntry* constants) {
  WGPUShaderSourceGLSL source = {.chain.sType = WGPUSType_ShaderSourceGLSL,
                                 .code = {glsl, WGPU_STRLEN}};
  WGPUShaderModuleDescriptor module_desc = {.nextInChain = &source.chain};
  WGPUShaderModule module = wgpuDeviceCreateShaderModule(gpu->device, &module_desc);
  WGPUComputePipelineDescriptor desc = {.compute = {.module = module,
                                                    .constantCount = constant_count,
                                                    .constants = constants}};
  WGPUComputePipeline pipeline = wgpuDeviceCreateComputePipeline(gpu->device, &desc);
  wgpuShaderModuleRelease(module);
  return pipeline;
}

// A bind group of `count` whole buffers at bindings 0..count-1 of group 0.
static inline WGPUBindGroup GpuBindBuffers(Gpu* gpu, WGPUComputePipeline pipeline, uint32_t count,
                                    const WGPUBuffer* buffers) {
  WGPUBindGroupEntry entries[8];
  for (uint32_t i = 0; i < count && i < 8; ++i) {
    entries[i] = (WGPUBindGroupEntry){.binding = i, .buffer = buffers[i], .size = WGPU_WHOLE_SIZE};
  }
  WGPUBindGroupLayout layout = wgpuComputePipelineGetBindGroupLayout(pipeline, 0);
  WGPUBindGroupDescriptor desc = {.layout = layout, .entryCount = count, .entries = entries};
  WGPUBindGroup group = wgpuDeviceCreateBindGroup(gpu->device, &desc);
  wgpuBindGroupLayoutRelease(layout);
  return group;
}

// A buffer over [data, data + bytes) of this guest's memory (zero-copy); data and bytes must be
// multiples of gpu->alignment.
static inline WGPUBuffer GpuHostBuffer(Gpu* gpu, void* data, size_t bytes, WGPUBufferUsage usage) {
  WGPUBufferHostMappedPointer host = {.chain.sType = WGPUSType_BufferHostMappedPointer,
                                      .pointer = data};
  WGPUBufferDescriptor desc = {.nextInChain = &host.chain, .usage = usage, .size = bytes};
  return wgpuDeviceCreateBuffer(gpu->device, &desc);
}

static inline WGPUBuffer GpuBuffer(Gpu* gpu, size_t bytes, WGPUBufferUsage usage) {
  WGPUBufferDescriptor desc = {.usage = usage, .size = bytes};
  return wgpuDeviceCreateBuffer(gpu->device, &desc);
}

// Reads `bytes` of a buffer back through a mappable copy (the standard path).
static inline int GpuReadBack(Gpu* gpu, WGPUBuffer source, void* out, size_t bytes) {
  WGPUBuffer staging = GpuBuffer(gpu, bytes, WGPUBufferUsage_MapRead | WGPUBufferUsage_CopyDst);
  WGPUCommandEncoder encoder = wgpuDeviceCreateCommandEncoder(gpu->device, NULL);
  wgpuCommandEncoderCopyBufferToBuffer(encoder, source, 0, staging, 0, bytes);
  WGPUCommandBuffer commands = wgpuCommandEncoderFinish(encoder, NULL);
  wgpuQueueSubmit(gpu->queue, 1, &commands);
  wgpuCommandBufferRelease(commands);
  wgpuCommandEncoderRelease(encoder);
  uint32_t status = 0;
  GpuWait(gpu, wgpuBufferMapAsync(staging, WGPUMapMode_Read, 0, bytes,
                                  (WGPUBufferMapCallbackInfo){
                                      .mode = WGPUCallbackMode_WaitAnyOnly,
                                      .callback = (WGPUBufferMapCallback)GpuOnStatus,
                                      .userdata1 = &status}));
  int ok = status == WGPUMapAsyncStatus_Success &&
           wgpuBufferReadMappedRange(staging, 0, out, bytes) == WGPUStatus_Success;
  wgpuBufferUnmap(staging);
  wgpuBufferRelease(staging);
  return ok ? 0 : 1;
}

static inline void GpuRelease(Gpu* gpu) {
  wgpuQueueRelease(gpu->queue);
  wgpuDeviceRelease(gpu->device);
  wgpuAdapterRelease(gpu->adapter);
  wgpuInstanceRelease(gpu->instance);
}

#endif  // WASMGPU_EXAMPLES_GPU_SETUP_H_
