// guest-io: what crossing the guest boundary costs, measured from inside the guest.
//
// One dispatch of y = a*x + b over n floats, timed three ways exactly as the native
// `wasmgpu bench zero-copy` does (bench/zero_copy.cpp: the same kernel and workgroup count, the
// same warm-up, the same calls inside the timer, the median), so the two can be compared side by
// side and any difference is the guest boundary's:
//   copy       the standard path: writeBuffer x, dispatch, copy y to a MapRead buffer, mapAsync,
//              read y out (wgpuBufferReadMappedRange: one copy into guest memory, like the
//              native bench's memcpy);
//   zero_copy  x and y are host-mapped arrays of this guest: dispatch, wait, y is already here;
//   resident   x and y stay in device buffers: dispatch, wait.
// Every element of y is checked after every timed iteration (outside the timer).
//
//   wasmgpu run build/examples/guest-io.wasm [--min-floats N] [--max-floats N] [--iterations N]
//                                            [--max-workgroups N] [--warmup-ms N]
// prints {"adapter":...,"iterations":...,"max_workgroups":...,"rows":[{"floats","copy_us",
// "zero_copy_us","resident_us","ok"}]} on stdout.
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/gpu_setup.h"

// The native bench's kernel, bench/shaders/bench_saxpy.comp, as GLSL source (the same text, so
// shaderc makes the same SPIR-V): one float per step, in a grid-stride loop over at most
// max_workgroups workgroups. (Until 2026-11-25 this was a vec4 variant with a quarter of the
// workgroups, so its figures did not compare with native's: bench/results/guest-io-h100.md.)
static const char kShader[] =
    "#version 450\n"
    "layout(local_size_x = 256) in;\n"
    "layout(push_constant) uniform Params { float a; float b; uint n; } p;\n"
    "layout(std430, set = 0, binding = 0) readonly buffer X { float v[]; } x;\n"
    "layout(std430, set = 0, binding = 1) writeonly buffer Y { float v[]; } y;\n"
    "void main() {\n"
    "  uint stride = gl_NumWorkGroups.x * 256u;\n"
    "  for (uint i = gl_GlobalInvocationID.x; i < p.n; i += stride) y.v[i] = p.a * x.v[i] + p.b;\n"
    "}\n";

// Warm-up per path and size, as in the native bench: at least kWarmup iterations and
// warmup_us (200 ms, --warmup-ms), so that a GPU coming out of idle clocks does not skew the
// first medians.
enum { kWarmup = 3, kWorkgroupSize = 256, kMaxIterations = 1000 };
static double warmup_us = 200e3;
// Like the native bench: 4096 workgroups on a GPU; on a CPU adapter few enough that each
// invocation loops (set with --max-workgroups; the bench script passes the native run's value).
static uint32_t max_workgroups = 0;
static const float kA = 3.0f;

typedef struct Params {
  float a, b;
  uint32_t n;
} Params;

typedef struct Kernel {
  WGPUBindGroupLayout group_layout;
  WGPUComputePipeline pipeline;
} Kernel;

// Small integers: a*x + b is exact in float, so the check can demand equality.
static float XValue(uint32_t i) { return (float)((int)(i & 1023) - 512); }
static float BValue(int iteration) { return (float)(iteration % 997); }

static double NowUs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec * 1e-3;
}

static int CompareDoubles(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}
static double Median(double* v, int n) {
  qsort(v, n, sizeof(double), CompareDoubles);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int Check(const float* y, uint32_t n, float b) {
  for (uint32_t i = 0; i < n; ++i) {
    if (y[i] != kA * XValue(i) + b) return 0;
  }
  return 1;
}

static Kernel MakeKernel(Gpu* gpu) {
  Kernel k;
  WGPUShaderSourceGLSL source = {.chain.sType = WGPUSType_ShaderSourceGLSL,
                                 .code = {kShader, WGPU_STRLEN}};
  WGPUShaderModuleDescriptor module_desc = {.nextInChain = &source.chain};
  WGPUShaderModule module = wgpuDeviceCreateShaderModule(gpu->device, &module_desc);
  WGPUBindGroupLayoutEntry entries[2] = {0};
  for (uint32_t i = 0; i < 2; ++i) {
    entries[i].binding = i;
    entries[i].visibility = WGPUShaderStage_Compute;
    entries[i].buffer.type =
        i == 0 ? WGPUBufferBindingType_ReadOnlyStorage : WGPUBufferBindingType_Storage;
  }
  WGPUBindGroupLayoutDescriptor group_desc = {.entryCount = 2, .entries = entries};
  k.group_layout = wgpuDeviceCreateBindGroupLayout(gpu->device, &group_desc);
  // The push-constant range carries a, b and n (webgpu.h "immediate data").
  WGPUPipelineLayoutDescriptor layout_desc = {
      .bindGroupLayoutCount = 1, .bindGroupLayouts = &k.group_layout,
      .immediateSize = sizeof(Params)};
  WGPUPipelineLayout layout = wgpuDeviceCreatePipelineLayout(gpu->device, &layout_desc);
  WGPUComputePipelineDescriptor desc = {.layout = layout, .compute.module = module};
  k.pipeline = wgpuDeviceCreateComputePipeline(gpu->device, &desc);
  wgpuPipelineLayoutRelease(layout);
  wgpuShaderModuleRelease(module);
  return k;
}

static WGPUBindGroup Group(Gpu* gpu, Kernel* k, WGPUBuffer x, WGPUBuffer y, uint64_t bytes) {
  WGPUBindGroupEntry e[2] = {{.binding = 0, .buffer = x, .size = bytes},
                             {.binding = 1, .buffer = y, .size = bytes}};
  WGPUBindGroupDescriptor desc = {.layout = k->group_layout, .entryCount = 2, .entries = e};
  return wgpuDeviceCreateBindGroup(gpu->device, &desc);
}

// Encodes the dispatch, plus a copy of y to `readback` when given, and submits.
static void Dispatch(Gpu* gpu, Kernel* k, WGPUBindGroup group, uint32_t n, float b,
                     WGPUBuffer y, WGPUBuffer readback) {
  WGPUCommandEncoder e = wgpuDeviceCreateCommandEncoder(gpu->device, NULL);
  WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(e, NULL);
  wgpuComputePassEncoderSetPipeline(pass, k->pipeline);
  wgpuComputePassEncoderSetBindGroup(pass, 0, group, 0, NULL);
  Params params = {kA, b, n};
  wgpuComputePassEncoderSetImmediateData(pass, 0, &params, sizeof params);
  uint32_t groups = (n + kWorkgroupSize - 1) / kWorkgroupSize;
  wgpuComputePassEncoderDispatchWorkgroups(pass, groups < max_workgroups ? groups : max_workgroups,
                                           1, 1);
  wgpuComputePassEncoderEnd(pass);
  wgpuComputePassEncoderRelease(pass);
  if (readback) wgpuCommandEncoderCopyBufferToBuffer(e, y, 0, readback, 0, (uint64_t)n * 4);
  WGPUCommandBuffer commands = wgpuCommandEncoderFinish(e, NULL);
  wgpuQueueSubmit(gpu->queue, 1, &commands);
  wgpuCommandBufferRelease(commands);
  wgpuCommandEncoderRelease(e);
}

static void Release(WGPUBuffer b) {
  wgpuBufferDestroy(b);
  wgpuBufferRelease(b);
}

// Waits until the queue is idle with the native bench's two calls (wgpuQueueOnSubmittedWorkDone,
// wgpuInstanceWaitAny). Unlike GpuFinish it does not also process events: a lost device shows up
// in gpu->errors at the wgpuInstanceProcessEvents after the timed loop.
static void WaitIdle(Gpu* gpu) {
  uint32_t status = 0;
  GpuWait(gpu, wgpuQueueOnSubmittedWorkDone(
                   gpu->queue, (WGPUQueueWorkDoneCallbackInfo){
                                   .mode = WGPUCallbackMode_WaitAnyOnly,
                                   .callback = (WGPUQueueWorkDoneCallback)GpuOnStatus,
                                   .userdata1 = &status}));
}

// One path at one size: what an iteration needs.
typedef struct Loop {
  Gpu* gpu;
  Kernel* k;
  WGPUBindGroup group;
  uint32_t n;
  WGPUBuffer xd, yd, yr;  // device buffers (copy, resident), readback (copy)
  const float* x;         // the input (copy)
  float* y;               // where y is read (copy: a guest array; zero_copy: the buffer itself)
  int* ok;
  int last;               // the last iteration run
} Loop;

// Runs iteration(loop, i) through the warm-up, then `iterations` more, and returns the median of
// those (bench/zero_copy.cpp's TimeLoop). Each iteration returns its timed microseconds.
static double TimeLoop(Loop* loop, int iterations, double (*iteration)(Loop*, int)) {
  int i = 0;
  for (double start = NowUs(); i < kWarmup || NowUs() - start < warmup_us; ++i) {
    iteration(loop, i);
  }
  double samples[kMaxIterations];
  for (int k = 0; k < iterations; ++k, ++i) samples[k] = iteration(loop, i);
  return Median(samples, iterations);
}

static double CopyIteration(Loop* l, int it) {
  uint64_t bytes = (uint64_t)l->n * 4;
  float b = BValue(it);
  double t0 = NowUs();
  wgpuQueueWriteBuffer(l->gpu->queue, l->xd, 0, l->x, bytes);
  Dispatch(l->gpu, l->k, l->group, l->n, b, l->yd, l->yr);
  uint32_t status = 0;
  GpuWait(l->gpu, wgpuBufferMapAsync(l->yr, WGPUMapMode_Read, 0, bytes,
                                     (WGPUBufferMapCallbackInfo){
                                         .mode = WGPUCallbackMode_WaitAnyOnly,
                                         .callback = (WGPUBufferMapCallback)GpuOnStatus,
                                         .userdata1 = &status}));
  int read = status == WGPUMapAsyncStatus_Success &&
             wgpuBufferReadMappedRange(l->yr, 0, l->y, bytes) == WGPUStatus_Success;
  wgpuBufferUnmap(l->yr);
  double t1 = NowUs();
  if (!read || !Check(l->y, l->n, b)) *l->ok = 0;
  return t1 - t0;
}

static double RunCopy(Gpu* gpu, Kernel* k, const float* x, uint32_t n, int iterations, int* ok) {
  uint64_t bytes = (uint64_t)n * 4;
  Loop l = {.gpu = gpu, .k = k, .n = n, .x = x, .ok = ok};
  l.xd = GpuBuffer(gpu, bytes, WGPUBufferUsage_Storage | WGPUBufferUsage_CopyDst);
  l.yd = GpuBuffer(gpu, bytes, WGPUBufferUsage_Storage | WGPUBufferUsage_CopySrc);
  l.yr = GpuBuffer(gpu, bytes, WGPUBufferUsage_MapRead | WGPUBufferUsage_CopyDst);
  l.group = Group(gpu, k, l.xd, l.yd, bytes);
  l.y = malloc(bytes);
  double median = TimeLoop(&l, iterations, CopyIteration);
  free(l.y);
  wgpuBindGroupRelease(l.group);
  Release(l.xd);
  Release(l.yd);
  Release(l.yr);
  return median;
}

static double ZeroCopyIteration(Loop* l, int it) {
  float b = BValue(it);
  double t0 = NowUs();
  Dispatch(l->gpu, l->k, l->group, l->n, b, NULL, NULL);
  WaitIdle(l->gpu);
  double t1 = NowUs();
  if (!Check(l->y, l->n, b)) *l->ok = 0;  // y is read in place
  return t1 - t0;
}

static double RunZeroCopy(Gpu* gpu, Kernel* k, const float* x, uint32_t n, int iterations,
                          int* ok) {
  uint64_t bytes = (uint64_t)n * 4;
  size_t alloc = (bytes + gpu->alignment - 1) / gpu->alignment * gpu->alignment;
  // x and y are ordinary arrays of this guest; the buffers are views of them.
  float* xm = aligned_alloc(gpu->alignment, alloc);
  float* ym = aligned_alloc(gpu->alignment, alloc);
  memset(ym, 0, alloc);  // fault the pages in outside the timer, as the native bench does
  memcpy(xm, x, bytes);
  Loop l = {.gpu = gpu, .k = k, .n = n, .y = ym, .ok = ok};
  WGPUBuffer xb = GpuHostBuffer(gpu, xm, alloc, WGPUBufferUsage_Storage);
  WGPUBuffer yb = GpuHostBuffer(gpu, ym, alloc, WGPUBufferUsage_Storage);
  l.group = Group(gpu, k, xb, yb, bytes);
  double median = TimeLoop(&l, iterations, ZeroCopyIteration);
  wgpuBindGroupRelease(l.group);
  Release(xb);
  Release(yb);
  // The memory is ours again once the GPU is idle and the buffers are gone.
  GpuFinish(gpu);
  free(xm);
  free(ym);
  return median;
}

static double ResidentIteration(Loop* l, int it) {
  l->last = it;
  double t0 = NowUs();
  Dispatch(l->gpu, l->k, l->group, l->n, BValue(it), NULL, NULL);
  WaitIdle(l->gpu);
  return NowUs() - t0;
}

static double RunResident(Gpu* gpu, Kernel* k, const float* x, uint32_t n, int iterations,
                          int* ok) {
  uint64_t bytes = (uint64_t)n * 4;
  Loop l = {.gpu = gpu, .k = k, .n = n, .ok = ok};
  l.xd = GpuBuffer(gpu, bytes, WGPUBufferUsage_Storage | WGPUBufferUsage_CopyDst);
  l.yd = GpuBuffer(gpu, bytes, WGPUBufferUsage_Storage | WGPUBufferUsage_CopySrc);
  wgpuQueueWriteBuffer(gpu->queue, l.xd, 0, x, bytes);
  l.group = Group(gpu, k, l.xd, l.yd, bytes);
  double median = TimeLoop(&l, iterations, ResidentIteration);
  // The results stay on the device; check the last iteration's through a readback.
  float* y = malloc(bytes);
  if (GpuReadBack(gpu, l.yd, y, bytes) != 0 || !Check(y, n, BValue(l.last))) *ok = 0;
  free(y);
  wgpuBindGroupRelease(l.group);
  Release(l.xd);
  Release(l.yd);
  return median;
}

int main(int argc, char** argv) {
  uint32_t min_floats = 0, max_floats = 16u << 20;
  int iterations = 30;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--min-floats") == 0) min_floats = (uint32_t)strtoul(argv[i + 1], NULL, 0);
    if (strcmp(argv[i], "--max-floats") == 0) max_floats = (uint32_t)strtoul(argv[i + 1], NULL, 0);
    if (strcmp(argv[i], "--iterations") == 0) iterations = atoi(argv[i + 1]);
    if (strcmp(argv[i], "--max-workgroups") == 0) max_workgroups = atoi(argv[i + 1]);
    if (strcmp(argv[i], "--warmup-ms") == 0) warmup_us = atof(argv[i + 1]) * 1e3;
  }
  if (iterations < 1 || iterations > kMaxIterations) {
    fprintf(stderr, "guest-io: --iterations (%d) must be in 1..%d\n", iterations, kMaxIterations);
    return 2;
  }
  Gpu gpu;
  if (GpuInit(&gpu) != 0) return 1;
  Kernel kernel = MakeKernel(&gpu);
  if (max_workgroups == 0) max_workgroups = gpu.adapter_type == WGPUAdapterType_CPU ? 8 : 4096;

  static const uint32_t kSizes[] = {256, 4096, 65536, 1u << 20, 4u << 20, 16u << 20};
  printf("{\"adapter\":\"%s\",\"zero_copy\":%s,\"iterations\":%d,\"max_workgroups\":%u,"
         "\"rows\":[",
         gpu.adapter_name, gpu.zero_copy ? "true" : "false", iterations, max_workgroups);
  int first = 1, all_ok = 1;
  for (size_t s = 0; s < sizeof kSizes / sizeof kSizes[0] && kSizes[s] <= max_floats; ++s) {
    uint32_t n = kSizes[s];
    if (n < min_floats) continue;
    float* x = malloc((size_t)n * 4);
    for (uint32_t i = 0; i < n; ++i) x[i] = XValue(i);
    int ok = 1;
    double copy = RunCopy(&gpu, &kernel, x, n, iterations, &ok);
    double zero = gpu.zero_copy ? RunZeroCopy(&gpu, &kernel, x, n, iterations, &ok) : 0;
    double resident = RunResident(&gpu, &kernel, x, n, iterations, &ok);
    free(x);
    wgpuInstanceProcessEvents(gpu.instance);  // a device-lost callback, if any
    ok = ok && gpu.errors == 0;
    all_ok = all_ok && ok;
    printf("%s{\"floats\":%u,\"copy_us\":%.1f,", first ? "" : ",", n, copy);
    if (gpu.zero_copy) {
      printf("\"zero_copy_us\":%.1f,", zero);
    } else {
      printf("\"zero_copy_us\":null,");
    }
    printf("\"resident_us\":%.1f,\"ok\":%s}", resident, ok ? "true" : "false");
    fflush(stdout);
    first = 0;
  }
  printf("]}\n");
  wgpuComputePipelineRelease(kernel.pipeline);
  wgpuBindGroupLayoutRelease(kernel.group_layout);
  GpuRelease(&gpu);
  return all_ok ? 0 : 1;
}
