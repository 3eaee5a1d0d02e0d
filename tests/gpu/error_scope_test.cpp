// Error scopes (CTS api/validation/error_scope): filters, nesting, first error wins, pop with an
// empty stack, and errors outside scopes reaching the uncaptured-error callback.
#include "gpu_test.h"

namespace wasmgpu::gputest {
namespace {

class ErrorScopeTest : public GpuTest {
 protected:
  struct PopResult {
    bool called = false;
    WGPUPopErrorScopeStatus status = WGPUPopErrorScopeStatus_Force32;
    WGPUErrorType type = WGPUErrorType_Force32;
    std::string message;
  };
  PopResult Pop() {
    PopResult r;
    WGPUPopErrorScopeCallbackInfo cb{};
    cb.mode = WGPUCallbackMode_AllowProcessEvents;
    cb.callback = [](WGPUPopErrorScopeStatus status, WGPUErrorType type, WGPUStringView message,
                     void* u1, void*) {
      auto* r = static_cast<PopResult*>(u1);
      r->called = true;
      r->status = status;
      r->type = type;
      r->message = ToString(message);
    };
    cb.userdata1 = &r;
    Wait(wgpuDevicePopErrorScope(device_, cb));
    EXPECT_TRUE(r.called);
    return r;
  }
  // A validation error whose message names 4099: a MapRead buffer that is also Storage... and
  // mapped at creation with an odd size. Any one distinct error will do; this one names numbers.
  void MakeValidationError(uint64_t size = 4099) {
    CreateBuffer(size, WGPUBufferUsage_MapWrite, /*mapped_at_creation=*/true);
  }
};

TEST_F(ErrorScopeTest, ValidationScopeCapturesValidationError) {
  ExpectNoError([&] {
    wgpuDevicePushErrorScope(device_, WGPUErrorFilter_Validation);
    MakeValidationError();
    PopResult r = Pop();
    EXPECT_EQ(r.status, WGPUPopErrorScopeStatus_Success);
    EXPECT_EQ(r.type, WGPUErrorType_Validation);
    EXPECT_TRUE(MessageHas(r.message, {"4099"}));
  });
}

TEST_F(ErrorScopeTest, EmptyScopeReportsNoError) {
  ExpectNoError([&] {
    wgpuDevicePushErrorScope(device_, WGPUErrorFilter_Validation);
    CreateBuffer(16, WGPUBufferUsage_Storage);
    PopResult r = Pop();
    EXPECT_EQ(r.status, WGPUPopErrorScopeStatus_Success);
    EXPECT_EQ(r.type, WGPUErrorType_NoError);
    EXPECT_EQ(r.message, "");
  });
}

// Scopes whose filter does not match let the error through to the enclosing scope.
TEST_F(ErrorScopeTest, FiltersAndNesting) {
  ExpectNoError([&] {
    wgpuDevicePushErrorScope(device_, WGPUErrorFilter_Validation);
    wgpuDevicePushErrorScope(device_, WGPUErrorFilter_OutOfMemory);
    wgpuDevicePushErrorScope(device_, WGPUErrorFilter_Internal);
    MakeValidationError(4103);
    PopResult internal = Pop();
    EXPECT_EQ(internal.type, WGPUErrorType_NoError) << internal.message;
    PopResult oom = Pop();
    EXPECT_EQ(oom.type, WGPUErrorType_NoError) << oom.message;
    PopResult validation = Pop();
    EXPECT_EQ(validation.status, WGPUPopErrorScopeStatus_Success);
    EXPECT_EQ(validation.type, WGPUErrorType_Validation);
    EXPECT_TRUE(MessageHas(validation.message, {"4103"}));
  });
}

// The innermost matching scope takes the error; outer ones see nothing.
TEST_F(ErrorScopeTest, InnermostMatchingScopeWins) {
  ExpectNoError([&] {
    wgpuDevicePushErrorScope(device_, WGPUErrorFilter_Validation);
    wgpuDevicePushErrorScope(device_, WGPUErrorFilter_Validation);
    MakeValidationError(4105);
    PopResult inner = Pop();
    EXPECT_EQ(inner.type, WGPUErrorType_Validation);
    EXPECT_TRUE(MessageHas(inner.message, {"4105"}));
    PopResult outer = Pop();
    EXPECT_EQ(outer.type, WGPUErrorType_NoError) << outer.message;
  });
}

// A scope keeps its first error; later ones in the same scope are dropped.
TEST_F(ErrorScopeTest, FirstErrorWins) {
  ExpectNoError([&] {
    wgpuDevicePushErrorScope(device_, WGPUErrorFilter_Validation);
    MakeValidationError(4101);
    MakeValidationError(4107);
    PopResult r = Pop();
    EXPECT_EQ(r.type, WGPUErrorType_Validation);
    EXPECT_TRUE(MessageHas(r.message, {"4101"}));
    EXPECT_FALSE(ContainsI(r.message, "4107")) << r.message;
  });
}

// Popping with no scope pushed fails (status Error) and is not a device error.
TEST_F(ErrorScopeTest, PopEmptyStack) {
  ExpectNoError([&] {
    PopResult r = Pop();
    EXPECT_EQ(r.status, WGPUPopErrorScopeStatus_Error);
    EXPECT_TRUE(MessageHas(r.message, {"empty"}));
    // Push one, pop two: the second fails.
    wgpuDevicePushErrorScope(device_, WGPUErrorFilter_Validation);
    EXPECT_EQ(Pop().status, WGPUPopErrorScopeStatus_Success);
    EXPECT_EQ(Pop().status, WGPUPopErrorScopeStatus_Error);
  });
}

// Errors outside any scope, or not matched by any, reach the uncaptured-error callback.
TEST_F(ErrorScopeTest, UnmatchedErrorIsUncaptured) {
  wgpuDevicePushErrorScope(device_, WGPUErrorFilter_OutOfMemory);
  ExpectValidationError({"4109"}, [&] { MakeValidationError(4109); });
  EXPECT_EQ(Pop().type, WGPUErrorType_NoError);
  ExpectValidationError({"4111"}, [&] { MakeValidationError(4111); });
}

// Errors raised at submit and in encoders are captured by scopes the same way.
TEST_F(ErrorScopeTest, CapturesSubmitAndFinishErrors) {
  WGPUBuffer src = CreateBuffer(64, WGPUBufferUsage_CopySrc);
  WGPUBuffer dst = CreateBuffer(64, WGPUBufferUsage_CopyDst);
  ExpectNoError([&] {
    wgpuDevicePushErrorScope(device_, WGPUErrorFilter_Validation);
    WGPUCommandEncoder e = wgpuDeviceCreateCommandEncoder(device_, nullptr);
    wgpuCommandEncoderCopyBufferToBuffer(e, src, 0, dst, 0, 6);
    WGPUCommandBuffer cb = wgpuCommandEncoderFinish(e, nullptr);
    if (cb != nullptr) wgpuCommandBufferRelease(cb);
    wgpuCommandEncoderRelease(e);
    PopResult r = Pop();
    EXPECT_EQ(r.type, WGPUErrorType_Validation);
    EXPECT_TRUE(MessageHas(r.message, {"6"}));
  });
}

}  // namespace
}  // namespace wasmgpu::gputest
