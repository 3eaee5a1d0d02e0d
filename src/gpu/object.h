// Reference counting shared by every WebGPU object, and the base of objects owned by a device.
// Handles given to C callers are the objects themselves (WGPUBuffer == gpu::Buffer*); guests
// never see them (src/host maps them to u32 handles, DESIGN.md decision 7).
#pragma once

#include <atomic>
#include <string>
#include <string_view>
#include <utility>

#include <wasmgpu/webgpu.h>

namespace wasmgpu::gpu {

class RefCounted {
 public:
  RefCounted() = default;
  RefCounted(const RefCounted&) = delete;
  RefCounted& operator=(const RefCounted&) = delete;
  void AddRef() { refs_.fetch_add(1, std::memory_order_relaxed); }
  // Adds a reference unless the count already reached zero (the object is being destroyed);
  // for registries that hold raw pointers.
  bool TryAddRef() {
    uint64_t n = refs_.load(std::memory_order_relaxed);
    while (n != 0) {
      if (refs_.compare_exchange_weak(n, n + 1, std::memory_order_acq_rel)) return true;
    }
    return false;
  }
  void Release() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

 protected:
  virtual ~RefCounted() = default;

 private:
  std::atomic<uint64_t> refs_{1};
};

// An owning reference. `Ref<T>::Adopt(new T)` takes the initial reference.
template <typename T>
class Ref {
 public:
  Ref() = default;
  Ref(T* p) : p_(p) {  // NOLINT: implicit, adds a reference
    if (p_) p_->AddRef();
  }
  Ref(const Ref& o) : Ref(o.p_) {}
  Ref(Ref&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  template <typename U>
  Ref(Ref<U>&& o) noexcept : p_(o.Detach()) {}  // NOLINT
  ~Ref() {
    if (p_) p_->Release();
  }
  Ref& operator=(Ref o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  static Ref Adopt(T* p) {
    Ref r;
    r.p_ = p;
    return r;
  }
  T* Detach() { return std::exchange(p_, nullptr); }
  T* get() const { return p_; }
  T* operator->() const { return p_; }
  T& operator*() const { return *p_; }
  explicit operator bool() const { return p_ != nullptr; }

 private:
  T* p_ = nullptr;
};

template <typename T, typename... Args>
Ref<T> MakeRef(Args&&... args) {
  return Ref<T>::Adopt(new T(std::forward<Args>(args)...));
}

// The text of a WGPUStringView: {NULL, WGPU_STRLEN} and {NULL, 0} are empty.
std::string ToString(WGPUStringView view);
inline WGPUStringView ToView(std::string_view s) { return {s.data(), s.size()}; }

class Device;

// Base of objects created by a device. An object that failed validation is still created, but
// `valid()` is false ("invalid object" in WebGPU); using it is a validation error.
class DeviceObject : public RefCounted {
 public:
  DeviceObject(Device* device, std::string_view kind, std::string label, bool valid);
  ~DeviceObject() override;

  Device* device() const { return device_; }
  bool valid() const { return valid_; }
  const std::string& label() const { return label_; }
  void SetLabel(std::string label) { label_ = std::move(label); }
  // "[Buffer \"weights\"]" or "[Buffer]", for messages.
  std::string Name() const;

 protected:
  void Invalidate() { valid_ = false; }

 private:
  Device* device_;  // holds a reference
  std::string_view kind_;
  std::string label_;
  bool valid_;
};

}  // namespace wasmgpu::gpu
