// Device limits (CTS api/validation/capability_checks/limits, adapter/requestDevice): a device
// gets WebGPU's default limits unless it asks for better ones, up to the adapter's; asking for
// more than the adapter has fails the request with a message naming the limit and the values.
#include "gpu_test.h"

namespace wasmgpu::gputest {
namespace {

class DeviceLimitsTest : public GpuTest {
 protected:
  struct Request {
    WGPURequestDeviceStatus status = WGPURequestDeviceStatus_Force32;
    WGPUDevice device = nullptr;
    std::string message;
  };
  Request RequestWith(const WGPULimits& limits) {
    Request r;
    WGPUDeviceDescriptor desc{};
    desc.requiredLimits = &limits;
    WGPURequestDeviceCallbackInfo cb{};
    cb.mode = WGPUCallbackMode_AllowProcessEvents;
    cb.callback = [](WGPURequestDeviceStatus status, WGPUDevice device, WGPUStringView message,
                     void* u1, void*) {
      auto* r = static_cast<Request*>(u1);
      r->status = status;
      r->device = device;
      r->message = ToString(message);
    };
    cb.userdata1 = &r;
    Wait(wgpuAdapterRequestDevice(adapter_, &desc, cb));
    return r;
  }
  // Every field "undefined": the starting point of a requiredLimits struct.
  static WGPULimits Undefined() {
    WGPULimits l;
    std::memset(&l, 0xFF, sizeof(l));
    l.nextInChain = nullptr;
    return l;
  }
  WGPULimits AdapterLimits() {
    WGPULimits a{};
    EXPECT_EQ(wgpuAdapterGetLimits(adapter_, &a), WGPUStatus_Success);
    return a;
  }
};

TEST_F(DeviceLimitsTest, DefaultsUnlessRequired) {
  EXPECT_EQ(limits_.maxBufferSize, 268435456u);
  EXPECT_EQ(limits_.maxStorageBufferBindingSize, 134217728u);
  EXPECT_EQ(limits_.minStorageBufferOffsetAlignment, 256u);
  EXPECT_EQ(limits_.minUniformBufferOffsetAlignment, 256u);
  EXPECT_EQ(limits_.maxComputeWorkgroupsPerDimension, 65535u);
  EXPECT_EQ(limits_.maxComputeInvocationsPerWorkgroup, 256u);
  EXPECT_EQ(limits_.maxBindGroups, 4u);
}

TEST_F(DeviceLimitsTest, BetterLimitsUpToTheAdapter) {
  const WGPULimits a = AdapterLimits();
  WGPULimits req = Undefined();
  req.maxBufferSize = a.maxBufferSize;
  req.minStorageBufferOffsetAlignment = a.minStorageBufferOffsetAlignment;
  Request r = RequestWith(req);
  ASSERT_EQ(r.status, WGPURequestDeviceStatus_Success) << r.message;
  WGPULimits got{};
  EXPECT_EQ(wgpuDeviceGetLimits(r.device, &got), WGPUStatus_Success);
  EXPECT_EQ(got.maxBufferSize, a.maxBufferSize);
  EXPECT_EQ(got.minStorageBufferOffsetAlignment, a.minStorageBufferOffsetAlignment);
  EXPECT_EQ(got.maxStorageBufferBindingSize, 134217728u);  // not asked for: the default
  wgpuDeviceRelease(r.device);
}

TEST_F(DeviceLimitsTest, MoreThanTheAdapterFails) {
  const WGPULimits a = AdapterLimits();
  WGPULimits req = Undefined();
  req.maxBufferSize = a.maxBufferSize + 4;
  Request r = RequestWith(req);
  EXPECT_EQ(r.status, WGPURequestDeviceStatus_Error);
  EXPECT_EQ(r.device, nullptr);
  EXPECT_TRUE(MessageHas(r.message, {"maxBufferSize", std::to_string(a.maxBufferSize + 4),
                                     std::to_string(a.maxBufferSize)}));
  WGPULimits align = Undefined();
  align.minStorageBufferOffsetAlignment = a.minStorageBufferOffsetAlignment / 2;
  if (align.minStorageBufferOffsetAlignment > 0) {
    Request r2 = RequestWith(align);
    EXPECT_EQ(r2.status, WGPURequestDeviceStatus_Error);
    EXPECT_TRUE(MessageHas(r2.message, {"minStorageBufferOffsetAlignment"}));
  }
}

// A limit a device did not ask for is enforced at the default, even if the adapter has more.
TEST_F(DeviceLimitsTest, DefaultLimitIsEnforced) {
  const uint64_t size = limits_.maxBufferSize + 4;
  ExpectValidationError({std::to_string(size), std::to_string(limits_.maxBufferSize)},
                        [&] { CreateBuffer(size, WGPUBufferUsage_Storage); });
}

}  // namespace
}  // namespace wasmgpu::gputest
