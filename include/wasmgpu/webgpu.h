/*
 * wasmgpu's public C API: the compute subset of the standard webgpu.h (webgpu-native
 * webgpu-headers, 2025 conventions: WGPUStringView, callback-info structs with userdata1/2,
 * WGPUFuture + wgpuInstanceWaitAny/ProcessEvents, AddRef/Release, nextInChain chains), plus
 * wasmgpu extensions, all chained structs in the 0x5747xxxx ("WG") range:
 *
 *   WGPUBufferHostMappedPointer  (on WGPUBufferDescriptor)   zero-copy buffer over host memory
 *   WGPUHostMappedPointerLimits  (on WGPULimits, output)     hostMappedPointerAlignment
 *   WGPUShaderSourceGLSL         (on WGPUShaderModuleDescriptor)  GLSL compute via shaderc
 *   WGPURequestAdapterOptionsWasmgpu (on WGPURequestAdapterOptions)  pick an adapter by name/index
 *   WGPUAdapterPropertiesWasmgpu (on WGPUAdapterInfo, output) enumeration index, default choice
 *   wgpuInstanceEnumerateAdapters, wgpuComputePassEncoderSetImmediateData
 *
 * Values that exist in the standard header keep their standard numbers, so code written for
 * webgpu.h compiles unchanged as long as it stays within compute.
 *
 * The same header serves native code and wasm32 guests (clang --target=wasm32-wasi). Structs
 * contain only fixed-width integers, double, pointers, size_t and 32-bit enums, whose wasm32
 * layout the host ABI (src/host) reads directly. Under __wasm__ every function is an import of
 * module "wasmgpu" whose import name is the C function name.
 *
 * See docs/gpu.md for the semantics of each extension.
 */
#ifndef WASMGPU_WEBGPU_H_
#define WASMGPU_WEBGPU_H_

#if defined(__wasm__)
#define WGPU_EXPORT
#if !defined(WGPU_FUNCTION_ATTRIBUTE)
#define WGPU_FUNCTION_ATTRIBUTE __attribute__((import_module("wasmgpu")))
#endif
#else
#if defined(WGPU_IMPLEMENTATION)
#define WGPU_EXPORT __attribute__((visibility("default")))
#else
#define WGPU_EXPORT
#endif
#if !defined(WGPU_FUNCTION_ATTRIBUTE)
#define WGPU_FUNCTION_ATTRIBUTE
#endif
#endif

#if !defined(WGPU_NULLABLE)
#define WGPU_NULLABLE
#endif

#include <stddef.h>
#include <stdint.h>

#define WGPU_TRUE (UINT32_C(1))
#define WGPU_FALSE (UINT32_C(0))
#define WGPU_LIMIT_U32_UNDEFINED (UINT32_MAX)
#define WGPU_LIMIT_U64_UNDEFINED (UINT64_MAX)
#define WGPU_QUERY_SET_INDEX_UNDEFINED (UINT32_MAX)
#define WGPU_STRLEN (SIZE_MAX)
#define WGPU_WHOLE_MAP_SIZE (SIZE_MAX)
#define WGPU_WHOLE_SIZE (UINT64_MAX)

/* Most immediate data a dispatch may carry (bytes); also WGPULimits.maxImmediateSize. */
#define WGPU_WASMGPU_MAX_IMMEDIATE_SIZE 128

/* A string that need not be NUL-terminated. {NULL, WGPU_STRLEN} is "null"; {p, WGPU_STRLEN}
 * is NUL-terminated; {p, n} is exactly n bytes. */
typedef struct WGPUStringView {
  WGPU_NULLABLE char const* data;
  size_t length;
} WGPUStringView;

typedef uint64_t WGPUFlags;
typedef uint32_t WGPUBool;

typedef struct WGPUAdapterImpl* WGPUAdapter;
typedef struct WGPUBindGroupImpl* WGPUBindGroup;
typedef struct WGPUBindGroupLayoutImpl* WGPUBindGroupLayout;
typedef struct WGPUBufferImpl* WGPUBuffer;
typedef struct WGPUCommandBufferImpl* WGPUCommandBuffer;
typedef struct WGPUCommandEncoderImpl* WGPUCommandEncoder;
typedef struct WGPUComputePassEncoderImpl* WGPUComputePassEncoder;
typedef struct WGPUComputePipelineImpl* WGPUComputePipeline;
typedef struct WGPUDeviceImpl* WGPUDevice;
typedef struct WGPUInstanceImpl* WGPUInstance;
typedef struct WGPUPipelineLayoutImpl* WGPUPipelineLayout;
typedef struct WGPUQuerySetImpl* WGPUQuerySet;
typedef struct WGPUQueueImpl* WGPUQueue;
typedef struct WGPUShaderModuleImpl* WGPUShaderModule;
/* Only so WGPURequestAdapterOptions keeps its standard layout; wasmgpu has no surfaces. */
typedef struct WGPUSurfaceImpl* WGPUSurface;

/* ----------------------------------------------------------------------------------------- */
/* Enums (standard values; wasmgpu additions in 0x5747xxxx)                                    */

typedef enum WGPUAdapterType {
  WGPUAdapterType_DiscreteGPU = 0x00000001,
  WGPUAdapterType_IntegratedGPU = 0x00000002,
  WGPUAdapterType_CPU = 0x00000003,
  WGPUAdapterType_Unknown = 0x00000004,
  WGPUAdapterType_Force32 = 0x7FFFFFFF
} WGPUAdapterType;

typedef enum WGPUBackendType {
  WGPUBackendType_Undefined = 0x00000000,
  WGPUBackendType_Null = 0x00000001,
  WGPUBackendType_WebGPU = 0x00000002,
  WGPUBackendType_D3D11 = 0x00000003,
  WGPUBackendType_D3D12 = 0x00000004,
  WGPUBackendType_Metal = 0x00000005,
  WGPUBackendType_Vulkan = 0x00000006,
  WGPUBackendType_OpenGL = 0x00000007,
  WGPUBackendType_OpenGLES = 0x00000008,
  WGPUBackendType_Force32 = 0x7FFFFFFF
} WGPUBackendType;

typedef enum WGPUBufferBindingType {
  WGPUBufferBindingType_BindingNotUsed = 0x00000000,
  WGPUBufferBindingType_Undefined = 0x00000001, /* defaults to Uniform */
  WGPUBufferBindingType_Uniform = 0x00000002,
  WGPUBufferBindingType_Storage = 0x00000003,
  WGPUBufferBindingType_ReadOnlyStorage = 0x00000004,
  WGPUBufferBindingType_Force32 = 0x7FFFFFFF
} WGPUBufferBindingType;

typedef enum WGPUBufferMapState {
  WGPUBufferMapState_Unmapped = 0x00000001,
  WGPUBufferMapState_Pending = 0x00000002,
  WGPUBufferMapState_Mapped = 0x00000003,
  WGPUBufferMapState_Force32 = 0x7FFFFFFF
} WGPUBufferMapState;

typedef enum WGPUCallbackMode {
  WGPUCallbackMode_WaitAnyOnly = 0x00000001,
  WGPUCallbackMode_AllowProcessEvents = 0x00000002,
  WGPUCallbackMode_AllowSpontaneous = 0x00000003,
  WGPUCallbackMode_Force32 = 0x7FFFFFFF
} WGPUCallbackMode;

typedef enum WGPUCompilationInfoRequestStatus {
  WGPUCompilationInfoRequestStatus_Success = 0x00000001,
  WGPUCompilationInfoRequestStatus_CallbackCancelled = 0x00000002,
  WGPUCompilationInfoRequestStatus_Force32 = 0x7FFFFFFF
} WGPUCompilationInfoRequestStatus;

typedef enum WGPUCompilationMessageType {
  WGPUCompilationMessageType_Error = 0x00000001,
  WGPUCompilationMessageType_Warning = 0x00000002,
  WGPUCompilationMessageType_Info = 0x00000003,
  WGPUCompilationMessageType_Force32 = 0x7FFFFFFF
} WGPUCompilationMessageType;

typedef enum WGPUCreatePipelineAsyncStatus {
  WGPUCreatePipelineAsyncStatus_Success = 0x00000001,
  WGPUCreatePipelineAsyncStatus_CallbackCancelled = 0x00000002,
  WGPUCreatePipelineAsyncStatus_ValidationError = 0x00000003,
  WGPUCreatePipelineAsyncStatus_InternalError = 0x00000004,
  WGPUCreatePipelineAsyncStatus_Force32 = 0x7FFFFFFF
} WGPUCreatePipelineAsyncStatus;

typedef enum WGPUDeviceLostReason {
  WGPUDeviceLostReason_Unknown = 0x00000001,
  WGPUDeviceLostReason_Destroyed = 0x00000002,
  WGPUDeviceLostReason_CallbackCancelled = 0x00000003,
  WGPUDeviceLostReason_FailedCreation = 0x00000004,
  WGPUDeviceLostReason_Force32 = 0x7FFFFFFF
} WGPUDeviceLostReason;

typedef enum WGPUErrorFilter {
  WGPUErrorFilter_Validation = 0x00000001,
  WGPUErrorFilter_OutOfMemory = 0x00000002,
  WGPUErrorFilter_Internal = 0x00000003,
  WGPUErrorFilter_Force32 = 0x7FFFFFFF
} WGPUErrorFilter;

typedef enum WGPUErrorType {
  WGPUErrorType_NoError = 0x00000001,
  WGPUErrorType_Validation = 0x00000002,
  WGPUErrorType_OutOfMemory = 0x00000003,
  WGPUErrorType_Internal = 0x00000004,
  WGPUErrorType_Unknown = 0x00000005,
  WGPUErrorType_Force32 = 0x7FFFFFFF
} WGPUErrorType;

typedef enum WGPUFeatureLevel {
  WGPUFeatureLevel_Undefined = 0x00000000,
  WGPUFeatureLevel_Compatibility = 0x00000001,
  WGPUFeatureLevel_Core = 0x00000002,
  WGPUFeatureLevel_Force32 = 0x7FFFFFFF
} WGPUFeatureLevel;

typedef enum WGPUFeatureName {
  WGPUFeatureName_CoreFeaturesAndLimits = 0x00000001,
  WGPUFeatureName_TimestampQuery = 0x00000009,
  WGPUFeatureName_ShaderF16 = 0x0000000B,
  WGPUFeatureName_Subgroups = 0x00000012,
  /* wasmgpu: buffers over host memory (WGPUBufferHostMappedPointer). */
  WGPUFeatureName_HostMappedPointer = 0x57470001,
  /* wasmgpu: SPIR-V integer dot products (SPV_KHR_integer_dot_product: OpSDot, OpUDot,
   * OpSUDot and their accumulating forms), in shaders of a device that requires it. */
  WGPUFeatureName_ShaderIntegerDotProduct = 0x57470002,
  WGPUFeatureName_Force32 = 0x7FFFFFFF
} WGPUFeatureName;

typedef enum WGPUInstanceFeatureName {
  WGPUInstanceFeatureName_TimedWaitAny = 0x00000001,
  WGPUInstanceFeatureName_ShaderSourceSPIRV = 0x00000002,
  WGPUInstanceFeatureName_MultipleDevicesPerAdapter = 0x00000003,
  WGPUInstanceFeatureName_Force32 = 0x7FFFFFFF
} WGPUInstanceFeatureName;

typedef enum WGPUMapAsyncStatus {
  WGPUMapAsyncStatus_Success = 0x00000001,
  WGPUMapAsyncStatus_CallbackCancelled = 0x00000002,
  WGPUMapAsyncStatus_Error = 0x00000003,
  WGPUMapAsyncStatus_Aborted = 0x00000004,
  WGPUMapAsyncStatus_Force32 = 0x7FFFFFFF
} WGPUMapAsyncStatus;

typedef enum WGPUPopErrorScopeStatus {
  WGPUPopErrorScopeStatus_Success = 0x00000001,
  WGPUPopErrorScopeStatus_CallbackCancelled = 0x00000002,
  WGPUPopErrorScopeStatus_Error = 0x00000003,
  WGPUPopErrorScopeStatus_Force32 = 0x7FFFFFFF
} WGPUPopErrorScopeStatus;

typedef enum WGPUPowerPreference {
  WGPUPowerPreference_Undefined = 0x00000000,
  WGPUPowerPreference_LowPower = 0x00000001,
  WGPUPowerPreference_HighPerformance = 0x00000002,
  WGPUPowerPreference_Force32 = 0x7FFFFFFF
} WGPUPowerPreference;

typedef enum WGPUQueryType {
  WGPUQueryType_Occlusion = 0x00000001,
  WGPUQueryType_Timestamp = 0x00000002,
  WGPUQueryType_Force32 = 0x7FFFFFFF
} WGPUQueryType;

typedef enum WGPUQueueWorkDoneStatus {
  WGPUQueueWorkDoneStatus_Success = 0x00000001,
  WGPUQueueWorkDoneStatus_CallbackCancelled = 0x00000002,
  WGPUQueueWorkDoneStatus_Error = 0x00000003,
  WGPUQueueWorkDoneStatus_Force32 = 0x7FFFFFFF
} WGPUQueueWorkDoneStatus;

typedef enum WGPURequestAdapterStatus {
  WGPURequestAdapterStatus_Success = 0x00000001,
  WGPURequestAdapterStatus_CallbackCancelled = 0x00000002,
  WGPURequestAdapterStatus_Unavailable = 0x00000003,
  WGPURequestAdapterStatus_Error = 0x00000004,
  WGPURequestAdapterStatus_Force32 = 0x7FFFFFFF
} WGPURequestAdapterStatus;

typedef enum WGPURequestDeviceStatus {
  WGPURequestDeviceStatus_Success = 0x00000001,
  WGPURequestDeviceStatus_CallbackCancelled = 0x00000002,
  WGPURequestDeviceStatus_Error = 0x00000003,
  WGPURequestDeviceStatus_Force32 = 0x7FFFFFFF
} WGPURequestDeviceStatus;

typedef enum WGPUSType {
  WGPUSType_ShaderSourceSPIRV = 0x00000001,
  WGPUSType_ShaderSourceWGSL = 0x00000002,
  /* wasmgpu extensions. */
  WGPUSType_BufferHostMappedPointer = 0x57470001,
  WGPUSType_HostMappedPointerLimits = 0x57470002,
  WGPUSType_ShaderSourceGLSL = 0x57470003,
  WGPUSType_RequestAdapterOptionsWasmgpu = 0x57470004,
  WGPUSType_AdapterPropertiesWasmgpu = 0x57470005,
  WGPUSType_Force32 = 0x7FFFFFFF
} WGPUSType;

typedef enum WGPUStatus {
  WGPUStatus_Success = 0x00000001,
  WGPUStatus_Error = 0x00000002,
  WGPUStatus_Force32 = 0x7FFFFFFF
} WGPUStatus;

typedef enum WGPUWaitStatus {
  WGPUWaitStatus_Success = 0x00000001,
  WGPUWaitStatus_TimedOut = 0x00000002,
  WGPUWaitStatus_Error = 0x00000003,
  WGPUWaitStatus_Force32 = 0x7FFFFFFF
} WGPUWaitStatus;

typedef WGPUFlags WGPUBufferUsage;
static const WGPUBufferUsage WGPUBufferUsage_None = 0x0000000000000000;
static const WGPUBufferUsage WGPUBufferUsage_MapRead = 0x0000000000000001;
static const WGPUBufferUsage WGPUBufferUsage_MapWrite = 0x0000000000000002;
static const WGPUBufferUsage WGPUBufferUsage_CopySrc = 0x0000000000000004;
static const WGPUBufferUsage WGPUBufferUsage_CopyDst = 0x0000000000000008;
static const WGPUBufferUsage WGPUBufferUsage_Index = 0x0000000000000010;
static const WGPUBufferUsage WGPUBufferUsage_Vertex = 0x0000000000000020;
static const WGPUBufferUsage WGPUBufferUsage_Uniform = 0x0000000000000040;
static const WGPUBufferUsage WGPUBufferUsage_Storage = 0x0000000000000080;
static const WGPUBufferUsage WGPUBufferUsage_Indirect = 0x0000000000000100;
static const WGPUBufferUsage WGPUBufferUsage_QueryResolve = 0x0000000000000200;

typedef WGPUFlags WGPUMapMode;
static const WGPUMapMode WGPUMapMode_None = 0x0000000000000000;
static const WGPUMapMode WGPUMapMode_Read = 0x0000000000000001;
static const WGPUMapMode WGPUMapMode_Write = 0x0000000000000002;

typedef WGPUFlags WGPUShaderStage;
static const WGPUShaderStage WGPUShaderStage_None = 0x0000000000000000;
static const WGPUShaderStage WGPUShaderStage_Vertex = 0x0000000000000001;
static const WGPUShaderStage WGPUShaderStage_Fragment = 0x0000000000000002;
static const WGPUShaderStage WGPUShaderStage_Compute = 0x0000000000000004;

/* ----------------------------------------------------------------------------------------- */
/* Callbacks                                                                                   */

struct WGPUCompilationInfo;

typedef void (*WGPUBufferMapCallback)(WGPUMapAsyncStatus status, WGPUStringView message,
                                      void* userdata1, void* userdata2);
typedef void (*WGPUCompilationInfoCallback)(WGPUCompilationInfoRequestStatus status,
                                            struct WGPUCompilationInfo const* compilationInfo,
                                            void* userdata1, void* userdata2);
typedef void (*WGPUCreateComputePipelineAsyncCallback)(WGPUCreatePipelineAsyncStatus status,
                                                       WGPUComputePipeline pipeline,
                                                       WGPUStringView message, void* userdata1,
                                                       void* userdata2);
typedef void (*WGPUDeviceLostCallback)(WGPUDevice const* device, WGPUDeviceLostReason reason,
                                       WGPUStringView message, void* userdata1, void* userdata2);
typedef void (*WGPUPopErrorScopeCallback)(WGPUPopErrorScopeStatus status, WGPUErrorType type,
                                          WGPUStringView message, void* userdata1,
                                          void* userdata2);
typedef void (*WGPUQueueWorkDoneCallback)(WGPUQueueWorkDoneStatus status, WGPUStringView message,
                                          void* userdata1, void* userdata2);
typedef void (*WGPURequestAdapterCallback)(WGPURequestAdapterStatus status, WGPUAdapter adapter,
                                           WGPUStringView message, void* userdata1,
                                           void* userdata2);
typedef void (*WGPURequestDeviceCallback)(WGPURequestDeviceStatus status, WGPUDevice device,
                                          WGPUStringView message, void* userdata1,
                                          void* userdata2);
typedef void (*WGPUUncapturedErrorCallback)(WGPUDevice const* device, WGPUErrorType type,
                                            WGPUStringView message, void* userdata1,
                                            void* userdata2);
/* wasmgpu: the host-mapped pointer's dispose callback (same shape as Dawn's WGPUCallback). */
typedef void (*WGPUCallback)(void* userdata);

/* ----------------------------------------------------------------------------------------- */
/* Structures                                                                                  */

typedef struct WGPUChainedStruct {
  struct WGPUChainedStruct* next;
  WGPUSType sType;
} WGPUChainedStruct;

typedef struct WGPUBufferMapCallbackInfo {
  WGPUChainedStruct* nextInChain;
  WGPUCallbackMode mode;
  WGPUBufferMapCallback callback;
  void* userdata1;
  void* userdata2;
} WGPUBufferMapCallbackInfo;

typedef struct WGPUCompilationInfoCallbackInfo {
  WGPUChainedStruct* nextInChain;
  WGPUCallbackMode mode;
  WGPUCompilationInfoCallback callback;
  void* userdata1;
  void* userdata2;
} WGPUCompilationInfoCallbackInfo;

typedef struct WGPUCreateComputePipelineAsyncCallbackInfo {
  WGPUChainedStruct* nextInChain;
  WGPUCallbackMode mode;
  WGPUCreateComputePipelineAsyncCallback callback;
  void* userdata1;
  void* userdata2;
} WGPUCreateComputePipelineAsyncCallbackInfo;

typedef struct WGPUDeviceLostCallbackInfo {
  WGPUChainedStruct* nextInChain;
  WGPUCallbackMode mode;
  WGPUDeviceLostCallback callback;
  void* userdata1;
  void* userdata2;
} WGPUDeviceLostCallbackInfo;

typedef struct WGPUPopErrorScopeCallbackInfo {
  WGPUChainedStruct* nextInChain;
  WGPUCallbackMode mode;
  WGPUPopErrorScopeCallback callback;
  void* userdata1;
  void* userdata2;
} WGPUPopErrorScopeCallbackInfo;

typedef struct WGPUQueueWorkDoneCallbackInfo {
  WGPUChainedStruct* nextInChain;
  WGPUCallbackMode mode;
  WGPUQueueWorkDoneCallback callback;
  void* userdata1;
  void* userdata2;
} WGPUQueueWorkDoneCallbackInfo;

typedef struct WGPURequestAdapterCallbackInfo {
  WGPUChainedStruct* nextInChain;
  WGPUCallbackMode mode;
  WGPURequestAdapterCallback callback;
  void* userdata1;
  void* userdata2;
} WGPURequestAdapterCallbackInfo;

typedef struct WGPURequestDeviceCallbackInfo {
  WGPUChainedStruct* nextInChain;
  WGPUCallbackMode mode;
  WGPURequestDeviceCallback callback;
  void* userdata1;
  void* userdata2;
} WGPURequestDeviceCallbackInfo;

typedef struct WGPUUncapturedErrorCallbackInfo {
  WGPUChainedStruct* nextInChain;
  WGPUUncapturedErrorCallback callback;
  void* userdata1;
  void* userdata2;
} WGPUUncapturedErrorCallbackInfo;

typedef struct WGPUAdapterInfo {
  WGPUChainedStruct* nextInChain;
  WGPUStringView vendor;
  WGPUStringView architecture;
  WGPUStringView device;
  WGPUStringView description; /* wasmgpu: the Vulkan driver's name and version */
  WGPUBackendType backendType;
  WGPUAdapterType adapterType;
  uint32_t vendorID;
  uint32_t deviceID;
  uint32_t subgroupMinSize;
  uint32_t subgroupMaxSize;
} WGPUAdapterInfo;

typedef struct WGPUBufferBindingLayout {
  WGPUChainedStruct* nextInChain;
  WGPUBufferBindingType type;
  WGPUBool hasDynamicOffset;
  uint64_t minBindingSize;
} WGPUBufferBindingLayout;

typedef struct WGPUBufferDescriptor {
  WGPUChainedStruct* nextInChain;
  WGPUStringView label;
  WGPUBufferUsage usage;
  uint64_t size;
  WGPUBool mappedAtCreation;
} WGPUBufferDescriptor;

typedef struct WGPUCommandBufferDescriptor {
  WGPUChainedStruct* nextInChain;
  WGPUStringView label;
} WGPUCommandBufferDescriptor;

typedef struct WGPUCommandEncoderDescriptor {
  WGPUChainedStruct* nextInChain;
  WGPUStringView label;
} WGPUCommandEncoderDescriptor;

typedef struct WGPUCompilationMessage {
  WGPUChainedStruct* nextInChain;
  WGPUStringView message;
  WGPUCompilationMessageType type;
  uint64_t lineNum;
  uint64_t linePos;
  uint64_t offset;
  uint64_t length;
} WGPUCompilationMessage;

typedef struct WGPUCompilationInfo {
  WGPUChainedStruct* nextInChain;
  size_t messageCount;
  WGPUCompilationMessage const* messages;
} WGPUCompilationInfo;

typedef struct WGPUConstantEntry {
  WGPUChainedStruct* nextInChain;
  WGPUStringView key; /* SPIR-V: the SpecId in decimal ("3"), or the constant's OpName */
  double value;
} WGPUConstantEntry;

typedef struct WGPUFuture {
  uint64_t id;
} WGPUFuture;

typedef struct WGPUFutureWaitInfo {
  WGPUFuture future;
  WGPUBool completed;
} WGPUFutureWaitInfo;

typedef struct WGPUInstanceLimits {
  WGPUChainedStruct* nextInChain;
  size_t timedWaitAnyMaxCount;
} WGPUInstanceLimits;

typedef struct WGPUInstanceDescriptor {
  WGPUChainedStruct* nextInChain;
  size_t requiredFeatureCount;
  WGPUInstanceFeatureName const* requiredFeatures;
  WGPU_NULLABLE WGPUInstanceLimits const* requiredLimits;
} WGPUInstanceDescriptor;

/* The standard limits struct. Texture/vertex/render limits are reported (with WebGPU's
 * defaults) so the layout matches the standard; wasmgpu uses only the compute ones. */
typedef struct WGPULimits {
  WGPUChainedStruct* nextInChain;
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
  uint32_t maxImmediateSize; /* bytes of immediate data per dispatch (wasmgpu: 128) */
} WGPULimits;

typedef struct WGPUQueueDescriptor {
  WGPUChainedStruct* nextInChain;
  WGPUStringView label;
} WGPUQueueDescriptor;

typedef struct WGPUDeviceDescriptor {
  WGPUChainedStruct* nextInChain;
  WGPUStringView label;
  size_t requiredFeatureCount;
  WGPUFeatureName const* requiredFeatures;
  WGPU_NULLABLE WGPULimits const* requiredLimits;
  WGPUQueueDescriptor defaultQueue;
  WGPUDeviceLostCallbackInfo deviceLostCallbackInfo;
  WGPUUncapturedErrorCallbackInfo uncapturedErrorCallbackInfo;
} WGPUDeviceDescriptor;

typedef struct WGPURequestAdapterOptions {
  WGPUChainedStruct* nextInChain;
  WGPUFeatureLevel featureLevel;
  WGPUPowerPreference powerPreference;
  WGPUBool forceFallbackAdapter; /* wasmgpu: the CPU adapter (Mesa lavapipe) */
  WGPUBackendType backendType;
  WGPU_NULLABLE WGPUSurface compatibleSurface;
} WGPURequestAdapterOptions;

typedef struct WGPUSupportedFeatures {
  size_t featureCount;
  WGPUFeatureName const* features;
} WGPUSupportedFeatures;

typedef struct WGPUSupportedInstanceFeatures {
  size_t featureCount;
  WGPUInstanceFeatureName const* features;
} WGPUSupportedInstanceFeatures;

typedef struct WGPUShaderModuleDescriptor {
  WGPUChainedStruct* nextInChain; /* exactly one WGPUShaderSource* */
  WGPUStringView label;
} WGPUShaderModuleDescriptor;

typedef struct WGPUShaderSourceSPIRV {
  WGPUChainedStruct chain;
  uint32_t codeSize; /* in 32-bit words */
  uint32_t const* code;
} WGPUShaderSourceSPIRV;

/* Accepted for source compatibility; wasmgpu has no WGSL compiler, so a module made from it is a
 * validation error. */
typedef struct WGPUShaderSourceWGSL {
  WGPUChainedStruct chain;
  WGPUStringView code;
} WGPUShaderSourceWGSL;

typedef struct WGPUBindGroupEntry {
  WGPUChainedStruct* nextInChain;
  uint32_t binding;
  WGPUBuffer buffer;
  uint64_t offset;
  uint64_t size; /* WGPU_WHOLE_SIZE: to the end of the buffer */
} WGPUBindGroupEntry;

typedef struct WGPUBindGroupDescriptor {
  WGPUChainedStruct* nextInChain;
  WGPUStringView label;
  WGPUBindGroupLayout layout;
  size_t entryCount;
  WGPUBindGroupEntry const* entries;
} WGPUBindGroupDescriptor;

/* Compute subset: buffer bindings only (no sampler/texture members). */
typedef struct WGPUBindGroupLayoutEntry {
  WGPUChainedStruct* nextInChain;
  uint32_t binding;
  WGPUShaderStage visibility;
  uint32_t bindingArraySize; /* 0 or 1 for buffers */
  WGPUBufferBindingLayout buffer;
} WGPUBindGroupLayoutEntry;

typedef struct WGPUBindGroupLayoutDescriptor {
  WGPUChainedStruct* nextInChain;
  WGPUStringView label;
  size_t entryCount;
  WGPUBindGroupLayoutEntry const* entries;
} WGPUBindGroupLayoutDescriptor;

typedef struct WGPUPipelineLayoutDescriptor {
  WGPUChainedStruct* nextInChain;
  WGPUStringView label;
  size_t bindGroupLayoutCount;
  WGPUBindGroupLayout const* bindGroupLayouts;
  uint32_t immediateSize; /* bytes, multiple of 4, <= maxImmediateSize; a push-constant range */
} WGPUPipelineLayoutDescriptor;

typedef struct WGPUComputeState {
  WGPUChainedStruct* nextInChain;
  WGPUShaderModule module;
  WGPUStringView entryPoint; /* null: the module's only compute entry point */
  size_t constantCount;
  WGPUConstantEntry const* constants;
} WGPUComputeState;

typedef struct WGPUComputePipelineDescriptor {
  WGPUChainedStruct* nextInChain;
  WGPUStringView label;
  WGPU_NULLABLE WGPUPipelineLayout layout; /* NULL: "auto", reflected from the shader */
  WGPUComputeState compute;
} WGPUComputePipelineDescriptor;

typedef struct WGPUPassTimestampWrites {
  WGPUChainedStruct* nextInChain;
  WGPUQuerySet querySet;
  uint32_t beginningOfPassWriteIndex; /* or WGPU_QUERY_SET_INDEX_UNDEFINED */
  uint32_t endOfPassWriteIndex;       /* or WGPU_QUERY_SET_INDEX_UNDEFINED */
} WGPUPassTimestampWrites;

typedef struct WGPUComputePassDescriptor {
  WGPUChainedStruct* nextInChain;
  WGPUStringView label;
  WGPU_NULLABLE WGPUPassTimestampWrites const* timestampWrites;
} WGPUComputePassDescriptor;

typedef struct WGPUQuerySetDescriptor {
  WGPUChainedStruct* nextInChain;
  WGPUStringView label;
  WGPUQueryType type;
  uint32_t count;
} WGPUQuerySetDescriptor;

/* ----------------------------------------------------------------------------------------- */
/* wasmgpu extension structs                                                                   */

/* Chained on WGPUBufferDescriptor (requires WGPUFeatureName_HostMappedPointer): the buffer IS
 * the host range [pointer, pointer + size). `pointer` and `size` must be non-zero multiples of
 * hostMappedPointerAlignment. Usage may only combine Storage, CopySrc and CopyDst; map calls on
 * the buffer are validation errors (it is always host-visible). The caller must not touch the
 * range while GPU work that uses it is in flight (wait with wgpuQueueOnSubmittedWorkDone), and
 * must keep the memory alive until `disposeCallback(userdata)` runs: once, after the buffer is
 * destroyed or released AND the GPU no longer uses it. A failed creation calls it at once. */
typedef struct WGPUBufferHostMappedPointer {
  WGPUChainedStruct chain;
  void* pointer;
  WGPU_NULLABLE WGPUCallback disposeCallback;
  void* userdata;
} WGPUBufferHostMappedPointer;

/* Chained on the WGPULimits passed to wgpuAdapterGetLimits / wgpuDeviceGetLimits (output).
 * 0 when the feature is absent. */
typedef struct WGPUHostMappedPointerLimits {
  WGPUChainedStruct chain;
  uint32_t hostMappedPointerAlignment;
} WGPUHostMappedPointerLimits;

/* Chained on WGPUShaderModuleDescriptor: a GLSL (#version 450+) compute shader, compiled with
 * shaderc. Compiler errors are validation errors carrying the compiler's message. */
typedef struct WGPUShaderSourceGLSL {
  WGPUChainedStruct chain;
  WGPUStringView code;
} WGPUShaderSourceGLSL;

/* Chained on WGPURequestAdapterOptions: choose an adapter by enumeration index ("0") or by a
 * case-insensitive substring of its name ("llvmpipe"). Overrides the WASMGPU_ADAPTER variable
 * and forceFallbackAdapter. Null/empty: no override. */
typedef struct WGPURequestAdapterOptionsWasmgpu {
  WGPUChainedStruct chain;
  WGPUStringView adapter;
} WGPURequestAdapterOptionsWasmgpu;

/* Chained on WGPUAdapterInfo (output) by wgpuAdapterGetInfo. */
typedef struct WGPUAdapterPropertiesWasmgpu {
  WGPUChainedStruct chain;
  uint32_t adapterIndex;  /* position in wgpuInstanceEnumerateAdapters */
  WGPUBool isDefault;     /* what wgpuInstanceRequestAdapter(NULL options) picks */
  WGPUBool robustBufferAccess2; /* devices can only be created where this is true */
} WGPUAdapterPropertiesWasmgpu;

#define WGPU_STRING_VIEW_INIT {NULL, WGPU_STRLEN}

#ifdef __cplusplus
extern "C" {
#endif

/* ----------------------------------------------------------------------------------------- */
/* Functions                                                                                   */

WGPU_EXPORT WGPUInstance wgpuCreateInstance(WGPU_NULLABLE WGPUInstanceDescriptor const* descriptor)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuGetInstanceFeatures(WGPUSupportedInstanceFeatures* features)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUStatus wgpuGetInstanceLimits(WGPUInstanceLimits* limits) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUBool wgpuHasInstanceFeature(WGPUInstanceFeatureName feature)
    WGPU_FUNCTION_ATTRIBUTE;

/* Instance */
WGPU_EXPORT void wgpuInstanceProcessEvents(WGPUInstance instance) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUFuture wgpuInstanceRequestAdapter(WGPUInstance instance,
                                                  WGPU_NULLABLE WGPURequestAdapterOptions const* options,
                                                  WGPURequestAdapterCallbackInfo callbackInfo)
    WGPU_FUNCTION_ATTRIBUTE;
/* A timeout > 0 needs WGPUInstanceFeatureName_TimedWaitAny on the instance (standard rule). */
WGPU_EXPORT WGPUWaitStatus wgpuInstanceWaitAny(WGPUInstance instance, size_t futureCount,
                                               WGPUFutureWaitInfo* futures, uint64_t timeoutNS)
    WGPU_FUNCTION_ATTRIBUTE;
/* wasmgpu: every Vulkan adapter, in a stable order. With adapters == NULL returns the count;
 * otherwise fills adapters[0..count) with new references (release each). `options` is unused
 * and may be NULL. */
WGPU_EXPORT size_t wgpuInstanceEnumerateAdapters(WGPUInstance instance,
                                                 WGPU_NULLABLE WGPURequestAdapterOptions const* options,
                                                 WGPUAdapter* adapters) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuInstanceAddRef(WGPUInstance instance) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuInstanceRelease(WGPUInstance instance) WGPU_FUNCTION_ATTRIBUTE;

/* Adapter */
WGPU_EXPORT void wgpuAdapterGetFeatures(WGPUAdapter adapter, WGPUSupportedFeatures* features)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUStatus wgpuAdapterGetInfo(WGPUAdapter adapter, WGPUAdapterInfo* info)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUStatus wgpuAdapterGetLimits(WGPUAdapter adapter, WGPULimits* limits)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUBool wgpuAdapterHasFeature(WGPUAdapter adapter, WGPUFeatureName feature)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUFuture wgpuAdapterRequestDevice(WGPUAdapter adapter,
                                                WGPU_NULLABLE WGPUDeviceDescriptor const* descriptor,
                                                WGPURequestDeviceCallbackInfo callbackInfo)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuAdapterAddRef(WGPUAdapter adapter) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuAdapterRelease(WGPUAdapter adapter) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuAdapterInfoFreeMembers(WGPUAdapterInfo adapterInfo) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuSupportedFeaturesFreeMembers(WGPUSupportedFeatures supportedFeatures)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuSupportedInstanceFeaturesFreeMembers(
    WGPUSupportedInstanceFeatures supportedInstanceFeatures) WGPU_FUNCTION_ATTRIBUTE;

/* BindGroup / BindGroupLayout */
WGPU_EXPORT void wgpuBindGroupSetLabel(WGPUBindGroup bindGroup, WGPUStringView label)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuBindGroupAddRef(WGPUBindGroup bindGroup) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuBindGroupRelease(WGPUBindGroup bindGroup) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuBindGroupLayoutSetLabel(WGPUBindGroupLayout bindGroupLayout,
                                             WGPUStringView label) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuBindGroupLayoutAddRef(WGPUBindGroupLayout bindGroupLayout)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuBindGroupLayoutRelease(WGPUBindGroupLayout bindGroupLayout)
    WGPU_FUNCTION_ATTRIBUTE;

/* Buffer */
WGPU_EXPORT void wgpuBufferDestroy(WGPUBuffer buffer) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void const* wgpuBufferGetConstMappedRange(WGPUBuffer buffer, size_t offset,
                                                      size_t size) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void* wgpuBufferGetMappedRange(WGPUBuffer buffer, size_t offset, size_t size)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUBufferMapState wgpuBufferGetMapState(WGPUBuffer buffer) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT uint64_t wgpuBufferGetSize(WGPUBuffer buffer) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUBufferUsage wgpuBufferGetUsage(WGPUBuffer buffer) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUFuture wgpuBufferMapAsync(WGPUBuffer buffer, WGPUMapMode mode, size_t offset,
                                          size_t size, WGPUBufferMapCallbackInfo callbackInfo)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUStatus wgpuBufferReadMappedRange(WGPUBuffer buffer, size_t offset, void* data,
                                                 size_t size) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUStatus wgpuBufferWriteMappedRange(WGPUBuffer buffer, size_t offset,
                                                  void const* data, size_t size)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuBufferSetLabel(WGPUBuffer buffer, WGPUStringView label)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuBufferUnmap(WGPUBuffer buffer) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuBufferAddRef(WGPUBuffer buffer) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuBufferRelease(WGPUBuffer buffer) WGPU_FUNCTION_ATTRIBUTE;

/* CommandBuffer */
WGPU_EXPORT void wgpuCommandBufferSetLabel(WGPUCommandBuffer commandBuffer, WGPUStringView label)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuCommandBufferAddRef(WGPUCommandBuffer commandBuffer) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuCommandBufferRelease(WGPUCommandBuffer commandBuffer)
    WGPU_FUNCTION_ATTRIBUTE;

/* CommandEncoder */
WGPU_EXPORT WGPUComputePassEncoder wgpuCommandEncoderBeginComputePass(
    WGPUCommandEncoder commandEncoder,
    WGPU_NULLABLE WGPUComputePassDescriptor const* descriptor) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuCommandEncoderClearBuffer(WGPUCommandEncoder commandEncoder,
                                               WGPUBuffer buffer, uint64_t offset, uint64_t size)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuCommandEncoderCopyBufferToBuffer(WGPUCommandEncoder commandEncoder,
                                                      WGPUBuffer source, uint64_t sourceOffset,
                                                      WGPUBuffer destination,
                                                      uint64_t destinationOffset, uint64_t size)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUCommandBuffer wgpuCommandEncoderFinish(
    WGPUCommandEncoder commandEncoder,
    WGPU_NULLABLE WGPUCommandBufferDescriptor const* descriptor) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuCommandEncoderResolveQuerySet(WGPUCommandEncoder commandEncoder,
                                                   WGPUQuerySet querySet, uint32_t firstQuery,
                                                   uint32_t queryCount, WGPUBuffer destination,
                                                   uint64_t destinationOffset)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuCommandEncoderSetLabel(WGPUCommandEncoder commandEncoder,
                                            WGPUStringView label) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuCommandEncoderWriteTimestamp(WGPUCommandEncoder commandEncoder,
                                                  WGPUQuerySet querySet, uint32_t queryIndex)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuCommandEncoderAddRef(WGPUCommandEncoder commandEncoder)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuCommandEncoderRelease(WGPUCommandEncoder commandEncoder)
    WGPU_FUNCTION_ATTRIBUTE;

/* ComputePassEncoder */
WGPU_EXPORT void wgpuComputePassEncoderDispatchWorkgroups(WGPUComputePassEncoder computePassEncoder,
                                                          uint32_t workgroupCountX,
                                                          uint32_t workgroupCountY,
                                                          uint32_t workgroupCountZ)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuComputePassEncoderDispatchWorkgroupsIndirect(
    WGPUComputePassEncoder computePassEncoder, WGPUBuffer indirectBuffer, uint64_t indirectOffset)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuComputePassEncoderEnd(WGPUComputePassEncoder computePassEncoder)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuComputePassEncoderSetBindGroup(WGPUComputePassEncoder computePassEncoder,
                                                    uint32_t groupIndex,
                                                    WGPU_NULLABLE WGPUBindGroup group,
                                                    size_t dynamicOffsetCount,
                                                    uint32_t const* dynamicOffsets)
    WGPU_FUNCTION_ATTRIBUTE;
/* wasmgpu: set bytes [offset, offset + size) of the pass's immediate data (Vulkan push constants;
 * GLSL `layout(push_constant) uniform`). offset and size are multiples of 4 and offset + size <=
 * maxImmediateSize. Values persist across pipeline changes within the pass (standard
 * "setImmediates" semantics); each dispatch sees the first immediateSize bytes of its pipeline
 * layout. */
WGPU_EXPORT void wgpuComputePassEncoderSetImmediateData(WGPUComputePassEncoder computePassEncoder,
                                                        uint32_t offset, void const* data,
                                                        size_t size) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuComputePassEncoderSetLabel(WGPUComputePassEncoder computePassEncoder,
                                                WGPUStringView label) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuComputePassEncoderSetPipeline(WGPUComputePassEncoder computePassEncoder,
                                                   WGPUComputePipeline pipeline)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuComputePassEncoderAddRef(WGPUComputePassEncoder computePassEncoder)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuComputePassEncoderRelease(WGPUComputePassEncoder computePassEncoder)
    WGPU_FUNCTION_ATTRIBUTE;

/* ComputePipeline */
WGPU_EXPORT WGPUBindGroupLayout wgpuComputePipelineGetBindGroupLayout(
    WGPUComputePipeline computePipeline, uint32_t groupIndex) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuComputePipelineSetLabel(WGPUComputePipeline computePipeline,
                                             WGPUStringView label) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuComputePipelineAddRef(WGPUComputePipeline computePipeline)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuComputePipelineRelease(WGPUComputePipeline computePipeline)
    WGPU_FUNCTION_ATTRIBUTE;

/* Device */
WGPU_EXPORT WGPUBindGroup wgpuDeviceCreateBindGroup(WGPUDevice device,
                                                    WGPUBindGroupDescriptor const* descriptor)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUBindGroupLayout wgpuDeviceCreateBindGroupLayout(
    WGPUDevice device, WGPUBindGroupLayoutDescriptor const* descriptor) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUBuffer wgpuDeviceCreateBuffer(WGPUDevice device,
                                              WGPUBufferDescriptor const* descriptor)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUCommandEncoder wgpuDeviceCreateCommandEncoder(
    WGPUDevice device, WGPU_NULLABLE WGPUCommandEncoderDescriptor const* descriptor)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUComputePipeline wgpuDeviceCreateComputePipeline(
    WGPUDevice device, WGPUComputePipelineDescriptor const* descriptor) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUFuture wgpuDeviceCreateComputePipelineAsync(
    WGPUDevice device, WGPUComputePipelineDescriptor const* descriptor,
    WGPUCreateComputePipelineAsyncCallbackInfo callbackInfo) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUPipelineLayout wgpuDeviceCreatePipelineLayout(
    WGPUDevice device, WGPUPipelineLayoutDescriptor const* descriptor) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUQuerySet wgpuDeviceCreateQuerySet(WGPUDevice device,
                                                  WGPUQuerySetDescriptor const* descriptor)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUShaderModule wgpuDeviceCreateShaderModule(
    WGPUDevice device, WGPUShaderModuleDescriptor const* descriptor) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuDeviceDestroy(WGPUDevice device) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUStatus wgpuDeviceGetAdapterInfo(WGPUDevice device, WGPUAdapterInfo* adapterInfo)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuDeviceGetFeatures(WGPUDevice device, WGPUSupportedFeatures* features)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUStatus wgpuDeviceGetLimits(WGPUDevice device, WGPULimits* limits)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUFuture wgpuDeviceGetLostFuture(WGPUDevice device) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUQueue wgpuDeviceGetQueue(WGPUDevice device) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUBool wgpuDeviceHasFeature(WGPUDevice device, WGPUFeatureName feature)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUFuture wgpuDevicePopErrorScope(WGPUDevice device,
                                               WGPUPopErrorScopeCallbackInfo callbackInfo)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuDevicePushErrorScope(WGPUDevice device, WGPUErrorFilter filter)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuDeviceSetLabel(WGPUDevice device, WGPUStringView label)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuDeviceAddRef(WGPUDevice device) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuDeviceRelease(WGPUDevice device) WGPU_FUNCTION_ATTRIBUTE;

/* PipelineLayout */
WGPU_EXPORT void wgpuPipelineLayoutSetLabel(WGPUPipelineLayout pipelineLayout,
                                            WGPUStringView label) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuPipelineLayoutAddRef(WGPUPipelineLayout pipelineLayout)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuPipelineLayoutRelease(WGPUPipelineLayout pipelineLayout)
    WGPU_FUNCTION_ATTRIBUTE;

/* QuerySet */
WGPU_EXPORT void wgpuQuerySetDestroy(WGPUQuerySet querySet) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT uint32_t wgpuQuerySetGetCount(WGPUQuerySet querySet) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT WGPUQueryType wgpuQuerySetGetType(WGPUQuerySet querySet) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuQuerySetSetLabel(WGPUQuerySet querySet, WGPUStringView label)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuQuerySetAddRef(WGPUQuerySet querySet) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuQuerySetRelease(WGPUQuerySet querySet) WGPU_FUNCTION_ATTRIBUTE;

/* Queue */
WGPU_EXPORT WGPUFuture wgpuQueueOnSubmittedWorkDone(WGPUQueue queue,
                                                    WGPUQueueWorkDoneCallbackInfo callbackInfo)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuQueueSetLabel(WGPUQueue queue, WGPUStringView label) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuQueueSubmit(WGPUQueue queue, size_t commandCount,
                                 WGPUCommandBuffer const* commands) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuQueueWriteBuffer(WGPUQueue queue, WGPUBuffer buffer, uint64_t bufferOffset,
                                      void const* data, size_t size) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuQueueAddRef(WGPUQueue queue) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuQueueRelease(WGPUQueue queue) WGPU_FUNCTION_ATTRIBUTE;

/* ShaderModule */
WGPU_EXPORT WGPUFuture wgpuShaderModuleGetCompilationInfo(
    WGPUShaderModule shaderModule, WGPUCompilationInfoCallbackInfo callbackInfo)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuShaderModuleSetLabel(WGPUShaderModule shaderModule, WGPUStringView label)
    WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuShaderModuleAddRef(WGPUShaderModule shaderModule) WGPU_FUNCTION_ATTRIBUTE;
WGPU_EXPORT void wgpuShaderModuleRelease(WGPUShaderModule shaderModule) WGPU_FUNCTION_ATTRIBUTE;

#if defined(__wasm__)
/* Guests: every function above is an import of module "wasmgpu" whose import name is the C
 * function name. The explicit import_name is what lets wasm-ld leave these symbols undefined
 * (for the runtime to resolve) without -Wl,--allow-undefined, which would also hide typos in
 * the guest's own symbols. Each function is redeclared here with its name rather than
 * annotated in place, so the declarations above keep the standard header's shape. A function
 * declared above but missing here fails to link in a guest that calls it (tests/gpu_unit
 * links one that calls every function). */
#define WGPU_WASM_IMPORT(name) \
  __typeof__(name) name __attribute__((import_module("wasmgpu"), import_name(#name)))
WGPU_WASM_IMPORT(wgpuCreateInstance);
WGPU_WASM_IMPORT(wgpuGetInstanceFeatures);
WGPU_WASM_IMPORT(wgpuGetInstanceLimits);
WGPU_WASM_IMPORT(wgpuHasInstanceFeature);
WGPU_WASM_IMPORT(wgpuInstanceProcessEvents);
WGPU_WASM_IMPORT(wgpuInstanceRequestAdapter);
WGPU_WASM_IMPORT(wgpuInstanceWaitAny);
WGPU_WASM_IMPORT(wgpuInstanceEnumerateAdapters);
WGPU_WASM_IMPORT(wgpuInstanceAddRef);
WGPU_WASM_IMPORT(wgpuInstanceRelease);
WGPU_WASM_IMPORT(wgpuAdapterGetFeatures);
WGPU_WASM_IMPORT(wgpuAdapterGetInfo);
WGPU_WASM_IMPORT(wgpuAdapterGetLimits);
WGPU_WASM_IMPORT(wgpuAdapterHasFeature);
WGPU_WASM_IMPORT(wgpuAdapterRequestDevice);
WGPU_WASM_IMPORT(wgpuAdapterAddRef);
WGPU_WASM_IMPORT(wgpuAdapterRelease);
WGPU_WASM_IMPORT(wgpuAdapterInfoFreeMembers);
WGPU_WASM_IMPORT(wgpuSupportedFeaturesFreeMembers);
WGPU_WASM_IMPORT(wgpuSupportedInstanceFeaturesFreeMembers);
WGPU_WASM_IMPORT(wgpuBindGroupSetLabel);
WGPU_WASM_IMPORT(wgpuBindGroupAddRef);
WGPU_WASM_IMPORT(wgpuBindGroupRelease);
WGPU_WASM_IMPORT(wgpuBindGroupLayoutSetLabel);
WGPU_WASM_IMPORT(wgpuBindGroupLayoutAddRef);
WGPU_WASM_IMPORT(wgpuBindGroupLayoutRelease);
WGPU_WASM_IMPORT(wgpuBufferDestroy);
WGPU_WASM_IMPORT(wgpuBufferGetConstMappedRange);
WGPU_WASM_IMPORT(wgpuBufferGetMappedRange);
WGPU_WASM_IMPORT(wgpuBufferGetMapState);
WGPU_WASM_IMPORT(wgpuBufferGetSize);
WGPU_WASM_IMPORT(wgpuBufferGetUsage);
WGPU_WASM_IMPORT(wgpuBufferMapAsync);
WGPU_WASM_IMPORT(wgpuBufferReadMappedRange);
WGPU_WASM_IMPORT(wgpuBufferWriteMappedRange);
WGPU_WASM_IMPORT(wgpuBufferSetLabel);
WGPU_WASM_IMPORT(wgpuBufferUnmap);
WGPU_WASM_IMPORT(wgpuBufferAddRef);
WGPU_WASM_IMPORT(wgpuBufferRelease);
WGPU_WASM_IMPORT(wgpuCommandBufferSetLabel);
WGPU_WASM_IMPORT(wgpuCommandBufferAddRef);
WGPU_WASM_IMPORT(wgpuCommandBufferRelease);
WGPU_WASM_IMPORT(wgpuCommandEncoderBeginComputePass);
WGPU_WASM_IMPORT(wgpuCommandEncoderClearBuffer);
WGPU_WASM_IMPORT(wgpuCommandEncoderCopyBufferToBuffer);
WGPU_WASM_IMPORT(wgpuCommandEncoderFinish);
WGPU_WASM_IMPORT(wgpuCommandEncoderResolveQuerySet);
WGPU_WASM_IMPORT(wgpuCommandEncoderSetLabel);
WGPU_WASM_IMPORT(wgpuCommandEncoderWriteTimestamp);
WGPU_WASM_IMPORT(wgpuCommandEncoderAddRef);
WGPU_WASM_IMPORT(wgpuCommandEncoderRelease);
WGPU_WASM_IMPORT(wgpuComputePassEncoderDispatchWorkgroups);
WGPU_WASM_IMPORT(wgpuComputePassEncoderDispatchWorkgroupsIndirect);
WGPU_WASM_IMPORT(wgpuComputePassEncoderEnd);
WGPU_WASM_IMPORT(wgpuComputePassEncoderSetBindGroup);
WGPU_WASM_IMPORT(wgpuComputePassEncoderSetImmediateData);
WGPU_WASM_IMPORT(wgpuComputePassEncoderSetLabel);
WGPU_WASM_IMPORT(wgpuComputePassEncoderSetPipeline);
WGPU_WASM_IMPORT(wgpuComputePassEncoderAddRef);
WGPU_WASM_IMPORT(wgpuComputePassEncoderRelease);
WGPU_WASM_IMPORT(wgpuComputePipelineGetBindGroupLayout);
WGPU_WASM_IMPORT(wgpuComputePipelineSetLabel);
WGPU_WASM_IMPORT(wgpuComputePipelineAddRef);
WGPU_WASM_IMPORT(wgpuComputePipelineRelease);
WGPU_WASM_IMPORT(wgpuDeviceCreateBindGroup);
WGPU_WASM_IMPORT(wgpuDeviceCreateBindGroupLayout);
WGPU_WASM_IMPORT(wgpuDeviceCreateBuffer);
WGPU_WASM_IMPORT(wgpuDeviceCreateCommandEncoder);
WGPU_WASM_IMPORT(wgpuDeviceCreateComputePipeline);
WGPU_WASM_IMPORT(wgpuDeviceCreateComputePipelineAsync);
WGPU_WASM_IMPORT(wgpuDeviceCreatePipelineLayout);
WGPU_WASM_IMPORT(wgpuDeviceCreateQuerySet);
WGPU_WASM_IMPORT(wgpuDeviceCreateShaderModule);
WGPU_WASM_IMPORT(wgpuDeviceDestroy);
WGPU_WASM_IMPORT(wgpuDeviceGetAdapterInfo);
WGPU_WASM_IMPORT(wgpuDeviceGetFeatures);
WGPU_WASM_IMPORT(wgpuDeviceGetLimits);
WGPU_WASM_IMPORT(wgpuDeviceGetLostFuture);
WGPU_WASM_IMPORT(wgpuDeviceGetQueue);
WGPU_WASM_IMPORT(wgpuDeviceHasFeature);
WGPU_WASM_IMPORT(wgpuDevicePopErrorScope);
WGPU_WASM_IMPORT(wgpuDevicePushErrorScope);
WGPU_WASM_IMPORT(wgpuDeviceSetLabel);
WGPU_WASM_IMPORT(wgpuDeviceAddRef);
WGPU_WASM_IMPORT(wgpuDeviceRelease);
WGPU_WASM_IMPORT(wgpuPipelineLayoutSetLabel);
WGPU_WASM_IMPORT(wgpuPipelineLayoutAddRef);
WGPU_WASM_IMPORT(wgpuPipelineLayoutRelease);
WGPU_WASM_IMPORT(wgpuQuerySetDestroy);
WGPU_WASM_IMPORT(wgpuQuerySetGetCount);
WGPU_WASM_IMPORT(wgpuQuerySetGetType);
WGPU_WASM_IMPORT(wgpuQuerySetSetLabel);
WGPU_WASM_IMPORT(wgpuQuerySetAddRef);
WGPU_WASM_IMPORT(wgpuQuerySetRelease);
WGPU_WASM_IMPORT(wgpuQueueOnSubmittedWorkDone);
WGPU_WASM_IMPORT(wgpuQueueSetLabel);
WGPU_WASM_IMPORT(wgpuQueueSubmit);
WGPU_WASM_IMPORT(wgpuQueueWriteBuffer);
WGPU_WASM_IMPORT(wgpuQueueAddRef);
WGPU_WASM_IMPORT(wgpuQueueRelease);
WGPU_WASM_IMPORT(wgpuShaderModuleGetCompilationInfo);
WGPU_WASM_IMPORT(wgpuShaderModuleSetLabel);
WGPU_WASM_IMPORT(wgpuShaderModuleAddRef);
WGPU_WASM_IMPORT(wgpuShaderModuleRelease);
#undef WGPU_WASM_IMPORT
#endif /* __wasm__ */

#ifdef __cplusplus
}  // extern "C"
#endif

#endif /* WASMGPU_WEBGPU_H_ */
