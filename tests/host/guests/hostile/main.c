// A guest that misbehaves on purpose, one way per argv[1]. tests/host/hostile_test.cpp runs each
// case and asserts the trap or error it ends with, then runs another guest in the same process.
// Cases that expect a validation error print what the uncaptured-error callback received.
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../../../examples/common/gpu_setup.h"

static uint32_t MemorySize(void) { return (uint32_t)__builtin_wasm_memory_size(0) * 65536u; }

static void OnErrorPrint(WGPUDevice const* device, WGPUErrorType type, WGPUStringView message,
                         void* gpu, void* unused) {
  (void)device, (void)unused;
  printf("uncaptured error %d: %.*s\n", (int)type, (int)message.length, message.data);
  ((Gpu*)gpu)->errors++;
}

static void OnLostPrint(WGPUDevice const* device, WGPUDeviceLostReason reason,
                        WGPUStringView message, void* unused1, void* unused2) {
  (void)device, (void)unused1, (void)unused2;
  printf("device lost (reason %d): %.*s\n", (int)reason, (int)message.length, message.data);
}

// Runs queued callbacks (errors are reported through the uncaptured-error callback).
static void Flush(Gpu* gpu) { wgpuInstanceProcessEvents(gpu->instance); }

static void* AlignedArray(Gpu* gpu, size_t bytes) {
  void* p = aligned_alloc(gpu->alignment, bytes);
  memset(p, 0, bytes);
  return p;
}

static const char kAddOne[] =
    "#version 450\n"
    "layout(local_size_x = 64) in;\n"
    "layout(std430, binding = 0) buffer X { float v[]; } x;\n"
    "void main() { uint i = gl_GlobalInvocationID.x; if (i < x.v.length()) x.v[i] += 1.0; }\n";

// A kernel that keeps the GPU busy for a while (work that stays in flight).
static const char kSpin[] =
    "#version 450\n"
    "layout(local_size_x = 64) in;\n"
    "layout(std430, binding = 0) buffer X { float v[]; } x;\n"
    "void main() {\n"
    "  uint i = gl_GlobalInvocationID.x;\n"
    "  if (i >= x.v.length()) return;\n"
    "  float acc = x.v[i];\n"

    "  for (uint k = 0; k < 20000u; ++k) acc = acc * 0.999 + 1.0;\n"
    "  x.v[i] = acc;\n"
    "}\n";

// Never ends in practice: lavapipe caps every shader loop at 65535 iterations, so the work is in
// the size of the dispatch instead (65535 x 65535 workgroups of 64 invocations, 60000 dependent
// steps each).
static const char kForever[] =
    "#version 450\n"
    "layout(local_size_x = 64) in;\n"
    "layout(std430, binding = 0) buffer X { uint v[]; } x;\n"
    "void main() {\n"
    "  uint acc = gl_GlobalInvocationID.x;\n"
    "  for (uint k = 0u; k < 60000u; ++k) acc = acc * 1664525u + x.v[acc & 1023u] + 1013904223u;\n"
    "  x.v[gl_LocalInvocationID.x] = acc;\n"
    "}\n";

static void Dispatch2(Gpu* gpu, WGPUComputePipeline pipeline, WGPUBuffer buffer, uint32_t groups,
                      uint32_t groups_y) {
  WGPUBindGroup group = GpuBindBuffers(gpu, pipeline, 1, &buffer);
  WGPUCommandEncoder e = wgpuDeviceCreateCommandEncoder(gpu->device, NULL);
  WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(e, NULL);
  wgpuComputePassEncoderSetPipeline(pass, pipeline);
  wgpuComputePassEncoderSetBindGroup(pass, 0, group, 0, NULL);
  wgpuComputePassEncoderDispatchWorkgroups(pass, groups, groups_y, 1);
  wgpuComputePassEncoderEnd(pass);
  WGPUCommandBuffer commands = wgpuCommandEncoderFinish(e, NULL);
  wgpuQueueSubmit(gpu->queue, 1, &commands);
}

static void Dispatch(Gpu* gpu, WGPUComputePipeline pipeline, WGPUBuffer buffer, uint32_t groups) {
  Dispatch2(gpu, pipeline, buffer, groups, 1);
}

static void BadCallback(int x) { printf("never called %d\n", x); }

static void OnPopPrint(WGPUPopErrorScopeStatus status, WGPUErrorType type, WGPUStringView message,
                       void* label, void* unused) {
  (void)unused;
  printf("scope %s: status %d, type %d: %.*s\n", (const char*)label, (int)status, (int)type,
         (int)message.length, message.data);
}

// Pops the innermost error scope and prints what it captured.
static void PopPrint(Gpu* gpu, const char* label) {
  WGPUPopErrorScopeCallbackInfo info = {
      .mode = WGPUCallbackMode_WaitAnyOnly, .callback = OnPopPrint, .userdata1 = (void*)label};
  GpuWait(gpu, wgpuDevicePopErrorScope(gpu->device, info));
}

// A bind group over `buffer` (a handle that may be bad) inside a validation error scope, which
// must capture the host's error like one libwasmgpu found; nothing may reach the
// uncaptured-error callback.
static int BindInScope(Gpu* gpu, WGPUBuffer buffer) {
  WGPUComputePipeline p = GpuPipeline(gpu, kAddOne, 0, NULL);
  wgpuDevicePushErrorScope(gpu->device, WGPUErrorFilter_Validation);
  WGPUBindGroup g = GpuBindBuffers(gpu, p, 1, &buffer);
  PopPrint(gpu, "validation");
  Flush(gpu);
  printf("bind group %s, uncaptured %d\n", g ? "created" : "null", gpu->errors);
  return 0;
}

int main(int argc, char** argv) {
  const char* c = argc > 1 ? argv[1] : "";
  Gpu gpu;
  if (GpuInit(&gpu) != 0) return 100;
  // Report host-detected validation errors on stdout. The device's callback was registered at
  // creation; a second device with the printing callback is simpler than swapping it.
  WGPUDeviceDescriptor desc = {
      .requiredFeatureCount = gpu.zero_copy ? 1 : 0,
      .requiredFeatures = (WGPUFeatureName[]){WGPUFeatureName_HostMappedPointer},
      .deviceLostCallbackInfo = {.mode = WGPUCallbackMode_AllowProcessEvents,
                                 .callback = OnLostPrint},
      .uncapturedErrorCallbackInfo = {.callback = OnErrorPrint, .userdata1 = &gpu}};
  WGPUDevice device = NULL;
  GpuWait(&gpu, wgpuAdapterRequestDevice(
                    gpu.adapter, &desc,
                    (WGPURequestDeviceCallbackInfo){.mode = WGPUCallbackMode_WaitAnyOnly,
                                                    .callback = GpuOnDevice,
                                                    .userdata1 = &device}));
  wgpuQueueRelease(gpu.queue);
  wgpuDeviceRelease(gpu.device);
  gpu.device = device;
  gpu.queue = wgpuDeviceGetQueue(device);
  uint32_t align = gpu.alignment;

  if (!strcmp(c, "struct-oob")) {
    wgpuDeviceCreateBuffer(gpu.device, (const WGPUBufferDescriptor*)0xfffffff0u);
  } else if (!strcmp(c, "length-wraps")) {
    // 0x40000000 entries of 32 bytes: 32 GiB, which is 0 in 32-bit arithmetic.
    WGPUBindGroupDescriptor bg = {.entryCount = 0x40000000u,
                                  .entries = (const WGPUBindGroupEntry*)64};
    wgpuDeviceCreateBindGroup(gpu.device, &bg);
  } else if (!strcmp(c, "write-wraps")) {
    WGPUBuffer b = GpuBuffer(&gpu, 256, WGPUBufferUsage_CopyDst | WGPUBufferUsage_Storage);
    wgpuQueueWriteBuffer(gpu.queue, b, 0, (const void*)0x1000, 0xfffff000u);
  } else if (!strcmp(c, "string-past-end")) {
    WGPUBuffer b = GpuBuffer(&gpu, 256, WGPUBufferUsage_Storage);
    wgpuBufferSetLabel(b, (WGPUStringView){(const char*)(uintptr_t)(MemorySize() - 4), 100});
  } else if (!strcmp(c, "string-no-nul")) {
    // The last bytes of memory are not NUL, and a NUL-terminated view starts there.
    char* end = (char*)(uintptr_t)MemorySize();
    memset(end - 16, 'x', 16);
    WGPUBuffer b = GpuBuffer(&gpu, 256, WGPUBufferUsage_Storage);
    wgpuBufferSetLabel(b, (WGPUStringView){end - 16, WGPU_STRLEN});
  } else if (!strcmp(c, "forged-handle")) {
    printf("size %llu\n", (unsigned long long)wgpuBufferGetSize((WGPUBuffer)(uintptr_t)0x12345678u));
  } else if (!strcmp(c, "wrong-kind")) {
    wgpuBufferGetSize((WGPUBuffer)(uintptr_t)gpu.device);
  } else if (!strcmp(c, "stale-handle")) {
    WGPUBuffer b = GpuBuffer(&gpu, 256, WGPUBufferUsage_Storage);
    wgpuBufferRelease(b);
    wgpuBufferGetSize(b);
  } else if (!strcmp(c, "double-release")) {
    WGPUBuffer b = GpuBuffer(&gpu, 256, WGPUBufferUsage_Storage);
    wgpuBufferAddRef(b);
    wgpuBufferRelease(b);
    wgpuBufferRelease(b);
    wgpuBufferRelease(b);
  } else if (!strcmp(c, "forged-in-descriptor")) {
    // No error path for the handle itself: a validation error, and the guest goes on.
    WGPUComputePipeline p = GpuPipeline(&gpu, kAddOne, 0, NULL);
    WGPUBuffer forged = (WGPUBuffer)(uintptr_t)0x0badf00du;
    WGPUBindGroup g = GpuBindBuffers(&gpu, p, 1, &forged);
    Flush(&gpu);
    printf("bind group %s\n", g ? "created" : "null");
  } else if (!strcmp(c, "scope-forged")) {
    return BindInScope(&gpu, (WGPUBuffer)(uintptr_t)0x0badf00du);
  } else if (!strcmp(c, "scope-released")) {
    WGPUBuffer b = GpuBuffer(&gpu, 256, WGPUBufferUsage_Storage);
    wgpuBufferRelease(b);
    return BindInScope(&gpu, b);
  } else if (!strcmp(c, "scope-foreign")) {  // argv[2]: a live buffer handle of another instance
    return BindInScope(&gpu, (WGPUBuffer)(uintptr_t)strtoul(argv[2], NULL, 0));
  } else if (!strcmp(c, "scope-stale-submit")) {
    // A command buffer submitted after its release: an argument of wgpuQueueSubmit.
    WGPUCommandEncoder e = wgpuDeviceCreateCommandEncoder(gpu.device, NULL);
    WGPUCommandBuffer commands = wgpuCommandEncoderFinish(e, NULL);
    wgpuCommandEncoderRelease(e);
    wgpuCommandBufferRelease(commands);
    wgpuDevicePushErrorScope(gpu.device, WGPUErrorFilter_Validation);
    wgpuQueueSubmit(gpu.queue, 1, &commands);
    PopPrint(&gpu, "validation");
  } else if (!strcmp(c, "scope-filter")) {
    // The innermost scope filters out-of-memory errors only: the validation error skips it and
    // lands in the outer one.
    WGPUComputePipeline p = GpuPipeline(&gpu, kAddOne, 0, NULL);
    WGPUBuffer forged = (WGPUBuffer)(uintptr_t)0x0badf00du;
    wgpuDevicePushErrorScope(gpu.device, WGPUErrorFilter_Validation);
    wgpuDevicePushErrorScope(gpu.device, WGPUErrorFilter_OutOfMemory);
    GpuBindBuffers(&gpu, p, 1, &forged);
    PopPrint(&gpu, "out-of-memory");
    PopPrint(&gpu, "validation");
  } else if (!strcmp(c, "print-handle")) {
    WGPUBuffer b = GpuBuffer(&gpu, 256, WGPUBufferUsage_Storage);
    printf("%u\n", (unsigned)(uintptr_t)b);
    return 0;  // the instance stays alive in the test while another uses the handle
  } else if (!strcmp(c, "use-handle")) {
    WGPUBuffer b = (WGPUBuffer)(uintptr_t)strtoul(argv[2], NULL, 0);
    wgpuBufferGetSize(b);
  } else if (!strcmp(c, "host-mapped-past-end")) {
    uint32_t end = MemorySize() / align * align;
    WGPUBuffer b = GpuHostBuffer(&gpu, (void*)(uintptr_t)(end - align), 2 * align,
                                 WGPUBufferUsage_Storage);
    (void)b;
  } else if (!strcmp(c, "host-mapped-unaligned")) {
    char* p = AlignedArray(&gpu, 4 * align);
    GpuHostBuffer(&gpu, p + 16, 2 * align, WGPUBufferUsage_Storage);
    GpuHostBuffer(&gpu, p, align + 4, WGPUBufferUsage_Storage);
    Flush(&gpu);
  } else if (!strcmp(c, "host-mapped-zero")) {
    char* p = AlignedArray(&gpu, align);
    GpuHostBuffer(&gpu, p, 0, WGPUBufferUsage_Storage);
    Flush(&gpu);
  } else if (!strcmp(c, "host-mapped-overlap")) {
    char* p = AlignedArray(&gpu, 4 * align);
    WGPUBuffer a = GpuHostBuffer(&gpu, p, 2 * align, WGPUBufferUsage_Storage);
    WGPUBuffer b = GpuHostBuffer(&gpu, p + align, 2 * align, WGPUBufferUsage_Storage);
    WGPUBuffer d = GpuHostBuffer(&gpu, p + 2 * align, 2 * align, WGPUBufferUsage_Storage);
    Flush(&gpu);
    printf("a %s, b %s, d %s\n", a ? "ok" : "null", b ? "ok" : "null", d ? "ok" : "null");
  } else if (!strcmp(c, "host-mapped-map")) {
    char* p = AlignedArray(&gpu, align);
    WGPUBuffer a = GpuHostBuffer(&gpu, p, align, WGPUBufferUsage_Storage);
    uint32_t status = 0;
    GpuWait(&gpu, wgpuBufferMapAsync(a, WGPUMapMode_Read, 0, align,
                                     (WGPUBufferMapCallbackInfo){
                                         .mode = WGPUCallbackMode_WaitAnyOnly,
                                         .callback = (WGPUBufferMapCallback)GpuOnStatus,
                                         .userdata1 = &status}));
    Flush(&gpu);
    printf("map status %u\n", status);
  } else if (!strcmp(c, "grow")) {
    // Host-mapped buffers stay valid while memory grows: memory never moves.
    uint32_t n = 4 * align / 4;
    float* x = AlignedArray(&gpu, 4 * align);
    WGPUBuffer b = GpuHostBuffer(&gpu, x, 4 * align, WGPUBufferUsage_Storage);
    WGPUComputePipeline p = GpuPipeline(&gpu, kAddOne, 0, NULL);
    uint32_t before = MemorySize();
    Dispatch(&gpu, p, b, n / 64);
    GpuFinish(&gpu);
    if (__builtin_wasm_memory_grow(0, 512) < 0) return 101;  // +32 MiB
    char* fresh = malloc(16 << 20);                        // and use it
    memset(fresh, 1, 16 << 20);
    Dispatch(&gpu, p, b, n / 64);
    GpuFinish(&gpu);
    uint32_t wrong = 0;
    for (uint32_t i = 0; i < n; ++i) wrong += x[i] != 2.0f;
    printf("grew %u -> %u bytes, wrong=%u errors=%d\n", before, MemorySize(), wrong, gpu.errors);
    return wrong == 0 && gpu.errors == 0 ? 0 : 1;
  } else if (!strcmp(c, "exit-in-flight") || !strcmp(c, "trap-in-flight") ||
             !strcmp(c, "return-in-flight") || !strcmp(c, "spin-in-flight")) {
    // Long GPU work on host-mapped memory, then leave without waiting or releasing anything.
    float* x = AlignedArray(&gpu, 64 * align);
    WGPUBuffer b = GpuHostBuffer(&gpu, x, 64 * align, WGPUBufferUsage_Storage);
    WGPUComputePipeline p = GpuPipeline(&gpu, kSpin, 0, NULL);
    Dispatch(&gpu, p, b, 64 * align / 4 / 64);
    printf("submitted\n");
    fflush(stdout);
    if (!strcmp(c, "exit-in-flight")) _exit(7);
    if (!strcmp(c, "trap-in-flight")) __builtin_trap();
    if (!strcmp(c, "spin-in-flight")) {  // until --timeout stops the guest
      volatile int forever = 1;
      while (forever) {
      }
    }
    return 0;
  } else if (!strcmp(c, "never-ends")) {
    // The kernel runs until the device is lost (WASMGPU_GPU_TIMEOUT_MS).
    // A device buffer, not guest memory: the abandoned kernel may run on after the guest ends.
    WGPUBuffer b = GpuBuffer(&gpu, 4096, WGPUBufferUsage_Storage);
    WGPUComputePipeline p = GpuPipeline(&gpu, kForever, 0, NULL);
    Dispatch2(&gpu, p, b, 65535, 65535);
    uint32_t status = GpuFinish(&gpu);
    Flush(&gpu);
    printf("work done status %u\n", status);
  } else if (!strcmp(c, "bad-callback-type")) {
    WGPUBuffer b = GpuBuffer(&gpu, 256, WGPUBufferUsage_MapRead | WGPUBufferUsage_CopyDst);
    GpuWait(&gpu, wgpuBufferMapAsync(b, WGPUMapMode_Read, 0, 256,
                                     (WGPUBufferMapCallbackInfo){
                                         .mode = WGPUCallbackMode_WaitAnyOnly,
                                         .callback = (WGPUBufferMapCallback)BadCallback}));
  } else if (!strcmp(c, "bad-callback-index")) {
    WGPUBuffer b = GpuBuffer(&gpu, 256, WGPUBufferUsage_MapRead | WGPUBufferUsage_CopyDst);
    GpuWait(&gpu, wgpuBufferMapAsync(b, WGPUMapMode_Read, 0, 256,
                                     (WGPUBufferMapCallbackInfo){
                                         .mode = WGPUCallbackMode_WaitAnyOnly,
                                         .callback = (WGPUBufferMapCallback)(uintptr_t)0x7fffffff}));
  } else {
    fprintf(stderr, "hostile: unknown case '%s'\n", c);
    return 99;
  }
  printf("returned normally\n");
  return 0;
}
