// matmul: C = A x B for n x n float matrices, a tiled GLSL kernel on the GPU, checked against
// the CPU.
//
// A, B and C live in this guest's memory and are host-mapped: the kernel reads A and B and
// writes C in place, and the CPU check reads C straight from the guest array. Without zero-copy
// (no feature, or --zero-copy=off) it uploads with wgpuQueueWriteBuffer and reads back with
// wgpuBufferMapAsync + wgpuBufferReadMappedRange.
//
//   wasmgpu run build/examples/matmul.wasm [n]      (default 1024)
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/gpu_setup.h"

// Each 16x16 workgroup computes a 16x16 tile of C, stepping through A's rows and B's columns
// one 16x16 tile at a time through workgroup memory. N is a specialization constant (id 0).
static const char kShader[] =
    "#version 450\n"
    "layout(local_size_x = 16, local_size_y = 16) in;\n"
    "layout(constant_id = 0) const uint N = 1024;\n"
    "layout(std430, binding = 0) readonly buffer A { float a[]; };\n"
    "layout(std430, binding = 1) readonly buffer B { float b[]; };\n"
    "layout(std430, binding = 2) writeonly buffer C { float c[]; };\n"
    "shared float ta[16][16];\n"
    "shared float tb[16][16];\n"
    "void main() {\n"
    "  uint row = gl_GlobalInvocationID.y, col = gl_GlobalInvocationID.x;\n"
    "  uint lr = gl_LocalInvocationID.y, lc = gl_LocalInvocationID.x;\n"
    "  float acc = 0.0;\n"
    "  for (uint t = 0; t < N; t += 16) {\n"
    "    ta[lr][lc] = (row < N && t + lc < N) ? a[row * N + t + lc] : 0.0;\n"
    "    tb[lr][lc] = (t + lr < N && col < N) ? b[(t + lr) * N + col] : 0.0;\n"
    "    barrier();\n"
    "    for (uint k = 0; k < 16; ++k) acc += ta[lr][k] * tb[k][lc];\n"
    "    barrier();\n"
    "  }\n"
    "  if (row < N && col < N) c[row * N + col] = acc;\n"
    "}\n";

static double Now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char** argv) {
  uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 1024;
  if (n == 0 || n > 4096) {
    fprintf(stderr, "matmul: n (%u) must be in 1..4096\n", n);
    return 2;
  }
  Gpu gpu;
  if (GpuInit(&gpu) != 0) return 1;
  size_t bytes = (size_t)n * n * sizeof(float);
  // Host-mapped ranges must start and end on the alignment: round the arrays up to it.
  size_t alloc = gpu.zero_copy ? (bytes + gpu.alignment - 1) / gpu.alignment * gpu.alignment
                               : bytes;
  float* a = gpu.zero_copy ? aligned_alloc(gpu.alignment, alloc) : malloc(alloc);
  float* b = gpu.zero_copy ? aligned_alloc(gpu.alignment, alloc) : malloc(alloc);
  float* c = gpu.zero_copy ? aligned_alloc(gpu.alignment, alloc) : malloc(alloc);
  if (!a || !b || !c) return 1;
  // Small integers: every product and sum is exact in float, so the GPU result must match the
  // CPU's bit for bit whatever the summation order.
  for (size_t i = 0; i < (size_t)n * n; ++i) {
    a[i] = (float)((int)(i % 7) - 3);
    b[i] = (float)((int)(i % 5) - 2);
  }
  memset(c, 0, alloc);

  WGPUBuffer buffers[3];
  WGPUBufferUsage usage = WGPUBufferUsage_Storage | WGPUBufferUsage_CopySrc |
                          WGPUBufferUsage_CopyDst;
  float* arrays[3] = {a, b, c};
  for (int i = 0; i < 3; ++i) {
    buffers[i] = gpu.zero_copy ? GpuHostBuffer(&gpu, arrays[i], alloc, usage)
                               : GpuBuffer(&gpu, bytes, usage);
  }
  WGPUConstantEntry size_constant = {.key = {"0", WGPU_STRLEN}, .value = n};
  WGPUComputePipeline pipeline = GpuPipeline(&gpu, kShader, 1, &size_constant);
  WGPUBindGroup group = GpuBindBuffers(&gpu, pipeline, 3, buffers);

  double t0 = Now();
  if (!gpu.zero_copy) {
    wgpuQueueWriteBuffer(gpu.queue, buffers[0], 0, a, bytes);
    wgpuQueueWriteBuffer(gpu.queue, buffers[1], 0, b, bytes);
  }
  WGPUCommandEncoder encoder = wgpuDeviceCreateCommandEncoder(gpu.device, NULL);
  WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(encoder, NULL);
  wgpuComputePassEncoderSetPipeline(pass, pipeline);
  wgpuComputePassEncoderSetBindGroup(pass, 0, group, 0, NULL);
  wgpuComputePassEncoderDispatchWorkgroups(pass, (n + 15) / 16, (n + 15) / 16, 1);
  wgpuComputePassEncoderEnd(pass);
  WGPUCommandBuffer commands = wgpuCommandEncoderFinish(encoder, NULL);
  wgpuQueueSubmit(gpu.queue, 1, &commands);
  int failed = GpuFinish(&gpu) != WGPUQueueWorkDoneStatus_Success;
  if (!failed && !gpu.zero_copy) failed = GpuReadBack(&gpu, buffers[2], c, bytes);
  double gpu_s = Now() - t0;
  if (failed || gpu.errors) {
    fprintf(stderr, "matmul: the GPU work failed\n");
    return 1;
  }

  // The CPU reference, row by row.
  uint64_t wrong = 0;
  float* row = malloc(n * sizeof(float));
  for (uint32_t i = 0; i < n; ++i) {
    memset(row, 0, n * sizeof(float));
    for (uint32_t k = 0; k < n; ++k) {
      float aik = a[(size_t)i * n + k];
      const float* bk = b + (size_t)k * n;
      for (uint32_t j = 0; j < n; ++j) row[j] += aik * bk[j];
    }
    for (uint32_t j = 0; j < n; ++j) wrong += row[j] != c[(size_t)i * n + j];
  }
  double checksum = 0;
  for (size_t i = 0; i < (size_t)n * n; ++i) checksum += c[i];
  printf("matmul: n=%u path=%s gpu_ms=%.1f checksum=%.0f wrong=%llu\n", n,
         gpu.zero_copy ? "zero-copy" : "standard", gpu_s * 1e3, checksum,
         (unsigned long long)wrong);

  wgpuCommandBufferRelease(commands);
  wgpuComputePassEncoderRelease(pass);
  wgpuCommandEncoderRelease(encoder);
  wgpuBindGroupRelease(group);
  wgpuComputePipelineRelease(pipeline);
  for (int i = 0; i < 3; ++i) wgpuBufferRelease(buffers[i]);
  GpuRelease(&gpu);
  return wrong == 0 ? 0 : 1;
}
