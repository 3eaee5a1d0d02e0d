// A VkDevice with its one queue, command buffers, fences and descriptor sets. Trusting: callers
// (src/gpu) have validated everything; each function states what it requires.
#pragma once

#include <vulkan/vulkan.h>

#include <memory>
#include <mutex>
#include <vector>

#include "base/result.h"
#include "gpu/vk/vk_instance.h"

namespace wasmgpu::vk {

struct DescriptorSet {
  VkDescriptorSet set = VK_NULL_HANDLE;
  VkDescriptorPool pool = VK_NULL_HANDLE;
};

class Device {
 public:
  // Creates the VkDevice with robustBufferAccess + robustBufferAccess2 (required: fails with a
  // validation-kind error naming the adapter when missing) and every optional shader feature the
  // adapter has. `import_host_memory` enables VK_EXT_external_memory_host.
  static Result<std::unique_ptr<Device>> Create(const PhysicalDeviceInfo& info,
                                                bool import_host_memory);
  // Requires: no submitted work is still running, unless Abandon() was called, in which case
  // every Vulkan object is leaked on purpose (destroying them under a running shader is undefined
  // behaviour, and on lavapipe would join a CPU thread that never ends).
  ~Device();

  VkDevice handle() const { return device_; }
  VkQueue queue() const { return queue_; }
  const PhysicalDeviceInfo& info() const { return info_; }
  bool abandoned() const { return abandoned_; }
  void Abandon() { abandoned_ = true; }

  // A primary command buffer in the recording state (ONE_TIME_SUBMIT). Requires external
  // synchronisation (the frontend's device lock).
  Result<VkCommandBuffer> BeginCommandBuffer();
  // Requires: `cmd` is not pending on the GPU (its fence signaled) or was never submitted.
  void RecycleCommandBuffer(VkCommandBuffer cmd);

  // An unsignaled fence. Requires external synchronisation.
  Result<VkFence> AcquireFence();
  // Requires: `fence` is signaled or was never submitted.
  void RecycleFence(VkFence fence);

  // Submits `count` ended command buffers signalling `fence`. Requires the device lock.
  Status Submit(const VkCommandBuffer* cmds, uint32_t count, VkFence fence);
  // Waits up to `timeout_ns`; returns true when signaled, false on timeout.
  Result<bool> WaitFence(VkFence fence, uint64_t timeout_ns);
  Status WaitIdle();

  // Index of a memory type in `type_bits` with all `required` flags, preferring types with all
  // `preferred` flags and without any `avoided` flags; -1 when none has `required`.
  int32_t FindMemoryType(uint32_t type_bits, VkMemoryPropertyFlags required,
                         VkMemoryPropertyFlags preferred, VkMemoryPropertyFlags avoided) const;

  // Requires: `layout` outlives the set. Requires external synchronisation.
  Result<DescriptorSet> AllocateDescriptorSet(VkDescriptorSetLayout layout);
  // Requires: the set is not used by pending GPU work.
  void FreeDescriptorSet(const DescriptorSet& set);

  PFN_vkGetMemoryHostPointerPropertiesEXT get_memory_host_pointer_properties = nullptr;

 private:
  explicit Device(const PhysicalDeviceInfo& info) : info_(info) {}

  PhysicalDeviceInfo info_;
  VkDevice device_ = VK_NULL_HANDLE;
  VkQueue queue_ = VK_NULL_HANDLE;
  VkCommandPool command_pool_ = VK_NULL_HANDLE;
  std::vector<VkCommandBuffer> free_command_buffers_;
  std::vector<VkFence> free_fences_;
  std::vector<VkFence> all_fences_;
  std::vector<VkDescriptorPool> descriptor_pools_;
  bool abandoned_ = false;
};

}  // namespace wasmgpu::vk
