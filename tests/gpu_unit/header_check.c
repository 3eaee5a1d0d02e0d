/* Compiled (not run) by CTest as C11 natively and for wasm32-wasi: the public header must stay
 * plain C with a layout the guest ABI can read. The asserts pin the wasm32 layout of the structs
 * the host reads from guest memory. */
#include <wasmgpu/webgpu.h>

#define LAYOUT(type, size32, size64) \
  _Static_assert(sizeof(type) == (sizeof(void*) == 4 ? (size32) : (size64)), #type " layout")

LAYOUT(WGPUStringView, 8, 16);
LAYOUT(WGPUChainedStruct, 8, 16);
LAYOUT(WGPUBufferDescriptor, 40, 48);
LAYOUT(WGPUBufferHostMappedPointer, 20, 40);
LAYOUT(WGPUFutureWaitInfo, 16, 16);
LAYOUT(WGPUBindGroupEntry, 32, 40);
_Static_assert(sizeof(WGPUSType) == 4, "enums are 32-bit");
_Static_assert(sizeof(WGPUBufferUsage) == 8, "flags are 64-bit");

static void OnDevice(WGPURequestDeviceStatus status, WGPUDevice device, WGPUStringView message,
                     void* userdata1, void* userdata2) {
  (void)status, (void)device, (void)message, (void)userdata1, (void)userdata2;
}

int main(void) {
  WGPUInstance instance = wgpuCreateInstance(NULL);
  WGPURequestDeviceCallbackInfo info = {NULL, WGPUCallbackMode_AllowProcessEvents, OnDevice, NULL,
                                        NULL};
  (void)info;
  wgpuInstanceRelease(instance);
  return 0;
}
