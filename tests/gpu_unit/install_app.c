/* Built by install_test.sh against an installed wasmgpu with
 *   cc app.c $(pkg-config --cflags --libs wasmgpu)
 * Creates a host-mapped buffer over ordinary memory, runs a GLSL kernel on it in place, and
 * checks every element. Prints "ok" and exits 0 on success. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasmgpu/webgpu.h>

static void OnAdapter(WGPURequestAdapterStatus s, WGPUAdapter a, WGPUStringView m, void* u,
                      void* u2) {
  (void)u2;
  if (s != WGPURequestAdapterStatus_Success) printf("adapter: %.*s\n", (int)m.length, m.data);
  *(WGPUAdapter*)u = a;
}
static void OnDevice(WGPURequestDeviceStatus s, WGPUDevice d, WGPUStringView m, void* u, void* u2) {
  (void)u2;
  if (s != WGPURequestDeviceStatus_Success) printf("device: %.*s\n", (int)m.length, m.data);
  *(WGPUDevice*)u = d;
}
static void OnError(WGPUDevice const* d, WGPUErrorType t, WGPUStringView m, void* u, void* u2) {
  (void)d, (void)u2;
  printf("error %d: %.*s\n", (int)t, (int)m.length, m.data);
  *(int*)u = 1;
}

int main(void) {
  WGPUInstanceFeatureName timed = WGPUInstanceFeatureName_TimedWaitAny;
  WGPUInstanceDescriptor idesc = {0};
  idesc.requiredFeatureCount = 1;
  idesc.requiredFeatures = &timed;
  WGPUInstance instance = wgpuCreateInstance(&idesc);
  if (!instance) return 2;
  WGPUAdapter adapter = NULL;
  WGPURequestAdapterCallbackInfo ainfo = {0};
  ainfo.mode = WGPUCallbackMode_WaitAnyOnly;
  ainfo.callback = OnAdapter;
  ainfo.userdata1 = &adapter;
  WGPUFutureWaitInfo wait = {wgpuInstanceRequestAdapter(instance, NULL, ainfo), 0};
  wgpuInstanceWaitAny(instance, 1, &wait, UINT64_MAX);
  if (!adapter || !wgpuAdapterHasFeature(adapter, WGPUFeatureName_HostMappedPointer)) return 3;

  int failed = 0;
  WGPUFeatureName feature = WGPUFeatureName_HostMappedPointer;
  WGPUDeviceDescriptor ddesc = {0};
  ddesc.requiredFeatureCount = 1;
  ddesc.requiredFeatures = &feature;
  ddesc.uncapturedErrorCallbackInfo.callback = OnError;
  ddesc.uncapturedErrorCallbackInfo.userdata1 = &failed;
  WGPUDevice device = NULL;
  WGPURequestDeviceCallbackInfo dinfo = {0};
  dinfo.mode = WGPUCallbackMode_WaitAnyOnly;
  dinfo.callback = OnDevice;
  dinfo.userdata1 = &device;
  wait.future = wgpuAdapterRequestDevice(adapter, &ddesc, dinfo);
  wgpuInstanceWaitAny(instance, 1, &wait, UINT64_MAX);
  if (!device) return 4;
  WGPUQueue queue = wgpuDeviceGetQueue(device);

  WGPUHostMappedPointerLimits hm = {0};
  hm.chain.sType = WGPUSType_HostMappedPointerLimits;
  WGPULimits limits = {0};
  limits.nextInChain = &hm.chain;
  wgpuDeviceGetLimits(device, &limits);
  size_t align = hm.hostMappedPointerAlignment;
  size_t n = 8192, bytes = n * sizeof(float);
  bytes = (bytes + align - 1) / align * align;
  float* data = aligned_alloc(align, bytes);
  for (size_t i = 0; i < n; ++i) data[i] = (float)i;

  WGPUBufferHostMappedPointer host = {0};
  host.chain.sType = WGPUSType_BufferHostMappedPointer;
  host.pointer = data;
  WGPUBufferDescriptor bdesc = {0};
  bdesc.nextInChain = &host.chain;
  bdesc.size = bytes;
  bdesc.usage = WGPUBufferUsage_Storage;
  WGPUBuffer buffer = wgpuDeviceCreateBuffer(device, &bdesc);

  WGPUShaderSourceGLSL glsl = {0};
  glsl.chain.sType = WGPUSType_ShaderSourceGLSL;
  glsl.code.data =
      "#version 450\n"
      "layout(local_size_x = 64) in;\n"
      "layout(set = 0, binding = 0) buffer B { float v[]; };\n"
      "void main() { uint i = gl_GlobalInvocationID.x; if (i < v.length()) v[i] = 2.0 * v[i] + 1.0; }\n";
  glsl.code.length = WGPU_STRLEN;
  WGPUShaderModuleDescriptor mdesc = {0};
  mdesc.nextInChain = &glsl.chain;
  WGPUShaderModule module = wgpuDeviceCreateShaderModule(device, &mdesc);
  WGPUComputePipelineDescriptor pdesc = {0};
  pdesc.compute.module = module;
  WGPUComputePipeline pipeline = wgpuDeviceCreateComputePipeline(device, &pdesc);
  WGPUBindGroupLayout layout = wgpuComputePipelineGetBindGroupLayout(pipeline, 0);
  WGPUBindGroupEntry entry = {0};
  entry.buffer = buffer;
  entry.size = n * sizeof(float);
  WGPUBindGroupDescriptor gdesc = {0};
  gdesc.layout = layout;
  gdesc.entryCount = 1;
  gdesc.entries = &entry;
  WGPUBindGroup group = wgpuDeviceCreateBindGroup(device, &gdesc);

  WGPUCommandEncoder encoder = wgpuDeviceCreateCommandEncoder(device, NULL);
  WGPUComputePassEncoder pass = wgpuCommandEncoderBeginComputePass(encoder, NULL);
  wgpuComputePassEncoderSetPipeline(pass, pipeline);
  wgpuComputePassEncoderSetBindGroup(pass, 0, group, 0, NULL);
  wgpuComputePassEncoderDispatchWorkgroups(pass, (uint32_t)((n + 63) / 64), 1, 1);
  wgpuComputePassEncoderEnd(pass);
  WGPUCommandBuffer commands = wgpuCommandEncoderFinish(encoder, NULL);
  wgpuQueueSubmit(queue, 1, &commands);
  WGPUQueueWorkDoneCallbackInfo done = {0};
  done.mode = WGPUCallbackMode_WaitAnyOnly;
  wait.future = wgpuQueueOnSubmittedWorkDone(queue, done);
  wgpuInstanceWaitAny(instance, 1, &wait, UINT64_MAX);

  for (size_t i = 0; i < n; ++i) {
    if (data[i] != 2.0f * (float)i + 1.0f) {
      printf("data[%zu] = %f\n", i, data[i]);
      return 5;
    }
  }
  wgpuCommandBufferRelease(commands);
  wgpuComputePassEncoderRelease(pass);
  wgpuCommandEncoderRelease(encoder);
  wgpuBindGroupRelease(group);
  wgpuBindGroupLayoutRelease(layout);
  wgpuComputePipelineRelease(pipeline);
  wgpuShaderModuleRelease(module);
  wgpuBufferRelease(buffer);
  wgpuQueueRelease(queue);
  wgpuDeviceRelease(device);
  wgpuAdapterRelease(adapter);
  wgpuInstanceRelease(instance);
  free(data);
  if (failed) return 6;
  printf("ok\n");
  return 0;
}
