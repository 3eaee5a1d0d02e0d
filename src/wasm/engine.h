// The engine: turns a .wasm file into a loaded, linkable Module.
//
//   read -> validate (wabt) -> check imports against a HostRegistry -> wasm2c -> cc -O2 -shared
//   -> cache -> dlopen
//
// Compiled modules are cached under $XDG_CACHE_HOME/wasmgpu (default ~/.cache/wasmgpu), keyed by
// the XXH3-128 hash of the module bytes, the runtime and ABI versions, wasm2c's version, the
// compiler's identity (resolved path, size, mtime) and the flags. Writers use a temporary file
// and rename(2), so concurrent runs never see a partial object. A cache hit reads and hashes the
// file, dlopens the object and checks imports from the object's own import table: no decoding,
// no compiler.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "wasm/abi.h"
#include "wasm/host_registry.h"
#include "wasm/module_reader.h"

namespace wasmgpu::wasm {

// A compiled module loaded into the process. Shared by its instances.
class Module {
 public:
  ~Module();
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  const abi::ModuleDesc& desc() const { return *desc_; }
  const std::vector<ImportDecl>& imports() const { return imports_; }
  const std::vector<ExportDecl>& exports() const { return exports_; }
  // The exported function `name`, or null.
  const abi::ExportDesc* FindExport(std::string_view name) const;

  const std::string& name() const { return name_; }          // for messages: the .wasm path
  const std::string& object_path() const { return object_path_; }
  bool from_cache() const { return from_cache_; }             // false: compiled by this load

  // Executable range of the object: the timeout handler only interrupts code inside it.
  uintptr_t code_begin() const { return code_begin_; }
  uintptr_t code_end() const { return code_end_; }
  // The wasm function containing `pc`, or "" if unknown: the innermost one from the object's
  // debug info when addr2line is available (so a function inlined into its caller is named),
  // else from the symbol table (which names the caller, or the export it was inlined into).
  std::string FunctionNameAt(uintptr_t pc) const;

 private:
  friend class Engine;
  Module() = default;

  void* handle_ = nullptr;
  const abi::ModuleDesc* desc_ = nullptr;
  std::vector<ImportDecl> imports_;
  std::vector<ExportDecl> exports_;
  std::string name_;
  std::string object_path_;
  bool from_cache_ = false;
  uintptr_t load_bias_ = 0;
  uintptr_t code_begin_ = 0;
  uintptr_t code_end_ = 0;
};

struct EngineOptions {
  std::string cache_dir;   // empty: $XDG_CACHE_HOME/wasmgpu, else $HOME/.cache/wasmgpu
  std::string compiler;    // empty: $WASMGPU_CC, else "cc"
  bool progress = false;   // stage lines on stderr (the CLI sets it when stderr is a terminal)
  bool keep_c = false;     // keep the generated C next to the object (debugging)
  // Size cap of the cache folder's compiled objects; 0: $WASMGPU_CACHE_MAX_MB MiB if set, else
  // kDefaultCacheMaxBytes. After each compilation the least recently used objects (by mtime,
  // which a cache hit refreshes) are deleted until the rest fit; the newest is always kept.
  uint64_t cache_max_bytes = 0;
};

inline constexpr uint64_t kDefaultCacheMaxBytes = uint64_t{1} << 30;  // 1 GiB

// What the compile cache holds (`wasmgpu cache`).
struct CacheInfo {
  std::string dir;
  uint64_t entries = 0;      // compiled objects (*.so)
  uint64_t bytes = 0;        // their total size
  uint64_t max_bytes = 0;    // the cap eviction keeps them under
};

class Engine {
 public:
  explicit Engine(EngineOptions options = {});

  // Loads the module at `path` (see the file comment). Every import must resolve in `registry`.
  Result<std::shared_ptr<Module>> LoadFile(const std::string& path, const HostRegistry& registry);
  Result<std::shared_ptr<Module>> LoadBytes(std::span<const uint8_t> bytes, std::string name,
                                            const HostRegistry& registry);

  // Compiles without loading: into the cache, or to `output` when not empty. Returns the path
  // of the object written (or found in the cache).
  Result<std::string> CompileFile(const std::string& path, const HostRegistry& registry,
                                  const std::string& output);

  const std::string& cache_dir() const { return cache_dir_; }
  uint64_t cache_max_bytes() const { return cache_max_bytes_; }
  CacheInfo GetCacheInfo() const;
  // Deletes every compiled object in the cache (running instances keep theirs: they are mapped).
  // Returns what was there before.
  Result<CacheInfo> ClearCache();
  // Deletes least recently used objects until the cache fits its cap; never `keep`.
  void EvictCache(const std::string& keep);
  // How many modules this engine compiled (cache misses); tests use it to see a cache hit.
  int compilations() const { return compilations_; }

 private:
  Result<std::string> CacheKey(std::span<const uint8_t> bytes) const;
  Result<std::string> EnsureCompiled(std::span<const uint8_t> bytes, const std::string& name,
                                     const HostRegistry& registry, const std::string& output,
                                     bool* compiled);
  Status Compile(std::span<const uint8_t> bytes, const std::string& name,
                 const HostRegistry& registry, const std::string& object_path);

  EngineOptions options_;
  std::string cache_dir_;
  std::string compiler_;
  std::string compiler_identity_;
  uint64_t cache_max_bytes_ = kDefaultCacheMaxBytes;
  int compilations_ = 0;
};

// Reads a whole file. Errors name the path and errno's text.
Result<std::vector<uint8_t>> ReadFileBytes(const std::string& path);

}  // namespace wasmgpu::wasm
