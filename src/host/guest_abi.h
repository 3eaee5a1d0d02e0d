// The wasm32 layout of every webgpu.h struct the host reads from or writes to guest memory.
//
// A guest compiles include/wasmgpu/webgpu.h for wasm32: pointers, size_t, handles and enums are
// 4 bytes, uint64_t and double are 8 bytes aligned to 8. Each struct below mirrors one C struct
// with the same field names, pointers and handles replaced by uint32_t (guest addresses and
// guest handles). On x86-64 and aarch64 these mirrors get exactly the wasm32 layout, because
// the only 8-byte members are 64-bit integers and doubles, aligned to 8 on both sides; the
// static_asserts at the end pin the sizes that matter, and tests/host/abi_layout checks every
// field below against the header compiled with clang --target=wasm32-wasi, so the two can never
// drift apart silently. A guest struct is read with one memcpy after a bounds check
// (guest_memory.h), never through a pointer into guest memory: guest memory is shared with the
// GPU and with the guest's other threads of thought, so each value is read once.
#pragma once

#include <cstddef>
#include <cstdint>

namespace wasmgpu::host::guest {

using Ptr = uint32_t;     // a guest address (offset into linear memory)
using Handle = uint32_t;  // a guest handle (handles.h)
using Size = uint32_t;    // size_t in the guest

inline constexpr uint32_t kStrlen = 0xFFFFFFFFu;        // WGPU_STRLEN in a guest
inline constexpr uint32_t kWholeMapSize = 0xFFFFFFFFu;  // WGPU_WHOLE_MAP_SIZE in a guest

struct StringView {
  Ptr data;
  Size length;
};
struct ChainedStruct {
  Ptr next;
  uint32_t sType;
};
// Every *CallbackInfo with a mode (BufferMap, CompilationInfo, CreateComputePipelineAsync,
// DeviceLost, PopErrorScope, QueueWorkDone, RequestAdapter, RequestDevice) has this layout.
struct CallbackInfo {
  Ptr nextInChain;
  uint32_t mode;
  uint32_t callback;  // index into the guest's function table
  Ptr userdata1;
  Ptr userdata2;
};
struct UncapturedErrorCallbackInfo {
  Ptr nextInChain;
  uint32_t callback;
  Ptr userdata1;
  Ptr userdata2;
};
struct AdapterInfo {
  Ptr nextInChain;
  StringView vendor;
  StringView architecture;
  StringView device;
  StringView description;
  uint32_t backendType;
  uint32_t adapterType;
  uint32_t vendorID;
  uint32_t deviceID;
  uint32_t subgroupMinSize;
  uint32_t subgroupMaxSize;
};
struct BufferBindingLayout {
  Ptr nextInChain;
  uint32_t type;
  uint32_t hasDynamicOffset;
  uint64_t minBindingSize;
};
struct BufferDescriptor {
  Ptr nextInChain;
  StringView label;
  uint64_t usage;
  uint64_t size;
  uint32_t mappedAtCreation;
};
struct LabelDescriptor {  // CommandBuffer-, CommandEncoder-, QueueDescriptor
  Ptr nextInChain;
  StringView label;
};
struct CompilationMessage {
  Ptr nextInChain;
  StringView message;
  uint32_t type;
  uint64_t lineNum;
  uint64_t linePos;
  uint64_t offset;
  uint64_t length;
};
struct CompilationInfo {
  Ptr nextInChain;
  Size messageCount;
  Ptr messages;
};
struct ConstantEntry {
  Ptr nextInChain;
  StringView key;
  double value;
};
struct FutureWaitInfo {
  uint64_t future;
  uint32_t completed;
};
struct InstanceLimits {
  Ptr nextInChain;
  Size timedWaitAnyMaxCount;
};
struct InstanceDescriptor {
  Ptr nextInChain;
  Size requiredFeatureCount;
  Ptr requiredFeatures;
  Ptr requiredLimits;
};
struct Limits {
  Ptr nextInChain;
  uint32_t maxTextureDimension1D;
  uint32_t maxTextureDimension2D;
  uint32_t maxTextureDimension3D;
  uint32_t maxTextureArrayLayers;
  uint32_t maxBindGroups;
  uint32_t maxBindGroupsPlusVertexBuffers;
  uint32_t maxBindingsPerBindGroup;
  uint32_t maxDynamicUniformBuffersPerPipelineLayout;
  uint32_t maxDynamicStorageBuffersPerPipelineLayout;
  uint32_t maxSampledTexturesPerShaderStage;
  uint32_t maxSamplersPerShaderStage;
  uint32_t maxStorageBuffersPerShaderStage;
  uint32_t maxStorageTexturesPerShaderStage;
  uint32_t maxUniformBuffersPerShaderStage;
  uint64_t maxUniformBufferBindingSize;
  uint64_t maxStorageBufferBindingSize;
  uint32_t minUniformBufferOffsetAlignment;
  uint32_t minStorageBufferOffsetAlignment;
  uint32_t maxVertexBuffers;
  uint64_t maxBufferSize;
  uint32_t maxVertexAttributes;
  uint32_t maxVertexBufferArrayStride;
  uint32_t maxInterStageShaderVariables;
  uint32_t maxColorAttachments;
  uint32_t maxColorAttachmentBytesPerSample;
  uint32_t maxComputeWorkgroupStorageSize;
  uint32_t maxComputeInvocationsPerWorkgroup;
  uint32_t maxComputeWorkgroupSizeX;
  uint32_t maxComputeWorkgroupSizeY;
  uint32_t maxComputeWorkgroupSizeZ;
  uint32_t maxComputeWorkgroupsPerDimension;
  uint32_t maxImmediateSize;
};
struct DeviceDescriptor {
  Ptr nextInChain;
  StringView label;
  Size requiredFeatureCount;
  Ptr requiredFeatures;
  Ptr requiredLimits;
  LabelDescriptor defaultQueue;
  CallbackInfo deviceLostCallbackInfo;
  UncapturedErrorCallbackInfo uncapturedErrorCallbackInfo;
};
struct RequestAdapterOptions {
  Ptr nextInChain;
  uint32_t featureLevel;
  uint32_t powerPreference;
  uint32_t forceFallbackAdapter;
  uint32_t backendType;
  Handle compatibleSurface;
};
struct SupportedFeatures {
  Size featureCount;
  Ptr features;
};
struct ShaderModuleDescriptor {
  Ptr nextInChain;
  StringView label;
};
struct ShaderSourceSPIRV {
  ChainedStruct chain;
  uint32_t codeSize;  // in 32-bit words
  Ptr code;
};
struct ShaderSourceText {  // ShaderSourceWGSL, ShaderSourceGLSL
  ChainedStruct chain;
  StringView code;
};
struct BindGroupEntry {
  Ptr nextInChain;
  uint32_t binding;
  Handle buffer;
  uint64_t offset;
  uint64_t size;
};
struct BindGroupDescriptor {
  Ptr nextInChain;
  StringView label;
  Handle layout;
  Size entryCount;
  Ptr entries;
};
struct BindGroupLayoutEntry {
  Ptr nextInChain;
  uint32_t binding;
  uint64_t visibility;
  uint32_t bindingArraySize;
  BufferBindingLayout buffer;
};
struct BindGroupLayoutDescriptor {
  Ptr nextInChain;
  StringView label;
  Size entryCount;
  Ptr entries;
};
struct PipelineLayoutDescriptor {
  Ptr nextInChain;
  StringView label;
  Size bindGroupLayoutCount;
  Ptr bindGroupLayouts;
  uint32_t immediateSize;
};
struct ComputeState {
  Ptr nextInChain;
  Handle module;
  StringView entryPoint;
  Size constantCount;
  Ptr constants;
};
struct ComputePipelineDescriptor {
  Ptr nextInChain;
  StringView label;
  Handle layout;
  ComputeState compute;
};
struct PassTimestampWrites {
  Ptr nextInChain;
  Handle querySet;
  uint32_t beginningOfPassWriteIndex;
  uint32_t endOfPassWriteIndex;
};
struct ComputePassDescriptor {
  Ptr nextInChain;
  StringView label;
  Ptr timestampWrites;
};
struct QuerySetDescriptor {
  Ptr nextInChain;
  StringView label;
  uint32_t type;
  uint32_t count;
};
struct BufferHostMappedPointer {
  ChainedStruct chain;
  Ptr pointer;
  uint32_t disposeCallback;  // table index, 0: none
  Ptr userdata;
};
struct HostMappedPointerLimits {
  ChainedStruct chain;
  uint32_t hostMappedPointerAlignment;
};
struct RequestAdapterOptionsWasmgpu {
  ChainedStruct chain;
  StringView adapter;
};
struct AdapterPropertiesWasmgpu {
  ChainedStruct chain;
  uint32_t adapterIndex;
  uint32_t isDefault;
  uint32_t robustBufferAccess2;
};

// The sizes the wasm32 compiler gives these structs (checked field by field by the ABI test;
// these asserts catch a host compiler that lays the mirrors out differently).
static_assert(sizeof(StringView) == 8);
static_assert(sizeof(CallbackInfo) == 20);
static_assert(sizeof(BufferDescriptor) == 40 && offsetof(BufferDescriptor, usage) == 16);
static_assert(sizeof(Limits) == 152 && offsetof(Limits, maxBufferSize) == 96);
static_assert(sizeof(DeviceDescriptor) == 72);
static_assert(sizeof(BindGroupLayoutEntry) == 48 && offsetof(BindGroupLayoutEntry, buffer) == 24);
static_assert(sizeof(ConstantEntry) == 24 && offsetof(ConstantEntry, value) == 16);
static_assert(sizeof(FutureWaitInfo) == 16);

}  // namespace wasmgpu::host::guest

// The (mirror, C struct) pairs and their fields, for the ABI test (tests/host/abi_layout_gen.cpp)
// which turns each into _Static_asserts on the wasm32 compilation of webgpu.h.
//   WASMGPU_GUEST_STRUCT(Mirror, CStruct)
//   WASMGPU_GUEST_FIELD(Mirror, CStruct, field)
#define WASMGPU_GUEST_ABI_TABLE(S, F)                                                           \
  S(StringView, WGPUStringView) F(StringView, WGPUStringView, data)                             \
  F(StringView, WGPUStringView, length)                                                         \
  S(ChainedStruct, WGPUChainedStruct) F(ChainedStruct, WGPUChainedStruct, next)                 \
  F(ChainedStruct, WGPUChainedStruct, sType)                                                    \
  WASMGPU_GUEST_CALLBACK_INFO(S, F, WGPUBufferMapCallbackInfo)                                  \
  WASMGPU_GUEST_CALLBACK_INFO(S, F, WGPUCompilationInfoCallbackInfo)                            \
  WASMGPU_GUEST_CALLBACK_INFO(S, F, WGPUCreateComputePipelineAsyncCallbackInfo)                 \
  WASMGPU_GUEST_CALLBACK_INFO(S, F, WGPUDeviceLostCallbackInfo)                                 \
  WASMGPU_GUEST_CALLBACK_INFO(S, F, WGPUPopErrorScopeCallbackInfo)                              \
  WASMGPU_GUEST_CALLBACK_INFO(S, F, WGPUQueueWorkDoneCallbackInfo)                              \
  WASMGPU_GUEST_CALLBACK_INFO(S, F, WGPURequestAdapterCallbackInfo)                             \
  WASMGPU_GUEST_CALLBACK_INFO(S, F, WGPURequestDeviceCallbackInfo)                              \
  S(UncapturedErrorCallbackInfo, WGPUUncapturedErrorCallbackInfo)                               \
  F(UncapturedErrorCallbackInfo, WGPUUncapturedErrorCallbackInfo, nextInChain)                  \
  F(UncapturedErrorCallbackInfo, WGPUUncapturedErrorCallbackInfo, callback)                     \
  F(UncapturedErrorCallbackInfo, WGPUUncapturedErrorCallbackInfo, userdata1)                    \
  F(UncapturedErrorCallbackInfo, WGPUUncapturedErrorCallbackInfo, userdata2)                    \
  S(AdapterInfo, WGPUAdapterInfo) F(AdapterInfo, WGPUAdapterInfo, nextInChain)                  \
  F(AdapterInfo, WGPUAdapterInfo, vendor) F(AdapterInfo, WGPUAdapterInfo, architecture)         \
  F(AdapterInfo, WGPUAdapterInfo, device) F(AdapterInfo, WGPUAdapterInfo, description)          \
  F(AdapterInfo, WGPUAdapterInfo, backendType) F(AdapterInfo, WGPUAdapterInfo, adapterType)     \
  F(AdapterInfo, WGPUAdapterInfo, vendorID) F(AdapterInfo, WGPUAdapterInfo, deviceID)           \
  F(AdapterInfo, WGPUAdapterInfo, subgroupMinSize)                                              \
  F(AdapterInfo, WGPUAdapterInfo, subgroupMaxSize)                                              \
  S(BufferBindingLayout, WGPUBufferBindingLayout)                                               \
  F(BufferBindingLayout, WGPUBufferBindingLayout, nextInChain)                                  \
  F(BufferBindingLayout, WGPUBufferBindingLayout, type)                                         \
  F(BufferBindingLayout, WGPUBufferBindingLayout, hasDynamicOffset)                             \
  F(BufferBindingLayout, WGPUBufferBindingLayout, minBindingSize)                               \
  S(BufferDescriptor, WGPUBufferDescriptor) F(BufferDescriptor, WGPUBufferDescriptor, nextInChain) \
  F(BufferDescriptor, WGPUBufferDescriptor, label) F(BufferDescriptor, WGPUBufferDescriptor, usage) \
  F(BufferDescriptor, WGPUBufferDescriptor, size)                                               \
  F(BufferDescriptor, WGPUBufferDescriptor, mappedAtCreation)                                   \
  S(LabelDescriptor, WGPUCommandBufferDescriptor)                                               \
  F(LabelDescriptor, WGPUCommandBufferDescriptor, nextInChain)                                  \
  F(LabelDescriptor, WGPUCommandBufferDescriptor, label)                                        \
  S(LabelDescriptor, WGPUCommandEncoderDescriptor)                                              \
  F(LabelDescriptor, WGPUCommandEncoderDescriptor, nextInChain)                                 \
  F(LabelDescriptor, WGPUCommandEncoderDescriptor, label)                                       \
  S(LabelDescriptor, WGPUQueueDescriptor) F(LabelDescriptor, WGPUQueueDescriptor, nextInChain)  \
  F(LabelDescriptor, WGPUQueueDescriptor, label)                                                \
  S(CompilationMessage, WGPUCompilationMessage)                                                 \
  F(CompilationMessage, WGPUCompilationMessage, nextInChain)                                    \
  F(CompilationMessage, WGPUCompilationMessage, message)                                        \
  F(CompilationMessage, WGPUCompilationMessage, type)                                           \
  F(CompilationMessage, WGPUCompilationMessage, lineNum)                                        \
  F(CompilationMessage, WGPUCompilationMessage, linePos)                                        \
  F(CompilationMessage, WGPUCompilationMessage, offset)                                         \
  F(CompilationMessage, WGPUCompilationMessage, length)                                         \
  S(CompilationInfo, WGPUCompilationInfo) F(CompilationInfo, WGPUCompilationInfo, nextInChain)  \
  F(CompilationInfo, WGPUCompilationInfo, messageCount)                                         \
  F(CompilationInfo, WGPUCompilationInfo, messages)                                             \
  S(ConstantEntry, WGPUConstantEntry) F(ConstantEntry, WGPUConstantEntry, nextInChain)          \
  F(ConstantEntry, WGPUConstantEntry, key) F(ConstantEntry, WGPUConstantEntry, value)           \
  S(FutureWaitInfo, WGPUFutureWaitInfo) F(FutureWaitInfo, WGPUFutureWaitInfo, future)           \
  F(FutureWaitInfo, WGPUFutureWaitInfo, completed)                                              \
  S(InstanceLimits, WGPUInstanceLimits) F(InstanceLimits, WGPUInstanceLimits, nextInChain)      \
  F(InstanceLimits, WGPUInstanceLimits, timedWaitAnyMaxCount)                                   \
  S(InstanceDescriptor, WGPUInstanceDescriptor)                                                 \
  F(InstanceDescriptor, WGPUInstanceDescriptor, nextInChain)                                    \
  F(InstanceDescriptor, WGPUInstanceDescriptor, requiredFeatureCount)                           \
  F(InstanceDescriptor, WGPUInstanceDescriptor, requiredFeatures)                               \
  F(InstanceDescriptor, WGPUInstanceDescriptor, requiredLimits)                                 \
  WASMGPU_GUEST_LIMITS(S, F)                                                                    \
  S(DeviceDescriptor, WGPUDeviceDescriptor) F(DeviceDescriptor, WGPUDeviceDescriptor, nextInChain) \
  F(DeviceDescriptor, WGPUDeviceDescriptor, label)                                              \
  F(DeviceDescriptor, WGPUDeviceDescriptor, requiredFeatureCount)                               \
  F(DeviceDescriptor, WGPUDeviceDescriptor, requiredFeatures)                                   \
  F(DeviceDescriptor, WGPUDeviceDescriptor, requiredLimits)                                     \
  F(DeviceDescriptor, WGPUDeviceDescriptor, defaultQueue)                                       \
  F(DeviceDescriptor, WGPUDeviceDescriptor, deviceLostCallbackInfo)                             \
  F(DeviceDescriptor, WGPUDeviceDescriptor, uncapturedErrorCallbackInfo)                        \
  S(RequestAdapterOptions, WGPURequestAdapterOptions)                                           \
  F(RequestAdapterOptions, WGPURequestAdapterOptions, nextInChain)                              \
  F(RequestAdapterOptions, WGPURequestAdapterOptions, featureLevel)                             \
  F(RequestAdapterOptions, WGPURequestAdapterOptions, powerPreference)                          \
  F(RequestAdapterOptions, WGPURequestAdapterOptions, forceFallbackAdapter)                     \
  F(RequestAdapterOptions, WGPURequestAdapterOptions, backendType)                              \
  F(RequestAdapterOptions, WGPURequestAdapterOptions, compatibleSurface)                        \
  S(SupportedFeatures, WGPUSupportedFeatures)                                                   \
  F(SupportedFeatures, WGPUSupportedFeatures, featureCount)                                     \
  F(SupportedFeatures, WGPUSupportedFeatures, features)                                         \
  S(SupportedFeatures, WGPUSupportedInstanceFeatures)                                           \
  F(SupportedFeatures, WGPUSupportedInstanceFeatures, featureCount)                             \
  F(SupportedFeatures, WGPUSupportedInstanceFeatures, features)                                 \
  S(ShaderModuleDescriptor, WGPUShaderModuleDescriptor)                                         \
  F(ShaderModuleDescriptor, WGPUShaderModuleDescriptor, nextInChain)                            \
  F(ShaderModuleDescriptor, WGPUShaderModuleDescriptor, label)                                  \
  S(ShaderSourceSPIRV, WGPUShaderSourceSPIRV) F(ShaderSourceSPIRV, WGPUShaderSourceSPIRV, chain) \
  F(ShaderSourceSPIRV, WGPUShaderSourceSPIRV, codeSize)                                         \
  F(ShaderSourceSPIRV, WGPUShaderSourceSPIRV, code)                                             \
  S(ShaderSourceText, WGPUShaderSourceWGSL) F(ShaderSourceText, WGPUShaderSourceWGSL, chain)    \
  F(ShaderSourceText, WGPUShaderSourceWGSL, code)                                               \
  S(ShaderSourceText, WGPUShaderSourceGLSL) F(ShaderSourceText, WGPUShaderSourceGLSL, chain)    \
  F(ShaderSourceText, WGPUShaderSourceGLSL, code)                                               \
  S(BindGroupEntry, WGPUBindGroupEntry) F(BindGroupEntry, WGPUBindGroupEntry, nextInChain)      \
  F(BindGroupEntry, WGPUBindGroupEntry, binding) F(BindGroupEntry, WGPUBindGroupEntry, buffer)  \
  F(BindGroupEntry, WGPUBindGroupEntry, offset) F(BindGroupEntry, WGPUBindGroupEntry, size)     \
  S(BindGroupDescriptor, WGPUBindGroupDescriptor)                                               \
  F(BindGroupDescriptor, WGPUBindGroupDescriptor, nextInChain)                                  \
  F(BindGroupDescriptor, WGPUBindGroupDescriptor, label)                                        \
  F(BindGroupDescriptor, WGPUBindGroupDescriptor, layout)                                       \
  F(BindGroupDescriptor, WGPUBindGroupDescriptor, entryCount)                                   \
  F(BindGroupDescriptor, WGPUBindGroupDescriptor, entries)                                      \
  S(BindGroupLayoutEntry, WGPUBindGroupLayoutEntry)                                             \
  F(BindGroupLayoutEntry, WGPUBindGroupLayoutEntry, nextInChain)                                \
  F(BindGroupLayoutEntry, WGPUBindGroupLayoutEntry, binding)                                    \
  F(BindGroupLayoutEntry, WGPUBindGroupLayoutEntry, visibility)                                 \
  F(BindGroupLayoutEntry, WGPUBindGroupLayoutEntry, bindingArraySize)                           \
  F(BindGroupLayoutEntry, WGPUBindGroupLayoutEntry, buffer)                                     \
  S(BindGroupLayoutDescriptor, WGPUBindGroupLayoutDescriptor)                                   \
  F(BindGroupLayoutDescriptor, WGPUBindGroupLayoutDescriptor, nextInChain)                      \
  F(BindGroupLayoutDescriptor, WGPUBindGroupLayoutDescriptor, label)                            \
  F(BindGroupLayoutDescriptor, WGPUBindGroupLayoutDescriptor, entryCount)                       \
  F(BindGroupLayoutDescriptor, WGPUBindGroupLayoutDescriptor, entries)                          \
  S(PipelineLayoutDescriptor, WGPUPipelineLayoutDescriptor)                                     \
  F(PipelineLayoutDescriptor, WGPUPipelineLayoutDescriptor, nextInChain)                        \
  F(PipelineLayoutDescriptor, WGPUPipelineLayoutDescriptor, label)                              \
  F(PipelineLayoutDescriptor, WGPUPipelineLayoutDescriptor, bindGroupLayoutCount)               \
  F(PipelineLayoutDescriptor, WGPUPipelineLayoutDescriptor, bindGroupLayouts)                   \
  F(PipelineLayoutDescriptor, WGPUPipelineLayoutDescriptor, immediateSize)                      \
  S(ComputeState, WGPUComputeState) F(ComputeState, WGPUComputeState, nextInChain)              \
  F(ComputeState, WGPUComputeState, module) F(ComputeState, WGPUComputeState, entryPoint)       \
  F(ComputeState, WGPUComputeState, constantCount)                                              \
  F(ComputeState, WGPUComputeState, constants)                                                  \
  S(ComputePipelineDescriptor, WGPUComputePipelineDescriptor)                                   \
  F(ComputePipelineDescriptor, WGPUComputePipelineDescriptor, nextInChain)                      \
  F(ComputePipelineDescriptor, WGPUComputePipelineDescriptor, label)                            \
  F(ComputePipelineDescriptor, WGPUComputePipelineDescriptor, layout)                           \
  F(ComputePipelineDescriptor, WGPUComputePipelineDescriptor, compute)                          \
  S(PassTimestampWrites, WGPUPassTimestampWrites)                                               \
  F(PassTimestampWrites, WGPUPassTimestampWrites, nextInChain)                                  \
  F(PassTimestampWrites, WGPUPassTimestampWrites, querySet)                                     \
  F(PassTimestampWrites, WGPUPassTimestampWrites, beginningOfPassWriteIndex)                    \
  F(PassTimestampWrites, WGPUPassTimestampWrites, endOfPassWriteIndex)                          \
  S(ComputePassDescriptor, WGPUComputePassDescriptor)                                           \
  F(ComputePassDescriptor, WGPUComputePassDescriptor, nextInChain)                              \
  F(ComputePassDescriptor, WGPUComputePassDescriptor, label)                                    \
  F(ComputePassDescriptor, WGPUComputePassDescriptor, timestampWrites)                          \
  S(QuerySetDescriptor, WGPUQuerySetDescriptor)                                                 \
  F(QuerySetDescriptor, WGPUQuerySetDescriptor, nextInChain)                                    \
  F(QuerySetDescriptor, WGPUQuerySetDescriptor, label)                                          \
  F(QuerySetDescriptor, WGPUQuerySetDescriptor, type)                                           \
  F(QuerySetDescriptor, WGPUQuerySetDescriptor, count)                                          \
  S(BufferHostMappedPointer, WGPUBufferHostMappedPointer)                                       \
  F(BufferHostMappedPointer, WGPUBufferHostMappedPointer, chain)                                \
  F(BufferHostMappedPointer, WGPUBufferHostMappedPointer, pointer)                              \
  F(BufferHostMappedPointer, WGPUBufferHostMappedPointer, disposeCallback)                      \
  F(BufferHostMappedPointer, WGPUBufferHostMappedPointer, userdata)                             \
  S(HostMappedPointerLimits, WGPUHostMappedPointerLimits)                                       \
  F(HostMappedPointerLimits, WGPUHostMappedPointerLimits, chain)                                \
  F(HostMappedPointerLimits, WGPUHostMappedPointerLimits, hostMappedPointerAlignment)           \
  S(RequestAdapterOptionsWasmgpu, WGPURequestAdapterOptionsWasmgpu)                             \
  F(RequestAdapterOptionsWasmgpu, WGPURequestAdapterOptionsWasmgpu, chain)                      \
  F(RequestAdapterOptionsWasmgpu, WGPURequestAdapterOptionsWasmgpu, adapter)                    \
  S(AdapterPropertiesWasmgpu, WGPUAdapterPropertiesWasmgpu)                                     \
  F(AdapterPropertiesWasmgpu, WGPUAdapterPropertiesWasmgpu, chain)                              \
  F(AdapterPropertiesWasmgpu, WGPUAdapterPropertiesWasmgpu, adapterIndex)                       \
  F(AdapterPropertiesWasmgpu, WGPUAdapterPropertiesWasmgpu, isDefault)                          \
  F(AdapterPropertiesWasmgpu, WGPUAdapterPropertiesWasmgpu, robustBufferAccess2)

#define WASMGPU_GUEST_CALLBACK_INFO(S, F, C)                                           \
  S(CallbackInfo, C) F(CallbackInfo, C, nextInChain) F(CallbackInfo, C, mode)          \
  F(CallbackInfo, C, callback) F(CallbackInfo, C, userdata1) F(CallbackInfo, C, userdata2)

#define WASMGPU_GUEST_LIMITS(S, F)                                                              \
  S(Limits, WGPULimits) F(Limits, WGPULimits, nextInChain)                                      \
  F(Limits, WGPULimits, maxTextureDimension1D) F(Limits, WGPULimits, maxTextureDimension2D)     \
  F(Limits, WGPULimits, maxTextureDimension3D) F(Limits, WGPULimits, maxTextureArrayLayers)     \
  F(Limits, WGPULimits, maxBindGroups) F(Limits, WGPULimits, maxBindGroupsPlusVertexBuffers)    \
  F(Limits, WGPULimits, maxBindingsPerBindGroup)                                                \
  F(Limits, WGPULimits, maxDynamicUniformBuffersPerPipelineLayout)                              \
  F(Limits, WGPULimits, maxDynamicStorageBuffersPerPipelineLayout)                              \
  F(Limits, WGPULimits, maxSampledTexturesPerShaderStage)                                       \
  F(Limits, WGPULimits, maxSamplersPerShaderStage)                                              \
  F(Limits, WGPULimits, maxStorageBuffersPerShaderStage)                                        \
  F(Limits, WGPULimits, maxStorageTexturesPerShaderStage)                                       \
  F(Limits, WGPULimits, maxUniformBuffersPerShaderStage)                                        \
  F(Limits, WGPULimits, maxUniformBufferBindingSize)                                            \
  F(Limits, WGPULimits, maxStorageBufferBindingSize)                                            \
  F(Limits, WGPULimits, minUniformBufferOffsetAlignment)                                        \
  F(Limits, WGPULimits, minStorageBufferOffsetAlignment) F(Limits, WGPULimits, maxVertexBuffers) \
  F(Limits, WGPULimits, maxBufferSize) F(Limits, WGPULimits, maxVertexAttributes)               \
  F(Limits, WGPULimits, maxVertexBufferArrayStride)                                             \
  F(Limits, WGPULimits, maxInterStageShaderVariables)                                           \
  F(Limits, WGPULimits, maxColorAttachments)                                                    \
  F(Limits, WGPULimits, maxColorAttachmentBytesPerSample)                                       \
  F(Limits, WGPULimits, maxComputeWorkgroupStorageSize)                                         \
  F(Limits, WGPULimits, maxComputeInvocationsPerWorkgroup)                                      \
  F(Limits, WGPULimits, maxComputeWorkgroupSizeX) F(Limits, WGPULimits, maxComputeWorkgroupSizeY) \
  F(Limits, WGPULimits, maxComputeWorkgroupSizeZ)                                               \
  F(Limits, WGPULimits, maxComputeWorkgroupsPerDimension) F(Limits, WGPULimits, maxImmediateSize)
