// writeBuffer, copyBufferToBuffer and clearBuffer (CTS api/validation/queue/writeBuffer,
// api/validation/encoding/cmds/copyBufferToBuffer, clearBuffer, api/operation/command_buffer/
// copyBufferToBuffer, clearBuffer): alignment 4, ranges, overflow, same buffer, usages, results.
#include <numeric>

#include "gpu_test.h"

namespace wasmgpu::gputest {
namespace {

class CopyTest : public GpuTest {
 protected:
  std::vector<uint32_t> Iota(size_t n, uint32_t base) {
    std::vector<uint32_t> v(n);
    std::iota(v.begin(), v.end(), base);
    return v;
  }
};

// ---- writeBuffer -------------------------------------------------------------------------

TEST_F(CopyTest, WriteBufferLandsAtOffset) {
  WGPUBuffer b = CreateBuffer(64, WGPUBufferUsage_CopyDst | WGPUBufferUsage_CopySrc);
  std::vector<uint32_t> v = Iota(4, 7);
  ExpectNoError([&] { wgpuQueueWriteBuffer(queue_, b, 16, v.data(), 16); });
  std::vector<uint32_t> want(16, 0);
  std::copy(v.begin(), v.end(), want.begin() + 4);
  EXPECT_EQ(ReadAs<uint32_t>(b, 0, 16), want);
}

TEST_F(CopyTest, WriteBufferAlignment) {
  WGPUBuffer b = CreateBuffer(64, WGPUBufferUsage_CopyDst);
  uint8_t data[16] = {};
  ExpectValidationError({"offset", "6", "4"}, [&] { wgpuQueueWriteBuffer(queue_, b, 6, data, 8); });
  ExpectValidationError({"size", "6", "4"}, [&] { wgpuQueueWriteBuffer(queue_, b, 8, data, 6); });
  ExpectNoError([&] { wgpuQueueWriteBuffer(queue_, b, 0, data, 0); });
}

TEST_F(CopyTest, WriteBufferOutOfRange) {
  WGPUBuffer b = CreateBuffer(64, WGPUBufferUsage_CopyDst);
  std::vector<uint8_t> data(128);
  ExpectValidationError({"[56, 72)", "64"},
                        [&] { wgpuQueueWriteBuffer(queue_, b, 56, data.data(), 16); });
  ExpectValidationError({"68", "64"}, [&] { wgpuQueueWriteBuffer(queue_, b, 68, data.data(), 0); });
  ExpectValidationError({"128", "64"},
                        [&] { wgpuQueueWriteBuffer(queue_, b, 0, data.data(), 128); });
  // An offset so large that offset + size wraps around.
  ExpectValidationError({"64"}, [&] {
    wgpuQueueWriteBuffer(queue_, b, UINT64_MAX - 3, data.data(), 8);
  });
  ExpectNoError([&] { wgpuQueueWriteBuffer(queue_, b, 48, data.data(), 16); });
}

TEST_F(CopyTest, WriteBufferNeedsCopyDst) {
  WGPUBuffer b = CreateBuffer(64, WGPUBufferUsage_Storage | WGPUBufferUsage_CopySrc);
  uint32_t v = 1;
  ExpectValidationError({"CopyDst"}, [&] { wgpuQueueWriteBuffer(queue_, b, 0, &v, 4); });
}

TEST_F(CopyTest, WriteBufferToDestroyedBuffer) {
  WGPUBuffer b = CreateBuffer(64, WGPUBufferUsage_CopyDst);
  wgpuBufferDestroy(b);
  uint32_t v = 1;
  ExpectValidationError({"destroyed"}, [&] { wgpuQueueWriteBuffer(queue_, b, 0, &v, 4); });
}

TEST_F(CopyTest, WriteBufferToMappedBuffer) {
  WGPUBuffer b = CreateBuffer(64, WGPUBufferUsage_CopyDst, /*mapped_at_creation=*/true);
  uint32_t v = 1;
  ExpectValidationError({"mapped"}, [&] { wgpuQueueWriteBuffer(queue_, b, 0, &v, 4); });
}

// ---- copyBufferToBuffer ------------------------------------------------------------------

TEST_F(CopyTest, CopyResult) {
  WGPUBuffer src = CreateBufferWith(Iota(64, 100), WGPUBufferUsage_CopySrc);
  WGPUBuffer dst = CreateBufferWith(std::vector<uint32_t>(64, 0xFFFFFFFFu), WGPUBufferUsage_CopyDst);
  ExpectNoError([&] {
    Submit([&](WGPUCommandEncoder e) {
      wgpuCommandEncoderCopyBufferToBuffer(e, src, 8, dst, 32, 40);
    });
  });
  std::vector<uint32_t> want(64, 0xFFFFFFFFu);
  for (int i = 0; i < 10; ++i) want[8 + i] = 102 + i;
  EXPECT_EQ(ReadAs<uint32_t>(dst, 0, 64), want);
}

TEST_F(CopyTest, CopyAlignment) {
  WGPUBuffer src = CreateBuffer(64, WGPUBufferUsage_CopySrc);
  WGPUBuffer dst = CreateBuffer(64, WGPUBufferUsage_CopyDst);
  ExpectEncodeError({"size", "6"}, [&](WGPUCommandEncoder e) {
    wgpuCommandEncoderCopyBufferToBuffer(e, src, 0, dst, 0, 6);
  });
  ExpectEncodeError({"offset", "2"}, [&](WGPUCommandEncoder e) {
    wgpuCommandEncoderCopyBufferToBuffer(e, src, 2, dst, 0, 8);
  });
  ExpectEncodeError({"offset", "10"}, [&](WGPUCommandEncoder e) {
    wgpuCommandEncoderCopyBufferToBuffer(e, src, 0, dst, 10, 8);
  });
}

TEST_F(CopyTest, CopyOutOfRange) {
  WGPUBuffer src = CreateBuffer(64, WGPUBufferUsage_CopySrc);
  WGPUBuffer dst = CreateBuffer(32, WGPUBufferUsage_CopyDst);
  ExpectEncodeError({"[48, 68)", "source", "64"}, [&](WGPUCommandEncoder e) {
    wgpuCommandEncoderCopyBufferToBuffer(e, src, 48, dst, 0, 20);
  });
  ExpectEncodeError({"[16, 36)", "destination", "32"}, [&](WGPUCommandEncoder e) {
    wgpuCommandEncoderCopyBufferToBuffer(e, src, 0, dst, 16, 20);
  });
  // offset + size overflows 64 bits.
  ExpectEncodeError({"64"}, [&](WGPUCommandEncoder e) {
    wgpuCommandEncoderCopyBufferToBuffer(e, src, 16, dst, 0, UINT64_MAX - 11);
  });
  ExpectEncodeError({"32"}, [&](WGPUCommandEncoder e) {
    wgpuCommandEncoderCopyBufferToBuffer(e, src, 0, dst, UINT64_MAX - 3, 8);
  });
  // Edge: copies that end exactly at the end, and empty copies at the end, are valid.
  ExpectNoError([&] {
    Submit([&](WGPUCommandEncoder e) {
      wgpuCommandEncoderCopyBufferToBuffer(e, src, 32, dst, 0, 32);
      wgpuCommandEncoderCopyBufferToBuffer(e, src, 64, dst, 32, 0);
    });
  });
}

TEST_F(CopyTest, CopyWithinOneBufferIsInvalid) {
  WGPUBuffer b = CreateBuffer(64, WGPUBufferUsage_CopySrc | WGPUBufferUsage_CopyDst);
  ExpectEncodeError({"same"}, [&](WGPUCommandEncoder e) {
    wgpuCommandEncoderCopyBufferToBuffer(e, b, 0, b, 32, 16);
  });
}

TEST_F(CopyTest, CopyNeedsUsages) {
  WGPUBuffer no_src = CreateBuffer(64, WGPUBufferUsage_CopyDst);
  WGPUBuffer no_dst = CreateBuffer(64, WGPUBufferUsage_CopySrc);
  WGPUBuffer dst = CreateBuffer(64, WGPUBufferUsage_CopyDst);
  WGPUBuffer src = CreateBuffer(64, WGPUBufferUsage_CopySrc);
  ExpectEncodeError({"CopySrc"}, [&](WGPUCommandEncoder e) {
    wgpuCommandEncoderCopyBufferToBuffer(e, no_src, 0, dst, 0, 16);
  });
  ExpectEncodeError({"CopyDst"}, [&](WGPUCommandEncoder e) {
    wgpuCommandEncoderCopyBufferToBuffer(e, src, 0, no_dst, 0, 16);
  });
}

// ---- clearBuffer -------------------------------------------------------------------------

TEST_F(CopyTest, ClearResult) {
  WGPUBuffer b = CreateBufferWith(std::vector<uint32_t>(32, 0xABABABABu), WGPUBufferUsage_CopyDst);
  ExpectNoError([&] {
    Submit([&](WGPUCommandEncoder e) { wgpuCommandEncoderClearBuffer(e, b, 16, 32); });
  });
  std::vector<uint32_t> want(32, 0xABABABABu);
  for (int i = 4; i < 12; ++i) want[i] = 0;
  EXPECT_EQ(ReadAs<uint32_t>(b, 0, 32), want);
  // WGPU_WHOLE_SIZE clears to the end.
  Submit([&](WGPUCommandEncoder e) { wgpuCommandEncoderClearBuffer(e, b, 64, WGPU_WHOLE_SIZE); });
  for (int i = 16; i < 32; ++i) want[i] = 0;
  EXPECT_EQ(ReadAs<uint32_t>(b, 0, 32), want);
}

TEST_F(CopyTest, ClearRules) {
  WGPUBuffer b = CreateBuffer(64, WGPUBufferUsage_CopyDst);
  ExpectEncodeError({"offset", "6"}, [&](WGPUCommandEncoder e) {
    wgpuCommandEncoderClearBuffer(e, b, 6, 8);
  });
  ExpectEncodeError({"size", "6"}, [&](WGPUCommandEncoder e) {
    wgpuCommandEncoderClearBuffer(e, b, 8, 6);
  });
  ExpectEncodeError({"60", "8", "64"}, [&](WGPUCommandEncoder e) {
    wgpuCommandEncoderClearBuffer(e, b, 60, 8);
  });
  ExpectEncodeError({"68", "64"}, [&](WGPUCommandEncoder e) {
    wgpuCommandEncoderClearBuffer(e, b, 68, WGPU_WHOLE_SIZE);
  });
  ExpectEncodeError({"64"}, [&](WGPUCommandEncoder e) {
    wgpuCommandEncoderClearBuffer(e, b, 8, UINT64_MAX - 3);
  });
  WGPUBuffer no_dst = CreateBuffer(64, WGPUBufferUsage_CopySrc | WGPUBufferUsage_Storage);
  ExpectEncodeError({"CopyDst"}, [&](WGPUCommandEncoder e) {
    wgpuCommandEncoderClearBuffer(e, no_dst, 0, 16);
  });
  ExpectNoError([&] {
    Submit([&](WGPUCommandEncoder e) {
      wgpuCommandEncoderClearBuffer(e, b, 64, 0);
      wgpuCommandEncoderClearBuffer(e, b, 0, 64);
    });
  });
}

// ---- destroyed buffers in submits ----------------------------------------------------------

// Encoding with a buffer and destroying it before submit: the submit is the validation error,
// and nothing executes.
TEST_F(CopyTest, SubmitWithDestroyedBuffer) {
  WGPUBuffer src = CreateBufferWith(Iota(16, 1), WGPUBufferUsage_CopySrc);
  WGPUBuffer dst = CreateBufferWith(std::vector<uint32_t>(16, 0), WGPUBufferUsage_CopyDst);
  WGPUBuffer doomed = CreateBuffer(64, WGPUBufferUsage_CopyDst);
  WGPUCommandEncoder e = wgpuDeviceCreateCommandEncoder(device_, nullptr);
  wgpuCommandEncoderCopyBufferToBuffer(e, src, 0, dst, 0, 64);
  wgpuCommandEncoderCopyBufferToBuffer(e, src, 0, doomed, 0, 64);
  WGPUCommandBuffer cb = wgpuCommandEncoderFinish(e, nullptr);
  wgpuCommandEncoderRelease(e);
  wgpuBufferDestroy(doomed);
  ExpectValidationError({"destroyed"}, [&] { wgpuQueueSubmit(queue_, 1, &cb); });
  wgpuCommandBufferRelease(cb);
  // The whole command buffer was rejected: dst is untouched.
  EXPECT_EQ(ReadAs<uint32_t>(dst, 0, 16), std::vector<uint32_t>(16, 0));
}

// A buffer destroyed before encoding: still a submit-time error (or an encode-time one), once.
TEST_F(CopyTest, EncodeWithDestroyedBuffer) {
  WGPUBuffer src = CreateBuffer(64, WGPUBufferUsage_CopySrc);
  WGPUBuffer dst = CreateBuffer(64, WGPUBufferUsage_CopyDst);
  wgpuBufferDestroy(src);
  ExpectValidationError({"destroyed"}, [&] {
    Submit([&](WGPUCommandEncoder e) {
      wgpuCommandEncoderCopyBufferToBuffer(e, src, 0, dst, 0, 64);
    });
  });
  // The device keeps working.
  ExpectNoError([&] {
    WGPUBuffer ok = CreateBuffer(64, WGPUBufferUsage_CopySrc | WGPUBufferUsage_CopyDst);
    uint32_t v = 5;
    wgpuQueueWriteBuffer(queue_, ok, 0, &v, 4);
    EXPECT_EQ(ReadAs<uint32_t>(ok, 0, 1)[0], 5u);
  });
}

// A command buffer can be submitted once.
TEST_F(CopyTest, CommandBufferSubmittedTwice) {
  WGPUBuffer src = CreateBuffer(64, WGPUBufferUsage_CopySrc);
  WGPUBuffer dst = CreateBuffer(64, WGPUBufferUsage_CopyDst);
  WGPUCommandEncoder e = wgpuDeviceCreateCommandEncoder(device_, nullptr);
  wgpuCommandEncoderCopyBufferToBuffer(e, src, 0, dst, 0, 64);
  WGPUCommandBuffer cb = wgpuCommandEncoderFinish(e, nullptr);
  wgpuCommandEncoderRelease(e);
  ExpectNoError([&] { wgpuQueueSubmit(queue_, 1, &cb); });
  ExpectValidationError({"submitted"}, [&] { wgpuQueueSubmit(queue_, 1, &cb); });
  wgpuCommandBufferRelease(cb);
}

}  // namespace
}  // namespace wasmgpu::gputest
